"""Pair features of the requirement-aware ranker: ``(n_postings, n_resumes)`` arrays in [0, 1].

=====================  ===============================================================
feature                meaning (1 is best)
=====================  ===============================================================
required_skills        share of the posting's required skills the resume shows; a skill
                       the matcher does not find counts in part when a resume line says
                       much the same ("a keen eye for detail"; :func:`skill_evidence`)
preferred_skills       share of the preferred skills the resume shows, counted the same way
requirement_coverage   mean over requirement sentences of their best match among the
                       resume's lines (sentence embeddings), so requirements outside the
                       skill vocabulary count too
requirement_terms      share of the words of the requirement sentences that the resume
                       uses, each word weighted by its rarity among the resumes (IDF)
experience             how far the resume's years meet the years required, overall and
                       per role or skill ("4 years as a Paramedic"): the mean over the
                       requirements of 1 when met, else 3/4 of the share held. Years in
                       a role are those of the roles it names, or, for a skill, of the
                       roles whose duties show it or a skill counting as it (React for
                       JavaScript), or, for a setting ("warehouse"), of the roles whose
                       title, employer or duties show it (:class:`_RoleIndex`)
degree                 whether the highest degree meets the one required
title                  similarity of the job title to the resume's headline and role titles
dense                  similarity of the whole texts (see :class:`DenseRanker`)
bm25                   BM25, relative to the best resume for the same posting
tfidf                  cosine of the TF-IDF vectors of the two texts
=====================  ===============================================================

The similarity signals (``requirement_terms``, ``dense``, ``bm25``, ``tfidf``) see the posting
without its boilerplate (:func:`matcher.text.boilerplate.strip_boilerplate`): equal-opportunity,
benefits and application text would otherwise pull the wrong resumes up.

**Confidence.** A feature read from what a posting asks for is only as good as the reading. Each
such feature has a confidence in [0, 1] per pair (:data:`GATED`): the share of the evidence it
needs that was found, e.g. three or more required skills for ``required_skills``, a years
requirement in the posting and dated roles in the resume for ``experience``. The value used is
``confidence * value + (1 - confidence) * neutral``, where ``neutral`` is the feature's mean over
the pairs where it is fully confident (learned with the weights; :data:`DEFAULT_NEUTRAL`
otherwise). So a posting from which nothing is read hands out no free points and takes none
away: every candidate gets the same neutral value, and the ranking falls back on the similarity
signals. Scores stay comparable across postings, which matters when postings are ranked for one
resume. A resume with no dated roles and no stated years holds no years in any role.

**Relevance gate.** Skills, years and degree (:data:`ELIGIBILITY`) tell a good candidate from a
near-miss among people who do the same work, but across occupations they are noise: a chef
who meets a posting's "3 years of experience" is no better a pilot for it. The learned model
can therefore also scale their confidence by the pair's topical relevance (TF-IDF similarity
relative to the best of the query, to a power ``gate``), so they reorder the close candidates
and leave the far ones at the neutral value.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from scipy import sparse

from matcher import schema
from matcher.parallel import beside
from matcher.parsing.education import DegreeLevel
from matcher.parsing.experience import Role, StatedYears
from matcher.parsing.implied_skills import skills_counting_as
from matcher.parsing.profiles import (
    PostingProfile,
    ResumeProfile,
    degree_fit,
    role_words,
)
from matcher.parsing.taxonomy import skill_matcher
from matcher.parsing.work_settings import (
    WorkSetting,
    rooted,
    shows_setting,
    subject_settings,
)
from matcher.ranking.embedding import Embedder, cosines
from matcher.ranking.explain import key_terms
from matcher.ranking.lexical import (
    BM25Pool,
    Direction,
    TfidfPool,
    normalise_per_query,
    remembered,
)
from matcher.ranking.rankers import DenseRanker
from matcher.text.boilerplate import strip_boilerplate
from matcher.text.dates import DateRange, merged_years
from matcher.text.stemming import singular, word_root, word_roots
from matcher.text.texts import posting_texts, resume_texts
from matcher.text.word_lists import word_list

FEATURES: tuple[str, ...] = (
    "required_skills",
    "preferred_skills",
    "requirement_coverage",
    "requirement_terms",
    "experience",
    "degree",
    "title",
    "dense",
    "bm25",
    "tfidf",
)
#: Features read from what the posting asks for or what the resume's structure shows, which
#: fall back to a neutral value where little was read (see the module docstring).
GATED: tuple[str, ...] = (
    "required_skills",
    "preferred_skills",
    "requirement_coverage",
    "experience",
    "degree",
    "title",
)
#: The gated features that say whether a candidate is eligible (skills, years, degree) rather
#: than what kind of work they do; :meth:`PairFeatures.blended` can gate them by relevance.
ELIGIBILITY: tuple[str, ...] = ("required_skills", "preferred_skills", "experience", "degree")
#: Neutral values used when no learned ones are given: each feature's mean over the confident
#: pairs of the labelled sets (RJDB and livecareer), rounded.
DEFAULT_NEUTRAL: dict[str, float] = {name: 0.5 for name in GATED}
#: How many required skills, preferred skills and requirement lines give full confidence.
FULL_CONFIDENCE_AT = {"required_skills": 3, "preferred_skills": 2, "requirement_coverage": 3}
_TITLE_MATCH = 80  # rapidfuzz token-sort ratio for "the same role"
#: Cosine between a skill's name and a resume line from which the line starts to count as
#: stating the skill, and from which it counts fully ("handle time judiciously" is close to
#: "Time Management"); a skill the matcher finds always counts fully.
SKILL_PARTIAL_COSINE = (0.5, 0.7)
#: Cosine between a subject ("Credit Authorizer") and a role title ("Credit Authorizers -
#: Checkers - Clerks") from which the role counts, when no role matches it by its words.
ROLE_SIMILAR_COSINE = 0.7
#: A years requirement that is not met counts this share of the fraction met: 4 of 5 years is
#: 0.6, not 0.8, since a recruiter reads a requirement as a bar.
SHORT_OF_REQUIREMENT = 0.75
_ROLE_NAME_CHARS = 60
#: How much of the text under a role its skills are read from (:class:`_RoleIndex`).
_ROLE_SKILL_CHARS = 400


@dataclass(frozen=True)
class PairFeatures:
    """All features of all pairs, plus the profiles they were computed from.

    Attributes:
        values: Feature name to ``(n_postings, n_resumes)`` values as read (before the
            confidence blend).
        postings: The posting profiles, in row order.
        resumes: The resume profiles, in row order.
        confidence: For each feature of :data:`GATED`, ``(n_postings, n_resumes)`` in [0, 1].
        tfidf_best: The best ``tfidf`` of each query over the whole pool (``(n_postings, 1)``
            for ``resumes-for-job``, ``(1, n_resumes)`` for ``jobs-for-resume``), which the
            relevance gate divides by when ranking in ``best_direction``; otherwise (or if
            None) the best within ``values``.
        best_direction: The direction ``tfidf_best`` was taken in.
        years: The years per subject the ``experience`` feature counted
            (:func:`experience_and_years`): for each subject of the postings' years
            requirements, each resume's years in it, ``(n_resumes,)``; the explanations show
            these, so that they agree with the score. Empty if not known.
    """

    values: dict[str, np.ndarray]
    postings: list[PostingProfile]
    resumes: list[ResumeProfile]
    confidence: dict[str, np.ndarray] = field(default_factory=dict)
    tfidf_best: np.ndarray | None = None
    best_direction: Direction = "resumes-for-job"
    years: dict[str, np.ndarray] = field(default_factory=dict)

    def blended(
        self,
        neutral: dict[str, float] | None = None,
        direction: Direction = "resumes-for-job",
        gate: float = 0.0,
    ) -> dict[str, np.ndarray]:
        """Values with each gated feature pulled towards its neutral value by its confidence.

        With ``gate`` above 0, the confidence of the eligibility features
        (:data:`ELIGIBILITY`) is also multiplied by the pair's topical relevance: its TF-IDF
        similarity relative to the best of the same query, to the power ``gate``. Skills,
        years and degree then decide between candidates who do the same kind of work, and
        leave alone the ranking of those who do not (see the module docstring).
        """
        neutral = {**DEFAULT_NEUTRAL, **(neutral or {})}
        relevance = None
        if gate > 0 and "tfidf" in self.values:
            tfidf = self.values["tfidf"]
            best = self.query_tfidf_best(direction)
            relevance = np.divide(tfidf, best, out=np.zeros_like(tfidf), where=best > 0)
            # A resume added to kept statistics may pass the fitted best
            # (:meth:`PoolStatistics.extended`); a fitted one never does.
            relevance = np.minimum(relevance, np.float32(1.0)) ** gate
        result = dict(self.values)
        for name, confidence in self.confidence.items():
            if relevance is not None and name in ELIGIBILITY:
                confidence = confidence * relevance
            result[name] = (
                confidence * self.values[name] + (1.0 - confidence) * neutral[name]
            ).astype(np.float32)
        return result

    def query_tfidf_best(self, direction: Direction) -> np.ndarray:
        """The best ``tfidf`` of each query, ``(n_postings, 1)`` for ``resumes-for-job`` and
        ``(1, n_resumes)`` for ``jobs-for-resume``: :attr:`tfidf_best` (over the whole pool)
        when it was taken in ``direction``, else the best within :attr:`values`. The relevance
        gate divides by it, and the calibration reads it
        (:func:`matcher.ranking.calibration.calibrated`)."""
        if self.tfidf_best is not None and direction == self.best_direction:
            return self.tfidf_best
        return _best(self.values["tfidf"], axis=1 if direction == "resumes-for-job" else 0)

    def stacked(
        self,
        names: Sequence[str] = FEATURES,
        neutral: dict[str, float] | None = None,
        direction: Direction = "resumes-for-job",
        gate: float = 0.0,
    ) -> np.ndarray:
        """Blended features as one ``(n_postings, n_resumes, n_features)`` array."""
        values = self.blended(neutral, direction, gate)
        return np.stack([values[n] for n in names], axis=-1)

    def confident_means(self) -> dict[str, float]:
        """Each gated feature's mean over its fully confident pairs (the neutral value)."""
        means = {}
        for name, confidence in self.confidence.items():
            sure = confidence >= 1.0
            means[name] = float(self.values[name][sure].mean()) if sure.any() else 0.5
        return means


