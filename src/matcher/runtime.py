"""Environment defaults for running offline on this product's embedded services."""

from __future__ import annotations

import logging
import os

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


def configure_runtime() -> None:
    """Apply :data:`RUNTIME_DEFAULTS`; call before importing Prefect or sentence-transformers."""
    for key, value in RUNTIME_DEFAULTS.items():
        os.environ.setdefault(key, value)
    # bm25s logs every index build at DEBUG, which Prefect's handlers would print.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
