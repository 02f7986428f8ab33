"""The score cache: pair features and profiles kept between runs by content hash."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from matcher.io.score_cache import open_score_cache
from matcher.io.shared_sqlite import IN_CHUNK
from matcher.ranking.features import FEATURES
from matcher.ranking.requirement_ranker import RequirementRanker
from matcher.text.preprocess import prepare_postings, prepare_resumes
from tests.model.test_evaluation import POSTINGS, RESUMES


@pytest.fixture(scope="module")
def records() -> tuple[pd.DataFrame, pd.DataFrame]:
    postings, _ = prepare_postings(POSTINGS)
    resumes, _, _ = prepare_resumes(RESUMES, deduplicate=False)
    return postings, resumes


def test_pair_values_are_found_by_both_keys_and_the_version(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    with open_score_cache(path, "v1", "p1") as (pairs, _):
        pairs.put([("p", "r", np.array([0.25, 1.0], np.float32))])
        found = pairs.get(["p"], ["r", "other"])
        assert list(found) == [("p", "r")]
        np.testing.assert_array_equal(found[("p", "r")], [0.25, 1.0])
        assert pairs.get(["p"], ["other"]) == {} and pairs.get(["q"], ["r"]) == {}
    with open_score_cache(path, "v2", "p1") as (pairs, _):
        assert pairs.get(["p"], ["r"]) == {}  # another model or feature code: computed afresh


@pytest.mark.parametrize("asked", [3, IN_CHUNK // 2 + 1])
def test_pairs_are_found_alike_for_few_resumes_and_for_many(tmp_path: Path, asked: int) -> None:
    """A few resumes' pairs are looked up pair by pair, many resumes' by reading their
    postings' pairs: each way finds exactly the stored pairs of the postings and resumes
    asked for, across chunks of ``IN_CHUNK`` postings."""
    postings = [f"p{i}" for i in range(IN_CHUNK + 3)]
    resumes = [f"r{j}" for j in range(IN_CHUNK // 2 + 5)]
    rng = np.random.default_rng(7)
    stored = {
        (p, r): rng.random(2).astype(np.float32)
        for p in postings
        for r in resumes
        if rng.random() < 0.1
    }
    with open_score_cache(tmp_path / "cache.db", "v1", "p1") as (pairs, _):
        pairs.put((p, r, values) for (p, r), values in stored.items())
        wanted = [*resumes[:asked], "absent"]
        found = pairs.get(postings[1:], wanted)
    expected = {key for key in stored if key[0] != postings[0] and key[1] in wanted}
    assert set(found) == expected and len(expected) > asked
    for key in expected:
        np.testing.assert_array_equal(found[key], stored[key])


def test_an_unreadable_cache_is_started_afresh(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    path.write_bytes(b"not a database, just bytes " * 100)
    with open_score_cache(path, "v1", "p1") as (pairs, profiles):
        assert pairs.get(["p"], ["r"]) == {} and len(profiles) == 0


def test_profiles_are_read_once_and_kept_for_the_next_run(
    tmp_path: Path, embedder: Any, records: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    postings, resumes = records
    path = tmp_path / "cache.db"
    first = RequirementRanker(embedder)
    with open_score_cache(path, "v", first.parser_version()) as (_, store):
        first.profile_store = store
        parsed = first.profiles(postings, resumes)
        assert len(store) == len(postings) + len(resumes)
    again = RequirementRanker(embedder)
    with open_score_cache(path, "v", again.parser_version()) as (_, store):
        assert len(store) == len(postings) + len(resumes)
        again.profile_store = store
        assert again.profiles(postings, resumes) == parsed  # read back from the file
    with open_score_cache(path, "v", "another parser") as (_, store):
        assert len(store) == 0


def test_a_run_reads_its_stored_profiles_at_once_and_screens_none_again(
    tmp_path: Path, embedder: Any, records: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    from pipelines.batch_scoring import CountedProfiles

    from matcher.parsing.profiles import profile_key, profile_resumes
    from matcher.parsing.screening import screen_resumes

    _, resumes = records
    path = tmp_path / "cache.db"
    ranker = RequirementRanker(embedder)
    with open_score_cache(path, "v", ranker.parser_version()) as (_, store):
        parsed = profile_resumes(resumes, ranker.matcher, ranker.today, store)
    with open_score_cache(path, "v", ranker.parser_version()) as (_, store):
        keys = list(store)
        store.load([*keys, "absent"])  # one query for them all
        assert sorted(store._memory) == sorted(keys) and store._absent == {"absent"}
        with pytest.raises(KeyError):
            store["absent"]  # remembered as absent: asked no more
        store["absent"] = parsed[0]
        assert store["absent"] == parsed[0] and "absent" not in store._absent
        del store["absent"]
    with open_score_cache(path, "v", ranker.parser_version()) as (_, store):
        counted = CountedProfiles(store)
        kept, rejects = screen_resumes(resumes, ranker.matcher, ranker.today, counted)
        assert kept.equals(resumes) and rejects == []
        assert counted.read == 0  # every resume found stored: none profiled again
        assert profile_key("resume", "x") not in store._memory
        assert profile_resumes(resumes, ranker.matcher, ranker.today, counted) == parsed
        assert counted.read == 0


def test_cached_pair_features_equal_computed_ones(
    tmp_path: Path, embedder: Any, records: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    """A run that reuses some pairs' features scores exactly as one that computes them all."""
    postings, resumes = records
    plain = RequirementRanker(embedder).features(postings, resumes).values
    cached = RequirementRanker(embedder)
    with open_score_cache(tmp_path / "cache.db", cached.feature_version(), "p") as (pairs, _):
        cached.pair_cache = pairs
        cached.features(postings.iloc[:1], resumes.iloc[:2])  # some pairs first
        assert cached.pair_counts == {"computed": 2, "reused": 0}
        values = cached.features(postings, resumes).values
    total = len(postings) * len(resumes)
    assert cached.pair_counts == {"computed": 2 + total - 2, "reused": 2}
    for name in FEATURES:
        np.testing.assert_array_equal(values[name], plain[name], err_msg=name)


