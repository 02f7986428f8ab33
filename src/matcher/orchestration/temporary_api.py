"""Prefect's temporary API, started by a command as soon as it knows it will run a flow.

Without a Prefect server (no ``PREFECT_API_URL``, no ``matcher server start``), Prefect starts a
temporary API server the first time a flow needs it, and waits for it: 11-17 s of a
``matcher score`` of the sample (profiled at a load of 6 on 2 cores), during which the command
did nothing, plus 3-7 s importing the server's modules into the command's own process only to
start it. :func:`start_temporary_api` starts the same server, in its own process, right after
the command's checks, so it boots while the command imports pandas, scikit-learn and Prefect;
the command points Prefect at it (``PREFECT_API_URL``) and stops it when it ends, as Prefect
stops its own. The server is Prefect's: the same application, options and environment as
``prefect.server.api.server.SubprocessASGIServer`` uses (the UI off, marked ephemeral), found
without importing Prefect.

Call it before Prefect is imported: Prefect reads ``PREFECT_API_URL`` when it is imported.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import importlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from matcher.orchestration.server import api_answers

#: What ``SubprocessASGIServer`` sets for its server: no UI, an ephemeral, final application.
SERVER_VARIABLES = {
    "PREFECT_UI_ENABLED": "0",
    "PREFECT__SERVER_EPHEMERAL": "1",
    "PREFECT__SERVER_FINAL": "1",
}
#: uvicorn's exit status when its port was taken meanwhile: start again on another.
_PORT_TAKEN = 3
_STOP_TIMEOUT = 5.0


class TemporaryAPIError(RuntimeError):
    """The temporary API did not start; the message says why."""


class TemporaryAPI:
    """A Prefect API server of this command's own, in a child process.

    Args:
        timeout: Seconds :meth:`wait` gives it to answer
            (``PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS``, as Prefect's own).
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.port = _free_port()
        self.process = _spawn(self.port)
        atexit.register(self.stop)

    @property
    def api_url(self) -> str:
        """The URL Prefect talks to: ``http://127.0.0.1:<port>/api``."""
        return f"http://127.0.0.1:{self.port}/api"

    def wait(self, meanwhile: Iterable[Callable[[], object]] = ()) -> None:
        """Return once the server answers its health check.

        Args:
            meanwhile: Steps of work the command does later anyway (such as
                :func:`first_use_imports`), done one at a time while the server boots instead
                of sleeping; those left when it answers are not done here.

        Raises:
            TemporaryAPIError: If its process ended or it did not answer within the timeout.
        """
        deadline = time.monotonic() + self.timeout
        steps = iter(meanwhile)
        while not api_answers(self.api_url, timeout=1.0):
            status = self.process.poll()
            if status == _PORT_TAKEN:  # another program took the port since it was free
                self.port = _free_port()
                self.process = _spawn(self.port)
            elif status is not None:
                raise TemporaryAPIError(
                    f"Prefect's temporary API server exited with status {status} before it"
                    " answered (its messages are above); `matcher server start` runs a"
                    " lasting one"
                )
            elif time.monotonic() > deadline:
                self.stop()
                raise TemporaryAPIError(
                    f"Prefect's temporary API server did not answer within {self.timeout:g} s"
                    " (PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS); the machine may be"
                    " busy, or `matcher server start` runs a lasting one"
                )
            step = next(steps, None)
            if step is None:
                time.sleep(0.1)
            else:
                step()

    def stop(self) -> None:
        """Stop the server (at the latest when the command exits); a second call does nothing."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_temporary_api() -> TemporaryAPI | None:
    """Start Prefect's temporary API now and point Prefect at it, if this command needs one.

    Returns:
        The server (call :meth:`TemporaryAPI.wait` before the flow), or None when Prefect has
        an API already (``PREFECT_API_URL``: the user's, or the project's server found by
        :func:`matcher.runtime.configure_runtime`), or Prefect is imported already (it read
        its settings then: a test or a notebook).
    """
    if os.environ.get("PREFECT_API_URL") or "prefect" in sys.modules:
        return None
    timeout = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "20"))
    api = TemporaryAPI(timeout)
    os.environ["PREFECT_API_URL"] = api.api_url
    return api


@contextlib.contextmanager
def flows_on(
    api: TemporaryAPI | None, meanwhile: Iterable[Callable[[], object]] = ()
) -> Iterator[None]:
    """Wait for the command's temporary API (:meth:`TemporaryAPI.wait`, doing ``meanwhile``),
    then run the block's flows on it without flow run heartbeats. With no temporary API
    (``api`` None: the user's server, a test's or a notebook's), the block runs as it is.

    A flow run's heartbeats tell a lasting server that the run is alive, so that it can mark a
    crashed run; the temporary API ends with the command and nothing reads them. Prefect's
    heartbeat thread sleeps in one-second steps and every flow run waits for it to wake at
    its end: 0-1 s, half a second on average, of every one-off command.
    """
    if api is None:
        yield
        return
    api.wait(meanwhile=meanwhile)
    from matcher.orchestration.flows import without_heartbeats

    with without_heartbeats():
        yield


def first_use_imports(modules: Iterable[str]) -> list[Callable[[], object]]:
    """Steps for :meth:`TemporaryAPI.wait` that import ``modules``, which the command's flow
    imports on first use (slow imports kept off the paths that do not need them).

    A module that fails to import is left alone: Python keeps no failed module, so the flow's
    own import of it raises the same error where it would have without this.
    """
    return [functools.partial(_import_if_importable, name) for name in modules]


def _import_if_importable(name: str) -> None:
    # An error is raised again, in its place, by the flow's own import.
    with contextlib.suppress(Exception):
        importlib.import_module(name)


def _free_port() -> int:
    """A TCP port of 127.0.0.1 that is free now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _spawn(port: int) -> subprocess.Popen[bytes]:
    """Prefect's API application under uvicorn on ``port``, as ``SubprocessASGIServer`` runs it.

    The server starts with Ctrl-C ignored. A terminal sends Ctrl-C to the whole process group,
    and a server still importing its modules died of it with a 60-line traceback under the
    command's own one-line "stopped" message; the command stops its server itself
    (:meth:`TemporaryAPI.stop`, at exit). Once serving, uvicorn handles Ctrl-C as before: it
    shuts down quietly.
    """
    spec = importlib.util.find_spec("prefect")
    if spec is None or spec.origin is None:
        raise TemporaryAPIError("Prefect is not installed")
    package_parent = Path(spec.origin).parent.parent
    command = [sys.executable, "-m", "uvicorn", "--app-dir", str(package_parent)]
    command += ["--factory", "prefect.server.api.server:create_app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "error"]
    command += ["--lifespan", "on"]
    with _ctrl_c_ignored_by_children():
        return subprocess.Popen(command, env={**os.environ, **SERVER_VARIABLES})


@contextlib.contextmanager
def _ctrl_c_ignored_by_children() -> Iterator[None]:
    """Ignore SIGINT while the block starts processes, which keep it ignored (an ignored
    signal stays ignored across exec). Only the main thread may set a handler: elsewhere the
    block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
