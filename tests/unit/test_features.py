from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest

from matcher.parsing.education import DegreeLevel
from matcher.parsing.profiles import (
    PostingProfile,
    ResumeProfile,
    degree_fit,
    negated,
    posting_profile,
    resume_profile,
    role_subject,
    role_words,
)
from matcher.parsing.skills import SkillMatcher
from matcher.ranking import features
from matcher.ranking.embedding import cosines
from matcher.ranking.features import (
    SHORT_OF_REQUIREMENT,
    _alternatives,
    best_line_cosines,
    experience_and_years,
    experience_matrix,
    focus_postings,
    skill_coverage,
    skill_evidence,
    subject_pairs,
    subject_years,
    subjects_years,
    years_in_subjects,
)
from matcher.text.stemming import singular, word_root
from tests.conftest import SAMPLE


def experience_fit(posting: PostingProfile, resume: ResumeProfile) -> float:
    """The experience feature of one pair."""
    return float(experience_matrix([posting], [resume])[0, 0])


TODAY = date(2026, 1, 1)

POSTING = """Backend Engineer

About us
We are a payments company using Java and Kotlin.

Requirements
- 4+ years of experience building web services
- 3 years of Python
- Strong Django and PostgreSQL
- Bachelor's degree in Computer Science

Nice to have
- Kubernetes
- Terraform is a plus
"""

RESUME = """Sam Doe
Skills: Python, Django, PostgreSQL, Docker
Experience
Python Developer, Acme (2018 - 2021)
- Built Python and Django services on PostgreSQL
Software Engineer, Beta (Jan 2021 - Present)
- Ran Kubernetes clusters
Education
BSc Computer Science
"""


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    return SkillMatcher()


def sample_profiles(
    matcher: SkillMatcher,
) -> tuple[list[PostingProfile], list[ResumeProfile]]:
    """The sample's postings with a description and its resumes, read into profiles."""
    jobs = pd.read_csv(SAMPLE / "jobs.csv", dtype=str).dropna(subset=["description"])
    postings = [
        posting_profile(job.job_id, job.title, job.description, matcher)
        for job in jobs.itertuples()
    ]
    paths = sorted((SAMPLE / "resumes").glob("r-*.txt"))
    resumes = [resume_profile(path.stem, path.read_text(), matcher, TODAY) for path in paths]
    return postings, resumes


def years_each_way(
    monkeypatch: pytest.MonkeyPatch,
    resumes: list[ResumeProfile],
    subjects: list[str],
    embedder: Any,
    wanted: np.ndarray,
) -> dict[bool, np.ndarray]:
    """:func:`years_in_subjects` of the ``wanted`` resumes, matched per subject (True) and
    in bulk (False): the cost of a subject's own matching set to none or past any pool."""
    results = {}
    for per_subject in (True, False):
        monkeypatch.setattr(features, "_PER_SUBJECT_CALL", 0 if per_subject else 10**12)
        monkeypatch.setattr(features, "_PER_SUBJECT_ROLE", 0 if per_subject else 10**12)
        results[per_subject] = years_in_subjects(resumes, subjects, embedder, wanted)
    return results


def test_posting_requirements_are_split_into_required_and_preferred(matcher) -> None:
    profile = posting_profile("J1", "Backend Engineer", POSTING, matcher)
    assert {"Python", "Django", "PostgreSQL"} <= set(profile.required_skills)
    assert {"Kubernetes", "Terraform"} <= set(profile.preferred_skills)
    # the About section describes the company, it does not require Java
    assert "Java" not in profile.required_skills
    assert profile.requirements.min_years == 4
    assert profile.requirements.degree_required == DegreeLevel.BACHELOR
    assert any("Django" in line for line in profile.requirement_lines)


def test_resume_skills_keep_their_best_evidence(matcher) -> None:
    profile = resume_profile("R1", RESUME, matcher, TODAY)
    assert profile.skills["Django"].sentence.startswith("Built Python")  # experience wins
    assert profile.sections_of["Django"] == "experience"
    assert profile.degree.level == DegreeLevel.BACHELOR
    assert profile.years == pytest.approx(8.0, abs=0.1)  # 2018 .. 2026, overlap once
    assert profile.titles[0].startswith("Software Engineer")  # the latest role first


