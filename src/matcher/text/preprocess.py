"""Pipeline nodes that turn loaded postings and resumes into model-ready text.

Both nodes are pure: DataFrames in, DataFrames out, no I/O. They add two columns:

- ``clean_text``: the cleaned text (:func:`matcher.text.cleaning.clean_text`), still with contact
  details, for evidence and display;
- ``model_text``: the cleaned text with emails, phone numbers, URLs and (for resumes) the
  candidate's name replaced by placeholders; the only text models see.

An unexpected error while preparing one record rejects that record with the error's message;
the batch goes on.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import pandas as pd

from matcher.io.accounting import (
    concat_frames,
    empty_duplicates,
    empty_rejects,
    skipped_as_rejects,
)
from matcher.io.loading import Loaded, error_reason, printable_id, rejects_frame
from matcher.parallel import in_processes
from matcher.schema import (
    CLEAN_TEXT,
    DESCRIPTION,
    DUPLICATE_COLUMNS,
    JOB_ID,
    MODEL_TEXT,
    RECEIVED,
    RESUME_ID,
    SOURCE,
    TEXT,
    TITLE,
)
from matcher.settings import LimitSettings
from matcher.text.cleaning import clean_text
from matcher.text.contact import Contact, extract_contact, phone_spans, redact
from matcher.text.dates import read_day
from matcher.text.dedup import TextSketch, find_duplicates, sketch_texts
from matcher.text.sections import split_title

__all__ = [
    "CONTACT_COLUMNS",
    "MIN_RESUME_WORDS",
    "CleanedStore",
    "Prepared",
    "SketchStore",
    "cleaning_key",
    "prepare_loaded",
    "prepare_postings",
    "prepare_resumes",
    "record_counts",
    "sketch_key",
    "stored_sketches",
]

#: Candidate contact columns that :func:`prepare_resumes` fills.
CONTACT_COLUMNS: tuple[str, ...] = ("name", "email", "phone", "location")
#: A resume with fewer words than this after cleaning is rejected. Chosen low on purpose: it
#: catches placeholders ("N/A", "see attached", "resume to follow") and cut-off extractions,
#: never a real resume; a one-line summary such as "Python developer with 5 years of
#: experience" passes.
MIN_RESUME_WORDS = 5
_WORD_RE = re.compile(r"\b\w*[^\W\d_]\w*\b")

logger = logging.getLogger(__name__)


def _failure(kind: str, row: dict[str, Any], id_column: str, error: Exception) -> dict[str, str]:
    """A reject for a record whose preparation raised: the batch goes on without it."""
    logger.exception(
        "%s %s: unexpected error while cleaning", kind, printable_id(str(row[id_column]))
    )
    return {
        "kind": kind,
        "record_id": str(row[id_column]),
        "source": _source(row),
        "reason": error_reason("clean", error),
    }


def _source(row: dict[str, Any]) -> str:
    value = row.get(SOURCE)
    return value if isinstance(value, str) else ""


def _present(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()


def _with_usable_ids(
    frame: pd.DataFrame, id_column: str, kind: str
) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """``frame`` without the rows whose ID is blank or repeats an earlier row's, and their
    rejects: as the file loaders reject them, for a frame a notebook built itself (a posting
    whose ID repeats had been ranked with the last such row's text).

    Example:
        >>> frame = pd.DataFrame({"job_id": ["a", None, "a"], "description": ["x", "y", "z"]})
        >>> kept, rejects = _with_usable_ids(frame, "job_id", "posting")
        >>> kept["description"].tolist(), [r["reason"] for r in rejects]
        (['x'], ['blank job_id', "duplicate job_id 'a' (first at row 1)"])
    """
    ids = frame[id_column]
    text = ids.astype(str).str.strip()
    blank = (ids.isna() | text.eq("")).to_numpy()
    repeated = (text.duplicated(keep="first").to_numpy()) & ~blank
    if not blank.any() and not repeated.any():
        return frame, []
    first: dict[str, int] = {}
    for position, (value, is_blank) in enumerate(zip(text, blank, strict=True)):
        if not is_blank:
            first.setdefault(value, position)
    rejects: list[dict[str, str]] = []
    for position, row in enumerate(frame.to_dict("records")):
        if blank[position] or repeated[position]:
            value = text.iloc[position]
            reason = (
                f"blank {id_column}"
                if blank[position]
                else f"duplicate {id_column} {value!r} (first at row {first[value] + 1})"
            )
            record = "" if blank[position] else value
            rejects.append(
                {"kind": kind, "record_id": record, "source": _source(row), "reason": reason}
            )
            logger.warning("%s row %d rejected: %s", kind, position + 1, reason)
    return frame[~(blank | repeated)], rejects


def _copy_with_text_columns(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.index = pd.RangeIndex(len(out))
    return out


def prepare_postings(
    postings: pd.DataFrame, limits: LimitSettings | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean posting descriptions and build the text models see.

    ``clean_text`` is the cleaned description; ``model_text`` is the cleaned title, a line
    break and the cleaned description, with emails, phone numbers and URLs redacted. Titles
    are cleaned too; a blank title is taken from the description's first line.

    Args:
        postings: Columns ``job_id``, ``title``, ``description`` (as from
            :func:`matcher.io.loading.load_postings`); other columns pass through.
        limits: ``max_html_depth`` is used; the defaults if None.

    Returns:
        ``(postings, rejects)``: the postings with ``clean_text`` and ``model_text`` added, and
        the postings whose description is empty after cleaning (e.g. only HTML tags) or whose
        cleaning failed, as :data:`~matcher.schema.REJECT_COLUMNS` rows of kind ``"posting"``.

    Example:
        >>> frame = pd.DataFrame({"job_id": ["7"], "title": ["Data Engineer"],
        ...                       "description": ["<p>Apply: jobs@acme.io</p>"]})
        >>> prepare_postings(frame)[0].loc[0, "model_text"]
        'Data Engineer\\nApply: [EMAIL]'
    """
    depth = (limits or LimitSettings()).max_html_depth
    usable, rejects = _with_usable_ids(postings, JOB_ID, "posting")
    out = _copy_with_text_columns(usable)
    titles: list[str] = []
    clean: list[str] = []
    model: list[str] = []
    keep: list[bool] = []
    for row in out.to_dict("records"):
        try:
            title, description, model_text = _prepare_posting(row, depth)
        except Exception as error:  # one odd record must not stop the batch
            rejects.append(_failure("posting", row, JOB_ID, error))
            title, description, model_text = "", "", ""
        else:
            if not description:
                rejects.append(
                    {
                        "kind": "posting",
                        "record_id": str(row[JOB_ID]),
                        "source": _source(row),
                        "reason": "empty description after cleaning",
                    }
                )
        keep.append(bool(description))
        titles.append(title)
        clean.append(description)
        model.append(model_text)
    out[TITLE] = pd.Series(titles, index=out.index, dtype="str")
    out[CLEAN_TEXT] = pd.Series(clean, index=out.index, dtype="str")
    out[MODEL_TEXT] = pd.Series(model, index=out.index, dtype="str")
    kept = out[pd.Series(keep, index=out.index, dtype=bool)].reset_index(drop=True)
    return kept, rejects_frame(rejects)


#: Postings of at most this many characters are remembered cleaned (:func:`_prepare_posting`).
_REMEMBERED_POSTING_CHARS = 50_000


def _prepare_posting(row: dict[str, Any], max_html_depth: int) -> tuple[str, str, str]:
    """The cleaned title, cleaned description and model text of one posting row.

    A process remembers the last postings it cleaned (a notebook, or `matcher schedule --warm`,
    scores the same open postings run after run); long ones are cleaned each time.
    """
    raw_description, raw_title = row[DESCRIPTION], row[TITLE]
    if (
        isinstance(raw_description, str)
        and isinstance(raw_title, str)
        and len(raw_description) + len(raw_title) <= _REMEMBERED_POSTING_CHARS
    ):
        return _prepared_posting(raw_description, raw_title, max_html_depth)
    return _cleaned_posting(raw_description, raw_title, max_html_depth)


@functools.lru_cache(maxsize=2048)
def _prepared_posting(description: str, title: str, max_html_depth: int) -> tuple[str, str, str]:
    """:func:`_cleaned_posting`, remembered."""
    return _cleaned_posting(description, title, max_html_depth)


def _cleaned_posting(
    raw_description: Any, raw_title: Any, max_html_depth: int
) -> tuple[str, str, str]:
    """The cleaned title, cleaned description and model text of a posting's fields."""
    description = (
        clean_text(raw_description, max_html_depth=max_html_depth)
        if isinstance(raw_description, str)
        else ""
    )
    title = (
        clean_text(raw_title, max_html_depth=max_html_depth) if isinstance(raw_title, str) else ""
    )
    title = " ".join(title.split())
    if not description:
        return title, "", ""
    if not title:
        title = " ".join(split_title(description)[0].split())
    return title, description, redact(f"{title}\n{description}" if title else description)


def _contact_for(
    row: dict[str, Any], text: str, phones: list[tuple[int, int]]
) -> tuple[Contact, list[str]]:
    """Contact details from the table columns, else from the text (whose phone numbers are
    at ``phones``); and the names to redact."""
    found = extract_contact(text, phones=phones)
    name = _present(row.get("name")) or found.name
    email = _present(row.get("email")) or found.email
    phone = _present(row.get("phone")) or found.phone
    location = _present(row.get("location")) or found.location
    names = [n for n in {_present(row.get("name")), found.name} if n]
    return Contact(name=name, email=email, phone=phone, location=location), sorted(names)


#: Similarity from which two resumes are near duplicates, unless the settings say otherwise.
NEAR_DUPLICATE_THRESHOLD = 0.9


def prepare_resumes(
    resumes: pd.DataFrame,
    near_duplicate_threshold: float = NEAR_DUPLICATE_THRESHOLD,
    *,
    deduplicate: bool = True,
    limits: LimitSettings | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Clean resumes, fill contact columns, redact the model text and drop duplicates.

    For each resume: ``clean_text`` is the cleaned text; ``name``, ``email``, ``phone`` and
    ``location`` come from the table columns when filled, else from the text
    (:func:`extract_contact`; the location from the resume's header, see
    :func:`matcher.text.contact.find_location`);
    ``model_text`` is the clean text with emails, phones, URLs and the candidate's name
    (the table's and the one found in the text) redacted.

    Resumes that are empty after cleaning, have fewer than :data:`MIN_RESUME_WORDS` words, or
    whose preparation raised an error, are rejected. Among the rest, duplicates are found on
    ``model_text`` with :func:`matcher.text.dedup.find_duplicates` (so a copy with other
    contact details is still a copy); the first of each group is kept. A row whose
    ``resume_id`` is blank or repeats an earlier row's is rejected, as the loaders reject it.

    Args:
        resumes: Columns ``resume_id`` and ``text`` (as from
            :func:`matcher.io.loading.load_resumes`); other columns pass through.
        near_duplicate_threshold: Similarity from which two resumes are near duplicates.
        deduplicate: ``False`` keeps duplicates (and returns no duplicates), e.g. for a
            labelled set whose near-identical resumes are judged separately.
        limits: ``max_html_depth`` is used; the defaults if None.

    Returns:
        ``(resumes, duplicates, rejects)``: the kept resumes with ``clean_text``,
        ``model_text`` and the contact columns; the dropped duplicates
        (:data:`~matcher.schema.DUPLICATE_COLUMNS`, kind ``"resume"``); the rejects
        (:data:`~matcher.schema.REJECT_COLUMNS`, kind ``"resume"``).
    """
    usable, refused = _with_usable_ids(resumes, RESUME_ID, "resume")
    cleaned, rejects = clean_resumes(usable, limits)
    if refused:
        rejects = pd.concat([rejects_frame(refused), rejects], ignore_index=True)
    kept, duplicates = deduplicate_resumes(
        cleaned, near_duplicate_threshold if deduplicate else None
    )
    return kept, duplicates, rejects


class CleanedStore(Protocol):
    """Where :func:`clean_resumes` keeps what it made of each resume, by
    :func:`cleaning_key` (:class:`matcher.io.clean_cache.CleanedResumeCache` between runs)."""

    def get(self, keys: Sequence[str]) -> dict[str, list[str | None]]:
        """The values kept for these keys (missing keys left out)."""
        ...

    def put(self, items: Sequence[tuple[str, list[str | None]]]) -> None:
        """Keep these values by key."""
        ...


def cleaning_key(row: dict[str, Any], max_html_depth: int) -> str:
    """SHA-256 of everything of a loaded resume row that cleaning reads (its text and contact
    columns) and of the cleaning settings: two rows with one key clean alike, whatever their ID
    or source file.

    Example:
        >>> row = {"resume_id": "r1", "text": "Jane Doe\\nNurse", "source": "a.txt"}
        >>> cleaning_key(row, 64) == cleaning_key({**row, "resume_id": "r2"}, 64)
        True
        >>> cleaning_key(row, 64) == cleaning_key(row, 32)
        False
    """
    read = [row.get(column) for column in (TEXT, *CONTACT_COLUMNS)]
    content = [value if isinstance(value, str) else None for value in read]
    return hashlib.sha256(json.dumps([content, max_html_depth]).encode()).hexdigest()


def clean_resumes(
    resumes: pd.DataFrame, limits: LimitSettings | None = None, store: CleanedStore | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean, fill the contact columns and redact each resume on its own; the first half of
    :func:`prepare_resumes`.

    Each row depends on itself alone, so the resumes may be cleaned in shards and the shards
    concatenated in order, as the batch flow does on Dask workers.

    Args:
        resumes: Loaded resumes.
        limits: ``max_html_depth`` is used; the defaults if None.
        store: What earlier runs made of resumes, by :func:`cleaning_key`: a resume found
            there is not cleaned again (its reject reason, if it was rejected, is the kept
            one), and each one cleaned here is put there. A resume whose cleaning raised is
            never kept, so it is tried again (and logged) every run.

    Returns:
        ``(resumes, rejects)``: the resumes kept, in input order, and the rejected ones.
    """
    depth = (limits or LimitSettings()).max_html_depth
    out = _copy_with_text_columns(resumes)
    rows = out.to_dict("records")
    keys = [cleaning_key(row, depth) for row in rows] if store is not None else []
    known = store.get(keys) if store is not None else {}
    made: list[tuple[str, list[str | None]]] = []
    columns: dict[str, list[Any]] = {
        CLEAN_TEXT: [],
        MODEL_TEXT: [],
        **{column: [] for column in CONTACT_COLUMNS},
    }
    keep: list[bool] = []
    rejects: list[dict[str, str]] = []
    # The rows to clean, on the other cores too where the caller allows it (a row a worker
    # could not clean is cleaned below, where its error becomes a reject as always).
    missing = [p for p in range(len(rows)) if not keys or keys[p] not in known]
    done = in_processes(
        functools.partial(_prepare_resume, max_html_depth=depth), [rows[p] for p in missing]
    )
    workers_made = {missing[i]: value for i, value in done.items()}
    for position, row in enumerate(rows):
        key = keys[position] if keys else ""
        try:
            if key in known:
                text, model_text, contact, reason = _from_value(known[key])
            else:
                text, model_text, contact, reason = (
                    workers_made[position]
                    if position in workers_made
                    else _prepare_resume(row, depth)
                )
                if keys:
                    made.append((key, _as_value(text, model_text, contact, reason)))
        except Exception as error:  # one odd record must not stop the batch
            rejects.append(_failure("resume", row, RESUME_ID, error))
            text, model_text, contact, reason = "", "", Contact(None, None, None), ""
        else:
            if reason is not None:
                rejects.append(
                    {
                        "kind": "resume",
                        "record_id": str(row[RESUME_ID]),
                        "source": _source(row),
                        "reason": reason,
                    }
                )
        keep.append(reason is None)
        columns[CLEAN_TEXT].append(text)
        columns[MODEL_TEXT].append(model_text)
        columns["name"].append(contact.name)
        columns["email"].append(contact.email)
        columns["phone"].append(contact.phone)
        columns["location"].append(contact.location)
    if store is not None and made:
        store.put(made)
    for column, values in columns.items():
        out[column] = pd.Series(values, index=out.index, dtype="str")
    kept = out[pd.Series(keep, index=out.index, dtype=bool)].reset_index(drop=True)
    return kept, rejects_frame(rejects)


def _as_value(text: str, model_text: str, contact: Contact, reason: str | None) -> list[str | None]:
    """What :func:`clean_resumes` keeps of one cleaned resume (:func:`_from_value` reads it)."""
    return [text, model_text, contact.name, contact.email, contact.phone, contact.location, reason]


def _from_value(value: Sequence[str | None]) -> tuple[str, str, Contact, str | None]:
    text, model_text, name, email, phone, location, reason = value
    return str(text), str(model_text), Contact(name, email, phone, location), reason


class SketchStore(Protocol):
    """Where :func:`deduplicate_resumes` keeps each model text's deduplication sketch
    (:meth:`matcher.text.dedup.TextSketch.dumps`), by :func:`sketch_key`
    (:class:`matcher.io.clean_cache.TextSketchCache` between runs)."""

    def get(self, keys: Sequence[str]) -> dict[str, str]:
        """The sketches kept for these keys (missing keys left out)."""
        ...

    def put(self, items: Sequence[tuple[str, str]]) -> None:
        """Keep these sketches by key."""
        ...


def sketch_key(text: str) -> str:
    """The key of a model text's deduplication sketch: the BLAKE2 hash of the text.

    Example:
        >>> sketch_key("Nurse, 2019 - 2021") == sketch_key("Nurse, 2019 - 2021")
        True
        >>> len(sketch_key("Nurse"))
        32
    """
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def stored_sketches(texts: Sequence[str], store: SketchStore) -> list[TextSketch | None]:
    """The deduplication sketch of each text (:func:`matcher.text.dedup.sketch_texts`), read
    from ``store`` where kept there; the others are made and put there. A kept value that
    cannot be read is made again.

    The batch flow's Dask workers call it on their shards of cleaned resumes, so that
    :func:`deduplicate_resumes`, in the flow's process, finds every sketch made.
    """
    keys = [sketch_key(text) for text in texts]
    kept = store.get(keys)
    sketches: list[TextSketch | None] = [None] * len(texts)
    for position, key in enumerate(keys):
        if key in kept:
            with contextlib.suppress(ValueError):  # not a sketch: made again below
                sketches[position] = TextSketch.loads(kept[key])
    missing = [position for position, sketch in enumerate(sketches) if sketch is None]
    made = sketch_texts([texts[position] for position in missing])
    new: dict[str, str] = {}
    for position, sketch in zip(missing, made, strict=True):
        sketches[position] = sketch
        if sketch is not None:
            new[keys[position]] = sketch.dumps()
    store.put(list(new.items()))
    return sketches


def deduplicate_resumes(
    resumes: pd.DataFrame,
    near_duplicate_threshold: float | None = NEAR_DUPLICATE_THRESHOLD,
    sketches: SketchStore | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop the copies among cleaned resumes; the second half of :func:`prepare_resumes`.

    It compares every resume of the pool, so it runs on the whole pool, after the shards.
    With ``sketches``, what it needs of each resume is kept there by the hash of its model
    text, so a rerun reads only the new resumes (and those that may be copies) again.

    Args:
        resumes: Cleaned resumes (:func:`clean_resumes`).
        near_duplicate_threshold: Similarity from which two resumes are near duplicates;
            None keeps every resume.
        sketches: Where the resumes' sketches are kept between runs, or None.

    Returns:
        ``(resumes, duplicates)``: of each group, the copy received last kept (a candidate's
        resubmission: their latest contact details, "Present" to its day), the first of
        those on the same day; and the others, in input order.
    """
    kept = resumes
    deduplicate = near_duplicate_threshold is not None
    threshold = (
        NEAR_DUPLICATE_THRESHOLD if near_duplicate_threshold is None else near_duplicate_threshold
    )
    # Positions as IDs, so that even a frame with repeated IDs drops exactly the right rows.
    ids = kept[RESUME_ID].astype(str).tolist()
    sources = kept[SOURCE].astype(str).tolist() if SOURCE in kept.columns else [""] * len(kept)
    order = _received_last_first(kept) if deduplicate else []
    texts = [kept[MODEL_TEXT].iloc[position] for position in order]
    found = find_duplicates(
        [str(position) for position in order],
        texts,
        threshold=threshold,
        sketches=stored_sketches(texts, sketches) if sketches is not None and texts else None,
    )
    found = found.iloc[found["record_id"].astype(int).argsort(kind="stable")]
    dropped = found["record_id"].astype(int).tolist()
    duplicates = pd.DataFrame(
        {
            "kind": pd.Series(["resume"] * len(found), dtype="str"),
            "record_id": pd.Series([ids[p] for p in dropped], dtype="str"),
            "source": pd.Series([sources[p] for p in dropped], dtype="str"),
            "duplicate_of": pd.Series([ids[int(p)] for p in found["duplicate_of"]], dtype="str"),
            "similarity": found["similarity"].astype("float64"),
            "match": found["match"].astype("str"),
        },
        columns=list(DUPLICATE_COLUMNS),
    )
    return kept.drop(index=dropped).reset_index(drop=True), duplicates


def _received_last_first(resumes: pd.DataFrame) -> list[int]:
    """The resumes' positions, the latest ``received`` day first (a blank one is the run's
    day: the latest), input order among those of the same day.

    Example:
        >>> frame = pd.DataFrame({"received": ["2021-08-01", "", "2024-01-31", "2021-08-01"]})
        >>> _received_last_first(frame)
        [1, 2, 0, 3]
    """
    if RECEIVED not in resumes.columns:
        return list(range(len(resumes)))
    days = [_day_or_latest(value) for value in resumes[RECEIVED].tolist()]
    return sorted(range(len(days)), key=lambda position: (-days[position].toordinal(), position))


def _day_or_latest(value: Any) -> date:
    """A ``received`` value's day; the latest day for a blank (the run's day) or one that is
    no day (loading rejects those)."""
    with contextlib.suppress(ValueError):
        return read_day(value) or date.max
    return date.max


def _prepare_resume(
    row: dict[str, Any], max_html_depth: int
) -> tuple[str, str, Contact, str | None]:
    """The clean text, model text and contact of one resume row, or why it is rejected."""
    raw = row[TEXT]
    text = clean_text(raw, max_html_depth=max_html_depth) if isinstance(raw, str) else ""
    words = len(_WORD_RE.findall(text))
    if not text:
        return text, "", Contact(None, None, None), "empty text after cleaning"
    if words < MIN_RESUME_WORDS:
        counted = f"{words} word" + ("" if words == 1 else "s")
        reason = f"text too short to be a resume ({counted}, at least {MIN_RESUME_WORDS})"
        return text, "", Contact(None, None, None), reason
    phones = phone_spans(text)  # one scan for the contact and the redaction: the costly part
    contact, names = _contact_for(row, text, phones)
    return text, redact(text, names, phones=phones), contact, None


@dataclass
class Prepared:
    """Cleaned records ready to score, and what was set aside.

    ``truncated`` maps ``(kind, record_id)`` of each record whose text was cut to
    ``limits.max_document_chars`` to its source and original length in characters.
    """

    postings: pd.DataFrame
    resumes: pd.DataFrame
    duplicates: pd.DataFrame
    rejects: pd.DataFrame
    truncated: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)


def prepare_loaded(
    postings: Loaded,
    resumes: Loaded,
    near_duplicate_threshold: float | None = None,
    limits: LimitSettings | None = None,
    cleaned_resumes: tuple[pd.DataFrame, pd.DataFrame] | None = None,
    sketches: SketchStore | None = None,
) -> Prepared:
    """Clean, redact and de-duplicate loaded records; every record not kept is accounted for.

    The rejects are those of loading, the files skipped, and those of preparation; the
    duplicates are the resumes set aside as copies of others. This is what ``matcher score``
    does before scoring, and what the notebooks use to count records the same way.

    Args:
        postings: Loaded postings.
        resumes: Loaded resumes.
        near_duplicate_threshold: As for :func:`prepare_resumes` (its default if None).
        limits: Bounds on what a record may cost; the defaults if None.
        cleaned_resumes: What :func:`clean_resumes` gives for ``resumes.records``, if it has
            been run already (the batch flow runs it on shards on Dask workers).
        sketches: Where the resumes' deduplication sketches are kept between runs
            (:func:`deduplicate_resumes`), or None.
    """
    clean_postings, posting_rejects = prepare_postings(postings.records, limits)
    cleaned, resume_rejects = (
        cleaned_resumes if cleaned_resumes is not None else clean_resumes(resumes.records, limits)
    )
    kept_resumes, duplicates = deduplicate_resumes(
        cleaned,
        NEAR_DUPLICATE_THRESHOLD if near_duplicate_threshold is None else near_duplicate_threshold,
        sketches,
    )
    rejects = concat_frames(
        [
            postings.rejects,
            resumes.rejects,
            skipped_as_rejects(postings, "posting"),
            skipped_as_rejects(resumes, "resume"),
            posting_rejects,
            resume_rejects,
        ],
        empty_rejects(),
    )
    duplicates = concat_frames([duplicates], empty_duplicates())
    truncated = {
        (kind, str(record_id)): (source, loaded.truncated[source])
        for kind, loaded, id_column in (
            ("posting", postings, JOB_ID),
            ("resume", resumes, RESUME_ID),
        )
        for record_id, source in zip(loaded.records[id_column], loaded.records[SOURCE], strict=True)
        if source in loaded.truncated
    }
    return Prepared(clean_postings, kept_resumes, duplicates, rejects, truncated)


def record_counts(
    postings: Loaded, resumes: Loaded, prepared: Prepared
) -> dict[str, dict[str, int]]:
    """Per kind: records read, rejected, duplicates and ranked (read = the other three)."""
    counts = {}
    for kind, loaded, kept in (
        ("postings", postings, prepared.postings),
        ("resumes", resumes, prepared.resumes),
    ):
        singular = kind[:-1]
        rejects, duplicates = prepared.rejects, prepared.duplicates
        counts[kind] = {
            "read": len(loaded.records) + len(loaded.rejects) + len(loaded.skipped),
            "rejected": int((rejects["kind"] == singular).sum()) if len(rejects) else 0,
            "duplicates": int((duplicates["kind"] == singular).sum()) if len(duplicates) else 0,
            "ranked": len(kept),
        }
    return counts
