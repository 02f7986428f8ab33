"""From settings to a ranker: the built-in one the settings describe, or the champion."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from matcher.ranking.embedding import Embedder, resolve_model_path
from matcher.settings import Settings

if TYPE_CHECKING:  # the rankers load lazily: describe_ranker serves an unchanged rerun
    from matcher.ranking.rankers import Ranker


def build_ranker(
    settings: Settings,
    embedder: Embedder,
    name: str | None = None,
    params: dict[str, Any] | None = None,
) -> Ranker:
    """The built-in ranker ``name`` with the settings that concern it: the one path from
    settings to a ranker.

    The settings give the ``requirements`` ranker its ``taxonomy_dir`` and the ``hybrid``
    ranker its ``ranking.dense_weight``/``ranking.lexical_weight``; explicit ``params``
    (e.g. ``matcher evaluate --param``, a grid entry) are merged over them.

    Args:
        settings: The settings.
        embedder: The shared embedder (see
            :meth:`matcher.ranking.embedding.Embedder.from_settings`).
        name: A name of :data:`matcher.ranking.catalogue.RANKERS`; ``settings.ranking.ranker`` if
            None.
        params: The ranker's own parameters, over those from the settings.

    Raises:
        ValueError: If the name is unknown or a parameter does not belong to the ranker.

    """
    name = name or settings.ranking.ranker
    merged: dict[str, Any] = {}
    if name == "hybrid":
        merged = {
            "dense_weight": settings.ranking.dense_weight,
            "lexical_weight": settings.ranking.lexical_weight,
        }
    elif name == "requirements" and settings.taxonomy_dir is not None:
        merged = {"taxonomy_dir": str(settings.taxonomy_dir)}
    merged.update(params or {})
    from matcher.ranking.catalogue import make_ranker

    return make_ranker(name, embedder=embedder, **merged)


def check_settings(settings: Settings) -> None:
    """Check, before a run writes anything, what would otherwise fail midway through it.

    The ranker name and its parameters, the embedding model folder and the taxonomy folder are
    checked without loading a model or a taxonomy; with Dask workers asked for, that
    prefect-dask is installed.

    Raises:
        ValueError: Naming the setting and the problem, if one of them is wrong.
    """
    from matcher.ranking.catalogue import check_params

    params: dict[str, Any] = {}
    if settings.ranking.ranker == "hybrid":
        params = {
            "dense_weight": settings.ranking.dense_weight,
            "lexical_weight": settings.ranking.lexical_weight,
        }
    try:
        check_params(settings.ranking.ranker, params)
    except ValueError as error:
        raise ValueError(f"ranking.ranker: {error}") from None
    try:
        resolve_model_path(settings.embedding.model_path)
    except FileNotFoundError as error:
        raise ValueError(f"embedding.model_path: {error}") from None
    taxonomy = settings.taxonomy_dir
    if taxonomy is not None and not Path(taxonomy).is_dir():
        raise ValueError(f"taxonomy_dir: {taxonomy} is not a folder")
    if settings.dask.enabled:
        import importlib.util

        if importlib.util.find_spec("prefect_dask") is None:
            raise ValueError(
                "dask: prefect-dask is not installed (pip install 'matcher[dask]'), so the"
                " run cannot use Dask workers"
            )


def select_ranker(settings: Settings, embedder: Embedder) -> tuple[Ranker, dict[str, Any]]:
    """The ranker to score with, and a description of it for the run manifest.

    With ``settings.ranking.use_champion`` (the default), the version of ``matcher-ranker``
    that the alias ``champion`` points at in ``settings.mlflow_tracking_uri`` is used when
    there is one; otherwise the built-in ranker named in the settings. A store that does not
    exist yet is not created and costs no MLflow import.

    Returns:
        The ranker and its description: ``name``, ``params`` and ``source``, plus
        ``model_name``, ``model_version``, ``model_uri`` and ``run_id`` for a champion.

    Raises:
        ValueError: If the champion needs an embedding model other than the settings' one.
    """
    if settings.ranking.use_champion:
        from matcher.tracking.ranker_config import ranker_from_config
        from matcher.tracking.registry import find_champion

        champion = find_champion(settings.mlflow_tracking_uri)
        if champion is not None:
            try:
                ranker = ranker_from_config(champion.config, embedder)
            except ValueError as error:
                raise ValueError(
                    f"champion {champion.model_uri}: {error}; set embedding.model_path to that"
                    " model or ranking.use_champion = false"
                ) from error
            return ranker, champion.info()
    ranker = build_ranker(settings, embedder)
    info = {"name": ranker.name, "params": ranker.params(), "source": "built-in default"}
    return ranker, {**info, "weights_source": ranker.weights_source}


def describe_ranker(info: dict[str, Any]) -> dict[str, str]:
    """The ranker of a run in words, from :func:`select_ranker`'s description.

    Example:
        >>> describe_ranker({"name": "bm25", "params": {}, "source": "built-in default"})
        {'ranker': 'bm25', 'ranker source': 'built-in default', 'model version': 'built-in'}
    """
    version = info.get("model_version")
    model = f"{info['model_name']} version {version}" if version is not None else "built-in"
    return {
        "ranker": str(info.get("name", "")),
        "ranker source": str(info.get("source", "")),
        "model version": model,
    }
