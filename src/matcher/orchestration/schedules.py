"""Schedules: deployments of the batch-scoring flow on the project's Prefect server.

``matcher schedule`` creates a deployment named ``batch-scoring/<name>`` with a cron or
interval schedule and serves it (``flow.to_deployment`` and ``prefect.serve``): the serving
process polls the server for due runs and runs each in a new Python process (Prefect's
runner), one at a time; with ``--warm`` it runs them in its own process instead
(:func:`run_due_runs_here`), so that imports and the model are loaded once. While it is
stopped, the schedule is paused (``pause_on_shutdown``), so no runs pile up. Its pid file and
log are in ``<state_dir>/schedules/``:

| path | what |
| --- | --- |
| `<name>.pid` | JSON: pid of the serving process, deployment name, API URL, start time |
| `<name>.log` | the serving process's output (with ``--detach``) |

Listing, pausing, resuming and deleting go through the Prefect API of the current settings
(``PREFECT_API_URL``, set by :func:`matcher.runtime.configure_runtime`).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from matcher.orchestration.processes import (
    command_line,
    is_alive,
    read_pid_file,
    spawn_detached,
    stop_process,
    write_pid_file,
)

#: The flow every schedule deploys (``pipelines.batch_scoring.batch_scoring``).
FLOW_NAME = "batch-scoring"
#: Prefect state types of a run that has started (running or finished).
_STARTED = ["RUNNING", "COMPLETED", "FAILED", "CRASHED", "CANCELLED", "CANCELLING"]
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class ScheduleError(RuntimeError):
    """A schedule cannot be made, found or changed; the message says why."""


@dataclass(frozen=True)
class SchedulePaths:
    """Where the serving process of schedule ``name`` keeps its pid file and log."""

    folder: Path
    name: str

    @classmethod
    def of(cls, state_dir: Path, name: str) -> SchedulePaths:
        """The paths of schedule ``name`` under ``state_dir``."""
        return cls(Path(state_dir) / "schedules", check_name(name))

    @property
    def pid_file(self) -> Path:
        """JSON record of the serving process."""
        return self.folder / f"{self.name}.pid"

    @property
    def log(self) -> Path:
        """Output of a detached serving process."""
        return self.folder / f"{self.name}.log"


@dataclass(frozen=True)
class FlowRunInfo:
    """One run of a deployment, as the Prefect API reports it."""

    name: str
    state: str
    expected_start: datetime | None
    end: datetime | None


@dataclass(frozen=True)
class ScheduleInfo:
    """A deployment of the batch flow, with its serving process and latest runs."""

    name: str
    schedules: list[str]
    paused: bool
    serving_pid: int | None
    parameters: dict[str, Any]
    last_run: FlowRunInfo | None
    next_run: FlowRunInfo | None


def check_name(name: str) -> str:
    """Return ``name`` if it is a valid schedule name (letters, digits, ``.``, ``_``, ``-``)."""
    if not _NAME.match(name):
        raise ScheduleError(
            f"schedule name {name!r}: use up to 64 letters, digits, '.', '_' or '-',"
            " starting with a letter or digit"
        )
    return name


def make_schedule(cron: str | None, interval: float | None, timezone: str) -> Any:
    """A Prefect schedule from exactly one of a cron expression and an interval in seconds.

    Raises:
        ScheduleError: For neither or both, a bad cron expression, a bad time zone, or an
            interval that is not positive.
    """
    from prefect.client.schemas.schedules import CronSchedule
    from prefect.schedules import Cron, Interval
    from pydantic import ValidationError

    if (cron is None) == (interval is None):
        raise ScheduleError("give exactly one of --cron and --interval")
    try:
        if cron is not None:
            CronSchedule(cron=cron, timezone=timezone)  # validates both, with a readable error
            return Cron(cron, timezone=timezone)
        if interval is None or interval <= 0:
            raise ScheduleError(f"--interval must be a positive number of seconds, not {interval}")
        return Interval(interval, timezone=timezone)
    except ValidationError as error:
        reasons = "; ".join(e["msg"].removeprefix("Value error, ") for e in error.errors())
        raise ScheduleError(reasons) from error


def serve_schedule(
    flow: Any,
    name: str,
    schedule: Any,
    parameters: Mapping[str, Any],
    state_dir: Path,
    warm: bool = False,
) -> None:
    """Create or update deployment ``batch-scoring/<name>`` and serve it until stopped.

    Blocks. SIGTERM or Ctrl-C stop it; the schedule is then paused until it is served again.
    With ``warm``, each due run is run in this process (:func:`run_due_runs_here`) instead of
    a new one per run.

    Raises:
        ScheduleError: If another live process already serves this schedule.
    """
    from prefect import serve
    from prefect.types.entrypoint import EntrypointType

    paths = SchedulePaths.of(state_dir, name)
    serving = serving_pid(state_dir, name)
    if serving is not None and serving != os.getpid():
        raise ScheduleError(
            f"schedule {name!r} is already served by process {serving};"
            f" delete it first (matcher schedule delete {name}) or choose another --name"
        )
    write_pid_file(
        paths.pid_file,
        {
            "pid": os.getpid(),
            "deployment": f"{FLOW_NAME}/{name}",
            "api_url": os.environ.get("PREFECT_API_URL"),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    )
    try:
        deployment = flow.to_deployment(
            name=name,
            schedules=[schedule],
            parameters=dict(parameters),
            # Each run re-imports the flow by module, so an installed matcher runs it from any
            # folder and a run always uses the code installed now.
            entrypoint_type=EntrypointType.MODULE_PATH,
        )
        if warm:
            run_due_runs_here(flow, deployment.apply())
        else:
            # One run at a time: a run that outlasts the interval delays the next, never
            # overlaps.
            serve(deployment, pause_on_shutdown=True, limit=1)
    finally:
        record = read_pid_file(paths.pid_file)
        if record is not None and record["pid"] == os.getpid():
            paths.pid_file.unlink(missing_ok=True)


def run_due_runs_here(flow: Any, deployment_id: Any, poll_seconds: float = 5.0) -> None:
    """Run the due runs of deployment ``deployment_id`` in this process, one at a time, until
    stopped (SIGTERM or Ctrl-C); then pause its schedule, as ``prefect.serve`` does.

    Prefect's runner starts a new Python process for every run, which imports matcher and
    loads the model again (some 10 s of a rerun that takes 20 s). Here the modules, the model
    and what the flow remembers in its process (the postings' cleaning, the score cache's
    connection) are loaded once, by the first run. Each run is claimed (Pending) before it
    starts, so a run another process took is left to it; a run that fails is marked failed
    by Prefect and the next due run still starts; while the server does not answer (restarted,
    say), it tries again every ``poll_seconds``. A run cancelled in the UI is not stopped
    while it runs; code installed since this process started is used after a restart only.
    """
    from prefect.client.orchestration import get_client
    from prefect.flow_engine import run_flow

    from matcher.runtime import stop_on_sigterm

    stop_on_sigterm()
    with get_client(sync_client=True) as client:
        try:
            while True:
                try:
                    flow_run = _claim_next_run(client, deployment_id)
                except Exception as error:  # the server restarting, or gone for a while
                    print(f"the server did not answer ({error}); trying again", flush=True)
                    flow_run = None
                if flow_run is None:
                    time.sleep(poll_seconds)
                    continue
                print(f"running {flow_run.name} in this process (pid {os.getpid()})", flush=True)
                state = run_flow(flow, flow_run=flow_run, return_type="state")
                print(f"{flow_run.name}: {getattr(state, 'name', state)}", flush=True)
        finally:
            try:
                client.pause_deployment(deployment_id)
            except Exception as error:  # the server gone: nothing to pause, say so
                print(f"the schedule could not be paused: {error}", flush=True)


def _claim_next_run(client: Any, deployment_id: Any) -> Any:
    """The deployment's next due run, claimed for this process (set Pending, as Prefect's
    runner does before it starts one); None if no run is due or another process took it."""
    from prefect.exceptions import Abort
    from prefect.states import Pending
    from prefect.utilities.engine import propose_state_sync

    due = client.get_scheduled_flow_runs_for_deployments(
        deployment_ids=[deployment_id], scheduled_before=datetime.now(UTC), limit=1
    )
    if not due:
        return None
    try:
        claimed = propose_state_sync(client, Pending(), flow_run_id=due[0].id)
    except Abort:
        return None
    return client.read_flow_run(due[0].id) if claimed.is_pending() else None


def serve_detached(
    command: Sequence[str], name: str, state_dir: Path, timeout: float, cwd: Path
) -> int:
    """Start ``command`` (a serving ``matcher schedule``) in the background; return its pid.

    Waits until the deployment is on the server and the process has written its pid file.

    Raises:
        ScheduleError: If the process exits first (its log says why) or is not ready in time.
    """
    paths = SchedulePaths.of(state_dir, name)
    serving = serving_pid(state_dir, name)
    if serving is not None:
        raise ScheduleError(
            f"schedule {name!r} is already served by process {serving};"
            f" delete it first (matcher schedule delete {name}) or choose another --name"
        )
    process = spawn_detached(command, paths.log, os.environ, cwd)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ScheduleError(
                f"the serving process exited with code {process.returncode}; see {paths.log}"
            )
        record = read_pid_file(paths.pid_file)
        if record is not None and record["pid"] == process.pid and _deployment_exists(name):
            return process.pid
        time.sleep(0.5)
    stop_process(process.pid)
    raise ScheduleError(
        f"the serving process was not ready within {timeout:.0f} s; see {paths.log}"
    )


def serving_pid(state_dir: Path, name: str) -> int | None:
    """The pid of the live process serving schedule ``name``, or None."""
    record = read_pid_file(SchedulePaths.of(state_dir, name).pid_file)
    if record is None or not is_alive(record["pid"]):
        return None
    shown = command_line(record["pid"])
    return record["pid"] if shown is None or "schedule" in shown else None


def list_schedules(state_dir: Path) -> list[ScheduleInfo]:
    """Every deployment of the batch flow on the server, with its serving process and runs."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName
    from prefect.client.schemas.sorting import DeploymentSort

    with get_client(sync_client=True) as client:
        deployments = client.read_deployments(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[FLOW_NAME])),
            sort=DeploymentSort.NAME_ASC,
        )
    found = []
    for deployment in deployments:
        started = flow_runs(deployment.name, _STARTED, limit=1)
        upcoming = flow_runs(deployment.name, ["SCHEDULED"], upcoming=True, limit=1)
        found.append(
            ScheduleInfo(
                name=deployment.name,
                schedules=[describe_schedule(s.schedule) for s in deployment.schedules],
                paused=bool(deployment.paused),
                serving_pid=serving_pid(state_dir, deployment.name)
                if _NAME.match(deployment.name)
                else None,
                parameters=dict(deployment.parameters),
                last_run=started[0] if started else None,
                next_run=upcoming[0] if upcoming else None,
            )
        )
    return found


