"""The incremental state of batch scoring: one SQLite file in the project's state folder.

The store remembers, between runs against one state folder:

* every posting and resume by ID and the SHA-256 of its content as loaded, so a run can tell
  which input records are new, changed, unchanged or withdrawn (absent from the input);
* the shortlists of the last run, with the scorer that made them (embedding model, ranker and
  its parameters or champion version, the settings that shape scores) and every shortlist
  entry with that scorer;
* where the last run's decision records are, and their SHA-256 as written
  (:meth:`StateStore.recorded_decisions`), so that a rerun with nothing changed can reuse them
  wherever the run's output went.

**What a run reuses.** When the scorer and every record are unchanged, the stored shortlists
are reused as they are. Otherwise the run scores again and says why
(:meth:`StateStore.rescore_reason`), but an incremental run computes the costly pair-local
features only for the pairs with a new or changed record: those of the other pairs come from
the score cache (:mod:`matcher.io.score_cache`). The pool-dependent features (the IDF of
``requirement_terms`` and TF-IDF, BM25 relative to the best resume of each posting, the
relevance gate relative to the best of the query; :mod:`matcher.ranking.features`) change with
every record added or withdrawn, so a full run computes them afresh for every pair, and the
shortlists are rebuilt from the combined scores: they equal those of a run from scratch. When
few resumes changed, the run keeps the statistics of an earlier run instead and scores only the
new and changed resumes' pairs (:mod:`matcher.io.kept_ranking`,
:mod:`matcher.ranking.incremental`). Embeddings of unchanged texts come from the embedding
cache either way.

Runs that use the store hold its lock (:func:`matcher.io.locking.hold_locks`) for their whole
run, so two runs against one state folder never interleave. SQLite runs in WAL mode, so a
reader (a report, a notebook) never blocks a run.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matcher import schema
from matcher.io.manifest import file_sha256
from matcher.io.shared_sqlite import (
    SharedSQLite,
    is_transient,
    missing_tables,
    write_transaction,
)

if TYPE_CHECKING:  # pandas is imported where a frame is read or written: an unchanged rerun
    import pandas as pd  # reads the store without it (matcher.io.unchanged_rerun)

#: The state store's file name inside ``settings.state_dir``.
STATE_FILE = "state.db"
#: The version of the tables below; a store of another version is refused, not guessed at.
SCHEMA_VERSION = 1
#: The kinds of record, as in the rejects table, and their ID columns.
KINDS = {"posting": schema.JOB_ID, "resume": schema.RESUME_ID}
#: Classes of input record, in the order the manifest lists them.
CLASSES = ("new", "changed", "unchanged", "withdrawn")

_TABLES = """
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    PRIMARY KEY (kind, record_id)
);
CREATE TABLE IF NOT EXISTS scoring (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    scorer TEXT NOT NULL,
    scorer_sha256 TEXT NOT NULL,
    pool_sha256 TEXT NOT NULL,
    scored_at TEXT NOT NULL,
    shortlists BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS last_run (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    rerun_key_sha256 TEXT NOT NULL,
    run_dir TEXT NOT NULL,
    outputs_sha256 TEXT NOT NULL,
    load_sha256 TEXT NOT NULL,
    saved_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS shortlist_entries (
    job_id TEXT NOT NULL,
    resume_id TEXT NOT NULL,
    rank INTEGER NOT NULL,
    score REAL NOT NULL,
    scorer_sha256 TEXT NOT NULL,
    scored_at TEXT NOT NULL,
    PRIMARY KEY (job_id, resume_id)
);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    scored_at TEXT NOT NULL
);
"""


class StateStoreError(RuntimeError):
    """The state store is of another schema version or unreadable."""


def state_store_path(state_dir: Path) -> Path:
    """The state store of the state folder ``state_dir``.

    Example:
        >>> state_store_path(Path(".matcher"))
        PosixPath('.matcher/state.db')
    """
    return Path(state_dir) / STATE_FILE


def content_hashes(records: pd.DataFrame, kind: str) -> dict[str, str]:
    """SHA-256 of each record's content as loaded, by record ID.

    Every column but ``source`` counts (a file moved to another folder is the same record).

    Example:
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"resume_id": ["r1"], "text": ["Nurse"], "source": ["a.txt"]})
        >>> moved = frame.assign(source="b.txt")
        >>> content_hashes(frame, "resume") == content_hashes(moved, "resume")
        True
    """
    id_column = KINDS[kind]
    columns = sorted(c for c in records.columns if c not in (id_column, "source"))
    hashes: dict[str, str] = {}
    for record_id, values in zip(
        records[id_column].astype(str), records[columns].itertuples(index=False), strict=True
    ):
        content = json.dumps(dict(zip(columns, map(str, values), strict=True)), sort_keys=True)
        hashes[record_id] = hashlib.sha256(content.encode()).hexdigest()
    return hashes


def fingerprint(value: Any) -> str:
    """SHA-256 of a JSON-able value, keys sorted: the identity of a scorer or a record pool."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Classification:
    """The input records of one kind by class: new, changed, unchanged and withdrawn IDs."""

    new: list[str]
    changed: list[str]
    unchanged: list[str]
    withdrawn: list[str]

    def counts(self) -> dict[str, int]:
        """How many records fall in each class (the manifest's ``incremental`` counts)."""
        return {name: len(getattr(self, name)) for name in CLASSES}


