"""The unchanged rerun: told from cheap fingerprints, answered by copying the last run's files.

A ``matcher score --incremental`` (or scheduled) run whose *rerun key* is that of the last
completed run against the same state folder cannot produce anything new. The key
(:func:`rerun_key`) is the fingerprint of everything the outputs are made from:

| part | what |
| --- | --- |
| `inputs` | path and SHA-256 of the postings and resumes (files or folders; contents, not times) |
| `out_dir` | the output folder |
| `settings` | every setting |
| `code` | SHA-256 of matcher's source and data files and the flows (:func:`source_fingerprint`) |
| `model` | the embedding model's fingerprint (its configuration and weight sizes) |
| `taxonomy` | names, sizes and times of the files of ``taxonomy_dir`` |
| `champion` | the model registry's aliases (read with :mod:`sqlite3` from a SQLite store) |
| `day` | today: "Present" in a resume means this day |

It is computed with the standard library, hashlib and the settings only: no pandas, Prefect,
MLflow or torch, whose imports alone cost more than the whole rerun. When it equals the stored
one and the last run's files are as that run left them (:func:`outputs_fingerprint`), the run
copies them into its own folder and writes a manifest of its own (:func:`replay`), saying what
it reused and why (``incremental.reused_outputs``, ``work``). Otherwise the flow runs.

A tracking store other than SQLite with ``ranking.use_champion`` has no cheap answer to "is
the champion the same?": such a run always takes the flow.
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matcher.io.manifest import build_manifest, describe_input, write_manifest
from matcher.io.state_store import LastRun, StateStore, fingerprint

if TYPE_CHECKING:
    import pandas as pd

    from matcher.settings import Settings

#: Everything a batch run writes into its output folder; the README's "Outputs" table.
OUTPUT_NAMES = (
    "shortlists.csv",
    "shortlists",
    "shortlists.xlsx",
    "rejects.csv",
    "duplicates.csv",
    "records.csv",
    "run_manifest.json",
    "decisions.parquet",
    "audit",
)
MANIFEST = "run_manifest.json"
#: The files a run must have left for another to copy them (``audit`` is optional).
REQUIRED_FILES = tuple(name for name in OUTPUT_NAMES if name != "audit")
#: The source files whose contents make the code part of the key.
_SOURCE_SUFFIXES = (".py", ".csv", ".json", ".txt")


@functools.cache
def source_fingerprint() -> str:
    """SHA-256 of matcher's source and data files and of the flows in ``pipelines``.

    A code change that keeps matcher's version still changes it, so a rerun after an upgrade
    is never taken for an unchanged one.
    """
    import matcher

    package = Path(matcher.__file__).parent
    folders = [package, package.parents[1] / "pipelines"]
    digest = hashlib.sha256()
    for folder in folders:
        if not folder.is_dir():
            continue
        for file in sorted(folder.rglob("*")):
            if file.suffix in _SOURCE_SUFFIXES and "__pycache__" not in file.parts:
                digest.update(f"{file.relative_to(folder)}\0".encode() + file.read_bytes())
    return digest.hexdigest()


def _files_fingerprint(folder: Path | None, exclude: tuple[str, ...] = ()) -> str | None:
    """Names, sizes and modification times of the files under ``folder`` (None if absent)."""
    if folder is None or not Path(folder).exists():
        return None
    folder = Path(folder)
    entries = []
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = str(file.relative_to(folder))
        if name in exclude:
            continue
        stat = file.stat()
        entries.append([name, stat.st_size, stat.st_mtime_ns])
    return fingerprint(entries)


def outputs_fingerprint(run_dir: Path) -> str:
    """The names, sizes and modification times of a run's files, but its manifest.

    A file edited, replaced or removed after the run changes it. The manifest is left out:
    a run rewrites it last, with its MLflow run ID.
    """
    return _files_fingerprint(run_dir, exclude=(MANIFEST,)) or ""


def load_fingerprint(
    hashes: dict[str, dict[str, str]], columns: dict[str, list[str]], rejects: pd.DataFrame
) -> str:
    """The records as loaded, in order (kind, ID, content hash), their columns in order (the
    shortlists show a posting's extra columns in that order), and the load rejects.

    Two loads with the same fingerprint give the same outputs (cleaning, duplicates, rejects
    and their sources, shortlists), however the files differ otherwise (quoting, line ends).
    """
    ordered = {kind: list(by_id.items()) for kind, by_id in hashes.items()}
    reject_rows = rejects.astype(str).values.tolist() if len(rejects) else []
    return fingerprint({"records": ordered, "columns": columns, "rejects": reject_rows})


def champion_aliases(tracking_uri: str) -> list[list[Any]] | None:
    """Every alias of the model registry in a SQLite tracking store, as ``[name, alias,
    version]`` rows; ``[]`` without a store or registry.

    Returns:
        None for a store that is not SQLite (it cannot be read cheaply).
    """
    from matcher.tracking.mlflow_runs import sqlite_path

    db = sqlite_path(tracking_uri)
    if db is None:
        return None
    if not db.is_file():
        return []
    try:
        with sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True) as connection:
            rows = connection.execute(
                "SELECT name, alias, version FROM registered_model_aliases ORDER BY name, alias"
            ).fetchall()
    except sqlite3.OperationalError:  # no registry table yet (or a locked file): no champion
        return []
    return [list(row) for row in rows]


def rerun_key(
    jobs: Path, resumes: Path, out_dir: Path, settings: Settings, today: date | None = None
) -> dict[str, Any] | None:
    """The rerun key of a run (see the module's table), or None if it cannot be told cheaply.

    Args:
        jobs: The postings file or folder.
        resumes: The resumes file or folder.
        out_dir: The output folder.
        settings: The run's settings.
        today: The day "Present" stands for (today if None).
    """
    from matcher.ranking.embedding import model_fingerprint, resolve_model_path

    champion = None
    if settings.ranking.use_champion:
        champion = champion_aliases(settings.mlflow_tracking_uri)
        if champion is None:
            return None
    try:
        model = model_fingerprint(resolve_model_path(settings.embedding.model_path))
    except FileNotFoundError:
        return None  # the flow's checks say what is wrong
    return {
        "inputs": {"jobs": describe_input(Path(jobs)), "resumes": describe_input(Path(resumes))},
        "out_dir": str(Path(out_dir).resolve()),
        "settings": settings.model_dump(mode="json"),
        "code": source_fingerprint(),
        "model": model,
        "taxonomy": _files_fingerprint(settings.taxonomy_dir),
        "champion": champion,
        "day": (today or date.today()).isoformat(),
    }


@dataclass(frozen=True)
class PreviousRun:
    """The last completed run, fit to be copied: its folder and manifest."""

    run_dir: Path
    manifest: dict[str, Any]


def unchanged_previous(store: StateStore, key: dict[str, Any] | None) -> PreviousRun | None:
    """The last run if a run of ``key`` is unchanged from it and its files are intact."""
    last = store.last_run()
    if key is None or last is None or last.rerun_key_sha256 != fingerprint(key):
        return None
    run_dir = last.run_dir
    if not all((run_dir / name).exists() for name in REQUIRED_FILES):
        return None
    if outputs_fingerprint(run_dir) != last.outputs_sha256:
        return None
    try:
        manifest = json.loads((run_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return PreviousRun(run_dir, manifest) if {"counts", "outputs"} <= manifest.keys() else None


def replay(
    previous: PreviousRun,
    staging: Path,
    out_dir: Path,
    record_counts: dict[str, int],
    timings: dict[str, float],
) -> tuple[dict[str, Any], dict[str, Path]]:
    """Copy the previous run's files into ``staging`` and make this run's manifest.

    Args:
        previous: The run whose files hold for this one (:func:`unchanged_previous`).
        staging: The folder being written (empty).
        out_dir: What ``staging`` becomes: the output paths in the manifest are under it.
        record_counts: The input records by kind (``posting``, ``resume``), all unchanged.
        timings: The run's timings so far.

    Returns:
        The manifest (not yet written) and the output paths by name, under ``out_dir``.
    """
    for entry in sorted(previous.run_dir.iterdir()):
        if entry.name == MANIFEST or entry.name not in OUTPUT_NAMES:
            continue
        if entry.is_dir():
            shutil.copytree(entry, staging / entry.name)
        else:
            shutil.copy2(entry, staging / entry.name)
    old = previous.manifest
    # Every output sits directly in the run folder.
    outputs = {name: str(Path(out_dir) / Path(path).name) for name, path in old["outputs"].items()}
    incremental: dict[str, Any] = {"used": True}
    for kind, plural in (("posting", "postings"), ("resume", "resumes")):
        incremental[plural] = {
            "new": 0,
            "changed": 0,
            "unchanged": record_counts.get(kind, 0),
            "withdrawn": 0,
        }
    incremental.update(
        rescored=False,
        reason="nothing changed: the stored shortlists are reused",
        reused_outputs={
            "from": str(previous.run_dir),
            "files": sorted(e.name for e in staging.iterdir()),
            "why": "the rerun key (input files, settings, code, model, champion and day) is"
            " that of that run, and its files are as it left them",
            "decided_before_loading": True,
        },
    )
    manifest = build_manifest(
        **{
            key: old[key]
            for key in ("inputs", "model", "ranker", "parameters", "counts")
            if key in old
        },
        index={
            "dir": old.get("index", {}).get("dir"),
            "reused": True,
            "skipped": "nothing changed",
        },
        incremental=incremental,
        stage1={"skipped": "nothing changed"},
        embedding={},
        timings=timings,
        outputs=outputs,
        warnings=[],
    )
    manifest["work"] = {"records_loaded": 0, "records_cleaned": 0, "records_profiled": 0}
    manifest["reused_mlflow_run_id"] = old.get("mlflow_run_id") or old.get("reused_mlflow_run_id")
    paths = {name: Path(path) for name, path in outputs.items()}
    return manifest, paths


def remember_run(
    store: StateStore,
    key: dict[str, Any] | None,
    written: Path,
    run_dir: Path,
    load_sha256: str,
) -> None:
    """Record a run in the state store, for the next run to compare with.

    Args:
        store: The state store.
        key: The run's rerun key (None: no later run is taken for unchanged from it).
        written: The folder holding the run's files now (its staging folder).
        run_dir: The folder they will be in once the run completes: renaming a folder keeps
            its files' sizes and times, so their fingerprint holds there.
        load_sha256: The run's :func:`load_fingerprint`.
    """
    store.save_last_run(
        LastRun(
            rerun_key_sha256=fingerprint(key) if key is not None else "",
            run_dir=Path(run_dir).resolve(),
            outputs_sha256=outputs_fingerprint(written),
            load_sha256=load_sha256,
        )
    )


def write_unchanged_run(
    previous: PreviousRun,
    staging: Path,
    run_dir: Path,
    store: StateStore,
    key: dict[str, Any],
    timings: dict[str, float],
    log_run: Callable[[dict[str, Any], Path], str | None],
) -> tuple[dict[str, Any], dict[str, Path]]:
    """An unchanged rerun's whole output: the files of :func:`replay`, the manifest (with the
    MLflow run ID ``log_run`` returns, if any) and the state store's record of the run.

    Args:
        previous: The run to copy (:func:`unchanged_previous`).
        staging: The folder being written; it becomes ``run_dir``.
        run_dir: The run's folder.
        store: The state store (its lock held).
        key: The run's rerun key.
        timings: The run's timings so far.
        log_run: Logs the run given its manifest and the manifest's path; returns the
            MLflow run ID, or None if it is logged later.

    Returns:
        The manifest as written, and the output paths by name (under ``run_dir``).
    """
    manifest, outputs = replay(previous, staging, run_dir, store.record_counts(), timings)
    manifest_path = write_manifest(manifest, staging / MANIFEST)
    manifest["mlflow_run_id"] = log_run(manifest, manifest_path)
    if manifest["mlflow_run_id"] is None:
        manifest["mlflow_logged"] = "in the background (matcher.tracking.deferred)"
    write_manifest(manifest, manifest_path)
    last = store.last_run()
    remember_run(store, key, staging, run_dir, last.load_sha256 if last is not None else "")
    return manifest, outputs
