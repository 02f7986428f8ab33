"""Environment defaults for running offline on this product's embedded services."""

from __future__ import annotations

import logging
import os
from pathlib import Path

#: Set unless the user already set them: offline models, a patient ephemeral Prefect server,
#: no telemetry.
RUNTIME_DEFAULTS = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
}


def configure_runtime(state_dir: Path | None = None) -> str | None:
    """Apply :data:`RUNTIME_DEFAULTS` and choose the Prefect API; call before importing Prefect.

    Args:
        state_dir: The project's state folder (``settings.state_dir``). If the server started
            by ``matcher server start`` for it is running, ``PREFECT_API_URL`` is set to it, so
            flow runs are recorded there; otherwise Prefect starts a temporary API. A
            ``PREFECT_API_URL`` the user set is kept.

    Returns:
        The Prefect API URL in use, or None for Prefect's temporary API.
    """
    for key, value in RUNTIME_DEFAULTS.items():
        os.environ.setdefault(key, value)
    # bm25s logs every index build at DEBUG, which Prefect's handlers would print.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    if "PREFECT_API_URL" not in os.environ and state_dir is not None:
        from matcher.orchestration.server import running_api_url

        url = running_api_url(state_dir)
        if url is not None:
            os.environ["PREFECT_API_URL"] = url
    return os.environ.get("PREFECT_API_URL") or None
