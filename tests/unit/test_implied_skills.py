"""The table of skills whose use counts as experience in another skill."""

from __future__ import annotations

from importlib.resources import files

import pandas as pd

from matcher.parsing.implied_skills import skills_counting_as
from matcher.parsing.skills import Vocabulary


def test_every_skill_of_the_table_is_a_canonical_builtin_skill() -> None:
    with files("matcher").joinpath("data", "skill_implies.csv").open(encoding="utf-8") as handle:
        table = pd.read_csv(handle, dtype=str, keep_default_na=False)
    known = set(Vocabulary.builtin().frame["skill"])
    assert list(table.columns) == ["skill", "implies"]
    unknown = sorted((set(table["skill"]) | set(table["implies"])) - known)
    assert unknown == []
    assert not table.duplicated().any()
    assert not (table["skill"] == table["implies"]).any()


def test_the_relation_is_followed_transitively_and_only_one_way() -> None:
    assert "Jenkins" in skills_counting_as("DevOps")  # Jenkins -> CI/CD -> DevOps
    assert "DevOps" not in skills_counting_as("Jenkins")
    assert skills_counting_as("Nursing") == frozenset({"Nursing"})
