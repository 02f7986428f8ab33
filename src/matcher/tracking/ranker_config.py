"""What a registered ranker is: a named ranker, its parameters and the embedding model it needs.

A :class:`RankerConfig` is the whole of a ``matcher-ranker`` model version: it is stored as the
MLflow ``model_config`` (plain JSON, no pickle) and turned back into a :class:`Ranker` by
:func:`ranker_from_config`. :func:`score_pairs` is the model's ``predict`` contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field, field_validator

from matcher import __version__, schema
from matcher.io.file_schema import StrictSchema, check_non_negative_weights, validate_file
from matcher.ranking.catalogue import RANKERS, make_ranker, ranker_class
from matcher.ranking.embedding import Embedder
from matcher.ranking.lexical import DIRECTIONS, Direction
from matcher.ranking.rankers import Ranker

#: Columns of the input of :func:`score_pairs` (and of the registered model's ``predict``).
PAIR_COLUMNS: tuple[str, ...] = (
    schema.JOB_ID,
    schema.TITLE,
    schema.DESCRIPTION,
    schema.RESUME_ID,
    schema.TEXT,
)


class EmbeddingOptions(StrictSchema):
    """Chunking options of the embedder a registered ranker was evaluated with."""

    max_tokens: int | None = Field(default=None, gt=0)
    chunk_overlap: int | None = Field(default=None, ge=0)


class ModelConfig(StrictSchema):
    """The layout of a registered ranker's MLflow ``model_config`` (plain JSON).

    ``cache_dir`` and ``model_path`` are given when loading the model, to use local resources
    (see :mod:`matcher.tracking.ranker_model`); they are not part of the stored configuration.
    """

    ranker: str
    params: dict[str, Any] = Field(default_factory=dict)
    embedding_model_id: str | None = None
    embedding: EmbeddingOptions = Field(default_factory=EmbeddingOptions)
    matcher_version: str = "unknown"
    cache_dir: str | None = None
    model_path: str | None = None

    @field_validator("ranker")
    @classmethod
    def _known_ranker(cls, name: str) -> str:
        ranker_class(name)  # the catalogue's check: an unknown name is an error
        return name

    @field_validator("params")
    @classmethod
    def _non_negative_weights(cls, params: dict[str, Any]) -> dict[str, Any]:
        check_non_negative_weights(params)
        return params


@dataclass(frozen=True)
class RankerConfig:
    """Everything needed to rebuild a ranker and score exactly as it did when evaluated.

    Attributes:
        ranker: Name in :data:`matcher.ranking.catalogue.RANKERS`.
        params: The ranker's own parameters (as :meth:`Ranker.params`, without ``model``).
        embedding_model_id: Fingerprint of the embedding model the ranker was evaluated with,
            or None for rankers that do not embed.
        embedding: Chunking options of the embedder (``max_tokens``, ``chunk_overlap``).
        matcher_version: The matcher version that wrote the configuration.
    """

    ranker: str
    params: dict[str, Any] = field(default_factory=dict)
    embedding_model_id: str | None = None
    embedding: dict[str, int] = field(default_factory=dict)
    matcher_version: str = __version__

    @classmethod
    def from_ranker(cls, ranker: Ranker) -> RankerConfig:
        """The configuration of a built ranker (its embedder's fingerprint and chunking)."""
        params = {k: v for k, v in ranker.params().items() if k != "model"}
        embedder = _embedder_of(ranker)
        if embedder is None:
            return cls(ranker.name, params)
        chunking = {"max_tokens": embedder.max_tokens, "chunk_overlap": embedder.chunk_overlap}
        return cls(ranker.name, params, embedder.model_id, chunking)

    def to_model_config(self) -> dict[str, Any]:
        """The JSON-able dict stored as the MLflow ``model_config`` (see :class:`ModelConfig`)."""
        stored = ModelConfig(
            ranker=self.ranker,
            params=dict(self.params),
            embedding_model_id=self.embedding_model_id,
            embedding=EmbeddingOptions(**self.embedding),
            matcher_version=self.matcher_version,
        )
        return {
            **stored.model_dump(exclude={"cache_dir", "model_path", "embedding"}),
            "embedding": stored.embedding.model_dump(exclude_none=True),
            # empty, so that MLflow lets a loader set them (it ignores keys the stored
            # model_config lacks): load_model(uri, model_config={"cache_dir": ...})
            "cache_dir": None,
            "model_path": None,
        }

    @classmethod
    def from_model_config(
        cls, config: Mapping[str, Any], source: str = "model config"
    ) -> RankerConfig:
        """Read a stored ``model_config``; the load-time keys ``cache_dir`` and ``model_path``
        are allowed and ignored here.

        Raises:
            ValueError: Naming ``source`` and the key that is unknown, missing or wrong (an
                unknown ranker, a negative weight).
        """
        stored = validate_file(ModelConfig, dict(config), source)
        return cls(
            ranker=stored.ranker,
            params=dict(stored.params),
            embedding_model_id=stored.embedding_model_id,
            embedding=stored.embedding.model_dump(exclude_none=True),
            matcher_version=stored.matcher_version,
        )

    @property
    def label(self) -> str:
        """``name(k=v, ...)``, for logs."""
        inner = ", ".join(f"{k}={v}" for k, v in sorted(self.params.items()))
        return f"{self.ranker}({inner})"


def _embedder_of(ranker: Ranker) -> Embedder | None:
    if not type(ranker).uses_embedder:
        return None
    dense = getattr(ranker, "dense", ranker)
    embedder = getattr(dense, "embedder", None)
    return embedder if isinstance(embedder, Embedder) else None


def ranker_from_config(
    config: RankerConfig,
    embedder: Embedder | None = None,
    model_path: Path | str | None = None,
    cache_dir: Path | None = None,
) -> Ranker:
    """Build the ranker a configuration describes.

    Args:
        config: The stored configuration.
        embedder: An embedder to share (its cache is reused); one is created if None and the
            ranker embeds.
        model_path: Embedding model folder when ``embedder`` is None; the packaged model if None.
        cache_dir: Embedding cache folder when ``embedder`` is None; no cache if None.

    Raises:
        ValueError: If the embedding model differs from the one the ranker was evaluated with,
            because its scores would then mean something else.
    """
    if RANKERS[config.ranker].uses_embedder:
        if embedder is None:
            chunking: dict[str, Any] = dict(config.embedding)  # max_tokens, chunk_overlap
            embedder = Embedder(model_path, cache_dir=cache_dir, show_progress=False, **chunking)
        if config.embedding_model_id and embedder.model_id != config.embedding_model_id:
            raise ValueError(
                f"ranker {config.label} was evaluated with embedding model"
                f" {config.embedding_model_id}, but the embedder uses {embedder.model_id}"
            )
    return make_ranker(config.ranker, embedder=embedder, **config.params)


def score_pairs(
    ranker: Ranker, pairs: pd.DataFrame, direction: Direction = "resumes-for-job"
) -> pd.DataFrame:
    """Score (posting, resume) pairs: the ``predict`` of the registered ``matcher-ranker``.

    Every distinct posting is scored against every distinct resume of the input, so scores
    that are relative to a query (BM25) compare a document with the other documents given.

    Args:
        ranker: The ranker.
        pairs: One row per pair with the columns of :data:`PAIR_COLUMNS` (``title`` and
            ``description`` of the posting, ``text`` of the resume). A posting or resume ID
            that appears with two different texts is an error.
        direction: ``"resumes-for-job"`` (the default) or ``"jobs-for-resume"``.

    Returns:
        ``job_id``, ``resume_id`` and ``score`` (0-1, higher is better), in input order.

    Raises:
        ValueError: On missing columns, an unknown direction or conflicting texts for one ID.

    Example:
        >>> pairs = pd.DataFrame({"job_id": ["j"], "title": ["Nurse"],
        ...     "description": ["ICU nurse"], "resume_id": ["r"], "text": ["ICU nurse, BLS"]})
        >>> float(score_pairs(make_ranker("bm25"), pairs)["score"].iloc[0])
        1.0
    """
    missing = [c for c in PAIR_COLUMNS if c not in pairs.columns]
    if missing:
        raise ValueError(f"pairs lack column(s) {', '.join(missing)}; need {PAIR_COLUMNS}")
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown direction {direction!r}; use one of {', '.join(DIRECTIONS)}")
    frame = pairs.astype({schema.JOB_ID: str, schema.RESUME_ID: str})
    postings = _distinct(frame, schema.JOB_ID, [schema.TITLE, schema.DESCRIPTION])
    resumes = _distinct(frame, schema.RESUME_ID, [schema.TEXT])
    scores = ranker.score(postings, resumes, direction)
    row = {job_id: i for i, job_id in enumerate(postings[schema.JOB_ID])}
    col = {resume_id: j for j, resume_id in enumerate(resumes[schema.RESUME_ID])}
    rows = frame[schema.JOB_ID].map(row).to_numpy(dtype=np.int64)
    cols = frame[schema.RESUME_ID].map(col).to_numpy(dtype=np.int64)
    return pd.DataFrame(
        {
            schema.JOB_ID: frame[schema.JOB_ID].to_numpy(),
            schema.RESUME_ID: frame[schema.RESUME_ID].to_numpy(),
            "score": scores[rows, cols].astype(float) if len(frame) else [],
        }
    )


def _distinct(frame: pd.DataFrame, key: str, columns: list[str]) -> pd.DataFrame:
    table = frame[[key, *columns]].fillna("").astype(str).drop_duplicates()
    clash = table[key][table[key].duplicated()]
    if len(clash):
        raise ValueError(f"{key} {clash.iloc[0]!r} appears with two different texts")
    return table.reset_index(drop=True)
