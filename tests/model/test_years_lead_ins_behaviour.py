"""Years requirements read where postings and resumes put them in their own words: years "of
on-the-job experience as" a trade, a lead-in whose years apply to each item of the list under it
("A minimum of 3 years experience in the following:"), and a resume entry that opens with its
title before a sentence of duties ("Warehouse Supervisor at Northgate Logistics. Acted as a
liaison ... (2018 - 2023)").

CheckList-style, with the real model and the shipped ranker: each test asserts what
``missing_required`` says or an ordering, never a score.
"""

from __future__ import annotations

from matcher.ranking.requirement_ranker import RequirementRanker
from tests.model.behaviour import missing_required, ranked

MACHINIST_POSTING = """CNC Machinist
Requirements
- 4 years of on-the-job experience as a CNC machinist
- Reading blueprints and using precision measuring tools
"""
PAYROLL_POSTING = """Payroll Team Lead
Required Experience
A minimum of 3 years experience in the following:
- Proven record as a Payroll Specialist, running semi-monthly payroll for 500 staff.
- Experience as a Payroll Team Lead, coaching a team of payroll clerks.

Responsibilities
- Run payroll and answer employee questions
"""
WAREHOUSE_POSTING = """Warehouse Supervisor
Requirements
- At least 4 years of experience as a Warehouse Supervisor
- Forklift certification
"""
RESUMES = {
    "machinist": """Experience
CNC Machinist, Harlow Precision (Jan 2017 - Dec 2024)
- Set up and ran 5-axis mills from blueprints; checked parts with micrometers and calipers""",
    "operator": """Experience
CNC Machinist, Harlow Precision (Jan 2023 - Dec 2024)
- Set up and ran 5-axis mills from blueprints; checked parts with micrometers and calipers
Machine Operator, Dunmore Plastics (Jan 2017 - Dec 2022)
- Ran injection moulding presses""",
    "lead": """Experience
Payroll Team Lead, Corvale Health (Jan 2019 - Dec 2024)
- Coached four payroll clerks; ran semi-monthly payroll for 900 staff
Payroll Specialist, Corvale Health (Jan 2015 - Dec 2018)
- Ran semi-monthly payroll for 500 staff in ADP""",
    "new-lead": """Experience
Payroll Team Lead, Corvale Health (Jan 2024 - Dec 2024)
- Coached four payroll clerks; ran semi-monthly payroll for 900 staff
Payroll Specialist, Corvale Health (Jan 2015 - Dec 2023)
- Ran semi-monthly payroll for 500 staff in ADP""",
    "entry-titled": (
        "Experience\n"
        "- Warehouse Supervisor at Northgate Logistics. Acted as a liaison between the receiving"
        " crew and the carriers for all inbound freight. (2018 - 2023)\n"
        "Certifications\nForklift certification"
    ),
    "short-supervisor": (
        "Experience\n"
        "- Warehouse Supervisor at Northgate Logistics, leading the receiving crew for inbound"
        " freight (2021 - 2023)\n"
        "- Warehouse Associate at Northgate Logistics, picking and packing orders (2016 - 2020)\n"
        "Certifications\nForklift certification"
    ),
}


def test_years_of_on_the_job_experience_as_a_trade_are_years_in_that_trade(
    ranker: RequirementRanker,
) -> None:
    missing = missing_required(ranker, MACHINIST_POSTING, RESUMES, ["machinist", "operator"])
    assert "4 years CNC machinist (has 2.0)" in missing["operator"]  # 8 years in all
    assert "years CNC machinist" not in missing["machinist"]
    assert ranked(ranker, MACHINIST_POSTING, RESUMES, ["operator", "machinist"])[0] == "machinist"


def test_a_lead_in_asks_for_its_years_in_each_item_listed_under_it(
    ranker: RequirementRanker,
) -> None:
    missing = missing_required(ranker, PAYROLL_POSTING, RESUMES, ["lead", "new-lead"])
    assert "3 years Payroll Team Lead (has 1.0)" in missing["new-lead"]  # 10 years in all
    assert "years Payroll" not in missing["lead"]
    assert ranked(ranker, PAYROLL_POSTING, RESUMES, ["new-lead", "lead"])[0] == "lead"


def test_an_entry_that_opens_with_its_title_counts_that_title_s_years(
    ranker: RequirementRanker,
) -> None:
    ids = ["entry-titled", "short-supervisor"]
    missing = missing_required(ranker, WAREHOUSE_POSTING, RESUMES, ids)
    assert "years Warehouse Supervisor" not in missing["entry-titled"]
    assert "4 years Warehouse Supervisor (has 2.0)" in missing["short-supervisor"]
    assert ranked(ranker, WAREHOUSE_POSTING, RESUMES, ids[::-1])[0] == "entry-titled"
