"""Score calibration: turn the ranker's raw weighted sum into the chance of relevance.

The requirement-aware ranker's raw score is a weighted sum of features; its scale depends on
the posting (how much was read from it) and on the weights. A logistic curve (Platt scaling,
fitted on labelled pairs, every labelled set weighing the same) maps it to the probability that
the candidate is relevant, so that 70 means about the same on every posting.

The curve also reads the query's best TF-IDF similarity over the pool (the posting's best
resume for a shortlist, the resume's best posting for recommendations; a pool statistic,
:attr:`matcher.ranking.features.PairFeatures.tfidf_best`). The same raw score means less where
the pool shares many words with the query: synthetic text repeats the posting's wording, real
text does not, and a curve of the raw score alone scored real matches far too low
(``benchmarks/calibration_study.py``). Within one query the best is one number, so the curve
still rises with the raw score and no ranking changes. The fit bands
(:data:`FIT_BANDS`) name ranges of that probability for a recruiter, and :func:`capped_fit`
holds a band to what the candidate lacks of the posting's requirements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matcher.evaluation.crossdomain import LabelledFeatures

#: Lower bounds of the calibrated chance of relevance for each band, best first.
FIT_BANDS: tuple[tuple[float, str], ...] = (
    (0.5, "strong"),
    (0.2, "possible"),
    (0.0, "weak"),
)


def fit_band(probability: float) -> str:
    """The band of a calibrated score in [0, 1].

    Example:
        >>> fit_band(0.62), fit_band(0.3), fit_band(0.05)
        ('strong', 'possible', 'weak')
    """
    for low, name in FIT_BANDS:
        if probability >= low:
            return name
    raise ValueError(f"not a calibrated score in [0, 1]: {probability!r}")


#: The best band a candidate missing required items can get: any item missing caps at the
#: first, more than the share in the second of the items missing caps at the third.
MISSING_ANY_CAP = "possible"
MISSING_MOST_SHARE, MISSING_MOST_CAP = 0.5, "weak"


@dataclass(frozen=True)
class Fit:
    """A candidate's fit band and, when the band is lower than the score's, why."""

    band: str
    #: Empty when the band is the score's own (:func:`fit_band`).
    reason: str = ""


#: Each band's place in :data:`FIT_BANDS` (0 the best), and its fit when nothing caps it: a
#: shortlist's every pair asks for one.
_BAND_RANK = {name: rank for rank, (_, name) in enumerate(FIT_BANDS)}
_UNCAPPED = {name: Fit(name) for _, name in FIT_BANDS}


def capped_fit(probability: float, required: int, missing: Sequence[str]) -> Fit:
    """The fit band of a calibrated score, capped by the required items the candidate misses.

    The score is learned and ranks well, but its chance of relevance cannot tell a full match
    from a near-miss that lacks one hard requirement (a new graduate with a 3-month ICU
    externship for "2 years of recent ICU"). The band says what a recruiter may rely on, so it
    also follows what was read as missing: a candidate missing any required item is at best
    :data:`MISSING_ANY_CAP`; one missing more than :data:`MISSING_MOST_SHARE` of them is
    :data:`MISSING_MOST_CAP`. The score and the ranking are left as they are.

    Args:
        probability: The calibrated score in [0, 1].
        required: How many required items were read from the posting (skill groups, years
            in a role or setting and the degree: what ``missing_required`` can list); 0 caps
            nothing.
        missing: The required items the candidate misses, as ``missing_required`` lists them.

    Example:
        >>> capped_fit(0.85, 6, []).band
        'strong'
        >>> capped_fit(0.85, 6, ["2 years ICU (has 0.2)"]).reason
        'capped at possible from strong: misses 1 of 6 required items'
        >>> capped_fit(0.3, 4, ["A", "B", "C"]).band
        'weak'
    """
    band = fit_band(probability)
    if not required or not missing:
        return _UNCAPPED[band]
    cap = MISSING_MOST_CAP if len(missing) > MISSING_MOST_SHARE * required else MISSING_ANY_CAP
    if _BAND_RANK[band] >= _BAND_RANK[cap]:
        return _UNCAPPED[band]
    return Fit(
        cap, f"capped at {cap} from {band}: misses {len(missing)} of {required} required items"
    )


def calibration_data(
    sets: Sequence[LabelledFeatures], scores: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Raw scores, relevance labels, per-pair weights (every set weighing the same) and the
    best TF-IDF of each pair's query: :func:`fit_calibration`'s arguments, in its order.

    Only the judged queries' pairs are used; ``scores[i]`` is query-by-document for
    ``sets[i]``. A pair counts as relevant when it has its set's top grade: the calibrated
    score is the chance of a full match, not of a near-miss.
    """
    xs, ys, ws, bests = [], [], [], []
    for labelled, matrix in zip(sets, scores, strict=True):
        rows = labelled.judged_rows()
        x = matrix[rows].ravel()
        xs.append(x)
        ys.append(labelled.labels(top_grade_only=True)[rows].ravel())
        ws.append(np.full(len(x), 1.0 / max(len(x), 1)))
        bests.append(labelled.tfidf_best()[rows].ravel())
    weight = np.concatenate(ws)
    return (
        np.concatenate(xs),
        np.concatenate(ys),
        weight * len(weight) / weight.sum(),
        np.concatenate(bests),
    )


