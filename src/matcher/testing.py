"""Long synthetic texts for tests and benchmarks: pieces shuffled and repeated to a size.

Scraped resumes and postings are often one line of megabytes; the tests that feed such texts
through every step (``tests/data/test_megabyte_texts.py``, the hostile corpus of
``tests/hostile.py``) and the benchmark that times each step on them
(``benchmarks/bench_text_linearity.py``) build them here, the same way. Nothing in the pipeline
uses this module.
"""

from __future__ import annotations

import random
from collections.abc import Sequence


def shuffled_text(pieces: Sequence[str], size: int, seed: int = 0, separator: str = " ") -> str:
    """At most ``size`` characters of ``pieces``, shuffled and repeated, joined by ``separator``.

    Every round uses each piece once, in an order drawn from ``seed``, so the text is the same
    for the same arguments. It ends before a ``separator``: the last piece (or, for pieces that
    hold the separator, the last word) is whole.

    Args:
        pieces: Lines, sentences or words; at least one non-empty.
        size: The most characters the text may have.
        seed: Seed of the shuffles.
        separator: Joins the pieces: ``" "`` for one line, ``"\\n"`` for one piece per line.

    Raises:
        ValueError: If ``pieces`` holds no text.

    Example:
        >>> text = shuffled_text(["nurse", "icu", "care"], 20, seed=1)
        >>> len(text) <= 20, sorted(set(text.split())), "\\n" in text
        (True, ['care', 'icu', 'nurse'], False)
    """
    if not any(pieces):
        raise ValueError("shuffled_text needs at least one non-empty piece")
    rng = random.Random(seed)
    out: list[str] = []
    total = 0
    while total <= size:
        batch = list(pieces)
        rng.shuffle(batch)
        for piece in batch:
            out.append(piece)
            total += len(piece) + len(separator)
            if total > size:
                break
    text = separator.join(out)
    if len(text) <= size:
        return text
    head = text[: size + 1]
    return head.rsplit(separator, 1)[0] if separator in head else head[:size]
