"""Fixed overhead of incremental batch scoring: a first run against the reruns that follow it.

Runs ``matcher score --incremental`` as a user would (a new process each time, so imports and
the Prefect API start-up count) on a copy of the sample data (or of ``--jobs`` and
``--resumes``: a folder of documents, or a table whose rows are written out as one text file
each), with a fresh state folder:

1. the first run, with an empty embedding cache (unless ``--warm-cache DIR`` is given);
2. an unchanged rerun;
3. a rerun with 1 % new resumes (at least one);
4. a rerun after one resume changed.

Then the same sequence again inside this one Python process, as a notebook calls the flow:
the flow is called four times, so imports, the model and the Prefect API client are paid once,
by the first run, as ``matcher schedule --warm`` runs its scheduled runs (with the project's
server running and ``PREFECT_API_URL`` set, below, against that server). A served deployment
without ``--warm`` is not this: Prefect's runner starts a new process for every flow run, so
its rerun pays imports and the model's load as the command does; the command with the
project's server running measures it without the temporary API's start-up.

An unchanged rerun as a command is told from fingerprints before anything heavy is imported
(:mod:`matcher.io.unchanged_rerun`) and leaves its MLflow run to a detached process; the
benchmark waits for that process before the next step and prints how long it took.

Prints the wall time of each, the ratio of each rerun to the first run of its mode (the P3
table of issue 11: unchanged rerun at most 0.05 of the first run; with 1 % new resumes about
1 % of the first run's embedding time plus that fixed 0.05; the embedding time is the
encoder's, from the first run's manifest, which counts the ranker's line embeddings as well as
the embed-and-index step), the in-run timings, and which
Prefect API was used: the project's server when ``PREFECT_API_URL`` is set (``matcher server
start``, then ``export PREFECT_API_URL=...`` as ``matcher server status`` prints), else a
temporary one. The temporary API keeps its database in ``PREFECT_HOME``: with
``--prefect-home kept`` (the default) every run uses one home whose database the benchmark made
before the first run, untimed, as a user's home has after their first run; ``new`` starts from
a new home, so the first run also pays Prefect's migrations (some 8 s here), which makes every
ratio smaller. Before this option the runs used the caller's ``PREFECT_HOME``. No thresholds:
the machines here are shared and noisy.

    PYTHONPATH=src:. .venv/bin/python benchmarks/bench_rerun.py [--warm-cache DIR]
        [--jobs FILE --resumes DIR_OR_TABLE] [--prefect-home new]

On the sample (66 resumes) the first run is mostly the fixed cost of a run (process start,
imports, the Prefect API), which every rerun pays again; ``--jobs`` and ``--resumes`` measure
the ratios on a pool whose first run is mostly embedding, as the issue's pools are.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from machine import kept_prefect_home, print_table

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"


def _score(root: Path, cache: Path) -> tuple[float, dict[str, object]]:
    """One ``matcher score --incremental`` process; its wall time and manifest."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
        "MATCHER_STATE_DIR": str(root / "state"),
        "MATCHER_INDEX_DIR": str(root / "index"),
        "MATCHER_MLFLOW_TRACKING_URI": f"sqlite:///{root / 'mlflow.db'}",
        "MATCHER_EMBEDDING__CACHE_DIR": str(cache),
    }
    command = [sys.executable, "-m", "matcher", "score", "--incremental"]
    command += ["--jobs", str(root / "jobs.csv"), "--resumes", str(root / "resumes")]
    command += ["--out", str(root / "out")]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=root, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"matcher score failed ({done.returncode}):\n{done.stderr[-3000:]}")
    manifest = json.loads((root / "out" / "run_manifest.json").read_text())
    if manifest.get("mlflow_logged"):
        manifest["background_mlflow_s"] = _wait_for_background_logging(root / "state")
    return seconds, manifest


