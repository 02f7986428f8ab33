"""The clean cache: resumes cleaned once per content, code and cleaning settings."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from matcher.io.clean_cache import CleanCacheAddress, open_clean_cache
from matcher.io.loading import load_resumes
from matcher.schema import CLEAN_TEXT, MODEL_TEXT
from matcher.settings import LimitSettings
from matcher.text.dedup import TextSketch
from matcher.text.preprocess import clean_resumes, cleaning_key, deduplicate_resumes, sketch_key
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    """The sample's resume folder as loaded, and two resumes cleaning rejects."""
    loaded = load_resumes(SAMPLE / "resumes").records
    rejected = pd.DataFrame(
        {
            "resume_id": ["only-markup", "too-short"],
            "text": ["<p>&nbsp;</p>", "See attached CV"],
            "source": ["x.html", "y.txt"],
        }
    )
    return pd.concat([loaded, rejected.astype(loaded.dtypes.to_dict())], ignore_index=True)


def test_a_warm_cache_gives_what_cleaning_gives_and_cleans_nothing(
    tmp_path: Path, records: pd.DataFrame
) -> None:
    path = tmp_path / "clean_cache.db"
    cold_kept, cold_rejects = clean_resumes(records)
    assert cold_rejects["record_id"].tolist() == ["only-markup", "too-short"]
    with open_clean_cache(path, "code-v1") as cache:
        first_kept, first_rejects = clean_resumes(records, store=cache)
        assert cache.found == 0
    with open_clean_cache(path, "code-v1") as cache:
        warm_kept, warm_rejects = clean_resumes(records, store=cache)
        assert cache.found == len(records)  # every resume read back, none cleaned
    for kept, rejects in ((first_kept, first_rejects), (warm_kept, warm_rejects)):
        pd.testing.assert_frame_equal(kept, cold_kept)
        pd.testing.assert_frame_equal(rejects, cold_rejects)


def test_what_the_cache_holds_is_what_a_warm_run_uses(
    tmp_path: Path, records: pd.DataFrame
) -> None:
    """A resume found in the cache is not cleaned again: its kept value is the one used."""
    first = records.iloc[:1].reset_index(drop=True)
    key = cleaning_key(first.to_dict("records")[0], LimitSettings().max_html_depth)
    kept_value = ["kept clean text", "kept model text", None, None, None, None, None]
    with open_clean_cache(tmp_path / "clean_cache.db", "v") as cache:
        cache.put([(key, kept_value)])
        kept, rejects = clean_resumes(first, store=cache)
    assert rejects.empty
    assert (kept.loc[0, CLEAN_TEXT], kept.loc[0, MODEL_TEXT]) == tuple(kept_value[:2])


def test_a_changed_text_setting_or_code_version_is_cleaned_again(
    tmp_path: Path, records: pd.DataFrame
) -> None:
    path = tmp_path / "clean_cache.db"
    with open_clean_cache(path, "v1") as cache:
        clean_resumes(records, store=cache)
    edited = records.copy()
    edited.loc[0, "text"] = str(edited.loc[0, "text"]) + "\nAlso: Kubernetes"
    with open_clean_cache(path, "v1") as cache:
        kept, _ = clean_resumes(edited, store=cache)
        assert cache.found == len(records) - 1  # only the edited resume is cleaned
    assert (
        "Kubernetes"
        in kept.loc[kept["resume_id"] == records.loc[0, "resume_id"], CLEAN_TEXT].iloc[0]
    )
    with open_clean_cache(path, "v1") as cache:
        clean_resumes(records, LimitSettings(max_html_depth=3), store=cache)
        assert cache.found == 0  # another cleaning setting: every resume cleaned again
    with open_clean_cache(path, "v2") as cache:
        clean_resumes(records, store=cache)
        assert cache.found == 0  # another version of the code: every resume cleaned again


def test_a_resume_whose_cleaning_raised_is_tried_again_not_kept(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"resume_id": ["broken"], "text": ["Jane Doe, nurse\n<b>x</b><![ CDATA["], "source": ["a"]}
    )
    with open_clean_cache(tmp_path / "clean_cache.db", "v") as cache:
        _, first = clean_resumes(frame, store=cache)
        _, again = clean_resumes(frame, store=cache)
        assert cache.found == 0
    assert first["record_id"].tolist() == again["record_id"].tolist() == ["broken"]
    pd.testing.assert_frame_equal(first, again)


