"""Locks that serialise the runs sharing a folder or a file (an output folder, the index, a store).

A run holds the lock of every folder it writes for as long as it runs, so a second run that
shares one waits (saying so) or, past its timeout, fails with a message that names the folder.
The lock of ``PATH`` is the file ``.PATH-NAME.lock`` beside it (`filelock
<https://py-filelock.readthedocs.io>`_: an OS lock, released by the kernel when a process dies,
so a killed run never leaves a folder locked). Locks are always taken in the order of their
resolved paths, so two runs that share several folders cannot deadlock.

Example:
    >>> with hold_locks([Path("out/demo"), Path("models/index")], timeout=60):  # doctest: +SKIP
    ...     ...  # only this run writes into out/demo and models/index here
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from filelock import FileLock, Timeout


class BusyError(RuntimeError):
    """Another run held a lock for longer than this run would wait."""


class UnwritableError(BusyError):
    """A lock could not be had because its folder cannot be written (a file where a folder
    should be, no permission, a read-only file system): no other run holds it."""


def lock_file(path: Path) -> Path:
    """The lock file of a folder or file: ``.<name>.lock`` beside it.

    Example:
        >>> lock_file(Path("out/demo"))
        PosixPath('out/.demo.lock')
    """
    return path.parent / f".{path.name}.lock"


@contextmanager
def hold_locks(
    paths: Iterable[Path], timeout: float, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the locks of ``paths`` (folders or files, which need not exist yet) until exit.

    Args:
        paths: What the caller is about to write. Duplicates and aliases of one path count once.
        timeout: Seconds to wait for all the locks together; 0 fails at once when one is held.
        on_wait: Told (one line) when a lock is held by another run, before waiting for it.

    Raises:
        BusyError: If the locks could not all be had within ``timeout`` seconds.
        UnwritableError: If a lock's folder cannot be made or written (not another run).
    """
    deadline = time.monotonic() + timeout
    with ExitStack() as held:
        for path in sorted({Path(p).resolve() for p in paths}):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                check_writable(path)  # raises, saying why (a file where a folder should be)
            lock = FileLock(lock_file(path))
            try:
                lock.acquire(timeout=0)
            except Timeout:
                # A lock file that cannot be made is no other run's: say so, not wait.
                check_writable(path)
                left = max(0.0, deadline - time.monotonic())
                if on_wait is not None and left > 0:
                    on_wait(f"{path} is in use by another matcher run; waiting up to {left:.0f} s")
                try:
                    lock.acquire(timeout=left)
                except Timeout:
                    raise BusyError(
                        f"{path} is in use by another matcher run (lock {lock_file(path)});"
                        f" gave up after {timeout:g} s (setting runs.lock_timeout_seconds)"
                    ) from None
            held.callback(lock.release)
        yield


def check_writable(path: Path) -> None:
    """Make ``path``'s folder and check that a file can be made in it, as its lock file must
    be (filelock would otherwise try to make it until its timeout, as if another run held the
    lock). The probe file has a name of its own and is removed at once. :func:`hold_locks`
    probes only a lock it could not have at once; the commands probe ``--out`` before work.

    Raises:
        UnwritableError: Naming ``path`` and the reason, e.g. a file where a folder should be.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=".matcher-probe-", dir=path.parent)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        above = next((p for p in path.parents if p.exists()), None)
        reason = (
            f"{above} is a file, not a folder"
            if above is not None and not above.is_dir()
            else error.strerror or type(error).__name__
        )
        raise UnwritableError(f"cannot write {path}: {reason}") from None
