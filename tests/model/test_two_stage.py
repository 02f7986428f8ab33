"""Two-stage ranking on the sample: a candidate pair scores exactly as in the exhaustive
ranking, and stage 1 keeping every resume gives exactly the exhaustive shortlists."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matcher import parallel, schema
from matcher.io.csv_safety import write_safe_csv
from matcher.io.loading import load_postings, load_resumes
from matcher.ranking import features
from matcher.ranking.decisions import (
    build_decisions,
    open_decisions,
    read_decisions,
    write_decisions,
)
from matcher.ranking.features import focus_postings
from matcher.ranking.lexical import bm25_scores
from matcher.ranking.requirement_ranker import RequirementRanker
from matcher.ranking.shortlist import EXPLANATION_COLUMNS, build_shortlists
from matcher.ranking.two_stage import (
    ENCODED_TEXT,
    LaterDecisions,
    ScoredBatch,
    candidate_batches,
    candidate_members,
    encoded_explanations,
    encoded_pairs,
    explain_batch,
    grouped_batches,
    merge_rankings,
    pair_explanations,
    plain_pairs,
    rank_in_batches,
    resume_tiles,
    score_batch,
    score_in_batches,
    score_tiles,
)
from matcher.settings import RankingSettings
from matcher.text.preprocess import Prepared, prepare_loaded
from matcher.text.texts import posting_texts, resume_texts
from tests.conftest import SAMPLE

INFO = {"name": "requirements", "params": {}, "source": "built-in default"}


@pytest.fixture(scope="module")
def sample() -> Prepared:
    return prepare_loaded(load_postings(SAMPLE / "jobs.csv"), load_resumes(SAMPLE / "resumes"))


#: Postings from which no skill is read: their rows are explained by their key terms.
UNREAD = pd.DataFrame(
    {
        "job_id": ["J-9001", "J-9002"],
        "title": ["Dog Walker", "Orchard Picker"],
        "description": [
            "We look for a cheerful person who loves dogs. You will walk our clients' dogs"
            " twice a day in the park, keep them safe on busy streets and tell their owners"
            " how each walk went.",
            "Pick apples and pears in our family orchard from August to October. Early"
            " starts, outdoor work in all weather, ladders provided.",
        ],
    }
)


@pytest.fixture(scope="module")
def with_unread(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    """The sample with two postings from which no skill is read."""
    jobs = tmp_path_factory.mktemp("jobs") / "jobs.csv"
    sample_jobs = pd.read_csv(SAMPLE / "jobs.csv", dtype=str, keep_default_na=False)
    pd.concat([sample_jobs, UNREAD], ignore_index=True).to_csv(jobs, index=False)
    return prepare_loaded(load_postings(jobs), load_resumes(SAMPLE / "resumes"))


@pytest.fixture(scope="module")
def ranker(embedder) -> RequirementRanker:  # type: ignore[no-untyped-def]
    return RequirementRanker(embedder)


@pytest.fixture(scope="module")
def exhaustive(sample: Prepared, ranker: RequirementRanker) -> dict[str, np.ndarray]:
    """Every posting against every resume, in one call (no batches, no pool)."""
    return ranker.components(sample.postings, sample.resumes)


def _positions(frame: pd.DataFrame, column: str, ids: pd.Series) -> np.ndarray:
    where = {value: i for i, value in enumerate(frame[column].astype(str))}
    return np.array([where[i] for i in ids.astype(str)], dtype=np.int64)


def test_a_candidate_pair_scores_as_in_the_exhaustive_ranking(
    sample: Prepared, ranker: RequirementRanker, exhaustive: dict[str, np.ndarray]
) -> None:
    full = sum(exhaustive.values())
    n_resumes = len(sample.resumes)
    compared, fewer = 0, 0
    for batch in score_in_batches(ranker, sample.postings, sample.resumes, 3, batch_size=4):
        rows = _positions(sample.postings, schema.JOB_ID, batch.postings[schema.JOB_ID])
        columns = _positions(sample.resumes, schema.RESUME_ID, batch.resumes[schema.RESUME_ID])
        scores = batch.scores()
        for k, chosen in enumerate(batch.candidates):
            assert 0 < len(chosen) <= 6  # the union of two top-3 lists
            np.testing.assert_array_equal(scores[k, chosen], full[rows[k], columns[chosen]])
            for name, part in batch.components.items():
                np.testing.assert_array_equal(
                    part[k, chosen], exhaustive[name][rows[k], columns[chosen]]
                )
            compared += len(chosen)
            fewer += len(chosen) < n_resumes
    assert compared > 0 and fewer == len(sample.postings)  # stage 1 did cut every posting


def test_kept_candidates_lexical_values_are_read_and_any_other_pair_is_scored(
    sample: Prepared, ranker: RequirementRanker
) -> None:
    """BM25 and TF-IDF kept for each posting's candidates (stage 1's
    :meth:`PoolStatistics.keep_candidates`) are read for those pairs: the values scored
    against the whole pool, bit for bit, the unwanted cells left 0. Wanting a pair that was
    not kept scores them all again."""
    postings, resumes = sample.postings, sample.resumes
    pool = ranker.pool(postings, resumes)
    job_ids = postings[schema.JOB_ID].astype(str).tolist()
    resume_ids = resumes[schema.RESUME_ID].astype(str).tolist()
    full, best = pool.values(job_ids, resume_ids)
    every_third = np.arange(0, len(resume_ids), 3)
    pool.keep_candidates(list(range(len(job_ids))), [every_third] * len(job_ids))
    pairs = np.zeros((len(job_ids), len(resume_ids)), dtype=bool)
    pairs[:, every_third] = True
    kept, kept_best = pool.values(job_ids, resume_ids, pairs)
    for name in ("bm25", "tfidf"):
        np.testing.assert_array_equal(kept[name][pairs], full[name][pairs])
        assert full[name][~pairs].any() and not kept[name][~pairs].any()  # read, not scored
    np.testing.assert_array_equal(kept_best, best)
    np.testing.assert_array_equal(kept["requirement_terms"], full["requirement_terms"])
    pairs[0, 1] = True  # not kept
    again, _ = pool.values(job_ids, resume_ids, pairs)
    for name in ("bm25", "tfidf"):
        np.testing.assert_array_equal(again[name], full[name])


def test_pool_statistics_fitted_beside_a_worker_are_the_ones_fitted_here(
    sample: Prepared, ranker: RequirementRanker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With workers allowed, the pool's TF-IDF is fitted in a forked worker while this process
    fits the rest; every pool value is the one the statistics fitted in one process give."""
    postings, resumes = sample.postings, sample.resumes
    job_ids = postings[schema.JOB_ID].astype(str).tolist()
    resume_ids = resumes[schema.RESUME_ID].astype(str).tolist()
    fitted_in: list[int] = []

    def beside_noting_where(own, other):  # type: ignore[no-untyped-def]
        mine, (theirs, pid) = parallel.beside(own, lambda: (other(), os.getpid()))
        fitted_in.append(pid)
        return mine, theirs

    monkeypatch.setattr(features, "POOL_FIT_BESIDE", len(resumes))  # the sample is smaller
    monkeypatch.setattr(features, "beside", beside_noting_where)
    with parallel.use_processes(2):
        split = ranker.pool(postings, resumes)
    assert fitted_in and fitted_in[0] != os.getpid()
    with parallel.use_processes(1):
        here = ranker.pool(postings, resumes)
    assert fitted_in[1] == os.getpid()
    (split_values, split_best), (values, best) = (
        split.values(job_ids, resume_ids),
        here.values(job_ids, resume_ids),
    )
    assert set(split_values) == set(values) >= {"bm25", "tfidf", "requirement_terms"}
    for name in values:
        np.testing.assert_array_equal(split_values[name], values[name])
    np.testing.assert_array_equal(split_best, best)
    assert (split.tfidf.documents != here.tfidf.documents).nnz == 0


