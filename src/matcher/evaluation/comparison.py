"""Compare evaluated configurations: a table with paired significance tests, and plots.

Figures are built on :class:`matplotlib.figure.Figure` directly (the Agg canvas), so nothing
depends on a display or on pyplot's global state.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from matcher.evaluation.metrics import METRIC_NAMES, PRIMARY_METRIC

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from matcher.evaluation.evaluate import Evaluation


def paired_test(candidate: pd.Series, baseline: pd.Series) -> dict[str, float]:
    """Paired comparison of per-query values (indexed by query ID) of two configurations.

    Returns:
        ``mean_delta`` (candidate minus baseline), ``wins``, ``losses`` and ``ties`` (queries),
        ``p_wilcoxon`` (two-sided Wilcoxon signed-rank) and ``p_ttest`` (two-sided paired
        t-test). With no difference on any query both p-values are 1.

    Raises:
        ValueError: If the two series do not cover the same queries.
    """
    from scipy import stats

    if set(candidate.index) != set(baseline.index):
        raise ValueError("paired test needs the same queries on both sides")
    a = candidate.astype(float)
    b = baseline.astype(float).reindex(a.index)
    delta = (a - b).to_numpy()
    result = {
        "mean_delta": float(delta.mean()) if len(delta) else math.nan,
        "wins": float((delta > 0).sum()),
        "losses": float((delta < 0).sum()),
        "ties": float((delta == 0).sum()),
    }
    if not np.any(delta != 0):
        return {**result, "p_wilcoxon": 1.0, "p_ttest": 1.0}
    with warnings.catch_warnings():
        # Identical non-zero differences make the t statistic infinite; scipy warns, p is 0.
        warnings.simplefilter("ignore", RuntimeWarning)
        result["p_wilcoxon"] = float(stats.wilcoxon(a.to_numpy(), b.to_numpy()).pvalue)
        result["p_ttest"] = float(stats.ttest_rel(a.to_numpy(), b.to_numpy()).pvalue)
    return result


def comparison_table(
    evaluations: Sequence[Evaluation], baseline: str, metric: str = PRIMARY_METRIC
) -> pd.DataFrame:
    """One row per configuration: its metrics and a paired test on ``metric`` vs ``baseline``.

    Rows are sorted by ``metric``, best first. The columns are ``label``, ``ranker``,
    every metric of :data:`matcher.evaluation.metrics.METRIC_NAMES`, ``seconds``, then the test
    columns of :func:`paired_test` prefixed with ``vs_baseline_``, and ``baseline`` (True on its
    row).

    Raises:
        ValueError: If no evaluation has the baseline's label.
    """
    by_label = {e.label: e for e in evaluations}
    if baseline not in by_label:
        raise ValueError(f"baseline {baseline!r} was not evaluated: {', '.join(by_label)}")
    reference = _per_query(by_label[baseline], metric)
    rows = []
    for evaluation in evaluations:
        test = paired_test(_per_query(evaluation, metric), reference)
        rows.append(
            {
                "label": evaluation.label,
                "ranker": evaluation.config.ranker,
                **evaluation.summary,
                "seconds": evaluation.seconds,
                **{f"vs_baseline_{k}": v for k, v in test.items()},
                "baseline": evaluation.label == baseline,
            }
        )
    table = pd.DataFrame(rows)
    return table.sort_values(metric, ascending=False, kind="stable").reset_index(drop=True)


def _per_query(evaluation: Evaluation, metric: str) -> pd.Series:
    frame = evaluation.metrics.per_query
    return pd.Series(frame[metric].to_numpy(), index=frame["query_id"].astype(str))


def best_label(table: pd.DataFrame, metric: str = PRIMARY_METRIC) -> str:
    """The label with the highest ``metric`` (the first in grid order on a tie)."""
    return str(table.loc[table[metric].idxmax(), "label"])


def table_markdown(table: pd.DataFrame, metric: str = PRIMARY_METRIC) -> str:
    """The comparison as a Markdown table with a short legend (no extra dependencies)."""
    columns = ["label", *METRIC_NAMES, "vs_baseline_mean_delta", "vs_baseline_p_wilcoxon"]
    header = [
        "configuration",
        *METRIC_NAMES,
        f"Δ {metric} vs baseline",
        "p (Wilcoxon)",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for _, row in table.iterrows():
        cells = []
        for column in columns:
            value = row[column]
            if column == "label":
                cells.append(f"**{value}** (baseline)" if row["baseline"] else str(value))
            elif column == "vs_baseline_p_wilcoxon":
                cells.append(f"{value:.3g}")
            else:
                cells.append(f"{value:+.4f}" if "delta" in column else f"{value:.4f}")
        lines.append("| " + " | ".join(cells) + " |")
    legend = (
        f"\nPaired tests on per-query {metric} against the baseline; a small p means the"
        " difference is unlikely to be chance on these queries."
    )
    return "\n".join(lines) + "\n" + legend + "\n"


def table_html(table: pd.DataFrame, metric: str = PRIMARY_METRIC) -> str:
    """The comparison as a standalone HTML page."""
    body = table.to_html(index=False, float_format=lambda v: f"{v:.4f}", border=0)
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Ranker comparison</title>"
        "<style>td,th{padding:4px 8px;text-align:right}th{background:#eee}</style></head>"
        f"<body><h1>Ranker comparison</h1><p>Sorted by {metric}; paired tests on per-query"
        f" {metric} against the baseline.</p>{body}</body></html>\n"
    )


def metric_bar_chart(
    summaries: Mapping[str, Mapping[str, float]], title: str = "Ranking metrics"
) -> Figure:
    """Grouped bars: one group per metric, one bar per configuration."""
    from matplotlib.figure import Figure

    labels = list(summaries)
    metrics = list(METRIC_NAMES)
    figure = Figure(figsize=(max(7.0, 1.2 * len(metrics)), 4.2), layout="constrained")
    axes = figure.subplots()
    width = 0.8 / max(len(labels), 1)
    positions = np.arange(len(metrics))
    for i, label in enumerate(labels):
        values = [summaries[label].get(m, math.nan) for m in metrics]
        axes.bar(positions + i * width - 0.4 + width / 2, values, width, label=label)
    axes.set_xticks(positions, metrics, rotation=20)
    axes.set_ylim(0, 1.05)
    axes.set_ylabel("value")
    axes.set_title(title)
    axes.grid(axis="y", alpha=0.3)
    if len(labels) > 1:
        axes.legend(fontsize="small", ncols=min(4, len(labels)), loc="lower left")
    return figure


def score_distribution_chart(evaluation: Evaluation, bins: int = 40) -> Figure:
    """Histograms of the scores of relevant pairs and of all other pairs (densities)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 4.0), layout="constrained")
    axes = figure.subplots()
    both = np.concatenate([evaluation.relevant_scores, evaluation.other_scores])
    low, high = (float(both.min()), float(both.max())) if both.size else (0.0, 1.0)
    edges = np.linspace(low, high if high > low else low + 1.0, bins + 1).tolist()
    for values, name in (
        (evaluation.other_scores, "not relevant / unjudged"),
        (evaluation.relevant_scores, "relevant"),
    ):
        if values.size:
            axes.hist(
                values, bins=edges, density=True, alpha=0.55, label=f"{name} (n={values.size})"
            )
    axes.set_xlabel("score")
    axes.set_ylabel("density")
    axes.set_title(f"Score distribution: {evaluation.label}")
    axes.legend(fontsize="small")
    return figure


