"""Unit tests of the built-in skill vocabulary and of SkillMatcher."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import FrozenInstanceError

import pandas as pd
import pytest

from matcher.parsing.skills import (
    SkillMatcher,
    SkillMention,
    Vocabulary,
    bare_forms,
    skill_key,
    tokenize,
)

DOMAINS = (
    "programming_language",
    "web",
    "database",
    "data",
    "machine_learning",
    "cloud",
    "devops",
    "security",
    "business",
    "finance",
    "healthcare",
    "trades",
    "manufacturing",
    "engineering",
    "legal",
    "design",
    "marketing",
    "sales",
    "hr",
    "logistics",
    "education",
    "language",
    "soft_skill",
)


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary.builtin()


@pytest.fixture(scope="module")
def matcher(vocabulary: Vocabulary) -> SkillMatcher:
    return SkillMatcher(vocabulary)


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows)


# --- the built-in vocabulary ---------------------------------------------------------------


def test_builtin_vocabulary_is_large_and_covers_every_domain(vocabulary: Vocabulary) -> None:
    frame = vocabulary.frame
    assert len(vocabulary) >= 1500
    assert list(frame.columns) == ["skill", "category", "aliases", "ambiguous", "source"]
    assert set(frame["source"]) == {"builtin"}
    counts = frame["category"].value_counts()
    for domain in DOMAINS:
        assert counts.get(domain, 0) >= 10, f"few skills in {domain}"
    # Languages and soft skills are kept few on purpose, but present.
    assert counts["soft_skill"] < counts["healthcare"]


def test_canonical_names_are_unique_and_no_alias_maps_to_two_skills(
    vocabulary: Vocabulary,
) -> None:
    owners: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for skill, aliases in zip(vocabulary.frame["skill"], vocabulary.frame["aliases"], strict=True):
        for form in (skill, *aliases):
            owners[skill_key(form)].add(skill)
    shared = {key: names for key, names in owners.items() if len(names) > 1}
    assert not shared
    names = vocabulary.frame["skill"].map(skill_key)
    assert names.is_unique


def test_common_words_are_flagged_ambiguous(vocabulary: Vocabulary) -> None:
    flagged = set(vocabulary.frame.loc[vocabulary.frame["ambiguous"], "skill"])
    for skill in (
        "C",
        "R",
        "Go",
        "Excel",
        "Java",
        "Spring",
        "Swift",
        "Rust",
        "Ruby",
        "Less",
        "Make",
        "Chef",
        "Puppet",
        "Microsoft Access",
        "Microsoft Word",
        "Microsoft Office",
        "Sales",
    ):
        assert skill in flagged, skill
    assert "Python" not in flagged
    assert "Kubernetes" not in flagged


def test_bare_forms_are_the_one_word_names() -> None:
    assert bare_forms("Microsoft Word", ["MS Word", "Word"]) == ["Word"]
    assert bare_forms("Go", ["Golang", "Go programming language"]) == ["Go"]
    assert bare_forms("Google Cloud Dataflow", ["Dataflow"]) == ["Dataflow"]


# --- aliases, tokens and boundaries --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("Operated k8s clusters", "Kubernetes"),
        ("Tuned Postgres queries", "PostgreSQL"),
        ("Wrote JS for the checkout", "JavaScript"),
        ("Expert in MS Excel", "Excel"),
        ("Active RN license in Ohio", "Registered Nurse"),
        ("BLS and ACLS certified", "Basic Life Support"),
        ("BLS and ACLS certified", "Advanced Cardiac Life Support"),
        ("Produced CAD drawings", "Computer-Aided Design"),
        ("Holds an OSHA 30 card", "OSHA 30"),
        ("Statements under US GAAP", "GAAP"),
        ("Built with sklearn", "scikit-learn"),
        ("Led R&D for sensors", "Research and Development"),
    ],
)
def test_aliases_map_to_canonical_names(matcher: SkillMatcher, text: str, skill: str) -> None:
    assert skill in matcher.skills(text)


def test_tokens_keep_symbols_that_belong_to_names() -> None:
    tokens = [token for token, _, _ in tokenize("C++, C#, F#, .NET, ASP.NET, Node.js and CI/CD.")]
    assert tokens == ["C++", "C#", "F#", ".NET", "ASP.NET", "Node.js", "and", "CI", "/", "CD"]


def test_keys_ignore_case_hyphens_and_plurals() -> None:
    assert skill_key("Front-End") == skill_key("front end")
    assert skill_key("Pivot Tables") == skill_key("pivot table")
    assert skill_key("technologies") == skill_key("technology")
    assert skill_key("CMMS") != skill_key("CMM")  # an acronym ending in S is not a plural
    assert skill_key("Canvas") != skill_key("Canva")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C++ and C# developer", {"C++", "C#"}),
        ("Wrote .NET and ASP.NET Core services", {".NET", "ASP.NET Core"}),
        ("Node.js and Vue.js front ends", {"Node.js", "Vue.js"}),
        ("Maintained CI/CD with GitHub Actions", {"CI/CD", "GitHub Actions"}),
        ("Tuned T-SQL and PL/SQL procedures", {"T-SQL", "PL/SQL"}),
        ("JavaScript and TypeScript", {"JavaScript", "TypeScript"}),
        ("Spring Boot microservices", {"Spring Boot", "Microservices"}),
        # An audit of another field is that field's work, not the finance skill Auditing
        ("Ran SEO audits and a technical SEO audit", {"Search Engine Optimization"}),
        ("Weekly chart audits on the unit", {"Clinical Documentation"}),
        ("Led code audits of the payments service", {"Code Review"}),
        ("Led financial audits and external audits", {"Auditing"}),
    ],
)
def test_boundaries_and_longest_match(matcher: SkillMatcher, text: str, expected: set) -> None:
    assert matcher.skills(text) == expected


def test_java_is_not_found_inside_javascript(matcher: SkillMatcher) -> None:
    assert "Java" not in matcher.skills("Senior JavaScript engineer (Java Script, JS)")


# --- case rules ----------------------------------------------------------------------------


def test_acronyms_only_match_in_capitals(matcher: SkillMatcher) -> None:
    assert matcher.skills("The tree sap and my pals saw a dot") == set()
    found = matcher.skills("SAP, PALS and DOT compliance")
    assert {"SAP", "Pediatric Advanced Life Support", "DOT Regulations"} <= found
    assert "API Design" in matcher.skills("Built APIs for partners")
    assert "API Design" not in matcher.skills("the apis of the region")


def test_unambiguous_names_match_in_any_case(matcher: SkillMatcher) -> None:
    assert matcher.skills("python, kubernetes and postgresql") == {
        "Python",
        "Kubernetes",
        "PostgreSQL",
    }


def test_bare_forms_need_their_own_case(matcher: SkillMatcher) -> None:
    assert matcher.skills("skills: go, excel, spring") == set()
    assert matcher.skills("Skills: Go, Excel, Spring") == {"Go", "Excel", "Spring"}
    # A line in capitals may write them in capitals.
    assert matcher.skills("SKILLS: GO, EXCEL, PYTHON") == {"Go", "Excel", "Python"}


# --- ambiguity -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I excel at customer service.",
        "Excel at building trust.",
        "Ready to go the extra mile.",
        "The go-to person for audits.",
        "We launched in Spring 2023 after a swift review.",
        "Swift turnaround on every order.",
        "Ruby Lee approved the budget.",
        "Less travel is expected.",
        "Make sure every form is signed.",
        "Head Chef at a bistro.",
        "Hand puppet shows for kids.",
        "Access to the lab is badge-only.",
        "Word of mouth brought clients.",
        "Office hours are 9 to 5.",
        "Sales grew 12% last year.",
        "Take vitamin C daily.",
        "Reports to the C-suite.",
        "Trip to Java and Bali.",
        "Rust on the hull was removed.",
        "Solid understanding of network protocols.",
        "Paged the floor on the intercom.",
        "The concordance of both raters was high.",
        "Graduated in Spring 2021.",
        "Lived in Java for two years.",
        "Grade in C overall.",
    ],
)
def test_ambiguous_words_in_prose_are_not_skills(matcher: SkillMatcher, text: str) -> None:
    found = matcher.skills(text)
    bare = {"Excel", "Go", "Spring", "Swift", "Ruby", "Less", "Make", "Chef", "Puppet"}
    bare |= {"Microsoft Access", "Microsoft Word", "Microsoft Office", "Sales", "C", "Java"}
    bare |= {"Rust", "SOLID Principles", "Intercom", "Concordance"}
    assert not found & bare, found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Languages: C, C++, Go, R", {"C", "C++", "Go", "R"}),
        ("Built services in Go (Golang)", {"Go"}),
        ("Statistical modelling in R", {"Statistics", "R"}),
        ("Advanced MS Excel", {"Excel"}),
        ("Proficient in Excel", {"Excel"}),
        ("Rust and Python developer", {"Rust", "Python"}),
        ("Tools: Make, Chef, Puppet", {"Make", "Chef", "Puppet"}),
        ("Word, Excel and PowerPoint", {"Microsoft Word", "Excel", "Microsoft PowerPoint"}),
        ("Swift programming for iOS", {"Swift", "iOS Development"}),
        ("Mentored juniors on SOLID principles", {"SOLID Principles"}),
        ("Reviewed documents in Concordance and Relativity", {"Concordance", "Relativity"}),
        # "in" before a name that ends its clause: a tool (the paralegal's evidence quoted
        # "productions in Relativity." while Relativity was listed missing)
        ("Ran review batches and productions in Relativity.", {"Relativity"}),
        ("Charted every shift in Epic, then audited it.", {"Epic"}),
        ("Tools: Intercom, Zendesk", {"Intercom", "Zendesk"}),
    ],
)
def test_ambiguous_words_in_skill_context_are_skills(
    matcher: SkillMatcher, text: str, expected: set
) -> None:
    assert expected <= matcher.skills(text)


def test_skills_heading_makes_list_items_count(matcher: SkillMatcher) -> None:
    text = "Technical Skills\n- Go\n- Excel\n\nExperience\n- Go\n- Excel at sports"
    mentions = matcher.find(text)
    assert [(m.skill, m.start) for m in mentions] == [
        ("Go", text.index("Go")),
        ("Excel", text.index("Excel")),
    ]


def test_two_ambiguous_tools_of_one_kind_form_a_list(matcher: SkillMatcher) -> None:
    assert matcher.skills("Met on Slack and Zoom.") == {"Slack", "Zoom"}
    assert matcher.skills("Met on Slack and Zoom daily.") == {"Slack"}  # Zoom is no list item
    assert matcher.skills("Ruby met Swift") == set()


# --- mentions: offsets and evidence --------------------------------------------------------


def test_mentions_carry_offsets_surface_and_sentence(matcher: SkillMatcher) -> None:
    text = "Summary\n- Deployed apps on k8s. Wrote Terraform modules.\n* Skills: Postgres, Go"
    mentions = matcher.find(text)
    assert [m.skill for m in mentions] == ["Kubernetes", "Terraform", "PostgreSQL", "Go"]
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.surface
    k8s, terraform, postgres, go = mentions
    assert k8s.surface == "k8s"
    assert k8s.category == "devops"
    assert k8s.sentence == "Deployed apps on k8s."
    assert terraform.sentence == "Wrote Terraform modules."
    assert postgres.surface == "Postgres"
    assert go.sentence == "Skills: Postgres, Go"


def test_repeated_skill_gives_one_mention_per_occurrence(matcher: SkillMatcher) -> None:
    mentions = matcher.find("Python; more Python; python3")
    assert [m.surface for m in mentions] == ["Python", "Python", "python3"]
    assert matcher.skills("Python; more Python; python3") == {"Python"}


def test_empty_text_has_no_mentions(matcher: SkillMatcher) -> None:
    assert matcher.find("") == []
    assert matcher.skills("   \n") == set()


def test_mentions_are_frozen(matcher: SkillMatcher) -> None:
    mention = matcher.find("Python")[0]
    assert isinstance(mention, SkillMention)
    with pytest.raises(FrozenInstanceError):
        mention.skill = "Java"  # type: ignore[misc]


# --- building vocabularies -----------------------------------------------------------------


def test_from_frame_accepts_alias_strings_and_lists() -> None:
    vocabulary = Vocabulary.from_frame(
        _frame(
            [
                {"skill": "Widgetry", "category": "x", "aliases": "widgets|WGT"},
                {"skill": "Gizmos", "category": "x", "aliases": ["gizmo work"]},
            ]
        )
    )
    assert vocabulary.frame["aliases"].tolist() == [["widgets", "WGT"], ["gizmo work"]]
    assert vocabulary.frame["source"].tolist() == ["custom", "custom"]
    assert SkillMatcher(vocabulary).skills("WGT and gizmo work") == {"Widgetry", "Gizmos"}


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"skill": "A1"}], "lacks column"),
        ([{"skill": "", "category": "x"}], "row 0"),
        ([{"skill": "Foo", "category": "x"}, {"skill": "foo", "category": "y"}], "'foo'"),
        (
            [
                {"skill": "Foo", "category": "x", "aliases": "bar"},
                {"skill": "Baz", "category": "x", "aliases": "Bar"},
            ],
            "alias 'Bar' is already a name or alias of 'Foo'",
        ),
        ([{"skill": "Foo", "category": "x", "ambiguous": "maybe"}], "ambiguous must be"),
        ([{"skill": "Foo Bar", "category": "x", "ambiguous": True}], "no one-word form"),
        ([{"skill": "Foo", "category": ""}], "empty category"),
    ],
)
def test_from_frame_rejects_bad_vocabularies(rows: list[dict], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Vocabulary.from_frame(_frame(rows))


def test_merge_keeps_builtin_on_conflicts_and_adds_new_skills(vocabulary: Vocabulary) -> None:
    other = Vocabulary.from_frame(
        _frame(
            [
                {"skill": "python", "category": "other", "source": "test"},  # name taken
                {"skill": "Widgetry", "category": "other", "aliases": "k8s|widgets"},
            ]
        )
    )
    merged = vocabulary.merge(other)
    assert len(merged) == len(vocabulary) + 1
    row = merged.frame.set_index("skill").loc["Widgetry"]
    assert row["aliases"] == ["widgets"]  # k8s stays with Kubernetes
    assert merged.frame.set_index("skill").loc["Python", "category"] == "programming_language"
    assert len(other) == 2  # inputs are unchanged
    assert SkillMatcher(merged).skills("k8s widgets") == {"Kubernetes", "Widgetry"}


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("Fast problem solver", "Problem Solving"),
        ("Excellent communicator", "Communication Skills"),
        ("Good eye for detail", "Attention to Detail"),
        ("Highly analytical thinker", "Analytical Skills"),
        ("Strong managerial abilities", "Management Skills"),
        ("Skilled troubleshooter", "Troubleshooting"),
    ],
)
def test_common_phrasings_of_soft_skills(matcher: SkillMatcher, text: str, skill: str) -> None:
    assert skill in matcher.skills(text)
