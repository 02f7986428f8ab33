"""Years in a setting that no skill names, as a recruiter reads them: a role is warehouse,
administrative, commercial electrical, ICU or classroom work when its title, employer or
duties show it (:mod:`matcher.parsing.work_settings`), and never because of one stray word (a
nurse's medication inventory is no warehouse work; an office administrator is no electrician).

CheckList-style, with the real model and the shipped ranker: each test asserts what
``missing_required`` says or an ordering, never a score.
"""

from __future__ import annotations

import pytest

from matcher.ranking.requirement_ranker import RequirementRanker
from tests.model.behaviour import missing_required, ranked

WAREHOUSE_POSTING = """Warehouse Shift Supervisor
Requirements
- 3+ years of warehouse experience
- Experience leading a team of associates on a shift
- Working knowledge of OSHA rules and Microsoft Excel
"""
ADMIN_POSTING = """Legal Assistant
Requirements
- At least 1 year of administrative experience
- Strong written communication
"""
ELECTRICAL_POSTING = """Journeyman Electrician - Commercial
Requirements
- 4 years of commercial or industrial electrical experience
- Valid journeyman electrician license
"""
ICU_POSTING = """Registered Nurse - ICU
Requirements
- Active RN license
- At least 2 years of recent ICU experience
"""
TEACHER_POSTING = """Mathematics Teacher (Grades 9-12)
Requirements
- 3+ years of classroom teaching experience
- State teaching certification in Mathematics
"""
RESUMES = {
    # a teacher whose lines never say "classroom teaching" (0 years before 2026-12-06)
    "maths-teacher": """Experience
High School Math Teacher | Westview High School | Aug 2015 - Jun 2024
- Planned lessons and led instruction in Algebra I, Geometry and Pre-Calculus, grades 9-12
Certifications
State Teaching Certificate, Mathematics 7-12""",
    "bootcamp-engineer": """Experience
Software Engineer, Northwind Labs (Jan 2016 - Dec 2024)
- Built the payments API; mentored bootcamp students and wrote their curriculum
Education
B.S. in Computer Science""",
    # the duties show intensive care, though no line says "ICU"
    "icu-by-duties": """Experience
Registered Nurse, Bayside General Hospital (Jan 2015 - Dec 2024)
- Care for 2 critically ill patients a shift on ventilators; titrated drips, CRRT
Licenses
Registered Nurse (RN)""",
    "med-surg": """Experience
Registered Nurse, Lakeside Community Hospital (Jan 2015 - Dec 2024)
- Medical-surgical floor of 30 beds; wound care and discharge teaching
- Referred patients for ventilator weaning to the respiratory team
Licenses
Registered Nurse (RN)""",
    # no role names the warehouse: the employer and the duties show it
    "fulfillment-supervisor": """Experience
Operations Supervisor, Sierra Home Fulfillment (Jan 2018 - Dec 2024)
- Lead 30 associates in picking, packing and shipping on the second shift
- Forklift certified; trained new hires on RF scanners
Education
High school diploma""",
    "nurse": """Experience
Registered Nurse, Bayside General Hospital (Jan 2015 - Dec 2024)
- Medication administration and inventory of the unit's supplies
- Charting in Epic; patient and family teaching
Licenses
Registered Nurse (RN)""",
    "cashier": """Experience
Cashier, Greenfield Market (Jan 2017 - Dec 2024)
- Cash handling at a busy register; restocked shelves and counted inventory
Education
High school diploma""",
    "receptionist": """Experience
Receptionist, Center City Dental (Jan 2019 - Dec 2022)
- Phones, scheduling and patient records for a four-dentist practice
Education
High school diploma""",
    "office-administrator": """Experience
Office Administrator, Riverfront Realty (Jan 2014 - Dec 2024)
- Filing, phones and scheduling; ordered office supplies; kept the agents' calendars
- Coordinated the fit-out of the new branch office with the landlord
Education
Associate degree in Business""",
    "electrician": """Experience
Journeyman Electrician, Miami Valley Contractors (Jan 2016 - Dec 2024)
- Tenant fit-outs for offices, restaurants and retail stores, up to 480 V three-phase
- Installed addressable fire alarm systems in two schools
Licenses
Ohio Journeyman Electrician License""",
    "residential-electrician": """Experience
Journeyman Electrician, Valley Home Wiring (Jan 2016 - Dec 2024)
- Wired new single-family houses and upgraded panels in older homes
Licenses
Ohio Journeyman Electrician License""",
}


