"""A command's process ends without the interpreter's last garbage collection."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# An atexit handler registered before the command runs after the command's own (LIFO): it sees
# whether the collector was frozen by then, and that the command's output came out whole.
SCRIPT = """
import atexit, gc, sys
atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 0))
from matcher.cli import app
sys.argv = ["matcher", *sys.argv[1:]]
app(prog_name="matcher")
"""


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
        "MATCHER_STATE_DIR": str(tmp_path / "state"),
    }
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_command_freezes_the_collector_after_its_exit_handlers(tmp_path: Path) -> None:
    done = _run(tmp_path, "server", "status")

    assert done.returncode == 3  # no server: the command ran to its end
    assert "not running" in done.stdout
    assert done.stdout.rstrip().endswith("frozen at exit: True")


def test_without_a_command_the_collector_is_left_as_it_is(tmp_path: Path) -> None:
    done = _run(tmp_path, "--version")  # answered before the callback that registers it

    assert "matcher" in done.stdout
    assert done.stdout.rstrip().endswith("frozen at exit: False")
