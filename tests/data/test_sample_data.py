"""The bundled sample data (data/sample) keeps the promises its README makes."""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from collections import defaultdict
from difflib import SequenceMatcher
from pathlib import Path
from types import ModuleType

import docx
import pandas as pd
import pypdf
import pytest
from bs4 import BeautifulSoup

from matcher.schema import DESCRIPTION, JOB_ID, RESUME_ID, TITLE

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
RESUMES = SAMPLE / "resumes"
SOURCES = SAMPLE / "sources"
GENERATOR = ROOT / "scripts" / "make_sample_documents.py"

JOB_COLUMNS = [JOB_ID, TITLE, DESCRIPTION, "location", "department"]
MOJIBAKE = re.compile(r"â€[¢“”™œ\x9d]|Ã[©¨¡³±]")
FICTIONAL_EMAIL = re.compile(r"[\w.+-]+@example\.(?:com|org)\b")
FICTIONAL_PHONE = re.compile(r"555[-.]01\d\d|\(555\) 01\d\d")
BULLET_GLYPHS = {"•", "-"}


def _words(text: str) -> list[str]:
    """Whitespace-normalised tokens, without lone bullet glyphs."""
    return [token for token in text.split() if token not in BULLET_GLYPHS]


def _source_text(path: Path) -> str:
    """The visible text of a generator source: markup stripped, nothing else changed."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(re.sub(r"^\s*(?:#{1,3} |- )", "", line) for line in lines)


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def _docx_text(path: Path) -> str:
    return "\n".join(paragraph.text for paragraph in docx.Document(str(path)).paragraphs)


def _resume_text(path: Path) -> str:
    if path.suffix == ".pdf":
        return _pdf_text(path)
    if path.suffix == ".docx":
        return _docx_text(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        return BeautifulSoup(text, "html.parser").get_text("\n")
    return text


def _pdf_is_readable(path: Path) -> bool:
    try:
        return bool(_pdf_text(path).strip())
    except Exception:  # any failure to parse is what "unreadable" means here
        return False


@pytest.fixture(scope="module")
def jobs() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "jobs.csv", dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def resume_files() -> list[Path]:
    return sorted(p for p in RESUMES.iterdir() if p.is_file())


@pytest.fixture(scope="module")
def qrels() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "qrels.csv", dtype={JOB_ID: str, RESUME_ID: str})


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_sample_documents", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module


# --- postings ------------------------------------------------------------------------------


def test_jobs_csv_has_the_promised_columns_and_unique_ids(jobs: pd.DataFrame) -> None:
    assert list(jobs.columns) == JOB_COLUMNS
    assert len(jobs) >= 18
    assert jobs[JOB_ID].is_unique
    assert jobs[JOB_ID].str.fullmatch(r"J-\d{4}").all()
    assert jobs[TITLE].str.strip().ne("").all()


def test_jobs_csv_is_strict_rfc4180(jobs: pd.DataFrame) -> None:
    with (SAMPLE / "jobs.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, strict=True))
    assert all(len(row) == len(JOB_COLUMNS) for row in rows)
    assert len(rows) == len(jobs) + 1


def test_exactly_one_posting_has_an_empty_description(jobs: pd.DataFrame) -> None:
    empty = jobs[jobs[DESCRIPTION].str.strip() == ""]
    assert list(empty[JOB_ID]) == ["J-1020"]


def test_usable_descriptions_are_120_to_400_words(jobs: pd.DataFrame) -> None:
    usable = jobs[jobs[DESCRIPTION].str.strip() != ""]
    counts = usable[DESCRIPTION].str.split().str.len()
    out_of_range = usable.loc[~counts.between(120, 400), JOB_ID].tolist()
    assert out_of_range == []


def test_descriptions_state_years_degree_and_sections(jobs: pd.DataFrame) -> None:
    usable = jobs[jobs[DESCRIPTION].str.strip() != ""]
    years = re.compile(r"\d+\+? years|\d+-\d+ years|at least \d+ years?|\d+ years? of", re.I)
    degree = re.compile(r"bachelor|\bBSN?\b|associate|\bMSc\b|diploma|\bGED\b|degree", re.I)
    heading = re.compile(r"requirements|required|must have|what we need", re.I)
    for job_id, text in zip(usable[JOB_ID], usable[DESCRIPTION], strict=True):
        assert years.search(text), f"{job_id}: no minimum years"
        assert degree.search(text), f"{job_id}: no degree or diploma"
        assert heading.search(text), f"{job_id}: no requirements section"


def test_postings_span_many_occupations_with_junior_and_senior_pairs(
    jobs: pd.DataFrame,
) -> None:
    usable = jobs[jobs[DESCRIPTION].str.strip() != ""]
    assert usable["department"].nunique() >= 8
    assert usable[TITLE].nunique() == len(usable)
    junior = usable[TITLE].str.contains(r"Junior|New Graduate|Apprentice|Staff|Assistant")
    senior = usable[TITLE].str.contains(r"Senior|Experienced|Journeyman|CPA|Litigation Paralegal")
    assert junior.sum() >= 4
    assert senior.sum() >= 4


def test_postings_carry_html_and_mojibake(jobs: pd.DataFrame) -> None:
    html = jobs[jobs[DESCRIPTION].str.contains(r"<ul>\s*<li>", regex=True)]
    assert len(html) == 1
    assert html[DESCRIPTION].str.contains("&amp;").all()
    assert html[DESCRIPTION].str.contains("<p>").all()
    mojibake = jobs[jobs[DESCRIPTION].str.contains(MOJIBAKE, regex=True)]
    assert len(mojibake) == 1


# --- resumes -------------------------------------------------------------------------------


def test_resume_counts_and_formats(resume_files: list[Path]) -> None:
    assert len(resume_files) >= 64
    by_suffix: dict[str, int] = defaultdict(int)
    for path in resume_files:
        by_suffix[path.suffix] += 1
    assert set(by_suffix) == {".txt", ".md", ".html", ".pdf", ".docx"}
    for suffix in (".pdf", ".docx", ".html", ".md"):
        assert by_suffix[suffix] >= 6, suffix


def test_resume_ids_are_unique_across_formats(resume_files: list[Path]) -> None:
    stems = [path.stem for path in resume_files]
    assert len(stems) == len(set(stems))


def test_readable_resumes_have_fictional_contact_details(resume_files: list[Path]) -> None:
    readable = [
        p for p in resume_files if p.stat().st_size and (p.suffix != ".pdf" or _pdf_is_readable(p))
    ]
    for path in readable:
        text = _resume_text(path)
        emails = FICTIONAL_EMAIL.findall(text)
        assert emails, f"{path.name}: no example.com/example.org e-mail"
        assert all(re.search(r"@example\.(com|org)", e) for e in emails)
        assert FICTIONAL_PHONE.search(text), f"{path.name}: no 555-01xx phone number"
        assert re.search(r"(?i)education", text), f"{path.name}: no education section"


def test_exactly_one_resume_is_empty(resume_files: list[Path]) -> None:
    empty = [path.name for path in resume_files if path.stat().st_size == 0]
    assert empty == ["r-0066-jordan-taylor.txt"]


def test_exactly_one_pdf_is_corrupt(resume_files: list[Path]) -> None:
    unreadable = [p.name for p in resume_files if p.suffix == ".pdf" and not _pdf_is_readable(p)]
    assert unreadable == ["r-0067-tomasz-nowak.pdf"]
    assert (RESUMES / "r-0067-tomasz-nowak.pdf").read_bytes().startswith(b"%PDF-")


def test_formula_name_line_and_formula_stem_exist(resume_files: list[Path]) -> None:
    first_lines = {
        path.name: path.read_text(encoding="utf-8").lstrip().splitlines()[0]
        for path in resume_files
        if path.suffix in {".txt", ".md"} and path.stat().st_size
    }
    assert [name for name, line in first_lines.items() if line.startswith("=")] == [
        "r-0053-jordan-smith.txt"
    ]
    assert [p.name for p in resume_files if p.stem[0] in "=+@"] == ["=2+5-jamal-carter.txt"]


def test_one_resume_is_long_enough_to_need_chunking(resume_files: list[Path]) -> None:
    long = [
        p.name
        for p in resume_files
        if p.suffix in {".txt", ".md"} and len(p.read_text(encoding="utf-8").split()) > 1500
    ]
    assert long == ["r-0012-elena-petrova.txt"]


def test_resumes_carry_mojibake_html_and_whitespace_mess(resume_files: list[Path]) -> None:
    texts = {
        p.name: p.read_text(encoding="utf-8")
        for p in resume_files
        if p.suffix in {".txt", ".md"} and p.stat().st_size
    }
    mojibake = [name for name, text in texts.items() if MOJIBAKE.search(text)]
    assert len(mojibake) >= 2
    html_in_txt = [n for n, t in texts.items() if n.endswith(".txt") and re.search(r"<b>|<li>", t)]
    assert html_in_txt == ["r-0016-ryan-oconnor.txt"]
    messy = texts["r-0049-stephanie-cruz.txt"]
    assert "\t" in messy
    assert re.search(r"[ \t]+\n", messy)
    assert "\n\n\n\n" in messy


def test_resumes_use_many_bullet_styles(resume_files: list[Path]) -> None:
    text = "\n".join(
        p.read_text(encoding="utf-8") for p in resume_files if p.suffix in {".txt", ".md"}
    )
    for pattern in (r"^• ", r"^● ", r"^▪ ", r"^- ", r"^\* ", r"^– ", r"^\d\. "):
        assert re.search(pattern, text, re.MULTILINE), pattern


def test_resumes_use_varied_date_formats(resume_files: list[Path]) -> None:
    text = "\n".join(
        _resume_text(p) for p in resume_files if p.suffix != ".pdf" and p.stat().st_size
    )
    patterns = [
        r"[A-Z][a-z]{2} \d{4} – Present",
        r"\d{2}/\d{4} - \d{2}/\d{4}",
        r"\b\d{4}-\d{4}\b",
        r"[A-Z][a-z]+ \d{4} to [A-Z][a-z]{2,4} \d{4}",
    ]
    for pattern in patterns:
        assert re.search(pattern, text), pattern


def test_exact_duplicate_pair_has_identical_bytes() -> None:
    original = RESUMES / "r-0044-nathan-cole.txt"
    duplicate = RESUMES / "r-0064-nathan-cole-resume.md"
    assert original.read_bytes() == duplicate.read_bytes()
    assert original.suffix != duplicate.suffix


def test_near_duplicate_pair_is_close_but_not_identical() -> None:
    original = (RESUMES / "r-0006-arjun-mehta.txt").read_text(encoding="utf-8")
    near = (RESUMES / "r-0065-arjun-mehta-updated.txt").read_text(encoding="utf-8")
    assert original != near
    ratio = SequenceMatcher(None, _words(original), _words(near)).ratio()
    assert 0.9 < ratio < 1.0


# --- generated documents -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_every_source_has_its_document_and_back(kind: str) -> None:
    sources = {p.stem for p in (SOURCES / kind).glob("*.txt")}
    documents = {p.stem for p in RESUMES.glob(f"*.{kind}")} - {"r-0067-tomasz-nowak"}
    assert len(sources) >= 6
    assert sources == documents


@pytest.mark.parametrize("source", sorted((SOURCES / "pdf").glob("*.txt")), ids=lambda p: p.stem)
def test_pdf_text_matches_its_source(source: Path) -> None:
    pdf = RESUMES / f"{source.stem}.pdf"
    assert _words(_pdf_text(pdf)) == _words(_source_text(source))


@pytest.mark.parametrize("source", sorted((SOURCES / "docx").glob("*.txt")), ids=lambda p: p.stem)
def test_docx_text_and_structure_match_its_source(source: Path) -> None:
    path = RESUMES / f"{source.stem}.docx"
    assert _words(_docx_text(path)) == _words(_source_text(source))
    styles = [paragraph.style.name for paragraph in docx.Document(str(path)).paragraphs]
    assert styles[0] == "Title"
    assert "Heading 1" in styles
    bullets = sum(1 for line in source.read_text(encoding="utf-8").splitlines() if line[:2] == "- ")
    assert styles.count("List Bullet") == bullets


def test_generator_output_is_deterministic(generator: ModuleType, tmp_path: Path) -> None:
    # Three sources of each kind keep this fast; the layout code is the same for all of them.
    for kind in ("pdf", "docx"):
        (tmp_path / "src" / kind).mkdir(parents=True)
        for source in sorted((SOURCES / kind).glob("*.txt"))[:3]:
            (tmp_path / "src" / kind / source.name).write_bytes(source.read_bytes())
    first = generator.build_documents(tmp_path / "src", tmp_path / "first")
    second = generator.build_documents(tmp_path / "src", tmp_path / "second")
    assert len(first) == 7
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert (tmp_path / "first" / "r-0067-tomasz-nowak.pdf").read_bytes() == (
        RESUMES / "r-0067-tomasz-nowak.pdf"
    ).read_bytes()


def test_generator_names_the_source_with_an_unprintable_character(
    generator: ModuleType, tmp_path: Path
) -> None:
    (tmp_path / "pdf").mkdir()
    bad = tmp_path / "pdf" / "r-9999-test.txt"
    bad.write_text("# Ann Lee\nann@example.com\n## Skills\n- 日本語\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"r-9999-test\.txt.*U\+65E5"):
        generator.build_documents(tmp_path, tmp_path / "out")


def test_generator_rejects_a_source_without_a_name_line(
    generator: ModuleType, tmp_path: Path
) -> None:
    (tmp_path / "docx").mkdir()
    (tmp_path / "docx" / "r-9998-test.txt").write_text("## Skills\n- SQL\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"r-9998-test\.txt.*'# Name'"):
        generator.build_documents(tmp_path, tmp_path / "out")


# --- qrels ---------------------------------------------------------------------------------


def test_qrels_shape_and_values(qrels: pd.DataFrame) -> None:
    assert list(qrels.columns) == [JOB_ID, RESUME_ID, "relevance"]
    assert set(qrels["relevance"]) <= {1, 2}
    assert not qrels.duplicated([JOB_ID, RESUME_ID]).any()


def test_every_qrels_id_exists(
    qrels: pd.DataFrame, jobs: pd.DataFrame, resume_files: list[Path]
) -> None:
    usable_jobs = set(jobs.loc[jobs[DESCRIPTION].str.strip() != "", JOB_ID])
    assert set(qrels[JOB_ID]) <= usable_jobs
    readable = {
        p.stem
        for p in resume_files
        if p.stat().st_size and (p.suffix != ".pdf" or _pdf_is_readable(p))
    }
    assert set(qrels[RESUME_ID]) <= readable


def test_each_posting_has_strong_and_partial_candidates(
    qrels: pd.DataFrame, jobs: pd.DataFrame
) -> None:
    usable_jobs = jobs.loc[jobs[DESCRIPTION].str.strip() != "", JOB_ID]
    for job_id in usable_jobs:
        judged = qrels[qrels[JOB_ID] == job_id]
        strong = int((judged["relevance"] == 2).sum())
        assert 2 <= strong <= 4, f"{job_id}: {strong} strong candidates"
        assert (judged["relevance"] == 1).any(), f"{job_id}: no partial candidate"


def test_some_resumes_are_unrelated_to_every_posting(
    qrels: pd.DataFrame, resume_files: list[Path]
) -> None:
    judged = set(qrels[RESUME_ID])
    unjudged = {p.stem for p in resume_files if p.stat().st_size} - judged
    assert len(unjudged - {"r-0067-tomasz-nowak"}) >= 4


def test_duplicates_are_judged_like_their_originals(qrels: pd.DataFrame) -> None:
    def judgments(resume_id: str) -> dict[str, int]:
        rows = qrels[qrels[RESUME_ID] == resume_id]
        return dict(zip(rows[JOB_ID], rows["relevance"], strict=True))

    assert judgments("r-0064-nathan-cole-resume") == judgments("r-0044-nathan-cole")
    assert judgments("r-0065-arjun-mehta-updated") == judgments("r-0006-arjun-mehta")
    assert judgments("r-0044-nathan-cole")
