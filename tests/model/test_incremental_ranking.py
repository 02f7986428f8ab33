"""Incremental ranking with kept pool statistics, on the sample and the real model: a rerun
that scores only the new and changed resumes' pairs gives exactly the shortlists and decision
records of a full ranking of its pool with the kept statistics."""

from __future__ import annotations

import copy
import pickle
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matcher import schema
from matcher.io.kept_ranking import (
    MOST_SEGMENTS,
    KeptRanking,
    Segment,
    appended_kept,
    kept_path,
    load_kept,
    open_kept_pairs,
    read_kept_pairs,
    save_kept,
    write_kept_pairs,
)
from matcher.io.loading import load_postings, load_resumes
from matcher.ranking.features import PoolStatistics
from matcher.ranking.incremental import (
    KeptPairs,
    rank_incremental,
    rank_keeping,
    rank_with_pool,
    resume_changes,
)
from matcher.ranking.lexical import BM25Pool, TfidfPool
from matcher.ranking.requirement_ranker import RequirementRanker
from matcher.ranking.two_stage import ENCODED_TEXT, Ranking, rank_in_batches
from matcher.settings import RankingSettings
from matcher.text.preprocess import Prepared, prepare_loaded
from matcher.text.texts import resume_texts
from tests.conftest import SAMPLE

INFO = {"name": "requirements", "params": {}, "source": "built-in default"}
#: Every resume a candidate (the sample is small); batches of 7 postings.
SETTINGS = RankingSettings(candidates=0, posting_batch=7, top_k=5)
#: A sentence added to one resume: it changes between the runs.
ADDED = "\nAlso led a data warehouse migration in Python, SQL and Airflow for a hospital group."


@pytest.fixture(scope="module")
def pools() -> tuple[Prepared, pd.DataFrame, pd.DataFrame]:
    """The postings, pool A (the sample less 4 resumes) and pool B (A less one resume, with
    one resume's text changed and the 4 resumes added)."""
    postings, resumes = load_postings(SAMPLE / "jobs.csv"), load_resumes(SAMPLE / "resumes")
    first = prepare_loaded(postings, resumes)
    ids = first.resumes[schema.RESUME_ID].astype(str).tolist()
    held_out, removed, changed = ids[3:64:20], ids[11], ids[30]
    records = resumes.records.copy()
    at = records[schema.RESUME_ID].astype(str) == changed
    records.loc[at, schema.TEXT] = records.loc[at, schema.TEXT] + ADDED
    second = prepare_loaded(postings, replace(resumes, records=records)).resumes
    pool_a = first.resumes[~first.resumes[schema.RESUME_ID].isin(held_out)]
    pool_b = second[second[schema.RESUME_ID] != removed]
    return first, pool_a.reset_index(drop=True), pool_b.reset_index(drop=True)


@pytest.fixture(scope="module")
def ranker(embedder) -> RequirementRanker:  # type: ignore[no-untyped-def]
    return RequirementRanker(embedder)


@pytest.fixture(scope="module")
def first_run(
    pools: tuple[Prepared, pd.DataFrame, pd.DataFrame], ranker: RequirementRanker
) -> tuple[Ranking, KeptPairs, PoolStatistics]:
    prepared, pool_a, _ = pools
    return rank_keeping(ranker, prepared.postings, pool_a, SETTINGS, INFO, "model-x")


def _same(left: Ranking, right: Ranking) -> None:
    pd.testing.assert_frame_equal(left.shortlists, right.shortlists)
    assert left.decisions is not None and right.decisions is not None
    pd.testing.assert_frame_equal(left.decisions, right.decisions)
    assert left.candidates == right.candidates
    assert left.candidate_of == right.candidate_of
    assert left.warnings == right.warnings


def test_a_run_keeping_its_pairs_is_a_full_run(
    pools: tuple[Prepared, pd.DataFrame, pd.DataFrame],
    ranker: RequirementRanker,
    first_run: tuple[Ranking, KeptPairs, PoolStatistics],
) -> None:
    prepared, pool_a, _ = pools
    ranking, kept, _ = first_run
    _same(ranking, rank_in_batches(ranker, prepared.postings, pool_a, SETTINGS, INFO, "model-x"))
    n_postings = len(prepared.postings)
    assert len(kept.pairs) == n_postings * len(pool_a)
    assert kept.job_ids == prepared.postings[schema.JOB_ID].astype(str).tolist()
    # The kept parts add up to the recorded scores.
    points = kept.pairs[[c for c in kept.pairs.columns if c.startswith("points.")]].sum(axis=1)
    assert ranking.decisions is not None
    recorded = ranking.decisions.set_index([schema.JOB_ID, schema.RESUME_ID])["score"]
    keys = pd.MultiIndex.from_frame(kept.pairs[[schema.JOB_ID, schema.RESUME_ID]])
    assert np.allclose(100 * points.to_numpy(), recorded.loc[keys].to_numpy(), atol=0.051)


