"""A real Prefect server started by matcher, a real schedule, a real scheduled run. No mocks.

Every step goes through the ``matcher`` command in a subprocess, as an operator would type it:
start the server, score once against it, restart it (the history stays), create a schedule
that runs every 20 seconds, wait until a scheduled run is Completed and its shortlists are in
``OUT/latest``, then pause and delete the schedule and stop the server. The fixture stops
every process it started, also when the test fails.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from matcher.io.run_folders import latest_run
from matcher.orchestration.processes import is_alive, read_pid_file, stop_process
from matcher.orchestration.schedules import FlowRunInfo
from matcher.orchestration.server import stop_server
from tests.conftest import REPO, SAMPLE

pytestmark = pytest.mark.slow

SCHEDULE = "every20"
#: Bounds on the waits below, generous for a busy two-core machine; never asserted as speed.
WAIT_FOR_RUN_SECONDS = 900


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Operator:
    """Types matcher commands in one working folder with one state folder."""

    work: Path
    env: dict[str, str]

    @property
    def state_dir(self) -> Path:
        return self.work / "state"

    def run(self, *args: str, expect: int = 0, timeout: float = 600) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "matcher.cli", *args],
            cwd=self.work,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == expect, (args, done.stdout, done.stderr[-3000:])
        return done.stdout

    def api_url(self) -> str:
        record = read_pid_file(self.state_dir / "prefect-server" / "server.pid")
        assert record is not None
        return str(record["api_url"])

    def flow_runs(self, states: list[str] | None = None) -> list[FlowRunInfo]:
        """Runs of the schedule, asked of the server through matcher's own client code."""
        from prefect.settings import PREFECT_API_URL, temporary_settings

        from matcher.orchestration.schedules import flow_runs

        with temporary_settings(updates={PREFECT_API_URL: self.api_url()}):
            return flow_runs(SCHEDULE, states)

    def all_flow_runs(self) -> list[tuple[str, str]]:
        from prefect.client.orchestration import get_client
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with (
            temporary_settings(updates={PREFECT_API_URL: self.api_url()}),
            get_client(sync_client=True) as client,
        ):
            return [(run.name, run.state_name or "") for run in client.read_flow_runs()]


def _wait_for_completed(operator: Operator, log_file: Path, count: int) -> list[FlowRunInfo]:
    """The schedule's finished runs once ``count`` have completed; fails on a failed one (with
    the serving process's log) or after :data:`WAIT_FOR_RUN_SECONDS`."""
    deadline = time.monotonic() + WAIT_FOR_RUN_SECONDS
    completed: list[FlowRunInfo] = []
    while len(completed) < count and time.monotonic() < deadline:
        runs = operator.flow_runs(["COMPLETED", "FAILED", "CRASHED"])
        failed = [run for run in runs if run.state != "Completed"]
        assert not failed, (failed, log_file.read_text()[-3000:])
        completed = runs
        if len(completed) < count:
            time.sleep(5)
    assert len(completed) >= count, f"{count} runs did not complete in {WAIT_FOR_RUN_SECONDS} s"
    return completed


