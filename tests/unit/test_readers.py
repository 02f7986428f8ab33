"""read_document on real files of every supported type, and on every way a file can be bad."""

from __future__ import annotations

import logging
import os
import zipfile
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from matcher.io.readers import SUPPORTED_SUFFIXES, DocumentError, decode_bytes, read_document
from matcher.settings import LimitSettings


def make_pdf(path: Path, lines: list[str]) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in lines:
        pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def make_docx(path: Path, title: str, bullets: list[str], header: str | None = None) -> Path:
    document = docx.Document()
    if header is not None:
        document.sections[0].header.paragraphs[0].text = header
    document.add_heading(title, level=1)
    document.add_paragraph("Skills")
    for bullet in bullets:
        document.add_paragraph(bullet, style="List Bullet")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Python"
    table.rows[0].cells[1].text = "5 years"
    document.save(str(path))
    return path


def test_supported_suffixes() -> None:
    assert {".txt", ".md", ".pdf", ".docx", ".html", ".htm"} == SUPPORTED_SUFFIXES


# --- text files -------------------------------------------------------------------------------


def test_utf8_text(tmp_path: Path) -> None:
    path = tmp_path / "cv.txt"
    path.write_text("Chloé Martin\n• Python\n", encoding="utf-8")
    assert read_document(path) == "Chloé Martin\n• Python\n"


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "cv.md"
    path.write_bytes(b"\xef\xbb\xbf# Jane Doe\n")
    assert read_document(path) == "# Jane Doe\n"


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "cv.txt"
    path.write_bytes("Jörg Weiß\nPython".encode("utf-16"))
    assert read_document(path) == "Jörg Weiß\nPython"


def test_cp1252_fallback_is_decoded_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes("José – “quoted” • Python".encode("cp1252"))
    with caplog.at_level(logging.WARNING, logger="matcher.io.readers"):
        text = read_document(path)
    assert text == "José – “quoted” • Python"
    assert "legacy.txt: not valid UTF-8, decoded as cp1252" in caplog.text