def test_stage1_keeps_the_bm25_top_n(sample: Prepared, ranker: RequirementRanker) -> None:
    """The BM25 half of stage 1: the n resumes BM25 ranks highest for the posting."""
    focus = posting_texts(focus_postings(sample.postings))
    raw = bm25_scores(focus, resume_texts(sample.resumes))
    seen = []
    for batch, chosen in candidate_batches(ranker, sample.postings, sample.resumes, 4, 5):
        rows = _positions(sample.postings, schema.JOB_ID, batch[schema.JOB_ID])
        for row, columns in zip(rows, chosen, strict=True):
            best = np.argsort(-raw[row], kind="stable")[:4]
            best = best[raw[row, best] > 0]
            # Ties at the cut may be broken either way; a strictly better resume is never lost.
            if len(best) == 4:
                best = best[raw[row, best] > raw[row, best[-1]]]
            assert set(best.tolist()) <= set(columns.tolist())
            seen.append(row)
    assert sorted(seen) == list(range(len(sample.postings)))  # each posting once


@pytest.mark.parametrize("extra", [None, 0, 5])
def test_stage1_keeping_every_resume_gives_the_exhaustive_shortlists(
    sample: Prepared,
    ranker: RequirementRanker,
    exhaustive: dict[str, np.ndarray],
    extra: int | None,
) -> None:
    """N = all (0), N = the pool and N above it: exactly the exhaustive outputs."""
    n = 0 if extra is None else len(sample.resumes) + extra
    settings = RankingSettings(top_k=5, candidates=n, posting_batch=3)
    ranking = rank_in_batches(ranker, sample.postings, sample.resumes, settings, INFO)
    scores = sum(exhaustive.values())
    explainer = ranker.explainer(sample.postings, sample.resumes)
    expected = build_shortlists(sample.postings, sample.resumes, scores, exhaustive, 5, explainer)
    pd.testing.assert_frame_equal(ranking.shortlists, expected)
    decisions = build_decisions(
        sample.postings,
        sample.resumes,
        exhaustive,
        5,
        INFO,
        explainer,
        ranker.signal_values(sample.postings, sample.resumes),
    )
    pd.testing.assert_frame_equal(ranking.decisions, decisions)
    assert set(ranking.candidates.values()) == {len(sample.resumes)}


