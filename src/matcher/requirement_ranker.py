"""The requirement-aware ranker: does this candidate have what the job requires?

The score is a weighted sum of the features in :mod:`matcher.features`, each in [0, 1], with
non-negative weights that sum to one, shown as 0-100. Each feature's weighted value is its
contribution, so the ``score_breakdown`` of a shortlist adds up to the score, and a recruiter
can see which signal puts candidate 3 above candidate 4.

The weights come, in order of preference, from the ``weights`` parameter (e.g. a registered
champion), the learned artifact ``models/requirements_ranker.json`` (see
:mod:`matcher.training`), or :data:`DEFAULT_WEIGHTS`, a transparent hand-set weighting used
when no labelled data has ever been seen.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from matcher import schema
from matcher.embedding import Embedder
from matcher.explain import Explainer, term_explainer
from matcher.features import FEATURES, PairFeatures, compute_features, subject_years
from matcher.profiles import PostingProfile, ResumeProfile, profile_postings, profile_resumes
from matcher.rankers import DenseRanker, Direction, Ranker, register_ranker
from matcher.skills import SkillMatcher

#: Used when no learned weights exist: requirements first, similarity second.
DEFAULT_WEIGHTS: dict[str, float] = {
    "required_skills": 0.20,
    "preferred_skills": 0.05,
    "requirement_coverage": 0.15,
    "requirement_terms": 0.10,
    "experience": 0.15,
    "degree": 0.05,
    "title": 0.10,
    "dense": 0.10,
    "bm25": 0.10,
}
#: The learned weights shipped with the repository.
WEIGHTS_FILE = Path(__file__).resolve().parents[2] / "models" / "requirements_ranker.json"
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


def shipped_weights(path: Path = WEIGHTS_FILE) -> tuple[dict[str, float], str]:
    """The learned weights from ``path`` and where they came from; the defaults if absent."""
    if path.is_file():
        data = json.loads(path.read_text())
        return normalise_weights(data["weights"]), str(path)
    return normalise_weights(DEFAULT_WEIGHTS), "built-in default weights"


@register_ranker
class RequirementRanker(Ranker):
    """Skills, experience, degree and title against what the posting requires, plus similarity.

    Args:
        embedder: The shared embedder.
        weights: Feature weights; the shipped learned weights if None.
        today: The date "Present" stands for in resumes (today if None).
        taxonomy_dir: A folder with ESCO ``skills_en.csv`` and/or O*NET ``Technology
            Skills.txt`` whose skills extend the built-in vocabulary (see
            :func:`matcher.taxonomy.build_vocabulary`, which also names their attribution).
    """

    name = "requirements"
    uses_embedder = True

    def __init__(
        self,
        embedder: Embedder | None = None,
        weights: dict[str, float] | None = None,
        today: date | None = None,
        taxonomy_dir: str | None = None,
    ) -> None:
        if weights is None:
            self.weights, self.weights_source = shipped_weights()
        else:
            self.weights, self.weights_source = normalise_weights(weights), "parameters"
        self.dense = DenseRanker(embedder)
        self.today = today
        self.taxonomy_dir = taxonomy_dir
        self._matcher: SkillMatcher | None = None
        self._last: tuple[str, str, PairFeatures] | None = None

    @property
    def matcher(self) -> SkillMatcher:
        """The skill matcher, built on first use."""
        if self._matcher is None:
            from matcher.taxonomy import build_vocabulary

            taxonomy = Path(self.taxonomy_dir) if self.taxonomy_dir else None
            self._matcher = SkillMatcher(build_vocabulary(taxonomy))
        return self._matcher

    def attach_index(self, index: Any) -> None:
        """See :meth:`DenseRanker.attach_index`."""
        self.dense.attach_index(index)

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"weights": {k: round(v, 6) for k, v in self.weights.items()}}
        if self.taxonomy_dir:
            params["taxonomy_dir"] = str(self.taxonomy_dir)
        return params

    def features(
        self,
        postings: pd.DataFrame,
        resumes: pd.DataFrame,
        direction: Direction = "resumes-for-job",
    ) -> PairFeatures:
        """All pair features (remembered for the explainer of the same frames)."""
        key = _frames_key(postings, resumes)
        if self._last is not None and self._last[0] == key and self._last[1] == direction:
            return self._last[2]
        features = compute_features(
            postings,
            resumes,
            profile_postings(postings, self.matcher),
            profile_resumes(resumes, self.matcher, self.today),
            self.dense.embedder,
            direction,
            self.dense,
        )
        self._last = (key, direction, features)
        return features

    def components(
        self,
        postings: pd.DataFrame,
        resumes: pd.DataFrame,
        direction: Direction = "resumes-for-job",
    ) -> dict[str, np.ndarray]:
        values = self.features(postings, resumes, direction).values
        return {
            name: (weight * values[name]).astype(np.float32)
            for name, weight in self.weights.items()
            if weight > 0
        }

    def explainer(self, postings: pd.DataFrame, resumes: pd.DataFrame) -> Explainer:
        # The profiles do not depend on the direction: reuse the last features of these frames.
        if self._last is not None and self._last[0] == _frames_key(postings, resumes):
            features = self._last[2]
        else:
            features = self.features(postings, resumes)
        by_job = {p.job_id: p for p in features.postings}
        by_resume = {r.resume_id: r for r in features.resumes}
        fallback = term_explainer(postings)

        def explain(posting: pd.Series, resume: pd.Series) -> dict[str, str]:
            job = by_job[str(posting[schema.JOB_ID])]
            candidate = by_resume[str(resume[schema.RESUME_ID])]
            columns = explain_requirements(job, candidate)
            if not job.required_skills and not job.preferred_skills:
                terms = fallback(posting, resume)
                columns["matched_required"] = terms["matched_terms"]
                columns["missing_required"] = terms["missing_terms"]
                columns["evidence"] = columns["evidence"] or terms["evidence"]
            return columns

        return explain


def _frames_key(postings: pd.DataFrame, resumes: pd.DataFrame) -> str:
    """Identifies the frames' records and texts, so features are reused only for the same data."""
    import hashlib

    digest = hashlib.sha256()
    for frame in (postings, resumes):
        digest.update(pd.util.hash_pandas_object(frame.astype(str), index=False).values.tobytes())
        digest.update(b"|")
    return digest.hexdigest()


