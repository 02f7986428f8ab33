"""P2: the share of a cold run's wall time spent in the encoder.

Runs ``matcher score`` once as a user would (a new process: imports and the Prefect API
start-up count) on the sample data, with an empty embedding cache and fresh state, index and
MLflow folders. The encoder's time is the run's ``embedding.seconds_embedding`` in
``run_manifest.json``: the wall time of every ``encode`` call of the run's model (resume and
posting chunks, requirement lines; the packaged model runs on torch alone,
:mod:`matcher.ranking.bert_encoder`, with sentence-transformers' vectors), which includes
loading the model on its first use. Goal (issue 11): at least 0.8 of the run's wall time, so
that everything else is noise next to it. No thresholds: the machines here are shared and noisy.

The sample is small (19 postings x 66 resumes): ``--rjdb POSTINGS RESUMES`` runs the same
measure on a batch of a more realistic size instead, the first rows of the RJDB tables in
``../shared/data/rjdb`` (synthetic postings and resumes), written to the temporary folder.
``--jobs`` and ``--resumes`` score other tables or folders, such as the real postings and
resumes of ``../shared/data/livecareer``; the table then names the run by the postings'
folder (``livecareer``) instead of ``sample``.

The run's new MLflow store starts as a copy of the machine's empty template store
(:mod:`matcher.tracking.store_template`), made before the timed run in a folder of the
benchmark's own (``--template kept``, the default: every new store after a machine's first);
``--template new`` leaves it to the run, which then pays MLflow's migrations as a machine's
very first store does.

Prefect's temporary API keeps its database in ``PREFECT_HOME``. A new home makes a new
database, and Prefect's migrations and block registrations take some 8 s of the API's
start-up here (about 15 s in a new home against about 7 s in one that has its database,
2026-12-03). A user's home keeps its database from their first run on, so ``--prefect-home
kept`` (the default) gives every run one Prefect home whose database the benchmark made
before the first timed run (untimed: the temporary API started once in it); ``--prefect-home
new`` gives each run a new home, as a machine's very first run (or a fresh container) pays.
Before this option the runs used the caller's ``PREFECT_HOME`` (a new one per invocation
in the README's runs), so the first size paid the migrations and later sizes did not. With the
project's server running (``PREFECT_API_URL`` set) there is no temporary API, and the option
changes nothing.

``--sizes sample 40x400 80x800`` runs one cold run per size and fits, over the texts
encoded, the fixed cost F of a cold run (its wall time outside the encoder that does not grow
with the data: imports, the temporary Prefect API's start-up, MLflow) and the per-text rates,
and prints the size at which the share reaches 0.8. The small sample cannot reach 0.8 while F
is a large part of its wall time; the fit says from what size on a cold run does, and whether
any size does.

    PYTHONPATH=src:. .venv/bin/python benchmarks/bench_cold_run.py [--rjdb 40 400] [--template new]
        [--prefect-home new]
    PYTHONPATH=src:. .venv/bin/python benchmarks/bench_cold_run.py --sizes sample 40x400 80x800
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from machine import kept_prefect_home, print_table

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


@dataclass
class ColdRun:
    """What one cold run measured."""

    size: str
    scored: str
    texts: int
    wall: float
    cpu: float
    encoder: float
    stages: float
    timings: dict[str, float]

    @property
    def not_encoding(self) -> float:
        """Seconds of the wall time the encoder did not account for."""
        return self.wall - self.encoder


def _cold_run(
    size: str, jobs: Path, resumes: Path, template: str, prefect_home: Path | None
) -> ColdRun:
    """One cold ``matcher score`` of ``jobs`` x ``resumes`` (or RJDB's ``PxR``) in a new folder,
    with Prefect home ``prefect_home`` (None: a new one in that folder)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if size != "sample":
            postings, resume_rows = (int(part) for part in size.split("x"))
            jobs, resumes = _rjdb_batch(root / "in", postings, resume_rows)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
            "MATCHER_STATE_DIR": str(root / "state"),
            "MATCHER_INDEX_DIR": str(root / "index"),
            "MATCHER_MLFLOW_TRACKING_URI": f"sqlite:///{root / 'mlflow.db'}",
            "MATCHER_EMBEDDING__CACHE_DIR": str(root / "cache"),
            "MATCHER_MLFLOW_TEMPLATE_DIR": str(root / "templates"),
            "PREFECT_HOME": str(prefect_home or root / "prefect-home"),
        }
        if template == "kept":
            from matcher.tracking.store_template import start_from_template

            (root / "warm").mkdir()
            start_from_template(root / "warm" / "mlflow.db", root / "templates")
        command = [sys.executable, "-m", "matcher", "score", "--jobs", str(jobs)]
        command += ["--resumes", str(resumes), "--out", str(root / "out")]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(command, env=env, cwd=root, capture_output=True, text=True)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            sys.exit(f"matcher score failed ({done.returncode}):\n{done.stderr[-3000:]}")
        manifest = json.loads((root / "out" / "run_manifest.json").read_text())
        shutil.rmtree(root / "cache", ignore_errors=True)
    counts = manifest["counts"]
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return ColdRun(
        size=size,
        scored=f"{counts['postings']['ranked']} postings x {counts['resumes']['ranked']} resumes",
        texts=int(manifest["embedding"]["texts_embedded"]),
        wall=wall,
        cpu=cpu,
        encoder=float(manifest["embedding"]["seconds_embedding"]),
        stages=sum(float(seconds) for seconds in manifest["timings"].values()),
        timings=manifest["timings"],
    )


