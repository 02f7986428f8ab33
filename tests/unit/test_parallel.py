"""in_processes: per-record work in forked worker processes, or left to the caller."""

from __future__ import annotations

import logging
import multiprocessing
import os
from typing import Any

import pytest

from matcher.parallel import (
    MIN_ITEMS,
    available_cores,
    beside,
    in_processes,
    use_processes,
    worker_count,
)


def _square(number: int) -> int:
    if number == 13:
        raise ValueError("unlucky")
    return number * number


def test_workers_compute_every_item_but_the_ones_that_raise() -> None:
    items = list(range(200))
    with use_processes(2):
        done = in_processes(_square, items)
    assert done == {n: n * n for n in items if n != 13}


def test_the_work_runs_in_other_processes_forked_from_this_one() -> None:
    parent = os.getpid()
    with use_processes(2):
        done = in_processes(lambda _: (os.getpid(), os.getppid()), list(range(100)))
    pids = {pid for pid, _ in done.values()}
    assert len(done) == 100 and parent not in pids and 1 <= len(pids) <= 2
    assert {ppid for _, ppid in done.values()} == {parent}


def test_no_workers_unless_the_caller_allows_more_than_one_and_the_items_are_many() -> None:
    many = list(range(200))
    assert in_processes(_square, many) == {}  # a library call: its own process only
    with use_processes(1):
        assert in_processes(_square, many) == {}
    with use_processes(2):
        assert in_processes(_square, list(range(MIN_ITEMS - 1))) == {}
        assert len(in_processes(_square, list(range(MIN_ITEMS)))) == MIN_ITEMS - 1  # not 13
    assert in_processes(_square, many) == {}  # the permission ends with its block


def _in_a_daemon(queue: Any) -> None:
    with use_processes(2):
        queue.put(len(in_processes(_square, list(range(200)))))


def test_a_daemonic_process_such_as_a_dask_worker_uses_no_workers() -> None:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_in_a_daemon, args=(queue,), daemon=True)
    process.start()
    assert queue.get(timeout=60) == 0
    process.join(timeout=60)


def test_a_worker_that_dies_leaves_the_work_to_the_caller(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def dies_on_70(number: int) -> int:
        if number == 70:
            os._exit(3)  # as a worker killed by the kernel
        return number

    with use_processes(2), caplog.at_level(logging.WARNING, logger="matcher.parallel"):
        assert in_processes(dies_on_70, list(range(100))) == {}
    assert "worker processes failed (BrokenProcessPool" in caplog.text
    assert "the work is done in this process" in caplog.text


def test_a_result_that_cannot_be_pickled_leaves_the_work_to_the_caller(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with use_processes(2), caplog.at_level(logging.WARNING, logger="matcher.parallel"):
        assert in_processes(lambda n: lambda: n, list(range(100))) == {}
    assert "worker processes failed" in caplog.text


def test_the_processes_setting() -> None:
    assert worker_count(3) == 3
    assert worker_count(0) == available_cores() >= 1
    with pytest.raises(ValueError, match="processes must be 0"):
        worker_count(-1)
    with use_processes(0) as count:
        assert count == available_cores()


def _handlers(_: int) -> tuple[object, object]:
    import signal

    return signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)


def test_a_worker_leaves_ctrl_c_and_sigterm_to_its_parent() -> None:
    """A worker does not run the run's own stop handlers: Ctrl-C reaches the parent, which
    ends the pool, and SIGTERM ends the worker at once."""
    import signal

    with use_processes(2):
        done = in_processes(_handlers, list(range(100)))
    assert set(done.values()) == {(signal.SIG_IGN, signal.SIG_DFL)}


def _nested(number: int) -> int:
    return len(in_processes(_square, list(range(100))))


def test_a_worker_forks_no_workers_of_its_own() -> None:
    with use_processes(2):
        done = in_processes(_nested, list(range(100)))
    assert set(done.values()) == {0}


def test_a_job_asked_for_while_another_runs_is_left_to_its_caller() -> None:
    """Two threads of one process: the second job does not wait for the first's workers."""
    import threading

    started, release = threading.Event(), threading.Event()
    second: dict[int, int] = {}

    def slow(number: int) -> int:
        return number

    def run_second() -> None:
        started.wait(timeout=30)
        with use_processes(2):
            second.update(in_processes(_square, list(range(100))) or {-1: -1})
        release.set()

    thread = threading.Thread(target=run_second)
    thread.start()
    with use_processes(2):
        import matcher.parallel as parallel

        with parallel._JOB_LOCK:  # as a job of another thread holds it
            started.set()
            assert release.wait(timeout=30)
    thread.join(timeout=30)
    assert second == {-1: -1}  # nothing done on workers: the caller does it all
    with use_processes(2):
        assert len(in_processes(slow, list(range(100)))) == 100  # free again


def test_beside_runs_the_other_half_in_a_forked_worker_while_this_process_runs_its_own() -> None:
    parent = os.getpid()
    with use_processes(2):
        mine, theirs = beside(lambda: os.getpid(), lambda: (os.getpid(), os.getppid()))
    assert mine == parent
    assert theirs[0] != parent and theirs[1] == parent


def test_beside_does_both_halves_here_without_workers() -> None:
    parent = os.getpid()
    assert beside(os.getpid, os.getpid) == (parent, parent)  # a library call
    with use_processes(1):
        assert beside(os.getpid, os.getpid) == (parent, parent)


def test_beside_does_both_halves_here_while_another_job_runs() -> None:
    import matcher.parallel as parallel

    parent = os.getpid()
    with use_processes(2), parallel._JOB_LOCK:  # as a job of another thread holds it
        assert beside(os.getpid, os.getpid) == (parent, parent)
    with use_processes(2):
        assert beside(os.getpid, os.getpid)[1] != parent  # free again: a worker's pid


def test_beside_raises_the_other_half_s_error_here_where_it_would_have_been() -> None:
    calls: list[int] = []

    def other() -> int:
        calls.append(os.getpid())
        raise ValueError("unlucky")

    with use_processes(2), pytest.raises(ValueError, match="unlucky"):
        beside(lambda: 1, other)
    # The worker's call raised there (it did not append here); the call here raised again.
    assert calls == [os.getpid()]


def test_beside_does_the_other_half_here_when_its_result_cannot_be_sent_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with use_processes(2), caplog.at_level(logging.WARNING, logger="matcher.parallel"):
        mine, theirs = beside(lambda: 1, lambda: lambda: os.getpid())
    assert mine == 1 and theirs() == os.getpid()  # made here: a lambda cannot be pickled
    assert "a worker process failed" in caplog.text
