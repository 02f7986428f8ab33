"""The SQLite caches and the state store under processes that read and write them at once.

Several processes start together on a file that does not exist yet (so they race to create it
and switch it to WAL), write overlapping keys, read them back, force WAL checkpoints and reopen
their connections; afterwards every value any of them wrote is there and right. The real
classes run on real files: :class:`matcher.ranking.embedding.EmbeddingCache`, the score cache
(:mod:`matcher.io.score_cache`) and the state store (:mod:`matcher.io.state_store`).
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import random
import sqlite3
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from matcher.io.score_cache import open_score_cache
from matcher.io.shared_sqlite import SharedSQLite, is_transient
from matcher.io.state_store import LastRun, open_state_store
from matcher.ranking.embedding import EmbeddingCache

MODEL = "stress-model"
PAIR_VERSION, PROFILE_VERSION = "pairs-v", "profiles-v"


def _vector(key: str, size: int = 384) -> np.ndarray:
    """The one vector every process writes for ``key``: overlapping writers agree."""
    seed = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)
    return np.random.default_rng(seed).standard_normal(size).astype(np.float32)


def _group(key: str) -> np.ndarray:
    """The one block of vectors every process writes for the group of lines ``key`` (1 to 30
    lines, by its key)."""
    lines = 1 + int(hashlib.sha256(key.encode()).hexdigest()[:4], 16) % 30
    return np.stack([_vector(f"{key}-{line}") for line in range(lines)])


def _checkpoint(path: Path) -> None:
    """A WAL checkpoint that truncates the log, from a connection of its own."""
    connection = sqlite3.connect(path, timeout=60)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        connection.close()


def _worker(folder: str, seed: int, rounds: int, start: Any, results: Any) -> None:
    """One process's share of the stress: writes, reads back, checkpoints and reopens."""
    rng = random.Random(seed)
    root = Path(folder)
    written: dict[str, list[Any]] = {
        "embeddings": [],
        "groups": [],
        "pairs": [],
        "profiles": [],
        "runs": [],
    }
    try:
        start.wait()
        for round_ in range(rounds):
            cache = EmbeddingCache(root / "cache" / "embeddings.sqlite")
            keys = [f"text-{rng.randrange(400)}" for _ in range(rng.randint(20, 120))]
            cache.put_many(MODEL, [(key, _vector(key)) for key in keys])
            found = cache.get_many(MODEL, keys)
            assert all(np.array_equal(found[key], _vector(key)) for key in keys)
            written["embeddings"] += keys
            # Groups of lines (a resume's lines as one block), overlapping between writers.
            groups = sorted({f"group-{rng.randrange(60)}" for _ in range(10)})
            cache.put_groups(MODEL, [(key, _group(key)) for key in groups])
            blocks: dict[str, bytes] = {}
            cache.read_groups(MODEL, groups, blocks.__setitem__)
            assert all(blocks[key] == _group(key).tobytes() for key in groups)
            written["groups"] += groups
            if rng.random() < 0.3:
                _checkpoint(cache.path)
            cache.close()

            with open_score_cache(
                root / "state" / "score_cache.db", PAIR_VERSION, PROFILE_VERSION
            ) as (
                pairs,
                profiles,
            ):
                chosen = [
                    (f"job-{rng.randrange(20)}", f"cv-{rng.randrange(40)}") for _ in range(30)
                ]
                pairs.put((job, cv, _vector(job + cv, 8)) for job, cv in chosen)
                got = pairs.get([job for job, _ in chosen], [cv for _, cv in chosen])
                assert all(np.array_equal(got[pair], _vector("".join(pair), 8)) for pair in chosen)
                written["pairs"] += chosen
                key = f"profile-{rng.randrange(50)}"
                profiles[key] = {"key": key, "skills": sorted({key, "python"})}
                assert profiles[key]["key"] == key
                written["profiles"].append(key)

            with open_state_store(root / "state" / "state.db") as store:
                run = LastRun(f"key-{seed}-{round_}", Path(f"/runs/{seed}/{round_}"), "o", "l")
                store.save_last_run(run)
                last = store.last_run()
                assert last is not None and last.rerun_key_sha256.startswith("key-")
                written["runs"].append(run.rerun_key_sha256)
        results.put((seed, written, None))
    except BaseException:  # reported to the test, which fails with it
        results.put((seed, written, traceback.format_exc()))


def _stress(folder: Path, processes: int, rounds: int) -> list[tuple[int, dict[str, Any], Any]]:
    context = mp.get_context("spawn")  # a fresh interpreter: nothing inherited
    start, results = context.Event(), context.Queue()
    workers = [
        context.Process(target=_worker, args=(str(folder), seed, rounds, start, results))
        for seed in range(processes)
    ]
    for worker in workers:
        worker.start()
    start.set()  # all at once, on files none of them has created yet
    outcomes = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    return outcomes