def explain_requirements(posting: PostingProfile, resume: ResumeProfile) -> dict[str, str]:
    """The explanation columns of one shortlist row.

    A group of alternatives ("Workday / BambooHR / ADP") is matched when the resume holds any
    member, and ``matched_required`` names the members held; it is missing only when none is
    held. A required "N years of X" the resume's roles in X fall short of is missing too, with
    the years held: "2 years ICU (has 0.3)".
    """
    required = posting.required_groups or tuple((s,) for s in posting.required_skills)
    preferred_groups = posting.preferred_groups or tuple((s,) for s in posting.preferred_skills)
    matched = _unique([s for group in required for s in group if s in resume.skills])
    missing = [
        " / ".join(group) for group in required if not any(s in resume.skills for s in group)
    ]
    preferred = _unique(
        [s for group in preferred_groups for s in group if s in resume.skills and s not in matched]
    )
    for requirement in posting.years_required:
        held = subject_years(resume, requirement.subject or "")
        if held < requirement.years:
            missing.append(f"{requirement.years:g} years {requirement.subject} (has {held:.1f})")
    # The sentences that evidence the most matched skills come first.
    shown: dict[str, int] = {}
    for skill in [*matched, *preferred]:
        sentence = resume.skills[skill].sentence.strip(" -•\t")
        if sentence:
            shown[sentence] = shown.get(sentence, 0) + 1
    evidence = sorted(shown, key=lambda s: -shown[s])[:_MAX_EVIDENCE]
    required_years = posting.requirements.min_years
    return {
        "matched_required": "; ".join(matched),
        "missing_required": "; ".join(missing),
        "matched_preferred": "; ".join(preferred),
        "years_required": "" if required_years is None else f"{required_years:g}",
        "years_candidate": f"{resume.years:.1f}",
        "evidence": " | ".join(_shorten(e) for e in evidence),
    }


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _shorten(sentence: str, limit: int = 160) -> str:
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"
