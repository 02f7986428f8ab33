"""Each cleaning step on its own, then clean_text as a whole."""

from __future__ import annotations

import pytest

from matcher.text.cleaning import (
    clean_text,
    fix_encoding,
    html_to_text,
    normalise_bullets,
    normalise_whitespace,
)

# --- fix_encoding -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("â€¢ Python", "• Python"),
        ("2019 â€“ 2021", "2019 – 2021"),
        ("RÃ©sumÃ© of JosÃ©", "Résumé of José"),
        ("Iâ€™m a â€œteam playerâ€\x9d", 'I\'m a "team player"'),
    ],
)
def test_fix_encoding_repairs_mojibake(broken: str, fixed: str) -> None:
    assert fix_encoding(broken) == fixed


def test_fix_encoding_normalises_compatibility_characters() -> None:
    # ligature, full-width letters, no-break space
    assert fix_encoding("ﬁnance ＳＱＬ\u00a0skills") == "finance SQL skills"


def test_fix_encoding_keeps_clean_unicode() -> None:
    text = "Chloé Müller • Zürich – 東京"
    assert fix_encoding(text) == text


# --- html_to_text -----------------------------------------------------------------------------


def test_html_list_items_become_bullet_lines() -> None:
    html = "<p>Skills:</p><ul><li>Python</li><li>SQL &amp; dbt</li></ul><p>Done</p>"
    assert html_to_text(html) == "Skills:\n\n- Python\n- SQL & dbt\n\nDone"


def test_html_nested_lists_have_no_blank_lines_between_items() -> None:
    html = "<ul><li>Cloud<ul><li>AWS</li><li>GCP</li></ul></li><li>Go</li></ul>"
    assert html_to_text(html) == "- Cloud\n- AWS\n- GCP\n- Go"


def test_html_block_elements_and_br_break_lines() -> None:
    html = "<div>Jane Doe</div><div>Data Engineer<br>Berlin<br/>Germany</div><h2>Skills</h2>x"
    assert html_to_text(html) == "Jane Doe\nData Engineer\nBerlin\nGermany\n\nSkills\n\nx"


def test_html_source_newlines_and_indentation_collapse_like_a_browser() -> None:
    html = "<p>Built   pipelines\n    in <b>Airflow</b>\n</p>\n   <p>Led a team</p>"
    assert html_to_text(html) == "Built pipelines in Airflow\n\nLed a team"


def test_html_full_page_drops_head_scripts_styles_and_comments() -> None:
    html = (
        "<!DOCTYPE html><html><head><title>CV</title><style>p {color: red}</style>"
        "<script>var x = '<p>no</p>';</script></head><body><!-- hidden -->"
        "<p>Visible</p></body></html>"
    )
    assert html_to_text(html) == "Visible"


def test_html_table_cells_are_joined_per_row() -> None:
    html = "<table><tr><th>Skill</th><th>Years</th></tr><tr><td>Python</td><td>5</td></tr></table>"
    assert html_to_text(html) == "Skill | Years\nPython | 5"


def test_html_entities_are_unescaped() -> None:
    assert html_to_text("<p>R&amp;D &ndash; caf&eacute; &#8226; &lt;tag&gt;</p>") == (
        "R&D – café • <tag>"
    )


def test_html_inline_only_fragment_keeps_its_own_line_breaks() -> None:
    text = "Name: <b>Jane</b>\nSkills: <i>Python</i>"
    assert html_to_text(text) == "Name: Jane\nSkills: Python"


def test_html_fragments_in_a_plain_text_file_keep_its_lines() -> None:
    text = (
        "Ryan O'Connor\nSite Reliability Engineer<br>\nDenver, CO\n\n<b>Summary</b>\n"
        "SRE with 7 years\non AWS.\n\n<b>Skills</b>\n<ul><li>Kubernetes</li>\n<li>CI/CD &amp; "
        "Argo</li></ul>\n\nSenior SRE &ndash; Peakflow\n- Run 14 clusters"
    )
    assert html_to_text(text) == (
        "Ryan O'Connor\nSite Reliability Engineer\nDenver, CO\n\nSummary\nSRE with 7 years\n"
        "on AWS.\n\nSkills\n- Kubernetes\n- CI/CD & Argo\n\nSenior SRE – Peakflow\n"
        "- Run 14 clusters"
    )


def test_html_mixed_into_plain_text() -> None:
    text = "Summary<br>Engineer with <b>5</b> years<ul><li>Python</li></ul>"
    assert html_to_text(text) == "Summary\nEngineer with 5 years\n- Python"


@pytest.mark.parametrize(
    "text",
    [
        "Plain text with a < b and c > d",
        "Experience <5 years> is fine",
        "C++ <3 and a <template> word",
        "Line one\n\nLine two",
    ],
)
def test_text_without_html_is_untouched(text: str) -> None:
    assert html_to_text(text) == text


def test_entities_without_tags_are_only_unescaped() -> None:
    assert html_to_text("R&amp;D\n  AT&T  ") == "R&D\n  AT&T  "


def test_empty_html_gives_empty_text() -> None:
    assert html_to_text("<html><body><p> </p><ul><li></li></ul></body></html>") == ""


# --- normalise_whitespace ---------------------------------------------------------------------


def test_whitespace_tabs_nbsp_and_zero_width() -> None:
    text = "Skills:\tPython\u00a0\u00a0SQL\u200b\nGo\u2003Rust\ufeff"
    assert normalise_whitespace(text) == "Skills: Python SQL\nGo Rust"


def test_whitespace_strips_lines_and_collapses_blank_runs() -> None:
    text = "\n\n  Jane  \n\n\n\n\nSkills   \n \t \n\nPython\n\n\n"
    assert normalise_whitespace(text) == "Jane\n\nSkills\n\nPython"


