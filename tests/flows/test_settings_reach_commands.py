"""Every setting reaches every command it concerns, set through environment variables.

One tiny labelled set, a one-skill O*NET taxonomy ("Widgetron Pro", unknown to the built-in
vocabulary), the packaged model under another folder name (so its fingerprint names the
folder), ``top_k`` 2 and hybrid weights 0.9/0.1. Each command runs through the real CLI.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import mlflow
import pandas as pd
import pytest
from typer.testing import CliRunner

from matcher.cli import app
from matcher.ranking.embedding import resolve_model_path
from matcher.tracking.experiment_log import EVALUATION_EXPERIMENT, GRID_EXPERIMENT, PARENT_TAG
from matcher.tracking.registry import find_champion

pytestmark = pytest.mark.usefixtures("prefect_server")

MODEL_NAME = "team-model"
POSTINGS = pd.DataFrame(
    {
        "job_id": ["j-wid", "j-rn", "j-el"],
        "title": ["Reporting Analyst", "Registered Nurse", "Electrician"],
        "description": [
            "Required: Widgetron Pro and Excel. Build weekly financial reports for the finance"
            " team.",
            "Required: RN license, BLS and 2 years of ICU experience. Care for patients in the"
            " intensive care unit.",
            "Required: journeyman license, conduit installation and NEC code. Panel upgrades on"
            " commercial sites.",
        ],
    }
)
RESUMES = pd.DataFrame(
    {
        "resume_id": ["r-wid", "r-xl", "r-rn", "r-el"],
        "text": [
            "Reporting analyst. Built weekly financial reports in Widgetron Pro and Excel for"
            " the finance team.",
            "Reporting analyst using Excel pivot tables and SQL queries for monthly finance"
            " reports.",
            "Registered nurse with BLS and ACLS, five years in the ICU caring for critically ill"
            " patients.",
            "Journeyman electrician: conduit bending, panel upgrades and NEC code compliance on"
            " commercial sites.",
        ],
    }
)
QRELS = pd.DataFrame(
    {
        "job_id": ["j-wid", "j-wid", "j-wid", "j-rn", "j-rn", "j-rn", "j-el", "j-el", "j-el"],
        "resume_id": ["r-wid", "r-xl", "r-rn", "r-rn", "r-el", "r-xl", "r-el", "r-wid", "r-rn"],
        "relevance": [2, 1, 0, 2, 0, 0, 2, 0, 0],
    }
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, embedding_cache_dir: Path) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("settings-reach")
    data = root / "data"
    data.mkdir()
    POSTINGS.to_csv(data / "jobs.csv", index=False)
    RESUMES.to_csv(data / "resumes.csv", index=False)
    QRELS.to_csv(data / "qrels.csv", index=False)
    resume = root / "r-wid.txt"
    resume.write_text(str(RESUMES.loc[0, "text"]), encoding="utf-8")
    taxonomy = root / "taxonomy"
    taxonomy.mkdir()
    with (taxonomy / "Technology Skills.txt").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter="\t")
        writer.writerow(["Example", "Commodity Title", "Hot Technology"])
        writer.writerow(["Widgetron Pro", "Spreadsheet software", "Y"])
    model = root / MODEL_NAME
    model.mkdir()
    for item in resolve_model_path(None).iterdir():
        (model / item.name).symlink_to(item, target_is_directory=item.is_dir())
    return {
        "root": root,
        "data": data,
        "resume": resume,
        "taxonomy": taxonomy,
        "model": model,
        "cache": embedding_cache_dir,
    }


def _env(world: dict[str, Path], **extra: str) -> dict[str, str]:
    return {
        "MATCHER_RANKING__TOP_K": "2",
        "MATCHER_TAXONOMY_DIR": str(world["taxonomy"]),
        "MATCHER_EMBEDDING__MODEL_PATH": str(world["model"]),
        "MATCHER_RANKING__DENSE_WEIGHT": "0.9",
        "MATCHER_RANKING__LEXICAL_WEIGHT": "0.1",
        "MATCHER_EMBEDDING__CACHE_DIR": str(world["cache"]),
        "MATCHER_INDEX_DIR": str(world["root"] / "index"),
        "MATCHER_MLFLOW_TRACKING_URI": f"sqlite:///{world['root'] / 'mlflow.db'}",
        **extra,
    }


def _run(world: dict[str, Path], args: list[str], **extra: str) -> str:
    result = CliRunner().invoke(app, args, env=_env(world, **extra))
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _client(world: dict[str, Path]) -> mlflow.MlflowClient:
    return mlflow.MlflowClient(tracking_uri=_env(world)["MATCHER_MLFLOW_TRACKING_URI"])


def _assert_model(world: dict[str, Path], manifest: dict) -> None:  # type: ignore[type-arg]
    assert manifest["model"]["path"] == str(world["model"])
    assert manifest["model"]["id"].startswith(f"{MODEL_NAME}-")


def test_score_honours_top_k_taxonomy_model_and_weights(world: dict[str, Path]) -> None:
    data, out = world["data"], world["root"] / "score"
    args = ["score", "--jobs", str(data / "jobs.csv"), "--resumes", str(data / "resumes.csv")]
    _run(world, [*args, "--out", str(out)])
    shortlists = pd.read_csv(out / "shortlists.csv", dtype=str)
    assert shortlists.groupby("job_id").size().max() == 2  # top_k
    analyst = shortlists[(shortlists["job_id"] == "j-wid") & (shortlists["resume_id"] == "r-wid")]
    assert "Widgetron Pro" in analyst["matched_required"].iloc[0]  # a taxonomy-only skill
    manifest = json.loads((out / "run_manifest.json").read_text())
    assert manifest["ranker"]["params"]["taxonomy_dir"] == str(world["taxonomy"])
    _assert_model(world, manifest)
    _run(world, [*args, "--out", str(out / "hybrid")], MATCHER_RANKING__RANKER="hybrid")
    hybrid = json.loads((out / "hybrid" / "run_manifest.json").read_text())
    assert hybrid["ranker"]["params"]["dense_weight"] == pytest.approx(0.9)
    assert hybrid["ranker"]["params"]["model"].startswith(f"{MODEL_NAME}-")


def test_recommend_honours_top_k_taxonomy_model_and_weights(world: dict[str, Path]) -> None:
    out = world["root"] / "recommend"
    args = ["recommend", "--resume", str(world["resume"]), "--jobs"]
    _run(world, [*args, str(world["data"] / "jobs.csv"), "--out", str(out)])
    table = pd.read_csv(out / "recommendations.csv", dtype=str)
    assert len(table) == 2  # top_k, with no --top-k option
    assert table["job_id"].iloc[0] == "j-wid"
    assert "Widgetron Pro" in table["matched_required"].iloc[0]
    manifest = json.loads((out / "run_manifest.json").read_text())
    assert manifest["ranker"]["params"]["taxonomy_dir"] == str(world["taxonomy"])
    _assert_model(world, manifest)
    _run(
        world,
        [*args, str(world["data"] / "jobs.csv"), "--out", str(out / "hybrid")],
        MATCHER_RANKING__RANKER="hybrid",
    )
    hybrid = json.loads((out / "hybrid" / "run_manifest.json").read_text())
    assert hybrid["ranker"]["params"]["dense_weight"] == pytest.approx(0.9)
    _assert_model(world, hybrid)


def _evaluation_run(world: dict[str, Path], stdout: str) -> mlflow.entities.Run:
    run = _client(world).get_run(stdout.split("MLflow run: ")[1].split()[0])
    experiment = _client(world).get_experiment(run.info.experiment_id)
    assert experiment.name == EVALUATION_EXPERIMENT
    return run


def test_evaluate_honours_taxonomy_model_and_weights(world: dict[str, Path]) -> None:
    data = world["data"]
    args = [
        "evaluate",
        "--jobs",
        str(data / "jobs.csv"),
        "--resumes",
        str(data / "resumes.csv"),
        "--qrels",
        str(data / "qrels.csv"),
        "--out",
        str(world["root"] / "evaluation"),
    ]
    params = _evaluation_run(world, _run(world, args)).data.params
    assert params["ranker"] == "requirements"
    assert params["ranker.taxonomy_dir"] == str(world["taxonomy"])
    assert params["embedding_model_id"].startswith(f"{MODEL_NAME}-")
    # an explicit --param is merged over the settings' hybrid weights, not instead of them
    hybrid = [*args, "--ranker", "hybrid", "--param", "k1=1.2"]
    params = _evaluation_run(world, _run(world, hybrid)).data.params
    assert params["ranker.dense_weight"] == "0.9" and params["ranker.k1"] == "1.2"
    assert params["embedding_model_id"].startswith(f"{MODEL_NAME}-")


def test_experiment_honours_taxonomy_model_and_weights(world: dict[str, Path]) -> None:
    data, grid = world["data"], world["root"] / "grid.toml"
    grid.write_text(
        'baseline = "bm25"\n[[rankers]]\nname = "bm25"\n[[rankers]]\nname = "hybrid"\n'
        '[[rankers]]\nname = "requirements"\n',
        encoding="utf-8",
    )
    args = ["experiment", "--jobs", str(data / "jobs.csv"), "--resumes"]
    args += [str(data / "resumes.csv"), "--qrels", str(data / "qrels.csv"), "--grid", str(grid)]
    stdout = _run(world, args)
    parent = stdout.split("MLflow parent run: ")[1].split()[0]
    client = _client(world)
    experiment = client.get_experiment_by_name(GRID_EXPERIMENT)
    assert experiment is not None
    children = client.search_runs([experiment.experiment_id], f"tags.`{PARENT_TAG}` = '{parent}'")
    params = {child.data.params["ranker"]: child.data.params for child in children}
    assert params["hybrid"]["ranker.dense_weight"] == "0.9"
    assert params["hybrid"]["embedding_model_id"].startswith(f"{MODEL_NAME}-")
    assert params["requirements"]["ranker.taxonomy_dir"] == str(world["taxonomy"])
    assert params["requirements"]["embedding_model_id"].startswith(f"{MODEL_NAME}-")


def test_train_honours_taxonomy_and_model(world: dict[str, Path]) -> None:
    out = world["root"] / "requirements_ranker.json"
    args = ["train", "--set", f"tiny={world['data']}", "--out", str(out), "--folds", "2"]
    _run(world, [*args, "--promote"])
    champion = find_champion(_env(world)["MATCHER_MLFLOW_TRACKING_URI"])
    assert champion is not None and champion.config.ranker == "requirements"
    assert champion.config.params["taxonomy_dir"] == str(world["taxonomy"])
    assert (champion.config.embedding_model_id or "").startswith(f"{MODEL_NAME}-")
