from __future__ import annotations

from pathlib import Path

import pytest

from matcher.settings import Settings, load_settings


@pytest.fixture()
def flow_settings(tmp_path: Path, embedding_cache_dir: Path) -> Settings:
    """Settings that keep every artefact of a flow run inside the test's tmp folder."""
    return load_settings(
        embedding={"cache_dir": embedding_cache_dir},
        index_dir=tmp_path / "index",
        state_dir=tmp_path / "state",
        mlflow_tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}",
        ranking={"top_k": 5},
    )
