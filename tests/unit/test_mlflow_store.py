"""A fresh MLflow SQLite store is created once, safely, when runs start together."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Waits for the start signal, then does what every run does first: find or create its
# experiment, then log a run.
RUN = (
    "import sys, time; from pathlib import Path\n"
    "import mlflow; from matcher.tracking.mlflow_runs import ensure_experiment\n"
    "uri, go = sys.argv[1], Path(sys.argv[2])\n"
    "while not go.exists(): time.sleep(0.005)\n"
    "experiment = ensure_experiment('together', uri)\n"
    "with mlflow.start_run(experiment_id=experiment): mlflow.log_metric('m', 1.0)\n"
    "print(experiment)\n"
)


def test_two_processes_started_together_on_a_fresh_store_both_succeed(tmp_path: Path) -> None:
    import mlflow

    uri = f"sqlite:///{tmp_path / 'fresh' / 'mlflow.db'}"
    go = tmp_path / "go"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", RUN, uri, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
        for _ in range(2)
    ]
    go.touch()
    results = [process.communicate(timeout=300) for process in processes]
    for process, (_, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err[-2000:]
    experiment_ids = {out.strip() for out, _ in results}
    assert len(experiment_ids) == 1  # one experiment, found or created by either
    runs = mlflow.MlflowClient(tracking_uri=uri).search_runs(list(experiment_ids))
    assert len(runs) == 2 and all(r.info.status == "FINISHED" for r in runs)


def test_an_experiment_prepared_in_the_background_is_the_one_the_run_logs_to(
    tmp_path: Path,
) -> None:
    import threading

    import mlflow

    from matcher.tracking.mlflow_runs import ensure_experiment, prepare_experiment
    from matcher.tracking.registry import find_champion, store_exists

    uri = f"sqlite:///{tmp_path / 'store' / 'mlflow.db'}"
    prepare_experiment("background", uri)
    assert any(t.name == "mlflow-store background" for t in threading.enumerate())
    prepare_experiment("background", uri)  # pending: nothing more is started
    # A store this run is creating holds no champion: the look-up need not wait for it.
    assert not store_exists(uri) and find_champion(uri) is None

    experiment = ensure_experiment("background", uri)  # waits for the preparation

    assert (tmp_path / "store" / "mlflow.db").is_file() and store_exists(uri)
    client = mlflow.MlflowClient(tracking_uri=uri)
    assert client.get_experiment_by_name("background").experiment_id == experiment
    assert ensure_experiment("background", uri) == experiment  # found, not created again
    assert len(client.search_experiments(filter_string="name = 'background'")) == 1


def _python(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )


def test_a_process_that_ends_while_preparing_a_store_leaves_none_half_made(
    tmp_path: Path,
) -> None:
    from matcher.tracking.mlflow_runs import ensure_experiment

    # The script ends while the preparation imports MLflow: the process waits for the thread,
    # whose imports then fail (Python is shutting down) before any store is made.
    code = (
        "import sys; from matcher.tracking.mlflow_runs import prepare_experiment\n"
        "prepare_experiment('ended', sys.argv[1])\n"
    )
    db = tmp_path / "store" / "mlflow.db"
    process = _python(code, f"sqlite:///{db}")
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-2000:]
    assert "Traceback" not in err
    # no store, or a whole one: the next run makes or finds its experiment
    assert ensure_experiment("ended", f"sqlite:///{db}")


def test_a_run_waiting_for_a_store_another_run_is_making_says_so(tmp_path: Path) -> None:
    import time

    from matcher.io.locking import hold_locks

    db = tmp_path / "store" / "mlflow.db"
    code = (
        "import sys; from matcher.tracking.mlflow_runs import ensure_experiment\n"
        "print(ensure_experiment('waited', sys.argv[1]))\n"
    )
    said = f"{db.resolve()} is in use by another matcher run; waiting up to"
    log = tmp_path / "stderr.txt"
    with hold_locks([db], timeout=10), log.open("w") as stderr:  # another run, making it
        process = subprocess.Popen(
            [sys.executable, "-c", code, f"sqlite:///{db}"],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
        deadline = time.monotonic() + 240
        while said not in log.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()[-2000:]
            time.sleep(0.2)
        assert said in log.read_text()
        assert process.poll() is None and not db.exists()  # waiting, not past the lock
    out, _ = process.communicate(timeout=300)
    assert process.returncode == 0, log.read_text()[-2000:]
    assert db.is_file() and out.strip()


def test_a_store_that_cannot_be_made_in_the_background_fails_where_logging_would(
    tmp_path: Path,
) -> None:
    from matcher.tracking.mlflow_runs import ensure_experiment, prepare_experiment

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    uri = f"sqlite:///{blocker / 'mlflow.db'}"  # its folder is a file: no store can be made
    with pytest.raises(OSError) as in_the_foreground:
        ensure_experiment("unmakeable", uri)
    prepare_experiment("unmakeable", uri)

    with pytest.raises(OSError) as raised:
        ensure_experiment("unmakeable", uri)  # raised in the run's thread, as without it
    assert str(raised.value) == str(in_the_foreground.value)

    prepare_experiment("unmakeable", uri)  # a failure is not kept: it is tried again
    with pytest.raises(OSError):
        ensure_experiment("unmakeable", uri)


def _schema(db: Path) -> tuple[list[tuple[str, str, list[str]]], dict[str, int], list[str]]:
    """A store's tables, indexes and constraints (each statement's clauses as a set: MLflow's
    own migrations write a table's CHECK clauses in either order), its rows per table and its
    alembic revision."""
    import re
    import sqlite3

    with sqlite3.connect(db) as connection:
        objects = connection.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
        tables = [name for kind, name, _ in objects if kind == "table"]
        rows = {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        revision = [r for (r,) in connection.execute("SELECT version_num FROM alembic_version")]
    connection.close()
    statements = sorted(
        (kind, name, sorted(part.strip() for part in re.split(r",\s*\n", sql or "")))
        for kind, name, sql in objects
    )
    return statements, rows, revision


def test_a_new_store_is_a_copy_of_the_template_and_the_same_as_one_mlflow_migrates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow

    from matcher.tracking.mlflow_runs import ensure_experiment
    from matcher.tracking.store_template import start_from_template, template_path

    templates = tmp_path / "templates"
    template = template_path(templates)
    copied = tmp_path / "copied" / "mlflow.db"
    copied.parent.mkdir()
    assert start_from_template(copied, templates)  # the first one makes the template
    assert template.is_file() and copied.read_bytes() == template.read_bytes()
    made = template.stat()
    second = tmp_path / "second" / "mlflow.db"
    second.parent.mkdir()
    assert start_from_template(second, templates)
    assert second.read_bytes() == template.read_bytes()
    assert (template.stat().st_ino, template.stat().st_mtime_ns) == (made.st_ino, made.st_mtime_ns)
    assert not [p for p in templates.iterdir() if p.name.endswith(".tmp")]

    # The same store as MLflow's migrations make, once MLflow has opened each: no template
    # can be made in a folder that is a file.
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MATCHER_MLFLOW_TEMPLATE_DIR", str(blocker))
    monkeypatch.chdir(tmp_path)  # the default experiment's artifacts lie under the cwd
    stores = {"copied": copied, "migrated": tmp_path / "migrated" / "mlflow.db"}
    for name, db in stores.items():
        uri = f"sqlite:///{db}"
        experiment = ensure_experiment("batch", uri)
        with mlflow.start_run(experiment_id=experiment):
            mlflow.log_param("p", name)
            mlflow.log_metric("m", 1.0)
    assert _schema(copied) == _schema(stores["migrated"])
    for db in stores.values():
        client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{db}")
        names = [e.name for e in client.search_experiments()]
        assert sorted(names) == ["Default", "batch"]
        [run] = client.search_runs([client.get_experiment_by_name("batch").experiment_id])
        assert run.data.metrics == {"m": 1.0}


def test_a_template_that_cannot_be_made_leaves_the_store_to_mlflows_migrations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import mlflow

    from matcher.tracking.mlflow_runs import ensure_experiment

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MATCHER_MLFLOW_TEMPLATE_DIR", str(blocker))
    uri = f"sqlite:///{tmp_path / 'store' / 'mlflow.db'}"

    with caplog.at_level("WARNING", logger="matcher.tracking.store_template"):
        experiment = ensure_experiment("batch", uri)

    assert "no empty template to start from" in caplog.text
    client = mlflow.MlflowClient(tracking_uri=uri)
    assert client.get_experiment_by_name("batch").experiment_id == experiment


# Waits for the start signal, then makes a new store in its own folder from the shared
# template folder, as two runs of two projects started together on a new machine do.
FROM_TEMPLATE = (
    "import sys, time; from pathlib import Path\n"
    "from matcher.tracking.mlflow_runs import ensure_experiment\n"
    "uri, go = sys.argv[1], Path(sys.argv[2])\n"
    "while not go.exists(): time.sleep(0.005)\n"
    "print(ensure_experiment('together', uri))\n"
)


def test_two_processes_making_the_first_template_together_both_get_a_store(
    tmp_path: Path,
) -> None:
    from matcher.tracking.store_template import template_path

    templates = tmp_path / "templates"
    go = tmp_path / "go"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(sys.path),
        "MATCHER_MLFLOW_TEMPLATE_DIR": str(templates),
    }
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", FROM_TEMPLATE, f"sqlite:///{tmp_path / name / 'm.db'}", str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for name in ("one", "two")
    ]
    go.touch()
    results = [process.communicate(timeout=300) for process in processes]
    for process, (_, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err[-2000:]
        assert "no empty template" not in err
    assert [p.name for p in templates.iterdir() if not p.name.startswith(".")] == [
        template_path(templates).name
    ]
    assert not [p for p in templates.iterdir() if p.name.endswith(".tmp")]
    assert _schema(tmp_path / "one" / "m.db") == _schema(tmp_path / "two" / "m.db")
