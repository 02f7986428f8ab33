"""SQLite files that several processes use at once: how they are opened, written and retried.

The embedding cache, the score cache and the state store are SQLite files that parallel runs,
Dask workers and readers (a report, a notebook) may open at the same time. Each of them is
used through a :class:`SharedSQLite`, which gives these guarantees:

* **One connection per process.** A connection is opened by the process that uses it; after a
  fork the child opens its own and never touches the parent's (SQLite forbids carrying a
  connection across ``fork``).
* **WAL, set once.** A file is switched to write-ahead logging only when it is not in WAL
  already (the switch takes an exclusive lock; a file in WAL stays so), so readers never
  block a writer, nor a writer the readers.
* **Waiting, not failing.** A connection waits up to ``timeout`` seconds for another
  process's write lock (SQLite's busy timeout), and every write is one ``BEGIN IMMEDIATE``
  transaction (:func:`write_transaction`): it takes the write lock at its start, where the
  busy timeout applies, so a writer never fails half-way because another one went first.
* **Retries.** An operation that still fails with a transient error (``database is locked``
  or ``busy`` past the timeout, ``disk I/O error``) is run again on a fresh connection, with
  exponential backoff, up to ``attempts`` times; any other error is raised at once. Every
  operation is one transaction, so a retried one is applied once or not at all.

Example:
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> def tables(connection: sqlite3.Connection) -> None:
    ...     connection.execute("CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v TEXT)")
    >>> store = SharedSQLite(folder / "kv.db", tables)
    >>> def put(connection: sqlite3.Connection) -> None:
    ...     with write_transaction(connection):
    ...         connection.execute("INSERT OR REPLACE INTO kv VALUES ('a', 'b')")
    >>> store.run(put)
    >>> store.run(lambda connection: connection.execute("SELECT v FROM kv").fetchone()[0])
    'b'
    >>> store.run(lambda connection: connection.execute("PRAGMA journal_mode").fetchone()[0])
    'wal'
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

#: Seconds a connection waits for another process's lock before SQLite reports it busy.
BUSY_TIMEOUT = 60.0
#: Tries of one operation in all, the first included.
ATTEMPTS = 6
#: The first pause between tries, in seconds; each next one doubles (with jitter).
FIRST_DELAY = 0.1
#: What SQLite says when another process's work (or a passing I/O failure) stopped an
#: operation that can succeed when run again.
TRANSIENT_MESSAGES = (
    "database is locked",
    "database is busy",
    "database table is locked",
    "disk i/o error",
)
#: Connections a forked child inherited: kept, never used nor closed by the child (closing
#: one there could touch the parent's locks and WAL index).
_INHERITED: list[sqlite3.Connection] = []


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` is one SQLite may not raise when the same operation runs again.

    Example:
        >>> is_transient(sqlite3.OperationalError("database is locked"))
        True
        >>> is_transient(sqlite3.OperationalError("no such table: kv"))
        False
    """
    return isinstance(error, sqlite3.OperationalError) and any(
        message in str(error).lower() for message in TRANSIENT_MESSAGES
    )


@contextmanager
def write_transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One ``BEGIN IMMEDIATE`` transaction: committed if the block ends, rolled back if it
    raises. The write lock is taken at the start, where the busy timeout applies."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.rollback()
        raise
    connection.commit()


def missing_tables(connection: sqlite3.Connection, script: str) -> list[str]:
    """The tables that ``script``'s ``CREATE TABLE IF NOT EXISTS`` statements name and the
    file lacks: a file with none missing needs no write to be set up.

    Example:
        >>> missing_tables(sqlite3.connect(":memory:"), "CREATE TABLE IF NOT EXISTS kv (k);")
        ['kv']
    """
    wanted = re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", script)
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    present = {name for (name,) in rows}
    return [name for name in wanted if name not in present]


#: The table in which a cache file notes when each version of each of its tables was last
#: written (:func:`write_versioned`) or kept (:func:`forget_old_versions`). A cache that uses
#: them adds this statement to its tables.
VERSION_USE = """
CREATE TABLE IF NOT EXISTS version_use (
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    used REAL NOT NULL,
    PRIMARY KEY (name, version)
);
"""


def _note_use(connection: sqlite3.Connection, table: str, version: str) -> None:
    connection.execute(
        "INSERT OR REPLACE INTO version_use VALUES (?, ?, ?)", (table, version, time.time())
    )


