"""Bias audit flow: the LL144 figures of a shortlist run, written beside it and logged to MLflow.

Each task is one step of the table of contents below; the work itself is in
:mod:`matcher.evaluation.bias_audit`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from matcher.evaluation.audit_report import audit_html
from matcher.evaluation.bias_audit import Audit, audit_decisions, read_demographics
from matcher.io.atomic import atomic_write_text
from matcher.io.csv_safety import write_safe_csv
from matcher.io.locking import hold_locks
from matcher.io.manifest import file_sha256
from matcher.orchestration.flows import matcher_flow
from matcher.ranking.decisions import read_decisions, resolve_run
from matcher.settings import Settings


@task(cache_policy=NO_CACHE)
def compute_audit(run_dir: Path, demographics_path: Path, top_k: int | None) -> Audit:
    """Read the run's decision records and the demographics; compute the audit table."""
    return audit_decisions(read_decisions(run_dir), read_demographics(demographics_path), top_k)


@task(cache_policy=NO_CACHE)
def write_audit(audit: Audit, run_dir: Path, out_dir: Path) -> dict[str, Path]:
    """Write ``audit.csv`` and ``audit.html`` into ``out_dir``, each atomically."""
    out_dir.mkdir(parents=True, exist_ok=True)
    table = out_dir / "audit.csv"
    write_safe_csv(audit.table, table)
    page = atomic_write_text(out_dir / "audit.html", audit_html(audit, str(run_dir)))
    return {"audit_csv": table, "audit_html": page}


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def log_audit_to_mlflow(
    audit: Audit,
    run_dir: Path,
    demographics_path: Path,
    outputs: dict[str, Path],
    settings: Settings,
) -> str:
    """Log the audit as a run of the audited run's MLflow experiment; returns its ID."""
    from matcher.tracking.experiment_log import log_audit

    manifest_path = run_dir / "run_manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8")) if manifest_path.is_file() else {}
    table = audit.table
    metrics = {
        f"min_{ratio}": float(table[ratio].min())
        for ratio in ("selection_impact_ratio", "scoring_impact_ratio")
        if not math.isnan(float(table[ratio].min()))
    }
    metrics["flagged_categories"] = float((table["flags"] != "").sum())
    metrics["unknown_applicants"] = float(table.loc[table["unknown"], "applicants"].max() or 0)
    return log_audit(
        settings.mlflow_tracking_uri,
        settings.mlflow_experiment,
        manifest.get("mlflow_run_id"),
        {
            "run_dir": str(run_dir),
            "top_k": audit.top_k,
            "median_score": round(audit.median_score, 3),
            "demographics_sha256": file_sha256(demographics_path),
        },
        metrics,
        list(outputs.values()),
    )


@matcher_flow(name="bias-audit", log_prints=True)
def bias_audit(
    run_dir: Path,
    demographics_path: Path,
    settings: Settings,
    top_k: int | None = None,
    out_dir: Path | None = None,
) -> dict[str, Any]:
    """Audit a shortlist run for bias by sex, race/ethnicity and their intersection.

    Args:
        run_dir: The ``--out`` folder of a ``matcher score`` run (or one of its run folders).
        demographics_path: CSV of ``resume_id`` and ``sex`` and/or ``race_ethnicity``.
        settings: MLflow store and experiment.
        top_k: Shortlist size that counts as selected; the run's own if None.
        out_dir: Where ``audit.csv`` and ``audit.html`` go; ``<run>/audit`` if None.

    Returns:
        ``outputs`` (paths), ``flags`` (lines), ``top_k`` and ``mlflow_run_id``.
    """
    run_dir = resolve_run(run_dir)
    out_dir = out_dir or run_dir / "audit"
    with hold_locks([run_dir], settings.runs.lock_timeout_seconds):
        audit = compute_audit(run_dir, demographics_path, top_k)
        outputs = write_audit(audit, run_dir, out_dir)
    run_id = log_audit_to_mlflow(audit, run_dir, demographics_path, outputs, settings)
    flagged = audit.table[audit.table["flags"] != ""]
    flags = [f"{r.dimension}: {r.category}: {r.flags}" for r in flagged.itertuples()]
    print(f"Audit: {outputs['audit_csv']}  Page: {outputs['audit_html']}  MLflow run: {run_id}")
    for line in flags:
        print(f"flag: {line}")
    return {
        "outputs": {name: str(path) for name, path in outputs.items()},
        "flags": flags,
        "top_k": audit.top_k,
        "mlflow_run_id": run_id,
    }
