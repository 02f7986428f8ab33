"""Environment defaults for running offline on this product's embedded services."""

from __future__ import annotations

import atexit
import gc
import logging
import os
import signal
from pathlib import Path
from types import FrameType

#: Set unless the user already set them: offline models, a patient ephemeral Prefect server,
#: no telemetry.
RUNTIME_DEFAULTS = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
}
#: Also set, unless the user set them, when there is no Prefect server of the user's (no
#: ``PREFECT_API_URL``) and each command starts a temporary one that lives as long as it does.
#: Nobody reads that server's logs (it has no UI), and once it has stopped (Ctrl-C in a
#: terminal, or a service manager's SIGTERM, reaches it too) five retries with exponential
#: back-off only delay the command's exit by a minute or more.
EPHEMERAL_SERVER_DEFAULTS = {
    "PREFECT_LOGGING_TO_API_ENABLED": "false",
    "PREFECT_CLIENT_MAX_RETRIES": "1",
}


class _WarningsAndUp(logging.Filter):
    """Drops records below WARNING. A filter, not a level: bm25s sets its logger to DEBUG
    when it is imported, which would undo a level set before."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


_WARNINGS_AND_UP = _WarningsAndUp()


class _NoCompletedTaskLines(logging.Filter):
    """Drops Prefect's "Finished in state Completed()" line of each task and flow: a run shows
    one progress display per stage and its summary instead. Failures still show."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.levelno <= logging.INFO
            and str(record.msg).startswith("Finished in state Completed")
        )


_NO_COMPLETED_TASK_LINES = _NoCompletedTaskLines()

#: How Prefect reports a task or flow that raised: the lines :class:`_NoExpectedFailures` drops.
_FAILURE_LINES = (
    "Task run failed with exception",
    "Finished in state Failed",
    "Encountered exception during execution",
)


class _NoExpectedFailures(logging.Filter):
    """Drops Prefect's report of a task or flow that failed with an error the command reports
    itself, in one ``error:`` line (:func:`expect_failures`): its tracebacks and "Finished in
    state Failed" lines came first, some 70 lines for one bad record."""

    def __init__(self) -> None:
        super().__init__()
        self.expected: tuple[type[BaseException], ...] = ()
        self.messages: set[str] = set()  # of the expected errors seen: later lines name them

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.expected:
            return True
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:
            if isinstance(error, self.expected):
                self.messages.add(str(error))
                return False
            return True
        message = record.getMessage()
        return not (
            message.startswith(_FAILURE_LINES)
            and any(seen and seen in message for seen in self.messages)
        )


_NO_EXPECTED_FAILURES = _NoExpectedFailures()


def expect_failures(*errors: type[BaseException]) -> None:
    """Leave out of the log Prefect's report of a task or flow that fails with one of
    ``errors``: the command reports them itself, in one line. Other failures still show."""
    _NO_EXPECTED_FAILURES.expected = errors


def _add_once(logger: logging.Logger, log_filter: logging.Filter) -> None:
    if log_filter not in logger.filters:
        logger.addFilter(log_filter)


def configure_logging(mode: str = "normal") -> None:
    """How much a command prints to stderr; call before importing Prefect.

    ``"normal"``: matcher's and Prefect's information lines and one progress display per stage
    (:mod:`matcher.progress`), no third-party debug lines, progress bars or "Finished in state
    Completed()" lines of each task. ``"quiet"``: warnings and errors only, no progress (the
    command's own summary on stdout stays). ``"verbose"``: matcher's debug lines too.

    Args:
        mode: ``"quiet"``, ``"normal"`` or ``"verbose"``.
    """
    noisy = [
        "bm25s",
        "urllib3",
        "httpx",
        "httpcore",
        "filelock",
        "numba",
        "faiss",
        "mlflow.store.db.utils",  # "Creating initial MLflow database tables..."
        "alembic",
        "distributed",
    ]
    package = logging.getLogger("matcher")
    # Progress is shown per stage (matcher.progress), not by a bar per call of a library:
    # read by huggingface_hub and transformers ("Loading weights") when they are imported.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if mode != "verbose":
        # Dask's cluster ("Retire worker addresses", "Closing Nanny at ..."): its own handler,
        # in this process and the workers', set from its config when it is imported.
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    if mode == "quiet":
        os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
        os.environ["TQDM_DISABLE"] = "1"  # tqdm (and so sentence-transformers) reads it
        os.environ["MLFLOW_LOGGING_LEVEL"] = "WARNING"
        package.setLevel(logging.WARNING)
    elif mode == "verbose":
        package.setLevel(logging.DEBUG)
        if not package.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
            package.addHandler(handler)
            package.propagate = False
    for name in noisy:
        _add_once(logging.getLogger(name), _WARNINGS_AND_UP)
    for name in ("prefect.task_runs", "prefect.flow_runs"):
        if mode != "verbose":
            _add_once(logging.getLogger(name), _NO_COMPLETED_TASK_LINES)
        _add_once(logging.getLogger(name), _NO_EXPECTED_FAILURES)


