"""Folder locks between real processes: a second run waits, gives up clearly, never deadlocks."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from matcher.io.locking import BusyError, UnwritableError, hold_locks, lock_file

# Holds the locks of its arguments, says so, and keeps them until its stdin closes.
HOLDER = (
    "import sys; from pathlib import Path; from matcher.io.locking import hold_locks\n"
    "with hold_locks([Path(p) for p in sys.argv[1:]], timeout=30):\n"
    "    print('held', flush=True); sys.stdin.read()\n"
)


@pytest.fixture()
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the lock of ``tmp_path / "out"``."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / "out")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert process.stdout is not None and process.stdout.readline() == "held\n"
    yield process
    process.kill()
    process.wait()


def test_a_folder_held_by_another_process_is_refused_with_its_name(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    told: list[str] = []
    busy = r"out is in use by another matcher run.*gave up after 0"
    with pytest.raises(BusyError, match=busy), hold_locks([tmp_path / "out"], 0, told.append):
        pass
    assert told == []  # no time to wait, so no waiting message
    both = [tmp_path / "index", tmp_path / "out"]
    with pytest.raises(BusyError, match=r"gave up after 0.2 s"), hold_locks(both, 0.2, told.append):
        pass
    assert len(told) == 1 and "waiting" in told[0] and str(tmp_path / "out") in told[0]
    # The folder that was free is free again: nothing is kept when the run gives up.
    with hold_locks([tmp_path / "index"], timeout=0):
        pass


def test_the_lock_is_had_once_the_holder_is_done_or_killed(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    holder.kill()  # as kill -9: the kernel releases the lock with the process
    holder.wait()
    with hold_locks([tmp_path / "out", tmp_path / "out" / ".." / "out"], timeout=30):
        assert lock_file(tmp_path / "out").is_file()
    assert not (tmp_path / "out").exists()  # locking a folder does not create it


def test_a_folder_that_cannot_be_written_is_named_at_once_not_waited_for(tmp_path: Path) -> None:
    """A lock that cannot be made (a file where the folder should be, a read-only file
    system) is not another run's: the error says why at once, where it waited out the timeout
    saying the folder was "in use by another matcher run"."""
    (tmp_path / "a-file").write_text("x")
    unwritable = [
        (tmp_path / "a-file" / "out", "a-file is a file, not a folder"),
        (Path("/proc/matcher-out"), "cannot write /proc/matcher-out"),
    ]
    for path, message in unwritable:
        with pytest.raises(UnwritableError, match=message), hold_locks([path], timeout=3600):
            pass
    assert issubclass(UnwritableError, BusyError)  # every command reports it in one line