def test_skill_coverage(matcher) -> None:
    posting = posting_profile("J1", "Backend Engineer", POSTING, matcher)
    resume = resume_profile("R1", RESUME, matcher, TODAY)
    bare = resume_profile("R2", "Cook. Knife skills.", matcher, TODAY)
    coverage = skill_coverage([posting.required_skills, ()], [resume, bare])
    # all but "Web Services" (from "building web services") are shown
    assert set(posting.required_skills) - set(resume.skills) == {"Web Services"}
    assert coverage[0, 0] == pytest.approx(0.75) and coverage[0, 1] == 0.0
    assert np.all(coverage[1] == 1.0)  # nothing required: nothing missing


def test_experience_fit_and_subject_years(matcher) -> None:
    posting = posting_profile("J1", "Backend Engineer", POSTING, matcher)
    resume = resume_profile("R1", RESUME, matcher, TODAY)
    assert subject_years(resume, "Python") == pytest.approx(3.0)  # the Acme role names Python
    assert subject_years(resume, "Python Developer") == pytest.approx(3.0)
    assert subject_years(resume, "Kotlin") == 0.0
    # 8 years overall and 3 of Python meet the bar; no role names "web services": 2 of 3
    assert experience_fit(posting, resume) == pytest.approx(2 / 3)
    junior = resume_profile("R3", "Experience\nPython Developer (Jan 2024 - Jan 2025)", matcher)
    assert 0 < experience_fit(posting, junior) < 0.5


def test_degree_fit() -> None:
    assert degree_fit(DegreeLevel.MASTER, DegreeLevel.BACHELOR) == 1.0
    assert degree_fit(DegreeLevel.ASSOCIATE, DegreeLevel.BACHELOR) == 0.5
    assert degree_fit(DegreeLevel.HIGH_SCHOOL, DegreeLevel.BACHELOR) == 0.0
    assert degree_fit(DegreeLevel.NONE, DegreeLevel.BACHELOR) == 0.25
    assert degree_fit(DegreeLevel.NONE, None) == 1.0


def test_word_roots_meet_across_inflections() -> None:
    assert word_root("Teachers") == word_root("teaching") == "teach"
    assert word_root("Engineering") == word_root("engineers") == "engin"
    assert word_root("Nurse") == word_root("nursing")
    # one plural rule for roots and skill keys: "-ies" is "-y" ("technologies" meets
    # "technology" in requirement words too, which the old plural-only copy missed)
    assert word_root("Technologies") == word_root("technology")
    assert singular("technologies") == "technology" and singular("analysis") == "analysis"
    assert role_words("3 years of relevant experience as Senior Java Developers") == {
        "3",
        "senior",
        "java",
        "develop",
    }


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("on-the-job experience as a tool and die maker", "tool and die maker"),
        ("grand experience practicing as an Orthodontist", "Orthodontist"),
        ("service in the position of a SAP IBP Manager", "SAP IBP Manager"),
        ("Python", "Python"),
        ("similar", "Mechanical Door Repairer"),  # "in a similar role": the posting's own
        ("a related field", "Mechanical Door Repairer"),
        ("following", ""),  # names nothing
    ],
)
def test_role_subject(subject: str, expected: str) -> None:
    assert role_subject(subject, "Mechanical Door Repairer") == expected


def test_years_required_reads_role_lines_the_sentence_reader_passes_over(matcher) -> None:
    posting = posting_profile(
        "J2",
        "Platform Engineer",
        "Required Experience\n"
        "- Prior work as a Platform Developer with scale acumen (At least 4 years required).\n"
        "- Two years of prior experience in a similar role is essential.\n"
        "- Past experience as a Nuclear Medicine Technologist of at least 1 year\n"
        "- Lesser than 1 year as a Stocker\n"
        "- A maximum of 4 years spent as a Java Developer\n"
        "- Preferably 3 years as a Team Lead\n",
        matcher,
    )
    subjects = {(r.subject, r.years) for r in posting.years_required}
    assert ("Platform Developer with scale acumen", 4.0) in subjects
    assert ("Platform Engineer", 2.0) in subjects  # "a similar role" is the posting's title
    assert ("Nuclear Medicine Technologist", 1.0) in subjects
    # caps ("lesser than", "a maximum of") and preferences are not requirements
    assert not any(w in s for s, _ in subjects for w in ("Stocker", "Java", "Team Lead"))