def write_versioned(
    database: SharedSQLite, table: str, version: str, sql: str, rows: Iterable[Sequence[Any]]
) -> None:
    """``sql`` run for each of ``rows`` (values of ``version`` of ``table``) in one transaction
    (retried after a transient error), with a note that this version was used now the first
    time this handle writes it: a note per write made each single-profile write a third
    slower."""
    rows = list(rows)
    note = (table, version) not in database.noted_versions

    def write(connection: sqlite3.Connection) -> None:
        with write_transaction(connection):
            connection.executemany(sql, rows)
            if note:
                _note_use(connection, table, version)

    database.run(write)
    database.noted_versions.add((table, version))


def forget_old_versions(
    database: SharedSQLite, tables: Sequence[str], version: str, keep: int = 2
) -> dict[str, list[str]]:
    """Note ``version`` of each of ``tables`` as used now, and delete every row of the versions
    of that table that are not among its ``keep`` most recently used ones.

    A cache's values are kept by a version, the fingerprint of the code and data they were made
    with, and a value of another version is never read: without this, every upgrade (or every
    commit, for a developer) would leave a whole pool's values in the file for good. Keeping
    two versions lets a user go back and forth between two settings (two embedding models,
    say) without computing everything again each time. The caller's run holds the state
    store's lock, so no process of another version writes meanwhile.

    Args:
        database: The cache file, with :data:`VERSION_USE` among its tables.
        tables: Tables with a ``version`` column (trusted names, never input).
        version: The version the caller uses.
        keep: How many versions of each table to keep, the caller's included.

    Returns:
        The versions forgotten, by table (tables with none forgotten left out).

    Example:
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "cache.db"
        >>> tables = "CREATE TABLE IF NOT EXISTS kv (k, version);" + VERSION_USE
        >>> database = open_cache(path, 1, tables)
        >>> for old in ("v1", "v2"):
        ...     write_versioned(database, "kv", old, "INSERT INTO kv VALUES (?, ?)", [("a", old)])
        >>> forget_old_versions(database, ["kv"], "v3")
        {'kv': ['v1']}
        >>> database.fetch("SELECT version FROM kv")
        [('v2',)]
    """

    def forget(connection: sqlite3.Connection) -> dict[str, list[str]]:
        forgotten: dict[str, list[str]] = {}
        with write_transaction(connection):
            for table in tables:
                _note_use(connection, table, version)
                rows = connection.execute(
                    "SELECT version FROM version_use WHERE name = ? ORDER BY used DESC, rowid DESC",
                    (table,),
                ).fetchall()
                others = [old for (old,) in rows if old != version]
                old_versions = others[max(keep - 1, 0) :]
                for old in old_versions:
                    connection.execute(f"DELETE FROM {table} WHERE version = ?", (old,))
                    connection.execute(
                        "DELETE FROM version_use WHERE name = ? AND version = ?", (table, old)
                    )
                if old_versions:
                    forgotten[table] = old_versions
        return forgotten

    forgotten = database.run(forget)
    database.noted_versions.update((table, version) for table in tables)
    return forgotten


#: Keys per ``IN (...)`` of :func:`select_in`: SQLite's bound on parameters is well above it.
IN_CHUNK = 500


def select_in(
    connection: sqlite3.Connection, sql: str, fixed: Sequence[Any], keys: Sequence[Any]
) -> Iterator[Any]:
    """The rows of ``sql`` for every key of ``keys``, asked ``IN_CHUNK`` keys at a time.

    ``sql`` ends with ``IN ({marks})``; its parameters are ``fixed``, then the chunk's keys.

    Example:
        >>> connection = sqlite3.connect(":memory:")
        >>> _ = connection.execute("CREATE TABLE kv (k TEXT, v TEXT)")
        >>> _ = connection.executemany("INSERT INTO kv VALUES (?, ?)", [("a", "1"), ("b", "2")])
        >>> list(select_in(connection, "SELECT v FROM kv WHERE v > ? AND k IN ({marks})",
        ...                ["0"], ["a", "c"]))
        [('1',)]
    """
    for start in range(0, len(keys), IN_CHUNK):
        chunk = keys[start : start + IN_CHUNK]
        marks = ",".join("?" * len(chunk))
        yield from connection.execute(sql.format(marks=marks), (*fixed, *chunk))


