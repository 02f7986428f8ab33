"""A FAISS index over resume chunk vectors, with its string-ID map and metadata.

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

INDEX_FILE = "index.faiss"
IDS_FILE = "ids.json"
META_FILE = "meta.json"
#: Keys of ``meta.json`` holding the SHA-256 of the vectors and of the ID map.
CHECKSUM_KEYS = {INDEX_FILE: "index_sha256", IDS_FILE: "ids_sha256"}


@dataclass
class ResumeIndex:
    """Chunk vectors of resumes in an exact inner-product index.

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
            k: Chunks to retrieve per query; all chunks (exact, every resume scored) if None.

        Returns:
            ``{query_row: {resume_id: max cosine over that resume's chunks}}``.
        """
        total = self.index.ntotal
        k = total if k is None else min(k, total)
        if total == 0 or len(queries) == 0:
            return {row: {} for row in range(len(queries))}
        scores, positions = self.index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
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


def build_index(vectors: np.ndarray, chunk_resume_ids: list[str], model_id: str) -> ResumeIndex:
    """Build an exact FAISS inner-product index over chunk vectors.

    Args:
        vectors: float32 unit vectors, one chunk a row.
        chunk_resume_ids: The resume each row belongs to.
        model_id: The embedding model's fingerprint, stored in the metadata.

    Raises:
        ValueError: If the vectors and IDs disagree in length.
    """
    if len(vectors) != len(chunk_resume_ids):
        raise ValueError(f"{len(vectors)} vectors but {len(chunk_resume_ids)} ids")
    dim = int(vectors.shape[1]) if vectors.ndim == 2 else 0
    started = time.perf_counter()
    index = faiss.IndexFlatIP(dim)
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    meta = {
        "model": model_id,
        "dimension": dim,
        "chunks": int(index.ntotal),
        "resumes": len(set(chunk_resume_ids)),
        "index_type": "IndexFlatIP",
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "build_seconds": round(time.perf_counter() - started, 4),
    }
    return ResumeIndex(index, list(chunk_resume_ids), meta)


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
