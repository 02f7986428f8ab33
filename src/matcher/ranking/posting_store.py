"""Postings prepared, embedded and indexed once for ``matcher recommend``, kept by content hash.

``matcher recommend`` ranks postings for one resume, and is asked again and again against the
same postings. The postings are therefore kept like the resumes of batch scoring, in the
folder ``<state_dir>/postings/``:

* ``prepared.parquet``: every prepared posting (``clean_text``, ``model_text``, ...) with
  ``content_sha256``, the SHA-256 of its record as loaded
  (:func:`matcher.io.state_store.content_hashes`) and of what shapes its preparation (the
  limits, the matcher version); ``rejects.parquet`` holds the postings preparation rejected,
  with theirs;
* ``index-<key>/``: the FAISS index of their chunk vectors (:mod:`matcher.ranking.index`, one
  folder per model, chunking and index settings), whose document hashes are the same content
  hashes.

A call prepares only the postings whose content hash it has not seen, embeds and indexes only
those, and removes withdrawn and changed ones from the index in place
(:func:`matcher.ranking.index.apply_changes`); a second call against the same postings parses
and embeds none. What the ranker parses from the stage-1 candidates is not kept here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from matcher import __version__, schema
from matcher.io.atomic import atomic_write_bytes
from matcher.io.state_store import content_hashes, fingerprint
from matcher.ranking.embedding import Embedder
from matcher.ranking.index import (
    ResumeIndex,
    apply_changes,
    build_index,
    load_index,
    rebuild_reason,
    save_index,
)
from matcher.settings import IndexSettings, LimitSettings
from matcher.text.preprocess import prepare_postings
from matcher.text.texts import posting_texts

#: The posting store's folder inside ``settings.state_dir``.
POSTINGS_DIR = "postings"
PREPARED_FILE = "prepared.parquet"
REJECTS_FILE = "rejects.parquet"
HASH = "content_sha256"


@dataclass
class StoredPostings:
    """Prepared postings, their rejects and the index of their chunk vectors.

    ``counts`` says what the call did: postings prepared afresh and reused, and how the index
    changed (``index``: ``built``, ``updated: +N -M ...`` or ``unchanged``).
    """

    postings: pd.DataFrame
    rejects: pd.DataFrame
    index: ResumeIndex
    counts: dict[str, Any]


def posting_store_dir(state_dir: Path) -> Path:
    """The posting store of the state folder ``state_dir``.

    Example:
        >>> posting_store_dir(Path(".matcher"))
        PosixPath('.matcher/postings')
    """
    return Path(state_dir) / POSTINGS_DIR


def stored_postings(
    raw: pd.DataFrame,
    embedder: Embedder,
    folder: Path,
    limits: LimitSettings | None = None,
    index_settings: IndexSettings | None = None,
) -> StoredPostings:
    """Prepare and index ``raw`` postings, doing only what ``folder`` does not hold yet.

    Args:
        raw: Postings as loaded (:func:`matcher.io.loading.load_postings`).
        embedder: Embeds the chunks of new and changed postings (through its cache).
        folder: The posting store (:func:`posting_store_dir`); the caller holds its lock.
        limits: As for :func:`matcher.text.preprocess.prepare_postings`.
        index_settings: When the index becomes approximate; the defaults if None.

    Returns:
        The prepared postings in the order of ``raw`` (rejects apart), as
        :func:`~matcher.text.preprocess.prepare_postings` would give them, and their index.
    """
    limits = limits or LimitSettings()
    index_settings = index_settings or IndexSettings()
    salt = fingerprint({"limits": limits.model_dump(mode="json"), "matcher": __version__})
    hashes = {  # the ID counts too: two postings may have the same text
        job_id: fingerprint([job_id, digest, salt])
        for job_id, digest in content_hashes(raw, "posting").items()
    }
    postings, rejects, prepared = _prepare(raw, hashes, folder, limits)
    index, change = _index(postings, embedder, folder, index_settings)
    return StoredPostings(
        postings.drop(columns=[HASH]),
        rejects.drop(columns=[HASH]),
        index,
        {"prepared": prepared, "reused": len(raw) - prepared, "index": change},
    )


def _read(path: Path) -> pd.DataFrame | None:
    return pd.read_parquet(path) if path.is_file() else None


def _write(frame: pd.DataFrame, path: Path) -> None:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    atomic_write_bytes(path, buffer.getvalue())


def _prepare(
    raw: pd.DataFrame, hashes: dict[str, str], folder: Path, limits: LimitSettings
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Prepared postings and rejects of ``raw``, reusing the stored ones with the same hash."""
    ids = raw[schema.JOB_ID].astype(str)
    wanted = set(hashes.values())
    kept_postings: list[pd.DataFrame] = []
    kept_rejects: list[pd.DataFrame] = []
    stored_rows = 0
    for name, kept in ((PREPARED_FILE, kept_postings), (REJECTS_FILE, kept_rejects)):
        stored = _read(folder / name)
        if stored is not None:
            kept.append(stored[stored[HASH].isin(wanted)])
            stored_rows += len(stored)
    known = {h for frame in kept_postings + kept_rejects for h in frame[HASH]}
    fresh_raw = raw[[hashes[i] not in known for i in ids]]
    fresh, fresh_rejects = prepare_postings(fresh_raw, limits)
    fresh = fresh.assign(**{HASH: [hashes[i] for i in fresh[schema.JOB_ID].astype(str)]})
    fresh_rejects = fresh_rejects.assign(
        **{HASH: [hashes[i] for i in fresh_rejects["record_id"].astype(str)]}
    )
    order = {h: n for n, h in enumerate(hashes[i] for i in ids)}
    postings = _in_order(pd.concat([*kept_postings, fresh], ignore_index=True), order)
    rejects = _in_order(pd.concat([*kept_rejects, fresh_rejects], ignore_index=True), order)
    if len(fresh_raw) or len(postings) + len(rejects) != stored_rows:  # new, or some withdrawn
        folder.mkdir(parents=True, exist_ok=True)
        _write(postings, folder / PREPARED_FILE)
        _write(rejects, folder / REJECTS_FILE)
    return postings, rejects, len(fresh_raw)


