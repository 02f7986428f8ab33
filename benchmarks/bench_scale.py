"""P5: stage-2 throughput, end-to-end time and peak memory as the resume pool grows.

For each pool size, a child process runs the batch scoring flow (``batch_scoring``, with
Prefect, as ``matcher score`` does, with whatever ranking settings are the defaults: a
stage-1 candidates setting, when the code has one, is used as is) on synthetic resumes and
postings made from the sample ones (lines shuffled, a number added, so every text is
distinct) with a WARM EMBEDDING CACHE HOLDING SYNTHETIC VECTORS: a first, untimed run of the
same flow fills the cache through a stand-in encoder that returns a pseudo-random unit vector
per text (embedding 100k resumes with the real model takes hours here); the timed run then
finds every text in the cache and never loads the model. Each row gives the run's wall time,
its stage 2 (the flow's ``rank`` step: every pair scored) in scored pairs per second and per
core, and the child's peak RSS. The growth of time and memory with the number of resumes is
fitted as ``t ~ n^k`` over the sizes run and ``k`` printed.

Today's ranker scores all pairs and profiles every resume, so the default sizes are small
enough to finish in minutes on this shared 2-core machine (250, 500 and 1,000 resumes x 50
postings: about 150 s for the largest, twice with the untimed run); ``--sizes 1000 10000
100000 --postings 1000`` is the issue's grid, for a machine and a ranker that can take it.

    PYTHONPATH=src:. .venv/bin/python benchmarks/bench_scale.py [--sizes 1000 10000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from bench_recommend import synthetic_postings
from machine import print_table

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"


def synthetic_resumes(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` distinct resumes from the sample text resumes.

    Each keeps the head of one sample resume and a random 70 % of its other lines, takes a
    few lines of another, and lists eight random skills of the vocabulary, so that no two are
    near-duplicates (which cleaning would set aside).
    """
    bases = [p.read_text().splitlines() for p in sorted((SAMPLE / "resumes").glob("r-*.txt"))]
    skills = pd.read_csv(REPO / "src" / "matcher" / "data" / "skills.csv")["skill"].tolist()
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        lines, other = bases[i % len(bases)], rng.choice(bases)
        body = rng.sample(lines[3:], k=int(0.7 * len(lines[3:])))
        body += rng.sample(other[3:], k=min(3, len(other[3:])))
        rng.shuffle(body)
        extra = f"Skills: {', '.join(rng.sample(skills, k=8))}"
        rows.append({"resume_id": f"R-{i:06d}", "text": "\n".join([*lines[:3], *body, extra])})
    return pd.DataFrame(rows)


class SyntheticEncoder:
    """Stands in for the model while the cache is filled: a unit vector per text, from its hash."""

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension

    def get_sentence_embedding_dimension(self) -> int:
        return self.dimension

    def encode(self, texts: list[str], **_: Any) -> np.ndarray:
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            vectors[row] = np.random.default_rng(seed).standard_normal(self.dimension)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def child(root: Path, prefill: bool) -> None:
    """One flow run on the inputs in ``root``; its figures as JSON on the last stdout line."""
    from matcher.settings import load_settings

    if prefill:
        import matcher.ranking.embedding as embedding

        embedding.load_model = lambda *_: SyntheticEncoder(384)  # type: ignore[assignment,misc]
    from pipelines.batch_scoring import batch_scoring

    settings = load_settings(
        embedding={"cache_dir": root / "cache"},
        index_dir=root / "index",
        state_dir=root / "state",
        mlflow_tracking_uri=f"sqlite:///{root / 'mlflow.db'}",
    )
    started = time.perf_counter()
    batch_scoring(root / "jobs.csv", root / "resumes.csv", root / "out", settings)
    wall = time.perf_counter() - started
    manifest = json.loads((root / "out" / "run_manifest.json").read_text())
    figures = {
        "wall": wall,
        "timings": manifest["timings"],
        "embedding": manifest["embedding"],
        "counts": manifest["counts"],
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
    }
    print(json.dumps(figures))


def _run(root: Path, prefill: bool) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", str(root)] + (["--prefill"] if prefill else [])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])}
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"child failed ({done.returncode}):\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    """Run each size in a child process and print the table and the growth exponents."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1_000])
    parser.add_argument("--postings", type=int, default=50)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--prefill", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.prefill)
        return
    cores = os.cpu_count() or 1
    rows: list[tuple[str, str, str]] = []
    sizes, walls, memories = [], [], []
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            synthetic_postings(args.postings).to_csv(root / "jobs.csv", index=False)
            synthetic_resumes(n).to_csv(root / "resumes.csv", index=False)
            _run(root, prefill=True)
            for folder in ("out", "index", "state"):  # the timed run starts afresh but the cache
                subprocess.run(["rm", "-rf", str(root / folder)], check=True)
            figures = _run(root, prefill=False)
        counts = figures["counts"]
        pairs = counts["postings"]["ranked"] * counts["resumes"]["ranked"]
        rank = float(figures["timings"].get("rank", 0.0))
        misses = figures["embedding"]["cache_misses"]
        label = f"{n:,} resumes x {args.postings:,} postings"
        rows.append((f"{label}: end-to-end (warm cache), s", f"{figures['wall']:.1f}", ""))
        rows.append(
            (
                f"{label}: stage 2, pairs/s (per core)",
                f"{pairs / rank:,.0f} ({pairs / rank / cores:,.0f}); {pairs:,} pairs in"
                f" {rank:.1f} s",
                "",
            )
        )
        rows.append((f"{label}: peak RSS, GB", f"{figures['peak_rss_gb']:.2f}", ""))
        if misses:
            rows.append((f"{label}: texts not in the cache (encoded)", str(misses), "0"))
        print(*rows[-3][:2], "|", rows[-1][1], flush=True)
        sizes.append(n)
        walls.append(figures["wall"])
        memories.append(figures["peak_rss_gb"])
    if len(sizes) > 1:
        time_k = np.polyfit(np.log(sizes), np.log(walls), 1)[0]
        memory_k = np.polyfit(np.log(sizes), np.log(memories), 1)[0]
        rows.append(("growth of end-to-end time with resumes, k in t ~ n^k", f"{time_k:.2f}", ""))
        rows.append(("growth of peak RSS with resumes, k in m ~ n^k", f"{memory_k:.2f}", ""))
    print_table(
        "P5: scale with a warm cache of SYNTHETIC VECTORS for synthetic texts"
        f" (Prefect API: {os.environ.get('PREFECT_API_URL') or 'temporary'})",
        rows,
    )


if __name__ == "__main__":
    main()
