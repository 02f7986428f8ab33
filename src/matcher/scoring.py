"""Choose the ranker a batch run scores with."""

from __future__ import annotations

from typing import Any

from matcher.embedding import Embedder
from matcher.rankers import Ranker, make_ranker
from matcher.settings import Settings


def default_ranker(settings: Settings, embedder: Embedder | None = None) -> Ranker:
    """The built-in ranker named in the settings, with the settings' weights where they apply."""
    name = settings.ranking.ranker
    params: dict[str, Any] = {}
    if name == "hybrid":
        params = {
            "dense_weight": settings.ranking.dense_weight,
            "lexical_weight": settings.ranking.lexical_weight,
        }
    elif name == "requirements" and settings.taxonomy_dir is not None:
        params = {"taxonomy_dir": str(settings.taxonomy_dir)}
    return make_ranker(name, embedder=embedder, **params)


def select_ranker(
    settings: Settings, embedder: Embedder | None = None
) -> tuple[Ranker, dict[str, Any]]:
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
        from matcher.ranker_config import ranker_from_config
        from matcher.registry import find_champion

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
    ranker = default_ranker(settings, embedder)
    info = {"name": ranker.name, "params": ranker.params(), "source": "built-in default"}
    return ranker, {**info, "weights_source": getattr(ranker, "weights_source", None)}