def _check_nothing_lost(folder: Path, outcomes: list[tuple[int, dict[str, Any], Any]]) -> None:
    errors = [error for _, _, error in outcomes if error]
    assert not errors, errors[0]
    cache = EmbeddingCache(folder / "cache" / "embeddings.sqlite")
    keys = sorted({key for _, written, _ in outcomes for key in written["embeddings"]})
    found = cache.get_many(MODEL, keys)
    assert sorted(found) == keys
    assert all(np.array_equal(found[key], _vector(key)) for key in keys)
    assert len(cache) == len(keys)  # no row twice, none extra
    groups = sorted({key for _, written, _ in outcomes for key in written["groups"]})
    blocks: dict[str, bytes] = {}
    cache.read_groups(MODEL, groups, blocks.__setitem__)
    assert sorted(blocks) == groups
    assert all(blocks[key] == _group(key).tobytes() for key in groups)
    pairs_written = {pair for _, written, _ in outcomes for pair in written["pairs"]}
    profile_keys = {key for _, written, _ in outcomes for key in written["profiles"]}
    with open_score_cache(folder / "state" / "score_cache.db", PAIR_VERSION, PROFILE_VERSION) as (
        pairs,
        profiles,
    ):
        got = pairs.get([job for job, _ in pairs_written], [cv for _, cv in pairs_written])
        assert set(got) >= pairs_written
        assert all(np.array_equal(got[pair], _vector("".join(pair), 8)) for pair in pairs_written)
        assert set(profiles) == profile_keys
        assert all(profiles[key]["key"] == key for key in profile_keys)
    runs = {key for _, written, _ in outcomes for key in written["runs"]}
    with open_state_store(folder / "state" / "state.db") as store:
        last = store.last_run()
        assert last is not None and last.rerun_key_sha256 in runs  # one whole run, not a mix
    with sqlite3.connect(folder / "cache" / "embeddings.sqlite") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_four_processes_on_fresh_files_lose_nothing(tmp_path: Path) -> None:
    outcomes = _stress(tmp_path, processes=4, rounds=3)
    _check_nothing_lost(tmp_path, outcomes)


@pytest.mark.slow
def test_six_processes_for_many_rounds_lose_nothing(tmp_path: Path) -> None:
    outcomes = _stress(tmp_path, processes=6, rounds=25)
    _check_nothing_lost(tmp_path, outcomes)


def _use_inherited(cache: EmbeddingCache, seed: int, results: Any) -> None:
    """In a forked child: use the cache the parent opened (a connection of its own opens)."""
    try:
        keys = [f"child-{seed}-{n}" for n in range(50)] + ["shared"]
        cache.put_many(MODEL, [(key, _vector(key)) for key in keys])
        found = cache.get_many(MODEL, [*keys, "parent"])
        assert all(np.array_equal(found[key], _vector(key)) for key in [*keys, "parent"])
        results.put((os.getpid(), None))
    except BaseException:
        results.put((os.getpid(), traceback.format_exc()))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX")
def test_a_cache_opened_before_a_fork_works_in_the_children_and_the_parent(
    tmp_path: Path,
) -> None:
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    cache.put_many(MODEL, [("parent", _vector("parent"))])
    context = mp.get_context("fork")
    results = context.Queue()
    children = [context.Process(target=_use_inherited, args=(cache, n, results)) for n in range(3)]
    for child in children:
        child.start()
    for n in range(20):  # the parent goes on writing while the children do
        cache.put_many(MODEL, [(f"parent-{n}", _vector(f"parent-{n}"))])
        time.sleep(0.01)
    outcomes = [results.get(timeout=120) for _ in children]
    for child in children:
        child.join(timeout=60)
    assert [error for _, error in outcomes if error] == []
    expected = ["parent", "shared"] + [f"parent-{n}" for n in range(20)]
    expected += [f"child-{seed}-{n}" for seed in range(3) for n in range(50)]
    found = cache.get_many(MODEL, expected)
    assert sorted(found) == sorted(expected)
    assert len(cache) == len(expected)


def test_transient_errors_are_retried_on_a_fresh_connection_and_others_are_not(
    tmp_path: Path,
) -> None:
    database = SharedSQLite(tmp_path / "kv.db", timeout=0.05, attempts=3)
    holder = sqlite3.connect(tmp_path / "kv.db", timeout=0)
    holder.execute("BEGIN EXCLUSIVE")  # another process's write lock, held past the timeout
    tries: list[sqlite3.Connection] = []

    def write(connection: sqlite3.Connection) -> None:
        tries.append(connection)
        connection.execute("BEGIN IMMEDIATE")
        connection.rollback()

    with pytest.raises(sqlite3.OperationalError, match="locked") as raised:
        database.run(write)
    assert is_transient(raised.value)
    assert len(tries) == 3 and len({id(connection) for connection in tries}) == 3
    holder.rollback()  # the lock is gone: the next call goes through
    database.run(write)

    tries.clear()
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        database.run(
            lambda connection: tries.append(connection) or connection.execute("SELECT * FROM x")
        )
    assert len(tries) == 1  # not transient: raised at once
    holder.close()
