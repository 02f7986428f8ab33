"""What the CheckList behaviour tests share: one short posting read or ranked as the product
does, with the real vocabulary, parser and ranker (nothing mocked)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from matcher import schema
from matcher.parsing.profiles import PostingProfile, posting_profile
from matcher.parsing.skills import SkillMatcher
from matcher.ranking.requirement_ranker import RequirementRanker
from matcher.text.preprocess import prepare_postings, prepare_resumes


def read_posting(matcher: SkillMatcher, description: str) -> PostingProfile:
    """Clean one posting as the product does, then read it."""
    jobs = pd.DataFrame({"job_id": ["J1"], "title": ["Role"], "description": [description]})
    prepared, _ = prepare_postings(jobs)
    row = prepared.iloc[0]
    return posting_profile("J1", str(row["title"]), str(row["clean_text"]), matcher)


def prepared_pair(
    posting: str, texts: Mapping[str, str], ids: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The posting (its first line the title) and the resumes ``ids`` of ``texts``, prepared."""
    title = posting.splitlines()[0]
    jobs, _ = prepare_postings(
        pd.DataFrame({"job_id": ["J1"], "title": [title], "description": [posting]})
    )
    cvs, _, rejects = prepare_resumes(
        pd.DataFrame({"resume_id": ids, "text": [texts[i] for i in ids]}), deduplicate=False
    )
    assert rejects.empty
    return jobs, cvs


def missing_required(
    ranker: RequirementRanker, posting: str, texts: Mapping[str, str], ids: list[str]
) -> dict[str, str]:
    """Each resume's ``missing_required`` for the posting, as the shortlist shows it."""
    jobs, cvs = prepared_pair(posting, texts, ids)
    explain = ranker.explainer(jobs, cvs)
    return {
        str(resume[schema.RESUME_ID]): explain(jobs.iloc[0], resume)["missing_required"]
        for _, resume in cvs.iterrows()
    }


def ranked(
    ranker: RequirementRanker, posting: str, texts: Mapping[str, str], ids: list[str]
) -> list[str]:
    """The resumes ``ids`` in the ranker's order for the posting, best first."""
    jobs, cvs = prepared_pair(posting, texts, ids)
    scores = ranker.score(jobs, cvs)[0]
    return [str(cvs[schema.RESUME_ID].iloc[j]) for j in (-scores).argsort()]