def test_deduplication_sketches_are_kept_and_read_back(
    tmp_path: Path, records: pd.DataFrame
) -> None:
    """Each kept resume's sketch is kept by its model text; a rerun reads them all back and
    finds the same copies, and a damaged value is made again."""
    cleaned, _ = clean_resumes(records)
    copy = cleaned.iloc[[2]].assign(resume_id="copy-of-2", source="copy.txt")
    pool = pd.concat([cleaned, copy], ignore_index=True)
    expected_kept, expected_duplicates = deduplicate_resumes(pool)
    # The sample's own copies, and this one.
    assert expected_duplicates["record_id"].tolist()[-1] == "copy-of-2"
    assert len(expected_duplicates) > 1
    path = tmp_path / "clean_cache.db"
    for _ in ("cold", "warm"):
        with open_clean_cache(path, "v1") as cache:
            kept, duplicates = deduplicate_resumes(pool, sketches=cache.sketches)
            # The copy's model text is the original's: one sketch serves both.
            assert cache.sketches.get([sketch_key(t) for t in pool[MODEL_TEXT]]).keys() == {
                sketch_key(t) for t in cleaned[MODEL_TEXT]
            }
        pd.testing.assert_frame_equal(kept, expected_kept)
        pd.testing.assert_frame_equal(duplicates, expected_duplicates)
    with open_clean_cache(path, "v1") as cache:
        store = cache.sketches
        deduplicate_resumes(pool, sketches=store)
        assert store.found == len(pool)  # every resume's sketch read back
        store.put([(sketch_key(str(pool.loc[2, MODEL_TEXT])), "damaged")])
        _, duplicates = deduplicate_resumes(pool, sketches=store)
        pd.testing.assert_frame_equal(duplicates, expected_duplicates)
        assert TextSketch.loads(store.get([sketch_key(str(pool.loc[2, MODEL_TEXT]))]).popitem()[1])
    with open_clean_cache(path, "v2") as cache:
        store = cache.sketches
        deduplicate_resumes(pool, sketches=store)
        assert store.found == 0  # another version of the code: sketched again


def test_a_dask_shard_keeps_its_resumes_sketches_for_the_flow(
    tmp_path: Path, records: pd.DataFrame
) -> None:
    """A worker's cleaning shard makes its resumes' sketches: deduplication in the flow's
    process then reads every one of them and makes none."""
    from pipelines.batch_scoring import clean_resume_shard

    address = CleanCacheAddress(tmp_path / "clean_cache.db", "v1")
    half = len(records) // 2
    shards = [records.iloc[:half], records.iloc[half:]]
    parts = [
        clean_resume_shard.fn(s.reset_index(drop=True), LimitSettings(), address) for s in shards
    ]
    cleaned = pd.concat([kept for kept, _, _ in parts], ignore_index=True)
    with address.open() as cache:
        store = cache.sketches
        kept, duplicates = deduplicate_resumes(cleaned, sketches=store)
        assert store.found == len(cleaned)  # all made on the shards
    expected_kept, expected_duplicates = deduplicate_resumes(clean_resumes(records)[0])
    pd.testing.assert_frame_equal(kept, expected_kept)
    pd.testing.assert_frame_equal(duplicates, expected_duplicates)


def test_old_code_versions_are_deleted_the_two_most_recent_kept(
    tmp_path: Path, records: pd.DataFrame
) -> None:
    path = tmp_path / "clean_cache.db"
    first = records.iloc[:3].reset_index(drop=True)
    for version in ("v1", "v2", "v3"):
        with open_clean_cache(path, version) as cache:
            kept, _ = clean_resumes(first, store=cache)
            deduplicate_resumes(kept, sketches=cache.sketches)
    with open_clean_cache(path, "v3") as cache:
        assert cache.forget_old_versions() == ["v1"]
        assert cache.forget_old_versions() == []
    for version, found in (("v1", 0), ("v2", 3), ("v3", 3)):
        with open_clean_cache(path, version) as cache:
            depth = LimitSettings().max_html_depth
            cache.get([cleaning_key(row, depth) for row in first.to_dict("records")])
            sketches = cache.sketches
            sketches.get([sketch_key(str(text)) for text in kept[MODEL_TEXT]])
            assert (cache.found, sketches.found) == (found, found), version
