"""What every benchmark prints with its table: the machine, its load and the peak memory; and
the timer the benchmarks share.

Benchmarks import it as a sibling module (``python benchmarks/bench_x.py`` puts this folder
first on ``sys.path``).
"""

from __future__ import annotations

import os
import platform
import resource
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def peak_rss_gb() -> float:
    """Peak resident memory of this process so far, in GB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of one call of ``work`` (CPU: this process's, all its threads)."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def machine_line() -> str:
    """Date, CPU cores and the 1-minute load average: the context of every figure."""
    load = os.getloadavg()[0]
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores,"
        f" load average {load:.1f} at the end"
    )


def print_table(title: str, rows: list[tuple[str, str, str]]) -> None:
    """Print ``(measure, value, goal)`` rows under a title and the machine line."""
    print(f"\n{title}\n{machine_line()}\n")
    width = max(len(row[0]) for row in rows)
    print(f"| {'measure':{width}} | value | goal |")
    print(f"| {'-' * width} | --- | --- |")
    for measure, value, goal in rows:
        print(f"| {measure:{width}} | {value} | {goal} |")


def kept_prefect_home(folder: Path) -> Path:
    """A Prefect home in ``folder`` whose database exists, as a user's does after their first
    run: Prefect's temporary API started in it once (its migrations and block registrations,
    some 8 s of a start-up in a new home here), then stopped. Untimed."""
    import time

    from matcher.orchestration.temporary_api import TemporaryAPI

    home = folder / "prefect-home"
    home.mkdir(parents=True)
    before = os.environ.get("PREFECT_HOME")
    os.environ["PREFECT_HOME"] = str(home)  # the server's process inherits it
    try:
        timeout = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "240"))
        started = time.perf_counter()
        api = TemporaryAPI(timeout)
        api.wait()
        api.stop()
        print(f"Prefect home made (its database: {time.perf_counter() - started:.1f} s, untimed)")
    finally:
        if before is None:
            del os.environ["PREFECT_HOME"]
        else:
            os.environ["PREFECT_HOME"] = before
    return home


def markdown(table: pd.DataFrame) -> str:
    """A DataFrame as a Markdown table (pandas' own needs ``tabulate``, not installed here)."""
    head = "| " + " | ".join(map(str, table.columns)) + " |"
    rule = "|" + "---|" * len(table.columns)
    body = ["| " + " | ".join(map(str, row)) + " |" for row in table.itertuples(index=False)]
    return "\n".join([head, rule, *body])
