"""Two-stage against exhaustive ranking on labelled sets: nDCG@10, MAP and stage-1 recall by N.

For each set, every judged posting is scored against every resume once (exhaustive), and
stage 1 (:func:`matcher.ranking.two_stage.candidate_groups`) is run for each N. A candidate
pair's two-stage score equals its exhaustive score exactly (``tests/model/test_two_stage.py``
asserts it), so the two-stage run of a given N is the exhaustive run restricted to the
candidates: its metrics are computed from that, without scoring again. ``--check N`` also
runs the real two-stage evaluation at that N and prints both, as a cross-check.

Usage (from the repository root)::

    HF_HUB_OFFLINE=1 PYTHONPATH=src .venv/bin/python benchmarks/two_stage_quality.py \\
        ../shared/data/rjdb ../shared/data/livecareer --cache-dir .matcher/cache

Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from machine import machine_line

from matcher import schema
from matcher.evaluation.evaluate import QueryScores, evaluate_ranker, score_queries, stage1_recall
from matcher.evaluation.labelled import load_labelled_set
from matcher.evaluation.metrics import evaluate_run
from matcher.ranking.embedding import Embedder
from matcher.ranking.requirement_ranker import RequirementRanker
from matcher.ranking.two_stage import candidate_groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", type=Path, help="Folders with jobs, resumes, qrels.")
    parser.add_argument("--cache-dir", type=Path, default=Path(".matcher/cache"))
    parser.add_argument("--n", type=int, nargs="+", default=[25, 50, 100, 200, 400])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--check", type=int, default=0, help="Also evaluate two-stage at N.")
    parser.add_argument(
        "--scores-dir", type=Path, help="Keep each set's exhaustive scores here, for reruns."
    )
    args = parser.parse_args()
    print(machine_line())
    embedder = Embedder(cache_dir=args.cache_dir, show_progress=False)
    print("set | N | nDCG@10 | MAP | stage-1 recall | candidates per posting (mean) | seconds")
    for folder in args.sets:
        labelled = load_labelled_set(
            folder / "jobs.csv", folder / "resumes.csv", folder / "qrels.csv", "resumes-for-job"
        )
        ranker = RequirementRanker(embedder)
        started = time.perf_counter()
        kept_scores = args.scores_dir / f"{folder.name}.npy" if args.scores_dir else None
        if kept_scores is not None and kept_scores.is_file():
            full = QueryScores(
                np.load(kept_scores),
                list(labelled.query_ids),
                labelled.resumes[schema.RESUME_ID].astype(str).tolist(),
            )
        else:
            full = score_queries(
                ranker, labelled.postings, labelled.resumes, labelled.query_ids, "resumes-for-job"
            )
            if kept_scores is not None:
                kept_scores.parent.mkdir(parents=True, exist_ok=True)
                np.save(kept_scores, full.scores)
        metrics = evaluate_run(labelled.qrels, full.to_run()).summary
        print(
            f"{folder.name} | all ({len(labelled.resumes)}) | {metrics['nDCG@10']:.4f} |"
            f" {metrics['MAP']:.4f} | 1.0000 | {len(labelled.resumes)} |"
            f" {time.perf_counter() - started:.0f}"
        )
        queries = labelled.postings.set_index(labelled.postings[schema.JOB_ID].astype(str))
        queries = queries.loc[labelled.query_ids].reset_index(drop=True)
        for n in args.n:
            started = time.perf_counter()
            kept = np.full(full.scores.shape, np.nan, dtype=np.float32)
            for rows, chosen in candidate_groups(
                ranker, queries, labelled.resumes, n, args.batch_size
            ):
                for row, columns in zip(rows, chosen, strict=True):
                    kept[row, columns] = full.scores[row, columns]
            restricted = QueryScores(kept, full.query_ids, full.doc_ids)
            metrics = evaluate_run(labelled.qrels, restricted.to_run()).summary
            mean_kept = float((~np.isnan(kept)).sum(axis=1).mean())
            print(
                f"{folder.name} | {n} | {metrics['nDCG@10']:.4f} | {metrics['MAP']:.4f} |"
                f" {stage1_recall(restricted, labelled):.4f} | {mean_kept:.0f} |"
                f" {time.perf_counter() - started:.0f}"
            )
        if args.check:
            started = time.perf_counter()
            real = evaluate_ranker(ranker, labelled, candidates=args.check)
            print(
                f"{folder.name} | {args.check} (two-stage evaluation) |"
                f" {real.summary['nDCG@10']:.4f} | {real.summary['MAP']:.4f} |"
                f" {real.stage1_recall:.4f} | | {time.perf_counter() - started:.0f}"
            )


if __name__ == "__main__":
    main()
