"""The data contract shared by loaders, the library, the flows and the CSV outputs.

Postings and resumes travel as pandas DataFrames with string IDs. Rankings and qrels travel as
``{query_id: {doc_id: value}}`` dictionaries.
"""

from __future__ import annotations

from typing import Final

JOB_ID: Final = "job_id"
RESUME_ID: Final = "resume_id"
TITLE: Final = "title"
DESCRIPTION: Final = "description"
TEXT: Final = "text"

#: Columns a postings table must have.
POSTING_REQUIRED: Final = (JOB_ID, TITLE, DESCRIPTION)
#: Columns a resumes table must have.
RESUME_REQUIRED: Final = (RESUME_ID, TEXT)
#: Optional resume columns that pass through to the shortlist.
RESUME_PASSTHROUGH: Final = ("name", "email", "phone", "location")
#: Optional resume column: the day the resume was received (or written), an ISO date. An
#: ongoing role ("2019 - Present") counts to that day, not to the day of the run: an archive's
#: resumes do not gain a year of experience with every year they are kept. Loaders write it
#: as ``YYYY-MM-DD``; it passes through to the shortlist.
RECEIVED: Final = "received"

#: Column added by loaders: where the record came from (file path, or ``file:row``).
SOURCE: Final = "source"
#: Columns added by cleaning.
CLEAN_TEXT: Final = "clean_text"  # normalised text, still with contact details (for evidence)
MODEL_TEXT: Final = "model_text"  # normalised and redacted: the only text models see
#: A posting's model text without boilerplate, as the similarity signals see it; the posting
#: store keeps it, so that ``focus_postings`` need not strip it again.
FOCUS_TEXT: Final = "focus_text"

#: Columns of rejects.csv.
REJECT_COLUMNS: Final = ("kind", "record_id", "source", "reason")
#: Columns of duplicates.csv.
DUPLICATE_COLUMNS: Final = ("kind", "record_id", "source", "duplicate_of", "similarity", "match")

Run = dict[str, dict[str, float]]
Qrels = dict[str, dict[str, int]]
