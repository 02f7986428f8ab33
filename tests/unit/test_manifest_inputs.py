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
