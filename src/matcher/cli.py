"""The ``matcher`` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

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


def _version(value: bool) -> None:
    if value:
        from matcher import __version__

        typer.echo(f"matcher {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Print only warnings, errors and the final summary."),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Print matcher's debug messages too.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Rank resumes against job postings and explain the ranking."""
    if quiet and verbose:
        _fail("--quiet and --verbose cannot be used together")
    from matcher.runtime import configure_logging, exit_without_final_collection

    configure_logging("quiet" if quiet else "verbose" if verbose else "normal")
    exit_without_final_collection()


def _fail(message: str) -> NoReturn:
    """Print one readable line to stderr and exit with status 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


def _settings(config: Path | None, **overrides: Any) -> Any:
    import tomllib

    from pydantic import ValidationError

    from matcher.settings import describe_settings_error, load_settings

    try:
        return load_settings(config, **overrides)
    except FileNotFoundError as error:
        _fail(str(error))
    except tomllib.TOMLDecodeError as error:
        _fail(f"{config}: not valid TOML: {error}")
    except ValidationError as error:
        _fail(f"bad settings: {describe_settings_error(error, config)}")
    except ValueError as error:
        _fail(f"bad settings: {error}".replace("\n", " "))


def _prepare(config: Path | None, check: bool = False, **overrides: Any) -> Any:
    """The settings, then the runtime: offline defaults and the project's Prefect server if up.

    With ``check``, the settings a scoring run needs (ranker, model, taxonomy) are checked
    first, so a wrong one stops the command before it writes anything. Call before anything
    imports Prefect.
    """
    settings = _settings(config, **overrides)
    if check:
        _check_settings(settings)
    from matcher.runtime import configure_runtime

    configure_runtime(settings.state_dir)
    return settings


def _check_settings(settings: Any) -> None:
    """Fail with one ``error:`` line on settings a scoring run cannot work with."""
    from matcher.ranking.scoring import check_settings

    try:
        check_settings(settings)
    except ValueError as error:
        _fail(f"bad settings: {error}")


@app.command()
def score(
    jobs: Annotated[
        Path,
        typer.Option(
            help="Postings: a CSV, TSV, JSONL, Parquet or Excel table, or a folder of files."
        ),
    ],
    resumes: Annotated[
        Path, typer.Option(help="Resumes: a table with resume_id,text or a folder of files.")
    ],
    out: Annotated[Path, typer.Option(help="Output folder for shortlists, rejects and manifest.")],
    top_k: Annotated[
        int | None, typer.Option("--top-k", min=1, help="Candidates kept per job.")
    ] = None,
    runs: Annotated[
        bool,
        typer.Option(
            "--runs",
            help="Write into OUT/runs/<UTC time>/ and switch OUT/latest to it when done"
            " (output.layout = runs); by default the files go straight into OUT/.",
        ),
    ] = False,
    incremental: Annotated[
        bool,
        typer.Option(
            "--incremental",
            help="Keep the state store <state_dir>/state.db (runs.incremental): count new,"
            " changed, unchanged and withdrawn records and reuse the shortlists when nothing"
            " changed. Scheduled runs always do.",
        ),
    ] = False,
    refit: Annotated[
        bool,
        typer.Option(
            "--refit",
            help="With --incremental: fit the pool statistics anew and score every pair,"
            " even if few resumes changed (ranking.refit; see ranking.refit_share).",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=0,
            help="Clean, profile and embed the resumes in shards on a local Dask cluster of"
            " this many worker processes (dask.workers); 0: in this process.",
        ),
    ] = None,
    dask_address: Annotated[
        str | None,
        typer.Option(
            "--dask-address",
            help="Run those shards on an existing Dask cluster instead, e.g."
            " tcp://scheduler:8786 (dask.address).",
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Score every posting against every resume and write ranked shortlists as CSV."""
    for name, path in (("--jobs", jobs), ("--resumes", resumes)):
        if not path.exists():
            _fail(f"{name}: {path} does not exist")
    ranking: dict[str, Any] | None = {"top_k": top_k} if top_k is not None else None
    if refit:
        ranking = {**(ranking or {}), "refit": True}
    output = {"layout": "runs"} if runs else None
    run = {"incremental": True} if incremental else None
    dask = {
        key: value
        for key, value in (("workers", workers), ("address", dask_address))
        if value is not None
    }
    settings = _prepare(config, ranking=ranking, output=output, runs=run, dask=dask or None)
    from matcher.runtime import stop_on_sigterm

    stop_on_sigterm()
    refitting = settings.ranking.refit  # --refit scores every pair, even if nothing changed
    if (
        settings.runs.incremental
        and not refitting
        and _score_unchanged(jobs, resumes, out, settings)
    ):
        return
    # It boots while this process checks its inputs and imports the flow's modules (the
    # checks import half of them); a check that fails stops it again.
    api = _start_temporary_api()
    _check_settings(settings)
    _check_before_work(jobs=jobs, resumes=resumes)
    from matcher.io.unchanged_rerun import OUTPUT_NAMES

    _check_out(out, OUTPUT_NAMES if settings.output.layout == "simple" else None)
    from matcher.orchestration.temporary_api import TemporaryAPIError, first_use_imports
    from matcher.tracking.mlflow_runs import prepare_experiment

    # MLflow's import and a new store's migrations, in a thread while the run works.
    prepare_experiment(settings.mlflow_experiment, settings.mlflow_tracking_uri)
    from pipelines.batch_scoring import FIRST_USE_IMPORTS, scoring_flow

    from matcher.io.loading import InputError
    from matcher.io.locking import BusyError
    from matcher.io.output_folder import OutputFolderError
    from matcher.ranking.embedding import model_modules, model_will_load

    expected = (InputError, OutputFolderError, BusyError, TemporaryAPIError)
    _expect_failures(*expected)
    try:
        # A first run encodes every text: the model's import comes first, then.
        model = model_modules(settings.embedding) if model_will_load(settings.embedding) else ()
        with _on_api(api, meanwhile=first_use_imports(model + FIRST_USE_IMPORTS)):
            summary = scoring_flow(settings)(jobs, resumes, out, settings)
    except BaseException as error:
        _end_run(error, out, expected)
    _print_score_summary(summary)
    counts = summary["counts"]
    for kind in ("postings", "resumes"):
        if counts[kind]["ranked"] == 0:
            typer.echo(
                f"error: no {kind} could be scored ({counts[kind]['read']} read); the reasons"
                f" are in {summary['outputs']['rejects']} and {summary['outputs']['duplicates']}",
                err=True,
            )
            raise typer.Exit(code=1)


