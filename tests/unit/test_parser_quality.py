"""The parser-quality metrics on tiny hand-made postings whose answer is worked out by hand."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from matcher.evaluation.parser_quality import (
    PostingAnnotation,
    annotations_from_records,
    measure_parser_quality,
    parsed_groups,
)
from matcher.parsing.education import DegreeLevel
from matcher.parsing.profiles import PostingProfile
from matcher.parsing.requirements import PostingRequirements


def _profile(
    job_id: str,
    required: tuple[str, ...],
    preferred: tuple[str, ...],
    years: float | None,
    degree: DegreeLevel | None,
) -> PostingProfile:
    requirements = PostingRequirements(years, [], degree)
    return PostingProfile(job_id, "Analyst", required, preferred, (), requirements)


@dataclass(frozen=True)
class _GroupedProfile(PostingProfile):
    """A profile of a parser that reads alternatives as groups."""

    required_groups: tuple[tuple[str, ...], ...] = ()
    preferred_groups: tuple[tuple[str, ...], ...] = ()


def test_worked_example() -> None:
    annotations = [
        PostingAnnotation(
            "A",
            required=(("SQL",), ("Tableau", "Power BI"), ("oov:forklift yard experience",)),
            preferred=(("Excel",),),
            min_years=3.0,
            degree=DegreeLevel.BACHELOR,
        ),
        PostingAnnotation("B", required=(("Python",),), preferred=(), min_years=None, degree=None),
    ]
    profiles = {
        "A": _profile("A", ("SQL", "Power BI", "Excel", "Java"), (), 3.0, DegreeLevel.BACHELOR),
        "B": _profile("B", (), ("Python",), 2.0, DegreeLevel.HIGH_SCHOOL),
    }
    quality = measure_parser_quality(annotations, profiles)

    assert quality.postings == 2
    required = quality.required
    # Parsed required: SQL, Power BI (right), Excel (annotated preferred), Java (wrong).
    assert (required.correct, required.correct_lenient, required.parsed) == (2, 3, 4)
    assert required.precision == 0.5
    assert required.lenient_precision == 0.75
    # Groups: SQL and Tableau|Power BI found; the oov group and B's Python (parsed as preferred)
    # are not.
    assert (required.found, required.groups) == (2, 4)
    assert required.recall_in_vocabulary == pytest.approx(2 / 3)
    assert required.recall_either == 0.75

    preferred = quality.preferred
    assert (preferred.correct, preferred.correct_lenient, preferred.parsed) == (0, 1, 1)
    assert (preferred.found, preferred.found_either, preferred.groups) == (0, 1, 1)

    assert quality.years_accuracy == 0.5
    assert quality.years_accuracy_within_one == 0.5
    assert (quality.years_stated.precision, quality.years_stated.recall) == (0.5, 1.0)
    assert quality.degree_accuracy == 0.5
    assert (quality.degree_stated.precision, quality.degree_stated.recall) == (0.5, 1.0)

    miss_a, miss_b = quality.misses
    assert miss_a.missed_required == (("oov:forklift yard experience",),)
    assert miss_a.extra_required == ("Excel", "Java")
    assert miss_a.missed_preferred == (("Excel",),)
    assert miss_a.min_years is None and miss_a.degree is None
    assert miss_b.min_years == (None, 2.0)
    assert miss_b.degree == (None, "high_school")


def test_years_within_one_year() -> None:
    note = PostingAnnotation("A", (), (), 3.0, None)
    quality = measure_parser_quality([note], {"A": _profile("A", (), (), 4.0, None)})
    assert quality.years_accuracy == 0.0
    assert quality.years_accuracy_within_one == 1.0


def test_groups_are_used_when_the_parser_has_them() -> None:
    requirements = PostingRequirements(None, [], None)
    grouped = _GroupedProfile(
        "A",
        "Analyst",
        ("Tableau", "Power BI"),
        (),
        (),
        requirements,
        required_groups=(("Tableau", "Power BI"),),
    )
    assert parsed_groups(grouped, "required") == (("Tableau", "Power BI"),)
    flat = _profile("A", ("Tableau", "Power BI"), (), None, None)
    assert parsed_groups(flat, "required") == (("Tableau",), ("Power BI",))
    note = PostingAnnotation("A", (("Tableau", "Power BI"),), (), None, None)
    quality = measure_parser_quality([note], {"A": grouped})
    assert (quality.required.precision, quality.required.recall) == (1.0, 1.0)


def test_a_credential_read_by_its_acronym_meets_the_out_of_vocabulary_member_naming_it() -> None:
    note = PostingAnnotation("A", (("oov:CJIS certification",), ("oov:SAP PP",)), (), None, None)
    profile = _profile("A", ("CJIS", "SAP"), (), None, None)
    quality = measure_parser_quality([note], {"A": profile})
    # "SAP" beside no credential word is no credential: it stays an extra skill
    assert (quality.required.correct, quality.required.found) == (1, 1)
    assert quality.misses[0].extra_required == ("SAP",)


def test_no_parsed_skills_gives_nan_precision_not_an_error() -> None:
    note = PostingAnnotation("A", (("SQL",),), (), None, None)
    quality = measure_parser_quality([note], {"A": _profile("A", (), (), None, None)})
    assert math.isnan(quality.required.precision)
    assert quality.required.recall == 0.0


def test_missing_profile_is_an_error() -> None:
    with pytest.raises(KeyError, match="B"):
        measure_parser_quality([PostingAnnotation("B", (), (), None, None)], {})


def test_annotation_records_are_checked() -> None:
    good = {"job_id": "A", "required": [["SQL"]], "preferred": [], "min_years": 2, "degree": None}
    (note,) = annotations_from_records([good])
    assert note.required == (("SQL",),) and note.min_years == 2.0 and note.degree is None
    with pytest.raises(ValueError, match="annotated twice"):
        annotations_from_records([good, good])
    with pytest.raises(ValueError, match="degree level"):
        annotations_from_records([{**good, "degree": "phd"}])
    with pytest.raises(ValueError, match="non-empty lists"):
        annotations_from_records([{**good, "required": ["SQL"]}])
    with pytest.raises(ValueError, match="missing"):
        annotations_from_records([{"job_id": "A", "required": []}])
