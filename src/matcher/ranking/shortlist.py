"""Turn a score matrix into ranked, explained shortlists and write them as CSV files."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from matcher import schema
from matcher.io.atomic import atomic_write_text
from matcher.io.csv_safety import csv_records, safe_csv_text
from matcher.io.workbook import start_workbook
from matcher.progress import Progress
from matcher.ranking.explain import Explainer, PairExplainer, frame_rows, term_explainer

#: Columns every shortlist starts with, in order; explanation columns follow.
SHORTLIST_COLUMNS = (
    "job_id",
    "job_title",
    "rank",
    "resume_id",
    "candidate_name",
    "email",
    "phone",
    "location",
    "score",
    "score_breakdown",
)

#: The explanation columns, the same whatever the ranker: a ranker that has nothing to say in
#: a column leaves it empty. The requirement-aware ranker fills ``fit`` to ``years_from``;
#: the others ``matched_terms`` and ``missing_terms``; both fill ``evidence``.
EXPLANATION_COLUMNS = (
    "fit",
    "fit_reason",
    "requirements_found",
    "matched_required",
    "missing_required",
    "soft_skills_to_check",
    "matched_preferred",
    "years_required",
    "years_candidate",
    "years_from",
    "matched_terms",
    "missing_terms",
    "evidence",
)


def rank_candidates(
    scores: np.ndarray, job_ids: list[str], resume_ids: list[str], top_k: int
) -> dict[str, dict[str, float]]:
    """The ``top_k`` resumes of each job, best first, as ``{job_id: {resume_id: score}}``.

    Ties are broken by resume ID so that the order is reproducible.
    """
    run: dict[str, dict[str, float]] = {}
    order_ids = np.asarray(resume_ids, dtype=object)
    for row, job_id in enumerate(job_ids):
        row_scores = scores[row]
        # lexsort sorts by the last key first: score descending, then resume_id ascending.
        order = np.lexsort((order_ids, -row_scores))[:top_k]
        run[job_id] = {resume_ids[i]: float(row_scores[i]) for i in order}
    return run


#: The name a recruiter reads for each signal of :data:`matcher.ranking.features.FEATURES`
#: and of the simple rankers; signals that share a name are added up.
PLAIN_SIGNAL_NAMES: dict[str, str] = {
    "required_skills": "skills required",
    "preferred_skills": "skills preferred",
    "requirement_coverage": "requirement match",
    "requirement_terms": "requirement match",
    "experience": "experience",
    "degree": "degree",
    "title": "title",
    "dense": "overall similarity",
    "bm25": "keyword match",
    "tfidf": "keyword match",
}


def format_breakdown(parts: Mapping[str, float]) -> str:
    """Each signal's points on the 0-100 scale, under the names of :data:`PLAIN_SIGNAL_NAMES`.

    Example:
        >>> format_breakdown({"dense": 0.513, "bm25": 0.28})
        'overall similarity 51.3 + keyword match 28.0'
    """
    points: dict[str, float] = {}
    for name, value in parts.items():
        plain = PLAIN_SIGNAL_NAMES.get(name, name.replace("_", " "))
        points[plain] = points.get(plain, 0.0) + value
    return " + ".join(f"{name} {100 * value:.1f}" for name, value in points.items())


#: Input columns that the shortlist already shows or that are matcher's own: not repeated.
_INTERNAL = {schema.SOURCE, schema.CLEAN_TEXT, schema.MODEL_TEXT}
_NOT_PASSED = {
    "posting": {*schema.POSTING_REQUIRED, *_INTERNAL},
    "resume": {*schema.RESUME_REQUIRED, *schema.RESUME_PASSTHROUGH, *_INTERNAL},
}


def passed_through(postings: pd.DataFrame, resumes: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """The input columns a shortlist repeats, after its own: ``{shortlist column: (side, input
    column)}`` with side ``"posting"`` or ``"resume"``.

    A posting's other columns (``location``, ``department``, ...) become ``job_<column>``; a
    resume's other columns keep their name, or become ``resume_<column>`` where the name is
    taken.

    Example:
        >>> jobs = pd.DataFrame(columns=["job_id", "title", "description", "department"])
        >>> cvs = pd.DataFrame(columns=["resume_id", "text", "name", "source", "fit", "grade"])
        >>> list(passed_through(jobs, cvs))
        ['job_department', 'resume_fit', 'grade']
    """
    taken = {*SHORTLIST_COLUMNS, *EXPLANATION_COLUMNS}
    columns: dict[str, tuple[str, str]] = {}
    for column in map(str, postings.columns):
        if column not in _NOT_PASSED["posting"]:
            columns[f"job_{column}"] = ("posting", column)
    for column in map(str, resumes.columns):
        if column not in _NOT_PASSED["resume"]:
            name = column if column not in taken and column not in columns else f"resume_{column}"
            columns[name] = ("resume", column)
    return columns


def build_shortlists(
    postings: pd.DataFrame,
    resumes: pd.DataFrame,
    scores: np.ndarray,
    components: Mapping[str, np.ndarray],
    top_k: int,
    explainer: Explainer | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """One row per (job, shortlisted candidate), best first within each job.

    Args:
        postings: Prepared postings, in the row order of ``scores``.
        resumes: Prepared resumes, in the column order of ``scores``.
        scores: ``(n_postings, n_resumes)`` scores in [0, 1].
        components: Each signal's weighted contribution, same shape; shown as the breakdown.
        top_k: Candidates kept per job.
        explainer: Makes the explanation columns; key-term matching if None.
        progress: Told ``(jobs done, jobs)`` as each job's shortlist is made
            (:mod:`matcher.progress`).

    Returns:
        A DataFrame with :data:`SHORTLIST_COLUMNS`, then :data:`EXPLANATION_COLUMNS` (empty
        where the ranker has nothing to say), then the input columns of
        :func:`passed_through`, even when it has no rows.
    """
    n_postings, n_resumes = len(postings), len(resumes)
    return shortlist_of_pairs(
        postings,
        resumes,
        np.repeat(np.arange(n_postings, dtype=np.int64), n_resumes),
        np.tile(np.arange(n_resumes, dtype=np.int64), n_postings),
        np.asarray(scores).reshape(-1),
        {name: np.asarray(part).reshape(-1) for name, part in components.items()},
        top_k,
        explainer,
        progress,
    )


def pair_order(
    posting_of: np.ndarray, resume_of: np.ndarray, scores: np.ndarray, resume_ids: list[str]
) -> np.ndarray:
    """The order of scored pairs in which shortlists and decision records list them: by
    posting, then score descending, ties broken by resume ID (as :func:`rank_candidates`);
    ``resume_of`` holds positions in ``resume_ids``.

    Example:
        >>> pair_order(np.array([1, 0, 0]), np.array([0, 1, 0]), np.array([0.5, 0.2, 0.2]),
        ...            ["b", "a"]).tolist()  # posting 0's tie: "a" (pair 1) before "b"
        [1, 2, 0]
    """
    # Each resume's place among the sorted IDs, found once per resume rather than per pair.
    id_order = np.empty(len(resume_ids), dtype=np.int64)
    id_order[np.argsort(np.asarray(resume_ids, dtype=object), kind="stable")] = np.arange(
        len(resume_ids)
    )
    # lexsort sorts by the last key first.
    return np.lexsort((id_order[resume_of], -scores, posting_of))


def shortlist_of_pairs(
    postings: pd.DataFrame,
    resumes: pd.DataFrame,
    posting_of: np.ndarray,
    resume_of: np.ndarray,
    scores: np.ndarray,
    components: Mapping[str, np.ndarray],
    top_k: int,
    explainer: Explainer | None = None,
    progress: Progress | None = None,
    explain_pairs: PairExplainer | None = None,
) -> pd.DataFrame:
    """:func:`build_shortlists` for scored pairs given one by one (the pairs an incremental
    rerun merged: :mod:`matcher.ranking.incremental`) instead of as a matrix: each posting's
    ``top_k`` best pairs, ties broken by resume ID (as :func:`rank_candidates`).

    Args:
        postings: Prepared postings; ``posting_of`` holds rows of it.
        resumes: Prepared resumes; ``resume_of`` holds rows of it. A resume is one posting's
            candidate at most once.
        posting_of: Each pair's posting, ``(n_pairs,)``.
        resume_of: Each pair's resume, ``(n_pairs,)``.
        scores: Each pair's score in [0, 1], ``(n_pairs,)``.
        components: Each signal's weighted part of each pair's score, ``(n_pairs,)``.
        top_k: Candidates kept per job.
        explainer: Makes the explanation columns; key-term matching if None.
        progress: Told ``(jobs done, jobs)`` as each job's shortlist is made.
        explain_pairs: If given, makes the shortlisted pairs' explanation columns instead of
            ``explainer``, all at once (explanations already made, kept by an incremental
            rerun).
    """
    if explainer is None and explain_pairs is None:
        explainer = term_explainer(postings)
    job_ids = postings[schema.JOB_ID].astype(str).tolist()
    resume_ids = resumes[schema.RESUME_ID].astype(str).tolist()
    posting_of = np.asarray(posting_of, dtype=np.int64)
    resume_of = np.asarray(resume_of, dtype=np.int64)
    order = pair_order(posting_of, resume_of, scores, resume_ids)
    sorted_postings = posting_of[order]
    every_posting = np.arange(len(job_ids))
    starts = np.searchsorted(sorted_postings, every_posting, side="left")
    stops = np.searchsorted(sorted_postings, every_posting, side="right")
    extra = passed_through(postings, resumes)
    picked = [order[starts[row] : stops[row]][:top_k] for row in range(len(job_ids))]
    # The shortlisted resumes' rows, taken out of the frame in one pass (frame_rows).
    shown = np.unique(resume_of[np.concatenate(picked)]) if picked else np.zeros(0, np.int64)
    resume_rows = dict(zip(shown.tolist(), frame_rows(resumes.iloc[shown]), strict=True))
    answers = _pair_answers(explain_pairs, picked, posting_of, resume_of)
    rows: list[dict[str, object]] = []
    for row, job_id in enumerate(job_ids):
        posting = postings.iloc[row]
        for rank, pair in enumerate(picked[row].tolist(), start=1):
            col = int(resume_of[pair])
            resume = resume_rows[col]
            if answers is not None:
                answer = next(answers)
            else:
                assert explainer is not None
                answer = explainer(posting, resume)
            rows.append(
                {
                    "job_id": job_id,
                    "job_title": _text(posting.get(schema.TITLE)),
                    "rank": rank,
                    "resume_id": resume_ids[col],
                    "candidate_name": _text(resume.get("name")),
                    "email": _text(resume.get("email")),
                    "phone": _text(resume.get("phone")),
                    "location": _text(resume.get("location")),
                    "score": round(100 * float(scores[pair]), 1),
                    "score_breakdown": format_breakdown(
                        {name: float(part[pair]) for name, part in components.items()}
                    ),
                    **answer,
                    **{
                        name: _text((posting if side == "posting" else resume).get(column))
                        for name, (side, column) in extra.items()
                    },
                }
            )
        if progress is not None:
            progress(row + 1, len(job_ids))
    columns = [*SHORTLIST_COLUMNS, *EXPLANATION_COLUMNS, *extra]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=columns)
    return frame.reindex(columns=columns, fill_value="")


def _pair_answers(
    explain_pairs: PairExplainer | None,
    picked: list[np.ndarray],
    posting_of: np.ndarray,
    resume_of: np.ndarray,
) -> Iterator[dict[str, Any]] | None:
    """The explanation columns of the ``picked`` pairs (each posting's, in turn) from
    ``explain_pairs``, one dict per pair in that order; None without it."""
    if explain_pairs is None:
        return None
    flat = np.concatenate(picked) if picked else np.zeros(0, dtype=np.int64)
    columns = {
        name: values.tolist() if hasattr(values, "tolist") else list(values)
        for name, values in explain_pairs(flat, posting_of[flat], resume_of[flat]).items()
    }
    if not columns:
        return ({} for _ in range(len(flat)))
    return (
        dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)
    )


def _text(value: object) -> str:
    missing = value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))
    return "" if missing else str(value)


#: Longest file name stem for a per-job file; well under the 255 bytes file systems allow.
MAX_FILENAME_CHARS = 100


def safe_filename(job_id: str) -> str:
    """A file name for a job ID: characters outside ``[A-Za-z0-9._-]`` become ``_``.

    A leading character that could start a formula or hide the file is replaced too. The name
    may be long and may be shared with another ID; :func:`shortlist_filenames` makes names
    short and unique.
    """
    name = re.sub(r"[^A-Za-z0-9._-]", "_", job_id).lstrip(".-") or "_"
    return name


def _digest(job_id: str) -> str:
    return hashlib.sha256(job_id.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def shortlist_filenames(job_ids: list[str]) -> dict[str, str]:
    """A unique, safe file name stem for each job ID, in the order given.

    The stem is :func:`safe_filename` of the ID. A stem longer than
    :data:`MAX_FILENAME_CHARS` is cut and ends with a hash of the whole ID; a stem already
    taken by another ID (``"J/1"`` and ``"J_1"``, or ``"ABC"`` and ``"abc"``, which a
    case-insensitive file system holds as one) gets that hash too. The exact ID is still the
    ``job_id`` column inside the file.

    Example:
        >>> names = shortlist_filenames(["J/1", "J_1", "x" * 300])
        >>> names["J/1"], names["J_1"].startswith("J_1-"), len(names["x" * 300])
        ('J_1', True, 100)
    """
    names: dict[str, str] = {}
    taken: set[str] = set()
    for job_id in job_ids:
        if job_id in names:
            continue
        name = safe_filename(job_id)
        if len(name) > MAX_FILENAME_CHARS or name.casefold() in taken:
            name = f"{name[: MAX_FILENAME_CHARS - 13]}-{_digest(job_id)}"
        count = 1
        while name.casefold() in taken:  # a hash shared by chance, or an ID that looks like one
            count += 1
            name = f"{name[: MAX_FILENAME_CHARS - 13 - len(str(count))]}-{count}-{_digest(job_id)}"
        taken.add(name.casefold())
        names[job_id] = name
    return names


def _records_by_job(shortlists: pd.DataFrame, text: str) -> tuple[str, dict[str, list[str]]]:
    """The header of ``text`` (the CSV text of ``shortlists``) and each job's records in it."""
    records = csv_records(text)
    if records is None or len(records) != len(shortlists) + 1:
        raise ValueError(
            f"the shortlists' CSV text has not one record per row: {records and len(records)}"
        )
    by_job: dict[str, list[str]] = {}
    if len(shortlists):
        for job_id, record in zip(shortlists["job_id"].astype(str), records[1:], strict=True):
            by_job.setdefault(job_id, []).append(record)
    return records[0], by_job


#: The workbook :func:`write_shortlists` writes beside the CSV files.
WORKBOOK_NAME = "shortlists.xlsx"


def write_shortlists(
    shortlists: pd.DataFrame,
    job_ids: list[str],
    out_dir: Path,
    candidates_scored: int = 0,
    run_info: Mapping[str, str] | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> list[Path]:
    """Write ``out_dir/shortlists.csv``, one ``out_dir/shortlists/<job_id>.csv`` per job and
    the workbook ``out_dir/shortlists.xlsx``; ``meanwhile`` is the caller's other work, done
    after the CSV files while the workbook's process is still writing.

    Every job gets a file and a sheet, even one without candidates; file names come from
    :func:`shortlist_filenames`. The CSV files are neutralised against formula injection
    (:mod:`matcher.io.csv_safety`); the workbook holds text as text
    (:mod:`matcher.io.workbook`, written in a process of its own while the CSV files are
    written). All files are written atomically.

    Args:
        shortlists: The rows of :func:`build_shortlists`.
        job_ids: Every job of the run.
        out_dir: The output folder.
        candidates_scored: Resumes each job was scored against (the workbook's summary).
        run_info: Facts shown on the workbook's summary sheet, such as the ranker.

    Returns:
        The paths written: the combined CSV first, then the per-job files, the workbook last.
    """
    workbook = out_dir / WORKBOOK_NAME
    with start_workbook(shortlists, job_ids, workbook, candidates_scored, run_info) as written:
        paths = write_shortlist_csvs(shortlists, job_ids, out_dir)
        if meanwhile is not None:
            meanwhile()
        paths.append(written())
    return paths


def write_shortlist_csvs(shortlists: pd.DataFrame, job_ids: list[str], out_dir: Path) -> list[Path]:
    """The CSV files of :func:`write_shortlists`: the combined file, then one per job."""
    folder = out_dir / "shortlists"
    folder.mkdir(parents=True, exist_ok=True)
    combined = out_dir / "shortlists.csv"
    # The combined file is rendered once; each job's file is its header and the job's records.
    text = safe_csv_text(shortlists)
    atomic_write_text(combined, text)
    paths = [combined]
    header, by_job = _records_by_job(shortlists, text)
    for job_id, name in shortlist_filenames(job_ids).items():
        path = folder / f"{name}.csv"
        atomic_write_text(path, header + "".join(by_job.get(job_id, ())))
        paths.append(path)
    return paths
