"""The built wheel, installed outside the repository, scores with the learned model it ships."""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import venv
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _site_packages(python: Path) -> Path:
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    return Path(_run([str(python), "-c", code], cwd=python.parent).strip())


def test_an_installed_wheel_scores_with_the_packaged_learned_model(
    tmp_path: Path, embedding_cache_dir: Path
) -> None:
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), "."], REPO)
    [wheel] = wheels.glob("matcher-*.whl")

    # A fresh environment outside the repository; the dependencies come from this one's
    # site-packages through a .pth entry, which does not run the .pth files inside it, so the
    # editable install of matcher there is not seen.
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    installed = _site_packages(python)
    (installed / "dependencies.pth").write_text(
        "\n".join(p for p in site.getsitepackages() if Path(p).is_dir()) + "\n"
    )
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
          str(wheel)], tmp_path)  # fmt: skip

    work = tmp_path / "work"
    work.mkdir()
    pd.DataFrame(
        {
            "job_id": ["j1", "j2"],
            "title": ["Registered Nurse", "Python Developer"],
            "description": [
                "Requirements: 2 years of ICU nursing experience. BLS certification required.",
                "Requirements: 3+ years of Python. Experience with SQL and Docker.",
            ],
        }
    ).to_csv(work / "jobs.csv", index=False)
    pd.DataFrame(
        {
            "resume_id": ["r1", "r2", "r3"],
            "text": [
                "ICU registered nurse, 2015 - 2021. BLS and ACLS certified.",
                "Python developer 2016 - 2023: Django, SQL, Docker.",
                "Line cook 2018 - 2022. Food safety, knife skills.",
            ],
        }
    ).to_csv(work / "resumes.csv", index=False)
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "MATCHER_MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'mlflow.db'}",
        "MATCHER_INDEX_DIR": str(tmp_path / "index"),
        "MATCHER_EMBEDDING__CACHE_DIR": str(embedding_cache_dir),
        "PYTHONPATH": "",
    }
    out = work / "out"
    _run([str(env_dir / "bin" / "matcher"), "score", "--jobs", "jobs.csv", "--resumes",
          "resumes.csv", "--out", str(out)], work, env)  # fmt: skip

    ranker = json.loads((out / "run_manifest.json").read_text())["ranker"]
    source = Path(ranker["weights_source"])
    assert source == installed / "matcher" / "data" / "requirements_ranker.json"
    assert source.is_file()
    shortlists = pd.read_csv(out / "shortlists.csv", dtype=str)
    assert set(shortlists["job_id"]) == {"j1", "j2"}