def test_kept_pairs_written_batch_by_batch_are_those_kept_in_memory(
    pools: tuple[Prepared, pd.DataFrame, pd.DataFrame],
    ranker: RequirementRanker,
    first_run: tuple[Ranking, KeptPairs, PoolStatistics],
    tmp_path: Path,
) -> None:
    prepared, pool_a, _ = pools
    ranking, kept, fitted = first_run
    with open_kept_pairs(tmp_path) as (sink, pairs_file):
        written_ranking, spilled, _ = rank_keeping(
            ranker, prepared.postings, pool_a, SETTINGS, INFO, "model-x", keep_to=sink.write
        )
    _same(written_ranking, ranking)
    # The run held the pairs' columns only; the file holds every pair, each posting's together.
    assert spilled.pairs.empty and list(spilled.pairs.columns) == list(kept.pairs.columns)
    key = [schema.JOB_ID, schema.RESUME_ID]
    written = read_kept_pairs(pairs_file.read_bytes())
    pd.testing.assert_frame_equal(
        written.sort_values(key).reset_index(drop=True),
        kept.pairs.sort_values(key).reset_index(drop=True),
    )
    assert written.groupby(schema.JOB_ID, sort=False).ngroup().is_monotonic_increasing
    # Saved, the file is the kept ranking's pairs, read back as the next run reads them.
    save_kept(tmp_path, KeptRanking("k", {}, kept.resume_hashes, fitted, spilled, pairs_file))
    loaded = load_kept(tmp_path)
    assert loaded is not None and not pairs_file.exists()
    pd.testing.assert_frame_equal(loaded.pairs.pairs, written)
    assert loaded.pairs.job_ids == kept.job_ids
    # The explanations are held and kept dictionary-encoded, each distinct text once per part.
    explained = kept.explained()
    assert explained and all(written[c].dtype == pd.ArrowDtype(ENCODED_TEXT) for c in explained)


def test_kept_pairs_written_before_they_are_saved_replace_the_kept_ones_only_when_saved(
    pools: tuple[Prepared, pd.DataFrame, pd.DataFrame],
    ranker: RequirementRanker,
    first_run: tuple[Ranking, KeptPairs, PoolStatistics],
    tmp_path: Path,
) -> None:
    """An incremental rerun writes its merged pairs while its workbook is written, and saves
    them (a rename) after its outputs are logged: until then the kept ranking is the last."""
    prepared, _, pool_b = pools
    _, kept, fitted = first_run
    save_kept(tmp_path, KeptRanking("first", {}, kept.resume_hashes, fitted, kept))
    _, kept_b = rank_incremental(
        ranker, prepared.postings, pool_b, kept, fitted.extended(pool_b), SETTINGS, INFO, "m"
    )
    written = write_kept_pairs(tmp_path, KeptRanking("second", {}, {}, fitted, kept_b))
    assert written.pairs_file is not None and written.pairs_file.exists()
    assert write_kept_pairs(tmp_path, written) == written  # in a file already: as it is
    before = load_kept(tmp_path)
    assert before is not None and before.key == "first"
    pd.testing.assert_frame_equal(before.pairs.pairs, kept.pairs)
    save_kept(tmp_path, written)
    after = load_kept(tmp_path)
    assert after is not None and after.key == "second" and not written.pairs_file.exists()
    pd.testing.assert_frame_equal(after.pairs.pairs, kept_b.pairs)