def skill_evidence(
    skills: Sequence[str],
    resumes: Sequence[ResumeProfile],
    embedder: Embedder | None = None,
    lines: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """How far each resume shows each skill, ``(n_skills, n_resumes)`` in [0, 1].

    A skill the skill matcher finds in the resume counts 1. With an embedder, a skill it does
    not find counts in part when one of the resume's lines is close in meaning to the skill's
    name (see :data:`SKILL_PARTIAL_COSINE`), so paraphrases such as "a keen eye for detail" or
    "handles time judiciously" are not read as missing skills. A skill the resume names as
    missing ("without SDLC") counts 0. ``lines`` are the vectors of the resumes' lines and
    each resume's first row among them, if already embedded (:meth:`LineGroups.of`).
    """
    has = _holding(skills, [r.skills.keys() for r in resumes]).astype(np.float32)
    if embedder is None or not skills or not resumes:
        return has
    low, high = SKILL_PARTIAL_COSINE
    vectors, offsets = lines or _embed_line_groups(embedder, [r.lines for r in resumes])
    lacks = _holding(skills, [r.lacks for r in resumes])
    # Only a skill neither found nor named as lacking can count in part: only its cosines
    # at the bottom of the partial range or above are needed exactly.
    best = best_line_cosines(
        embedder.embed_texts(list(skills)), vectors, offsets, low, wanted=(has == 0) & ~lacks
    )
    partial = np.clip((best - low) / (high - low), 0.0, 1.0)
    partial[lacks] = 0.0
    return np.maximum(has, partial).astype(np.float32)


#: The least margin :func:`best_line_cosines` allows a float32 cosine. A float32 dot product
#: of two unit vectors of ``d`` dimensions is within about ``d * 2**-24`` of the float64 one
#: of :func:`~matcher.ranking.embedding.cosines` (2.3e-5 for this model's 384): the margin is
#: this, or twice that bound for a model of more dimensions.
_ROUGH_COSINE_ERROR = 1e-4


def _rough_error(dimensions: int) -> float:
    """How far a float32 cosine of unit vectors may be from the float64 one, with room."""
    return max(_ROUGH_COSINE_ERROR, 2 * dimensions * 2.0**-24)


def best_line_cosines(
    queries: np.ndarray,
    vectors: np.ndarray,
    offsets: np.ndarray,
    floor: float = -np.inf,
    wanted: np.ndarray | None = None,
) -> np.ndarray:
    """Each query's best cosine among each group's lines, ``(len(queries), len(offsets))``
    float32: where it is ``floor`` or more and ``wanted``, exactly the maximum of what
    :func:`~matcher.ranking.embedding.cosines` gives of the group's lines; elsewhere a value
    below ``floor`` or one not wanted.

    :func:`cosines` computes in float64 to be exact: a pair's value must not depend on the
    others computed with it. Every cosine is first computed in float32 here, at about half the
    cost, and only what decides an exact best is computed again in float64: the queries and
    groups whose rough best is within the float32 products' error (:func:`_rough_error`) of
    ``floor`` or above, and of their lines only those within twice that of their group's
    rough best for some query (a line further below cannot be the best). A posting's skills
    are far from most of its candidates' lines, and a requirement line is close to few lines
    of a resume: most of the float64 products are not needed.

    Args:
        queries: Unit vectors, ``(n, d)``.
        vectors: The groups' lines' unit vectors, each group's rows consecutive.
        offsets: Each group's first row (groups non-empty, in order).
        floor: The least cosine needed exactly (every one by default).
        wanted: ``(len(queries), len(offsets))`` booleans: the values needed; all if None.

    Example:
        >>> q = np.array([[1.0, 0.0]], dtype=np.float32)
        >>> v = np.array([[0.6, 0.8], [0.0, 1.0], [1.0, 0.0]], dtype=np.float32)
        >>> best_line_cosines(q, v, np.array([0, 2]), 0.5).tolist()
        [[0.6000000238418579, 1.0]]
    """
    rough = np.asarray(queries, dtype=np.float32) @ np.asarray(vectors, dtype=np.float32).T
    best: np.ndarray = np.maximum.reduceat(rough, offsets, axis=1)
    error = _rough_error(np.shape(queries)[1])
    near = best >= floor - error
    if wanted is not None:
        near &= wanted
    if not near.any():
        return best
    rows, groups = np.flatnonzero(near.any(axis=1)), np.flatnonzero(near.any(axis=0))
    ends = np.append(offsets[1:], len(vectors))
    sizes = ends[groups] - offsets[groups]
    starts = np.cumsum(sizes) - sizes
    # The lines of those groups: each group's run of rows, one after the other.
    lines = np.repeat(offsets[groups] - starts, sizes) + np.arange(int(sizes.sum()))
    # A line whose rough cosine is further than twice the error below its group's rough best
    # (for every query) is below the exact best: keep the others (each group keeps its best).
    ceiling = np.repeat(best[np.ix_(rows, groups)], sizes, axis=1)
    keep = (rough[np.ix_(rows, lines)] >= ceiling - 2 * error).any(axis=0)
    kept = np.add.reduceat(keep.astype(np.int64), starts)
    exact = np.maximum.reduceat(
        cosines(queries[rows], vectors[lines[keep]]), np.cumsum(kept) - kept, axis=1
    )
    best[np.ix_(rows, groups)] = exact
    return best


def _holding(skills: Sequence[str], held: Sequence[AbstractSet[str]]) -> np.ndarray:
    """``(n_skills, len(held))`` booleans: whether each set of ``held`` holds each skill.

    Each set is intersected with the skills in one call, where asking for every skill in
    every resume (a posting's few dozen skills against its thousands of candidates) was a
    fifth of stage 2's feature time.
    """
    rows_of: dict[str, list[int]] = {}
    for row, skill in enumerate(skills):
        rows_of.setdefault(skill, []).append(row)
    rows: list[int] = []
    columns: list[int] = []
    for column, owned in enumerate(held):
        for skill in rows_of.keys() & owned:
            for row in rows_of[skill]:
                rows.append(row)
                columns.append(column)
    result = np.zeros((len(skills), len(held)), dtype=bool)
    result[rows, columns] = True
    return result


def skill_coverage(
    wanted: Sequence[Sequence[str | Sequence[str]]],
    resumes: Sequence[ResumeProfile],
    embedder: Embedder | None = None,
    pairs: np.ndarray | None = None,
    lines: LineGroups | None = None,
    shared: SharedEvidence | None = None,
) -> np.ndarray:
    """Share of each posting's requirements (``wanted[i]``) that each resume meets; 1 if none.

    A requirement is a skill or a group of alternatives (``("Workday", "BambooHR", "ADP")``,
    see :attr:`PostingProfile.required_groups`); a group counts as its best member. Each skill
    counts as in :func:`skill_evidence` (only the matcher's findings without an embedder).
    With ``pairs`` (see :func:`local_features`), only those pairs are computed, each posting
    against its own resumes (the others are 1); ``lines`` are the resumes' line vectors, if
    already embedded, and ``shared`` the evidence of every skill asked for in every resume
    (:class:`SharedEvidence`), if computed once for several postings.

    Example:
        >>> from matcher.parsing.experience import ExperienceProfile
        >>> from matcher.parsing.education import Degree, DegreeLevel
        >>> from matcher.parsing.skills import SkillMention
        >>> shown = SkillMention("ADP", "software", "ADP", 0, 3, "ADP payroll")
        >>> resume = ResumeProfile(
        ...     "R1", {"ADP": shown}, ExperienceProfile([], 0.0, None, []),
        ...     Degree(DegreeLevel.NONE, None), ("ADP payroll",),
        ... )
        >>> skill_coverage([[("Workday", "ADP"), "Excel"]], [resume]).tolist()
        [[0.5]]
    """
    if pairs is None:
        return _coverage(wanted, resumes, embedder)
    result = np.ones((len(wanted), len(resumes)), dtype=np.float32)
    if embedder is not None and lines is None and any(wanted) and resumes:
        lines = LineGroups(embedder, [r.lines for r in resumes])
    for row, items in enumerate(wanted):
        columns = np.flatnonzero(pairs[row])
        if items and len(columns):
            chosen = [resumes[c] for c in columns.tolist()]
            if shared is not None:
                evidence_of = functools.partial(shared.of, columns=columns)
                result[row, columns] = _coverage([items], chosen, evidence_of=evidence_of)[0]
                continue
            own = lines.of(columns) if lines is not None else None
            result[row, columns] = _coverage([items], chosen, embedder, own)[0]
    return result


def _coverage(
    wanted: Sequence[Sequence[str | Sequence[str]]],
    resumes: Sequence[ResumeProfile],
    embedder: Embedder | None = None,
    lines: tuple[np.ndarray, np.ndarray] | None = None,
    evidence_of: Callable[[list[str]], np.ndarray] | None = None,
) -> np.ndarray:
    """:func:`skill_coverage` of every pair; ``evidence_of`` gives :func:`skill_evidence` of
    some skills in ``resumes``, if known already (:class:`SharedEvidence`)."""
    requirements = [_requirement_groups(items) for items in wanted]
    groups = sorted({group for items in requirements for group in items if group})
    if not groups:
        return np.ones((len(wanted), len(resumes)), dtype=np.float32)
    vocabulary = sorted({skill for group in groups for skill in group})
    row_of = {skill: i for i, skill in enumerate(vocabulary)}
    evidence = (  # (skills, resumes)
        skill_evidence(vocabulary, resumes, embedder, lines)
        if evidence_of is None
        else evidence_of(vocabulary)
    )
    met = np.stack([evidence[[row_of[s] for s in group]].max(axis=0) for group in groups])
    column = {group: i for i, group in enumerate(groups)}
    want = np.zeros((len(wanted), len(groups)), dtype=np.float32)
    for row, items in enumerate(requirements):
        for group in items:
            if group:
                want[row, column[group]] = 1
    counts = want.sum(axis=1, keepdims=True)
    coverage = np.divide(
        want.astype(np.float64) @ met.astype(np.float64),  # as exact as :func:`cosines`
        counts,
        out=np.ones((len(wanted), len(resumes)), dtype=np.float64),
        where=counts > 0,
    )
    result: np.ndarray = coverage.astype(np.float32)
    return result


def _requirement_groups(items: Sequence[str | Sequence[str]]) -> list[tuple[str, ...]]:
    """A posting's requirements (:func:`skill_coverage`) as groups of alternatives."""
    return [(item,) if isinstance(item, str) else tuple(item) for item in items]


#: :class:`SharedEvidence` is used for a tile where its products of skill and line vectors
#: are at most this share of those made posting by posting (each posting's skills against its
#: own candidates' lines, gathered for it), and its rough cosines at most
#: :data:`SHARED_EVIDENCE_CELLS` floats at a time.
SHARED_EVIDENCE_SHARE = 0.5
SHARED_EVIDENCE_CELLS = 1 << 25


class SharedEvidence:
    """:func:`skill_evidence` of every skill some postings ask for, in every resume that is
    the candidate of one of them, computed once for all those postings.

    Posting by posting, each posting's skills are compared with the lines of its own
    candidates. Postings share skills, and at scale a resume is the candidate of tens of
    postings, so the same (skill, resume) cosines were made once for each posting that asks:
    here every skill meets every resume of the postings' candidates once. That is worth it
    only where the postings share much (:meth:`maybe` decides). A (skill, resume) value does
    not depend on the others computed with it (:func:`best_line_cosines` is exact wherever
    :func:`skill_evidence` reads it), so a posting's coverage is what it is posting by posting.
    """

    def __init__(
        self,
        skills: Sequence[str],
        resumes: Sequence[ResumeProfile],
        embedder: Embedder,
        columns: np.ndarray,
        lines: LineGroups,
    ) -> None:
        self.row_of = {skill: row for row, skill in enumerate(skills)}
        self.column_of = np.full(len(resumes), -1, dtype=np.int64)
        self.column_of[columns] = np.arange(len(columns))
        self.values = np.zeros((len(skills), len(columns)), dtype=np.float32)
        # Consecutive runs of the resumes, each with at most SHARED_EVIDENCE_CELLS rough
        # cosines (skills x the run's lines; one resume at least).
        ends = np.cumsum(lines.sizes[columns])
        most_lines = SHARED_EVIDENCE_CELLS // max(len(skills), 1)
        start = 0
        while start < len(columns):
            before = int(ends[start - 1]) if start else 0
            stop = max(start + 1, int(np.searchsorted(ends, before + most_lines, side="right")))
            part = columns[start:stop]
            self.values[:, start:stop] = skill_evidence(
                list(skills), [resumes[c] for c in part.tolist()], embedder, lines.of(part)
            )
            start = stop

    def of(self, skills: Sequence[str], columns: np.ndarray) -> np.ndarray:
        """The evidence of ``skills`` (each one asked for) in the resumes at ``columns``."""
        return self.values[np.ix_([self.row_of[s] for s in skills], self.column_of[columns])]

    @classmethod
    def maybe(
        cls,
        wanted: Sequence[Sequence[Sequence[str | Sequence[str]]]],
        resumes: Sequence[ResumeProfile],
        embedder: Embedder | None,
        pairs: np.ndarray,
        lines: LineGroups | None,
    ) -> SharedEvidence | None:
        """The shared evidence of the skills ``wanted`` (each kind of requirement, each
        posting's; see :func:`skill_coverage`) by the postings of ``pairs`` (each posting's
        candidates), where it costs at most :data:`SHARED_EVIDENCE_SHARE` of comparing each
        posting with its own candidates; None where it would cost more."""
        if embedder is None or lines is None or not resumes:
            return None
        own_lines = pairs @ lines.sizes  # each posting's candidates' lines
        skills: set[str] = set()
        posting_by_posting = 0
        for kind in wanted:
            for row, items in enumerate(kind):
                vocabulary = {s for group in _requirement_groups(items) for s in group}
                if vocabulary:
                    skills |= vocabulary
                    posting_by_posting += len(vocabulary) * int(own_lines[row])
        columns = np.flatnonzero(pairs.any(axis=0))
        shared = len(skills) * int(lines.sizes[columns].sum())
        if not skills or shared > SHARED_EVIDENCE_SHARE * posting_by_posting:
            return None
        return cls(sorted(skills), resumes, embedder, columns, lines)


def _incidence(
    word_sets: Sequence[frozenset[str]], vocabulary: dict[str, int]
) -> sparse.csr_matrix:
    rows = [row for row, words in enumerate(word_sets) for w in words if w in vocabulary]
    cols = [vocabulary[w] for words in word_sets for w in words if w in vocabulary]
    data = np.ones(len(rows), dtype=np.float32)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(word_sets), len(vocabulary)))


