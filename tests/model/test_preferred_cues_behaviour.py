"""Preferred and required cues real postings use, read as a recruiter would: CheckList tests.

Each case is a short posting of its own, written for one way of saying "we would like" or "we
demand" that the parser read wrong: the wish words of a sentence ("is valued", "greatly
appreciated", "recommended"), and the sentences outside a posting's requirement sections that
still say what it wants ("The ideal candidate ...", "... is required" in a lead paragraph). Each
test asserts what is read as required or preferred, never a score. The real vocabulary and
parser run; nothing is mocked.
"""

from __future__ import annotations

import pytest

from matcher.parsing.cues import is_required
from matcher.parsing.skills import SkillMatcher
from tests.model.behaviour import read_posting


@pytest.mark.parametrize(
    "wish",
    [
        "Experience with Revit is greatly appreciated.",
        "Knowledge of Revit is valued.",
        "Revit experience recommended.",
        "Familiarity with Revit would be helpful.",
        "Revit skills are also welcome.",
    ],
)
def test_wish_words_make_a_requirement_preferred(matcher: SkillMatcher, wish: str) -> None:
    profile = read_posting(matcher, f"Requirements:\n- AutoCAD is required.\n- {wish}")
    assert "AutoCAD" in profile.required_skills
    assert "Revit" in profile.preferred_skills
    assert "Revit" not in profile.required_skills


def test_a_wish_word_in_one_clause_leaves_the_other_clause_required() -> None:
    sentence = "SQL is required, and Tableau is valued."
    assert is_required(sentence, sentence.index("SQL"))
    assert not is_required(sentence, sentence.index("Tableau"))


def test_an_ordinary_use_of_a_wish_word_is_no_cue() -> None:
    # "valued customers", "a recommended dose": the word is not about the candidate.
    assert is_required("Serve our valued customers using Salesforce.", 30)
    sentence = "Give patients the recommended dose of Heparin."
    assert is_required(sentence, sentence.index("Heparin"))


def test_the_ideal_candidate_in_a_lead_paragraph_is_preferred(matcher: SkillMatcher) -> None:
    profile = read_posting(
        matcher,
        "We are a growing design studio in Denver. The ideal candidate knows SketchUp and "
        "has led client presentations. We sell furniture made with Photoshop mock-ups.\n"
        "Requirements:\n- AutoCAD",
    )
    assert profile.required_skills == ("AutoCAD",)
    assert "SketchUp" in profile.preferred_skills
    assert "Adobe Photoshop" not in profile.preferred_skills  # a lead sentence with no cue


def test_a_demand_in_a_lead_paragraph_is_required(matcher: SkillMatcher) -> None:
    profile = read_posting(
        matcher,
        "Join our warehouse team in Reno. A valid forklift certification is required for "
        "this role. We move freight with SAP every day.\nRequirements:\n- Inventory management",
    )
    assert "Forklift Operation" in profile.required_skills
    assert "Inventory Management" in profile.required_skills
    assert "SAP" not in profile.required_skills  # the company's tools, not a demand


def test_a_wish_among_the_duties_is_preferred_and_the_duties_are_not_read(
    matcher: SkillMatcher,
) -> None:
    profile = read_posting(
        matcher,
        "Responsibilities:\n- Reconcile accounts in QuickBooks.\n- Knowledge of Spanish is a "
        "plus.\nQualifications:\n- Bookkeeping",
    )
    assert profile.required_skills == ("Bookkeeping",)
    assert profile.preferred_skills == ("Spanish",)


def test_a_cue_inside_an_aside_qualifies_only_the_aside(matcher: SkillMatcher) -> None:
    # "(Universal preferred)" prefers the Universal type; the EPA 608 certification is a must.
    profile = read_posting(
        matcher,
        "Must have:\n- EPA 608 certification (Universal preferred)\n- Valid driver's license",
    )
    assert "EPA 608 Certification" in profile.required_skills
    assert "EPA 608 Certification" not in profile.preferred_skills


def test_a_bracket_that_is_only_a_cue_still_qualifies_what_it_follows(
    matcher: SkillMatcher,
) -> None:
    profile = read_posting(
        matcher, "Requirements:\n- AutoCAD\n- Revit (a big plus)\n- SketchUp (preferred)"
    )
    assert profile.required_skills == ("AutoCAD",)
    assert set(profile.preferred_skills) == {"Revit", "SketchUp"}


