"""Recall and precision of contact redaction on the labelled contact strings.

Prints, per kind of contact, how many strings redaction caught, then the overall recall and
precision (see :mod:`matcher.evaluation.redaction_quality`); the README quotes the result.

    PYTHONPATH=src:. .venv/bin/python benchmarks/bench_contact_redaction.py
"""

from __future__ import annotations

from pathlib import Path

from matcher.evaluation.redaction_quality import read_labelled_contacts, score_redaction


def main() -> None:
    """Score :func:`matcher.text.contact.redact` on ``tests/data/contact_strings.jsonl``."""
    path = Path(__file__).resolve().parents[1] / "tests" / "data" / "contact_strings.jsonl"
    score = score_redaction(read_labelled_contacts(path))
    for kind, total in sorted(score.total.items()):
        recall = score.recall_of(kind)
        print(f"{kind:<8} caught {score.caught[kind]:>3} of {total:>3}  recall {recall:.3f}")
    print(f"no contact: {score.false_positives} of {score.negatives} changed (false positives)")
    print(f"recall {score.recall:.3f}  precision {score.precision:.3f}")


if __name__ == "__main__":
    main()
