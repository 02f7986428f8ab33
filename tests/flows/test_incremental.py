"""Incremental batch scoring against a state store: real flows, model, FAISS and MLflow.

After each step of a sequence (first run, unchanged rerun, resumes added, one changed, one
withdrawn, a posting added, the ranker changed) the incremental run's shortlists equal those of
a run from scratch, and its manifest counts new, changed, unchanged and withdrawn records. Its
FAISS index is updated in place, never rebuilt, and answers like the index built from scratch.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from matcher.ranking.index import load_index
from matcher.settings import Settings, load_settings
from tests.conftest import SAMPLE

pytestmark = [pytest.mark.usefixtures("prefect_server"), pytest.mark.slow]

RESUME_FILES = sorted(p for p in (SAMPLE / "resumes").iterdir() if p.suffix == ".txt")[:9]


def _settings(root: Path, cache: Path, incremental: bool, **extra: Any) -> Settings:
    return load_settings(
        embedding={"cache_dir": cache},
        index_dir=root / "index",
        state_dir=root / "state",
        mlflow_tracking_uri=f"sqlite:///{root / 'mlflow.db'}",
        runs={"incremental": incremental},
        **{"ranking": {"top_k": 4}, **extra},
    )


def _shortlists(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "shortlists.csv", dtype=str, keep_default_na=False)


def _assert_same_search(updated: Path, fresh: Path) -> None:
    """The updated index answers like the one built from scratch, every resume scored."""
    got, want = load_index(updated), load_index(fresh)
    assert want.meta["updates_since_build"] == 0
    queries = np.random.default_rng(0).normal(size=(5, want.index.d)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    found, expected = got.search(queries), want.search(queries)
    assert found.keys() == expected.keys()
    for row, scores in expected.items():
        assert found[row].keys() == scores.keys()
        assert found[row] == pytest.approx(scores, abs=1e-6)


def test_incremental_runs_equal_runs_from_scratch_and_count_what_changed(
    tmp_path: Path, embedding_cache_dir: Path
) -> None:
    from pipelines.batch_scoring import batch_scoring

    jobs_all = pd.read_csv(SAMPLE / "jobs.csv", dtype=str, keep_default_na=False).head(4)
    jobs, resumes = tmp_path / "jobs.csv", tmp_path / "resumes"
    resumes.mkdir()
    jobs_all.head(3).to_csv(jobs, index=False)
    for source in RESUME_FILES[:5]:
        shutil.copy(source, resumes / source.name)
    state_root, scratch = tmp_path / "incremental", tmp_path / "scratch"
    extra: dict[str, Any] = {}
    step = 0
    index_updates: list[tuple[str, str]] = []

    def run() -> dict[str, Any]:
        """An incremental run and a run from scratch on the same inputs; their manifests."""
        nonlocal step
        step += 1
        settings = _settings(state_root, embedding_cache_dir, True, **extra)
        batch_scoring(jobs, resumes, state_root / "out", settings)
        fresh = scratch / f"step-{step}"
        batch_scoring(
            jobs, resumes, fresh / "out", _settings(fresh, embedding_cache_dir, False, **extra)
        )
        pd.testing.assert_frame_equal(_shortlists(state_root / "out"), _shortlists(fresh / "out"))
        manifest = json.loads((state_root / "out" / "run_manifest.json").read_text())
        index = manifest["index"]
        index_updates.append((index.get("update", "skipped"), index.get("last_update", "")))
        _assert_same_search(state_root / "index", fresh / "index")
        section: dict[str, Any] = manifest["incremental"]
        return section

    first = run()
    assert first["resumes"] == {"new": 5, "changed": 0, "unchanged": 0, "withdrawn": 0}
    assert first["postings"]["new"] == 3 and first["rescored"]
    assert "no earlier run" in first["reason"]

    unchanged = run()
    assert unchanged["resumes"] == {"new": 0, "changed": 0, "unchanged": 5, "withdrawn": 0}
    assert unchanged["postings"]["unchanged"] == 3 and not unchanged["rescored"]

    for source in RESUME_FILES[5:8]:
        shutil.copy(source, resumes / source.name)
    added = run()
    assert added["resumes"] == {"new": 3, "changed": 0, "unchanged": 5, "withdrawn": 0}
    assert added["rescored"] and "records changed" in added["reason"]

    edited = resumes / RESUME_FILES[0].name
    edited.write_text(edited.read_text() + "\nSkills: Python, SQL, project management\n")
    changed = run()
    assert changed["resumes"] == {"new": 0, "changed": 1, "unchanged": 7, "withdrawn": 0}
    assert changed["rescored"]

    (resumes / RESUME_FILES[1].name).unlink()
    withdrawn = run()
    assert withdrawn["resumes"] == {"new": 0, "changed": 0, "unchanged": 7, "withdrawn": 1}

    jobs_all.to_csv(jobs, index=False)
    posting = run()
    assert posting["postings"] == {"new": 1, "changed": 0, "unchanged": 3, "withdrawn": 0}
    assert posting["resumes"]["unchanged"] == 7

    extra["ranking"] = {"top_k": 4, "ranker": "tfidf", "use_champion": False}
    ranker = run()
    assert ranker["rescored"] and ranker["reason"].startswith("the scorer changed: ranker")
    assert ranker["resumes"]["unchanged"] == 7 and ranker["postings"]["unchanged"] == 4

    # The index was built once, then updated in place: added, changed and withdrawn resumes.
    assert [update for update, _ in index_updates] == [
        "built",
        "skipped",
        "updated",
        "updated",
        "updated",
        "unchanged",
        "unchanged",
    ]
    assert index_updates[2][1].startswith("updated: +3 -0 resumes")
    assert index_updates[3][1].startswith("updated: +1 -1 resumes")
    assert index_updates[4][1].startswith("updated: +0 -1 resumes")
    assert json.loads((state_root / "index" / "meta.json").read_text())["updates_since_build"] == 3
