"""The ``matcher-ranker`` model in the MLflow registry: log, register, promote and look up.

A model version is a :class:`~matcher.tracking.ranker_config.RankerConfig` logged with
models-from-code (:mod:`matcher.tracking.ranker_model`), so a version holds code and JSON, never a
pickle. Every evaluation run stores its configuration as the artifact ``ranker_config.json``;
registering a run logs the model into that run (once) and creates a version from it. The alias
``champion`` marks the version batch scoring uses.

Looking up the champion is cheap when there is nothing to find: a SQLite or file store that
does not exist yet is answered without importing MLflow.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matcher.tracking.mlflow_runs import configure_mlflow, created_by_this_run, sqlite_path
from matcher.tracking.ranker_config import PAIR_COLUMNS, RankerConfig

MODEL_NAME = "matcher-ranker"
CHAMPION_ALIAS = "champion"
#: Artifact of every evaluation run: the configuration a model version is made from.
CONFIG_ARTIFACT = "ranker_config.json"
#: Artifact path of the logged model inside its run.
MODEL_ARTIFACT = "model"
#: The models-from-code file handed to MLflow.
MODEL_CODE = Path(__file__).with_name("ranker_model.py")


@dataclass(frozen=True)
class RegisteredRanker:
    """One version of the registered ranker model.

    Attributes:
        model_name: Registered model name (``matcher-ranker``).
        version: Model version, as MLflow numbers it.
        run_id: The evaluation run the version was made from.
        config: What the version scores with.
        aliases: Aliases pointing at this version, such as ``champion``.
    """

    model_name: str
    version: str
    run_id: str | None
    config: RankerConfig
    aliases: tuple[str, ...] = ()

    @property
    def model_uri(self) -> str:
        """``models:/<name>/<version>``."""
        return f"models:/{self.model_name}/{self.version}"

    def info(self) -> dict[str, Any]:
        """The ranker section of a run manifest."""
        return {
            "name": self.config.ranker,
            "params": dict(self.config.params),
            "source": f"models:/{self.model_name}@{CHAMPION_ALIAS}"
            if CHAMPION_ALIAS in self.aliases
            else self.model_uri,
            "model_name": self.model_name,
            "model_version": self.version,
            "model_uri": self.model_uri,
            "run_id": self.run_id,
            "embedding_model_id": self.config.embedding_model_id,
        }


def store_exists(tracking_uri: str) -> bool:
    """Whether a tracking store could hold anything: False for a missing SQLite file or folder,
    and for one that this run's preparation is creating
    (:func:`matcher.tracking.mlflow_runs.created_by_this_run`).

    Remote stores (``http://``, ``databricks`` ...) are assumed to exist.
    """
    db = sqlite_path(tracking_uri)
    if db is not None:
        return db.is_file() and not created_by_this_run(tracking_uri)
    if tracking_uri.startswith("file:"):
        return Path(tracking_uri.removeprefix("file://").removeprefix("file:")).exists()
    if "://" not in tracking_uri:
        return Path(tracking_uri).exists()
    return True


def _client(tracking_uri: str) -> Any:
    import mlflow

    configure_mlflow(tracking_uri)
    return mlflow.MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)


def _signature() -> Any:
    import pandas as pd
    from mlflow.models import infer_signature

    example = pd.DataFrame({column: ["x"] for column in PAIR_COLUMNS})
    output = pd.DataFrame({"job_id": ["x"], "resume_id": ["x"], "score": [0.5]})
    return infer_signature(example, output, params={"direction": "resumes-for-job"})


def log_ranker_model(config: RankerConfig) -> str:
    """Log the ranker as an MLflow model into the active run; returns the model URI.

    The model is code (:data:`MODEL_CODE`) plus ``config`` as its ``model_config``. The
    requirements are given, not inferred, because inferring them would load the model.
    """
    import mlflow

    from matcher import __version__

    with warnings.catch_warnings():
        # MLflow asks for an input example and type-hint validation; the explicit signature
        # documents the input instead, and an example would load the embedding model.
        warnings.simplefilter("ignore", UserWarning)
        info = mlflow.pyfunc.log_model(
            name=MODEL_ARTIFACT,
            python_model=str(MODEL_CODE),
            model_config=config.to_model_config(),
            signature=_signature(),
            pip_requirements=[f"matcher=={__version__}"],
        )
    return str(info.model_uri)


def read_run_config(run_id: str, tracking_uri: str) -> RankerConfig:
    """The ranker configuration an evaluation run stored.

    Raises:
        ValueError: If the run does not exist or stored no configuration.
    """
    import mlflow
    from mlflow.exceptions import MlflowException

    client = _client(tracking_uri)
    try:
        client.get_run(run_id)
    except MlflowException as error:
        raise ValueError(f"no MLflow run {run_id!r} in {tracking_uri}") from error
    try:
        raw = mlflow.artifacts.load_dict(f"runs:/{run_id}/{CONFIG_ARTIFACT}")
    except (MlflowException, OSError) as error:
        raise ValueError(
            f"run {run_id} has no {CONFIG_ARTIFACT}; promote a run made by `matcher evaluate`"
            " or `matcher experiment`"
        ) from error
    return RankerConfig.from_model_config(raw, f"run {run_id}: {CONFIG_ARTIFACT}")


def register_run(run_id: str, tracking_uri: str, model_name: str = MODEL_NAME) -> RegisteredRanker:
    """Register the ranker of an evaluation run as a version of ``model_name``.

    A run that already has a version gets that version back; otherwise the model is logged
    into the run and a new version is created, tagged with the run's metrics.

    Raises:
        ValueError: If the run does not exist or is not an evaluation run.
    """
    import mlflow
    from mlflow.exceptions import MlflowException

    client = _client(tracking_uri)
    config = read_run_config(run_id, tracking_uri)
    existing = client.search_model_versions(f"name = '{model_name}' and run_id = '{run_id}'")
    if existing:
        return _registered(model_name, existing[0], config)
    with mlflow.start_run(run_id=run_id):
        model_uri = log_ranker_model(config)
    try:
        client.create_registered_model(
            model_name, description="matcher ranker: a named ranker with its parameters"
        )
    except MlflowException as error:
        if error.error_code != "RESOURCE_ALREADY_EXISTS":
            raise
    run = client.get_run(run_id)
    tags = {f"metric.{k}": f"{v:.4f}" for k, v in run.data.metrics.items()}
    tags["ranker"] = config.label
    version = client.create_model_version(model_name, model_uri, run_id=run_id, tags=tags)
    return _registered(model_name, version, config)


def promote(
    run_id: str,
    tracking_uri: str,
    alias: str = CHAMPION_ALIAS,
    model_name: str = MODEL_NAME,
) -> RegisteredRanker:
    """Register the run's ranker if needed and point ``alias`` (``champion``) at it.

    Raises:
        ValueError: If the run does not exist or is not an evaluation run.
    """
    registered = register_run(run_id, tracking_uri, model_name)
    client = _client(tracking_uri)
    client.set_registered_model_alias(model_name, alias, registered.version)
    version = client.get_model_version(model_name, registered.version)
    return _registered(model_name, version, registered.config)


def find_champion(
    tracking_uri: str, model_name: str = MODEL_NAME, alias: str = CHAMPION_ALIAS
) -> RegisteredRanker | None:
    """The version ``alias`` points at, or None when there is none (or no store at all).

    Raises:
        mlflow.exceptions.MlflowException: If the store exists but cannot be read.
    """
    if not store_exists(tracking_uri):
        return None
    from mlflow.exceptions import MlflowException

    client = _client(tracking_uri)
    try:
        version = client.get_model_version_by_alias(model_name, alias)
    except MlflowException as error:
        if error.error_code in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"):
            return None
        raise
    return _registered(model_name, version, _version_config(version))


def _version_config(version: Any) -> RankerConfig:
    from mlflow.models import get_model_info

    info = get_model_info(f"models:/{version.name}/{version.version}")
    raw = info.flavors.get("python_function", {}).get("config")
    if raw is None:  # older MLmodel layouts keep it as a file beside the code
        raise ValueError(f"model {version.name} v{version.version} has no model_config")
    config = json.loads(raw) if isinstance(raw, str) else raw
    return RankerConfig.from_model_config(config, f"model {version.name} v{version.version}")


def _registered(model_name: str, version: Any, config: RankerConfig) -> RegisteredRanker:
    aliases = tuple(getattr(version, "aliases", []) or [])
    return RegisteredRanker(model_name, str(version.version), version.run_id, config, aliases)
