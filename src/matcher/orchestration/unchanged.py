"""``matcher score --incremental`` when nothing changed: the whole command without the flow.

:func:`score_if_unchanged` runs before anything heavy is imported. Under the locks a batch
run holds (output folder, index folder, state store), it compares the run's rerun key with the
last run's (:mod:`matcher.io.unchanged_rerun`); if they match, it writes the run's folder from
the last run's files, as the flow would, and:

* records the run on the project's Prefect server, when one runs, as a Completed flow run of
  ``batch-scoring`` tagged ``unchanged-rerun`` (:mod:`matcher.orchestration.flow_runs`); with
  Prefect's temporary API, whose history ends with the command, nothing is recorded;
* leaves its MLflow run to a detached process (:mod:`matcher.tracking.deferred`).

If the key differs, it returns None having written nothing, and the flow runs.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from matcher.io.locking import hold_locks
from matcher.io.output_folder import staged_folder
from matcher.io.run_folders import LATEST, run_folder
from matcher.io.state_store import open_state_store, state_store_path
from matcher.io.unchanged_rerun import (
    OUTPUT_NAMES,
    rerun_key,
    unchanged_previous,
    write_unchanged_run,
)
from matcher.orchestration.flow_runs import FlowRunRecordError, RecordedFlowRun
from matcher.settings import Settings

#: The flow an unchanged rerun is recorded as a run of.
FLOW_NAME = "batch-scoring"


def score_if_unchanged(
    jobs: Path, resumes: Path, out_dir: Path, settings: Settings
) -> dict[str, Any] | None:
    """Write an unchanged rerun's outputs and return the summary the flow would, or None.

    Args:
        jobs: The postings file or folder.
        resumes: The resumes file or folder.
        out_dir: The output folder (its layout per ``settings.output``).
        settings: The run's settings; ``runs.incremental`` must be set.

    Returns:
        The run's summary (as :func:`pipelines.batch_scoring.batch_scoring` returns it), or
        None if the run is not an unchanged rerun; then nothing was written.
    """
    started = time.perf_counter()
    key = rerun_key(jobs, resumes, out_dir, settings)
    if key is None:
        return None
    store_path = state_store_path(settings.state_dir)
    if not store_path.is_file():
        return None
    # A first look without the locks: a run that is not unchanged (or whose settings are
    # wrong, which the flow's checks report) leaves no lock file behind.
    with open_state_store(store_path) as store:
        if unchanged_previous(store, key) is None:
            return None
    locked = [out_dir, settings.index_dir, store_path]
    with (
        hold_locks(locked, settings.runs.lock_timeout_seconds),
        open_state_store(store_path) as store,
    ):
        previous = unchanged_previous(store, key)  # another run may have finished meanwhile
        if previous is None:
            return None
        checked = round(time.perf_counter() - started, 3)
        record = _start_record(jobs, resumes, out_dir)
        try:
            layout = settings.output
            with (
                run_folder(out_dir, layout.layout, layout.keep_runs) as run_dir,
                staged_folder(run_dir, OUTPUT_NAMES) as staging,
            ):

                def log_later(manifest: dict[str, Any], manifest_path: Path) -> None:
                    from matcher.tracking.deferred import log_in_background

                    log_in_background(
                        settings.state_dir,
                        settings.mlflow_tracking_uri,
                        settings.mlflow_experiment,
                        settings.model_dump(mode="json"),
                        manifest,
                    )

                manifest, outputs = write_unchanged_run(
                    previous,
                    staging,
                    run_dir,
                    store,
                    key,
                    {"unchanged_check": checked},
                    log_later,
                )
        except BaseException as error:
            if record is not None:
                _finish_record(record, "FAILED", f"{type(error).__name__}: {error}")
            raise
        if record is not None:
            record.log(f"unchanged rerun: outputs of {previous.run_dir} reused in {run_dir}")
            _finish_record(record, "COMPLETED", "unchanged: the last run's outputs reused")
    summary: dict[str, Any] = {
        "outputs": {name: str(path) for name, path in outputs.items()},
        "manifest": str(run_dir / "run_manifest.json"),
        "counts": manifest["counts"],
        "mlflow_run_id": "logged in the background",
        "ranker": manifest["ranker"],
        "unchanged": True,
    }
    if layout.layout == "runs":
        summary["run_dir"] = str(run_dir)
        summary["latest"] = str(Path(out_dir) / LATEST)
    return summary


def _start_record(jobs: Path, resumes: Path, out_dir: Path) -> RecordedFlowRun | None:
    """A Running flow run on the project's server, or None with Prefect's temporary API."""
    api_url = os.environ.get("PREFECT_API_URL")
    if not api_url:
        return None
    name = f"unchanged-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"
    parameters = {"jobs_path": str(jobs), "resumes_path": str(resumes), "out_dir": str(out_dir)}
    try:
        return RecordedFlowRun.start(api_url, FLOW_NAME, name, parameters)
    except FlowRunRecordError as error:
        raise FlowRunRecordError(
            f"could not record the run on the Prefect server: {error}; is it running?"
            " (matcher server status)"
        ) from error


def _finish_record(record: RecordedFlowRun, state: str, message: str) -> None:
    try:
        record.finish(state, message)
    except FlowRunRecordError as error:
        raise FlowRunRecordError(
            f"could not record the end of flow run {record.name}: {error}"
        ) from error
