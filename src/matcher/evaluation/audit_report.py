"""The short HTML page of a bias audit: a bar chart of the impact ratios and the table."""

from __future__ import annotations

import html
import io

from matcher.evaluation.bias_audit import FOUR_FIFTHS, Audit


def impact_ratio_chart(audit: Audit) -> str:
    """An SVG bar chart of each known category's impact ratios, with the 0.8 line."""
    from matplotlib.figure import Figure

    known = audit.table[~audit.table["unknown"]]
    labels = [f"{row.dimension}: {row.category}" for row in known.itertuples()]
    figure = Figure(figsize=(8, 0.35 * len(labels) + 1.2))
    axes = figure.subplots()
    positions = range(len(labels))
    axes.barh(
        [p - 0.2 for p in positions],
        known["selection_impact_ratio"].fillna(0),
        height=0.4,
        label="selection",
    )
    axes.barh(
        [p + 0.2 for p in positions],
        known["scoring_impact_ratio"].fillna(0),
        height=0.4,
        label="scoring",
    )
    axes.axvline(FOUR_FIFTHS, color="red", linestyle="--", label=f"{FOUR_FIFTHS} (four-fifths)")
    axes.set_yticks(list(positions), labels)
    axes.invert_yaxis()
    axes.set_xlabel("impact ratio")
    axes.legend(loc="lower right")
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def audit_html(audit: Audit, run: str) -> str:
    """A self-contained HTML page of ``audit`` for the run named ``run``."""
    flagged = audit.table[audit.table["flags"] != ""]
    table = audit.table.to_html(index=False, float_format=lambda v: f"{v:.3f}", na_rep="")
    flag_lines = "".join(
        f"<li>{html.escape(f'{row.dimension}: {row.category}: {row.flags}')}</li>"
        for row in flagged.itertuples()
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bias audit</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:2px 6px}}</style>
</head><body>
<h1>Bias audit</h1>
<p>Run: {html.escape(run)}. Selected means in the top {audit.top_k} of a posting; scored
above the median means a score over {audit.median_score:.1f}. {audit.postings} postings,
{audit.applicants} applicants; {audit.not_in_run} demographics rows name resumes not in the
run. Unknown categories are counted but take no impact ratio.</p>
<h2>Flags</h2>
<ul>{flag_lines or "<li>none</li>"}</ul>
<h2>Impact ratios</h2>
{impact_ratio_chart(audit)}
<h2>Table</h2>
{table}
</body></html>
"""
