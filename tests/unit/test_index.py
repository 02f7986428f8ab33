from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from matcher.ranking.index import (
    CHECKSUM_KEYS,
    ResumeIndex,
    build_index,
    load_index,
    rebuild_reason,
    recall_at_k,
    save_index,
    update_in_place,
)
from matcher.settings import IndexSettings


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


def _clustered(n: int, dim: int = 32, clusters: int = 40, seed: int = 0) -> np.ndarray:
    """Unit vectors around a few directions, like embeddings of texts on a few topics."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dim))
    v = centres[rng.integers(clusters, size=n)] + 0.6 * rng.normal(size=(n, dim))
    v = v.astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _exact_top(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    return np.argsort(-(queries @ vectors.T), axis=1, kind="stable")[:, :k]


def test_the_index_is_exact_up_to_the_threshold_and_ivf_past_it() -> None:
    vectors = _clustered(400)
    ids = [f"r{i}" for i in range(400)]
    at_threshold = build_index(vectors, ids, "m", IndexSettings(exact_max_vectors=400))
    past_threshold = build_index(vectors, ids, "m", IndexSettings(exact_max_vectors=399))
    assert at_threshold.meta["index_type"] == "IndexFlatIP"
    assert "recall_at_k" not in at_threshold.meta
    assert past_threshold.meta["index_type"] == "IndexIVFFlat"
    assert past_threshold.meta["nlist"] > 1


def test_an_approximate_index_is_tuned_to_the_target_recall() -> None:
    # Queries the tuning never saw, drawn from the same topics as the indexed vectors.
    vectors, queries = np.split(_clustered(3100), [3000])
    settings = IndexSettings(exact_max_vectors=1000, target_recall=0.9, recall_k=20)
    index = build_index(vectors, [f"r{i}" for i in range(3000)], "m", settings)
    meta = index.meta
    assert meta["index_type"] == "IndexIVFFlat"
    assert meta["recall_k"] == 20 and meta["recall_queries"] == 200
    assert 0.9 <= meta["recall_at_k"] <= 1.0
    assert 1 <= meta["nprobe"] <= meta["nlist"]
    _, found = index.search_chunks(queries, 20)
    assert recall_at_k(found, _exact_top(vectors, queries, 20)) >= 0.85


def test_an_approximate_index_holds_what_a_plain_add_gives() -> None:
    # Its lists are filled with the vectors assigned up front, into storage sized to fit:
    # the same lists, in the same order, as FAISS's own add of the vectors one by one.
    import faiss

    vectors = _clustered(3000)
    built = build_index(
        vectors, [f"r{i}" for i in range(3000)], "m", IndexSettings(exact_max_vectors=0)
    )
    plain = faiss.clone_index(built.index)
    plain.reset()
    plain.add(vectors)
    assert built.index.ntotal == plain.ntotal == 3000
    assert built.meta["training_vectors"] == min(3000, 64 * built.meta["nlist"])
    assert faiss.serialize_index(built.index).tobytes() == faiss.serialize_index(plain).tobytes()


def test_a_tuned_index_probes_fewer_lists_for_a_lower_target() -> None:
    vectors = _clustered(3000)
    ids = [f"r{i}" for i in range(3000)]
    low = build_index(vectors, ids, "m", IndexSettings(exact_max_vectors=0, target_recall=0.5))
    full = build_index(vectors, ids, "m", IndexSettings(exact_max_vectors=0, target_recall=1.0))
    assert low.meta["nprobe"] < full.meta["nprobe"]
    assert full.meta["recall_at_k"] == 1.0


def test_searching_every_chunk_of_an_approximate_index_is_exact() -> None:
    vectors = _clustered(2000)
    ids = [f"r{i // 2}" for i in range(2000)]
    approximate = build_index(vectors, ids, "m", IndexSettings(exact_max_vectors=0))
    exact = build_index(vectors, ids, "m")
    queries = _clustered(5, seed=3)
    got, want = approximate.search(queries), exact.search(queries)
    assert got.keys() == want.keys()
    for row in want:
        assert got[row].keys() == want[row].keys() and len(want[row]) == 1000
        for rid, value in want[row].items():
            assert got[row][rid] == pytest.approx(value, abs=1e-5)


def test_an_approximate_index_round_trips_with_its_tuning(tmp_path: Path) -> None:
    vectors = _clustered(1500)
    index = build_index(
        vectors, [f"r{i}" for i in range(1500)], "m", IndexSettings(exact_max_vectors=10)
    )
    save_index(index, tmp_path)
    loaded = load_index(tmp_path, expected_model="m")
    assert loaded.meta["index_type"] == "IndexIVFFlat"
    assert loaded.index.nprobe == index.meta["nprobe"] == loaded.meta["nprobe"]
    queries = _clustered(5, seed=4)
    assert loaded.search(queries, k=30) == index.search(queries, k=30)


def test_recall_at_k_counts_shared_positions() -> None:
    assert recall_at_k(np.array([[1, 2], [3, -1]]), np.array([[2, 1], [3, 4]])) == 0.75
    assert recall_at_k(np.array([[5, 6]]), np.array([[1, 2]])) == 0.0


def _pool(resumes: dict[str, int], seed: int, dim: int = 16) -> tuple[np.ndarray, list[str]]:
    """Chunk vectors of resumes given as ``{resume_id: chunk count}``; a seed per resume text."""
    vectors, ids = [], []
    for rid, count in resumes.items():
        vectors.append(_vectors(count, dim, seed=seed + int(rid[1:])))
        ids += [rid] * count
    return np.vstack(vectors), ids


def _assert_same_results(got: ResumeIndex, want: ResumeIndex, queries: np.ndarray) -> None:
    for k in (None, 3):
        found, expected = got.search(queries, k), want.search(queries, k)
        assert found.keys() == expected.keys()
        for row in expected:
            assert found[row].keys() == expected[row].keys()
            for rid, value in expected[row].items():
                assert found[row][rid] == pytest.approx(value, abs=1e-6)


@pytest.mark.parametrize("exact_max_vectors", [10_000, 0], ids=["exact", "ivf"])
def test_an_index_updated_in_place_answers_like_a_fresh_build(
    tmp_path: Path, exact_max_vectors: int
) -> None:
    """Add resumes, change one, withdraw one: each saved update equals a build from scratch."""
    settings = IndexSettings(exact_max_vectors=exact_max_vectors)
    pool = {f"r{i}": 1 + i % 3 for i in range(40)}
    texts = dict.fromkeys(pool, 0)  # a resume's text version; a change gives new vectors

    def current() -> tuple[np.ndarray, list[str]]:
        parts = [_pool({rid: pool[rid]}, seed=1000 * texts[rid]) for rid in pool]
        return np.vstack([p[0] for p in parts]), [i for p in parts for i in p[1]]

    vectors, ids = current()
    save_index(build_index(vectors, ids, "m", settings), tmp_path)
    queries = _vectors(7, seed=99)
    steps = []
    for step in ("add", "change", "withdraw", "nothing"):
        if step == "add":
            pool.update({f"r{i}": 2 for i in range(40, 52)})
            texts.update({f"r{i}": 0 for i in range(40, 52)})
        elif step == "change":
            texts["r3"] = 1
        elif step == "withdraw":
            del pool["r7"], texts["r7"]
        vectors, ids = current()
        kept = load_index(tmp_path, expected_model="m")
        assert rebuild_reason(kept, len(vectors), settings) is None
        changes = update_in_place(kept, vectors, ids)
        save_index(kept, tmp_path)
        steps.append(str(changes))
        updated = load_index(tmp_path, expected_model="m")
        _assert_same_results(updated, build_index(vectors, ids, "m", settings), queries)
        assert updated.index.ntotal == len(vectors) and set(updated.resume_ids) == set(pool)
    assert steps == [
        "updated: +12 -0 resumes (+24 -0 chunks)",
        "updated: +1 -1 resumes (+1 -1 chunks)",  # r3 holds one chunk (3 % 3 == 0)
        "updated: +0 -1 resumes (+0 -2 chunks)",  # r7 held two
        "updated: +0 -0 resumes (+0 -0 chunks)",
    ]
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["updates_since_build"] == 3 and meta["last_update"] == steps[2]
    assert meta["chunks"] == len(vectors) and meta["resumes"] == len(pool)


def test_an_index_that_cannot_be_updated_says_why() -> None:
    vectors, ids = _pool({f"r{i}": 2 for i in range(10)}, seed=0)
    exact = build_index(vectors, ids, "m", IndexSettings(exact_max_vectors=20))
    assert rebuild_reason(exact, 20, IndexSettings(exact_max_vectors=20)) is None
    assert "IVF" in str(rebuild_reason(exact, 21, IndexSettings(exact_max_vectors=20)))
    assert "settings changed" in str(rebuild_reason(exact, 20, IndexSettings(recall_k=5)))
    update_in_place(exact, *_pool({f"r{i}": 2 for i in range(3)}, seed=0))  # 14 of 20 removed
    assert "outnumber" in str(rebuild_reason(exact, 6, IndexSettings(exact_max_vectors=20)))
    exact.resume_hashes.clear()  # as loaded from a folder saved before in-place updates
    assert "older matcher" in str(rebuild_reason(exact, 6, IndexSettings(exact_max_vectors=20)))
    settings = IndexSettings(exact_max_vectors=0)
    ivf = build_index(vectors, ids, "m", settings)
    assert rebuild_reason(ivf, 40, settings) is None
    assert "trained on 20 vectors, 41 now" in str(rebuild_reason(ivf, 41, settings))