class _RoleIndex:
    """Every role of every resume, flattened, so that subjects are matched in bulk.

    A role is named by its title, or by its company or the start of its text when no title was
    read. A subject *names* a role when (1) the two read alike (rapidfuzz token-sort ratio of
    at least 80 over word roots), (2) every word of the subject is in the role's name, (3) every
    word of the role's name is in the subject and makes at least half of it ("Admin Cisco Sales
    Specialist in Louisville" names "Admin Cisco Sales Specialist"), or (4) the role's line or
    the text under it contains the subject as a phrase ("Python" in "Backend developer,
    Python/Django"), or (5) the subject stands for skills (:func:`_subject_skills`) and the
    role's title and text show each of them or a skill whose use counts as it
    (:func:`matcher.parsing.implied_skills.skills_counting_as`: a "Frontend Engineer" role
    building React apps in TypeScript counts for "JavaScript", one that "built REST APIs in
    Flask" for "backend development"), or (6) the subject names settings of work that no skill
    names and the role's title, employer or duties show each of them
    (:mod:`matcher.parsing.work_settings`: an "Operations Supervisor" whose shift picks, packs
    and ships counts for "warehouse", a "Receptionist" for "administrative"). Skills and
    settings are read near the role's title (:data:`_ROLE_SKILL_CHARS`). Skills are read with
    the built-in vocabulary, whose names the table of implied skills uses. Words are compared
    by their roots, so "Teaching Art" names "Art Teachers".
    Only when no role of a resume is named, a role whose name is close in meaning (an embedding
    cosine of :data:`ROLE_SIMILAR_COSINE`) counts.
    """

    def __init__(
        self,
        resumes: Sequence[ResumeProfile],
        embedder: Embedder | None = None,
        *,
        stated: bool = False,
    ) -> None:
        roles = [
            (position, role)
            for position, r in enumerate(resumes)
            for role in (
                map(_stated_role, r.experience.statements) if stated else r.experience.roles
            )
        ]
        #: The resumes' explicit statements of years as an index of their own (None when
        #: there are none, and in that index itself): see :meth:`years`.
        self.statements = (
            None
            if stated or not any(r.experience.statements for r in resumes)
            else _RoleIndex(resumes, stated=True)
        )
        self.n_resumes = len(resumes)
        self.roles = [role for _, role in roles]
        self.embedder = embedder
        self.owner = np.array([position for position, _ in roles], dtype=np.int64)
        self.ranges = [role.counted_range for _, role in roles]
        read = [_read_role(role) for _, role in roles]
        self.names = [reading[0] for reading in read]
        self.flat = [reading[1] for reading in read]
        self.words = [reading[2] for reading in read]
        self.texts = [reading[3] for reading in read]
        self.text_words = [reading[4] for reading in read]
        self.skills = [reading[5] for reading in read]

    def years(self, subjects: Sequence[str], wanted: np.ndarray | None = None) -> np.ndarray:
        """Years each resume spent in roles matching each subject, ``(n_subjects, n_resumes)``.

        A subject that names alternatives ("ICU or critical care", "Cement Mason, Concrete
        Finisher, or Terrazzo Worker") is matched by a role matching any of them.

        A resume's explicit statement of years counts too, when its sentence names the
        subject as it would name a role ("Python developer with 7 years of experience" for
        "Python"): the years are the larger of its matching roles' and statements'. Many
        resumes list only their recent roles under a summary of their whole career.

        With ``wanted`` (``(n_subjects, n_resumes)`` booleans), each subject is matched
        against the roles of its wanted resumes only (the others hold 0): a resume's years
        in a subject depend on its own roles only, so they are those of every role matched.
        """
        result = self._role_years(subjects, wanted)
        if self.statements is not None and subjects:
            np.maximum(result, self.statements.stated_years(subjects, wanted), out=result)
        return result

    def stated_years(self, subjects: Sequence[str], wanted: np.ndarray | None = None) -> np.ndarray:
        """In an index of statements: each resume's largest statement of years whose
        sentence names each subject, ``(n_subjects, n_resumes)``; only its ``wanted`` ones
        (the others 0) with ``wanted``. Statements are matched by their words alone, not by
        a similar meaning: a sentence is no role title to compare with."""
        result = np.zeros((len(subjects), self.n_resumes), dtype=np.float32)
        index = self
        if wanted is not None:
            any_wanted = np.asarray(wanted.any(axis=0), dtype=bool)
            index = self._restricted(np.flatnonzero(any_wanted[self.owner]))
        if not subjects or not index.names:
            return result
        named = _by_alternatives(subjects, index._named)
        years = np.array([role.years for role in index.roles], dtype=np.float32)
        for k in range(len(subjects)):
            matched = np.flatnonzero(named[k])
            np.maximum.at(result[k], index.owner[matched], years[matched])
        return result if wanted is None else np.where(wanted, result, np.float32(0))

    def _role_years(self, subjects: Sequence[str], wanted: np.ndarray | None) -> np.ndarray:
        """:meth:`years` from the roles alone."""
        result = np.zeros((len(subjects), self.n_resumes), dtype=np.float32)
        if not subjects or not self.names:
            return result
        if wanted is not None:
            for k, subject in enumerate(subjects):
                roles = np.flatnonzero(wanted[k][self.owner])
                if len(roles):
                    result[k] = self._restricted(roles)._role_years([subject], None)[0]
            return result
        named = _by_alternatives(subjects, self._named)
        similar = _by_alternatives(subjects, self._similar)
        for k in range(len(subjects)):
            for mask in (named[k], similar[k]):
                matching: dict[int, list[Any]] = {}
                for i in np.flatnonzero(mask):
                    matching.setdefault(int(self.owner[i]), []).append(self.ranges[i])
                for position, ranges in matching.items():
                    if result[k, position] == 0:  # roles named by their words come first
                        result[k, position] = merged_years(ranges)
        return result

    def _named(self, subjects: Sequence[str]) -> np.ndarray:
        """``(n_subjects, n_roles)``: which roles each subject names by its words."""
        words = [role_words(s) for s in subjects]
        vocabulary = {w: i for i, w in enumerate(sorted(set().union(*words, *self.words)))}
        shared = (_incidence(words, vocabulary) @ _incidence(self.words, vocabulary).T).toarray()
        subject_size = np.array([len(w) for w in words], dtype=np.float32)[:, None]
        name_size = np.array([len(w) for w in self.words], dtype=np.float32)[None, :]
        ratios = process.cdist(
            [" ".join(word_roots(s)) for s in subjects],
            self.flat,
            scorer=fuzz.token_sort_ratio,
            workers=-1,  # every core: nothing else runs meanwhile, and the ratios are the same
        )
        named = (
            (ratios >= _TITLE_MATCH)
            | ((shared == subject_size) & (subject_size > 0))
            | ((shared == name_size) & (name_size > 0) & (2 * shared >= subject_size))
        )
        # (4) phrases: only texts holding every word of the subject are searched.
        roots = [word_roots(s) for s in subjects]
        needed = [frozenset(r) for r in roots]
        vocabulary = {w: i for i, w in enumerate(sorted(set().union(*needed)))}
        present = (
            _incidence(needed, vocabulary) @ _incidence(self.text_words, vocabulary).T
        ).tocoo()
        sizes = np.array([len(n) for n in needed])
        for k, i, count in zip(present.row, present.col, present.data, strict=True):
            if count == sizes[k] and not named[k, i]:
                named[k, i] = f" {' '.join(roots[k])} " in self.texts[i]
        named |= self._showing_skills(subjects)
        named |= self._in_settings(subjects)
        result: np.ndarray = named
        return result

    def _showing_skills(self, subjects: Sequence[str]) -> np.ndarray:
        """``(n_subjects, n_roles)``: (5) roles showing every skill a subject names, or a skill
        that counts as it; False for a subject that names no skill."""
        wanted = [_subject_skills(subject) for subject in subjects]
        needed = sorted(set().union(*wanted))
        shown = np.zeros((len(subjects), len(self.skills)), dtype=bool)
        if not needed or not self.skills:
            return shown
        vocabulary = {s: i for i, s in enumerate(sorted(set().union(*self.skills)))}
        roles = _incidence(self.skills, vocabulary)
        counting = [skills_counting_as(skill) for skill in needed]
        # which roles show each needed skill or one that counts as it: (n_needed, n_roles)
        has = (_incidence(counting, vocabulary) @ roles.T).toarray() > 0
        row_of = {skill: k for k, skill in enumerate(needed)}
        for k, skills in enumerate(wanted):
            if skills:
                shown[k] = has[[row_of[s] for s in skills]].all(axis=0)
        return shown

    def _in_settings(self, subjects: Sequence[str]) -> np.ndarray:
        """``(n_subjects, n_roles)``: (6) roles in every setting a subject names
        (:mod:`matcher.parsing.work_settings`); False for a subject that names none."""
        shown = np.zeros((len(subjects), len(self.names)), dtype=bool)
        masks: dict[str, np.ndarray] = {}
        for k, subject in enumerate(subjects):
            settings = subject_settings(subject)
            for setting in settings:
                if setting.name not in masks:
                    masks[setting.name] = self._showing_setting(setting)
            if settings:
                shown[k] = np.logical_and.reduce([masks[s.name] for s in settings])
        return shown

    @functools.cached_property
    def _company_words(self) -> list[frozenset[str]]:
        """The roots of each role's employer (not in :attr:`text_words` when read apart)."""
        return [frozenset(word_roots(role.company or "")) for role in self.roles]

    def _showing_setting(self, setting: WorkSetting) -> np.ndarray:
        """``(n_roles,)``: which roles show ``setting`` in their title, employer or the start of
        their duties. Only roles whose text or employer holds the first word of one of its terms
        are read again (most hold none)."""
        terms = (*setting.names, *setting.titles, *setting.duties)
        first_words = frozenset(term.split()[0] for term in terms)
        shown = np.zeros(len(self.names), dtype=bool)
        for i, role in enumerate(self.roles):
            if not first_words.isdisjoint(self.text_words[i]) or not first_words.isdisjoint(
                self._company_words[i]
            ):
                head = f"{role.title} {role.company or ''}"
                window = rooted(f"{head}\n{role.context[:_ROLE_SKILL_CHARS]}")
                shown[i] = shows_setting(rooted(head), window, setting)
        return shown

    def _restricted(self, roles: np.ndarray) -> _RoleIndex:
        """This index with the roles at ``roles`` only (whole resumes, in order): what each
        role was read into is shared, not read again."""
        part = copy.copy(self)
        part.statements = None  # read by :meth:`years` from the whole index
        part.__dict__.pop("_company_words", None)
        for name in ("roles", "ranges", "names", "flat", "words", "texts", "text_words", "skills"):
            values = getattr(self, name)
            setattr(part, name, [values[i] for i in roles.tolist()])
        part.owner = self.owner[roles]
        if self.embedder is not None:
            part.__dict__["_name_vectors"] = self._name_vectors[roles]
        return part

    @functools.cached_property
    def _name_vectors(self) -> np.ndarray:
        """The vectors of the roles' names (embedded once per index); none without an
        embedder."""
        if self.embedder is None:
            return np.zeros((len(self.names), 0), dtype=np.float32)
        return self.embedder.embed_texts([name or "" for name in self.names])

    def _similar(self, subjects: Sequence[str]) -> np.ndarray:
        """``(n_subjects, n_roles)``: which roles' names are close in meaning to each subject."""
        if self.embedder is None:
            return np.zeros((len(subjects), len(self.names)), dtype=bool)
        similarity = cosines(self.embedder.embed_texts(list(subjects)), self._name_vectors)
        similarity[:, [not name for name in self.names]] = 0.0
        similar: np.ndarray = similarity >= ROLE_SIMILAR_COSINE
        return similar


