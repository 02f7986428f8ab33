"""What every benchmark prints with its table: the machine, its load and the peak memory.

Benchmarks import it as a sibling module (``python benchmarks/bench_x.py`` puts this folder
first on ``sys.path``).
"""

from __future__ import annotations

import os
import platform
import resource
from datetime import UTC, datetime


def peak_rss_gb() -> float:
    """Peak resident memory of this process so far, in GB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


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
