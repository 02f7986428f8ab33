"""New MLflow SQLite stores start as a copy of an empty store that MLflow already migrated.

MLflow makes a new SQLite store by running every schema migration since its first (alembic):
8-14 s of a cold ``matcher score`` of the sample on this 2-core machine, paid by every new
store (each project, and each test and benchmark folder), all of it outside the encoder. An
empty store that one MLflow version migrated does not depend on where it lies, so the first
new store on a machine makes one as MLflow does (:func:`mlflow.store.db.utils._initialize_tables`,
what MLflow's own store runs on an empty database) and keeps it in :func:`template_folder`; later
new stores are a copy of it (a file of about 1 MB). MLflow then opens the copy as any existing
store: it checks that the schema is its own head revision and adds its default experiment, as it
does in a store it has just migrated. A template is named by the versions of MLflow, SQLAlchemy
and alembic that made it, so an upgrade makes a new one.

The template is an optimisation only: if it cannot be made or copied (a read-only cache folder,
a changed private MLflow function), the store is made by MLflow's migrations as before, with a
warning. A template file that is there is trusted: it is only ever moved into place whole, once
MLflow's migrations finished in it and its alembic revision is set.

Call :func:`start_from_template` under the store's lock, before MLflow first opens a new store
(:func:`matcher.tracking.mlflow_runs.configure_mlflow` does).
"""

from __future__ import annotations

import logging
import os
import secrets
import sqlite3
from importlib.metadata import version
from pathlib import Path

from matcher.io.atomic import atomic_write_bytes
from matcher.io.locking import hold_locks

#: Environment variable naming the folder of templates (default: the user's cache folder).
TEMPLATE_DIR_VARIABLE = "MATCHER_MLFLOW_TEMPLATE_DIR"
#: Seconds a process waits for another one that is making the same template.
TEMPLATE_LOCK_TIMEOUT = 600.0

_logger = logging.getLogger(__name__)


def template_folder() -> Path:
    """Where templates are kept: ``$MATCHER_MLFLOW_TEMPLATE_DIR``, else
    ``$XDG_CACHE_HOME/matcher/mlflow-templates`` (``~/.cache`` when unset)."""
    named = os.environ.get(TEMPLATE_DIR_VARIABLE)
    if named:
        return Path(named)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "matcher" / "mlflow-templates"


def template_path(folder: Path) -> Path:
    """The template of the installed MLflow, SQLAlchemy and alembic in ``folder``."""
    versions = "-".join(f"{name}{version(name)}" for name in ("mlflow", "sqlalchemy", "alembic"))
    return Path(folder) / f"empty-store-{versions}.db"


def start_from_template(db: Path, folder: Path | None = None) -> bool:
    """Make the new store ``db`` a copy of the template in ``folder`` (made first if missing).

    Call under the lock of ``db``, while ``db`` does not exist. Nothing is raised: a template
    that cannot be made or copied leaves ``db`` absent, for MLflow to create as before.

    Args:
        db: The SQLite file of the new store.
        folder: Where templates are kept (default :func:`template_folder`).

    Returns:
        Whether ``db`` is now a copy of the template.
    """
    try:
        template = _template(template_path(folder or template_folder()))
        atomic_write_bytes(Path(db), template.read_bytes())
    except Exception as error:  # an optimisation: MLflow's migrations make the store instead
        _logger.warning(
            "MLflow store %s: no empty template to start from (%s: %s); MLflow's migrations"
            " create it",
            db,
            type(error).__name__,
            error,
        )
        return False
    return True


def _template(path: Path) -> Path:
    """The template at ``path``, made by MLflow's migrations if it is not there yet."""
    if path.is_file():
        return path
    with hold_locks([path], TEMPLATE_LOCK_TIMEOUT):
        if path.is_file():  # another process made it while this one waited
            return path
        import sqlalchemy
        from mlflow.store.db.utils import _initialize_tables

        building = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        engine = sqlalchemy.create_engine(f"sqlite:///{building}")
        try:
            _initialize_tables(engine)  # type: ignore[no-untyped-call]
            engine.dispose()
            _check_migrated(building)
            os.replace(building, path)
        finally:
            engine.dispose()
            building.unlink(missing_ok=True)
            Path(f"{building}-journal").unlink(missing_ok=True)
    return path


def _check_migrated(db: Path) -> None:
    """Raise unless ``db`` is a complete store: its alembic revision set, its runs table there."""
    with sqlite3.connect(db) as connection:
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
        revisions = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    connection.close()
    if "runs" not in tables or len(revisions) != 1:
        raise RuntimeError(f"MLflow's migrations left {db} incomplete")