def test_a_run_on_another_day_reuses_all_but_the_years(tmp_path: Path, embedder: Any) -> None:
    """The next day's run reuses every cached feature of unchanged resumes except the years of
    open-ended roles, and scores exactly as a run from scratch on that day; a role that has
    started since (it was dated in the future) makes that resume's pairs computed again."""
    postings, _ = prepare_postings(
        pd.DataFrame(
            {
                "job_id": ["j-rn"],
                "title": ["ICU registered nurse"],
                "description": ["ICU nurse, BLS and ACLS. At least 3 years of ICU nursing."],
            }
        )
    )
    resumes, _, _ = prepare_resumes(
        pd.DataFrame(
            {
                "resume_id": ["r-open", "r-closed", "r-future"],
                "text": [
                    "Experience\nICU Nurse, City Hospital (Jan 2024 - Present)\nBLS, ACLS",
                    "Experience\nICU Nurse, City Hospital (Jan 2020 - Dec 2022)\nBLS",
                    "Experience\nICU Nurse, City Hospital (Jan 2023 - Present)\n"
                    "Charge Nurse, North Clinic (Mar 2026 - Present)\nACLS",
                ],
            }
        ),
        deduplicate=False,
    )
    first_day, next_day = date(2026, 2, 2), date(2027, 2, 2)
    path = tmp_path / "cache.db"

    def scored(today: date, cached: bool) -> tuple[RequirementRanker, np.ndarray]:
        ranker = RequirementRanker(embedder, today=today)
        if not cached:
            return ranker, ranker.score(postings, resumes)
        with open_score_cache(path, ranker.feature_version(), "p") as (pairs, _):
            ranker.pair_cache = pairs
            return ranker, ranker.score(postings, resumes)

    first, first_scores = scored(first_day, cached=True)
    assert first.pair_counts == {"computed": 3, "reused": 0}
    again, scores = scored(next_day, cached=True)
    # r-future's second role started between the two days: its features are computed again.
    assert again.pair_counts == {"computed": 1, "reused": 2}
    fresh, fresh_scores = scored(next_day, cached=False)
    np.testing.assert_array_equal(scores, fresh_scores)
    values, fresh_values = again._last, fresh._last
    assert values is not None and fresh_values is not None
    for name in FEATURES:
        np.testing.assert_array_equal(
            values[3].values[name], fresh_values[3].values[name], err_msg=name
        )
    # The years did change with the day (r-open now has 3 years): they were not reused.
    assert not np.array_equal(first_scores, scores)
    assert first._last is not None
    experience = first._last[3].values["experience"], values[3].values["experience"]
    assert experience[0][0, 0] < experience[1][0, 0]


def test_profiles_read_back_share_the_vocabulary_strings(
    tmp_path: Path, embedder: Any, records: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    # A warm run holds every resume's profile read back from the file: the skill names,
    # categories and surfaces that recur in all of them are one string each, not a copy per
    # profile (about half a profile's memory).
    postings, resumes = records
    path = tmp_path / "cache.db"
    ranker = RequirementRanker(embedder)
    with open_score_cache(path, "v", ranker.parser_version()) as (_, store):
        ranker.profile_store = store
        parsed = ranker.profiles(postings, resumes)[1]
    with open_score_cache(path, "v", ranker.parser_version()) as (_, store):
        ranker.profile_store = store
        read = ranker.profiles(postings, resumes)[1]
    assert read == parsed and all(a is not b for a, b in zip(read, parsed, strict=True))
    by_skill: dict[str, list[Any]] = {}
    for profile in read:
        for name, mention in profile.skills.items():
            assert name is mention.skill  # the key and the mention's name: one object
            by_skill.setdefault(name, []).append(mention)
    shared = [mentions for mentions in by_skill.values() if len(mentions) > 1]
    assert shared, "the test records share no skill"
    for first, *others in shared:
        assert all(m.skill is first.skill and m.category is first.category for m in others)
    assert not hasattr(read[0], "__dict__")  # slots: no instance dict per object


def test_old_versions_are_deleted_the_two_most_recent_kept(tmp_path: Path) -> None:
    """Each upgrade leaves a version behind: the flow keeps the two most recently used of
    each table and deletes the rest, so the file does not grow with every release."""
    path = tmp_path / "score_cache.db"
    values = np.arange(3, dtype=np.float32)
    for version in ("v1", "v2", "v3"):
        with open_score_cache(path, version, f"p-{version}") as (pairs, profiles):
            pairs.put([("posting", "resume", values)])
            profiles["resume"] = {"made by": version}
    with open_score_cache(path, "v3", "p-v3") as (pairs, profiles):
        assert pairs.forget_old_versions() == ["v1"]
        assert profiles.forget_old_versions() == ["p-v1"]
        assert pairs.forget_old_versions() == []  # nothing left to delete
    for version, kept in (("v1", False), ("v2", True), ("v3", True)):
        with open_score_cache(path, version, f"p-{version}") as (pairs, profiles):
            assert bool(pairs.get(["posting"], ["resume"])) is kept, version
            assert ("resume" in profiles) is kept, version
    # Back to v2 and forth to v3 again: both stay (two settings used in turn).
    for version in ("v2", "v3", "v2"):
        with open_score_cache(path, version, f"p-{version}") as (pairs, _):
            assert pairs.forget_old_versions() == []
            assert pairs.get(["posting"], ["resume"])
