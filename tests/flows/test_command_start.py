"""``matcher score`` as a user runs it, with what it starts early: Prefect's temporary API in a
process of its own, and the MLflow store made ready in a background thread while it works.

Real processes, the real model (cached vectors), real Prefect and a real MLflow SQLite store.
The command's outputs and MLflow run must be those of the same flow called in Python with
nothing started early; its server must be gone when it has exited; an MLflow store that cannot
be made must still fail the run, with the same error, and leave the output folder unwritten.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.conftest import SAMPLE
from tests.flows.conftest import user_env

REPO = Path(__file__).resolve().parents[2]
COMPARED = ("shortlists.csv", "rejects.csv", "duplicates.csv", "records.csv")


def _inputs(root: Path) -> tuple[Path, Path]:
    """Four postings and twelve resumes of the sample (a rejected one among them)."""
    jobs, resumes = root / "jobs.csv", root / "resumes"
    resumes.mkdir(parents=True)
    table = pd.read_csv(SAMPLE / "jobs.csv", dtype=str, keep_default_na=False)
    table.head(4).to_csv(jobs, index=False)
    names = sorted(p.name for p in (SAMPLE / "resumes").iterdir() if not p.name.startswith("."))
    for name in names[:11] + [n for n in names if n.endswith(".pdf")][-1:]:
        shutil.copy(SAMPLE / "resumes" / name, resumes / name)
    return jobs, resumes


def _qrels(jobs: Path, resumes: Path) -> Path:
    """The sample's judgements of the pairs among ``jobs`` and ``resumes``, beside them."""
    qrels = jobs.parent / "qrels.csv"
    judged = pd.read_csv(SAMPLE / "qrels.csv", dtype=str, keep_default_na=False)
    job_ids = set(pd.read_csv(jobs, dtype=str)["job_id"])
    resume_ids = {path.stem for path in resumes.iterdir()}
    judged = judged[judged["job_id"].isin(job_ids) & judged["resume_id"].isin(resume_ids)]
    assert len(judged) > 0
    judged.to_csv(qrels, index=False)
    return qrels