def test_undecodable_bytes(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    # 0x81 and 0x8d are invalid UTF-8 here and undefined in cp1252.
    path.write_bytes(b"Python \x81\x8d developer")
    with pytest.raises(DocumentError, match=r"undecodable bytes.*0x81 at offset 7"):
        read_document(path)


def test_binary_file_with_text_suffix(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    with pytest.raises(DocumentError, match="binary content"):
        read_document(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(DocumentError, match=r"empty file \(0 bytes\)"):
        read_document(path)


def test_whitespace_only_file_is_read_as_is(tmp_path: Path) -> None:
    # Not a read error: the loaders reject it as empty text.
    path = tmp_path / "blank.txt"
    path.write_text("  \n\t\n")
    assert read_document(path) == "  \n\t\n"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="cannot read file"):
        read_document(tmp_path / "nope.txt")


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "cv.rtf"
    path.write_text("{\\rtf1 hello}")
    with pytest.raises(DocumentError, match=r"unsupported file type '\.rtf'"):
        read_document(path)


def test_suffix_is_case_insensitive(tmp_path: Path) -> None:
    path = tmp_path / "CV.TXT"
    path.write_text("Jane Doe")
    assert read_document(path) == "Jane Doe"


# --- HTML -------------------------------------------------------------------------------------


def test_html_file_becomes_text(tmp_path: Path) -> None:
    path = tmp_path / "cv.htm"
    path.write_text(
        "<html><head><title>CV</title></head><body><h1>Jane Doe</h1>"
        "<ul><li>Python</li><li>SQL</li></ul></body></html>"
    )
    assert read_document(path) == "Jane Doe\n\n- Python\n- SQL"


# --- PDF --------------------------------------------------------------------------------------


def test_pdf_text_is_extracted(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "cv.pdf", ["Jane Doe", "Skills: Python, SQL", "Acme 2019 - 2021"])
    text = read_document(path)
    assert [line.strip() for line in text.splitlines()] == [
        "Jane Doe",
        "Skills: Python, SQL",
        "Acme 2019 - 2021",
    ]


def test_corrupt_pdf(tmp_path: Path) -> None:
    good = make_pdf(tmp_path / "good.pdf", ["Jane Doe"]).read_bytes()
    path = tmp_path / "broken.pdf"
    path.write_bytes(good[:200] + b"\x00garbage" * 20)
    with pytest.raises(DocumentError, match="corrupt or unreadable PDF"):
        read_document(path)


def test_text_file_named_pdf(tmp_path: Path) -> None:
    path = tmp_path / "fake.pdf"
    path.write_text("I am not a PDF")
    with pytest.raises(DocumentError, match="corrupt or unreadable PDF"):
        read_document(path)


def test_pdf_without_text(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50)  # a drawing, like a scanned page: nothing to extract
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    with pytest.raises(DocumentError, match="no extractable text"):
        read_document(path)


# --- DOCX -------------------------------------------------------------------------------------


def test_docx_paragraphs_lists_tables_and_header(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "cv.docx", "Jane Doe", ["Python", "SQL"], header="jane@example.com")
    assert read_document(path).splitlines() == [
        "jane@example.com",
        "Jane Doe",
        "Skills",
        "- Python",
        "- SQL",
        "Python | 5 years",
    ]


def test_corrupt_docx(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip file")
    with pytest.raises(DocumentError, match="corrupt or unreadable DOCX"):
        read_document(path)


def test_truncated_docx(tmp_path: Path) -> None:
    good = make_docx(tmp_path / "good.docx", "Jane", ["Python"]).read_bytes()
    path = tmp_path / "truncated.docx"
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(DocumentError, match="corrupt or unreadable DOCX"):
        read_document(path)


# --- decode_bytes -----------------------------------------------------------------------------


def test_decode_bytes_names_the_encoding() -> None:
    assert decode_bytes("naïve".encode()) == ("naïve", "utf-8-sig")
    assert decode_bytes("naïve".encode("cp1252")) == ("naïve", "cp1252")


# --- limits: decompression bombs, pages, paragraphs (generated here, never committed) --------


def _add_zip_member(path: Path, name: str, data: bytes) -> Path:
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return path


def _docx_with_body(path: Path, body_xml: str) -> Path:
    """A valid DOCX whose document body is ``body_xml`` (raw WordprocessingML)."""
    make_docx(tmp := path.with_suffix(".base.docx"), "Jane", ["Python"])
    with zipfile.ZipFile(tmp) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "word/document.xml":
                text = data.decode()
                start = text.index("<w:body>") + len("<w:body>")
                data = (text[:start] + body_xml + text[text.index("<w:sectPr", start) :]).encode()
            out.writestr(member, data)
    tmp.unlink()
    return path


def test_docx_bomb_by_ratio_is_rejected_before_inflating(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "bomb.docx", "Jane Doe", ["Python"])
    _add_zip_member(path, "word/media/padding.bin", bytes(20_000_000))
    with pytest.raises(DocumentError, match=r"limits\.max_compression_ratio \(100\)"):
        read_document(path)


def test_docx_bomb_by_size_is_rejected(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "big.docx", "Jane Doe", ["Python"])
    _add_zip_member(path, "word/media/photo.bin", os.urandom(1_500_000))  # barely compresses
    limits = LimitSettings(max_expanded_bytes=1_000_000)
    with pytest.raises(DocumentError, match=r"more than limits\.max_expanded_bytes \(1,000,000\)"):
        read_document(path, limits)
    assert "Jane Doe" in read_document(path)  # within the default limits


def test_docx_with_too_many_paragraphs_is_rejected(tmp_path: Path) -> None:
    path = _docx_with_body(tmp_path / "empty-paragraphs.docx", "<w:p/>" * 300_000)
    with pytest.raises(DocumentError, match=r"more than limits\.max_paragraphs \(20,000\)"):
        read_document(path)


def test_docx_paragraph_limit_counts_table_paragraphs_too(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "cv.docx", "Jane Doe", ["Python", "SQL"])
    # Heading, "Skills", two bullets and the two table cells' paragraphs: six.
    assert read_document(path, LimitSettings(max_paragraphs=6)).startswith("Jane Doe")
    with pytest.raises(DocumentError, match="max_paragraphs"):
        read_document(path, LimitSettings(max_paragraphs=5))


def test_pdf_with_too_many_pages_is_rejected(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for number in range(4):
        pdf.add_page()
        pdf.cell(0, 10, f"Page {number + 1} of a long resume")
    pdf.output(str(path := tmp_path / "long.pdf"))
    assert "Page 4" in read_document(path, LimitSettings(max_pages=4))
    with pytest.raises(DocumentError, match=r"PDF has 4 pages, more than limits\.max_pages \(3\)"):
        read_document(path, LimitSettings(max_pages=3))


def _pdf_with_padding(path: Path, padding: list[int]) -> Path:
    """A resume PDF whose pages' contents end with ``padding[i]`` spaces (deflated)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject

    writer = PdfWriter(clone_from=make_pdf(path.with_suffix(".base.pdf"), ["Jane Doe", "Python"]))
    text = writer.pages[0].get_contents().get_data()
    while len(writer.pages) < len(padding):
        writer.add_page(writer.pages[0])  # the same page again, with its own contents below
    for page, spaces in zip(writer.pages, padding, strict=True):
        stream = DecodedStreamObject()
        stream.set_data(text + b" " * spaces)
        page.replace_contents(stream.flate_encode())
    writer.write(path)
    return path


def test_pdf_stream_that_inflates_too_far_is_rejected(tmp_path: Path) -> None:
    path = _pdf_with_padding(tmp_path / "bomb.pdf", [3_000_000])
    assert path.stat().st_size < 20_000
    limits = LimitSettings(max_expanded_bytes=1_000_000, max_compression_ratio=10_000)
    with pytest.raises(DocumentError, match=r"beyond limits\.max_expanded_bytes \(1,000,000"):
        read_document(path, limits)
    # Within both bounds it reads: 3 MB from some 10 KB is a ratio of some 300.
    assert "Jane Doe" in read_document(path, LimitSettings(max_compression_ratio=1_000))


def test_pdf_bomb_by_ratio_is_rejected_with_the_default_limits(tmp_path: Path) -> None:
    path = _pdf_with_padding(tmp_path / "bomb.pdf", [20_000_000])  # 20 MB < max_expanded_bytes
    size = path.stat().st_size
    assert size < 100_000
    with pytest.raises(DocumentError, match=rf"max_compression_ratio \(100\) times .* {size:,} b"):
        read_document(path)


def test_pdf_pages_that_add_up_beyond_the_bound_are_rejected(tmp_path: Path) -> None:
    # Each page's stream inflates to 600 kB, under the bound of 1 MB; the three add up beyond.
    path = _pdf_with_padding(tmp_path / "pages.pdf", [600_000] * 3)
    limits = LimitSettings(max_expanded_bytes=1_000_000, max_compression_ratio=10_000)
    with pytest.raises(DocumentError, match=r"page contents expand beyond .*1,000,000.* page 2"):
        read_document(path, limits)
    two_pages = _pdf_with_padding(tmp_path / "two.pdf", [600_000, 0])
    assert read_document(two_pages, limits).count("Jane Doe") == 2


def test_deeply_nested_html_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "nested.html"
    path.write_text("<div>" * 5_000 + "<p>Jane Doe</p><ul><li>Python</li></ul>" + "</div>" * 5_000)
    assert read_document(path) == "Jane Doe Python"  # beyond limits.max_html_depth: run together
    assert read_document(path, LimitSettings(max_html_depth=10_000)) == "Jane Doe\n\n- Python"
