"""Atomic file writes: a reader sees the old file or the new one, never half of one.

The temporary file is created beside the target (so the final rename stays on one file system)
with the usual permissions: ``0o666`` less the process umask, as ``open()`` would give, not the
``0o600`` of :mod:`tempfile`. Its name, ``.<target name>.<8 hex digits>.tmp``, is recognised by
:func:`remove_orphaned_temporaries`, which clears what a killed process (``kill -9``) left.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

#: Temporary files of :func:`atomic_open`: a dot, (part of) the target's name, a random tag.
TEMPORARY_NAME = re.compile(r"\..+\.[0-9a-f]{8}\.tmp")
# A file name may have 255 bytes; the dot, the tag and ".tmp" take 14, so long names are cut.
_NAME_BYTES = 200


def create_temporary(folder: Path, name: str, mode: int = 0o666) -> tuple[int, Path]:
    """Create and open (for writing) a new temporary file for ``name`` in ``folder``, named as
    :func:`remove_orphaned_temporaries` recognises; its mode is ``mode`` less the umask."""
    stem = name.encode()[:_NAME_BYTES].decode(errors="ignore")
    while True:
        path = folder / f".{stem}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), path
        except FileExistsError:  # pragma: no cover - a 32-bit tag collided
            continue


@contextmanager
def atomic_open(path: Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` and move it into place only on success.

    Example:
        >>> with atomic_open(Path("out.csv")) as handle:  # doctest: +SKIP
        ...     handle.write("a,b\\n")
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    binary = "b" in mode
    fd, tmp = create_temporary(path.parent, path.name)
    try:
        with os.fdopen(
            fd, mode, encoding=None if binary else encoding, newline=None if binary else ""
        ) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically and return the path."""
    with atomic_open(path, "w") as handle:
        handle.write(text)
    return Path(path)


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    with atomic_open(path, "wb") as handle:
        handle.write(data)
    return Path(path)


def remove_orphaned_temporaries(folder: Path) -> list[Path]:
    """Delete the temporary files that interrupted writes left in ``folder`` (not below it).

    Only safe while no other process writes into ``folder``: call it under the folder's lock
    (:func:`matcher.io.locking.hold_locks`).

    Returns:
        The files removed.

    Example:
        >>> remove_orphaned_temporaries(Path("models/index"))  # doctest: +SKIP
        [PosixPath('models/index/.index.faiss.3f9a01c2.tmp')]
    """
    if not folder.is_dir():
        return []
    removed = []
    for path in sorted(folder.iterdir()):
        if TEMPORARY_NAME.fullmatch(path.name) and path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