def _start_temporary_api() -> Any:
    """Prefect's temporary API, started now in a process of its own if the command's flow will
    need one (:func:`matcher.orchestration.temporary_api.start_temporary_api`), so it boots
    while the command imports; call after :func:`_prepare`, before Prefect is imported. The
    command calls its ``wait()`` before the flow, and it stops when the command exits."""
    from matcher.orchestration.temporary_api import start_temporary_api

    return start_temporary_api()


def _on_api(api: Any, meanwhile: Any = ()) -> Any:
    """A block to run the command's flow in: it waits for the temporary API of
    :func:`_start_temporary_api` (if one was started) to answer, doing the steps
    ``meanwhile`` while it boots, and runs the block's flows on it
    (:func:`matcher.orchestration.temporary_api.flows_on`).

    Raises:
        matcher.orchestration.temporary_api.TemporaryAPIError: If it did not start.
    """
    from matcher.orchestration.temporary_api import flows_on

    return flows_on(api, meanwhile=meanwhile)


def _expect_failures(*errors: type[BaseException]) -> None:
    """The errors the command reports in one line: Prefect's own report of them is left out
    (:func:`matcher.runtime.expect_failures`)."""
    from matcher.runtime import expect_failures

    expect_failures(*errors)


def _score_unchanged(jobs: Path, resumes: Path, out: Path, settings: Any) -> bool:
    """An unchanged rerun without the flow (:mod:`matcher.orchestration.unchanged`): its
    settings and inputs are those of a run that passed every check. False if it is not one."""
    from matcher.io.locking import BusyError
    from matcher.io.output_folder import OutputFolderError
    from matcher.orchestration.flow_runs import FlowRunRecordError
    from matcher.orchestration.unchanged import score_if_unchanged

    try:
        summary = score_if_unchanged(jobs, resumes, out, settings)
    except BaseException as error:
        _end_run(error, out, (OutputFolderError, BusyError, FlowRunRecordError))
    if summary is None:
        return False
    _print_score_summary(summary)
    return True


def _end_run(error: BaseException, out: Path, expected: tuple[type[Exception], ...]) -> NoReturn:
    """End a command whose run raised ``error``: stopped, refused with one line, or a bug.

    If Ctrl-C or SIGTERM stopped the run (Prefect may report that as another error, even one of
    ``expected``; :func:`matcher.runtime.stop_signal` finds the signal behind it), exit with
    128 + the signal. Else an ``expected`` error becomes one ``error:`` line, and anything else
    is raised again. For commands that called :func:`matcher.runtime.stop_on_sigterm` and write
    ``out`` through a staging folder.
    """
    from matcher.runtime import stop_signal

    stopped_by = stop_signal(error)
    if stopped_by is not None:
        typer.echo(f"stopped: nothing written, {out} is as it was", err=True)
        raise typer.Exit(code=128 + stopped_by) from None
    if isinstance(error, expected):
        _fail(str(error))
    raise error


def _check_out(out: Path, names: tuple[str, ...] | None = None) -> None:
    """Fail with one ``error:`` line on an ``--out`` that cannot be written, before any work:
    a file where a folder should be, a folder that cannot be written, or (``names``: the
    outputs of a run that replaces the folder whole) a folder holding other files."""
    from matcher.io.locking import BusyError, check_writable
    from matcher.io.output_folder import OutputFolderError, check_replaceable

    try:
        check_writable(out)
        if names is not None:
            check_replaceable(out, names)
    except (BusyError, OutputFolderError) as error:
        message = str(error)  # an OutputFolderError names --out itself
        _fail(message if message.startswith("--out") else f"--out: {message}")


def _check_before_work(**inputs: Path) -> None:
    """Fail with one ``error:`` line on an input that cannot work, before any work.

    Checks that each input table has its required columns and at least one row (a folder at
    least one supported file). The settings are checked by :func:`_prepare`.
    """
    from matcher.io.loading import InputError, check_input

    for what, path in inputs.items():
        try:
            check_input(path, what if what != "jobs" else "postings")
        except InputError as error:
            _fail(f"--{what}: {error}")


