"""The requirement-aware ranker: does this candidate have what the job requires?

The score is a weighted sum of the features in :mod:`matcher.ranking.features`, each in [0, 1], with
non-negative weights that sum to one, shown as 0-100. Each feature's weighted value is its
contribution, so the ``score_breakdown`` of a shortlist adds up to the score, and a recruiter
can see which signal puts candidate 3 above candidate 4.

The weights come, in order of preference, from the ``weights`` parameter (e.g. a registered
champion), the learned model shipped as package data, ``matcher/data/requirements_ranker.json``
(see :mod:`matcher.evaluation.crossdomain`), or :data:`DEFAULT_WEIGHTS`, a transparent hand-set
weighting used when no labelled data has ever been seen.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from itertools import chain
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
from pydantic import Field, NonNegativeFloat, PositiveFloat, field_validator, model_validator

from matcher import schema
from matcher.io.file_schema import StrictSchema, validate_file
from matcher.io.score_cache import PairFeatureCache
from matcher.io.state_store import fingerprint
from matcher.parsing.education import DegreeLevel
from matcher.parsing.experience import MAX_PLACEMENT_YEARS, ExperienceProfile
from matcher.parsing.profiles import (
    PostingProfile,
    ProfileStore,
    ResumeProfile,
    profile_key,
    profile_postings,
    profile_resumes,
    resume_days,
)
from matcher.parsing.requirements import YearsRequirement
from matcher.parsing.shown_skills import ENGLISH, shown_skills, shows_english
from matcher.parsing.skills import SkillMatcher, SkillMention, soft_skill
from matcher.parsing.taxonomy import skill_matcher
from matcher.ranking.calibration import calibrated, capped_fit
from matcher.ranking.embedding import Embedder
from matcher.ranking.explain import (
    Explainer,
    Row,
    contains_term,
    term_explainer,
    terms_explainer,
)
from matcher.ranking.features import (
    DEFAULT_NEUTRAL,
    FEATURES,
    GATED,
    LOCAL_FEATURES,
    LocalFeatures,
    PairFeatures,
    PoolStatistics,
    compute_features,
    experience_and_years,
    local_features,
    subject_years,
    years_in_subjects,
)
from matcher.ranking.index import ResumeIndex
from matcher.ranking.lexical import Direction
from matcher.ranking.rankers import DenseRanker, Ranker
from matcher.text.contact import PLACEHOLDERS, has_contact
from matcher.text.dates import merged_months
from matcher.text.display import (
    quote_sentence,
    remembered_display_sentences,
    shorten_quote,
    strip_markup,
)

#: Used when no learned weights exist: requirements first, similarity second.
DEFAULT_WEIGHTS: dict[str, float] = {
    "required_skills": 0.20,
    "preferred_skills": 0.05,
    "requirement_coverage": 0.15,
    "requirement_terms": 0.10,
    "experience": 0.15,
    "degree": 0.05,
    "title": 0.10,
    "dense": 0.05,
    "bm25": 0.05,
    "tfidf": 0.10,
}
#: The learned model, shipped as package data so that an installed matcher scores with it too.
WEIGHTS_FILE = Path(str(files("matcher").joinpath("data", "requirements_ranker.json")))
#: Evidence sentences at most, unless more are needed to show every matched required skill.
_MAX_EVIDENCE = 3


def normalise_weights(weights: dict[str, float]) -> dict[str, float]:
    """Weights over :data:`FEATURES`, non-negative and summing to one.

    Raises:
        ValueError: If a name is not a feature, a weight is negative, or all are zero.
    """
    unknown = set(weights) - set(FEATURES)
    if unknown:
        raise ValueError(f"unknown features in weights: {sorted(unknown)}; known: {FEATURES}")
    if any(float(w) < 0 for w in weights.values()):
        raise ValueError("weights must be non-negative, so that more of a signal never hurts")
    total = sum(float(w) for w in weights.values())
    if total <= 0:
        raise ValueError("at least one weight must be positive")
    return {name: float(weights.get(name, 0.0)) / total for name in FEATURES}


def normalise_neutral(neutral: dict[str, float] | None) -> dict[str, float]:
    """Neutral values of the gated features (:mod:`matcher.ranking.features`), defaults filled in.

    Raises:
        ValueError: If a name is not a gated feature or a value is outside [0, 1].
    """
    neutral = dict(neutral or {})
    unknown = set(neutral) - set(GATED)
    if unknown:
        raise ValueError(f"unknown features in neutral values: {sorted(unknown)}; known: {GATED}")
    if any(not 0.0 <= float(v) <= 1.0 for v in neutral.values()):
        raise ValueError("neutral values must lie in [0, 1]")
    return {name: float(neutral.get(name, DEFAULT_NEUTRAL[name])) for name in GATED}


@dataclass(frozen=True)
class ShippedModel:
    """What the weights file holds, and its path.

    Attributes:
        weights: Weights for shortlists (``resumes-for-job``).
        neutral: Neutral values of the gated features.
        calibration: Calibration of shortlist scores (:class:`Calibration`; empty:
            uncalibrated).
        gate: Power of the relevance gate of the eligibility features.
        recommend_weights: Weights for recommendations (``jobs-for-resume``); the shortlist
            weights when empty.
        recommend_calibration: Calibration of recommendation scores.
        recommend_gate: Power of the relevance gate for recommendations (``gate`` unless the
            file gives one of its own).
        source: The file, or ``built-in default weights``.
    """

    weights: dict[str, float]
    neutral: dict[str, float]
    calibration: dict[str, float]
    gate: float
    recommend_weights: dict[str, float]
    recommend_calibration: dict[str, float]
    recommend_gate: float
    source: str


class Calibration(StrictSchema):
    """Calibration of raw scores: ``sigmoid(slope * raw + tfidf_best * best + intercept)``,
    ``best`` the query's best TF-IDF over the pool (:mod:`matcher.ranking.calibration`; 0 in
    files written before it was read)."""

    slope: float
    intercept: float
    tfidf_best: float = 0.0


def _known(names: list[str]) -> list[str]:
    unknown = [name for name in names if name not in FEATURES]
    if unknown:
        raise ValueError(f"unknown features {unknown}; known: {list(FEATURES)}")
    return names


class RecommendationModel(StrictSchema):
    """The weights, calibration and relevance gate that rank postings for a resume.

    Recommendations are learned apart from shortlists, with a gate and a feature set of their
    own: ``gate`` (the file's top-level gate when absent, as in files written before it
    existed) and ``excluded_features``, the features left out when learning, whose weight must
    be zero.
    """

    weights: dict[str, NonNegativeFloat]
    calibration: Calibration | None = None
    gate: NonNegativeFloat | None = None
    excluded_features: list[str] = Field(default_factory=list)

    @field_validator("excluded_features")
    @classmethod
    def _known_excluded(cls, names: list[str]) -> list[str]:
        return _known(names)

    @model_validator(mode="after")
    def _excluded_unweighted(self) -> RecommendationModel:
        weighted = [name for name in self.excluded_features if self.weights.get(name, 0.0) > 0]
        if weighted:
            raise ValueError(f"excluded features {weighted} have a weight above zero")
        return self


class LearningSettings(StrictSchema):
    """How the weights were learned (see :class:`matcher.evaluation.crossdomain.Learning`)."""

    c: PositiveFloat
    judged_share: float = Field(ge=0, le=1)
    domain_weights: dict[str, NonNegativeFloat] = Field(default_factory=dict)
    gate: NonNegativeFloat = 0.0
    excluded: list[str] = Field(default_factory=list)
    recommend_gate: NonNegativeFloat | None = None
    recommend_excluded: list[str] | None = None
    base: dict[str, NonNegativeFloat] = Field(default_factory=dict)
    recommend_base: dict[str, NonNegativeFloat] | None = None

    @field_validator("base", "recommend_base")
    @classmethod
    def _known_base(cls, base: dict[str, float] | None) -> dict[str, float] | None:
        if base is not None:
            _known(list(base))
        return base

    @field_validator("excluded", "recommend_excluded")
    @classmethod
    def _known_excluded(cls, names: list[str] | None) -> list[str] | None:
        return None if names is None else _known(names)


class LearningChoice(StrictSchema):
    """The learning variant chosen for one direction by leave-one-set-out
    (:func:`matcher.evaluation.crossdomain.choose_learning`) and the evidence it was chosen on:
    each variant's worst and mean margin over the best of ``tfidf`` and ``bm25``."""

    variant: str
    learning: LearningSettings
    margins: dict[str, list[float]] = Field(default_factory=dict)


