"""Ranking metrics against values worked out by hand (trec_eval conventions: gain = grade,
discount = log2(rank + 1))."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from matcher.evaluation.comparison import paired_test
from matcher.evaluation.metrics import (
    METRIC_NAMES,
    evaluate_run,
    pairwise_counts,
    strict_ranks,
    top_grade,
)

LOG2_3 = math.log2(3)
# q1 ranks a(2) c(0) b(1) d(unjudged); q2 ranks z(unjudged) then the tie x(2) = y(1).
QRELS = {"q1": {"a": 2, "b": 1, "c": 0}, "q2": {"x": 2, "y": 1}}
RUN = {
    "q1": {"a": 0.9, "c": 0.8, "b": 0.7, "d": 0.6},
    "q2": {"y": 0.5, "x": 0.5, "z": 0.9},
}
IDCG = 2 + 1 / LOG2_3  # grades 2 then 1 at ranks 1 and 2
NDCG_Q1 = (2 + 1 / 2) / IDCG  # a at rank 1, b at rank 3
NDCG_Q2 = (2 / LOG2_3 + 1 / 2) / IDCG  # x at rank 2, y at rank 3 (tie broken by ID)


def test_per_query_values_match_hand_computation() -> None:
    table = evaluate_run(QRELS, RUN).per_query.set_index("query_id")
    q1, q2 = table.loc["q1"], table.loc["q2"]
    assert q1["nDCG@5"] == pytest.approx(NDCG_Q1) and q1["nDCG@10"] == pytest.approx(NDCG_Q1)
    assert q2["nDCG@5"] == pytest.approx(NDCG_Q2)
    assert q1["MRR"] == 1.0 and q2["MRR"] == 0.5  # first grade-2 document at rank 1 / rank 2
    assert q1["MAP"] == pytest.approx((1 / 1 + 2 / 3) / 2)
    assert q2["MAP"] == pytest.approx((1 / 2 + 2 / 3) / 2)
    assert q1["P@10"] == pytest.approx(0.2) and q1["Recall@10"] == 1.0
    assert q1["pairwise_accuracy"] == pytest.approx(2 / 3)  # b (1) is below c (0)
    assert q2["pairwise_accuracy"] == 0.5  # the tie counts half
    assert (q1["judged"], q1["relevant"], q1["pairs"]) == (3, 2, 3)


def test_summary_is_the_mean_over_queries_and_pairwise_is_micro_averaged() -> None:
    summary = evaluate_run(QRELS, RUN).summary
    assert set(METRIC_NAMES) <= set(summary)
    assert summary["nDCG@10"] == pytest.approx((NDCG_Q1 + NDCG_Q2) / 2)
    assert summary["MRR"] == pytest.approx(0.75)
    # 2 of q1's 3 pairs plus half of q2's 1 pair: 2.5 / 4, not the per-query mean 0.583
    assert summary["pairwise_accuracy"] == pytest.approx(0.625)
    assert summary["queries"] == 2 and summary["pairs"] == 4


def test_recall_cutoffs() -> None:
    run = {"q": {f"d{i:02d}": 1 - i / 100 for i in range(12)}}  # d00 best ... d11 worst
    qrels = {"q": {"d10": 1}}  # rank 11
    summary = evaluate_run(qrels, run).summary
    assert summary["Recall@10"] == 0.0 and summary["Recall@50"] == 1.0
    assert summary["P@10"] == 0.0 and summary["MAP"] == pytest.approx(1 / 11)
    assert summary["MRR"] == pytest.approx(1 / 11)


def test_mrr_uses_the_top_grade_of_the_whole_qrels() -> None:
    # q_low's best document has grade 1 while the qrels' top grade is 2: its MRR is 0.
    qrels = {"q_top": {"a": 2}, "q_low": {"b": 1}}
    run = {"q_top": {"a": 1.0}, "q_low": {"b": 1.0}}
    table = evaluate_run(qrels, run).per_query.set_index("query_id")
    assert table.loc["q_top", "MRR"] == 1.0 and table.loc["q_low", "MRR"] == 0.0
    assert table.loc["q_low", "nDCG@10"] == 1.0  # graded measures still see grade 1


def test_a_query_missing_from_the_run_scores_zero_and_is_kept() -> None:
    metrics = evaluate_run({"q1": {"a": 1}, "q2": {"b": 1}}, {"q1": {"a": 1.0}})
    table = metrics.per_query.set_index("query_id")
    assert table.loc["q2", "nDCG@10"] == 0.0 and table.loc["q2", "MRR"] == 0.0
    assert metrics.summary["nDCG@10"] == 0.5 and metrics.summary["queries"] == 2


def test_pairwise_counts_missing_documents_rank_last() -> None:
    assert pairwise_counts({"a": 2, "b": 0}, {"b": 0.1}) == (0.0, 1)
    assert pairwise_counts({"a": 2, "b": 0}, {"a": 0.1}) == (1.0, 1)
    assert pairwise_counts({"a": 1, "b": 1}, {"a": 0.1, "b": 0.2}) == (0.0, 0)  # same grade
    one_document = evaluate_run({"q": {"a": 1}}, {"q": {"a": 1.0}})
    assert math.isnan(one_document.summary["pairwise_accuracy"])  # no pair to order


def test_ties_are_broken_by_document_id() -> None:
    assert list(strict_ranks({"q": {"b": 1.0, "a": 1.0}})["q"]) == ["a", "b"]
    # so the rank-based measures are reproducible: a tie puts "a" first
    assert evaluate_run({"q": {"b": 1}}, {"q": {"a": 1.0, "b": 1.0}}).summary["MRR"] == 0.5


def test_qrels_without_relevant_documents_are_rejected() -> None:
    with pytest.raises(ValueError, match="judge no document relevant"):
        top_grade({"q": {"a": 0}})
    with pytest.raises(ValueError, match="empty"):
        evaluate_run({}, {})


def test_paired_test_counts_wins_and_matches_the_exact_wilcoxon_p() -> None:
    queries = [f"q{i}" for i in range(10)]
    baseline = pd.Series([0.5] * 10, index=queries)
    deltas = [0.01 * (i + 1) for i in range(10)]
    better = pd.Series([0.5 + d for d in deltas], index=queries)
    result = paired_test(better.iloc[::-1], baseline)  # order must not matter
    assert result["wins"] == 10 and result["losses"] == 0 and result["ties"] == 0
    assert result["mean_delta"] == pytest.approx(0.055)
    assert result["p_wilcoxon"] == pytest.approx(2 / 2**10)  # all ten signs positive
    same = paired_test(baseline, baseline)
    assert same["p_wilcoxon"] == 1.0 and same["ties"] == 10
    with pytest.raises(ValueError, match="same queries"):
        paired_test(baseline.iloc[:5], baseline)
