"""Learn the requirement-aware ranker's weights from qrels, with cross-validation grouped by job.

The model is a pairwise logistic regression (scikit-learn) on feature differences: for each job,
every better-judged resume is paired with every worse-judged one and with a sample of unjudged
resumes, the hardest first. The weights must stay non-negative so that more of any signal never
lowers a score; features whose weight comes out negative are dropped and the model is refitted
until none is (an active-set fit). Weights are then scaled to sum to one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from matcher.evaluation.metrics import evaluate_run
from matcher.ranking.features import FEATURES
from matcher.schema import Qrels, Run


@dataclass(frozen=True)
class FeatureGrid:
    """Features of every (query, document) pair of a labelled set.

    Attributes:
        values: ``(n_queries, n_docs, n_features)`` array, features in :data:`FEATURES` order.
        query_ids: Row IDs (jobs).
        doc_ids: Column IDs (resumes).
    """

    values: np.ndarray
    query_ids: list[str]
    doc_ids: list[str]

    def run(self, weights: dict[str, float], rows: Sequence[int] | None = None) -> Run:
        """Scores of every document for the chosen queries under linear ``weights``."""
        w = np.array([weights.get(name, 0.0) for name in FEATURES], dtype=np.float32)
        rows = range(len(self.query_ids)) if rows is None else rows
        run: Run = {}
        for row in rows:
            scores = self.values[row] @ w
            run[self.query_ids[row]] = dict(zip(self.doc_ids, scores.tolist(), strict=True))
        return run


@dataclass
class CrossValidation:
    """Cross-validated metrics of the learned ranker and of fixed baselines on the same folds."""

    folds: int
    metrics: dict[str, dict[str, float]]
    fold_weights: list[dict[str, float]] = field(default_factory=list)


def training_pairs(
    grid: FeatureGrid,
    qrels: Qrels,
    rows: Sequence[int],
    unjudged_per_query: int = 20,
    seed: int = 0,
) -> np.ndarray:
    """Feature differences (better minus worse) of the ordered pairs of the given queries.

    Unjudged documents count as relevance 0; half of those sampled are the ones the current
    signals score highest (hard negatives), half are random.
    """
    rng = np.random.default_rng(seed)
    column = {doc: i for i, doc in enumerate(grid.doc_ids)}
    diffs: list[np.ndarray] = []
    for row in rows:
        judged = {d: r for d, r in qrels.get(grid.query_ids[row], {}).items() if d in column}
        if not judged:
            continue
        judged_cols = {column[d] for d in judged}
        others = np.array([i for i in range(len(grid.doc_ids)) if i not in judged_cols])
        sample: list[int] = []
        if len(others):
            strength = grid.values[row, others].mean(axis=1)
            hard = others[np.argsort(-strength)[: unjudged_per_query // 2]]
            rest = np.setdiff1d(others, hard)
            take = min(len(rest), unjudged_per_query - len(hard))
            sample = [*hard.tolist(), *rng.choice(rest, size=take, replace=False).tolist()]
        graded = [(column[d], r) for d, r in judged.items()] + [(i, 0) for i in sample]
        for better, rel_b in graded:
            for worse, rel_w in graded:
                if rel_b > rel_w:
                    diffs.append(grid.values[row, better] - grid.values[row, worse])
    return np.asarray(diffs, dtype=np.float32).reshape(-1, len(FEATURES))


def fit_weights(
    diffs: np.ndarray,
    c: float = 1.0,
    prior: dict[str, float] | None = None,
    sample_weight: np.ndarray | None = None,
) -> dict[str, float]:
    """Non-negative weights (summing to one) from pairwise differences.

    Args:
        diffs: Feature differences (better minus worse), one pair a row.
        c: Inverse regularisation strength.
        prior: Weights for features the data cannot speak to: a feature that never differs
            between the two sides of any pair (e.g. ``degree`` when no posting states one)
            keeps its prior share instead of silently getting zero.
        sample_weight: Weight of each pair (e.g. so that every labelled set counts the same).

    Raises:
        ValueError: If there are no pairs to learn from.
    """
    if not len(diffs):
        raise ValueError("no ordered pairs to learn from: do the qrels grade any documents?")
    # Mirror every pair so the two classes are balanced and no intercept is needed.
    x = np.vstack([diffs, -diffs])
    y = np.concatenate([np.ones(len(diffs)), np.zeros(len(diffs))])
    weight = None if sample_weight is None else np.concatenate([sample_weight, sample_weight])
    active = list(range(len(FEATURES)))
    coefficients = np.zeros(len(FEATURES))
    while active:
        model = LogisticRegression(C=c, fit_intercept=False, max_iter=2000)
        model.fit(x[:, active], y, sample_weight=weight)
        coef = model.coef_[0]
        if (coef >= 0).all():
            coefficients[active] = coef
            break
        active = [f for f, w in zip(active, coef, strict=True) if w > 0]
    total = coefficients.sum()
    if total <= 0:
        raise ValueError("no feature orders the pairs correctly; cannot learn weights")
    learned = {name: float(w / total) for name, w in zip(FEATURES, coefficients, strict=True)}
    silent = [name for name, column in zip(FEATURES, diffs.T, strict=True) if not column.any()]
    kept = {name: float((prior or {}).get(name, 0.0)) for name in silent}
    share = sum(kept.values())
    if share <= 0 or share >= 1:
        return learned
    return {name: kept.get(name, (1 - share) * w) for name, w in learned.items()}


def cross_validate(
    grid: FeatureGrid,
    qrels: Qrels,
    baselines: dict[str, dict[str, float]] | None = None,
    folds: int = 5,
    c: float = 1.0,
    prior: dict[str, float] | None = None,
) -> CrossValidation:
    """Grouped k-fold by job: learn on the other folds, rank every document for held-out jobs.

    Args:
        grid: Features of all pairs.
        qrels: Judgements, ``{job_id: {resume_id: relevance}}``.
        baselines: Fixed weightings evaluated on the same held-out jobs, e.g.
            ``{"bm25": {"bm25": 1.0}}``.
        folds: Number of folds (at most the number of labelled jobs).
        c: Inverse regularisation strength.
        prior: See :func:`fit_weights`.

    Returns:
        Metrics of ``"learned"`` and each baseline over all held-out jobs.
    """
    rows = np.array([i for i, q in enumerate(grid.query_ids) if q in qrels])
    folds = min(folds, len(rows))
    if folds < 2:
        raise ValueError("cross-validation needs at least two labelled jobs")
    runs: dict[str, Run] = {"learned": {}, **{name: {} for name in baselines or {}}}
    fold_weights = []
    for fold, (train, test) in enumerate(GroupKFold(n_splits=folds).split(rows, groups=rows)):
        weights = fit_weights(training_pairs(grid, qrels, rows[train], seed=fold), c, prior)
        fold_weights.append(weights)
        runs["learned"].update(grid.run(weights, rows[test]))
        for name, fixed in (baselines or {}).items():
            runs[name].update(grid.run(fixed, rows[test]))
    judged = {q: qrels[q] for q in grid.query_ids if q in qrels}
    metrics = {name: evaluate_run(judged, run).summary for name, run in runs.items()}
    return CrossValidation(folds, metrics, fold_weights)


def weights_artifact(
    weights: dict[str, float], cv: CrossValidation, dataset: dict[str, Any]
) -> dict[str, Any]:
    """The readable JSON shipped in ``models/``: weights, where they were learned, how well."""
    from datetime import UTC, datetime

    return {
        "ranker": "requirements",
        "features": list(FEATURES),
        "weights": {k: round(v, 6) for k, v in weights.items()},
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "dataset": dataset,
        "cross_validation": {
            "folds": cv.folds,
            "grouped_by": "job_id",
            "metrics": {
                name: {k: round(float(v), 4) for k, v in summary.items()}
                for name, summary in cv.metrics.items()
            },
        },
    }
