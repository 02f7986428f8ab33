"""Honest evaluation across labelled sets: in-domain, across domains, and the weights we ship.

Labelled sets differ in kind. RJDB is synthetic: clean sections, near-miss copies that lack one
required skill. Real resumes and postings (livecareer) are scraped text, relevance means "the
same occupation". A weighting learned on one kind can fail on the other, so every learned
ranker is judged three ways, each against the fixed baselines (``tfidf``, ``bm25``, ``dense``)
on the same queries:

* **in-domain**: grouped k-fold cross-validation by query within one set;
* **across domains**: learned on every set of the *other* domains, tested on this one (a set
  and its reverse direction are one domain, so nothing of the test data is seen);
* **shipped**: the weights learned on all sets, as ``matcher train`` writes them (in-sample).

The model is a pairwise logistic regression (scikit-learn) on feature differences: for each
query, every better-judged document is paired with every worse-judged one and with a sample of
unjudged ones, the hardest first (:func:`training_pairs`). The weights must stay non-negative so
that more of any signal never lowers a score; features whose weight comes out negative are
dropped and the model is refitted until none is (an active-set fit, :func:`fit_weights`).
Weights are then scaled to sum to one, or to what a fixed, unlearned base (:attr:`Learning.base`)
leaves of it, and added to that base.

Everything here is computation over arrays; loading and MLflow are at the edges
(:mod:`pipelines.experiment`, :mod:`matcher.tracking.experiment_log`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from matcher.evaluation.metrics import evaluate_run
from matcher.ranking.features import FEATURES, GATED, PairFeatures
from matcher.schema import Qrels, Run

#: Fixed rankers every learned one is compared with.
BASELINES: tuple[str, ...] = ("tfidf", "bm25", "dense")
#: Metrics of the matrix, in report order.
MATRIX_METRICS: tuple[str, ...] = ("nDCG@10", "MAP", "pairwise_accuracy")


@dataclass(frozen=True)
class LabelledFeatures:
    """One labelled set's features and baseline scores, in posting-by-resume orientation.

    Attributes:
        name: The set's name (``rjdb``, ``livecareer``, ...).
        domain: Sets of one domain (a set and its reverse direction) are never used to
            train a model tested on another of them.
        direction: ``resumes-for-job`` (jobs are queries) or ``jobs-for-resume``.
        features: The requirement ranker's features of every (posting, resume) pair.
        job_ids: Row IDs.
        resume_ids: Column IDs.
        qrels: ``{query_id: {doc_id: relevance}}`` in the set's direction.
        baselines: Fixed rankers' scores, ``(n_postings, n_resumes)`` each.
    """

    name: str
    domain: str
    direction: str
    features: PairFeatures
    job_ids: list[str]
    resume_ids: list[str]
    qrels: Qrels
    baselines: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def by_query(self) -> bool:
        """True when rows are the queries (``resumes-for-job``)."""
        return self.direction == "resumes-for-job"

    @property
    def query_ids(self) -> list[str]:
        """The IDs of the query side."""
        return self.job_ids if self.by_query else self.resume_ids

    @property
    def doc_ids(self) -> list[str]:
        """The IDs of the ranked side."""
        return self.resume_ids if self.by_query else self.job_ids

    def oriented(self, matrix: np.ndarray) -> np.ndarray:
        """A posting-by-resume matrix turned query-by-document."""
        return matrix if self.by_query else np.swapaxes(matrix, 0, 1)

    def tfidf_best(self) -> np.ndarray:
        """Query-by-document: the best TF-IDF of each pair's query over the set, as scoring
        reads it (:meth:`matcher.ranking.features.PairFeatures.query_tfidf_best`)."""
        direction: Any = self.direction
        best = self.features.query_tfidf_best(direction)
        return self.oriented(np.broadcast_to(best, self.features.values["tfidf"].shape))

    def values(self, neutral: dict[str, float] | None = None, gate: float = 0.0) -> np.ndarray:
        """Blended features, ``(n_queries, n_docs, n_features)`` in :data:`FEATURES` order."""
        direction: Any = self.direction
        return self.oriented(self.features.stacked(FEATURES, neutral, direction, gate))

    def run(self, scores: np.ndarray, rows: Sequence[int] | None = None) -> Run:
        """Query-by-document scores of the judged queries (optionally only ``rows``) as a run."""
        chosen = range(len(self.query_ids)) if rows is None else rows
        return {
            self.query_ids[i]: dict(zip(self.doc_ids, scores[i].tolist(), strict=True))
            for i in chosen
            if self.query_ids[i] in self.qrels
        }

    def judged_rows(self) -> np.ndarray:
        """Positions of the judged queries."""
        return np.array([i for i, q in enumerate(self.query_ids) if q in self.qrels], dtype=int)

    def labels(self, top_grade_only: bool = False) -> np.ndarray:
        """``(n_queries, n_docs)`` booleans: judged relevant (grade above 0).

        With ``top_grade_only``, only documents of the set's highest grade count: a full match,
        not a near-miss (RJDB's grade 1 lacks a required skill or years).
        """
        column = {d: j for j, d in enumerate(self.doc_ids)}
        grades = [g for judged in self.qrels.values() for g in judged.values()]
        lowest = max(grades, default=1) if top_grade_only else 1
        relevant = np.zeros((len(self.query_ids), len(self.doc_ids)), dtype=bool)
        for i, query in enumerate(self.query_ids):
            for doc, grade in self.qrels.get(query, {}).items():
                if grade >= max(lowest, 1) and doc in column:
                    relevant[i, column[doc]] = True
        return relevant


def summary(labelled: LabelledFeatures, run: Run) -> dict[str, float]:
    """The :data:`MATRIX_METRICS` of a run (NaN where the labels allow no pairs)."""
    judged = {q: labelled.qrels[q] for q in run}
    metrics = evaluate_run(judged, run).summary
    return {name: float(metrics[name]) for name in MATRIX_METRICS}


def training_pairs(
    labelled: LabelledFeatures,
    values: np.ndarray,
    rows: Sequence[int],
    unjudged_per_query: int = 20,
    seed: int = 0,
    judged_share: float = 0.5,
) -> tuple[np.ndarray, np.ndarray]:
    """Feature differences (better minus worse) of ordered pairs of the given queries.

    Every judged document is paired with every worse-judged one and with a sample of
    unjudged ones (relevance 0): half the hardest by the mean of the current features, half
    at random.

    Returns:
        The differences and a weight per pair. Pairs of two judged documents (a match and its
        near-miss, say) are the distinctions the labels draw on purpose, while pairs with an
        unjudged document only say "relevant beats a random one": when a set has both kinds,
        the judged pairs weigh ``judged_share`` of the total.
    """
    rng = np.random.default_rng(seed)
    column = {doc: j for j, doc in enumerate(labelled.doc_ids)}
    judged_diffs: list[np.ndarray] = []
    sampled_diffs: list[np.ndarray] = []
    for row in rows:
        judged = {
            column[d]: r
            for d, r in labelled.qrels.get(labelled.query_ids[row], {}).items()
            if d in column
        }
        if not judged:
            continue
        others = np.setdiff1d(np.arange(len(labelled.doc_ids)), list(judged))
        sample: list[int] = []
        if len(others):
            strength = values[row, others].mean(axis=1)
            hard = others[np.argsort(-strength)[: unjudged_per_query // 2]]
            rest = np.setdiff1d(others, hard)
            take = min(len(rest), unjudged_per_query - len(hard))
            sample = [*hard.tolist(), *rng.choice(rest, size=take, replace=False).tolist()]
        for pool, graded in (
            (judged_diffs, list(judged.items())),
            (sampled_diffs, [(j, r) for j, r in judged.items() if r > 0]),
        ):
            against = graded if pool is judged_diffs else [(j, 0) for j in sample]
            ordered = [(b, w) for b, rb in graded for w, rw in against if rb > rw]
            if ordered:
                better, worse = np.array(ordered).T
                pool.append(values[row, better] - values[row, worse])
    parts = [
        (np.vstack(p), share)
        for p, share in ((judged_diffs, judged_share), (sampled_diffs, 1.0 - judged_share))
        if p
    ]
    if not parts:
        return np.zeros((0, values.shape[-1]), dtype=np.float32), np.zeros(0)
    weights = np.concatenate([np.full(len(p), share / len(p)) for p, share in parts])
    parts_only = [p for p, _ in parts]
    return np.vstack(parts_only).astype(np.float32), weights * len(weights) / weights.sum()


def fit_weights(
    diffs: np.ndarray,
    c: float = 1.0,
    prior: dict[str, float] | None = None,
    sample_weight: np.ndarray | None = None,
    excluded: Sequence[str] = (),
) -> dict[str, float]:
    """Non-negative weights (summing to one) from pairwise differences.

    Args:
        diffs: Feature differences (better minus worse), one pair a row.
        c: Inverse regularisation strength.
        prior: Weights for features the data cannot speak to: a feature that never differs
            between the two sides of any pair (e.g. ``degree`` when no posting states one)
            keeps its prior share instead of silently getting zero.
        sample_weight: Weight of each pair (e.g. so that every labelled set counts the same).
        excluded: Features left out: their weight is zero, whatever the pairs or the prior say.

    Raises:
        ValueError: If there are no pairs to learn from.
    """
    if not len(diffs):
        raise ValueError("no ordered pairs to learn from: do the qrels grade any documents?")
    # Mirror every pair so the two classes are balanced and no intercept is needed.
    x = np.vstack([diffs, -diffs])
    y = np.concatenate([np.ones(len(diffs)), np.zeros(len(diffs))])
    weight = None if sample_weight is None else np.concatenate([sample_weight, sample_weight])
    active = [f for f, name in enumerate(FEATURES) if name not in excluded]
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
    silent = [
        name
        for name, column in zip(FEATURES, diffs.T, strict=True)
        if not column.any() and name not in excluded
    ]
    kept = {name: float((prior or {}).get(name, 0.0)) for name in silent}
    share = sum(kept.values())
    if share <= 0 or share >= 1:
        return learned
    return {name: kept.get(name, (1 - share) * w) for name, w in learned.items()}


def fit_pairwise(
    parts: Sequence[tuple[np.ndarray, np.ndarray]],
    c: float = 1.0,
    prior: dict[str, float] | None = None,
    excluded: Sequence[str] = (),
) -> dict[str, float]:
    """Non-negative weights from the weighted pairs of several groups, each weighing the same.

    Args:
        parts: ``(differences, pair weights)`` of each group (a domain: a set and its
            reverse); a group's total weight is its share.
        c: Inverse regularisation strength.
        prior: Weights kept for features no pair can speak to (see :func:`fit_weights`).
        excluded: Features left out (weight zero).
    """
    nonempty = [(d, w) for d, w in parts if len(d)]
    if not nonempty:
        raise ValueError("no ordered pairs to learn from: do the qrels grade any documents?")
    weights = np.concatenate([w for _, w in nonempty])
    weights *= len(weights) / weights.sum()
    diffs = np.vstack([d for d, _ in nonempty])
    return fit_weights(diffs, c, prior, sample_weight=weights, excluded=excluded)


def pooled_neutral(sets: Sequence[LabelledFeatures]) -> dict[str, float]:
    """Each gated feature's mean over its confident pairs, averaged over the sets."""
    means = [s.features.confident_means() for s in sets]
    return {name: round(float(np.mean([m[name] for m in means])), 4) for name in GATED}


#: The fixed base of the shortlist model (:attr:`Learning.base`): keywords twice meaning, and a
#: little of years and required skills. Learned on synthetic data alone, the shortlist model
#: otherwise puts too little on ``dense`` for real postings (livecareer) and, learned without
#: RJDB, too little on requirements for RJDB's near-misses; with it, every shortlist cell across
#: domains is at least the best of ``tfidf`` and ``bm25`` (README, "How the default ranker was
#: chosen"; ``benchmarks/shortlist_learning_study.py``). ``experience`` went from 0.05 to 0.075
#: with the near-miss set (``data/nearmiss``): together they bring RJDB's pairwise accuracy
#: across domains from 0.960 to 0.982; either alone reaches 0.978 at most. Those were chosen by
#: looking at the across-domains cells; ``matcher train`` now chooses between this base and its
#: variants by nested leave-one-set-out (:func:`learning_variants`).
SHORTLIST_BASE: dict[str, float] = {
    "tfidf": 0.2,
    "dense": 0.1,
    "experience": 0.075,
    "required_skills": 0.05,
}


#: The fixed base of the recommendation model: TF-IDF and dense as for shortlists, and required
#: skills, the eligibility signal that tells a full match from a near-miss among postings of
#: the same work. Learned without it on RJDB and livecareer, the model tested on the sample
#: ranked one resume's near-miss posting above its match (pairwise 0.958 against TF-IDF's
#: 1.000); with it, 1.000, and every cell across domains is above the best of ``tfidf`` and
#: ``bm25`` (README, "How the default ranker was chosen"). Chosen on those cells; chosen on the
#: other sets only (:func:`nested_selection`), it is still the sample's choice.
RECOMMEND_BASE: dict[str, float] = {"tfidf": 0.2, "dense": 0.1, "required_skills": 0.1}


@dataclass(frozen=True)
class Learning:
    """How weights are learned (the hyperparameters, stored with the model).

    Attributes:
        c: Inverse regularisation strength of the pairwise logistic regression.
        judged_share: Share of a set's weight on pairs of two judged documents.
        domain_weights: Weight of each domain (1 if not named).
        gate: Power of the relevance gate of the eligibility features (0: none).
        excluded: Features left out of the model (weight zero).
        recommend_gate: The gate of the recommendation model (``jobs-for-resume``); ``gate``
            if None.
        recommend_excluded: Features left out of the recommendation model; ``excluded`` if
            None.
        base: Fixed weights, not learned, that the learned weights are added to (scaled to
            the rest of the sum of one): a floor on robust signals (``tfidf``, ``dense``) that
            learning on one kind of data cannot take away on another. Empty: none.
        recommend_base: The base of the recommendation model; ``base`` if None.

    The defaults are the shipped model's. Shortlists add the learned weights to a fixed base
    (:data:`SHORTLIST_BASE`, 0.425 of the sum). Recommendations have a base of their own
    (:data:`RECOMMEND_BASE`, 0.4), gate their eligibility features harder (4) and leave
    ``bm25`` out: learned on the synthetic sets, the recommendation model otherwise leans on
    signals that order real postings badly, and trails TF-IDF on livecareer (README, "How the
    default ranker was chosen"; ``benchmarks/recommend_learning_study.py``).
    """

    c: float = 1.0
    judged_share: float = 0.9
    domain_weights: dict[str, float] = field(default_factory=dict)
    gate: float = 1.0
    excluded: tuple[str, ...] = ()
    recommend_gate: float | None = 4.0
    recommend_excluded: tuple[str, ...] | None = ("bm25",)
    base: dict[str, float] = field(default_factory=lambda: dict(SHORTLIST_BASE))
    recommend_base: dict[str, float] | None = field(default_factory=lambda: dict(RECOMMEND_BASE))

    def __post_init__(self) -> None:
        for base in (self.base, self.recommend_base or {}):
            unknown = sorted(set(base) - set(FEATURES))
            if unknown or any(w < 0 for w in base.values()) or sum(base.values()) >= 1:
                raise ValueError(
                    f"base weights must be known features, non-negative and sum below 1: {base}"
                )

    def based(self, learned: dict[str, float]) -> dict[str, float]:
        """Learned weights (summing to one) scaled below the fixed ``base`` and added to it.

        Example:
            >>> Learning(base={"tfidf": 0.25}).based({"tfidf": 0.5, "dense": 0.5})
            {'tfidf': 0.625, 'dense': 0.375}
        """
        rest = 1.0 - sum(self.base.values())
        names = [*learned, *(n for n in self.base if n not in learned)]
        return {n: self.base.get(n, 0.0) + rest * learned.get(n, 0.0) for n in names}

    def directed(self, direction: str) -> Learning:
        """The learning of one direction: ``gate`` and ``excluded`` as that direction uses them.

        Example:
            >>> [Learning().directed(d).gate for d in ("resumes-for-job", "jobs-for-resume")]
            [1.0, 4.0]
        """
        if direction != "jobs-for-resume":
            return self
        return replace(
            self,
            gate=self.gate if self.recommend_gate is None else self.recommend_gate,
            excluded=self.excluded if self.recommend_excluded is None else self.recommend_excluded,
            base=self.base if self.recommend_base is None else self.recommend_base,
        )


@dataclass(frozen=True)
class LearnedModel:
    """Weights, the neutral values of the gated features, the gate, the calibration and the
    features left out."""

    weights: dict[str, float]
    neutral: dict[str, float]
    gate: float = 0.0
    calibration: dict[str, float] = field(default_factory=dict)
    excluded: tuple[str, ...] = ()

    def raw(self, labelled: LabelledFeatures) -> np.ndarray:
        """Query-by-document raw scores (the weighted sum of the features)."""
        w = np.array([self.weights.get(n, 0.0) for n in FEATURES], dtype=np.float32)
        return labelled.values(self.neutral, self.gate) @ w


def learn(
    sets: Sequence[LabelledFeatures],
    learning: Learning | None = None,
    prior: dict[str, float] | None = None,
    seed: int = 0,
) -> LearnedModel:
    """Learn neutral values, then weights, from the judged queries of ``sets``.

    Every domain weighs the same unless ``learning.domain_weights`` says otherwise. The gate
    and the features left out are those of the sets' direction (:meth:`Learning.directed`).

    Raises:
        ValueError: If the sets are of both directions (they are learned apart).
    """
    directions = {s.direction for s in sets}
    if len(directions) > 1:
        raise ValueError(f"sets of both directions cannot be learned together: {directions}")
    learning = (learning or Learning()).directed(next(iter(directions), "resumes-for-job"))
    neutral = pooled_neutral(sets)
    by_domain: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for s in sets:
        pairs = training_pairs(
            s,
            s.values(neutral, learning.gate),
            s.judged_rows().tolist(),
            seed=seed,
            judged_share=learning.judged_share,
        )
        by_domain.setdefault(s.domain, []).append(pairs)
    parts = [
        (
            np.vstack([d for d, _ in group]),
            np.concatenate([w / max(w.sum(), 1e-12) for _, w in group])
            * learning.domain_weights.get(domain, 1.0),
        )
        for domain, group in by_domain.items()
    ]
    weights = learning.based(fit_pairwise(parts, learning.c, prior, learning.excluded))
    return LearnedModel(weights, neutral, learning.gate, excluded=learning.excluded)


def cross_validated_scores(
    labelled: LabelledFeatures,
    folds: int = 5,
    learning: Learning | None = None,
    prior: dict[str, float] | None = None,
) -> np.ndarray:
    """Query-by-document scores of a model learned on the other folds of the same set."""
    from sklearn.model_selection import GroupKFold

    rows = labelled.judged_rows()
    folds = min(folds, len(rows))
    if folds < 2:
        raise ValueError(f"{labelled.name}: cross-validation needs at least two judged queries")
    learning = (learning or Learning()).directed(labelled.direction)
    neutral = pooled_neutral([labelled])
    values = labelled.values(neutral, learning.gate)
    scores = np.zeros(values.shape[:2], dtype=np.float32)
    for fold, (train, test) in enumerate(GroupKFold(n_splits=folds).split(rows, groups=rows)):
        diffs, weights = training_pairs(
            labelled, values, rows[train].tolist(), seed=fold, judged_share=learning.judged_share
        )
        fitted = learning.based(
            fit_pairwise([(diffs, weights / weights.sum())], learning.c, prior, learning.excluded)
        )
        model = LearnedModel(fitted, neutral, learning.gate)
        scores[rows[test]] = model.raw(labelled)[rows[test]]
    return scores


def learning_variants(learning: Learning) -> dict[str, Learning]:
    """The variants of a learning that nested leave-one-set-out chooses from.

    Each stands for a choice that was once made by looking at the across-domains cells: the
    fixed base of the shortlist model (``experience`` 0.075, or the 0.05 of before the
    near-miss set; ``dense`` 0.1 or 0.15), the sets' weights (``data/labelled_sets.toml``, or
    every domain alike) and the regularisation (``c`` 1 or 0.01). :func:`choose_learning`
    picks one on the sets at hand, so a cell reported for a held-out set comes from a choice
    made without it (:func:`cross_domain_matrix`). Variants that come out the same in a
    direction (a shortlist base, for recommendations) are judged once there.

    The relevance gate of shortlists is not among them: a gate of 2 lifts livecareer (real
    postings) and costs RJDB's near-misses their MAP, and nested selection then picks it
    whenever RJDB is held out (README, "How the default ranker was chosen").
    """
    base = dict(learning.base)

    def with_base(**changes: float) -> Learning:
        return replace(learning, base={**base, **changes}) if base else learning

    return {
        "as given": learning,
        "experience 0.05 in the base": with_base(experience=0.05),
        "dense 0.15 in the base": with_base(dense=0.15),
        "every domain alike": replace(learning, domain_weights={}),
        "c 0.01": replace(learning, c=0.01),
    }


def _distinct(variants: Mapping[str, Learning], direction: str) -> dict[str, Learning]:
    """The variants that differ in ``direction`` (the first of equal ones is kept)."""
    kept: dict[str, Learning] = {}
    for name, learning in variants.items():
        if all(learning.directed(direction) != k.directed(direction) for k in kept.values()):
            kept[name] = learning
    return kept


class HeldOutCells:
    """Models learned on some sets to be tested on others, each learned once.

    Nested selection fits the same models again and again: choosing the shipped variant
    (:func:`choose_learning` on all sets) learns every variant on all sets but one domain,
    and so does the across-domains cell of each held-out set (:func:`cross_domain_matrix`).
    One instance serves both, so ``matcher train`` fits each of them once. A model is known
    by its learning (not the variant's name) and the sets it was learned on.

    Args:
        prior: The weights kept for features no pair speaks to (see :func:`fit_weights`).
    """

    def __init__(self, prior: dict[str, float] | None = None) -> None:
        self.prior = prior
        self.models: dict[tuple[str, tuple[str, ...]], LearnedModel] = {}
        self.best: dict[str, dict[str, float]] = {}

    def model(
        self, name: str, learning: Learning, train: Sequence[LabelledFeatures]
    ) -> LearnedModel:
        """``learning`` learned on ``train`` (``name`` is the variant's, for reports only)."""
        key = (repr(learning), tuple(s.name for s in train))
        if key not in self.models:
            self.models[key] = learn(train, learning, self.prior)
        return self.models[key]

    def baseline_best(self, s: LabelledFeatures) -> dict[str, float]:
        """The best of ``tfidf`` and ``bm25`` on ``s``, per metric (NaN where neither has one)."""
        if s.name not in self.best:
            fixed = pd.DataFrame(
                [
                    summary(s, s.run(s.oriented(s.baselines[n])))
                    for n in ("tfidf", "bm25")
                    if n in s.baselines
                ],
                columns=list(MATRIX_METRICS),
            )
            self.best[s.name] = {m: float(fixed[m].max()) for m in MATRIX_METRICS}
        return self.best[s.name]

    def judge(
        self, name: str, learning: Learning, sets: Sequence[LabelledFeatures]
    ) -> tuple[float, float]:
        """Worst and mean margin over the best of ``tfidf`` and ``bm25`` of ``learning``'s
        leave-one-domain-out cells on ``sets`` (learned on the others, tested on each)."""
        found: list[float] = []
        for s in sets:
            train = [o for o in sets if o.domain != s.domain]
            if not train:
                continue
            cell = summary(s, s.run(self.model(name, learning, train).raw(s)))
            best = self.baseline_best(s)
            found += [
                cell[m] - best[m]
                for m in MATRIX_METRICS
                if not (np.isnan(cell[m]) or np.isnan(best[m]))
            ]
        return (min(found), float(np.mean(found))) if found else (0.0, 0.0)

    def choose(
        self, variants: Mapping[str, Learning], sets: Sequence[LabelledFeatures]
    ) -> tuple[str, dict[str, tuple[float, float]]]:
        """The variant with the largest worst margin on ``sets`` (ties: the mean margin; the
        first variant when fewer than two domains leave nothing to choose on)."""
        direction = sets[0].direction if sets else "resumes-for-job"
        distinct = _distinct(variants, direction)
        if len({s.domain for s in sets}) < 2 or len(distinct) < 2:
            return next(iter(distinct)), {}
        judged = {name: self.judge(name, v, sets) for name, v in distinct.items()}
        return max(judged, key=lambda name: judged[name]), judged

    def held_out(
        self,
        variants: Mapping[str, Learning],
        s: LabelledFeatures,
        others: Sequence[LabelledFeatures],
    ) -> tuple[str, Run]:
        """The nested held-out cell of ``s``: the variant chosen on ``others`` only
        (:meth:`choose`), learned on them, and its run on ``s``."""
        name, _ = self.choose(variants, others)
        return name, s.run(self.model(name, variants[name], others).raw(s))


def choose_learning(
    sets: Sequence[LabelledFeatures],
    variants: Mapping[str, Learning],
    prior: dict[str, float] | None = None,
    cells: HeldOutCells | None = None,
) -> tuple[str, dict[str, tuple[float, float]]]:
    """The variant of the learning for ``sets`` (one direction), chosen by leave-one-set-out.

    Each variant is learned on all sets but one domain and tested on that domain, for every
    domain; the one whose worst margin over the best of ``tfidf`` and ``bm25`` (over those
    cells and metrics) is largest wins, ties going to the larger mean margin. The shipped model
    is learned with the variant chosen on all sets; a held-out cell of the matrix with the one
    chosen without its set.

    Args:
        sets: Labelled sets of one direction.
        variants: The variants to choose from (:func:`learning_variants`).
        prior: The weights kept for features no pair speaks to (see :func:`fit_weights`).
        cells: The models already learned, shared with :func:`cross_domain_matrix` (new ones
            with ``prior`` if None).

    Returns:
        The chosen variant's name and each judged variant's ``(worst, mean)`` margin (empty
        when fewer than two domains or variants leave nothing to choose: the first variant).
    """
    return _cells(cells, prior).choose(variants, sets)


def _cells(cells: HeldOutCells | None, prior: dict[str, float] | None) -> HeldOutCells:
    """``cells``, or new ones with ``prior``.

    Raises:
        ValueError: If ``cells`` were learned with another prior.
    """
    if cells is None:
        return HeldOutCells(prior)
    if cells.prior != prior:
        raise ValueError("the shared held-out cells were learned with another prior")
    return cells


def cross_domain_matrix(
    sets: Sequence[LabelledFeatures],
    shipped: dict[str, LearnedModel] | None = None,
    folds: int = 5,
    learning: Learning | None = None,
    prior: dict[str, float] | None = None,
    in_domain: bool = True,
    variants: Mapping[str, Learning] | None = None,
    cells: HeldOutCells | None = None,
) -> pd.DataFrame:
    """Every ranker on every set: fixed baselines, learned in-domain and across domains.

    A learned model is always learned on sets of the direction it is tested in (shortlists
    and recommendations are learned apart). ``shipped`` maps a direction to its model. With
    ``in_domain`` False the in-domain cross-validation is skipped (a faster matrix).

    With ``variants``, the across-domains cell of a set is nested leave-one-set-out: the
    variant is chosen (:func:`choose_learning`) on the sets of the *other* domains only, then
    learned on them and tested on the held-out set, so no choice has seen it. Without, it is
    learned with ``learning``. ``cells`` are the models already learned (by
    :func:`choose_learning` on all sets, say), so none is learned twice.

    Returns:
        One row per (ranker, setting, tested set): ``ranker``, ``setting`` (``fixed``,
        ``in-domain``, ``cross-domain`` or ``shipped``), ``trained_on``, ``tested_on``,
        ``direction``, ``queries``, the :data:`MATRIX_METRICS` and ``variant`` (the learning
        variant of a cross-domain cell, ``-`` elsewhere).
    """
    rows: list[dict[str, Any]] = []
    cells = _cells(cells, prior)

    def add(
        ranker: str,
        setting: str,
        trained_on: str,
        s: LabelledFeatures,
        run: Run,
        variant: str = "-",
    ) -> None:
        rows.append(
            {
                "ranker": ranker,
                "setting": setting,
                "trained_on": trained_on,
                "tested_on": s.name,
                "direction": s.direction,
                "queries": len(run),
                **summary(s, run),
                "variant": variant,
            }
        )

    for s in sets:
        for name, scores in s.baselines.items():
            add(name, "fixed", "-", s, s.run(s.oriented(scores)))
        if in_domain:
            held_out = cross_validated_scores(s, folds, learning, prior)
            add("requirements", "in-domain", s.name, s, s.run(held_out))
        others = [o for o in sets if o.domain != s.domain and o.direction == s.direction]
        if others:
            name, run = cells.held_out(variants or {"as given": learning or Learning()}, s, others)
            trained_on = "+".join(o.name for o in others)
            add("requirements", "cross-domain", trained_on, s, run, name)
        if shipped is not None and s.direction in shipped:
            add("requirements", "shipped", "all", s, s.run(shipped[s.direction].raw(s)))
    return pd.DataFrame(rows)


def margins(matrix: pd.DataFrame, setting: str = "cross-domain") -> pd.Series:
    """How far each requirement cell of ``setting`` is above the best of ``tfidf`` and ``bm25``.

    Returns:
        One margin per (tested set, metric) with a value (``cell - best baseline``; negative
        below the best baseline), indexed by ``"set metric"``.
    """
    found: dict[str, float] = {}
    for tested, group in matrix.groupby("tested_on", sort=False):
        fixed = group[group["ranker"].isin(["tfidf", "bm25"])]
        cells = group[(group["ranker"] == "requirements") & (group["setting"] == setting)]
        for metric in MATRIX_METRICS:
            if cells.empty or pd.isna(cells[metric].iloc[0]) or fixed[metric].isna().all():
                continue
            found[f"{tested} {metric}"] = float(cells[metric].iloc[0] - fixed[metric].max())
    return pd.Series(found, dtype=float)


def nested_selection(
    sets: Sequence[LabelledFeatures],
    variants: Mapping[str, Learning],
    prior: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Held-out cells of a learning variant chosen without the held-out set (nested
    leave-one-set-out).

    For each set, the variant is chosen on the sets of the *other* domains only
    (:func:`choose_learning`), then learned on all of them and tested on the held-out set,
    which no choice has seen. Choosing the variant on the held-out cells themselves would make
    them a measure of the choice, not of the model. The same cells are the across-domains
    cells of :func:`cross_domain_matrix` given ``variants``.

    Returns:
        One row per held-out set: ``tested_on``, ``chosen`` (the variant's name), the
        :data:`MATRIX_METRICS` of the held-out cell and ``best_<metric>`` of ``tfidf`` and
        ``bm25`` on the same set.

    Raises:
        ValueError: If a set has fewer than two other domains of its direction to choose on.
    """
    rows: list[dict[str, Any]] = []
    cells = HeldOutCells(prior)
    for s in sets:
        others = [o for o in sets if o.domain != s.domain and o.direction == s.direction]
        if len({o.domain for o in others}) < 2:
            raise ValueError(f"{s.name}: choosing a variant needs two other domains to test on")
        chosen, run = cells.held_out(variants, s, others)
        best = cells.baseline_best(s)
        rows.append(
            {
                "tested_on": s.name,
                "chosen": chosen,
                **summary(s, run),
                **{f"best_{m}": best[m] for m in MATRIX_METRICS},
            }
        )
    return pd.DataFrame(rows)


def matrix_markdown(matrix: pd.DataFrame) -> str:
    """The matrix as a Markdown table, one row per (tested set, ranker, setting), with the
    learning variant of each across-domains cell."""
    header = ["tested on", "direction", "ranker", "setting", "trained on", *MATRIX_METRICS]
    header.append("variant")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    ordered = matrix.sort_values(["tested_on", "direction", "setting", "ranker"], kind="stable")
    for row in ordered.to_dict(orient="records"):
        metrics = ["n/a" if pd.isna(row[m]) else f"{row[m]:.4f}" for m in MATRIX_METRICS]
        cells = [row["tested_on"], row["direction"], row["ranker"], row["setting"]]
        variant = str(row.get("variant", "-"))
        lines.append("| " + " | ".join([*cells, row["trained_on"], *metrics, variant]) + " |")
    return "\n".join(lines)
