"""Run folders: one folder per run, ``latest`` moved only by a completed run, old runs pruned."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from matcher.io.run_folders import (
    FAILED,
    latest_run,
    new_run_folder,
    prune_runs,
    publish_latest,
    run_folder,
    run_folders,
)

MORNING = datetime(2026, 12, 1, 6, 0, 2, tzinfo=UTC)


def test_a_run_folder_is_named_by_its_utc_start_and_never_reused(tmp_path: Path) -> None:
    first = new_run_folder(tmp_path, MORNING)
    second = new_run_folder(tmp_path, MORNING)  # same second: a folder of its own
    assert first == tmp_path / "runs" / "20261201T060002Z"
    assert second.name == "20261201T060002Z-2"
    assert run_folders(tmp_path) == [first, second]


def test_run_folders_sort_by_time_then_sequence(tmp_path: Path) -> None:
    for _ in range(11):
        new_run_folder(tmp_path, MORNING)
    later = new_run_folder(tmp_path, MORNING.replace(hour=7))
    names = [p.name for p in run_folders(tmp_path)]
    assert names[1:3] == ["20261201T060002Z-2", "20261201T060002Z-3"]
    assert names[-2:] == ["20261201T060002Z-11", later.name]


def test_latest_is_a_relative_link_switched_from_one_run_to_the_next(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first, second = new_run_folder(out, MORNING), new_run_folder(out, MORNING.replace(day=2))
    (first / "shortlists.csv").write_text("first\n")
    (second / "shortlists.csv").write_text("second\n")
    assert latest_run(out) is None
    publish_latest(out, first)
    assert (out / "latest" / "shortlists.csv").read_text() == "first\n"
    publish_latest(out, second)
    assert (out / "latest" / "shortlists.csv").read_text() == "second\n"
    assert os.readlink(out / "latest") == os.path.join("runs", second.name)
    assert latest_run(out) == second.resolve()
    assert sorted(p.name for p in out.iterdir()) == ["latest", "runs"]  # no temporary link left


def test_a_real_latest_folder_is_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "latest").mkdir()
    run = new_run_folder(tmp_path, MORNING)
    with pytest.raises(IsADirectoryError, match="not a link made by matcher"):
        publish_latest(tmp_path, run)
    assert (tmp_path / "latest").is_dir() and not (tmp_path / "latest").is_symlink()


def test_pruning_keeps_the_newest_runs_and_the_one_latest_points_to(tmp_path: Path) -> None:
    runs = [new_run_folder(tmp_path, MORNING.replace(day=day)) for day in range(1, 6)]
    publish_latest(tmp_path, runs[0])  # e.g. every later run failed
    deleted = prune_runs(tmp_path, keep=2)
    assert deleted == runs[1:3]
    assert run_folders(tmp_path) == [runs[0], *runs[3:]]
    with pytest.raises(ValueError, match="at least 1"):
        prune_runs(tmp_path, keep=0)


def test_the_simple_layout_writes_into_out_itself(tmp_path: Path) -> None:
    with run_folder(tmp_path, "simple", keep=3) as folder:
        assert folder == tmp_path
    assert list(tmp_path.iterdir()) == []


def test_a_completed_run_moves_latest_and_a_failed_one_leaves_it(tmp_path: Path) -> None:
    with run_folder(tmp_path, "runs", keep=5) as good:
        (good / "shortlists.csv").write_text("good\n")
    assert latest_run(tmp_path) == good.resolve()

    with pytest.raises(RuntimeError, match="ranker 'nope'"), run_folder(tmp_path, "runs", 5) as bad:
        (bad / "shortlists.csv").write_text("half\n")
        raise RuntimeError("unknown ranker 'nope'")
    assert latest_run(tmp_path) == good.resolve()
    assert (tmp_path / "latest" / "shortlists.csv").read_text() == "good\n"
    failure = (bad / FAILED).read_text()
    assert failure.startswith("This run failed: RuntimeError: unknown ranker 'nope'")
    assert "'latest' was left alone" in failure and "Traceback" in failure
    assert not (good / FAILED).exists()


def test_each_run_prunes_beyond_keep_failed_or_not(tmp_path: Path) -> None:
    for _ in range(3):
        with run_folder(tmp_path, "runs", keep=2):
            pass
    assert len(run_folders(tmp_path)) == 2
    with pytest.raises(ValueError), run_folder(tmp_path, "runs", keep=2):
        raise ValueError("bad input")
    kept = run_folders(tmp_path)
    assert len(kept) == 2 and (kept[-1] / FAILED).is_file()
    assert latest_run(tmp_path) == kept[0].resolve()  # the last completed run