def _wait_for_background_logging(state_dir: Path, timeout: float = 300.0) -> float:
    """Seconds until the detached MLflow logging of an unchanged rerun is done (it is not
    part of the command's wall time, but the next step must not compete with it)."""
    from matcher.tracking.deferred import pending_folder

    started = time.perf_counter()
    folder = pending_folder(state_dir)
    while time.perf_counter() - started < timeout:
        if not any(folder.glob("*.json")) and not any(folder.glob("*.logging")):
            break
        time.sleep(0.2)
    return round(time.perf_counter() - started, 1)


def _score_in_process(root: Path, cache: Path) -> tuple[float, dict[str, object]]:
    """One call of the batch flow in this process (the settings of ``_score``)."""
    from pipelines.batch_scoring import batch_scoring

    from matcher.settings import load_settings

    settings = load_settings(
        state_dir=root / "state",
        index_dir=root / "index",
        mlflow_tracking_uri=f"sqlite:///{root / 'mlflow.db'}",
        embedding={"cache_dir": cache},
        runs={"incremental": True},
    )
    started = time.perf_counter()
    batch_scoring(root / "jobs.csv", root / "resumes", root / "out", settings)
    seconds = time.perf_counter() - started
    manifest = json.loads((root / "out" / "run_manifest.json").read_text())
    return seconds, manifest


Steps = list[tuple[str, float, dict[str, object]]]


def _documents(resumes: Path, folder: Path) -> list[Path]:
    """The resume documents of ``resumes`` (a folder, or a table with ``resume_id`` and
    ``text`` whose rows are written to ``folder`` as ``<resume_id>.txt``), in name order."""
    if resumes.is_dir():
        return sorted(resumes.iterdir())
    import pandas as pd

    folder.mkdir()
    table = pd.read_csv(resumes, dtype=str, keep_default_na=False)
    for resume_id, text in zip(table["resume_id"], table["text"], strict=True):
        (folder / f"{resume_id}.txt").write_text(text, encoding="utf-8")
    return sorted(folder.iterdir())


def _sequence(
    root: Path,
    cache: Path,
    score: Callable[[Path, Path], tuple[float, dict[str, object]]],
    jobs: Path = SAMPLE / "jobs.csv",
    resumes: Path = SAMPLE / "resumes",
) -> Steps:
    """The first run and three reruns on a fresh copy of the data in ``root``."""
    documents = _documents(resumes, root / "documents")
    held_out = documents[-max(1, math.ceil(len(documents) / 100)) :]
    (root / "resumes").mkdir()
    for path in documents:
        if path not in held_out:
            shutil.copy(path, root / "resumes" / path.name)
    shutil.copy(jobs, root / "jobs.csv")
    steps: Steps = []
    steps.append(("first run", *score(root, cache)))
    steps.append(("unchanged rerun", *score(root, cache)))
    for path in held_out:
        shutil.copy(path, root / "resumes" / path.name)
    steps.append((f"rerun, {len(held_out)} new resume(s) (1 %)", *score(root, cache)))
    changed = next(p for p in sorted((root / "resumes").iterdir()) if p.suffix == ".txt")
    changed.write_text(changed.read_text() + "\nAlso: fluent Spanish.\n")
    steps.append(("rerun, one changed resume", *score(root, cache)))
    return steps


def _ranking_mode(incremental: dict[str, object]) -> str:
    """The manifest's ranking mode (incremental with kept statistics, or full) and pairs."""
    ranking = incremental.get("ranking")
    if not isinstance(ranking, dict):
        return "-"
    return f"{ranking.get('mode')}({ranking.get('pairs_scored')} pairs)"


