"""The server and schedule helpers that need no running server: processes, checks and errors.

A real server and a real scheduled run are in ``tests/flows/test_scheduled_runs.py`` (slow).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matcher.cli import app
from matcher.orchestration.processes import (
    is_alive,
    read_pid_file,
    spawn_detached,
    stop_process,
    write_pid_file,
)
from matcher.orchestration.schedules import (
    ScheduleError,
    SchedulePaths,
    check_name,
    describe_schedule,
    make_schedule,
)
from matcher.orchestration.server import (
    ServerError,
    ServerPaths,
    running_api_url,
    server_status,
    start_server,
)
from matcher.runtime import configure_runtime
from tests.conftest import SAMPLE


def _exited_pid() -> int:
    """The pid of a process that has run and exited (and been reaped)."""
    process = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(process.stdout)


def test_pid_files_round_trip_and_garbage_reads_as_none(tmp_path: Path) -> None:
    path = write_pid_file(tmp_path / "x.pid", {"pid": 42, "api_url": "http://127.0.0.1:1/api"})
    assert read_pid_file(path) == {"pid": 42, "api_url": "http://127.0.0.1:1/api"}
    for garbage in ("", "{", '{"pid": "42"}', "[1]"):
        path.write_text(garbage)
        assert read_pid_file(path) is None, garbage
    assert read_pid_file(tmp_path / "missing.pid") is None


def test_a_detached_process_logs_to_its_file_and_stops_on_request(tmp_path: Path) -> None:
    process = spawn_detached(
        [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(600)"],
        tmp_path / "sleeper.log",
        os.environ,
    )
    log = tmp_path / "sleeper.log"
    try:
        assert is_alive(process.pid)
        assert os.getpgid(process.pid) == process.pid  # a session of its own
        for _ in range(600):  # until it has started (bounded)
            if log.read_text() == "up\n":
                break
            time.sleep(0.1)
        assert log.read_text() == "up\n"
        assert stop_process(process.pid, timeout=10)
        process.wait(timeout=10)
        assert not is_alive(process.pid)
        assert stop_process(process.pid) is False
    finally:
        if process.poll() is None:
            process.kill()


def test_no_server_and_a_stale_pid_file_both_read_as_not_running(tmp_path: Path) -> None:
    assert server_status(tmp_path) is None
    paths = ServerPaths.of(tmp_path)
    write_pid_file(paths.pid_file, {"pid": _exited_pid(), "api_url": "http://127.0.0.1:9/api"})
    assert server_status(tmp_path) is None
    assert running_api_url(tmp_path) is None


def test_without_a_server_commands_use_the_temporary_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    assert configure_runtime(tmp_path) is None
    assert "PREFECT_API_URL" not in os.environ


def test_a_port_taken_by_another_program_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        with pytest.raises(ServerError, match=f"port {port} on 127.0.0.1 is in use"):
            start_server(tmp_path, "127.0.0.1", port, timeout=5)
    assert not ServerPaths.of(tmp_path).pid_file.exists()  # nothing was started


def test_schedule_names_and_timings_are_checked_before_anything_starts() -> None:
    assert check_name("daily-06.00_eu") == "daily-06.00_eu"
    for bad in ("", "a b", "../x", "-x", "x" * 65):
        with pytest.raises(ScheduleError, match="schedule name"):
            check_name(bad)
    with pytest.raises(ScheduleError, match="exactly one"):
        make_schedule(None, None, "UTC")
    with pytest.raises(ScheduleError, match="exactly one"):
        make_schedule("0 6 * * *", 60, "UTC")
    with pytest.raises(ScheduleError, match='Invalid cron string: "61 \\* \\* \\* \\*"'):
        make_schedule("61 * * * *", None, "UTC")
    with pytest.raises(ScheduleError, match="Invalid timezone"):
        make_schedule("0 6 * * *", None, "Mars/Base")
    with pytest.raises(ScheduleError, match="positive"):
        make_schedule(None, 0, "UTC")
    assert SchedulePaths.of(Path("s"), "daily").pid_file == Path("s/schedules/daily.pid")


def test_schedules_are_described_as_a_person_reads_them() -> None:
    from datetime import timedelta

    from prefect.client.schemas.schedules import CronSchedule, IntervalSchedule

    cron = CronSchedule(cron="0 6 * * *", timezone="Europe/Paris")
    assert describe_schedule(cron) == "cron 0 6 * * * (Europe/Paris)"
    assert describe_schedule(IntervalSchedule(interval=timedelta(hours=1))) == "every 3600 s"


@pytest.fixture()
def state_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MATCHER_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    return tmp_path / "state"


def test_server_status_says_not_running_with_exit_code_3(state_env: Path) -> None:
    result = CliRunner().invoke(app, ["server", "status"])
    assert result.exit_code == 3
    assert "not running" in result.output and str(state_env) in result.output


def test_stopping_no_server_is_not_an_error(state_env: Path) -> None:
    result = CliRunner().invoke(app, ["server", "stop"])
    assert result.exit_code == 0 and "no Prefect server is running" in result.output


def test_schedules_need_a_running_server(state_env: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    create = [
        "schedule", "--interval", "60", "--jobs", str(SAMPLE / "jobs.csv"),
        "--resumes", str(SAMPLE / "resumes"), "--out", str(tmp_path / "out"),
    ]  # fmt: skip
    for args in (create, ["schedule", "list"], ["schedule", "pause", "daily"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert "error: no Prefect server is running" in result.output
        assert "matcher server start" in result.output
    assert not (tmp_path / "out").exists()
    assert not (state_env / "schedules").exists()


def test_a_bad_schedule_is_one_error_line(state_env: Path, tmp_path: Path) -> None:
    base = ["schedule", "--jobs", str(SAMPLE / "jobs.csv"), "--resumes", str(SAMPLE / "resumes")]
    base += ["--out", str(tmp_path / "out")]
    cases = {
        "Invalid cron string": ["--cron", "61 * * * *"],
        "exactly one of --cron and --interval": [],
        "schedule name": ["--interval", "60", "--name", "no spaces"],
    }
    for message, extra in cases.items():
        result = CliRunner().invoke(app, [*base, *extra])
        assert result.exit_code == 2, (message, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    missing = CliRunner().invoke(app, ["schedule", "--interval", "60", "--jobs", "nope.csv",
                                       "--resumes", "x", "--out", "y"])  # fmt: skip
    assert missing.exit_code == 2 and "--jobs: nope.csv does not exist" in missing.output