def test_a_small_n_accounts_for_every_pair_it_scored(
    sample: Prepared, ranker: RequirementRanker
) -> None:
    settings = RankingSettings(top_k=5, candidates=2, posting_batch=4)
    ranking = rank_in_batches(ranker, sample.postings, sample.resumes, settings, INFO)
    assert len(ranking.decisions) == sum(ranking.candidates.values())
    per_posting = ranking.decisions.groupby("job_id")["candidates"].agg(["first", "size"])
    assert (per_posting["first"] == per_posting["size"]).all()
    assert sum(ranking.candidate_of.values()) == len(ranking.decisions)
    assert (ranking.shortlists.groupby("job_id").size() <= 4).all()  # at most 2 + 2 candidates


def _shortlists_csv(ranking_shortlists: pd.DataFrame, path: Path) -> bytes:
    write_safe_csv(ranking_shortlists, path)
    return path.read_bytes()


@pytest.mark.parametrize("candidates", [RankingSettings().candidates, 5])
def test_the_shortlists_do_not_depend_on_the_batches(
    with_unread: Prepared, ranker: RequirementRanker, candidates: int, tmp_path: Path
) -> None:
    """Every shortlist row (score, matched and missing requirements, evidence, term order) is
    the same whether each posting is scored alone (``posting_batch`` 1) or with the others
    (the default batch): the shortlists CSV byte for byte, and the decision records."""
    default = RankingSettings(candidates=candidates)
    alone = RankingSettings(candidates=candidates, posting_batch=1)
    together = rank_in_batches(ranker, with_unread.postings, with_unread.resumes, default, INFO)
    apart = rank_in_batches(ranker, with_unread.postings, with_unread.resumes, alone, INFO)
    assert len(with_unread.postings) <= default.posting_batch  # one batch: every posting together
    unread = together.shortlists[together.shortlists["job_id"].isin(UNREAD["job_id"])]
    assert len(unread) and unread["matched_required"].str.len().gt(0).any()  # key terms
    assert _shortlists_csv(together.shortlists, tmp_path / "together.csv") == _shortlists_csv(
        apart.shortlists, tmp_path / "apart.csv"
    )
    pd.testing.assert_frame_equal(together.decisions, apart.decisions)


@pytest.mark.parametrize("candidates", [RankingSettings().candidates, 5])
def test_records_written_batch_by_batch_are_those_of_one_batch_kept_in_memory(
    with_unread: Prepared, ranker: RequirementRanker, candidates: int, tmp_path: Path
) -> None:
    """A ranking in batches of one posting, each batch's decision records written to the file
    as they are made (as ``matcher score`` does), reads back row for row as the records of
    every posting ranked in one batch, kept in memory and written at once."""
    postings, resumes = with_unread.postings, with_unread.resumes
    one = RankingSettings(candidates=candidates)
    together = rank_in_batches(ranker, postings, resumes, one, INFO)
    assert len(postings) <= one.posting_batch and together.decisions is not None
    each = RankingSettings(candidates=candidates, posting_batch=1)
    with open_decisions(tmp_path / "streamed") as records:
        apart = rank_in_batches(ranker, postings, resumes, each, INFO, records=records.write)
    assert apart.decisions is None  # none kept in memory
    write_decisions(together.decisions, tmp_path / "whole")
    streamed = read_decisions(tmp_path / "streamed")
    pd.testing.assert_frame_equal(streamed, read_decisions(tmp_path / "whole"))
    assert streamed["job_id"].nunique() == len(postings) > 1
    pd.testing.assert_frame_equal(apart.shortlists, together.shortlists)


