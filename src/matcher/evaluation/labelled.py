"""Labelled data for evaluation: postings, resumes and the qrels that judge them.

The qrels are a CSV table with one judged (query, document) pair a row and the columns
``job_id``, ``resume_id`` and ``relevance`` (an integer from 0 = not relevant to
:data:`MAX_RELEVANCE`, higher = better; at least one pair must be relevant).
Which ID is the query depends on the direction: the job for ``resumes-for-job`` (shortlists),
the resume for ``jobs-for-resume`` (recommendations); columns are found by name, so one file
serves both. Unjudged pairs count as not relevant.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from matcher import schema
from matcher.io.manifest import path_sha256
from matcher.ranking.lexical import DIRECTIONS, Direction
from matcher.schema import Qrels
from matcher.settings import LimitSettings

RELEVANCE = "relevance"
#: The largest grade accepted. Real scales are small (RJDB's is 0 to 2, TREC's up to 4);
#: trec_eval, which computes the metrics, sets memory aside for every grade up to the largest
#: (16 GB and two minutes for 2**31 - 1) and cannot hold one above 2**31 - 1 at all.
MAX_RELEVANCE = 1000
# A grade as people write it: digits, maybe with a zero fraction ("2.0"); no sign or exponent.
_GRADE = re.compile(r"([0-9]+)(?:\.0*)?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class LabelledDataError(ValueError):
    """The qrels or the labelled tables cannot be used; the message names the row or IDs."""


def query_and_doc_columns(direction: Direction) -> tuple[str, str]:
    """``(query ID column, document ID column)`` of a direction.

    Example:
        >>> query_and_doc_columns("jobs-for-resume")
        ('resume_id', 'job_id')
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown direction {direction!r}; use one of {', '.join(DIRECTIONS)}")
    if direction == "resumes-for-job":
        return schema.JOB_ID, schema.RESUME_ID
    return schema.RESUME_ID, schema.JOB_ID


def qrels_from_frame(frame: pd.DataFrame, direction: Direction, source: str = "qrels") -> Qrels:
    """Validate a qrels table and turn it into ``{query_id: {doc_id: relevance}}``.

    Args:
        frame: The table, read with every column as text.
        direction: Which ID is the query.
        source: Name used in error messages (the file path).

    Raises:
        LabelledDataError: On a missing or repeated column, an empty ID or one with a control
            character, a relevance that is not an integer from 0 to :data:`MAX_RELEVANCE`, the
            same pair judged twice, or no pair judged relevant. Row numbers are file lines
            (the header is line 1).
    """
    query_col, doc_col = query_and_doc_columns(direction)
    needed = (query_col, doc_col, RELEVANCE)
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise LabelledDataError(
            f"{source}: missing column(s) {', '.join(missing)}; expected {','.join(needed)}"
        )
    repeated = [c for c in needed if list(frame.columns).count(c) > 1]
    if repeated:
        raise LabelledDataError(f"{source}: column(s) {', '.join(repeated)} appear more than once")
    qrels: Qrels = {}
    first_line: dict[tuple[str, str], int] = {}
    columns = [frame[c].tolist() for c in needed]
    for offset, (query_raw, doc_raw, rel_raw) in enumerate(zip(*columns, strict=True)):
        line = offset + 2
        query_id, doc_id = _text(query_raw), _text(doc_raw)
        where = f"{source} line {line} ({query_col}={query_id!r}, {doc_col}={doc_id!r})"
        if not query_id or not doc_id:
            raise LabelledDataError(f"{where}: empty {query_col if not query_id else doc_col}")
        if _CONTROL.search(query_id + doc_id):
            raise LabelledDataError(f"{where}: an ID holds a control character")
        relevance = _grade(rel_raw, where)
        key = (query_id, doc_id)
        if key in first_line:
            raise LabelledDataError(f"{where}: pair already judged on line {first_line[key]}")
        first_line[key] = line
        qrels.setdefault(query_id, {})[doc_id] = relevance
    if not qrels:
        raise LabelledDataError(f"{source}: no judgements")
    if all(grade == 0 for judged in qrels.values() for grade in judged.values()):
        raise LabelledDataError(
            f"{source}: no pair is judged relevant (every relevance is 0), so no ranking can be"
            " measured"
        )
    return qrels


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _grade(value: object, where: str) -> int:
    text = _text(value).strip()
    match = _GRADE.fullmatch(text)
    if match is None:
        raise LabelledDataError(
            f"{where}: relevance {text[:40]!r} is not a non-negative integer"
            " (0 = not relevant, higher = better)"
        )
    grade = int(match.group(1))
    if grade > MAX_RELEVANCE:
        raise LabelledDataError(
            f"{where}: relevance {text[:40]!r} is above {MAX_RELEVANCE}, the largest grade accepted"
        )
    return grade