class LearnedModelFile(StrictSchema):
    """The layout of the learned-model file written by ``matcher train``.

    The model is ``ranker`` to ``recommendations``; the rest is its evidence: the learning
    settings, when and on which sets it was trained (with the data's hashes), the expected
    calibration error per set and the cross-domain matrix.
    """

    ranker: Literal["requirements"]
    features: list[str]
    weights: dict[str, NonNegativeFloat]
    neutral: dict[str, float] = Field(default_factory=dict)
    gate: NonNegativeFloat = 0.0
    calibration: Calibration | None = None
    recommendations: RecommendationModel | None = None
    learning: LearningSettings | None = None
    learning_variants: dict[str, LearningChoice] = Field(default_factory=dict)
    trained_at: str | None = None
    trained_on: list[str] = Field(default_factory=list)
    datasets: dict[str, dict[str, str]] = Field(default_factory=dict)
    expected_calibration_error: dict[str, float] = Field(default_factory=dict)
    calibration_at_the_top: dict[str, dict[str, float]] = Field(default_factory=dict)
    cross_domain_matrix: list[dict[str, str | float | int | None]] = Field(default_factory=list)

    @field_validator("calibration", mode="before")
    @classmethod
    def _empty_is_uncalibrated(cls, value: Any) -> Any:
        return value or None

    @field_validator("features")
    @classmethod
    def _known_features(cls, names: list[str]) -> list[str]:
        return _known(names)