def open_cache(path: Path, schema_version: int, tables: str) -> SharedSQLite:
    """A cache file at ``path`` holding the tables of ``tables`` (``CREATE TABLE IF NOT
    EXISTS`` statements) at ``schema_version`` (SQLite's ``user_version``).

    A file of another schema version has those tables dropped and made again, and a file
    SQLite cannot read is deleted and made again: it is a cache, so the price is computing its
    values again. A file that is only busy is waited for, never emptied. Writes are
    ``synchronous = NORMAL``: a power cut may cost the last values written, never the file
    (WAL).
    """
    names = re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", tables)

    def set_up(connection: sqlite3.Connection) -> None:
        connection.execute("PRAGMA synchronous = NORMAL")
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version == schema_version and not missing_tables(connection, tables):
            return
        with write_transaction(connection):
            if version != 0:
                for name in names:
                    connection.execute(f"DROP TABLE IF EXISTS {name}")
            for statement in tables.split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {schema_version}")

    try:
        return SharedSQLite(path, set_up)
    except sqlite3.DatabaseError as error:
        if is_transient(error):
            raise
        path.unlink()
        return SharedSQLite(path, set_up)


def open_connection(
    path: Path,
    setup: Callable[[sqlite3.Connection], None] | None = None,
    timeout: float = BUSY_TIMEOUT,
) -> sqlite3.Connection:
    """A connection to ``path`` (created if need be) in WAL mode, with ``setup`` applied
    (creating tables, say); not retried (see :class:`SharedSQLite`)."""
    connection = sqlite3.connect(path, timeout=timeout)
    try:
        mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            connection.execute("PRAGMA journal_mode = WAL")
        if setup is not None:
            setup(connection)
        if connection.in_transaction:
            connection.commit()
    except BaseException:
        connection.close()
        raise
    return connection


class SharedSQLite:
    """A SQLite file used by several processes, through one connection of this process.

    Args:
        path: The file; its folder is created if need be.
        setup: Run on every new connection, after WAL is set (idempotent: ``CREATE TABLE IF
            NOT EXISTS`` and the like).
        timeout: The busy timeout of each connection, in seconds.
        attempts: Tries of one operation in all (see :meth:`run`).

    The file is opened (and created) here, so a file SQLite cannot read fails at once.
    """

    def __init__(
        self,
        path: Path,
        setup: Callable[[sqlite3.Connection], None] | None = None,
        timeout: float = BUSY_TIMEOUT,
        attempts: int = ATTEMPTS,
    ) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.timeout = timeout
        self.attempts = attempts
        self._setup = setup
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        #: The (table, version) pairs whose use this handle has noted (:func:`write_versioned`).
        self.noted_versions: set[tuple[str, str]] = set()
        self.run(lambda connection: None)

    @property
    def connection(self) -> sqlite3.Connection:
        """This process's connection, opened on first use (again after a fork)."""
        if self._connection is not None and self._pid != os.getpid():
            _INHERITED.append(self._connection)
            self._connection = None
        if self._connection is None:
            self._connection = open_connection(self.path, self._setup, self.timeout)
            self._pid = os.getpid()
        return self._connection

    def run(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        """``operation(connection)``, run again on a fresh connection after a transient error
        (:func:`is_transient`), with exponential backoff; the last error is raised.

        ``operation`` must be one transaction (a read, or a :func:`write_transaction`), so
        that a try that failed left nothing behind.
        """
        for attempt in range(self.attempts - 1):
            try:
                return operation(self.connection)
            except sqlite3.OperationalError as error:
                if not is_transient(error):
                    raise
                self._reconnect()
                time.sleep(FIRST_DELAY * 2**attempt * (1 + random.random()))
        return operation(self.connection)

    def fetch(self, sql: str, parameters: Sequence[Any] = ()) -> list[Any]:
        """The rows of one query (:meth:`run`: retried after a transient error)."""
        return self.run(lambda connection: connection.execute(sql, parameters).fetchall())

    def write(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """One statement run for each of ``rows``, in one :func:`write_transaction`
        (:meth:`run`: retried after a transient error)."""
        rows = list(rows)

        def write(connection: sqlite3.Connection) -> None:
            with write_transaction(connection):
                connection.executemany(sql, rows)

        self.run(write)

    def _reconnect(self) -> None:
        """Drop this process's connection, so the next try opens a fresh one."""
        if self._connection is not None and self._pid != os.getpid():
            _INHERITED.append(self._connection)
        elif self._connection is not None:
            # A connection that failed may fail to close: it is dropped all the same.
            with suppress(sqlite3.Error):
                self._connection.close()
        self._connection = None

    def close(self) -> None:
        """Close this process's connection (a later operation opens a new one)."""
        self._reconnect()