def flow_runs(
    name: str, states: Sequence[str] | None = None, upcoming: bool = False, limit: int = 20
) -> list[FlowRunInfo]:
    """Runs of deployment ``batch-scoring/<name>``.

    Args:
        name: The schedule's name.
        states: Prefect state types to keep (``COMPLETED``, ``FAILED``, ``SCHEDULED``, ...);
            every state if None.
        upcoming: Soonest expected start first (for scheduled runs) instead of latest first.
        limit: At most this many runs.
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort

    state_filter = None
    if states is not None:
        types = [StateType(state.upper()) for state in states]
        state_filter = FlowRunFilter(
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=types))
        )
    with get_client(sync_client=True) as client:
        deployment = _read_deployment(client, name)
        runs = client.read_flow_runs(
            flow_run_filter=state_filter,
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])),
            sort=FlowRunSort.EXPECTED_START_TIME_ASC
            if upcoming
            else FlowRunSort.EXPECTED_START_TIME_DESC,
            limit=limit,
        )
    return [
        FlowRunInfo(
            name=run.name,
            state=(run.state.name if run.state is not None else None) or "Unknown",
            expected_start=run.expected_start_time,
            end=run.end_time,
        )
        for run in runs
    ]


def set_paused(name: str, paused: bool) -> None:
    """Pause or resume the schedule of deployment ``batch-scoring/<name>``."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        deployment = _read_deployment(client, name)
        if paused:
            client.pause_deployment(deployment.id)
        else:
            client.resume_deployment(deployment.id)


