"""The batch flow reads resumes it cleaned before from the clean cache: real flow, model,
FAISS, Prefect and MLflow."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from matcher.settings import load_settings
from tests.conftest import SAMPLE

pytestmark = [pytest.mark.usefixtures("prefect_server"), pytest.mark.slow]


def _csv_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.csv"))}


def test_a_warm_run_cleans_no_resume_again_and_writes_the_same_files(
    tmp_path: Path, embedding_cache_dir: Path
) -> None:
    from pipelines.batch_scoring import batch_scoring

    jobs, resumes = tmp_path / "jobs.csv", tmp_path / "resumes"
    resumes.mkdir()
    pd.read_csv(SAMPLE / "jobs.csv", dtype=str, keep_default_na=False).head(3).to_csv(
        jobs, index=False
    )
    files = sorted(p for p in (SAMPLE / "resumes").iterdir() if p.suffix == ".txt")[:5]
    for source in files:
        shutil.copy(source, resumes / source.name)
    (resumes / "too-short.txt").write_text("See attached CV\n")  # rejected by cleaning

    def run(name: str, **extra: Any) -> dict[str, Any]:
        settings = load_settings(
            embedding={"cache_dir": embedding_cache_dir},
            index_dir=tmp_path / "index",
            state_dir=tmp_path / "state",
            mlflow_tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}",
            ranking={"top_k": 4},
            **extra,
        )
        batch_scoring(jobs, resumes, tmp_path / name, settings)
        manifest: dict[str, Any] = json.loads((tmp_path / name / "run_manifest.json").read_text())
        return manifest

    def sketches_kept() -> int:
        with sqlite3.connect(tmp_path / "state" / "clean_cache.db") as connection:
            return int(connection.execute("SELECT count(*) FROM text_sketches").fetchone()[0])

    cold = run("cold")
    postings = cold["counts"]["postings"]["read"]
    assert cold["work"]["records_cleaned"] == postings + 6
    assert cold["counts"]["resumes"]["rejected"] == 1
    assert sketches_kept() == 5  # each resume cleaning kept, for finding copies next time

    warm = run("warm")
    assert warm["work"]["records_cleaned"] == postings  # every resume read from the cache
    assert warm["counts"] == cold["counts"]
    cold_files = _csv_files(tmp_path / "cold")
    assert {"shortlists.csv", "rejects.csv", "records.csv"} <= cold_files.keys()
    assert _csv_files(tmp_path / "warm") == cold_files
    rejects = pd.read_csv(tmp_path / "warm" / "rejects.csv", dtype=str)
    assert rejects["detail" if "detail" in rejects else "reason"].str.contains("too short").any()

    edited = resumes / files[0].name
    edited.write_text(edited.read_text() + "\nAlso: Kubernetes and Terraform.\n")
    assert run("edited")["work"]["records_cleaned"] == postings + 1  # the edited file alone
    assert sketches_kept() == 6  # and its new text's sketch

    deeper = run("setting", limits={"max_html_depth": 7})
    assert deeper["work"]["records_cleaned"] == postings + 6  # a cleaning setting changed
