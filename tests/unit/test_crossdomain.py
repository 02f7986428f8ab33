"""The cross-domain matrix on synthetic sets whose answer is known."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matcher.evaluation.crossdomain import (
    LabelledFeatures,
    cross_domain_matrix,
    learn,
    matrix_markdown,
)
from matcher.evaluation.labelled_sets import load_sets_file, parse_set_option
from matcher.ranking.features import FEATURES, GATED, PairFeatures


def _set(name: str, signal: str, seed: int, direction: str = "resumes-for-job") -> LabelledFeatures:
    """8 jobs x 30 resumes; resume j is relevant to job j % 8 and ``signal`` shows it."""
    rng = np.random.default_rng(seed)
    n_jobs, n_resumes = 8, 30
    values = {f: rng.uniform(0, 0.5, (n_jobs, n_resumes)).astype(np.float32) for f in FEATURES}
    jobs = [f"{name}-j{i}" for i in range(n_jobs)]
    resumes = [f"{name}-r{j}" for j in range(n_resumes)]
    qrels: dict[str, dict[str, int]] = {}
    for j in range(n_resumes):
        values[signal][j % n_jobs, j] += 0.5
        if direction == "resumes-for-job":
            qrels.setdefault(jobs[j % n_jobs], {})[resumes[j]] = 1
        else:
            qrels.setdefault(resumes[j], {})[jobs[j % n_jobs]] = 1
    confidence = {f: np.ones((n_jobs, n_resumes), dtype=np.float32) for f in GATED}
    features = PairFeatures(values, [], [], confidence)
    baselines = {"tfidf": values["tfidf"], "bm25": values["bm25"]}
    return LabelledFeatures(
        name, name.split("-")[0], direction, features, jobs, resumes, qrels, baselines
    )


def test_learning_finds_the_signal_of_the_training_sets() -> None:
    model = learn([_set("a", "dense", 0), _set("b", "dense", 1)])
    assert max(model.weights, key=lambda k: model.weights[k]) == "dense"
    assert sum(model.weights.values()) == pytest.approx(1.0)


def test_the_matrix_has_every_ranker_on_every_set_in_both_settings() -> None:
    sets = [
        _set("a", "tfidf", 0),
        _set("a-reverse", "tfidf", 1, "jobs-for-resume"),
        _set("b", "tfidf", 2),
        _set("b-reverse", "tfidf", 3, "jobs-for-resume"),
    ]
    shipped = {
        direction: learn([s for s in sets if s.direction == direction])
        for direction in ("resumes-for-job", "jobs-for-resume")
    }
    matrix = cross_domain_matrix(sets, shipped, folds=4)
    cells = set(zip(matrix["tested_on"], matrix["ranker"], matrix["setting"], strict=True))
    for name in ("a", "a-reverse", "b", "b-reverse"):
        assert {(name, "tfidf", "fixed"), (name, "bm25", "fixed")} <= cells
        assert {
            (name, "requirements", s) for s in ("in-domain", "cross-domain", "shipped")
        } <= cells
    # learned across domains only from the other domain, in the same direction: a set and
    # its reverse never train a model tested on either of them
    cross = matrix[matrix["setting"] == "cross-domain"].set_index("tested_on")["trained_on"]
    assert cross.to_dict() == {
        "a": "b",
        "a-reverse": "b-reverse",
        "b": "a",
        "b-reverse": "a-reverse",
    }
    # the signal carries across, so the learned ranker finds the relevant resumes
    learned = matrix[(matrix["ranker"] == "requirements")]
    assert (learned["nDCG@10"] > 0.9).all()
    assert "| a | resumes-for-job | requirements | cross-domain | b |" in matrix_markdown(matrix)


def test_sets_file_resolves_paths_and_rejects_unknown_keys(tmp_path: Path) -> None:
    folder = tmp_path / "set"
    folder.mkdir()
    for name in ("jobs.csv", "resumes.csv", "qrels.csv"):
        (folder / name).write_text("x\n")
    sets = tmp_path / "sets.toml"
    sets.write_text(
        '[[sets]]\nname = "one"\npath = "set"\nreverse = true\n'
        '[[sets]]\nname = "gone"\npath = "nowhere"\noptional = true\n'
    )
    [spec] = load_sets_file(sets)
    assert spec.path == folder.resolve() and spec.reverse
    assert spec.files() == (folder / "jobs.csv", folder / "resumes.csv", folder / "qrels.csv")
    sets.write_text('[[sets]]\nname = "one"\npath = "set"\nrevers = true\n')
    with pytest.raises(ValueError, match="revers"):
        load_sets_file(sets)
    sets.write_text('[[sets]]\nname = "one"\npath = "nowhere"\n')
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_sets_file(sets)
    with pytest.raises(ValueError, match="NAME=FOLDER"):
        parse_set_option("just-a-folder")
