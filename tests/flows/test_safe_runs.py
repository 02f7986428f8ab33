"""Runs that share folders, reruns, and runs stopped midway: real processes, Prefect and MLflow.

* An output folder holds exactly one run's files: a rerun with fewer postings leaves no
  shortlist of the postings that are gone, and what a killed run left is never logged.
* An index whose files do not belong together is rebuilt, with the same scores.
* Two ``matcher score`` processes started together on a fresh folder both finish, one after
  the other; told not to wait, the second fails with one clear line.
* A run whose state folder is in use by another process fails with one line, told not to wait.
* A wrong setting or input path stops ``matcher score`` with one line before it writes anything.
* SIGTERM and Ctrl-C stop a run, leave the previous output as it was and nothing running.
* ``matcher evaluate`` and ``matcher recommend`` do the same: a busy output folder fails with one
  line, and a stopped run leaves the previous output as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import mlflow
import pandas as pd
import pytest
from click.testing import Result
from typer.testing import CliRunner

from matcher.cli import app
from matcher.settings import Settings, load_settings
from tests.conftest import REPO, SAMPLE

pytestmark = pytest.mark.usefixtures("prefect_server")

JOBS = SAMPLE / "jobs.csv"
RESUMES = SAMPLE / "resumes"


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def _settings(root: Path, cache: Path) -> Settings:
    return load_settings(
        embedding={"cache_dir": cache},
        index_dir=root / "index",
        mlflow_tracking_uri=f"sqlite:///{root / 'mlflow.db'}",
        ranking={"top_k": 3},
    )


def _artifacts(settings: Settings, run_id: str, path: str | None = None) -> set[str]:
    client = mlflow.MlflowClient(tracking_uri=settings.mlflow_tracking_uri)
    return {a.path for a in client.list_artifacts(run_id, path)}


@pytest.fixture(scope="module")
def earlier_run(tmp_path_factory: pytest.TempPathFactory, embedding_cache_dir: Path):  # type: ignore[no-untyped-def]
    from pipelines.batch_scoring import batch_scoring

    root = tmp_path_factory.mktemp("safe-runs")
    settings = _settings(root, embedding_cache_dir)
    summary = batch_scoring(JOBS, RESUMES, root / "out", settings)
    return root, settings, summary


def test_a_rerun_leaves_only_its_own_files_and_logs_nothing_stale(
    earlier_run,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    from pipelines.batch_scoring import batch_scoring

    _, settings, _ = earlier_run
    out = tmp_path / "out"
    batch_scoring(JOBS, RESUMES, out, settings)
    assert len(list((out / "shortlists").iterdir())) > 2
    # What a kill -9 in the middle of writing leaves: empty temporary files.
    orphans = [out / ".shortlists.csv.0badc0de.tmp", settings.index_dir / ".ids.json.deadbeef.tmp"]
    for orphan in orphans:
        orphan.touch()
    fewer = tmp_path / "two_jobs.csv"
    jobs = pd.read_csv(JOBS, dtype=str, keep_default_na=False)
    jobs[jobs["description"] != ""].head(2).to_csv(fewer, index=False)
    summary = batch_scoring(fewer, RESUMES, out, settings)
    kept = sorted(jobs[jobs["description"] != ""].head(2)["job_id"])
    assert sorted(p.stem for p in (out / "shortlists").iterdir()) == kept
    assert not any(orphan.exists() for orphan in orphans)
    assert _files(out) == {
        "shortlists.csv",
        "shortlists.xlsx",
        "rejects.csv",
        "duplicates.csv",
        "records.csv",
        "run_manifest.json",
        "decisions.parquet",
        *(f"shortlists/{job}.csv" for job in kept),
    }
    logged = _artifacts(settings, summary["mlflow_run_id"], "shortlists")
    assert logged == {f"shortlists/{job}.csv" for job in kept}
    assert not any(".tmp" in a for a in _artifacts(settings, summary["mlflow_run_id"]))
    manifest = json.loads((out / "run_manifest.json").read_text())
    assert manifest["mlflow_run_id"] == summary["mlflow_run_id"]
    assert manifest["outputs"]["shortlists"] == str(out / "shortlists.csv")
    assert not [p for p in tmp_path.iterdir() if "staging" in p.name or "previous" in p.name]


def test_an_index_file_of_another_index_is_rebuilt_with_the_same_scores(
    earlier_run,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    from pipelines.batch_scoring import batch_scoring

    from matcher.ranking.index import build_index, save_index

    root, settings, first = earlier_run
    index_dir = settings.index_dir
    meta = json.loads((index_dir / "meta.json").read_text())
    # A foreign index of the same shape: same count and IDs, other vectors.
    ids = json.loads((index_dir / "ids.json").read_text())
    other = build_index(
        __import__("numpy").eye(len(ids), meta["dimension"], dtype="float32"), ids, meta["model"]
    )
    save_index(other, tmp_path / "other")
    (index_dir / "index.faiss").write_bytes((tmp_path / "other" / "index.faiss").read_bytes())
    summary = batch_scoring(JOBS, RESUMES, tmp_path / "out", settings)
    manifest = json.loads((tmp_path / "out" / "run_manifest.json").read_text())
    assert manifest["index"]["reused"] is False
    assert manifest["index"]["index_sha256"] == meta["index_sha256"]  # rebuilt as it was
    before = pd.read_csv(root / "out" / "shortlists.csv", dtype=str)
    after = pd.read_csv(tmp_path / "out" / "shortlists.csv", dtype=str)
    pd.testing.assert_frame_equal(before, after)
    assert summary["mlflow_run_id"] != first["mlflow_run_id"]


def test_a_busy_output_folder_fails_with_one_line_when_told_not_to_wait(
    earlier_run,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root, settings, _ = earlier_run
    out = root / "out"
    before = {name: (out / name).read_bytes() for name in _files(out)}
    monkeypatch.setenv("MATCHER_RUNS__LOCK_TIMEOUT_SECONDS", "0")
    monkeypatch.setenv("MATCHER_INDEX_DIR", str(settings.index_dir))
    monkeypatch.setenv("MATCHER_MLFLOW_TRACKING_URI", settings.mlflow_tracking_uri)
    result = _invoke_while_held(
        out, ["score", "--jobs", str(JOBS), "--resumes", str(RESUMES), "--out", str(out)]
    )
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "in use by another matcher run" in errors[0], result.output
    assert {name: (out / name).read_bytes() for name in _files(out)} == before


def test_a_busy_state_folder_fails_with_one_line_and_writes_nothing(
    tmp_path: Path, embedding_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matcher.io.state_store import state_store_path

    state_dir, out = tmp_path / "state", tmp_path / "out"
    for key, value in {
        "MATCHER_RUNS__LOCK_TIMEOUT_SECONDS": "0",
        "MATCHER_STATE_DIR": str(state_dir),
        "MATCHER_INDEX_DIR": str(tmp_path / "index"),
        "MATCHER_MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'mlflow.db'}",
        "MATCHER_EMBEDDING__CACHE_DIR": str(embedding_cache_dir),
    }.items():
        monkeypatch.setenv(key, value)
    result = _invoke_while_held(
        state_store_path(state_dir),  # by another process, as a running run would
        ["score", "--jobs", str(JOBS), "--resumes", str(RESUMES), "--out", str(out)],
    )
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "state.db is in use by another matcher run" in errors[0], (
        result.output
    )
    assert not out.exists() and not (tmp_path / "index").exists()


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [
        ("MATCHER_RANKING__RANKER", "requirments", "ranking.ranker: unknown ranker 'requirments'"),
        ("MATCHER_EMBEDDING__MODEL_PATH", "no-such-model", "embedding.model_path:"),
        ("MATCHER_TAXONOMY_DIR", "no-such-taxonomy", "taxonomy_dir:"),
        ("MATCHER_RANKING__TOP_K", "0", "top_k"),
    ],
)
def test_a_wrong_setting_stops_the_run_before_it_writes_anything(
    tmp_path: Path,
    embedding_cache_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    setting: str,
    value: str,
    named: str,
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # relative defaults (state, index, MLflow) would land here
    monkeypatch.setenv("MATCHER_EMBEDDING__CACHE_DIR", str(embedding_cache_dir))
    monkeypatch.setenv(setting, value)
    result = CliRunner().invoke(
        app, ["score", "--jobs", str(JOBS), "--resumes", str(RESUMES), "--out", "out"]
    )
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: bad settings:"), result.output
    assert named in lines[0]
    assert list(work.iterdir()) == []


def test_a_missing_input_stops_the_run_before_it_writes_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        app, ["score", "--jobs", "no-jobs.csv", "--resumes", str(RESUMES), "--out", "out"]
    )
    assert result.exit_code == 2
    assert result.output.splitlines() == ["error: --jobs: no-jobs.csv does not exist"]
    assert list(tmp_path.iterdir()) == []


def _hold(folder: Path) -> subprocess.Popen[str]:
    """Another process holding ``folder``'s lock until it is killed."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from matcher.io.locking import hold_locks\n"
            "with hold_locks([Path(sys.argv[1])], timeout=30):\n"
            "    print('held', flush=True); sys.stdin.read()\n",
            str(folder),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    assert process.stdout is not None and process.stdout.readline() == "held\n"
    return process


