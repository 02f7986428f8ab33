"""``matcher score`` refuses input and settings that cannot work before any work starts: one
``error:`` line, exit code 2, no traceback, nothing written. And the global options."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from matcher import __version__
from matcher.cli import app
from tests.conftest import SAMPLE


def _score(jobs: Path, resumes: Path, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["score", "--jobs", str(jobs), "--resumes", str(resumes), "--out", str(out)]
    )
    return result.exit_code, result.output


def _assert_refused(code: int, output: str, out: Path, *expected: str) -> None:
    assert code == 2, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), output
    assert "Traceback" not in output
    for text in expected:
        assert text in lines[0], output
    assert not out.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("job_id,title,description\n", ("--jobs", "no postings", "header but no rows")),
        ("job_id,title\nJ1,Nurse\n", ("--jobs", "missing required column(s) description")),
        ("", ("--jobs", "empty")),
    ],
)
def test_a_postings_table_that_cannot_work_is_refused_before_any_work(
    tmp_path: Path, content: str, expected: tuple[str, ...]
) -> None:
    jobs = tmp_path / "jobs.csv"
    jobs.write_text(content)
    code, output = _score(jobs, SAMPLE / "resumes", tmp_path / "out")
    _assert_refused(code, output, tmp_path / "out", str(jobs), *expected)


def test_resumes_without_their_text_column_or_a_folder_without_resumes_are_refused(
    tmp_path: Path,
) -> None:
    resumes = tmp_path / "resumes.csv"
    resumes.write_text("resume_id,name\nr1,Ann Lee\n")
    code, output = _score(SAMPLE / "jobs.csv", resumes, tmp_path / "out")
    _assert_refused(code, output, tmp_path / "out", "--resumes", "missing required column(s) text")
    folder = tmp_path / "resumes"
    folder.mkdir()
    (folder / "notes.xyz").write_text("not a resume")
    code, output = _score(SAMPLE / "jobs.csv", folder, tmp_path / "out")
    _assert_refused(code, output, tmp_path / "out", "--resumes", "no resumes in this folder")


def test_an_unknown_ranker_or_setting_is_refused_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MATCHER_RANKING__RANKER", "nope")
    code, output = _score(SAMPLE / "jobs.csv", SAMPLE / "resumes", tmp_path / "out")
    _assert_refused(code, output, tmp_path / "out", "unknown ranker 'nope'", "bm25")
    monkeypatch.delenv("MATCHER_RANKING__RANKER")
    monkeypatch.setenv("MATCHER_RANKING__TOPK", "5")
    code, output = _score(SAMPLE / "jobs.csv", SAMPLE / "resumes", tmp_path / "out")
    _assert_refused(code, output, tmp_path / "out", "bad settings", "topk")
    monkeypatch.delenv("MATCHER_RANKING__TOPK")
    # a wrong value is named with the variable it came from, on one line, without pydantic's
    # web address
    monkeypatch.setenv("MATCHER_RANKING__TOP_K", "abc")
    code, output = _score(SAMPLE / "jobs.csv", SAMPLE / "resumes", tmp_path / "out")
    _assert_refused(
        code,
        output,
        tmp_path / "out",
        "bad settings: ranking.top_k (from MATCHER_RANKING__TOP_K): input should be a valid",
        "(got 'abc')",
    )
    assert "http" not in output
    monkeypatch.delenv("MATCHER_RANKING__TOP_K")
    # a section misspelt (in a systemd unit) had been read by nothing, silently
    monkeypatch.setenv("MATCHER_RANKNG__TOP_K", "3")
    code, output = _score(SAMPLE / "jobs.csv", SAMPLE / "resumes", tmp_path / "out")
    _assert_refused(code, output, tmp_path / "out", "MATCHER_RANKNG__TOP_K", "'rankng'")
    monkeypatch.delenv("MATCHER_RANKNG__TOP_K")
    # a TOML file that is no TOML is named
    config = tmp_path / "bad.toml"
    config.write_text("[ranking\ntop_k = 5\n", encoding="utf-8")
    inputs = ["--jobs", str(SAMPLE / "jobs.csv"), "--resumes", str(SAMPLE / "resumes")]
    result = CliRunner().invoke(
        app, ["score", *inputs, "--out", str(tmp_path / "out"), "--config", str(config)]
    )
    _assert_refused(result.exit_code, result.output, tmp_path / "out", f"{config}: not valid TOML")


def test_version_and_conflicting_verbosity() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"matcher {__version__}"
    result = CliRunner().invoke(app, ["--quiet", "--verbose", "promote", "x"])
    assert result.exit_code == 2
    assert result.output.strip() == "error: --quiet and --verbose cannot be used together"
