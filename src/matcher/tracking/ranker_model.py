"""The ``matcher-ranker`` MLflow model, logged with models-from-code (no pickle).

MLflow executes this file when it logs or loads the model: the last line hands it the model
object. That is the one thing here that runs on execution, and nothing in matcher imports this
module; :func:`matcher.tracking.registry.log_ranker_model` passes its path to MLflow.

The model's configuration is a :class:`matcher.tracking.ranker_config.RankerConfig` stored as the
MLflow ``model_config``. Two extra keys may be given when loading, to use local resources::

    mlflow.pyfunc.load_model(uri, model_config={"cache_dir": ".matcher/cache",
                                                "model_path": "/models/minilm"})

``predict`` takes a DataFrame of (posting, resume) pairs with the columns ``job_id, title,
description, resume_id, text`` and returns ``job_id, resume_id, score`` (0-1, higher is
better); see :func:`matcher.tracking.ranker_config.score_pairs`. The ``direction`` parameter
(``resumes-for-job`` by default, or ``jobs-for-resume``) says which side is being ranked.
"""

from __future__ import annotations

from typing import Any, cast

import mlflow
import pandas as pd
from mlflow.pyfunc import PythonModel  # type: ignore[attr-defined]


class RankerModel(PythonModel):
    """Scores (posting, resume) pairs with the configured matcher ranker."""

    def load_context(self, context: Any) -> None:
        """Build the ranker from the model configuration (the embedding model loads lazily)."""
        from pathlib import Path

        from matcher.tracking.ranker_config import RankerConfig, ranker_from_config

        raw = dict(context.model_config or {})
        self.config = RankerConfig.from_model_config(raw)
        cache_dir = raw.get("cache_dir")
        self.ranker = ranker_from_config(
            self.config,
            model_path=raw.get("model_path"),
            cache_dir=Path(cache_dir) if cache_dir else None,
        )

    def predict(
        self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None
    ) -> pd.DataFrame:
        """Score every pair of ``model_input``; see the module docstring."""
        from matcher.ranking.lexical import Direction
        from matcher.tracking.ranker_config import score_pairs

        direction = (params or {}).get("direction") or "resumes-for-job"
        return score_pairs(self.ranker, model_input, cast(Direction, direction))


mlflow.models.set_model(RankerModel())
