"""MLflow helpers: a local SQLite store by default, experiments with artifacts beside it.

A new SQLite store is created (tables and migrations) by the first process that touches it, under
the store's file lock: two runs started together on a fresh folder would otherwise migrate the
same file at once and one of them fail, leaving the database half made.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_SQLITE = "sqlite:///"
#: Seconds a process waits for another one that is creating the same store.
STORE_LOCK_TIMEOUT = 600.0
# Stores this process has made sure of; creating the store again is harmless but slow.
_READY: set[str] = set()


def sqlite_path(tracking_uri: str) -> Path | None:
    """The database file of a ``sqlite:///`` URI, or None for other stores."""
    return Path(tracking_uri[len(_SQLITE) :]) if tracking_uri.startswith(_SQLITE) else None


def configure_mlflow(tracking_uri: str) -> None:
    """Point MLflow at ``tracking_uri``; a SQLite store is created once, safely (see above)."""
    import mlflow

    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    db = sqlite_path(tracking_uri)
    if db is not None and tracking_uri not in _READY:
        from matcher.io.locking import hold_locks

        db.parent.mkdir(parents=True, exist_ok=True)
        with hold_locks([db], STORE_LOCK_TIMEOUT):
            # Opening the tracking and the registry store creates and migrates their tables.
            client = mlflow.MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
            client.search_experiments(max_results=1)
            client.search_registered_models(max_results=1)
        _READY.add(tracking_uri)
    mlflow.set_tracking_uri(tracking_uri)


def ensure_experiment(name: str, tracking_uri: str) -> str:
    """Return the ID of experiment ``name``, creating it with artifacts next to a SQLite store."""
    import mlflow

    configure_mlflow(tracking_uri)
    experiment = mlflow.get_experiment_by_name(name)
    if experiment is not None:
        return str(experiment.experiment_id)
    db = sqlite_path(tracking_uri)
    location = (db.parent.resolve() / "mlartifacts").as_uri() if db is not None else None
    try:
        return str(mlflow.create_experiment(name, artifact_location=location))
    except mlflow.MlflowException:
        # Another run created it since we looked.
        experiment = mlflow.get_experiment_by_name(name)
        if experiment is None:
            raise
        return str(experiment.experiment_id)


def flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested mappings into ``a.b.c`` keys (MLflow params and metrics are flat)."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def numeric_metrics(values: Mapping[str, Any]) -> dict[str, float]:
    """The numeric leaves of a nested mapping, flattened, as MLflow metrics."""
    return {
        key: float(value)
        for key, value in flatten(values).items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    }
