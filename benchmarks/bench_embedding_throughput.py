"""P1: embedding throughput inside the pipeline against bare ``SentenceTransformer.encode``.

Both embed the same chunks: the sample resumes and postings, prepared and chunked as a run
does. "pipeline" is :meth:`Embedder.embed_documents` with an empty cache (chunking, hashing,
cache look-up and write, encoding); "bare" is ``model.encode`` of the chunks it produced,
with the same batch size. Each is run ``--repeats`` times, alternating, and the best time
counts, because the machine is shared. Goal: pipeline/bare throughput >= 0.9.

    .venv/bin/python benchmarks/bench_embedding_throughput.py
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from machine import peak_rss_gb, print_table

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    """Time both ways of embedding the sample chunks and print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from matcher.io.loading import load_postings, load_resumes
    from matcher.ranking.embedding import Embedder
    from matcher.text.preprocess import prepare_postings, prepare_resumes
    from matcher.text.texts import posting_texts, resume_texts

    sample = REPO / "data" / "sample"
    resumes, _, _ = prepare_resumes(load_resumes(sample / "resumes").records)
    postings, _ = prepare_postings(load_postings(sample / "jobs.csv").records)
    ids = [*resumes["resume_id"].astype(str), *postings["job_id"].astype(str)]
    texts = [*resume_texts(resumes), *posting_texts(postings)]

    pipeline_seconds, bare_seconds = [], []
    chunks: list[str] = []
    for repeat in range(args.repeats):
        with tempfile.TemporaryDirectory() as cache:
            embedder = Embedder(cache_dir=Path(cache), show_progress=False)
            # The model is loaded outside the timings; the order alternates so neither way
            # always runs on a warmer machine.
            chunks = embedder.embed_documents(ids, texts).chunks if repeat == 0 else chunks
            unique = list(dict.fromkeys(chunks))  # the pipeline embeds each distinct chunk once
            for way in ("pipeline", "bare") if repeat % 2 else ("bare", "pipeline"):
                started = time.perf_counter()
                if way == "pipeline":
                    fresh = Embedder(cache_dir=Path(cache) / way, show_progress=False)
                    fresh.embed_documents(ids, texts)
                    pipeline_seconds.append(time.perf_counter() - started)
                else:
                    embedder.model.encode(
                        unique,
                        batch_size=embedder.batch_size,
                        normalize_embeddings=True,
                        convert_to_numpy=True,
                        show_progress_bar=False,
                    )
                    bare_seconds.append(time.perf_counter() - started)
    unique_count = len(set(chunks))
    pipeline, bare = unique_count / min(pipeline_seconds), unique_count / min(bare_seconds)
    print_table(
        f"P1 embedding throughput: {len(texts)} sample documents, {unique_count} distinct"
        f" chunks, best of {args.repeats}",
        [
            ("bare encode, chunks/s", f"{bare:.1f}", ""),
            ("pipeline (empty cache), chunks/s", f"{pipeline:.1f}", ""),
            ("pipeline / bare", f"{pipeline / bare:.3f}", ">= 0.9"),
            ("peak RSS, GB", f"{peak_rss_gb():.2f}", ""),
        ],
    )


if __name__ == "__main__":
    main()
