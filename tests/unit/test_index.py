from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from matcher.ranking.index import build_index, load_index, save_index


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
    with pytest.raises(ValueError, match="3 vectors but 1 ids"):
        load_index(tmp_path)


def test_mismatched_ids_are_refused_at_build() -> None:
    with pytest.raises(ValueError):
        build_index(_vectors(3), ["a"], "m")