@dataclass(frozen=True)
class StoredScoring:
    """The shortlists of the last run and the scorer that made them."""

    scorer: dict[str, Any]
    scorer_sha256: str
    pool_sha256: str
    shortlists: pd.DataFrame


@dataclass(frozen=True)
class RecordedDecisions:
    """Where a run's decision records are once it is complete, and their SHA-256 as written."""

    path: Path
    sha256: str

    def intact(self) -> bool:
        """Whether the file is still there as the run wrote it (not pruned nor replaced)."""
        return self.path.is_file() and file_sha256(self.path) == self.sha256


@dataclass(frozen=True)
class LastRun:
    """What an unchanged rerun is told from, and the folder whose files it copies.

    Attributes:
        rerun_key_sha256: The fingerprint of the run's input files, settings, code, model,
            champion and day (:func:`matcher.io.unchanged_rerun.rerun_key`).
        run_dir: The folder the run wrote (``OUT``, or ``OUT/runs/<time>``).
        outputs_sha256: The names, sizes and modification times of the files it wrote, but
            the manifest (:func:`matcher.io.unchanged_rerun.outputs_fingerprint`): a file
            changed or removed since makes the folder unfit to copy.
        load_sha256: The records as loaded, in order, and the load rejects
            (:func:`matcher.io.unchanged_rerun.load_fingerprint`): equal, the run's record
            accounting holds for a run on other files that load the same.
    """

    rerun_key_sha256: str
    run_dir: Path
    outputs_sha256: str
    load_sha256: str


