"""Pair features of the requirement-aware ranker: ``(n_postings, n_resumes)`` arrays in [0, 1].

=====================  ===============================================================
feature                meaning (1 is best)
=====================  ===============================================================
required_skills        share of the posting's required skills the resume shows
preferred_skills       share of the preferred skills the resume shows
requirement_coverage   mean over requirement sentences of their best match among the
                       resume's lines (sentence embeddings), so requirements outside the
                       skill vocabulary count too
requirement_terms      share of the words of the requirement sentences that the resume
                       uses, each word weighted by its rarity among the resumes (IDF)
experience             how far the resume's years meet the years required, overall and
                       per subject ("4 years as a Paramedic"), capped at 1
degree                 whether the highest degree meets the one required
title                  similarity of the job title to the resume's role titles
dense                  similarity of the whole texts (see :class:`DenseRanker`)
bm25                   BM25, relative to the best resume for the same posting
=====================  ===============================================================

A posting that states no skills, years or degree gives every candidate a 1 on that feature:
nothing is missing, and the ranking is left to the other signals.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from matcher.dates import merged_years
from matcher.embedding import Embedder
from matcher.profiles import PostingProfile, ResumeProfile, degree_fit
from matcher.texts import resume_texts

if TYPE_CHECKING:
    from matcher.rankers import DenseRanker, Direction

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
)
_TITLE_MATCH = 80  # rapidfuzz token-sort ratio for "the same role"
_STOP = frozenset({"a", "an", "the", "of", "in", "as", "and", "or", "with", "for", "to"})


@dataclass(frozen=True)
class PairFeatures:
    """All features of all pairs, plus the profiles they were computed from."""

    values: dict[str, np.ndarray]
    postings: list[PostingProfile]
    resumes: list[ResumeProfile]

    def stacked(self, names: Sequence[str] = FEATURES) -> np.ndarray:
        """Features as one ``(n_postings, n_resumes, n_features)`` array."""
        return np.stack([self.values[n] for n in names], axis=-1)


def skill_coverage(wanted: Sequence[Sequence[str]], resumes: Sequence[ResumeProfile]) -> np.ndarray:
    """Share of each posting's skills (``wanted[i]``) that each resume shows; 1 when none wanted."""
    vocabulary = {s: i for i, s in enumerate(sorted({s for skills in wanted for s in skills}))}
    if not vocabulary:
        return np.ones((len(wanted), len(resumes)), dtype=np.float32)
    want = np.zeros((len(wanted), len(vocabulary)), dtype=np.float32)
    for row, skills in enumerate(wanted):
        for skill in skills:
            want[row, vocabulary[skill]] = 1
    has = np.zeros((len(resumes), len(vocabulary)), dtype=np.float32)
    for col, resume in enumerate(resumes):
        for skill in resume.skills:
            if skill in vocabulary:
                has[col, vocabulary[skill]] = 1
    counts = want.sum(axis=1, keepdims=True)
    coverage = np.divide(
        want @ has.T,
        counts,
        out=np.ones((len(wanted), len(resumes)), dtype=np.float32),
        where=counts > 0,
    )
    return coverage.astype(np.float32)


def _stem(word: str) -> str:
    """A plural ending off, so "Credit Authorizers" is the role "Credit Authorizer"."""
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _normalise(text: str) -> str:
    """Lower-case, singular words separated by single spaces, padded for whole-word ``in``."""
    return " " + " ".join(_stem(w) for w in re.findall(r"[a-z0-9+#]+", text.lower())) + " "


def _content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in _normalise(text).split() if w not in _STOP)