@pytest.mark.parametrize(
    ("text", "skill", "missing"),
    [
        ("Managed multiple projects without SDLC, API.", "API", True),
        ("Despite Qlikview not being part of the tool set, I delivered.", "Qlikview", True),
        ("Limited by a lack of Hadoop expertise.", "Hadoop", True),
        ("No experience with SAP yet.", "SAP", True),
        ("Reduced downtime without compromising security.", "security", False),
        ("Python, without a doubt, and Java.", "Java", False),
        ("Worked with Java, not only Python.", "Python", False),
        # not held: the resume says so
        ("I do not hold a journeyman license yet.", "journeyman license", True),
        ("Applying to school; I don't yet have an RDH license.", "RDH", True),
        ("Have not passed the CPA exam.", "CPA", True),
        ("Familiar with Go basics but have no professional Go experience.", "Go experience", True),
        ("No CDL.", "CDL", True),
        ("Not a CPA.", "CPA", True),
        ("Not yet licensed as an electrician.", "electrician", True),
        # "no" with words between, or not before what it lacks, names nothing missing
        ("Cut errors to no more than two in Excel.", "Excel", False),
        ("No downtime during the Kubernetes migration.", "Kubernetes", False),
        ("Did not have any outages after moving to Go.", "Go", False),
    ],
)
def test_negated_mentions(text: str, skill: str, missing: bool) -> None:
    start = text.index(skill)
    end = start + len(skill.removesuffix(" experience"))
    assert negated(text, start, end) is missing


@pytest.mark.parametrize(
    ("text", "credential", "missing"),
    [
        ("Pursuing the CPA; FAR passed.", "CPA", True),
        ("CPA candidate: I sit for REG in 2027.", "CPA", True),
        ("I expect my Arizona teaching certificate in 2027.", "teaching certificate", True),
        ("Registered Nurse (in progress).", "Registered Nurse", True),
        ("Prepared statements for the client's CPA.", "CPA", True),
        ("CPA (Texas), active since 2015.", "CPA", False),
        ("Earned Cisco's CCNA in 2019.", "CCNA", False),
        ("Holds a Master's teaching certificate.", "teaching certificate", False),
        ("Licensed as a Registered Nurse, expected to lead shifts.", "Registered Nurse", False),
    ],
)
def test_a_credential_not_held_yet(text: str, credential: str, missing: bool) -> None:
    start = text.index(credential)
    assert negated(text, start, start + len(credential), credential=True) is missing
    assert not negated(text, start, start + len(credential)) or missing  # only credentials


@pytest.mark.parametrize(
    ("text", "lacks", "shows"),
    [
        (
            "Electrical apprentice.\nI do not hold a journeyman license yet.",
            "Electrician License",
            "",
        ),
        ("Dental assistant. I do not yet hold an RDH license.", "RDH", ""),
        ("Bookkeeper for the client's CPA.\nNot a CPA.", "CPA", ""),
        (
            "Familiar with Go basics from a course but have no professional Go experience.\n"
            "Python developer since 2019.",
            "Go",
            "Python",
        ),
        # someone else's acronym that is no credential is still the resume's skill
        ("Ran the client's SEO strategy on the company's AWS account.", "", "SEO"),
    ],
)
def test_what_a_resume_says_it_does_not_hold_is_not_shown(
    matcher: SkillMatcher, text: str, lacks: str, shows: str
) -> None:
    profile = resume_profile("R", text, matcher, TODAY)
    if lacks:
        assert lacks not in profile.skills and lacks in profile.lacks
    if shows:
        assert shows in profile.skills and shows not in profile.lacks


def test_a_skill_named_as_missing_is_not_shown(matcher) -> None:
    profile = resume_profile(
        "R4", "Skills\n- Python and Django\n- Shipped services without Kubernetes", matcher, TODAY
    )
    assert {"Python", "Django"} <= set(profile.skills)
    assert "Kubernetes" not in profile.skills and profile.lacks == {"Kubernetes"}