def delete_schedule(name: str, state_dir: Path) -> int | None:
    """Stop the process serving ``name`` and delete its deployment; return the stopped pid.

    Raises:
        ScheduleError: If there is no such deployment and no process serves it.
    """
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    paths = SchedulePaths.of(state_dir, name)
    pid = serving_pid(state_dir, name)
    if pid is not None:
        stop_process(pid)
    paths.pid_file.unlink(missing_ok=True)
    with get_client(sync_client=True) as client:
        try:
            client.delete_deployment(_read_deployment(client, name).id)
        except (ScheduleError, ObjectNotFound):
            if pid is None:
                raise
    return pid


def describe_schedule(schedule: Any) -> str:
    """``cron 0 6 * * * (UTC)`` or ``every 3600 s``, from a Prefect schedule object."""
    cron = getattr(schedule, "cron", None)
    if cron is not None:
        return f"cron {cron} ({getattr(schedule, 'timezone', None) or 'UTC'})"
    interval = getattr(schedule, "interval", None)
    if interval is not None:
        return f"every {interval.total_seconds():g} s"
    return str(schedule)


def _read_deployment(client: Any, name: str) -> Any:
    from prefect.exceptions import ObjectNotFound

    try:
        return client.read_deployment_by_name(f"{FLOW_NAME}/{name}")
    except ObjectNotFound:
        raise ScheduleError(
            f"no schedule named {name!r} on the server (see matcher schedule list)"
        ) from None


def _deployment_exists(name: str) -> bool:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        try:
            _read_deployment(client, name)
        except ScheduleError:
            return False
    return True
