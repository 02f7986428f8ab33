"""How far the score is the chance of a full match on each labelled set, at the top of the
lists, under the shipped calibration and the curves it was chosen against.

The score is a logistic curve fitted on the labelled sets together (every set weighing the
same; :mod:`matcher.ranking.calibration`). The expected calibration error of all pairs says
little of the top of the lists, where a recruiter reads the score: most pairs are far from any
match and score near 0. So this study prints, per set, the mean score of each query's first
result and of its first ten against the share of them judged a full match, and the error.

Each set is scored with the shipped model's weights, neutral values and gate (the model file's
shortlist and recommendation models), and calibrated by:

* ``shipped``: the model file's curve.
* ``raw``: a curve of the raw sum alone (the shipped form until 2026-12-05), fitted on all sets
  or on the sets of the other domains only (``held out``, as a new kind of data meets it).
* ``raw+tfidf best``: the raw sum and the query's best TF-IDF over the pool (the shipped form;
  a pool statistic that incremental reruns keep).
* ``raw+best``: the raw sum and its distance to the query's best raw sum (not shipped: the
  best raw sum is only known once every candidate is scored, so kept pairs would have to be
  scored again whenever a new resume beats a posting's best).

Within one query the second input is one number (or rises with the raw sum), so every curve
ranks each list as the raw sum does.

    HF_HUB_OFFLINE=1 PYTHONPATH=src:. .venv/bin/python benchmarks/calibration_study.py \\
        --cache-dir .matcher/cache --features /tmp/features.pkl

The features are computed as the cross-domain flow computes them
(``benchmarks/recommend_learning_study.py``'s ``load_features``; ``--features`` keeps them in a
pickle of this study's own, outside the repository). Numbers are printed, never asserted.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import typer
from machine import markdown
from recommend_learning_study import (
    SETS_FILE,
    CacheDirOption,
    FeaturesOption,
    SetsFileOption,
    load_features,
)

from matcher.runtime import configure_runtime

KINDS = ("raw", "raw+tfidf best", "raw+best")

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, help=__doc__.split("\n")[0])


def shipped_models() -> dict[str, Any]:
    """The shipped shortlist and recommendation models, by direction."""
    from matcher.evaluation.crossdomain import LearnedModel
    from matcher.ranking.requirement_ranker import shipped_model

    model = shipped_model()
    return {
        "resumes-for-job": LearnedModel(
            model.weights, model.neutral, model.gate, model.calibration
        ),
        "jobs-for-resume": LearnedModel(
            model.recommend_weights,
            model.neutral,
            model.recommend_gate,
            model.recommend_calibration,
        ),
    }


def inputs(raw: np.ndarray, best_tfidf: np.ndarray, kind: str) -> np.ndarray:
    """The curve's inputs of every pair of query-by-document ``raw`` and ``best_tfidf``."""
    columns = [raw]
    if kind == "raw+best":
        columns.append(raw - raw.max(axis=1, keepdims=True))
    elif kind == "raw+tfidf best":
        columns.append(best_tfidf)
    return np.stack([c.ravel() for c in columns], axis=1)


def fitted(sets: list[tuple[np.ndarray, np.ndarray, np.ndarray]], kind: str) -> Any:
    """A logistic curve of ``inputs`` fitted on the sets' pairs, every set weighing the same."""
    from sklearn.linear_model import LogisticRegression

    x = np.concatenate([inputs(raw, best, kind) for raw, best, _ in sets])
    y = np.concatenate([relevant.ravel() for _, _, relevant in sets]).astype(int)
    weight = np.concatenate([np.full(r.size, 1.0 / r.size) for _, _, r in sets])
    return LogisticRegression(C=1e4, max_iter=2000).fit(
        x, y, sample_weight=weight * len(weight) / weight.sum()
    )


def top_and_error(probability: np.ndarray, relevant: np.ndarray) -> dict[str, float]:
    """:func:`matcher.ranking.calibration.top_of_list` and the expected calibration error."""
    from matcher.ranking.calibration import reliability, top_of_list

    _, error = reliability(probability.ravel().astype(np.float32), relevant.ravel())
    return {**top_of_list(probability, relevant), "ECE": error}


@app.command()
def main(
    sets_file: SetsFileOption = SETS_FILE,
    cache_dir: CacheDirOption = None,
    features: FeaturesOption = None,
) -> None:
    """Print each set's calibration at the top of its lists under each curve."""
    configure_runtime()
    from matcher.ranking.calibration import calibrated

    data = load_features(sets_file, cache_dir, features)
    models = shipped_models()
    scored: dict[str, tuple[Any, np.ndarray, np.ndarray, np.ndarray]] = {}
    for labelled in data["sets"]:
        rows = labelled.judged_rows()
        raw = models[labelled.direction].raw(labelled)[rows].astype(np.float64)
        best = labelled.tfidf_best()[rows].astype(np.float64)
        scored[labelled.name] = (labelled, raw, best, labelled.labels(top_grade_only=True)[rows])
    lines = []
    for name, (labelled, raw, best, relevant) in scored.items():
        model = models[labelled.direction]
        curves = {"shipped": calibrated(raw, model.calibration, best).astype(np.float64)}
        for kind in KINDS:
            for setting in ("all sets", "held out"):
                train = [
                    (r, b, y)
                    for other, r, b, y in scored.values()
                    if other.direction == labelled.direction
                    and (setting == "all sets" or other.domain != labelled.domain)
                ]
                curve = fitted(train, kind)
                probability = curve.predict_proba(inputs(raw, best, kind))[:, 1]
                curves[f"{kind}, {setting}"] = probability.reshape(raw.shape)
        for curve_name, probability in curves.items():
            lines.append({"set": name, "curve": curve_name, **top_and_error(probability, relevant)})
    table = pd.DataFrame(lines)
    typer.echo(markdown(table.map(lambda v: f"{v:.3f}" if isinstance(v, float) else v)))


if __name__ == "__main__":
    app()