class StateStore:
    """The SQLite state store of one state folder; open it with :func:`open_state_store`."""

    def __init__(self, database: SharedSQLite) -> None:
        self._database = database

    def classify(self, kind: str, hashes: Mapping[str, str]) -> Classification:
        """Sort the input records of ``kind`` (ID to content hash) against the stored ones."""
        stored = dict(
            self._database.fetch(
                "SELECT record_id, content_sha256 FROM records WHERE kind = ?", (kind,)
            )
        )
        return Classification(
            new=sorted(i for i in hashes if i not in stored),
            changed=sorted(i for i, h in hashes.items() if i in stored and stored[i] != h),
            unchanged=sorted(i for i, h in hashes.items() if stored.get(i) == h),
            withdrawn=sorted(i for i in stored if i not in hashes),
        )

    def scoring(self) -> StoredScoring | None:
        """The stored shortlists and their scorer, or None before the first run."""
        rows = self._database.fetch(
            "SELECT scorer, scorer_sha256, pool_sha256, shortlists FROM scoring"
        )
        if not rows:
            return None
        row = rows[0]
        import pandas as pd

        frame = pd.read_parquet(io.BytesIO(row[3]))
        return StoredScoring(json.loads(row[0]), row[1], row[2], frame)

    def recorded_decisions(self) -> RecordedDecisions | None:
        """Where the decision records of the run in :meth:`scoring` are, as :meth:`save_run`
        recorded them; None before the first run and for state written by a matcher that did
        not record them (or by one that saved a run since without recording them)."""
        rows = self._database.fetch(
            "SELECT d.path, d.sha256 FROM decisions AS d JOIN scoring AS s"
            " ON d.scored_at = s.scored_at"
        )
        return RecordedDecisions(Path(rows[0][0]), rows[0][1]) if rows else None

    def rescore_reason(self, scorer: dict[str, Any], pool_sha256: str) -> str | None:
        """Why this run must score every pair again, or None if the stored shortlists hold."""
        stored = self.scoring()
        if stored is None:
            return "no earlier run in the state store"
        if stored.scorer_sha256 != fingerprint(scorer):
            changed = sorted(
                key
                for key in scorer.keys() | stored.scorer.keys()
                if fingerprint(scorer.get(key)) != fingerprint(stored.scorer.get(key))
            )
            return f"the scorer changed: {', '.join(changed)}"
        if stored.pool_sha256 != pool_sha256:
            return (
                "records changed: pairs with a new or changed record are scored, the others"
                " reuse their pair-local features; pool statistics (IDF, BM25 and best-of-query"
                " normalisation) are fitted afresh, or kept when few resumes changed"
                " (incremental.ranking says which)"
            )
        return None

    def record_counts(self) -> dict[str, int]:
        """How many records of each kind the last run read (by kind, e.g. ``posting``)."""
        rows = self._database.fetch("SELECT kind, COUNT(*) FROM records GROUP BY kind")
        return {kind: 0 for kind in KINDS} | dict(rows)

    def last_run(self) -> LastRun | None:
        """The fingerprints and folder of the last completed run, or None before it."""
        rows = self._database.fetch(
            "SELECT rerun_key_sha256, run_dir, outputs_sha256, load_sha256 FROM last_run"
        )
        return LastRun(rows[0][0], Path(rows[0][1]), rows[0][2], rows[0][3]) if rows else None

    def save_last_run(self, last: LastRun) -> None:
        """Remember the last completed run (see :class:`LastRun`)."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        row = (last.rerun_key_sha256, str(last.run_dir), last.outputs_sha256, last.load_sha256, now)
        self._database.write("INSERT OR REPLACE INTO last_run VALUES (1, ?, ?, ?, ?, ?)", [row])

    def save_run(
        self,
        hashes: Mapping[str, Mapping[str, str]],
        scorer: dict[str, Any],
        pool_sha256: str,
        shortlists: pd.DataFrame,
        decisions: RecordedDecisions | None = None,
    ) -> None:
        """Record one completed run in one transaction: its records, scorer and shortlists, and
        where its decision records are.

        Args:
            hashes: Per kind, the content hash of every input record by ID; records of that
                kind absent from it are withdrawn and forgotten.
            scorer: What scored the shortlists (see :meth:`rescore_reason`).
            pool_sha256: The fingerprint of every input record (see :func:`fingerprint`).
            shortlists: The shortlists as written, one row per (job, candidate).
            decisions: Where the run's decision records are once it is complete (an absolute
                path) and their SHA-256; None forgets where an earlier run's were.
        """
        now = datetime.now(UTC).isoformat(timespec="seconds")
        scorer_sha256 = fingerprint(scorer)
        buffer = io.BytesIO()
        shortlists.to_parquet(buffer, index=False)

        def write(db: sqlite3.Connection) -> None:
            with write_transaction(db):
                for kind, by_id in hashes.items():
                    db.execute("CREATE TEMP TABLE IF NOT EXISTS present (record_id TEXT)")
                    db.execute("DELETE FROM present")
                    db.executemany("INSERT INTO present VALUES (?)", ((i,) for i in by_id))
                    db.execute(
                        "DELETE FROM records WHERE kind = ? AND record_id NOT IN"
                        " (SELECT record_id FROM present)",
                        (kind,),
                    )
                    db.executemany(
                        "INSERT INTO records VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, record_id)"
                        " DO UPDATE SET content_sha256 = excluded.content_sha256,"
                        " last_seen = excluded.last_seen",
                        ((kind, i, h, now, now) for i, h in by_id.items()),
                    )
                db.execute(
                    "INSERT OR REPLACE INTO scoring VALUES (1, ?, ?, ?, ?, ?)",
                    (
                        json.dumps(scorer, sort_keys=True, default=str),
                        scorer_sha256,
                        pool_sha256,
                        now,
                        buffer.getvalue(),
                    ),
                )
                db.execute("DELETE FROM decisions")
                if decisions is not None:
                    db.execute(
                        "INSERT INTO decisions VALUES (1, ?, ?, ?)",
                        (str(decisions.path), decisions.sha256, now),
                    )
                db.execute("DELETE FROM shortlist_entries")
                db.executemany(
                    "INSERT INTO shortlist_entries VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        (str(job), str(resume), int(rank), float(score), scorer_sha256, now)
                        for job, resume, rank, score in shortlists[
                            [schema.JOB_ID, schema.RESUME_ID, "rank", "score"]
                        ].itertuples(index=False)
                    ),
                )

        self._database.run(write)


@contextmanager
def open_state_store(path: Path) -> Iterator[StateStore]:
    """Open (creating it if need be) the state store at ``path``; the caller holds its lock.

    The file is a :class:`matcher.io.shared_sqlite.SharedSQLite`: a reader elsewhere (a
    report, a notebook) never blocks the run, and a passing lock or I/O error is retried.

    Raises:
        StateStoreError: If the file is not a state store of :data:`SCHEMA_VERSION`.
    """
    try:
        database = SharedSQLite(path, functools.partial(_set_up, path))
    except sqlite3.DatabaseError as error:
        if is_transient(error):
            raise
        raise StateStoreError(f"{path}: not a matcher state store ({error})") from error
    try:
        yield StateStore(database)
    finally:
        database.close()


def _set_up(path: Path, connection: sqlite3.Connection) -> None:
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION and not missing_tables(connection, _TABLES):
        return
    if version not in (0, SCHEMA_VERSION):
        raise StateStoreError(
            f"{path}: state store of schema version {version}, this matcher reads"
            f" {SCHEMA_VERSION}; move it aside to start afresh"
        )
    with write_transaction(connection):
        for statement in _TABLES.split(";"):
            if statement.strip():
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