@pytest.mark.parametrize("candidates", [RankingSettings().candidates, 5])
def test_records_made_later_are_those_made_while_ranking(
    with_unread: Prepared, ranker: RequirementRanker, candidates: int, tmp_path: Path
) -> None:
    """Records deferred to the write step (:class:`LaterDecisions`, as ``matcher score``
    makes them beside the workbook's process) are those written while ranking, row for row,
    and a second write (a retried write step) makes them again, the same. Nothing is made
    until written: the ranking holds no records and the sink one maker per batch."""
    postings, resumes = with_unread.postings, with_unread.resumes
    each = RankingSettings(candidates=candidates, posting_batch=1)
    with open_decisions(tmp_path / "now") as records:
        now = rank_in_batches(ranker, postings, resumes, each, INFO, records=records.write)
    later = LaterDecisions()
    deferred = rank_in_batches(ranker, postings, resumes, each, INFO, records=later)
    assert deferred.decisions is None and len(later) == len(postings) > 1
    pd.testing.assert_frame_equal(deferred.shortlists, now.shortlists)
    for attempt in ("later", "again"):
        with open_decisions(tmp_path / attempt) as records:
            later.write(records.write)
        pd.testing.assert_frame_equal(
            read_decisions(tmp_path / attempt), read_decisions(tmp_path / "now")
        )


def test_a_postings_rows_do_not_depend_on_who_shares_its_batch(
    with_unread: Prepared, ranker: RequirementRanker
) -> None:
    """One posting's shortlist rows and decision records, scored alone with its candidates
    and scored in a batch with other postings (so among other candidates), with the
    statistics of the same pool: the same, row for row."""
    postings, resumes = with_unread.postings, with_unread.resumes
    assert set(UNREAD["job_id"]) <= set(postings[schema.JOB_ID])
    pool = ranker.pool(postings, resumes)
    batches = list(candidate_batches(ranker, postings, resumes, 4, len(postings), pool=pool))
    [(_, chosen)] = batches
    checked = 0
    for row in range(len(postings)):
        alone = score_batch(
            ranker, postings.iloc[[row]], candidate_members(resumes, [chosen[row]]), pool
        )
        part = explain_batch(ranker, alone, 5, INFO)
        # The same posting among three others, each with candidates of its own.
        others = [(row + step) % len(postings) for step in (0, 5, 9, 13)]
        shared = score_batch(
            ranker,
            postings.iloc[others],
            candidate_members(resumes, [chosen[k] for k in others]),
            pool,
        )
        assert len(shared.resumes) > len(alone.resumes)  # other candidates share the batch
        whole = explain_batch(ranker, shared, 5, INFO)
        job_id = str(postings[schema.JOB_ID].iloc[row])
        mine = whole.shortlists[whole.shortlists["job_id"] == job_id].reset_index(drop=True)
        pd.testing.assert_frame_equal(part.shortlists, mine)
        decided = whole.decisions[whole.decisions["job_id"] == job_id].reset_index(drop=True)
        pd.testing.assert_frame_equal(part.decisions, decided)
        checked += 1
    assert checked == len(postings)


def test_grouped_batches_keep_each_union_under_the_cap_and_every_posting_once() -> None:
    chosen = [np.array([0, 1]), np.array([3, 4, 5, 6]), np.array([1, 2]), np.array([0])]
    batches = [b.tolist() for b in grouped_batches(chosen, 10, 3)]
    # The first posting takes the fourth (no new resume), then the third (one); the second
    # posting's four candidates pass the cap alone: a batch of its own.
    assert batches == [[0, 2, 3], [1]]
    assert [b.tolist() for b in grouped_batches(chosen, 2, 100)] == [[0, 3], [1, 2]]
    assert [b.tolist() for b in grouped_batches(chosen, 10, 100)] == [[0, 1, 2, 3]]
    assert [b.tolist() for b in grouped_batches(chosen, 1, 100)] == [[0], [1], [2], [3]]
    assert list(grouped_batches([], 5, 5)) == []