def _fixed_cost_rows(runs: list[ColdRun]) -> list[tuple[str, str, str]]:
    """The fixed cost and the size at which the share reaches 0.8, fitted over the sizes.

    Over the texts encoded ``n``: encoder = A + e n (A: the part of the model's load the
    encoder waited for), not encoding = F + g n (F: the fixed cost of a cold run, whatever
    the data; g: per-text work besides the encoder, such as parsing and ranking). The share
    (A + e n) / (A + F + (e + g) n) reaches 0.8 at n = (0.8 F - 0.2 A) / (0.2 e - 0.8 g), and
    never if the per-text work besides the encoder is a quarter of the encoder's or more.
    """
    texts = [float(run.texts) for run in runs]
    if len(set(texts)) < 2:
        return []
    # Least-squares lines (slope, intercept), as bench_scale fits its growth exponents.
    per_text, load = (float(v) for v in np.polyfit(texts, [run.encoder for run in runs], 1))
    other, fixed = (float(v) for v in np.polyfit(texts, [run.not_encoding for run in runs], 1))
    rows = [
        (
            "fitted over the sizes: fixed cost F, s (not encoding, not growing with the texts)",
            f"{fixed:.1f}",
            "",
        ),
        (
            "fitted: encoder s per 1,000 texts; other work s per 1,000 texts",
            f"{per_text * 1e3:.1f}; {other * 1e3:.1f}",
            "",
        ),
        ("fitted: encoder's part at a fixed cost, s (model load waited for)", f"{load:.1f}", ""),
    ]
    denominator = 0.2 * per_text - 0.8 * other
    if denominator <= 0:
        limit = per_text / (per_text + other) if per_text + other > 0 else float("nan")
        reach = f"never at these rates: the share tends to {limit:.3f}"
    else:
        reach = f"{max(0.0, (0.8 * fixed - 0.2 * load) / denominator):,.0f} texts encoded"
    rows.append(("fitted: size at which a cold run's share reaches 0.8", reach, ">= 0.8"))
    return rows


def main() -> None:
    """Time cold ``matcher score`` runs and print the encoder's share of each, and the fit."""
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
        "--sizes",
        nargs="+",
        metavar="SIZE",
        help="Several cold runs, one per size: 'sample' (--jobs and --resumes) or PxR, the"
        " first P postings and R resumes of RJDB; with two sizes or more, the fixed cost and"
        " the size at which the share reaches 0.8 are fitted and printed.",
    )
    parser.add_argument(
        "--template",
        choices=("kept", "new"),
        default="kept",
        help="kept: the empty MLflow store template exists before the run (made untimed);"
        " new: the run makes it (a machine's first store: MLflow's migrations).",
    )
    parser.add_argument(
        "--prefect-home",
        choices=("kept", "new"),
        default="kept",
        help="kept: every run uses one Prefect home whose database exists (made untimed), as a"
        " user's does; new: a new home per run (Prefect's migrations in the run).",
    )
    args = parser.parse_args()
    sizes = args.sizes or ([f"{args.rjdb[0]}x{args.rjdb[1]}"] if args.rjdb else ["sample"])
    for size in sizes:
        if size != "sample" and not re.fullmatch(r"[1-9][0-9]*x[1-9][0-9]*", size):
            parser.error(f"--sizes: {size!r} is neither 'sample' nor PxR, such as 40x400")
    api = os.environ.get("PREFECT_API_URL")
    runs = []
    # Absolute: each run works in a temporary folder.
    jobs, resumes = args.jobs.resolve(), args.resumes.resolve()
    given = (jobs, resumes) != ((SAMPLE / "jobs.csv").resolve(), (SAMPLE / "resumes").resolve())
    with tempfile.TemporaryDirectory() as kept:
        home = kept_prefect_home(Path(kept)) if args.prefect_home == "kept" and not api else None
        for size in sizes:
            run = _cold_run(size, jobs, resumes, args.template, home)
            if size == "sample" and given:
                run = replace(run, size=jobs.parent.name)  # such as livecareer
            print(f"{size}: in-run timings: {run.timings}", flush=True)
            runs.append(run)
    rows: list[tuple[str, str, str]] = []
    for run in runs:
        label = f"{run.size} ({run.scored}, {run.texts} texts encoded)"
        rows += [
            (f"{label}: cold run wall time, s", f"{run.wall:.1f}", ""),
            (f"{label}: CPU time of the run (user + system), s", f"{run.cpu:.1f}", ""),
            (
                f"{label}: encoder wall time (model load waited for included), s",
                f"{run.encoder:.1f}",
                "",
            ),
            (
                f"{label}: the run's stages (load, clean, profile, embed, rank, write), s",
                f"{run.stages:.1f}, of which {run.stages - run.encoder:.1f} not encoding",
                "",
            ),
            (
                f"{label}: outside the stages (imports, Prefect API start-up, MLflow), s",
                f"{run.wall - run.stages:.1f}",
                "",
            ),
            (
                f"{label}: P2 encoder share of the wall time",
                f"{run.encoder / run.wall:.3f}",
                ">= 0.8",
            ),
        ]
    rows += _fixed_cost_rows(runs)
    print_table(
        f"P2: encoder share of a cold run (Prefect API: {api or 'temporary'}, Prefect home:"
        f" {'-' if api else args.prefect_home}; MLflow store template: {args.template})",
        rows,
    )


if __name__ == "__main__":
    main()
