"""The text of each record that the models see."""

from __future__ import annotations

import pandas as pd

from matcher import schema


def posting_texts(postings: pd.DataFrame) -> list[str]:
    """The text of each posting the models see: redacted if prepared, else title and description."""
    if schema.MODEL_TEXT in postings:
        return postings[schema.MODEL_TEXT].fillna("").astype(str).tolist()
    titles = postings[schema.TITLE].fillna("").astype(str)
    descriptions = postings[schema.DESCRIPTION].fillna("").astype(str)
    return (titles + "\n" + descriptions).str.strip().tolist()


def resume_texts(resumes: pd.DataFrame) -> list[str]:
    """The text of each resume the models see: redacted if prepared, else the raw text."""
    column = schema.MODEL_TEXT if schema.MODEL_TEXT in resumes else schema.TEXT
    return resumes[column].fillna("").astype(str).tolist()