def test_grouped_batches_put_postings_that_share_candidates_together() -> None:
    """Two groups of postings, interleaved, each drawing its candidates from its own part of
    the pool: consecutive batches would each hold both parts, grouped ones hold one."""
    rng = np.random.default_rng(0)
    chosen = [
        np.sort(rng.choice(100, 30, replace=False) + (100 if k % 2 else 0)) for k in range(20)
    ]
    batches = list(grouped_batches(chosen, 10, 100))
    assert sorted(np.concatenate(batches).tolist()) == list(range(20))
    assert all(len(set((b % 2).tolist())) == 1 for b in batches)
    unions = [len(np.unique(np.concatenate([chosen[k] for k in b]))) for b in batches]
    assert max(unions) <= 100
    consecutive = [np.unique(np.concatenate(chosen[k : k + 10])) for k in (0, 10)]
    assert sum(unions) < sum(len(u) for u in consecutive)


def test_resume_tiles_hold_each_pair_once_each_resume_in_one_shard_within_the_caps() -> None:
    rng = np.random.default_rng(1)
    chosen = [np.sort(rng.choice(500, 40, replace=False)) for _ in range(30)]
    chosen.append(np.zeros(0, dtype=np.int64))  # a posting without candidates: in no tile
    for most_resumes, most_cells in ((64, 10_000), (64, 600), (1_000, 10**9), (7, 100)):
        tiles = list(resume_tiles(chosen, most_resumes, most_cells))
        pairs = sorted(
            (int(posting), int(resume))
            for members, parts in tiles
            for posting, part in zip(members.tolist(), parts, strict=True)
            for resume in part.tolist()
        )
        assert pairs == sorted((k, int(r)) for k, part in enumerate(chosen) for r in part)
        shards: dict[int, set[int]] = {}  # each tile's resumes, by their shard's first resume
        for members, parts in tiles:
            resumes = np.unique(np.concatenate(parts))
            assert len(resumes) <= most_resumes
            assert len(members) * len(resumes) <= max(most_cells, len(resumes))
            assert all(len(part) for part in parts)  # only postings with candidates in it
            assert np.all(np.diff(members) > 0)
            shards.setdefault(int(resumes.min()), set()).update(resumes.tolist())
        # A resume is in one shard: the shards' resumes do not overlap.
        every = [r for shard in shards.values() for r in shard]
        assert len(every) == len(set(every)) == len(np.unique(np.concatenate(chosen)))
    assert len(list(resume_tiles(chosen, 1_000, 10**9))) == 1
    assert list(resume_tiles([], 5)) == []