def _resume(text: str, matcher: SkillMatcher):  # type: ignore[no-untyped-def]
    return resume_profile("R", text, matcher, TODAY)


def test_subject_years_match_roots_and_titles_named_in_the_subject(matcher) -> None:
    teacher = _resume(
        "Experience\nArt - Drama - and Music Teachers - Postsecondary (2010 - 2015)", matcher
    )
    assert subject_years(teacher, "Teaching Art") == pytest.approx(5.0)
    sales = _resume(
        "Experience\n- Admin Cisco Sales Specialist - Louisville (2006 - 2010)", matcher
    )
    assert subject_years(sales, "Admin Cisco Sales Specialist in Louisville") == pytest.approx(4.0)
    assert subject_years(sales, "Cisco Network Engineer") == 0.0
    # a role's duties count as its text; the role dated after it on the same line does not
    two = _resume(
        "Experience\nAs an Aerospace Engineer (2017-2021) I built drones. "
        "As a Derrick operator (2014-2017), I drilled wells.",
        matcher,
    )
    assert subject_years(two, "Aerospace Engineer") == pytest.approx(4.0)
    assert subject_years(two, "drones") == pytest.approx(4.0)
    assert subject_years(two, "Derrick operator") == pytest.approx(3.0)


def test_a_statement_of_years_counts_for_the_subjects_its_sentence_names(matcher) -> None:
    """A resume that states its years ("Python developer with 7 years of experience") has
    them in the subjects its sentence names, dated roles or not; the larger of its roles'
    and its statements' years count, and a statement naming another subject adds nothing
    to that subject (a recruiter read "has 0.0" beside "7 years of Python" before)."""
    posting = posting_profile(
        "J5", "Python Developer", "Requirements\n- 5+ years of experience with Python", matcher
    )
    stated = _resume(
        "Summary\nPython developer with 7 years of experience building web services.", matcher
    )
    recent_roles = _resume(
        "Summary\nOver 8 years of experience as a Python developer.\n"
        "Experience\nBackend Developer, Acme (2022 - 2024)\n- Services in Python",
        matcher,
    )
    other_subject = _resume(
        "Summary\n10 years of experience in retail sales.\n"
        "Experience\nBackend Developer, Acme (2022 - 2024)\n- Services in Python",
        matcher,
    )
    assert subject_years(stated, "Python") == pytest.approx(7.0)
    assert subject_years(stated, "Java") == 0.0
    assert subject_years(recent_roles, "Python") == pytest.approx(8.0)
    assert subject_years(other_subject, "Python") == pytest.approx(2.0)  # its role alone
    assert subject_years(other_subject, "retail sales") == pytest.approx(10.0)
    # the sample's new graduate: her two years were as a CNA, not in the ICU she trained in
    new_grad = _resume(
        "Objective\nCompleted my senior preceptorship in a medical ICU and worked two years "
        "as a CNA while in school.",
        matcher,
    )
    assert subject_years(new_grad, "ICU or critical care") == 0.0
    assert subject_years(new_grad, "CNA") == pytest.approx(2.0)
    # a resume's years overall are the larger of its roles' and its statements'
    assert (stated.years, recent_roles.years, other_subject.years) == (7.0, 8.0, 10.0)
    assert experience_fit(posting, stated) == experience_fit(posting, recent_roles) == 1.0
    assert experience_fit(posting, other_subject) < 1.0
    # in bulk, and for the pairs wanted only, the same years
    resumes = [stated, recent_roles, other_subject]
    bulk = years_in_subjects(resumes, ["Python", "retail sales"])
    assert bulk.tolist() == [[7.0, 8.0, 2.0], [0.0, 0.0, 10.0]]
    wanted = np.array([[True, False, True], [False, False, True]])
    assert years_in_subjects(resumes, ["Python", "retail sales"], None, wanted).tolist() == [
        [7.0, 0.0, 2.0],
        [0.0, 0.0, 10.0],
    ]


