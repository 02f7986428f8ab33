"""The cross-domain matrix on every labelled set we have: slow, CI runs it in its own step.

Every ranker on the bundled sample, RJDB (synthetic) and livecareer (real resumes and
postings, a seeded sample of 600 resumes, both directions): the baselines, the requirement
ranker learned in-domain (grouped 5-fold CV) and across domains (learned on the other sets
only), and the shipped model. The matrix is printed (CI runs the slow tests with ``-s``).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from matcher.settings import Settings
from tests.conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_server")]
SETS_FILE = REPO / "data" / "labelled_sets.toml"


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory, embedding_cache_dir: Path) -> list[dict]:
    from pipelines.cross_domain import cross_domain_experiment

    from matcher.labelled_sets import load_sets_file
    from matcher.settings import load_settings

    specs = load_sets_file(SETS_FILE)
    if {s.name for s in specs} != {"sample", "rjdb", "livecareer"}:
        pytest.skip("the shared labelled sets (../shared/data) are not present")
    folder = tmp_path_factory.mktemp("cross-domain")
    settings: Settings = load_settings(
        embedding={"cache_dir": embedding_cache_dir},
        mlflow_tracking_uri=f"sqlite:///{folder / 'mlflow.db'}",
    )
    result = cross_domain_experiment(specs, settings, weights_out=folder / "model.json")
    print("\nCross-domain matrix (nDCG@10, MAP, pairwise accuracy)")
    print(result["markdown"])
    print("ECE:", result["artifact"]["expected_calibration_error"])
    return result["matrix"]


def _cell(matrix: list[dict], tested: str, ranker: str, setting: str) -> dict:
    [row] = [
        r
        for r in matrix
        if r["tested_on"] == tested and r["ranker"] == ranker and r["setting"] == setting
    ]
    return row


@pytest.mark.parametrize("tested", ["sample", "rjdb", "livecareer", "livecareer-reverse"])
def test_the_requirement_ranker_across_domains_is_at_least_the_best_lexical_baseline(
    matrix: list[dict], tested: str
) -> None:
    learned = _cell(matrix, tested, "requirements", "cross-domain")
    for metric in ("nDCG@10", "MAP"):
        best = max(_cell(matrix, tested, name, "fixed")[metric] for name in ("tfidf", "bm25"))
        assert learned[metric] >= best - 0.005, (tested, metric, learned[metric], best)


def test_requirements_matter_on_rjdb(matrix: list[dict]) -> None:
    for setting in ("cross-domain", "in-domain", "shipped"):
        cell = _cell(matrix, "rjdb", "requirements", setting)
        assert cell["pairwise_accuracy"] >= 0.98, (setting, cell)
    assert not math.isnan(_cell(matrix, "sample", "requirements", "shipped")["pairwise_accuracy"])