def configure_runtime(state_dir: Path | None = None) -> str | None:
    """Apply :data:`RUNTIME_DEFAULTS` and choose the Prefect API; call before importing Prefect.

    Without a Prefect API (neither the user's ``PREFECT_API_URL`` nor the project's server),
    :data:`EPHEMERAL_SERVER_DEFAULTS` apply too.

    Args:
        state_dir: The project's state folder (``settings.state_dir``). If the server started
            by ``matcher server start`` for it is running, ``PREFECT_API_URL`` is set to it, so
            flow runs are recorded there; otherwise Prefect starts a temporary API. A
            ``PREFECT_API_URL`` the user set is kept.

    Returns:
        The Prefect API URL in use, or None for Prefect's temporary API.
    """
    for key, value in RUNTIME_DEFAULTS.items():
        os.environ.setdefault(key, value)
    # bm25s logs every index build at DEBUG, which Prefect's handlers would print.
    _add_once(logging.getLogger("bm25s"), _WARNINGS_AND_UP)
    if "PREFECT_API_URL" not in os.environ and state_dir is not None:
        from matcher.orchestration.server import running_api_url

        url = running_api_url(state_dir)
        if url is not None:
            os.environ["PREFECT_API_URL"] = url
    if not os.environ.get("PREFECT_API_URL"):
        for key, value in EPHEMERAL_SERVER_DEFAULTS.items():
            os.environ.setdefault(key, value)
    return os.environ.get("PREFECT_API_URL") or None


_FREEZE_REGISTERED = False


def exit_without_final_collection() -> None:
    """Let this process end without the interpreter's last garbage collection; once per process.

    A process that imported pandas, scikit-learn, Prefect and MLflow spent seconds after its
    last line collecting the cycles of every module's objects (4.3 s against 0.4 s with this,
    measured at a load of 7 on 2 cores), although the process is ending and its memory goes
    back to the system anyway. :func:`gc.freeze`, called by the last
    ``atexit`` handler, moves every object out of the collector's reach first. Everything else
    still runs: ``atexit`` handlers (Prefect's server stop, logging's flush, temporary folders'
    removal), ``with`` blocks and ``finally`` clauses; files are written atomically and closed
    by their own ``with`` blocks, so no unflushed data depends on a collection.
    """
    global _FREEZE_REGISTERED
    if not _FREEZE_REGISTERED:
        # Registered early, so it runs after the handlers registered later (LIFO).
        atexit.register(gc.freeze)
        _FREEZE_REGISTERED = True


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C's ``KeyboardInterrupt`` so the same clean-up runs."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM stops the process at once
    raise Terminated(f"stopped by signal {signum}")


def stop_signal(error: BaseException) -> int | None:
    """The signal (SIGINT or SIGTERM) that stopped a run, if ``error`` is or follows from one.

    Prefect reports a stopped flow run to its API; when that fails (its temporary server was
    stopped by the same signal) the error raised is the API's, with the stop as its context.
    """
    from prefect.exceptions import TerminationSignal

    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, Terminated | TerminationSignal):
            return signal.SIGTERM
        if isinstance(seen, KeyboardInterrupt):
            return signal.SIGINT
        seen = seen.__cause__ or seen.__context__
    return None


def stop_on_sigterm() -> None:
    """Make SIGTERM unwind the program as Ctrl-C does; call from the main thread of a command.

    Python's default for SIGTERM ends the process on the spot: no ``finally`` block runs, the
    run's staging folder stays behind and Prefect's temporary API server outlives the run.
    Raised as :class:`Terminated`, it unwinds like ``KeyboardInterrupt``: the flow's clean-up
    runs, Prefect marks the flow run crashed, and the server is stopped at exit.
    """
    signal.signal(signal.SIGTERM, _terminate)
