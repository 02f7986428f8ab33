"""A flow run recorded on the project's Prefect server through its REST API, without Prefect.

An unchanged rerun (:mod:`matcher.io.unchanged_rerun`) does no work a task could stand for,
and importing Prefect alone costs seconds, more than the whole rerun. It still belongs in the
flow-run history, so it is recorded as a run of the ``batch-scoring`` flow with a few HTTP
calls of Prefect's documented API (``POST /flows/``, ``POST /flow_runs/``, ``POST
/flow_runs/{id}/set_state``, ``POST /logs/``): Running when it starts, Completed or Failed
with a message when it ends, tagged ``unchanged-rerun``, its log lines attached.

Nothing here imports Prefect.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

#: The tag of every flow run recorded here.
UNCHANGED_TAG = "unchanged-rerun"

logger = logging.getLogger(__name__)


class FlowRunRecordError(RuntimeError):
    """The Prefect server did not take a request; the message says which and why."""


def _post(api_url: str, path: str, body: Any, timeout: float) -> Any:
    request = urllib.request.Request(
        f"{api_url.rstrip('/')}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = response.read()
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise FlowRunRecordError(f"Prefect API {api_url}{path}: {error}") from error
    return json.loads(payload) if payload else None


class RecordedFlowRun:
    """One flow run of ``flow_name`` on the server at ``api_url``, Running once created.

    Example:
        >>> run = RecordedFlowRun.start(api_url, "batch-scoring", "unchanged", {})  # doctest: +SKIP
        >>> run.log("nothing changed")  # doctest: +SKIP
        >>> run.finish("COMPLETED", "outputs reused")  # doctest: +SKIP
    """

    def __init__(self, api_url: str, flow_run_id: str, name: str, timeout: float) -> None:
        self.api_url = api_url
        self.id = flow_run_id
        self.name = name
        self._timeout = timeout

    @classmethod
    def start(
        cls,
        api_url: str,
        flow_name: str,
        name: str,
        parameters: dict[str, Any],
        timeout: float = 5.0,
    ) -> RecordedFlowRun:
        """Create the flow (if new) and a Running flow run of it.

        Raises:
            FlowRunRecordError: If the server cannot be reached or refuses.
        """
        flow = _post(api_url, "/flows/", {"name": flow_name}, timeout)
        created = _post(
            api_url,
            "/flow_runs/",
            {
                "flow_id": flow["id"],
                "name": name,
                "parameters": parameters,
                "tags": ["matcher", UNCHANGED_TAG],
                "state": {"type": "RUNNING", "name": "Running"},
            },
            timeout,
        )
        return cls(api_url, str(created["id"]), name, timeout)

    def log(self, message: str, level: int = logging.INFO) -> None:
        """Attach one log line to the flow run (shown in the UI); a failure is only logged."""
        entry = {
            "name": "matcher",
            "level": level,
            "message": message,
            "timestamp": datetime.now(UTC).isoformat(),
            "flow_run_id": self.id,
        }
        try:
            _post(self.api_url, "/logs/", [entry], self._timeout)
        except FlowRunRecordError as error:
            logger.warning("could not send a log line to flow run %s: %s", self.name, error)

    def finish(self, state: str, message: str) -> None:
        """Set the final state: ``COMPLETED`` or ``FAILED``, with ``message``.

        Raises:
            FlowRunRecordError: If the server cannot be reached or refuses.
        """
        name = {"COMPLETED": "Completed", "FAILED": "Failed"}[state]
        body = {"state": {"type": state, "name": name, "message": message}}
        _post(self.api_url, f"/flow_runs/{self.id}/set_state", body, self._timeout)
