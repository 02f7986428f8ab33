"""Where the state store says the last run's decision records are, and when it says nothing."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pandas as pd

from matcher.io.manifest import file_sha256
from matcher.io.state_store import RecordedDecisions, StateStore, open_state_store

HASHES = {"posting": {"j1": "a"}, "resume": {"r1": "b"}}
SHORTLISTS = pd.DataFrame({"job_id": ["j1"], "resume_id": ["r1"], "rank": [1], "score": [50.0]})


def _save(store: StateStore, decisions: RecordedDecisions | None) -> None:
    store.save_run(HASHES, {"ranker": "requirements"}, "pool", SHORTLISTS, decisions)


def _decisions(folder: Path, content: bytes = b"decision records") -> RecordedDecisions:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "decisions.parquet").write_bytes(content)
    return RecordedDecisions(
        folder / "decisions.parquet", file_sha256(folder / "decisions.parquet")
    )


def test_a_run_records_where_its_decision_records_are(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    written = _decisions(tmp_path / "runs" / "one")
    with open_state_store(path) as store:
        assert store.recorded_decisions() is None  # before the first run
        _save(store, written)
    with open_state_store(path) as store:  # a later run reads it back
        recorded = store.recorded_decisions()
    assert recorded == written and recorded.intact()


def test_records_removed_or_replaced_since_are_not_intact(tmp_path: Path) -> None:
    written = _decisions(tmp_path / "out")
    written.path.write_bytes(b"another run's decision records")
    assert not written.intact()
    written.path.unlink()
    assert not written.intact()


def test_a_run_that_records_no_location_forgets_the_earlier_one(tmp_path: Path) -> None:
    with open_state_store(tmp_path / "state.db") as store:
        _save(store, _decisions(tmp_path / "out"))
        _save(store, None)
        assert store.recorded_decisions() is None


def test_state_written_by_an_older_matcher_records_no_location(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with open_state_store(path) as store:
        _save(store, _decisions(tmp_path / "out"))
    with closing(sqlite3.connect(path)) as db, db:  # the tables as an older matcher left them
        db.execute("DROP TABLE decisions")
    with open_state_store(path) as store:
        assert store.scoring() is not None
        assert store.recorded_decisions() is None


def test_a_run_saved_since_by_an_older_matcher_makes_the_location_stale(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with open_state_store(path) as store:
        _save(store, _decisions(tmp_path / "out"))
    with closing(sqlite3.connect(path)) as db, db:  # an older matcher's save_run: scoring only
        db.execute("UPDATE scoring SET scored_at = '2999-01-01T00:00:00+00:00'")
    with open_state_store(path) as store:
        assert store.recorded_decisions() is None
