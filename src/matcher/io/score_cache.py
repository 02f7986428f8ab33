"""What scores are made of, kept between runs by content hash: pair features and profiles.

One SQLite file in the state folder (``<state_dir>/score_cache.db``, WAL mode) holds:

* ``pair_features``: the pair-local feature values
  (:data:`matcher.ranking.features.LOCAL_FEATURES`) of every (posting, resume) pair scored, by
  the content hashes of the posting and the resume;
* ``profiles``: the parsed profile of every posting and resume, by content hash
  (:func:`matcher.parsing.profiles.profile_key`).

Every value is stored with a ``version``, the fingerprint of everything else it depends on (the
embedding model, the feature or parser code, the skill vocabulary); a value of another version
is never read, so a new model or matcher release computes afresh. The flow deletes the values of
every version but the two most recently used at the start of each run (``forget_old_versions``),
so upgrades do not pile up in the file. The pool-dependent features
are never cached: they change with every record added. Nor is the one feature that depends on
the day "Present" stands for (years of open-ended roles): it is computed every run, and a
resume's key holds what else of it the day can change
(:func:`matcher.ranking.requirement_ranker.day_signature`), so a daily run reuses the rest.

The file is written only by runs that hold the state store's lock
(:func:`matcher.io.locking.hold_locks`), by the run's own process and, on Dask, by its
workers at the same time (:func:`open_score_cache` in each): it is a
:class:`matcher.io.shared_sqlite.SharedSQLite` (WAL, one connection per process, busy timeout,
transient errors retried), and the values two processes may both write for one pair or
profile are the same, so whichever lands last loses nothing.
"""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Iterable, Iterator, MutableMapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from matcher.io.shared_sqlite import (
    IN_CHUNK,
    VERSION_USE,
    SharedSQLite,
    forget_old_versions,
    open_cache,
    select_in,
    write_versioned,
)

#: The cache's file name inside ``settings.state_dir``.
CACHE_FILE = "score_cache.db"
#: The version of the tables below; a file of another version is emptied, not guessed at.
SCHEMA_VERSION = 2
_TABLES = (
    """
CREATE TABLE IF NOT EXISTS pair_features (
    posting_key TEXT NOT NULL,
    resume_key TEXT NOT NULL,
    version TEXT NOT NULL,
    features BLOB NOT NULL,
    PRIMARY KEY (posting_key, resume_key, version)
);
CREATE TABLE IF NOT EXISTS profiles (
    key TEXT NOT NULL,
    version TEXT NOT NULL,
    profile BLOB NOT NULL,
    PRIMARY KEY (key, version)
);
"""
    + VERSION_USE
)


class PairFeatureCache:
    """Pair-local feature values by (posting key, resume key) for one version.

    Values are float32 vectors in the order of the feature names the version was made for.
    """

    def __init__(self, database: SharedSQLite, version: str) -> None:
        self._db = database
        self.version = version

    def get(
        self, posting_keys: Sequence[str], resume_keys: Sequence[str]
    ) -> dict[tuple[str, str], np.ndarray]:
        """The cached values of the pairs of these postings and resumes.

        Few resumes (a rerun's new ones) are looked up pair by pair; else each posting's
        pairs are read and those of other resumes dropped.
        """
        wanted = set(resume_keys)
        unique = sorted(set(posting_keys))
        few = sorted(wanted) if len(wanted) <= IN_CHUNK // 2 else []
        sql = (
            "SELECT posting_key, resume_key, features FROM pair_features WHERE version = ?"
            + (f" AND resume_key IN ({','.join('?' * len(few))})" if few else "")
            + " AND posting_key IN ({marks})"
        )

        def read(connection: sqlite3.Connection) -> dict[tuple[str, str], np.ndarray]:
            return {
                (posting_key, resume_key): np.frombuffer(blob, dtype=np.float32)
                for posting_key, resume_key, blob in select_in(
                    connection, sql, [self.version, *few], unique
                )
                if resume_key in wanted
            }

        return self._db.run(read)

    def put(self, items: Iterable[tuple[str, str, np.ndarray]]) -> None:
        """Store the values of pairs, in one transaction."""
        rows = [
            (posting_key, resume_key, self.version, np.asarray(values, np.float32).tobytes())
            for posting_key, resume_key, values in items
        ]
        sql = "INSERT OR REPLACE INTO pair_features VALUES (?, ?, ?, ?)"
        write_versioned(self._db, "pair_features", self.version, sql, rows)

    def forget_old_versions(self) -> list[str]:
        """Delete the pairs of every version but this one and the one used before it
        (:func:`matcher.io.shared_sqlite.forget_old_versions`); returns the versions deleted."""
        return forget_old_versions(self._db, ["pair_features"], self.version).get(
            "pair_features", []
        )


