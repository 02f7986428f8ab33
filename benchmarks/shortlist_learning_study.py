"""Why the shortlist model learned on other domains trailed the lexical baselines, and what helps.

The cross-domain matrix (``matcher train --sets data/labelled_sets.toml``) learns the
resumes-for-job model of each set on the sets of the *other* domains only. Learned with no base
on the synthetic sets (sample and RJDB), it was level with TF-IDF on livecareer; learned
without RJDB, it was below BM25 in pairwise accuracy on RJDB. This study prints, for the
shortlist sets only, the best of ``tfidf`` and ``bm25`` on each set and the requirement
ranker's cells (in-domain, across domains, learned on all sets) for learning variants
(:class:`matcher.evaluation.crossdomain.Learning`): a stronger relevance gate, features left
out, and a fixed base of robust signals (``Learning.base``) that the learned weights are added
to. The shipped model is learned above the base ``SHORTLIST_BASE`` (the variant marked
``shipped``): with it, every cell across domains is at least the best lexical baseline.

More weight on the requirement signals in the base (``c`` requirement_coverage) lifts RJDB's
pairwise accuracy across domains from 0.956 towards 0.98, but without the near-miss set
(``data/nearmiss``) no base reaches 0.98 there without falling below a lexical baseline on the
sample or livecareer: the other sets do not teach that trade. With it (weight 0.5, RJDB 3, as
``data/labelled_sets.toml`` has them), ``experience`` 0.075 in the base reaches 0.982.

Last, nested leave-one-set-out (``--nested``, on by default): for each set, the variant is
chosen on the other sets only (:func:`matcher.evaluation.crossdomain.nested_selection`), then
learned on them and tested on the held-out set. That cell is a measure of the choice; the
across-domains cells of the table above are not, since the shipped base was chosen on them.

A cell marked ``<`` is below the best of ``tfidf`` and ``bm25`` on that set and metric.
Features are computed as the cross-domain flow computes them (the same code as
``benchmarks/recommend_learning_study.py``) and can be kept in a pickle between runs
(``--features``; a file of this study's own, outside the repository).

    HF_HUB_OFFLINE=1 PYTHONPATH=src:. .venv/bin/python benchmarks/shortlist_learning_study.py \\
        --cache-dir .matcher/cache --features /tmp/features.pkl

Numbers are printed, never asserted.
"""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
import typer
from recommend_learning_study import (
    SETS_FILE,
    CacheDirOption,
    FeaturesOption,
    SetsFileOption,
    load_features,
)

from matcher.runtime import configure_runtime

SHORTLISTS = "resumes-for-job"
METRICS = ("nDCG@10", "MAP", "pairwise_accuracy")
SETTINGS = ("in-domain", "cross-domain", "shipped")


def _base(share: float, **parts: float) -> dict[str, float]:
    total = sum(parts.values())
    return {name: round(share * w / total, 6) for name, w in parts.items()}


#: The parts of the base shipped before the near-miss set (``experience`` 0.05; now 0.075 in
#: :data:`matcher.evaluation.crossdomain.SHORTLIST_BASE`).
BEFORE_PARTS = {"tfidf": 2.0, "dense": 1.0, "experience": 0.5, "required_skills": 0.5}
#: (label, keyword arguments of ``Learning`` for the shortlist model). Each base is named by its
#: share of the sum and the parts of that share: ``t`` tfidf, ``d`` dense, ``b`` bm25, ``e``
#: experience, ``r`` required_skills.
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("no base (shipped first)", {"base": {}}),
    ("no base, gate 4", {"base": {}, "gate": 4.0}),
    ("no base, without bm25", {"base": {}, "excluded": ("bm25",)}),
    ("base 0.3 t", {"base": _base(0.3, tfidf=1)}),
    ("base 0.3 t1 d1", {"base": _base(0.3, tfidf=1, dense=1)}),
    ("base 0.5 t1 d1", {"base": _base(0.5, tfidf=1, dense=1)}),
    ("base 0.4 t1 d1 b1", {"base": _base(0.4, tfidf=1, dense=1, bm25=1)}),
    ("base 0.4 t2 d1 e1", {"base": _base(0.4, tfidf=2, dense=1, experience=1)}),
    ("base 0.4 t2 d1 e.5 r.5 (shipped before)", {"base": _base(0.4, **BEFORE_PARTS)}),
    ("base 0.425 t2 d1 e.75 r.5 (shipped)", {}),
    ("base 0.5 t2 d1 e.5 r.5", {"base": _base(0.5, **BEFORE_PARTS)}),
    ("base 0.4 t2 d1 e.5 r.5, gate 2", {"base": _base(0.4, **BEFORE_PARTS), "gate": 2.0}),
    # more weight on the requirement signals, for RJDB's near-misses learned without RJDB
    (
        "base 0.45 t2 d1 e1 r.5",
        {"base": _base(0.45, tfidf=2, dense=1, experience=1, required_skills=0.5)},
    ),
    (
        "base 0.55 t2 d1 e1.5 r1 c.5",
        {
            "base": _base(
                0.55, tfidf=2, dense=1, experience=1.5, required_skills=1, requirement_coverage=0.5
            )
        },
    ),
    (
        "base 0.5 t2 d1 e1.5 r.5",
        {"base": _base(0.5, tfidf=2, dense=1, experience=1.5, required_skills=0.5)},
    ),
    (
        "base 0.6 t2 d1 e2 r1",
        {"base": _base(0.6, tfidf=2, dense=1, experience=2, required_skills=1)},
    ),
    (
        "base 0.6 t2 d1 e2 r1, gate 2",
        {"base": _base(0.6, tfidf=2, dense=1, experience=2, required_skills=1), "gate": 2.0},
    ),
]

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, help=__doc__.split("\n")[0])