@pytest.fixture()
def operator(tmp_path: Path, embedding_cache_dir: Path) -> Iterator[Operator]:
    work = tmp_path / "work"
    (work / "data" / "resumes").mkdir(parents=True)
    pd.read_csv(SAMPLE / "jobs.csv", dtype=str).head(3).to_csv(work / "data/jobs.csv", index=False)
    resumes = sorted(p for p in (SAMPLE / "resumes").iterdir() if p.name.startswith("r-"))
    for resume in resumes[:5]:  # a .txt, .pdf, .md, .docx and .html
        shutil.copy(resume, work / "data" / "resumes" / resume.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API", "MATCHER_"))}
    env.update(
        PYTHONPATH=os.pathsep.join(
            [str(REPO / "src"), str(REPO), *filter(None, [env.get("PYTHONPATH")])]
        ),
        PREFECT_HOME=str(tmp_path / "client-prefect-home"),
        MATCHER_STATE_DIR=str(work / "state"),
        MATCHER_SERVER__PORT=str(_free_port()),
        MATCHER_INDEX_DIR=str(work / "index"),
        MATCHER_MLFLOW_TRACKING_URI=f"sqlite:///{work / 'mlflow.db'}",
        MATCHER_EMBEDDING__CACHE_DIR=str(embedding_cache_dir),
        MATCHER_RANKING__TOP_K="3",
    )
    who = Operator(work, env)
    try:
        yield who
    finally:
        for pid_file in (who.state_dir / "schedules").glob("*.pid"):
            record = read_pid_file(pid_file)
            if record is not None:
                stop_process(record["pid"])
        stop_server(who.state_dir)


def test_a_scheduled_run_completes_on_the_server_and_publishes_its_shortlists(
    operator: Operator,
) -> None:
    def log(line: str) -> None:
        print(f"[scheduled-run test] {line}", flush=True)

    started = operator.run("server", "start")
    log(started.strip().replace("\n", " | "))
    status = operator.run("server", "status")
    assert status.startswith("running: http://127.0.0.1:") and "(pid " in status
    api_url = operator.api_url()
    ui_url = api_url.removesuffix("/api")
    with urllib.request.urlopen(f"{ui_url}/ui-settings", timeout=30) as answer:
        assert json.load(answer)["api_url"] == api_url  # the UI talks to this server's port
    with urllib.request.urlopen(ui_url, timeout=30) as page:
        assert b"<html" in page.read(2000)

    # A one-off run uses the server while it runs, and its history survives a restart.
    operator.run("score", "--jobs", "data/jobs.csv", "--resumes", "data/resumes", "--out", "once")
    before = operator.all_flow_runs()
    assert [state for _, state in before] == ["Completed"]
    log(f"one-off run recorded on {api_url}: {before}")
    operator.run("server", "stop")
    operator.run("server", "status", expect=3)
    log(operator.run("server", "start").strip().replace("\n", " | "))
    assert operator.all_flow_runs() == before
    log("after a restart the server still lists it")

    created = operator.run(
        "schedule", "--interval", "20", "--name", SCHEDULE, "--detach",
        "--jobs", "data/jobs.csv", "--resumes", "data/resumes", "--out", "shortlists",
    )  # fmt: skip
    log(created.strip().replace("\n", " | "))
    serving = read_pid_file(operator.state_dir / "schedules" / f"{SCHEDULE}.pid")
    assert serving is not None and is_alive(serving["pid"])

    completed = _wait_for_completed(
        operator, operator.state_dir / "schedules" / f"{SCHEDULE}.log", 1
    )
    log(f"scheduled run {completed[-1].name} is {completed[-1].state}")

    out = operator.work / "shortlists"
    latest = latest_run(out)
    assert latest is not None and latest.parent == (out / "runs").resolve()
    shortlists = pd.read_csv(out / "latest" / "shortlists.csv", dtype=str)
    assert set(shortlists["job_id"]) == set(pd.read_csv(operator.work / "data/jobs.csv")["job_id"])
    assert (out / "latest" / "run_manifest.json").is_file()
    log(f"shortlists of {len(shortlists)} rows in {out / 'latest'} -> {latest.name}")

    listed = operator.run("schedule", "list")
    assert f"{SCHEDULE}: every 20 s; active; served by pid {serving['pid']}" in listed
    assert "Completed" in listed
    operator.run("schedule", "pause", SCHEDULE)
    assert f"{SCHEDULE}: every 20 s; paused" in operator.run("schedule", "list")
    deleted = operator.run("schedule", "delete", SCHEDULE)
    assert f"its serving process {serving['pid']} stopped" in deleted
    assert not is_alive(serving["pid"])
    assert "no schedules" in operator.run("schedule", "list")
    log(deleted.strip())

    stopped = operator.run("server", "stop")
    operator.run("server", "status", expect=3)
    log(stopped.strip())


def test_a_warm_schedule_runs_every_scheduled_run_in_its_serving_process(
    operator: Operator,
) -> None:
    operator.run("server", "start")
    created = operator.run(
        "schedule", "--interval", "20", "--name", SCHEDULE, "--detach", "--warm",
        "--jobs", "data/jobs.csv", "--resumes", "data/resumes", "--out", "shortlists",
    )  # fmt: skip
    assert f"schedule {SCHEDULE} (every 20 s" in created
    serving = read_pid_file(operator.state_dir / "schedules" / f"{SCHEDULE}.pid")
    assert serving is not None and is_alive(serving["pid"])
    log_file = operator.state_dir / "schedules" / f"{SCHEDULE}.log"

    completed = _wait_for_completed(operator, log_file, 2)

    # Both ran in the process that serves the schedule, not in a process of their own (it
    # names a run before running it; the server has its state, the log may lag behind it).
    served = log_file.read_text()
    for run in completed:
        assert f"running {run.name} in this process (pid {serving['pid']})" in served, served
    assert len({run.name for run in completed}) == len(completed)
    shortlists = pd.read_csv(operator.work / "shortlists" / "latest" / "shortlists.csv", dtype=str)
    assert set(shortlists["job_id"]) == set(pd.read_csv(operator.work / "data/jobs.csv")["job_id"])

    # A restart of the server (its history stays) does not stop the serving process: it asks
    # again until the server answers, and runs the next due run itself. Paused first, so that
    # no run is cut off by the restart.
    operator.run("schedule", "pause", SCHEDULE)
    deadline = time.monotonic() + WAIT_FOR_RUN_SECONDS
    while operator.flow_runs(["PENDING", "RUNNING"]) and time.monotonic() < deadline:
        time.sleep(2)
    finished = len(operator.flow_runs(["COMPLETED", "FAILED", "CRASHED"]))
    operator.run("server", "stop")
    operator.run("server", "start")
    assert is_alive(serving["pid"])
    operator.run("schedule", "resume", SCHEDULE)
    again = _wait_for_completed(operator, log_file, finished + 1)
    served = log_file.read_text()
    for run in again:
        assert f"running {run.name} in this process (pid {serving['pid']})" in served, served

    # Stopped (SIGTERM, as systemd stops it), it pauses the schedule, as Prefect's runner does.
    stop_process(serving["pid"])
    assert not is_alive(serving["pid"])
    assert f"{SCHEDULE}: every 20 s; paused; not served" in operator.run("schedule", "list")
    operator.run("schedule", "delete", SCHEDULE)
    assert "no schedules" in operator.run("schedule", "list")
    operator.run("server", "stop")
