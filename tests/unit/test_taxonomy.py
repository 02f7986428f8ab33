"""Unit tests of the ESCO and O*NET loaders, on small files written here and on the real ones."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from matcher.parsing import taxonomy
from matcher.parsing.skills import SkillMatcher, Vocabulary
from matcher.parsing.taxonomy import (
    ATTRIBUTION,
    ESCO_ATTRIBUTION,
    ONET_ATTRIBUTION,
    build_vocabulary,
    load_esco_skills,
    load_onet_technology_skills,
)

TAXONOMY_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "taxonomy"
ESCO_DIR = TAXONOMY_DIR / "esco_v1.1.1"
ONET_DIR = TAXONOMY_DIR / "onet_30.2"
needs_shared = pytest.mark.skipif(
    not (ESCO_DIR / "skills_en.csv").is_file()
    or not (ONET_DIR / "Technology Skills.txt").is_file(),
    reason=f"shared taxonomy files not found under {TAXONOMY_DIR.resolve()}",
)

ESCO_HEADER = [
    "conceptType",
    "conceptUri",
    "skillType",
    "reuseLevel",
    "preferredLabel",
    "altLabels",
    "description",
]
ONET_HEADER = [
    "O*NET-SOC Code",
    "Example",
    "Commodity Code",
    "Commodity Title",
    "Hot Technology",
    "In Demand",
]


def _write_esco(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(ESCO_HEADER)
        writer.writerows(["KnowledgeSkillCompetence", *row, ""] for row in rows)
    return path


def _write_onet(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter="\t")
        writer.writerow(ONET_HEADER)
        writer.writerows(["15-1252.00", *row, "N"] for row in rows)
    return path


@pytest.fixture
def esco_file(tmp_path: Path) -> Path:
    uri = "http://data.europa.eu/esco/skill/"
    return _write_esco(
        tmp_path / "skills_en.csv",
        [
            [uri + "1", "knowledge", "sector-specific", "Scratch (computer programming)", ""],
            [
                uri + "2",
                "skill/competence",
                "cross-sector",
                "manage kitchen staff",
                "supervise kitchen staff\nlead kitchen team\nbrigade\nkitchen",
            ],
            [
                uri + "3",
                "skill/competence",
                "sector-specific",
                "perform hull maintenance",
                "maintain hulls\nlead kitchen team",
            ],
            [uri + "4", "skill/competence", "transversal", "show initiative", "take initiative"],
            [uri + "5", "", "sector-specific", "digital data processing", ""],
            [
                uri + "6",
                "knowledge",
                "sector-specific",
                "rules for the safe handling of dangerous goods on inland waterways",
                "",
            ],
        ],
    )


@pytest.fixture
def onet_file(tmp_path: Path) -> Path:
    return _write_onet(
        tmp_path / "Technology Skills.txt",
        [
            ["Widgetron Pro", "43232100", "Spreadsheet software", "Y"],
            ["Widgetron Pro", "43232100", "Spreadsheet software", "N"],
            ["Medical billing software", "43231500", "Medical software", "N"],
            ["Excavator", "43232200", "Analytical or scientific software", "N"],
            ["Acme SoilMapper", "43232200", "Analytical or scientific software", "N"],
        ],
    )


# --- small files: exact behaviour ---------------------------------------------------------


def test_esco_loader_cleans_and_filters_labels(esco_file: Path) -> None:
    vocabulary = load_esco_skills(esco_file)
    frame = vocabulary.frame.set_index("skill")
    assert sorted(frame.index) == ["Scratch", "manage kitchen staff", "perform hull maintenance"]
    assert set(frame["source"]) == {"esco"}
    assert frame.loc["Scratch", "category"] == "esco:knowledge"
    # One plain word as a name: ambiguous; as an unrelated alias ("brigade"): left out.
    assert bool(frame.loc["Scratch", "ambiguous"])
    assert not bool(frame.loc["manage kitchen staff", "ambiguous"])
    # "lead kitchen team" is an alias of two skills, so of neither; "kitchen" is a word of
    # the name and stays.
    assert frame.loc["manage kitchen staff", "aliases"] == ["supervise kitchen staff", "kitchen"]
    assert frame.loc["perform hull maintenance", "aliases"] == ["maintain hulls"]


def test_esco_loader_options_widen_the_selection(esco_file: Path) -> None:
    wide = load_esco_skills(esco_file, include_transversal=True, max_tokens=12)
    assert {
        "show initiative",
        "rules for the safe handling of dangerous goods on inland waterways",
    } <= set(wide.frame["skill"])


def test_esco_folder_is_accepted(esco_file: Path) -> None:
    assert len(load_esco_skills(esco_file.parent)) == 3


def test_esco_skill_needs_context_when_it_is_a_plain_word(esco_file: Path) -> None:
    matcher = SkillMatcher(load_esco_skills(esco_file))
    assert matcher.skills("Scratch the surface, manage kitchen staff") == {"manage kitchen staff"}
    assert matcher.skills("Taught kids programming in Scratch") == {"Scratch"}


def test_onet_loader_keeps_products_and_drops_descriptions(onet_file: Path) -> None:
    vocabulary = load_onet_technology_skills(onet_file)
    frame = vocabulary.frame.set_index("skill")
    assert sorted(frame.index) == ["Acme SoilMapper", "Excavator", "Widgetron Pro"]
    assert frame.loc["Widgetron Pro", "category"] == "onet:Spreadsheet software"
    assert bool(frame.loc["Excavator", "ambiguous"])
    assert set(frame["source"]) == {"onet"}
    hot = load_onet_technology_skills(onet_file, hot_only=True)
    assert hot.frame["skill"].tolist() == ["Widgetron Pro"]


def test_loaders_report_missing_files_and_columns(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"skills_en\.csv"):
        load_esco_skills(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"nope\.txt"):
        load_onet_technology_skills(tmp_path / "nope.txt")
    bad = tmp_path / "bad.csv"
    bad.write_text("preferredLabel,altLabels\nfoo,bar\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"missing column\(s\) \['conceptUri', 'skillType'"):
        load_esco_skills(bad)
    with pytest.raises(ValueError, match="missing column"):
        load_onet_technology_skills(bad)


def test_esco_row_without_label_is_an_error(tmp_path: Path) -> None:
    path = _write_esco(
        tmp_path / "skills_en.csv",
        [["http://x/skill/9", "knowledge", "sector-specific", "  ", ""]],
    )
    with pytest.raises(ValueError, match="http://x/skill/9"):
        load_esco_skills(path)


def test_build_vocabulary_merges_what_it_finds(esco_file: Path, onet_file: Path) -> None:
    assert len(build_vocabulary(None)) == len(Vocabulary.builtin())
    merged = build_vocabulary(esco_file.parent)
    # O*NET's "Excavator" is already a built-in alias (of Excavator Operation): left out.
    assert len(merged) == len(Vocabulary.builtin()) + 3 + 2
    assert "Excavator" not in set(merged.frame["skill"])
    assert {"esco", "onet", "builtin"} == set(merged.frame["source"])
    with pytest.raises(FileNotFoundError):
        build_vocabulary(esco_file.parent / "missing")


def test_attribution_is_carried_by_constant_and_docstrings() -> None:
    assert "This service uses the ESCO classification of the European Commission." in ATTRIBUTION
    assert "USDOL/ETA" in ATTRIBUTION and "CC BY 4.0" in ATTRIBUTION
    assert ESCO_ATTRIBUTION in (load_esco_skills.__doc__ or "")
    assert "Employment and Training Administration (USDOL/ETA)" in (
        load_onet_technology_skills.__doc__ or ""
    )
    assert "CC BY 4.0" in ONET_ATTRIBUTION
    assert "ESCO" in (taxonomy.__doc__ or "") and "O*NET" in (taxonomy.__doc__ or "")


# --- the real files -----------------------------------------------------------------------


@needs_shared
def test_real_esco_loads_and_merges() -> None:
    esco = load_esco_skills(ESCO_DIR / "skills_en.csv")
    merged = Vocabulary.builtin().merge(esco)
    matcher = SkillMatcher(merged)
    assert 10_000 < len(esco) < 13_896
    assert len(merged) > len(Vocabulary.builtin()) + 10_000
    frame = esco.frame.set_index("skill")
    assert bool(frame.loc["Python", "ambiguous"])  # from "Python (computer programming)"
    assert "show initiative" not in frame.index  # transversal
    # Built-in skills win: Python keeps its built-in row; ESCO adds its own phrases.
    found = {m.skill: m for m in matcher.find("Python and supervise correctional procedures")}
    assert found["Python"].category == "programming_language"
    assert found["supervise correctional procedures"].category == "esco:skill/competence"


@needs_shared
def test_real_onet_loads_products() -> None:
    onet = load_onet_technology_skills(ONET_DIR)
    frame = onet.frame.set_index("skill")
    assert len(onet) > 5_000
    assert frame.loc["Microsoft Excel", "category"] == "onet:Spreadsheet software"
    assert "Medical billing software" not in frame.index
    hot = load_onet_technology_skills(ONET_DIR, hot_only=True)
    assert 50 < len(hot) < len(onet)
    merged = Vocabulary.builtin().merge(onet)
    assert "Microsoft Excel" not in set(merged.frame["skill"])  # an alias of built-in Excel
    assert "Oracle Reports" in SkillMatcher(merged).skills("Built Oracle Reports for finance")
