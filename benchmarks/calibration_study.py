"""How far the shipped score is the chance of a full match on each labelled set, and whether a
score relative to the query's best would hold better.

The shipped score is one Platt curve of the ranker's raw weighted sum, fitted on the labelled
sets together (every set weighing the same; :mod:`matcher.ranking.calibration`). Its expected
calibration error is small on every set (0.01-0.03), because most pairs are far from any match
and are scored near 0. This study looks at the top of each list, where a recruiter reads the
score: the mean score of each query's first result and of its first ten, against the share of
them judged a full match.

Each set is scored with the shipped model's weights, neutral values and gate (the model file's
shortlist and recommendation models), and calibrated four ways:

* ``shipped``: the model file's curve.
* ``raw``: a Platt curve of the raw sum, fitted again (on all sets, or on the sets of the other
  domains only: ``held out``, as a new kind of data would meet it).
* ``raw+best``: a logistic curve of the raw sum and its distance to the query's best raw sum.
  Within one query it is still a rising function of the raw sum (its coefficients are
  positive), so no ranking changes; across queries it reads each pair against the best the
  pool offers.

    HF_HUB_OFFLINE=1 PYTHONPATH=src:. .venv/bin/python benchmarks/calibration_study.py \\
        --cache-dir .matcher/cache --features /tmp/features.pkl

The features are computed as the cross-domain flow computes them
(``benchmarks/recommend_learning_study.py``'s ``load_features``; ``--features`` keeps them in a
pickle of this study's own, outside the repository). Numbers are printed, never asserted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer

from matcher.runtime import configure_runtime

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "src" / "matcher" / "data" / "requirements_ranker.json"
KINDS = ("raw", "raw+best")

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, help=__doc__.split("\n")[0])


def shipped_models() -> dict[str, Any]:
    """The model file's shortlist and recommendation models, by direction."""
    from matcher.evaluation.crossdomain import LearnedModel

    model = json.loads(MODEL.read_text(encoding="utf-8"))
    recommend = model["recommendations"]
    return {
        "resumes-for-job": LearnedModel(
            model["weights"], model["neutral"], model["gate"], model["calibration"]
        ),
        "jobs-for-resume": LearnedModel(
            recommend["weights"], model["neutral"], recommend["gate"], recommend["calibration"]
        ),
    }


def inputs(raw: np.ndarray, kind: str) -> np.ndarray:
    """The calibration's inputs of every pair of a query-by-document ``raw`` matrix."""
    columns = [raw]
    if kind == "raw+best":
        columns.append(raw - raw.max(axis=1, keepdims=True))
    return np.stack([c.ravel() for c in columns], axis=1)


def fitted(sets: list[tuple[np.ndarray, np.ndarray]], kind: str) -> Any:
    """A logistic curve of ``inputs`` fitted on the sets' pairs, every set weighing the same."""
    from sklearn.linear_model import LogisticRegression

    x = np.concatenate([inputs(raw, kind) for raw, _ in sets])
    y = np.concatenate([relevant.ravel() for _, relevant in sets]).astype(int)
    weight = np.concatenate([np.full(relevant.size, 1.0 / relevant.size) for _, relevant in sets])
    return LogisticRegression(C=1e4, max_iter=2000).fit(
        x, y, sample_weight=weight * len(weight) / weight.sum()
    )


def top_of_list(probability: np.ndarray, relevant: np.ndarray) -> dict[str, float]:
    """The mean score and the share judged a full match of each query's first and first ten,
    and the expected calibration error of all pairs."""
    from matcher.ranking.calibration import reliability

    order = np.argsort(-probability, axis=1, kind="stable")
    first, ten = order[:, :1], order[:, :10]
    _, error = reliability(probability.ravel().astype(np.float32), relevant.ravel())
    return {
        "top-1 score": float(np.take_along_axis(probability, first, 1).mean()),
        "top-1 full matches": float(np.take_along_axis(relevant, first, 1).mean()),
        "top-10 score": float(np.take_along_axis(probability, ten, 1).mean()),
        "top-10 full matches": float(np.take_along_axis(relevant, ten, 1).mean()),
        "ECE": error,
    }


@app.command()
def main(
    sets_file: Annotated[Path, typer.Option(help="The labelled sets.")] = (
        REPO / "data" / "labelled_sets.toml"
    ),
    cache_dir: Annotated[Path | None, typer.Option(help="Embedding cache folder.")] = None,
    features: Annotated[
        Path | None, typer.Option(help="Pickle of the features: read if it exists, else written.")
    ] = None,
) -> None:
    """Print each set's top-of-list calibration under each curve."""
    configure_runtime()
    sys.path.insert(0, str(REPO / "benchmarks"))
    from recommend_learning_study import load_features

    from matcher.ranking.calibration import calibrated

    data = load_features(sets_file, cache_dir, features)
    models = shipped_models()
    scored: dict[str, tuple[Any, np.ndarray, np.ndarray]] = {}
    for labelled in data["sets"]:
        rows = labelled.judged_rows()
        raw = models[labelled.direction].raw(labelled)[rows].astype(np.float64)
        scored[labelled.name] = (labelled, raw, labelled.labels(top_grade_only=True)[rows])
    lines = []
    for name, (labelled, raw, relevant) in scored.items():
        model = models[labelled.direction]
        curves = {"shipped": calibrated(raw, model.calibration).astype(np.float64)}
        for kind in KINDS:
            for setting in ("all sets", "held out"):
                train = [
                    (r, y)
                    for other, r, y in scored.values()
                    if other.direction == labelled.direction
                    and (setting == "all sets" or other.domain != labelled.domain)
                ]
                curve = fitted(train, kind)
                probability = curve.predict_proba(inputs(raw, kind))[:, 1].reshape(raw.shape)
                curves[f"{kind}, {setting}"] = probability
                if setting == "all sets" and kind == "raw+best":
                    coefficients = np.round(curve.coef_[0], 2).tolist()
                    typer.echo(
                        f"{name}: raw+best on all sets, coefficients {coefficients}", err=True
                    )
        for curve_name, probability in curves.items():
            lines.append({"set": name, "curve": curve_name, **top_of_list(probability, relevant)})
    typer.echo(markdown(pd.DataFrame(lines)))


def markdown(table: pd.DataFrame) -> str:
    """``table`` as a Markdown table, numbers to three places."""
    cells = [[f"{v:.3f}" if isinstance(v, float) else str(v) for v in row] for row in table.values]
    rows = [list(table.columns), ["---"] * len(table.columns), *cells]
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


if __name__ == "__main__":
    app()
