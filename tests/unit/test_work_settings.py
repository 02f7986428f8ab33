"""The table of settings of work (warehouse, administrative, ICU) and how roles show them."""

from __future__ import annotations

from importlib.resources import files

import pandas as pd
import pytest

from matcher.parsing.work_settings import rooted, shows_setting, subject_settings


def _setting(subject: str):  # type: ignore[no-untyped-def]
    (setting,) = subject_settings(subject)
    return setting


def test_the_table_is_well_formed() -> None:
    with files("matcher").joinpath("data", "work_settings.csv").open(encoding="utf-8") as handle:
        table = pd.read_csv(handle, dtype=str, keep_default_na=False)
    assert list(table.columns) == ["setting", "kind", "term"]
    assert set(table["kind"]) <= {"name", "qualifier", "title", "duty"}
    assert not table.duplicated().any()
    assert (table != "").all().all()
    named = set(table.loc[table["kind"].isin(["name", "qualifier"]), "setting"])
    assert named == set(table["setting"])  # every setting can be named by a subject


@pytest.mark.parametrize(
    ("subject", "settings"),
    [
        ("warehouse", ["warehouse"]),
        ("distribution center", ["warehouse"]),
        ("recent ICU", ["ICU"]),
        ("administrative", ["administrative"]),
        ("call centre", ["call centre"]),
        ("commercial electrical", ["electrical", "commercial"]),
        ("commercial", []),  # a qualifier alone names no setting
        ("warehouse supervision", []),  # "supervision" is not a setting: other rules read it
        ("Python", []),
        ("nursing", []),
        ("classroom teaching", ["classroom"]),
        ("K-12 classroom", ["classroom"]),
        ("teaching", []),  # a role that names it, or the skill Teaching, counts: other rules
    ],
)
def test_a_subject_names_settings_only_when_all_its_words_do(
    subject: str, settings: list[str]
) -> None:
    assert [s.name for s in subject_settings(subject)] == settings


@pytest.mark.parametrize(
    ("subject", "title", "duties", "shown"),
    [
        ("warehouse", "Shipping Clerk", "Picking and packing orders; loading trailers", True),
        ("warehouse", "Forklift Operator, Comstock Distribution", "", True),  # a title term alone
        ("warehouse", "Operations Supervisor, Acme", "Ran the warehouse night shift", True),
        ("warehouse", "Registered Nurse", "Medication inventory", False),  # one duty only
        ("warehouse", "Staff Accountant, Freightline Logistics", "Month-end close", False),
        (
            "warehouse",
            "Operations Supervisor",
            "pack stations, pack-out audits",  # one word twice
            False,
        ),
        ("classroom teaching", "Mathematics Teacher, Lincoln High School", "", True),
        (
            "classroom teaching",
            "Tutor, Learning Center",
            "Wrote lesson plans; classroom management",
            True,
        ),
        (
            "classroom teaching",
            "Software Engineer",
            "Mentored bootcamp students; wrote their curriculum",
            False,
        ),
        ("classroom teaching", "Registered Nurse", "Patient and family teaching", False),
        ("classroom teaching", "Group Fitness Instructor", "Led spin and yoga classes", False),
    ],
)
def test_a_role_shows_a_setting_by_its_name_a_title_or_two_duties(
    subject: str, title: str, duties: str, shown: bool
) -> None:
    window = rooted(f"{title}\n{duties}")
    assert shows_setting(rooted(title), window, _setting(subject)) is shown


def test_title_terms_in_the_duties_count_for_nothing() -> None:
    laborer = "Construction Laborer"
    duties = rooted(f"{laborer}\nFraming and material handling\nSkills: forklift, OSHA 10")
    assert not shows_setting(rooted(laborer), duties, _setting("warehouse"))
    receptionist = rooted("Dentist\nTrained the new receptionists; scheduling")
    assert not shows_setting(rooted("Dentist"), receptionist, _setting("administrative"))
