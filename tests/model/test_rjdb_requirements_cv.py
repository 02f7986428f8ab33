"""Grouped 5-fold cross-validation of the requirement-aware ranker on the full RJDB set.

Slow (every feature of 500 x 1,000 pairs); CI runs it in its own step and prints the table.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_cross_validated_requirement_ranker_on_rjdb(rjdb_dir: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    from pipelines.train_ranker import BASELINES, compute_grid

    from matcher.labelled import load_labelled_set
    from matcher.requirement_ranker import DEFAULT_WEIGHTS
    from matcher.training import cross_validate

    labelled = load_labelled_set(
        rjdb_dir / "jobs.csv", rjdb_dir / "resumes.csv", rjdb_dir / "qrels.csv"
    )
    grid = compute_grid.fn(labelled, embedder)
    cv = cross_validate(grid, labelled.qrels, BASELINES, folds=5, prior=DEFAULT_WEIGHTS)
    print("\nRJDB, grouped 5-fold CV by job, all 1,000 resumes ranked per job")
    print(f"{'ranker':<22} {'pairwise':>9} {'MRR':>7} {'nDCG@10':>8}")
    for name, summary in cv.metrics.items():
        print(
            f"{name:<22} {summary['pairwise_accuracy']:>9.4f} {summary['MRR']:>7.4f}"
            f" {summary['nDCG@10']:>8.4f}"
        )
    learned, bm25 = cv.metrics["learned"], cv.metrics["bm25"]
    assert learned["pairwise_accuracy"] > bm25["pairwise_accuracy"]
    assert learned["MRR"] > bm25["MRR"]
    # the target of the requirement-aware ranker on this set
    assert learned["pairwise_accuracy"] >= 0.98 and learned["MRR"] >= 0.98