class ProfileCache(MutableMapping[str, Any]):
    """Profiles by key for one parser version: a :data:`matcher.parsing.profiles.ProfileStore`
    kept on disk, with the profiles read in this process in memory in front of it.

    A key found absent is remembered as such for the life of this object, so that a profile
    asked for by both of a resume's keys (:func:`matcher.parsing.profiles.resume_keys`), once
    per batch of postings it is a candidate of, costs no query after the first. A profile
    another process writes meanwhile is then read again here, at the price of reading it, to
    the same value.
    """

    def __init__(self, database: SharedSQLite, version: str) -> None:
        self._db = database
        self.version = version
        self._memory: dict[str, Any] = {}
        self._absent: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        if key not in self._memory:
            if key in self._absent:
                raise KeyError(key)
            rows = self._db.fetch(
                "SELECT profile FROM profiles WHERE key = ? AND version = ?", (key, self.version)
            )
            if not rows:
                self._absent.add(key)
                raise KeyError(key)
            self._memory[key] = pickle.loads(rows[0][0])  # our own file in our state folder
        return self._memory[key]

    def load(self, keys: Sequence[str]) -> None:
        """Read the profiles of ``keys`` that the file holds into memory, ``IN_CHUNK`` keys a
        query (:func:`matcher.io.shared_sqlite.select_in`): a run that finds 100,000 profiles
        asks 400 queries, not 200,000 (a query a key cost about half as much as unpickling
        what it read). The keys the file does not hold are remembered as absent."""
        wanted = sorted({key for key in keys if key not in self._memory} - self._absent)
        if not wanted:
            return

        def read(connection: sqlite3.Connection) -> list[tuple[str, bytes]]:
            sql = "SELECT key, profile FROM profiles WHERE version = ? AND key IN ({marks})"
            return list(select_in(connection, sql, [self.version], wanted))

        for key, blob in self._db.run(read):
            self._memory[key] = pickle.loads(blob)  # our own file in our state folder
        self._absent.update(key for key in wanted if key not in self._memory)

    def __setitem__(self, key: str, profile: Any) -> None:
        self._memory[key] = profile
        self._absent.discard(key)
        row = (key, self.version, pickle.dumps(profile, protocol=pickle.HIGHEST_PROTOCOL))
        sql = "INSERT OR REPLACE INTO profiles VALUES (?, ?, ?)"
        write_versioned(self._db, "profiles", self.version, sql, [row])

    def forget_old_versions(self) -> list[str]:
        """Delete the profiles of every version but this one and the one used before it
        (:func:`matcher.io.shared_sqlite.forget_old_versions`); returns the versions deleted."""
        return forget_old_versions(self._db, ["profiles"], self.version).get("profiles", [])

    def __delitem__(self, key: str) -> None:
        self._memory.pop(key, None)
        self._db.write("DELETE FROM profiles WHERE key = ? AND version = ?", [(key, self.version)])
        self._absent.add(key)

    def __iter__(self) -> Iterator[str]:
        rows = self._db.fetch("SELECT key FROM profiles WHERE version = ?", (self.version,))
        return iter([key for (key,) in rows])

    def __len__(self) -> int:
        rows = self._db.fetch("SELECT COUNT(*) FROM profiles WHERE version = ?", (self.version,))
        return int(rows[0][0])


def score_cache_path(state_dir: Path) -> Path:
    """The score cache of the state folder ``state_dir``.

    Example:
        >>> score_cache_path(Path(".matcher"))
        PosixPath('.matcher/score_cache.db')
    """
    return Path(state_dir) / CACHE_FILE


@dataclass(frozen=True)
class ScoreCacheAddress:
    """Where a score cache is and which versions of it to read: what another process of the
    run (a Dask worker, on a folder it shares with the flow) needs to open it."""

    path: Path
    pair_version: str
    profile_version: str

    def open(self) -> AbstractContextManager[tuple[PairFeatureCache, ProfileCache]]:
        """:func:`open_score_cache` of this address."""
        return open_score_cache(self.path, self.pair_version, self.profile_version)


@contextmanager
def open_score_cache(
    path: Path, pair_version: str, profile_version: str
) -> Iterator[tuple[PairFeatureCache, ProfileCache]]:
    """Open (creating it if need be) the score cache at ``path``; the caller's run holds the
    state store's lock.

    A file of another schema version, or one SQLite cannot read, is emptied first: it is a
    cache, so the price is computing its values again. A file that is only busy (another
    process of the run writes it) is waited for, never emptied.
    """
    database = open_cache(path, SCHEMA_VERSION, _TABLES)
    try:
        yield PairFeatureCache(database, pair_version), ProfileCache(database, profile_version)
    finally:
        database.close()