def test_years_in_a_supervisory_role_are_a_supervisor_s_years(matcher) -> None:
    """ "1 year in a supervisory role": both supervisors had been read as having none."""
    supervisor = _resume(
        "Experience\nWarehouse Supervisor, Buckeye Distribution (2018 - 2024)\n"
        "- Led a crew of 25.\nShift Manager, Acme Foods (2015 - 2018)",
        matcher,
    )
    assert subject_years(supervisor, "supervisory") == pytest.approx(6.0)
    assert subject_years(supervisor, "managerial") == pytest.approx(3.0)
    assert subject_years(supervisor, "administrative") == 0.0
    assert subject_years(supervisor, "warehouse") == pytest.approx(6.0)


def test_a_requirement_short_of_its_years_counts_less_than_its_share(matcher) -> None:
    posting = posting_profile(
        "J3", "Tool and Die Maker", "Requirements\n- 4 years of experience as a Welder", matcher
    )
    full = _resume("Experience\nWelder (2016 - 2020)", matcher)
    short = _resume("Experience\nWelder (2017 - 2020)", matcher)  # 3 of 4 years
    assert experience_fit(posting, full) == 1.0
    assert experience_fit(posting, short) == pytest.approx(SHORT_OF_REQUIREMENT * 3 / 4)


def test_roles_close_in_meaning_count_only_with_an_embedder(matcher, embedder) -> None:
    posting = posting_profile(
        "J4", "Law Teacher", "Requirements\n- 3 years of experience as a Law Teacher", matcher
    )
    professor = _resume("Experience\nLaw Professor (2018 - 2022)", matcher)
    welder = _resume("Experience\nWelder (2018 - 2022)", matcher)
    # no role is named "Law Teacher": only the 4 years overall count, for both
    assert experience_fit(posting, professor) == experience_fit(posting, welder) == 0.5
    fits = experience_matrix([posting], [professor, welder], embedder)
    assert fits[0].tolist() == [1.0, 0.5]


def test_paraphrased_skills_earn_partial_credit_with_an_embedder(matcher, embedder) -> None:
    paraphrase = _resume("Skills\n- Excellent at managing my time and meeting deadlines", matcher)
    unrelated = _resume("Skills\n- Welding of steel frames for trailers", matcher)
    wanted = [("Time Management",)]
    assert skill_coverage(wanted, [paraphrase, unrelated]).tolist() == [[0.0, 0.0]]
    soft = skill_coverage(wanted, [paraphrase, unrelated], embedder)
    assert 0.0 < soft[0, 0] < 1.0 and soft[0, 1] == 0.0
    evidence = skill_evidence(["Time Management", "Welding"], [paraphrase, unrelated], embedder)
    assert evidence.shape == (2, 2)
    assert evidence[1, 1] == 1.0  # found by the matcher: full credit
    # a skill named as missing earns nothing, however close the line that says so
    lacking = _resume("Skills\n- Shipped every release without Kubernetes", matcher)
    assert skill_evidence(["Kubernetes"], [lacking], embedder)[0, 0] == 0.0


def test_years_in_a_setting_count_only_roles_in_that_setting(matcher) -> None:
    posting = posting_profile(
        "J9",
        "ICU Nurse",
        "Requirements\n- At least 2 years of recent ICU or critical care experience in an "
        "acute care hospital.",
        matcher,
    )
    assert [y.subject for y in posting.years_required] == ["ICU or critical care"]
    new_grad = resume_profile(
        "R8",
        "Experience\nNurse Extern, Medical ICU (Jun 2025 - Aug 2025)\n"
        "Registered Nurse, Medical-Surgical Unit (Sep 2023 - Dec 2025)",
        matcher,
        TODAY,
    )
    icu_nurse = resume_profile(
        "R9", "Experience\nRegistered Nurse, Surgical ICU (Jan 2021 - Dec 2025)", matcher, TODAY
    )
    assert new_grad.years >= 2  # enough nursing years overall ...
    assert subject_years(new_grad, "ICU or critical care") == pytest.approx(0.25)  # ... not ICU
    assert subject_years(icu_nurse, "ICU or critical care") == pytest.approx(5.0)
    assert experience_fit(posting, new_grad) < experience_fit(posting, icu_nurse) == 1.0


