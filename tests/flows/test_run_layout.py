"""The runs layout on the real batch flow: a folder per run, ``latest`` moved only on success.

Real model, FAISS, Prefect and MLflow, on three postings and a few resumes written here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from matcher.cli import app
from matcher.io.run_folders import FAILED, latest_run, run_folders
from matcher.settings import Settings, load_settings

pytestmark = pytest.mark.usefixtures("prefect_server")

POSTINGS = pd.DataFrame(
    {
        "job_id": ["j-rn", "j-el", "j-an"],
        "title": ["Registered Nurse", "Electrician", "Reporting Analyst"],
        "description": [
            "Required: RN license, BLS and 2 years of ICU experience.",
            "Required: journeyman license, conduit installation and NEC code.",
            "Required: Excel and SQL. Build weekly financial reports.",
        ],
    }
)
RESUMES = pd.DataFrame(
    {
        "resume_id": ["r-rn", "r-el", "r-an"],
        "text": [
            "Registered nurse with BLS and ACLS, five years in the ICU.",
            "Journeyman electrician: conduit bending, panel upgrades, NEC code.",
            "Reporting analyst: Excel pivot tables and SQL for monthly finance reports.",
        ],
    }
)


@pytest.fixture()
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    jobs, resumes = tmp_path / "jobs.csv", tmp_path / "resumes.csv"
    POSTINGS.to_csv(jobs, index=False)
    RESUMES.to_csv(resumes, index=False)
    return jobs, resumes


@pytest.fixture()
def runs_settings(tmp_path: Path, embedding_cache_dir: Path) -> Settings:
    return load_settings(
        embedding={"cache_dir": embedding_cache_dir},
        index_dir=tmp_path / "index",
        mlflow_tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}",
        ranking={"top_k": 2},
        output={"layout": "runs", "keep_runs": 2},
        state_dir=tmp_path / "state",
    )


def _shortlisted(folder: Path) -> set[str]:
    frame = pd.read_csv(folder / "shortlists.csv", dtype=str, keep_default_na=False)
    return set(frame["resume_id"])


def test_runs_get_folders_of_their_own_and_only_a_completed_run_moves_latest(
    tmp_path: Path, inputs: tuple[Path, Path], runs_settings: Settings
) -> None:
    from pipelines.batch_scoring import batch_scoring

    from matcher.io.loading import InputError

    jobs, resumes = inputs
    out = tmp_path / "out"
    first = batch_scoring(jobs, resumes, out, runs_settings)
    first_dir = Path(first["run_dir"])
    assert first_dir.parent == out / "runs"
    assert latest_run(out) == first_dir.resolve()
    assert first["outputs"]["shortlists"] == str(first_dir / "shortlists.csv")
    assert (out / "latest" / "run_manifest.json").is_file()
    assert _shortlisted(out / "latest") == {"r-rn", "r-el", "r-an"}
    assert not (out / "shortlists.csv").exists()  # nothing written beside the run folders

    broken = tmp_path / "broken.csv"
    broken.write_text("job_id,title\nj-1,Nurse\n")  # no description column: the run fails
    with pytest.raises(InputError, match="description"):
        batch_scoring(broken, resumes, out, runs_settings)
    failed_dir = run_folders(out)[-1]
    assert failed_dir != first_dir
    failure = (failed_dir / FAILED).read_text()
    assert failure.startswith("This run failed: InputError:") and "description" in failure
    assert latest_run(out) == first_dir.resolve()  # the recruiters keep the last good lists
    assert not (failed_dir / "shortlists.csv").exists()

    # A third run: latest moves to it; with keep_runs 2 the first folder goes, the failed stays.
    pd.concat(
        [
            RESUMES,
            pd.DataFrame(
                {
                    "resume_id": ["r-rn2"],
                    "text": [
                        "Registered nurse, eight years in the ICU and the emergency room, BLS."
                    ],
                }
            ),
        ]
    ).to_csv(resumes, index=False)
    third = batch_scoring(jobs, resumes, out, runs_settings)
    third_dir = Path(third["run_dir"])
    assert latest_run(out) == third_dir.resolve()
    assert "r-rn2" in _shortlisted(out / "latest")
    assert run_folders(out) == [failed_dir, third_dir]


def test_score_keeps_the_simple_layout_unless_asked(
    tmp_path: Path,
    inputs: tuple[Path, Path],
    embedding_cache_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in {
        "MATCHER_EMBEDDING__CACHE_DIR": str(embedding_cache_dir),
        "MATCHER_INDEX_DIR": str(tmp_path / "index"),
        "MATCHER_MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'mlflow.db'}",
        "MATCHER_STATE_DIR": str(tmp_path / "state"),
    }.items():
        monkeypatch.setenv(name, value)
    jobs, resumes = inputs
    runner = CliRunner()
    simple = runner.invoke(app, ["score", "--jobs", str(jobs), "--resumes", str(resumes),
                                 "--out", str(tmp_path / "simple")])  # fmt: skip
    assert simple.exit_code == 0, simple.output
    assert (tmp_path / "simple" / "shortlists.csv").is_file()
    assert not (tmp_path / "simple" / "runs").exists()
    assert "latest run" not in simple.output

    runs = runner.invoke(app, ["score", "--jobs", str(jobs), "--resumes", str(resumes),
                               "--out", str(tmp_path / "runs"), "--runs"])  # fmt: skip
    assert runs.exit_code == 0, runs.output
    (run_dir,) = run_folders(tmp_path / "runs")
    assert f"latest run: {tmp_path / 'runs' / 'latest'} -> {run_dir}" in runs.output
    assert os.readlink(tmp_path / "runs" / "latest") == os.path.join("runs", run_dir.name)
    assert _shortlisted(tmp_path / "runs" / "latest") == _shortlisted(tmp_path / "simple")
