"""The manifest's description of the inputs: a hash of what was read, whatever was readable."""

from __future__ import annotations

import builtins
from pathlib import Path

import pytest

from matcher.io.manifest import describe_input


def test_a_folder_with_a_file_that_cannot_be_read_is_still_described(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loader rejects an unreadable resume and the run goes on; hashing the folder for the
    manifest then raised PermissionError and stopped the run with a traceback. Root reads
    every file, so the refusal a user's process gets is made by refusing that one path."""
    (tmp_path / "a.txt").write_text("Nurse, ICU.")
    (tmp_path / "secret.txt").write_text("Welder.")
    readable = describe_input(tmp_path)["sha256"]
    real_open = builtins.open

    def refusing(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(file).name == "secret.txt":
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing)
    described = describe_input(tmp_path)
    assert described["kind"] == "folder" and described["sha256"] != readable
    assert describe_input(tmp_path)["sha256"] == described["sha256"]  # the same each time


def test_the_commit_says_when_the_code_differs_from_it(tmp_path: Path) -> None:
    import subprocess

    from matcher.io.manifest import git_commit

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    assert git_commit(tmp_path) is None  # no repository
    git("init", "-q")
    (tmp_path / "code.py").write_text("x = 1\n")
    git("add", "code.py")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "c")
    clean = git_commit(tmp_path)
    assert clean is not None and len(clean) == 40
    (tmp_path / "notes.txt").write_text("untracked files are not the code\n")
    assert git_commit(tmp_path) == clean
    (tmp_path / "code.py").write_text("x = 2\n")  # an edit not committed
    assert git_commit(tmp_path) == f"{clean}-dirty"
