"""An unchanged incremental rerun finds the last run's decision records where the state store
recorded them; a store written by an older matcher, which did not record them, falls back on
the output folder's layout. Real flows, model, FAISS and MLflow."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from matcher.io.state_store import state_store_path
from tests.conftest import SAMPLE
from tests.flows.test_incremental import RESUME_FILES, _settings

pytestmark = [pytest.mark.usefixtures("prefect_server"), pytest.mark.slow]


def test_a_rerun_reads_the_decision_records_where_the_state_store_says(
    tmp_path: Path, embedding_cache_dir: Path
) -> None:
    from pipelines.batch_scoring import batch_scoring

    jobs, resumes = tmp_path / "jobs.csv", tmp_path / "resumes"
    resumes.mkdir()
    pd.read_csv(SAMPLE / "jobs.csv", dtype=str).head(2).to_csv(jobs, index=False)
    for source in RESUME_FILES[:3]:
        shutil.copy(source, resumes / source.name)
    settings = _settings(tmp_path, embedding_cache_dir, True)

    def run(out: Path) -> dict[str, Any]:
        batch_scoring(jobs, resumes, out, settings)
        incremental: dict[str, Any] = json.loads((out / "run_manifest.json").read_text())[
            "incremental"
        ]
        return incremental

    first, second = tmp_path / "first", tmp_path / "second"
    assert "reused_outputs" not in run(first)
    # Nothing changed: the records are found where the first run put them, in another folder.
    moved = run(second)
    assert moved["reused_outputs"]["from"] == str(first.resolve())
    assert (second / "decisions.parquet").read_bytes() == (first / "decisions.parquet").read_bytes()

    # A store as an older matcher left it: no location, so the output folder is looked in.
    with closing(sqlite3.connect(state_store_path(settings.state_dir))) as db, db:
        db.execute("DROP TABLE decisions")
    assert run(second)["reused_outputs"]["from"] == str(second)
    with closing(sqlite3.connect(state_store_path(settings.state_dir))) as db, db:
        db.execute("DROP TABLE decisions")
    elsewhere = run(tmp_path / "third")  # nothing there: scored again, with decision records
    assert elsewhere["rescored"] and "reused_outputs" not in elsewhere
    assert (tmp_path / "third" / "decisions.parquet").is_file()

    # Records replaced since they were recorded are not taken for that run's.
    (tmp_path / "third" / "decisions.parquet").write_bytes(b"not the records of that run")
    replaced = run(tmp_path / "third")
    assert replaced["rescored"]
    assert replaced["reason"] == "the previous run's decision records are gone or changed"
    assert (tmp_path / "third" / "decisions.parquet").read_bytes().startswith(b"PAR1")
