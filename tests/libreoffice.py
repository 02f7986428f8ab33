"""A real spreadsheet program for tests: LibreOffice, headless. CI installs it (`.ci/run`);
a test that needs it is skipped where it is not installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def soffice() -> str:
    """The path of LibreOffice's ``soffice``; skips the calling test if there is none."""
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        pytest.skip("LibreOffice (soffice) is not installed; CI installs it (.ci/run)")
    return path


def convert(source: Path, target: str, out_dir: Path, infilter: str | None = None) -> None:
    """Open ``source`` in LibreOffice and save it to ``out_dir`` as ``target`` (a format and
    its filter options, e.g. ``"xlsx"``), reading it with ``infilter`` if given. Each call
    has its own LibreOffice profile in ``out_dir``, so calls never wait for each other."""
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={(out_dir / 'profile').as_uri()}",
            "--headless",
            *([f"--infilter={infilter}"] if infilter else []),
            "--convert-to",
            target,
            "--outdir",
            str(out_dir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
