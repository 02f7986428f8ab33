"""P2: the share of a cold run's wall time spent in the encoder.

Runs ``matcher score`` once as a user would (a new process: imports and the Prefect API
start-up count) on the sample data, with an empty embedding cache and fresh state, index and
MLflow folders. The encoder's time is the run's ``embedding.seconds_embedding`` in
``run_manifest.json``: the wall time of every ``SentenceTransformer.encode`` call of the run
(resume and posting chunks, requirement lines), which includes loading the model on its first
use. Goal (issue 11): at least 0.8 of the run's wall time, so that everything else is noise
next to it. No thresholds: the machines here are shared and noisy.

The sample is small (19 postings x 66 resumes): ``--rjdb POSTINGS RESUMES`` runs the same
measure on a batch of a more realistic size instead, the first rows of the RJDB tables in
``../shared/data/rjdb`` (synthetic postings and resumes), written to the temporary folder.

The run's new MLflow store starts as a copy of the machine's empty template store
(:mod:`matcher.tracking.store_template`), made before the timed run in a folder of the
benchmark's own (``--template kept``, the default: every new store after a machine's first);
``--template new`` leaves it to the run, which then pays MLflow's migrations as a machine's
very first store does.

    PYTHONPATH=src:. .venv/bin/python benchmarks/bench_cold_run.py [--rjdb 40 400] [--template new]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import print_table

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
RJDB = REPO.parent / "shared" / "data" / "rjdb"


def _rjdb_batch(folder: Path, postings: int, resumes: int) -> tuple[Path, Path]:
    """The first ``postings`` and ``resumes`` rows of the RJDB tables, as tables in ``folder``."""
    import pandas as pd

    folder.mkdir(parents=True)
    tables = []
    for name, rows in (("jobs.csv", postings), ("resumes.csv", resumes)):
        table = pd.read_csv(RJDB / name, dtype=str, keep_default_na=False, nrows=rows)
        table.to_csv(folder / name, index=False)
        tables.append(folder / name)
    return tables[0], tables[1]


def main() -> None:
    """Time one cold ``matcher score`` and print the encoder's share of it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=Path, default=SAMPLE / "jobs.csv")
    parser.add_argument("--resumes", type=Path, default=SAMPLE / "resumes")
    parser.add_argument(
        "--rjdb",
        type=int,
        nargs=2,
        metavar=("POSTINGS", "RESUMES"),
        help="Score the first rows of ../shared/data/rjdb instead of --jobs and --resumes.",
    )
    parser.add_argument(
        "--template",
        choices=("kept", "new"),
        default="kept",
        help="kept: the empty MLflow store template exists before the run (made untimed);"
        " new: the run makes it (a machine's first store: MLflow's migrations).",
    )
    args = parser.parse_args()
    api = os.environ.get("PREFECT_API_URL")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.rjdb:
            args.jobs, args.resumes = _rjdb_batch(root / "in", *args.rjdb)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
            "MATCHER_STATE_DIR": str(root / "state"),
            "MATCHER_INDEX_DIR": str(root / "index"),
            "MATCHER_MLFLOW_TRACKING_URI": f"sqlite:///{root / 'mlflow.db'}",
            "MATCHER_EMBEDDING__CACHE_DIR": str(root / "cache"),
            "MATCHER_MLFLOW_TEMPLATE_DIR": str(root / "templates"),
        }
        if args.template == "kept":
            from matcher.tracking.store_template import start_from_template

            (root / "warm").mkdir()
            start_from_template(root / "warm" / "mlflow.db", root / "templates")
        command = [sys.executable, "-m", "matcher", "score", "--jobs", str(args.jobs)]
        command += ["--resumes", str(args.resumes), "--out", str(root / "out")]
        started = time.perf_counter()
        done = subprocess.run(command, env=env, cwd=root, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"matcher score failed ({done.returncode}):\n{done.stderr[-3000:]}")
        manifest = json.loads((root / "out" / "run_manifest.json").read_text())
        shutil.rmtree(root / "cache", ignore_errors=True)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    embedding = manifest["embedding"]
    encoder = float(embedding["seconds_embedding"])
    counts = manifest["counts"]
    stages = sum(float(seconds) for seconds in manifest["timings"].values())
    print(f"in-run timings: {manifest['timings']}")
    print_table(
        f"P2: encoder share of a cold run (Prefect API: {api or 'temporary'};"
        f" MLflow store template: {args.template})",
        [
            (
                "records scored",
                f"{counts['postings']['ranked']} postings x {counts['resumes']['ranked']} resumes",
                "",
            ),
            ("texts encoded (chunks and lines)", f"{embedding['texts_embedded']}", ""),
            ("cold run wall time, s", f"{wall:.1f}", ""),
            (
                "CPU time of the run (user + system), s",
                f"{usage.ru_utime + usage.ru_stime:.1f}",
                "",
            ),
            ("encoder wall time (model load included), s", f"{encoder:.1f}", ""),
            (
                "the run's stages (load, clean, profile, embed, rank, write), s",
                f"{stages:.1f}, of which {stages - encoder:.1f} not encoding",
                "",
            ),
            (
                "outside the stages (imports, Prefect API start-up, MLflow), s",
                f"{wall - stages:.1f}",
                "",
            ),
            ("P2 encoder share of the wall time", f"{encoder / wall:.3f}", ">= 0.8"),
        ],
    )


if __name__ == "__main__":
    main()
