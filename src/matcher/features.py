"""Pair features of the requirement-aware ranker: ``(n_postings, n_resumes)`` arrays in [0, 1].

=====================  ===============================================================
feature                meaning (1 is best)
=====================  ===============================================================
required_skills        share of the posting's required skills the resume shows
preferred_skills       share of the preferred skills the resume shows
requirement_coverage   mean over requirement sentences of their best match among the
                       resume's lines (sentence embeddings), so requirements outside the
                       skill vocabulary count too
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
from rapidfuzz import fuzz

from matcher.dates import merged_years
from matcher.embedding import Embedder
from matcher.profiles import PostingProfile, ResumeProfile, degree_fit

if TYPE_CHECKING:
    from matcher.rankers import DenseRanker, Direction

FEATURES: tuple[str, ...] = (
    "required_skills",
    "preferred_skills",
    "requirement_coverage",
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


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9+#]+", text.lower()) if w not in _STOP}


def subject_years(resume: ResumeProfile, subject: str) -> float:
    """Years in roles that match a subject: the same role title, or the subject named in the role.

    Example: subject "Oracle Business Systems Analyst" matches the role "Oracle Business
    Systems Analyst (2013 - 2017)"; subject "Python" matches "Backend developer, Python/Django".
    """
    words = _content_words(subject)
    pattern = re.compile(rf"(?<![\w+#]){re.escape(subject.strip())}(?![\w+#])", re.IGNORECASE)
    matching = []
    for role in resume.experience.roles:
        same_title = fuzz.token_sort_ratio(subject.lower(), role.title.lower()) >= _TITLE_MATCH
        contains = bool(words) and words <= _content_words(role.title)
        if same_title or contains or pattern.search(role.line):
            matching.append(role.range)
    return merged_years(matching)


def experience_fit(posting: PostingProfile, resume: ResumeProfile) -> float:
    """Mean of min(1, years held / years required) over every years requirement; 1 if none."""
    fits: list[float] = []
    if posting.requirements.min_years:
        fits.append(min(1.0, resume.years / posting.requirements.min_years))
    for requirement in posting.subject_years:
        if requirement.years > 0 and requirement.subject:
            held = subject_years(resume, requirement.subject)
            fits.append(min(1.0, held / requirement.years))
    return float(np.mean(fits)) if fits else 1.0


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
        "experience": np.array(
            [[experience_fit(p, r) for r in resume_profiles] for p in posting_profiles],
            dtype=np.float32,
        ).reshape(len(posting_profiles), len(resume_profiles)),
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
