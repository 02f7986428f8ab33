"""The schemas of the files matcher reads: the grid, a registered ranker's configuration and the
learned model. A good file loads; an unknown key, a negative weight or a missing field is an
error that names the file and the key."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from matcher.evaluation.crossdomain import SHORTLIST_BASE
from matcher.evaluation.grid import load_grid, parse_grid
from matcher.ranking.requirement_ranker import WEIGHTS_FILE, shipped_model
from matcher.settings import load_settings
from matcher.tracking.ranker_config import RankerConfig

GRID = """
baseline = "hybrid-even"

[[rankers]]
name = "bm25"
params = { k1 = 1.2 }

[[rankers]]
name = "hybrid"
label = "hybrid-even"
params = { dense_weight = 0.5, lexical_weight = 0.5 }
"""


def _grid(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "grid.toml"
    path.write_text(text)
    return path


def test_a_good_grid_file_loads(tmp_path: Path) -> None:
    grid = load_grid(_grid(tmp_path, GRID))
    assert grid.labels == ["bm25(k1=1.2)", "hybrid-even"] and grid.baseline == "hybrid-even"
    assert grid.entries[1].params == {"dense_weight": 0.5, "lexical_weight": 0.5}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("baseline", "basline"), "grid.toml: unknown key 'basline'"),
        (('label = "hybrid-even"', 'lable = "x"'), "grid.toml: unknown key 'rankers.#2.lable'"),
        (("dense_weight = 0.5", "dense_weight = -0.5"), "weight dense_weight is negative"),
        (('name = "hybrid"', ""), "grid.toml: missing key 'rankers.#2.name'"),
        (('name = "bm25"', 'name = "bm52"'), "unknown ranker 'bm52'"),
    ],
)
def test_a_bad_grid_file_names_the_file_and_key(
    tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    path = _grid(tmp_path, GRID.replace(*edit, 1))
    with pytest.raises(ValueError) as error:
        load_grid(path)
    assert message in str(error.value)


def test_a_grid_without_rankers_is_an_error() -> None:
    with pytest.raises(ValueError, match="my-grid: missing key 'rankers'"):
        parse_grid(tomllib.loads('baseline = "bm25"'), "my-grid")


MODEL_CONFIG: dict[str, Any] = {
    "ranker": "hybrid",
    "params": {"dense_weight": 0.6, "lexical_weight": 0.4, "aggregate": "max-mean"},
    "embedding_model_id": "abc123",
    "embedding": {"max_tokens": 256, "chunk_overlap": 32},
    "matcher_version": "0.1.0",
}


def test_a_model_config_round_trips() -> None:
    config = RankerConfig.from_model_config(MODEL_CONFIG)
    assert config.embedding == {"max_tokens": 256, "chunk_overlap": 32}
    # with the load-time keys empty, so MLflow lets a loader set them
    assert config.to_model_config() == {**MODEL_CONFIG, "cache_dir": None, "model_path": None}
    # the load-time keys of the MLflow model are allowed
    assert RankerConfig.from_model_config({**MODEL_CONFIG, "cache_dir": "/tmp/c"}) == config


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({**MODEL_CONFIG, "ranker_name": "x"}, "model v3: unknown key 'ranker_name'"),
        ({**MODEL_CONFIG, "embedding": {"max_token": 256}}, "unknown key 'embedding.max_token'"),
        (
            {**MODEL_CONFIG, "params": {"dense_weight": -1, "lexical_weight": 2}},
            "model v3: params: Value error, weight dense_weight is negative (-1)",
        ),
        ({k: v for k, v in MODEL_CONFIG.items() if k != "ranker"}, "missing key 'ranker'"),
        ({**MODEL_CONFIG, "ranker": "nope"}, "unknown ranker 'nope'"),
    ],
)
def test_a_bad_model_config_names_the_key(config: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as error:
        RankerConfig.from_model_config(config, "model v3")
    assert message in str(error.value)


def test_a_ranker_config_from_the_settings_round_trips(embedder) -> None:  # type: ignore[no-untyped-def]
    from matcher.ranking.scoring import build_ranker

    config = RankerConfig.from_ranker(build_ranker(load_settings(), embedder))
    assert RankerConfig.from_model_config(config.to_model_config()) == config


def test_the_shipped_learned_model_follows_its_schema() -> None:
    model = shipped_model()
    assert model.source == str(WEIGHTS_FILE)
    assert sum(model.weights.values()) == pytest.approx(1.0)
    assert set(model.calibration) == {"slope", "intercept", "tfidf_best"}
    # The same raw score is a smaller chance where the pool shares many words with the query.
    assert model.calibration["tfidf_best"] < 0 and model.recommend_calibration["tfidf_best"] < 0
    # recommendations: learned without bm25 and with a harder relevance gate (Learning)
    assert model.recommend_weights["bm25"] == 0.0
    assert (model.gate, model.recommend_gate) == (1.0, 4.0)
    # shortlists: learned above a fixed base, whose weights the learned ones only add to; the
    # base is that of the learning variant chosen by leave-one-set-out, if one was recorded
    data = json.loads(WEIGHTS_FILE.read_text())
    assert data["learning"]["base"] == SHORTLIST_BASE
    chosen = data.get("learning_variants", {}).get("resumes-for-job")
    base = chosen["learning"]["base"] if chosen else SHORTLIST_BASE
    for name, floor in base.items():
        assert model.weights[name] >= floor, name


def test_a_model_file_without_a_recommendation_gate_uses_its_own_gate(tmp_path: Path) -> None:
    def old(data: dict[str, Any]) -> None:  # as written before recommendations had a gate
        data["gate"] = 2.5
        data["recommendations"].pop("gate", None)
        data["recommendations"].pop("excluded_features", None)

    model = shipped_model(_model_file(tmp_path, old))
    assert (model.gate, model.recommend_gate) == (2.5, 2.5)


def _model_file(tmp_path: Path, edit: Any) -> Path:
    data = json.loads(WEIGHTS_FILE.read_text())
    edit(data)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(weigths={}), "model.json: unknown key 'weigths'"),
        (
            lambda d: d["calibration"].update(offset=1.0),
            "model.json: unknown key 'calibration.offset'",
        ),
        (
            lambda d: d["weights"].update(tfidf=-0.1),
            "model.json: weights.tfidf: Input should be greater than or equal to 0",
        ),
        (
            lambda d: d["recommendations"]["weights"].update(dense=-1),
            "model.json: recommendations.weights.dense: Input should be greater than or equal",
        ),
        (
            lambda d: d["recommendations"].update(gate=-1),
            "model.json: recommendations.gate: Input should be greater than or equal to 0",
        ),
        (
            lambda d: d["recommendations"].update(excluded_features=["salary"]),
            "unknown features ['salary']",
        ),
        (
            lambda d: d["recommendations"].update(excluded_features=["dense"]),
            "excluded features ['dense'] have a weight above zero",
        ),
        (lambda d: d.pop("weights"), "model.json: missing key 'weights'"),
        (lambda d: d["calibration"].pop("slope"), "model.json: missing key 'calibration.slope'"),
        (lambda d: d["weights"].update(salary=0.1), "unknown features in weights: ['salary']"),
        (lambda d: d.update(ranker="bm25"), "model.json: ranker: Input should be 'requirements'"),
    ],
)
def test_a_bad_learned_model_file_names_the_file_and_key(
    tmp_path: Path, edit: Any, message: str
) -> None:
    path = _model_file(tmp_path, edit)
    with pytest.raises(ValueError) as error:
        shipped_model(path)
    assert message in str(error.value) and str(path) in str(error.value)
