"""When a configuration may replace the champion: more queries than a minimum, a higher mean
and a significant paired test; otherwise a reason that says which condition failed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from matcher.evaluation.comparison import MIN_PROMOTION_QUERIES, promotion_decision


def _series(values: np.ndarray) -> pd.Series:
    return pd.Series(values, index=[f"q{i}" for i in range(len(values))])


def test_a_clear_gain_over_enough_queries_is_promoted() -> None:
    rng = np.random.default_rng(0)
    reference = rng.uniform(0.2, 0.6, 40)
    candidate = reference + rng.uniform(0.05, 0.15, 40)  # better on every query
    promote, reason = promotion_decision(_series(candidate), _series(reference), "champion")
    assert promote and "beats champion" in reason


def test_too_few_queries_worse_or_insignificant_are_not_promoted() -> None:
    rng = np.random.default_rng(1)
    reference = rng.uniform(0.2, 0.6, 40)
    few = MIN_PROMOTION_QUERIES - 1
    promote, reason = promotion_decision(
        _series(reference[:few] + 0.2), _series(reference[:few]), "bm25"
    )
    assert not promote and f"only {few} judged queries" in reason
    promote, reason = promotion_decision(_series(reference - 0.1), _series(reference), "bm25")
    assert not promote and "does not beat bm25" in reason
    # A small mean gain made of gains and losses of the same sizes: not significant.
    sizes = np.linspace(0.05, 0.2, 20)
    swings = np.concatenate([sizes, -sizes]) + 0.001
    promote, reason = promotion_decision(_series(reference + swings), _series(reference), "bm25")
    assert not promote and "not significant" in reason