def test_tiles_of_resumes_give_the_ranking_of_batches_of_postings_reading_each_resume_once(
    with_unread: Prepared, ranker: RequirementRanker, tmp_path: Path
) -> None:
    """Stage 2 in tiles of resumes (:func:`rank_in_batches`, cut at 12 resumes a shard) and in
    batches of postings each scored against the union of its candidates (the Dask flow's
    :func:`score_batch` and :func:`explain_batch`, merged): the same shortlists CSV byte for
    byte, the same decision records, counts and warnings. The tiles read each candidate
    resume once; the batches read a resume once per batch it is a candidate in."""
    postings, resumes = with_unread.postings, with_unread.resumes
    settings = RankingSettings(candidates=5, posting_batch=4, batch_resumes=12)
    pool = ranker.pool(postings, resumes)
    handed: list[pd.DataFrame] = []
    tiled = rank_in_batches(
        ranker, postings, resumes, settings, INFO, pool=pool, on_pairs=handed.append
    )
    [pairs] = handed
    assert len(pairs) == tiled.feature_pairs
    explained = [c for c in pairs.columns if c in EXPLANATION_COLUMNS]
    # Handed on dictionary-encoded, as held (the kept pairs are written so).
    assert explained and all(pairs[c].dtype == pd.ArrowDtype(ENCODED_TEXT) for c in explained)
    parts, read = [], 0
    for batch, chosen in candidate_batches(
        ranker, postings, resumes, 5, settings.posting_batch, pool=pool, most_resumes=12
    ):
        scored = score_batch(ranker, batch, candidate_members(resumes, chosen), pool)
        parts.append(explain_batch(ranker, scored, settings.top_k, INFO))
        read += len(scored.resumes)
    batched = merge_rankings(parts, postings, resumes, settings.top_k, INFO)
    assert _shortlists_csv(tiled.shortlists, tmp_path / "tiled.csv") == _shortlists_csv(
        batched.shortlists, tmp_path / "batched.csv"
    )
    pd.testing.assert_frame_equal(tiled.decisions, batched.decisions)
    assert tiled.candidates == batched.candidates
    assert tiled.candidate_of == batched.candidate_of
    assert tiled.warnings == batched.warnings and tiled.warnings  # the unread postings
    assert tiled.feature_pairs == sum(tiled.candidates.values())
    assert tiled.batches > 2
    assert tiled.resumes_read == len(tiled.candidate_of) < read
    # Held dictionary-encoded between the tiles and the shortlists, the same text as plain.
    chosen = [
        _positions(resumes, schema.RESUME_ID, group["resume_id"])
        for _, group in pairs.groupby("job_id", sort=False)
    ]
    encoded, _, _ = score_tiles(ranker, postings.iloc[:0], resumes, [], pool, 12)
    assert encoded.empty
    order = _positions(postings, schema.JOB_ID, pd.Series(pairs["job_id"].unique()))
    encoded, _, _ = score_tiles(
        ranker, postings.iloc[order], resumes, [np.sort(c) for c in chosen], pool, 12
    )
    assert all(isinstance(encoded[c].dtype, pd.ArrowDtype) for c in explained)
    plain = plain_pairs(encoded).sort_values(["job_id", "resume_id"], ignore_index=True)
    handed_on = plain_pairs(pairs).sort_values(["job_id", "resume_id"], ignore_index=True)
    assert all(plain[c].dtype == "str" for c in explained)
    pd.testing.assert_frame_equal(plain, handed_on)
    # Encoded again, plain text is what the tiles held.
    pd.testing.assert_frame_equal(
        encoded_pairs(plain),
        pairs.sort_values(["job_id", "resume_id"], ignore_index=True),
        check_categorical=False,
    )


def test_batches_cut_at_a_cap_on_their_resumes_change_no_output(
    with_unread: Prepared,
    ranker: RequirementRanker,
    tmp_path: Path,
) -> None:
    """A batch whose union of candidates passes ``ranking.batch_resumes`` is cut into smaller ones
    (so stage 2's memory is bounded by the cap, not the pool): the shortlists CSV byte for
    byte, the decision records and the accounting are those of the uncut batch."""
    postings, resumes = with_unread.postings, with_unread.resumes
    settings = RankingSettings(candidates=5)
    whole = rank_in_batches(ranker, postings, resumes, settings, INFO)
    capped = settings.model_copy(update={"batch_resumes": 12})
    batches = list(
        candidate_batches(ranker, postings, resumes, 5, capped.posting_batch, most_resumes=12)
    )
    assert len(batches) > 2  # one batch of every posting before the cap
    for batch, chosen in batches:
        union = candidate_members(resumes, chosen).resumes
        assert len(union) <= 12 or len(batch) == 1
    cut = rank_in_batches(ranker, postings, resumes, capped, INFO)
    assert _shortlists_csv(cut.shortlists, tmp_path / "cut.csv") == _shortlists_csv(
        whole.shortlists, tmp_path / "whole.csv"
    )
    pd.testing.assert_frame_equal(cut.decisions, whole.decisions)
    assert (cut.candidates, cut.candidate_of, cut.feature_pairs) == (
        whole.candidates,
        whole.candidate_of,
        whole.feature_pairs,
    )
    assert list(cut.candidates) == list(whole.candidates)  # the postings' order
    assert sorted(cut.warnings) == sorted(whole.warnings)  # in the order the batches ran


