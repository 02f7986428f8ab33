"""MLflow runs logged by a detached process, after the command that made them has returned.

Importing MLflow and opening a SQLite store (its schema check) costs several seconds, more
than a whole unchanged rerun (:mod:`matcher.io.unchanged_rerun`) as a command. Such a run
leaves what MLflow should record in ``<state_dir>/mlflow-pending/<id>.json`` and starts
``python -m matcher.tracking.deferred FILE`` in the background, which logs it
(:func:`matcher.tracking.experiment_log.log_unchanged_run`) and removes the file; its output
goes to ``mlflow-pending/log.txt``. Each process logs every pending file it finds, so a run
whose process never started (the machine stopped) is logged by the next one; a file claimed
by a process that then failed stays as ``<id>.logging``, beside the log that says why.

This module imports nothing heavy until :func:`log_pending` runs.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

#: The folder of pending runs inside the state folder.
PENDING = "mlflow-pending"


def pending_folder(state_dir: Path) -> Path:
    """Where the pending runs of ``state_dir`` wait.

    Example:
        >>> pending_folder(Path(".matcher"))
        PosixPath('.matcher/mlflow-pending')
    """
    return Path(state_dir) / PENDING


def log_in_background(
    state_dir: Path,
    tracking_uri: str,
    experiment: str,
    settings: dict[str, Any],
    manifest: dict[str, Any],
) -> Path:
    """Leave an unchanged rerun's MLflow run pending and start the process that logs it.

    Returns:
        The pending file (removed once the run is logged).
    """
    from matcher.io.atomic import atomic_write_text
    from matcher.orchestration.processes import spawn_detached

    folder = pending_folder(state_dir)
    folder.mkdir(parents=True, exist_ok=True)
    pending = folder / f"{uuid.uuid4().hex}.json"
    record = {
        "tracking_uri": tracking_uri,
        "experiment": experiment,
        "settings": settings,
        "manifest": manifest,
    }
    atomic_write_text(pending, json.dumps(record, default=str))
    command = [sys.executable, "-m", "matcher.tracking.deferred", str(folder)]
    spawn_detached(command, folder / "log.txt", dict(os.environ))
    return pending


def log_pending(folder: Path) -> list[str]:
    """Log every pending run in ``folder`` to MLflow, oldest first, removing each once logged.

    Runs in the detached process. Two such processes may overlap: a file is claimed by
    renaming it first, so each run is logged once.

    Returns:
        The MLflow run IDs.
    """
    import tempfile

    from matcher.tracking.experiment_log import log_unchanged_run

    logged = []
    for pending in sorted(Path(folder).glob("*.json"), key=lambda p: p.stat().st_mtime):
        claimed = pending.with_suffix(".logging")
        try:
            pending.rename(claimed)
        except FileNotFoundError:  # another process took it
            continue
        record = json.loads(claimed.read_text())
        with tempfile.TemporaryDirectory() as tmp:
            manifest_path = Path(tmp) / "run_manifest.json"
            manifest_path.write_text(json.dumps(record["manifest"], indent=2) + "\n")
            run_id = log_unchanged_run(
                record["tracking_uri"],
                record["experiment"],
                record["settings"],
                record["manifest"],
                manifest_path,
            )
        claimed.unlink()
        print(f"logged {pending.name} as MLflow run {run_id}", flush=True)
        logged.append(run_id)
    return logged


if __name__ == "__main__":
    log_pending(Path(sys.argv[1]))