def test_skill_coverage_counts_a_group_by_its_best_member(matcher) -> None:
    holds_one = resume_profile("R1", "Skills: SAP, Excel", matcher, TODAY)
    holds_none = resume_profile("R2", "Skills: Microsoft Excel", matcher, TODAY)
    wanted = [[("NetSuite", "SAP", "Oracle"), "Excel"]]
    coverage = skill_coverage(wanted, [holds_one, holds_none])
    assert coverage[0].tolist() == [1.0, 0.5]


def test_subjects_years_in_bulk_are_each_pairs_subject_years(matcher) -> None:
    """The explainer matches a batch's subjects against all its resumes at once; each value
    must be the one :func:`subject_years` gives the pair alone."""
    postings, resumes = sample_profiles(matcher)
    subjects = sorted({r.subject or "" for p in postings for r in p.years_required})
    bulk = subjects_years(resumes, subjects)
    assert bulk.shape == (len(subjects), len(resumes))
    assert np.count_nonzero(bulk) > 5  # the sample's resumes do have years in those subjects
    for k, subject in enumerate(subjects):
        for j, resume in enumerate(resumes):
            assert bulk[k, j] == pytest.approx(subject_years(resume, subject), abs=0), subject


def test_the_experience_feature_hands_on_the_years_it_counted_for_the_pairs_wanted(
    matcher,
) -> None:
    """:func:`experience_and_years` gives the experience feature and, per subject, the years
    it counted: each resume's years among every resume where a posting asking for the
    subject is paired with it, 0 elsewhere; its experience is :func:`experience_matrix`'s."""
    postings, resumes = sample_profiles(matcher)
    subjects = sorted({r.subject for p in postings for r in p.years_required if r.subject})
    assert len(subjects) > 2
    pairs = np.random.default_rng(3).random((len(postings), len(resumes))) < 0.5
    experience, years = experience_and_years(postings, resumes, None, pairs)
    assert sorted(years) == subjects
    every = subjects_years(resumes, subjects)
    wanted = subject_pairs(postings, subjects, pairs)
    assert wanted is not None and not wanted.all()
    held = np.stack([years[subject] for subject in subjects])
    assert np.array_equal(held, np.where(wanted, every, 0))
    assert np.count_nonzero(held) > 3
    fits = experience_matrix(postings, resumes, None, pairs)
    assert np.array_equal(experience[pairs], fits[pairs])
    # Every pair: every resume's years in every subject.
    _, all_years = experience_and_years(postings, resumes)
    assert np.array_equal(np.stack([all_years[subject] for subject in subjects]), every)
    assert np.array_equal(years_in_subjects(resumes, subjects[:2]), every[:2])


@pytest.mark.parametrize("density", [0.02, 0.5, 1.0])
def test_years_matched_per_subject_equal_those_matched_in_bulk(
    matcher, monkeypatch, density
) -> None:
    """:func:`years_in_subjects` matches each subject against its wanted resumes' roles alone
    when few are wanted, else every subject against every role at once: each way gives each
    wanted resume its years among every resume, and 0 to the others."""
    postings, resumes = sample_profiles(matcher)
    subjects = sorted({r.subject for p in postings for r in p.years_required if r.subject})
    every = subjects_years(resumes, subjects)
    wanted = np.random.default_rng(5).random((len(subjects), len(resumes))) < density
    expected = np.where(wanted, every, 0)
    results = years_each_way(monkeypatch, resumes, subjects, None, wanted)
    for per_subject, years in results.items():
        assert np.array_equal(years, expected), per_subject
    assert np.count_nonzero(results[True]) > (0 if density < 0.1 else 3)


def test_a_role_counts_for_a_skill_subject_by_the_skills_its_duties_show(matcher) -> None:
    """Years in a skill count the roles whose title or duties show it or a skill whose use
    counts as it (React for JavaScript, Flask for back-end development), not other roles."""
    developer = resume_profile(
        "R1",
        "Experience\nFront-End Developer, Pixel (Jan 2020 - Dec 2024)\n"
        "- Built the booking app in React and TypeScript\n"
        "Barista, Bean Cafe (Jan 2018 - Dec 2019)\n- Espresso drinks and the till",
        matcher,
        TODAY,
    )
    assert subject_years(developer, "JavaScript") == pytest.approx(5.0)  # not the cafe years
    assert subject_years(developer, "backend development") == 0.0
    engineer = resume_profile(
        "R2",
        "Experience\nSoftware Engineer, Parcel (Jan 2019 - Dec 2024)\n- Built REST APIs in Flask",
        matcher,
        TODAY,
    )
    assert subject_years(engineer, "backend development") == pytest.approx(6.0)
    assert subject_years(engineer, "Python in production") == pytest.approx(6.0)  # Flask
    # a subject that names a role is matched by the role's title, not by a skill in it
    assert subject_years(engineer, "Flask Team Lead") == 0.0