def _in_order(frame: pd.DataFrame, order: dict[str, int]) -> pd.DataFrame:
    """One row per input posting present in ``frame``, in input order."""
    frame = frame.drop_duplicates(HASH)
    return frame.iloc[frame[HASH].map(order).argsort(kind="stable")].reset_index(drop=True)


def _index(
    postings: pd.DataFrame, embedder: Embedder, folder: Path, settings: IndexSettings
) -> tuple[ResumeIndex, str]:
    """The index of the postings' chunk vectors, updated in place or built; and what was done."""
    key = fingerprint(
        [embedder.model_id, embedder.max_tokens, embedder.chunk_overlap, settings.model_dump()]
    )[:16]
    directory = folder / f"index-{key}"
    hashes = dict(zip(postings[schema.JOB_ID].astype(str), postings[HASH], strict=True))
    try:
        index = load_index(directory, expected_model=embedder.model_id)
    except (FileNotFoundError, ValueError):
        index = None
    if index is not None:
        removed = {i for i, h in index.resume_hashes.items() if hashes.get(i) != h}
        added = [n for n, (i, h) in enumerate(hashes.items()) if index.resume_hashes.get(i) != h]
        chunks = embedder.embed_documents(
            [postings[schema.JOB_ID].astype(str).iloc[n] for n in added],
            posting_texts(postings.iloc[added]),
        )
        removed_chunks = sum(rid in removed for rid in index.chunk_resume_ids)
        size = int(index.index.ntotal) - removed_chunks + len(chunks.vectors)
        if rebuild_reason(index, size, settings) is None:
            change = apply_changes(index, removed, chunks.vectors, chunks.doc_ids, hashes)
            if change.empty:
                return index, "unchanged"
            save_index(index, directory)
            return index, str(change)
    chunks = embedder.embed_documents(
        postings[schema.JOB_ID].astype(str).tolist(), posting_texts(postings)
    )
    index = build_index(chunks.vectors, chunks.doc_ids, embedder.model_id, settings)
    index.resume_hashes = {i: hashes[i] for i in index.resume_hashes}
    save_index(index, directory)
    return index, "built"
