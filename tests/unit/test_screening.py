"""screen_profiles: a record that cannot be profiled is a reject, the others go on."""

from __future__ import annotations

import pandas as pd
import pytest

from matcher.parsing.screening import screen_profiles
from matcher.parsing.skills import SkillMatcher
from matcher.schema import CLEAN_TEXT, MODEL_TEXT, REJECT_COLUMNS, SOURCE
from matcher.text.preprocess import Prepared

RESUME = "Data engineer since 2018.\n\nSkills\n- Python, SQL and Airflow"


class Unprintable:
    """A cell value whose text cannot be taken, as a broken upstream step could leave."""

    def __str__(self) -> str:
        raise UnicodeError("no text for this value")


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    return SkillMatcher()


def _prepared(resume_texts: list[object]) -> Prepared:
    postings = pd.DataFrame(
        {
            "job_id": ["j1"],
            "title": ["Data Engineer"],
            "description": ["Requirements\n- Python and SQL"],
            CLEAN_TEXT: ["Requirements\n- Python and SQL"],
            MODEL_TEXT: ["Data Engineer\nRequirements\n- Python and SQL"],
            SOURCE: ["jobs.csv:2"],
        }
    )
    resumes = pd.DataFrame(
        {
            "resume_id": [f"r{i}" for i in range(len(resume_texts))],
            "text": [RESUME] * len(resume_texts),
            MODEL_TEXT: pd.Series(resume_texts, dtype=object),
            SOURCE: [f"resumes/r{i}.txt" for i in range(len(resume_texts))],
        }
    )
    rejects = pd.DataFrame({column: pd.Series(dtype=object) for column in REJECT_COLUMNS})
    duplicates = pd.DataFrame()
    return Prepared(postings, resumes, duplicates, rejects)


def test_records_that_profile_are_kept_unchanged(matcher: SkillMatcher) -> None:
    prepared = _prepared([RESUME, RESUME.replace("Airflow", "dbt")])
    assert screen_profiles(prepared, matcher) is prepared


def test_a_resume_whose_profiling_raises_becomes_a_reject(matcher: SkillMatcher) -> None:
    prepared = _prepared([RESUME, Unprintable(), RESUME.replace("Python", "Go")])
    screened = screen_profiles(prepared, matcher)
    assert screened.resumes["resume_id"].tolist() == ["r0", "r2"]
    assert screened.postings["job_id"].tolist() == ["j1"]
    assert screened.rejects.to_dict("records") == [
        {
            "kind": "resume",
            "record_id": "r1",
            "source": "resumes/r1.txt",
            "reason": "cannot profile record: UnicodeError: no text for this value",
        }
    ]


def test_a_block_that_raises_is_screened_again_row_by_row_reading_each_good_record_once(
    matcher: SkillMatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.batch_scoring import CountedProfiles

    import matcher.parsing.profiles as profiles
    import matcher.parsing.screening as screening

    monkeypatch.setattr(screening, "SCREEN_BLOCK", 3)
    read = profiles.resume_profile

    def fails_on_r4(resume_id: str, *args: object) -> object:
        """The real parser, which meets a record it cannot read: r4."""
        if resume_id == "r4":
            raise RecursionError("maximum recursion depth exceeded")
        return read(resume_id, *args)

    monkeypatch.setattr(profiles, "resume_profile", fails_on_r4)
    texts: list[object] = [RESUME.replace("Python", language) for language in "ABCDEFG"]
    store = CountedProfiles({})  # the flow's store wrapper: counts the profiles read
    # r4 is the second block's middle row: r3 is read by the block's call before r4 raises.
    screened = screen_profiles(_prepared(texts), matcher, store=store)
    assert screened.resumes["resume_id"].tolist() == ["r0", "r1", "r2", "r3", "r5", "r6"]
    assert screened.rejects.to_dict("records") == [
        {
            "kind": "resume",
            "record_id": "r4",
            "source": "resumes/r4.txt",
            "reason": "cannot profile record: RecursionError: maximum recursion depth exceeded",
        }
    ]
    # The posting and the six good resumes, each read once: r3 was found in the store when
    # its block was screened again row by row.
    assert store.read == 7 and len(store) == 7
    # Screened again, every good profile is found stored: nothing read, r4 a reject again.
    assert screen_profiles(_prepared(texts), matcher, store=store).rejects[
        "record_id"
    ].tolist() == ["r4"]
    assert store.read == 7


def test_screening_on_worker_processes_reads_each_profile_once_as_one_process_does(
    matcher: SkillMatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The flow profiles on the machine's other cores too: the same records kept and rejected
    (a resume a worker cannot profile is profiled again here, and rejected with its error),
    the same profiles in the store, each record counted once."""
    from pipelines.batch_scoring import CountedProfiles

    import matcher.parsing.profiles as profiles
    from matcher.parallel import MIN_ITEMS, use_processes

    read = profiles.resume_profile
    here: list[str] = []  # the resumes profiled in this process (a worker adds to its copy)

    def fails_on_r40(resume_id: str, *args: object) -> object:
        here.append(resume_id)
        if resume_id == "r40":
            raise RecursionError("maximum recursion depth exceeded")
        return read(resume_id, *args)

    monkeypatch.setattr(profiles, "resume_profile", fails_on_r40)  # the workers inherit it
    texts: list[object] = [RESUME.replace("2018", str(1980 + i)) for i in range(MIN_ITEMS + 6)]
    alone = CountedProfiles({})
    expected = screen_profiles(_prepared(texts), matcher, store=alone)
    assert len(here) > len(texts)  # every resume here (r40 and its block's rows twice)
    here.clear()
    store = CountedProfiles({})
    with use_processes(2):
        screened = screen_profiles(_prepared(texts), matcher, store=store)
    pd.testing.assert_frame_equal(screened.resumes, expected.resumes)
    pd.testing.assert_frame_equal(screened.rejects, expected.rejects)
    assert screened.rejects["record_id"].tolist() == ["r40"]
    assert "RecursionError" in screened.rejects["reason"].iloc[0]
    assert set(here) == {"r40"}  # the others were read on the workers
    assert store.read == alone.read == len(texts)  # the posting and the good resumes, once
    assert dict(store.inner) == dict(alone.inner)