def _mlflow_run(uri: str, run_id: str) -> dict[str, Any]:
    """What a run holds, less what names its own folders and times."""
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=uri)
    run = client.get_run(run_id)
    local = ("dir", "uri", "path")
    return {
        "params": {k: v for k, v in run.data.params.items() if not any(w in k for w in local)},
        "metrics": {k for k in run.data.metrics},
        "counts": {k: v for k, v in run.data.metrics.items() if k.startswith("counts.")},
        "artifacts": sorted(a.path for a in client.list_artifacts(run_id)),
        "shortlists": sorted(a.path for a in client.list_artifacts(run_id, "shortlists")),
    }


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_server")
def test_the_command_writes_and_logs_what_the_flow_does_and_stops_its_server(
    tmp_path: Path, embedding_cache_dir: Path
) -> None:
    from pipelines.batch_scoring import batch_scoring

    from matcher.orchestration.server import api_answers
    from matcher.settings import load_settings

    jobs, resumes = _inputs(tmp_path / "in")
    command, flow = tmp_path / "command", tmp_path / "flow"
    settings = {
        "MATCHER_STATE_DIR": str(command / "state"),
        "MATCHER_INDEX_DIR": str(command / "index"),
        "MATCHER_MLFLOW_TRACKING_URI": f"sqlite:///{command / 'mlflow.db'}",
        "MATCHER_EMBEDDING__CACHE_DIR": str(embedding_cache_dir),
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO)])
    arguments = ["--jobs", str(jobs), "--resumes", str(resumes), "--out", str(command / "out")]
    done = subprocess.run(
        [sys.executable, "-m", "matcher", "score", *arguments],
        env={**env, **settings},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # The flow ran against the command's own temporary API, gone with the command.
    url = re.search(r"View at (http://127\.0\.0\.1:\d+)/", done.stderr)
    assert url is not None, done.stderr[-3000:]
    assert not api_answers(f"{url.group(1)}/api")
    command_run = re.search(r"MLflow run: (\w+)", done.stdout)
    assert command_run is not None

    summary = batch_scoring(
        jobs,
        resumes,
        flow / "out",
        load_settings(
            state_dir=flow / "state",
            index_dir=flow / "index",
            mlflow_tracking_uri=f"sqlite:///{flow / 'mlflow.db'}",
            embedding={"cache_dir": embedding_cache_dir},
        ),
    )

    for name in COMPARED:
        assert (command / "out" / name).read_bytes() == (flow / "out" / name).read_bytes(), name
    logged = _mlflow_run(settings["MATCHER_MLFLOW_TRACKING_URI"], command_run.group(1))
    assert logged == _mlflow_run(f"sqlite:///{flow / 'mlflow.db'}", summary["mlflow_run_id"])
    assert "run_manifest.json" in logged["artifacts"] and logged["shortlists"]


@pytest.mark.usefixtures("prefect_server")
def test_a_store_that_cannot_be_made_still_fails_the_run_and_writes_nothing(
    tmp_path: Path, embedding_cache_dir: Path
) -> None:
    from pipelines.batch_scoring import batch_scoring

    from matcher.settings import load_settings

    jobs, resumes = _inputs(tmp_path / "in")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # the store's folder is a file: it cannot be made
    out = tmp_path / "out"

    with pytest.raises(FileExistsError, match="a-file"):
        batch_scoring(
            jobs,
            resumes,
            out,
            load_settings(
                state_dir=tmp_path / "state",
                index_dir=tmp_path / "index",
                mlflow_tracking_uri=f"sqlite:///{blocker / 'mlflow.db'}",
                embedding={"cache_dir": embedding_cache_dir},
                ranking={"top_k": 3},
            ),
        )
    assert not out.exists()


def _command(tmp_path: Path, embedding_cache_dir: Path, *arguments: str) -> str:
    """Run ``matcher ARGUMENTS`` as a user would, without a Prefect server; its stdout."""
    from matcher.orchestration.server import api_answers

    env = user_env(tmp_path / "command", embedding_cache_dir)
    done = subprocess.run(
        [sys.executable, "-m", "matcher", *arguments],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # The flow ran against the API the command started early (Prefect did not start one of
    # its own, as it does for a flow with no API), and that API is gone with the command.
    assert "Starting temporary server" not in done.stderr, done.stderr[-3000:]
    url = re.search(r"View at (http://127\.0\.0\.1:\d+)/", done.stderr)
    assert url is not None, done.stderr[-3000:]
    assert not api_answers(f"{url.group(1)}/api")
    return done.stdout


def _assert_same_files(command: Path, flow: Path, *names: str) -> None:
    """The files ``names`` the command wrote into ``command`` equal the flow's, byte for byte."""
    for name in names:
        assert (command / name).read_bytes() == (flow / name).read_bytes(), name


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_server")
def test_recommend_and_evaluate_start_their_temporary_api_early_and_write_what_the_flows_do(
    tmp_path: Path, embedding_cache_dir: Path, flow_settings: Any
) -> None:
    from pipelines.evaluate import evaluation_flow
    from pipelines.recommend import recommendation_flow

    jobs, resumes = _inputs(tmp_path / "in")
    resume = sorted(resumes.glob("*.txt"))[0]
    qrels = _qrels(jobs, resumes)

    _command(
        tmp_path,
        embedding_cache_dir,
        "recommend",
        "--resume",
        str(resume),
        "--jobs",
        str(jobs),
        "--out",
        str(tmp_path / "recommend"),
        "--top-k",
        "3",
    )
    recommendation_flow(resume, jobs, tmp_path / "recommend-flow", flow_settings, top_k=3)
    _assert_same_files(
        tmp_path / "recommend", tmp_path / "recommend-flow", "recommendations.csv", "rejects.csv"
    )

    arguments = ["--jobs", str(jobs), "--resumes", str(resumes), "--qrels", str(qrels)]
    _command(
        tmp_path,
        embedding_cache_dir,
        "evaluate",
        *arguments,
        "--ranker",
        "bm25",
        "--out",
        str(tmp_path / "evaluate"),
    )
    evaluation_flow(jobs, resumes, qrels, tmp_path / "evaluate-flow", flow_settings, "bm25")
    _assert_same_files(
        tmp_path / "evaluate", tmp_path / "evaluate-flow", "per_query.csv", "metrics.json"
    )


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_server")
def test_experiment_train_and_audit_start_their_temporary_api_early_and_do_what_the_flows_do(
    tmp_path: Path, embedding_cache_dir: Path, flow_settings: Any
) -> None:
    from pipelines.batch_scoring import batch_scoring
    from pipelines.bias_audit import bias_audit
    from pipelines.cross_domain import cross_domain_experiment
    from pipelines.experiment import ranking_experiment

    from matcher.evaluation.grid import load_grid
    from matcher.evaluation.labelled_sets import LabelledSetSpec

    jobs, resumes = _inputs(tmp_path / "in")
    qrels = _qrels(jobs, resumes)
    labelled = ["--jobs", str(jobs), "--resumes", str(resumes), "--qrels", str(qrels)]

    grid = tmp_path / "grid.toml"
    grid.write_text(
        '[[rankers]]\nname = "bm25"\n\n[[rankers]]\nname = "tfidf"\n'
        '\n[[rankers]]\nname = "bm25"\nlabel = "bm25 k1 1.2"\nparams = {k1 = 1.2}\n'
    )
    printed = _command(tmp_path, embedding_cache_dir, "experiment", *labelled, "--grid", str(grid))
    summary = ranking_experiment(jobs, resumes, qrels, grid=load_grid(grid), settings=flow_settings)
    assert f"best: {summary['best']} (run " in printed
    for row in summary["comparison"]:
        assert f"{row['label']:<24} {row['nDCG@10']:>8.4f} {row['MRR']:>8.4f}" in printed

    weights = tmp_path / "trained.json"
    train = ["train", "--set", f"small={jobs.parent}", "--folds", "2", "--out", str(weights)]
    printed = _command(tmp_path, embedding_cache_dir, *train)
    flow_weights = tmp_path / "trained-flow.json"
    spec = LabelledSetSpec(name="small", path=jobs.parent)
    result = cross_domain_experiment([spec], flow_settings, weights_out=flow_weights, folds=2)
    assert result["markdown"].splitlines()[0] in printed.splitlines()  # the matrix on stdout
    trained, by_flow = json.loads(weights.read_text()), json.loads(flow_weights.read_text())
    for key in ("weights", "calibration", "cross_domain_matrix"):
        assert trained[key] == by_flow[key], key

    run = tmp_path / "run"
    batch_scoring(jobs, resumes, run, flow_settings)
    demographics = tmp_path / "demographics.csv"
    ids = sorted(pd.read_parquet(run / "decisions.parquet")["resume_id"].unique())
    sexes = ["Female" if number % 2 else "Male" for number in range(len(ids))]
    pd.DataFrame({"resume_id": ids, "sex": sexes}).to_csv(demographics, index=False)
    audit = ["audit", "--run", str(run), "--demographics", str(demographics)]
    printed = _command(tmp_path, embedding_cache_dir, *audit, "--out", str(tmp_path / "audit"))
    # the paths on stdout (the log lines go to stderr, where `_command` reads the run's URL)
    assert f"audit table: {tmp_path / 'audit' / 'audit.csv'}" in printed.splitlines()
    assert f"audit page: {tmp_path / 'audit' / 'audit.html'}" in printed.splitlines()
    bias_audit(run, demographics, flow_settings, out_dir=tmp_path / "audit-flow")
    _assert_same_files(tmp_path / "audit", tmp_path / "audit-flow", "audit.csv")


def test_imports_done_while_the_temporary_api_boots_fail_only_where_the_flow_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matcher.orchestration.server import api_answers
    from matcher.orchestration.temporary_api import TemporaryAPI, first_use_imports

    tried = tmp_path / "tried"
    (tmp_path / "broken_on_import.py").write_text(
        f"open({str(tried)!r}, 'a').write('x')\nraise RuntimeError('the module is broken')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    api = TemporaryAPI(timeout=180)
    try:
        # The server is a few milliseconds old: it cannot answer before the first step.
        api.wait(meanwhile=first_use_imports(["broken_on_import"]))
        assert api_answers(api.api_url)
    finally:
        api.stop()
    assert tried.read_text() == "x"  # imported while waiting, and its error kept for later
    with pytest.raises(RuntimeError, match="the module is broken"):
        __import__("broken_on_import")
    assert tried.read_text() == "xx"
    assert api.process.poll() is not None


def _heartbeat_threads() -> int:
    """Prefect's flow run heartbeat threads running now (their target is its heartbeat loop)."""
    import threading

    return sum("heartbeat_loop" in repr(getattr(t, "_args", ())) for t in threading.enumerate())


@pytest.mark.usefixtures("prefect_server")
def test_flows_on_the_temporary_api_send_no_heartbeats_and_others_do() -> None:
    from prefect import flow
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        temporary_settings,
    )

    from matcher.orchestration.temporary_api import TemporaryAPI, flows_on

    @flow
    def heartbeats_during_the_run() -> int:
        return _heartbeat_threads()

    # A flow on a lasting server (Prefect's default heartbeat) beats while it runs.
    with temporary_settings(restore_defaults={PREFECT_FLOWS_HEARTBEAT_FREQUENCY}):
        assert heartbeats_during_the_run() == 1
    assert _heartbeat_threads() == 0

    api = TemporaryAPI(timeout=180)
    try:
        with (
            temporary_settings(
                updates={PREFECT_API_URL: api.api_url},
                restore_defaults={PREFECT_FLOWS_HEARTBEAT_FREQUENCY},
            ),
            flows_on(api),
        ):
            assert heartbeats_during_the_run() == 0
            assert heartbeats_during_the_run.with_options(name="second")() == 0
        with (
            flows_on(None),
            temporary_settings(restore_defaults={PREFECT_FLOWS_HEARTBEAT_FREQUENCY}),
        ):
            assert heartbeats_during_the_run() == 1  # no temporary API: as Prefect runs it
    finally:
        api.stop()


@pytest.mark.slow
def test_a_first_run_whose_model_cannot_load_fails_with_the_loaders_error_and_writes_nothing(
    tmp_path: Path,
) -> None:
    """A model folder that passes the settings check but cannot load (corrupt weights) stops
    the run with the loader's own error, where the flow meets it, and leaves the output
    folder unwritten."""
    from matcher.ranking.embedding import Embedder, resolve_model_path

    # Weights there but corrupt (a truncated copy, say): the settings check passes the folder.
    model = tmp_path / "model"
    model.mkdir()
    for item in resolve_model_path(None).iterdir():
        if item.suffix in (".json", ".txt") or item.is_dir():
            (model / item.name).symlink_to(item, target_is_directory=item.is_dir())
    (model / "model.safetensors").write_bytes(b"not safetensors")
    with pytest.raises(Exception) as loading:
        Embedder(model, show_progress=False).model  # noqa: B018
    jobs, resumes = _inputs(tmp_path / "in")
    env = user_env(tmp_path / "run", tmp_path / "cache")  # a new cache: every text encodes
    env["MATCHER_EMBEDDING__MODEL_PATH"] = str(model)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "matcher", "score", "--jobs", str(jobs)]
    command += ["--resumes", str(resumes), "--out", str(out)]
    done = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 1, done.stderr[-3000:]
    assert f"{type(loading.value).__name__}: {loading.value}" in done.stderr, done.stderr[-3000:]
    assert not out.exists()
