"""Roles, total years and stated years read from resume text."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from matcher.parsing.experience import extract_experience

TODAY = date(2024, 6, 15)
RESUMES = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "rjdb" / "resumes.csv"


@pytest.mark.parametrize(
    ("line", "title", "company"),
    [
        ("Senior Data Analyst, Acme Corp (2019 - 2021)", "Senior Data Analyst", "Acme Corp"),
        ("Acme Corp | Data Analyst | 2019–2021", "Data Analyst", "Acme Corp"),
        (
            "- Oracle Business Systems Analyst (2013 - 2017)",
            "Oracle Business Systems Analyst",
            None,
        ),
        ("Product Manager at InnovTech (2011-2015)", "Product Manager", "InnovTech"),
        (
            "- Worked as a Postsecondary Law Teacher from 2020 to 2021.",
            "Postsecondary Law Teacher",
            None,
        ),
        (
            "- June 2017 - Aug 2019: Acted as a Support Specialist. Responsible for repairs.",
            "Support Specialist",
            None,
        ),
        ("2015 - 2019:  Sr .Net Developer", "Sr .Net Developer", None),
        (
            "- 2013 - 2016: Developer / Engineer VIII, CoolTech Inc.",
            "Developer / Engineer VIII",
            "CoolTech Inc.",
        ),
        (
            "- JDE E1 Finance - Functional Analyst (2009 - 2013)",
            "JDE E1 Finance - Functional Analyst",
            None,
        ),
        (
            "Farmers, Ranchers, and other Agricultural Managers (2014 - 2015)",
            "Farmers, Ranchers, and other Agricultural Managers",
            None,
        ),
        ("**Installation Representative (2013 - 2015)**", "Installation Representative", None),
        (
            "Project Manager – Canvas Technologies, March 2011 – September 2016",
            "Project Manager",
            "Canvas Technologies",
        ),
        # titles whose head noun is not one of the office words above: the title is the part
        # that names a role, wherever it stands
        ("Acme Staffing | Recruiter | 2019 - 2021", "Recruiter", "Acme Staffing"),
        # a place in brackets after the employer, and an employer named with its district
        (
            "### Senior Backend Engineer, Routewise (San Francisco, CA) — Feb 2021 – Dec 2023",
            "Senior Backend Engineer",
            "Routewise",
        ),
        (
            "**Mathematics Teacher**, Eastside High School, Austin ISD — Aug 2020 to Jun 2022",
            "Mathematics Teacher",
            "Eastside High School, Austin ISD",
        ),
        (
            "Registered Nurse, ICU, St. Mary Hospital (2015 - 2019)",
            "Registered Nurse, ICU",
            "St. Mary Hospital",
        ),
        ("City Bank | Relationship Banker II | 2017 - 2020", "Relationship Banker II", "City Bank"),
        (
            "Bright Smiles Dental | Dental Hygienist | 2018 - 2022",
            "Dental Hygienist",
            "Bright Smiles Dental",
        ),
    ],
)
def test_title_and_company_on_the_range_line(line: str, title: str, company: str | None) -> None:
    profile = extract_experience(line, today=TODAY)
    assert [(r.title, r.company) for r in profile.roles] == [(title, company)]
    assert profile.roles[0].line == line.strip()


def test_title_from_the_line_above() -> None:
    text = (
        "Experience\nSCCM Desktop Engineer\nXYZ Corporation (Jun 2016 - May 2018)\n- Built things"
    )
    (role,) = extract_experience(text, today=TODAY).roles
    assert (role.title, role.company) == ("SCCM Desktop Engineer", "XYZ Corporation")
    assert role.years == 2.0


def test_labelled_block_above_the_dates() -> None:
    text = (
        "Experience\nPosition: Steel Worker\nCompany: Buildright Inc\nYears: 2015-2017\nDuties..."
    )
    (role,) = extract_experience(text, today=TODAY).roles
    assert (role.title, role.company, role.years) == ("Steel Worker", "Buildright Inc", 2.0)


def test_two_roles_on_one_line_get_their_own_titles() -> None:
    text = "I worked as a Welder from 2003 - 2008, then as a Fitter from 2008 - 2009."
    roles = extract_experience(text, today=TODAY).roles
    assert [r.title for r in roles] == ["Welder", "Fitter"]


def test_total_counts_overlapping_roles_once() -> None:
    text = "Analyst (2010 - 2014)\nConsultant (2013 - 2016)\nTeacher (2018 - 2018)"
    profile = extract_experience(text, today=TODAY)
    assert [r.years for r in profile.roles] == [4.0, 3.0, 1.0]
    assert profile.total_years == 7.0  # 2010 to the end of 2015 is 6 years, plus 2018


def test_present_role_runs_to_today() -> None:
    profile = extract_experience("Data Engineer (Jan 2020 - Present)", today=TODAY)
    assert profile.roles[0].range.ongoing
    assert profile.total_years == 4.5


def test_malformed_dates_are_reported_and_left_out_of_the_total() -> None:
    text = "Analyst (2015 - 2016)\nEngineer (2021 - 2019)\nClerk (13/2019 - 2020)"
    profile = extract_experience(text, today=TODAY)
    assert [r.title for r in profile.roles] == ["Analyst"]
    assert profile.total_years == 1.0
    assert len(profile.problems) == 2
    assert "line 2" in profile.problems[0] and "2021 - 2019" in profile.problems[0]
    assert "13/2019" in profile.problems[1]


def test_education_section_dates_are_not_roles() -> None:
    text = (
        "## Education\nBSc Computer Science, 2004 - 2008\nState University (2008 - 2010)\n"
        "## Experience\nData Analyst (2010 - 2012)"
    )
    profile = extract_experience(text, today=TODAY)
    assert [r.title for r in profile.roles] == ["Data Analyst"]
    assert profile.total_years == 2.0


def test_degree_line_outside_an_experience_section_is_not_a_role() -> None:
    text = "Bachelor's Degree in Architecture; January 2004 - May 2008.\nDrafter (2009 - 2010)"
    assert [r.title for r in extract_experience(text, today=TODAY).roles] == ["Drafter"]


def test_a_degree_elsewhere_on_a_one_line_resume_leaves_its_roles() -> None:
    # Scraped resumes are often one line: a degree anywhere on it used to drop every role.
    text = (
        "Jane Doe Summary Caring nurse with a Bachelor of Science in Nursing. Experience "
        "08/2013 to 06/2024 Company Name City , State Charge Nurse Supervised a unit of twelve "
        "beds. 05/2009 to 07/2013 Company Name City , State Staff Nurse Cared for patients "
        "after surgery. Education Bachelor of Science : Nursing , 2009 State University "
        "Master of Science 2014 - 2016 State University City , State"
    )
    profile = extract_experience(text, today=TODAY)
    assert [r.range.start for r in profile.roles] == [date(2013, 8, 1), date(2009, 5, 1)]
    assert "Charge Nurse Supervised" in profile.roles[0].context
    assert "Staff Nurse Cared" in profile.roles[1].context
    assert profile.total_years == 15.17


@pytest.mark.parametrize(
    ("text", "years"),
    [
        # The degree is next to the range: a course of study, on a line of its own or not.
        ("Education Coordinator, MBA 2014 - 2016, Drafter (2017 - 2019)", [2017]),
        ("Summary text. Education BSc Biology 2010 - 2014 then Experience", []),
        # A run-in heading ends the window: the degree below it is another entry's.
        ("Welder 2001 - 2005 Company Name Education Associate Degree in welding", [2001]),
        # A work heading right before the range makes it a job, whatever follows.
        ("Experience Master of Science lab technician 2010 to 2013 Company Name", [2010]),
    ],
)
def test_degrees_count_near_their_range_only(text: str, years: list[int]) -> None:
    assert [r.range.start.year for r in extract_experience(text, today=TODAY).roles] == years


def test_a_long_rule_of_dashes_before_a_range_is_read_in_linear_time() -> None:
    # The title's trailing marks were stripped by a pattern that backtracked exponentially over
    # a run of marks not at the end: a LiveCareer resume's rule of 140 dashes ran for over 60 s.
    text = "Welder " + "-" * 5_000 + " Acme Corp 2015 - 2019 Built frames."
    (role,) = extract_experience(text, today=TODAY).roles
    assert (role.range.start, role.years) == (date(2015, 1, 1), 4.0)


@pytest.mark.parametrize(
    ("text", "stated"),
    [
        ("Summary\nAnalyst with 8 years of experience in retail banking.", 8.0),
        ("Over 10 years in finance and audit.", 10.0),
        ("Seasoned nurse: ten years of hands-on experience.", 10.0),
        ("Experience of 2 years as a Security Product Owner", 2.0),
        ("- 5 Years as Actimize Developer\n- 1 year as a Tester", 5.0),
        ("Skilled welder. Our shop was founded 40 years ago.", None),
        ("Analyst (2015 - 2016)", None),
    ],
)
def test_stated_years(text: str, stated: float | None) -> None:
    assert extract_experience(text, today=TODAY).stated_years == stated


def test_stated_years_are_kept_apart_from_the_roles_total() -> None:
    profile = extract_experience("Over 10 years in finance.", today=TODAY)
    assert (profile.roles, profile.total_years, profile.stated_years) == ([], 0.0, 10.0)


def test_each_statement_of_years_keeps_the_sentence_it_is_made_in() -> None:
    """What the years were spent on is in the statement's sentence, not past its end; one
    statement read by two patterns is kept once; statements come in text order."""
    profile = extract_experience(
        "Summary\nReliable cook. Line cook with over 6 years of experience in busy kitchens. "
        "Served as a shift lead for 2 years.\nSkills: knife work",
        today=TODAY,
    )
    assert [(s.years, s.text) for s in profile.statements] == [
        (6.0, "Line cook with over 6 years of experience in busy kitchens."),
        (2.0, "Served as a shift lead for 2 years."),
    ]
    assert profile.stated_years == 6.0
    # a clause before the statement, and another duration after it, are about other work
    profile = extract_experience(
        "Completed my preceptorship in a medical ICU and worked two years as a CNA in school. "
        "RN with 5 years of experience in oncology and 2 years in the ER; also 3+ years as a "
        "charge nurse.",
        today=TODAY,
    )
    assert [(s.years, s.text) for s in profile.statements] == [
        (2.0, "worked two years as a CNA in school."),
        (5.0, "RN with 5 years of experience in oncology and"),
        (3.0, "also 3+ years as a charge nurse."),
    ]
    # on a one-line resume every sentence's statement is found in its own sentence, in order
    one_line = " ".join(
        f"Cook {k} with {k % 40 + 1} years of experience in kitchen {k}." for k in range(400)
    )
    found = extract_experience(one_line, today=TODAY).statements
    assert [(s.years, s.text) for s in found] == [
        (float(k % 40 + 1), f"Cook {k} with {k % 40 + 1} years of experience in kitchen {k}.")
        for k in range(400)
    ]
    # a run-on sentence is cut around the statement
    run_on = "word " * 100 + "with 4 years of experience in payroll " + "and more " * 100
    (statement,) = extract_experience(run_on, today=TODAY).statements
    assert "4 years of experience in payroll" in statement.text
    assert len(statement.text) <= 120 + len("4 years of experience") + 160


def test_non_text_input_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="text must be a str, got float"):
        extract_experience(float("nan"))  # type: ignore[arg-type]


@pytest.mark.skipif(not RESUMES.is_file(), reason="shared RJDB data not mounted")
def test_most_real_resumes_yield_titled_roles() -> None:
    with RESUMES.open(newline="", encoding="utf-8") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    profiles = [extract_experience(text, today=TODAY) for text in texts]
    roles = [role for profile in profiles for role in profile.roles]
    assert sum(bool(p.roles) for p in profiles) / len(profiles) > 0.95
    assert sum(bool(r.title) for r in roles) / len(roles) > 0.95
    assert all(0 < r.years <= 60 for r in roles)


def test_role_context_holds_its_duties_up_to_the_next_role_or_heading() -> None:
    text = (
        "Experience\n"
        "Business Intelligence Manager, Wonder Corp. (2014 - 2015)\n"
        "Responsibilities:\n"
        "- Led BI initiatives on OBIEE.\n"
        "\n"
        "SCCM Desktop Engineer\n"
        "XYZ Corporation (Jun 2016 - May 2018)\n"
        "- Packaged applications\n"
        "## Education\n"
        "BSc Computing\n"
    )
    first, second = extract_experience(text, today=TODAY).roles
    assert "Led BI initiatives on OBIEE." in first.context
    assert "Responsibilities:" in first.context  # a label, not a heading
    assert "SCCM" not in first.context  # the next role's title ends it
    assert second.title == "SCCM Desktop Engineer"
    assert "Packaged applications" in second.context and "BSc" not in second.context


def test_roles_on_one_line_keep_their_own_sentences() -> None:
    line = (
        "In my previous job as Aerospace Engineer (2017-2021) I designed drones. "
        "As a Derrick operator (2014-2017), I drilled wells."
    )
    first, second = extract_experience(f"Experience\n{line}", today=TODAY).roles
    assert (first.title, second.title) == ("Aerospace Engineer", "Derrick operator")
    assert "drones" in first.context and "wells" not in first.context
    assert "wells" in second.context and "drones" not in second.context


@pytest.mark.parametrize(
    ("text", "title"),
    [
        # a title before the range wins over "as ..." in the description after it
        (
            "UX Design Engineer (2010 - 2014): Operated as an integral part of the design team.",
            "UX Design Engineer",
        ),
        # "Experience:" and "Time period:" label the dates; the title is on the line above
        ("Android Developer\nExperience: 2017 - 2021\nBuilt apps", "Android Developer"),
        ("Database Analyst - TechCorp\nTime period: 2013-2016", "Database Analyst - TechCorp"),
    ],
)
def test_titles_next_to_labels_and_descriptions(text: str, title: str) -> None:
    (role,) = extract_experience(f"Experience\n{text}", today=TODAY).roles
    assert role.title == title


def test_placements_are_marked_and_count_for_their_length() -> None:
    text = """Education
