"""The batch flow on the hostile corpus finishes, and every record is ranked or rejected with why.

The corpus (:mod:`tests.hostile`) is built at test time: nested HTML, DOCX bombs, a PDF of
thousands of pages, one-line megabyte texts, NUL bytes and control characters in IDs, long and
formula-like IDs. The run uses the real model, FAISS index, Prefect flow and MLflow store.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from matcher.io.csv_safety import FORMULA_PREFIXES
from matcher.io.loading import escape_controls
from tests.hostile import HostileCorpus, build_hostile_corpus

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_server")]


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory, embedding_cache_dir: Path):  # type: ignore[no-untyped-def]
    from pipelines.batch_scoring import batch_scoring

    from matcher.settings import load_settings

    root = tmp_path_factory.mktemp("hostile")
    corpus = build_hostile_corpus(root / "input")
    settings = load_settings(
        embedding={"cache_dir": embedding_cache_dir},
        index_dir=root / "index",
        mlflow_tracking_uri=f"sqlite:///{root / 'mlflow.db'}",
        ranking={"top_k": 5},
    )
    out = root / "out"
    summary = batch_scoring(corpus.jobs, corpus.resumes, out, settings)
    return corpus, out, summary


def _unguard(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES) else value


def _records(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "records.csv", dtype=str, keep_default_na=False, na_filter=False)


def _status(records: pd.DataFrame, kind: str, record_id: str) -> pd.Series:
    rows = records[(records["kind"] == kind) & (records["record_id"].map(_unguard) == record_id)]
    assert len(rows) == 1, (kind, record_id, len(rows))
    return rows.iloc[0]


def test_every_hostile_record_is_accounted_for(hostile_run) -> None:  # type: ignore[no-untyped-def]
    corpus: HostileCorpus
    corpus, out, _ = hostile_run
    records = _records(out)
    for kind, ids in (("resume", corpus.resume_ids), ("posting", corpus.job_ids)):
        found = sorted(records.loc[records["kind"] == kind, "record_id"].map(_unguard))
        # IDs with control characters are rejected and shown escaped (\\x00).
        assert found == sorted(escape_controls(i) for i in ids), kind
    rejected = records[records["status"] == "rejected"]
    assert (rejected["detail"].str.strip().str.len() > 0).all()
    manifest = json.loads((out / "run_manifest.json").read_text())
    for kind, ids in (("resumes", corpus.resume_ids), ("postings", corpus.job_ids)):
        counts = manifest["counts"][kind]
        assert counts["read"] == len(ids)
        assert counts["read"] == counts["ranked"] + counts["duplicates"] + counts["rejected"]


def test_hostile_records_end_where_they_should(hostile_run) -> None:  # type: ignore[no-untyped-def]
    _, out, _ = hostile_run
    records = _records(out)
    # Text survives markup of any depth and one-line megabytes (truncated or whole).
    for kind, record_id in (
        ("resume", "nested-html"),
        ("resume", "one-line-megabytes"),
        ("posting", "J-NESTED"),
        ("posting", "J-ONE-LINE"),
        ("posting", "J-" + "X" * 240),
        ("posting", "=1+1"),
        ("posting", "../../etc/passwd"),
        ("resume", "=cmd|' calc'!A0"),
    ):
        assert _status(records, kind, record_id)["status"] == "ranked", (kind, record_id)
    # Bombs and IDs with control characters are rejected, each with its reason.
    for kind, record_id in (
        ("resume", "docx-bomb"),
        ("posting", escape_controls("J-NUL\x00ID")),
        ("posting", escape_controls("J-BELL\x07")),
    ):
        row = _status(records, kind, record_id)
        assert row["status"] == "rejected", (kind, record_id)
        assert row["detail"], (kind, record_id)


def test_outputs_are_safe_and_stay_in_the_output_folder(hostile_run) -> None:  # type: ignore[no-untyped-def]
    _, out, _ = hostile_run
    files = [p for p in out.rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert path.resolve().is_relative_to(out.resolve())
        assert len(path.name.encode()) <= 255
        assert not path.name.endswith(".tmp")
        if path.suffix in {".csv", ".json", ".txt", ".html"}:
            assert b"\x00" not in path.read_bytes(), path.name
        if path.suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
            for column in frame.columns:
                bad = [c for c in frame[column] if c.startswith(FORMULA_PREFIXES)]
                assert bad == [], (path.name, column)
    shortlists = pd.read_csv(out / "shortlists.csv", dtype=str, keep_default_na=False)
    # The long ID is kept exact inside the files, whatever its file name.
    assert ("J-" + "X" * 240) in set(shortlists["job_id"])
