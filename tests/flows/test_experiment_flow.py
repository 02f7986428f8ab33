"""The ranking-experiment flow end to end on a slice of RJDB: real Prefect, MLflow and model."""

from __future__ import annotations

from pathlib import Path

import mlflow
import pandas as pd
import pytest
from typer.testing import CliRunner

from matcher.cli import app
from matcher.evaluation.comparison import MIN_PROMOTION_QUERIES
from matcher.evaluation.grid import GridEntry, make_grid
from matcher.evaluation.labelled import LabelledSet, load_labelled_set
from matcher.evaluation.metrics import METRIC_NAMES
from matcher.ranking.embedding import Embedder
from matcher.settings import Settings, load_settings
from matcher.text.texts import posting_texts, resume_texts
from matcher.tracking.experiment_log import GRID_EXPERIMENT, KIND_TAG, PARENT_TAG
from matcher.tracking.registry import CONFIG_ARTIFACT, MODEL_NAME, find_champion

pytestmark = pytest.mark.usefixtures("prefect_server")

QUERIES = 15
GRID = make_grid(
    [
        GridEntry("bm25", "bm25"),
        GridEntry("bm25(k1=1.2)", "bm25", {"k1": 1.2}),
        GridEntry("dense", "dense"),
        GridEntry("hybrid", "hybrid", {"dense_weight": 0.5, "lexical_weight": 0.5}),
    ]
)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("experiment")
    # A cache of its own, so that the test can tell how many texts were embedded.
    return load_settings(
        embedding={"cache_dir": root / "cache"},
        mlflow_tracking_uri=f"sqlite:///{root / 'mlflow.db'}",
    )


@pytest.fixture(scope="module")
def experiment(settings: Settings, rjdb_dir: Path):  # type: ignore[no-untyped-def]
    from pipelines.experiment import ranking_experiment

    return ranking_experiment(
        rjdb_dir / "jobs.csv",
        rjdb_dir / "resumes.csv",
        rjdb_dir / "qrels.csv",
        grid=GRID,
        settings=settings,
        promote_best=True,
        max_queries=QUERIES,
        judged_only=True,  # their judged resumes only: every ranker embeds less
    )


@pytest.fixture(scope="module")
def client(settings: Settings):  # type: ignore[no-untyped-def]
    return mlflow.MlflowClient(tracking_uri=settings.mlflow_tracking_uri)


def test_each_configuration_is_a_child_run_with_metrics_and_artifacts(experiment, client) -> None:  # type: ignore[no-untyped-def]
    parent = client.get_run(experiment["parent_run_id"])
    assert parent.data.tags[KIND_TAG] == "experiment" and parent.info.status == "FINISHED"
    children = client.search_runs(
        [experiment["experiment_id"]], f"tags.`{PARENT_TAG}` = '{parent.info.run_id}'"
    )
    assert sorted(c.info.run_name for c in children) == sorted(GRID.labels)
    assert {c.info.run_id for c in children} == set(experiment["child_runs"].values())
    for child in children:
        metrics, params = child.data.metrics, child.data.params
        assert {name.replace("@", "_at_") for name in METRIC_NAMES} <= set(metrics)
        assert metrics["queries"] == QUERIES
        assert params["queries"] == str(QUERIES) and params["direction"] == "resumes-for-job"
        assert len(params["dataset.dataset_sha256"].split(":")[0]) == 64
        assert len(params["dataset.jobs_sha256"]) == 64 and params["git_commit"]
        paths = {a.path for a in client.list_artifacts(child.info.run_id)}
        assert {"per_query.csv", CONFIG_ARTIFACT, "metrics.json", "plots"} <= paths
        plots = {a.path for a in client.list_artifacts(child.info.run_id, "plots")}
        assert plots == {"plots/metrics.png", "plots/score_distribution.png"}
    assert parent.data.params["dataset.dataset_sha256"] == params["dataset.dataset_sha256"]