def test_whitespace_unifies_line_breaks_and_drops_controls() -> None:
    text = "a\r\nb\rc\x0cd\u2028e\x07f"
    assert normalise_whitespace(text) == "a\nb\nc\nd\nef"


def test_whitespace_single_blank_line_is_kept() -> None:
    assert normalise_whitespace("a\n\nb") == "a\n\nb"


# --- normalise_bullets ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "• Python",
        "•Python",
        "● Python",
        "▪ Python",
        "◦ Python",
        "➢ Python",
        "\uf0b7 Python",
        "* Python",
        "+ Python",
        "· Python",
        "– Python",
        "— Python",
        "o Python",
        "-Python",
        "-   Python",
        "1) Python",
        "2. Python",
        "(3) Python",
        "12. Python",
        "  • Python",
    ],
)
def test_bullets_become_dash_space(line: str) -> None:
    assert normalise_bullets(line) == "- Python"


@pytest.mark.parametrize(
    ("line", "item"),
    [
        ("1. 3 years as a baker", "- 3 years as a baker"),
        ("2) 10 years of Python", "- 10 years of Python"),
        ("1. 2019 - 2021 Acme", "- 2019 - 2021 Acme"),
        ("(3) 5+ years of SQL", "- 5+ years of SQL"),
    ],
)
def test_numbered_items_that_start_with_a_number_are_still_items(line: str, item: str) -> None:
    assert normalise_bullets(line) == item


@pytest.mark.parametrize(
    "line",
    [
        "*args and **kwargs",
        "3.5 years of Python",
        "2019 – 2021 at Acme",
        "-3 dB noise floor",
        "+1 555 0100",
        "on time delivery",
        "Python • SQL • Go",
        "100. Not a list number",
        "(02) 9876 5432",
        "02) 9876 5432",
        "(0) 20 7946 0958",
        "+ 61 2 9876 5432",
    ],
)
def test_non_bullets_are_left_alone(line: str) -> None:
    assert normalise_bullets(line) == line


def test_bullets_only_at_line_start_in_multiline_text() -> None:
    text = "Skills\n• Python\n* SQL\nNotes: a • b\n1) Go"
    assert normalise_bullets(text) == "Skills\n- Python\n- SQL\nNotes: a • b\n- Go"


# --- clean_text -------------------------------------------------------------------------------


def test_clean_text_repairs_mojibake_bullets_before_normalising_them() -> None:
    text = "Skills\r\nâ€¢ Python\r\nâ€¢\tSQL\r\n\r\n\r\n\r\nExperience\r\nAcme 2019 â€“ 2021"
    assert clean_text(text) == "Skills\n- Python\n- SQL\n\nExperience\nAcme 2019 – 2021"


def test_clean_text_on_html_fragment() -> None:
    text = "<p><strong>Requirements</strong></p><ul><li>5+ years&nbsp;Python</li><li>SQL</li></ul>"
    assert clean_text(text) == "Requirements\n\n- 5+ years Python\n- SQL"


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        # a role's dates in italics read as dates (the role was lost, 3.8 of 6.8 years)
        (
            "**Agent**, Acme — _Mar 2024 – Present_\n_2020 – 2024_",
            "Agent, Acme — Mar 2024 – Present\n2020 – 2024",
        ),
        ("- __Python__, *SQL*, ***dbt***", "- Python, SQL, dbt"),
        # no emphasis: inside words and numbers, a lone marker, a bullet
        ("snake_case_name, 2*3*4, a * b", "snake_case_name, 2*3*4, a * b"),
        ("* Python", "- Python"),
        ("_x and y_z", "_x and y_z"),
    ],
)
def test_clean_text_drops_markdown_emphasis(text: str, clean: str) -> None:
    assert clean_text(text) == clean


def test_clean_text_whitespace_only_becomes_empty() -> None:
    assert clean_text(" \t\u00a0\u200b\n\n \r\n") == ""


@pytest.mark.parametrize(
    "text",
    [
        "â€¢ Python\n\n\n\n* SQL\t \n",
        "<ul><li>Go</li><li>Rust</li></ul>",
        "Jane   Doe\u00a0\n1) one\n2) two",
        "CafÃ© — éclair",
    ],
)
def test_clean_text_is_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once


# --- HTML of any depth ------------------------------------------------------------------------


@pytest.mark.parametrize("tag", ["div", "b", "li", "td", "p"])
def test_html_nested_far_beyond_the_recursion_limit(tag: str) -> None:
    nested = f"<{tag}>" * 20_000 + "Python and SQL" + f"</{tag}>" * 20_000
    assert " ".join(html_to_text(nested).replace("|", " ").replace("- ", " ").split()) == (
        "Python and SQL"
    )


def test_html_unclosed_tags_nested_deeply() -> None:
    text = clean_text("<ul><li>Python" * 5_000)
    assert text.count("Python") == 5_000


def test_html_layout_stops_at_max_depth_but_keeps_the_text() -> None:
    page = "<div><p>Skills</p><ul><li>Python</li><li>SQL</li></ul></div>"
    assert html_to_text(page) == "Skills\n\n- Python\n- SQL"
    assert html_to_text(page, max_depth=2) == "Skills\n\nPython SQL"
    assert html_to_text(page, max_depth=1) == "Skills Python SQL"
    assert clean_text(page, max_html_depth=1) == "Skills Python SQL"


def test_html_beyond_max_depth_still_drops_scripts() -> None:
    page = "<div>" * 5 + "<p>Jane</p><script>alert(1)</script><style>p{}</style>" + "</div>" * 5
    assert html_to_text(page, max_depth=2) == "Jane"