def cells(matrix: pd.DataFrame, label: str) -> list[dict[str, Any]]:
    """One row per tested set: each setting's metrics, marked ``<`` below the best baseline."""
    rows = []
    for tested, group in matrix.groupby("tested_on", sort=False):
        fixed = group[group["ranker"].isin(["tfidf", "bm25"])]
        best = {m: fixed[m].max() for m in METRICS}
        row: dict[str, Any] = {"variant": label, "set": tested}
        for setting in SETTINGS:
            [cell] = group[group["setting"] == setting].to_dict(orient="records")
            row[setting] = " / ".join(
                f"{cell[m]:.4f}{'<' if cell[m] < best[m] - 1e-9 else ''}"
                for m in METRICS
                if not pd.isna(cell[m])
            )
        row["best tfidf/bm25"] = " / ".join(
            f"{best[m]:.4f}" for m in METRICS if not pd.isna(best[m])
        )
        rows.append(row)
    return rows


@app.command()
def main(
    sets_file: SetsFileOption = SETS_FILE,
    cache_dir: CacheDirOption = None,
    features: FeaturesOption = None,
    only: Annotated[
        list[str] | None, typer.Option(help="Run only the variants whose label contains this.")
    ] = None,
    nested: Annotated[
        bool, typer.Option(help="Also choose a variant per held-out set on the other sets only.")
    ] = True,
    table: Annotated[bool, typer.Option(help="Print each variant's cells (the slow part).")] = True,
) -> None:
    """Print the shortlist cells of the cross-domain matrix for each learning variant."""
    configure_runtime()
    from matcher.evaluation.crossdomain import Learning, cross_domain_matrix, learn
    from matcher.ranking.requirement_ranker import DEFAULT_WEIGHTS

    data = load_features(sets_file, cache_dir, features)
    shortlists = [s for s in data["sets"] if s.direction == SHORTLISTS]
    rows: list[dict[str, Any]] = []
    for label, kwargs in VARIANTS:
        if not table or (only and not any(part in label for part in only)):
            continue
        learning = Learning(domain_weights=data["weights"], **kwargs)
        model = learn(shortlists, learning, DEFAULT_WEIGHTS)
        matrix = cross_domain_matrix(
            shortlists, {SHORTLISTS: model}, 5, learning, prior=DEFAULT_WEIGHTS
        )
        rows.extend(cells(matrix, label))
        shown = {k: round(v, 3) for k, v in model.weights.items() if v > 0}
        typer.echo(f"{label}: shipped weights {shown}", err=True)
    if rows:
        with pd.option_context("display.width", 250, "display.max_colwidth", 40):
            typer.echo(pd.DataFrame(rows).to_string(index=False))
    if nested:
        chosen = {
            label: Learning(domain_weights=data["weights"], **kwargs)
            for label, kwargs in VARIANTS
            if not only or any(part in label for part in only)
        }
        typer.echo(nested_table(shortlists, chosen, DEFAULT_WEIGHTS))


def nested_table(sets: list[Any], variants: dict[str, Any], prior: dict[str, float]) -> str:
    """The held-out cells of nested leave-one-set-out selection
    (:func:`matcher.evaluation.crossdomain.nested_selection`), marked ``<`` below the best of
    ``tfidf`` and ``bm25``."""
    from matcher.evaluation.crossdomain import nested_selection

    found = nested_selection(sets, variants, prior)
    lines = ["\nNested leave-one-set-out: the variant chosen on the other sets, its held-out cell"]
    for row in found.to_dict(orient="records"):
        cells = " / ".join(
            f"{row[m]:.4f}{'<' if row[m] < row[f'best_{m}'] - 1e-9 else ''}"
            for m in METRICS
            if not pd.isna(row[m])
        )
        best = " / ".join(f"{row[f'best_{m}']:.4f}" for m in METRICS if not pd.isna(row[m]))
        lines.append(f"  {row['tested_on']}: {row['chosen']!r}: {cells} (best tfidf/bm25 {best})")
    return "\n".join(lines)


if __name__ == "__main__":
    app()