def _check_qrels(qrels: Path, direction: Any, jobs: Path, resumes: Path) -> None:
    """Fail with one ``error:`` line on qrels that cannot work, before a flow starts.

    The file is read and checked row by row, and every ID it names must be among those of
    ``jobs`` and ``resumes`` (table IDs or document file names; the documents are not read).
    What only loading can tell (a judged record rejected for its content) the flow reports.
    """
    from matcher.evaluation.labelled import LabelledDataError, check_qrels, load_qrels
    from matcher.io.loading import InputError, input_ids

    try:
        judged = load_qrels(qrels, direction)
    except LabelledDataError as error:
        _fail(str(error))
    try:
        check_qrels(judged, direction, input_ids(jobs, "postings"), input_ids(resumes, "resumes"))
    except LabelledDataError as error:
        _fail(f"{qrels}: {error}")
    except InputError as error:  # after _check_before_work, only a file changed meanwhile
        _fail(str(error))


def _print_score_summary(summary: dict[str, Any]) -> None:
    """The end of a ``score`` run: counts, ranker, output paths and the MLflow run ID."""
    counts = summary["counts"]
    resume_counts = counts["resumes"]
    typer.echo(
        f"resumes: {resume_counts['read']} read, {resume_counts['ranked']} ranked,"
        f" {resume_counts['duplicates']} duplicates, {resume_counts['rejected']} rejected"
    )
    typer.echo(
        "postings: {read} read, {ranked} scored, {rejected} rejected".format(**counts["postings"])
    )
    if "ranker" in summary:
        from matcher.ranking.scoring import describe_ranker

        ranker = describe_ranker(summary["ranker"])
        typer.echo(
            f"ranker: {ranker['ranker']} ({ranker['ranker source']};"
            f" model version: {ranker['model version']})"
        )
    outputs = summary["outputs"]
    typer.echo(f"shortlists written to {outputs['shortlists']}")
    if "workbook" in outputs:
        typer.echo(f"workbook: {outputs['workbook']}")
    typer.echo(f"rejects: {outputs['rejects']}  duplicates: {outputs['duplicates']}")
    typer.echo(f"manifest: {summary['manifest']}")
    typer.echo(f"MLflow run: {summary['mlflow_run_id']}")
    if "latest" in summary:
        typer.echo(f"latest run: {summary['latest']} -> {summary['run_dir']}")


DirectionOption = Annotated[
    str,
    typer.Option(
        "--direction",
        help="resumes-for-job (jobs are queries; qrels job_id,resume_id,relevance) or"
        " jobs-for-resume (resumes are queries; qrels resume_id,job_id,relevance).",
    ),
]


def _check_paths(**paths: Path | None) -> None:
    for name, path in paths.items():
        if path is not None and not path.exists():
            _fail(f"--{name.replace('_', '-')}: {path} does not exist")


