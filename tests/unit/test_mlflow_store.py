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