@functools.lru_cache(maxsize=1 << 16)
def _read_role(
    role: Role,
) -> tuple[str, str, frozenset[str], str, frozenset[str], frozenset[str]]:
    """What :class:`_RoleIndex` reads of a role: its name, the roots of its name (joined, and
    as words), the roots of its title and text (joined, padded, and as words) and its skills.

    Remembered for the last 65,536 roles: the features and the explainer of a batch each index
    the same resumes' roles, and a resume is a candidate in many batches.
    """
    name = role.title or role.company or role.context.split("\n")[0][:_ROLE_NAME_CHARS]
    text = f" {' '.join(word_roots(f'{role.title} {role.context}'))} "
    # a role's skills are read near its title: where a scraped resume has no line breaks,
    # the text "under" its last role runs on into the skills list of the whole resume
    skills = _role_skills(f"{role.title}\n{role.context[:_ROLE_SKILL_CHARS]}")
    return (
        name,
        " ".join(word_roots(name)),
        role_words(name),
        text,
        frozenset(text.split()),
        skills,
    )


def _by_alternatives(
    subjects: Sequence[str], match: Callable[[Sequence[str]], np.ndarray]
) -> np.ndarray:
    """``match`` (``(n_parts, n_roles)``) of every alternative a subject names, and for each
    subject whether any of its alternatives matched: ``(n_subjects, n_roles)``."""
    expanded = [(k, part) for k, subject in enumerate(subjects) for part in _alternatives(subject)]
    rows_of = np.array([k for k, _ in expanded])
    matched = match([part for _, part in expanded])
    return np.stack([matched[rows_of == k].any(axis=0) for k in range(len(subjects))])


#: The date range of a statement of years read as a role (:func:`_stated_role`): never counted.
_NO_RANGE: Final = DateRange(date.min, date.min, "", ongoing=False)


def _stated_role(statement: StatedYears) -> Role:
    """A statement of years as :class:`_RoleIndex` reads a role: its sentence is its name
    and its text, its years are the years stated."""
    return Role("", None, _NO_RANGE, statement.years, statement.text, statement.text, "stated")


@functools.lru_cache(maxsize=1 << 16)
def _role_skills(text: str) -> frozenset[str]:
    """The skills of the built-in vocabulary a role's text shows."""
    return frozenset(skill_matcher().skills(text))


@functools.lru_cache(maxsize=1 << 12)
def _subject_skills(subject: str) -> frozenset[str]:
    """The skills a years subject stands for, when it is about skills rather than a role.

    "Python in production" and "backend development" stand for their skills; "Cisco Network
    Engineer" and "litigation paralegal" do not, as they name a role (whose title is matched
    by its words instead: a legal assistant who handled litigation is not a paralegal), nor
    does a subject whose skills make less than half of its words.
    """
    mentions = skill_matcher().find(subject)
    words = role_words(subject)
    covered = words & frozenset().union(*(role_words(m.surface) for m in mentions))
    nouns = {singular(w) for w in re.findall(r"[\w-]+", subject.lower())}
    if not mentions or 2 * len(covered) < len(words) or nouns & word_list("role_noun"):
        return frozenset()
    return frozenset(m.skill for m in mentions)


_ALTERNATIVE_SPLIT = re.compile(r"\s*,\s*(?:or\s+)?|\s+(?:and\s*/\s*)?or\s+|\s*/\s*", re.I)


def _alternatives(subject: str) -> list[str]:
    """ "ICU or critical care" -> ["ICU", "critical care"]; "commercial or industrial electrical"
    -> ["commercial electrical", "industrial electrical"]; a subject without "or" or "/" stays
    whole ("Tool and Die Maker", "Sales, Marketing and Events")."""
    if not re.search(r"\bor\b|/", subject, re.I):
        return [subject]
    parts = [part.strip() for part in _ALTERNATIVE_SPLIT.split(subject)]
    head = parts[-1].split()[1:]
    # "commercial or industrial electrical": a bare qualifier shares the last part's noun
    parts = [
        f"{part} {' '.join(head)}" if head and part.lower() in word_list("years_filler") else part
        for part in parts
    ]
    return [part for part in parts if role_words(part)] or [subject]


def embedded_posting_texts(posting: PostingProfile) -> list[str]:
    """The texts of a posting the features embed, whatever the resume: its requirement lines
    (:func:`requirement_coverage`), its title (:func:`title_similarity`), the skills of its
    groups (:func:`skill_evidence`) and the subjects of its years requirements
    (:class:`_RoleIndex`), each once."""
    skills = [
        s
        for groups in (posting.required_groups, posting.preferred_groups)
        for g in groups
        for s in g
    ]
    subjects = [
        part
        for requirement in posting.years_required
        if requirement.subject
        for part in _alternatives(requirement.subject)
    ]
    texts = [*posting.requirement_lines, posting.title or "", *skills, *subjects]
    return list(dict.fromkeys(texts))


