"""P1: embedding throughput inside the pipeline against bare ``SentenceTransformer.encode``.

Both embed the same chunks: the sample resumes and postings, prepared and chunked as a run
does. "pipeline" is :meth:`Embedder.embed_documents` with an empty cache and a progress
callback, as the flow calls it (chunking, hashing, cache look-up, encoding in ten slices with
progress, cache writes, and the model on torch alone: :mod:`matcher.ranking.bert_encoder`);
"bare" is ``SentenceTransformer.encode`` of the distinct chunks it produced, with the same
batch size. ``--tenths`` adds the way the pipeline encoded before: a tenth of the
documents at a time.

The ways run ``--repeats`` times, interleaved and in alternating order, so each repeat's
ratio compares runs made under the same load. The ratio printed is the median over the
repeats, of wall time and of CPU time (this process's, all threads): on a shared machine CPU
time is the steadier of the two. The pipeline's own split (encoder seconds against the rest)
is printed too: it does not depend on the load. Goal: pipeline/bare throughput >= 0.9.

    .venv/bin/python benchmarks/bench_embedding_throughput.py [--repeats 5] [--tenths]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path

from machine import peak_rss_gb, print_table, timed

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    """Time the ways of embedding the sample chunks and print their ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--tenths", action="store_true", help="Add the earlier way.")
    args = parser.parse_args()

    from matcher.io.loading import load_postings, load_resumes
    from matcher.text.preprocess import prepare_postings, prepare_resumes
    from matcher.text.texts import posting_texts, resume_texts

    sample = REPO / "data" / "sample"
    resumes, _, _ = prepare_resumes(load_resumes(sample / "resumes").records)
    postings, _ = prepare_postings(load_postings(sample / "jobs.csv").records)
    ids = [*resumes["resume_id"].astype(str), *postings["job_id"].astype(str)]
    texts = [*resume_texts(resumes), *posting_texts(postings)]

    with tempfile.TemporaryDirectory() as tmp:
        rows = _measure(Path(tmp), ids, texts, args.repeats, args.tenths)
    print_table(
        f"P1 embedding throughput: {len(texts)} sample documents, {rows[0][1]} distinct chunks,"
        f" {args.repeats} interleaved repeats",
        rows,
    )


def _measure(
    root: Path, ids: list[str], texts: list[str], repeats: int, with_tenths: bool
) -> list[tuple[str, str, str]]:
    """Run the ways interleaved; the table's rows (the first: the distinct chunks)."""
    import numpy as np

    from matcher.ranking.embedding import Embedder, EmbeddingStats, load_model

    # The model is loaded, and every code path run once, outside the timings.
    warm = Embedder(cache_dir=root / "warm-up", show_progress=False)
    chunked = warm.embed_documents(ids, texts)
    unique = list(dict.fromkeys(chunked.chunks))  # the pipeline embeds each distinct chunk once
    positions = chunked.doc_positions

    pipeline_stats: list[EmbeddingStats] = []

    def pipeline(repeat: int) -> Callable[[], object]:
        embedder = Embedder(cache_dir=root / f"pipeline-{repeat}", show_progress=False)
        pipeline_stats.append(embedder.stats)
        return lambda: embedder.embed_documents(ids, texts, lambda done, total: None)

    def tenths(repeat: int) -> Callable[[], object]:
        embedder = Embedder(cache_dir=root / f"tenths-{repeat}", show_progress=False)

        def run() -> None:
            chunks = [embedder.chunk_text(text) for text in texts]
            flat = [chunk for doc in chunks for chunk in doc]
            step = -(-len(texts) // 10)
            for first in range(0, len(texts), step):
                selected = np.flatnonzero((positions >= first) & (positions < first + step))
                embedder.embed_texts([flat[i] for i in selected])

        return run

    # Bare is sentence-transformers' own model, whichever encoder the pipeline runs
    # (embedding.encoder "auto": the packaged model on torch alone, matcher.ranking.bert_encoder).
    model = load_model(warm.model_path, warm.max_tokens, "sentence-transformers")
    model.encode(unique[:64], batch_size=warm.batch_size)

    def bare(repeat: int) -> Callable[[], object]:
        return lambda: model.encode(
            unique,
            batch_size=warm.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )

    ways: dict[str, Callable[[int], Callable[[], object]]] = {"bare": bare, "pipeline": pipeline}
    if with_tenths:
        ways["tenths"] = tenths
    timings: dict[str, list[tuple[float, float]]] = {way: [] for way in ways}
    for repeat in range(repeats):
        order = list(ways) if repeat % 2 == 0 else list(reversed(ways))
        for way in order:
            timings[way].append(timed(ways[way](repeat)))

    def ratio(way: str, column: int) -> float:
        """Median over the repeats of the way's throughput over bare encode's."""
        pairs = zip(timings["bare"], timings[way], strict=True)
        return statistics.median(b[column] / w[column] for b, w in pairs)

    count = len(unique)
    rows = [("distinct chunks", f"{count}", "")]
    for way in ways:
        walls = [wall for wall, _ in timings[way]]
        cpus = [cpu for _, cpu in timings[way]]
        rows.append(
            (
                f"{way}: chunks/s, median wall (CPU s)",
                f"{count / statistics.median(walls):.1f} ({statistics.median(cpus):.1f})",
                "",
            )
        )
    for way in ways:
        if way != "bare":
            goal = ">= 0.9" if way == "pipeline" else "(the earlier way)"
            rows.append((f"{way} / bare, wall", f"{ratio(way, 0):.3f}", goal))
            rows.append((f"{way} / bare, CPU", f"{ratio(way, 1):.3f}", goal))
    shares = [
        stats.seconds_embedding / wall
        for stats, (wall, _) in zip(pipeline_stats, timings["pipeline"], strict=True)
    ]
    rows.append(
        ("pipeline: encoder share of its wall time", f"{statistics.median(shares):.3f}", "")
    )
    rows.append(("peak RSS, GB", f"{peak_rss_gb():.2f}", ""))
    return rows


if __name__ == "__main__":
    main()
