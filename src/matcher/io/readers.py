"""Read the raw text of one document file (.txt, .md, .pdf, .docx, .html, .htm).

Plain-text files are decoded as UTF-8 (with or without a byte-order mark), UTF-16 when a UTF-16
byte-order mark is present, and otherwise as Windows-1252, with a logged warning. HTML files are
converted to text lines. PDF text comes from pypdf, DOCX text from python-docx (header,
paragraphs and tables in document order, list paragraphs as ``"- "`` bullets).

Every way a file can be unreadable raises :class:`DocumentError` with a short reason that the
loaders put in the rejects table.

What one file may cost is bounded by :class:`matcher.settings.LimitSettings`: a DOCX whose zip
declares more uncompressed bytes than ``max_expanded_bytes``, or expands more than
``max_compression_ratio`` times its size, is rejected before anything is decompressed (Python's
zipfile never inflates a member beyond its declared size, so the declared sizes are a real
bound); so is a DOCX with more than ``max_paragraphs`` paragraphs, and a PDF with more than
``max_pages`` pages, or whose streams inflate beyond ``max_expanded_bytes`` or
``max_compression_ratio`` times its size: pypdf stops inflating any one stream at that bound,
and the page contents, read page by page, may not add up to more.
"""

from __future__ import annotations

import codecs
import logging
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from matcher.settings import LimitSettings
from matcher.text.cleaning import html_heading, html_to_text

__all__ = [
    "SUPPORTED_SUFFIXES",
    "DocumentError",
    "check_zip_expansion",
    "decode_bytes",
    "read_document",
]

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".pdf", ".docx", ".html", ".htm"})

# Share of control characters above which decoded bytes are taken for a binary file.
_MAX_CONTROL_SHARE = 0.01


class DocumentError(Exception):
    """A document cannot be read; the message says why (e.g. ``"corrupt or unreadable PDF"``)."""


def _short(error: BaseException) -> str:
    message = " ".join(str(error).split()) or type(error).__name__
    return message if len(message) <= 160 else message[:157] + "..."


# The control characters counted: below 32 but for tab, line feed, vertical tab, form feed
# and carriage return (9 to 13).
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f]")


def _looks_binary(text: str, allow_nul: bool = False) -> bool:
    if "\x00" in text and not allow_nul:
        return True
    # One regular-expression scan, not a Python step per character: a 15 MB table of 10,000
    # resumes took seconds to check that way, most of loading it.
    controls = len(_CONTROL_RE.findall(text))
    return controls > _MAX_CONTROL_SHARE * len(text)


def decode_bytes(data: bytes, allow_nul: bool = False) -> tuple[str, str]:
    """Decode the bytes of a text file, trying UTF-8 first.

    The order is: UTF-16 if the data starts with a UTF-16 byte-order mark; UTF-8 with an
    optional byte-order mark (``utf-8-sig``, which accepts everything plain UTF-8 accepts);
    Windows-1252 (``cp1252``), the usual encoding of text saved by older Windows tools.

    Args:
        data: The raw bytes.
        allow_nul: Whether a NUL byte alone is tolerated (a table, where it belongs to one
            cell); otherwise it marks a binary file. Many control characters always do.

    Returns:
        The text and the name of the encoding that worked.

    Raises:
        DocumentError: If no encoding fits, or the bytes are binary rather than text.

    Example:
        >>> decode_bytes("Café".encode("cp1252"))
        ('Café', 'cp1252')
    """
    attempts = ["utf-8-sig", "cp1252"]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        attempts.insert(0, "utf-16")
    first_error: UnicodeDecodeError | None = None
    for encoding in attempts:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as error:
            first_error = first_error or error
            continue
        if _looks_binary(text, allow_nul):
            raise DocumentError("binary content, not text")
        return text, encoding
    position = first_error.start if first_error is not None else 0
    raise DocumentError(
        f"undecodable bytes: neither UTF-8 nor cp1252 (byte 0x{data[position]:02x} "
        f"at offset {position})"
    )


def _read_text_file(path: Path) -> str:
    text, encoding = decode_bytes(path.read_bytes())
    if encoding == "cp1252":
        logger.warning("%s: not valid UTF-8, decoded as cp1252", path)
    return text


def _read_text(path: Path, limits: LimitSettings) -> str:
    return _read_text_file(path)


def _read_html(path: Path, limits: LimitSettings) -> str:
    return html_to_text(_read_text_file(path), max_depth=limits.max_html_depth)


