"""A plain-language account of one decision record: why a candidate ranked where they did.

``matcher explain`` prints it, for shortlisted candidates and for those who were not.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from matcher.io.csv_safety import unguard_cell
from matcher.ranking.shortlist import PLAIN_SIGNAL_NAMES

#: Signals that share a plain name in a shortlist's ``score_breakdown`` (where their points are
#: added up) each have a line of their own here, told apart by this detail.
_DETAIL = {"requirement_terms": "wording", "bm25": "BM25", "tfidf": "TF-IDF"}


def signal_name(name: str) -> str:
    """What signal ``name`` is called when shown to a person: the shortlist's plain name
    (:data:`matcher.ranking.shortlist.PLAIN_SIGNAL_NAMES`), with a detail where two share it.

    Example:
        >>> signal_name("dense"), signal_name("tfidf")
        ('overall similarity', 'keyword match (TF-IDF)')
    """
    plain = PLAIN_SIGNAL_NAMES.get(name, name.replace("_", " "))
    return f"{plain} ({_DETAIL[name]})" if name in _DETAIL else plain


class DecisionNotFoundError(LookupError):
    """No decision record for the (posting, candidate) pair asked about.

    Attributes:
        kind: ``"posting"`` or ``"resume"``: which of the two the run did not score.
        record_id: Its ID.
    """

    def __init__(self, message: str, kind: str = "", record_id: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.record_id = record_id


def find_decision(decisions: pd.DataFrame, job_id: str, resume_id: str) -> pd.Series:
    """The decision record of ``(job_id, resume_id)``.

    Raises:
        DecisionNotFoundError: Naming what is unknown: the posting, the candidate or the pair.
    """
    jobs = decisions["job_id"].astype(str)
    resumes = decisions["resume_id"].astype(str)
    if not (jobs == job_id).any():
        raise DecisionNotFoundError(
            f"posting {job_id!r} was not scored in this run", "posting", job_id
        )
    if not (resumes == resume_id).any():
        raise DecisionNotFoundError(
            f"resume {resume_id!r} was not scored in this run", "resume", resume_id
        )
    match = decisions[(jobs == job_id) & (resumes == resume_id)]
    if match.empty:  # pragma: no cover - every scored resume is scored for every posting
        raise DecisionNotFoundError(f"no decision for resume {resume_id!r} on {job_id!r}")
    return match.iloc[0]


def why_not_scored(run_folder: Path, kind: str, record_id: str) -> str | None:
    """What became of a record a run did not score, from the run's ``records.csv``: ``"a
    duplicate: exact duplicate of r7 (similarity 1.00)"``, ``"rejected: empty file (0
    bytes)"``; None if the run has no such record (or no ``records.csv``).

    Args:
        run_folder: The folder holding the run's decision records
            (:func:`matcher.ranking.decisions.resolve_run`).
        kind: ``"posting"`` or ``"resume"``.
        record_id: The record's ID as the user wrote it.
    """
    path = run_folder / "records.csv"
    if not path.is_file():
        return None
    records = pd.read_csv(path, dtype=str, keep_default_na=False)
    ids = records["record_id"].map(unguard_cell)
    found = records[(records["kind"] == kind) & (ids == record_id)]
    found = found[found["status"] != "ranked"]
    if found.empty:
        return None
    shown = {"duplicate": "a duplicate", "not a candidate": "no posting's candidate"}
    return "; ".join(
        f"{shown.get(row.status, row.status)}: {unguard_cell(row.detail)}"
        if row.detail
        else shown.get(row.status, row.status)
        for row in found.itertuples(index=False)
    )


def _text(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def _items(value: object) -> list[str]:
    return [part.strip() for part in _text(value).split(";") if part.strip()]


def describe_decision(record: pd.Series) -> str:
    """The account of one decision record, as lines of plain text.

    It says the rank and whether the candidate was shortlisted (and the score the shortlist
    needed), the fit band (and why it is lower than the score's, when it was capped), each
    signal's points, the requirements matched and missing with the resume's
    sentences, the years asked and held, and what ranked the run.
    """
    score, cutoff = float(record["score"]), record["shortlist_score"]
    lines = [
        f"Candidate {record['resume_id']} for posting {record['job_id']}",
        f"Rank {int(record['rank'])} of {int(record['candidates'])}; score {score:.1f} of 100.",
    ]
    if bool(record["shortlisted"]):
        lines.append(
            f"Shortlisted: in the top {int(record['top_k'])}"
            + (
                f" (the lowest shortlisted score was {float(cutoff):.1f})."
                if pd.notna(cutoff)
                else "."
            )
        )
    elif f"{float(cutoff):.1f}" == f"{score:.1f}":
        lines.append(
            f"Not shortlisted: the top {int(record['top_k'])} were filled at a score of"
            f" {float(cutoff):.1f}, level with this candidate's to one decimal; such candidates"
            " are ranked by their unrounded scores, then by resume ID."
        )
    else:
        gap = float(cutoff) - score
        lines.append(
            f"Not shortlisted: the top {int(record['top_k'])} needed a score of at least"
            f" {float(cutoff):.1f}, {gap:.1f} points more than this candidate's."
        )
    fit, reason = _text(record.get("fit")), _text(record.get("fit_reason"))
    if fit and reason:
        lines.append(f"Fit band: {fit}, {reason} (listed under 'Requirements missing').")
    elif fit:
        lines.append(f"Fit band: {fit}, the band of the score.")
    lines.append("Points by signal (they add up to the score):")
    weighted = 0.0
    for column in record.index:
        if not str(column).startswith("points."):
            continue
        name = str(column)[len("points.") :]
        detail = ""
        value, weight = record.get(f"value.{name}"), record.get(f"weight.{name}")
        if value is not None and pd.notna(value) and weight is not None and pd.notna(weight):
            detail = f"  (value {float(value):.2f}, weight {float(weight):.3f})"
            weighted += 100 * float(value) * float(weight)
        lines.append(f"  {signal_name(name):<22} {float(record[column]):5.1f}{detail}")
    if weighted and abs(weighted - score) > 0.5:
        lines.append(
            f"  The weighted values sum to {weighted:.1f}; the ranker's calibration turns that"
            f" into {score:.1f}, shared out in proportion."
        )
    matched, missing = (
        _items(record.get("matched_required")),
        _items(record.get("missing_required")),
    )
    if "matched_required" not in record.index:  # rankers without requirements list key terms
        matched, missing = _items(record.get("matched_terms")), _items(record.get("missing_terms"))
    lines.append("Requirements matched: " + ("; ".join(matched) or "none"))
    lines.append("Requirements missing: " + ("; ".join(missing) or "none"))
    to_check = _items(record.get("soft_skills_to_check"))
    if to_check:
        lines.append(
            "Soft skills the posting requires and the resume does not state (for the"
            " interview; they do not cap the fit): " + "; ".join(to_check)
        )
    preferred = _items(record.get("matched_preferred"))
    if preferred:
        lines.append("Preferred skills held: " + "; ".join(preferred))
    asked, held = record.get("years_required"), record.get("years_candidate")
    if held is not None and pd.notna(held) and str(held):
        asked_text = f"the posting asks for {asked}" if asked else "the posting asks for none"
        basis = _text(record.get("years_from"))
        held_text = f"{held} ({basis})" if basis else f"{held}"
        lines.append(f"Years of experience: {asked_text}; the resume shows {held_text}.")
    evidence = [e.strip() for e in str(record.get("evidence") or "").split(" | ") if e.strip()]
    if evidence:
        lines.append("From the resume:")
        lines.extend(f'  "{sentence}"' for sentence in evidence)
    version = record.get("model_version") or "built-in"
    lines.append(
        f"Ranked by the {record['ranker']} ranker ({version}), embedding model"
        f" {record['embedding_model']}."
    )
    lines.append(
        f"Inputs: posting text sha256 {record['posting_sha256']}, resume text sha256"
        f" {record['resume_sha256']}."
    )
    return "\n".join(lines)
