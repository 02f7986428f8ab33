"""The scorer a batch run's state is keyed by: what decides the scores, not where the code
lies (a reinstall elsewhere must not force every pair to be scored again)."""

from __future__ import annotations

import copy
from typing import Any

from matcher.settings import load_settings

INFO: dict[str, Any] = {
    "name": "requirements",
    "params": {"weights": {"dense": 0.4, "tfidf": 0.6}, "gate": 1.0},
    "source": "built-in default",
    "weights_source": "/opt/one/site-packages/matcher/data/requirements_ranker.json",
}


def test_the_scorer_ignores_where_the_ranker_file_lies_but_not_its_weights() -> None:
    from pipelines.batch_scoring import _scorer

    settings = load_settings()
    moved = {**INFO, "weights_source": "/srv/two/src/matcher/data/requirements_ranker.json"}
    assert _scorer("model-x", INFO, settings) == _scorer("model-x", moved, settings)
    reweighted = copy.deepcopy(INFO)
    reweighted["params"]["weights"]["dense"] = 0.5
    assert _scorer("model-x", INFO, settings) != _scorer("model-x", reweighted, settings)
    assert _scorer("model-x", INFO, settings) != _scorer("model-y", INFO, settings)
