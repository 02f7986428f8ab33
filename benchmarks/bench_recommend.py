"""Recommend latency: one resume against 1,000 and 10,000 postings, cold and warm.

The postings are synthetic: the 20 sample postings, each repeated with its sentences
shuffled and a number in its title, so each is a distinct text that parses like a real one.
The embedding cache is PREFILLED WITH SYNTHETIC VECTORS for the chunks of those postings
(embedding 10,000 postings with the real model takes hours here); the resume and whatever
the ranker embeds for the stage-1 candidates go through the real model.

"cold" is the first call against an empty posting store (a fresh state folder): every
posting is prepared, its vectors read from the cache and indexed, and the store is written.
"warm" is a second call, for another resume, against the same postings, with a new
``Embedder`` (so nothing is kept in memory but the loaded model): the posting store gives the
prepared postings and their index, so no posting is prepared or embedded. Times are of the
library calls the flow makes (posting store, stage 1, rank and explain), without Prefect's
start-up and without reading the postings file.

    .venv/bin/python benchmarks/bench_recommend.py [--sizes 1000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

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


def prefill_cache(postings: pd.DataFrame, embedder: object) -> int:
    """Put a random unit vector in the cache for every chunk of the postings' texts."""
    from matcher.ranking.embedding import Embedder, text_hash
    from matcher.text.texts import posting_texts

    assert isinstance(embedder, Embedder) and embedder.cache is not None
    rng = np.random.default_rng(0)
    chunks = {text_hash(c) for t in posting_texts(postings) for c in embedder.chunk_text(t)}
    vectors = rng.standard_normal((len(chunks), embedder.dimension), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    embedder.cache.put_many(embedder.model_id, zip(sorted(chunks), vectors, strict=True))
    return len(chunks)


def main() -> None:
    """Time a first and a second recommendation at each size and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    args = parser.parse_args()
    from matcher.ranking.embedding import Embedder
    from matcher.ranking.posting_store import stored_postings
    from matcher.ranking.recommend import candidate_postings, read_resume, recommend_jobs
    from matcher.ranking.scoring import build_ranker
    from matcher.settings import EmbeddingSettings, Settings
    from matcher.text.preprocess import prepare_postings, prepare_resumes

    resumes = sorted((REPO / "data" / "sample" / "resumes").glob("r-000*.txt"))[:2]
    rows: list[tuple[str, str, str]] = []
    for n in args.sizes:
        raw = synthetic_postings(n)
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(embedding=EmbeddingSettings(cache_dir=Path(tmp) / "cache"))
            embedder = Embedder.from_settings(settings.embedding, show_progress=False)
            prepared, _ = prepare_postings(raw, settings.limits)
            chunks = prefill_cache(prepared, embedder)
            embedder.model  # noqa: B018 - loaded once per process, before the timings
            for call, path in zip(("cold", "warm"), resumes, strict=True):
                # A new embedder: only the model, loaded once per process, is shared.
                fresh = Embedder.from_settings(settings.embedding, show_progress=False)
                started = time.perf_counter()
                store = stored_postings(raw, fresh, Path(tmp) / "postings", settings.limits)
                resume, _, _ = prepare_resumes(read_resume(path), deduplicate=False)
                prepared_at = time.perf_counter()
                candidates = candidate_postings(
                    resume,
                    store.postings,
                    fresh,
                    settings.ranking.recommend_candidates,
                    index=store.index,
                )
                stage1_at = time.perf_counter()
                ranker = build_ranker(settings, fresh)
                recommend_jobs(resume, candidates, ranker, settings.ranking.top_k)
                done = time.perf_counter()
                rows.append(
                    (
                        f"{n:,} postings ({chunks:,} chunks), {call}",
                        f"{done - started:.1f} s (posting store {prepared_at - started:.1f}:"
                        f" {store.counts['prepared']} prepared, index {store.counts['index']};"
                        f" stage 1 {stage1_at - prepared_at:.1f};"
                        f" rank {len(candidates)} {done - stage1_at:.1f})",
                        "seconds",
                    )
                )
                print(*rows[-1][:2], sep=": ", flush=True)
    rows.append(("peak RSS, GB", f"{peak_rss_gb():.2f}", ""))
    print_table(
        "Recommend latency: one resume, synthetic postings, cache prefilled with synthetic"
        " vectors for the postings' chunks",
        rows,
    )


if __name__ == "__main__":
    main()
