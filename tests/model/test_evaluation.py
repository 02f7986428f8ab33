"""`matcher evaluate` on a tiny labelled set whose metric values are worked out by hand.

The set has three postings from unrelated occupations. For each, the lexical rankers must put
the resume of the same occupation that shares most words first and the one sharing fewer
second; every other resume shares no word with the posting. The nurse posting's grades are
deliberately inverted (the weaker resume is graded 2), so its metrics are not perfect:

* python: strong (2) at 1, partial (1) at 2, chef (0) scores 0 -> nDCG 1, RR 1, 3/3 pairs
* nurse: strong (1) at 1, partial (2) at 2 -> nDCG (1 + 2/log2 3) / (2 + 1/log2 3), RR 1/2,
  0/1 pairs
* electrician: strong (2) at 1 -> nDCG 1, RR 1, no pairs
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import mlflow
import pandas as pd
import pytest
from typer.testing import CliRunner

from matcher.cli import app
from matcher.evaluation.metrics import METRIC_NAMES

pytestmark = pytest.mark.usefixtures("prefect_server")  # evaluate runs a flow

POSTINGS = pd.DataFrame(
    {
        "job_id": ["j-py", "j-rn", "j-el"],
        "title": ["Python developer", "ICU registered nurse", "Journeyman electrician"],
        "description": [
            "Build REST APIs with Python, Django and PostgreSQL. Docker and AWS daily.",
            "Critical care nursing in the ICU. BLS and ACLS certification, ventilator care.",
            "Install conduit and panel upgrades to NEC code. Commercial wiring troubleshooting.",
        ],
    }
)
RESUMES = pd.DataFrame(
    {
        "resume_id": [
            "r-py-strong",
            "r-py-partial",
            "r-rn-strong",
            "r-rn-partial",
            "r-el-strong",
            "r-chef",
        ],
        "text": [
            "Maria Lopez\nPython developer. Django REST APIs on PostgreSQL, Docker images on AWS.",
            "Tom Berg\nJunior developer who wrote some Python scripts for reports.",
            "Ana Silva\nRegistered nurse, ICU critical care. BLS, ACLS, ventilator care.",
            "Li Wei\nNursing assistant on an ICU ward, helping patients wash and eat.",
            "Sam Cole\nJourneyman electrician: conduit, panel upgrades, NEC code, shop wiring",
            "Jo Marsh\nLine cook and chef: menu planning, food safety, ordering from suppliers.",
        ],
    }
)
QRELS = pd.DataFrame(
    {
        "job_id": ["j-py", "j-py", "j-py", "j-rn", "j-rn", "j-el"],
        "resume_id": [
            "r-py-strong",
            "r-py-partial",
            "r-chef",
            "r-rn-strong",
            "r-rn-partial",
            "r-el-strong",
        ],
        "relevance": [2, 1, 0, 1, 2, 2],
    }
)
NURSE_NDCG = (1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3))
EXPECTED = {
    "nDCG@5": (1 + NURSE_NDCG + 1) / 3,
    "nDCG@10": (1 + NURSE_NDCG + 1) / 3,
    "MRR": (1 + 0.5 + 1) / 3,
    "MAP": 1.0,  # every relevant resume is above every other one
    "P@10": (2 + 2 + 1) / 10 / 3,
    "Recall@10": 1.0,
    "Recall@50": 1.0,
    "pairwise_accuracy": 3 / 4,
}


@pytest.fixture(scope="module")
def labelled_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("labelled")
    paths = {name: folder / f"{name}.csv" for name in ("jobs", "resumes", "qrels")}
    POSTINGS.to_csv(paths["jobs"], index=False)
    RESUMES.to_csv(paths["resumes"], index=False)
    QRELS.to_csv(paths["qrels"], index=False)
    # The same judgements with the resume as the query, for jobs-for-resume.
    by_resume = folder / "qrels_by_resume.csv"
    pd.DataFrame(
        {
            "resume_id": [
                "r-py-strong",
                "r-rn-strong",
                "r-el-strong",
                "r-rn-partial",
                "r-rn-partial",
            ],
            "job_id": ["j-py", "j-rn", "j-el", "j-rn", "j-py"],
            "relevance": [2, 2, 2, 1, 0],
        }
    ).to_csv(by_resume, index=False)
    paths["qrels_by_resume"] = by_resume
    return paths


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, embedding_cache_dir: Path) -> dict[str, str]:
    store = tmp_path_factory.mktemp("mlflow") / "mlflow.db"
    return {
        "MATCHER_MLFLOW_TRACKING_URI": f"sqlite:///{store}",
        "MATCHER_EMBEDDING__CACHE_DIR": str(embedding_cache_dir),
    }


def _evaluate(files: dict[str, Path], env: dict[str, str], *args: str, qrels: str = "qrels"):  # type: ignore[no-untyped-def]
    command = [
        "evaluate",
        "--jobs",
        str(files["jobs"]),
        "--resumes",
        str(files["resumes"]),
        "--qrels",
        str(files[qrels]),
        *args,
    ]
    return CliRunner().invoke(app, command, env=env)


@pytest.mark.parametrize("ranker", ["bm25", "tfidf"])
def test_json_output_is_one_object_with_the_hand_computed_metrics(
    labelled_files: dict[str, Path], env: dict[str, str], tmp_path: Path, ranker: str
) -> None:
    result = _evaluate(
        labelled_files, env, "--ranker", ranker, "--json", "--out", str(tmp_path / "out")
    )
    assert result.exit_code == 0, result.stderr
    metrics = json.loads(result.stdout)  # stdout holds nothing but the object
    run_id = metrics.pop("mlflow_run_id")
    assert list(metrics) == list(METRIC_NAMES)
    client = mlflow.MlflowClient(tracking_uri=env["MATCHER_MLFLOW_TRACKING_URI"])
    assert client.get_run(run_id).data.params["ranker"] == ranker
    for name, value in EXPECTED.items():
        assert metrics[name] == pytest.approx(value, abs=1e-6), name
    per_query = pd.read_csv(tmp_path / "out" / "per_query.csv").set_index("query_id")
    assert per_query.loc["j-rn", "MRR"] == 0.5 and per_query.loc["j-py", "pairs"] == 3
    assert json.loads((tmp_path / "out" / "metrics.json").read_text()) == metrics


def test_the_evaluation_is_an_mlflow_run_with_its_table(
    labelled_files: dict[str, Path], env: dict[str, str], tmp_path: Path
) -> None:
    result = _evaluate(
        labelled_files, env, "--ranker", "bm25", "--param", "k1=1.2", "--out", str(tmp_path)
    )
    assert result.exit_code == 0, result.stderr
    assert f"per-query results: {tmp_path / 'per_query.csv'}" in result.stdout
    assert f"metrics: {tmp_path / 'metrics.json'}" in result.stdout
    run_id = result.stdout.split("MLflow run: ")[1].split()[0]
    client = mlflow.MlflowClient(tracking_uri=env["MATCHER_MLFLOW_TRACKING_URI"])
    run = client.get_run(run_id)
    assert run.data.params["ranker"] == "bm25" and run.data.params["ranker.k1"] == "1.2"
    assert len(run.data.params["dataset.qrels_sha256"]) == 64
    assert run.data.metrics["nDCG_at_10"] == pytest.approx(EXPECTED["nDCG@10"])
    assert run.data.metrics["pairwise_accuracy"] == pytest.approx(0.75)
    artifacts = {a.path for a in client.list_artifacts(run_id)}
    assert {"per_query.csv", "ranker_config.json", "metrics.json", "plots"} <= artifacts


def test_jobs_for_resume_reads_qrels_with_the_resume_as_query(
    labelled_files: dict[str, Path], env: dict[str, str], tmp_path: Path
) -> None:
    result = _evaluate(
        labelled_files,
        env,
        "--ranker",
        "bm25",
        "--direction",
        "jobs-for-resume",
        "--json",
        "--out",
        str(tmp_path),
        qrels="qrels_by_resume",
    )
    assert result.exit_code == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert metrics["nDCG@10"] == pytest.approx(1.0)
    # r-rn-partial's best job has grade 1, below the qrels' top grade 2: its MRR is 0
    assert metrics["MRR"] == pytest.approx(3 / 4)
    assert metrics["pairwise_accuracy"] == 1.0


def test_dense_and_hybrid_rank_the_strong_matches_first(
    labelled_files: dict[str, Path], env: dict[str, str], tmp_path: Path
) -> None:
    for ranker in ("dense", "hybrid"):
        result = _evaluate(
            labelled_files, env, "--ranker", ranker, "--json", "--out", str(tmp_path / ranker)
        )
        assert result.exit_code == 0, result.stderr
        metrics = json.loads(result.stdout)
        assert metrics["Recall@10"] == 1.0 and metrics["MAP"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("args", "qrels_text", "message"),
    [
        (["--ranker", "nope"], None, "unknown ranker 'nope'"),
        (["--param", "colour=red", "--ranker", "bm25"], None, "bad parameters for ranker"),
        (["--param", "k1=abc", "--ranker", "bm25"], None, "k1 takes a number, got 'abc'"),
        (["--param", "k1=-3", "--ranker", "bm25"], None, "k1=-3 is out of range"),
        (["--param", "k1"], None, "use NAME=VALUE"),
        (["--direction", "sideways"], None, "--direction must be one of"),
        ([], "job_id,resume_id,relevance\nj-py,r-chef,maybe\n", "line 2 .*'maybe'"),
        ([], "job_id,resume_id,relevance\nj-py,r-ghost,1\nj-zz,r-chef,0\n", "r-ghost"),
        ([], "job_id,resume_id,grade\nj-py,r-chef,1\n", "missing column"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    labelled_files: dict[str, Path],
    env: dict[str, str],
    tmp_path: Path,
    args: list[str],
    qrels_text: str | None,
    message: str,
) -> None:
    files = dict(labelled_files)
    if qrels_text is not None:
        files["qrels"] = tmp_path / "bad_qrels.csv"
        files["qrels"].write_text(qrels_text, encoding="utf-8")
    result = _evaluate(files, env, *args, "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and re.search(message, lines[0]), result.stderr
    assert result.stdout == ""


def test_a_missing_input_file_is_named(
    labelled_files: dict[str, Path], env: dict[str, str]
) -> None:
    files = {**labelled_files, "qrels": labelled_files["qrels"].with_name("absent.csv")}
    result = _evaluate(files, env)
    assert result.exit_code == 2 and "--qrels" in result.stderr and "absent.csv" in result.stderr
