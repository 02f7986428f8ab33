"""Measure the posting parser against the hand-annotated real postings.

Reads the postings table (by default ``../shared/data/livecareer/jobs.csv`` beside the repo),
cleans it as the product does (:func:`matcher.text.preprocess.prepare_postings`), parses every
annotated posting with the built-in vocabulary and prints the figures of
:mod:`matcher.evaluation.parser_quality` on three subsets side by side: the development
annotations (the postings the parser was improved on), the held-out annotations (written before
the parser was run on them, and never used to change it) and their union. Only the development
set's per-posting disagreements (job IDs and skill names only, no posting text) are written to a
file: the held-out set's errors are not to be looked at while the parser changes.

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
    PostingAnnotation,
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
DEFAULT_HELDOUT = REPO_ROOT / "tests" / "data" / "posting_annotations_heldout.jsonl"
DEFAULT_MISSES = REPO_ROOT / "out" / "parser_quality_misses.txt"

app = typer.Typer(add_completion=False)


def _group(group: tuple[str, ...]) -> str:
    return " | ".join(group)


def _rows(quality: ParserQuality) -> list[tuple[str, str]]:
    """Each figure of one subset as ``(name, "ratio (count)")``."""
    req, pref = quality.required, quality.preferred

    def cell(value: float, count: str = "") -> str:
        return f"{value:.3f}" + (f" ({count})" if count else "")

    rows = [("postings", str(quality.postings))]
    for kind, scores in (("required", req), ("preferred", pref)):
        rows += [
            (f"{kind} precision", cell(scores.precision, f"{scores.correct}/{scores.parsed}")),
            (
                f"{kind} lenient precision",
                cell(scores.lenient_precision, f"{scores.correct_lenient}/{scores.parsed}"),
            ),
            (f"{kind} recall", cell(scores.recall, f"{scores.found}/{scores.groups}")),
            (
                f"{kind} recall in vocabulary",
                cell(
                    scores.recall_in_vocabulary,
                    f"{scores.found_in_vocabulary}/{scores.groups_in_vocabulary}",
                ),
            ),
            (
                f"{kind} recall either list",
                cell(scores.recall_either, f"{scores.found_either}/{scores.groups}"),
            ),
        ]
    rows += [
        (
            "years exact",
            cell(quality.years_accuracy, f"{quality.years_exact}/{quality.postings}"),
        ),
        (
            "years within 1",
            cell(
                quality.years_accuracy_within_one, f"{quality.years_within_one}/{quality.postings}"
            ),
        ),
        _binary_row("years stated", quality.years_stated.precision, quality.years_stated.recall),
        (
            "degree accuracy",
            cell(quality.degree_accuracy, f"{quality.degree_exact}/{quality.postings}"),
        ),
        _binary_row("degree stated", quality.degree_stated.precision, quality.degree_stated.recall),
    ]
    return rows


def format_table(qualities: dict[str, ParserQuality]) -> str:
    """The figures of each named subset as one plain-text table, a column per subset."""
    columns = {name: _rows(quality) for name, quality in qualities.items()}
    names = [name for name, _ in next(iter(columns.values()))]
    cells = [[dict(rows)[name] for rows in columns.values()] for name in names]
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(columns)]
    name_width = max(len(name) for name in names)
    header = f"{'':<{name_width}}  " + "  ".join(
        f"{h:>{w}}" for h, w in zip(columns, widths, strict=True)
    )
    lines = [header]
    for name, row in zip(names, cells, strict=True):
        lines.append(
            f"{name:<{name_width}}  "
            + "  ".join(f"{c:>{w}}" for c, w in zip(row, widths, strict=True))
        )
    return "\n".join(lines)


def _binary_row(name: str, precision: float, recall: float) -> tuple[str, str]:
    return (f"{name} P / R", f"{precision:.3f} / {recall:.3f}")


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


def _read_annotations(path: Path) -> list[PostingAnnotation]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return annotations_from_records(json.loads(line) for line in lines if line)


@app.command()
def main(
    postings: Annotated[
        Path, typer.Option(help="Postings table with job_id, title, description.")
    ] = DEFAULT_POSTINGS,
    annotations: Annotated[
        Path, typer.Option(help="Development annotations, one JSON object per line.")
    ] = DEFAULT_ANNOTATIONS,
    heldout: Annotated[
        Path, typer.Option(help="Held-out annotations (never used to change the parser).")
    ] = DEFAULT_HELDOUT,
    misses_out: Annotated[
        Path,
        typer.Option(help="File for the development set's per-posting disagreements (names only)."),
    ] = DEFAULT_MISSES,
    taxonomy_dir: Annotated[
        Path | None,
        typer.Option(help="Folder of ESCO / O*NET files to extend the vocabulary with."),
    ] = None,
) -> None:
    """Print the parser's precision and recall on the development and held-out postings."""
    development = _read_annotations(annotations)
    held = _read_annotations(heldout)
    overlap = {note.job_id for note in development} & {note.job_id for note in held}
    if overlap:
        raise typer.BadParameter(f"postings in both annotation files: {sorted(overlap)}")
    matcher = SkillMatcher(build_vocabulary(taxonomy_dir))
    records = load_postings(postings).records
    qualities = {
        f"development ({len(development)})": measure_postings(development, records, matcher),
        f"held-out ({len(held)})": measure_postings(held, records, matcher),
        f"all ({len(development) + len(held)})": measure_postings(
            development + held, records, matcher
        ),
    }
    typer.echo(format_table(qualities))
    misses_out.parent.mkdir(parents=True, exist_ok=True)
    development_quality = next(iter(qualities.values()))
    misses_out.write_text(format_misses(development_quality.misses), encoding="utf-8")
    typer.echo(f"development set's per-posting disagreements: {misses_out}")


if __name__ == "__main__":
    app()
