"""Whether the work beside the encoder can hide behind it: P2's remaining lever, measured.

A cold run's encoder share (P2) is short of its goal because about 55 s of single-threaded
Python work (cleaning, profiles, features, explanations) run before and between the encoder's
calls. This benchmark measures what running such work at the same time as the encoder would
save on this machine, before anyone builds it. It times, on the sample resumes' lines:

- the encoder alone (the run's model, :func:`matcher.ranking.embedding.load_model`, bare: no
  cache), with torch's 2 threads
  and with 1;
- a fixed amount of matcher's own Python work alone (:func:`matcher.text.contact.phone_spans`
  of the sample resumes, again and again: no cache);
- both one after the other (the sum), and both at once: the work in a thread of the
  encoding process, or in a child process (no shared interpreter lock), each with the encoder
  on 2 threads and on 1.

"hidden" is the share of the Python work's time that overlapping saved against the way a run
works now, one after the other with the encoder on 2 threads: 1.0 would hide it all, 0 or
less none.

    .venv/bin/python benchmarks/bench_overlap.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import threading
from collections.abc import Callable
from pathlib import Path

from machine import print_table, timed

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    """Time the encoder and the Python work alone, in turn and at once; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="The Python work's length.")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import torch

    from matcher.ranking.embedding import load_model, resolve_model_path
    from matcher.settings import EmbeddingSettings

    texts = _sample_texts()
    lines = [line.strip() for text in texts for line in text.splitlines() if line.strip()]
    settings = EmbeddingSettings()
    model = load_model(resolve_model_path(settings.model_path), settings.max_tokens)

    once = _wall(lambda: _work(texts, 1))
    rounds = max(1, round(args.seconds / once))
    python_alone = _wall(lambda: _work(texts, rounds))

    rows: list[tuple[str, str, str]] = [
        ("Python work alone (phone_spans of the sample resumes)", f"{python_alone:.1f} s", ""),
    ]
    in_turn = 0.0  # the way a run works now: the encoder on 2 threads, then the work
    for threads in (2, 1):
        torch.set_num_threads(threads)
        model.encode(lines[:64])  # warm the model with these threads, untimed

        def encode() -> None:
            model.encode(lines, batch_size=32)

        alone = _wall(encode)
        if threads == 2:
            in_turn = alone + python_alone
        rows.append(
            (f"encoder alone, {threads} thread(s) ({len(lines)} lines)", f"{alone:.1f} s", "")
        )
        for way, overlapped in (
            ("a thread", _wall(lambda: _beside_thread(encode, texts, rounds))),
            ("a child process", _wall(lambda: _beside_process(encode, texts, rounds))),
        ):
            hidden = (in_turn - overlapped) / python_alone
            rows.append(
                (
                    f"both at once, the work in {way}, encoder on {threads} thread(s)",
                    f"{overlapped:.1f} s against {in_turn:.1f} s in turn; hidden {hidden:.2f}",
                    "hidden near 1",
                )
            )
    print_table(
        f"Overlap of the encoder and matcher's Python work: {len(lines)} sample lines,"
        f" {rounds} rounds of phone_spans over {len(texts)} resumes",
        rows,
    )


def _wall(work: Callable[[], object]) -> float:
    return timed(work)[0]


def _work(texts: list[str], rounds: int) -> None:
    """The Python work: matcher's phone scan of every text, ``rounds`` times (uncached)."""
    from matcher.text.contact import phone_spans

    for _ in range(rounds):
        for text in texts:
            phone_spans(text)


def _beside_thread(encode: Callable[[], None], texts: list[str], rounds: int) -> None:
    """The work in a thread while this thread encodes."""
    thread = threading.Thread(target=_work, args=(texts, rounds))
    thread.start()
    encode()
    thread.join()


def _sample_texts() -> list[str]:
    from matcher.io.loading import load_resumes

    records = load_resumes(REPO / "data" / "sample" / "resumes").records
    return records["text"].astype(str).tolist()


def _beside_process(encode: Callable[[], None], texts: list[str], rounds: int) -> None:
    """The work in a child process while this process encodes: forked, so it starts with the
    texts in memory (no reading in its timed work) and runs no torch."""
    child = multiprocessing.get_context("fork").Process(target=_work, args=(texts, rounds))
    child.start()
    encode()
    child.join()
    if child.exitcode != 0:
        raise RuntimeError(f"the child process doing the Python work failed ({child.exitcode})")


if __name__ == "__main__":
    main()
