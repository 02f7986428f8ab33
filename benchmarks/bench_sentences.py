"""Is the sentence splitter linear? One-line texts of 1 MB and 5 MB, several shapes.

Prints wall times and the 5 MB / 1 MB ratio for each shape (about 5 when linear, 25 when
quadratic); no thresholds (machines here are shared and noisy).

    .venv/bin/python benchmarks/bench_sentences.py
"""

from __future__ import annotations

import time

from matcher.text.sentences import split_sentences

SHAPES = {
    "prose": "Sr. analyst wanted. SQL required; Python a plus.Great team, e.g. benefits. ",
    "one long word": "a" * 200 + " ",
    "runs of stops": "." * 1000 + "x ",
    "abbreviations": "e.g.e.g.e.g.e.g. i.e. ",
    "glued sentences": "pay.Qualifications.A strong.3 years ",
}


def main() -> None:
    """Split each shape at 1 MB and 5 MB and print the time ratio."""
    for name, unit in SHAPES.items():
        seconds = []
        for size in (1_000_000, 5_000_000):
            text = unit * (size // len(unit))
            started = time.perf_counter()
            split_sentences(text)
            seconds.append(time.perf_counter() - started)
        print(
            f"{name:16} 1 MB {seconds[0]:6.2f} s   5 MB {seconds[1]:6.2f} s"
            f"   ratio {seconds[1] / seconds[0]:5.2f}"
        )


if __name__ == "__main__":
    main()
