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

* ``ranker-<key>.pkl``: with a requirement ranker, what it reads from each posting whatever
  the resume (:class:`matcher.ranking.posting_side.PostingSide`: profile, text without
  boilerplate, dense vector) by content hash, and the vectors of the texts it embeds for them
  (requirement lines, title, skills, subjects) by text hash; one file per parser, model and
  chunking.

A call prepares only the postings whose content hash it has not seen, embeds, indexes and
reads for the ranker only those, and removes withdrawn and changed ones from the index in
place (:func:`matcher.ranking.index.apply_changes`) and from the ranker's file; a second call
against the same postings parses and embeds none, and hands the ranker the candidates' sides
(:func:`matcher.ranking.posting_side.prime_ranker`) instead of reading them again.

A call whose postings and store files are those of the previous call in this process (a
notebook) returns what that call loaded, without reading the files again.
"""

from __future__ import annotations

import io
import pickle
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from matcher import schema
from matcher.io.atomic import atomic_write_bytes
from matcher.io.state_store import content_hashes, fingerprint
from matcher.io.unchanged_rerun import source_fingerprint
from matcher.ranking.embedding import Embedder
from matcher.ranking.index import (
    ResumeIndex,
    apply_changes,
    build_index,
    load_index,
    rebuild_reason,
    save_index,
)
from matcher.ranking.posting_side import PostingSides, read_posting_sides
from matcher.ranking.rankers import Ranker
from matcher.ranking.requirement_ranker import RequirementRanker
from matcher.settings import IndexSettings, LimitSettings
from matcher.text.preprocess import prepare_postings
from matcher.text.texts import posting_texts

#: The posting store's folder inside ``settings.state_dir``.
POSTINGS_DIR = "postings"
PREPARED_FILE = "prepared.parquet"
REJECTS_FILE = "rejects.parquet"
HASH = "content_sha256"
#: Stores loaded in this process, newest last: (memo key, files' signature, what was loaded).
_LOADED: list[tuple[str, tuple[tuple[str, int, int], ...], StoredPostings]] = []
_LOADED_KEPT = 2


@dataclass
class StoredPostings:
    """Prepared postings, their rejects and the index of their chunk vectors.

    ``counts`` says what the call did: postings prepared afresh and reused, how the index
    changed (``index``: ``built``, ``updated: +N -M ...`` or ``unchanged``), with a
    requirement ranker how many postings it read afresh (``ranker_read``), and whether the
    store was taken from memory (``loaded``: ``memory`` or ``files``).

    ``sides`` is what the requirement ranker reads from the postings
    (:func:`matcher.ranking.posting_side.prime_ranker`); empty without one.
    """

    postings: pd.DataFrame
    rejects: pd.DataFrame
    index: ResumeIndex
    counts: dict[str, Any]
    sides: PostingSides = field(default_factory=PostingSides)


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
    ranker: Ranker | None = None,
) -> StoredPostings:
    """Prepare and index ``raw`` postings, doing only what ``folder`` does not hold yet.

    Args:
        raw: Postings as loaded (:func:`matcher.io.loading.load_postings`).
        embedder: Embeds the chunks of new and changed postings (through its cache).
        folder: The posting store (:func:`posting_store_dir`); the caller holds its lock.
        limits: As for :func:`matcher.text.preprocess.prepare_postings`.
        index_settings: When the index becomes approximate; the defaults if None.
        ranker: The ranker that will score the postings; a requirement ranker's reading of
            each posting is kept too (``sides``).

    Returns:
        The prepared postings in the order of ``raw`` (rejects apart), as
        :func:`~matcher.text.preprocess.prepare_postings` would give them, and their index.
    """
    limits = limits or LimitSettings()
    index_settings = index_settings or IndexSettings()
    # Matcher's code, not only its version: a change to the cleaning keeps no stale posting.
    salt = fingerprint({"limits": limits.model_dump(mode="json"), "matcher": source_fingerprint()})
    hashes = {  # the ID counts too: two postings may have the same text
        job_id: fingerprint([job_id, digest, salt])
        for job_id, digest in content_hashes(raw, "posting").items()
    }
    reader = ranker if isinstance(ranker, RequirementRanker) else None
    memo_key = fingerprint(
        [
            str(Path(folder).resolve()),
            hashes,
            _index_key(embedder, index_settings),
            None if reader is None else _sides_key(reader),
        ]
    )
    for key, signature, loaded in _LOADED:
        if key == memo_key and signature == _signature(folder):
            done: dict[str, Any] = {"prepared": 0, "reused": len(raw), "index": "unchanged"}
            if reader is not None:
                done["ranker_read"] = 0
            return replace(loaded, counts={**done, "loaded": "memory"})
    postings, rejects, prepared = _prepare(raw, hashes, folder, limits)
    index, change = _index(postings, embedder, folder, index_settings)
    counts: dict[str, Any] = {"prepared": prepared, "reused": len(raw) - prepared, "index": change}
    sides = PostingSides()
    if reader is not None:
        sides, counts["ranker_read"] = _sides(postings, reader, folder)
    stored = StoredPostings(
        postings.drop(columns=[HASH]),
        rejects.drop(columns=[HASH]),
        index,
        {**counts, "loaded": "files"},
        sides,
    )
    _LOADED[:] = [entry for entry in _LOADED if entry[0] != memo_key][-(_LOADED_KEPT - 1) :]
    _LOADED.append((memo_key, _signature(folder), stored))
    return stored


def forget_stores() -> None:
    """Forget the stores loaded in this process: the next call reads the files, as a new
    process would."""
    _LOADED.clear()


def _signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Every file of the store with its modification time and size: what tells a changed store."""
    files = sorted(path for path in Path(folder).rglob("*") if path.is_file())
    return tuple((str(path), path.stat().st_mtime_ns, path.stat().st_size) for path in files)


