from __future__ import annotations

from pathlib import Path

import pytest

from matcher.io.atomic import atomic_open, atomic_write_text
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
