"""Shared fixtures: one embedding model and one Prefect test server per session."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Property-based tests: reproducible in CI, and no per-example deadline (shared, noisy machines).
settings.register_profile("matcher", max_examples=150, deadline=None, derandomize=True)
settings.load_profile(os.environ.get("MATCHER_HYPOTHESIS_PROFILE", "matcher"))

# Before anything imports Prefect or sentence-transformers: offline, no telemetry, and a
# Prefect home of the tests' own.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="matcher-prefect-"))
from matcher.runtime import configure_runtime  # noqa: E402 (after the environment above)

configure_runtime()
# A state folder of the tests' own: a developer's running `matcher server` is not used by tests.
os.environ.setdefault("MATCHER_STATE_DIR", tempfile.mkdtemp(prefix="matcher-state-"))
# And a folder of the tests' own for the empty MLflow store that new stores are copied from
# (matcher.tracking.store_template): the session's first new store makes it.
os.environ.setdefault("MATCHER_MLFLOW_TEMPLATE_DIR", tempfile.mkdtemp(prefix="matcher-mlflow-"))

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
RJDB = SHARED / "data" / "rjdb"
TAXONOMY = SHARED / "data" / "taxonomy"
SAMPLE = REPO / "data" / "sample"


@pytest.fixture(scope="session")
def embedding_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One embedding cache for the whole session, so each text is embedded once.

    ``MATCHER_TEST_CACHE_DIR`` names a persistent one instead (a developer's warm cache).
    """
    persistent = os.environ.get("MATCHER_TEST_CACHE_DIR")
    return Path(persistent) if persistent else tmp_path_factory.mktemp("embedding-cache")


@pytest.fixture(scope="session")
def embedder(embedding_cache_dir: Path):  # type: ignore[no-untyped-def]
    """The real packaged all-MiniLM-L6-v2, shared by all tests."""
    from matcher.ranking.embedding import Embedder

    return Embedder(cache_dir=embedding_cache_dir, show_progress=False)


@pytest.fixture(scope="session")
def rjdb_dir() -> Path:
    """The shared labelled set; tests that need it skip with a reason when it is absent."""
    if not (RJDB / "qrels.csv").is_file():
        pytest.skip(f"shared RJDB data not found at {RJDB}")
    return RJDB


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One temporary Prefect API for every flow test of the session."""
    from prefect.logging.configuration import ensure_logging_setup
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    # No flow run heartbeats, as on a command's temporary API (flows_on): each flow run would
    # wait up to a second for the heartbeat thread's sleep at its end.
    with (
        prefect_test_harness(server_startup_timeout=180),
        temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        # Prefect binds its console handler to sys.stderr on the first flow run; if that run is
        # inside a CliRunner, the handler keeps CliRunner's stream, closed after that command.
        ensure_logging_setup()
        yield
