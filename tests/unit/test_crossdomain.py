"""The cross-domain matrix on synthetic sets whose answer is known."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matcher.evaluation.crossdomain import (
    HeldOutCells,
    LabelledFeatures,
    Learning,
    choose_learning,
    cross_domain_matrix,
    cross_validated_scores,
    fit_pairwise,
    fit_weights,
    learn,
    learning_variants,
    matrix_markdown,
    nested_selection,
    summary,
    training_pairs,
)
from matcher.evaluation.labelled_sets import load_sets_file, parse_set_option
from matcher.ranking.features import FEATURES, GATED, PairFeatures
from matcher.ranking.requirement_ranker import DEFAULT_WEIGHTS, normalise_weights


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


def _graded(n_jobs: int = 12, n_resumes: int = 30, seed: int = 0) -> LabelledFeatures:
    """Each job has a match (grade 2) and a near-miss (grade 1): the resumes with the highest
    ``required_skills``; ``bm25`` is noise and ``title`` is anti-correlated with relevance."""
    rng = np.random.default_rng(seed)
    shape = (n_jobs, n_resumes)
    values = {f: rng.uniform(0, 0.8, shape).astype(np.float32) for f in FEATURES}
    jobs = [f"j{i}" for i in range(n_jobs)]
    resumes = [f"r{j}" for j in range(n_resumes)]
    qrels: dict[str, dict[str, int]] = {}
    for i in range(n_jobs):
        best, near = rng.choice(n_resumes, size=2, replace=False)
        qrels[jobs[i]] = {resumes[best]: 2, resumes[near]: 1}
        values["required_skills"][i, best], values["required_skills"][i, near] = 1.0, 0.85
    values["title"] = 1.0 - values["required_skills"]
    confidence = {f: np.ones(shape, dtype=np.float32) for f in GATED}
    return LabelledFeatures(
        "graded",
        "graded",
        "resumes-for-job",
        PairFeatures(values, [], [], confidence),
        jobs,
        resumes,
        qrels,
        {"noise": values["bm25"]},
    )


def test_pairs_put_the_better_document_first() -> None:
    labelled = _graded()
    diffs, weights = training_pairs(labelled, labelled.values(), rows=[0], unjudged_per_query=4)
    # 2 > 1 (judged), then 2 > four unjudged and 1 > four unjudged (sampled)
    assert diffs.shape == (9, len(FEATURES))
    assert (diffs[:, FEATURES.index("required_skills")] > 0).all()
    # the judged pair weighs half the total by default, the eight sampled ones the other half
    assert weights[0] == pytest.approx(weights[1:].sum())


def test_learned_weights_are_non_negative_and_find_the_signal() -> None:
    labelled = _graded()
    diffs, pair_weights = training_pairs(labelled, labelled.values(), range(12))
    weights = fit_pairwise([(diffs, pair_weights)])
    assert sum(weights.values()) == pytest.approx(1.0)
    assert all(w >= 0 for w in weights.values())
    assert max(weights, key=lambda k: weights[k]) == "required_skills"
    assert weights["title"] == 0.0  # anti-correlated: dropped rather than made negative


def test_cross_validation_beats_a_noise_baseline() -> None:
    labelled = _graded(n_jobs=20)
    # no relevance gate and no fixed base: the synthetic TF-IDF and dense are noise, and the
    # gate would scale the signal by it
    scores = cross_validated_scores(labelled, folds=5, learning=Learning(gate=0.0, base={}))
    learned = summary(labelled, labelled.run(scores))
    noise = summary(labelled, labelled.run(labelled.baselines["noise"]))
    assert learned["pairwise_accuracy"] == 1.0
    assert learned["nDCG@10"] > 0.95 > 0.6 > noise["nDCG@10"]


def test_no_pairs_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no ordered pairs"):
        fit_weights(np.zeros((0, len(FEATURES))))
    with pytest.raises(ValueError, match="no ordered pairs"):
        fit_pairwise([(np.zeros((0, len(FEATURES))), np.zeros(0))])


def test_weights_are_validated() -> None:
    assert sum(normalise_weights(DEFAULT_WEIGHTS).values()) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="unknown features"):
        normalise_weights({"charisma": 1.0})
    with pytest.raises(ValueError, match="non-negative"):
        normalise_weights({"bm25": -1.0, "dense": 2.0})
    with pytest.raises(ValueError, match="positive"):
        normalise_weights({"bm25": 0.0})


def test_a_feature_the_data_never_varies_keeps_its_prior_weight() -> None:
    labelled = _graded()
    labelled.features.values["degree"][:] = 1.0  # no posting states a degree
    diffs, _ = training_pairs(labelled, labelled.values(), range(12))
    assert fit_weights(diffs)["degree"] == 0.0
    weights = fit_weights(diffs, prior=DEFAULT_WEIGHTS)
    assert weights["degree"] == pytest.approx(DEFAULT_WEIGHTS["degree"])
    assert sum(weights.values()) == pytest.approx(1.0)
    assert max(weights, key=lambda k: weights[k]) == "required_skills"


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


def test_an_excluded_feature_gets_no_weight_even_when_it_is_the_signal() -> None:
    sets = [_set("a", "bm25", 0), _set("b", "bm25", 1)]
    assert max((w, n) for n, w in learn(sets).weights.items())[1] == "bm25"
    model = learn(sets, Learning(excluded=("bm25",)), prior=DEFAULT_WEIGHTS)
    assert model.weights["bm25"] == 0.0 and model.excluded == ("bm25",)
    assert sum(model.weights.values()) == pytest.approx(1.0)


def test_recommendations_are_learned_with_their_own_gate_and_features() -> None:
    learning = Learning(gate=1.0, recommend_gate=4.0, recommend_excluded=("bm25",))
    forward = learn([_set("a", "bm25", 0), _set("b", "bm25", 1)], learning)
    reverse = [
        _set("a-reverse", "bm25", 0, "jobs-for-resume"),
        _set("b-reverse", "bm25", 1, "jobs-for-resume"),
    ]
    backward = learn(reverse, learning)
    assert (forward.gate, forward.excluded, forward.weights["bm25"] > 0) == (1.0, (), True)
    assert (backward.gate, backward.excluded, backward.weights["bm25"]) == (4.0, ("bm25",), 0.0)
    # None falls back to the shortlist's gate and features
    same = Learning(gate=2.0, recommend_gate=None, recommend_excluded=None)
    assert learn(reverse, same).gate == 2.0 and learn(reverse, same).weights["bm25"] > 0


def test_a_fixed_base_keeps_its_weight_whatever_the_sets_teach() -> None:
    sets = [_set("a", "bm25", 0), _set("b", "bm25", 1)]
    learned = learn(sets, Learning(base={}), prior=DEFAULT_WEIGHTS).weights
    assert learned["dense"] < 0.05
    based = learn(sets, Learning(base={"dense": 0.3}), prior=DEFAULT_WEIGHTS).weights
    assert based["dense"] >= 0.3 and based["bm25"] == pytest.approx(0.7 * learned["bm25"])
    assert sum(based.values()) == pytest.approx(1.0)
    # the base is the shortlists' only unless recommendations are given it too
    reverse = [_set("a-r", "bm25", 0, "jobs-for-resume"), _set("b-r", "bm25", 1, "jobs-for-resume")]
    assert learn(reverse, Learning(base={"dense": 0.3}, recommend_base={})).weights["dense"] < 0.05
    assert (
        learn(reverse, Learning(base={"dense": 0.3}, recommend_base=None)).weights["dense"] >= 0.3
    )
    with pytest.raises(ValueError, match="sum below 1"):
        Learning(base={"dense": 0.6, "tfidf": 0.4})
    with pytest.raises(ValueError, match="known features"):
        Learning(base={"keywords": 0.2})


def test_nested_selection_chooses_on_the_other_sets_only() -> None:
    # three sets show relevance in title, one in dense; a variant must leave one of them out
    sets = [_set(n, "title", seed) for seed, n in enumerate("abd")] + [_set("c", "dense", 3)]
    variants = {
        "without title": Learning(base={}, excluded=("title",)),
        "without dense": Learning(base={}, excluded=("dense",)),
    }
    found = nested_selection(sets, variants).set_index("tested_on")
    # the other sets speak for title every time, so c is tested with the variant it would not
    # have chosen for itself: its held-out cell shows that, instead of hiding it
    assert (found["chosen"] == "without dense").all()
    assert found.loc["a", "nDCG@10"] >= found.loc["a", "best_nDCG@10"]
    assert found.loc["c", "nDCG@10"] < found.loc["a", "nDCG@10"] - 0.2
    with pytest.raises(ValueError, match="two other domains"):
        nested_selection(sets[:2], variants)


def test_an_across_domains_cell_comes_from_a_variant_chosen_without_its_set() -> None:
    sets = [_set(n, "title", seed) for seed, n in enumerate("abd")] + [_set("c", "dense", 3)]
    variants = {
        "without dense": Learning(base={}, excluded=("dense",)),
        "without title": Learning(base={}, excluded=("title",)),
    }
    matrix = cross_domain_matrix(sets, folds=4, variants=variants, in_domain=False)
    cross = matrix[matrix["setting"] == "cross-domain"].set_index("tested_on")
    nested = nested_selection(sets, variants).set_index("tested_on")
    # the matrix's across-domains cells are the nested ones, variant and all
    assert cross["variant"].to_dict() == nested["chosen"].to_dict()
    assert cross["nDCG@10"].to_dict() == pytest.approx(nested["nDCG@10"].to_dict())
    # c, held out, gets the variant the others choose, which fails it; what c's own labels
    # say cannot change that choice
    assert cross.loc["c", "variant"] == "without dense"
    assert cross.loc["c", "nDCG@10"] < cross.loc["a", "nDCG@10"] - 0.2
    relabelled = [*sets[:3], _set("c", "title", 3)]
    again = cross_domain_matrix(relabelled, folds=4, variants=variants, in_domain=False)
    [variant] = again[(again["setting"] == "cross-domain") & (again["tested_on"] == "c")]["variant"]
    assert variant == "without dense"
    assert "| cross-domain | b+d+c |" in matrix_markdown(matrix)


def test_choosing_the_shipped_learning_and_the_matrix_share_their_held_out_models() -> None:
    sets = [_set(n, "title", seed) for seed, n in enumerate("abd")] + [_set("c", "dense", 3)]
    variants = {
        "without dense": Learning(base={}, excluded=("dense",)),
        "without title": Learning(base={}, excluded=("title",)),
    }
    cells = HeldOutCells()
    assert choose_learning(sets, variants, cells=cells) == choose_learning(sets, variants)
    chosen = set(cells.models)
    # each variant learned on all sets but one domain: what each held-out cell is learned on
    assert len(chosen) == len(variants) * len(sets)
    shared = cross_domain_matrix(sets, folds=4, variants=variants, in_domain=False, cells=cells)
    alone = cross_domain_matrix(sets, folds=4, variants=variants, in_domain=False)
    pd.testing.assert_frame_equal(shared, alone)
    # the matrix only added the models learned on two domains fewer (choosing for a held-out
    # set); it learned none of those already there again
    assert chosen < set(cells.models)
    assert all(len(train) == len(sets) - 2 for _, train in set(cells.models) - chosen)
    with pytest.raises(ValueError, match="another prior"):
        cross_domain_matrix(sets, variants=variants, prior=DEFAULT_WEIGHTS, cells=cells)


def test_the_shipped_learning_is_chosen_on_every_set_and_variants_equal_in_a_direction_once() -> (
    None
):
    sets = [_set(n, "title", seed) for seed, n in enumerate("abd")] + [_set("c", "dense", 3)]
    variants = {
        "without title": Learning(base={}, excluded=("title",)),
        "without dense": Learning(base={}, excluded=("dense",)),
    }
    chosen, judged = choose_learning(sets, variants)
    assert chosen == "without dense" and set(judged) == set(variants)
    worst, mean = judged["without title"]
    assert worst < 0 and worst <= mean < judged["without dense"][1]
    # one set: nothing to choose on, the first variant
    assert choose_learning(sets[:1], variants) == ("without title", {})
    # recommendations have a base of their own: a shortlist base is judged there as the same
    reverse = [_set(f"{n}-reverse", "tfidf", k, "jobs-for-resume") for k, n in enumerate("abc")]
    grid = learning_variants(Learning(domain_weights={"a": 2.0}))
    assert grid["as given"] == Learning(domain_weights={"a": 2.0})
    assert grid["dense 0.15 in the base"].base["dense"] == 0.15
    kept = ("as given", "dense 0.15 in the base", "c 0.01")
    _, judged = choose_learning(reverse, {k: grid[k] for k in kept})
    assert set(judged) == {"as given", "c 0.01"}


def test_sets_of_both_directions_are_not_learned_together() -> None:
    with pytest.raises(ValueError, match="both directions"):
        learn([_set("a", "dense", 0), _set("b-reverse", "dense", 1, "jobs-for-resume")])
