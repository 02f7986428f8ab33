"""P4: stage 1 at scale: 1M synthetic chunk vectors x 10k posting queries, top-100.

The vectors are synthetic 384-d unit vectors drawn around 200 random topic directions, so
texts on one topic are near each other as real embeddings are (cosine about 0.5 within a
topic). Uniform random vectors would have no neighbourhoods for any index to find. The index
is the one :func:`matcher.ranking.index.build_index` chooses by its size rule (IVF past
``index.exact_max_vectors``); recall@100 is measured against exact search (the same IVF index
probing every list) on a sample of the queries.

    .venv/bin/python benchmarks/bench_stage1.py            # the full size (a few minutes)
    .venv/bin/python benchmarks/bench_stage1.py --vectors 100000 --queries 1000
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from machine import peak_rss_gb, print_table

TOPICS = 200
DIMENSION = 384
SPREAD = 0.051  # per-dimension noise around a topic: same-topic cosine about 0.5


def synthetic_vectors(
    n: int, centres: np.ndarray, rng: np.random.Generator, block: int = 100_000
) -> np.ndarray:
    """``n`` float32 unit vectors around the topic ``centres``, built a block at a time."""
    out = np.empty((n, centres.shape[1]), dtype=np.float32)
    for start in range(0, n, block):
        stop = min(n, start + block)
        topic = rng.integers(len(centres), size=stop - start)
        noise = rng.standard_normal((stop - start, centres.shape[1]), dtype=np.float32)
        rows = centres[topic] + SPREAD * noise
        out[start:stop] = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    return out


def main() -> None:
    """Build the index, run the queries, measure recall and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vectors", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--top", type=int, default=100)
    parser.add_argument("--recall-sample", type=int, default=500)
    args = parser.parse_args()

    from matcher.ranking.index import build_index, probing, recall_at_k
    from matcher.settings import IndexSettings

    rng = np.random.default_rng(0)
    centres = rng.standard_normal((TOPICS, DIMENSION), dtype=np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    vectors = synthetic_vectors(args.vectors, centres, rng)
    queries = synthetic_vectors(args.queries, centres, rng)
    ids = [f"r{i}" for i in range(args.vectors)]
    settings = IndexSettings(recall_k=args.top)

    started = time.perf_counter()
    index = build_index(vectors, ids, "synthetic", settings)
    build_seconds = time.perf_counter() - started
    del vectors  # the index holds its own copy; exact search below probes every IVF list

    started = time.perf_counter()
    results = index.search(queries, args.top)
    search_seconds = time.perf_counter() - started

    sample = queries[: args.recall_sample]
    _, found = index.search_chunks(sample, args.top)
    if index.meta["index_type"] == "IndexIVFFlat":
        _, exact = index.index.search(sample, args.top, params=probing(index.meta["nlist"]))
    else:
        exact = found
    recall = recall_at_k(np.asarray(found), np.asarray(exact))
    assert len(results) == args.queries

    meta = index.meta
    kind = meta["index_type"]
    if kind == "IndexIVFFlat":
        kind += f" (nlist {meta['nlist']}, nprobe {meta['nprobe']})"
    print_table(
        f"P4 stage 1: {args.vectors:,} synthetic unit vectors x {args.queries:,} queries,"
        f" top-{args.top} (synthetic vectors, not model embeddings)",
        [
            ("index chosen", kind, f"IVF past {settings.exact_max_vectors:,}"),
            ("build and tune, s", f"{build_seconds:.1f}", ""),
            ("search all queries, s", f"{search_seconds:.1f}", "<= 60"),
            ("build + search, s", f"{build_seconds + search_seconds:.1f}", ""),
            ("queries per second", f"{args.queries / search_seconds:,.0f}", ""),
            (f"recall@{args.top} at build (indexed sample)", f"{meta.get('recall_at_k', 1.0)}", ""),
            (
                f"recall@{args.top} vs exact ({len(sample)} held-out queries)",
                f"{recall:.4f}",
                ">= 0.95",
            ),
            ("peak RSS, GB", f"{peak_rss_gb():.2f}", "<= 4"),
        ],
    )


if __name__ == "__main__":
    main()