class _RoleIndex:
    """Every role of every resume, flattened, so subjects are matched in bulk."""

    def __init__(self, resumes: Sequence[ResumeProfile]) -> None:
        self.owner: list[int] = []
        self.ranges = []
        titles: list[str] = []
        self.lines: list[str] = []
        self.title_words: list[frozenset[str]] = []
        for position, resume in enumerate(resumes):
            for role in resume.experience.roles:
                self.owner.append(position)
                self.ranges.append(role.range)
                titles.append(_normalise(role.title).strip())
                self.lines.append(_normalise(role.line))
                self.title_words.append(_content_words(role.title))
        self.titles = titles
        self.n_resumes = len(resumes)

    def years(self, subject: str) -> np.ndarray:
        """Years each resume spent in roles matching ``subject`` (see :func:`subject_years`)."""
        result = np.zeros(self.n_resumes, dtype=np.float32)
        if not self.titles:
            return result
        ratios = process.cdist(
            [_normalise(subject).strip()], self.titles, scorer=fuzz.token_sort_ratio
        )[0]
        words = _content_words(subject)
        phrase = _normalise(subject)
        matching: dict[int, list] = {}
        for i, ratio in enumerate(ratios):
            if (
                ratio >= _TITLE_MATCH
                or (words and words <= self.title_words[i])
                or (phrase.strip() and phrase in self.lines[i])
            ):
                matching.setdefault(self.owner[i], []).append(self.ranges[i])
        for position, ranges in matching.items():
            result[position] = merged_years(ranges)
        return result


def subject_years(resume: ResumeProfile, subject: str) -> float:
    """Years in roles that match a subject: the same role title, or the subject named in the role.

    Example: subject "Oracle Business Systems Analyst" matches the role "Oracle Business
    Systems Analyst (2013 - 2017)"; subject "Python" matches "Backend developer, Python/Django".
    """
    return float(_RoleIndex([resume]).years(subject)[0])


def experience_matrix(
    postings: Sequence[PostingProfile], resumes: Sequence[ResumeProfile]
) -> np.ndarray:
    """:func:`experience_fit` of every pair, computed in bulk."""
    roles = _RoleIndex(resumes)
    held_total = np.array([r.years for r in resumes], dtype=np.float32)
    cache: dict[str, np.ndarray] = {}
    result = np.ones((len(postings), len(resumes)), dtype=np.float32)
    for row, posting in enumerate(postings):
        fits = []
        if posting.requirements.min_years:
            fits.append(np.minimum(1.0, held_total / posting.requirements.min_years))
        for requirement in posting.subject_years:
            if requirement.years > 0 and requirement.subject:
                if requirement.subject not in cache:
                    cache[requirement.subject] = roles.years(requirement.subject)
                fits.append(np.minimum(1.0, cache[requirement.subject] / requirement.years))
        if fits:
            result[row] = np.mean(fits, axis=0)
    return result


def experience_fit(posting: PostingProfile, resume: ResumeProfile) -> float:
    """Mean of min(1, years held / years required) over every years requirement; 1 if none."""
    return float(experience_matrix([posting], [resume])[0, 0])


def _embed_line_groups(
    embedder: Embedder, groups: Sequence[Sequence[str]]
) -> tuple[np.ndarray, np.ndarray]:
    """Embed groups of lines; returns vectors and each group's start offset (groups non-empty)."""
    lines = [line for group in groups for line in group]
    offsets = np.cumsum([0, *[len(g) for g in groups[:-1]]]).astype(np.int64)
    return embedder.embed_texts(lines), offsets


def requirement_coverage(
    postings: Sequence[PostingProfile], resumes: Sequence[ResumeProfile], embedder: Embedder
) -> np.ndarray:
    """Mean over each posting's requirement lines of the best cosine among a resume's lines."""
    result = np.ones((len(postings), len(resumes)), dtype=np.float32)
    if not resumes:
        return result
    resume_vectors, offsets = _embed_line_groups(embedder, [r.lines for r in resumes])
    for row, posting in enumerate(postings):
        if not posting.requirement_lines:
            continue
        wanted = embedder.embed_texts(list(posting.requirement_lines))
        sims = wanted @ resume_vectors.T  # (lines wanted, all resume lines)
        best = np.maximum.reduceat(sims, offsets, axis=1)  # (lines wanted, n_resumes)
        result[row] = np.clip(best, 0.0, 1.0).mean(axis=0)
    return result