#: A configuration becomes the champion only if it beats the current one on at least this many
#: judged queries ...
MIN_PROMOTION_QUERIES = 30
#: ... with a two-sided paired Wilcoxon p-value under this.
PROMOTION_ALPHA = 0.05


def per_query_values(evaluation: Evaluation, metric: str = PRIMARY_METRIC) -> pd.Series:
    """``metric`` of each judged query of ``evaluation``, indexed by query ID."""
    return _per_query(evaluation, metric)


def promotion_decision(
    candidate: pd.Series,
    reference: pd.Series,
    reference_label: str,
    metric: str = PRIMARY_METRIC,
) -> tuple[bool, str]:
    """Whether a configuration may replace the champion, and why (a sentence to print).

    It may if, over at least :data:`MIN_PROMOTION_QUERIES` queries, its mean per-query
    ``metric`` is higher than the reference's (the current champion, or the built-in default
    when there is none) and the paired Wilcoxon test gives p < :data:`PROMOTION_ALPHA`.

    Args:
        candidate: Per-query values of the configuration (see :func:`per_query_values`).
        reference: Per-query values of the champion or the default, on the same queries.
        reference_label: How to name the reference in the reason.
        metric: The metric's name, for the reason.

    Example:
        >>> import pandas as pd
        >>> promotion_decision(pd.Series([0.5, 0.6]), pd.Series([0.4, 0.5]), "bm25")[1]
        'only 2 judged queries; promotion needs at least 30'
        >>> promotion_decision(pd.Series([0.5]), pd.Series([0.4]), "bm25")[1]
        'only 1 judged query; promotion needs at least 30'
    """
    if len(candidate) < MIN_PROMOTION_QUERIES:
        queries = "query" if len(candidate) == 1 else "queries"
        return False, (
            f"only {len(candidate)} judged {queries}; promotion needs at least"
            f" {MIN_PROMOTION_QUERIES}"
        )
    test = paired_test(candidate, reference)
    delta, p_value = test["mean_delta"], test["p_wilcoxon"]
    versus = f"{reference_label} on {metric} over {len(candidate)} queries"
    if delta <= 0:
        return False, f"it does not beat {versus} (mean difference {delta:+.4f})"
    if p_value >= PROMOTION_ALPHA:
        return False, (
            f"its gain over {versus} ({delta:+.4f}) is not significant"
            f" (Wilcoxon p = {p_value:.3f}, needs < {PROMOTION_ALPHA})"
        )
    return True, f"it beats {versus} by {delta:+.4f} (Wilcoxon p = {p_value:.3g})"
