"""Date ranges in free text and the years they add up to."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd
import pytest

from matcher.text.dates import (
    YEARS_PATTERN,
    DateRange,
    find_date_ranges,
    match_date_ranges,
    merged_years,
    parse_count,
    read_day,
    years_from_match,
)

TODAY = date(2024, 6, 15)


def _one(text: str) -> DateRange:
    ranges, problems = find_date_ranges(text, today=TODAY)
    assert problems == []
    assert len(ranges) == 1, ranges
    return ranges[0]


@pytest.mark.parametrize(
    ("text", "start", "end", "ongoing"),
    [
        ("Jan 2019 – Present", date(2019, 1, 1), TODAY, True),
        ("January 2019 - March 2021", date(2019, 1, 1), date(2021, 3, 31), False),
        ("03/2016 - 12/2018", date(2016, 3, 1), date(2018, 12, 31), False),
        ("2016/03 - 2018/12", date(2016, 3, 1), date(2018, 12, 31), False),
        ("2014-2017", date(2014, 1, 1), date(2016, 12, 31), False),
        ("2014 – 2017", date(2014, 1, 1), date(2016, 12, 31), False),
        ("2014 — 2017", date(2014, 1, 1), date(2016, 12, 31), False),
        ("June 2020 to Mar 2022", date(2020, 6, 1), date(2022, 3, 31), False),
        ("Sept. 2018 — Now", date(2018, 9, 1), TODAY, True),
        ("Analyst (2013 - 2017)", date(2013, 1, 1), date(2016, 12, 31), False),
        ("2019 - current", date(2019, 1, 1), TODAY, True),
        ("2019 to date", date(2019, 1, 1), TODAY, True),
        ("since 2020", date(2020, 1, 1), TODAY, True),
        ("Feb 2020 until Feb 2021", date(2020, 2, 1), date(2021, 2, 28), False),
        ("Summer 2015", date(2015, 6, 1), date(2015, 8, 31), False),
        ("between 2012 and 2016", date(2012, 1, 1), date(2015, 12, 31), False),
        ("From: 2017 To: 2020", date(2017, 1, 1), date(2019, 12, 31), False),
        ("2014-17", date(2014, 1, 1), date(2016, 12, 31), False),
        ("Dec2018 - Jan2019", date(2018, 12, 1), date(2019, 1, 31), False),
        ("March 2022 - 2023.", date(2022, 3, 1), date(2023, 12, 31), False),
    ],
)
def test_supported_formats(text: str, start: date, end: date, ongoing: bool) -> None:
    found = _one(text)
    assert (found.start, found.end, found.ongoing) == (start, end, ongoing)


def test_year_only_start_is_january_and_end_is_december() -> None:
    found = _one("2019 - 2019")
    assert (found.start, found.end) == (date(2019, 1, 1), date(2019, 12, 31))
    assert merged_years([found]) == 1.0


def test_present_follows_the_given_today() -> None:
    earlier = _one("Jan 2019 - Present")
    later, _ = find_date_ranges("Jan 2019 - Present", today=date(2025, 1, 10))
    assert merged_years([earlier]) == 5.5  # Jan 2019 .. Jun 2024 = 66 months
    assert merged_years(later) == 6.08  # Jan 2019 .. Jan 2025 = 73 months


def test_end_after_today_is_clipped_to_today() -> None:
    found = _one("2022 - 2026")
    assert found.end == TODAY
    assert not found.ongoing


def test_range_text_is_kept_as_written() -> None:
    assert _one("Data Analyst (Jun 2016 - May 2018)").text == "Jun 2016 - May 2018"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Analyst 13/2019 - 2020", "13/2019"),
        ("Analyst (2021 - 2019)", "2021 - 2019"),
        ("Analyst Jan 20199 - Mar 2020", "Jan 20199"),
        ("Analyst (2030 - Present)", "2030 - Present"),
        ("Analyst Dec 2024 - Jan 2025", "Dec 2024 - Jan 2025"),
    ],
)
def test_malformed_ranges_are_reported_not_returned(text: str, named: str) -> None:
    ranges, problems = find_date_ranges(text, today=TODAY)
    assert ranges == []
    assert len(problems) == 1
    assert named in problems[0]


def test_malformed_range_does_not_hide_the_valid_ones() -> None:
    ranges, problems = find_date_ranges("A (2021 - 2019)\nB (2015 - 2016)", today=TODAY)
    assert [r.text for r in ranges] == ["2015 - 2016"]
    assert len(problems) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Windows Server 2008/2012",
        "Requisition BHJOB2052_12611",
        "Certified on Windows 2008 and 2012",
        "Graduation Year 2008",
        "Call 555-2019",
        "2016-03",
    ],
)
def test_things_that_are_not_ranges(text: str) -> None:
    assert find_date_ranges(text, today=TODAY) == ([], [])


def test_match_positions_point_at_the_range() -> None:
    text = "Analyst (2013 - 2017), Engineer (2018 - 2020)"
    matches = match_date_ranges(text, today=TODAY)
    assert [text[m.start : m.end] for m in matches] == ["2013 - 2017", "2018 - 2020"]


def test_non_text_input_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="text must be a str"):
        find_date_ranges(None)  # type: ignore[arg-type]


def _range(text: str) -> DateRange:
    return _one(text)


@pytest.mark.parametrize(
    ("texts", "years"),
    [
        ([], 0.0),
        (["2014 - 2015"], 1.0),  # year-only ranges count end minus start
        (["2015 - 2015"], 1.0),
        (["2009 - 2013", "2013 - 2017"], 8.0),  # abutting year-only ranges
        (["Jan 2019 - Dec 2019", "Jan 2020 - Jun 2020"], 1.5),  # adjacent
        (["2010 - 2020", "2012 - 2014"], 10.0),  # nested
        (["Jan 2010 - Dec 2010", "Jan 2015 - Jun 2015"], 1.5),  # disjoint
        (["Jan 2019 - Jun 2020", "Jan 2020 - Dec 2020"], 2.0),  # partial overlap
    ],
)
def test_merged_years_counts_overlaps_once(texts: list[str], years: float) -> None:
    assert merged_years([_range(t) for t in texts]) == years


@pytest.mark.parametrize(
    ("token", "value"),
    [("3", 3.0), ("2.5", 2.5), ("five", 5.0), ("Ten", 10.0), ("twenty", 20.0), ("many", None)],
)
def test_parse_count(token: str, value: float | None) -> None:
    assert parse_count(token) == value


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("5+ years", 5.0),
        ("3-5 years", 3.0),
        ("3 to 5 years", 3.0),
        ("two or more years", 2.0),
        ("1-year", 1.0),
        ("10+yrs", 10.0),
        ("six months", 0.5),
        ("at least four years", 4.0),
        ("two (2) years", 2.0),
    ],
)
def test_years_pattern_reads_the_minimum(text: str, years: float) -> None:
    match = re.search(YEARS_PATTERN, text, re.IGNORECASE)
    assert match is not None
    assert years_from_match(match) == years


@pytest.mark.parametrize(
    "value",
    [
        "2021-08-01",
        " 2021-08-01 ",
        "2021-08-01T23:30:00+05:00",
        "2021-08-01 09:30",
        date(2021, 8, 1),
        pd.Timestamp("2021-08-01 18:00"),
        np.datetime64("2021-08-01T07:00"),
    ],
)
def test_a_received_day_is_read_from_an_iso_date_or_a_date_value(value: object) -> None:
    assert read_day(value) == date(2021, 8, 1)


@pytest.mark.parametrize(
    "value", [None, "", "  ", float("nan"), pd.NaT, pd.NA, np.datetime64("NaT")]
)
def test_a_missing_received_day_is_none(value: object) -> None:
    assert read_day(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("01/08/2021", "'01/08/2021' is not a date (write it as YYYY-MM-DD)"),
        ("2021-02-30", "'2021-02-30' is not a date"),
        ("20210801", "'20210801' is not a date"),
        ("2021-08", "'2021-08' is not a date"),
        (20210801, "int value '20210801' is not a date"),
        (["2021-08-01"], "list value"),
        (b"2021-08-01", "bytes value"),
    ],
)
def test_a_received_day_that_is_not_a_date_says_so(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        read_day(value)
