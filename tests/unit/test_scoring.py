from __future__ import annotations

from pathlib import Path

import pytest

import matcher
from matcher.requirement_ranker import WEIGHTS_FILE
from matcher.scoring import default_ranker, select_ranker
from matcher.settings import load_settings
from tests.conftest import TAXONOMY


def test_requirements_is_the_default_and_reads_shipped_weights(tmp_path: Path) -> None:
    settings = load_settings(mlflow_tracking_uri=f"sqlite:///{tmp_path / 'none.db'}")
    ranker, info = select_ranker(settings)
    assert ranker.name == "requirements" and info["source"] == "built-in default"
    # the learned model ships inside the package, and the manifest names it
    assert WEIGHTS_FILE.is_file() and WEIGHTS_FILE.parent == Path(matcher.__file__).parent / "data"
    assert info["weights_source"] == str(WEIGHTS_FILE)
    assert sum(ranker.params()["weights"].values()) == pytest.approx(1.0, abs=1e-5)
    assert not (tmp_path / "none.db").exists()  # looking for a champion created nothing


def test_hybrid_takes_its_weights_from_the_settings() -> None:
    settings = load_settings(ranking={"ranker": "hybrid", "dense_weight": 1, "lexical_weight": 3})
    assert default_ranker(settings).params()["dense_weight"] == 0.25


def test_a_taxonomy_folder_extends_the_skill_vocabulary() -> None:
    onet = TAXONOMY / "onet_30.2"
    if not (onet / "Technology Skills.txt").is_file():
        pytest.skip(f"O*NET copy not found at {onet}")
    builtin = default_ranker(load_settings()).matcher
    extended = default_ranker(load_settings(taxonomy_dir=onet)).matcher
    assert len(extended.vocabulary) > len(builtin.vocabulary) + 1000
