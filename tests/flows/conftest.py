from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from matcher.settings import Settings, load_settings
from tests.conftest import REPO


@pytest.fixture()
def flow_settings(tmp_path: Path, embedding_cache_dir: Path) -> Settings:
    """Settings that keep every artefact of a flow run inside the test's tmp folder."""
    return load_settings(
        embedding={"cache_dir": embedding_cache_dir},
        index_dir=tmp_path / "index",
        state_dir=tmp_path / "state",
        mlflow_tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}",
        ranking={"top_k": 5},
    )


@pytest.fixture()
def flow_run_lines() -> Iterator[list[str]]:
    """The messages Prefect's flow run loggers write while the test runs a flow in process."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    handler = Collect(level=logging.INFO)
    run_logger = logging.getLogger("prefect.flow_runs")
    run_logger.addHandler(handler)
    try:
        yield lines
    finally:
        run_logger.removeHandler(handler)


def encoding_progress(text: str, stage: str = "encoding texts") -> list[tuple[int, int]]:
    """The ``"<stage> done/total"`` lines that end a line of ``text``, as ``(done, total)``,
    checked as a progress display: there is one at least, each pass (a total) reaches its
    end, and a pass writes about one line per tenth, not one per batch."""
    counts = [
        (int(done), int(total)) for done, total in re.findall(rf"{stage} (\d+)/(\d+)$", text, re.M)
    ]
    assert counts, text[-3000:]
    totals = {total for _, total in counts}
    assert all((total, total) in counts for total in totals)
    assert len(counts) <= 11 * len(totals)
    return counts


def user_env(state: Path, embedding_cache_dir: Path) -> dict[str, str]:
    """The environment of a user's ``matcher`` command: no Prefect server, this checkout's
    code, and the state, index, MLflow store and embedding cache under ``state`` (the cache
    at ``embedding_cache_dir``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO)])
    env.update(
        {
            "MATCHER_STATE_DIR": str(state / "state"),
            "MATCHER_INDEX_DIR": str(state / "index"),
            "MATCHER_MLFLOW_TRACKING_URI": f"sqlite:///{state / 'mlflow.db'}",
            "MATCHER_EMBEDDING__CACHE_DIR": str(embedding_cache_dir),
        }
    )
    return env
