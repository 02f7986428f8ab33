"""``matcher schedule --warm``'s loop (:func:`run_due_runs_here`) on the session's Prefect API.

The temporary API cannot schedule (no scheduler service runs), so these tests make the due
runs themselves, as the scheduler would: runs of a real deployment, in the Scheduled state,
due now or later. The slow test in ``test_scheduled_runs.py`` runs the same loop on a real
``prefect server`` with a real cron-like schedule.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prefect import flow

from matcher.orchestration.schedules import _claim_next_run, run_due_runs_here
from matcher.runtime import Terminated

pytestmark = pytest.mark.usefixtures("prefect_server")

#: A bound on the wait for the due runs, generous for a busy machine; never asserted as speed.
WAIT_SECONDS = 300


@flow(name="warm-runs-probe")
def probe(value: int) -> int:
    """Fails for a negative value, as a run with bad input would."""
    if value < 0:
        raise ValueError(f"value {value} is negative")
    return value


@pytest.fixture()
def deployment_id() -> Iterator[Any]:
    """A deployment of :func:`probe`, deleted after the test."""
    from prefect.client.orchestration import get_client
    from prefect.types.entrypoint import EntrypointType

    deployment = probe.to_deployment(
        name=f"warm-{os.getpid()}-{time.monotonic_ns()}",
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    made = deployment.apply()
    yield made
    with get_client(sync_client=True) as client:
        client.delete_deployment(made)


def _scheduled(client: Any, deployment_id: Any, value: int, seconds_from_now: float) -> Any:
    """A run of the deployment in the Scheduled state, due ``seconds_from_now`` from now."""
    from prefect.states import Scheduled

    when = datetime.now(UTC) + timedelta(seconds=seconds_from_now)
    return client.create_flow_run_from_deployment(
        deployment_id, parameters={"value": value}, state=Scheduled(scheduled_time=when)
    )


def _state(client: Any, run: Any) -> str:
    return str(client.read_flow_run(run.id).state.name)


def test_a_due_run_is_claimed_once_and_a_run_not_yet_due_is_left(deployment_id: Any) -> None:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        later = _scheduled(client, deployment_id, 1, 3600)
        due = _scheduled(client, deployment_id, 2, -1)

        claimed = _claim_next_run(client, deployment_id)

        assert claimed is not None and claimed.id == due.id
        assert _state(client, due) == "Pending"
        # Claimed already, it is no longer due; the later run is not due yet.
        assert _claim_next_run(client, deployment_id) is None
        assert _state(client, later) == "Scheduled"


def test_a_run_another_process_claimed_is_left_to_it(deployment_id: Any) -> None:
    from prefect.client.orchestration import get_client
    from prefect.states import Running

    with get_client(sync_client=True) as client:
        due = _scheduled(client, deployment_id, 2, -1)
        # Another runner took it between the look-up and the claim: the claim is refused.
        client.set_flow_run_state(due.id, Running(), force=True)
        assert _claim_next_run(client, deployment_id) is None
        assert _state(client, due) == "Running"


def test_due_runs_run_in_this_process_a_failure_does_not_stop_the_next_and_sigterm_pauses(
    deployment_id: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        failing = _scheduled(client, deployment_id, -1, -2)
        good = _scheduled(client, deployment_id, 7, -1)
        later = _scheduled(client, deployment_id, 3, 3600)
    ended = [f"{failing.name}: Failed", f"{good.name}: Completed"]

    def stop_when_both_said() -> None:
        """SIGTERM this process, as ``matcher schedule delete`` does, once the loop has said
        that both due runs ended (the line after ``run_flow`` returns: the server shows a run
        ended a moment before, and a signal then could cut the line off)."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if all(line in sys.stdout.getvalue() for line in ended):
                break
            if done.wait(0.2):
                return  # the loop ended some other way: no signal once the test goes on
        os.kill(os.getpid(), signal.SIGTERM)

    before = signal.getsignal(signal.SIGTERM)
    done = threading.Event()
    stopper = threading.Thread(target=stop_when_both_said, daemon=True)
    stopper.start()
    try:
        with pytest.raises(Terminated):
            run_due_runs_here(probe, deployment_id, poll_seconds=0.2)
    finally:
        done.set()
        stopper.join(timeout=WAIT_SECONDS)
        signal.signal(signal.SIGTERM, before)

    said = capsys.readouterr().out
    here = f"in this process (pid {os.getpid()})"
    # Each ran here, the failing one first (it was due first), and each one's end was said.
    assert said.index(f"running {failing.name} {here}") < said.index(f"running {good.name} {here}")
    assert all(line in said for line in ended)
    with get_client(sync_client=True) as client:
        assert _state(client, failing) == "Failed" and _state(client, good) == "Completed"
        assert _state(client, later) == "Scheduled"
        # Stopped, the loop paused the deployment's schedule, as prefect.serve does.
        assert client.read_deployment(deployment_id).paused is True
