"""How well the posting parser reads requirements, measured against hand annotations.

Each annotated posting names its required and preferred skills as *groups* of alternatives
("such as Workday, BambooHR or ADP" is one group of three), its required years and its required
degree level (see ``tests/data/posting_annotations.md`` for the annotation rules). The figures:

| figure | unit | counts as correct |
| --- | --- | --- |
| required precision | a skill parsed as required | a member of an annotated required group |
| required lenient precision | the same | a member of an annotated required or preferred group |
| required recall | an annotated required group | any member parsed as required |
| required recall, in vocabulary | a required group with a vocabulary member | the same |
| required recall, either list | an annotated required group | any member parsed, either kind |
| preferred (all five) | the same with required and preferred swapped | |
| years exact / within 1 | a posting | parsed ``min_years`` equals the annotated (or both None) |
| years stated P/R | a posting | "states a years requirement" agrees |
| degree accuracy | a posting | parsed ``degree_required`` equals the annotated (or both None) |
| degree stated P/R | a posting | "requires a degree" (any level above NONE) agrees |

All counts are micro: summed over postings before dividing. Out-of-vocabulary members (named
``oov:...``) are not skills of the vocabulary; a group made only of them is left out of the
in-vocabulary recall. The one way to parse one is a credential read by its acronym
(:mod:`matcher.parsing.credentials`): "CJIS" counts as a member ``oov:CJIS certification`` of
the posting's annotation that names that acronym beside a credential word.

The parser's groups come from ``PostingProfile.required_groups`` / ``preferred_groups`` when the
profile has them, else from the flat ``required_skills`` / ``preferred_skills`` as one-member
groups, so the measurement runs on parsers before and after groups were added.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from matcher.parsing.education import DegreeLevel
from matcher.parsing.profiles import PostingProfile, profile_postings
from matcher.parsing.skills import SkillMatcher
from matcher.schema import JOB_ID
from matcher.text.preprocess import prepare_postings

__all__ = [
    "OOV_PREFIX",
    "BinaryScores",
    "ParserQuality",
    "PostingAnnotation",
    "PostingMisses",
    "SkillScores",
    "annotations_from_records",
    "measure_parser_quality",
    "measure_postings",
    "parsed_groups",
]

#: Prefix of an annotated skill that the vocabulary does not have.
OOV_PREFIX = "oov:"

Groups = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class PostingAnnotation:
    """What a reader found one posting to require and prefer.

    Attributes:
        job_id: The posting's ID.
        required: Groups of alternatives, each met by any one member.
        preferred: The same for what the posting only prefers.
        min_years: The largest required number of years, or None.
        degree: The lowest required degree level, or None.
        notes: The annotator's judgement calls.
    """

    job_id: str
    required: Groups
    preferred: Groups
    min_years: float | None
    degree: DegreeLevel | None
    notes: str = ""


def _groups(value: Any, job_id: str, key: str) -> Groups:
    if not isinstance(value, list) or not all(
        isinstance(group, list) and group and all(isinstance(s, str) and s for s in group)
        for group in value
    ):
        raise ValueError(f"{job_id}: {key!r} must be a list of non-empty lists of skill names")
    return tuple(tuple(group) for group in value)


def annotations_from_records(records: Iterable[Mapping[str, Any]]) -> list[PostingAnnotation]:
    """Annotations from parsed JSON records (one per line of ``posting_annotations.jsonl``).

    Args:
        records: Mappings with ``job_id``, ``required``, ``preferred``, ``min_years``,
            ``degree`` and optionally ``notes``.

    Returns:
        The annotations, in the order given.

    Raises:
        ValueError: If a record lacks a field, has a malformed one, names an unknown degree
            level, or repeats a job ID.

    Example:
        >>> annotations_from_records([{"job_id": "J1", "required": [["SQL"]], "preferred": [],
        ...                            "min_years": 2, "degree": "bachelor"}])[0].degree.name
        'BACHELOR'
    """
    annotations: list[PostingAnnotation] = []
    seen: set[str] = set()
    for number, record in enumerate(records, start=1):
        job_id = record.get("job_id")
        if not isinstance(job_id, str) or not job_id:
            raise ValueError(f"record {number}: needs a 'job_id'")
        if job_id in seen:
            raise ValueError(f"{job_id}: annotated twice")
        seen.add(job_id)
        missing = {"required", "preferred", "min_years", "degree"} - set(record)
        if missing:
            raise ValueError(f"{job_id}: missing {sorted(missing)}")
        years = record["min_years"]
        if years is not None and (isinstance(years, bool) or not isinstance(years, int | float)):
            raise ValueError(f"{job_id}: 'min_years' must be a number or null")
        degree = record["degree"]
        try:
            level = None if degree is None else DegreeLevel[str(degree).upper()]
        except KeyError:
            raise ValueError(f"{job_id}: unknown degree level {degree!r}") from None
        annotations.append(
            PostingAnnotation(
                job_id=job_id,
                required=_groups(record["required"], job_id, "required"),
                preferred=_groups(record["preferred"], job_id, "preferred"),
                min_years=None if years is None else float(years),
                degree=level,
                notes=str(record.get("notes") or ""),
            )
        )
    return annotations


def parsed_groups(profile: PostingProfile, kind: str) -> Groups:
    """The parser's required or preferred skill groups of one posting.

    Uses ``required_groups`` / ``preferred_groups``, or the flat skill tuple as one-member
    groups when a profile was built without groups.

    Args:
        profile: The parsed posting.
        kind: ``"required"`` or ``"preferred"``.
    """
    if kind not in ("required", "preferred"):
        raise ValueError(f"kind must be 'required' or 'preferred', not {kind!r}")
    groups = getattr(profile, f"{kind}_groups", None)
    if groups:
        return tuple(tuple(group) for group in groups)
    return tuple((skill,) for skill in getattr(profile, f"{kind}_skills"))


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else float("nan")


@dataclass(frozen=True)
class SkillScores:
    """Micro counts for one kind of skill (required or preferred) over all postings.

    Attributes:
        parsed: Skills the parser put in this kind.
        correct: Of those, members of an annotated group of the same kind.
        correct_lenient: Of those, members of an annotated group of either kind.
        groups: Annotated groups of this kind.
        found: Of those, groups with a member parsed as this kind.
        found_either: Of those, groups with a member parsed as either kind.
        groups_in_vocabulary: Annotated groups with at least one vocabulary member.
        found_in_vocabulary: Of those, groups with a member parsed as this kind.
    """

    parsed: int
    correct: int
    correct_lenient: int
    groups: int
    found: int
    found_either: int
    groups_in_vocabulary: int
    found_in_vocabulary: int

    @property
    def precision(self) -> float:
        """Parsed skills that belong to an annotated group of the same kind (NaN if none)."""
        return _ratio(self.correct, self.parsed)

    @property
    def lenient_precision(self) -> float:
        """Parsed skills that belong to any annotated group."""
        return _ratio(self.correct_lenient, self.parsed)

    @property
    def recall(self) -> float:
        """Annotated groups with a member parsed as the same kind."""
        return _ratio(self.found, self.groups)

    @property
    def recall_in_vocabulary(self) -> float:
        """Recall over the groups the vocabulary can express."""
        return _ratio(self.found_in_vocabulary, self.groups_in_vocabulary)

    @property
    def recall_either(self) -> float:
        """Annotated groups with a member parsed at all, as required or preferred."""
        return _ratio(self.found_either, self.groups)


@dataclass(frozen=True)
class BinaryScores:
    """Agreement on a yes/no property of postings ("states a years requirement")."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        """Postings the parser says have it that do (NaN if it says none do)."""
        return _ratio(self.true_positives, self.true_positives + self.false_positives)

    @property
    def recall(self) -> float:
        """Postings that have it that the parser says have it."""
        return _ratio(self.true_positives, self.true_positives + self.false_negatives)


@dataclass(frozen=True)
class PostingMisses:
    """Where the parser and the annotation of one posting disagree (names only, no text).

    Attributes:
        job_id: The posting's ID.
        missed_required: Annotated required groups with no member parsed as required.
        extra_required: Skills parsed as required that no annotated required group has.
        missed_preferred: Annotated preferred groups with no member parsed as preferred.
        extra_preferred: Skills parsed as preferred that no annotated preferred group has.
        min_years: ``(annotated, parsed)`` when they differ, else None.
        degree: ``(annotated, parsed)`` level names when they differ, else None.
    """

    job_id: str
    missed_required: Groups
    extra_required: tuple[str, ...]
    missed_preferred: Groups
    extra_preferred: tuple[str, ...]
    min_years: tuple[float | None, float | None] | None
    degree: tuple[str | None, str | None] | None

    @property
    def empty(self) -> bool:
        """Whether parser and annotation agree on everything."""
        return not (
            self.missed_required
            or self.extra_required
            or self.missed_preferred
            or self.extra_preferred
            or self.min_years
            or self.degree
        )


@dataclass(frozen=True)
class ParserQuality:
    """The parser's figures over a set of annotated postings.

    Attributes:
        postings: Annotated postings measured.
        required: Counts for required skills.
        preferred: Counts for preferred skills.
        years_exact: Postings whose parsed ``min_years`` equals the annotated one.
        years_within_one: Postings whose ``min_years`` differ by at most 1 (or are both None).
        years_stated: Agreement on "states a years requirement".
        degree_exact: Postings whose parsed required degree level equals the annotated one.
        degree_stated: Agreement on "requires a degree".
        misses: Per-posting disagreements, in annotation order.
    """

    postings: int
    required: SkillScores
    preferred: SkillScores
    years_exact: int
    years_within_one: int
    years_stated: BinaryScores
    degree_exact: int
    degree_stated: BinaryScores
    misses: tuple[PostingMisses, ...]

    @property
    def years_accuracy(self) -> float:
        """Share of postings with the exact annotated ``min_years``."""
        return _ratio(self.years_exact, self.postings)

    @property
    def years_accuracy_within_one(self) -> float:
        """Share of postings with ``min_years`` within one year of the annotation."""
        return _ratio(self.years_within_one, self.postings)

    @property
    def degree_accuracy(self) -> float:
        """Share of postings with the annotated required degree level."""
        return _ratio(self.degree_exact, self.postings)

    def figures(self) -> dict[str, float]:
        """Every figure by name, for a table or a log.

        Example:
            >>> quality = measure_parser_quality([], {})
            >>> sorted(quality.figures())[:3]
            ['degree accuracy', 'degree stated precision', 'degree stated recall']
        """
        out: dict[str, float] = {}
        for kind, scores in (("required", self.required), ("preferred", self.preferred)):
            out[f"{kind} precision"] = scores.precision
            out[f"{kind} lenient precision"] = scores.lenient_precision
            out[f"{kind} recall"] = scores.recall
            out[f"{kind} recall in vocabulary"] = scores.recall_in_vocabulary
            out[f"{kind} recall either list"] = scores.recall_either
        out["years exact"] = self.years_accuracy
        out["years within 1"] = self.years_accuracy_within_one
        out["years stated precision"] = self.years_stated.precision
        out["years stated recall"] = self.years_stated.recall
        out["degree accuracy"] = self.degree_accuracy
        out["degree stated precision"] = self.degree_stated.precision
        out["degree stated recall"] = self.degree_stated.recall
        return out


def _in_vocabulary(group: Sequence[str]) -> bool:
    return any(not member.startswith(OOV_PREFIX) for member in group)


def _members(groups: Groups) -> set[str]:
    return {member for group in groups for member in group}


#: An annotated member that names a credential by an acronym ("oov:CJIS certification").
_CREDENTIAL_NAMING = (
    r"(?<![\w-]){0}[ -](?:licen|certif|regist|credential|endorse|permit|card|class)"
    r"|(?:certified|licen[cs]ed|registered)\s+{0}(?![\w-])"
)


def _credited(parsed: set[str], members: set[str]) -> set[str]:
    """``parsed`` with each credential acronym that an out-of-vocabulary member of the
    annotation names ("CJIS" in ``oov:CJIS certification``) replaced by that member."""
    credited = set()
    for name in parsed:
        naming = sorted(
            member
            for member in members
            if member.startswith(OOV_PREFIX)
            and name not in members
            and re.search(_CREDENTIAL_NAMING.format(re.escape(name)), member, re.IGNORECASE)
        )
        credited.add(naming[0] if naming else name)
    return credited


@dataclass
class _SkillCounter:
    parsed: int = 0
    correct: int = 0
    correct_lenient: int = 0
    groups: int = 0
    found: int = 0
    found_either: int = 0
    groups_in_vocabulary: int = 0
    found_in_vocabulary: int = 0

    def add(
        self, annotated: Groups, other_annotated: Groups, parsed: set[str], other_parsed: set[str]
    ) -> tuple[Groups, tuple[str, ...]]:
        """Count one posting; return its missed groups and extra skills."""
        same = _members(annotated)
        either = same | _members(other_annotated)
        parsed, other_parsed = _credited(parsed, either), _credited(other_parsed, either)
        self.parsed += len(parsed)
        self.correct += len(parsed & same)
        self.correct_lenient += len(parsed & either)
        missed = []
        for group in annotated:
            hit = bool(parsed.intersection(group))
            self.groups += 1
            self.found += hit
            self.found_either += bool((parsed | other_parsed).intersection(group))
            if _in_vocabulary(group):
                self.groups_in_vocabulary += 1
                self.found_in_vocabulary += hit
            if not hit:
                missed.append(group)
        return tuple(missed), tuple(sorted(parsed - same))

    def scores(self) -> SkillScores:
        return SkillScores(
            self.parsed,
            self.correct,
            self.correct_lenient,
            self.groups,
            self.found,
            self.found_either,
            self.groups_in_vocabulary,
            self.found_in_vocabulary,
        )


def _stated(level: DegreeLevel | None) -> bool:
    return level is not None and level > DegreeLevel.NONE


def measure_parser_quality(
    annotations: Sequence[PostingAnnotation], profiles: Mapping[str, PostingProfile]
) -> ParserQuality:
    """Compare parsed postings with their annotations.

    Args:
        annotations: The hand annotations.
        profiles: Parsed postings by job ID (see
            :func:`matcher.parsing.profiles.posting_profile`); every annotated job ID must be
            present.

    Returns:
        The figures (see the module docstring) and the per-posting disagreements.

    Raises:
        KeyError: If an annotated posting has no profile.

    Example:
        >>> from matcher.parsing.requirements import extract_requirements
        >>> from matcher.parsing.profiles import PostingProfile
        >>> profile = PostingProfile("J1", "Analyst", ("SQL", "Excel"), (), (),
        ...                          extract_requirements("3 years of experience."))
        >>> note = PostingAnnotation("J1", (("SQL",), ("Tableau", "Power BI")), (), 3.0, None)
        >>> quality = measure_parser_quality([note], {"J1": profile})
        >>> quality.required.precision, quality.required.recall, quality.years_accuracy
        (0.5, 0.5, 1.0)
    """
    missing = [a.job_id for a in annotations if a.job_id not in profiles]
    if missing:
        raise KeyError(f"no parsed profile for {missing}")
    required = _SkillCounter()
    preferred = _SkillCounter()
    years_exact = years_within_one = degree_exact = 0
    years_counts = [0, 0, 0]
    degree_counts = [0, 0, 0]
    misses: list[PostingMisses] = []
    for note in annotations:
        profile = profiles[note.job_id]
        parsed_required = _members(parsed_groups(profile, "required"))
        parsed_preferred = _members(parsed_groups(profile, "preferred"))
        missed_req, extra_req = required.add(
            note.required, note.preferred, parsed_required, parsed_preferred
        )
        missed_pref, extra_pref = preferred.add(
            note.preferred, note.required, parsed_preferred, parsed_required
        )

        years = profile.requirements.min_years
        same_years = years == note.min_years
        years_exact += same_years
        years_within_one += same_years or (
            years is not None and note.min_years is not None and abs(years - note.min_years) <= 1
        )
        _count_binary(years_counts, years is not None, note.min_years is not None)

        degree = profile.requirements.degree_required
        same_degree = degree == note.degree
        degree_exact += same_degree
        _count_binary(degree_counts, _stated(degree), _stated(note.degree))

        misses.append(
            PostingMisses(
                job_id=note.job_id,
                missed_required=missed_req,
                extra_required=extra_req,
                missed_preferred=missed_pref,
                extra_preferred=extra_pref,
                min_years=None if same_years else (note.min_years, years),
                degree=None if same_degree else (_name(note.degree), _name(degree)),
            )
        )
    return ParserQuality(
        postings=len(annotations),
        required=required.scores(),
        preferred=preferred.scores(),
        years_exact=years_exact,
        years_within_one=years_within_one,
        years_stated=BinaryScores(*years_counts),
        degree_exact=degree_exact,
        degree_stated=BinaryScores(*degree_counts),
        misses=tuple(misses),
    )


def _count_binary(counts: list[int], predicted: bool, actual: bool) -> None:
    """Add one posting to ``[true positives, false positives, false negatives]``."""
    if predicted and actual:
        counts[0] += 1
    elif predicted:
        counts[1] += 1
    elif actual:
        counts[2] += 1


def _name(level: DegreeLevel | None) -> str | None:
    return None if level is None else level.name.lower()


def measure_postings(
    annotations: Sequence[PostingAnnotation], postings: pd.DataFrame, matcher: SkillMatcher
) -> ParserQuality:
    """Clean and parse the annotated postings as the product does, then measure them.

    Args:
        annotations: The hand annotations.
        postings: Loaded postings (columns ``job_id``, ``title``, ``description``, as from
            :func:`matcher.io.loading.load_postings`); rows not annotated are ignored.
        matcher: The skill matcher to parse with.

    Returns:
        The figures of :func:`measure_parser_quality`.

    Raises:
        KeyError: If an annotated posting is not in ``postings`` (or is empty after cleaning).
    """
    wanted = {note.job_id for note in annotations}
    frame = postings[postings[JOB_ID].astype(str).isin(wanted)]
    prepared, _ = prepare_postings(frame)
    profiles = {profile.job_id: profile for profile in profile_postings(prepared, matcher)}
    return measure_parser_quality(annotations, profiles)
