"""Incremental batch scoring against a state store: real flows, model, FAISS and MLflow.

After each step of a sequence (first run, unchanged rerun, resumes added, one changed, one
withdrawn, a posting added, the champion changed, the ranker changed) the incremental run's
shortlists equal those of a run from scratch, its manifest counts new, changed, unchanged and
withdrawn records, and the pairs whose features were computed are exactly those with a new or
changed record. Its FAISS index is updated in place, never rebuilt, and answers like
the index built from scratch.
"""

from __future__ import annotations

import json
import shutil
import zipfile
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
    values: dict[str, Any] = {
        "embedding": {"cache_dir": cache},
        "index_dir": root / "index",
        "state_dir": root / "state",
        "mlflow_tracking_uri": f"sqlite:///{root / 'mlflow.db'}",
        "runs": {"incremental": incremental},
        "ranking": {"top_k": 4},
    }
    return load_settings(**{**values, **extra})


def _promote_champion(store: str, embedder: Any) -> None:
    """Register and promote a requirement-aware ranker with weights of its own."""
    from matcher.evaluation.evaluate import evaluate_ranker
    from matcher.evaluation.labelled import LabelledSet, qrels_from_frame
    from matcher.ranking.catalogue import make_ranker
    from matcher.text.preprocess import prepare_postings, prepare_resumes
    from matcher.tracking.experiment_log import EVALUATION_EXPERIMENT, log_evaluation
    from matcher.tracking.mlflow_runs import ensure_experiment
    from matcher.tracking.registry import promote
    from tests.model.test_evaluation import POSTINGS, QRELS, RESUMES

    postings, _ = prepare_postings(POSTINGS)
    resumes, _, _ = prepare_resumes(RESUMES, deduplicate=False)
    labelled = LabelledSet(
        postings, resumes, qrels_from_frame(QRELS.astype(str), "resumes-for-job")
    )
    weights = {"required_skills": 0.5, "dense": 0.3, "tfidf": 0.2}
    ranker = make_ranker("requirements", embedder=embedder, weights=weights)
    experiment = ensure_experiment(EVALUATION_EXPERIMENT, store)
    promote(log_evaluation(evaluate_ranker(ranker, labelled), labelled, experiment), store)


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
    tmp_path: Path, embedding_cache_dir: Path, embedder: Any
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
        section["ranked"] = {k: manifest["counts"][k]["ranked"] for k in ("postings", "resumes")}
        return section

    def pairs_of(section: dict[str, Any]) -> tuple[int, int]:
        """Pairs computed and reused; every pair is one or the other (the pool is small, so
        every resume is a candidate of every posting)."""
        scored, reused = section["pairs"]["scored"], section["pairs"]["reused"]
        assert scored + reused == section["ranked"]["postings"] * section["ranked"]["resumes"]
        return scored, reused

    first = run()
    assert first["resumes"] == {"new": 5, "changed": 0, "unchanged": 0, "withdrawn": 0}
    assert first["postings"]["new"] == 3 and first["rescored"]
    assert "no earlier run" in first["reason"]
    assert pairs_of(first)[1] == 0

    unchanged = run()
    assert unchanged["resumes"] == {"new": 0, "changed": 0, "unchanged": 5, "withdrawn": 0}
    assert unchanged["postings"]["unchanged"] == 3 and not unchanged["rescored"]

    for source in RESUME_FILES[5:8]:
        shutil.copy(source, resumes / source.name)
    added = run()
    assert added["resumes"] == {"new": 3, "changed": 0, "unchanged": 5, "withdrawn": 0}
    assert added["rescored"] and "records changed" in added["reason"]
    new_resumes = added["ranked"]["resumes"] - first["ranked"]["resumes"]
    assert new_resumes > 0
    assert pairs_of(added) == (3 * new_resumes, 3 * first["ranked"]["resumes"])

    edited = resumes / RESUME_FILES[0].name
    edited.write_text(edited.read_text() + "\nSkills: Python, SQL, project management\n")
    changed = run()
    assert changed["resumes"] == {"new": 0, "changed": 1, "unchanged": 7, "withdrawn": 0}
    assert changed["rescored"]
    assert pairs_of(changed)[0] == 3  # the changed resume against each of the 3 postings

    (resumes / RESUME_FILES[1].name).unlink()
    withdrawn = run()
    assert withdrawn["resumes"] == {"new": 0, "changed": 0, "unchanged": 7, "withdrawn": 1}
    assert pairs_of(withdrawn)[0] == 0

    jobs_all.to_csv(jobs, index=False)
    posting = run()
    assert posting["postings"] == {"new": 1, "changed": 0, "unchanged": 3, "withdrawn": 0}
    assert posting["resumes"]["unchanged"] == 7
    assert pairs_of(posting)[0] == posting["ranked"]["resumes"]  # the new posting's pairs

    champion_store = tmp_path / "champion.db"
    _promote_champion(f"sqlite:///{champion_store}", embedder)
    extra["mlflow_tracking_uri"] = f"sqlite:///{champion_store}"  # both runs score with it
    champion = run()
    assert champion["rescored"] and champion["reason"].startswith("the scorer changed: ranker")
    assert pairs_of(champion)[0] == 0  # new weights, the same features: every score is new

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
        "unchanged",
    ]
    assert index_updates[2][1].startswith("updated: +3 -0 resumes")
    assert index_updates[3][1].startswith("updated: +1 -1 resumes")
    assert index_updates[4][1].startswith("updated: +0 -1 resumes")
    assert json.loads((state_root / "index" / "meta.json").read_text())["updates_since_build"] == 3


