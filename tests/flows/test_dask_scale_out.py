"""The batch flow on a 2-worker local Dask cluster gives exactly the shortlists of a serial run.

Resumes are cleaned, profiled and embedded shard by shard on the workers (the embedding cache
starts empty there, so the workers embed and write it at the same time); duplicates, the index
and scoring stay in the flow's process. Real model, FAISS, Prefect, Dask and MLflow.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from matcher.settings import Settings, load_settings
from tests.conftest import SAMPLE

pytestmark = [pytest.mark.usefixtures("prefect_server"), pytest.mark.slow]

#: Every file of a run's output folder that holds what was decided, record by record.
COMPARED = ("shortlists.csv", "rejects.csv", "duplicates.csv", "records.csv")


def _settings(root: Path, cache: Path, **dask: object) -> Settings:
    return load_settings(
        embedding={"cache_dir": cache},
        index_dir=root / "index",
        mlflow_tracking_uri=f"sqlite:///{root / 'mlflow.db'}",
        ranking={"top_k": 5},
        dask=dask or None,
    )


def test_a_two_worker_dask_run_gives_the_serial_run_shortlists(
    tmp_path: Path, embedding_cache_dir: Path
) -> None:
    from pipelines.batch_scoring import batch_scoring, scoring_flow

    serial_settings = _settings(tmp_path / "serial", embedding_cache_dir)
    assert scoring_flow(serial_settings) is batch_scoring  # serial unless asked
    serial = batch_scoring(
        SAMPLE / "jobs.csv", SAMPLE / "resumes", tmp_path / "serial" / "out", serial_settings
    )

    # Shards of 9 resumes: eight shards of the 70 sample resumes over the two workers.
    dask_settings = _settings(tmp_path / "dask", tmp_path / "fresh-cache", workers=2, shard_size=9)
    flow = scoring_flow(dask_settings)
    assert flow is not batch_scoring
    parallel = flow(
        SAMPLE / "jobs.csv", SAMPLE / "resumes", tmp_path / "dask" / "out", dask_settings
    )

    for name in COMPARED:
        before = (tmp_path / "serial" / "out" / name).read_bytes()
        after = (tmp_path / "dask" / "out" / name).read_bytes()
        assert after == before, name
    for job_file in (tmp_path / "serial" / "out" / "shortlists").iterdir():
        assert (tmp_path / "dask" / "out" / "shortlists" / job_file.name).read_bytes() == (
            job_file.read_bytes()
        )
    # The decision records hold every pair's signal values to 4 decimals. The workers embed
    # in other batches than the run that filled the shared cache, and a vector can differ in
    # its last float bits with the batch, so a value may round the other way: equal to 1e-3.
    serial_decisions = pd.read_parquet(tmp_path / "serial" / "out" / "decisions.parquet")
    dask_decisions = pd.read_parquet(tmp_path / "dask" / "out" / "decisions.parquet")
    pd.testing.assert_frame_equal(
        serial_decisions, dask_decisions, check_exact=False, rtol=0, atol=1e-3
    )
    assert parallel["counts"] == serial["counts"]
    # The workers embedded every resume chunk into the empty cache; the flow's process did not.
    manifest = json.loads((tmp_path / "dask" / "out" / "run_manifest.json").read_text())
    assert manifest["embedding"]["texts_embedded"] >= serial["counts"]["resumes"]["ranked"]
