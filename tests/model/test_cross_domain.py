"""The cross-domain matrix on every labelled set we have: slow, CI runs it in its own step.

Every ranker on the bundled sample, RJDB (synthetic), livecareer (real resumes and
postings, a seeded sample of 600 resumes) and our own near-miss cases (``data/nearmiss``), in
both directions: the baselines, the requirement
ranker learned in-domain (grouped 5-fold CV) and across domains (learned on the other sets
only), and the model learned on all of them, which must be the shipped one. The matrix is
printed (CI runs the slow tests with ``-s``). The shipped model must beat the lexical
baselines on every set and keep RJDB's pairwise accuracy. Across domains, both models must beat
them too: the recommendation model (learned without ``bm25``, gate 4, above a fixed base,
``RECOMMEND_BASE``) and the shortlist model (above ``SHORTLIST_BASE``), in pairwise accuracy too
where labels grade pairs (the sample, both directions, and RJDB's shortlists). Learned without
RJDB (on the sample, livecareer and the near-miss cases, with the learning variant chosen
without RJDB), the shortlist model keeps most of RJDB's near-misses below their matches:
pairwise accuracy at least 0.98, the issue's bar.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from matcher.settings import Settings
from tests.conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_server")]
SETS_FILE = REPO / "data" / "labelled_sets.toml"
NAMES = ["sample", "rjdb", "livecareer", "nearmiss"]


@pytest.fixture(scope="module")
def experiment(tmp_path_factory: pytest.TempPathFactory, embedding_cache_dir: Path) -> dict:
    from pipelines.cross_domain import cross_domain_experiment

    from matcher.evaluation.labelled_sets import load_sets_file
    from matcher.settings import load_settings

    specs = load_sets_file(SETS_FILE)
    if {s.name for s in specs} != set(NAMES):
        pytest.skip("the shared labelled sets (../shared/data) are not present")
    folder = tmp_path_factory.mktemp("cross-domain")
    settings: Settings = load_settings(
        embedding={"cache_dir": embedding_cache_dir},
        mlflow_tracking_uri=f"sqlite:///{folder / 'mlflow.db'}",
    )
    result = cross_domain_experiment(specs, settings, weights_out=folder / "model.json")
    # The shipped model is this one, learned from the same sets: check they agree.
    import json

    from matcher.ranking.requirement_ranker import WEIGHTS_FILE

    shipped = json.loads(WEIGHTS_FILE.read_text())
    assert shipped["weights"] == pytest.approx(result["artifact"]["weights"], abs=0.02)
    recommend = result["artifact"]["recommendations"]
    assert shipped["recommendations"]["weights"] == pytest.approx(recommend["weights"], abs=0.02)
    assert (recommend["gate"], recommend["excluded_features"]) == (4.0, ["bm25"])
    print("\nCross-domain matrix (nDCG@10, MAP, pairwise accuracy)")
    print(result["markdown"])
    print("ECE:", result["artifact"]["expected_calibration_error"])
    print("Calibration at the top:", result["artifact"]["calibration_at_the_top"])
    return result


@pytest.fixture(scope="module")
def matrix(experiment: dict) -> list[dict]:
    return experiment["matrix"]


def _cell(matrix: list[dict], tested: str, ranker: str, setting: str) -> dict:
    [row] = [
        r
        for r in matrix
        if r["tested_on"] == tested and r["ranker"] == ranker and r["setting"] == setting
    ]
    return row


SETS = [*NAMES, *(f"{name}-reverse" for name in NAMES)]


@pytest.mark.parametrize("tested", SETS)
def test_the_shipped_ranker_beats_the_lexical_baselines_on_every_set(
    matrix: list[dict], tested: str
) -> None:
    learned = _cell(matrix, tested, "requirements", "shipped")
    for metric in ("nDCG@10", "MAP"):
        best = max(_cell(matrix, tested, name, "fixed")[metric] for name in ("tfidf", "bm25"))
        assert learned[metric] >= best, (tested, metric, learned[metric], best)


#: Cells learned across domains allowed below the best lexical baseline, and by how much at
#: most: none since resumes are read with their headline (2026-12-05). RJDB's MAP learned on
#: the other sets had been 0.9784 against TF-IDF's 0.9787 since livecareer's one-line resumes
#: were read with their roles; with the headline it is 0.9812.
BELOW_THE_BASELINE_BY_AT_MOST: dict[tuple[str, str], float] = {}


@pytest.mark.parametrize("tested", SETS)
def test_models_learned_on_other_domains_beat_the_lexical_baselines(
    matrix: list[dict], tested: str
) -> None:
    learned = _cell(matrix, tested, "requirements", "cross-domain")
    for metric in ("nDCG@10", "MAP", "pairwise_accuracy"):
        best = max(_cell(matrix, tested, name, "fixed")[metric] for name in ("tfidf", "bm25"))
        if math.isnan(best):  # the labels grade no pairs (livecareer)
            continue
        margin = BELOW_THE_BASELINE_BY_AT_MOST.get((tested, metric), 0.0)
        assert learned[metric] >= best - margin, (tested, metric, learned[metric], best)


def test_rjdb_map_learned_on_other_domains_reaches_tfidf(matrix: list[dict]) -> None:
    # 0.0003 below TF-IDF's from the roles of livecareer's one-line resumes until their
    # headlines were read (2026-12-05): a strict expected failure until then
    learned = _cell(matrix, "rjdb", "requirements", "cross-domain")["MAP"]
    assert learned >= _cell(matrix, "rjdb", "tfidf", "fixed")["MAP"], learned


@pytest.mark.parametrize("tested", SETS)
def test_every_cell_of_the_matrix_is_there(matrix: list[dict], tested: str) -> None:
    for ranker, setting in [
        ("tfidf", "fixed"),
        ("bm25", "fixed"),
        ("dense", "fixed"),
        ("requirements", "in-domain"),
        ("requirements", "cross-domain"),
        ("requirements", "shipped"),
    ]:
        cell = _cell(matrix, tested, ranker, setting)
        assert 0.0 < cell["nDCG@10"] <= 1.0 and cell["queries"] > 0


def test_requirements_matter_on_rjdb(matrix: list[dict]) -> None:
    shipped = _cell(matrix, "rjdb", "requirements", "shipped")
    assert shipped["pairwise_accuracy"] >= 0.98 and shipped["nDCG@10"] >= 0.95, shipped
    # learned on four fifths of RJDB's postings, tested on the fifth left out
    held_out = _cell(matrix, "rjdb", "requirements", "in-domain")
    assert held_out["pairwise_accuracy"] >= 0.97 and held_out["nDCG@10"] >= 0.95, held_out
    baseline = max(
        _cell(matrix, "rjdb", n, "fixed")["pairwise_accuracy"] for n in ("tfidf", "bm25")
    )
    assert held_out["pairwise_accuracy"] > baseline
    assert not math.isnan(_cell(matrix, "sample", "requirements", "shipped")["pairwise_accuracy"])


def test_requirements_learned_without_rjdb_order_its_near_misses(matrix: list[dict]) -> None:
    # learned on the sample, livecareer and the near-miss cases only, with the learning variant
    # chosen without RJDB (nested leave-one-set-out): 0.974 at the 01:01 retrain of 2026-12-01,
    # 0.980 (490 of 500 pairs) once the years lead-ins and titled entries were read (years2)
    across = _cell(matrix, "rjdb", "requirements", "cross-domain")
    assert across["trained_on"] == "sample+livecareer+nearmiss"
    assert across["pairwise_accuracy"] >= 0.97, across
    baseline = max(
        _cell(matrix, "rjdb", n, "fixed")["pairwise_accuracy"] for n in ("tfidf", "bm25")
    )
    assert across["pairwise_accuracy"] >= baseline + 0.05, (across, baseline)


def test_requirements_learned_without_rjdb_reach_the_issues_bar(matrix: list[dict]) -> None:
    across = _cell(matrix, "rjdb", "requirements", "cross-domain")
    assert across["pairwise_accuracy"] >= 0.98, across


def test_the_score_is_the_chance_of_a_match_on_every_set(experiment: dict) -> None:
    # A curve of the raw score alone (the shipped one until 2026-12-05) left real data's
    # scores far too low: livecareer's first results scored 0.130 on average where 0.611 were
    # full matches, and its calibration error was 0.031 (0.012-0.021 on the synthetic sets).
    # Reading each query's best TF-IDF too, every set's error is 0.013 or less.
    artifact = experiment["artifact"]
    assert set(artifact["expected_calibration_error"]) == set(SETS)
    assert max(artifact["expected_calibration_error"].values()) <= 0.015
    real = artifact["calibration_at_the_top"]["livecareer"]
    assert abs(real["first_score"] - real["first_relevant"]) <= 0.15
    assert abs(real["top_score"] - real["top_relevant"]) <= 0.25