def _files(folder: Path) -> dict[str, bytes]:
    """Every output file of a run folder by relative path, but the manifest and workbook
    (which hold the run's time and IDs)."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name not in ("run_manifest.json", "shortlists.xlsx")
    }


def _workbook(path: Path) -> dict[str, bytes]:
    """The workbook's parts but its document properties (which hold the time it was made)."""
    with zipfile.ZipFile(path) as book:
        return {
            name: book.read(name) for name in book.namelist() if not name.startswith("docProps/")
        }


@pytest.mark.parametrize("layout", ["simple", "runs"])
def test_an_unchanged_rerun_does_no_per_record_work_and_writes_the_same_outputs(
    tmp_path: Path, embedding_cache_dir: Path, layout: str
) -> None:
    from pipelines.batch_scoring import batch_scoring

    jobs, resumes = tmp_path / "jobs.csv", tmp_path / "resumes"
    resumes.mkdir()
    jobs_frame = pd.read_csv(SAMPLE / "jobs.csv", dtype=str, keep_default_na=False).head(3)
    # A posting without a description is rejected: the rerun reports it as the first run did.
    pd.concat([jobs_frame, pd.DataFrame({"job_id": ["j-empty"], "title": ["Nothing"]})]).to_csv(
        jobs, index=False
    )
    for source in RESUME_FILES[:4]:
        shutil.copy(source, resumes / source.name)
    shutil.copy(RESUME_FILES[0], resumes / "copy-of-the-first.txt")  # a duplicate
    settings = _settings(tmp_path, embedding_cache_dir, True, output={"layout": layout})
    out = tmp_path / "out"

    def run() -> tuple[Path, dict[str, Any]]:
        summary = batch_scoring(jobs, resumes, out, settings)
        folder = Path(summary.get("run_dir", out))
        return folder, json.loads((folder / "run_manifest.json").read_text())

    first_dir, first = run()
    first_files, first_book = _files(first_dir), _workbook(first_dir / "shortlists.xlsx")
    # 3 postings and 5 resumes loaded (the posting without a description is rejected on load)
    assert first["work"]["records_cleaned"] == 3 + 5 and first["work"]["records_profiled"] > 0
    assert first["counts"]["resumes"]["duplicates"] == 1
    assert first["counts"]["postings"]["rejected"] == 1
    assert "reused_outputs" not in first["incremental"]

    again_dir, again = run()
    assert again_dir != first_dir or layout == "simple"
    # Told from the rerun key before anything was loaded: every file is the first run's.
    assert again["work"] == {"records_loaded": 0, "records_cleaned": 0, "records_profiled": 0}
    assert {"load", "clean", "profile", "embed_and_index", "rank"}.isdisjoint(again["timings"])
    reused = again["incremental"]["reused_outputs"]
    assert reused["decided_before_loading"] and reused["from"] == str(first_dir)
    assert set(reused["files"]) == {p.name for p in first_dir.iterdir()} - {"run_manifest.json"}
    assert not again["incremental"]["rescored"]
    assert again["incremental"]["resumes"] == {
        "new": 0,
        "changed": 0,
        "unchanged": 5,
        "withdrawn": 0,
    }
    assert again["counts"] == first["counts"] and again["inputs"] == first["inputs"]
    assert again["mlflow_run_id"] not in (None, first["mlflow_run_id"])
    assert again["reused_mlflow_run_id"] == first["mlflow_run_id"]
    assert _files(again_dir) == first_files
    assert _workbook(again_dir / "shortlists.xlsx") == first_book

    # A file edited since is not copied: the run writes its accounting afresh.
    (again_dir / "rejects.csv").write_text("edited by hand\n")
    third_dir, third = run()
    assert "reused_outputs" not in third["incremental"]
    assert third["work"]["records_cleaned"] == 3  # the 5 resumes are in the clean cache
    # All but records.csv: a run that reuses the stored shortlists without ranking has no
    # stage-1 candidate counts to write there.
    third_files = _files(third_dir)
    assert third_files.pop("records.csv") != first_files["records.csv"]
    assert third_files == {k: v for k, v in first_files.items() if k != "records.csv"}


