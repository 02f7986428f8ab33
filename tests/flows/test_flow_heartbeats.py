"""Flow run heartbeats only where a lasting Prefect API reads them
(:mod:`matcher.orchestration.flows`)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from prefect.settings import (
    PREFECT_API_URL,
    PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
    get_current_settings,
    temporary_settings,
)

from matcher.orchestration.flows import MatcherFlow, heartbeats_if_read, matcher_flow

REPO = Path(__file__).resolve().parents[2]


def _frequency() -> int | None:
    return get_current_settings().flows.heartbeat_frequency


def test_heartbeats_are_dropped_only_without_a_prefect_api() -> None:
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 180, PREFECT_API_URL: ""}):
        with heartbeats_if_read():
            assert _frequency() is None
        assert _frequency() == 180  # as it was after the block
    lasting = "http://127.0.0.1:4200/api"
    with (
        temporary_settings(
            updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 180, PREFECT_API_URL: lasting}
        ),
        heartbeats_if_read(),
    ):
        assert _frequency() == 180


@pytest.mark.usefixtures("prefect_server")
def test_a_flow_run_on_a_lasting_api_keeps_its_heartbeats() -> None:
    """On an API that is set (the tests' server, as the project's server or a user's), a
    matcher flow's run is told Prefect's heartbeat frequency as it is."""

    @matcher_flow(name="heartbeat-probe")
    def probe() -> int | None:
        return _frequency()

    assert isinstance(probe, MatcherFlow)
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 120}):
        assert get_current_settings().api.url
        assert probe() == 120


def test_a_matcher_flows_copy_with_options_is_a_matcher_flow() -> None:
    """``with_options`` (as ``scoring_flow`` makes the Dask variant of the batch flow) keeps
    the class, so the copy's runs drop heartbeats where the original's do; the options and
    the function are Prefect's copy's."""
    from pipelines.batch_scoring import batch_scoring, scoring_flow
    from prefect.task_runners import ThreadPoolTaskRunner

    from matcher.settings import Settings

    runner = ThreadPoolTaskRunner(max_workers=3)
    copy = batch_scoring.with_options(task_runner=runner, retries=2)
    assert type(copy) is MatcherFlow and copy is not batch_scoring
    assert copy.task_runner is runner and copy.retries == 2
    assert copy.fn is batch_scoring.fn and copy.name == batch_scoring.name == "batch-scoring"
    assert batch_scoring.task_runner is not runner  # the original is left as it was
    dask_variant = scoring_flow(Settings(dask={"workers": 2}))
    assert type(dask_variant) is MatcherFlow
    assert type(dask_variant.task_runner).__name__ == "DaskTaskRunner"


@pytest.mark.slow
def test_a_flow_run_on_prefects_ephemeral_api_sends_no_heartbeats(tmp_path: Path) -> None:
    """In a process with no Prefect API set (a notebook's, a script's), a matcher flow runs
    on Prefect's ephemeral API with no heartbeats (its engine is told none), while a plain
    Prefect flow there has them: so its run does not wait for the heartbeat thread's
    one-second sleep at its end."""
    script = textwrap.dedent(
        """
        from prefect import flow
        from prefect.settings import get_current_settings
        from matcher.orchestration.flows import matcher_flow

        def frequency():
            return get_current_settings().flows.heartbeat_frequency

        ours = matcher_flow(name="ours")(frequency)
        plain = flow(name="plain")(frequency)
        copy = ours.with_options(name="copy")
        print("ours", ours(), "copy", copy(), "plain", plain())
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(
        PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]),
        PREFECT_HOME=str(tmp_path / "prefect"),
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY="60",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="240",
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "ours None copy None plain 60" in done.stdout, done.stdout[-2000:]