BSN, State University (2020 - 2024)

## Clinical Experience
Nurse Extern, Cardiovascular ICU - Heart Center
June 2023 - Aug 2023
- Hemodynamic monitoring with an RN preceptor.

## Work Experience
Patient Care Technician - City Hospital (Jan 2022 - Dec 2022)
- Vital signs and ECGs; trained two new interns."""
    profile = extract_experience(text, today=TODAY)
    kinds = {role.title.split(",")[0]: role.kind for role in profile.roles}
    assert kinds == {"Nurse Extern": "internship", "Patient Care Technician": "job"}
    extern = profile.roles[0]
    assert extern.years == pytest.approx(0.25)  # the 3 months, not more
    assert profile.total_years == pytest.approx(1.25)


def test_rotations_over_a_whole_degree_are_not_years_of_work() -> None:
    text = "Experience\nClinical rotations, BSN programme (Sep 2020 - May 2024)"
    profile = extract_experience(text, today=TODAY)
    assert profile.roles[0].kind == "internship"
    assert profile.roles[0].years > 3  # the range as written
    assert profile.total_years == pytest.approx(1.0)  # at most one year counts


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Co-op Student, Hydro One (Jan 2020 - Aug 2020)", "internship"),
        ("Software Developer (Co-op term), Shopify (May 2020 - Aug 2020)", "internship"),
        ("Software Developer (Co-op), Shopify (May 2020 - Aug 2020)", "internship"),
        ("Engineering Co-op, Hydro One (Jan 2020 - Aug 2020)", "internship"),
        ("Nursing Intern, Mercy Hospital (Jun 2023 - Aug 2023)", "internship"),
        # co-op or a placement word in the employer's name is no placement
        ("Data Analyst - Bluepoint Grocery Co-op, Milwaukee (2019 - 2022)", "job"),
        ("Cashier, Greenfield Grocery Co-op (2019 - 2021)", "job"),
        ("Greenfield Grocery Co-op, Cashier (2019 - 2021)", "job"),
        ("Teller, Co-op Bank (2015 - 2020)", "job"),
        ("Recruiter, Intern Recruiting Ltd (2015 - 2020)", "job"),
    ],
)
def test_a_placement_is_read_from_the_role_not_from_its_employer(line: str, kind: str) -> None:
    (role,) = extract_experience(f"Experience\n{line}", today=TODAY).roles
    assert role.kind == kind, role


def test_a_job_at_a_co_op_counts_all_its_years() -> None:
    text = "Experience\nData Analyst - Bluepoint Grocery Co-op, Milwaukee (Jan 2019 - Dec 2022)"
    assert extract_experience(text, today=TODAY).total_years == pytest.approx(4.0)


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        # a credential held since a year is no role (a supervisor read 3 roles, one of 13 years)
        (
            "Experience\nWarehouse Supervisor, Acme (2018 - Present)\n"
            "- Held forklift certification since 2014.",
            ["Warehouse Supervisor"],
        ),
        ("Certifications\nCPR Certification (2015 - 2017)", []),
        # a role that names a credential is a role
        ("Summary\nCertified forklift operator since 2014.", ["Certified forklift operator"]),
        (
            "Experience\nIdentity/Certificate Management (2015 - 2020)",
            ["Identity/Certificate Management"],
        ),
    ],
)
def test_a_credential_held_for_years_is_no_role(text: str, roles: list[str]) -> None:
    found = extract_experience(text, today=date(2026, 12, 6)).roles
    assert [role.title for role in found] == roles


def test_an_education_line_with_its_label_among_the_roles_is_no_role() -> None:
    text = (
        "Experience\n"
        "Digital Marketing Manager, Peachtree Health Software — Jan 2020 to Dec 2023\n"
        "- Google Ads campaigns.\n\n"
        "Education: B.B.A. Marketing, Georgia State University (2014–2018)"
    )
    profile = extract_experience(text, today=TODAY)
    assert [(r.title, r.company) for r in profile.roles] == [
        ("Digital Marketing Manager", "Peachtree Health Software")
    ]
    assert profile.total_years == pytest.approx(4.0)
