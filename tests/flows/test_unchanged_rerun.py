"""An unchanged rerun as a command: told before anything heavy is imported, still recorded.

Real processes, a real Prefect API (the session's), a real MLflow SQLite store: the first run
is the flow, the rerun ``matcher score --incremental`` in a new Python process under
``python -X importtime``, which lists every module it imported.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import SAMPLE

REPO = Path(__file__).resolve().parents[2]
#: What an unchanged rerun (and ``matcher --help``) must not import: each costs seconds.
HEAVY = {"torch", "sentence_transformers", "prefect", "mlflow", "pandas", "sklearn"}


def _imported(stderr: str) -> set[str]:
    """The top-level packages of every module in ``-X importtime`` output."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def _env(root: Path, cache: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
        "MATCHER_STATE_DIR": str(root / "state"),
        "MATCHER_INDEX_DIR": str(root / "index"),
        "MATCHER_MLFLOW_TRACKING_URI": f"sqlite:///{root / 'mlflow.db'}",
        "MATCHER_EMBEDDING__CACHE_DIR": str(cache),
        **extra,
    }


def test_help_imports_nothing_heavy() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "matcher", "--help"],
        env=_env(Path("unused"), Path("unused")),
        capture_output=True,
        text=True,
        check=True,
    )
    assert "score" in done.stdout
    assert not HEAVY & _imported(done.stderr)


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_server")
def test_an_unchanged_rerun_command_imports_nothing_heavy_and_is_recorded(
    tmp_path: Path, embedding_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow
    from pipelines.batch_scoring import batch_scoring
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags
    from prefect.settings import PREFECT_API_URL

    from matcher.settings import load_settings
    from matcher.tracking.deferred import pending_folder
    from matcher.tracking.experiment_log import REUSED_RUN_TAG

    jobs, resumes, out = tmp_path / "jobs.csv", tmp_path / "resumes", tmp_path / "out"
    resumes.mkdir()
    pd.read_csv(SAMPLE / "jobs.csv", dtype=str, keep_default_na=False).head(3).to_csv(
        jobs, index=False
    )
    for source in sorted(p for p in (SAMPLE / "resumes").iterdir() if p.suffix == ".txt")[:4]:
        shutil.copy(source, resumes / source.name)
    env = _env(tmp_path, embedding_cache_dir, PREFECT_API_URL=str(PREFECT_API_URL.value()))
    for name, value in env.items():
        if name.startswith("MATCHER_"):
            monkeypatch.setenv(name, value)
    # The settings `matcher score --incremental` loads in that environment.
    first = batch_scoring(jobs, resumes, out, load_settings(runs={"incremental": True}))
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    command = [sys.executable, "-X", "importtime", "-m", "matcher", "score", "--incremental"]
    command += ["--jobs", str(jobs), "--resumes", str(resumes), "--out", str(out)]
    done = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert not HEAVY & _imported(done.stderr)
    assert "MLflow run: logged in the background" in done.stdout

    manifest = json.loads((out / "run_manifest.json").read_text())
    assert manifest["incremental"]["reused_outputs"]["decided_before_loading"]
    assert manifest["work"] == {"records_loaded": 0, "records_cleaned": 0, "records_profiled": 0}
    assert manifest["counts"] == first["counts"]
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after.keys() == before.keys()
    assert {k: v for k, v in after.items() if k != "run_manifest.json"} == {
        k: v for k, v in before.items() if k != "run_manifest.json"
    }

    # The run is in the flow-run history, Completed, tagged as an unchanged rerun.
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=["unchanged-rerun"]))
        )
    recorded = [run for run in runs if run.parameters.get("out_dir") == str(out)]
    assert len(recorded) == 1 and recorded[0].state is not None
    assert recorded[0].state.is_completed()

    # Its MLflow run is logged by the detached process, naming the run whose outputs it reused.
    folder = pending_folder(tmp_path / "state")
    deadline = time.monotonic() + 300
    while any(folder.glob("*.json")) or any(folder.glob("*.logging")):
        assert time.monotonic() < deadline, (folder / "log.txt").read_text()
        time.sleep(0.5)
    client = mlflow.MlflowClient(tracking_uri=env["MATCHER_MLFLOW_TRACKING_URI"])
    experiment = client.get_experiment_by_name(load_settings().mlflow_experiment)
    assert experiment is not None
    logged = client.search_runs(
        [experiment.experiment_id], filter_string=f"tags.`{REUSED_RUN_TAG}` != ''"
    )
    assert [run.data.tags[REUSED_RUN_TAG] for run in logged] == [first["mlflow_run_id"]]