def check_zip_expansion(path: Path, limits: LimitSettings) -> None:
    """Reject a zip-based file (DOCX, ...) that would inflate too far: a decompression bomb.

    Only the zip's central directory is read. Its declared sizes bound what zipfile will ever
    inflate (a member that inflates further fails its size and CRC check), so checking them
    before reading is enough.

    Raises:
        DocumentError: If the declared uncompressed size exceeds ``limits.max_expanded_bytes``
            or ``limits.max_compression_ratio`` times the file's size, or the zip is corrupt.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            expanded = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        kind = path.suffix.lstrip(".").upper() or "zip file"
        raise DocumentError(f"corrupt or unreadable {kind}: {_short(error)}") from error
    if expanded > limits.max_expanded_bytes:
        raise DocumentError(
            f"expands to {expanded:,} bytes, more than limits.max_expanded_bytes "
            f"({limits.max_expanded_bytes:,}): a decompression bomb?"
        )
    ratio = expanded / max(path.stat().st_size, 1)
    if ratio > limits.max_compression_ratio:
        raise DocumentError(
            f"expands {ratio:,.0f} times its size ({expanded:,} bytes), more than "
            f"limits.max_compression_ratio ({limits.max_compression_ratio:g}): "
            "a decompression bomb?"
        )


def _pdf_expansion_bound(path: Path, limits: LimitSettings) -> tuple[int, str]:
    """The bytes a PDF's streams may expand to, and the limit that sets it, as words.

    The smaller of ``limits.max_expanded_bytes`` and ``limits.max_compression_ratio`` times
    the file's size, as for zip-based files.
    """
    size = path.stat().st_size
    by_ratio = int(limits.max_compression_ratio * max(size, 1))
    if by_ratio < limits.max_expanded_bytes:
        return by_ratio, (
            f"limits.max_compression_ratio ({limits.max_compression_ratio:g}) times the file's"
            f" {size:,} bytes"
        )
    return limits.max_expanded_bytes, (
        f"limits.max_expanded_bytes ({limits.max_expanded_bytes:,} bytes)"
    )


def _read_pdf(path: Path, limits: LimitSettings) -> str:
    from pypdf import PdfReader, apply_configuration, get_configuration
    from pypdf.errors import LimitReachedError

    cap, bound = _pdf_expansion_bound(path, limits)
    # pypdf stops inflating a stream at these sizes and raises LimitReachedError.
    bounds = {
        name: cap
        for name in (
            "zlib_maximum_output_length",
            "lzw_maximum_output_length",
            "run_length_maximum_output_length",
            "brotli_maximum_output_length",
            "array_based_stream_maximum_output_length",
            "maximum_declared_stream_length",
        )
    }
    try:
        with apply_configuration(get_configuration().with_overwrites(**bounds)):
            reader = PdfReader(path)
            if reader.is_encrypted and not reader.decrypt(""):
                raise DocumentError("encrypted PDF (needs a password)")
            count = len(reader.pages)
            if count > limits.max_pages:
                raise DocumentError(
                    f"PDF has {count:,} pages, more than limits.max_pages ({limits.max_pages:,})"
                )
            pages: list[str] = []
            expanded = 0
            for page in reader.pages:  # page by page: a bomb stops the reading at its page
                contents = page.get_contents()
                expanded += len(contents.get_data()) if contents is not None else 0
                if expanded > cap:
                    raise DocumentError(
                        f"PDF page contents expand beyond {bound} by page {len(pages) + 1}:"
                        " a decompression bomb?"
                    )
                pages.append(page.extract_text() or "")
    except DocumentError:
        raise
    except LimitReachedError as error:
        raise DocumentError(
            f"PDF content expands beyond {bound}: a decompression bomb? ({_short(error)})"
        ) from error
    except Exception as error:  # pypdf raises many types for broken files
        raise DocumentError(f"corrupt or unreadable PDF: {_short(error)}") from error
    if not pages:
        raise DocumentError("PDF has no pages")
    text = "\n\n".join(pages)
    if not text.strip():
        raise DocumentError("PDF has no extractable text (scanned image?)")
    return text


def _is_list_paragraph(paragraph: object, style_names: dict[str, str]) -> bool:
    properties = paragraph._p.pPr  # type: ignore[attr-defined]
    if properties is None:
        return False  # the default paragraph style
    if properties.numPr is not None:
        return True
    # Looked up in a table made once: python-docx's paragraph.style scans every style of the
    # document for each paragraph.
    return style_names.get(properties.style or "", "").startswith("list")


def _docx_lines(block: object, style_names: dict[str, str]) -> list[str]:
    from docx.table import Table

    if isinstance(block, Table):
        lines = []
        for row in block.rows:
            cells: list[str] = []
            for cell in row.cells:
                text = " ".join(cell.text.split())
                if text and (not cells or cells[-1] != text):  # merged cells repeat
                    cells.append(text)
            if cells:
                lines.append(" | ".join(cells))
        return lines
    text = getattr(block, "text", "")
    if text.strip() and _is_list_paragraph(block, style_names):
        return [f"- {text.strip()}"]
    return [text]


def _count_paragraphs(document: object, limit: int) -> int:
    """Paragraphs in the body (tables' included), counting no further than ``limit + 1``."""
    from docx.oxml.ns import qn

    body = document.element.body  # type: ignore[attr-defined]
    count = 0
    for _ in body.iter(qn("w:p")):
        count += 1
        if count > limit:
            break
    return count


def _read_docx(path: Path, limits: LimitSettings) -> str:
    import docx

    check_zip_expansion(path, limits)
    try:
        document = docx.Document(str(path))
        if _count_paragraphs(document, limits.max_paragraphs) > limits.max_paragraphs:
            raise DocumentError(
                f"DOCX has more than limits.max_paragraphs ({limits.max_paragraphs:,}) paragraphs"
            )
        style_names = {style.style_id: (style.name or "").lower() for style in document.styles}
        lines: list[str] = []
        # Resumes often keep the name and contact details in the page header.
        seen_header: set[str] = set()
        for section in document.sections:
            for paragraph in section.header.paragraphs:
                text = paragraph.text.strip()
                if text and text not in seen_header:
                    seen_header.add(text)
                    lines.append(text)
        for block in document.iter_inner_content():
            lines.extend(_docx_lines(block, style_names))
    except DocumentError:
        raise
    except Exception as error:  # zipfile, lxml and python-docx errors for broken files
        raise DocumentError(f"corrupt or unreadable DOCX: {_short(error)}") from error
    return "\n".join(lines)


_READERS: dict[str, Callable[[Path, LimitSettings], str]] = {
    ".txt": _read_text,
    ".md": _read_text,
    ".html": _read_html,
    ".htm": _read_html,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
}


def document_heading(path: Path) -> str | None:
    """The title an HTML page gives itself (its ``<h1>``, else its ``<title>``), or None for
    other files and pages without one (:func:`matcher.text.cleaning.html_heading`).

    Call it on a file :func:`read_document` has read: it does not check the limits again.
    """
    if path.suffix.lower() not in (".html", ".htm"):
        return None
    try:
        return html_heading(_read_text_file(path))
    except (OSError, DocumentError):
        return None


def read_document(path: Path, limits: LimitSettings | None = None) -> str:
    """Return the raw text of one document.

    Args:
        path: A file whose suffix (case-insensitive) is in :data:`SUPPORTED_SUFFIXES`.
        limits: Bounds on pages, paragraphs, decompression and HTML depth; the defaults of
            :class:`~matcher.settings.LimitSettings` if None.

    Returns:
        The text as found in the file (HTML already turned into text lines); not yet cleaned.

    Raises:
        DocumentError: If the file is missing, empty (0 bytes), of an unsupported type,
            undecodable, binary, a corrupt or encrypted PDF/DOCX, a PDF without text, or
            beyond one of ``limits`` (a decompression bomb, too many pages or paragraphs).

    Example:
        >>> read_document(Path("resumes/jane-doe.pdf"))  # doctest: +SKIP
        'Jane Doe\\nData Engineer...'
    """
    path = Path(path)
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise DocumentError(
            f"unsupported file type {suffix or '(none)'!r} (supported: {supported})"
        )
    try:
        size = path.stat().st_size
    except OSError as error:
        raise DocumentError(f"cannot read file: {_short(error)}") from error
    if not path.is_file():
        raise DocumentError("not a regular file")
    if size == 0:
        raise DocumentError("empty file (0 bytes)")
    try:
        return reader(path, limits or LimitSettings())
    except OSError as error:
        raise DocumentError(f"cannot read file: {_short(error)}") from error