def test_a_batch_explained_from_its_handed_on_features_as_from_its_frames(
    with_unread: Prepared, ranker: RequirementRanker
) -> None:
    """:func:`explain_batch` reads the features :func:`score_batch` handed on (no look-up by
    the frames' content): its shortlists, records and warnings are those of the same batch
    explained from its frames (the ranker's last features, found by their content), the
    postings without skills explained by the whole pool's key terms in both. Features of
    other frames are refused."""
    postings, resumes = with_unread.postings, with_unread.resumes
    pool = ranker.pool(postings, resumes)
    [(batch, chosen)] = list(
        candidate_batches(ranker, postings, resumes, 4, len(postings), pool=pool)
    )
    scored = score_batch(ranker, batch, candidate_members(resumes, chosen), pool)
    assert scored.features is not None and scored.pool is pool
    handed = explain_batch(ranker, scored, 5, INFO)
    looked_up = explain_batch(ranker, replace(scored, features=None, pool=None), 5, INFO)
    pd.testing.assert_frame_equal(handed.shortlists, looked_up.shortlists)
    assert handed.decisions is not None and looked_up.decisions is not None
    pd.testing.assert_frame_equal(handed.decisions, looked_up.decisions)
    assert handed.warnings == looked_up.warnings and len(handed.warnings) == len(UNREAD)
    unread = handed.shortlists[handed.shortlists["job_id"].isin(UNREAD["job_id"])]
    assert len(unread) and (unread["matched_required"] != "").any()
    with pytest.raises(ValueError, match="features of"):
        ranker.components(batch, scored.resumes.iloc[:3], features=scored.features)


def _one_tile(prepared: Prepared, ranker: RequirementRanker) -> ScoredBatch:
    """The postings and resumes of ``prepared`` as one tile of stage 2 (70 candidates each),
    scored: what :func:`encoded_explanations` explains."""
    postings, resumes = prepared.postings, prepared.resumes
    pool = ranker.pool(postings, resumes)
    [(batch, chosen)] = list(
        candidate_batches(ranker, postings, resumes, 70, len(postings), pool=pool)
    )
    return score_batch(ranker, batch, candidate_members(resumes, chosen), pool)


def test_explanations_in_parts_are_those_of_one_pass(
    with_unread: Prepared, ranker: RequirementRanker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """:func:`encoded_explanations` (what stage 2's tiles hold): the pairs explained in parts
    of 97 (so 14 parts, the last one short) give every column of :func:`pair_explanations`'
    one pass in the same order, value for value (None where an answer lacks a column)."""
    import pyarrow as pa

    import matcher.ranking.two_stage as two_stage

    scored = _one_tile(with_unread, ranker)
    whole = pair_explanations(ranker, scored)
    pairs = sum(len(c) for c in scored.candidates)
    assert list(whole) and pairs > 13 * 97
    monkeypatch.setattr(two_stage, "EXPLAINED_APART", 97)
    parts = encoded_explanations(ranker, scored)
    assert list(parts) == list(whole)
    for column, values in whole.items():
        assert len(parts[column]) == -(-pairs // 97)
        assert all(pa.types.is_dictionary(part.type) for part in parts[column])
        text = pa.chunked_array(parts[column]).cast(pa.large_string()).to_pylist()
        assert text == list(values), column


@pytest.mark.parametrize("processes", [1, 2])
def test_explanations_split_between_two_processes_are_those_of_one_pass(
    with_unread: Prepared,
    ranker: RequirementRanker,
    monkeypatch: pytest.MonkeyPatch,
    processes: int,
) -> None:
    """From EXPLAINED_BESIDE pairs on, a tile's resumes are cut in two runs, one explained here
    and one by a forked worker (or both here with one process), and the halves put back in the
    pairs' order: every column of :func:`pair_explanations`' one pass, in the same order, value
    for value. Parts of 97 pairs inside each half."""
    import pyarrow as pa

    import matcher.ranking.two_stage as two_stage
    from matcher.parallel import use_processes

    scored = _one_tile(with_unread, ranker)
    whole = pair_explanations(ranker, scored)
    pairs = sum(len(c) for c in scored.candidates)
    # Each posting's candidates in turn: the pairs of one run of resumes are not consecutive.
    assert pairs > 4 * 97 and len(scored.candidates) > 2
    monkeypatch.setattr(two_stage, "EXPLAINED_APART", 97)
    monkeypatch.setattr(two_stage, "EXPLAINED_BESIDE", 2 * 97)
    with use_processes(processes):
        split = encoded_explanations(ranker, scored)
    assert list(split) == list(whole)
    for column, values in whole.items():
        assert all(pa.types.is_dictionary(part.type) for part in split[column])
        text = pa.chunked_array(split[column]).cast(pa.large_string()).to_pylist()
        assert text == list(values), column
    distinct = {v for values in whole.values() for v in values if v}
    assert len(distinct) > 50  # real explanations: requirements, quotes, fit bands