def _sides_key(ranker: RequirementRanker) -> str:
    """What a posting side depends on besides the posting: the parser, the dense view, the
    embedding model and its chunking."""
    embedder = ranker.dense.embedder
    return fingerprint(
        [
            ranker.parser_version(),
            ranker.dense.params(),
            embedder.model_id,
            embedder.max_tokens,
            embedder.chunk_overlap,
        ]
    )[:16]


def _sides(
    postings: pd.DataFrame, ranker: RequirementRanker, folder: Path
) -> tuple[PostingSides, int]:
    """The ranker's side of every posting by job ID, and how many postings were read afresh;
    the store's file is updated when any was read or withdrawn.

    The file holds each side pickled apart, by content hash, with the text hashes it uses,
    and the vectors of those texts as one matrix: a call unpickles only the sides of its
    candidates.
    """
    path = folder / f"ranker-{_sides_key(ranker)}.pkl"
    pickled: dict[str, bytes] = {}
    uses: dict[str, tuple[str, ...]] = {}
    keys: list[str] = []
    matrix: np.ndarray = np.zeros((0, 0), np.float32)
    if path.is_file():
        with path.open("rb") as file:
            pickled, uses, keys, matrix = pickle.load(file)  # our own file in our state folder
    vectors = dict(zip(keys, matrix, strict=True))
    wanted = postings[HASH].tolist()
    fresh = [n for n, digest in enumerate(wanted) if digest not in pickled]
    if fresh:
        read, read_vectors = read_posting_sides(ranker, postings.iloc[fresh].drop(columns=[HASH]))
        for n, side in zip(fresh, read, strict=True):
            pickled[wanted[n]] = pickle.dumps(side, protocol=pickle.HIGHEST_PROTOCOL)
            uses[wanted[n]] = side.text_hashes
        vectors = {**vectors, **read_vectors}
    if fresh or len(pickled) != len(set(wanted)):  # new, or some withdrawn
        pickled = {digest: pickled[digest] for digest in wanted}
        uses = {digest: uses[digest] for digest in wanted}
        used = {key for keys in uses.values() for key in keys}
        keys = [key for key in vectors if key in used]
        matrix = np.array([vectors[key] for key in keys] or np.zeros((0, 0)), np.float32)
        folder.mkdir(parents=True, exist_ok=True)
        data = pickle.dumps((pickled, uses, keys, matrix), protocol=pickle.HIGHEST_PROTOCOL)
        atomic_write_bytes(path, data)
    ids = postings[schema.JOB_ID].astype(str).tolist()
    by_job = {job_id: pickled[digest] for job_id, digest in zip(ids, wanted, strict=True)}
    return PostingSides(by_job, keys, matrix), len(fresh)


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
    directory = folder / f"index-{_index_key(embedder, settings)}"
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


def _index_key(embedder: Embedder, settings: IndexSettings) -> str:
    """What the index depends on besides the postings: the model, its chunking, the settings."""
    return fingerprint(
        [embedder.model_id, embedder.max_tokens, embedder.chunk_overlap, settings.model_dump()]
    )[:16]
