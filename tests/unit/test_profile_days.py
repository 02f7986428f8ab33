"""A resume's profile is read once, not once a day: only "Present" and ranges around today
depend on the day a run takes for today, and a profile without them is kept for later days."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from matcher import schema
from matcher.parsing.profiles import profile_resumes, resume_profile
from matcher.parsing.skills import SkillMatcher

DONE = "Registered Nurse, Mercy Hospital (2019 - 2023)\nICU Nurse, Saint Luke (2023 - 2025)"
ONGOING = "Registered Nurse, Mercy Hospital (2019 - Present)"
DAY, NEXT_YEAR = date(2026, 2, 2), date(2027, 2, 2)


class CountingStore(dict[str, object]):
    """A real profile store (a mapping) that counts the profiles written to it."""

    writes = 0

    def __setitem__(self, key: str, value: object) -> None:
        self.writes += 1
        super().__setitem__(key, value)


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    return SkillMatcher()


def frame(*texts: str) -> pd.DataFrame:
    return pd.DataFrame(
        {schema.RESUME_ID: [f"R{k}" for k in range(len(texts))], schema.TEXT: list(texts)}
    )


def test_a_resume_whose_roles_all_ended_is_read_once_for_every_later_day(
    matcher: SkillMatcher,
) -> None:
    store = CountingStore()
    [first] = profile_resumes(frame(DONE), matcher, DAY, store)
    [later] = profile_resumes(frame(DONE), matcher, NEXT_YEAR, store)
    assert store.writes == 1 and later is first
    assert later == resume_profile("R0", DONE, matcher, NEXT_YEAR)  # what a fresh read gives


def test_an_ongoing_role_is_read_again_on_another_day(matcher: SkillMatcher) -> None:
    store = CountingStore()
    [first] = profile_resumes(frame(ONGOING), matcher, DAY, store)
    [same_day] = profile_resumes(frame(ONGOING), matcher, DAY, store)
    [later] = profile_resumes(frame(ONGOING), matcher, NEXT_YEAR, store)
    assert same_day is first and store.writes == 2
    assert later.experience.total_years > first.experience.total_years
    assert later == resume_profile("R0", ONGOING, matcher, NEXT_YEAR)


def test_a_day_before_a_role_ended_is_not_given_the_later_profile(matcher: SkillMatcher) -> None:
    """Run on an earlier day (a backfill), the 2023 - 2025 role is clipped or refused, so the
    profile kept from 2026 must not be used."""
    store = CountingStore()
    profile_resumes(frame(DONE), matcher, DAY, store)
    [earlier] = profile_resumes(frame(DONE), matcher, date(2024, 6, 1), store)
    assert store.writes == 2
    assert earlier == resume_profile("R0", DONE, matcher, date(2024, 6, 1))
    kept = resume_profile("R0", DONE, matcher, DAY)
    assert earlier.experience.total_years < kept.experience.total_years


def test_a_received_resume_is_read_on_its_own_day_and_kept_for_it(matcher: SkillMatcher) -> None:
    """An archive's resume says "Present" as of the day it was received: its years stop there,
    whatever day the run takes for today, and the store keeps it under that day."""
    store = CountingStore()
    received = frame(ONGOING, ONGOING).assign(**{schema.RECEIVED: ["2021-08-01", None]})
    archived, current = profile_resumes(received, matcher, DAY, store)
    assert archived == resume_profile("R0", ONGOING, matcher, date(2021, 8, 1))
    assert current == resume_profile("R1", ONGOING, matcher, DAY)
    assert archived.experience.total_years == pytest.approx(2.6, abs=0.1)
    [again] = profile_resumes(received.iloc[:1], matcher, NEXT_YEAR, store)
    assert again is archived and store.writes == 2  # the same day, so the same profile
    # A received day after the run's day is the run's day: nothing counts into the future.
    [early] = profile_resumes(received.iloc[:1], matcher, date(2020, 1, 1), store)
    assert early == resume_profile("R0", ONGOING, matcher, date(2020, 1, 1))


def test_a_received_that_is_not_a_date_names_the_resume(matcher: SkillMatcher) -> None:
    bad = frame(ONGOING).assign(**{schema.RECEIVED: ["last spring"]})
    with pytest.raises(ValueError, match=r"resume R0: received: 'last spring' is not a date"):
        profile_resumes(bad, matcher, DAY)
