"""Background processes with a pid file: start detached, ask whether alive, stop.

A pid file is JSON (``{"pid": 123, ...}``) written atomically, so a reader never sees half of
one. The standard library suffices; nothing here imports Prefect.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from matcher.io.atomic import atomic_write_text


def write_pid_file(path: Path, record: Mapping[str, Any]) -> Path:
    """Write ``record`` (which holds at least ``pid``) to ``path`` as JSON, atomically."""
    return atomic_write_text(path, json.dumps(dict(record), indent=2) + "\n")


def read_pid_file(path: Path) -> dict[str, Any] | None:
    """The record in a pid file, or None if there is none or it is unreadable."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("pid"), int):
        return None
    return record


def is_alive(pid: int) -> bool:
    """Whether process ``pid`` exists and has not exited (a zombie counts as exited)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: it exists
    stat = Path(f"/proc/{pid}/stat")
    try:
        # The state letter follows the command name in parentheses, which may hold spaces.
        return stat.read_text().rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def command_line(pid: int) -> str | None:
    """The command line of ``pid`` where the system shows it (Linux), else None."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def spawn_detached(
    command: Sequence[str], log_path: Path, env: Mapping[str, str], cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start ``command`` in a session of its own, its output appended to ``log_path``.

    The process outlives the caller and is not stopped by the caller's terminal closing.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
        )


def stop_process(pid: int, timeout: float = 30.0) -> bool:
    """Ask ``pid`` (and its process group, if it leads one) to stop; kill it after ``timeout``.

    Returns:
        True if the process was running and has now stopped, False if it was not running.
    """
    if not is_alive(pid):
        return False
    _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_alive(pid):
            return True
        time.sleep(0.2)
    _signal(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10.0
    while is_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return True


def _signal(pid: int, sig: signal.Signals) -> None:
    try:
        if os.getpgid(pid) == pid:  # a session leader started by spawn_detached: its children too
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        pass
