"""Per-record work on the machine's other cores, in forked worker processes.

A run's cleaning and profiling are pure Python, one record at a time, and hold one core while
the others wait (the encoder, which uses them all, runs only later). :func:`in_processes`
hands such work to worker processes forked from the caller: they inherit its code and data
(the skill matcher, the records), so nothing but each item's position and result crosses a
pipe. It returns what the workers computed, by position, and nothing for an item whose call
raised: the caller does those, and every item when no workers were used, itself, as it always
did, so an error is raised, logged and turned into a reject exactly where it was before. The
results are the ones the caller would have computed (the functions are deterministic), so a run
with workers writes what a run without them writes.

Workers are used only where :func:`use_processes` asked for more than one (the batch flow does,
from the ``processes`` setting; a library call without it runs in its own process), for
:data:`MIN_ITEMS` items or more, and where forking is possible and safe: not on a platform
without ``fork``, and not in a daemonic process (a Dask worker, which is one of many already).
If the workers fail (one killed, a result that cannot be pickled), the caller does the work
itself, and a warning says so.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

#: Fewer items than this are done in the caller's process: forking the workers and taking
#: their results back (about 0.1 s) would cost more than a second core saves.
MIN_ITEMS = 64
#: The fewest items per task sent to a worker, so that a task's round trip (about 1 ms) is
#: nothing next to its work (a record is 2-5 ms). Larger jobs send each worker
#: :data:`TASKS_PER_WORKER` tasks, enough to share the work out evenly.
CHUNK = 32
TASKS_PER_WORKER = 8

_PROCESSES: ContextVar[int] = ContextVar("matcher_processes", default=1)
#: The job the workers of :func:`in_processes` and :func:`beside` inherit when forked.
_JOB: tuple[Callable[[Any], Any], Sequence[Any]] | None = None
_JOB_LOCK = threading.Lock()


def available_cores() -> int:
    """The CPUs this process may run on (its affinity, as a container or ``taskset`` sets it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(processes: int) -> int:
    """The processes a ``processes`` setting means: itself, or for 0 one per available core.

    Example:
        >>> worker_count(3)
        3
        >>> worker_count(0) == available_cores()
        True
    """
    if processes < 0:
        raise ValueError(f"processes must be 0 (one per core) or more, not {processes}")
    return processes or available_cores()


@contextmanager
def use_processes(processes: int) -> Iterator[int]:
    """Let :func:`in_processes` use up to this many processes (0: one per available core) in
    the code run inside, in this thread and the contexts copied from it (Prefect's tasks)."""
    count = worker_count(processes)
    token = _PROCESSES.set(count)
    try:
        yield count
    finally:
        _PROCESSES.reset(token)


def in_processes(function: Callable[[T], R], items: Sequence[T]) -> dict[int, R]:
    """``function`` of each of ``items`` in forked worker processes, where workers are allowed
    and pay (see the module's docstring); by position, without the items whose call raised.
    ``function`` and the items reach the workers by fork.

    An empty result means no worker was used: the caller computes every item itself.
    """
    allowed = _PROCESSES.get()
    workers = min(allowed, -(-len(items) // CHUNK))
    if allowed < 2 or workers < 2 or len(items) < MIN_ITEMS or not _can_fork():
        return {}
    with _forked_job(function, items) as ours:
        if not ours:
            return {}
        try:
            return _run_job(len(items), workers)
        except Exception as error:  # the workers failed, not the function: do it here
            logger.warning(
                "worker processes failed (%s: %s); the work is done in this process",
                type(error).__name__,
                error,
            )
            return {}


def beside(own: Callable[[], T], other: Callable[[], R]) -> tuple[T, R]:
    """``own()`` in this process while ``other()`` runs in one worker process forked from it,
    where workers are allowed (as for :func:`in_processes`); both results.

    For work that splits into two halves, each mostly reading what this process holds (the
    forked worker inherits it). Without a worker (one process allowed, no fork, another job
    running), or when the worker fails (its call raised, the worker was killed, its result
    cannot be pickled), ``other()`` runs here after ``own()``: an error is raised here, where
    it would have been without the worker.
    """
    if _PROCESSES.get() < 2 or not _can_fork():
        return own(), other()
    done: tuple[bool, Any] = (False, None)
    with _forked_job(_call, (other,)) as ours:
        if not ours:
            return own(), other()
        with _pool(1) as pool:
            task = pool.submit(_work, 0, 1)
            mine = own()
            try:
                [done] = task.result()
            except Exception as error:  # the worker failed, not the function
                logger.warning(
                    "a worker process failed (%s: %s); its share is done in this process",
                    type(error).__name__,
                    error,
                )
    ok, theirs = done
    return mine, theirs if ok else other()


@contextmanager
def _forked_job(function: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[bool]:
    """Make ``function`` of ``items`` the job that workers forked inside inherit (they read it
    from the module); False, and no job, while another thread's job runs: one job at a time,
    and a job asked for meanwhile is left to its caller rather than waiting."""
    global _JOB
    if not _JOB_LOCK.acquire(blocking=False):
        yield False
        return
    _JOB = (function, items)
    try:
        yield True
    finally:
        _JOB = None
        _JOB_LOCK.release()


def _pool(workers: int) -> ProcessPoolExecutor:
    """``workers`` processes forked from this one, each started by :func:`_worker_start`."""
    context = multiprocessing.get_context("fork")
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_start)


def _call(function: Callable[[], R]) -> R:
    return function()


def _can_fork() -> bool:
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
    )


def _run_job(n_items: int, workers: int) -> dict[int, Any]:
    step = max(CHUNK, -(-n_items // (workers * TASKS_PER_WORKER)))
    done: dict[int, Any] = {}
    with _pool(workers) as pool:
        tasks = [
            (start, pool.submit(_work, start, start + step)) for start in range(0, n_items, step)
        ]
        for start, task in tasks:
            for offset, (ok, value) in enumerate(task.result()):
                if ok:
                    done[start + offset] = value
    return done


def _worker_start() -> None:
    """A worker leaves Ctrl-C and SIGTERM to its parent: it must not run the handlers it
    inherited (the run's clean stop), and the parent ends the pool when it stops. It forks
    no workers of its own (it inherited the parent's permission with the fork). It writes
    (a library's warning, say) through standard streams of its own: a lock of the parent's
    could have been held by another of its threads when the worker was forked."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _PROCESSES.set(1)  # a worker's own work forks no workers of its own
    sys.stdout = open(1, "w", 1, "utf-8", "replace", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", 1, "utf-8", "replace", closefd=False)  # noqa: SIM115


def _work(start: int, stop: int) -> list[tuple[bool, Any]]:
    """In a worker: the inherited job's function of its items ``start:stop``; ``(False,
    None)`` for an item whose call raised (its caller calls it again, to raise where it did)."""
    if _JOB is None:  # not forked from in_processes
        raise RuntimeError("no job: this worker was not forked by in_processes or beside")
    function, items = _JOB
    results: list[tuple[bool, Any]] = []
    for item in items[start:stop]:
        try:
            results.append((True, function(item)))
        except Exception:
            results.append((False, None))
    return results