def read_model_file(path: Path) -> ShippedModel:
    """The learned model in ``path``, checked against :class:`LearnedModelFile`.

    Raises:
        ValueError: Naming the file and the key that is unknown, missing or wrong.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not valid JSON ({error})") from error
    model = validate_file(LearnedModelFile, data, str(path))
    recommend = model.recommendations
    try:
        return ShippedModel(
            normalise_weights(model.weights),
            normalise_neutral(model.neutral),
            model.calibration.model_dump() if model.calibration else {},
            model.gate,
            normalise_weights(recommend.weights) if recommend and recommend.weights else {},
            recommend.calibration.model_dump() if recommend and recommend.calibration else {},
            model.gate if recommend is None or recommend.gate is None else recommend.gate,
            str(path),
        )
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from error


def shipped_model(path: Path = WEIGHTS_FILE) -> ShippedModel:
    """The learned model in ``path``; the built-in defaults (uncalibrated) if it is absent.

    Raises:
        ValueError: If the file does not follow :class:`LearnedModelFile`.
    """
    if path.is_file():
        return read_model_file(path)
    return ShippedModel(
        normalise_weights(DEFAULT_WEIGHTS),
        normalise_neutral(None),
        {},
        0.0,
        {},
        {},
        0.0,
        "built-in default weights",
    )


class RequirementRanker(Ranker):
    """Skills, experience, degree and title against what the posting requires, plus similarity.

    Shortlists (``resumes-for-job``) and recommendations (``jobs-for-resume``) may have
    weights and calibrations of their own: a job seeker's list of postings is ordered by the
    kind of work first, a recruiter's shortlist also by who meets the requirements.

    Args:
        embedder: The shared embedder.
        weights: Feature weights; the shipped learned model if None.
        today: The date "Present" stands for in resumes (today if None), or the day a resume
            was received where it is earlier (:func:`~matcher.parsing.profiles.resume_days`).
        taxonomy_dir: A folder with ESCO ``skills_en.csv`` and/or O*NET ``Technology
            Skills.txt`` whose skills extend the built-in vocabulary (see
            :func:`matcher.parsing.taxonomy.build_vocabulary`, which also names their attribution).
        neutral: Neutral values of the gated features (see :mod:`matcher.ranking.features`); the
            shipped ones with the shipped weights, else :data:`DEFAULT_NEUTRAL`.
        calibration: Calibration (``slope``, ``intercept``, ``tfidf_best``) of shortlist scores.
        gate: Power of the relevance gate of the eligibility features (0: none).
        recommend_weights: Weights for recommendations; ``weights`` if None.
        recommend_calibration: Calibration of recommendation scores.
        recommend_gate: The gate used with ``recommend_weights``; the shipped one with the
            shipped weights, else ``gate``.
    """

    name = "requirements"
    uses_embedder = True

    def __init__(
        self,
        embedder: Embedder,
        weights: dict[str, float] | None = None,
        today: date | None = None,
        taxonomy_dir: str | None = None,
        neutral: dict[str, float] | None = None,
        calibration: dict[str, float] | None = None,
        gate: float | None = None,
        recommend_weights: dict[str, float] | None = None,
        recommend_calibration: dict[str, float] | None = None,
        recommend_gate: float | None = None,
    ) -> None:
        if weights is None:
            shipped = shipped_model()
            self.weights, self.weights_source = shipped.weights, shipped.source
            self.neutral = normalise_neutral(neutral) if neutral else shipped.neutral
            self.calibration = calibration if calibration is not None else shipped.calibration
            self.gate = shipped.gate if gate is None else float(gate)
            self.recommend_weights = (
                normalise_weights(recommend_weights)
                if recommend_weights
                else shipped.recommend_weights
            )
            self.recommend_calibration = (
                recommend_calibration
                if recommend_calibration is not None
                else shipped.recommend_calibration
            )
            self.recommend_gate = (
                shipped.recommend_gate if recommend_gate is None else float(recommend_gate)
            )
        else:
            self.weights, self.weights_source = normalise_weights(weights), "parameters"
            self.neutral = normalise_neutral(neutral)
            self.calibration = dict(calibration or {})
            self.gate = float(gate or 0.0)
            self.recommend_weights = (
                normalise_weights(recommend_weights) if recommend_weights else {}
            )
            self.recommend_calibration = dict(recommend_calibration or {})
            self.recommend_gate = self.gate if recommend_gate is None else float(recommend_gate)
        if self.gate < 0 or self.recommend_gate < 0:
            raise ValueError("gate must be 0 or more")
        # A posting is its title and opening chunk (benchmarks/dense_study.md).
        self.dense = DenseRanker(embedder, posting="title-lead")
        self.today = today
        self.taxonomy_dir = taxonomy_dir
        self._matcher: SkillMatcher | None = None
        self._start_state({}, None)

    def _start_state(
        self, profile_store: ProfileStore, pair_cache: PairFeatureCache | None
    ) -> None:
        """What this ranker holds of its process (not of its model): none of it is pickled."""
        self.index: ResumeIndex | None = None
        #: The frames' key, direction, pool, features and pairs of the last :meth:`features`.
        self._last: (
            tuple[str, str, PoolStatistics | None, PairFeatures, np.ndarray | None] | None
        ) = None
        #: Profiles by content (:func:`matcher.parsing.profiles.profile_key`): a record is read
        #: once however many batches or calls it is scored in. A run with a state folder
        #: puts a :class:`matcher.io.score_cache.ProfileCache` here, kept between runs.
        self.profile_store = profile_store
        #: Pair-local features of pairs scored before, by content (:meth:`feature_version`);
        #: None computes every pair. See :mod:`matcher.io.score_cache`.
        self.pair_cache = pair_cache
        #: Pairs whose pair-local features were computed, and reused from :attr:`pair_cache`.
        self.pair_counts = {"computed": 0, "reused": 0}

    def __getstate__(self) -> dict[str, Any]:
        """What a pickled ranker carries to another process (a Dask worker): its model (weights,
        calibrations, gates, day, vocabulary, the skill matcher built here once) and none of
        this process's state: no index, stores, pair cache, counts or remembered features,
        and a dense ranker without its embedder (:meth:`DenseRanker.__getstate__`). The
        receiving process gives it its own with :meth:`for_process`."""
        self.matcher  # noqa: B018  (built here once, so that every worker gets it built)
        state = self.__dict__.copy()
        state.update(
            index=None,
            _last=None,
            profile_store={},
            pair_cache=None,
            pair_counts={"computed": 0, "reused": 0},
        )
        return state

    def for_process(
        self,
        embedder: Embedder,
        profile_store: ProfileStore | None = None,
        pair_cache: PairFeatureCache | None = None,
    ) -> RequirementRanker:
        """A ranker of this one's model working with ``embedder`` and these stores: how a
        Dask worker scores with the ranker the flow sent it, however many tasks share it.

        The model (and the skill matcher) is shared, read-only; the process state is new:
        a dense ranker of the same view on ``embedder``, no index, no remembered features,
        pair counts from zero.

        Args:
            embedder: This process's embedder.
            profile_store: Profiles by key (an empty dict if None).
            pair_cache: Pair-local features kept between runs (none if None).
        """
        ranker = copy.copy(self)
        ranker.dense = DenseRanker(embedder, self.dense.aggregate, self.dense.posting)
        ranker._start_state({} if profile_store is None else profile_store, pair_cache)
        return ranker

    def model_for(self, direction: Direction) -> tuple[dict[str, float], dict[str, float]]:
        """The weights and calibration used to rank in ``direction``."""
        if direction == "jobs-for-resume" and self.recommend_weights:
            return self.recommend_weights, self.recommend_calibration
        return self.weights, self.calibration

    def gate_for(self, direction: Direction) -> float:
        """The relevance gate used with the weights of ``direction`` (:meth:`model_for`)."""
        if direction == "jobs-for-resume" and self.recommend_weights:
            return self.recommend_gate
        return self.gate

    @property
    def matcher(self) -> SkillMatcher:
        """The skill matcher, built on first use."""
        if self._matcher is None:
            self._matcher = skill_matcher(str(self.taxonomy_dir) if self.taxonomy_dir else None)
        return self._matcher

    def attach_index(self, index: ResumeIndex) -> None:
        """Keep the resume index for stage 1 of the two-stage ranking
        (:mod:`matcher.ranking.two_stage`). Dense similarity is computed from the chunk
        vectors, so that a pair scores the same in any batch."""
        self.index = index

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "weights": {k: round(v, 6) for k, v in self.weights.items()},
            "neutral": {k: round(v, 6) for k, v in self.neutral.items()},
        }
        if self.calibration:
            params["calibration"] = {k: round(v, 6) for k, v in self.calibration.items()}
        if self.gate:
            params["gate"] = self.gate
        if self.recommend_weights:
            params["recommend_weights"] = {
                k: round(v, 6) for k, v in self.recommend_weights.items()
            }
        if self.recommend_calibration:
            params["recommend_calibration"] = {
                k: round(v, 6) for k, v in self.recommend_calibration.items()
            }
        if self.recommend_weights and self.recommend_gate != self.gate:
            params["recommend_gate"] = self.recommend_gate
        if self.taxonomy_dir:
            params["taxonomy_dir"] = str(self.taxonomy_dir)
        return params

    def profiles(
        self, postings: pd.DataFrame, resumes: pd.DataFrame
    ) -> tuple[list[PostingProfile], list[ResumeProfile]]:
        """The profiles of the postings and resumes, each read once (:attr:`profile_store`)."""
        return (
            profile_postings(postings, self.matcher, self.profile_store),
            profile_resumes(resumes, self.matcher, self.today, self.profile_store),
        )

    def pool(
        self,
        postings: pd.DataFrame,
        resumes: pd.DataFrame,
        direction: Direction = "resumes-for-job",
        *,
        extensible: bool = False,
    ) -> PoolStatistics:
        """The pool-dependent statistics of all these postings and resumes, for
        :meth:`features` of any part of them; ``extensible`` keeps what
        :meth:`PoolStatistics.extended` needs (an incremental rerun's kept statistics)."""
        return PoolStatistics(
            postings,
            resumes,
            profile_postings(postings, self.matcher, self.profile_store),
            direction,
            extensible=extensible,
        )

    def features(
        self,
        postings: pd.DataFrame,
        resumes: pd.DataFrame,
        direction: Direction = "resumes-for-job",
        pool: PoolStatistics | None = None,
        pairs: np.ndarray | None = None,
    ) -> PairFeatures:
        """All pair features (remembered for the explainer of the same frames).

        Args:
            pool: The statistics of the whole pool the frames are part of (:meth:`pool`);
                the frames' own if None. The methods called next with the same frames
                (:meth:`components`, :meth:`explainer`, ...) use these features.
            pairs: ``(len(postings), len(resumes))`` booleans: the pairs wanted (each
                posting's candidates); the values of the others are unspecified
                (:func:`matcher.ranking.features.local_features`). Every pair if None. The
                methods called next with the same frames use these features: read only
                these pairs of what they return.
        """
        key = _frames_key(postings, resumes)
        last = self._last
        if (
            last is not None
            and last[:2] == (key, direction)
            and (pool is None or last[2] is pool)
            and (pairs is None or (last[4] is not None and np.array_equal(last[4], pairs)))
        ):
            return last[3]
        posting_profiles, resume_profiles = self.profiles(postings, resumes)
        features = compute_features(
            postings,
            resumes,
            posting_profiles,
            resume_profiles,
            self.dense.embedder,
            direction,
            self.dense,
            pool,
            self._local_features(postings, resumes, posting_profiles, resume_profiles, pairs),
            pairs,
        )
        self._last = (key, direction, pool, features, pairs)
        return features

    def feature_version(self) -> str:
        """What the cached pair-local features (:data:`CACHED_FEATURES`) depend on besides the
        two records: the embedding model and chunking, the dense view, the skill vocabulary
        and the feature code (the digest of matcher's source and data files, so a code change
        that keeps matcher's version is not taken for the same code). A cached value of
        another version is not used. The day "Present" stands for is not part of it: it enters
        a resume's key only through :func:`day_signature`, and the feature that depends on it
        is never cached."""
        from matcher.io.unchanged_rerun import source_fingerprint

        embedder = self.dense.embedder
        return fingerprint(
            {
                "features": CACHED_FEATURES,
                "model": embedder.model_id,
                "chunks": [embedder.max_tokens, embedder.chunk_overlap],
                "dense": self.dense.params(),
                "taxonomy_dir": str(self.taxonomy_dir),
                "matcher_code": source_fingerprint(),
            }
        )

    def parser_version(self) -> str:
        """What a profile depends on besides its record: the skill vocabulary and the parser
        code (the digest of matcher's source and data files, as for :meth:`feature_version`);
        the day is part of a resume profile's key."""
        from matcher.io.unchanged_rerun import source_fingerprint

        return fingerprint(
            {"taxonomy_dir": str(self.taxonomy_dir), "matcher_code": source_fingerprint()}
        )

    def _local_features(
        self,
        postings: pd.DataFrame,
        resumes: pd.DataFrame,
        posting_profiles: list[PostingProfile],
        resume_profiles: list[ResumeProfile],
        pairs: np.ndarray | None = None,
    ) -> LocalFeatures | None:
        """The pair-local features, computed only for the pairs :attr:`pair_cache` lacks
        (of ``pairs``, if given: see :meth:`features`).

        Rows and columns with a missing pair are computed together: new resumes against
        every posting, a new posting against every resume. A pair's values do not depend on
        the others computed with it, so they equal those of a run from scratch. The features
        that depend on the day (:data:`DAY_FEATURES`) are computed for every pair, every run;
        a resume's key holds what else of its profile the day can change
        (:func:`day_signature`), so a cached value is one of a profile read on any day alike.
        """
        cache = self.pair_cache
        if cache is None:
            return None
        posting_keys = content_keys(postings, schema.JOB_ID)
        resume_keys = [
            f"{key}:{day_signature(profile.experience, day)}"
            for key, profile, day in zip(
                content_keys(resumes, schema.RESUME_ID),
                resume_profiles,
                resume_days(resumes, self.today),
                strict=True,
            )
        ]
        found = cache.get(posting_keys, resume_keys)
        shape = (len(postings), len(resumes))
        wanted = np.ones(shape, dtype=bool) if pairs is None else pairs
        missing = np.zeros(shape, dtype=bool)
        for row, column in zip(*np.nonzero(wanted), strict=True):
            missing[row, column] = (posting_keys[row], resume_keys[column]) not in found
        values = {name: np.zeros(shape, dtype=np.float32) for name in LOCAL_FEATURES}
        known_rows, known_columns = np.nonzero(wanted & ~missing)
        if len(known_rows):
            stored = np.stack(
                [
                    found[(posting_keys[row], resume_keys[column])]
                    for row, column in zip(known_rows, known_columns, strict=True)
                ]
            )
            for k, name in enumerate(CACHED_FEATURES):
                values[name][known_rows, known_columns] = stored[:, k]
        rows, columns = np.flatnonzero(missing.any(axis=1)), np.flatnonzero(missing.any(axis=0))
        if len(rows):
            computed = local_features(
                postings.iloc[rows],
                resumes.iloc[columns],
                [posting_profiles[i] for i in rows],
                [resume_profiles[j] for j in columns],
                self.dense.embedder,
                self.dense,
                missing[np.ix_(rows, columns)],
                # The day's features are computed below for every pair wanted: not twice.
                experience=False,
            )
            block = np.ix_(rows, columns)
            new = missing[block]  # only these were computed; the block's others are cached
            for name in CACHED_FEATURES:
                values[name][block] = np.where(new, computed.values[name], values[name][block])
            cache.put(
                (
                    posting_keys[rows[i]],
                    resume_keys[columns[j]],
                    np.array([computed.values[name][i, j] for name in CACHED_FEATURES], np.float32),
                )
                for i, j in zip(*np.nonzero(new), strict=True)
            )
        values["experience"], years = experience_and_years(
            posting_profiles, resume_profiles, self.dense.embedder, pairs
        )
        self.pair_counts["computed"] += int(missing.sum())
        self.pair_counts["reused"] += int((wanted & ~missing).sum())
        return LocalFeatures(values, years)

    def components(
        self,
        postings: pd.DataFrame,
        resumes: pd.DataFrame,
        direction: Direction = "resumes-for-job",
        *,
        features: PairFeatures | None = None,
    ) -> dict[str, np.ndarray]:
        """Each feature's weighted part (see :class:`Ranker`).

        Args:
            features: The frames' features as :meth:`features` computed them (a batch's,
                handed on: :func:`matcher.ranking.two_stage.score_batch`); read from the
                frames (or the last features of the same frames) if None.
        """
        weights, calibration = self.model_for(direction)
        features = self._features_of(postings, resumes, direction, features)
        values = features.blended(self.neutral, direction, self.gate_for(direction))
        parts = {
            name: (weight * values[name]).astype(np.float32)
            for name, weight in weights.items()
            if weight > 0
        }
        if not calibration:
            return parts
        # The calibrated score, shared out in proportion to each signal's part of the raw sum,
        # so that the breakdown still adds up to the score.
        raw = sum(parts.values(), np.zeros((len(postings), len(resumes)), dtype=np.float32))
        probability = calibrated(raw, calibration, features.query_tfidf_best(direction))
        scale = np.divide(probability, raw, out=np.zeros_like(raw), where=raw > 0)
        return {name: (part * scale).astype(np.float32) for name, part in parts.items()}

    def signal_values(
        self,
        postings: pd.DataFrame,
        resumes: pd.DataFrame,
        direction: Direction = "resumes-for-job",
        *,
        features: PairFeatures | None = None,
    ) -> dict[str, np.ndarray]:
        """Each feature's value as weighted by :meth:`components` (after the neutral blend);
        ``features`` as for :meth:`components`."""
        return self._features_of(postings, resumes, direction, features).blended(
            self.neutral, direction, self.gate_for(direction)
        )

    def warnings(
        self,
        postings: pd.DataFrame,
        resumes: pd.DataFrame,
        *,
        features: PairFeatures | None = None,
    ) -> list[str]:
        """One line per posting from which no requirement was read (ranked by similarity);
        ``features`` as for :meth:`components` (the profiles do not depend on the
        direction: the last features of the same frames are used, whatever theirs)."""
        if features is None:
            features = self._features_of(postings, resumes, None)
        else:
            _check_shape(features, postings, resumes)
        return _requirement_warnings(features.postings)

    def posting_warnings(self, postings: pd.DataFrame) -> list[str]:
        """:meth:`warnings` of ``postings`` from their profiles alone (read once:
        :attr:`profile_store`), without features."""
        return _requirement_warnings(profile_postings(postings, self.matcher, self.profile_store))

    def signal_names(self, direction: Direction = "resumes-for-job") -> list[str]:
        """The signals of :meth:`components` in ``direction``, in their order."""
        return [name for name, weight in self.model_for(direction)[0].items() if weight > 0]

    def _features_of(
        self,
        postings: pd.DataFrame,
        resumes: pd.DataFrame,
        direction: Direction | None,
        features: PairFeatures | None = None,
    ) -> PairFeatures:
        """``features`` if given (checked against the frames' shape), else the frames'
        features (:meth:`features`, which remembers the last), in ``direction``; with
        ``direction`` None, the last features of these frames in either direction (what
        depends on the profiles only does not depend on the direction)."""
        if features is not None:
            _check_shape(features, postings, resumes)
            return features
        if direction is not None:
            return self.features(postings, resumes, direction)
        if self._last is not None and self._last[0] == _frames_key(postings, resumes):
            return self._last[3]
        return self.features(postings, resumes)

    def explainer(
        self,
        postings: pd.DataFrame,
        resumes: pd.DataFrame,
        direction: Direction = "resumes-for-job",
        *,
        features: PairFeatures | None = None,
        pool: PoolStatistics | None = None,
    ) -> Explainer:
        """What the shortlist says about each candidate (:func:`explain_requirements`).

        Args:
            features: As for :meth:`components`; the last features of the frames (in either
                direction) if None.
            pool: The statistics of the whole pool the frames were scored in: a posting's
                key terms are then those among every posting of the run, whatever the
                batch. If None, those the last :meth:`features` were computed with when
                ``features`` are theirs, else the frames' own.
        """
        given = features
        features = self._features_of(postings, resumes, None, features)
        if pool is None and self._last is not None and self._last[3] is features:
            pool = self._last[2]
        by_job = {p.job_id: p for p in features.postings}
        by_resume = {r.resume_id: r for r in features.resumes}
        row_of = {p.job_id: i for i, p in enumerate(features.postings)}
        column_of = {r.resume_id: j for j, r in enumerate(features.resumes)}
        scores = (
            sum(
                self.components(postings, resumes, direction, features=given).values(),
                np.float32(0.0),
            )
            if self.model_for(direction)[1]
            else None
        )
        # The key terms of the postings, computed only when a posting lacking skills is shown.
        fallbacks: list[Explainer] = []
        # Years per subject as the experience feature counted them, so that missing_required
        # (and the fit band capped by it) agrees with the score.
        held_of = self._years_held(features)
        sentences_of: dict[str, Sequence[str]] = {}
        # A resume's quote of a skill is the same whatever the posting: made once per batch.
        quotes_of: dict[str, dict[str, str]] = {}
        # Where a resume's years come from is the same whatever the posting too.
        basis_of: dict[str, str] = {}
        # And so are the skills it shows (its own, its titles', those its tools show).
        shown_of: dict[str, Mapping[str, SkillMention | None]] = {}
        # Whether it is written in English, read only for a posting that asks for English.
        english_of: dict[str, bool] = {}

        # A posting is explained against each of its candidates in turn: its profile is
        # looked up, and its parts made, once per row object (reading a field of a row costs
        # more than the rest).
        last_posting: list[tuple[Row, PostingProfile, _PostingParts]] = []

        def explain(posting: Row, resume: Row) -> dict[str, str]:
            if not last_posting or last_posting[0][0] is not posting:
                profile = by_job[str(posting[schema.JOB_ID])]
                last_posting[:] = [(posting, profile, _PostingParts.of(profile))]
            _, job, parts = last_posting[0]
            candidate = by_resume[str(resume[schema.RESUME_ID])]
            probability = None
            if isinstance(scores, np.ndarray):
                probability = float(scores[row_of[job.job_id], column_of[candidate.resume_id]])
            column = column_of[candidate.resume_id]
            years = {
                r.subject: float(held_of[r.subject][column])
                for r in job.years_required
                if r.subject
            }
            quotes = quotes_of.setdefault(candidate.resume_id, {})
            basis = basis_of.get(candidate.resume_id)
            if basis is None:
                basis = basis_of[candidate.resume_id] = years_basis(candidate)
            shown = shown_of.get(candidate.resume_id)
            if shown is None:
                shown = shown_of[candidate.resume_id] = shown_skills(candidate)

            columns = _explain(
                parts,
                candidate,
                sentences(candidate.resume_id, resume),
                probability,
                years,
                quotes,
                basis,
                shown,
                english_of,
            )
            if not job.required_groups and not job.preferred_groups:
                if not fallbacks:
                    fallbacks.append(
                        term_explainer(postings)
                        if pool is None
                        else terms_explainer(pool.key_terms)
                    )
                terms = fallbacks[0](posting, resume)
                columns["matched_required"] = terms["matched_terms"]
                columns["missing_required"] = terms["missing_terms"]
                columns["evidence"] = columns["evidence"] or terms["evidence"]
            return columns

        def sentences(key: str, resume: Row) -> Sequence[str]:
            if key not in sentences_of:
                text = resume.get(schema.CLEAN_TEXT, resume.get(schema.TEXT, ""))
                sentences_of[key] = remembered_display_sentences(
                    text if isinstance(text, str) else ""
                )
            return sentences_of[key]

        return explain

    def _years_held(self, features: PairFeatures) -> dict[str, np.ndarray]:
        """Each resume's years in each subject of the postings' years requirements, as the
        experience feature counted them (:attr:`PairFeatures.years`); a subject the features
        lack (features made elsewhere) is counted here, for every resume."""
        subjects = sorted(
            {r.subject for p in features.postings for r in p.years_required if r.subject}
        )
        lacking = [subject for subject in subjects if subject not in features.years]
        known = {s: features.years[s] for s in subjects if s in features.years}
        if lacking:
            held = years_in_subjects(features.resumes, lacking, self.dense.embedder)
            known.update({subject: held[k] for k, subject in enumerate(lacking)})
        return known


def _requirement_warnings(postings: Sequence[PostingProfile]) -> list[str]:
    """One line per posting from which no requirement was read
    (:meth:`RequirementRanker.warnings`)."""
    return [
        f"posting {p.job_id!r}: no requirement read (no skills, years or degree); its"
        " candidates are ranked by similarity only, and missing_required lists its most"
        " distinctive terms"
        for p in postings
        if p.requirements_found == 0
    ]


def _check_shape(features: PairFeatures, postings: pd.DataFrame, resumes: pd.DataFrame) -> None:
    """Raises ValueError unless ``features`` are of as many postings and resumes as the frames."""
    if (len(features.postings), len(features.resumes)) != (len(postings), len(resumes)):
        raise ValueError(
            f"features of {len(features.postings)} postings x {len(features.resumes)} resumes"
            f" given for frames of {len(postings)} x {len(resumes)}"
        )


#: The pair-local features that depend on the day "Present" stands for (years of open-ended
#: roles): computed for every pair in every run, never cached.
DAY_FEATURES: tuple[str, ...] = ("experience",)
#: The pair-local features kept in the score cache (:mod:`matcher.io.score_cache`).
CACHED_FEATURES: tuple[str, ...] = tuple(f for f in LOCAL_FEATURES if f not in DAY_FEATURES)


def day_signature(experience: ExperienceProfile, today: date) -> str:
    """What the day ``today`` changes in a resume's experience besides its years: its roles
    and their dates, with an end on ``today`` (an open-ended or clipped role) written as
    "today".

    Two profiles of one resume read on different days with the same signature have the same
    roles in the same order, so every pair feature but :data:`DAY_FEATURES` is the same; a
    role that starts after one of the days, or whose clipped end has passed, changes it.

    Example:
        >>> from matcher.parsing.experience import extract_experience
        >>> def signature(text: str, day: date) -> str:
        ...     return day_signature(extract_experience(text, day), day)
        >>> text = "Nurse (2019 - Present)\\nAide (Mar 2026 - May 2026)"
        >>> signature(text, date(2026, 1, 5)) == signature(text, date(2026, 2, 1))
        True
        >>> signature(text, date(2026, 2, 1)) == signature(text, date(2026, 4, 1))
        False
    """
    return fingerprint(
        [
            [
                role.title,
                role.company,
                role.kind,
                role.range.start.isoformat(),
                "today" if role.range.end == today else role.range.end.isoformat(),
            ]
            for role in experience.roles
        ]
    )


def content_keys(frame: pd.DataFrame, id_column: str) -> list[str]:
    """A hash of each record's ID and texts (title, description, text and their cleaned and
    model versions): what its profile and features are computed from.

    Example:
        >>> frame = pd.DataFrame({"resume_id": ["r1", "r2"], "text": ["Nurse", "Nurse"]})
        >>> keys = content_keys(frame, "resume_id")
        >>> keys[0] != keys[1], keys == content_keys(frame.assign(source="x"), "resume_id")
        (True, True)
    """
    columns = [
        c
        for c in (
            schema.TITLE,
            schema.DESCRIPTION,
            schema.TEXT,
            schema.CLEAN_TEXT,
            schema.MODEL_TEXT,
        )
        if c in frame.columns
    ]
    return [
        profile_key(id_column, *values)
        for values in frame[[id_column, *columns]].astype(str).itertuples(index=False)
    ]


def _frames_key(postings: pd.DataFrame, resumes: pd.DataFrame) -> str:
    """Identifies the frames' records and texts, so features are reused only for the same data."""
    import hashlib

    digest = hashlib.sha256()
    for frame in (postings, resumes):
        digest.update(pd.util.hash_pandas_object(frame.astype(str), index=False).values.tobytes())
        digest.update(b"|")
    return digest.hexdigest()


def explain_requirements(
    posting: PostingProfile,
    resume: ResumeProfile,
    sentences: Sequence[str] | None = None,
    probability: float | None = None,
    years_held: Mapping[str, float] | None = None,
    quotes: MutableMapping[str, str] | None = None,
) -> dict[str, str]:
    """The explanation columns of one shortlist row.

    ``fit`` is the band of the calibrated score ``probability``, capped by the required items
    listed in ``missing_required`` (:func:`matcher.ranking.calibration.capped_fit`), and
    ``fit_reason`` says why when it was capped; both are empty without a calibrated score.

    A group of alternatives ("Workday / BambooHR / ADP") is matched when the resume holds any
    member, and ``matched_required`` names the members held; it is missing only when none is
    held. A skill is held when the resume names it, when a role's title shows it by its work,
    when one of its tools shows it (Excel shows Microsoft Office), and English when it is
    written in English (:mod:`matcher.parsing.shown_skills`). A group of soft skills only
    (:func:`matcher.parsing.skills.soft_skill`) that is not held is listed in
    ``soft_skills_to_check``, not in ``missing_required``, and does not cap ``fit``. A
    required "N years of X" the resume's roles in X fall short of is missing too, with the
    years held: "2 years ICU (has 0.3)". So is a required degree the resume shows no degree
    of that level or higher for: "Bachelor's degree (has associate degree)", "(none found)".
    Where the posting lets experience stand in for the degree ("or equivalent experience"),
    :data:`EQUIVALENT_YEARS` of experience meet it too, and the years are shown either way. A
    degree met is listed last in ``matched_required``.

    ``evidence`` quotes, for every matched required skill, the resume sentence it was found in
    as the candidate wrote it (:func:`matcher.text.display.quote_sentence`: no placeholders,
    no markup, a wrapped sentence whole), then up to :data:`_MAX_EVIDENCE` sentences in all
    for the preferred skills; each sentence once, separated by ``" | "``.

    Args:
        posting: The posting's profile.
        resume: The resume's profile (read from the redacted text).
        sentences: The resume's display sentences
            (:func:`matcher.text.display.display_sentences` of its clean text). Without them,
            a sentence is quoted from the redacted text, markup stripped, unless it holds a
            placeholder.
        probability: The pair's calibrated score in [0, 1], if the ranker has a calibration.
        years_held: The resume's years per subject of the posting's years requirements as the
            ranker counts them (:func:`matcher.ranking.features.years_in_subjects`); without
            them, only roles the subject names count
            (:func:`matcher.ranking.features.subject_years`).
        quotes: The resume's evidence quotes by skill, read and filled here: a quote depends
            on the resume and the skill only, so an explainer scoring one resume against many
            postings quotes each of its skills once.
    """
    return _explain(_PostingParts.of(posting), resume, sentences, probability, years_held, quotes)


#: The longest statement of years ``years_from`` quotes, in characters.
_MAX_STATEMENT_CHARS: Final = 160


#: The least overlap of a resume's roles, in months, that ``years_from`` names. One job's last
#: month is often the next one's first ("03/2018 to Current"): LiveCareer's real resumes
#: overlap by 1-5 months in 860 of 2,281 with roles, by half a year or more in 1,219
#: (2026-12-06).
_OVERLAP_SHOWN_MONTHS: Final = 6


def years_basis(resume: ResumeProfile) -> str:
    """Where a resume's years (``years_candidate``) come from, for the ``years_from`` column.

    The dated roles; how many years they overlap by, as they were counted once (when half a
    year or more); whether internships counted for their last year only
    (:attr:`matcher.parsing.experience.Role.counted_range`); and the day "Present" was counted
    to when a role is ongoing (the day of the run, or the resume's ``received`` day). Or the
    statement of years when it says more than the roles add up to, quoted from the redacted
    text (markup stripped, cut as evidence is, :func:`matcher.text.display.shorten_quote`)
    unless it holds a placeholder. Empty when the resume shows no years.

    Example:
        >>> from datetime import date
        >>> from matcher.parsing.profiles import resume_profile
        >>> from matcher.parsing.skills import SkillMatcher
        >>> text = "Experience\\nNurse, City Hospital (2019 - Present)\\nAide, Home (2015 - 2018)"
        >>> years_basis(resume_profile("R1", text, SkillMatcher(), date(2021, 8, 1)))
        '2 dated roles, "Present" counted to 2021-08-01'
        >>> text = "Summary\\nNurse with over 12 years of experience in ICU care."
        >>> years_basis(resume_profile("R2", text, SkillMatcher(), date(2021, 8, 1)))
        'stated: "Nurse with over 12 years of experience in ICU care"'
    """
    experience = resume.experience
    stated = experience.stated_years
    if stated is not None and stated > experience.total_years:
        said = max(experience.statements, key=lambda statement: statement.years)
        clause = strip_markup(" ".join(said.text.split())).rstrip(" .;,")
        # " …" ends a cut quote: the quote stays within the bound with it
        clause = shorten_quote(clause, limit=_MAX_STATEMENT_CHARS - 2)
        if not clause or any(token in clause for token in PLACEHOLDERS):
            return f"stated: {stated:g} years"
        return f'stated: "{clause}"'
    roles = experience.roles
    if not roles:
        return ""
    parts = [f"{len(roles)} dated role{'' if len(roles) == 1 else 's'}"]
    counted = [role.counted_range for role in roles]
    overlap = sum(merged_months([span]) for span in counted) - merged_months(counted)
    if overlap >= _OVERLAP_SHOWN_MONTHS:
        parts.append(f"{overlap / 12:.1f} years of overlap counted once")
    placements = sum(role.counted_range != role.range for role in roles)
    if placements:
        last = "year" if MAX_PLACEMENT_YEARS == 1 else f"{MAX_PLACEMENT_YEARS:g} years"
        parts.append(
            "1 internship counted for its last " + last
            if placements == 1
            else f"{placements} internships counted for their last {last}"
        )
    ongoing = [role.range.end for role in roles if role.range.ongoing]
    if ongoing:
        parts.append(f'"Present" counted to {max(ongoing).isoformat()}')
    return ", ".join(parts)


def _explain(
    parts: _PostingParts,
    resume: ResumeProfile,
    sentences: Sequence[str] | None,
    probability: float | None,
    years_held: Mapping[str, float] | None,
    quotes: MutableMapping[str, str] | None,
    basis: str | None = None,
    shown: Mapping[str, SkillMention | None] | None = None,
    english_of: MutableMapping[str, bool] | None = None,
) -> dict[str, str]:
    """:func:`explain_requirements` of a posting whose parts are made already: an explainer
    makes them once per posting, not once per pair (RJDB's 500,000 pairs), and gives the
    resume's :func:`years_basis` and :func:`shown_skills` made once per resume, and
    whether each resume shows English (:func:`shows_english`), read and filled here as
    ``quotes`` is."""
    # the skills a role's title shows by its work, and those the resume's tools show, count
    # here, for the recruiter (not in the features: see matcher.parsing.shown_skills)
    if shown is None:
        shown = shown_skills(resume)
    if parts.asks_english and ENGLISH not in shown:
        written = None if english_of is None else english_of.get(resume.resume_id)
        if written is None:
            written = shows_english(resume)
            if english_of is not None:
                english_of[resume.resume_id] = written
        if written:
            shown = {**shown, ENGLISH: None}  # no sentence to quote
    skills = shown.keys()
    matched = _unique([s for group in parts.required for s in group if s in skills])
    # isdisjoint: one call per group, where any() over a generator was most of this line's cost
    missing = [" / ".join(group) for group in parts.hard if skills.isdisjoint(group)]
    to_check = [" / ".join(group) for group in parts.soft if skills.isdisjoint(group)]
    preferred = _unique(
        [s for group in parts.preferred for s in group if s in skills and s not in matched]
    )
    for requirement, wording in parts.years:
        subject = requirement.subject or ""
        if years_held is not None and subject in years_held:
            held = years_held[subject]
        else:
            held = subject_years(resume, subject)
        if held < requirement.years:
            missing.append(f"{wording} (has {held:.1f})")
    degree_met = ""
    if parts.degree is not None:
        met, wording = degree_item(parts.degree, parts.degree_or_experience, resume)
        if met:
            degree_met = wording
        else:
            missing.append(wording)
    evidence: list[str] = []
    for skill in [*matched, *preferred]:
        if skill not in matched and len(evidence) >= _MAX_EVIDENCE:
            break
        quote = quotes.get(skill) if quotes is not None else None
        if quote is None:
            mention = shown[skill]
            quote = (
                ""
                if mention is None  # English, shown by the resume's language
                else _quote(mention, None if sentences is None else tuple(sentences))
            )
            if quotes is not None:
                quotes[skill] = quote
        if quote and quote not in evidence:
            evidence.append(quote)
    fit = None if probability is None else capped_fit(probability, parts.required_items, missing)
    return {
        "fit": "" if fit is None else fit.band,
        "fit_reason": "" if fit is None else fit.reason,
        "requirements_found": parts.requirements_found,
        "matched_required": "; ".join([*matched, degree_met] if degree_met else matched),
        "missing_required": "; ".join(missing),
        "soft_skills_to_check": "; ".join(to_check),
        "matched_preferred": "; ".join(preferred),
        "years_required": parts.years_required,
        "years_candidate": f"{resume.years:.1f}",
        "years_from": years_basis(resume) if basis is None else basis,
        "evidence": " | ".join(evidence),
    }


@dataclass(frozen=True, slots=True)
class _PostingParts:
    """What :func:`explain_requirements` reads of a posting, the same for all its candidates."""

    required: tuple[tuple[str, ...], ...]
    #: The required groups ``missing_required`` lists when none of their skills is held, and
    #: those ``soft_skills_to_check`` lists instead: a group of soft skills only
    #: (:func:`soft_skill`), which a resume rarely states.
    hard: tuple[tuple[str, ...], ...]
    soft: tuple[tuple[str, ...], ...]
    preferred: tuple[tuple[str, ...], ...]
    #: Whether a group, required or preferred, holds English (:func:`shows_english`).
    asks_english: bool
    #: Each "N years of X" statement with its wording in ``missing_required``.
    years: tuple[tuple[YearsRequirement, str], ...]
    #: The degree level required, if any, and whether experience may stand in for it.
    degree: DegreeLevel | None
    degree_or_experience: bool
    #: The required items ``missing_required`` can list: skill groups, years statements and
    #: the degree.
    required_items: int
    requirements_found: str
    years_required: str

    @classmethod
    def of(cls, posting: PostingProfile) -> _PostingParts:
        """The parts of ``posting``; its skills one per group where it has no groups (a
        profile made elsewhere)."""
        required = posting.required_groups or _single_groups(posting.required_skills)
        min_years = posting.requirements.min_years
        degree = posting.requirements.degree_required
        if degree is not None and degree <= DegreeLevel.NONE:
            degree = None
        soft = tuple(group for group in required if all(map(soft_skill, group)))
        hard = tuple(group for group in required if group not in soft) if soft else required
        preferred = posting.preferred_groups or _single_groups(posting.preferred_skills)
        return cls(
            required=required,
            hard=hard,
            soft=soft,
            preferred=preferred,
            asks_english=any(ENGLISH in group for group in (*required, *preferred)),
            years=tuple((r, f"{r.years:g} years {r.subject}") for r in posting.years_required),
            degree=degree,
            degree_or_experience=posting.requirements.degree_or_experience,
            required_items=len(hard) + len(posting.years_required) + (degree is not None),
            requirements_found=str(posting.requirements_found),
            years_required="" if min_years is None else f"{min_years:g}",
        )


#: How each degree level is named in ``matched_required`` and ``missing_required``.
DEGREE_NAMES: Final[Mapping[DegreeLevel, str]] = {
    DegreeLevel.HIGH_SCHOOL: "high school diploma",
    DegreeLevel.CERTIFICATE: "postsecondary certificate",
    DegreeLevel.ASSOCIATE: "associate degree",
    DegreeLevel.BACHELOR: "bachelor's degree",
    DegreeLevel.MASTER: "master's degree",
    DegreeLevel.DOCTORATE: "doctorate",
}

#: The years of experience that stand in for a degree where the posting allows it ("or
#: equivalent experience"): the years of full-time study the level usually takes after high
#: school. A posting that says how many years ("or 4 years of experience") is not read.
EQUIVALENT_YEARS: Final[Mapping[DegreeLevel, float]] = {
    DegreeLevel.HIGH_SCHOOL: 1.0,
    DegreeLevel.CERTIFICATE: 1.0,
    DegreeLevel.ASSOCIATE: 2.0,
    DegreeLevel.BACHELOR: 4.0,
    DegreeLevel.MASTER: 6.0,
    DegreeLevel.DOCTORATE: 9.0,
}


def degree_wording(level: DegreeLevel) -> str:
    """How a required degree level begins its item in ``matched_required`` or
    ``missing_required``: "Bachelor's degree" (:func:`degree_item`)."""
    return DEGREE_NAMES[level].capitalize()


def degree_item(
    required: DegreeLevel, or_experience: bool, resume: ResumeProfile
) -> tuple[bool, str]:
    """Whether a resume meets a posting's degree requirement, and the item as
    ``matched_required`` or ``missing_required`` list it.

    Example:
        >>> from matcher.parsing.profiles import resume_profile
        >>> from matcher.parsing.skills import SkillMatcher
        >>> cv = resume_profile("R1", "Education\\nAssociate of Science in Nursing", SkillMatcher())
        >>> degree_item(DegreeLevel.BACHELOR, False, cv)
        (False, "Bachelor's degree (has associate degree)")
        >>> degree_item(DegreeLevel.ASSOCIATE, False, cv)
        (True, 'Associate degree')
        >>> degree_item(DegreeLevel.BACHELOR, True, cv)
        (False, "Bachelor's degree or equivalent experience (has associate degree, 0.0 years)")
    """
    wording = degree_wording(required)
    held = resume.degree.level
    if held >= required:
        return True, wording
    has = "none found" if held <= DegreeLevel.NONE else f"has {DEGREE_NAMES[held]}"
    if not or_experience:
        return False, f"{wording} ({has})"
    years = resume.years
    wording += " or equivalent experience"
    if years >= EQUIVALENT_YEARS[required]:
        return True, f"{wording} ({years:.1f} years)"
    return False, f"{wording} ({has}, {years:.1f} years)"


def _single_groups(skills: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    return tuple((s,) for s in skills) if skills else ()


@functools.lru_cache(maxsize=1 << 17)
def _quote(mention: SkillMention, sentences: tuple[str, ...] | None) -> str:
    """The display sentence of a skill mention, shortened around the skill when very long.

    Remembered for the last 131,072 (mention, sentences) pairs: a resume is a candidate of
    postings in many batches, and each batch's explainer quotes its skills anew (the
    explainer's ``quotes`` serve one batch only).

    A sentence holding an e-mail, a phone number, a URL or a street address is passed over for
    the next one naming the skill: evidence is also kept in the decision records, which hold no
    contact details.
    """
    if sentences is None:
        placeholder = any(token in mention.sentence for token in PLACEHOLDERS)
        sentence = "" if placeholder else strip_markup(mention.sentence)
    else:
        surface = mention.surface.lower()
        own = quote_sentence(mention.sentence, sentences)
        naming = (s for s in sentences if contains_term(s.lower(), surface))
        quotes = (shorten_quote(s, mention.surface) for s in chain([own] if own else [], naming))
        return next((quote for quote in quotes if not has_contact(quote)), "")
    return shorten_quote(sentence, mention.surface) if sentence else ""


def _unique(items: list[str]) -> list[str]:
    return items if len(items) < 2 else list(dict.fromkeys(items))
