"""The project's Prefect server: ``prefect server start`` in the background, found by its pid file.

Everything lives under ``<state_dir>/prefect-server/``:

| path | what |
| --- | --- |
| `home/` | the server's ``PREFECT_HOME``: its SQLite database, so flow-run history survives |
| `server.pid` | JSON: pid, API and UI URLs, start time (gone once the server is stopped) |
| `server.log` | everything the server prints |

A matcher command finds a running server with :func:`running_api_url` and talks to it (see
:func:`matcher.runtime.configure_runtime`); without one, Prefect starts a temporary API.
Nothing here imports Prefect: the server runs in its own process.
"""

from __future__ import annotations

import os
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from matcher.orchestration.processes import (
    command_line,
    is_alive,
    read_pid_file,
    spawn_detached,
    stop_process,
    write_pid_file,
)

#: Variables set for the server process; the user's environment is kept otherwise.
SERVER_ENVIRONMENT = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}


class ServerError(RuntimeError):
    """The server cannot be started or stopped; the message says why and what to do."""


@dataclass(frozen=True)
class ServerPaths:
    """Where the server of one state folder keeps its files."""

    folder: Path

    @classmethod
    def of(cls, state_dir: Path) -> ServerPaths:
        """The paths for ``state_dir``."""
        return cls(Path(state_dir) / "prefect-server")

    @property
    def home(self) -> Path:
        """The server's ``PREFECT_HOME`` (its database)."""
        return self.folder / "home"

    @property
    def pid_file(self) -> Path:
        """JSON record of the running server."""
        return self.folder / "server.pid"

    @property
    def log(self) -> Path:
        """The server's output."""
        return self.folder / "server.log"


@dataclass(frozen=True)
class ServerStatus:
    """A server process found through its pid file."""

    pid: int
    api_url: str
    ui_url: str
    answering: bool
    paths: ServerPaths


def base_url(host: str, port: int) -> str:
    """``http://host:port`` (an IPv6 address in brackets)."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def api_answers(api_url: str, timeout: float = 2.0) -> bool:
    """Whether the Prefect API at ``api_url`` answers its health check."""
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def server_status(state_dir: Path) -> ServerStatus | None:
    """The server started for ``state_dir``, or None if none is running (a stale pid file too)."""
    paths = ServerPaths.of(state_dir)
    record = read_pid_file(paths.pid_file)
    if record is None or not _is_server(record["pid"]):
        return None
    api_url = str(record.get("api_url", ""))
    return ServerStatus(
        pid=record["pid"],
        api_url=api_url,
        ui_url=str(record.get("ui_url", "")),
        answering=api_answers(api_url),
        paths=paths,
    )


def running_api_url(state_dir: Path) -> str | None:
    """The API URL of the server of ``state_dir`` if it is running and answers, else None."""
    status = server_status(state_dir)
    return status.api_url if status is not None and status.answering else None


def start_server(state_dir: Path, host: str, port: int, timeout: float) -> ServerStatus:
    """Start ``prefect server start`` in the background and wait until its API answers.

    A server already running for ``state_dir`` is waited for and returned as it is.

    Args:
        state_dir: The project's state folder; the server's files go under it.
        host: Address to listen on.
        port: Port of the API and the UI.
        timeout: Seconds to wait for the API to answer.

    Returns:
        The running server.

    Raises:
        ServerError: If the port is taken by another program, or the server exits or does not
            answer in time (it is then stopped; its log says why).
    """
    paths = ServerPaths.of(state_dir)
    running = server_status(state_dir)
    if running is not None:
        return _wait_until_answering(running, None, timeout)
    _check_port_free(host, port)
    paths.home.mkdir(parents=True, exist_ok=True)
    url = base_url(host, port)
    command, env = _server_command(paths, host, port)
    process = spawn_detached(command, paths.log, env)
    _write_record(paths, process.pid, url)
    status = ServerStatus(process.pid, f"{url}/api", url, False, paths)
    try:
        return _wait_until_answering(status, process.poll, timeout)
    except ServerError:
        stop_process(process.pid)
        paths.pid_file.unlink(missing_ok=True)
        raise


def run_server_in_foreground(state_dir: Path, host: str, port: int) -> None:
    """Become the Prefect server (``exec``), for a service manager such as systemd.

    The pid file names this process, which keeps its pid; the output goes where this process's
    output goes (the journal, under systemd). Does not return.

    Raises:
        ServerError: If a server already runs for ``state_dir`` or the port is taken.
    """
    paths = ServerPaths.of(state_dir)
    running = server_status(state_dir)
    if running is not None:
        raise ServerError(f"a Prefect server already runs for {state_dir} (pid {running.pid})")
    _check_port_free(host, port)
    paths.home.mkdir(parents=True, exist_ok=True)
    command, env = _server_command(paths, host, port)
    _write_record(paths, os.getpid(), base_url(host, port))
    os.execve(sys.executable, command, env)


def stop_server(state_dir: Path, timeout: float = 30.0) -> ServerStatus | None:
    """Stop the server of ``state_dir``; returns what was stopped, None if nothing ran."""
    paths = ServerPaths.of(state_dir)
    running = server_status(state_dir)
    if running is not None:
        stop_process(running.pid, timeout)
    paths.pid_file.unlink(missing_ok=True)
    return running


def _server_command(paths: ServerPaths, host: str, port: int) -> tuple[list[str], dict[str, str]]:
    """The ``prefect server start`` command line and its environment (its own home)."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(SERVER_ENVIRONMENT, PREFECT_HOME=str(paths.home.resolve()))
    # The UI asks the server where its API is; without this it says port 4200 whatever the port.
    env["PREFECT_UI_API_URL"] = f"{base_url(host, port)}/api"
    command = [sys.executable, "-m", "prefect", "server", "start"]
    command += ["--host", host, "--port", str(port), "--analytics-off"]
    return command, env


def _write_record(paths: ServerPaths, pid: int, url: str) -> None:
    write_pid_file(
        paths.pid_file,
        {
            "pid": pid,
            "api_url": f"{url}/api",
            "ui_url": url,
            "home": str(paths.home.resolve()),
            "log": str(paths.log.resolve()),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    )


def _is_server(pid: int) -> bool:
    """Whether ``pid`` is alive and (where the system shows it) a Prefect server, not a reuse."""
    if not is_alive(pid):
        return False
    shown = command_line(pid)
    return shown is None or ("prefect" in shown and "server" in shown)


def _check_port_free(host: str, port: int) -> None:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except socket.gaierror as error:
        raise ServerError(f"server.host {host!r} is not an address: {error}") from error
    except OSError as error:
        raise ServerError(
            f"port {port} on {host} is in use by another program; choose another with"
            " MATCHER_SERVER__PORT or [server] port in the config file"
        ) from error


def _wait_until_answering(
    status: ServerStatus, exited: Callable[[], int | None] | None, timeout: float
) -> ServerStatus:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if api_answers(status.api_url):
            return ServerStatus(status.pid, status.api_url, status.ui_url, True, status.paths)
        if not is_alive(status.pid) or (exited is not None and exited() is not None):
            raise ServerError(f"the Prefect server exited while starting; see {status.paths.log}")
        time.sleep(0.5)
    raise ServerError(
        f"the Prefect server did not answer at {status.api_url} within {timeout:.0f} s;"
        f" see {status.paths.log} (raise server.startup_timeout on a slow machine)"
    )
