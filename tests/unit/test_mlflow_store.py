"""A fresh MLflow SQLite store is created once, safely, when runs start together."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
