"""A FAISS index over resume chunk vectors, with its string-ID map and metadata.

The index fits the size (:class:`matcher.settings.IndexSettings`): up to
``index.exact_max_vectors`` vectors it is exact (``IndexFlatIP``); past it, an inverted-file
index (``IndexIVFFlat``, about ``sqrt(n)`` lists trained by spherical k-means on a sample)
whose ``nprobe`` is tuned at build time: doubled until recall@``recall_k`` against exact search,
measured on a sample of indexed vectors used as queries, reaches ``target_recall``. The tuning
and the recall reached are recorded in the metadata. Both kinds hold the raw float32 vectors,
so memory is about ``dimension * 4`` bytes a vector (1.5 GB per million 384-d vectors) plus 8
bytes of list ID a vector for IVF. Searching with ``k=None`` (every resume scored) is exact for
both: an IVF index then probes all its lists.

FAISS stores int64 IDs (an exact index is an ``IndexIDMap2`` around the ``IndexFlatIP``; an
IVF index keeps IDs itself). The string ``resume_id`` of each FAISS ID is saved beside the index
in ``ids.json`` (``null`` for an ID whose vector was removed); ``resumes.json`` holds the SHA-256
of each resume's chunk vectors, so :func:`update_in_place` can add new resumes and remove withdrawn
and changed ones in place instead of building the index again; ``meta.json`` records the model,
the dimension, the counts, the build time, the last update and the SHA-256 of the other files,
so a loaded index can be checked against the model about to query it, and an ``index.faiss``
that does not belong to its ``ids.json`` (a copy, an interrupted save) is refused instead of
silently changing scores.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from matcher.io.atomic import atomic_write_bytes, atomic_write_text
from matcher.settings import IndexSettings

INDEX_FILE = "index.faiss"
IDS_FILE = "ids.json"
RESUMES_FILE = "resumes.json"
META_FILE = "meta.json"
#: Keys of ``meta.json`` holding the SHA-256 of the vectors, the ID map and the resume hashes.
CHECKSUM_KEYS = {
    INDEX_FILE: "index_sha256",
    IDS_FILE: "ids_sha256",
    RESUMES_FILE: "resumes_sha256",
}
#: An index whose removed IDs outnumber this share of its vectors is built again, compact.
MAX_REMOVED_SHARE = 0.5
#: An IVF index is trained again once it holds this many times more (or fewer) vectors than
#: it was trained on: its lists and ``nprobe`` were fitted to the vectors of its build.
IVF_MAX_GROWTH = 2.0


@dataclass
class ResumeIndex:
    """Chunk vectors of resumes in an inner-product index (exact, or IVF past a size).

    Vectors are unit length, so inner product is cosine similarity.
    """

    index: faiss.Index
    #: The resume of each FAISS ID; None for an ID whose vector was removed.
    chunk_resume_ids: list[str | None]
    meta: dict[str, Any] = field(default_factory=dict)
    #: SHA-256 of each resume's chunk vectors (:func:`vector_hashes`); empty for an index
    #: saved before in-place updates, which is then built again rather than updated.
    resume_hashes: dict[str, str] = field(default_factory=dict)

    @property
    def resume_ids(self) -> list[str]:
        """Distinct resume IDs in first-seen order."""
        return [rid for rid in dict.fromkeys(self.chunk_resume_ids) if rid is not None]

    def search(self, queries: np.ndarray, k: int | None = None) -> dict[int, dict[str, float]]:
        """Best chunk similarity of each resume for each query row.

        Args:
            queries: float32 unit vectors, one query a row.
            k: Chunks to retrieve per query, approximately past ``index.exact_max_vectors``;
                all chunks (exact, every resume scored) if None.

        Returns:
            ``{query_row: {resume_id: max cosine over that resume's chunks}}``.
        """
        total = self.index.ntotal
        if total == 0 or len(queries) == 0:
            return {row: {} for row in range(len(queries))}
        scores, positions = self.search_chunks(queries, k)
        names, codes = self.document_codes()
        results: dict[int, dict[str, float]] = {}
        for row in range(len(queries)):
            documents, values = best_per_document(codes, positions[row], scores[row])
            results[row] = dict(
                zip([names[code] for code in documents.tolist()], values.tolist(), strict=True)
            )
        return results

    def document_codes(self) -> tuple[list[str], np.ndarray]:
        """The distinct resume IDs, sorted, and each FAISS ID's position among them (-1 for a
        removed vector): integer codes that sort as the IDs do."""
        ids = self.chunk_resume_ids
        names = sorted({rid for rid in ids if rid is not None})
        code_of = {name: code for code, name in enumerate(names)}
        codes = np.fromiter(
            (-1 if rid is None else code_of[rid] for rid in ids), dtype=np.int64, count=len(ids)
        )
        return names, codes

    def search_chunks(
        self, queries: np.ndarray, k: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """FAISS's raw answer: the ``k`` best chunk scores and positions of each query row.

        Positions are FAISS IDs, which index :attr:`chunk_resume_ids`; -1 marks a slot an IVF
        search left empty.
        ``k=None`` searches all chunks exactly.
        """
        exact = k is None
        k = self.index.ntotal if k is None else min(k, self.index.ntotal)
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if exact and isinstance(self.index, faiss.IndexIVF):
            scores, positions = self.index.search(queries, k, params=probing(self.index.nlist))
        else:
            scores, positions = self.index.search(queries, k)
        return np.asarray(scores), np.asarray(positions)


def best_per_document(
    codes: np.ndarray, positions: np.ndarray, scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each document's best score among some hits of :meth:`ResumeIndex.search_chunks`: the
    documents' codes (:meth:`ResumeIndex.document_codes`, ascending) and their best values.

    Hits are reduced with array operations, not a dictionary entry each: stage 1 of 1,000
    postings reads some 50 million. Empty slots of an IVF search (-1) and removed vectors
    are left out.

    Example:
        >>> codes = np.array([0, 1, -1, 0])
        >>> best_per_document(codes, np.array([3, 1, 2, 0, -1]), np.array([.9, .8, .7, .6, 0]))
        (array([0, 1]), array([0.9, 0.8]))
    """
    found = np.ravel(positions)
    values = np.ravel(scores)
    live = found >= 0
    documents, values = codes[found[live]], values[live]
    live = documents >= 0
    documents, values = documents[live], values[live]
    # Sorted by document, then value descending: each document's first is its best.
    order = np.lexsort((-values, documents))
    documents, values = documents[order], values[order]
    first = np.ones(len(documents), dtype=bool)
    first[1:] = documents[1:] != documents[:-1]
    return documents[first], values[first]


def build_index(
    vectors: np.ndarray,
    chunk_resume_ids: list[str],
    model_id: str,
    settings: IndexSettings | None = None,
) -> ResumeIndex:
    """Build a FAISS inner-product index over chunk vectors, exact or IVF by their number.

    Args:
        vectors: float32 unit vectors, one chunk a row.
        chunk_resume_ids: The resume each row belongs to.
        model_id: The embedding model's fingerprint, stored in the metadata.
        settings: The size threshold and the recall an approximate index is tuned for;
            the defaults if None.

    Raises:
        ValueError: If the vectors and IDs disagree in length.
    """
    if len(vectors) != len(chunk_resume_ids):
        raise ValueError(f"{len(vectors)} vectors but {len(chunk_resume_ids)} ids")
    settings = settings or IndexSettings()
    dim = int(vectors.shape[1]) if vectors.ndim == 2 else 0
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    started = time.perf_counter()
    meta: dict[str, Any] = {
        "model": model_id,
        "dimension": dim,
        "chunks": len(vectors),
        "resumes": len(set(chunk_resume_ids)),
        "exact_max_vectors": settings.exact_max_vectors,
    }
    index: faiss.Index
    if len(vectors) <= settings.exact_max_vectors:
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        if len(vectors):
            index.add_with_ids(vectors, np.arange(len(vectors), dtype=np.int64))
        meta.update(index_type="IndexFlatIP", id_map="IndexIDMap2")
    else:
        index, tuning = _build_ivf(vectors, settings)
        meta.update(index_type="IndexIVFFlat", trained_vectors=len(vectors), **tuning)
    meta["index_settings"] = settings.model_dump(mode="json")
    meta["built_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    meta["build_seconds"] = round(time.perf_counter() - started, 4)
    meta["updates_since_build"] = 0
    meta["last_update"] = f"built: {len(vectors)} chunks"
    ids: list[str | None] = list(chunk_resume_ids)
    return ResumeIndex(index, ids, meta, vector_hashes(vectors, chunk_resume_ids))


def vector_hashes(vectors: np.ndarray, chunk_resume_ids: list[str]) -> dict[str, str]:
    """SHA-256 of each resume's chunk vectors, in chunk order: what tells a changed resume.

    Example:
        >>> v = np.eye(3, dtype=np.float32)
        >>> vector_hashes(v, ["a", "b", "a"]) == vector_hashes(v[[0, 2, 1]], ["a", "a", "b"])
        True
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    digests: dict[str, Any] = {}
    for row, rid in enumerate(chunk_resume_ids):
        digests.setdefault(rid, hashlib.sha256()).update(vectors[row].tobytes())
    return {rid: digest.hexdigest() for rid, digest in digests.items()}


@dataclass(frozen=True)
class IndexChanges:
    """What :func:`update_in_place` did: resumes and chunk vectors added and removed."""

    added_resumes: int
    removed_resumes: int
    added_chunks: int
    removed_chunks: int

    def __str__(self) -> str:
        return (
            f"updated: +{self.added_resumes} -{self.removed_resumes} resumes"
            f" (+{self.added_chunks} -{self.removed_chunks} chunks)"
        )

    @property
    def empty(self) -> bool:
        """Whether nothing was added or removed."""
        return not (self.added_chunks or self.removed_chunks)


def rebuild_reason(
    resume_index: ResumeIndex, n_vectors: int, settings: IndexSettings | None = None
) -> str | None:
    """Why ``resume_index`` cannot be updated in place to hold ``n_vectors``, or None if it can.

    It is built again when it predates in-place updates, when the index settings changed, when
    the size rule now asks for the other kind of index, when an IVF index has grown or shrunk
    past :data:`IVF_MAX_GROWTH` times the vectors it was trained on, or when its removed IDs
    outnumber :data:`MAX_REMOVED_SHARE` of its vectors.
    """
    settings = settings or IndexSettings()
    meta, index = resume_index.meta, resume_index.index
    exact = isinstance(index, faiss.IndexIDMap2)
    if not resume_index.resume_hashes or not (exact or isinstance(index, faiss.IndexIVF)):
        return "the index was saved by an older matcher (no ID map or resume hashes)"
    if meta.get("index_settings") != settings.model_dump(mode="json"):
        return "the index settings changed"
    if exact != (n_vectors <= settings.exact_max_vectors):
        return f"{n_vectors} vectors need {'an exact' if not exact else 'an IVF'} index"
    trained = int(meta.get("trained_vectors", 0))
    if not exact and not trained / IVF_MAX_GROWTH <= n_vectors <= trained * IVF_MAX_GROWTH:
        return f"the IVF index was trained on {trained} vectors, {n_vectors} now"
    live = index.ntotal
    if len(resume_index.chunk_resume_ids) - live > MAX_REMOVED_SHARE * max(live, 1):
        return "removed vectors outnumber half the ones kept: built again, compact"
    return None


def update_in_place(
    resume_index: ResumeIndex, vectors: np.ndarray, chunk_resume_ids: list[str]
) -> IndexChanges:
    """Update ``resume_index`` in place to hold exactly ``vectors``: add, remove, keep.

    Resumes absent from ``chunk_resume_ids`` (withdrawn) or whose chunk vectors differ from the
    indexed ones (changed) lose their vectors; new and changed resumes get theirs under fresh
    IDs; the vectors of every other resume stay where they are. Searching the updated index
    gives what searching an index built from ``vectors`` gives. Check
    :func:`rebuild_reason` first.

    Raises:
        ValueError: If the vectors and IDs disagree in length or in dimension with the index.
    """
    if len(vectors) != len(chunk_resume_ids):
        raise ValueError(f"{len(vectors)} vectors but {len(chunk_resume_ids)} ids")
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    wanted = vector_hashes(vectors, chunk_resume_ids)
    kept = resume_index.resume_hashes
    removed = {rid for rid, digest in kept.items() if wanted.get(rid) != digest}
    added = {rid: digest for rid, digest in wanted.items() if kept.get(rid) != digest}
    rows = [row for row, rid in enumerate(chunk_resume_ids) if rid in added]
    return apply_changes(
        resume_index, removed, vectors[rows], [chunk_resume_ids[row] for row in rows], added
    )


def apply_changes(
    resume_index: ResumeIndex,
    removed: Collection[str],
    vectors: np.ndarray,
    chunk_resume_ids: list[str],
    hashes: Mapping[str, str],
) -> IndexChanges:
    """Remove the vectors of the documents ``removed``, then add ``vectors`` under fresh IDs.

    The lower step of :func:`update_in_place`, for callers that know what changed without
    the vectors of what did not (the posting store of :mod:`matcher.ranking.posting_store`
    keys its documents by content hash).

    Args:
        resume_index: The index to change.
        removed: Documents whose vectors go (withdrawn or changed).
        vectors: The chunk vectors of the documents added (new or changed).
        chunk_resume_ids: The document of each of ``vectors``.
        hashes: The hash :attr:`ResumeIndex.resume_hashes` keeps for each added document.

    Raises:
        ValueError: If the vectors and IDs disagree in length or in dimension with the index,
            or an added document has no hash.
    """
    if len(vectors) != len(chunk_resume_ids):
        raise ValueError(f"{len(vectors)} vectors but {len(chunk_resume_ids)} ids")
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if len(vectors) and vectors.shape[1] != resume_index.index.d:
        raise ValueError(f"vectors of dimension {vectors.shape[1]}, index {resume_index.index.d}")
    added = set(chunk_resume_ids)
    if added - hashes.keys():
        raise ValueError(f"no hash for {sorted(added - hashes.keys())[:3]}")
    kept = resume_index.resume_hashes
    removed = set(removed) & kept.keys()
    ids = resume_index.chunk_resume_ids
    gone = np.asarray([i for i, rid in enumerate(ids) if rid in removed], dtype=np.int64)
    if len(gone):
        resume_index.index.remove_ids(faiss.IDSelectorBatch(len(gone), faiss.swig_ptr(gone)))
        for position in gone:
            ids[position] = None
    if len(vectors):
        fresh = np.arange(len(ids), len(ids) + len(vectors), dtype=np.int64)
        resume_index.index.add_with_ids(vectors, fresh)
        ids.extend(chunk_resume_ids)
    for rid in removed:
        del kept[rid]
    kept.update((rid, hashes[rid]) for rid in added)
    changes = IndexChanges(len(added), len(removed), len(vectors), len(gone))
    if not changes.empty:
        meta = resume_index.meta
        meta["chunks"] = int(resume_index.index.ntotal)
        meta["resumes"] = len(kept)
        meta["updated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        meta["updates_since_build"] = int(meta.get("updates_since_build", 0)) + 1
        meta["last_update"] = str(changes)
    return changes


def _build_ivf(
    vectors: np.ndarray, settings: IndexSettings
) -> tuple[faiss.IndexIVF, dict[str, Any]]:
    """Train an IVF index on ``vectors``, add them, and tune ``nprobe`` to the target recall."""
    n, dim = vectors.shape
    # About sqrt(n) lists, each trained on at least 39 points (FAISS's own minimum advice).
    nlist = max(1, min(round(np.sqrt(n)), n // 39))
    rng = np.random.default_rng(0)  # a fixed sample: the same vectors give the same index
    training = vectors[np.sort(rng.choice(n, size=min(n, 64 * nlist), replace=False))]
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
    index.cp.spherical = True  # unit vectors: centroids are re-normalised after each step
    index.cp.niter = 10
    index.train(training)
    n_training = len(training)
    del training  # 64 vectors a list: 0.1 GB at a million
    _add_reserved(index, vectors)
    queries = vectors[np.sort(rng.choice(n, size=min(n, settings.tuning_queries), replace=False))]
    k = min(settings.recall_k, n)
    _, exact = faiss.knn(queries, vectors, k, metric=faiss.METRIC_INNER_PRODUCT)
    nprobe = 1
    while True:
        _, found = index.search(queries, k, params=probing(nprobe))
        recall = recall_at_k(np.asarray(found), np.asarray(exact))
        if recall >= settings.target_recall or nprobe >= nlist:
            break
        nprobe = min(2 * nprobe, nlist)
    index.nprobe = nprobe
    return index, {
        "nlist": nlist,
        "nprobe": nprobe,
        "training_vectors": n_training,
        "recall_k": k,
        "recall_at_k": round(recall, 4),
        "target_recall": settings.target_recall,
        "recall_queries": len(queries),
    }


def _add_reserved(index: faiss.IndexIVF, vectors: np.ndarray) -> None:
    """Add ``vectors`` to the trained, empty ``index`` with each list's storage sized to fit.

    ``index.add`` appends to the lists a vector at a time, and each list's buffer grows by
    doubling, so up to twice a list's bytes end up allocated (0.4 GB more in all at a million
    384-d vectors, ``benchmarks/bench_stage1.py``). Here the vectors are assigned to their
    lists first, each list is sized to its count (a resize up then down keeps that capacity),
    and they are added with that assignment, which is the one ``add`` computes: the same
    index, in the same order.
    """
    _, assigned = index.quantizer.search(vectors, 1)
    assigned = np.ascontiguousarray(assigned.ravel(), dtype=np.int64)
    lists = index.invlists and faiss.downcast_InvertedLists(index.invlists)
    if isinstance(lists, faiss.ArrayInvertedLists):
        sizes = np.bincount(assigned[assigned >= 0], minlength=index.nlist)
        for list_no in np.flatnonzero(sizes).tolist():
            lists.resize(list_no, int(sizes[list_no]))
            lists.resize(list_no, 0)
    index.add_core(len(vectors), faiss.swig_ptr(vectors), None, faiss.swig_ptr(assigned))


def probing(nprobe: int) -> faiss.SearchParametersIVF:
    """Search parameters of an IVF index that probe ``nprobe`` lists."""
    params = faiss.SearchParametersIVF()
    params.nprobe = nprobe
    return params


def recall_at_k(found: np.ndarray, exact: np.ndarray) -> float:
    """Mean share of each row's exact top-k positions that ``found`` holds too.

    Example:
        >>> recall_at_k(np.array([[1, 2], [3, -1]]), np.array([[2, 1], [3, 4]]))
        0.75
    """
    hits = [
        len(set(f[f >= 0].tolist()) & set(e.tolist())) for f, e in zip(found, exact, strict=True)
    ]
    return float(np.sum(hits) / exact.size) if exact.size else 1.0


def save_index(resume_index: ResumeIndex, directory: Path) -> Path:
    """Write the index, its ID map, resume hashes and metadata into ``directory``, atomically.

    Each file is replaced atomically and ``meta.json`` last; the metadata
    (``resume_index.meta`` too) gains the checksums of the other files, so a reader that
    catches the folder between two files refuses it rather than mixing two versions.
    """
    directory.mkdir(parents=True, exist_ok=True)
    contents = {
        INDEX_FILE: faiss.serialize_index(resume_index.index).tobytes(),
        IDS_FILE: json.dumps(resume_index.chunk_resume_ids).encode(),
        RESUMES_FILE: json.dumps(resume_index.resume_hashes, sort_keys=True).encode(),
    }
    for name, data in contents.items():
        resume_index.meta[CHECKSUM_KEYS[name]] = hashlib.sha256(data).hexdigest()
        atomic_write_bytes(directory / name, data)
    atomic_write_text(directory / META_FILE, json.dumps(resume_index.meta, indent=2))
    return directory


def load_index(directory: Path, expected_model: str | None = None) -> ResumeIndex:
    """Load an index saved by :func:`save_index`.

    Args:
        directory: The folder holding the files.
        expected_model: If given, the model fingerprint the index must have been built with.

    Raises:
        FileNotFoundError: If a file is missing.
        ValueError: If the files disagree (in count or with the checksums of ``meta.json``) or
            the model differs from ``expected_model``.
    """
    for name in (INDEX_FILE, IDS_FILE, META_FILE):
        if not (directory / name).is_file():
            raise FileNotFoundError(f"index file missing: {directory / name}")
    try:
        meta = json.loads((directory / META_FILE).read_text())
    except ValueError as error:
        raise ValueError(f"{directory}: unreadable {META_FILE} ({error})") from error
    if not isinstance(meta, dict):
        raise ValueError(f"{directory}: {META_FILE} is not a JSON object")
    names = [INDEX_FILE, IDS_FILE]
    if CHECKSUM_KEYS[RESUMES_FILE] in meta:  # absent from indexes saved before updates
        names.append(RESUMES_FILE)
        if not (directory / RESUMES_FILE).is_file():
            raise FileNotFoundError(f"index file missing: {directory / RESUMES_FILE}")
    contents = {name: (directory / name).read_bytes() for name in names}
    # Checked before FAISS reads the bytes: a foreign or damaged file is never deserialised.
    for name, data in contents.items():
        if meta.get(CHECKSUM_KEYS[name]) != hashlib.sha256(data).hexdigest():
            raise ValueError(
                f"{directory}: {name} does not match the checksum in {META_FILE}"
                " (copied from another index, an interrupted save, or an older matcher)"
            )
    ids = json.loads(contents[IDS_FILE])
    hashes = json.loads(contents.get(RESUMES_FILE, b"{}"))
    index = faiss.deserialize_index(np.frombuffer(contents[INDEX_FILE], dtype=np.uint8))
    live = sum(rid is not None for rid in ids)
    if index.ntotal != live:
        raise ValueError(f"{directory}: index holds {index.ntotal} vectors but {live} ids")
    if expected_model is not None and meta.get("model") != expected_model:
        raise ValueError(
            f"{directory}: index built with model {meta.get('model')}, not {expected_model}"
        )
    return ResumeIndex(index, ids, meta, hashes)
