"""Regenerate the sample PDF and DOCX resumes from their plain-text sources.

The sources live in ``data/sample/sources/pdf/<resume_id>.txt`` and
``data/sample/sources/docx/<resume_id>.txt`` and use a tiny markup:

* ``# Name``: the candidate's name (document title);
* ``## Section``: a section heading such as "Experience";
* ``### Line``: a sub-heading such as a job title or a degree;
* ``- text``: a bullet point;
* any other line: plain text. Lines directly under the name stay separate (contact block);
  elsewhere, consecutive plain lines form one paragraph. Blank lines end a paragraph.

Each source becomes ``data/sample/resumes/<resume_id>.pdf`` (fpdf2, core Helvetica font, so
sources must be encodable as Windows-1252) or ``.docx`` (python-docx, with real heading and
"List Bullet" styles). The script also writes the deliberately corrupt PDF. Output is
byte-for-byte deterministic: fixed creation dates in the PDF metadata and the DOCX core
properties, and fixed timestamps inside the DOCX zip.

Usage::

    .venv/bin/python scripts/make_sample_documents.py
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

import docx
import typer
from fpdf import FPDF

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCES = REPO_ROOT / "data" / "sample" / "sources"
DEFAULT_RESUMES = REPO_ROOT / "data" / "sample" / "resumes"

#: The one corrupt PDF: a cut-off upload with garbage after the first objects.
CORRUPT_PDF_NAME = "r-0067-tomasz-nowak.pdf"

#: Every generated file claims this moment as its creation and modification time.
FIXED_DATE = datetime(2024, 1, 15, 9, 0, 0, tzinfo=UTC)
_ZIP_DATE = (2024, 1, 15, 9, 0, 0)

#: fpdf2's core fonts cover one 8-bit code page; Windows-1252 adds bullets and dashes to latin-1.
PDF_ENCODING = "windows-1252"
PDF_BULLET = "\u2022"

BlockKind = Literal["title", "heading", "subheading", "bullet", "paragraph", "header"]


@dataclass(frozen=True)
class Block:
    """One unit of a resume source: a title, a heading, a bullet or a paragraph."""

    kind: BlockKind
    text: str


def parse_source(text: str) -> list[Block]:
    """Split a marked-up source text into blocks.

    Args:
        text: The source text (see the module docstring for the markup).

    Returns:
        The blocks in document order. Lines between the title and the first heading become
        ``header`` blocks, one per line.

    Raises:
        ValueError: If the text does not start with a ``# Name`` line.

    Example:
        >>> [b.kind for b in parse_source("# Ann Lee\\nann@example.com\\n## Skills\\n- SQL")]
        ['title', 'header', 'heading', 'bullet']
    """
    blocks: list[Block] = []
    paragraph: list[str] = []
    seen_heading = False

    def flush() -> None:
        if paragraph:
            blocks.append(Block("paragraph", " ".join(paragraph)))
            paragraph.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("### "):
            flush()
            blocks.append(Block("subheading", line[4:].strip()))
        elif line.startswith("## "):
            flush()
            seen_heading = True
            blocks.append(Block("heading", line[3:].strip()))
        elif line.startswith("# "):
            flush()
            blocks.append(Block("title", line[2:].strip()))
        elif line.startswith("- "):
            flush()
            blocks.append(Block("bullet", line[2:].strip()))
        elif blocks and not seen_heading:
            blocks.append(Block("header", line))
        else:
            paragraph.append(line)
    flush()
    if not blocks or blocks[0].kind != "title":
        raise ValueError("source must start with a '# Name' line")
    return blocks


def _check_pdf_encodable(blocks: Sequence[Block], source_name: str) -> None:
    for number, block in enumerate(blocks, start=1):
        for char in block.text:
            try:
                char.encode(PDF_ENCODING)
            except UnicodeEncodeError:
                raise ValueError(
                    f"{source_name}: block {number} ({block.text[:40]!r}) has {char!r} "
                    f"(U+{ord(char):04X}), which the PDF core fonts ({PDF_ENCODING}) cannot show"
                ) from None


def render_pdf(blocks: Sequence[Block], *, source_name: str = "<source>") -> bytes:
    """Lay out resume blocks as a one-column PDF with fpdf2's core Helvetica font.

    Args:
        blocks: Parsed source blocks; the first is the title.
        source_name: Named in the error if a character cannot be encoded.

    Returns:
        The PDF file's bytes, identical for identical input.

    Raises:
        ValueError: If a character is outside Windows-1252 (the core fonts' code page).
    """
    _check_pdf_encodable(blocks, source_name)
    pdf = FPDF(format="Letter")
    pdf.core_fonts_encoding = PDF_ENCODING
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(blocks[0].text)
    pdf.set_author(blocks[0].text)
    pdf.set_creator("matcher scripts/make_sample_documents.py")
    pdf.set_margins(left=20, top=18, right=20)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    for block in blocks:
        if block.kind == "title":
            pdf.set_font("Helvetica", "B", 18)
            pdf.multi_cell(width, 9, block.text, align="L", new_x="LMARGIN", new_y="NEXT")
        elif block.kind == "header":
            pdf.set_font("Helvetica", "", 9.5)
            pdf.multi_cell(width, 5, block.text, align="L", new_x="LMARGIN", new_y="NEXT")
        elif block.kind == "heading":
            pdf.ln(3)
            pdf.set_font("Helvetica", "B", 12)
            pdf.multi_cell(width, 7, block.text, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
            pdf.ln(1.5)
        elif block.kind == "subheading":
            pdf.ln(1)
            pdf.set_font("Helvetica", "B", 10.5)
            pdf.multi_cell(width, 5.5, block.text, align="L", new_x="LMARGIN", new_y="NEXT")
        elif block.kind == "bullet":
            pdf.set_font("Helvetica", "", 10)
            pdf.set_x(pdf.l_margin + 3)
            pdf.cell(5, 5, PDF_BULLET)
            pdf.multi_cell(width - 8, 5, block.text, align="L", new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font("Helvetica", "", 10)
            pdf.multi_cell(width, 5, block.text, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
    return bytes(pdf.output())


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip archive with fixed member timestamps, keeping order and content."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def render_docx(blocks: Sequence[Block]) -> bytes:
    """Lay out resume blocks as a Word document with real heading and bullet styles.

    The name uses the "Title" style, sections "Heading 1", sub-headings "Heading 2" and
    bullets "List Bullet", so parsers that read styles see the structure.

    Args:
        blocks: Parsed source blocks; the first is the title.

    Returns:
        The DOCX file's bytes, identical for identical input.
    """
    document = docx.Document()
    props = document.core_properties
    props.title = blocks[0].text
    props.author = blocks[0].text
    props.last_modified_by = blocks[0].text
    props.comments = "Fictional sample resume written for matcher."
    props.created = FIXED_DATE.replace(tzinfo=None)
    props.modified = FIXED_DATE.replace(tzinfo=None)
    props.last_printed = FIXED_DATE.replace(tzinfo=None)
    props.revision = 1

    for block in blocks:
        if block.kind == "title":
            document.add_heading(block.text, level=0)
        elif block.kind == "heading":
            document.add_heading(block.text, level=1)
        elif block.kind == "subheading":
            document.add_heading(block.text, level=2)
        elif block.kind == "bullet":
            document.add_paragraph(block.text, style="List Bullet")
        else:
            document.add_paragraph(block.text)
    buffer = io.BytesIO()
    document.save(buffer)
    return _normalise_zip(buffer.getvalue())


def corrupt_pdf_bytes() -> bytes:
    """Return the bytes of a PDF that no reader can open: a cut-off upload.

    It starts like a real PDF (header and the first objects), then turns into pseudo-random
    bytes and stops without a cross-reference table, trailer or ``%%EOF``.

    Returns:
        The same bytes on every call.
    """
    head = (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
        b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
        b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>\n"
        b"endobj\n4 0 obj\n<< /Length 5120 /Filter /FlateDecode >>\nstream\n"
    )
    junk = bytearray()
    digest = b"matcher sample: corrupt pdf"
    while len(junk) < 1536:
        digest = hashlib.sha256(digest).digest()
        junk.extend(digest)
    return head + bytes(junk)


def build_documents(sources_dir: Path, resumes_dir: Path) -> list[Path]:
    """Write every PDF and DOCX resume from its source, plus the corrupt PDF.

    Args:
        sources_dir: Folder with ``pdf/`` and ``docx/`` sub-folders of ``<resume_id>.txt``.
        resumes_dir: Folder the documents are written to.

    Returns:
        The paths written, sorted.

    Raises:
        FileNotFoundError: If ``sources_dir`` has neither a ``pdf/`` nor a ``docx/`` folder.
        ValueError: If a source is malformed or a PDF source has a character the core fonts
            cannot show; the message names the file.
    """
    pdf_sources = sorted((sources_dir / "pdf").glob("*.txt"))
    docx_sources = sorted((sources_dir / "docx").glob("*.txt"))
    if not pdf_sources and not docx_sources:
        raise FileNotFoundError(f"no sources under {sources_dir}/pdf or {sources_dir}/docx")
    resumes_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for source, suffix in [(s, ".pdf") for s in pdf_sources] + [(s, ".docx") for s in docx_sources]:
        try:
            blocks = parse_source(source.read_text(encoding="utf-8"))
        except ValueError as err:
            raise ValueError(f"{source}: {err}") from err
        if suffix == ".pdf":
            data = render_pdf(blocks, source_name=str(source))
        else:
            data = render_docx(blocks)
        target = resumes_dir / f"{source.stem}{suffix}"
        target.write_bytes(data)
        written.append(target)
    corrupt = resumes_dir / CORRUPT_PDF_NAME
    corrupt.write_bytes(corrupt_pdf_bytes())
    written.append(corrupt)
    return sorted(written)


def main(
    sources: Annotated[
        Path, typer.Option(help="Folder with pdf/ and docx/ sub-folders of source texts.")
    ] = DEFAULT_SOURCES,
    resumes: Annotated[
        Path, typer.Option(help="Folder the PDF and DOCX resumes are written to.")
    ] = DEFAULT_RESUMES,
) -> None:
    """Regenerate the sample PDF and DOCX resumes (and the corrupt PDF)."""
    written = build_documents(sources, resumes)
    typer.echo(f"wrote {len(written)} files to {resumes}")


if __name__ == "__main__":
    typer.run(main)