def _rows(mode: str, steps: Steps, first_label: str) -> list[tuple[str, str, str]]:
    """The P3 rows of one mode: its first run's time and each rerun's ratio to it."""
    first = steps[0][1]
    for label, seconds, manifest in steps:
        incremental = manifest.get("incremental", {})
        index = manifest.get("index", {})
        assert isinstance(incremental, dict) and isinstance(index, dict)
        print(
            f"{mode:10s} {label:36s} {seconds:7.1f} s  rescored={incremental.get('rescored')}"
            f"  ranking={_ranking_mode(incremental)}"
            f"  index={index.get('update', index.get('skipped'))}"
            f"  work={manifest.get('work')}  in-run timings {manifest.get('timings')}"
            + (
                f"  (MLflow logged in the background, done {manifest['background_mlflow_s']} s"
                " after the command returned)"
                if "background_mlflow_s" in manifest
                else ""
            )
        )
    embedding = _embedding_seconds(steps[0][2])
    new_goal = f"about {0.01 * embedding / first + 0.05:.3f} (1 % of embedding + 0.05)"
    goals = {1: "<= 0.05", 2: new_goal, 3: ""}
    rows = [(f"P3 {mode}: first run, s ({first_label})", f"{first:.1f}", "")]
    rows.append(
        (
            f"P3 {mode}: first run's embedding time, s (the encoder's, every text it embedded)",
            f"{embedding:.1f}",
            "",
        )
    )
    for number, (label, seconds, _) in enumerate(steps[1:], start=1):
        rows.append(
            (
                f"P3 {mode}: {label} / first run",
                f"{seconds / first:.3f} ({seconds:.1f} s)",
                goals[number],
            )
        )
    return rows


def _embedding_seconds(manifest: dict[str, object]) -> float:
    """A run's embedding time: the seconds its encoder spent (the manifest's
    ``embedding.seconds_embedding``: resume chunks and postings in the embed-and-index step,
    and the requirement and resume lines the ranker embeds in the rank step, about two
    thirds of it on RJDB)."""
    embedding = manifest["embedding"]
    assert isinstance(embedding, dict)
    return float(embedding["seconds_embedding"])


def main() -> None:
    """Time the first run and three reruns, per CLI process and in one process; print the
    ratios to the first run of each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm-cache", type=Path, help="Embedding cache to start from.")
    parser.add_argument(
        "--modes", choices=["both", "cli", "in-process"], default="both", help="What to time."
    )
    parser.add_argument("--jobs", type=Path, default=SAMPLE / "jobs.csv", help="Postings table.")
    parser.add_argument(
        "--resumes",
        type=Path,
        default=SAMPLE / "resumes",
        help="Resumes: a folder of documents or a table (resume_id, text).",
    )
    parser.add_argument(
        "--prefect-home",
        choices=("kept", "new"),
        default="kept",
        help="kept: the runs use a Prefect home whose database exists (made untimed), as a"
        " user's does; new: a new home, so the first run pays Prefect's migrations.",
    )
    args = parser.parse_args()
    api = os.environ.get("PREFECT_API_URL")
    print(f"Prefect API: {api or 'temporary (no server running)'}")
    homes = tempfile.TemporaryDirectory()
    if not api:
        new = Path(homes.name) / "new-prefect-home"
        home = kept_prefect_home(Path(homes.name)) if args.prefect_home == "kept" else new
        os.environ["PREFECT_HOME"] = str(home)  # before Prefect is imported here
    first_label = "warm embedding cache" if args.warm_cache else "cold embedding cache"
    first_label += f"; {args.jobs} and {args.resumes}"
    rows = []
    modes = (("CLI", _score), ("in-process", _score_in_process))
    for mode, score in modes:
        if args.modes != "both" and mode.lower() != args.modes:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            cache = args.warm_cache or root / "cache"
            steps = _sequence(root, cache, score, args.jobs.resolve(), args.resumes.resolve())
        rows += _rows(mode, steps, first_label)
    homes.cleanup()
    where = api or f"temporary, Prefect home: {args.prefect_home}"
    print_table(f"P3: rerun costs (Prefect API: {where})", rows)


if __name__ == "__main__":
    main()
