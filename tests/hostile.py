"""A corpus of hostile inputs, generated at test time (nothing of it is committed).

Each input is something a scheduled batch may receive from the outside world: HTML nested
thousands of levels deep, decompression bombs dressed as DOCX files, a DOCX of nearly a million
empty paragraphs, a PDF of thousands of pages, one-line megabyte texts, NUL bytes and control
characters in IDs, IDs longer than a file name may be, and formula-like IDs. A run over the corpus
must finish and account for every record: ranked, duplicate or rejected with a reason.
"""

from __future__ import annotations

import csv
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from matcher.testing import shuffled_text
from tests.conftest import SAMPLE

#: Deeper than Python's default recursion limit (1000), as found in the adversarial pass.
NESTING_DEPTH = 5000
#: Size of the one-line texts, in bytes.
ONE_LINE_BYTES = 2_000_000

# Some words end a sentence, so that one-line texts have sentence punctuation.
_VOCABULARY = (
    "python sql spark airflow kubernetes docker. nursing icu patient care. budget forecasting "
    "excel tableau customer service. sales leadership mentoring agile scrum. java react "
    "accounting payroll logistics. warehouse forklift safety compliance audit. marketing seo "
    "analytics statistics. research writing editing teaching curriculum. welding electrical."
)
_WORDS = tuple(_VOCABULARY.split())


def one_line_text(size: int, seed: int = 0) -> str:
    """Words on a single line, at most ``size`` characters, with sentence punctuation."""
    return shuffled_text(_WORDS, size, seed)


@dataclass
class HostileCorpus:
    """Where the corpus lies, and which records it holds."""

    jobs: Path
    resumes: Path
    #: Resume IDs (file stems) and job IDs, exactly as written.
    resume_ids: list[str] = field(default_factory=list)
    job_ids: list[str] = field(default_factory=list)


def nested_html(depth: int = NESTING_DEPTH, inner: str = "Python and SQL developer") -> str:
    """A page whose text sits ``depth`` levels deep in ``<div>`` and ``<b>`` elements."""
    opening = "".join("<div>" if i % 2 else "<b>" for i in range(depth))
    closing = "".join("</div>" if i % 2 else "</b>" for i in reversed(range(depth)))
    return f"<html><body><p>Experience</p>{opening}{inner}{closing}</body></html>"


_DOCX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
    ),
}


_DOCX_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
)
_DOCX_TAIL = "</w:body></w:document>"


def write_docx(path: Path, body_chunk: str, repeats: int) -> Path:
    """A minimal DOCX whose body is ``body_chunk`` repeated, streamed so memory stays small."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, text in _DOCX_PARTS.items():
            zf.writestr(name, text)
        with zf.open("word/document.xml", "w", force_zip64=True) as handle:
            handle.write(_DOCX_HEAD.encode())
            block = body_chunk.encode() * 10_000
            whole, rest = divmod(repeats, 10_000)
            for _ in range(whole):
                handle.write(block)
            handle.write(body_chunk.encode() * rest)
            handle.write(_DOCX_TAIL.encode())
    return path


def docx_bomb(path: Path, expanded_mb: int = 200) -> Path:
    """A DOCX of a few hundred KB that expands to ``expanded_mb`` MB of text."""
    chunk = "<w:p><w:r><w:t>" + "A" * 1000 + "</w:t></w:r></w:p>"
    return write_docx(path, chunk, expanded_mb * 1_000_000 // len(chunk))


def docx_empty_paragraphs(path: Path, count: int = 925_000) -> Path:
    """A small DOCX of ``count`` empty paragraphs."""
    return write_docx(path, "<w:p/>", count)


def many_page_pdf(path: Path, pages: int = 3000) -> Path:
    """A PDF of ``pages`` pages, each with one short line."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    for page in range(pages):
        pdf.add_page()
        pdf.cell(text=f"Page {page}: Python and SQL")
    pdf.output(str(path))
    return path


def build_hostile_corpus(root: Path) -> HostileCorpus:
    """Write the corpus under ``root``: ``jobs.csv`` and a ``resumes/`` folder."""
    resumes = root / "resumes"
    resumes.mkdir(parents=True)
    corpus = HostileCorpus(jobs=root / "jobs.csv", resumes=resumes)

    # Ordinary resumes, so that the hostile ones have company to be ranked with.
    for source in sorted((SAMPLE / "resumes").glob("r-000[1-6]-*")):
        shutil.copy(source, resumes / source.name)

    (resumes / "nested-html.html").write_text(nested_html(), encoding="utf-8")
    (resumes / "one-line-megabytes.txt").write_text(one_line_text(ONE_LINE_BYTES), "utf-8")
    (resumes / "nul-bytes.txt").write_bytes(b"Python developer\x00\x00 with SQL\x00")
    docx_bomb(resumes / "docx-bomb.docx")
    docx_empty_paragraphs(resumes / "empty-paragraphs.docx")
    many_page_pdf(resumes / "many-pages.pdf")
    long_stem = "r-" + "long" * 60  # 242 characters: with ".txt", near the 255-byte name limit
    # Odd file names carry ordinary sample resumes (not copied above), so only the name is hostile.
    sources = ("r-0011-marcus-bell.txt", "r-0012-elena-petrova.txt", "r-0016-ryan-oconnor.txt")
    for stem, source in zip(
        (long_stem, "=cmd|' calc'!A0", "résumé ünïcode 简历"), sources, strict=True
    ):
        shutil.copy(SAMPLE / "resumes" / source, resumes / f"{stem}.txt")
    corpus.resume_ids = sorted(p.stem for p in resumes.iterdir())

    with open(SAMPLE / "jobs.csv", newline="", encoding="utf-8") as handle:
        sample_jobs = list(csv.DictReader(handle))[:3]
    description = sample_jobs[0]["description"]
    rows = [
        {"job_id": job["job_id"], "title": job["title"], "description": job["description"]}
        for job in sample_jobs
    ]
    rows += [
        {"job_id": "J-NESTED", "title": "Data engineer", "description": nested_html()},
        {"job_id": "J-ONE-LINE", "title": "Analyst", "description": one_line_text(1_000_000, 1)},
        {"job_id": "J-" + "X" * 240, "title": "Long ID", "description": description},
        {"job_id": "J-NUL\x00ID", "title": "NUL in the ID", "description": description},
        {"job_id": "J-BELL\x07", "title": "Control character", "description": description},
        {"job_id": "=1+1", "title": "Formula ID", "description": description},
        {"job_id": "../../etc/passwd", "title": "Path ID", "description": description},
        {"job_id": "J-NUL-TEXT", "title": "Nurse\x00", "description": "ICU\x00 nurse, ACLS."},
    ]
    with open(corpus.jobs, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["job_id", "title", "description"])
        writer.writeheader()
        writer.writerows(rows)
    corpus.job_ids = [row["job_id"] for row in rows]
    return corpus
