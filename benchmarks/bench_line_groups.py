"""Stage 2's look-up of a batch's resume lines: line by line against one block per resume.

A batch of stage 2 reads the line vectors of the union of its candidates (up to
``ranking.batch_resumes``, 16,384). This times that look-up on a warm embedding cache both
ways, in interleaved repeats on the same file: ``Embedder.embed_texts`` of every line (one
hash, one SQLite row and one small array per line, then one stack: the look-up before the
``line_groups`` table) and ``Embedder.embed_groups`` (one row and one copy per resume). It
checks that both give the same bytes. The vectors are SYNTHETIC (a pseudo-random unit vector
per line stands in for the model, as in ``bench_scale.py``); the lines are the synthetic
resumes' lines of ``bench_scale.py``, 25 a resume on average, each made distinct.

    PYTHONPATH=src:. .venv/bin/python benchmarks/bench_line_groups.py [--resumes 16384]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from bench_scale import SyntheticEncoder, synthetic_resumes
from machine import print_table


def main() -> None:
    """Fill a cache for ``--resumes`` resumes, then time both look-ups ``--repeats`` times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resumes", type=int, default=16_384)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    import matcher.ranking.embedding as embedding

    embedding.load_model = lambda *_: SyntheticEncoder(384)  # type: ignore[assignment,misc]
    texts = synthetic_resumes(args.resumes)["text"].tolist()
    # Each resume's lines made its own (the synthetic resumes share the sample's lines, real
    # ones rarely do), so the line-by-line look-up reads a row per line as it would at scale.
    groups = [
        [f"{line.strip()} ({row})" for line in text.splitlines() if line.strip()]
        for row, text in enumerate(texts)
    ]
    lines = [line for group in groups for line in group]
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder)
        embedding.Embedder(cache_dir=cache, show_progress=False).embed_groups(groups)
        times: dict[str, list[float]] = {"per line": [], "per resume": []}
        for _ in range(args.repeats):
            for label in times:
                embedder = embedding.Embedder(cache_dir=cache, show_progress=False)
                started = time.process_time()
                if label == "per line":
                    vectors = embedder.embed_texts(lines)
                else:
                    vectors = embedder.embed_groups(groups)
                times[label].append(time.process_time() - started)
                if label == "per line":
                    expected = vectors.tobytes()
                elif vectors.tobytes() != expected:
                    raise SystemExit("the two look-ups differ")
                del vectors
        size = (Path(folder) / embedding.CACHE_FILE).stat().st_size
    best = {label: min(values) for label, values in times.items()}
    rows = [
        (
            f"{args.resumes:,} resumes, {len(lines):,} lines: CPU s per look-up, line by line"
            " (each repeat)",
            ", ".join(f"{t:.2f}" for t in times["per line"]),
            "",
        ),
        (
            "the same, one block per resume",
            ", ".join(f"{t:.2f}" for t in times["per resume"]),
            "",
        ),
        ("ratio per resume / per line (best)", f"{best['per resume'] / best['per line']:.3f}", ""),
        ("identical bytes", "yes", ""),
        ("cache file, MB (both tables)", f"{size / 1e6:.0f}", ""),
        ("peak RSS, GB", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.2f}", ""),
    ]
    print_table("Stage 2's line look-up (synthetic vectors)", rows)


if __name__ == "__main__":
    main()
