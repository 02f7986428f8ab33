"""Date ranges and durations written in free text (resumes and postings).

A date range is two date points joined by a separator ("Jan 2019 – Present", "03/2016 - 12/2018",
"(2013 - 2017)", "June 2020 to Mar 2022", "between 2012 and 2016"), a start with "since"
("since 2020"), or a lone season ("Summer 2015"). Ranges have month precision.

Conventions:
    * A year-only start is January of that year. A year-only end after the start year is
      December of the year before (:func:`_year_only_end`), so "2014-2017" covers 36 months (3
      years, end minus start, as resumes count it); "2017-2017" is the whole of 2017.
    * "Present", "Current", "Now", "Today", "Ongoing" and "to date" mean ``today``.
    * An end after ``today`` is clipped to ``today`` (nobody has experience from the future).
    * Seasons: Spring is March-May, Summer June-August, Fall/Autumn September-November and Winter
      January-February of the stated year.
    * "13/2019", "Jan 20199", a range that ends before it starts and a range that starts after
      ``today`` are malformed: they are reported as problems and left out of the ranges.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

__all__ = [
    "NUMBER_WORDS",
    "YEARS_PATTERN",
    "DateRange",
    "DateRangeMatch",
    "find_date_ranges",
    "match_date_ranges",
    "merged_months",
    "merged_years",
    "parse_count",
    "read_day",
    "years_from_match",
]

_MONTHS: Final = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
# (first month, last month) of each season.
_SEASONS: Final = {
    "spring": (3, 5),
    "summer": (6, 8),
    "fall": (9, 11),
    "autumn": (9, 11),
    "winter": (1, 2),
}
_MIN_YEAR: Final = 1900
_MAX_YEAR: Final = 2100

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_SEASON = r"(?:spring|summer|fall|autumn|winter)"
# One date point. The alternatives are tried in order, so the more specific shapes come first.
# Month names and M/YYYY are matched leniently (any 1-2 digit month, 4-5 digit year) so that
# malformed points such as "13/2019" or "Jan 20199" are seen and reported instead of ignored.
_POINT = rf"""
(?:
    (?<![a-z]){_MONTH}(?![a-z])\.?,?\s*(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?\d{{4,5}}(?!\d)
  | (?<![a-z]){_SEASON}\s+\d{{4}}(?!\d)
  | \d{{1,2}}/\d{{1,2}}/\d{{4}}(?![\d/])
  | \d{{1,2}}[/.]\d{{4}}(?![\d/.])
  | (?:19|20)\d{{2}}[/.](?:0?[1-9]|1[0-2])(?![\d/.])
  | (?:19|20)\d{{2}}-(?:0[1-9]|1[0-2])(?![\d/.-])
  | (?:19|20)\d{{2}}(?![\d/])
)"""
_ONGOING = r"(?:present|current(?:ly)?|now|today|date|ongoing)(?![a-z])"
_SEP = r"\s*(?:[-–—‒―~]+(?:\s*to(?![a-z]):?)?|to(?![a-z]):?|until|till|through|thru|and)\s*"
# Not glued to a preceding word, number or date fragment ("BHJOB2052", "1-2019", "5/2008").
_LEFT = r"(?<![\w/.])(?<!\d-)"

_RANGE_RE: Final = re.compile(
    rf"""
    {_LEFT}(?P<between>between\s+)?(?P<start>{_POINT})(?P<sep>{_SEP})(?:(?P<end>{_POINT})|(?P<ongoing>{_ONGOING}))
  | {_LEFT}(?P<short_start>(?:19|20)\d{{2}})\s*[-–—]\s*(?P<short_end>\d{{2}})(?![\w/.])
  | (?<![a-z])since\s+(?P<since>{_POINT})
  | {_LEFT}(?P<season>{_SEASON})\s+(?P<season_year>\d{{4}})(?!\d)
    """,
    re.IGNORECASE | re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class DateRange:
    """A span of time with month precision.

    Attributes:
        start: First day of the first month.
        end: Last day of the last month, or ``today`` when ongoing or clipped.
        text: The range as written.
        ongoing: True for "Present", "since ..." and the like.
    """

    start: date
    end: date
    text: str
    ongoing: bool


@dataclass(frozen=True)
class DateRangeMatch:
    """One date range found in a text, with where it was found.

    Exactly one of ``range`` and ``problem`` is set.

    Attributes:
        range: The parsed range, or None when the text is malformed.
        problem: A readable message naming the malformed text, or None.
        start: Offset of the first character of the match in the text.
        end: Offset just past the match.
    """

    range: DateRange | None
    problem: str | None
    start: int
    end: int


class _MalformedError(ValueError):
    """A date point that cannot be a real month."""


def _check_year(year: int, token: str) -> int:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise _MalformedError(f"{year} in {token!r} is not a plausible year")
    return year


def _check_month(month: int, token: str) -> int:
    if not 1 <= month <= 12:
        raise _MalformedError(f"{month} in {token!r} is not a month (1-12)")
    return month


def _parse_point(token: str, *, is_end: bool) -> tuple[int, int]:
    """Read one date point as (year, month); year-only points are January or December.

    A year-only *end* after the start year is moved back by :func:`_year_only_end`.
    """
    text = token.strip()
    lower = text.lower()
    season = re.match(_SEASON, lower)
    if season:
        first, last = _SEASONS[season.group(0)]
        year = _check_year(int(re.findall(r"\d+", lower)[-1]), text)
        return year, last if is_end else first
    if lower[:1].isalpha():
        month = _MONTHS[lower[:3]]
        year = _check_year(int(re.findall(r"\d+", lower)[-1]), text)
        return year, month
    parts = re.split(r"[/.-]", lower)
    if len(parts) == 1:
        return _check_year(int(parts[0]), text), 12 if is_end else 1
    if len(parts) == 3:
        # M/D/YYYY when the first number can be a month, else D/M/YYYY.
        first, second, year = (int(p) for p in parts)
        month = first if 1 <= first <= 12 else second
        return _check_year(year, text), _check_month(month, text)
    if len(parts[0]) == 4:
        return _check_year(int(parts[0]), text), _check_month(int(parts[1]), text)
    return _check_year(int(parts[1]), text), _check_month(int(parts[0]), text)


def _year_only_end(year: int) -> tuple[int, int]:
    """The end of a year-only range such as "2013 - 2017": the close of the year before.

    Resumes and postings count "2013 - 2017" as four years (end minus start), not five; a
    range within one year ("2017 - 2017") keeps December of that year.
    """
    return year - 1, 12


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _build(
    text: str,
    start: tuple[int, int],
    end: tuple[int, int] | None,
    today: date,
) -> DateRange:
    """Validate a parsed range against itself and ``today``; raise _MalformedError if wrong."""
    now = _month_index(today.year, today.month)
    first = _month_index(*start)
    if first > now:
        raise _MalformedError(f"{text!r} starts after today ({today.isoformat()})")
    if end is None:
        return DateRange(date(start[0], start[1], 1), today, text, True)
    if _month_index(*end) < first:
        raise _MalformedError(f"{text!r} ends before it starts")
    last = _last_day(*end)
    return DateRange(date(start[0], start[1], 1), min(last, today), text, False)


def _read_match(match: re.Match[str], today: date) -> DateRange | None:
    """Turn one regex match into a range; None when the match is not a date range after all."""
    text = re.sub(r"\s+", " ", match.group(0)).strip()
    if match.group("start") is not None:
        if match.group("sep").strip().lower() == "and" and not match.group("between"):
            return None
        text = re.sub(r"\s+", " ", match.string[match.start("start") : match.end()]).strip()
        start = _parse_point(match.group("start"), is_end=False)
        if match.group("ongoing") is not None:
            return _build(text, start, None, today)
        end = _parse_point(match.group("end"), is_end=True)
        year_only = match.group("start").strip().isdigit() and match.group("end").strip().isdigit()
        if year_only and end[0] > start[0]:
            end = _year_only_end(end[0])
        return _build(text, start, end, today)
    if match.group("short_start") is not None:
        first = int(match.group("short_start"))
        last = first // 100 * 100 + int(match.group("short_end"))
        if last <= first:  # "2016-03" is a month or a typo, not a range ending in 2003
            return None
        return _build(text, (first, 1), _year_only_end(last), today)
    if match.group("since") is not None:
        return _build(text, _parse_point(match.group("since"), is_end=False), None, today)
    token = f"{match.group('season')} {match.group('season_year')}"
    return _build(
        text,
        _parse_point(token, is_end=False),
        _parse_point(token, is_end=True),
        today,
    )


def _check_text(text: object) -> str:
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}: {text!r:.80}")
    return text


def match_date_ranges(text: str, today: date | None = None) -> list[DateRangeMatch]:
    """Find every date range in a text, with its position, including malformed ones.

    Args:
        text: Any free text.
        today: The date "Present" stands for; ``date.today()`` if None.

    Returns:
        The matches in text order; malformed ones carry a problem instead of a range.

    Raises:
        TypeError: If ``text`` is not a string.
    """
    text = _check_text(text)
    today = today or date.today()
    found: list[DateRangeMatch] = []
    for match in _RANGE_RE.finditer(text):
        try:
            parsed = _read_match(match, today)
        except _MalformedError as error:
            found.append(DateRangeMatch(None, f"malformed date range: {error}", *match.span()))
            continue
        if parsed is not None:
            found.append(DateRangeMatch(parsed, None, *match.span()))
    return found


def find_date_ranges(text: str, today: date | None = None) -> tuple[list[DateRange], list[str]]:
    """Find the date ranges in a text.

    Args:
        text: Any free text, e.g. a whole resume.
        today: The date "Present" stands for; ``date.today()`` if None.

    Returns:
        The valid ranges in text order, and one readable message per malformed range naming
        its text (month 13, a five-digit year, an end before the start, a start after today).

    Raises:
        TypeError: If ``text`` is not a string.

    Example:
        >>> ranges, problems = find_date_ranges("Analyst (2019 - 2021); 13/2019 - 2020")
        >>> [(r.start.isoformat(), r.end.isoformat()) for r in ranges]
        [('2019-01-01', '2020-12-31')]
        >>> problems
        ["malformed date range: 13 in '13/2019' is not a month (1-12)"]
    """
    matches = match_date_ranges(text, today)
    ranges = [m.range for m in matches if m.range is not None]
    problems = [m.problem for m in matches if m.problem is not None]
    return ranges, problems


def read_day(value: Any) -> date | None:
    """A day given as a record's field: an ISO date (``2021-08-01``), an ISO date and time
    (``2021-08-01T09:30:00``, ``2021-08-01 09:30``, with or without a zone: its own day), or a
    ``date``, ``datetime``, pandas ``Timestamp`` or numpy ``datetime64``; None if missing or
    blank.

    Raises:
        ValueError: Naming the value, if it is none of these (``01/08/2021`` is ambiguous,
            a number is no day).

    Example:
        >>> read_day("2021-08-01"), read_day("2021-08-01T23:59:00+02:00"), read_day("  ")
        (datetime.date(2021, 8, 1), datetime.date(2021, 8, 1), None)
        >>> read_day("01/08/2021")
        Traceback (most recent call last):
        ...
        ValueError: '01/08/2021' is not a date (write it as YYYY-MM-DD)
    """
    if value is None or type(value).__name__ in ("NAType", "NaTType"):  # pandas' missing
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, datetime):  # and pandas' Timestamp
        return value.date()
    if getattr(getattr(value, "dtype", None), "kind", None) == "M" and not getattr(
        value, "shape", ()
    ):
        day = value.astype("datetime64[D]").item()  # numpy's datetime64: a date, or None (NaT)
        return day if isinstance(day, date) else None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            # fromisoformat alone takes "20210801" and week dates: only YYYY-MM-DD[...] here.
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:[T ].*)?", text):
                return datetime.fromisoformat(text).date()
        except ValueError:
            pass
        raise ValueError(f"{text[:40]!r} is not a date (write it as YYYY-MM-DD)")
    raise ValueError(f"{type(value).__name__} value {str(value)[:40]!r} is not a date")


def merged_years(ranges: Sequence[DateRange]) -> float:
    """Length of the union of date ranges in years, overlaps counted once.

    Ranges count whole months, both ends included: Jan 2019 - Dec 2019 is 1.0 year.

    Args:
        ranges: Any date ranges.

    Returns:
        :func:`merged_months` divided by 12 and rounded to 2 decimals.
    """
    return round(merged_months(ranges) / 12, 2)


def merged_months(ranges: Sequence[DateRange]) -> int:
    """The months covered by at least one of ``ranges``, both ends included; exact, where
    :func:`merged_years` is rounded.

    Example:
        >>> from datetime import date
        >>> spring = DateRange(date(2019, 1, 1), date(2019, 6, 30), "Jan-Jun 2019", False)
        >>> summer = DateRange(date(2019, 6, 1), date(2019, 9, 30), "Jun-Sep 2019", False)
        >>> merged_months([spring]) + merged_months([summer]), merged_months([spring, summer])
        (10, 9)
    """
    spans = sorted(
        (_month_index(r.start.year, r.start.month), _month_index(r.end.year, r.end.month))
        for r in ranges
    )
    months = 0
    current_start, current_end = None, None
    for first, last in spans:
        if current_end is None or current_start is None or first > current_end + 1:
            if current_end is not None and current_start is not None:
                months += current_end - current_start + 1
            current_start, current_end = first, last
        else:
            current_end = max(current_end, last)
    if current_end is not None and current_start is not None:
        months += current_end - current_start + 1
    return months


NUMBER_WORDS: Final = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
}
_NUMBER = (
    r"(?:\d{1,2}(?:\.\d+)?(?![\d.])|(?:"
    + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
    + r")(?![a-z]))"
)
#: A duration such as "5+ years", "3-5 years", "two or more years", "1-year", "at least 3 yrs",
#: "6 months". Groups: ``qualifier``, ``low``, ``high``, ``plus`` and ``unit``. Compile it with
#: ``re.IGNORECASE``; read the amount with :func:`years_from_match`.
YEARS_PATTERN: Final = (
    r"(?:(?P<qualifier>at\s*least|a\s+minimum\s+of|a\s+bare\s+minimum\s+of|minimum\s+of|minimum"
    r"|min\.?|over|more\s+than|in\s+excess\s+of|no\s+less\s+than|not\s+less\s+than|upwards\s+of"
    r"|around|about|approximately|approx\.?|roughly|nearly|almost|close\s+to)\s+)?"
    rf"(?<![\w.])(?P<low>{_NUMBER})(?:\s*\(\d{{1,2}}\))?"
    rf"(?:\s*(?:-|–|—|to|or)\s*(?P<high>{_NUMBER}))?"
    r"\s*(?P<plus>\+|\s+or\s+more|\s+plus)?"
    r"\s*-?\s*(?P<unit>years?|yrs?|months?)(?![a-z])(?:['’]s?)?"
)


def parse_count(token: str) -> float | None:
    """Read a count written in digits or as an English word ("3", "2.5", "five").

    Args:
        token: One number token.

    Returns:
        The number, or None if the token is not a number.
    """
    token = token.strip().lower()
    if token in NUMBER_WORDS:
        return float(NUMBER_WORDS[token])
    try:
        return float(token)
    except ValueError:
        return None


def years_from_match(match: re.Match[str]) -> float:
    """The minimum number of years a :data:`YEARS_PATTERN` match states.

    A range such as "3-5 years" gives its lower end; months are divided by 12.

    Args:
        match: A match of a pattern that contains :data:`YEARS_PATTERN`.

    Returns:
        The years, rounded to 2 decimals.
    """
    low = parse_count(match.group("low"))
    if low is None:  # the pattern only admits numbers, so this is a programming error
        raise ValueError(f"not a number: {match.group('low')!r}")
    if match.group("unit").lower().startswith("m"):
        low /= 12
    return round(low, 2)
