"""Recommend postings for one resume: rank jobs, explain each, write ``recommendations.csv``.

Two stages keep one resume against thousands of postings fast: :func:`candidate_postings`
keeps the postings nearest to the resume in a FAISS index of posting chunk vectors (embedded
once, through the embedding cache, and indexed once per process), and only those are scored
by the ranker. The flow takes the index, and what the ranker reads from each posting, from
the posting store (:mod:`matcher.ranking.posting_store`, :mod:`matcher.ranking.posting_side`).

:func:`recommend_jobs` is pure (DataFrames in, DataFrame out); :func:`read_resume` and
:func:`write_recommendations` are the edges, which the flow ``pipelines/recommend.py`` wires.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from matcher import schema
from matcher.io.csv_safety import write_safe_csv
from matcher.ranking.candidates import nearest_documents
from matcher.ranking.embedding import Embedder
from matcher.ranking.index import ResumeIndex, build_index
from matcher.ranking.rankers import Ranker, sum_components
from matcher.ranking.shortlist import format_breakdown
from matcher.settings import IndexSettings, LimitSettings
from matcher.text.texts import posting_texts, resume_texts

#: Columns every recommendations file starts with; the ranker's explanation columns follow.
RECOMMENDATION_COLUMNS: tuple[str, ...] = (
    "job_id",
    "job_title",
    "rank",
    "score",
    "score_breakdown",
)
#: File name of the recommendations inside the output folder.
RECOMMENDATIONS_FILE = "recommendations.csv"
#: What a recommendation run writes into its output folder.
OUTPUT_NAMES = (RECOMMENDATIONS_FILE, "rejects.csv", "run_manifest.json")


def recommend_jobs(
    resume: pd.DataFrame, postings: pd.DataFrame, ranker: Ranker, top_k: int
) -> pd.DataFrame:
    """The ``top_k`` postings for one resume, best first, explained.

    Args:
        resume: One prepared resume (a one-row DataFrame).
        postings: Prepared postings.
        ranker: Scores with direction ``jobs-for-resume``.
        top_k: Postings kept.

    Returns:
        :data:`RECOMMENDATION_COLUMNS` (score on 0-100) and the explanation columns of
        ``ranker.explainer``, the same the shortlists have. Ties are broken by job ID.

    Raises:
        ValueError: If ``resume`` does not hold exactly one row.
    """
    if len(resume) != 1:
        raise ValueError(f"recommend_jobs needs one resume, got {len(resume)}")
    if postings.empty:
        return pd.DataFrame(columns=list(RECOMMENDATION_COLUMNS))
    parts = ranker.components(postings, resume, "jobs-for-resume")
    scores = sum_components(parts, postings, resume)[:, 0]
    job_ids = postings[schema.JOB_ID].astype(str).to_numpy(dtype=object)
    order = np.lexsort((job_ids, -scores))[:top_k]
    explain = ranker.explainer(postings, resume, "jobs-for-resume")
    resume_row = resume.iloc[0]
    rows = []
    for rank, position in enumerate(order, start=1):
        posting = postings.iloc[position]
        title = posting.get(schema.TITLE)
        rows.append(
            {
                "job_id": job_ids[position],
                "job_title": "" if title is None or pd.isna(title) else str(title),
                "rank": rank,
                "score": round(100 * float(scores[position]), 1),
                "score_breakdown": format_breakdown(
                    {name: float(part[position, 0]) for name, part in parts.items()}
                ),
                **explain(posting, resume_row),
            }
        )
    return pd.DataFrame(rows)


def candidate_postings(
    resume: pd.DataFrame,
    postings: pd.DataFrame,
    embedder: Embedder,
    candidates: int,
    index_settings: IndexSettings | None = None,
    index: ResumeIndex | None = None,
) -> pd.DataFrame:
    """Stage 1: the ``candidates`` postings nearest to the resume, in their original order.

    A posting's nearness is the best cosine between any chunk of the resume and any chunk of
    the posting. The posting index is built once per process for a given set of postings
    (:func:`posting_index`), and its vectors come from the embedding cache.

    Args:
        resume: One prepared resume (a one-row DataFrame).
        postings: Prepared postings.
        embedder: Embeds the resume and, when not cached, the postings.
        candidates: Postings kept; 0 keeps all (no first stage).
        index_settings: When the posting index becomes approximate; the defaults if None.
        index: The index of exactly these postings' chunk vectors, e.g. from the posting
            store (:mod:`matcher.ranking.posting_store`); built (:func:`posting_index`) if None.
    """
    if candidates <= 0 or len(postings) <= candidates:
        return postings
    job_ids = postings[schema.JOB_ID].astype(str).tolist()
    if index is None:
        index = posting_index(embedder, job_ids, posting_texts(postings), index_settings)
    resume_id = str(resume[schema.RESUME_ID].iloc[0])
    queries = embedder.embed_documents([resume_id], resume_texts(resume)).vectors
    kept = set(nearest_documents(index, queries, [0] * len(queries), 1, candidates)[0])
    return postings[[job_id in kept for job_id in job_ids]]


#: Posting indexes built in this process, newest last; see :func:`posting_index`.
_POSTING_INDEXES: dict[tuple[object, ...], ResumeIndex] = {}
_POSTING_INDEXES_KEPT = 2


def posting_index(
    embedder: Embedder,
    job_ids: Sequence[str],
    texts: Sequence[str],
    index_settings: IndexSettings | None = None,
) -> ResumeIndex:
    """The FAISS index of these postings' chunk vectors, built once per process.

    The same postings asked again with the same model (a notebook recommending for resume
    after resume, even through new flow runs) reuse the index; the chunk vectors themselves
    are kept across processes by the embedding cache.
    """
    digest = hashlib.sha256()
    for job_id, text in zip(job_ids, texts, strict=True):
        digest.update(f"{len(job_id)}:{job_id}{len(text)}:{text}".encode())
    key = (
        embedder.model_id,
        embedder.max_tokens,
        embedder.chunk_overlap,
        index_settings,
        digest.hexdigest(),
    )
    if key not in _POSTING_INDEXES:
        chunks = embedder.embed_documents(job_ids, texts)
        _POSTING_INDEXES[key] = build_index(
            chunks.vectors, chunks.doc_ids, embedder.model_id, index_settings
        )
        while len(_POSTING_INDEXES) > _POSTING_INDEXES_KEPT:
            del _POSTING_INDEXES[next(iter(_POSTING_INDEXES))]
    return _POSTING_INDEXES[key]


def write_recommendations(recommendations: pd.DataFrame, out_dir: Path) -> Path:
    """Write ``out_dir/recommendations.csv`` atomically, safe against formula injection."""
    path = Path(out_dir) / RECOMMENDATIONS_FILE
    write_safe_csv(recommendations, path)
    return path


def read_resume(
    path: Path, resume_id: str | None = None, limits: LimitSettings | None = None
) -> pd.DataFrame:
    """One resume as a one-row table: a row of a resumes table, or a document file.

    Args:
        path: A table (CSV, TSV, JSONL, Parquet, Excel) or a PDF, DOCX, TXT, MD or HTML file.
        resume_id: Row to take from a table; required for tables, ignored for documents
            (whose ID is the file name without suffix).
        limits: Bounds on the document and its text, as for ``matcher score``.

    Raises:
        matcher.io.loading.InputError: If the file cannot be read, the table lacks the ID, or
            the record was rejected.
    """
    from matcher.io.loading import TABLE_SUFFIXES, InputError, load_resumes
    from matcher.io.readers import DocumentError, read_document

    path = Path(path)
    if not path.is_file():
        raise InputError(f"--resume: {path} is not a file")
    if path.suffix.lower() in TABLE_SUFFIXES:
        if not resume_id:
            raise InputError(f"--resume {path} is a table: pass --resume-id to pick a row")
        loaded = load_resumes(path, limits)
        ids = loaded.records[schema.RESUME_ID].astype(str)
        chosen = loaded.records[ids == resume_id]
        if chosen.empty:
            rejected = loaded.rejects[loaded.rejects["record_id"].astype(str) == resume_id]
            if len(rejected):
                raise InputError(f"resume {resume_id!r} rejected: {rejected['reason'].iloc[0]}")
            raise InputError(f"resume_id {resume_id!r} not found in {path}")
        return chosen.iloc[:1].reset_index(drop=True)
    try:
        text = read_document(path, limits)
    except DocumentError as error:
        raise InputError(f"--resume {path}: {error}") from error
    text = text[: (limits or LimitSettings()).max_document_chars]
    return pd.DataFrame(
        {schema.RESUME_ID: [path.stem], schema.TEXT: [text], schema.SOURCE: [str(path)]}
    )


def usable_resume(
    path: Path, resume_id: str | None = None, limits: LimitSettings | None = None
) -> tuple[pd.DataFrame, str]:
    """The resume (:func:`read_resume`) prepared as for ranking (one row), and its ID.

    Raises:
        matcher.io.loading.InputError: If it cannot be read or is rejected (no text, ...).
    """
    from matcher.io.loading import InputError
    from matcher.text.preprocess import prepare_resumes

    raw = read_resume(path, resume_id, limits)
    resume, _, rejects = prepare_resumes(raw, deduplicate=False, limits=limits)
    if resume.empty:
        reason = rejects["reason"].iloc[0] if len(rejects) else "no text"
        raise InputError(f"resume {raw[schema.RESUME_ID].iloc[0]!r} rejected: {reason}")
    return resume, str(resume[schema.RESUME_ID].iloc[0])