def load_qrels(path: Path, direction: Direction = "resumes-for-job") -> Qrels:
    """Read a qrels CSV file.

    Args:
        path: CSV with ``job_id``, ``resume_id`` and ``relevance`` columns.
        direction: ``resumes-for-job`` (jobs are the queries) or ``jobs-for-resume``.

    Returns:
        ``{query_id: {doc_id: relevance}}``.

    Raises:
        LabelledDataError: If the file is missing or a row is bad (see :func:`qrels_from_frame`).

    Example:
        >>> load_qrels(Path("qrels.csv"))  # doctest: +SKIP
        {'DJ0002': {'DR0002a': 2, 'DR0002b': 1}, ...}
    """
    path = Path(path)
    if not path.is_file():
        what = "is a folder, not a CSV file" if path.is_dir() else "not found"
        raise LabelledDataError(f"qrels file {what}: {path}")
    try:
        # header=None: the header is read as a row, so a repeated column name stays visible.
        table = pd.read_csv(
            path,
            header=None,
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
            encoding="utf-8-sig",
            sep=_qrels_delimiter(path),
        )
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as error:
        raise LabelledDataError(f"{path}: not a readable CSV table ({error})") from error
    frame = table.iloc[1:].reset_index(drop=True)
    frame.columns = [_text(c).strip() for c in table.iloc[0]]
    return qrels_from_frame(frame, direction, str(path))


def _qrels_delimiter(path: Path) -> str:
    """What separates a qrels file's fields, told by its header as the table readers tell it:
    a comma, or the semicolon, tab or bar a spreadsheet program or a TSV file uses."""
    from matcher.io.loading import _header_delimiter

    try:
        with path.open(encoding="utf-8-sig", errors="replace") as file:
            head = file.read(4096)
    except OSError:
        return ","
    return _header_delimiter(head, (schema.JOB_ID, schema.RESUME_ID, "relevance"))


def _listing(ids: Iterable[str], limit: int = 10) -> str:
    # an ID with spaces around it is quoted, so the spaces show ("DJ0002 " is not "DJ0002")
    ids = [i if i == i.strip() else repr(i) for i in sorted(ids)]
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def check_qrels(
    qrels: Qrels,
    direction: Direction,
    job_ids: Iterable[str],
    resume_ids: Iterable[str],
    rejected: dict[str, str] | None = None,
) -> None:
    """Check that every ID the qrels name is among the records to score.

    Args:
        qrels: The judgements.
        direction: Which ID is the query.
        job_ids: IDs of the postings to score.
        resume_ids: IDs of the resumes to score.
        rejected: ``{record_id: reason}`` of records set aside while loading, to explain why
            an ID is absent.

    Raises:
        LabelledDataError: Listing the IDs not in the data (and why, when they were rejected).
    """
    query_col, doc_col = query_and_doc_columns(direction)
    known = {schema.JOB_ID: set(map(str, job_ids)), schema.RESUME_ID: set(map(str, resume_ids))}
    named = {query_col: set(qrels), doc_col: {d for docs in qrels.values() for d in docs}}
    problems = []
    for column in (schema.JOB_ID, schema.RESUME_ID):
        absent = named[column] - known[column]
        if not absent:
            continue
        kind = "postings" if column == schema.JOB_ID else "resumes"
        message = f"{len(absent)} {column}(s) not in the {kind}: {_listing(absent)}"
        why = [f"{i} ({rejected[i]})" for i in sorted(absent) if rejected and i in rejected]
        if why:
            message += f"; rejected while loading: {_listing(why, 5)}"
        problems.append(message)
    if problems:
        raise LabelledDataError("qrels name " + "; ".join(problems))


