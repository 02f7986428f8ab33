"""Account for every input record: ranked, a duplicate of another, or rejected with a reason."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from matcher import schema
from matcher.io.loading import Loaded

RECORD_COLUMNS = (
    "kind",
    "record_id",
    "source",
    "status",
    "detail",
    "truncated",
    "original_chars",
)


def empty_rejects() -> pd.DataFrame:
    """A rejects table with no rows and the standard columns."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in schema.REJECT_COLUMNS})


def empty_duplicates() -> pd.DataFrame:
    """A duplicates table with no rows and the standard columns."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in schema.DUPLICATE_COLUMNS})


def skipped_as_rejects(loaded: Loaded, kind: str) -> pd.DataFrame:
    """Operating-system junk files a folder loader skipped, as rejects, so they are counted."""
    rows = [
        {
            "kind": kind,
            "record_id": Path(source).stem,
            "source": source,
            "reason": "operating-system file, not a document (skipped)",
        }
        for source in loaded.skipped
    ]
    return pd.DataFrame(rows, columns=list(schema.REJECT_COLUMNS))


def concat_frames(frames: list[pd.DataFrame], empty: pd.DataFrame) -> pd.DataFrame:
    """Concatenate tables of one kind, keeping the standard columns when all are empty."""
    non_empty = [f for f in frames if len(f)]
    if not non_empty:
        return empty
    return pd.concat(non_empty, ignore_index=True)[list(empty.columns)]


def record_status(
    postings: pd.DataFrame,
    resumes: pd.DataFrame,
    duplicates: pd.DataFrame,
    rejects: pd.DataFrame,
    truncated: Mapping[tuple[str, str], tuple[str, int]] | None = None,
    candidate_of: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """One row per input record with its status: ``ranked``, ``not a candidate``,
    ``duplicate`` or ``rejected``.

    ``truncated`` is true for a record whose text was cut to ``limits.max_document_chars``;
    ``original_chars`` then holds the text's length as read (and is blank otherwise).

    With ``candidate_of`` (the two-stage ranking's count of the postings each resume was a
    candidate of), a resume no posting took as a candidate is ``not a candidate``, and each
    ranked resume's detail says of how many postings it was one.

    Args:
        postings: Postings that were scored.
        resumes: Resumes that were ranked.
        duplicates: Records reported as duplicates (:data:`schema.DUPLICATE_COLUMNS`).
        rejects: Records rejected (:data:`schema.REJECT_COLUMNS`).
        truncated: ``(kind, record_id)`` to ``(source, original length)`` for each cut text
            (:attr:`matcher.text.preprocess.Prepared.truncated`).
    """
    rows: list[dict[str, object]] = []
    for kind, frame, id_column in (
        ("posting", postings, schema.JOB_ID),
        ("resume", resumes, schema.RESUME_ID),
    ):
        for record in frame.itertuples(index=False):
            record_id = str(getattr(record, id_column))
            status, detail = "ranked", ""
            if kind == "resume" and candidate_of is not None:
                count = candidate_of.get(record_id, 0)
                status = "ranked" if count else "not a candidate"
                detail = f"candidate of {count} of {len(postings)} postings (stage 1)"
            rows.append(
                {
                    "kind": kind,
                    "record_id": record_id,
                    "source": str(getattr(record, schema.SOURCE, "")),
                    "status": status,
                    "detail": detail,
                }
            )
    for record in duplicates.itertuples(index=False):
        rows.append(
            {
                "kind": record.kind,
                "record_id": str(record.record_id),
                "source": str(getattr(record, "source", "")),
                "status": "duplicate",
                "detail": f"{record.match} duplicate of {record.duplicate_of}"
                f" (similarity {float(record.similarity):.2f})",
            }
        )
    for record in rejects.itertuples(index=False):
        rows.append(
            {
                "kind": record.kind,
                "record_id": str(record.record_id),
                "source": str(record.source),
                "status": "rejected",
                "detail": str(record.reason),
            }
        )
    cut = truncated or {}
    lengths: list[int | None] = []
    for row in rows:
        hit = cut.get((str(row["kind"]), str(row["record_id"])))
        # A reject of another record with the same ID (a repeated ID) has another source.
        same = hit is not None and row["source"] in (hit[0], "")
        lengths.append(hit[1] if same and hit is not None else None)
        row["truncated"] = same
    frame = pd.DataFrame(rows, columns=list(RECORD_COLUMNS[:-1]))
    frame["truncated"] = frame["truncated"].astype(bool)
    frame["original_chars"] = pd.array(lengths, dtype="Int64")
    return frame
