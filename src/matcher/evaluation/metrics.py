"""Ranking metrics over qrels and runs, both ``{query_id: {doc_id: value}}``.

The standard measures come from `ir-measures <https://ir-measur.es>`_ (the ``pytrec_eval``
back end, i.e. trec_eval), not from code of our own:

* ``nDCG@5``, ``nDCG@10``: graded gain (gain = relevance, trec_eval's default).
* ``MRR``: reciprocal rank of the first document of the **top relevance grade present in the
  qrels** (``RR(rel=top)``; with RJDB's grades 1 and 2 that is the matching resume, not its
  near-miss copy). A query with no document of that grade scores 0.
* ``MAP``, ``P@10``, ``Recall@10``, ``Recall@50``: binary, any grade of 1 or more is relevant.

``pairwise_accuracy`` is ours: of all (query, better document, worse document) triples in which
both documents are judged with different grades, the share the run orders correctly; a tie in
score counts half. It is the one measure that looks at the near-miss copies directly.

Before scoring, each run is turned into strict ranks (score descending, then document ID
ascending), the same order the shortlists use; trec_eval would otherwise break ties by
document ID descending. Queries of the qrels that the run lacks score 0 (trec_eval ``-c``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from matcher.schema import Qrels, Run

if TYPE_CHECKING:
    from ir_measures import Measure

#: Metric names, in report order: the keys of ``matcher evaluate --json``, then ``mlflow_run_id``.
METRIC_NAMES: tuple[str, ...] = (
    "nDCG@5",
    "nDCG@10",
    "MRR",
    "MAP",
    "P@10",
    "Recall@10",
    "Recall@50",
    "pairwise_accuracy",
)
#: The metric that picks the best configuration of an experiment.
PRIMARY_METRIC = "nDCG@10"


@dataclass(frozen=True)
class RunMetrics:
    """Metrics of one run: the mean over queries, and one row per query.

    Attributes:
        summary: ``{metric: value}`` for every name in :data:`METRIC_NAMES`, plus the counts
            ``queries`` and ``pairs``. ``pairwise_accuracy`` is micro-averaged over all pairs;
            the others are means over queries.
        per_query: One row per query: ``query_id``, every metric, ``judged``, ``relevant``
            and ``pairs`` (the number of ordered pairs the query contributes).
    """

    summary: dict[str, float]
    per_query: pd.DataFrame


def top_grade(qrels: Qrels) -> int:
    """The highest relevance grade in the qrels.

    Raises:
        ValueError: If no document is judged relevant (every grade is 0 or below).
    """
    grades = [rel for docs in qrels.values() for rel in docs.values()]
    best = max(grades, default=0)
    if best <= 0:
        raise ValueError("the qrels judge no document relevant (every relevance is 0)")
    return int(best)


def _measures(qrels: Qrels) -> dict[str, Measure]:
    from ir_measures import AP, RR, P, R, nDCG

    return {
        "nDCG@5": nDCG @ 5,
        "nDCG@10": nDCG @ 10,
        "MRR": RR(rel=top_grade(qrels)),
        "MAP": AP,
        "P@10": P @ 10,
        "Recall@10": R @ 10,
        "Recall@50": R @ 50,
    }


def strict_ranks(run: Run) -> Run:
    """The run with scores replaced by ``-rank``: score descending, then doc ID ascending.

    Example:
        >>> strict_ranks({"q": {"b": 0.5, "a": 0.5, "c": 0.9}})
        {'q': {'c': -1.0, 'a': -2.0, 'b': -3.0}}
    """
    ranked: Run = {}
    for query_id, docs in run.items():
        order = sorted(docs.items(), key=lambda item: (-item[1], item[0]))
        ranked[query_id] = {doc_id: -float(rank) for rank, (doc_id, _) in enumerate(order, 1)}
    return ranked


def pairwise_counts(judged: Mapping[str, int], scores: Mapping[str, float]) -> tuple[float, int]:
    """Correctly ordered pairs (ties count half) and the number of pairs of one query.

    A pair is two judged documents with different grades. A document missing from ``scores``
    ranks below every scored one.

    Example:
        >>> pairwise_counts({"a": 2, "b": 1, "c": 0}, {"a": 0.9, "b": 0.1, "c": 0.1})
        (2.5, 3)
    """
    items = [(rel, scores.get(doc_id, -math.inf)) for doc_id, rel in judged.items()]
    correct = 0.0
    pairs = 0
    for i, (rel_i, score_i) in enumerate(items):
        for rel_j, score_j in items[i + 1 :]:
            if rel_i == rel_j:
                continue
            pairs += 1
            better, worse = (score_i, score_j) if rel_i > rel_j else (score_j, score_i)
            if better > worse:
                correct += 1.0
            elif better == worse:
                correct += 0.5
    return correct, pairs


def evaluate_run(qrels: Qrels, run: Run) -> RunMetrics:
    """All of :data:`METRIC_NAMES` for a run, per query and averaged.

    Args:
        qrels: ``{query_id: {doc_id: relevance}}``; 0 is not relevant, higher is better.
        run: ``{query_id: {doc_id: score}}``, higher is better. Unjudged documents count as
            not relevant.

    Returns:
        The summary and the per-query table; every query of the qrels has a row.

    Raises:
        ValueError: If the qrels are empty or judge nothing relevant.

    Example:
        >>> metrics = evaluate_run({"q": {"a": 2, "b": 1}}, {"q": {"b": 0.9, "a": 0.5, "c": 0.1}})
        >>> metrics.summary["MRR"], metrics.summary["pairwise_accuracy"]
        (0.5, 0.0)
    """
    import ir_measures

    if not qrels:
        raise ValueError("the qrels are empty")
    measures = _measures(qrels)
    name_of = {str(measure): name for name, measure in measures.items()}
    ranked = strict_ranks({q: run.get(q, {}) for q in qrels})
    values: dict[str, dict[str, float]] = {q: dict.fromkeys(measures, 0.0) for q in qrels}
    for metric in ir_measures.iter_calc(list(measures.values()), qrels, ranked):
        values[metric.query_id][name_of[str(metric.measure)]] = float(metric.value)
    rows = []
    total_correct = 0.0
    total_pairs = 0
    for query_id, judged in qrels.items():
        correct, pairs = pairwise_counts(judged, run.get(query_id, {}))
        total_correct += correct
        total_pairs += pairs
        rows.append(
            {
                "query_id": query_id,
                **values[query_id],
                "pairwise_accuracy": correct / pairs if pairs else math.nan,
                "judged": len(judged),
                "relevant": sum(1 for rel in judged.values() if rel > 0),
                "pairs": pairs,
            }
        )
    per_query = pd.DataFrame(rows)
    summary = {name: float(per_query[name].mean()) for name in measures}
    summary["pairwise_accuracy"] = total_correct / total_pairs if total_pairs else math.nan
    summary["queries"] = float(len(per_query))
    summary["pairs"] = float(total_pairs)
    return RunMetrics(summary, per_query)
