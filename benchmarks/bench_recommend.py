"""Recommend latency: one resume against 1,000 and 10,000 indexed postings, cold and warm.

The postings are synthetic: the 20 sample postings, each repeated with its sentences
shuffled and a number in its title, so each is a distinct text that parses like a real one.
Their texts are embedded with SYNTHETIC VECTORS: the cold store build runs with a stand-in
encoder that returns a pseudo-random unit vector per text (embedding 10,000 postings with the
real model takes hours here), so its time is everything but the encoder. The resume is
embedded by the real model.

Each size runs in a process of its own (its peak RSS is that size's):

* "cold store build": :func:`matcher.ranking.posting_store.stored_postings` on an empty
  posting store: every posting is prepared, embedded (synthetic vectors), indexed and read
  for the requirement ranker (profile, text without boilerplate, dense vector, vectors of its
  requirement lines, title, skills and subjects), and the store is written.
* "warm call, store read from files": what the recommendation flow does for a new resume, as
  a new process would do it (the model already loaded, as ``matcher recommend`` loads it
  once): the ranker, the posting store (read from its files; nothing prepared or embedded),
  the resume read and prepared, stage 1, the candidates' sides handed to the ranker, rank
  and explain. Without Prefect's start-up and without reading the postings file.
* "warm call, store in memory": the same for a third resume in the same process, as a
  notebook calls it: the store is not read again.

    PYTHONPATH=src:. .venv/bin/python benchmarks/bench_recommend.py [--sizes 1000 10000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from machine import peak_rss_gb, print_table

REPO = Path(__file__).resolve().parents[1]


def synthetic_postings(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` distinct postings made from the sample ones, sentences shuffled within lines."""
    sample = pd.read_csv(REPO / "data" / "sample" / "jobs.csv", dtype=str)
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        base = sample.iloc[i % len(sample)]
        lines = str(base["description"]).splitlines()
        head, body = lines[:2], lines[2:]
        rng.shuffle(body)
        rows.append(
            {
                "job_id": f"S-{i:06d}",
                "title": f"{base['title']} {i}",
                "description": "\n".join([*head, *body]),
            }
        )
    return pd.DataFrame(rows)


class _SyntheticEncoder:
    """Stands in for the model in the cold store build: a unit vector per text, from its hash."""

    def encode(self, texts: list[str], **_: Any) -> np.ndarray:
        vectors = np.empty((len(texts), 384), dtype=np.float32)
        for row, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            vectors[row] = np.random.default_rng(seed).standard_normal(384)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def child(n: int) -> None:
    """Time the cold store build and two warm calls at ``n`` postings; JSON on the last line."""
    from matcher.ranking.embedding import Embedder, load_model
    from matcher.ranking.posting_side import prime_ranker
    from matcher.ranking.posting_store import forget_stores, stored_postings
    from matcher.ranking.recommend import candidate_postings, read_resume, recommend_jobs
    from matcher.ranking.scoring import build_ranker
    from matcher.settings import EmbeddingSettings, Settings
    from matcher.text.preprocess import prepare_resumes

    class SyntheticEmbedder(Embedder):
        @property
        def model(self) -> Any:
            return _SyntheticEncoder()

    resumes = sorted((REPO / "data" / "sample" / "resumes").glob("r-00*.txt"))[:2]
    raw = synthetic_postings(n)
    figures: dict[str, Any] = {"n": n}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(embedding=EmbeddingSettings(cache_dir=Path(tmp) / "cache"))
        folder = Path(tmp) / "postings"
        synthetic = SyntheticEmbedder(cache_dir=Path(tmp) / "cache", show_progress=False)
        started = time.perf_counter()
        store = stored_postings(
            raw, synthetic, folder, settings.limits, ranker=build_ranker(settings, synthetic)
        )
        figures["cold"] = time.perf_counter() - started
        figures["cold_counts"] = store.counts
        figures["chunks"] = int(store.index.index.ntotal)
        figures["cold_rss"] = peak_rss_gb()
        forget_stores()  # as a new process: the store is read from its files
        Embedder.from_settings(settings.embedding, show_progress=False).model  # noqa: B018
        for call, path in zip(("files", "memory"), resumes, strict=True):
            times: dict[str, Any] = {}
            started = time.perf_counter()
            embedder = Embedder.from_settings(settings.embedding, show_progress=False)
            ranker = build_ranker(settings, embedder)
            store = stored_postings(raw, embedder, folder, settings.limits, ranker=ranker)
            times["store"] = time.perf_counter() - started
            resume, _, _ = prepare_resumes(read_resume(path), deduplicate=False)
            at = time.perf_counter()
            candidates = candidate_postings(
                resume,
                store.postings,
                embedder,
                settings.ranking.recommend_candidates,
                index=store.index,
            )
            times["stage1"] = time.perf_counter() - at
            at = time.perf_counter()
            candidates = prime_ranker(ranker, candidates, store.sides)
            recommend_jobs(resume, candidates, ranker, settings.ranking.top_k)
            times["rank"] = time.perf_counter() - at
            times["total"] = time.perf_counter() - started
            times["candidates"] = len(candidates)
            times["counts"] = store.counts
            figures[call] = times
        figures["model_loads"] = load_model.cache_info().misses
        figures["rss"] = peak_rss_gb()
    print(json.dumps(figures))


def main() -> None:
    """Run each size in a child process and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])}
    rows: list[tuple[str, str, str]] = []
    for n in args.sizes:
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(n)], env=env, capture_output=True, text=True
        )
        if done.returncode != 0:
            sys.exit(f"child failed ({done.returncode}):\n{done.stderr[-3000:]}")
        f = json.loads(done.stdout.strip().splitlines()[-1])
        label = f"{n:,} postings ({f['chunks']:,} chunks)"
        rows.append(
            (
                f"{label}: cold store build",
                f"{f['cold']:.1f} s ({f['cold_counts']['prepared']:,} prepared and read),"
                f" peak RSS {f['cold_rss']:.2f} GB",
                "",
            )
        )
        for call, where in (("files", "read from files"), ("memory", "in memory")):
            t = f[call]
            rows.append(
                (
                    f"{label}: warm call, store {where}",
                    f"{t['total']:.1f} s (store {t['store']:.1f}, stage 1 {t['stage1']:.1f},"
                    f" rank {t['candidates']:,} candidates {t['rank']:.1f})",
                    "seconds",
                )
            )
        rows.append(
            (
                f"{label}: peak RSS; model loads in the process",
                f"{f['rss']:.2f} GB; {f['model_loads']}",
                "",
            )
        )
        print(*rows[-1][:2], sep=": ", flush=True)
    print_table(
        "Recommend latency: one resume against synthetic postings embedded with synthetic"
        " vectors (the resume with the real model)",
        rows,
    )


if __name__ == "__main__":
    main()
