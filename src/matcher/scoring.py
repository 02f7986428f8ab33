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
    return make_ranker(name, embedder=embedder, **params)


def select_ranker(
    settings: Settings, embedder: Embedder | None = None
) -> tuple[Ranker, dict[str, Any]]:
    """The ranker to score with, and a description of it for the run manifest."""
    ranker = default_ranker(settings, embedder)
    return ranker, {"name": ranker.name, "params": ranker.params(), "source": "built-in default"}
