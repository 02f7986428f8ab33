from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from matcher.ranking.index import CHECKSUM_KEYS, build_index, load_index, save_index


def _vectors(n: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_search_returns_best_chunk_per_resume() -> None:
    vectors = _vectors(6)
    ids = ["a", "a", "b", "b", "c", "c"]
    index = build_index(vectors, ids, "m")
    results = index.search(vectors[[3]])[0]
    assert set(results) == {"a", "b", "c"}
    assert results["b"] == pytest.approx(1.0, abs=1e-5)
    expected_a = max(vectors[0] @ vectors[3], vectors[1] @ vectors[3])
    assert results["a"] == pytest.approx(float(expected_a), abs=1e-5)


def test_round_trip_gives_same_results_and_metadata(tmp_path: Path) -> None:
    vectors = _vectors(50, seed=1)
    ids = [f"r{i // 2}" for i in range(50)]
    index = build_index(vectors, ids, "model-x")
    save_index(index, tmp_path)
    loaded = load_index(tmp_path, expected_model="model-x")
    queries = _vectors(5, seed=2)
    assert loaded.search(queries) == index.search(queries)
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["model"] == "model-x" and meta["dimension"] == 16
    assert meta["chunks"] == 50 and meta["resumes"] == 25 and meta["built_at"]


def test_loading_with_another_model_is_refused(tmp_path: Path) -> None:
    save_index(build_index(_vectors(3), ["a", "b", "c"], "model-x"), tmp_path)
    with pytest.raises(ValueError, match="model-x"):
        load_index(tmp_path, expected_model="model-y")


def test_missing_or_inconsistent_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"index\.faiss"):
        load_index(tmp_path)
    save_index(build_index(_vectors(3), ["a", "b", "c"], "m"), tmp_path)
    (tmp_path / "ids.json").write_text(json.dumps(["a"]))
    with pytest.raises(ValueError, match=r"ids\.json does not match the checksum"):
        load_index(tmp_path)


def test_an_index_file_from_another_index_is_refused(tmp_path: Path) -> None:
    """Same model, same count, same IDs: only the checksum tells the vectors are not these."""
    ids = ["a", "b", "c"]
    save_index(build_index(_vectors(3, seed=1), ids, "m"), tmp_path / "mine")
    save_index(build_index(_vectors(3, seed=2), ids, "m"), tmp_path / "other")
    (tmp_path / "mine" / "index.faiss").write_bytes(
        (tmp_path / "other" / "index.faiss").read_bytes()
    )
    with pytest.raises(ValueError, match=r"index\.faiss does not match the checksum in meta\.json"):
        load_index(tmp_path / "mine", expected_model="m")
    (tmp_path / "other" / "meta.json").write_text("[]")
    with pytest.raises(ValueError, match="not a JSON object"):
        load_index(tmp_path / "other")


def test_the_checksums_are_in_the_metadata(tmp_path: Path) -> None:
    index = build_index(_vectors(3), ["a", "b", "c"], "m")
    save_index(index, tmp_path)
    meta = json.loads((tmp_path / "meta.json").read_text())
    for name, key in CHECKSUM_KEYS.items():
        assert (
            meta[key]
            == index.meta[key]
            == hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
        )


def test_mismatched_ids_are_refused_at_build() -> None:
    with pytest.raises(ValueError):
        build_index(_vectors(3), ["a"], "m")
