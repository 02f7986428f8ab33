"""What a real `matcher score` prints to stderr: one progress display per stage, nothing else."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLE
from tests.flows.conftest import encoding_progress

pytestmark = pytest.mark.slow  # real matcher processes, each with its own Prefect API


def _score(tmp_path: Path, cache_dir: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MLFLOW_", "MATCHER_", "PREFECT_API_URL"))
    }
    env.update(
        PYTHONPATH=f"{REPO / 'src'}{os.pathsep}{REPO}",
        PREFECT_HOME=str(tmp_path / "prefect"),
        MATCHER_STATE_DIR=str(tmp_path / "state"),
        MATCHER_INDEX_DIR=str(tmp_path / "index"),
        MATCHER_MLFLOW_TRACKING_URI=f"sqlite:///{tmp_path / 'mlflow.db'}",
        MATCHER_EMBEDDING__CACHE_DIR=str(cache_dir),
    )
    command = [sys.executable, "-m", "matcher.cli", *flags, "score"]
    command += ["--jobs", str(SAMPLE / "jobs.csv"), "--resumes", str(SAMPLE / "resumes")]
    command += ["--out", str(tmp_path / "out")]
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=REPO, env=env, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def test_a_run_shows_overall_progress_per_stage_and_no_per_call_bars(
    tmp_path: Path, embedding_cache_dir: Path
) -> None:
    stderr = _score(tmp_path, embedding_cache_dir).stderr
    for stage, total in (("embedding resumes", 66), ("shortlisting job", 19)):
        counts = [(int(done), int(of)) for done, of in re.findall(rf"{stage} (\d+)/(\d+)", stderr)]
        assert counts and counts[-1] == (total, total), stage
        assert [done for done, _ in counts] == sorted(done for done, _ in counts)
        assert len(counts) <= 11  # about one line per tenth, not one per item
    assert "scoring 19 jobs against 66 resumes" in stderr
    assert "Batches" not in stderr and "Loading weights" not in stderr  # no per-call bars
    assert "Finished in state Completed" not in stderr
    assert " DEBUG " not in stderr and "| DEBUG" not in stderr
    assert len(stderr.splitlines()) <= 45


def test_a_cold_run_shows_progress_while_the_ranker_encodes(tmp_path: Path) -> None:
    """With nothing cached, the rank step encodes the resumes' lines and the postings'
    requirements before it has scored a pair (most of a cold run's time): that shows too."""
    stderr = _score(tmp_path, tmp_path / "new-cache").stderr
    lines = stderr.splitlines()
    start = next(n for n, line in enumerate(lines) if "scoring 19 jobs against 66 resumes" in line)
    scored = next(n for n, line in enumerate(lines) if "scoring candidate pairs" in line)
    assert start < scored
    counts = encoding_progress("\n".join(lines[start:scored]), "encoding texts for ranking")
    assert max(total for _, total in counts) >= 1000  # the sample's resumes: some 1,800 lines
    told = [line for line in lines if "encoding texts for ranking" in line]
    assert all("Task run 'rank_postings" in line for line in told), told  # the step's own
    assert "encoding texts for ranking" not in stderr.split("scoring candidate pairs")[-1]


def test_quiet_shows_no_progress(tmp_path: Path, embedding_cache_dir: Path) -> None:
    done = _score(tmp_path, embedding_cache_dir, "--quiet")
    assert "embedding resumes" not in done.stderr and "shortlisting job" not in done.stderr
    assert "shortlists" in done.stdout  # the summary stays
