"""Full evaluation on the shared RJDB set (500 postings, 1,000 resumes): slow, run with -m slow.

Prints the metric table (CI runs the slow tests with ``-s``) and checks sane floors rather
than exact numbers, so a better ranker never breaks the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.evaluation.evaluate import Evaluation, evaluate_ranker
from matcher.evaluation.labelled import LabelledSet, load_labelled_set
from matcher.evaluation.metrics import METRIC_NAMES
from matcher.ranking.catalogue import make_ranker
from matcher.ranking.embedding import Embedder

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rjdb(rjdb_dir: Path) -> LabelledSet:
    return load_labelled_set(
        rjdb_dir / "jobs.csv", rjdb_dir / "resumes.csv", rjdb_dir / "qrels.csv"
    )


@pytest.fixture(scope="module")
def results(rjdb: LabelledSet, embedder: Embedder) -> dict[str, Evaluation]:
    evaluations = {
        name: evaluate_ranker(make_ranker(name, embedder=embedder), rjdb)
        for name in ("bm25", "dense", "hybrid")
    }
    header = f"{'ranker':<8}" + "".join(f"{name:>19}" for name in (*METRIC_NAMES, "seconds"))
    print(f"\nRJDB full set: {len(rjdb.qrels)} postings ranked against {len(rjdb.resumes)} resumes")
    print(header)
    for name, evaluation in evaluations.items():
        values = [evaluation.summary[m] for m in METRIC_NAMES] + [evaluation.seconds]
        print(f"{name:<8}" + "".join(f"{value:>19.4f}" for value in values))
    return evaluations


def test_the_whole_set_is_evaluated(rjdb: LabelledSet, results: dict[str, Evaluation]) -> None:
    assert len(rjdb.qrels) == 500 and len(rjdb.resumes) == 1000  # nothing rejected or merged
    for evaluation in results.values():
        assert evaluation.metrics.summary["queries"] == 500
        assert evaluation.metrics.summary["pairs"] == 500  # one (match, near-miss) pair each


@pytest.mark.parametrize("name", ["bm25", "dense", "hybrid"])
def test_every_ranker_clears_the_floors(results: dict[str, Evaluation], name: str) -> None:
    summary = results[name].summary
    assert summary["nDCG@10"] > 0.5, summary
    assert summary["Recall@50"] > 0.8, summary
    # the matching resume above its own near-miss copy more often than a coin would
    assert summary["pairwise_accuracy"] > 0.6, summary


def test_lexical_signal_is_strong_and_hybrid_beats_dense(results: dict[str, Evaluation]) -> None:
    assert results["bm25"].summary["nDCG@10"] > 0.8
    assert results["hybrid"].summary["nDCG@10"] >= results["dense"].summary["nDCG@10"]
