"""The incremental state of batch scoring: one SQLite file in the project's state folder.

Runs that use the state store hold its lock (:func:`matcher.io.locking.hold_locks`) for their
whole run, so two runs against one state folder never interleave.
"""

from __future__ import annotations

from pathlib import Path

#: The state store's file name inside ``settings.state_dir``.
STATE_FILE = "state.db"


def state_store_path(state_dir: Path) -> Path:
    """The state store of the state folder ``state_dir``.

    Example:
        >>> state_store_path(Path(".matcher"))
        PosixPath('.matcher/state.db')
    """
    return Path(state_dir) / STATE_FILE
