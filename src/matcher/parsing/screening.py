"""Profile each prepared record on its own, so that one that cannot be profiled is a reject.

The requirement-aware ranker profiles every posting and resume of a batch at once
(:func:`matcher.parsing.profiles.profile_postings` and
:func:`~matcher.parsing.profiles.profile_resumes`); an exception there would stop the whole
batch and no recruiter would get a shortlist.
:func:`screen_profiles` runs the same functions first, a block of records at a time and one
record at a time in a block that raises, and moves a record whose profiling raises to the
rejects, with the error's message. With the ranker's profile store (the batch flow's), the
profiles read here are not read again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date

import pandas as pd

from matcher.io.accounting import concat_frames, empty_rejects
from matcher.io.loading import error_reason, printable_id, rejects_frame
from matcher.parsing.profiles import (
    ProfileStore,
    posting_profile_keys,
    preload,
    profile_postings,
    profile_resumes,
    read_postings_ahead,
    read_resumes_ahead,
    resume_days,
    resume_keys,
    stored_resume_profile,
)
from matcher.parsing.skills import SkillMatcher
from matcher.schema import JOB_ID, RESUME_ID, SOURCE
from matcher.text.preprocess import Prepared

__all__ = ["screen_profiles", "screen_resumes"]

logger = logging.getLogger(__name__)


#: Records profiled in one call: a one-row frame per record (``iloc``) cost about 1.3 ms a
#: record on its own; a block that raises is profiled again one record at a time.
SCREEN_BLOCK = 128


def _screen(
    frame: pd.DataFrame,
    kind: str,
    id_column: str,
    profile: Callable[[pd.DataFrame], object],
    stored: Sequence[bool] | None = None,
) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """``frame`` less the rows ``profile`` raises on, and their reject rows; a row whose profile
    is ``stored`` already was read before, so it is kept without a call (a call per row costs
    more than reading a stored profile: a warm run of 100,000 resumes finds them all).

    The rows to read are profiled :data:`SCREEN_BLOCK` at a time; only a block whose call
    raises is read again row by row, to find the rows that raise (with a store, the rows the
    block's call profiled before it raised are found there).
    """
    keep = [True] * len(frame)
    rejects: list[dict[str, str]] = []
    wanted = [p for p in range(len(frame)) if stored is None or not stored[p]]
    for first in range(0, len(wanted), SCREEN_BLOCK):
        block = wanted[first : first + SCREEN_BLOCK]
        try:
            profile(frame.iloc[block])
        except Exception:  # some record of the block: find it, one row at a time
            for position in block:
                reason = _profile_error(frame.iloc[[position]], kind, id_column, profile)
                if reason is not None:
                    rejects.append(reason)
                    keep[position] = False
    kept = frame[pd.Series(keep, index=frame.index, dtype=bool)].reset_index(drop=True)
    return kept, rejects


def _profile_error(
    row: pd.DataFrame, kind: str, id_column: str, profile: Callable[[pd.DataFrame], object]
) -> dict[str, str] | None:
    """The reject row of the one-row frame ``row`` if ``profile`` raises on it, else None."""
    try:
        profile(row)
    except Exception as error:  # one odd record must not stop the batch
        record_id = str(row[id_column].iloc[0])
        logger.exception("%s %s: cannot be profiled", kind, printable_id(record_id))
        source = row[SOURCE].iloc[0] if SOURCE in row else ""
        return {
            "kind": kind,
            "record_id": record_id,
            "source": source if isinstance(source, str) else "",
            "reason": error_reason("profile", error),
        }
    return None


def screen_resumes(
    resumes: pd.DataFrame,
    matcher: SkillMatcher,
    today: date | None = None,
    store: ProfileStore | None = None,
) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """The resumes that can be profiled, and a reject row for each one that cannot.

    Each resume is profiled on its own, so shards of resumes may be screened apart (on Dask
    workers) and concatenated in order.
    """
    stored = None
    if store is not None:
        days = resume_days(resumes, today)
        keys = resume_keys(resumes, days=days)
        preload(store, [key for pair in keys for key in pair])  # at once, not a row at a time
        stored = [
            stored_resume_profile(store, pair, day) is not None
            for pair, day in zip(keys, days, strict=True)
        ]
        # Read on the other cores too, where the caller allows it; what they did not read is
        # read (and, if it raises, rejected) below as always.
        missing = [p for p, found in enumerate(stored) if not found]
        ahead = read_resumes_ahead(resumes, keys, missing, matcher, store, days)
        stored = [found or p in ahead for p, found in enumerate(stored)]
    return _screen(
        resumes,
        "resume",
        RESUME_ID,
        lambda row: profile_resumes(row, matcher, today, store),
        stored,
    )


def screen_profiles(
    prepared: Prepared,
    matcher: SkillMatcher,
    today: date | None = None,
    store: ProfileStore | None = None,
    screened_resumes: tuple[pd.DataFrame, list[dict[str, str]]] | None = None,
) -> Prepared:
    """``prepared`` without the records whose profiling raises; those become rejects.

    Args:
        prepared: Prepared records (:func:`matcher.text.preprocess.prepare_loaded`).
        matcher: The skill matcher the ranker profiles with.
        today: The ranker's "today" for open-ended roles.
        store: The ranker's profile store: profiles read here are not read again, and those
            it holds are not read at all (see :func:`matcher.parsing.profiles.profile_postings`).
        screened_resumes: What :func:`screen_resumes` gives for ``prepared.resumes``, if it
            has been run already (the batch flow runs it on shards on Dask workers).

    Returns:
        The same records less the ones that failed, which are added to the rejects with the
        reason ``"cannot profile record: <error>"``.
    """
    stored = None
    if store is not None:
        keys = posting_profile_keys(prepared.postings)
        preload(store, keys)
        stored = [store.get(key) is not None for key in keys]
        missing = [p for p, found in enumerate(stored) if not found]
        ahead = read_postings_ahead(prepared.postings, keys, missing, matcher, store)
        stored = [found or p in ahead for p, found in enumerate(stored)]
    postings, posting_rejects = _screen(
        prepared.postings,
        "posting",
        JOB_ID,
        lambda row: profile_postings(row, matcher, store),
        stored,
    )
    resumes, resume_rejects = (
        screened_resumes
        if screened_resumes is not None
        else screen_resumes(prepared.resumes, matcher, today, store)
    )
    if not posting_rejects and not resume_rejects:
        return prepared
    rejects = concat_frames(
        [prepared.rejects, rejects_frame([*posting_rejects, *resume_rejects])], empty_rejects()
    )
    return replace(prepared, postings=postings, resumes=resumes, rejects=rejects)
