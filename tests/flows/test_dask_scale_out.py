"""The batch flow on a 2-worker local Dask cluster gives exactly the shortlists of a serial run.

Resumes are cleaned, profiled and embedded shard by shard on the workers (the embedding cache
starts empty there, so the workers embed and write it at the same time); duplicates, the index
and stage 1 stay in the flow's process, and stage 2 is scored batch by batch of postings on the
workers. Real model, FAISS, Prefect, Dask and MLflow.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from matcher.io.loading import load_resumes
from matcher.settings import Settings, load_settings
from tests.conftest import SAMPLE
from tests.flows.conftest import encoding_progress, user_env

pytestmark = [pytest.mark.usefixtures("prefect_server"), pytest.mark.slow]

#: Every file of a run's output folder that holds what was decided, record by record.
COMPARED = ("shortlists.csv", "rejects.csv", "duplicates.csv", "records.csv")


def _settings(root: Path, cache: Path, incremental: bool = False, **dask: object) -> Settings:
    return load_settings(
        runs={"incremental": incremental},
        embedding={"cache_dir": cache},
        index_dir=root / "index",
        state_dir=root / "state",
        mlflow_tracking_uri=f"sqlite:///{root / 'mlflow.db'}",
        # Stage 1 keeps 20 of the 70 resumes (dense and BM25) per posting; 19 postings make
        # five batches of four, scored on the workers in the Dask run.
        ranking={"top_k": 5, "candidates": 20, "posting_batch": 4},
        dask=dask or None,
    )


def test_a_two_worker_dask_run_gives_the_serial_run_shortlists(
    tmp_path: Path, embedding_cache_dir: Path, flow_run_lines: list[str]
) -> None:
    from pipelines.batch_scoring import batch_scoring, scoring_flow

    serial_settings = _settings(tmp_path / "serial", embedding_cache_dir)
    assert scoring_flow(serial_settings) is batch_scoring  # serial unless asked
    serial = batch_scoring(
        SAMPLE / "jobs.csv", SAMPLE / "resumes", tmp_path / "serial" / "out", serial_settings
    )

    serial_manifest = json.loads((tmp_path / "serial" / "out" / "run_manifest.json").read_text())
    assert "posting_batches_on_workers" not in serial_manifest["stage1"]
    ranked = serial["counts"]["postings"]["ranked"], serial["counts"]["resumes"]["ranked"]
    # Each record is profiled once: in the flow's process, when serial.
    assert serial_manifest["work"]["profiles_read"] == {"here": sum(ranked), "on_workers": 0}

    # Shards of 9 resumes: eight shards of the 70 sample resumes over the two workers.
    dask_settings = _settings(tmp_path / "dask", tmp_path / "fresh-cache", workers=2, shard_size=9)
    flow = scoring_flow(dask_settings)
    assert flow is not batch_scoring
    flow_run_lines.clear()
    parallel = flow(
        SAMPLE / "jobs.csv", SAMPLE / "resumes", tmp_path / "dask" / "out", dask_settings
    )
    # The command shows the workers' progress: each stage's rows as its shards or batches end.
    log = "\n".join(flow_run_lines)
    expected = {
        "cleaning resumes": len(load_resumes(SAMPLE / "resumes").records),
        "profiling resumes": parallel["counts"]["resumes"]["ranked"],
        "embedding resumes": parallel["counts"]["resumes"]["ranked"],
        "scoring jobs": parallel["counts"]["postings"]["ranked"],
    }
    shown = {stage: {t for _, t in encoding_progress(log, stage)} for stage in expected}
    assert shown == {stage: {total} for stage, total in expected.items()}

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
    # Stage 2 ran on the workers, one task per batch of postings, on the same candidates:
    # the serial run scored tiles of resumes instead (each resume read once), the workers
    # batches of postings (each reading the union of its postings' candidates).
    assert manifest["stage1"]["posting_batches_on_workers"] == -(-ranked[0] // 4)
    work = ("batches", "resumes_read")
    stage1 = {
        key: value
        for key, value in manifest["stage1"].items()
        if "workers" not in key and key not in work
    }
    assert stage1 == {k: v for k, v in serial_manifest["stage1"].items() if k not in work}
    assert serial_manifest["stage1"]["resumes_read"] <= manifest["stage1"]["resumes_read"]
    assert stage1["pairs_scored"] < ranked[0] * ranked[1]  # stage 1 did cut the pairs
    # The workers profiled the resumes, and the flow kept their profiles: no record is
    # profiled twice; only the postings are profiled in the flow's process.
    assert manifest["work"]["profiles_read"] == {"here": ranked[0], "on_workers": ranked[1]}


def _sample_without(folder: Path, left_out: int) -> tuple[Path, Path]:
    """A copy of the sample's inputs in ``folder`` without its last ``left_out`` resumes."""
    resumes = folder / "resumes"
    resumes.mkdir(parents=True)
    kept = sorted(path for path in (SAMPLE / "resumes").iterdir() if path.is_file())
    for path in kept[: len(kept) - left_out]:
        shutil.copyfile(path, resumes / path.name)
    shutil.copyfile(SAMPLE / "jobs.csv", folder / "jobs.csv")
    return folder / "jobs.csv", resumes


