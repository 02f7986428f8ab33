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

FAISS stores int64 positions; the string ``resume_id`` of each position is saved beside the
index in ``ids.json``, and ``meta.json`` records the model, the dimension, the counts, the build
time and the SHA-256 of the other two files, so a loaded index can be checked against the model
about to query it, and an ``index.faiss`` that does not belong to its ``ids.json`` (a copy, an
interrupted save) is refused instead of silently changing scores.
"""

from __future__ import annotations

import hashlib
import json
import time
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
META_FILE = "meta.json"
#: Keys of ``meta.json`` holding the SHA-256 of the vectors and of the ID map.
CHECKSUM_KEYS = {INDEX_FILE: "index_sha256", IDS_FILE: "ids_sha256"}


@dataclass
class ResumeIndex:
    """Chunk vectors of resumes in an inner-product index (exact, or IVF past a size).

    Vectors are unit length, so inner product is cosine similarity.
    """

    index: faiss.Index
    chunk_resume_ids: list[str]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def resume_ids(self) -> list[str]:
        """Distinct resume IDs in first-seen order."""
        return list(dict.fromkeys(self.chunk_resume_ids))

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
        results: dict[int, dict[str, float]] = {}
        for row in range(len(queries)):
            best: dict[str, float] = {}
            for score, position in zip(scores[row], positions[row], strict=True):
                if position < 0:
                    continue
                rid = self.chunk_resume_ids[position]
                if rid not in best:  # results come sorted, so the first hit is the maximum
                    best[rid] = float(score)
            results[row] = best
        return results

    def search_chunks(
        self, queries: np.ndarray, k: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """FAISS's raw answer: the ``k`` best chunk scores and positions of each query row.

        Positions index :attr:`chunk_resume_ids`; -1 marks a slot an IVF search left empty.
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
        index = faiss.IndexFlatIP(dim)
        if len(vectors):
            index.add(vectors)
        meta["index_type"] = "IndexFlatIP"
    else:
        index, tuning = _build_ivf(vectors, settings)
        meta.update(index_type="IndexIVFFlat", **tuning)
    meta["built_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    meta["build_seconds"] = round(time.perf_counter() - started, 4)
    return ResumeIndex(index, list(chunk_resume_ids), meta)


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
    index.add(vectors)
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
        "training_vectors": len(training),
        "recall_k": k,
        "recall_at_k": round(recall, 4),
        "target_recall": settings.target_recall,
        "recall_queries": len(queries),
    }


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
    """Write the index, its ID map and metadata into ``directory``; each file atomically.

    The metadata (``resume_index.meta`` too) gains the checksums of the other two files.
    """
    directory.mkdir(parents=True, exist_ok=True)
    contents = {
        INDEX_FILE: faiss.serialize_index(resume_index.index).tobytes(),
        IDS_FILE: json.dumps(resume_index.chunk_resume_ids).encode(),
    }
    for name, data in contents.items():
        resume_index.meta[CHECKSUM_KEYS[name]] = hashlib.sha256(data).hexdigest()
        atomic_write_bytes(directory / name, data)
    atomic_write_text(directory / META_FILE, json.dumps(resume_index.meta, indent=2))
    return directory


def load_index(directory: Path, expected_model: str | None = None) -> ResumeIndex:
    """Load an index saved by :func:`save_index`.

    Args:
        directory: The folder holding the three files.
        expected_model: If given, the model fingerprint the index must have been built with.

    Raises:
        FileNotFoundError: If a file is missing.
        ValueError: If the files disagree (in count or with the checksums of ``meta.json``) or
            the model differs from ``expected_model``.
    """
    for name in (INDEX_FILE, IDS_FILE, META_FILE):
        if not (directory / name).is_file():
            raise FileNotFoundError(f"index file missing: {directory / name}")
    contents = {name: (directory / name).read_bytes() for name in (INDEX_FILE, IDS_FILE)}
    try:
        meta = json.loads((directory / META_FILE).read_text())
    except ValueError as error:
        raise ValueError(f"{directory}: unreadable {META_FILE} ({error})") from error
    if not isinstance(meta, dict):
        raise ValueError(f"{directory}: {META_FILE} is not a JSON object")
    # Checked before FAISS reads the bytes: a foreign or damaged file is never deserialised.
    for name, data in contents.items():
        if meta.get(CHECKSUM_KEYS[name]) != hashlib.sha256(data).hexdigest():
            raise ValueError(
                f"{directory}: {name} does not match the checksum in {META_FILE}"
                " (copied from another index, an interrupted save, or an older matcher)"
            )
    ids = json.loads(contents[IDS_FILE])
    index = faiss.deserialize_index(np.frombuffer(contents[INDEX_FILE], dtype=np.uint8))
    if index.ntotal != len(ids):
        raise ValueError(f"{directory}: index holds {index.ntotal} vectors but {len(ids)} ids")
    if expected_model is not None and meta.get("model") != expected_model:
        raise ValueError(
            f"{directory}: index built with model {meta.get('model')}, not {expected_model}"
        )
    return ResumeIndex(index, ids, meta)
