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


def test_the_scorer_changes_with_the_code_not_only_with_its_version(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """An upgrade that keeps matcher's version: the next incremental or scheduled run had
    reused the shortlists the code before made."""
    import pipelines.batch_scoring

    from matcher.io import unchanged_rerun

    settings = load_settings()
    before = pipelines.batch_scoring._scorer("model-x", INFO, settings)
    assert before["code"] == unchanged_rerun.source_fingerprint()
    monkeypatch.setattr(unchanged_rerun, "source_fingerprint", lambda: "another code")
    assert pipelines.batch_scoring._scorer("model-x", INFO, settings) != before
