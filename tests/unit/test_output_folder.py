"""An output folder holds one run's files: all of them, or after a failure the last run's."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from matcher.io.output_folder import OutputFolderError, recover, staged_folder

NAMES = ("shortlists.csv", "shortlists", "run_manifest.json")


def _write_run(folder: Path, jobs: list[str]) -> None:
    (folder / "shortlists").mkdir()
    for job in jobs:
        (folder / "shortlists" / f"{job}.csv").write_text(job)
    (folder / "shortlists.csv").write_text(",".join(jobs))


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_a_rerun_replaces_the_folder_whole_so_no_stale_file_stays(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with staged_folder(out, NAMES) as staging:
        assert staging != out and not out.exists()
        _write_run(staging, ["J1", "J2", "J3"])
    with staged_folder(out, NAMES) as staging:
        assert _tree(out)["shortlists.csv"] == "J1,J2,J3"  # the old run is there until the end
        _write_run(staging, ["J1"])
    assert _tree(out) == {"shortlists.csv": "J1", "shortlists/J1.csv": "J1"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("stop", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_a_failed_or_stopped_run_leaves_the_previous_output_as_it_was(
    tmp_path: Path, stop: BaseException
) -> None:
    out = tmp_path / "out"
    with staged_folder(out, NAMES) as staging:
        _write_run(staging, ["J1", "J2"])
    before = _tree(out)
    with pytest.raises(type(stop)), staged_folder(out, NAMES) as staging:
        _write_run(staging, ["J9"])
        raise stop
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_folder_with_other_files_is_refused_and_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    (out / "shortlists.csv").write_text("old")
    (out / "budget.xlsx").write_text("not ours")
    refused = r"reports holds files .*\(budget\.xlsx\)"
    with pytest.raises(OutputFolderError, match=refused), staged_folder(out, NAMES):
        pytest.fail("the run must not start")
    assert _tree(out) == {"budget.xlsx": "not ours", "shortlists.csv": "old"}
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputFolderError, match="is not a folder"):  # noqa: SIM117
        with staged_folder(tmp_path / "file", NAMES):
            pass


def test_the_current_folder_is_never_an_output_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    for out in (Path("."), Path(".."), tmp_path):
        with pytest.raises(OutputFolderError, match="is the current folder or holds it"):  # noqa: SIM117
            with staged_folder(out, NAMES):
                pass
    with staged_folder(Path("out"), NAMES) as staging:  # relative to it is fine
        _write_run(staging, ["J1"])
    assert _tree(tmp_path / "here" / "out") == {"shortlists.csv": "J1", "shortlists/J1.csv": "J1"}


def test_what_a_killed_run_left_is_cleared_or_put_back(tmp_path: Path) -> None:
    out = tmp_path / "out"
    # Killed while writing: a staging folder is left beside an intact output folder.
    out.mkdir()
    (out / "shortlists.csv").write_text("last good run")
    (tmp_path / ".out.staging-123-abcd").mkdir()
    (tmp_path / ".out.staging-123-abcd" / "shortlists.csv").write_text("half")
    assert [p.name for p in recover(out)] == [".out.staging-123-abcd"]
    # Killed between the two renames of the swap: the previous output is put back.
    out.rename(tmp_path / ".out.previous-123-abcd")
    recover(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert _tree(out) == {"shortlists.csv": "last good run"}


def test_the_folder_gets_the_permissions_the_umask_gives(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with staged_folder(tmp_path / "out", NAMES) as staging:
            _write_run(staging, ["J1"])
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o755