def _invoke_while_held(path: Path, arguments: list[str]) -> Result:
    """The CLI run with ``arguments`` while another process holds ``path``'s lock."""
    holder = _hold(path)
    try:
        return CliRunner().invoke(app, arguments)
    finally:
        holder.kill()
        holder.wait()


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]), **extra}


#: The arguments of each command that writes an output folder, but ``--out``; the file an
#: earlier run left in it; the task after which a test stops the run.
WRITING_COMMANDS = {
    "score": (["--jobs", str(JOBS), "--resumes", str(RESUMES)], "shortlists.csv", "load_inputs"),
    "evaluate": (
        ["--jobs", str(JOBS), "--resumes", str(RESUMES), "--qrels", str(SAMPLE / "qrels.csv")],
        "metrics.json",
        "load_labelled",
    ),
    "recommend": (
        ["--resume", str(RESUMES / "r-0001-maria-lopez.txt"), "--jobs", str(JOBS)],
        "recommendations.csv",
        "load_job_postings",
    ),
}


def _earlier_output(out: Path, name: str) -> dict[str, bytes]:
    """``out`` as an earlier run of a command left it (one of its files); returns its files."""
    out.mkdir()
    (out / name).write_text("the earlier run's output\n")
    return {name: (out / name).read_bytes()}


