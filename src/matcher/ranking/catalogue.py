"""The catalogue of rankers: every ranker name and the class it makes, in one place.

Nothing registers itself: a new ranker is added to :data:`RANKERS` here.

Example:
    >>> make_ranker("bm25", k1=1.2).params()
    {'k1': 1.2, 'b': 0.75}
"""

from __future__ import annotations

import inspect
from typing import Any

from matcher.ranking.embedding import Embedder
from matcher.ranking.rankers import BM25Ranker, DenseRanker, HybridRanker, Ranker, TfidfRanker
from matcher.ranking.requirement_ranker import RequirementRanker

#: Every ranker by its name.
RANKERS: dict[str, type[Ranker]] = {
    cls.name: cls for cls in (TfidfRanker, BM25Ranker, DenseRanker, HybridRanker, RequirementRanker)
}


def ranker_class(name: str) -> type[Ranker]:
    """The class of the ranker called ``name``.

    Raises:
        ValueError: If the name is not in :data:`RANKERS`.
    """
    if name not in RANKERS:
        raise ValueError(f"unknown ranker {name!r}; choose one of {', '.join(sorted(RANKERS))}")
    return RANKERS[name]


def _own_params(params: dict[str, Any]) -> dict[str, Any]:
    # "model" is reported by the embedding rankers' params() but belongs to the embedder.
    return {k: v for k, v in params.items() if k != "model"}


def check_params(name: str, params: dict[str, Any]) -> None:
    """Check that ``params`` are parameters of the ranker ``name``, without building it.

    Raises:
        ValueError: If the name is unknown, a parameter does not belong to the ranker, or a
            value is not of the kind of the parameter's default (a number, text, true or
            false): ``--param k1=abc``.
    """
    cls = ranker_class(name)
    params = _own_params(params)
    signature = inspect.signature(cls)
    try:
        if cls.uses_embedder:
            signature.bind(None, **params)
        else:
            signature.bind(**params)
    except TypeError as error:
        raise ValueError(f"bad parameters for ranker {name!r}: {error}") from error
    for key, value in params.items():
        wanted = _kind_of(signature.parameters[key].default)
        if wanted is not None and _kind_of(value) != wanted:
            raise ValueError(
                f"bad parameters for ranker {name!r}: {key} takes {wanted}, got {value!r}"
            )


def _kind_of(value: Any) -> str | None:
    """``"true or false"``, ``"a number"`` or ``"text"`` for a value of those kinds, else None.

    Example:
        >>> _kind_of(1.5), _kind_of(2), _kind_of(True), _kind_of("max"), _kind_of(None)
        ('a number', 'a number', 'true or false', 'text', None)
    """
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    return "text" if isinstance(value, str) else None


def make_ranker(name: str, embedder: Embedder | None = None, **params: Any) -> Ranker:
    """Create a ranker by name.

    Most callers want :func:`matcher.ranking.scoring.build_ranker`, which also applies the settings.

    Args:
        name: One of :data:`RANKERS`.
        embedder: Shared embedder for rankers that embed (its cache is reused); required for
            them.
        **params: The ranker's own parameters.

    Raises:
        ValueError: If the name is unknown, a parameter does not belong to the ranker, or a
            ranker that embeds gets no embedder.
    """
    cls = ranker_class(name)
    check_params(name, params)
    params = _own_params(params)
    if not cls.uses_embedder:
        return cls(**params)
    if embedder is None:
        raise ValueError(f"ranker {name!r} embeds texts: give it an embedder")
    return cls(embedder, **params)  # type: ignore[call-arg]