def _analyzer(text: str) -> list[str]:
    return [
        _stem(w)
        for w in re.findall(r"[a-z][a-z0-9+#]+", text.lower())
        if w not in ENGLISH_STOP_WORDS
    ]


def requirement_terms(
    postings: Sequence[PostingProfile], resume_texts: Sequence[str]
) -> np.ndarray:
    """IDF-weighted share of each posting's requirement words found in each resume."""
    result = np.ones((len(postings), len(resume_texts)), dtype=np.float32)
    wanted = [" ".join(p.requirement_lines) for p in postings]
    if not resume_texts or not any(wanted):
        return result
    vectorizer = TfidfVectorizer(analyzer=_analyzer, binary=True, norm=None, use_idf=True)
    try:
        vectorizer.fit(resume_texts)
    except ValueError:  # no words at all
        return result
    has = vectorizer.transform(resume_texts)
    has.data[:] = 1.0
    want = vectorizer.transform(wanted)  # binary tf times idf: each word weighted by rarity
    totals = np.asarray(want.sum(axis=1)).ravel()
    # Words no resume uses are not in the vocabulary; they count as missing for everyone.
    unseen = np.array([len(set(_analyzer(w)) - set(vectorizer.vocabulary_)) for w in wanted])
    denominator = totals + unseen * float(vectorizer.idf_.max())
    covered = np.asarray((want @ has.T).todense())
    rows = denominator > 0
    result[rows] = (covered[rows] / denominator[rows, None]).astype(np.float32)
    return result


def title_similarity(
    postings: Sequence[PostingProfile],
    resumes: Sequence[ResumeProfile],
    embedder: Embedder,
) -> np.ndarray:
    """Best cosine between the job title and the resume's (up to three latest) role titles."""
    result = np.zeros((len(postings), len(resumes)), dtype=np.float32)
    if not postings or not resumes:
        return result
    titles = embedder.embed_texts([p.title or "" for p in postings])
    groups = [r.titles[:3] or [""] for r in resumes]
    vectors, offsets = _embed_line_groups(embedder, groups)
    best = np.maximum.reduceat(titles @ vectors.T, offsets, axis=1)
    has_titles = np.array([bool(r.titles) for r in resumes])
    best[:, ~has_titles] = 0.0
    return np.clip(best, 0.0, 1.0).astype(np.float32)


def compute_features(
    postings: pd.DataFrame,
    resumes: pd.DataFrame,
    posting_profiles: list[PostingProfile],
    resume_profiles: list[ResumeProfile],
    embedder: Embedder,
    direction: Direction = "resumes-for-job",
    dense: DenseRanker | None = None,
) -> PairFeatures:
    """Every feature of :data:`FEATURES` for every (posting, resume) pair."""
    # Imported here: the rankers module registers the ranker built on these features.
    from matcher.rankers import DenseRanker, lexical_matrix

    dense = dense or DenseRanker(embedder)
    values = {
        "required_skills": skill_coverage(
            [p.required_skills for p in posting_profiles], resume_profiles
        ),
        "preferred_skills": skill_coverage(
            [p.preferred_skills for p in posting_profiles], resume_profiles
        ),
        "requirement_coverage": requirement_coverage(posting_profiles, resume_profiles, embedder),
        "requirement_terms": requirement_terms(posting_profiles, resume_texts(resumes)),
        "experience": experience_matrix(posting_profiles, resume_profiles),
        "degree": np.array(
            [
                [
                    degree_fit(r.degree.level, p.requirements.degree_required)
                    for r in resume_profiles
                ]
                for p in posting_profiles
            ],
            dtype=np.float32,
        ).reshape(len(posting_profiles), len(resume_profiles)),
        "title": title_similarity(posting_profiles, resume_profiles, embedder),
        "dense": dense.similarity(postings, resumes),
        "bm25": lexical_matrix(postings, resumes, direction),
    }
    return PairFeatures(values, posting_profiles, resume_profiles)