@pytest.mark.parametrize("command", ["evaluate", "recommend"])
def test_evaluate_and_recommend_fail_with_one_line_on_a_busy_output_folder(
    tmp_path: Path, embedding_cache_dir: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    arguments, earlier, _ = WRITING_COMMANDS[command]
    out = tmp_path / "out"
    before = _earlier_output(out, earlier)
    monkeypatch.setenv("MATCHER_RUNS__LOCK_TIMEOUT_SECONDS", "0")
    monkeypatch.setenv("MATCHER_MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setenv("MATCHER_EMBEDDING__CACHE_DIR", str(embedding_cache_dir))
    result = _invoke_while_held(out, [command, *arguments, "--out", str(out)])
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "in use by another matcher run" in errors[0], result.output
    assert {name: (out / name).read_bytes() for name in _files(out)} == before


@pytest.mark.parametrize("command", ["evaluate", "recommend"])
def test_evaluate_and_recommend_refuse_a_folder_of_other_files_and_replace_their_own(
    tmp_path: Path, embedding_cache_dir: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    arguments, earlier, _ = WRITING_COMMANDS[command]
    monkeypatch.setenv("MATCHER_MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setenv("MATCHER_EMBEDDING__CACHE_DIR", str(embedding_cache_dir))
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("not matcher's\n")
    result = CliRunner().invoke(app, [command, *arguments, "--out", str(foreign)])
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "notes.txt" in errors[0], result.output
    assert _files(foreign) == {"notes.txt"}
    out = tmp_path / "out"
    _earlier_output(out, earlier)
    (out / ".metrics.json.0badc0de.tmp").touch()  # what a kill -9 mid-write leaves
    result = CliRunner().invoke(app, [command, *arguments, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / earlier).read_text() != "the earlier run's output\n"
    assert not any(name.endswith(".tmp") for name in _files(out))
    assert not [p for p in tmp_path.iterdir() if "staging" in p.name or "previous" in p.name]


def _score(out: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return _run("score", out, env)


def _run(command: str, out: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    # --verbose keeps Prefect's "Task run ... Finished in state Completed" lines, which the
    # stop tests wait for.
    arguments = ["--verbose", command, *WRITING_COMMANDS[command][0], "--out", str(out)]
    return subprocess.Popen(
        [sys.executable, "-m", "matcher", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=REPO,
        start_new_session=True,  # its own process group, to see that nothing outlives it
    )


@pytest.fixture()
def run_env(tmp_path: Path, embedding_cache_dir: Path) -> Iterator[dict[str, str]]:
    """Environment of a ``matcher score`` process with every store fresh in ``tmp_path``."""
    yield _env(
        PREFECT_HOME=str(tmp_path / "prefect"),
        MATCHER_MLFLOW_TRACKING_URI=f"sqlite:///{tmp_path / 'mlflow.db'}",
        MATCHER_INDEX_DIR=str(tmp_path / "index"),
        MATCHER_EMBEDDING__CACHE_DIR=str(embedding_cache_dir),
        MATCHER_RANKING__TOP_K="3",
    )


@pytest.mark.slow
def test_two_runs_started_together_on_a_fresh_folder_take_turns(
    tmp_path: Path, run_env: dict[str, str]
) -> None:
    from prefect.settings import PREFECT_API_URL

    # Both use the tests' Prefect API, so they meet at the MLflow store, the index and --out.
    env = {**run_env, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    out = tmp_path / "out"
    runs = [_score(out, env) for _ in range(2)]
    logs = [run.communicate(timeout=600)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], logs

    # one waits for the other's run (either may also say it waits for the MLflow store that
    # the other is making: matcher.tracking.mlflow_runs)
    def waited(log: str) -> bool:
        return any(
            "in use by another matcher run; waiting" in line and "mlflow_runs" not in line
            for line in log.splitlines()
        )

    assert sum(waited(log) for log in logs) == 1
    uri = run_env["MATCHER_MLFLOW_TRACKING_URI"]
    client = mlflow.MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name("matcher-batch-scoring")
    assert experiment is not None
    run_ids = {r.info.run_id for r in client.search_runs([experiment.experiment_id])}
    manifest = json.loads((out / "run_manifest.json").read_text())
    assert len(run_ids) == 2 and manifest["mlflow_run_id"] in run_ids
    jobs = pd.read_csv(JOBS, dtype=str, keep_default_na=False)
    assert {p.stem for p in (out / "shortlists").iterdir()} == set(
        jobs[jobs["description"] != ""]["job_id"]
    )
    assert not [p for p in tmp_path.iterdir() if "staging" in p.name or "previous" in p.name]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "stop", "whole_group", "code"),
    [
        ("score", signal.SIGTERM, False, 143),  # kill PID, docker stop: the command alone
        ("score", signal.SIGINT, True, 130),  # Ctrl-C in a terminal: Prefect's server gets it too
        ("evaluate", signal.SIGTERM, False, 143),
        ("recommend", signal.SIGINT, True, 130),
    ],
)
def test_a_stopped_run_leaves_the_previous_output_and_nothing_running(
    tmp_path: Path,
    run_env: dict[str, str],
    command: str,
    stop: signal.Signals,
    whole_group: bool,
    code: int,
) -> None:
    _, earlier, stop_after = WRITING_COMMANDS[command]
    out = tmp_path / "out"
    before = _earlier_output(out, earlier)
    run = _run(command, out, run_env)
    assert run.stdout is not None
    seen = []
    for line in run.stdout:  # stop it once the inputs are loaded: mid-run
        seen.append(line)
        if f"Task run '{stop_after}" in line and "Finished in state Completed" in line:
            (os.killpg if whole_group else os.kill)(run.pid, stop)
            break
    rest = run.communicate(timeout=300)[0]
    assert run.returncode == code, "".join(seen) + rest
    assert "stopped: nothing written" in rest
    assert {name: (out / name).read_bytes() for name in _files(out)} == before
    assert not [p for p in tmp_path.iterdir() if "staging" in p.name or "previous" in p.name]
    with pytest.raises(ProcessLookupError):  # Prefect's temporary server went with it
        os.killpg(run.pid, 0)


def test_ctrl_c_while_the_temporary_api_starts_stops_the_run_without_a_traceback(
    tmp_path: Path, run_env: dict[str, str]
) -> None:
    """Ctrl-C reaches a terminal's whole process group. Prefect's temporary API server, still
    importing its modules when it came, died of it with a 60-line traceback (and click's
    "Aborted!"); it now ignores Ctrl-C and the command stops it."""
    out = tmp_path / "out"
    run = _run("score", out, run_env)
    _wait_for_child(run, "uvicorn")
    os.killpg(run.pid, signal.SIGINT)
    output = run.communicate(timeout=300)[0]
    assert run.returncode == 130, output
    assert "Traceback" not in output and "Aborted!" not in output, output
    assert not out.exists() or not _files(out)
    with pytest.raises(ProcessLookupError):  # the server went with the command
        os.killpg(run.pid, 0)


def _wait_for_child(run: subprocess.Popen[str], name: str) -> None:
    """Return once ``run`` has a child process whose command line names ``name``."""
    children = Path(f"/proc/{run.pid}/task/{run.pid}/children")
    for _ in range(1200):
        for child in children.read_text().split():
            with contextlib.suppress(OSError):
                if name in Path(f"/proc/{child}/cmdline").read_text():
                    return
        assert run.poll() is None, run.communicate()[0]
        time.sleep(0.05)
    raise AssertionError(f"no {name} process started within 60 s")


@pytest.mark.parametrize("command", ["score", "recommend"])
def test_an_output_folder_that_cannot_be_written_is_one_line_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """`--out` under a file was a 100-line traceback, and a folder that cannot be written was
    waited for an hour as "in use by another matcher run"; a folder of other files is refused
    before the run starts, with no log of a failed run before the line."""
    arguments, _, _ = WRITING_COMMANDS[command]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("x")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("not matcher's\n")
    for out, message in [
        ("a-file/out", "is a file, not a folder"),
        ("/proc/matcher-out", "cannot write /proc/matcher-out"),
        ("foreign", "notes.txt"),
    ]:
        result = CliRunner().invoke(app, [command, *arguments, "--out", out])
        assert result.exit_code == 2, result.output
        lines = result.output.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: --out"), result.output
        assert "--out" not in lines[0][len("error: --out") :], lines[0]  # named once
        assert message in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "foreign"]


def test_recommend_against_postings_none_of_which_can_be_ranked_is_one_line(
    tmp_path: Path, embedding_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A header-only table, or one whose every posting is rejected, ended in a KeyError."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MATCHER_MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setenv("MATCHER_EMBEDDING__CACHE_DIR", str(embedding_cache_dir))
    monkeypatch.setenv("MATCHER_STATE_DIR", str(tmp_path / "state"))
    header_only = tmp_path / "header.csv"
    header_only.write_text("job_id,title,description\n")
    all_rejected = tmp_path / "rejected.csv"
    all_rejected.write_text('job_id,title,description\nJ1,Nurse,""\n')
    resume = RESUMES / "r-0001-maria-lopez.txt"
    for jobs, message in [
        (header_only, "no postings"),
        (all_rejected, "no posting can be ranked, all 1 rejected (posting J1:"),
    ]:
        result = CliRunner().invoke(
            app, ["recommend", "--resume", str(resume), "--jobs", str(jobs), "--out", "out"]
        )
        assert result.exit_code == 2, result.output
        errors = [line for line in result.output.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and message in errors[0], result.output


def test_candidates_with_a_ranker_that_scores_every_document_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the requirements ranker ranks in two stages, and only resumes for a posting:
    `--candidates` with tfidf, or in the jobs-for-resume direction, was ignored and a stage-1
    recall of 1.0 reported."""
    monkeypatch.chdir(tmp_path)
    arguments, _, _ = WRITING_COMMANDS["evaluate"]
    result = CliRunner().invoke(
        app, ["evaluate", *arguments, "--ranker", "tfidf", "--candidates", "3", "--out", "out"]
    )
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [
        "error: --candidates: only the requirements ranker ranks in two stages; tfidf scores"
        " every document (drop --candidates)"
    ]
    reverse = ["--ranker", "requirements", "--direction", "jobs-for-resume", "--candidates", "3"]
    result = CliRunner().invoke(app, ["evaluate", *arguments, *reverse, "--out", "out"])
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [
        "error: --candidates: two stages pick each posting's candidate resumes"
        " (--direction resumes-for-job); jobs-for-resume scores every posting"
    ]
    assert list(tmp_path.iterdir()) == []


def test_recommend_for_a_resume_it_cannot_use_is_one_line_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table without --resume-id, an unknown ID or an empty resume printed the failed
    flow's tracebacks before the error line."""
    monkeypatch.chdir(tmp_path)
    table = tmp_path / "resumes.csv"
    table.write_text("resume_id,text\nr1,Nurse with ICU experience.\nr2,\n")
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n")
    cases = [
        ([str(table)], "is a table: pass --resume-id to pick a row"),
        ([str(table), "--resume-id", "r9"], "resume_id 'r9' not found"),
        ([str(table), "--resume-id", "r2"], "resume 'r2' rejected"),
        ([str(empty)], "empty"),
    ]
    for resume, message in cases:
        result = CliRunner().invoke(
            app, ["recommend", "--resume", *resume, "--jobs", str(JOBS), "--out", "out"]
        )
        assert result.exit_code == 2, result.output
        lines = result.output.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error:"), result.output
        assert message in lines[0], lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.txt", "resumes.csv"]
