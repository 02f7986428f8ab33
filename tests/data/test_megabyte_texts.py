"""Five-megabyte one-line texts go through every text step and the real scoring flow.

Scraped resumes and postings are often one long line; a step that looks back over the whole
line for each match is quadratic there and would hang a batch (100 KB took minutes before the
text steps were made linear). These tests only ask that the work finishes with the right
result: how the cost grows with size is measured by ``benchmarks/bench_text_linearity.py``,
since timings have no place in assertions.

Slow (a few minutes): run with ``pytest -m slow``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from matcher.io.loading import load_postings, load_resumes
from matcher.parsing.profiles import posting_profile, resume_profile
from matcher.parsing.skills import SkillMatcher
from matcher.ranking.embedding import Embedder
from matcher.ranking.explain import explain_match, key_terms
from matcher.ranking.features import requirement_terms
from matcher.ranking.lexical import bm25_scores
from matcher.testing import shuffled_text
from matcher.text.boilerplate import strip_boilerplate
from matcher.text.cleaning import clean_text
from matcher.text.contact import extract_contact, redact
from matcher.text.dates import match_date_ranges
from matcher.text.dedup import find_duplicates
from tests.conftest import SAMPLE

pytestmark = pytest.mark.slow

SIZE = 5_000_000
# Planted in the middle of the texts, so that finding them shows a step read that far.
RESUME_MARKER = " Data Engineer at Northwind, 2015 - 2020 Proficient in Erlang and Fortran. "
POSTING_MARKER = " Requirements: Erlang and Fortran are required. "
END_EMAIL = " Contact: jane.doe@example.com"


def _sample_lines(kind: str) -> list[str]:
    if kind == "resume":
        texts = load_resumes(SAMPLE / "resumes").records["text"].tolist()
    else:
        texts = load_postings(SAMPLE / "jobs.csv").records["description"].tolist()
    return [line.strip() for text in texts for line in str(text).splitlines() if line.strip()]


def _planted(text: str, marker: str) -> str:
    middle = text.index(" ", len(text) // 2)
    return text[:middle] + marker + text[middle:]


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    return SkillMatcher()


def test_every_text_step_reads_a_five_megabyte_resume_to_its_end(matcher: SkillMatcher) -> None:
    raw = _planted(shuffled_text(_sample_lines("resume"), SIZE, seed=1), RESUME_MARKER) + END_EMAIL
    one_line = "\n" not in raw  # (not asserted directly: pytest would print 5 MB)
    assert one_line and len(raw) > SIZE * 0.99

    # The steps of prepare_resumes, called one by one: it may cut a long text short.
    clean = clean_text(raw)
    model_text = redact(clean, [extract_contact(clean).name])
    assert len(model_text) > SIZE * 0.9
    redacted_to_the_end = model_text.endswith("Contact: [EMAIL]")
    assert redacted_to_the_end

    profile = resume_profile("big", model_text, matcher)
    assert {"Erlang", "Fortran"} <= set(profile.skills)
    assert profile.experience.roles
    planted = model_text.index("Northwind, 2015 - 2020") + len("Northwind, ")
    assert planted in {match.start for match in match_date_ranges(model_text)}

    terms = ["erlang", "fortran", "zxqv"]
    explanation = explain_match(terms, clean)
    assert explanation.matched == ["erlang", "fortran"]
    evidence_is_the_planted_sentence = "Erlang and Fortran" in explanation.evidence
    assert evidence_is_the_planted_sentence
    scores = bm25_scores(["erlang fortran"], [model_text, "Nurse with ICU experience"])
    assert scores[0, 0] > scores[0, 1] == 0
    assert find_duplicates(["a", "b"], [model_text, model_text + " extra"])["match"].tolist() == [
        "near"
    ]


def test_every_text_step_reads_a_five_megabyte_posting_to_its_end(
    matcher: SkillMatcher,
) -> None:
    raw = _planted(shuffled_text(_sample_lines("posting"), SIZE, seed=2), POSTING_MARKER)
    text = clean_text(raw)
    assert len(text) > SIZE * 0.9
    assert len(strip_boilerplate(text)) > SIZE / 2

    profile = posting_profile("big", "Platform Engineer", text, matcher)
    assert {"Erlang", "Fortran"} <= set(profile.required_skills)
    assert profile.requirements_found > 0

    (terms,) = key_terms([text])
    assert terms
    coverage = requirement_terms(["Erlang Fortran"], [text, "Nurse with ICU experience"])
    assert coverage[0, 0] == 1.0 and coverage[0, 1] == 0.0


def _repeated_block(words: list[str], embedder: Embedder) -> str:
    """Words whose model tokens fill exactly one chunk, so a repeat of them embeds once."""
    budget = embedder.max_tokens - 2
    block: list[str] = []
    for word in words:
        if (
            len(embedder.tokenizer(" ".join([*block, word]), add_special_tokens=False)["input_ids"])
            > budget
        ):
            break
        block.append(word)
    while len(embedder.tokenizer(" ".join(block), add_special_tokens=False)["input_ids"]) < budget:
        block.append("work")  # one token
    return " ".join(block)


def _words(lines: list[str]) -> list[str]:
    # Letters only: no digits (phone numbers), "@" or links that redaction would rewrite.
    return [word for line in lines for word in re.findall(r"[A-Za-z]{2,}", line)]


@pytest.mark.usefixtures("prefect_server")
def test_the_scoring_flow_ranks_a_five_megabyte_resume_and_posting(
    tmp_path: Path, embedding_cache_dir: Path, embedder: Embedder
) -> None:
    from pipelines.batch_scoring import batch_scoring

    from matcher.settings import load_settings

    # The texts repeat one chunk's worth of words so that the model embeds a handful of
    # chunks: the flow's text steps still read all five megabytes.
    resume_block = _repeated_block(_words(_sample_lines("resume")), embedder)
    posting_block = _repeated_block(_words(_sample_lines("posting")), embedder)
    resume = " ".join([resume_block] * (SIZE // len(resume_block) + 1))
    posting = " ".join([posting_block] * (SIZE // len(posting_block) + 1))
    assert len(set(embedder.chunk_text(resume))) <= 2  # else this test would embed for hours

    resumes = tmp_path / "resumes"
    resumes.mkdir()
    (resumes / "big.txt").write_text(resume, encoding="utf-8")
    sample_ids = ["r-0001-maria-lopez", "r-0006-arjun-mehta", "r-0011-marcus-bell"]
    for stem in sample_ids:
        (resumes / f"{stem}.txt").write_bytes((SAMPLE / "resumes" / f"{stem}.txt").read_bytes())
    jobs = pd.read_csv(SAMPLE / "jobs.csv", dtype=str, keep_default_na=False).head(2)
    big = pd.DataFrame(
        {"job_id": ["big"], "title": ["Platform Engineer"], "description": [posting]}
    )
    pd.concat([jobs[["job_id", "title", "description"]], big]).to_csv(
        tmp_path / "jobs.csv", index=False
    )

    settings = load_settings(
        embedding={"cache_dir": embedding_cache_dir},
        index_dir=tmp_path / "index",
        mlflow_tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}",
        ranking={"top_k": 10},
    )
    out = tmp_path / "out"
    batch_scoring(tmp_path / "jobs.csv", resumes, out, settings)

    records = pd.read_csv(out / "records.csv", dtype=str, keep_default_na=False)
    assert set(records.loc[records["kind"] == "resume", "record_id"]) == {"big", *sample_ids}
    assert set(records.loc[records["kind"] == "posting", "record_id"]) == {
        *jobs["job_id"],
        "big",
    }
    shortlists = pd.read_csv(out / "shortlists.csv", dtype={"job_id": str, "resume_id": str})
    # every posting, the big one too, ranks every resume, the big one too
    assert shortlists.groupby("job_id")["resume_id"].apply(set).to_dict() == {
        job: {"big", *sample_ids} for job in [*jobs["job_id"], "big"]
    }
