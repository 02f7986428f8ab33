"""The run manifest: what went in, what came out, with which model and parameters, and how long."""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from typing import Any

from matcher import __version__
from matcher.io.atomic import atomic_write_text


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def path_sha256(path: Path) -> str:
    """SHA-256 of a file, or of a folder's files (relative names and contents, sorted; a file
    that cannot be read by its name and why, as the loader rejects it and the run goes on)."""
    if path.is_file():
        return file_sha256(path)
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        try:
            content = file_sha256(file)
        except OSError as error:  # the loader rejected it ("cannot read file"): still counted
            content = f"unreadable: {error.strerror or error}"
        digest.update(str(file.relative_to(path)).encode() + b"\0" + content.encode())
    return digest.hexdigest()


def describe_input(path: Path) -> dict[str, Any]:
    """Path, kind and content hash of an input file or folder."""
    return {
        "path": str(path),
        "kind": "folder" if path.is_dir() else "file",
        "sha256": path_sha256(path),
    }


def git_commit(cwd: Path | None = None) -> str | None:
    """The current git commit of ``cwd``, with ``-dirty`` when tracked files differ from it
    (the run's code is not that commit's), or None outside a repository."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    commit = out.stdout.strip()
    if not commit:
        return None
    try:
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return commit
    return f"{commit}-dirty" if changed else commit


class Timer:
    """Collects the wall time of named steps.

    Example:
        >>> timer = Timer()
        >>> with timer("load"):
        ...     pass
        >>> list(timer.seconds)
        ['load']
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, step: str) -> Iterator[None]:
        started = perf_counter()
        try:
            yield
        finally:
            self.seconds[step] = round(self.seconds.get(step, 0.0) + perf_counter() - started, 3)


def build_manifest(**sections: Any) -> dict[str, Any]:
    """A manifest dict: the given sections plus the matcher version, host and creation time."""
    return {
        "matcher_version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        **sections,
    }


def write_manifest(manifest: dict[str, Any], path: Path) -> Path:
    """Write the manifest as indented JSON, atomically."""
    return atomic_write_text(path, json.dumps(manifest, indent=2, default=str) + "\n")