def subject_years(resume: ResumeProfile, subject: str) -> float:
    """Years in roles that match a subject: the same role title, or the subject named in the role.

    Example: subject "Oracle Business Systems Analyst" matches the role "Oracle Business
    Systems Analyst (2013 - 2017)"; subject "Python" matches "Backend developer, Python/Django".
    """
    return float(subjects_years([resume], [subject])[0, 0])


def subjects_years(resumes: Sequence[ResumeProfile], subjects: Sequence[str]) -> np.ndarray:
    """:func:`subject_years` of every resume for every subject, ``(n_subjects, n_resumes)``,
    matched in bulk: the same values as one pair at a time, at a fraction of the cost."""
    return _RoleIndex(resumes).years(subjects)


def years_in_subjects(
    resumes: Sequence[ResumeProfile],
    subjects: Sequence[str],
    embedder: Embedder | None = None,
    wanted: np.ndarray | None = None,
) -> np.ndarray:
    """Years each resume spent in roles matching each subject, ``(n_subjects, n_resumes)``: the
    years :func:`experience_matrix` counts (with an embedder, a role close in meaning counts
    when no role is named by the subject; see :class:`_RoleIndex`).

    With ``wanted`` (``(n_subjects, n_resumes)`` booleans), only those are computed (the others
    are 0), each the value it has among every resume: the roles of the resumes no subject
    wants are not read. Each subject is matched against its wanted resumes' roles alone when
    few of them are wanted (:func:`_match_per_subject`), else every subject against every role
    of the wanted resumes at once: the same values.
    """
    if wanted is None:
        return _RoleIndex(resumes, embedder).years(subjects)
    result = np.zeros((len(subjects), len(resumes)), dtype=np.float32)
    positions = np.flatnonzero(wanted.any(axis=0)) if len(subjects) else np.zeros(0, np.int64)
    if len(positions):
        index = _RoleIndex([resumes[p] for p in positions.tolist()], embedder)
        part = wanted[:, positions]
        if _match_per_subject(part, index.owner):
            result[:, positions] = index.years(subjects, part)
        else:
            result[:, positions] = np.where(part, index.years(subjects), 0)
    return result


#: What matching one subject against a set of roles costs besides the roles (building its
#: vocabulary and index), and what matching it against one role costs there, each in units
#: of one (subject, role) comparison of the bulk matching: measured with RJDB's profiles
#: (about 1.6 ms a call, 5.4 us a role, against 0.43 us a comparison in bulk).
_PER_SUBJECT_CALL, _PER_SUBJECT_ROLE = 3700, 12.5


def _match_per_subject(wanted: np.ndarray, owner: np.ndarray) -> bool:
    """Whether matching each subject against the roles of its ``wanted`` resumes alone
    (``(n_subjects, n_resumes)``; ``owner``: each role's resume) costs less than matching
    every subject against every role at once: when each subject wants few of the resumes."""
    subjects, roles = wanted.shape[0], len(owner)
    each = int(wanted[:, owner].sum()) if roles else 0  # (subject, role) pairs wanted
    return bool(_PER_SUBJECT_CALL * subjects + _PER_SUBJECT_ROLE * each < subjects * roles)


def subject_pairs(
    postings: Sequence[PostingProfile], subjects: Sequence[str], pairs: np.ndarray | None
) -> np.ndarray | None:
    """``(n_subjects, n_resumes)``: for each subject of a years requirement, the resumes
    paired (``pairs``, see :func:`local_features`) with a posting that asks for it: the
    ``wanted`` of :func:`years_in_subjects`. None (every resume) if ``pairs`` is None."""
    if pairs is None:
        return None
    row_of = {subject: k for k, subject in enumerate(subjects)}
    wanted = np.zeros((len(subjects), pairs.shape[1]), dtype=bool)
    for row, posting in enumerate(postings):
        for requirement in posting.years_required:
            if requirement.subject in row_of:
                wanted[row_of[requirement.subject]] |= pairs[row]
    return wanted


def _fit(held: np.ndarray, required: float) -> np.ndarray:
    """1 when ``held`` meets ``required``, else :data:`SHORT_OF_REQUIREMENT` of the share held."""
    return np.where(held >= required, 1.0, SHORT_OF_REQUIREMENT * held / required)


def experience_matrix(
    postings: Sequence[PostingProfile],
    resumes: Sequence[ResumeProfile],
    embedder: Embedder | None = None,
    pairs: np.ndarray | None = None,
) -> np.ndarray:
    """How far each resume's years meet each posting's years requirements, in [0, 1].

    The mean over the overall minimum and every "N years as/of X" requirement of 1 when met,
    else :data:`SHORT_OF_REQUIREMENT` times the share of the years held; 1 when the posting
    states no years. Years in X are those of the resume's roles that match X (see
    :func:`subject_years`).

    With an embedder, roles close in meaning to a subject count when none is named by it (see
    :class:`_RoleIndex`). With ``pairs`` (see :func:`local_features`), a subject's years are
    read for the resumes paired with a posting that asks for it only; the values of the
    other pairs are left unspecified.
    """
    return experience_and_years(postings, resumes, embedder, pairs)[0]


