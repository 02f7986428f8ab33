from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from matcher.io.atomic import atomic_open, atomic_write_text, remove_orphaned_temporaries
from matcher.settings import load_settings


def test_failed_write_leaves_the_old_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    atomic_write_text(target, "old\n")
    with pytest.raises(RuntimeError), atomic_open(target) as handle:
        handle.write("half a ro")
        raise RuntimeError("disk on fire")
    assert target.read_text() == "old\n"
    assert list(tmp_path.iterdir()) == [target]


def test_settings_layers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "matcher.toml"
    config.write_text('[ranking]\ntop_k = 7\nranker = "bm25"\n[embedding]\nbatch_size = 8\n')
    settings = load_settings(config)
    assert (settings.ranking.top_k, settings.ranking.ranker) == (7, "bm25")
    assert settings.embedding.batch_size == 8
    monkeypatch.setenv("MATCHER_RANKING__TOP_K", "9")
    assert load_settings(config).ranking.top_k == 9
    assert load_settings(config, ranking={"top_k": 3}).ranking.top_k == 3
    assert load_settings().ranking.ranker == "requirements"


def test_bad_settings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="config file not found"):
        load_settings(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[ranking]\ntop_k = 0\n")
    with pytest.raises(ValueError, match="top_k"):
        load_settings(bad)
    typo = tmp_path / "typo.toml"
    typo.write_text("colour = 'red'\n")
    with pytest.raises(ValueError, match="colour"):
        load_settings(typo)


@pytest.mark.parametrize(
    "toml",
    ["[ranking]\ntopk = 5\n", "[embedding]\nmodel = 'x'\n", "[cleaning]\nthreshold = 0.5\n"],
)
def test_an_unknown_key_in_a_section_is_refused(tmp_path: Path, toml: str) -> None:
    typo = tmp_path / "typo.toml"
    typo.write_text(toml)
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        load_settings(typo)


def test_an_unknown_nested_environment_variable_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MATCHER_RANKING__TOPK", "5")
    with pytest.raises(ValueError, match="topk"):
        load_settings()


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_written_files_get_the_permissions_the_umask_gives(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        path = atomic_write_text(tmp_path / "shortlists.csv", "a,b\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_a_name_near_the_file_system_limit_can_be_written(tmp_path: Path) -> None:
    target = tmp_path / ("j" * 250 + ".csv")  # the temporary name would be 268 bytes uncut
    atomic_write_text(target, "x\n")
    assert target.read_text() == "x\n" and list(tmp_path.iterdir()) == [target]


def test_orphaned_temporary_files_are_removed_and_nothing_else(tmp_path: Path) -> None:
    kept = [tmp_path / "index.faiss", tmp_path / ".hidden", tmp_path / "notes.tmp"]
    for path in kept:
        path.write_text("keep")
    # A process killed (kill -9) in the middle of a write leaves its temporary file behind.
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys; from pathlib import Path; from matcher.io.atomic import atomic_open\n"
            "with atomic_open(Path(sys.argv[1])) as handle:\n"
            "    handle.write('half'); handle.flush(); os.kill(os.getpid(), 9)",
            str(tmp_path / "ids.json"),
        ],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert killed.returncode == -9
    (orphan,) = set(tmp_path.iterdir()) - set(kept)
    assert orphan.name.startswith(".ids.json.") and orphan.name.endswith(".tmp")
    assert remove_orphaned_temporaries(tmp_path) == [orphan]
    assert sorted(tmp_path.iterdir()) == sorted(kept)
    assert remove_orphaned_temporaries(tmp_path / "missing") == []