def _check_direction(direction: str) -> Any:
    from matcher.ranking.lexical import DIRECTIONS

    if direction not in DIRECTIONS:
        _fail(f"--direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    return direction


def _parse_params(pairs: list[str]) -> dict[str, Any]:
    """``["k1=1.2", "aggregate=max"]`` to ``{"k1": 1.2, "aggregate": "max"}`` (TOML values)."""
    import tomllib

    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            _fail(f"--param {pair!r}: use NAME=VALUE, e.g. --param k1=1.2")
        try:
            params[key.strip()] = tomllib.loads(f"v = {raw.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            params[key.strip()] = raw.strip()
    return params


@app.command()
def evaluate(
    jobs: Annotated[
        Path, typer.Option(help="Postings table or folder (job_id,title,description).")
    ],
    resumes: Annotated[Path, typer.Option(help="Resumes table or folder (resume_id,text).")],
    qrels: Annotated[
        Path, typer.Option(help="Judgements CSV: job_id,resume_id,relevance (0 = not relevant).")
    ],
    ranker: Annotated[
        str | None,
        typer.Option(help="requirements, tfidf, bm25, dense or hybrid; the settings' if omitted."),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="Ranker parameter NAME=VALUE; repeat for several."),
    ] = None,
    json_output: Annotated[
        bool,
        typer.Option("--json", help="Print only one JSON object: the metrics and mlflow_run_id."),
    ] = False,
    direction: DirectionOption = "resumes-for-job",
    out: Annotated[Path, typer.Option(help="Folder for per_query.csv and metrics.json.")] = Path(
        "out/evaluation"
    ),
    candidates: Annotated[
        int,
        typer.Option(
            min=0,
            help="Rank in two stages as `matcher score` does, with this many candidates per"
            " posting from the dense index and from BM25 each (resumes-for-job; the"
            " requirements ranker: the others score every document); 0 ranks every document.",
        ),
    ] = 0,
    config: ConfigOption = None,
) -> None:
    """Rank every document for every judged query and report the metrics (logged to MLflow).

    nDCG@5/10, MRR (top grade), MAP, P@10, Recall@10/50 and pairwise accuracy; with
    --candidates, also the stage-1 recall (the share of relevant pairs that reach the ranker).
    """
    import contextlib

    _check_paths(jobs=jobs, resumes=resumes, qrels=qrels)
    checked = _check_direction(direction)
    params = _parse_params(param or [])
    _check_before_work(jobs=jobs, resumes=resumes)
    _check_qrels(qrels, checked, jobs, resumes)
    settings = _prepare(config)
    chosen = ranker or settings.ranking.ranker
    if candidates and chosen != "requirements":
        _fail(
            f"--candidates: only the requirements ranker ranks in two stages; {chosen} scores"
            " every document (drop --candidates)"
        )
    if candidates and checked != "resumes-for-job":
        _fail(
            "--candidates: two stages pick each posting's candidate resumes"
            " (--direction resumes-for-job); jobs-for-resume scores every posting"
        )
    from matcher.runtime import stop_on_sigterm

    stop_on_sigterm()
    api = _start_temporary_api()  # boots while the flow's modules are imported
    with contextlib.redirect_stdout(sys.stderr):  # stdout carries only the result
        from pipelines.evaluate import evaluation_flow

        from matcher.evaluation.labelled import LabelledDataError
        from matcher.io.loading import InputError
        from matcher.io.locking import BusyError
        from matcher.orchestration.temporary_api import TemporaryAPIError
        from matcher.ranking.catalogue import check_params

        expected = (
            InputError,
            LabelledDataError,
            ValueError,
            FileNotFoundError,
            BusyError,
            TemporaryAPIError,
        )
        _expect_failures(*expected)
        try:
            check_params(chosen, params)
            with _on_api(api):
                result = evaluation_flow(
                    jobs,
                    resumes,
                    qrels,
                    out,
                    settings,
                    ranker,
                    params,
                    direction=checked,
                    candidates=candidates,
                )
        except BaseException as error:  # OutputFolderError is a ValueError
            _end_run(error, out, expected)
    summary = result["summary"]
    if json_output:
        typer.echo(json.dumps({**summary, "mlflow_run_id": result["mlflow_run_id"]}))
        return
    typer.echo(f"{result['label']} on {result['queries']} queries ({checked}):")
    for name, value in summary.items():
        typer.echo(f"  {name:<18} {'n/a' if value is None else f'{value:.4f}'}")
    typer.echo(f"per-query results: {result['outputs']['per_query']}")
    typer.echo(f"metrics: {result['outputs']['metrics']}")
    typer.echo(f"MLflow run: {result['mlflow_run_id']} ({settings.mlflow_tracking_uri})")


@app.command()
def experiment(
    jobs: Annotated[Path | None, typer.Option(help="Postings table or folder.")] = None,
    resumes: Annotated[Path | None, typer.Option(help="Resumes table or folder.")] = None,
    qrels: Annotated[
        Path | None, typer.Option(help="Judgements CSV: job_id,resume_id,relevance.")
    ] = None,
    sets: SetOption = None,
    sets_file: SetsFileOption = None,
    folds: Annotated[int, typer.Option(min=2, help="Cross-validation folds (several sets).")] = 5,
    grid: Annotated[
        Path | None,
        typer.Option(
            help="TOML grid of \\[\\[rankers]] name/params/label; a built-in grid if omitted."
        ),
    ] = None,
    promote_best: Annotated[
        bool,
        typer.Option(
            "--promote-best",
            help="Make the best configuration (nDCG@10) the champion if it beats the current"
            " one (or the built-in default) with a paired Wilcoxon p < 0.05 over >= 30 queries.",
        ),
    ] = False,
    direction: DirectionOption = "resumes-for-job",
    max_queries: Annotated[
        int | None,
        typer.Option(
            "--max-queries",
            min=1,
            help="Use only the first N judged queries, each ranked against every document.",
        ),
    ] = None,
    judged_only: Annotated[
        bool,
        typer.Option(
            "--judged-only",
            help="Rank each query's judged documents only, not the whole pool: quick, and its"
            " metrics read higher than the whole pool's.",
        ),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Compare rankers on labelled data, logged to MLflow.

    With --jobs/--resumes/--qrels: a grid of rankers on one set as nested runs; the best is
    registered as matcher-ranker. With --set or --sets: the cross-domain matrix, every ranker
    on every set, in-domain (grouped cross-validation) and across domains (learned on the
    other sets).
    """
    if sets or sets_file is not None:
        specs = _labelled_specs(sets, sets_file, jobs, resumes, qrels)
        settings = _prepare(config)
        result = _run_cross_domain(specs, settings, _start_temporary_api(), None, folds)
        typer.echo(result["markdown"])  # on stdout, also with --quiet
        typer.echo(f"MLflow run: {result['mlflow_run_id']}")
        return
    if jobs is None or resumes is None or qrels is None:
        _fail("give --jobs, --resumes and --qrels, or labelled sets with --set/--sets")
    _check_paths(jobs=jobs, resumes=resumes, qrels=qrels, grid=grid)
    checked = _check_direction(direction)
    _check_before_work(jobs=jobs, resumes=resumes)
    _check_qrels(qrels, checked, jobs, resumes)
    settings = _prepare(config)
    api = _start_temporary_api()  # boots while the flow's modules are imported
    from matcher.evaluation.grid import load_grid
    from matcher.evaluation.labelled import LabelledDataError
    from matcher.io.loading import InputError
    from matcher.orchestration.temporary_api import TemporaryAPIError

    try:
        chosen = load_grid(grid) if grid is not None else None
    except ValueError as error:
        _fail(str(error))
    from pipelines.experiment import ranking_experiment

    _expect_failures(InputError, LabelledDataError, TemporaryAPIError)
    try:
        with _on_api(api):
            summary = ranking_experiment(
                jobs,
                resumes,
                qrels,
                grid=chosen,
                settings=settings,
                direction=checked,
                promote_best=promote_best,
                max_queries=max_queries,
                judged_only=judged_only,
            )
    except (InputError, LabelledDataError, TemporaryAPIError) as error:
        _fail(str(error))
    typer.echo(f"{'configuration':<24} {'nDCG@10':>8} {'MRR':>8} {'pairwise':>8} {'p vs base':>10}")
    for row in summary["comparison"]:
        typer.echo(
            f"{row['label']:<24} {row['nDCG@10']:>8.4f} {row['MRR']:>8.4f}"
            f" {row['pairwise_accuracy']:>8.4f} {row['vs_baseline_p_wilcoxon']:>10.3g}"
        )
    registered = summary["registered"]
    typer.echo(
        f"best: {summary['best']} (run {registered['run_id']}); registered"
        f" {registered['model_name']} version {registered['version']}"
        + (" as champion" if summary["promoted"] else "")
    )
    if promote_best and not summary["promoted"]:
        typer.echo(f"not promoted: {summary['promotion_reason']}")
    typer.echo(f"MLflow parent run: {summary['parent_run_id']} ({settings.mlflow_tracking_uri})")


SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="A labelled set NAME=FOLDER (jobs.*, resumes.* or resumes/, qrels.csv); repeat.",
    ),
]
SetsFileOption = Annotated[
    Path | None,
    typer.Option(
        "--sets",
        help="TOML file of labelled sets (\\[\\[sets]] name, path, reverse, max_resumes, ...).",
    ),
]


def _labelled_specs(
    sets: list[str] | None,
    sets_file: Path | None,
    jobs: Path | None = None,
    resumes: Path | None = None,
    qrels: Path | None = None,
) -> list[Any]:
    """The labelled sets named on the command line (at least one)."""
    from matcher.evaluation.labelled_sets import (
        LabelledSetSpec,
        check_sets,
        load_sets_file,
        parse_set_option,
    )

    specs: list[LabelledSetSpec] = []
    try:
        if sets_file is not None:
            specs.extend(load_sets_file(sets_file))
        specs.extend(parse_set_option(value) for value in sets or [])
        if jobs is not None or resumes is not None or qrels is not None:
            if jobs is None or resumes is None or qrels is None:
                _fail("--jobs, --resumes and --qrels go together")
            specs.append(
                LabelledSetSpec(
                    name="labelled", path=qrels.parent, jobs=jobs, resumes=resumes, qrels=qrels
                )
            )
        if not specs:
            _fail(
                "name the labelled data: --set NAME=FOLDER, --sets FILE or --jobs/--resumes/--qrels"
            )
        return check_sets(specs)
    except (ValueError, FileNotFoundError) as error:
        _fail(str(error))


def _run_cross_domain(
    specs: list[Any],
    settings: Any,
    api: Any,
    weights_out: Path | None,
    folds: int,
    promote: bool = False,
) -> Any:
    """The cross-domain flow, once ``api`` (from :func:`_start_temporary_api`) answers."""
    from pipelines.cross_domain import cross_domain_experiment

    from matcher.evaluation.labelled import LabelledDataError
    from matcher.io.loading import InputError
    from matcher.orchestration.temporary_api import TemporaryAPIError

    _expect_failures(InputError, LabelledDataError, FileNotFoundError, TemporaryAPIError)
    try:
        with _on_api(api):
            return cross_domain_experiment(
                specs, settings, weights_out=weights_out, folds=folds, promote=promote
            )
    except (InputError, LabelledDataError, FileNotFoundError, TemporaryAPIError) as error:
        _fail(str(error))


@app.command()
def train(
    sets: SetOption = None,
    sets_file: SetsFileOption = None,
    jobs: Annotated[Path | None, typer.Option(help="Postings of one labelled set.")] = None,
    resumes: Annotated[Path | None, typer.Option(help="Resumes of one labelled set.")] = None,
    qrels: Annotated[Path | None, typer.Option(help="Judgements of one labelled set.")] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Where to write the learned model (readable JSON); by default the packaged"
            " model, matcher/data/requirements_ranker.json, that scoring reads."
        ),
    ] = None,
    folds: Annotated[
        int, typer.Option(min=2, help="Cross-validation folds, grouped by query.")
    ] = 5,
    promote_model: Annotated[
        bool, typer.Option("--promote", help="Make the trained ranker the champion.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Learn the requirement ranker's weights, neutral values and calibration on labelled sets.

    Every set counts the same. The cross-domain matrix (each ranker on each set, in-domain and
    across domains) is printed, logged to MLflow and stored in the model file as its evidence.
    """
    specs = _labelled_specs(sets, sets_file, jobs, resumes, qrels)
    settings = _prepare(config)
    api = _start_temporary_api()  # boots while the flow's modules are imported
    if out is None:
        from matcher.ranking.requirement_ranker import WEIGHTS_FILE

        out = WEIGHTS_FILE
    result = _run_cross_domain(specs, settings, api, out, folds, promote_model)
    typer.echo(result["markdown"])  # on stdout, also with --quiet
    weights = result["artifact"]["weights"]
    typer.echo("weights: " + ", ".join(f"{k} {v:.3f}" for k, v in weights.items() if v > 0))
    typer.echo(f"learned model written to {result['weights_path']}")
    registered = result["registered"]
    typer.echo(
        f"registered {registered['model_name']} version {registered['version']}"
        + (" as champion" if promote_model else "")
    )
    typer.echo(f"MLflow run: {result['mlflow_run_id']} ({settings.mlflow_tracking_uri})")


@app.command()
def promote(
    run_id: Annotated[str, typer.Argument(help="MLflow run ID of an evaluation run.")],
    config: ConfigOption = None,
) -> None:
    """Register the run's ranker as matcher-ranker (if needed) and make it the champion."""
    settings = _prepare(config)
    from matcher.tracking.registry import promote as promote_run
    from matcher.tracking.registry import store_exists

    if not store_exists(settings.mlflow_tracking_uri):
        _fail(f"no MLflow store at {settings.mlflow_tracking_uri}")
    try:
        registered = promote_run(run_id, settings.mlflow_tracking_uri)
    except ValueError as error:
        _fail(str(error))
    typer.echo(
        f"{registered.model_name} version {registered.version} ({registered.config.label})"
        " is now the champion"
    )


@app.command()
def recommend(
    resume: Annotated[
        Path,
        typer.Option(help="A PDF, DOCX, TXT, MD or HTML resume, or a resumes table (--resume-id)."),
    ],
    jobs: Annotated[Path, typer.Option(help="Postings table or folder.")],
    out: Annotated[Path, typer.Option(help="Output folder for recommendations.csv.")],
    resume_id: Annotated[
        str | None, typer.Option("--resume-id", help="Row of a resumes table to use.")
    ] = None,
    top_k: Annotated[
        int | None,
        typer.Option("--top-k", min=1, help="Postings to recommend; ranking.top_k if omitted."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Rank postings for one resume with the champion (or default) ranker and explain each."""
    _check_paths(resume=resume, jobs=jobs)
    _check_before_work(jobs=jobs)
    ranking = {"top_k": top_k} if top_k is not None else None
    settings = _prepare(config, ranking=ranking)
    from matcher.runtime import stop_on_sigterm

    stop_on_sigterm()
    # It boots while this process checks the resume and the output folder (as `score` does)
    # and imports the flow's modules; a check that fails stops it again.
    api = _start_temporary_api()
    from matcher.io.loading import InputError
    from matcher.ranking.recommend import OUTPUT_NAMES, usable_resume

    _check_out(out, OUTPUT_NAMES)
    try:  # the resume, read and cleaned as the flow will: a bad one is one line
        usable_resume(resume, resume_id, settings.limits)
    except InputError as error:
        _fail(str(error))
    from pipelines.recommend import recommendation_flow

    from matcher.io.locking import BusyError
    from matcher.orchestration.temporary_api import TemporaryAPIError

    expected = (InputError, ValueError, BusyError, TemporaryAPIError)
    _expect_failures(*expected)
    try:
        with _on_api(api):
            result = recommendation_flow(resume, jobs, out, settings, resume_id)
    except BaseException as error:  # OutputFolderError is a ValueError
        _end_run(error, out, expected)
    typer.echo(
        f"resume {result.resume_id}: {len(result.recommendations)} of"
        f" {result.postings_scored} postings recommended with {result.ranker['name']}"
        f" ({result.ranker['source']})"
    )
    if result.postings_rejected:
        typer.echo(f"{result.postings_rejected} postings rejected: see {result.rejects_path}")
    typer.echo(f"recommendations written to {result.path}")


@app.command()
def audit(
    run: Annotated[Path, typer.Option(help="The --out folder of a `matcher score` run.")],
    demographics: Annotated[
        Path,
        typer.Option(
            help="CSV of resume_id and sex and/or race_ethnicity, kept apart from the resumes."
        ),
    ],
    top_k: Annotated[
        int | None,
        typer.Option(
            "--top-k", min=1, help="Rank that counts as selected; the run's own if omitted."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Folder for audit.csv and audit.html; RUN/audit if omitted.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Bias audit (NYC LL144): selection and scoring rates and impact ratios by group."""
    _check_paths(run=run, demographics=demographics)
    settings = _prepare(config)
    # It boots while the inputs are checked and the flow's modules imported; a check that
    # fails stops it again.
    api = _start_temporary_api()
    from matcher.evaluation.bias_audit import DemographicsError, read_demographics
    from matcher.ranking.decisions import resolve_run

    try:  # as the flow will read them: a bad one is one line, not a failed run's tracebacks
        resolve_run(run)
        read_demographics(demographics)
    except (DemographicsError, FileNotFoundError) as error:
        _fail(str(error))
    from pipelines.bias_audit import bias_audit

    from matcher.io.locking import BusyError
    from matcher.orchestration.temporary_api import TemporaryAPIError

    _expect_failures(DemographicsError, FileNotFoundError, BusyError, TemporaryAPIError)
    try:
        with _on_api(api):
            result = bias_audit(run, demographics, settings, top_k, out)
    except (DemographicsError, FileNotFoundError, BusyError, TemporaryAPIError) as error:
        _fail(str(error))
    # on stdout, also with --quiet (the flow's own lines are log lines)
    outputs = result["outputs"]
    typer.echo(f"audit table: {outputs['audit_csv']}")
    typer.echo(f"audit page: {outputs['audit_html']}")
    typer.echo(f"MLflow run: {result['mlflow_run_id']}")
    for line in result["flags"]:
        typer.echo(f"flag: {line}")


@app.command()
def explain(
    run: Annotated[Path, typer.Option(help="The --out folder of a `matcher score` run.")],
    job: Annotated[str, typer.Option(help="The posting's job_id.")],
    resume: Annotated[str, typer.Option(help="The candidate's resume_id.")],
) -> None:
    """Why a candidate ranked where they did for a posting, shortlisted or not."""
    from matcher.ranking.decision_account import (
        DecisionNotFoundError,
        describe_decision,
        find_decision,
        why_not_scored,
    )
    from matcher.ranking.decisions import read_decisions, resolve_run

    try:
        record = find_decision(read_decisions(run), job, resume)
    except FileNotFoundError as error:
        _fail(str(error))
    except DecisionNotFoundError as error:
        # A copy or a reject was read but not scored: say which, and why.
        why = error.kind and why_not_scored(resolve_run(run), error.kind, error.record_id)
        _fail(f"{error}: {why}" if why else str(error))
    typer.echo(describe_decision(record))


server_app = typer.Typer(
    help="The project's Prefect server (API and UI), run in the background.",
    no_args_is_help=True,
)
app.add_typer(server_app, name="server")


@server_app.command("start")
def server_start(
    foreground: Annotated[
        bool,
        typer.Option(
            "--foreground", help="Run the server in this process (for systemd); SIGTERM stops it."
        ),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Start `prefect server start` in the background and wait until its API answers.

    Its home (database), pid file and log are in <state_dir>/prefect-server/. Every matcher
    command uses it while it runs, so flow-run history is kept across runs.
    """
    settings = _settings(config)
    from matcher.orchestration.server import (
        ServerError,
        run_server_in_foreground,
        server_status,
        start_server,
    )

    already = server_status(settings.state_dir) is not None
    server = settings.server
    try:
        if foreground:
            run_server_in_foreground(settings.state_dir, server.host, server.port)
        status = start_server(settings.state_dir, server.host, server.port, server.startup_timeout)
    except ServerError as error:
        _fail(str(error))
    typer.echo(
        f"Prefect server {'already running' if already else 'started'}:"
        f" {status.api_url} (pid {status.pid})"
    )
    typer.echo(f"UI: {status.ui_url}  log: {status.paths.log}")


@server_app.command("stop")
def server_stop(config: ConfigOption = None) -> None:
    """Stop the project's Prefect server; its history stays for the next start."""
    settings = _settings(config)
    from matcher.orchestration.server import stop_server

    stopped = stop_server(settings.state_dir)
    if stopped is None:
        typer.echo(f"no Prefect server is running for {settings.state_dir}")
    else:
        typer.echo(f"Prefect server stopped (pid {stopped.pid})")


@server_app.command("status")
def server_status_command(config: ConfigOption = None) -> None:
    """Say whether the project's Prefect server runs, with its URL and pid (exit 3 if not)."""
    settings = _settings(config)
    from matcher.orchestration.server import server_status

    status = server_status(settings.state_dir)
    if status is None:
        typer.echo(f"not running (state folder {settings.state_dir}); commands use a temporary API")
        raise typer.Exit(code=3)
    answer = "running" if status.answering else "running but not answering (starting?)"
    typer.echo(f"{answer}: {status.api_url} (pid {status.pid})")
    typer.echo(f"UI: {status.ui_url}  log: {status.paths.log}  home: {status.paths.home}")


schedule_app = typer.Typer(
    help="Scheduled batch scoring on the project's Prefect server.",
)
app.add_typer(schedule_app, name="schedule")

NameArgument = Annotated[str, typer.Argument(help="The schedule's name (see schedule list).")]


@schedule_app.callback(invoke_without_command=True)
def schedule(
    ctx: typer.Context,
    cron: Annotated[
        str | None, typer.Option(help='Cron expression, e.g. "0 6 * * *" (06:00 every day).')
    ] = None,
    interval: Annotated[
        float | None, typer.Option(help="Run every this many seconds instead of a cron.")
    ] = None,
    jobs: Annotated[Path | None, typer.Option(help="Postings table or folder.")] = None,
    resumes: Annotated[Path | None, typer.Option(help="Resumes table or folder.")] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Output folder: each run writes OUT/runs/<UTC time>/, then OUT/latest."),
    ] = None,
    name: Annotated[str, typer.Option(help="Name of the schedule (deployment).")] = "daily",
    timezone: Annotated[
        str, typer.Option(help="IANA time zone of the cron expression, e.g. Europe/Paris.")
    ] = "UTC",
    detach: Annotated[
        bool,
        typer.Option(
            "--detach", help="Serve in the background (pid and log in <state_dir>/schedules/)."
        ),
    ] = False,
    warm: Annotated[
        bool,
        typer.Option(
            "--warm",
            help="Run each scheduled run in the serving process, so that imports and the model"
            " are loaded once, instead of in a new process per run (Prefect's default).",
        ),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Create a scheduled batch-scoring deployment on the project's server and serve it.

    Without --detach it serves in the foreground until stopped (for systemd). While nothing
    serves it, the schedule is paused. Subcommands list, pause, resume and delete manage
    schedules.
    """
    if ctx.invoked_subcommand is not None:
        return
    if jobs is None or resumes is None or out is None:
        _fail("give --jobs, --resumes and --out (and --cron or --interval)")
    _check_paths(jobs=jobs, resumes=resumes)
    from matcher.orchestration.schedules import (
        ScheduleError,
        check_name,
        make_schedule,
        serve_detached,
        serve_schedule,
    )

    # Before Prefect is imported, and before anything is deployed or written.
    settings = _prepare(config, check=True, output={"layout": "runs"}, runs={"incremental": True})
    try:
        check_name(name)
        chosen = make_schedule(cron, interval, timezone)
    except ScheduleError as error:
        _fail(str(error))
    api_url = _require_server(settings)
    jobs, resumes, out = jobs.resolve(), resumes.resolve(), out.resolve()
    when = ["--cron", cron] if cron is not None else ["--interval", f"{interval:g}"]
    if detach:
        command = [sys.executable, "-m", "matcher.cli", "schedule", *when, "--timezone", timezone]
        command += ["--jobs", str(jobs), "--resumes", str(resumes), "--out", str(out)]
        command += ["--name", name]
        if warm:
            command += ["--warm"]
        if config is not None:
            command += ["--config", str(config.resolve())]
        try:
            pid = serve_detached(
                command, name, settings.state_dir, settings.server.startup_timeout, Path.cwd()
            )
        except ScheduleError as error:
            _fail(str(error))
        every = f"cron {cron}" if cron is not None else f"every {interval:g} s"
        typer.echo(f"schedule {name} ({every}, {timezone}) served by pid {pid}")
        typer.echo(f"runs write {out / 'runs'}/<UTC time>/; the latest completed: {out / 'latest'}")
        typer.echo(f"Prefect: {api_url}; stop with: matcher schedule delete {name}")
        return
    from pipelines.batch_scoring import scoring_flow

    parameters = {
        "jobs_path": str(jobs),
        "resumes_path": str(resumes),
        "out_dir": str(out),
        "settings": settings.model_dump(mode="json"),
    }
    typer.echo(f"serving schedule {name} on {api_url}; Ctrl-C stops (and pauses) it")
    try:
        serve_schedule(
            scoring_flow(settings), name, chosen, parameters, settings.state_dir, warm=warm
        )
    except ScheduleError as error:
        _fail(str(error))


def _require_server(settings: Any) -> str:
    """The Prefect API in use; schedules need a lasting server, not a temporary API."""
    import os

    api_url = os.environ.get("PREFECT_API_URL")
    if not api_url:
        _fail(
            f"no Prefect server is running for {settings.state_dir}:"
            " start one with `matcher server start`"
        )
    return api_url


@schedule_app.command("list")
def schedule_list(config: ConfigOption = None) -> None:
    """List the schedules: when they run, paused or not, what serves them, the last run."""
    settings = _prepare(config)
    api_url = _require_server(settings)
    from matcher.orchestration.schedules import list_schedules

    found = list_schedules(settings.state_dir)
    if not found:
        typer.echo(f"no schedules on {api_url}")
    for info in found:
        served = f"served by pid {info.serving_pid}" if info.serving_pid else "not served"
        typer.echo(
            f"{info.name}: {', '.join(info.schedules) or 'no schedule'};"
            f" {'paused' if info.paused else 'active'}; {served}"
        )
        typer.echo(f"  out: {info.parameters.get('out_dir', '?')}")
        if info.last_run is not None:
            run = info.last_run
            ended = f"ended {run.end:%Y-%m-%d %H:%M:%S %Z}" if run.end else "not ended"
            typer.echo(f"  last run: {run.name} {run.state} ({ended})")
        if info.next_run is not None:
            expected = info.next_run.expected_start
            typer.echo(
                f"  next run: {expected:%Y-%m-%d %H:%M:%S %Z}" if expected else "  next run: -"
            )


def _schedule_action(name: str, config: Path | None, action: str) -> None:
    settings = _prepare(config)
    _require_server(settings)
    from matcher.orchestration.schedules import (
        ScheduleError,
        check_name,
        delete_schedule,
        serving_pid,
        set_paused,
    )

    try:
        check_name(name)
        if action == "delete":
            pid = delete_schedule(name, settings.state_dir)
            stopped = f"; its serving process {pid} stopped" if pid else ""
            typer.echo(f"schedule {name} deleted{stopped}")
            return
        set_paused(name, paused=action == "pause")
    except ScheduleError as error:
        _fail(str(error))
    typer.echo(f"schedule {name} {action}d")
    if action == "resume" and serving_pid(settings.state_dir, name) is None:
        typer.echo(
            f"note: no process serves {name}; its runs wait until `matcher schedule` serves it"
        )


@schedule_app.command("pause")
def schedule_pause(name: NameArgument, config: ConfigOption = None) -> None:
    """Pause a schedule: no new runs until it is resumed."""
    _schedule_action(name, config, "pause")


@schedule_app.command("resume")
def schedule_resume(name: NameArgument, config: ConfigOption = None) -> None:
    """Resume a paused schedule."""
    _schedule_action(name, config, "resume")


@schedule_app.command("delete")
def schedule_delete(name: NameArgument, config: ConfigOption = None) -> None:
    """Stop the process serving a schedule and delete the schedule (its run history stays)."""
    _schedule_action(name, config, "delete")


if __name__ == "__main__":
    app()