def test_a_supervisor_whose_shift_picks_and_ships_has_warehouse_years(
    ranker: RequirementRanker,
) -> None:
    missing = missing_required(
        ranker, WAREHOUSE_POSTING, RESUMES, ["fulfillment-supervisor", "nurse"]
    )
    assert "years warehouse" not in missing["fulfillment-supervisor"]
    assert "3 years warehouse (has 0.0)" in missing["nurse"]  # the years item is read


def test_a_receptionist_has_administrative_years(ranker: RequirementRanker) -> None:
    missing = missing_required(ranker, ADMIN_POSTING, RESUMES, ["receptionist", "electrician"])
    assert "years administrative" not in missing["receptionist"]
    assert "1 years administrative (has 0.0)" in missing["electrician"]


def test_an_electrician_fitting_out_offices_has_commercial_electrical_years(
    ranker: RequirementRanker,
) -> None:
    missing = missing_required(
        ranker, ELECTRICAL_POSTING, RESUMES, ["electrician", "office-administrator"]
    )
    assert "commercial or industrial electrical" not in missing["electrician"]
    assert "commercial or industrial electrical (has 0.0)" in missing["office-administrator"]


@pytest.mark.parametrize("other", ["nurse", "cashier"])
def test_one_stray_warehouse_word_gives_no_warehouse_years(
    ranker: RequirementRanker, other: str
) -> None:
    missing = missing_required(
        ranker, WAREHOUSE_POSTING, RESUMES, ["fulfillment-supervisor", other]
    )
    assert "3 years warehouse (has 0.0)" in missing[other]  # inventory alone is not a warehouse
    assert ranked(ranker, WAREHOUSE_POSTING, RESUMES, [other, "fulfillment-supervisor"])[0] == (
        "fulfillment-supervisor"
    )


def test_an_office_administrator_is_no_commercial_electrician(
    ranker: RequirementRanker,
) -> None:
    missing = missing_required(
        ranker, ELECTRICAL_POSTING, RESUMES, ["electrician", "office-administrator"]
    )
    assert (
        "4 years commercial or industrial electrical (has 0.0)" in missing["office-administrator"]
    )
    assert ranked(ranker, ELECTRICAL_POSTING, RESUMES, ["office-administrator", "electrician"])[
        0
    ] == ("electrician")


def test_a_nurse_whose_duties_show_intensive_care_has_icu_years(
    ranker: RequirementRanker,
) -> None:
    missing = missing_required(ranker, ICU_POSTING, RESUMES, ["icu-by-duties", "med-surg"])
    assert "years ICU" not in missing["icu-by-duties"]
    assert "2 years ICU (has 0.0)" in missing["med-surg"]  # one ICU word is not ICU work
    assert ranked(ranker, ICU_POSTING, RESUMES, ["med-surg", "icu-by-duties"])[0] == "icu-by-duties"


@pytest.mark.parametrize(
    "years",
    ["4 years of commercial electrical experience", "4 years commercial electrical experience"],
)
def test_commercial_before_a_trade_keeps_the_years_to_commercial_work(
    ranker: RequirementRanker, years: str
) -> None:
    # "commercial" alone is filler ("5 years of commercial experience"); before "electrical" it
    # says which electrical work counts, so a house wirer's years do not.
    posting = f"Journeyman Electrician\nRequirements\n- {years}\n- Valid electrician license\n"
    ids = ["residential-electrician", "electrician"]
    missing = missing_required(ranker, posting, RESUMES, ids)
    assert "4 years commercial electrical (has 0.0)" in missing["residential-electrician"]
    assert "commercial electrical" not in missing["electrician"]
    assert ranked(ranker, posting, RESUMES, ids)[0] == "electrician"


def test_a_teacher_has_classroom_teaching_years_and_a_mentor_has_none(
    ranker: RequirementRanker,
) -> None:
    ids = ["maths-teacher", "bootcamp-engineer"]
    missing = missing_required(ranker, TEACHER_POSTING, RESUMES, ids)
    assert "classroom teaching" not in missing["maths-teacher"]
    assert "3 years classroom teaching (has 0.0)" in missing["bootcamp-engineer"]
    assert ranked(ranker, TEACHER_POSTING, RESUMES, ids[::-1])[0] == "maths-teacher"