def fit_calibration(
    raw: np.ndarray,
    relevant: np.ndarray,
    weight: np.ndarray | None = None,
    tfidf_best: np.ndarray | None = None,
) -> dict[str, float]:
    """A logistic curve of the raw score, and of the query's best TF-IDF if given:
    ``P(relevant) = 1 / (1 + exp(-(slope * raw + tfidf_best * best + intercept)))``.

    Raises:
        ValueError: If the labels hold only one class.
    """
    from sklearn.linear_model import LogisticRegression

    if relevant.all() or not relevant.any():
        raise ValueError("calibration needs both relevant and non-relevant pairs")
    columns = [raw] if tfidf_best is None else [raw, tfidf_best]
    model = LogisticRegression(C=1e4, max_iter=1000)
    model.fit(np.stack(columns, axis=1), relevant.astype(int), sample_weight=weight)
    fitted = {"slope": float(model.coef_[0, 0]), "intercept": float(model.intercept_[0])}
    if tfidf_best is not None:
        fitted["tfidf_best"] = float(model.coef_[0, 1])
    return fitted


def calibrated(
    raw: np.ndarray, calibration: dict[str, float], tfidf_best: np.ndarray | None = None
) -> np.ndarray:
    """The chance of relevance of raw scores under a calibration (:func:`fit_calibration`).

    Args:
        tfidf_best: Each pair's query's best TF-IDF, broadcastable to ``raw``: needed when
            the calibration reads it (a ``tfidf_best`` coefficient other than 0).

    Raises:
        ValueError: If the calibration reads the best TF-IDF and none is given.
    """
    z = calibration["slope"] * np.asarray(raw, dtype=np.float64) + calibration["intercept"]
    coefficient = calibration.get("tfidf_best", 0.0)
    if coefficient:
        if tfidf_best is None:
            raise ValueError("this calibration reads each query's best TF-IDF: pass tfidf_best")
        z = z + coefficient * np.asarray(tfidf_best, dtype=np.float64)
    return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)


def reliability(
    probability: np.ndarray, relevant: np.ndarray, bins: int = 10
) -> tuple[pd.DataFrame, float]:
    """Reliability table (equal-width bins) and the expected calibration error.

    Returns:
        Per bin: ``low``, ``high``, ``pairs``, ``mean_probability``, ``share_relevant``; and
        the ECE, the pair-weighted mean of ``|mean_probability - share_relevant|``.
    """
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(probability, edges[1:-1]), 0, bins - 1)
    rows = []
    error = 0.0
    for b in range(bins):
        inside = which == b
        count = int(inside.sum())
        mean_p = float(probability[inside].mean()) if count else float("nan")
        share = float(relevant[inside].mean()) if count else float("nan")
        if count:
            error += count * abs(mean_p - share)
        rows.append(
            {
                "low": edges[b],
                "high": edges[b + 1],
                "pairs": count,
                "mean_probability": mean_p,
                "share_relevant": share,
            }
        )
    return pd.DataFrame(rows), error / max(len(probability), 1)


#: How deep :func:`top_of_list` reads each list besides its first result.
TOP_DEPTH = 10


def top_of_list(probability: np.ndarray, relevant: np.ndarray) -> dict[str, float]:
    """How the calibrated score holds where a list is read: the mean score of each query's
    first result and of its first :data:`TOP_DEPTH`, and the share of them that are relevant.

    Args:
        probability: Query-by-document calibrated scores.
        relevant: Query-by-document labels.

    Example:
        >>> scores = np.array([[0.9, 0.1], [0.4, 0.6]])
        >>> top_of_list(scores, np.array([[True, False], [False, False]]))
        {'first_score': 0.75, 'first_relevant': 0.5, 'top_score': 0.5, 'top_relevant': 0.25}
    """
    order = np.argsort(-probability, axis=1, kind="stable")
    first, top = order[:, :1], order[:, :TOP_DEPTH]
    return {
        "first_score": float(np.take_along_axis(probability, first, 1).mean()),
        "first_relevant": float(np.take_along_axis(relevant, first, 1).mean()),
        "top_score": float(np.take_along_axis(probability, top, 1).mean()),
        "top_relevant": float(np.take_along_axis(relevant, top, 1).mean()),
    }
