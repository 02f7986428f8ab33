"""Why the recommendation model learned on synthetic sets trails TF-IDF on livecareer.

The cross-domain matrix (``matcher train --sets data/labelled_sets.toml``) learns the
jobs-for-resume model of livecareer on the sample and RJDB only; it ranks livecareer's postings
below plain TF-IDF. This study prints, for the jobs-for-resume sets only:

* the weights that cross-domain model learns, and each feature alone on livecareer;
* the requirement-ranker cells of the matrix (in-domain, cross-domain, learned on all) for
  learning variants: a stronger relevance gate, and features left out of the recommendation
  model (``Learning.recommend_gate`` and ``Learning.recommend_excluded``).

Since this study, the shipped recommendation model is learned without ``bm25``, with gate 4
and above a fixed base (``RECOMMEND_BASE``: tfidf 0.2, dense 0.1, required_skills 0.1; the
defaults of :class:`matcher.evaluation.crossdomain.Learning`); the weights printed first are
those of the model shipped first, gate 1, every feature and no base.

Last, nested leave-one-set-out: for each set, the variant is chosen on the other sets only
(``matcher.evaluation.crossdomain.nested_selection``) and its held-out cell printed, a measure
of the choice that the held-out set has not seen.

Features are computed as the cross-domain flow computes them (its ``load_set`` and
``featurise`` tasks, inside a Prefect flow) and can be kept in a pickle between runs
(``--features``; a file of this study's own, outside the repository).

    HF_HUB_OFFLINE=1 PYTHONPATH=src:. .venv/bin/python benchmarks/recommend_learning_study.py \\
        --cache-dir .matcher/cache --features /tmp/features.pkl

Numbers are printed, never asserted.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from matcher.runtime import configure_runtime

REPO = Path(__file__).resolve().parents[1]
#: The options of every study of the labelled sets' features (:func:`load_features`; also
#: ``shortlist_learning_study.py`` and ``calibration_study.py``).
SETS_FILE = REPO / "data" / "labelled_sets.toml"
SetsFileOption = Annotated[Path, typer.Option(help="The labelled sets.")]
CacheDirOption = Annotated[Path | None, typer.Option(help="Embedding cache folder.")]
FeaturesOption = Annotated[
    Path | None, typer.Option(help="Pickle of the features: read if it exists, else written.")
]
ELIGIBILITY = ("required_skills", "preferred_skills", "experience", "degree")
METRICS = ["nDCG@10", "MAP", "pairwise_accuracy"]
#: (label, keyword arguments of ``Learning`` for the recommendation model): the relevance gate,
#: the features left out and the fixed base (``t`` tfidf, ``d`` dense, ``r`` required_skills).
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("gate 1 (shipped first)", {"recommend_gate": 1.0, "recommend_excluded": ()}),
    ("gate 2", {"recommend_gate": 2.0, "recommend_excluded": ()}),
    ("gate 4", {"recommend_gate": 4.0, "recommend_excluded": ()}),
    ("without bm25", {"recommend_gate": 1.0}),
    ("without bm25, gate 4 (shipped before)", {}),
    ("without eligibility", {"recommend_gate": 1.0, "recommend_excluded": ELIGIBILITY}),
    (
        "without eligibility and bm25",
        {"recommend_gate": 1.0, "recommend_excluded": (*ELIGIBILITY, "bm25")},
    ),
    ("without bm25, gate 4, base 0.3 t2 d1", {"recommend_base": {"tfidf": 0.2, "dense": 0.1}}),
    ("without bm25, gate 4, base 0.1 r", {"recommend_base": {"required_skills": 0.1}}),
    ("without bm25, gate 4, base 0.4 t2 d1 r1 (shipped)", {"recommend_base": None}),
]
#: The base of each variant unless it names one (``None``: :data:`RECOMMEND_BASE`, shipped).
NO_BASE: dict[str, Any] = {"recommend_base": {}}


def learning_of(weights: dict[str, float], kwargs: dict[str, Any]) -> Any:
    """The ``Learning`` of a variant: no recommendation base unless it names one."""
    from matcher.evaluation.crossdomain import Learning

    chosen = {**NO_BASE, **kwargs}
    if chosen["recommend_base"] is None:
        del chosen["recommend_base"]
    return Learning(domain_weights=weights, **chosen)


app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, help=__doc__.split("\n")[0])


def featurised(sets_file: Path, cache_dir: Path | None) -> dict[str, Any]:
    """Every set's features in both directions and each set's learning weight."""
    from pipelines.cross_domain import featurise, load_set
    from prefect import flow

    from matcher.evaluation.labelled_sets import load_sets_file
    from matcher.ranking.embedding import Embedder
    from matcher.settings import load_settings

    @flow(name="recommend-learning-study")
    def compute() -> dict[str, Any]:
        specs = load_sets_file(sets_file)
        settings = load_settings(**({"embedding": {"cache_dir": cache_dir}} if cache_dir else {}))
        embedder = Embedder.from_settings(settings.embedding, show_progress=False)
        sets = []
        for spec in specs:
            sets.extend(featurise(spec, load_set(spec, settings.limits), settings, embedder))
        return {"sets": sets, "weights": {spec.name: spec.weight for spec in specs}}

    return compute()


def load_features(sets_file: Path, cache_dir: Path | None, features: Path | None) -> Any:
    """The features of every set (read from ``features`` if it exists, else computed and
    written there); this study's and ``shortlist_learning_study``'s."""
    if features is not None and features.is_file():
        with features.open("rb") as handle:
            return pickle.load(handle)  # this study's own file, never a download
    data = featurised(sets_file, cache_dir)
    if features is not None:
        with features.open("wb") as handle:
            pickle.dump(data, handle)
    return data


@app.command()
def main(
    sets_file: SetsFileOption = SETS_FILE,
    cache_dir: CacheDirOption = None,
    features: FeaturesOption = None,
    tested: Annotated[str, typer.Option(help="The real set of the question.")] = (
        "livecareer-reverse"
    ),
    nested: Annotated[
        bool, typer.Option(help="Also choose a variant per held-out set on the other sets only.")
    ] = True,
    table: Annotated[bool, typer.Option(help="Print each variant's cells (the slow part).")] = True,
) -> None:
    """Print the cross-domain recommendation model's weights and the matrix of each variant."""
    configure_runtime()
    from matcher.evaluation.crossdomain import Learning, cross_domain_matrix, learn, summary
    from matcher.ranking.features import FEATURES
    from matcher.ranking.requirement_ranker import DEFAULT_WEIGHTS

    data = load_features(sets_file, cache_dir, features)
    reverse = [s for s in data["sets"] if s.direction == "jobs-for-resume"]
    [target] = [s for s in reverse if s.name == tested]
    learning = Learning(
        domain_weights=data["weights"],
        recommend_gate=1.0,
        recommend_excluded=(),
        recommend_base={},
    )
    model = learn([s for s in reverse if s.domain != target.domain], learning, DEFAULT_WEIGHTS)
    typer.echo(f"cross-domain weights for {tested}: {model.weights}")
    for name, scores in target.baselines.items():
        typer.echo(f"  {name}: {summary(target, target.run(target.oriented(scores)))}")
    values = target.values(model.neutral, model.gate)
    for k, name in enumerate(FEATURES):
        typer.echo(f"  feature {name} alone: {summary(target, target.run(values[:, :, k]))}")
    variants = {label: learning_of(data["weights"], kwargs) for label, kwargs in VARIANTS}
    for label, learning in variants.items():
        if not table:
            break
        shipped = {"jobs-for-resume": learn(reverse, learning, DEFAULT_WEIGHTS)}
        matrix = cross_domain_matrix(reverse, shipped, 5, learning, prior=DEFAULT_WEIGHTS)
        cells = matrix[matrix["ranker"] == "requirements"]
        typer.echo(f"\n{label}")
        typer.echo(cells[["tested_on", "setting", *METRICS]].round(4).to_string(index=False))
    if nested:
        sys.path.insert(0, str(REPO / "benchmarks"))
        from shortlist_learning_study import nested_table

        typer.echo(nested_table(reverse, variants, DEFAULT_WEIGHTS))


if __name__ == "__main__":
    app()
