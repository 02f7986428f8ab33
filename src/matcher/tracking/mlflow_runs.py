"""MLflow helpers: a local SQLite store by default, experiments with artifacts beside it.

A new SQLite store is created (tables and migrations) by the first process that touches it, under
the store's file lock: two runs started together on a fresh folder would otherwise migrate the
same file at once and one of them fail, leaving the database half made. It starts as a copy of
an empty store MLflow migrated once per machine (:mod:`matcher.tracking.store_template`), which
saves the migrations (8-14 s of CPU).

A run that will log at its end can have the store and its experiment made ready while it works
(:func:`prepare_experiment`): importing MLflow and migrating a new store took 15-24 s of a cold
``matcher score`` of the sample, all of it outside the encoder. The run's first
:func:`ensure_experiment` of that experiment waits for it and raises what it raised.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any

_SQLITE = "sqlite:///"
#: Seconds a process waits for another one that is creating the same store.
STORE_LOCK_TIMEOUT = 600.0
_LOGGER = logging.getLogger(__name__)
# Stores this process has made sure of; creating the store again is harmless but slow.
_READY: set[str] = set()
_READY_LOCK = threading.Lock()
# Experiments made ready in the background, by (tracking URI, name): their IDs, or errors.
_PREPARING: dict[tuple[str, str], Future[str]] = {}
# The SQLite stores that did not exist when a preparation still running here started.
_CREATING: set[str] = set()
_PREPARING_LOCK = threading.Lock()


def sqlite_path(tracking_uri: str) -> Path | None:
    """The database file of a ``sqlite:///`` URI, or None for other stores."""
    return Path(tracking_uri[len(_SQLITE) :]) if tracking_uri.startswith(_SQLITE) else None


def configure_mlflow(tracking_uri: str) -> None:
    """Point MLflow at ``tracking_uri``; a SQLite store is created once, safely (see above)."""
    import mlflow

    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    db = sqlite_path(tracking_uri)
    with _READY_LOCK:  # a background preparation and the run's thread make it once
        if db is not None and tracking_uri not in _READY:
            from matcher.io.locking import hold_locks
            from matcher.tracking.store_template import start_from_template

            db.parent.mkdir(parents=True, exist_ok=True)
            with hold_locks([db], STORE_LOCK_TIMEOUT, _LOGGER.warning):
                if not db.exists():
                    start_from_template(db)
                # Opening the tracking and the registry store creates and migrates their tables
                # if they are missing (no template), checks their schema and adds MLflow's
                # default experiment.
                client = mlflow.MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
                client.search_experiments(max_results=1)
                client.search_registered_models(max_results=1)
            _READY.add(tracking_uri)
    mlflow.set_tracking_uri(tracking_uri)


def prepare_experiment(name: str, tracking_uri: str) -> None:
    """Start making experiment ``name`` ready in a background thread: import MLflow, create
    and migrate the store if new (:func:`configure_mlflow`), create the experiment.

    The next :func:`ensure_experiment` of the same experiment in this process waits for it and
    returns its ID, or raises the error it met, so a store that cannot be made fails the run
    where its logging would have, with the same message. A second call while one is pending
    does nothing, as does one after a preparation that succeeded; one that failed and was not
    taken (a run that stopped before logging) is tried again. The thread is not a daemon: a
    process that ends early waits for it, so a store is never left half migrated (one that ends
    while the thread still imports MLflow sees those imports fail, Python shutting down, before
    any store is made). Waiting for another process's store says so.
    """
    key = (tracking_uri, name)
    db = sqlite_path(tracking_uri)
    with _PREPARING_LOCK:
        known = _PREPARING.get(key)
        if known is not None and not (known.done() and known.exception() is not None):
            return
        future: Future[str] = Future()
        _PREPARING[key] = future
        if db is not None and not db.is_file():
            _CREATING.add(tracking_uri)

    def prepare() -> None:
        try:
            future.set_result(_ensure_experiment(name, tracking_uri))
        except BaseException as error:  # handed to the run's thread by ensure_experiment
            future.set_exception(error)
        finally:
            with _PREPARING_LOCK:
                _CREATING.discard(tracking_uri)

    threading.Thread(target=prepare, name=f"mlflow-store {name}", daemon=False).start()


def created_by_this_run(tracking_uri: str) -> bool:
    """Whether the store at ``tracking_uri`` is a new one that a preparation of this process
    is still making: it holds nothing yet (so a look-up in it, such as the champion's, need not
    wait for its migrations)."""
    with _PREPARING_LOCK:
        return tracking_uri in _CREATING


def ensure_experiment(name: str, tracking_uri: str) -> str:
    """Return the ID of experiment ``name``, creating it with artifacts next to a SQLite store.

    If :func:`prepare_experiment` is making it ready, wait for that and return its result or
    raise its error (once: a later call, such as a retry, makes it ready again itself).
    """
    with _PREPARING_LOCK:
        pending = _PREPARING.pop((tracking_uri, name), None)
    if pending is not None:
        return pending.result()
    return _ensure_experiment(name, tracking_uri)


def _ensure_experiment(name: str, tracking_uri: str) -> str:
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
