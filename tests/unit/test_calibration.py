from __future__ import annotations

import numpy as np
import pytest

from matcher.ranking.calibration import (
    FIT_BANDS,
    Fit,
    calibrated,
    capped_fit,
    fit_band,
    fit_calibration,
    reliability,
)


def test_platt_scaling_recovers_a_known_curve() -> None:
    rng = np.random.default_rng(0)
    raw = rng.uniform(0, 1, 20_000)
    truth = 1 / (1 + np.exp(-(8 * raw - 5)))
    relevant = rng.uniform(0, 1, raw.size) < truth
    fitted = fit_calibration(raw, relevant)
    assert fitted["slope"] == pytest.approx(8, rel=0.1)
    assert fitted["intercept"] == pytest.approx(-5, rel=0.1)
    probability = calibrated(raw, fitted)
    assert np.all(np.diff(probability[np.argsort(raw)]) >= 0)  # monotone: ranking unchanged
    _, error = reliability(probability, relevant)
    assert error < 0.02


def test_the_curve_reads_the_query_best_tfidf_and_keeps_each_query_ranking() -> None:
    # Two kinds of query: where the pool shares many words with the query (best TF-IDF 0.8)
    # the same raw score is a smaller chance than where it shares few (0.2).
    rng = np.random.default_rng(1)
    raw = rng.uniform(0, 1, 40_000)
    best = rng.choice([0.2, 0.8], raw.size)
    truth = 1 / (1 + np.exp(-(10 * raw - 6 * best - 3)))
    relevant = rng.uniform(0, 1, raw.size) < truth
    fitted = fit_calibration(raw, relevant, tfidf_best=best)
    assert fitted["slope"] == pytest.approx(10, rel=0.1)
    assert fitted["tfidf_best"] == pytest.approx(-6, rel=0.15)
    probability = calibrated(raw, fitted, best)
    _, error = reliability(probability, relevant)
    assert error < 0.02
    alone = calibrated(raw, fit_calibration(raw, relevant))
    _, error_alone = reliability(alone, relevant)
    assert error < error_alone
    # One query: one best, so the order of its candidates is the raw score's.
    query = np.sort(rng.uniform(0, 1, 50))
    assert np.all(np.diff(calibrated(query, fitted, np.float32(0.8))) >= 0)
    with pytest.raises(ValueError, match="best TF-IDF"):
        calibrated(raw, fitted)
    # A calibration without the coefficient (files written before it) needs no best.
    old = {"slope": fitted["slope"], "intercept": fitted["intercept"], "tfidf_best": 0.0}
    assert calibrated(raw[:3], old).shape == (3,)


def test_reliability_of_a_miscalibrated_score_shows_its_error() -> None:
    relevant = np.array([True, False] * 500)
    always_sure = np.full(relevant.size, 0.95)
    table, error = reliability(always_sure, relevant)
    assert error == pytest.approx(0.45)
    assert table["pairs"].sum() == relevant.size


def test_calibration_needs_both_classes() -> None:
    with pytest.raises(ValueError, match="both"):
        fit_calibration(np.array([0.1, 0.2]), np.array([True, True]))


def test_fit_bands_cover_the_whole_range() -> None:
    assert [fit_band(p) for p in (0.0, 0.19, 0.2, 0.49, 0.5, 1.0)] == [
        "weak",
        "weak",
        "possible",
        "possible",
        "strong",
        "strong",
    ]
    assert FIT_BANDS[-1][0] == 0.0
    for wrong in (float("nan"), -0.1):
        with pytest.raises(ValueError, match="not a calibrated score"):
            fit_band(wrong)


def test_a_missing_required_item_caps_the_band_below_strong() -> None:
    fit = capped_fit(0.9, 6, ["2 years ICU or critical care (has 0.2)"])
    assert fit.band == "possible"
    assert fit.reason == "capped at possible from strong: misses 1 of 6 required items"


def test_missing_most_required_items_caps_the_band_at_weak() -> None:
    assert capped_fit(0.9, 4, ["A", "B", "C"]).band == "weak"
    assert capped_fit(0.3, 4, ["A", "B", "C"]).reason.startswith("capped at weak from possible")
    assert capped_fit(0.9, 4, ["A", "B"]).band == "possible"  # half is not most


def test_the_cap_never_raises_a_band_nor_applies_without_requirements() -> None:
    assert capped_fit(0.1, 6, ["A"]) == Fit("weak")  # already below the cap: no reason
    assert capped_fit(0.3, 6, ["A"]) == Fit("possible")
    assert capped_fit(0.9, 0, []) == Fit("strong")  # nothing read from the posting
    assert capped_fit(0.9, 6, []) == Fit("strong")