def test_a_rerun_that_drops_no_pair_keeps_its_new_pairs_as_one_more_segment(
    pools: tuple[Prepared, pd.DataFrame, pd.DataFrame],
    ranker: RequirementRanker,
    first_run: tuple[Ranking, KeptPairs, PoolStatistics],
    tmp_path: Path,
) -> None:
    """Pool A, then A and 4 new resumes: the rerun writes the new resumes' pairs only, as a
    second segment beside the first, and keeps the statistics file as it is; read back, the
    two segments are the merged pairs in order. Then pool B (a resume removed, one changed):
    every pair is written again as one segment and the other files are deleted. A damaged
    segment makes the kept ranking unusable."""
    prepared, _, pool_b = pools
    _, kept, fitted = first_run
    folder = kept_path(tmp_path)
    save_kept(tmp_path, KeptRanking("a", {}, kept.resume_hashes, fitted, kept))
    first = load_kept(tmp_path)
    assert first is not None and len(first.segments) == 1
    statistics = (folder / "statistics.pkl").stat().st_mtime_ns
    pool_c = prepared.resumes  # pool A and the 4 held out
    _, kept_c = rank_incremental(
        ranker, prepared.postings, pool_c, first.pairs, fitted.extended(pool_c), SETTINGS, INFO
    )
    appended = appended_kept(first, "c", {}, kept_c)
    assert appended.segments == first.segments
    save_kept(tmp_path, appended)
    second = load_kept(tmp_path)
    assert second is not None and second.key == "c"
    assert [s.rows for s in second.segments] == [len(kept.pairs), len(prepared.postings) * 4]
    assert sorted(p.name for p in folder.glob("pairs*")) == sorted(s.name for s in second.segments)
    assert (folder / "statistics.pkl").stat().st_mtime_ns == statistics  # not written again
    pd.testing.assert_frame_equal(second.pairs.pairs, kept_c.pairs)
    # A resume removed and one changed: their pairs are dropped, so every pair is written.
    _, kept_b = rank_incremental(
        ranker, prepared.postings, pool_b, second.pairs, fitted.extended(pool_b), SETTINGS, INFO
    )
    rewritten = appended_kept(second, "b", {}, kept_b)
    assert rewritten.segments == ()
    save_kept(tmp_path, rewritten)
    third = load_kept(tmp_path)
    assert third is not None and len(third.segments) == 1
    assert [p.name for p in folder.glob("pairs*")] == [third.segments[0].name]
    pd.testing.assert_frame_equal(third.pairs.pairs, kept_b.pairs)
    # As many segments as MOST_SEGMENTS: the next rerun writes every pair as one.
    # As many segments as MOST_SEGMENTS (the same rows in all): the next writes every pair.
    empty = Segment("pairs-empty.parquet", "0" * 64, 0)
    crowded = replace(second, segments=second.segments + (empty,) * (MOST_SEGMENTS - 2))
    assert appended_kept(crowded, "d", {}, kept_c).segments == crowded.segments[:0]
    fewer = replace(crowded, segments=crowded.segments[:-1])
    assert appended_kept(fewer, "d", {}, kept_c).segments == fewer.segments
    # A segment whose bytes changed: no kept ranking.
    segment = folder / third.segments[0].name
    segment.write_bytes(segment.read_bytes()[:-1] + b"x")
    assert load_kept(tmp_path) is None


