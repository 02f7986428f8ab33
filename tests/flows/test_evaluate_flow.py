"""The evaluation flow on the bundled sample's qrels: real model, Prefect and MLflow."""

from __future__ import annotations

import json
from pathlib import Path

import mlflow
import pandas as pd
import pytest

from matcher.evaluation.metrics import METRIC_NAMES
from matcher.settings import Settings
from matcher.tracking.experiment_log import EVALUATION_EXPERIMENT
from tests.conftest import SAMPLE
from tests.flows.conftest import encoding_progress

pytestmark = pytest.mark.usefixtures("prefect_server")


def test_the_flow_writes_the_metrics_and_logs_the_run(
    flow_settings: Settings, tmp_path: Path
) -> None:
    from pipelines.evaluate import evaluation_flow

    settings = flow_settings.model_copy(
        update={
            "ranking": flow_settings.ranking.model_copy(
                update={"dense_weight": 0.8, "lexical_weight": 0.2}
            )
        }
    )
    out = tmp_path / "evaluation"
    result = evaluation_flow(
        SAMPLE / "jobs.csv",
        SAMPLE / "resumes",
        SAMPLE / "qrels.csv",
        out,
        settings,
        ranker="hybrid",
        params={"k1": 1.2},
    )
    # explicit parameters are merged over the settings' weights, not instead of them
    assert result["ranker"]["params"]["dense_weight"] == pytest.approx(0.8)
    assert result["ranker"]["params"]["k1"] == 1.2
    assert list(result["summary"]) == list(METRIC_NAMES)
    assert json.loads((out / "metrics.json").read_text()) == result["summary"]
    per_query = pd.read_csv(out / "per_query.csv")
    assert len(per_query) == result["queries"] > 0
    client = mlflow.MlflowClient(tracking_uri=settings.mlflow_tracking_uri)
    run = client.get_run(result["mlflow_run_id"])
    assert client.get_experiment(run.info.experiment_id).name == EVALUATION_EXPERIMENT
    assert run.data.params["ranker"] == "hybrid"
    assert run.data.params["ranker.dense_weight"] == "0.8"
    assert run.data.metrics["nDCG_at_10"] == pytest.approx(result["summary"]["nDCG@10"], abs=1e-6)


def test_an_evaluation_with_a_cold_cache_shows_the_encoding_progress(
    flow_settings: Settings, tmp_path: Path, flow_run_lines: list[str]
) -> None:
    """The ranker encodes inside one task, so the flow's log says how far the encoding got:
    a few lines per large call, as a score run's stages do, not one per batch."""
    from pipelines.evaluate import evaluation_flow

    settings = flow_settings.model_copy(
        update={
            "embedding": flow_settings.embedding.model_copy(
                update={"cache_dir": tmp_path / "cold-cache"}
            )
        }
    )
    evaluation_flow(
        SAMPLE / "jobs.csv",
        SAMPLE / "resumes",
        SAMPLE / "qrels.csv",
        tmp_path / "evaluation",
        settings,
        ranker="requirements",
    )
    encoding_progress("\n".join(flow_run_lines))


def test_two_stage_evaluation_reports_the_stage1_recall(
    flow_settings: Settings, tmp_path: Path
) -> None:
    """With --candidates, relevant resumes stage 1 leaves out cannot be found: the recall says
    how many reached the ranker, and with every resume a candidate the metrics are exhaustive's."""
    from pipelines.evaluate import evaluation_flow

    def run(candidates: int) -> dict[str, float]:
        result = evaluation_flow(
            SAMPLE / "jobs.csv",
            SAMPLE / "resumes",
            SAMPLE / "qrels.csv",
            tmp_path / f"evaluation-{candidates}",
            flow_settings,
            ranker="requirements",
            candidates=candidates,
        )
        summary: dict[str, float] = result["summary"]
        return summary

    exhaustive, every, few = run(0), run(1000), run(1)
    assert "stage1_recall" not in exhaustive
    assert every == {**exhaustive, "stage1_recall": 1.0}
    assert 0.0 < few["stage1_recall"] < 1.0  # one resume from each source cannot hold them all
    assert few["Recall@50"] < exhaustive["Recall@50"]  # what stage 1 left out is not found


def test_bad_qrels_fail_the_flow_with_the_reason(flow_settings: Settings, tmp_path: Path) -> None:
    from pipelines.evaluate import evaluation_flow

    from matcher.evaluation.labelled import LabelledDataError

    qrels = tmp_path / "qrels.csv"
    qrels.write_text("job_id,resume_id,relevance\nJ-1001,r-ghost,1\n", encoding="utf-8")
    with pytest.raises(LabelledDataError, match="r-ghost"):
        evaluation_flow(
            SAMPLE / "jobs.csv", SAMPLE / "resumes", qrels, tmp_path / "out", flow_settings, "bm25"
        )


def test_a_bad_judged_record_is_one_error_line_without_the_flows_tracebacks(
    tmp_path: Path,
) -> None:
    """As a user runs it: the rejected record's warning and the error, nothing of Prefect's
    report of the failed task and flow (two tracebacks, 70 lines, had come first)."""
    import subprocess
    import sys

    from tests.flows.conftest import user_env

    (tmp_path / "jobs.csv").write_text("job_id,title,description\nJ1,Analyst,SQL and Python.\n")
    resumes = "resume_id,text\nR1,Analyst: SQL and Python for six years.\nR2,   \n"
    (tmp_path / "resumes.csv").write_text(resumes)
    (tmp_path / "qrels.csv").write_text("job_id,resume_id,relevance\nJ1,R1,2\nJ1,R2,1\n")
    arguments = [f"--{name}={tmp_path / name}.csv" for name in ("jobs", "resumes", "qrels")]
    arguments += ["--out", str(tmp_path / "out")]
    done = subprocess.run(
        [sys.executable, "-m", "matcher", "-q", "evaluate", *arguments, "--ranker", "bm25"],
        env=user_env(tmp_path / "command", tmp_path / "cache"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 2, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert "Traceback" not in done.stderr and "Failed" not in done.stderr, done.stderr[-3000:]
    assert lines[-1].startswith("error: qrels name 1 resume_id(s) not in the resumes: R2"), lines
    assert "R2 (empty text" in lines[-1]
    assert all("WARNING" in line for line in lines[:-1]), lines
