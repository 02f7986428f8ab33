"""The matcher-ranker registry: promote a run, score with the champion, load it elsewhere.

Real MLflow (a SQLite store in a temporary folder), the real embedding model and the real
batch-scoring flow.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from matcher.cli import app
from matcher.evaluation.evaluate import evaluate_ranker
from matcher.evaluation.labelled import LabelledSet, qrels_from_frame
from matcher.ranking.catalogue import make_ranker
from matcher.ranking.embedding import Embedder
from matcher.ranking.rankers import HybridRanker
from matcher.ranking.scoring import select_ranker
from matcher.settings import Settings, load_settings
from matcher.text.preprocess import prepare_postings, prepare_resumes
from matcher.tracking.experiment_log import EVALUATION_EXPERIMENT, log_evaluation
from matcher.tracking.mlflow_runs import ensure_experiment
from matcher.tracking.ranker_config import RankerConfig, ranker_from_config, score_pairs
from matcher.tracking.registry import MODEL_NAME, find_champion, promote
from tests.conftest import REPO
from tests.model.test_evaluation import POSTINGS, QRELS, RESUMES


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('registry') / 'mlflow.db'}"


@pytest.fixture(scope="module")
def settings(
    store: str, embedding_cache_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return load_settings(
        embedding={"cache_dir": embedding_cache_dir},
        index_dir=tmp_path_factory.mktemp("index"),
        mlflow_tracking_uri=store,
        ranking={"top_k": 3},
    )


@pytest.fixture(scope="module")
def labelled() -> LabelledSet:
    postings, _ = prepare_postings(POSTINGS)
    resumes, _, _ = prepare_resumes(RESUMES, deduplicate=False)
    return LabelledSet(postings, resumes, qrels_from_frame(QRELS.astype(str), "resumes-for-job"))


def _log_run(ranker, labelled: LabelledSet, store: str) -> str:  # type: ignore[no-untyped-def]
    experiment_id = ensure_experiment(EVALUATION_EXPERIMENT, store)
    return log_evaluation(evaluate_ranker(ranker, labelled), labelled, experiment_id)


@pytest.fixture(scope="module")
def champion(labelled: LabelledSet, store: str, embedder: Embedder):  # type: ignore[no-untyped-def]
    """A hybrid ranker with non-default weights, evaluated, logged and promoted."""
    ranker = make_ranker("hybrid", embedder=embedder, dense_weight=0.7, lexical_weight=0.3)
    run_id = _log_run(ranker, labelled, store)
    return run_id, promote(run_id, store)


def test_a_missing_store_means_the_default_ranker(tmp_path: Path, embedder: Embedder) -> None:
    db = tmp_path / "fresh" / "mlflow.db"
    fresh = load_settings(mlflow_tracking_uri=f"sqlite:///{db}")
    ranker, info = select_ranker(fresh, embedder)
    assert info["source"] == "built-in default" and ranker.name == fresh.ranking.ranker
    assert not db.exists() and not db.parent.exists()  # looking did not create a store


def test_a_store_without_a_champion_means_the_default_ranker(
    tmp_path: Path, embedder: Embedder
) -> None:
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    ensure_experiment("batch", uri)  # a store as a batch run leaves it: no registered model
    assert find_champion(uri) is None
    mlflow.MlflowClient(tracking_uri=uri).create_registered_model(MODEL_NAME)  # no alias yet
    assert find_champion(uri) is None
    _, info = select_ranker(load_settings(mlflow_tracking_uri=uri), embedder)
    assert info["source"] == "built-in default"


def test_promote_registers_the_run_and_sets_the_alias(champion, store: str) -> None:  # type: ignore[no-untyped-def]
    run_id, registered = champion
    assert registered.model_name == MODEL_NAME and registered.run_id == run_id
    assert "champion" in registered.aliases
    version = mlflow.MlflowClient(tracking_uri=store).get_model_version_by_alias(
        MODEL_NAME, "champion"
    )
    assert str(version.version) == registered.version
    found = find_champion(store)
    assert found is not None and found.config.params["dense_weight"] == 0.7
    assert found.config.embedding_model_id  # the fingerprint travels with the model


def test_select_ranker_uses_the_champion_and_describes_it(
    champion,
    settings: Settings,
    embedder: Embedder,  # type: ignore[no-untyped-def]
) -> None:
    run_id, registered = champion
    ranker, info = select_ranker(settings, embedder)
    assert isinstance(ranker, HybridRanker) and ranker.dense_weight == pytest.approx(0.7)
    assert info["source"] == f"models:/{MODEL_NAME}@champion"
    assert info["model_version"] == registered.version and info["run_id"] == run_id
    off = settings.model_copy(
        update={"ranking": settings.ranking.model_copy(update={"use_champion": False})}
    )
    default, default_info = select_ranker(off, embedder)
    assert default_info["source"] == "built-in default"
    assert default.name == settings.ranking.ranker == "requirements"


def test_a_champion_needing_another_embedding_model_is_refused(embedder: Embedder) -> None:
    config = RankerConfig("dense", {"aggregate": "max"}, embedding_model_id="other-model-123")
    with pytest.raises(ValueError, match="other-model-123"):
        ranker_from_config(config, embedder)
    lexical = RankerConfig("bm25", {"k1": 1.2, "b": 0.75}, embedding_model_id=None)
    assert ranker_from_config(lexical, embedder).params() == {"k1": 1.2, "b": 0.75}


@pytest.mark.usefixtures("prefect_server")
def test_batch_scoring_records_the_champion_in_the_manifest(
    champion,
    settings: Settings,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    from pipelines.batch_scoring import batch_scoring

    run_id, registered = champion
    POSTINGS.to_csv(tmp_path / "jobs.csv", index=False)
    RESUMES.to_csv(tmp_path / "resumes.csv", index=False)
    summary = batch_scoring(
        tmp_path / "jobs.csv", tmp_path / "resumes.csv", tmp_path / "out", settings
    )
    manifest = json.loads(Path(summary["manifest"]).read_text())
    ranker = manifest["ranker"]
    assert ranker["name"] == "hybrid" and ranker["params"]["dense_weight"] == 0.7
    assert ranker["model_name"] == MODEL_NAME and ranker["model_version"] == registered.version
    assert ranker["run_id"] == run_id and ranker["source"].endswith("@champion")


def test_the_registered_model_gives_the_same_ranking_in_a_fresh_process(
    champion,
    store: str,
    embedder: Embedder,
    embedding_cache_dir: Path,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    _, registered = champion
    pairs = POSTINGS.merge(RESUMES, how="cross")
    pairs.to_csv(tmp_path / "pairs.csv", index=False)
    script = (
        "import json, sys, mlflow, pandas as pd\n"
        f"mlflow.set_tracking_uri({store!r})\n"
        f"model = mlflow.pyfunc.load_model('models:/{MODEL_NAME}@champion',"
        f" model_config={{'cache_dir': {str(tmp_path / 'cache')!r}}})\n"
        f"pairs = pd.read_csv({str(tmp_path / 'pairs.csv')!r}, dtype=str)\n"
        "scores = model.predict(pairs, params={'direction': 'resumes-for-job'})\n"
        "print(json.dumps(scores.to_dict(orient='list')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**_clean_env(), "PYTHONPATH": str(REPO / "src")},
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # the cache folder given when loading is used (MLflow ignored it before 2026-12-06)
    assert "were ignored" not in done.stderr, done.stderr[-2000:]
    assert (tmp_path / "cache" / "embeddings.sqlite").is_file()
    loaded = pd.DataFrame(json.loads(done.stdout.strip().splitlines()[-1]))
    here = score_pairs(ranker_from_config(registered.config, embedder), pairs)
    np.testing.assert_allclose(loaded["score"], here["score"], atol=1e-5)
    for job_id in POSTINGS["job_id"]:
        fresh = loaded[loaded["job_id"] == job_id].sort_values("score", ascending=False)
        local = here[here["job_id"] == job_id].sort_values("score", ascending=False)
        assert fresh["resume_id"].tolist() == local["resume_id"].tolist()


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MATCHER_"))}


def test_recommend_ranks_postings_for_a_resume_file_with_the_champion(
    champion,
    settings: Settings,
    embedding_cache_dir: Path,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    POSTINGS.to_csv(tmp_path / "jobs.csv", index=False)
    resume = tmp_path / "ana-silva.txt"
    resume.write_text(RESUMES.loc[2, "text"], encoding="utf-8")
    env = {
        "MATCHER_MLFLOW_TRACKING_URI": settings.mlflow_tracking_uri,
        "MATCHER_EMBEDDING__CACHE_DIR": str(embedding_cache_dir),
    }
    result = CliRunner().invoke(
        app,
        [
            "recommend",
            "--resume",
            str(resume),
            "--jobs",
            str(tmp_path / "jobs.csv"),
            "--out",
            str(tmp_path / "out"),
            "--top-k",
            "2",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.stderr
    assert "@champion" in result.stdout
    table = pd.read_csv(tmp_path / "out" / "recommendations.csv")
    assert list(table.columns[:5]) == ["job_id", "job_title", "rank", "score", "score_breakdown"]
    assert {"matched_terms", "missing_terms", "evidence"} <= set(table.columns)
    assert table["rank"].tolist() == [1, 2] and table["job_id"].iloc[0] == "j-rn"
    assert table["score"].between(0, 100).all() and table["score"].is_monotonic_decreasing
    assert "overall similarity" in table["score_breakdown"].iloc[0]


def test_recommend_takes_a_table_row_and_needs_its_id(
    settings: Settings, embedding_cache_dir: Path, tmp_path: Path
) -> None:
    POSTINGS.to_csv(tmp_path / "jobs.csv", index=False)
    RESUMES.to_csv(tmp_path / "resumes.csv", index=False)
    env = {
        "MATCHER_MLFLOW_TRACKING_URI": settings.mlflow_tracking_uri,
        "MATCHER_EMBEDDING__CACHE_DIR": str(embedding_cache_dir),
    }
    base = [
        "recommend",
        "--resume",
        str(tmp_path / "resumes.csv"),
        "--jobs",
        str(tmp_path / "jobs.csv"),
        "--out",
        str(tmp_path / "out"),
    ]
    runner = CliRunner()
    ok = runner.invoke(app, [*base, "--resume-id", "r-el-strong"], env=env)
    assert ok.exit_code == 0, ok.stderr
    assert pd.read_csv(tmp_path / "out" / "recommendations.csv")["job_id"].iloc[0] == "j-el"
    missing = runner.invoke(app, base, env=env)
    assert missing.exit_code == 2 and "--resume-id" in missing.stderr
    unknown = runner.invoke(app, [*base, "--resume-id", "r-nobody"], env=env)
    assert unknown.exit_code == 2 and "r-nobody" in unknown.stderr


def test_promote_command_moves_the_champion_and_reuses_versions(
    champion,
    labelled: LabelledSet,
    store: str,
    embedding_cache_dir: Path,  # type: ignore[no-untyped-def]
) -> None:
    first_run, first = champion
    second_run = _log_run(make_ranker("bm25", k1=1.2), labelled, store)
    env = {"MATCHER_MLFLOW_TRACKING_URI": store}
    runner = CliRunner()
    result = runner.invoke(app, ["promote", second_run], env=env)
    assert result.exit_code == 0, result.stderr
    assert "is now the champion" in result.stdout
    champion_now = find_champion(store)
    assert champion_now is not None and champion_now.run_id == second_run
    assert champion_now.config.ranker == "bm25" and champion_now.version != first.version
    # the model's config reached the run's parameters: a lexical ranker's "none" had clashed
    # with MLflow's "None", and MLflow then logged none of the config (with a warning)
    params = mlflow.MlflowClient(tracking_uri=store).get_run(second_run).data.params
    assert params["embedding_model_id"] == "None" and params["params/k1"] == "1.2"
    assert "matcher_version" in params
    back = runner.invoke(app, ["promote", first_run], env=env)  # same run: same version
    assert back.exit_code == 0, back.stderr
    again = find_champion(store)
    assert again is not None and again.version == first.version
    unknown = runner.invoke(app, ["promote", "0123456789abcdef"], env=env)
    assert unknown.exit_code == 2 and "no MLflow run" in unknown.stderr
    nowhere = runner.invoke(
        app,
        ["promote", first_run],
        env={"MATCHER_MLFLOW_TRACKING_URI": "sqlite:////nonexistent/x.db"},
    )
    assert nowhere.exit_code == 2 and "no MLflow store" in nowhere.stderr
