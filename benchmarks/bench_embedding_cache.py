"""How much the embedding cache saves: a cold run against a warm rerun on the sample resumes.

Prints wall times and their ratio; no thresholds (machines here are shared and noisy).

    .venv/bin/python benchmarks/bench_embedding_cache.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from matcher.runtime import configure_runtime


def main() -> None:
    """Embed the sample resumes twice with a fresh cache and report the speed-up."""
    configure_runtime()
    from matcher.io.loading import load_resumes
    from matcher.ranking.embedding import Embedder
    from matcher.text.preprocess import prepare_resumes
    from matcher.text.texts import resume_texts

    repo = Path(__file__).resolve().parents[1]
    resumes, _, _ = prepare_resumes(load_resumes(repo / "data" / "sample" / "resumes").records)
    ids, texts = resumes["resume_id"].tolist(), resume_texts(resumes)
    with tempfile.TemporaryDirectory() as cache:
        timings = []
        for label in ("cold", "warm"):
            embedder = Embedder(cache_dir=Path(cache), show_progress=False)
            started = time.perf_counter()
            chunks = embedder.embed_documents(ids, texts)
            timings.append(time.perf_counter() - started)
            print(
                f"{label}: {timings[-1]:6.2f} s for {len(ids)} resumes, {len(chunks.chunks)}"
                f" chunks ({embedder.stats.texts_embedded} embedded,"
                f" {embedder.stats.cache_hits} cache hits)"
            )
    print(f"warm/cold time ratio: {timings[1] / timings[0]:.3f}")


if __name__ == "__main__":
    main()
