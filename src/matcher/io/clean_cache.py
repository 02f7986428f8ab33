"""Cleaned resumes kept between runs by content hash, so that a rerun does not clean them again.

One SQLite file in the state folder (``<state_dir>/clean_cache.db``, WAL mode) holds, for each
resume cleaned (:func:`matcher.text.preprocess.clean_resumes`), what cleaning made of it: its
clean text, model text, contact columns and, for a resume cleaning rejected, the reason. The
key is the hash of everything of the record that cleaning reads and of the cleaning settings
(:func:`matcher.text.preprocess.cleaning_key`); the ``version`` is the fingerprint of matcher's
code and data files (:func:`matcher.io.unchanged_rerun.source_fingerprint`), so a new cleaning
rule or word list cleans every resume afresh. A value of another version is never read, and
the flow deletes those of every version but the two most recently used at the start of each run
(:meth:`CleanedResumeCache.forget_old_versions`), so upgrades do not pile up in the file.

The same file keeps each cleaned resume's deduplication sketch
(:func:`matcher.text.dedup.sketch_texts`) by the hash of its model text
(:class:`TextSketchCache`), so that finding the copies in a pool reads only its new resumes
(and those that may be copies), not every resume of the pool again.

The values are JSON lists of strings and nulls (what the text nodes store there is theirs to
say): nothing here is executed or unpickled when read.

The file is written only by runs that hold the state store's lock, by the run's process and, on
Dask, by its workers at the same time: it is a :class:`matcher.io.shared_sqlite.SharedSQLite`
(WAL, one connection per process, busy timeout, transient errors retried), and two processes
that clean one record write the same value, so whichever lands last loses nothing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from matcher.io.shared_sqlite import (
    VERSION_USE,
    SharedSQLite,
    forget_old_versions,
    open_cache,
    select_in,
    write_versioned,
)

__all__ = [
    "CACHE_FILE",
    "CleanCacheAddress",
    "CleanedResumeCache",
    "CleanedValue",
    "TextSketchCache",
    "clean_cache_path",
    "open_clean_cache",
]

#: The cache's file name inside ``settings.state_dir``.
CACHE_FILE = "clean_cache.db"
#: The version of the table below; a file of another version is emptied, not guessed at.
SCHEMA_VERSION = 3
_TABLES = (
    """
CREATE TABLE IF NOT EXISTS cleaned_resumes (
    key TEXT NOT NULL,
    version TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (key, version)
);
CREATE TABLE IF NOT EXISTS text_sketches (
    key TEXT NOT NULL,
    version TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (key, version)
);
"""
    + VERSION_USE
)

#: The tables whose values are kept by the code's version.
_VERSIONED = ("cleaned_resumes", "text_sketches")

#: What is kept of one cleaned record: strings and ``None``, in an order its writer chooses.
CleanedValue = list[str | None]


class _VersionedTable:
    """Text values by key for one version of the code, in one table of the cache's file
    (its name is trusted: one of :data:`_TABLES`).

    ``found`` counts the keys :meth:`_get` found in this process.
    """

    def __init__(self, database: SharedSQLite, version: str, table: str) -> None:
        self._db = database
        self._table = table
        self.version = version
        self.found = 0

    def _get(self, keys: Sequence[str]) -> dict[str, str]:
        unique = sorted(set(keys))
        sql = f"SELECT key, value FROM {self._table} WHERE version = ? AND key IN ({{marks}})"

        def read(connection: sqlite3.Connection) -> dict[str, str]:
            return dict(select_in(connection, sql, [self.version], unique))

        values = self._db.run(read)
        self.found += sum(key in values for key in keys)
        return values

    def _put(self, items: Iterable[tuple[str, str]]) -> None:
        rows = [(key, self.version, value) for key, value in items]
        if rows:
            sql = f"INSERT OR REPLACE INTO {self._table} VALUES (?, ?, ?)"
            write_versioned(self._db, self._table, self.version, sql, rows)


class CleanedResumeCache(_VersionedTable):
    """Cleaned resumes by key for one version of the code.

    ``found`` counts the keys :meth:`get` found in this process, for the run's manifest.
    """

    def __init__(self, database: SharedSQLite, version: str) -> None:
        super().__init__(database, version, "cleaned_resumes")

    def get(self, keys: Sequence[str]) -> dict[str, CleanedValue]:
        """The values kept for these keys (missing keys are left out)."""
        return {key: json.loads(value) for key, value in self._get(keys).items()}

    def put(self, items: Iterable[tuple[str, CleanedValue]]) -> None:
        """Keep the values of these keys, in one transaction."""
        self._put((key, json.dumps(value)) for key, value in items)

    def forget_old_versions(self) -> list[str]:
        """Delete the cleaned resumes and sketches of every version but this one and the one
        used before it (:func:`matcher.io.shared_sqlite.forget_old_versions`); returns the
        versions deleted."""
        forgotten = forget_old_versions(self._db, list(_VERSIONED), self.version)
        return sorted({version for versions in forgotten.values() for version in versions})

    @property
    def sketches(self) -> TextSketchCache:
        """The deduplication sketches kept in the same file, for the same version."""
        return TextSketchCache(self._db, self.version)


class TextSketchCache(_VersionedTable):
    """Deduplication sketches (:meth:`matcher.text.dedup.TextSketch.dumps`) by text hash, for
    one version of the code (a :data:`matcher.text.preprocess.SketchStore`).

    ``found`` counts the keys :meth:`get` found in this process.
    """

    def __init__(self, database: SharedSQLite, version: str) -> None:
        super().__init__(database, version, "text_sketches")

    def get(self, keys: Sequence[str]) -> dict[str, str]:
        """The sketches kept for these keys (missing keys are left out)."""
        return self._get(keys)

    def put(self, items: Iterable[tuple[str, str]]) -> None:
        """Keep the sketches of these keys, in one transaction."""
        self._put(items)


def clean_cache_path(state_dir: Path) -> Path:
    """The clean cache of the state folder ``state_dir``.

    Example:
        >>> clean_cache_path(Path(".matcher"))
        PosixPath('.matcher/clean_cache.db')
    """
    return Path(state_dir) / CACHE_FILE


@dataclass(frozen=True)
class CleanCacheAddress:
    """Where a clean cache is and which version of it to read: what a Dask worker of the run
    needs to open it."""

    path: Path
    version: str

    def open(self) -> AbstractContextManager[CleanedResumeCache]:
        """:func:`open_clean_cache` of this address."""
        return open_clean_cache(self.path, self.version)


@contextmanager
def open_clean_cache(path: Path, version: str) -> Iterator[CleanedResumeCache]:
    """Open (creating it if need be) the clean cache at ``path``; the caller's run holds the
    state store's lock.

    A file of another schema version, or one SQLite cannot read, is emptied first: it is a
    cache, so the price is cleaning again. A file that is only busy is waited for.

    Example:
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "clean_cache.db"
        >>> with open_clean_cache(path, "v1") as cache:
        ...     cache.put([("key", ["clean text", None])])
        ...     cache.get(["key", "other"])
        {'key': ['clean text', None]}
    """
    database = open_cache(path, SCHEMA_VERSION, _TABLES)
    try:
        yield CleanedResumeCache(database, version)
    finally:
        database.close()
