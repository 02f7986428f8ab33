"""Incremental ranking in the batch flow (real flows, model, FAISS, MLflow): a rerun whose
resumes changed by at most ``ranking.refit_share`` scores only the new and changed resumes'
pairs with the kept pool statistics, and its manifest says so; every other rerun is a full
one, and its manifest says why. The outputs' equality with a full ranking on the kept
statistics is shown on the library (tests/model/test_incremental_ranking.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from matcher.settings import Settings, load_settings
from tests.conftest import SAMPLE

pytestmark = [pytest.mark.usefixtures("prefect_server"), pytest.mark.slow]

RESUME_FILES = sorted(p for p in (SAMPLE / "resumes").iterdir() if p.suffix == ".txt")[:14]
DECISION_KEY = ["job_id", "resume_id"]
#: The decision record columns of a pair (with its points and values) that do not depend on
#: the other candidates.
PAIR_COLUMNS = ["score", "fit", "fit_reason", "missing_required", "evidence", "resume_sha256"]


def _settings(root: Path, cache: Path, incremental: bool = True, **ranking: Any) -> Settings:
    return load_settings(
        embedding={"cache_dir": cache},
        index_dir=root / "index",
        state_dir=root / "state",
        mlflow_tracking_uri=f"sqlite:///{root / 'mlflow.db'}",
        runs={"incremental": incremental},
        ranking={"top_k": 4, "refit_share": 0.5, **ranking},
    )


def _manifest(out: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((out / "run_manifest.json").read_text())
    return manifest


def _decisions(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "decisions.parquet").set_index(DECISION_KEY)


def test_incremental_ranking_scores_only_new_pairs_and_says_why_a_run_is_full(
    tmp_path: Path, embedding_cache_dir: Path
) -> None:
    from pipelines.batch_scoring import batch_scoring

    jobs, resumes = tmp_path / "jobs.csv", tmp_path / "resumes"
    pd.read_csv(SAMPLE / "jobs.csv", dtype=str, keep_default_na=False).head(3).to_csv(
        jobs, index=False
    )
    resumes.mkdir()
    for source in RESUME_FILES[:10]:
        shutil.copy(source, resumes / source.name)
    root, out = tmp_path / "state_root", tmp_path / "state_root" / "out"

    def run(**ranking: Any) -> dict[str, Any]:
        batch_scoring(jobs, resumes, out, _settings(root, embedding_cache_dir, **ranking))
        section: dict[str, Any] = _manifest(out)["incremental"]["ranking"]
        return section

    first = run()
    assert first["mode"] == "full" and first["reason"] == "no kept ranking in the state folder"
    assert first["pairs_scored"] == 3 * 10
    before = _decisions(out)

    # Two new resumes, one changed, one removed: 4 of the 10 fitted, within 0.5.
    for source in RESUME_FILES[10:12]:
        shutil.copy(source, resumes / source.name)
    edited = resumes / RESUME_FILES[0].name
    edited.write_text(edited.read_text() + "\nSkills: Python, SQL, project management\n")
    (resumes / RESUME_FILES[1].name).unlink()
    second = run()
    assert second["mode"] == "incremental" and "reason" not in second
    assert second["statistics"]["resumes"] == 10 and second["statistics"]["reruns"] == 0
    assert second["statistics"]["changed_share"] == 0.4
    assert second["pairs_scored"] == 3 * 3  # the new and the changed resumes' pairs
    after = _decisions(out)
    assert len(after) == 3 * 11
    unchanged = [RESUME_FILES[k].stem for k in range(2, 10)]
    ids = after.index.get_level_values("resume_id")
    # The pairs of the unchanged resumes are those of the first run, as they were scored.
    kept = after[ids.isin(unchanged)]
    assert len(kept) == 3 * 8
    columns = PAIR_COLUMNS + [c for c in after.columns if c.startswith(("points.", "value."))]
    assert len(columns) > len(PAIR_COLUMNS)
    pd.testing.assert_frame_equal(kept[columns], before.loc[kept.index, columns])
    assert RESUME_FILES[1].stem not in set(ids)
    assert {RESUME_FILES[10].stem, RESUME_FILES[11].stem} <= set(ids)
    # Each posting's ranks are those of its merged candidates: 1 to 11, best first.
    for _, records in after.groupby(level="job_id"):
        assert sorted(records["rank"]) == list(range(1, 12))
        assert records.sort_values("rank")["score"].is_monotonic_decreasing

    # --refit: a full run, whose shortlists are those of a run without any kept state.
    refit = run(refit=True)
    assert refit["mode"] == "full" and refit["reason"] == "--refit (ranking.refit)"
    assert refit["pairs_scored"] == 3 * 11
    scratch = tmp_path / "scratch"
    batch_scoring(jobs, resumes, scratch / "out", _settings(scratch, embedding_cache_dir, False))
    pd.testing.assert_frame_equal(
        pd.read_csv(out / "shortlists.csv", dtype=str, keep_default_na=False),
        pd.read_csv(scratch / "out" / "shortlists.csv", dtype=str, keep_default_na=False),
    )

    # More changed than refit_share allows: a full run.
    for source in RESUME_FILES[12:14]:
        shutil.copy(source, resumes / source.name)
    exceeded = run(refit_share=0.1)
    assert exceeded["mode"] == "full" and "more than ranking.refit_share" in exceeded["reason"]

    # Another scorer setting (top_k): a full run.
    (resumes / RESUME_FILES[13].name).unlink()
    scorer = run(top_k=3)
    assert scorer["mode"] == "full" and "scorer" in scorer["reason"]

    # refit_share 0: incremental ranking off, nothing said about it.
    shutil.copy(RESUME_FILES[13], resumes / RESUME_FILES[13].name)
    batch_scoring(jobs, resumes, out, _settings(root, embedding_cache_dir, top_k=3, refit_share=0))
    assert "ranking" not in _manifest(out)["incremental"]
