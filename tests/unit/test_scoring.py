from __future__ import annotations

from pathlib import Path

import pytest

import matcher
from matcher.ranking.embedding import Embedder
from matcher.ranking.requirement_ranker import WEIGHTS_FILE
from matcher.ranking.scoring import build_ranker, select_ranker
from matcher.settings import load_settings
from tests.conftest import TAXONOMY


def test_requirements_is_the_default_and_reads_shipped_weights(
    tmp_path: Path, embedder: Embedder
) -> None:
    settings = load_settings(mlflow_tracking_uri=f"sqlite:///{tmp_path / 'none.db'}")
    ranker, info = select_ranker(settings, embedder)
    assert ranker.name == "requirements" and info["source"] == "built-in default"
    # the learned model ships inside the package, and the manifest names it
    assert WEIGHTS_FILE.is_file() and WEIGHTS_FILE.parent == Path(matcher.__file__).parent / "data"
    assert info["weights_source"] == str(WEIGHTS_FILE)
    assert sum(ranker.params()["weights"].values()) == pytest.approx(1.0, abs=1e-5)
    assert not (tmp_path / "none.db").exists()  # looking for a champion created nothing


def test_hybrid_takes_its_weights_from_the_settings(embedder: Embedder) -> None:
    settings = load_settings(ranking={"ranker": "hybrid", "dense_weight": 1, "lexical_weight": 3})
    assert build_ranker(settings, embedder).params()["dense_weight"] == 0.25


def test_explicit_parameters_are_merged_over_the_settings(embedder: Embedder) -> None:
    settings = load_settings(ranking={"dense_weight": 1, "lexical_weight": 3})
    merged = build_ranker(settings, embedder, "hybrid", {"k1": 1.2}).params()
    assert merged["dense_weight"] == 0.25 and merged["k1"] == 1.2
    overridden = build_ranker(
        settings, embedder, "hybrid", {"dense_weight": 1, "lexical_weight": 1}
    )
    assert overridden.params()["dense_weight"] == 0.5


def test_the_taxonomy_reaches_the_requirement_ranker_only(
    tmp_path: Path, embedder: Embedder
) -> None:
    settings = load_settings(taxonomy_dir=tmp_path)
    ranker = build_ranker(settings, embedder, "requirements", {"gate": 1.0})
    assert ranker.params()["taxonomy_dir"] == str(tmp_path)
    assert "taxonomy_dir" not in build_ranker(settings, embedder, "bm25").params()


def test_a_taxonomy_folder_extends_the_skill_vocabulary(embedder: Embedder) -> None:
    onet = TAXONOMY / "onet_30.2"
    if not (onet / "Technology Skills.txt").is_file():
        pytest.skip(f"O*NET copy not found at {onet}")
    builtin = build_ranker(load_settings(), embedder).matcher  # type: ignore[attr-defined]
    extended = build_ranker(load_settings(taxonomy_dir=onet), embedder).matcher  # type: ignore[attr-defined]
    assert len(extended.vocabulary) > len(builtin.vocabulary) + 1000
