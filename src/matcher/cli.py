"""The ``matcher`` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(
    help="Rank resumes against job postings and explain the ranking.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="TOML file of settings (see the README); env MATCHER_* wins."),
]


def _fail(message: str) -> None:
    """Print one readable line to stderr and exit with status 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


def _settings(config: Path | None, **overrides: Any) -> Any:
    from matcher.settings import load_settings

    try:
        return load_settings(config, **overrides)
    except FileNotFoundError as error:
        _fail(str(error))
    except ValueError as error:  # pydantic's ValidationError is a ValueError
        _fail(f"bad settings: {error}".replace("\n", " "))


@app.command()
def score(
    jobs: Annotated[
        Path, typer.Option(help="Postings: a CSV, JSONL or Parquet table, or a folder of files.")
    ],
    resumes: Annotated[
        Path, typer.Option(help="Resumes: a table with resume_id,text or a folder of files.")
    ],
    out: Annotated[Path, typer.Option(help="Output folder for shortlists, rejects and manifest.")],
    top_k: Annotated[
        int | None, typer.Option("--top-k", min=1, help="Candidates kept per job.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Score every posting against every resume and write ranked shortlists as CSV."""
    from matcher.runtime import configure_runtime

    configure_runtime()
    ranking = {"top_k": top_k} if top_k is not None else None
    settings = _settings(config, ranking=ranking)
    from matcher.loading import InputError
    from pipelines.batch_scoring import batch_scoring

    try:
        summary = batch_scoring(jobs, resumes, out, settings)
    except InputError as error:
        _fail(str(error))
    counts = summary["counts"]
    typer.echo(
        "resumes: {read} read, {ranked} ranked, {duplicates} duplicates, {rejected} rejected".format(
            **counts["resumes"]
        )
    )
    typer.echo(
        "postings: {read} read, {ranked} scored, {rejected} rejected".format(**counts["postings"])
    )
    typer.echo(f"shortlists written to {summary['outputs']['shortlists']}")


def main() -> None:
    """Entry point that keeps tracebacks for real bugs but not for bad input."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