def test_files_that_differ_but_load_the_same_records_do_no_per_record_work(
    tmp_path: Path, embedding_cache_dir: Path
) -> None:
    """Postings re-exported (every cell quoted, CRLF line ends) and a resume file touched:
    nothing is cleaned or profiled again, and the outputs are those of a run from scratch on
    the new files."""
    import csv

    from pipelines.batch_scoring import batch_scoring

    jobs, resumes = tmp_path / "jobs.csv", tmp_path / "resumes"
    resumes.mkdir()
    frame = pd.read_csv(SAMPLE / "jobs.csv", dtype=str, keep_default_na=False).head(3)
    frame.to_csv(jobs, index=False)
    for source in RESUME_FILES[:4]:
        shutil.copy(source, resumes / source.name)
    settings = _settings(tmp_path / "state", embedding_cache_dir, True)
    out = tmp_path / "out"
    batch_scoring(jobs, resumes, out, settings)
    first = json.loads((out / "run_manifest.json").read_text())
    assert first["work"]["records_cleaned"] == 3 + 4

    frame.to_csv(jobs, index=False, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    touched = resumes / RESUME_FILES[0].name
    touched.write_bytes(touched.read_bytes())
    batch_scoring(jobs, resumes, out, settings)
    again = json.loads((out / "run_manifest.json").read_text())
    assert again["inputs"]["jobs"]["sha256"] != first["inputs"]["jobs"]["sha256"]
    assert again["work"] == {"records_cleaned": 0, "records_profiled": 0}
    assert not again["incremental"]["rescored"]
    assert again["incremental"]["postings"]["unchanged"] == 3
    assert "decided_before_loading" not in again["incremental"]["reused_outputs"]

    scratch = tmp_path / "scratch"
    batch_scoring(jobs, resumes, scratch, _settings(tmp_path / "fresh", embedding_cache_dir, False))
    assert _files(out) == _files(scratch)
    assert _workbook(out / "shortlists.xlsx") == _workbook(scratch / "shortlists.xlsx")
