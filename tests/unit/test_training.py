from __future__ import annotations

import numpy as np
import pytest

from matcher.evaluation.training import FeatureGrid, cross_validate, fit_weights, training_pairs
from matcher.ranking.features import FEATURES
from matcher.ranking.requirement_ranker import DEFAULT_WEIGHTS, normalise_weights


def _grid(n_queries: int = 12, n_docs: int = 30, seed: int = 0) -> tuple[FeatureGrid, dict]:
    """Jobs whose relevant document is the one with the highest 'required_skills' value;
    'bm25' is noise and 'title' is anti-correlated with relevance."""
    rng = np.random.default_rng(seed)
    values = rng.uniform(0, 0.8, size=(n_queries, n_docs, len(FEATURES))).astype(np.float32)
    req, title = FEATURES.index("required_skills"), FEATURES.index("title")
    qrels_ids = {}
    for q in range(n_queries):
        best, near = rng.choice(n_docs, size=2, replace=False)
        qrels_ids[q] = {f"d{best}": 2, f"d{near}": 1}
        values[q, best, req], values[q, near, req] = 1.0, 0.85
    values[:, :, title] = 1.0 - values[:, :, req]
    qrels = {f"q{q}": judged for q, judged in qrels_ids.items()}
    grid = FeatureGrid(
        values, [f"q{q}" for q in range(n_queries)], [f"d{d}" for d in range(n_docs)]
    )
    return grid, qrels


def test_pairs_put_the_better_document_first() -> None:
    grid, qrels = _grid()
    diffs = training_pairs(grid, qrels, rows=[0], unjudged_per_query=4)
    # 2 > 1, 2 > four unjudged, 1 > four unjudged
    assert diffs.shape == (9, len(FEATURES))
    assert (diffs[:, FEATURES.index("required_skills")] > 0).all()


def test_learned_weights_are_non_negative_and_find_the_signal() -> None:
    grid, qrels = _grid()
    weights = fit_weights(training_pairs(grid, qrels, rows=range(12)))
    assert sum(weights.values()) == pytest.approx(1.0)
    assert all(w >= 0 for w in weights.values())
    assert max(weights, key=weights.get) == "required_skills"
    assert weights["title"] == 0.0  # anti-correlated: dropped rather than made negative


def test_cross_validation_beats_a_noise_baseline() -> None:
    grid, qrels = _grid(n_queries=20)
    cv = cross_validate(grid, qrels, {"noise": {"bm25": 1.0}}, folds=5)
    assert cv.folds == 5 and len(cv.fold_weights) == 5
    assert cv.metrics["learned"]["pairwise_accuracy"] == 1.0
    assert cv.metrics["learned"]["MRR"] == 1.0
    assert cv.metrics["noise"]["MRR"] < 0.5


def test_no_pairs_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no ordered pairs"):
        fit_weights(np.zeros((0, len(FEATURES))))


def test_weights_are_validated() -> None:
    assert sum(normalise_weights(DEFAULT_WEIGHTS).values()) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="unknown features"):
        normalise_weights({"charisma": 1.0})
    with pytest.raises(ValueError, match="non-negative"):
        normalise_weights({"bm25": -1.0, "dense": 2.0})
    with pytest.raises(ValueError, match="positive"):
        normalise_weights({"bm25": 0.0})


def test_a_feature_the_data_never_varies_keeps_its_prior_weight() -> None:
    grid, qrels = _grid()
    grid.values[:, :, FEATURES.index("degree")] = 1.0  # no posting states a degree
    diffs = training_pairs(grid, qrels, rows=range(12))
    assert fit_weights(diffs)["degree"] == 0.0
    weights = fit_weights(diffs, prior=DEFAULT_WEIGHTS)
    assert weights["degree"] == pytest.approx(DEFAULT_WEIGHTS["degree"])
    assert sum(weights.values()) == pytest.approx(1.0)
    assert max(weights, key=weights.get) == "required_skills"
