"""Bias audit of a shortlist run: selection and scoring rates, and impact ratios, by group.

The figures are those NYC Local Law 144 asks of an automated employment decision tool, for
sex, race/ethnicity and their intersection:

| figure | meaning |
| --- | --- |
| ``applicants`` | resumes of the category scored in the run |
| ``decisions`` | (posting, resume) pairs of the category (each resume meets each posting) |
| ``selection_rate`` | share of the category's pairs that reach the top K of the posting |
| ``scoring_rate`` | share of the category's pairs scored above the median of all pairs |
| ``*_impact_ratio`` | the rate over the highest rate of a category (the most selected) |

A pair's score for the scoring rate is the sum of its ``points.*`` columns where the decisions
have them (two decimals), not the ``score`` shown to one decimal, at which many pairs tie at the
median.

The demographics come from a separate file (``resume_id`` plus ``sex`` and/or
``race_ethnicity``) that the ranker never sees. Resumes it does not cover, and empty cells,
count as ``Unknown``: they are counted but take no impact ratio. A category holding under 2 %
of the applicants is flagged, and is not used as the reference of the impact ratios unless all
categories are that small. An impact ratio under 0.8 (the four-fifths rule) is flagged.

The rates per group come from fairlearn's :class:`~fairlearn.metrics.MetricFrame`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from matcher import schema

#: The demographic columns a demographics file may hold (at least one).
DIMENSIONS = ("sex", "race_ethnicity")
#: The name of the intersection of all present dimensions.
INTERSECTION = "sex × race_ethnicity"
#: Category of a resume the demographics file does not describe.
UNKNOWN = "Unknown"
#: Share of the applicants under which a category is flagged as too small to compare.
SMALL_SHARE = 0.02
#: Impact ratios under this are flagged (the four-fifths rule).
FOUR_FIFTHS = 0.8

#: Columns of ``audit.csv``, in order.
AUDIT_COLUMNS = (
    "dimension",
    "category",
    "applicants",
    "share_of_applicants",
    "decisions",
    "selection_rate",
    "selection_impact_ratio",
    "scoring_rate",
    "scoring_impact_ratio",
    "unknown",
    "small_category",
    "flags",
)


class DemographicsError(ValueError):
    """The demographics file cannot be used; the message names the row or column."""


@dataclass(frozen=True)
class Audit:
    """The audit table and what it was computed on."""

    table: pd.DataFrame
    top_k: int
    median_score: float
    postings: int
    applicants: int
    not_in_run: int  # demographics rows whose resume was not scored in the run


def read_demographics(path: Path) -> pd.DataFrame:
    """Read a demographics CSV: ``resume_id`` plus at least one of :data:`DIMENSIONS`.

    Raises:
        DemographicsError: An unreadable file, a missing column, an empty or repeated
            ``resume_id``, or an unexpected column (demographics files must hold nothing
            else).
    """
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        reason = " ".join(str(error).split())[:200]
        raise DemographicsError(f"{path}: unreadable CSV ({reason})") from error
    return check_demographics(frame, str(path))


def check_demographics(frame: pd.DataFrame, source: str = "demographics") -> pd.DataFrame:
    """Validate a demographics table (see :func:`read_demographics`); returns it trimmed."""
    columns = [str(c).strip() for c in frame.columns]
    frame = frame.set_axis(columns, axis=1)
    if schema.RESUME_ID not in columns:
        raise DemographicsError(f"{source}: no resume_id column (found: {', '.join(columns)})")
    extra = [c for c in columns if c not in (schema.RESUME_ID, *DIMENSIONS)]
    if extra:
        raise DemographicsError(
            f"{source}: unexpected columns {', '.join(extra)}; only resume_id,"
            f" {', '.join(DIMENSIONS)} are allowed"
        )
    if not any(d in columns for d in DIMENSIONS):
        raise DemographicsError(f"{source}: needs a sex or a race_ethnicity column")
    frame = frame.astype(str).apply(lambda column: column.str.strip())
    ids = frame[schema.RESUME_ID]
    if (ids == "").any():
        row = int(np.flatnonzero(ids == "")[0]) + 2  # 1-based, after the header
        raise DemographicsError(f"{source}: row {row} has an empty resume_id")
    repeated = ids[ids.duplicated()]
    if len(repeated):
        raise DemographicsError(f"{source}: resume_id {repeated.iloc[0]!r} appears twice")
    return frame


def audit_decisions(
    decisions: pd.DataFrame, demographics: pd.DataFrame, top_k: int | None = None
) -> Audit:
    """The audit table of a run's decision records (:mod:`matcher.ranking.decisions`).

    Args:
        decisions: One row per (posting, resume) pair with ``rank`` and ``score``.
        demographics: A table checked by :func:`check_demographics`.
        top_k: Shortlist size that counts as selected; the run's own if None.

    Returns:
        The audit, with one table row per category of each dimension and of the
        intersection, in the order of :data:`AUDIT_COLUMNS`.
    """
    from fairlearn.metrics import MetricFrame, count, selection_rate

    if decisions.empty:
        raise ValueError("the run scored no (posting, resume) pair: nothing to audit")
    k = int(top_k if top_k is not None else decisions["top_k"].iloc[0])
    if k < 1:
        raise ValueError(f"top_k must be at least 1, not {k}")
    dimensions = [d for d in DIMENSIONS if d in demographics.columns]
    groups = demographics.set_index(schema.RESUME_ID)[dimensions]
    pairs = decisions[[schema.JOB_ID, schema.RESUME_ID, "rank", "score"]].copy()
    pairs[schema.RESUME_ID] = pairs[schema.RESUME_ID].astype(str)
    points = [column for column in decisions.columns if str(column).startswith("points.")]
    if points:
        # The score is kept to one decimal, and many pairs tie at the median there (0.1 of
        # a run where most pairs are far from a match); its points, to two decimals, add up
        # to it and tie far less. Their sum is rounded to two decimals again, so that 0.1 +
        # 0.2 and 0.3 + 0.0 are the same score.
        pairs["score"] = decisions[points].sum(axis=1).round(2).to_numpy(dtype=float)
    median = float(pairs["score"].median())
    pairs["selected"] = (pairs["rank"] <= k).astype(int)
    pairs["above_median"] = (pairs["score"] > median).astype(int)
    resumes = pd.DataFrame({schema.RESUME_ID: pairs[schema.RESUME_ID].unique()})
    for frame in (pairs, resumes):
        for dimension in dimensions:
            values = frame[schema.RESUME_ID].map(groups[dimension]).fillna("")
            frame[dimension] = values.where(values != "", UNKNOWN)
        if len(dimensions) > 1:
            frame[INTERSECTION] = _intersection(frame, dimensions)
    views = [*dimensions, *([INTERSECTION] if len(dimensions) > 1 else [])]
    tables = []
    for view in views:
        rates = MetricFrame(
            metrics={"decisions": count, "selection_rate": selection_rate},
            y_true=pairs["selected"],
            y_pred=pairs["selected"],
            sensitive_features=pairs[view],
        ).by_group
        scoring = MetricFrame(
            metrics=selection_rate,
            y_true=pairs["above_median"],
            y_pred=pairs["above_median"],
            sensitive_features=pairs[view],
        ).by_group
        applicants = MetricFrame(
            metrics=count,
            y_true=np.zeros(len(resumes)),
            y_pred=np.zeros(len(resumes)),
            sensitive_features=resumes[view],
        ).by_group
        table = pd.DataFrame(
            {
                "dimension": view,
                "category": rates.index.astype(str),
                "applicants": applicants.reindex(rates.index).to_numpy().astype(int),
                "decisions": rates["decisions"].to_numpy().astype(int),
                "selection_rate": rates["selection_rate"].to_numpy(dtype=float),
                "scoring_rate": scoring.to_numpy(dtype=float),
            }
        )
        tables.append(_impact_ratios(table, len(resumes)))
    table = pd.concat(tables, ignore_index=True)[list(AUDIT_COLUMNS)]
    not_in_run = int((~demographics[schema.RESUME_ID].isin(resumes[schema.RESUME_ID])).sum())
    return Audit(table, k, median, pairs[schema.JOB_ID].nunique(), len(resumes), not_in_run)


def _intersection(frame: pd.DataFrame, dimensions: list[str]) -> pd.Series:
    known = (frame[dimensions] != UNKNOWN).all(axis=1)
    joined = frame[dimensions].astype(str).agg(" × ".join, axis=1)
    return joined.where(known, UNKNOWN)


def _impact_ratios(table: pd.DataFrame, applicants: int) -> pd.DataFrame:
    """Add shares, impact ratios against the most selected category, and flags."""
    table = table.copy()
    table["share_of_applicants"] = table["applicants"] / applicants
    table["unknown"] = table["category"] == UNKNOWN
    table["small_category"] = ~table["unknown"] & (table["share_of_applicants"] < SMALL_SHARE)
    known = table[~table["unknown"]]
    reference = known[~known["small_category"]]
    reference = reference if len(reference) else known
    for rate, ratio in (
        ("selection_rate", "selection_impact_ratio"),
        ("scoring_rate", "scoring_impact_ratio"),
    ):
        best = float(reference[rate].max()) if len(reference) else float("nan")
        values = table[rate] / best if best > 0 else pd.Series(np.nan, index=table.index)
        table[ratio] = values.where(~table["unknown"])
    flags = []
    for row in table.itertuples():
        found = []
        if row.small_category:
            found.append(f"under {SMALL_SHARE:.0%} of applicants")
        for name, value in (
            ("selection", row.selection_impact_ratio),
            ("scoring", row.scoring_impact_ratio),
        ):
            if pd.notna(value) and float(value) < FOUR_FIFTHS:
                found.append(f"{name} impact ratio under {FOUR_FIFTHS}")
        flags.append("; ".join(found))
    table["flags"] = flags
    return table