@pytest.mark.parametrize(
    ("batch_resumes", "batches"),
    [(SETTINGS.batch_resumes, 1), (5, 3)],
    ids=["new-pairs-in-one-batch", "in-batches-of-7-postings"],
)
def test_incremental_rerun_equals_a_full_run_with_the_kept_statistics(
    pools: tuple[Prepared, pd.DataFrame, pd.DataFrame],
    ranker: RequirementRanker,
    first_run: tuple[Ranking, KeptPairs, PoolStatistics],
    batch_resumes: int,
    batches: int,
) -> None:
    """Whether the 5 new and changed resumes are scored against all 19 postings at once or
    in batches of 7 postings (as many as make 7 x batch_resumes pairs), the rerun is the full
    ranking."""
    prepared, _, pool_b = pools
    first, kept, fitted = first_run
    changes = resume_changes(kept, pool_b)
    assert (len(changes.new), len(changes.changed), len(changes.removed)) == (4, 1, 1)
    kept_stats = fitted.extended(pool_b)
    assert kept_stats.added_resumes == 5  # the new and the changed one
    settings = SETTINGS.model_copy(update={"batch_resumes": batch_resumes})
    ranking, kept_b = rank_incremental(
        ranker, prepared.postings, pool_b, kept, kept_stats, settings, INFO, "model-x"
    )
    full = rank_with_pool(ranker, prepared.postings, pool_b, kept_stats, SETTINGS, INFO, "model-x")
    _same(ranking, full)
    n_postings = len(prepared.postings)
    assert ranking.feature_pairs == n_postings * 5  # only the new and changed resumes' pairs
    assert (ranking.batches, ranking.resumes_read) == (batches, batches * 5)
    assert len(kept_b.pairs) == n_postings * len(pool_b)
    # The new resumes do reach shortlists, and the removed one is in no record.
    assert set(changes.new) & set(ranking.shortlists[schema.RESUME_ID])
    assert ranking.decisions is not None
    assert changes.removed[0] not in set(ranking.decisions[schema.RESUME_ID])
    # The old pairs kept their scores: the unchanged resumes' records are the first run's.
    assert first.decisions is not None
    columns = [schema.JOB_ID, schema.RESUME_ID, "score", "evidence"]
    before = first.decisions[columns].set_index([schema.JOB_ID, schema.RESUME_ID])
    after = ranking.decisions[columns].set_index([schema.JOB_ID, schema.RESUME_ID])
    same = ~after.index.get_level_values(schema.RESUME_ID).isin(changes.scored)
    assert same.sum() == n_postings * (len(pool_b) - 5)
    pd.testing.assert_frame_equal(after[same], before.loc[after.index[same]])
    # The changed resume was scored again on its new text.
    changed = (slice(None), changes.changed[0])
    assert not after.loc[changed, "score"].equals(before.loc[changed, "score"])


def test_a_second_incremental_rerun_merges_the_pairs_kept_by_the_first(
    pools: tuple[Prepared, pd.DataFrame, pd.DataFrame],
    ranker: RequirementRanker,
    first_run: tuple[Ranking, KeptPairs, PoolStatistics],
) -> None:
    prepared, _, pool_b = pools
    _, kept, fitted = first_run
    kept_stats = fitted.extended(pool_b)
    _, kept_b = rank_incremental(
        ranker, prepared.postings, pool_b, kept, kept_stats, SETTINGS, INFO, "model-x"
    )
    pool_c = pool_b.iloc[2:]  # two more resumes removed, nothing new
    again, _ = rank_incremental(
        ranker, prepared.postings, pool_c, kept_b, fitted.extended(pool_c), SETTINGS, INFO, "m"
    )
    assert again.feature_pairs == 0
    _same(
        again,
        rank_with_pool(
            ranker, prepared.postings, pool_c, fitted.extended(pool_c), SETTINGS, INFO, "m"
        ),
    )


def test_other_postings_need_a_full_run(
    pools: tuple[Prepared, pd.DataFrame, pd.DataFrame],
    ranker: RequirementRanker,
    first_run: tuple[Ranking, KeptPairs, PoolStatistics],
) -> None:
    prepared, _, pool_b = pools
    _, kept, fitted = first_run
    with pytest.raises(ValueError, match="postings are not those"):
        rank_incremental(
            ranker,
            prepared.postings.iloc[1:],
            pool_b,
            kept,
            fitted.extended(pool_b),
            SETTINGS,
            INFO,
        )


def test_kept_statistics_of_the_fitted_pool_are_the_fitted_ones(
    pools: tuple[Prepared, pd.DataFrame, pd.DataFrame],
    first_run: tuple[Ranking, KeptPairs, PoolStatistics],
) -> None:
    _, pool_a, pool_b = pools
    _, _, fitted = first_run
    jobs = fitted.job_ids
    ids_a = pool_a[schema.RESUME_ID].astype(str).tolist()
    same = fitted.extended(pool_a)
    assert same.added_resumes == 0
    for name, value in same.values(jobs, ids_a)[0].items():
        np.testing.assert_array_equal(value, fitted.values(jobs, ids_a)[0][name], err_msg=name)
    # In pool B, the unchanged resumes keep their values exactly; the new ones' relative BM25
    # stays within [0, 1].
    extended = fitted.extended(pool_b)
    kept_ids = [i for i in pool_b[schema.RESUME_ID].astype(str) if i in set(ids_a)]
    kept_ids = [i for i in kept_ids if extended.column_of[i] < extended.fitted_resumes]
    values, best = extended.values(jobs, kept_ids)
    before, best_before = fitted.values(jobs, kept_ids)
    for name, value in values.items():
        np.testing.assert_array_equal(value, before[name], err_msg=name)
    np.testing.assert_array_equal(best, best_before)
    every, _ = extended.values(jobs, pool_b[schema.RESUME_ID].astype(str).tolist())
    assert every["bm25"].min() >= 0.0 and every["bm25"].max() <= 1.0