def experience_and_years(
    postings: Sequence[PostingProfile],
    resumes: Sequence[ResumeProfile],
    embedder: Embedder | None = None,
    pairs: np.ndarray | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """:func:`experience_matrix`, and the years per subject it counted: for each subject of
    the postings' years requirements, each resume's years in it, ``(n_resumes,)``
    (:func:`years_in_subjects`; with ``pairs``, 0 for the resumes no posting asking for the
    subject is paired with). The explanations show these years (:attr:`PairFeatures.years`),
    so the roles are matched once per batch."""
    requirements = [(row, r) for row, p in enumerate(postings) for r in p.years_required]
    subjects = sorted({r.subject for _, r in requirements if r.subject})
    row_of = {subject: k for k, subject in enumerate(subjects)}
    held = years_in_subjects(resumes, subjects, embedder, subject_pairs(postings, subjects, pairs))
    held_total = np.array([r.years for r in resumes], dtype=np.float32)
    fits: list[list[np.ndarray]] = [[] for _ in postings]
    for row, requirement in requirements:
        if requirement.subject and requirement.years > 0:
            fits[row].append(_fit(held[row_of[requirement.subject]], requirement.years))
    result = np.ones((len(postings), len(resumes)), dtype=np.float32)
    for row, posting in enumerate(postings):
        if posting.requirements.min_years:
            fits[row].append(_fit(held_total, posting.requirements.min_years))
        if fits[row]:
            result[row] = np.mean(fits[row], axis=0)
    return result, {subject: held[k] for k, subject in enumerate(subjects)}


def _embed_line_groups(
    embedder: Embedder, groups: Sequence[Sequence[str]]
) -> tuple[np.ndarray, np.ndarray]:
    """Embed groups of lines; returns vectors and each group's start offset (groups non-empty).

    Each group (a resume's lines) is read from the embedding cache as one block where it is
    there (:meth:`Embedder.embed_groups`): stage 2 reads the lines of each batch's candidates.
    """
    offsets = np.cumsum([0, *[len(g) for g in groups[:-1]]]).astype(np.int64)
    return embedder.embed_groups(groups), offsets


class LineGroups:
    """Groups of texts (each resume's lines) embedded once, and the vectors of any of the
    groups: what lets each posting be compared with its own candidates' lines only.

    The vectors of the last groups asked for are remembered: a posting's required skills,
    preferred skills and requirement lines are compared with the same candidates' lines, and
    gathering them once instead of three times was much of their cost. They stay float32:
    the cosines are computed in float32 first, and only the lines that decide a value are
    widened to float64 (:func:`best_line_cosines`).
    """

    def __init__(self, embedder: Embedder, groups: Sequence[Sequence[str]]) -> None:
        self.vectors, self.offsets = _embed_line_groups(embedder, groups)
        self.sizes = np.array([len(group) for group in groups], dtype=np.int64)
        self._last: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def of(self, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The vectors of the groups at ``columns`` (each non-empty), in that order, and
        each group's first row among them: what :func:`_embed_line_groups` of those groups
        gives."""
        last = self._last
        if last is not None and np.array_equal(last[0], columns):
            return last[1], last[2]
        self._last = last = None  # not two postings' vectors at once
        own = self.sizes[columns]
        starts = np.cumsum(own) - own
        # Each group's rows are consecutive: its slice is copied straight into the result.
        blocks = [
            self.vectors[first : first + size]
            for first, size in zip(self.offsets[columns].tolist(), own.tolist(), strict=True)
        ]
        vectors = (
            np.concatenate(blocks)
            if blocks
            else np.zeros((0, self.vectors.shape[1]), dtype=self.vectors.dtype)
        )
        self._last = (np.array(columns, copy=True), vectors, starts)
        return vectors, starts


def requirement_coverage(
    postings: Sequence[PostingProfile],
    resumes: Sequence[ResumeProfile],
    embedder: Embedder,
    pairs: np.ndarray | None = None,
    lines: LineGroups | None = None,
) -> np.ndarray:
    """Mean over each posting's requirement lines of the best cosine among a resume's lines.

    With ``pairs`` (see :func:`local_features`), only those pairs are computed (the others
    are 1); ``lines`` are the resumes' line vectors, if already embedded.
    """
    result = np.ones((len(postings), len(resumes)), dtype=np.float32)
    if not resumes:
        return result
    if pairs is None:
        resume_vectors, offsets = _embed_line_groups(embedder, [r.lines for r in resumes])
    elif lines is None:
        lines = LineGroups(embedder, [r.lines for r in resumes])
    # Every posting's lines in one look-up; each posting's rows are its own lines' vectors.
    wanted_lines = embedder.embed_texts([line for p in postings for line in p.requirement_lines])
    ends = np.cumsum([len(p.requirement_lines) for p in postings])
    for row, posting in enumerate(postings):
        if not posting.requirement_lines:
            continue
        wanted = wanted_lines[ends[row] - len(posting.requirement_lines) : ends[row]]
        columns = slice(None) if pairs is None else np.flatnonzero(pairs[row])
        if lines is not None and not isinstance(columns, slice):
            if not len(columns):
                continue
            resume_vectors, offsets = lines.of(columns)
        best = best_line_cosines(wanted, resume_vectors, offsets)  # (lines wanted, resumes)
        result[row, columns] = np.clip(best, 0.0, 1.0).mean(axis=0)
    return result


def _analyzer(text: str, stop_words: frozenset[str]) -> list[str]:
    return [
        word_root(w) for w in re.findall(r"[a-z][a-z0-9+#]+", text.lower()) if w not in stop_words
    ]


class RequirementTerms:
    """The word rarities of :func:`requirement_terms`, fitted once on every resume of the pool.

    :meth:`scores` of some postings against some resumes equals that part of the scores of all
    postings against all resumes.
    """

    def __init__(self, resume_texts: Sequence[str]) -> None:
        self.n_resumes = len(resume_texts)
        self.vectorizer: Any = None  # a fitted TfidfVectorizer
        if not resume_texts:
            return
        # scikit-learn is imported on use: importing it costs seconds a run may not need.
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

        # Transforming the wanted texts and counting their unseen words read them twice.
        self.analyzer = remembered(functools.partial(_analyzer, stop_words=ENGLISH_STOP_WORDS))
        vectorizer = TfidfVectorizer(analyzer=self.analyzer, binary=True, norm=None, use_idf=True)
        try:
            vectorizer.fit(resume_texts)
        except ValueError:  # no words at all
            return
        self.vectorizer = vectorizer
        self.has = vectorizer.transform(resume_texts)
        self.has.data[:] = 1.0
        # What is kept of the resumes' words is `has`. The analyzer's memory of them (a list
        # of words per resume) would last as long as the pool: only the wanted texts, read by
        # :meth:`scores`, are remembered from here on.
        self.analyzer = remembered(functools.partial(_analyzer, stop_words=ENGLISH_STOP_WORDS))
        vectorizer.set_params(analyzer=self.analyzer)

    def extended(self, resume_texts: Sequence[str]) -> RequirementTerms:
        """These rarities with ``resume_texts`` appended as more resumes: their words looked
        up in the fitted vocabulary (a word no fitted resume uses counts as missing, as in a
        wanted text), the rarities and the fitted resumes' words as they are."""
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        extended = copy.copy(self)
        extended.n_resumes = self.n_resumes + len(resume_texts)
        if self.vectorizer is None or not resume_texts:
            return extended
        has = self.vectorizer.transform(list(resume_texts))
        has.data[:] = 1.0
        extended.has = sparse.vstack([self.has, has]).tocsr()
        # The new resumes' words are not remembered: only the wanted texts are.
        self.analyzer = remembered(functools.partial(_analyzer, stop_words=ENGLISH_STOP_WORDS))
        self.vectorizer.set_params(analyzer=self.analyzer)
        extended.analyzer = self.analyzer
        return extended

    def scores(
        self, wanted: Sequence[str], columns: Sequence[int] | np.ndarray | None = None
    ) -> np.ndarray:
        """``(len(wanted), len(columns))``: the share of each ``wanted`` text's words, weighted
        by rarity, that each resume at the positions ``columns`` (all if None) uses."""
        width = self.n_resumes if columns is None else len(columns)
        result = np.ones((len(wanted), width), dtype=np.float32)
        if self.vectorizer is None or not any(wanted) or not width:
            return result
        has = self.has if columns is None else self.has[columns]
        want = self.vectorizer.transform(wanted)  # binary tf times idf: each word by rarity
        totals = np.asarray(want.sum(axis=1)).ravel()
        # Words no resume uses are not in the vocabulary; they count as missing for everyone.
        known = self.vectorizer.vocabulary_
        unseen = np.array([len(set(self.analyzer(w)) - set(known)) for w in wanted])
        denominator = totals + unseen * float(self.vectorizer.idf_.max())
        covered = np.asarray((want @ has.T).todense())
        rows = denominator > 0
        result[rows] = (covered[rows] / denominator[rows, None]).astype(np.float32)
        return result


def requirement_terms(wanted: Sequence[str], resume_texts: Sequence[str]) -> np.ndarray:
    """IDF-weighted share of the words of each posting's ``wanted`` text found in each resume.

    ``wanted`` is the posting's requirement lines, or its whole text (without boilerplate)
    when none were read.
    """
    return RequirementTerms(resume_texts).scores(wanted)


def title_similarity(
    postings: Sequence[PostingProfile],
    resumes: Sequence[ResumeProfile],
    embedder: Embedder,
    pairs: np.ndarray | None = None,
) -> np.ndarray:
    """Best cosine between the job title and the resume's first three titles: its headline
    (the title it opens with) and its latest role titles.

    A resume without a headline gets 0, its role titles not looked up: the signal is read only
    where there is a headline (its confidence, :func:`confidences`), and elsewhere takes its
    neutral value whatever this one.

    With ``pairs`` (see :func:`local_features`), each posting's title is compared with its
    own resumes' titles only; the other pairs are left unspecified (0).
    """
    result = np.zeros((len(postings), len(resumes)), dtype=np.float32)
    if not postings or not resumes:
        return result
    titles = embedder.embed_texts([p.title or "" for p in postings])
    has_titles = np.array([bool(r.headline) for r in resumes])
    groups = [r.titles[:3] if r.headline else [""] for r in resumes]
    if pairs is None:
        vectors, offsets = _embed_line_groups(embedder, groups)
        best = best_line_cosines(titles, vectors, offsets)
        best[:, ~has_titles] = 0.0
        clipped: np.ndarray = np.clip(best, 0.0, 1.0).astype(np.float32)
        return clipped
    lines = LineGroups(embedder, groups)
    for row in range(len(postings)):
        columns = np.flatnonzero(pairs[row])
        if len(columns):
            vectors, offsets = lines.of(columns)
            own = best_line_cosines(titles[row : row + 1], vectors, offsets)
            own[:, ~has_titles[columns]] = 0.0
            result[row, columns] = np.clip(own[0], 0.0, 1.0)
    return result


def confidences(
    postings: Sequence[PostingProfile], resumes: Sequence[ResumeProfile]
) -> dict[str, np.ndarray]:
    """How much of what each gated feature needs was read, per pair, in [0, 1].

    * ``required_skills``, ``preferred_skills``, ``requirement_coverage``: the share of
      :data:`FULL_CONFIDENCE_AT` required skills (or any-of groups), preferred skills and
      requirement lines read from the posting.
    * ``experience``: 1 when the posting asks for years and the resume has dated roles or
      states its years; 0.5 when the resume shows neither (a reading failure is as likely as
      a resume with no experience); 0 when the posting asks for no years.
    * ``degree``: 1 when the posting requires a degree and the resume names one; 0.5 when the
      resume names none; 0 when the posting requires none.
    * ``title``: 1 when role titles were read from the resume, else 0.
    """
    n_resumes = len(resumes)

    def per_posting(values: list[float]) -> np.ndarray:
        column = np.asarray(values, dtype=np.float32).reshape(-1, 1)
        return np.repeat(column, n_resumes, axis=1)

    def share(counts: list[int], full: int) -> np.ndarray:
        return per_posting([min(1.0, count / full) for count in counts])

    def outer(rows: list[float], columns: list[float]) -> np.ndarray:
        return np.outer(
            np.asarray(rows, dtype=np.float32), np.asarray(columns, dtype=np.float32)
        ).reshape(len(rows), n_resumes)

    asks_years = [1.0 if (p.requirements.min_years or p.years_required) else 0.0 for p in postings]
    asks_degree = [
        1.0
        if p.requirements.degree_required is not None
        and p.requirements.degree_required > DegreeLevel.NONE
        else 0.0
        for p in postings
    ]
    return {
        "required_skills": share(
            [len(p.required_groups) for p in postings], FULL_CONFIDENCE_AT["required_skills"]
        ),
        "preferred_skills": share(
            [len(p.preferred_groups) for p in postings], FULL_CONFIDENCE_AT["preferred_skills"]
        ),
        "requirement_coverage": share(
            [len(p.requirement_lines) for p in postings],
            FULL_CONFIDENCE_AT["requirement_coverage"],
        ),
        "experience": outer(
            asks_years,
            [1.0 if (r.experience.roles or r.experience.stated_years) else 0.5 for r in resumes],
        ),
        "degree": outer(
            asks_degree, [1.0 if r.degree.level > DegreeLevel.NONE else 0.5 for r in resumes]
        ),
        "title": outer([1.0] * len(postings), [1.0 if r.headline else 0.0 for r in resumes]),
    }


def focus_postings(postings: pd.DataFrame) -> pd.DataFrame:
    """The postings with their model text stripped of boilerplate, for the similarity signals.

    A ``focus_text`` column (:data:`matcher.schema.FOCUS_TEXT`, kept by the posting store) is
    taken as that text instead of stripping it again.
    """
    if schema.FOCUS_TEXT in postings:
        texts = postings[schema.FOCUS_TEXT].astype(str).tolist()
    else:
        texts = [_focus_text(text) for text in posting_texts(postings)]
    return postings.assign(**{schema.MODEL_TEXT: texts})


#: Posting texts of at most this many characters are remembered stripped (:func:`_focus_text`).
_REMEMBERED_FOCUS_CHARS = 50_000


def _focus_text(text: str) -> str:
    """A posting text stripped of boilerplate; the last ones stripped in this process are
    remembered (each batch, and each run of `matcher schedule --warm`, meets the same postings)."""
    if len(text) <= _REMEMBERED_FOCUS_CHARS:
        return _remembered_focus_text(text)
    return strip_boilerplate(text)


@functools.lru_cache(maxsize=4096)
def _remembered_focus_text(text: str) -> str:
    return strip_boilerplate(text)


#: Features whose value for a pair depends on the other records of the pool: word rarities
#: (``requirement_terms``, ``tfidf``) and the best resume of the posting (``bm25``). They are
#: fitted once on the whole pool (:class:`PoolStatistics`); all other features are pair-local.
POOL_FEATURES: tuple[str, ...] = ("requirement_terms", "bm25", "tfidf")
#: Features whose value for a pair depends on that posting and that resume only.
LOCAL_FEATURES: tuple[str, ...] = tuple(name for name in FEATURES if name not in POOL_FEATURES)


def wanted_texts(focus_texts: Sequence[str], profiles: Sequence[PostingProfile]) -> list[str]:
    """What :func:`requirement_terms` looks for in a resume: each posting's requirement lines,
    or its text without boilerplate when none were read."""
    return [
        "\n".join(p.requirement_lines) or text
        for p, text in zip(profiles, focus_texts, strict=True)
    ]


#: The fewest resumes for which :class:`PoolStatistics` fits TF-IDF in a forked worker beside
#: its other fits (:func:`matcher.parallel.beside`): at 1,000 resumes the three fits take
#: about 0.9 s, and a fork and the fitted vectors' trip back start to count.
POOL_FIT_BESIDE = 2_000


class PoolStatistics:
    """The pool-dependent features (:data:`POOL_FEATURES`), fitted once on a whole pool.

    The two-stage ranking (:mod:`matcher.ranking.two_stage`) scores a batch of postings against
    a few candidate resumes at a time; with the statistics of the whole pool, a pair's values
    are exactly those it has when every posting is scored against every resume.

    Args:
        postings: Every prepared posting of the run (boilerplate is stripped here).
        resumes: Every prepared resume of the run.
        posting_profiles: The postings' profiles, in row order (for the requirement lines).
        direction: Which side is ranked; BM25 indexes that side.
        k1: BM25 term-frequency saturation.
        b: BM25 length normalisation.
    """

    def __init__(
        self,
        postings: pd.DataFrame,
        resumes: pd.DataFrame,
        posting_profiles: Sequence[PostingProfile],
        direction: Direction = "resumes-for-job",
        k1: float = 1.5,
        b: float = 0.75,
        *,
        extensible: bool = False,
    ) -> None:
        self.direction: Direction = direction
        self.focus_texts = posting_texts(focus_postings(postings))
        self.resume_texts = resume_texts(resumes)
        self.job_ids = postings[schema.JOB_ID].astype(str).tolist()
        self.posting_texts = posting_texts(postings)
        self.wanted = wanted_texts(self.focus_texts, posting_profiles)
        self.row_of = {job_id: i for i, job_id in enumerate(postings[schema.JOB_ID].astype(str))}
        ids = resumes[schema.RESUME_ID].astype(str)
        self.column_of = {resume_id: j for j, resume_id in enumerate(ids)}
        if extensible and direction != "resumes-for-job":
            raise ValueError("only statistics ranking resumes-for-job can be extended")
        ranked = self.resume_texts if direction == "resumes-for-job" else self.focus_texts

        # Three fits, each reading every text of the pool (40, 18 and 29 s at 100,000
        # synthetic resumes): from POOL_FIT_BESIDE resumes, the TF-IDF fit runs in a worker
        # forked for it, where workers are allowed, while this process fits the other two.
        # The worker's fit is the one this process would make.
        def tfidf() -> TfidfPool:
            return TfidfPool(self.focus_texts, self.resume_texts, extensible=extensible)

        def others() -> tuple[RequirementTerms, BM25Pool]:
            return RequirementTerms(self.resume_texts), BM25Pool(
                ranked, k1, b, extensible=extensible
            )

        if len(self.resume_texts) >= POOL_FIT_BESIDE:
            (self.terms, self.bm25), self.tfidf = beside(others, tfidf)
        else:
            (self.terms, self.bm25), self.tfidf = others(), tfidf()
        #: The resumes the statistics were fitted on: the first columns; those after them
        #: were added by :meth:`extended`.
        self.fitted_resumes = len(self.resume_texts)
        self.extensible = extensible
        #: Extensible statistics: each posting row's best raw BM25 and best TF-IDF over the
        #: fitted resumes, remembered as :meth:`values` meets them (kept with the
        #: statistics, and shared with the extended ones: a rerun scoring added resumes only
        #: then reads neither side of the fitted pool).
        self.fitted_best: dict[int, tuple[np.float32, np.float32]] = {}
        #: Each posting row's candidates (pool columns, as stage 1 chose them) with their
        #: BM25 and TF-IDF values and the row's best TF-IDF (:meth:`keep_candidates`), so
        #: that :meth:`values` of any part of them reads them instead of scoring the posting
        #: against the whole pool again. Not pickled: it belongs to one run.
        self.candidate_values: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, float]] = {}

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["candidate_values"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Statistics pickled before the bests were remembered gain an empty memory."""
        self.__dict__.update({"fitted_best": {}, "candidate_values": {}, **state})

    def keep_candidates(
        self, rows: Sequence[int], columns: Sequence[np.ndarray], raw: np.ndarray | None = None
    ) -> None:
        """Score the postings at ``rows`` against the whole pool once and keep the BM25 and
        TF-IDF values of their candidates (``columns``: each row's pool columns), as
        :meth:`values` computes them, for its calls on any part of those pairs: stage 2 scores
        a posting's candidates in several tiles (:func:`matcher.ranking.two_stage.resume_tiles`),
        and each would otherwise score the posting against every resume for its BM25 and
        TF-IDF relative to the pool's best. ``raw``: the rows' raw BM25 against every resume
        (:meth:`bm25_rows`), if already known (stage 1's). Only statistics ranking
        resumes-for-job with no resume added (:meth:`extended`) keep them.
        """
        if self.direction != "resumes-for-job" or self.added_resumes or not len(rows):
            return
        if raw is None:
            raw = self.bm25_rows(rows)
        bm25 = normalise_per_query(raw, self.direction)
        tfidf = self.tfidf.scores(rows)  # every resume: the best is the pool's
        best = _best(tfidf, axis=1)
        if self.fitted_resumes and self.extensible:
            self._remember_best(rows, raw.max(axis=1, keepdims=True), best)
        for k, row in enumerate(rows):
            wanted = np.asarray(columns[k], dtype=np.int64)
            self.candidate_values[row] = (wanted, bm25[k, wanted], tfidf[k, wanted], best[k, 0])

    def _kept_values(
        self, rows: Sequence[int], columns: Sequence[int], pairs: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """BM25, TF-IDF and best TF-IDF of ``pairs`` (the cells of ``rows`` by ``columns``
        wanted) from :attr:`candidate_values`; the other cells 0. None unless every wanted
        pair was kept."""
        kept = self.candidate_values
        if not kept or not all(row in kept for row in rows):
            return None
        lookup = np.full(len(self.resume_texts), -1, dtype=np.int64)
        lookup[np.asarray(columns, dtype=np.int64)] = np.arange(len(columns))
        first = kept[rows[0]]
        bm25 = np.zeros(pairs.shape, dtype=first[1].dtype)
        tfidf = np.zeros(pairs.shape, dtype=first[2].dtype)
        found = 0
        for k, row in enumerate(rows):
            wanted, bm25_values, tfidf_values, _ = kept[row]
            at = lookup[wanted]
            inside = at >= 0
            at = at[inside]
            bm25[k, at] = bm25_values[inside]
            tfidf[k, at] = tfidf_values[inside]
            found += int(np.count_nonzero(pairs[k, at]))
        if found != int(np.count_nonzero(pairs)):
            return None
        best = np.array([[kept[row][3]] for row in rows], dtype=np.float32)
        return bm25, tfidf, best

    def extended(self, resumes: pd.DataFrame) -> PoolStatistics:
        """These statistics, kept, for another pool of resumes (an incremental rerun's): the
        pool's statistics do not change, as a search engine refreshes its term statistics
        now and then rather than with every new document.

        A resume of ``resumes`` with a fitted resume's ID and text keeps its fitted column,
        so its pairs' values are exactly those of the fit; any other (new, or changed since)
        is weighted with the fitted vocabulary and IDF (:meth:`TfidfPool.extended`,
        :meth:`RequirementTerms.extended`, :meth:`BM25Pool.document_scores`). What is
        relative to a posting's best resume stays relative to the best fitted one: BM25 is
        divided by the fitted best and clipped at 1, and the TF-IDF best
        (:attr:`PairFeatures.tfidf_best`) is the fitted one. The postings are those fitted.

        Raises:
            ValueError: If the statistics were not fitted ``extensible``.
        """
        if not self.extensible:
            raise ValueError("these pool statistics were not fitted extensible=True")
        texts = resume_texts(resumes)
        ids = resumes[schema.RESUME_ID].astype(str).tolist()
        fitted_text = {
            resume_id: self.resume_texts[column]
            for resume_id, column in self.column_of.items()
            if column < self.fitted_resumes
        }
        column_of: dict[str, int] = {}
        added: list[str] = []
        for resume_id, text in zip(ids, texts, strict=True):
            if fitted_text.get(resume_id) == text:
                column_of[resume_id] = self.column_of[resume_id]
            else:
                column_of[resume_id] = self.fitted_resumes + len(added)
                added.append(text)
        extended = copy.copy(self)  # shares fitted_best: what a rerun remembers is kept
        extended.candidate_values = {}  # the fitted pool's candidates
        extended.column_of = column_of
        extended.resume_texts = self.resume_texts[: self.fitted_resumes] + added
        extended.tfidf = self.tfidf.extended(added)
        extended.terms = self.terms.extended(added)
        return extended

    @property
    def added_resumes(self) -> int:
        """The resumes added by :meth:`extended`, after the fitted columns."""
        return len(self.resume_texts) - self.fitted_resumes

    def positions(
        self, job_ids: Sequence[str], resume_ids: Sequence[str]
    ) -> tuple[list[int], list[int]]:
        """The pool rows of ``job_ids`` and columns of ``resume_ids``.

        Raises:
            KeyError: Naming a record that is not in the pool.
        """
        try:
            return [self.row_of[i] for i in job_ids], [self.column_of[i] for i in resume_ids]
        except KeyError as error:
            raise KeyError(
                f"record {error.args[0]!r} is not in the pool the statistics were fitted on"
            ) from None

    @functools.cached_property
    def key_terms(self) -> dict[str, list[str]]:
        """Each posting's key terms among every posting of the pool
        (:func:`matcher.ranking.explain.key_terms`), by job ID: what explains a posting
        from which no requirement was read, the same whichever postings share its batch."""
        return dict(zip(self.job_ids, key_terms(self.posting_texts), strict=True))

    def bm25_rows(self, rows: Sequence[int]) -> np.ndarray:
        """Raw BM25 of the postings at ``rows`` against every resume (``resumes-for-job``),
        the fitted ones and then those :meth:`extended` added."""
        queries = [self.focus_texts[r] for r in rows]
        fitted = self.bm25.scores(queries)
        if not self.added_resumes:
            return fitted
        added = self.bm25.document_scores(queries, self.resume_texts[self.fitted_resumes :])
        return np.hstack([fitted, added])

    def values(
        self,
        job_ids: Sequence[str],
        resume_ids: Sequence[str],
        pairs: np.ndarray | None = None,
    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """The pool-dependent features of the pairs of ``job_ids`` and ``resume_ids``.

        Args:
            pairs: ``(len(job_ids), len(resume_ids))`` booleans: the pairs wanted; the
                values of the others are unspecified. When every wanted pair's BM25 and
                TF-IDF were kept (:meth:`keep_candidates`), they are read, not computed.

        Returns:
            ``{feature: (len(job_ids), len(resume_ids))}``, and the best ``tfidf`` of each
            query over the whole pool (see :attr:`PairFeatures.tfidf_best`).
        """
        rows, columns = self.positions(job_ids, resume_ids)
        fitted = self.fitted_resumes
        added_only = self.direction == "resumes-for-job" and all(c >= fitted for c in columns)
        remembered = self._remembered_best(rows) if added_only else None
        kept = (
            self._kept_values(rows, columns, pairs)
            if pairs is not None and self.direction == "resumes-for-job" and rows
            else None
        )
        if kept is not None:
            bm25, tfidf, best = kept
        elif remembered is not None:
            # Added resumes only (an incremental rerun's new ones): the same values as below,
            # without scoring the fitted pool for its best resume again.
            top, best = remembered
            queries = [self.focus_texts[r] for r in rows]
            raw = self.bm25.document_scores(queries, [self.resume_texts[c] for c in columns])
            bm25 = np.zeros_like(raw)
            np.divide(raw, top, out=bm25, where=top > 0)
            bm25 = np.minimum(bm25, np.float32(1.0))
            tfidf = self.tfidf.scores(rows, columns)
        elif self.direction == "resumes-for-job" and self.added_resumes:
            # Kept statistics (:meth:`extended`): relative to the best fitted resume.
            raw = self.bm25_rows(rows)
            bm25 = normalise_per_query(raw[:, :fitted], self.direction)
            top = raw[:, :fitted].max(axis=1, keepdims=True) if fitted else raw[:, :0]
            added = np.zeros_like(raw[:, fitted:])
            if fitted:
                np.divide(raw[:, fitted:], top, out=added, where=top > 0)
            bm25 = np.hstack([bm25, np.minimum(added, np.float32(1.0))])[:, columns]
            tfidf = self.tfidf.scores(rows)
            best = _best(tfidf[:, :fitted], axis=1)
            tfidf = tfidf[:, columns]
            if fitted:
                self._remember_best(rows, top, best)
        elif self.direction == "resumes-for-job":
            raw = self.bm25_rows(rows)
            bm25 = normalise_per_query(raw, self.direction)[:, columns]
            tfidf = self.tfidf.scores(rows)  # every resume: the best is the pool's
            best = _best(tfidf, axis=1)
            tfidf = tfidf[:, columns]
            if fitted and self.extensible:
                self._remember_best(rows, raw.max(axis=1, keepdims=True), best)
        else:
            raw = self.bm25.scores([self.resume_texts[c] for c in columns]).T
            bm25 = normalise_per_query(np.ascontiguousarray(raw), self.direction)[rows]
            tfidf = self.tfidf.scores(np.arange(len(self.focus_texts)))[:, columns]
            best = _best(tfidf, axis=0)
            tfidf = tfidf[rows]
        terms = self.terms.scores([self.wanted[r] for r in rows], columns)
        return {"requirement_terms": terms, "bm25": bm25, "tfidf": tfidf}, best

    def _remember_best(self, rows: Sequence[int], top: np.ndarray, best: np.ndarray) -> None:
        """Remember the rows' best raw BM25 (``top``) and TF-IDF (``best``) over the fitted
        resumes, ``(len(rows), 1)`` each (:attr:`fitted_best`; extensible statistics only)."""
        for k, row in enumerate(rows):
            self.fitted_best[row] = (top[k, 0], best[k, 0])

    def _remembered_best(self, rows: Sequence[int]) -> tuple[np.ndarray, np.ndarray] | None:
        """The rows' remembered best raw BM25 and TF-IDF over the fitted resumes,
        ``(len(rows), 1)`` float32 each; None unless every row's is remembered."""
        remembered = self.fitted_best
        if not rows or not all(row in remembered for row in rows):
            return None
        pairs = [remembered[row] for row in rows]
        top = np.array([[pair[0]] for pair in pairs], dtype=np.float32)
        best = np.array([[pair[1]] for pair in pairs], dtype=np.float32)
        return top, best


def _best(scores: np.ndarray, axis: int) -> np.ndarray:
    shape = (scores.shape[0], 1) if axis == 1 else (1, scores.shape[1])
    if not scores.size:
        return np.zeros(shape, dtype=np.float32)
    best: np.ndarray = scores.max(axis=axis, keepdims=True)
    return best


@dataclass(frozen=True)
class LocalFeatures:
    """The pair-local features of some pairs (:func:`local_features`).

    Attributes:
        values: Each feature of :data:`LOCAL_FEATURES`, ``(n_postings, n_resumes)``.
        years: The years per subject the ``experience`` feature counted
            (:attr:`PairFeatures.years`).
    """

    values: dict[str, np.ndarray]
    years: dict[str, np.ndarray]


def local_features(
    postings: pd.DataFrame,
    resumes: pd.DataFrame,
    posting_profiles: Sequence[PostingProfile],
    resume_profiles: Sequence[ResumeProfile],
    embedder: Embedder,
    dense: DenseRanker | None = None,
    pairs: np.ndarray | None = None,
    *,
    experience: bool = True,
) -> LocalFeatures:
    """The pair-local features (:data:`LOCAL_FEATURES`) of every (posting, resume) pair, and
    the years per subject the experience feature counted.

    Args:
        pairs: ``(n_postings, n_resumes)`` booleans: the pairs whose features are wanted
            (each posting's candidates in the two-stage ranking); every pair if None. The
            features that cost per pair (skills, requirement coverage, experience, degree,
            title, dense similarity) are computed for these pairs only, each posting against
            its own resumes, what depends on one record only once per record;
            the values of the other pairs are left unspecified. A wanted pair's values are
            those it has when every pair is computed.
        experience: Whether to compute ``experience`` (and its years); without it, neither
            is in the answer (a caller that computes them for more pairs anyway).
    """
    dense = dense or DenseRanker(embedder)
    if pairs is not None and pairs.all():  # every pair: postings share their skills' evidence
        pairs = None
    required = [p.required_groups for p in posting_profiles]
    preferred = [p.preferred_groups for p in posting_profiles]
    if pairs is None or not resume_profiles:
        skills = {
            "required_skills": skill_coverage(required, resume_profiles, embedder, pairs),
            "preferred_skills": skill_coverage(preferred, resume_profiles, embedder, pairs),
            "requirement_coverage": requirement_coverage(
                posting_profiles, resume_profiles, embedder, pairs
            ),
        }
    else:
        # Each resume's lines looked up once; each posting's candidates' lines gathered once
        # for its line features (:class:`LineGroups` remembers the last): its requirement
        # lines, and its skills unless they are compared once for all (SharedEvidence).
        lines = LineGroups(embedder, [r.lines for r in resume_profiles])
        # Every skill against every candidate once, where postings share enough of them.
        wanted = [required, preferred]
        shared = SharedEvidence.maybe(wanted, resume_profiles, embedder, pairs, lines)
        skills = {name: np.ones(pairs.shape, dtype=np.float32) for name in _LINE_FEATURES}
        for row, posting in enumerate(posting_profiles):
            one = pairs[row : row + 1]
            skills["required_skills"][row] = skill_coverage(
                [required[row]], resume_profiles, embedder, one, lines, shared
            )[0]
            skills["preferred_skills"][row] = skill_coverage(
                [preferred[row]], resume_profiles, embedder, one, lines, shared
            )[0]
            skills["requirement_coverage"][row] = requirement_coverage(
                [posting], resume_profiles, embedder, one, lines
            )[0]
    values = {
        **skills,
        "degree": degree_matrix(posting_profiles, resume_profiles, pairs),
        "title": title_similarity(posting_profiles, resume_profiles, embedder, pairs),
        "dense": dense.similarity(focus_postings(postings), resumes, pairs),
    }
    years: dict[str, np.ndarray] = {}
    if experience:
        values["experience"], years = experience_and_years(
            posting_profiles, resume_profiles, embedder, pairs
        )
    return LocalFeatures({name: values[name] for name in LOCAL_FEATURES if name in values}, years)


#: The features :func:`local_features` reads from the resumes' lines, one posting at a time.
_LINE_FEATURES = ("required_skills", "preferred_skills", "requirement_coverage")


def degree_matrix(
    postings: Sequence[PostingProfile],
    resumes: Sequence[ResumeProfile],
    pairs: np.ndarray | None = None,
) -> np.ndarray:
    """Whether each resume's highest degree meets the one each posting requires
    (:func:`matcher.parsing.profiles.degree_fit`); only ``pairs`` if given (the others 0)."""
    result = np.zeros((len(postings), len(resumes)), dtype=np.float32)
    rows, columns = np.nonzero(np.ones(result.shape, dtype=bool) if pairs is None else pairs)
    result[rows, columns] = [
        degree_fit(resumes[j].degree.level, postings[i].requirements.degree_required)
        for i, j in zip(rows.tolist(), columns.tolist(), strict=True)
    ]
    return result


def compute_features(
    postings: pd.DataFrame,
    resumes: pd.DataFrame,
    posting_profiles: list[PostingProfile],
    resume_profiles: list[ResumeProfile],
    embedder: Embedder,
    direction: Direction = "resumes-for-job",
    dense: DenseRanker | None = None,
    pool: PoolStatistics | None = None,
    local: LocalFeatures | None = None,
    pairs: np.ndarray | None = None,
) -> PairFeatures:
    """Every feature of :data:`FEATURES` for every (posting, resume) pair, with confidences.

    Args:
        pool: The statistics of the whole pool these postings and resumes are part of; those
            of these postings and resumes if None.
        local: The pair-local features (:func:`local_features`), if already known (a cache).
        pairs: The pairs wanted (see :func:`local_features`); every pair if None.

    Raises:
        ValueError: If ``pool`` was fitted for the other direction.
    """
    if pool is None:
        pool = PoolStatistics(postings, resumes, posting_profiles, direction)
    elif pool.direction != direction:
        raise ValueError(f"the pool statistics rank {pool.direction}, not {direction}")
    if local is None:
        local = local_features(
            postings, resumes, posting_profiles, resume_profiles, embedder, dense, pairs
        )
    values = dict(local.values)

    lexical, best = pool.values(
        postings[schema.JOB_ID].astype(str).tolist(),
        resumes[schema.RESUME_ID].astype(str).tolist(),
        pairs,
    )
    values.update(lexical)
    return PairFeatures(
        {name: values[name] for name in FEATURES},
        posting_profiles,
        resume_profiles,
        confidences(posting_profiles, resume_profiles),
        best,
        direction,
        local.years,
    )
