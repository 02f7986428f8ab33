"""The text of each record that the models see."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from matcher import schema
from matcher.text.sections import split_title


def posting_texts(postings: pd.DataFrame) -> list[str]:
    """The text of each posting the models see: redacted if prepared, else title and description."""
    if schema.MODEL_TEXT in postings:
        return [str(t) for t in postings[schema.MODEL_TEXT].fillna("").astype(str)]
    titles = postings[schema.TITLE].fillna("").astype(str)
    descriptions = postings[schema.DESCRIPTION].fillna("").astype(str)
    return [str(t) for t in (titles + "\n" + descriptions).str.strip()]


def resume_texts(resumes: pd.DataFrame) -> list[str]:
    """The text of each resume the models see: redacted if prepared, else the raw text."""
    column = schema.MODEL_TEXT if schema.MODEL_TEXT in resumes else schema.TEXT
    return [str(t) for t in resumes[column].fillna("").astype(str)]


def title_and_lead(text: str, chunk: Callable[[str], list[str]]) -> str:
    """A posting's title line and the first chunk of the rest: what the job is, without its tail.

    Real postings end in long duty lists, benefits and equal-opportunity text; the title and
    the opening say what the job is.

    Args:
        text: The posting text.
        chunk: Splits a text into model-sized chunks
            (:meth:`matcher.ranking.embedding.Embedder.chunk_text`).

    Example:
        >>> title_and_lead("Nurse\\nICU care.\\nBenefits: dental.", lambda t: t.splitlines())
        'Nurse\\nICU care.'
    """
    title, rest = split_title(text)
    lead = chunk(rest)[0] if rest.strip() else ""
    return f"{title}\n{lead}".strip()