def test_added_resumes_are_scored_without_the_fitted_pool_once_its_bests_are_remembered(
    pools: tuple[Prepared, pd.DataFrame, pd.DataFrame],
    first_run: tuple[Ranking, KeptPairs, PoolStatistics],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A full run remembers each posting's best BM25 and TF-IDF over the fitted pool, and
    keeps them with the statistics; the added resumes' values then come from those and the
    added resumes alone, equal to those computed with the fitted pool scored again."""
    _, _, pool_b = pools
    _, _, fitted = first_run
    jobs = fitted.job_ids
    assert sorted(fitted.fitted_best) == list(range(len(jobs)))  # every posting was met
    assert pickle.loads(pickle.dumps(fitted)).fitted_best == fitted.fitted_best
    # Statistics pickled before bests were remembered read back with none, and remember
    # what a rerun meets into the statistics that are saved again.
    older = {k: v for k, v in fitted.__dict__.items() if k != "fitted_best"}
    unremembering = pickle.loads(pickle.dumps(fitted))
    unremembering.__dict__.clear()
    unremembering.__setstate__(older)
    assert unremembering.fitted_best == {}
    unremembering.extended(pool_b).values(jobs, pool_b[schema.RESUME_ID].astype(str).tolist())
    assert unremembering.fitted_best == fitted.fitted_best
    extended = fitted.extended(pool_b)
    ids_b = pool_b[schema.RESUME_ID].astype(str).tolist()
    added = [i for i in ids_b if extended.column_of[i] >= extended.fitted_resumes]
    assert len(added) == 5
    forgetting = copy.copy(extended)
    forgetting.fitted_best = {}
    expected, expected_best = forgetting.values(jobs, added)  # the fitted pool scored again

    def unread(*args: object) -> None:
        raise AssertionError("the fitted pool was scored")

    monkeypatch.setattr(BM25Pool, "scores", unread)
    values, best = extended.values(jobs, added)
    for name, value in values.items():
        np.testing.assert_array_equal(value, expected[name], err_msg=name)
    np.testing.assert_array_equal(best, expected_best)
    assert values["bm25"].max() > 0 and values["tfidf"].max() > 0


def test_documents_added_to_kept_statistics_score_as_fitted_members() -> None:
    documents = [
        "python developer with django and sql",
        "registered nurse in an icu, night shifts",
        "warehouse picker, forklift licence, python scripts",
    ]
    queries = ["python sql developer", "icu nurse", "forklift"]
    bm25 = BM25Pool(documents, extensible=True)
    # A fitted document scored as if added: what bm25s gives it in the collection.
    np.testing.assert_allclose(
        bm25.document_scores(queries, documents), bm25.scores(queries), rtol=1e-6
    )
    added = bm25.document_scores(queries, ["senior python developer, sql, unknownword"])
    assert added[0, 0] > 0 and added[1, 0] == 0
    tfidf = TfidfPool(queries, documents, extensible=True)
    grown = tfidf.extended(["python sql", documents[1]])
    rows = np.arange(len(queries))
    np.testing.assert_array_equal(grown.scores(rows)[:, :3], tfidf.scores(rows))
    np.testing.assert_allclose(grown.scores(rows)[:, 4], tfidf.scores(rows)[:, 1], rtol=1e-6)
    with pytest.raises(ValueError, match="extensible"):
        TfidfPool(queries, documents).extended(["python"])
    with pytest.raises(ValueError, match="extensible"):
        BM25Pool(documents).document_scores(queries, ["python"])


def test_resume_texts_are_what_changes_are_told_by(
    pools: tuple[Prepared, pd.DataFrame, pd.DataFrame],
) -> None:
    _, pool_a, pool_b = pools
    texts_a = dict(zip(pool_a[schema.RESUME_ID], resume_texts(pool_a), strict=True))
    texts_b = dict(zip(pool_b[schema.RESUME_ID], resume_texts(pool_b), strict=True))
    differ = [i for i in texts_b if i in texts_a and texts_a[i] != texts_b[i]]
    assert len(differ) == 1