def test_years_inside_an_aside_keep_its_cue() -> None:
    sentence = "SQL (3+ years preferred)"
    assert is_required(sentence, sentence.index("SQL"))
    assert not is_required(sentence, sentence.index("3+"))


@pytest.mark.parametrize(
    ("phrase", "skill"),
    [
        ("Must be organized and able to work alone.", "Organizational Skills"),
        ("Ability to manage your time and meet targets.", "Time Management"),
        ("A professional attitude is required at all times.", "Professionalism"),
        ("Able to think critically under pressure.", "Critical Thinking"),
        ("Able to adjust to change in a busy shop.", "Adaptability"),
    ],
)
def test_common_wordings_of_soft_skills_are_read(
    matcher: SkillMatcher, phrase: str, skill: str
) -> None:
    profile = read_posting(matcher, f"Requirements:\n- {phrase}")
    assert skill in profile.required_skills


def test_a_crane_certification_is_a_requirement_of_its_own(matcher: SkillMatcher) -> None:
    # A rigger who works around cranes shows crane work, not the NCCCO certification.
    profile = read_posting(
        matcher,
        "Requirements:\n- NCCCO certification for mobile cranes\n- 3 years of crane work",
    )
    assert "NCCCO Certification" in profile.required_skills
    rigger = matcher.skills("Rigger and signal person on crane lifts for six years.")
    assert "NCCCO Certification" not in rigger


def test_list_items_glued_to_the_word_before_them_are_read(matcher: SkillMatcher) -> None:
    # A scraped one-line posting lost its line breaks: "reviewsDFMEA", "solverEducation".
    profile = read_posting(
        matcher,
        "Pump Design Engineer We build centrifugal pumps for water utilities in our own plant. "
        "Requirements: Experience leading pump seal design reviewsDFMEA for new parts is "
        "preferredA strong problem solverEducation: Bachelor's degree in mechanical engineering",
    )
    assert "Failure Mode and Effects Analysis" in profile.preferred_skills
    assert "Problem Solving" in profile.required_skills
    assert profile.requirements.degree_required is not None


def test_preferably_after_a_comma_makes_only_its_own_clause_preferred(
    matcher: SkillMatcher,
) -> None:
    # "Proven experience in sales, preferably in food and beverage": sales is still required.
    profile = read_posting(
        matcher, "Requirements:\n- Experience with Python, preferably with Django.\n- SQL"
    )
    assert profile.required_skills == ("Python", "SQL")
    assert profile.preferred_skills == ("Django",)


def test_at_least_beside_preferred_bounds_an_amount_and_demands_nothing(
    matcher: SkillMatcher,
) -> None:
    profile = read_posting(
        matcher, "Requirements:\n- At least 3 years of SQL experience preferred.\n- Python"
    )
    assert profile.required_skills == ("Python",)
    assert profile.preferred_skills == ("SQL",)
    assert profile.requirements.min_years is None


@pytest.mark.parametrize(
    ("posting", "wished"),
    [
        ("Requirements:\n- Python\n- Tableau, not required.", "Tableau"),
        ("Preferred:\n- Spanish, not mandatory.\n- Python", "Spanish"),
    ],
)
def test_a_negated_demand_is_a_wish(matcher: SkillMatcher, posting: str, wished: str) -> None:
    profile = read_posting(matcher, posting)
    assert wished in profile.preferred_skills
    assert wished not in profile.required_skills


def test_bracketed_labels_that_open_lines_act_as_headings(matcher: SkillMatcher) -> None:
    # A scraped list whose "(Desired)" label ran into the last required item's line.
    profile = read_posting(
        matcher,
        "Technical Skills:\n(Required) Hardware design experience\n"
        "GD&T knowledge (Desired) FMEA experience\nProduct development experience",
    )
    assert "GD&T" in profile.required_skills
    assert set(profile.preferred_skills) == {
        "Failure Mode and Effects Analysis",
        "Product Development",
    }


def test_a_wish_lead_with_a_colon_makes_its_list_preferred_up_to_the_next_lead(
    matcher: SkillMatcher,
) -> None:
    profile = read_posting(
        matcher,
        "About the role:\nJoin our sales team. This might be a good fit if you:\n"
        "- Are a natural at persuasion\n- Know Salesforce\nYou'll be expected to:\n"
        "- Log every call in HubSpot\nRequirements:\n- Cold calling",
    )
    assert profile.required_skills == ("Cold Calling",)
    assert set(profile.preferred_skills) == {"Persuasion", "Salesforce"}  # HubSpot is a duty
