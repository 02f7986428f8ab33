"""An output folder that holds exactly one run's files, all of them or none.

A run writes into a staging folder beside ``OUT`` and, once everything is written, the staging
folder takes the place of ``OUT`` whole (two renames on one file system). So ``OUT`` never
holds a half-written run, files of an earlier run (the shortlist of a posting that is gone) or
the temporary files of a killed one. If the run fails, or is stopped by Ctrl-C or SIGTERM, the
staging folder is removed and ``OUT`` keeps the previous run. What a ``kill -9`` leaves (a
staging folder, or the previous ``OUT`` set aside mid-swap) is cleared, or put back, by the
next run.

Replacing ``OUT`` deletes it, so a folder holding anything but a run's outputs is refused.
Callers hold the folder's lock (:func:`matcher.io.locking.hold_locks`) throughout.

Example:
    >>> with staged_folder(Path("out/demo"), OUTPUT_NAMES) as staging:  # doctest: +SKIP
    ...     write_everything(staging)
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

from matcher.io.atomic import TEMPORARY_NAME


class OutputFolderError(ValueError):
    """The output folder holds files that are not a run's outputs, so it is not replaced."""


def _siblings(out_dir: Path, kind: str) -> list[Path]:
    return sorted(out_dir.parent.glob(f".{out_dir.name}.{kind}-*"))


def recover(out_dir: Path) -> list[Path]:
    """Clear what an interrupted run left beside ``out_dir``; returns the paths removed.

    A staging folder is deleted. ``OUT`` set aside by a swap that did not finish is put back
    when ``OUT`` is missing, and deleted otherwise.
    """
    removed = _siblings(out_dir, "staging")
    previous = _siblings(out_dir, "previous")
    if previous and not out_dir.exists():
        previous.pop().rename(out_dir)
    removed += previous
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


def check_replaceable(out_dir: Path, names: Collection[str]) -> None:
    """Refuse an ``out_dir`` that holds anything but ``names`` and temporary files.

    Raises:
        OutputFolderError: Naming the entries that are not a run's outputs, or saying that
            ``out_dir`` is not a folder.
    """
    if not out_dir.exists():
        return
    if not out_dir.is_dir() or out_dir.is_symlink():
        raise OutputFolderError(f"--out {out_dir} is not a folder")
    foreign = sorted(
        entry.name
        for entry in out_dir.iterdir()
        if entry.name not in names and not TEMPORARY_NAME.fullmatch(entry.name)
    )
    if foreign:
        shown = ", ".join(foreign[:5]) + (
            f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        )
        raise OutputFolderError(
            f"--out {out_dir} holds files that are not matcher outputs ({shown});"
            " a run replaces its output folder whole, so choose an empty or new folder"
        )


@contextmanager
def staged_folder(out_dir: Path, names: Collection[str]) -> Iterator[Path]:
    """A new, empty folder to write a run into; it replaces ``out_dir`` when the block succeeds.

    Args:
        out_dir: The output folder (it need not exist).
        names: The entries a run writes (``shortlists.csv``, ``shortlists``, ...); an existing
            ``out_dir`` may hold only these and temporary files.

    Raises:
        OutputFolderError: If ``out_dir`` holds other files (checked before and after the block).
    """
    out_dir = Path(os.path.abspath(out_dir))  # "." has no name to put a sibling beside
    if Path.cwd().is_relative_to(out_dir):
        raise OutputFolderError(
            f"--out {out_dir} is the current folder or holds it; a run replaces its output"
            " folder whole, so choose a folder below it"
        )
    recover(out_dir)
    check_replaceable(out_dir, names)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tag = f"{os.getpid()}-{secrets.token_hex(4)}"
    staging = out_dir.parent / f".{out_dir.name}.staging-{tag}"
    staging.mkdir()  # plain mkdir: the umask decides its mode, as for any folder
    try:
        yield staging
        check_replaceable(out_dir, {*names, *(entry.name for entry in staging.iterdir())})
        _swap(staging, out_dir, out_dir.parent / f".{out_dir.name}.previous-{tag}")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap(staging: Path, out_dir: Path, previous: Path) -> None:
    """Put ``staging`` in the place of ``out_dir``; the old ``out_dir`` is deleted."""
    moved = False
    try:
        if out_dir.exists():
            out_dir.rename(previous)
            moved = True
        staging.rename(out_dir)
    except BaseException:
        if moved and not out_dir.exists():
            previous.rename(out_dir)
        raise
    shutil.rmtree(previous, ignore_errors=True)
