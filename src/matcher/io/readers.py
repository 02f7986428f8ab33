"""Read the raw text of one document file (.txt, .md, .pdf, .docx, .html, .htm).

Plain-text files are decoded as UTF-8 (with or without a byte-order mark), UTF-16 when a UTF-16
byte-order mark is present, and otherwise as Windows-1252, with a logged warning. HTML files are
converted to text lines. PDF text comes from pypdf, DOCX text from python-docx (header,
paragraphs and tables in document order, list paragraphs as ``"- "`` bullets).

Every way a file can be unreadable raises :class:`DocumentError` with a short reason that the
loaders put in the rejects table.
"""

from __future__ import annotations

import codecs
import logging
from pathlib import Path

from matcher.text.cleaning import html_to_text

__all__ = ["SUPPORTED_SUFFIXES", "DocumentError", "decode_bytes", "read_document"]

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".pdf", ".docx", ".html", ".htm"})

# Share of control characters above which decoded bytes are taken for a binary file.
_MAX_CONTROL_SHARE = 0.01


class DocumentError(Exception):
    """A document cannot be read; the message says why (e.g. ``"corrupt or unreadable PDF"``)."""


def _short(error: BaseException) -> str:
    message = " ".join(str(error).split()) or type(error).__name__
    return message if len(message) <= 160 else message[:157] + "..."


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    controls = sum(1 for char in text if ord(char) < 32 and char not in "\t\n\r\f\v")
    return controls > _MAX_CONTROL_SHARE * len(text)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode the bytes of a text file, trying UTF-8 first.

    The order is: UTF-16 if the data starts with a UTF-16 byte-order mark; UTF-8 with an
    optional byte-order mark (``utf-8-sig``, which accepts everything plain UTF-8 accepts);
    Windows-1252 (``cp1252``), the usual encoding of text saved by older Windows tools.

    Args:
        data: The raw bytes.

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
        if _looks_binary(text):
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


def _read_html(path: Path) -> str:
    return html_to_text(_read_text_file(path))


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError("encrypted PDF (needs a password)")
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except Exception as error:  # pypdf raises many types for broken files
        raise DocumentError(f"corrupt or unreadable PDF: {_short(error)}") from error
    if not pages:
        raise DocumentError("PDF has no pages")
    text = "\n\n".join(pages)
    if not text.strip():
        raise DocumentError("PDF has no extractable text (scanned image?)")
    return text


def _is_list_paragraph(paragraph: object) -> bool:
    style = getattr(paragraph, "style", None)
    style_name = (getattr(style, "name", "") or "").lower()
    if style_name.startswith("list"):
        return True
    properties = paragraph._p.pPr  # type: ignore[attr-defined]
    return properties is not None and properties.numPr is not None


def _docx_lines(block: object) -> list[str]:
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
    if text.strip() and _is_list_paragraph(block):
        return [f"- {text.strip()}"]
    return [text]


def _read_docx(path: Path) -> str:
    import docx

    try:
        document = docx.Document(str(path))
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
            lines.extend(_docx_lines(block))
    except Exception as error:  # zipfile, lxml and python-docx errors for broken files
        raise DocumentError(f"corrupt or unreadable DOCX: {_short(error)}") from error
    return "\n".join(lines)


_READERS = {
    ".txt": _read_text_file,
    ".md": _read_text_file,
    ".html": _read_html,
    ".htm": _read_html,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
}


def read_document(path: Path) -> str:
    """Return the raw text of one document.

    Args:
        path: A file whose suffix (case-insensitive) is in :data:`SUPPORTED_SUFFIXES`.

    Returns:
        The text as found in the file (HTML already turned into text lines); not yet cleaned.

    Raises:
        DocumentError: If the file is missing, empty (0 bytes), of an unsupported type,
            undecodable, binary, a corrupt or encrypted PDF/DOCX, or a PDF without text.

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
        return reader(path)
    except OSError as error:
        raise DocumentError(f"cannot read file: {_short(error)}") from error