@dataclass(frozen=True)
class LabelledSet:
    """Prepared postings and resumes with the qrels that judge them.

    Attributes:
        postings: Prepared postings (with ``model_text``).
        resumes: Prepared resumes, not de-duplicated (near-miss copies are judged items).
        qrels: ``{query_id: {doc_id: relevance}}`` in the set's direction.
        direction: Which side is ranked.
        rejects: Records set aside while loading or preparing (``kind, record_id, source,
            reason``).
        hashes: SHA-256 of the ``jobs``, ``resumes`` and ``qrels`` inputs and of the three
            together (``dataset``).
    """

    postings: pd.DataFrame
    resumes: pd.DataFrame
    qrels: Qrels
    direction: Direction = "resumes-for-job"
    rejects: pd.DataFrame = field(default_factory=pd.DataFrame)
    hashes: dict[str, str] = field(default_factory=dict)

    @property
    def query_ids(self) -> list[str]:
        """Judged queries, in qrels order."""
        return list(self.qrels)

    def subset(self, max_queries: int) -> LabelledSet:
        """The first ``max_queries`` queries with only the documents judged for them.

        Handy for quick experiments; the ``dataset`` hash gains a ``:subset=N`` suffix.
        """
        queries = self.query_ids[:max_queries]
        qrels = {q: dict(self.qrels[q]) for q in queries}
        docs = {d for judged in qrels.values() for d in judged}
        query_col, _ = query_and_doc_columns(self.direction)
        keep = {query_col: set(queries)}
        keep[schema.RESUME_ID if query_col == schema.JOB_ID else schema.JOB_ID] = docs
        postings = self.postings[self.postings[schema.JOB_ID].astype(str).isin(keep[schema.JOB_ID])]
        resumes = self.resumes[
            self.resumes[schema.RESUME_ID].astype(str).isin(keep[schema.RESUME_ID])
        ]
        hashes = dict(self.hashes)
        if "dataset" in hashes:
            hashes["dataset"] = f"{hashes['dataset']}:subset={max_queries}"
        return replace(
            self,
            postings=postings.reset_index(drop=True),
            resumes=resumes.reset_index(drop=True),
            qrels=qrels,
            hashes=hashes,
        )

    def subset_queries(self, max_queries: int) -> LabelledSet:
        """The first ``max_queries`` judged queries; every document is kept."""
        queries = self.query_ids[:max_queries]
        hashes = dict(self.hashes)
        if "dataset" in hashes:
            hashes["dataset"] = f"{hashes['dataset']}:queries={max_queries}"
        return replace(self, qrels={q: dict(self.qrels[q]) for q in queries}, hashes=hashes)

    def sample_resumes(self, max_resumes: int, seed: int = 0) -> LabelledSet:
        """A seeded random sample of ``max_resumes`` resumes, with the qrels cut to match.

        Postings are all kept. In ``jobs-for-resume`` the sampled resumes are the queries.
        The ``dataset`` hash gains a ``:resumes=N,seed=S`` suffix.
        """
        if max_resumes >= len(self.resumes):
            return self
        ids = self.resumes[schema.RESUME_ID].astype(str)
        chosen = set(ids.sample(n=max_resumes, random_state=seed))
        resumes = self.resumes[ids.isin(chosen)].reset_index(drop=True)
        if self.direction == "resumes-for-job":
            qrels = {q: {d: r for d, r in j.items() if d in chosen} for q, j in self.qrels.items()}
        else:
            qrels = {q: dict(j) for q, j in self.qrels.items() if q in chosen}
        hashes = dict(self.hashes)
        if "dataset" in hashes:
            hashes["dataset"] = f"{hashes['dataset']}:resumes={max_resumes},seed={seed}"
        return replace(self, resumes=resumes, qrels=qrels, hashes=hashes)


def dataset_hashes(jobs_path: Path, resumes_path: Path, qrels_path: Path) -> dict[str, str]:
    """``path_sha256`` of each input and one hash of the three together (``dataset``)."""
    hashes = {
        "jobs": path_sha256(Path(jobs_path)),
        "resumes": path_sha256(Path(resumes_path)),
        "qrels": path_sha256(Path(qrels_path)),
    }
    joined = "\n".join(f"{k}={v}" for k, v in hashes.items())
    hashes["dataset"] = hashlib.sha256(joined.encode()).hexdigest()
    return hashes


def load_labelled_set(
    jobs_path: Path,
    resumes_path: Path,
    qrels_path: Path,
    direction: Direction = "resumes-for-job",
    limits: LimitSettings | None = None,
) -> LabelledSet:
    """Load, prepare and cross-check a labelled set.

    Resumes are prepared without de-duplication: a labelled set may judge near-miss copies
    of one resume differently, and both must be ranked. ``limits`` bound what each record may
    cost, as for ``matcher score`` (the defaults if None).

    Raises:
        matcher.io.loading.InputError: If a table cannot be read at all.
        LabelledDataError: If the qrels are bad or name records that are not in the data.
    """
    from matcher.io.accounting import concat_frames, empty_rejects
    from matcher.io.loading import load_postings, load_resumes
    from matcher.text.preprocess import prepare_postings, prepare_resumes

    qrels = load_qrels(qrels_path, direction)
    loaded_postings = load_postings(jobs_path, limits)
    loaded_resumes = load_resumes(resumes_path, limits)
    postings, posting_rejects = prepare_postings(loaded_postings.records, limits)
    resumes, _, resume_rejects = prepare_resumes(
        loaded_resumes.records, deduplicate=False, limits=limits
    )
    rejects = concat_frames(
        [loaded_postings.rejects, loaded_resumes.rejects, posting_rejects, resume_rejects],
        empty_rejects(),
    )
    reasons = dict(
        zip(rejects["record_id"].astype(str), rejects["reason"].astype(str), strict=True)
    )
    check_qrels(
        qrels,
        direction,
        postings[schema.JOB_ID].astype(str),
        resumes[schema.RESUME_ID].astype(str),
        reasons,
    )
    return LabelledSet(
        postings.reset_index(drop=True),
        resumes.reset_index(drop=True),
        qrels,
        direction,
        rejects,
        dataset_hashes(jobs_path, resumes_path, qrels_path),
    )
