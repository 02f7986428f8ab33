"""What a command prints: third-party debug lines never, ``--quiet`` warnings only."""

from __future__ import annotations

import logging
import os

import pytest

from matcher.runtime import configure_logging


def test_bm25s_debug_lines_are_dropped_even_after_it_resets_its_level(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import bm25s

    configure_logging("normal")
    logger = logging.getLogger("bm25s")
    logger.setLevel(logging.DEBUG)  # what bm25s does on import
    with caplog.at_level(logging.DEBUG):
        bm25s.BM25().index(bm25s.tokenize(["python sql", "nursing care"], show_progress=False))
        logger.warning("kept")
    assert [r.getMessage() for r in caplog.records if r.name == "bm25s"] == ["kept"]


def test_quiet_turns_off_progress_bars_and_information_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("PREFECT_LOGGING_LEVEL", "TQDM_DISABLE", "MLFLOW_LOGGING_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    package = logging.getLogger("matcher")
    monkeypatch.setattr(package, "level", package.level)  # restored after the test
    configure_logging("quiet")

    assert os.environ["PREFECT_LOGGING_LEVEL"] == "WARNING"
    assert os.environ["TQDM_DISABLE"] == "1" and os.environ["MLFLOW_LOGGING_LEVEL"] == "WARNING"
    assert not package.isEnabledFor(logging.INFO) and package.isEnabledFor(logging.WARNING)


def test_completed_task_lines_are_dropped_but_failures_kept(
    caplog: pytest.LogCaptureFixture,
) -> None:
    configure_logging("normal")
    logger = logging.getLogger("prefect.task_runs")
    with caplog.at_level(logging.INFO, logger="prefect.task_runs"):
        logger.info("Finished in state Completed()")
        logger.info("embedding resumes 7/66")
        logger.error("Finished in state Failed('boom')")
    shown = [r.getMessage() for r in caplog.records if r.name == "prefect.task_runs"]
    assert shown == ["embedding resumes 7/66", "Finished in state Failed('boom')"]
