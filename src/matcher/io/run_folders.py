"""Run folders: each run writes into ``OUT/runs/<UTC time>/``; ``OUT/latest`` moves when it is done.

A recruiter who has ``OUT/latest/shortlists.csv`` open keeps reading the same file while the
next run writes a folder of its own. Only a completed run moves ``latest``, in one atomic
rename; a failed run leaves ``latest`` alone and says why in its own ``FAILED.txt``.

```
OUT/
  latest -> runs/20261201T060002Z     (a relative symlink)
  runs/
    20261130T060001Z/                 (the previous run, kept until pruned)
    20261201T060002Z/shortlists.csv, shortlists/, rejects.csv, ..., run_manifest.json
```

Example:
    >>> with run_folder(Path("out"), layout="runs", keep=14) as folder:  # doctest: +SKIP
    ...     write_everything(folder)
"""

from __future__ import annotations

import os
import re
import shutil
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from matcher.io.atomic import atomic_write_text

RUNS = "runs"
LATEST = "latest"
FAILED = "FAILED.txt"
#: ``20261201T060002Z``, with ``-2``, ``-3``... when two runs start in the same second.
_RUN_NAME = re.compile(r"^\d{8}T\d{6}Z(-\d+)?$")


def run_folders(out_dir: Path) -> list[Path]:
    """The run folders under ``out_dir/runs``, oldest first."""
    runs = Path(out_dir) / RUNS
    if not runs.is_dir():
        return []
    found = [p for p in runs.iterdir() if p.is_dir() and _RUN_NAME.match(p.name)]
    return sorted(found, key=_run_order)


def _run_order(path: Path) -> tuple[str, int]:
    stamp, _, seq = path.name.partition("-")
    return stamp, int(seq or 1)


def new_run_folder(out_dir: Path, now: datetime | None = None) -> Path:
    """Create ``out_dir/runs/<UTC time>/`` for a new run, sorting after every existing run.

    Runs started in the same second get ``-2``, ``-3``...; a name freed by pruning is not
    reused, since it would sort before the newer runs.
    """
    runs = Path(out_dir) / RUNS
    runs.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    same_second = [_run_order(p)[1] for p in run_folders(out_dir) if _run_order(p)[0] == stamp]
    seq = max(same_second, default=0) + 1
    while True:  # another process may take the name first
        folder = runs / (stamp if seq == 1 else f"{stamp}-{seq}")
        try:
            folder.mkdir()
        except FileExistsError:
            seq += 1
            continue
        return folder


def latest_run(out_dir: Path) -> Path | None:
    """The run folder ``out_dir/latest`` points to, or None before the first completed run."""
    link = Path(out_dir) / LATEST
    if not link.is_symlink():
        return None
    return (link.parent / os.readlink(link)).resolve()


def publish_latest(out_dir: Path, run_dir: Path) -> Path:
    """Point ``out_dir/latest`` at ``run_dir`` in one atomic rename; return the link.

    The new link is made under a temporary name and renamed over the old one, so a reader
    sees the previous run or this one, never no ``latest`` at all.

    Raises:
        IsADirectoryError: If ``out_dir/latest`` is a real folder, not a link (left alone).
    """
    out_dir = Path(out_dir)
    link = out_dir / LATEST
    _check_latest(link)
    target = Path(os.path.relpath(Path(run_dir).resolve(), out_dir.resolve()))
    temporary = out_dir / f".{LATEST}.{os.getpid()}.tmp"
    temporary.unlink(missing_ok=True)
    os.symlink(target, temporary, target_is_directory=True)
    try:
        os.replace(temporary, link)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return link


def _check_latest(link: Path) -> None:
    if link.exists() and not link.is_symlink():
        raise IsADirectoryError(
            f"{link} is not a link made by matcher; move it away to use the runs layout"
        )


def mark_failed(run_dir: Path, error: BaseException) -> Path:
    """Write ``run_dir/FAILED.txt``: what failed, and the traceback for whoever debugs it."""
    detail = "".join(traceback.format_exception(error))
    text = (
        f"This run failed: {type(error).__name__}: {error}\n"
        f"at {datetime.now(UTC).isoformat(timespec='seconds')}; 'latest' was left alone.\n\n"
        f"{detail}"
    )
    return atomic_write_text(Path(run_dir) / FAILED, text)


def prune_runs(out_dir: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest run folders, never the one ``latest`` points to.

    Returns:
        The folders deleted.
    """
    if keep < 1:
        raise ValueError(f"keep must be at least 1, not {keep}")
    folders = run_folders(out_dir)
    protected = latest_run(out_dir)
    deleted = []
    for folder in folders[: max(len(folders) - keep, 0)]:
        if protected is not None and folder.resolve() == protected:
            continue
        shutil.rmtree(folder)
        deleted.append(folder)
    return deleted


@contextmanager
def run_folder(out_dir: Path, layout: Literal["simple", "runs"], keep: int) -> Iterator[Path]:
    """The folder a run writes into, per the output layout.

    ``simple``: ``out_dir`` itself. ``runs``: a new ``out_dir/runs/<UTC time>/``; on success
    ``latest`` is switched to it; on failure it gets ``FAILED.txt`` and the error propagates.
    Either way, run folders beyond the ``keep`` newest are pruned.
    """
    if layout == "simple":
        yield Path(out_dir)
        return
    _check_latest(Path(out_dir) / LATEST)
    folder = new_run_folder(out_dir)
    try:
        yield folder
        publish_latest(out_dir, folder)
    except BaseException as error:
        mark_failed(folder, error)
        raise
    finally:
        prune_runs(out_dir, keep)
