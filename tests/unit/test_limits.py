"""The [limits] settings: read like every other section, and honoured by each loader."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError

from matcher.settings import LimitSettings, load_settings

RESUME = "Jane Doe\nData engineer with Python and SQL since 2019, building pipelines."


def test_limits_come_from_the_environment_and_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "matcher.toml"
    config.write_text("[limits]\nmax_pages = 7\nmax_id_chars = 64\n")
    monkeypatch.setenv("MATCHER_LIMITS__MAX_DOCUMENT_CHARS", "5000")
    limits = load_settings(config).limits
    assert (limits.max_pages, limits.max_id_chars, limits.max_document_chars) == (7, 64, 5_000)
    assert limits.max_compression_ratio == LimitSettings().max_compression_ratio


@pytest.mark.parametrize(
    "bad", [{"max_pages": 0}, {"max_compression_ratio": 1.0}, {"max_document_chars": 10}]
)
def test_limits_that_would_reject_everything_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValidationError):
        LimitSettings(**bad)  # type: ignore[arg-type]


def test_an_unknown_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATCHER_LIMITS__MAX_PAGE", "7")
    with pytest.raises(ValidationError, match="max_page"):
        load_settings()


def test_labelled_sets_load_with_the_limits(tmp_path: Path) -> None:
    from matcher.evaluation.labelled import load_labelled_set

    pd.DataFrame(
        {"job_id": ["j1"], "title": ["Data Engineer"], "description": ["Python and SQL"]}
    ).to_csv(jobs := tmp_path / "jobs.csv", index=False)
    pd.DataFrame({"resume_id": ["r1", "r" * 80], "text": [RESUME, RESUME]}).to_csv(
        resumes := tmp_path / "resumes.csv", index=False
    )
    pd.DataFrame({"job_id": ["j1"], "resume_id": ["r1"], "relevance": [1]}).to_csv(
        qrels := tmp_path / "qrels.csv", index=False
    )
    assert len(load_labelled_set(jobs, resumes, qrels).resumes) == 2
    limited = load_labelled_set(jobs, resumes, qrels, limits=LimitSettings(max_id_chars=50))
    assert limited.resumes["resume_id"].tolist() == ["r1"]
    assert limited.rejects["reason"].tolist() == [
        "resume_id is 80 characters long, more than limits.max_id_chars (50)"
    ]


def test_the_recommend_resume_is_read_with_the_limits(tmp_path: Path) -> None:
    from matcher.io.loading import InputError
    from matcher.ranking.recommend import read_resume

    (path := tmp_path / "cv.html").write_text("<div><ul><li>Python</li></ul></div>" + "x" * 2_000)
    assert read_resume(path)["text"].iloc[0] == "- Python\n" + "x" * 2_000
    limited = read_resume(path, limits=LimitSettings(max_document_chars=1_000, max_html_depth=1))
    assert limited["text"].iloc[0] == "Python\n" + "x" * 993
    (table := tmp_path / "r.csv").write_text(f"resume_id,text\n{'r' * 80},{RESUME}\n")
    with pytest.raises(InputError, match="max_id_chars"):
        read_resume(table, "r" * 80, LimitSettings(max_id_chars=50))
