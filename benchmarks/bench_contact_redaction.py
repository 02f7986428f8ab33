"""Recall and precision of contact redaction, and what one phone scan per resume saves.

Prints, per kind of contact, how many labelled strings redaction caught, then the overall
recall and precision (see :mod:`matcher.evaluation.redaction_quality`); the README quotes the
result. Then the CPU time per resume of cleaning's contact step (:func:`extract_contact` and
:func:`redact`) on real resumes, with the phone numbers scanned by each (two scans) and
scanned once and shared (:func:`phone_spans`, as :func:`matcher.text.preprocess.clean_resumes`
does), and whether the two give the same contact and model text (counts only: no resume text
is printed). The resumes are the sample's and, where ``../shared/data`` is there, the first
``--resumes`` of RJDB and livecareer.

    PYTHONPATH=src:. .venv/bin/python benchmarks/bench_contact_redaction.py [--resumes 300]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd
from machine import print_table

from matcher.evaluation.redaction_quality import read_labelled_contacts, score_redaction
from matcher.text.cleaning import clean_text
from matcher.text.contact import extract_contact, phone_spans, redact

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"


def _resume_sets(limit: int) -> dict[str, list[str]]:
    """Cleaned resume texts by set: the sample's, and RJDB's and livecareer's if present."""
    folder = REPO / "data" / "sample" / "resumes"
    sets = {"sample": [p.read_text() for p in sorted(folder.glob("*.txt"))]}
    for name in ("rjdb", "livecareer"):
        path = SHARED / name / "resumes.csv"
        if path.is_file():
            sets[name] = pd.read_csv(path, dtype=str)["text"].dropna().head(limit).tolist()
    return {name: [t for t in map(clean_text, raws) if t] for name, raws in sets.items()}


def _contact_step(texts: list[str], shared: bool) -> tuple[float, list[tuple[object, str]]]:
    """CPU seconds of the contact step over ``texts``, and its results."""
    results = []
    started = time.process_time()
    for text in texts:
        phones = phone_spans(text) if shared else None
        contact = extract_contact(text, phones=phones)
        names = [contact.name] if contact.name else []
        results.append((contact, redact(text, names, phones=phones)))
    return time.process_time() - started, results


def main() -> None:
    """Score redaction on ``tests/data/contact_strings.jsonl``, then time the contact step."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resumes", type=int, default=300, help="resumes per shared set")
    args = parser.parse_args()
    path = REPO / "tests" / "data" / "contact_strings.jsonl"
    score = score_redaction(read_labelled_contacts(path))
    for kind, total in sorted(score.total.items()):
        recall = score.recall_of(kind)
        print(f"{kind:<8} caught {score.caught[kind]:>3} of {total:>3}  recall {recall:.3f}")
    print(f"no contact: {score.false_positives} of {score.negatives} changed (false positives)")
    print(f"recall {score.recall:.3f}  precision {score.precision:.3f}")
    rows: list[tuple[str, str, str]] = []
    for name, texts in _resume_sets(args.resumes).items():
        _contact_step(texts[:3], shared=True)  # libphonenumber loads its metadata on first use
        twice, separate = _contact_step(texts, shared=False)
        once, together = _contact_step(texts, shared=True)
        same = sum(a == b for a, b in zip(separate, together, strict=True))
        rows.append(
            (
                f"{name}, {len(texts):,} resumes: contact step, ms CPU per resume,"
                " two phone scans / one shared (ratio)",
                f"{1e3 * twice / len(texts):.1f} / {1e3 * once / len(texts):.1f}"
                f" ({once / twice:.2f}); same contact and model text: {same:,} of {len(texts):,}",
                "",
            )
        )
    print_table("Cleaning's contact step: one phone scan per resume", rows)


if __name__ == "__main__":
    main()