def test_a_bare_qualifier_shares_the_noun_of_the_last_alternative() -> None:
    assert _alternatives("commercial or industrial electrical") == [
        "commercial electrical",
        "industrial electrical",
    ]
    assert _alternatives("ICU or critical care") == ["ICU", "critical care"]


def test_skill_evidence_without_embedder_is_each_skill_held_by_each_resume(matcher) -> None:
    resumes = [
        resume_profile("R1", "Skills\n- Python and Django", matcher, TODAY),
        resume_profile(
            "R2", "Skills\n- Python\n- Shipped services without Kubernetes", matcher, TODAY
        ),
        resume_profile("R3", "Nurse", matcher, TODAY),
    ]
    # a skill asked twice gets its row twice; a skill no resume holds a row of zeros
    skills = ["Python", "Kubernetes", "Django", "Python", "Excel"]
    expected = [[float(skill in r.skills) for r in resumes] for skill in skills]
    evidence = skill_evidence(skills, resumes)
    assert evidence.dtype == np.float32
    assert evidence.tolist() == expected
    assert expected[0] == [1.0, 1.0, 0.0] and expected[1] == [0.0, 0.0, 0.0]


def test_focus_texts_are_remembered_alike_and_long_ones_stripped_each_time() -> None:
    """The postings' focus texts (boilerplate stripped) are remembered for the next batch
    or run of the process: the same texts; a long posting is stripped each time."""
    boilerplate = "We are an equal opportunity employer and value diversity."
    long_text = "Build Python services and SQL pipelines.\n" * 2000 + boilerplate
    postings = pd.DataFrame(
        {
            "job_id": ["J1", "J2"],
            "model_text": [f"Data Engineer\nPython and SQL.\n{boilerplate}", long_text],
        }
    )
    first = focus_postings(postings)
    before = features._remembered_focus_text.cache_info()
    again = focus_postings(postings)
    after = features._remembered_focus_text.cache_info()
    pd.testing.assert_frame_equal(again, first)
    assert after.hits - before.hits == 1 and after.misses == before.misses
    assert boilerplate not in first["model_text"][0] and "Python and SQL." in first["model_text"][0]
    assert boilerplate not in first["model_text"][1]


