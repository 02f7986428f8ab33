"""Measure the posting parser against the hand-annotated real postings.

Reads the postings table (by default ``../shared/data/livecareer/jobs.csv`` beside the repo),
cleans it as the product does (:func:`matcher.text.preprocess.prepare_postings`), parses every
annotated posting with the built-in vocabulary, prints the figures of
:mod:`matcher.evaluation.parser_quality` and writes the per-posting disagreements (job IDs and
skill names only, no posting text) to a file.

Usage::

    HF_HUB_OFFLINE=1 PYTHONPATH=src .venv/bin/python scripts/parser_quality.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from matcher.evaluation.parser_quality import (
    ParserQuality,
    PostingMisses,
    annotations_from_records,
    measure_postings,
)
from matcher.io.loading import load_postings
from matcher.parsing.skills import SkillMatcher
from matcher.parsing.taxonomy import build_vocabulary

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_POSTINGS = REPO_ROOT.parent / "shared" / "data" / "livecareer" / "jobs.csv"
DEFAULT_ANNOTATIONS = REPO_ROOT / "tests" / "data" / "posting_annotations.jsonl"
DEFAULT_MISSES = REPO_ROOT / "out" / "parser_quality_misses.txt"

app = typer.Typer(add_completion=False)


def _group(group: tuple[str, ...]) -> str:
    return " | ".join(group)


def format_table(quality: ParserQuality) -> str:
    """The figures as a plain-text table, counts beside each ratio."""
    req, pref = quality.required, quality.preferred
    rows = [
        ("postings", f"{quality.postings}", ""),
        ("required precision", f"{req.precision:.3f}", f"{req.correct}/{req.parsed}"),
        (
            "required lenient precision",
            f"{req.lenient_precision:.3f}",
            f"{req.correct_lenient}/{req.parsed}",
        ),
        ("required recall", f"{req.recall:.3f}", f"{req.found}/{req.groups}"),
        (
            "required recall in vocabulary",
            f"{req.recall_in_vocabulary:.3f}",
            f"{req.found_in_vocabulary}/{req.groups_in_vocabulary}",
        ),
        (
            "required recall either list",
            f"{req.recall_either:.3f}",
            f"{req.found_either}/{req.groups}",
        ),
        ("preferred precision", f"{pref.precision:.3f}", f"{pref.correct}/{pref.parsed}"),
        (
            "preferred lenient precision",
            f"{pref.lenient_precision:.3f}",
            f"{pref.correct_lenient}/{pref.parsed}",
        ),
        ("preferred recall", f"{pref.recall:.3f}", f"{pref.found}/{pref.groups}"),
        (
            "preferred recall in vocabulary",
            f"{pref.recall_in_vocabulary:.3f}",
            f"{pref.found_in_vocabulary}/{pref.groups_in_vocabulary}",
        ),
        (
            "preferred recall either list",
            f"{pref.recall_either:.3f}",
            f"{pref.found_either}/{pref.groups}",
        ),
        (
            "years exact",
            f"{quality.years_accuracy:.3f}",
            f"{quality.years_exact}/{quality.postings}",
        ),
        (
            "years within 1",
            f"{quality.years_accuracy_within_one:.3f}",
            f"{quality.years_within_one}/{quality.postings}",
        ),
        _binary_row("years stated", quality.years_stated.precision, quality.years_stated.recall),
        (
            "degree accuracy",
            f"{quality.degree_accuracy:.3f}",
            f"{quality.degree_exact}/{quality.postings}",
        ),
        _binary_row("degree stated", quality.degree_stated.precision, quality.degree_stated.recall),
    ]
    width = max(len(name) for name, _, _ in rows)
    return "\n".join(f"{name:<{width}}  {value:>12}  {count}" for name, value, count in rows)


def _binary_row(name: str, precision: float, recall: float) -> tuple[str, str, str]:
    return (f"{name} P / R", f"{precision:.3f} / {recall:.3f}", "")


def format_misses(misses: tuple[PostingMisses, ...]) -> str:
    """One block per posting that disagrees with its annotation: names and numbers only."""
    blocks = []
    for miss in misses:
        if miss.empty:
            continue
        lines = [miss.job_id]
        if miss.missed_required:
            lines.append("  missed required: " + "; ".join(map(_group, miss.missed_required)))
        if miss.extra_required:
            lines.append("  extra required: " + "; ".join(miss.extra_required))
        if miss.missed_preferred:
            lines.append("  missed preferred: " + "; ".join(map(_group, miss.missed_preferred)))
        if miss.extra_preferred:
            lines.append("  extra preferred: " + "; ".join(miss.extra_preferred))
        if miss.min_years:
            lines.append(f"  min_years annotated {miss.min_years[0]}, parsed {miss.min_years[1]}")
        if miss.degree:
            lines.append(f"  degree annotated {miss.degree[0]}, parsed {miss.degree[1]}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks) + "\n"


@app.command()
def main(
    postings: Annotated[
        Path, typer.Option(help="Postings table with job_id, title, description.")
    ] = DEFAULT_POSTINGS,
    annotations: Annotated[
        Path, typer.Option(help="Hand annotations, one JSON object per line.")
    ] = DEFAULT_ANNOTATIONS,
    misses_out: Annotated[
        Path, typer.Option(help="File for the per-posting disagreements (names only).")
    ] = DEFAULT_MISSES,
) -> None:
    """Print the parser's precision and recall on the annotated postings."""
    notes = annotations_from_records(
        json.loads(line) for line in annotations.read_text(encoding="utf-8").splitlines() if line
    )
    matcher = SkillMatcher(build_vocabulary(None))
    quality = measure_postings(notes, load_postings(postings).records, matcher)
    typer.echo(format_table(quality))
    misses_out.parent.mkdir(parents=True, exist_ok=True)
    misses_out.write_text(format_misses(quality.misses), encoding="utf-8")
    typer.echo(f"per-posting disagreements: {misses_out}")


if __name__ == "__main__":
    app()