def test_the_parent_holds_the_comparison_with_significance_tests(
    experiment, client, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    run_id = experiment["parent_run_id"]
    paths = {a.path for a in client.list_artifacts(run_id)}
    assert {"comparison.csv", "comparison.md", "comparison.html", "grid.json", "plots"} <= paths
    table = pd.read_csv(client.download_artifacts(run_id, "comparison.csv", str(tmp_path)))
    assert set(table["label"]) == set(GRID.labels)
    assert table["nDCG@10"].is_monotonic_decreasing
    baseline = table[table["baseline"]].iloc[0]
    assert baseline["label"] == "bm25" and baseline["vs_baseline_p_wilcoxon"] == 1.0
    assert table["vs_baseline_p_wilcoxon"].between(0, 1).all()
    assert (
        table["vs_baseline_wins"] + table["vs_baseline_losses"] + table["vs_baseline_ties"]
        == QUERIES
    ).all()
    assert table.loc[0, "label"] == experiment["best"]
    markdown = Path(client.download_artifacts(run_id, "comparison.md", str(tmp_path))).read_text()
    assert "(baseline)" in markdown and "p (Wilcoxon)" in markdown


def test_the_best_configuration_is_registered_but_not_promoted_on_too_few_queries(
    experiment, client, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    children = {
        label: client.get_run(run_id).data.metrics["nDCG_at_10"]
        for label, run_id in experiment["child_runs"].items()
    }
    best = max(children, key=lambda label: (children[label], -GRID.labels.index(label)))
    assert experiment["best"] == best
    registered = experiment["registered"]
    assert registered["model_name"] == MODEL_NAME and registered["version"]
    assert registered["run_id"] == experiment["child_runs"][best]
    # --promote-best on 15 queries: too few to tell a real gain from chance, so no champion.
    assert experiment["promoted"] is False and "champion" not in registered["aliases"]
    assert experiment["promotion_reason"] == (
        f"only {QUERIES} judged queries; promotion needs at least {MIN_PROMOTION_QUERIES}"
    )
    assert find_champion(settings.mlflow_tracking_uri) is None


def test_every_text_is_embedded_once(experiment, settings: Settings, rjdb_dir: Path) -> None:  # type: ignore[no-untyped-def]
    labelled = load_labelled_set(
        rjdb_dir / "jobs.csv", rjdb_dir / "resumes.csv", rjdb_dir / "qrels.csv"
    ).subset(QUERIES)
    embedder = Embedder(cache_dir=None, show_progress=False)
    chunks = {
        chunk
        for text in [*posting_texts(labelled.postings), *resume_texts(labelled.resumes)]
        for chunk in embedder.chunk_text(text)
    }
    # dense and hybrid both scored, yet each distinct chunk went through the model only once
    assert experiment["embedding"]["texts_embedded"] == len(chunks)
    assert experiment["embedding"]["cache_hits"] >= len(chunks)


def test_the_cli_runs_a_grid_file_and_promotes(
    settings: Settings, rjdb_dir: Path, tmp_path: Path
) -> None:
    grid = tmp_path / "grid.toml"
    grid.write_text(
        'baseline = "bm25"\n'
        '[[rankers]]\nname = "bm25"\n'
        '[[rankers]]\nname = "tfidf"\nparams = { ngram_max = 1 }\n',
        encoding="utf-8",
    )
    env = {"MATCHER_MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'mlflow.db'}"}
    args = [
        "experiment",
        "--jobs",
        str(rjdb_dir / "jobs.csv"),
        "--resumes",
        str(rjdb_dir / "resumes.csv"),
        "--qrels",
        str(rjdb_dir / "qrels.csv"),
        "--max-queries",
        "5",
    ]
    result = CliRunner().invoke(app, [*args, "--grid", str(grid), "--promote-best"], env=env)
    assert result.exit_code == 0, result.stderr
    assert "tfidf(ngram_max=1)" in result.stdout and "as champion" not in result.stdout
    assert "not promoted: only 5 judged queries; promotion needs at least 30" in result.stdout
    assert find_champion(env["MATCHER_MLFLOW_TRACKING_URI"]) is None
    runs = mlflow.MlflowClient(env["MATCHER_MLFLOW_TRACKING_URI"]).search_experiments()
    assert GRID_EXPERIMENT in {e.name for e in runs}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[rankers]]\nname = "bm9000"\n', "unknown ranker 'bm9000'"),
        ('[[rankers]]\nname = "bm25"\nparams = { k3 = 1 }\n', "bad parameters"),
        ('baseline = "dense"\n[[rankers]]\nname = "bm25"\n', "baseline 'dense' is not"),
        ("rankers = [", "not valid TOML"),
    ],
)
def test_a_bad_grid_file_is_one_line_and_exit_code_2(
    rjdb_dir: Path, tmp_path: Path, text: str, message: str
) -> None:
    grid = tmp_path / "grid.toml"
    grid.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            "experiment",
            "--jobs",
            str(rjdb_dir / "jobs.csv"),
            "--resumes",
            str(rjdb_dir / "resumes.csv"),
            "--qrels",
            str(rjdb_dir / "qrels.csv"),
            "--grid",
            str(grid),
        ],
        env={"MATCHER_MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'mlflow.db'}"},
    )
    assert result.exit_code == 2 and message in result.stderr
    assert not (tmp_path / "mlflow.db").exists()  # nothing ran


def test_max_queries_ranks_against_every_document_unless_judged_only(rjdb_dir: Path) -> None:
    from pipelines.experiment import load_labelled
    from prefect import flow

    paths = (rjdb_dir / "jobs.csv", rjdb_dir / "resumes.csv", rjdb_dir / "qrels.csv")

    @flow
    def load(max_queries: int | None, judged_only: bool = False) -> LabelledSet:
        return load_labelled(*paths, "resumes-for-job", max_queries, judged_only=judged_only)

    whole, judged = load(5), load(5, judged_only=True)

    assert len(whole.qrels) == len(judged.qrels) == 5
    # a data scientist's "first 5 queries" had also dropped every unjudged resume, so the
    # same queries read better with the flag than without (help: "the first N judged queries")
    everyone = load(None)
    assert len(whole.resumes) == len(everyone.resumes) == 1000
    judged_ids = {r for q in judged.qrels.values() for r in q}
    assert set(judged.resumes["resume_id"]) == judged_ids and len(judged_ids) < 20
    assert whole.hashes["dataset"].endswith(":queries=5")
    assert judged.hashes["dataset"].endswith(":subset=5")