def test_an_incremental_rerun_on_dask_reuses_pairs_as_the_serial_rerun_does(
    tmp_path: Path, embedding_cache_dir: Path
) -> None:
    from pipelines.batch_scoring import batch_scoring, scoring_flow

    before = _sample_without(tmp_path / "before", left_out=6)
    after = (SAMPLE / "jobs.csv", SAMPLE / "resumes")  # six resumes more
    runs: dict[str, dict[str, object]] = {}
    for name, dask in (("serial", {}), ("dask", {"workers": 2, "shard_size": 9})):
        root = tmp_path / name
        settings = _settings(root, embedding_cache_dir, True, **dask)
        if name == "serial":
            # Ranking from kept pool statistics (ranking.refit_share) runs in the flow's
            # process only, never on Dask: off in the serial run, both reruns score every
            # candidate pair with the pair cache.
            ranking = settings.ranking.model_copy(update={"refit_share": 0.0})
            settings = settings.model_copy(update={"ranking": ranking})
        flow = scoring_flow(settings)
        assert (flow is batch_scoring) == (name == "serial")
        flow(*before, root / "first", settings)
        flow(*after, root / "out", settings)
        runs[name] = json.loads((root / "out" / "run_manifest.json").read_text())

    serial, dask = runs["serial"], runs["dask"]
    assert "posting_batches_on_workers" in dask["stage1"]  # stage 2 did run on the workers
    assert "ranking" not in serial["incremental"]  # refit_share 0: no kept statistics
    assert dask["incremental"]["ranking"]["mode"] == "full"
    assert "not on Dask" in dask["incremental"]["ranking"]["reason"]
    pairs = serial["incremental"]["pairs"]
    # The pairs of the earlier resumes with their candidate postings come from the score
    # cache; those of the six new resumes are computed: on the workers as in the flow.
    assert pairs["reused"] > 0 and pairs["scored"] > 0
    assert dask["incremental"]["pairs"] == pairs
    assert dask["incremental"]["resumes"] == serial["incremental"]["resumes"]
    for name in COMPARED:
        assert (tmp_path / "dask" / "out" / name).read_bytes() == (
            tmp_path / "serial" / "out" / name
        ).read_bytes(), name


def test_a_quiet_command_on_a_local_cluster_prints_no_dask_lines(
    tmp_path: Path, embedding_cache_dir: Path
) -> None:
    """`score -q --workers 2` printed 33 of Dask's information lines ("Closing Nanny at ...")."""
    import subprocess
    import sys

    resumes = tmp_path / "resumes"
    resumes.mkdir()
    for path in sorted((SAMPLE / "resumes").glob("r-000*.txt")):
        shutil.copy(path, resumes / path.name)
    env = user_env(tmp_path, embedding_cache_dir)
    env = {k: v for k, v in env.items() if not k.startswith("DASK_")}
    inputs = ["--jobs", str(SAMPLE / "jobs.csv"), "--resumes", str(resumes), "--out", "out"]
    done = subprocess.run(
        [sys.executable, "-m", "matcher", "-q", "score", "--workers", "2", *inputs],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "out" / "shortlists.csv").is_file()
    assert "distributed." not in done.stderr, done.stderr[-3000:]