def _reference_best(queries: np.ndarray, vectors: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Each query's best cosine per group as every float64 product gives it (the reference
    :func:`features.best_line_cosines` must equal where it answers exactly)."""
    return np.maximum.reduceat(cosines(queries, vectors), offsets, axis=1)


def _check_best_line_cosines(
    queries: np.ndarray, vectors: np.ndarray, offsets: np.ndarray, rng: np.random.Generator
) -> int:
    reference = _reference_best(queries, vectors, offsets)
    # Every value wanted, no floor: every best exactly (requirement coverage).
    assert np.array_equal(best_line_cosines(queries, vectors, offsets), reference)
    # A floor and some values not wanted (partial skill credit): the wanted ones at the
    # floor or above exactly, the others below the floor.
    wanted = rng.random(reference.shape) < 0.7
    answer = best_line_cosines(queries, vectors, offsets, 0.5, wanted)
    high = wanted & (reference >= 0.5)
    assert np.array_equal(answer[high], reference[high])
    assert (answer[wanted & (reference < 0.5)] < 0.5).all()
    return int(high.sum())


def test_best_line_cosines_equal_the_float64_products_on_real_embeddings(embedder) -> None:
    resumes = [path.read_text() for path in sorted((SAMPLE / "resumes").glob("*.txt"))[:30]]
    postings = pd.read_csv(SAMPLE / "jobs.csv")["description"].astype(str).tolist()[:5]
    groups = [[line.strip() for line in text.splitlines() if line.strip()] for text in resumes]
    groups = [group for group in groups if group]  # a profile's lines are never empty
    vectors = embedder.embed_texts([line for group in groups for line in group])
    offsets = np.cumsum([0] + [len(g) for g in groups[:-1]]).astype(np.int64)
    wanted = [line.strip() for text in postings for line in text.splitlines() if line.strip()]
    queries = embedder.embed_texts(wanted[:80])
    high = _check_best_line_cosines(queries, vectors, offsets, np.random.default_rng(0))
    assert high > 0  # some values at the floor or above were checked


def test_best_line_cosines_equal_the_float64_products_at_near_ties() -> None:
    rng = np.random.default_rng(1)
    checked = 0
    for _ in range(40):
        lines = int(rng.integers(10, 300))
        vectors = rng.standard_normal((lines, 384))
        # Pairs of lines a rounding apart: the rough products cannot tell which is best.
        vectors[1::2] = vectors[0::2][: lines // 2] + 1e-6 * rng.standard_normal((lines // 2, 384))
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        base = vectors[rng.integers(0, lines, 12)]
        noise = rng.standard_normal(base.shape)
        share = rng.uniform(0.3, 0.95, (12, 1))
        queries = share * base + np.sqrt(1 - share**2) * noise / np.linalg.norm(
            noise, axis=1, keepdims=True
        )
        queries /= np.linalg.norm(queries, axis=1, keepdims=True)
        cuts = np.sort(rng.choice(np.arange(1, lines), size=9, replace=False))
        offsets = np.r_[0, cuts].astype(np.int64)
        checked += _check_best_line_cosines(
            queries.astype(np.float32), vectors.astype(np.float32), offsets, rng
        )
    assert checked > 100


@pytest.mark.parametrize("cells", [features.SHARED_EVIDENCE_CELLS, 2_000])
def test_skills_shared_by_postings_are_covered_as_posting_by_posting(
    matcher, embedder, monkeypatch, cells
) -> None:
    """Where postings share their skills, :class:`SharedEvidence` compares every skill asked
    for with every candidate's lines once: each posting's required and preferred coverage of
    its own candidates is exactly what comparing it with them alone gives, whether the
    evidence is made in one run of the resumes or in many (``cells`` small)."""
    postings, resumes = sample_profiles(matcher)
    pairs = np.random.default_rng(7).random((len(postings), len(resumes))) < 0.6
    required = [p.required_groups for p in postings]
    preferred = [p.preferred_groups for p in postings]
    lines = features.LineGroups(embedder, [r.lines for r in resumes])

    def coverage(shared: features.SharedEvidence | None) -> np.ndarray:
        return np.stack(
            [
                skill_coverage(
                    [wanted[row]], resumes, embedder, pairs[row : row + 1], lines, shared
                )[0]
                for wanted in (required, preferred)
                for row in range(len(postings))
            ]
        )

    monkeypatch.setattr(features, "SHARED_EVIDENCE_CELLS", cells)
    monkeypatch.setattr(features, "SHARED_EVIDENCE_SHARE", 1e9)  # shared whatever it costs
    shared = features.SharedEvidence.maybe([required, preferred], resumes, embedder, pairs, lines)
    assert shared is not None
    assert np.array_equal(coverage(shared), coverage(None))
    # The shared evidence is each (skill, resume) value as one call for them all gives it,
    # the embedder's partial credit for paraphrases among them.
    columns = np.flatnonzero(pairs.any(axis=0))
    direct = skill_evidence(sorted(shared.row_of), [resumes[c] for c in columns], embedder)
    assert np.array_equal(shared.values, direct)
    assert np.count_nonzero((direct > 0) & (direct < 1)) > 10
    # Postings sharing nothing with each other: comparing each with its own candidates is
    # cheaper, and nothing is shared.
    monkeypatch.setattr(features, "SHARED_EVIDENCE_SHARE", 0.5)
    one_each = np.eye(len(postings), len(resumes), dtype=bool)
    assert features.SharedEvidence.maybe([required], resumes, embedder, one_each, lines) is None
