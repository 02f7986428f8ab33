"""Is every text step linear in its input? Time per KB at 10 KB, 100 KB and 1 MB.

Builds resume-like and posting-like texts from the sample data (lines repeated and shuffled
with a fixed seed), once with their line breaks ("multi") and once joined into one line
("one-line", as scraped text often is), and times each text step and the end-to-end
preparation and profiling of one record. Prints milliseconds per KB and the ratio of the
1 MB cost per KB to the 10 KB one: a linear step stays near 1, a quadratic one grows ~100x.

Each measurement runs in a child process with a time budget; a step that runs out of it is
shown as ``timeout`` and not tried at the larger sizes. No thresholds here (machines are
shared and noisy); the ratio is for a person to read.

    .venv/bin/python benchmarks/bench_text_linearity.py [--budget 60] [--steps clean,skills]
"""

from __future__ import annotations

import argparse
import functools
import logging
import multiprocessing as mp
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from matcher.runtime import configure_runtime
from matcher.testing import shuffled_text

SIZES = (10_000, 100_000, 1_000_000)
KINDS = ("one-line", "multi")
# A measurement is repeated until it has run this long, and its fastest run is kept.
MIN_SECONDS = 0.5
MAX_REPEATS = 10
# Texts an attacker might send (``--hostile``): each once made a step quadratic or worse.
HOSTILE: dict[str, Callable[[int], str]] = {
    "credentials": lambda n: "Jane Doe" + ", Ab" * (n // 4),  # post-nominal letters
    "percent": lambda n: "a%" * (n // 2),  # an email's local part that never ends
    "number gap": lambda n: ("Python " + "1" * 40 + "! Go, ") * (n // 47),  # list gaps
    "dates": lambda n: "Data Engineer 2015 - 2020 " * (n // 26),
    "skill list": lambda n: "Go, " * (n // 4),  # one chain of bare skills
    "cue mix": lambda n: "C required, R preferred, " * (n // 25),  # mixed cue sentence
    "spaces": lambda n: "Skills" + " " * n + "- Go",  # raw text, before cleaning
}
# Every step first runs once on a small text of its own, so that the children measured
# inherit what a step loads on first use (vocabularies, heading tables) but no cached results.
WARM_UP_SIZE = 2_000

Step = Callable[[str], Any]


def _steps() -> dict[str, tuple[str, Step]]:
    """Each step: which corpus it reads (``resume`` or ``posting``) and what it runs."""
    from matcher.parsing.education import highest_degree
    from matcher.parsing.experience import extract_experience
    from matcher.parsing.profiles import posting_profile, resume_profile
    from matcher.parsing.requirements import extract_requirements
    from matcher.parsing.skills import SkillMatcher
    from matcher.ranking.explain import explain_match, key_terms
    from matcher.ranking.features import requirement_terms
    from matcher.ranking.lexical import bm25_scores, tfidf_scores
    from matcher.text.boilerplate import strip_boilerplate
    from matcher.text.cleaning import clean_text
    from matcher.text.contact import extract_contact, redact
    from matcher.text.dates import find_date_ranges
    from matcher.text.dedup import find_duplicates
    from matcher.text.preprocess import prepare_postings, prepare_resumes
    from matcher.text.sections import split_sections, split_title, unfold_headings

    matcher = SkillMatcher()
    terms = ["python", "sql", "machine learning", "excel", "project management", "aws"]

    def end_to_end_resume(text: str) -> Any:
        import pandas as pd

        frame = pd.DataFrame({"resume_id": ["r1"], "text": [text]})
        prepared, _, _ = prepare_resumes(frame)
        if prepared.empty:  # rejected (a hostile text may be too short to be a resume)
            return None
        return resume_profile("r1", prepared.loc[0, "model_text"], matcher)

    def end_to_end_posting(text: str) -> Any:
        import pandas as pd

        frame = pd.DataFrame({"job_id": ["j1"], "title": ["Data Engineer"], "description": [text]})
        prepared, _ = prepare_postings(frame)
        if prepared.empty:
            return None
        return posting_profile("j1", "Data Engineer", prepared.loc[0, "clean_text"], matcher)

    return {
        "clean_text": ("resume", clean_text),
        "unfold+split_sections": ("resume", lambda t: split_sections(unfold_headings(t))),
        "split_title": ("posting", split_title),
        "extract_contact": ("resume", extract_contact),
        "redact": ("resume", lambda t: redact(t, ["Maria Lopez"])),
        "find_date_ranges": ("resume", find_date_ranges),
        "find_duplicates": ("resume", lambda t: find_duplicates(["a", "b"], [t, t + " extra"])),
        "strip_boilerplate": ("posting", strip_boilerplate),
        "extract_requirements": ("posting", lambda t: extract_requirements("Engineer", t)),
        "extract_experience": ("resume", extract_experience),
        "highest_degree": ("resume", highest_degree),
        "skills.find (resume)": ("resume", matcher.find),
        "skills.find (posting)": ("posting", lambda t: matcher.find(t, skill_list=True)),
        "resume_profile": ("resume", lambda t: resume_profile("r1", t, matcher)),
        "posting_profile": ("posting", lambda t: posting_profile("j1", "Engineer", t, matcher)),
        "explain_match": ("resume", lambda t: explain_match(terms, t)),
        "key_terms": ("posting", lambda t: key_terms([t, "python sql developer"])),
        "requirement_terms": ("posting", lambda t: requirement_terms([t], [t, "python sql"])),
        "bm25_scores": ("posting", lambda t: bm25_scores(["python sql"], [t, "python"])),
        "tfidf_scores": ("posting", lambda t: tfidf_scores(["python sql"], [t, "python"])),
        "end-to-end resume": ("resume", end_to_end_resume),
        "end-to-end posting": ("posting", end_to_end_posting),
    }


def _sample_lines() -> dict[str, list[str]]:
    """Non-blank lines of the sample resumes and posting descriptions."""
    from matcher.io.loading import load_postings, load_resumes

    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    resumes = load_resumes(sample / "resumes").records["text"].tolist()
    postings = load_postings(sample / "jobs.csv").records["description"].tolist()
    return {
        kind: [line for text in texts for line in str(text).splitlines() if line.strip()]
        for kind, texts in (("resume", resumes), ("posting", postings))
    }


def _run_once(step: Step, text: str, connection: Connection) -> None:
    started = time.perf_counter()
    step(text)
    connection.send(time.perf_counter() - started)


def measure(step: Step, text: str, budget: float) -> float | None:
    """Fastest run of ``step`` on ``text`` in seconds, or ``None`` if no run ends in the budget.

    Every run is a fresh child process, so no run profits from caches filled by the one before
    (the texts repeat lines, and a warm cache would make the long ones look cheap).
    """
    context = mp.get_context("fork")
    deadline = time.monotonic() + budget
    times: list[float] = []
    while len(times) < MAX_REPEATS and sum(times) < MIN_SECONDS:
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(target=_run_once, args=(step, text, sender))
        child.start()
        sender.close()
        left = deadline - time.monotonic()
        try:
            if left > 0 and receiver.poll(left):
                times.append(receiver.recv())
                child.join()
                continue
        except EOFError:  # the step raised: its traceback is on stderr
            pass
        child.terminate()
        child.join()
        break
    return min(times) if times else None


def _sample_text(lines: dict[str, list[str]], kind: str, corpus: str, size: int) -> str:
    return shuffled_text(lines[corpus], size, seed=7, separator="\n" if kind == "multi" else " ")


def _hostile_text(make: Callable[[int], str], corpus: str, size: int) -> str:
    return make(size)


def _row(step: Step, texts: list[str], budget: float) -> tuple[list[str], str]:
    """The per-KB cells of one step over texts of :data:`SIZES`, and the 1 MB / 10 KB ratio."""
    cells: list[str] = []
    per_kb: list[float] = []
    for size, text in zip(SIZES, texts, strict=True):
        if len(cells) > len(per_kb):  # timed out or failed at a smaller size
            cells.append(f"{'-':>14}")
            continue
        try:
            seconds = measure(step, text, budget)
        except RuntimeError:
            cells.append(f"{'error':>14}")
            continue
        if seconds is None:
            cells.append(f"{'timeout':>14}")
            continue
        per_kb.append(seconds * 1000 / (size / 1000))
        cells.append(f"{per_kb[-1]:>14.3f}")
    ratio = f"{per_kb[-1] / per_kb[0]:>16.2f}" if len(per_kb) == len(SIZES) else f"{'-':>16}"
    return cells, ratio


def main() -> None:
    """Print the per-KB table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per measurement")
    parser.add_argument("--steps", default="", help="comma-separated step names (default all)")
    parser.add_argument(
        "--hostile", action="store_true", help="also time the hostile texts of HOSTILE"
    )
    args = parser.parse_args()
    configure_runtime()
    logging.getLogger("matcher").setLevel(logging.ERROR)  # the sample's broken files
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    steps = _steps()
    wanted = [s for s in args.steps.split(",") if s] or list(steps)
    lines = _sample_lines()
    kinds: dict[str, Callable[[str, int], str]] = {
        kind: functools.partial(_sample_text, lines, kind) for kind in KINDS
    }
    if args.hostile:
        kinds.update(
            {kind: functools.partial(_hostile_text, make) for kind, make in HOSTILE.items()}
        )
    for name in wanted:
        corpus, step = steps[name]
        step(shuffled_text(lines[corpus], WARM_UP_SIZE, seed=1, separator="\n"))
    heading = "".join(f"{f'{size // 1000} KB ms/KB':>14}" for size in SIZES)
    print(f"{'step':<24}{'text':>14}{heading}{'ratio 1MB/10KB':>16}")
    for name in wanted:
        corpus, step = steps[name]
        for kind, make in kinds.items():
            cells, ratio = _row(step, [make(corpus, size) for size in SIZES], args.budget)
            print(f"{name:<24}{kind:>14}{''.join(cells)}{ratio}", flush=True)


if __name__ == "__main__":
    main()
