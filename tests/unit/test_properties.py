"""Property-based tests: whatever text or bytes arrive, the text steps return text and never raise.

Hypothesis generates the inputs. The strategies lean towards the characters that break text code
(markup, bullets, digits, separators, line breaks, control characters), not only random Unicode.
Runs are deterministic (``derandomize``) so that CI is reproducible; the example counts are set
by the ``matcher`` profile in ``tests/conftest.py``.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.io.csv_safety import (
    FORMULA_PREFIXES,
    neutralise_cell,
    plain_cell,
    unguard_cell,
    write_safe_csv,
)
from matcher.io.readers import DocumentError, decode_bytes, read_document
from matcher.text.cleaning import clean_text, html_to_text, normalise_bullets, normalise_whitespace
from matcher.text.contact import extract_contact, find_emails, find_phones, redact
from matcher.text.dates import find_date_ranges, match_date_ranges, merged_years
from matcher.text.sections import split_sections, split_title

# Pieces that real documents are made of, so that generated text reaches the interesting paths.
_PIECES = [
    "<p>",
    "</p>",
    "<li>",
    "</li>",
    "<ul>",
    "<br>",
    "<div>",
    "<b>",
    "</b>",
    "<!--",
    "-->",
    "&amp;",
    "&nbsp;",
    "&#x41;",
    "<script>",
    "<table><tr><td>",
    "</td><td>",
    "• ",
    "- ",
    "* ",
    "1) ",
    "(2) ",
    "o ",
    "\uf0b7",
    "Experience",
    "EXPERIENCE:",
    "Skills",
    "Education",
    "Requirements",
    "Summary\n",
    "Jan 2019 - Present",
    "2015 – 2018",
    "03/2020 to 06/2021",
    "Summer 2017",
    "since 2012",
    "+1 (555) 123-4567",
    "(02) 9876 5432",
    "555/123-4567",
    "+44 20 7946 0958",
    "07911 123456",
    "jane.doe+cv@example.co.uk",
    "a@b.io",
    "linkedin.com/in/jane",
    "https://github.com/x",
    "Python",
    "SQL",
    "5+ years",
    "Bachelor's degree",
    "Ã©",
    "â€™",
    "\u200b",
    "\u00ad",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "\t",
    " ",
    "  ",
    "\x00",
    "\x0b",
    "\u2028",
    "|",
    ":",
    "=",
    "@",
]

texts = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=8)), max_size=40).map("".join),
)


def _is_text(value: object) -> bool:
    return isinstance(value, str)


# --- readers ----------------------------------------------------------------------------------


@given(st.binary(max_size=2000))
def test_decode_bytes_returns_text_or_a_document_error(data: bytes) -> None:
    try:
        text, encoding = decode_bytes(data)
    except DocumentError as error:
        assert str(error)
        return
    assert _is_text(text)
    assert encoding in {"utf-8-sig", "cp1252", "utf-16"}


@given(texts)
def test_utf8_text_decodes_to_itself(text: str) -> None:
    try:
        decoded, encoding = decode_bytes(text.encode("utf-8"))
    except DocumentError:
        return  # binary-looking text (many control characters) may be refused, with a reason
    assert encoding == "utf-8-sig"
    assert decoded == text.removeprefix("\ufeff")


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".pdf", ".docx"])
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=3000), texts.map(lambda t: t.encode("utf-8"))))
def test_read_document_returns_text_or_a_document_error(
    tmp_path: Path, suffix: str, data: bytes
) -> None:
    path = tmp_path / f"doc{suffix}"
    path.write_bytes(data)
    try:
        text = read_document(path)
    except DocumentError as error:
        assert str(error)
        return
    assert _is_text(text)


# --- cleaning ---------------------------------------------------------------------------------


@given(texts)
def test_clean_text_returns_clean_text(text: str) -> None:
    cleaned = clean_text(text)
    assert _is_text(cleaned)
    assert "\r" not in cleaned
    assert "\x00" not in cleaned
    assert cleaned == cleaned.strip("\n")
    assert "\n\n\n" not in cleaned


@given(texts)
def test_each_cleaning_step_returns_text(text: str) -> None:
    assert _is_text(html_to_text(text))
    normalised = normalise_whitespace(text)
    assert normalise_whitespace(normalised) == normalised
    assert _is_text(normalise_bullets(normalised))


@given(texts)
def test_cleaning_is_stable(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == clean_text(clean_text(once))


# --- sections ---------------------------------------------------------------------------------


@given(texts)
def test_sections_cover_only_the_text(text: str) -> None:
    cleaned = clean_text(text)
    sections = split_sections(cleaned)
    for section in sections:
        assert _is_text(section.name)
        assert _is_text(section.text)
        for line in section.text.split("\n"):
            assert line in cleaned
    title, body = split_title(cleaned)
    assert _is_text(title)
    assert _is_text(body)


# --- dates ------------------------------------------------------------------------------------


@given(texts)
def test_date_ranges_are_ordered_and_sum_to_a_sane_number_of_years(text: str) -> None:
    ranges, problems = find_date_ranges(text)
    assert all(_is_text(problem) for problem in problems)
    for found in ranges:
        assert found.start <= found.end
    years = merged_years(ranges)
    assert 0.0 <= years <= 100.0
    for match in match_date_ranges(text):
        assert 0 <= match.start < match.end <= len(text)
        assert (match.range is None) != (match.problem is None)


# --- contact ----------------------------------------------------------------------------------


@given(texts)
def test_contact_fields_are_exactly_what_the_text_says(text: str) -> None:
    for phone in find_phones(text):
        assert phone in text
    for email in find_emails(text):
        assert email in text
    contact = extract_contact(text)
    for value in (contact.name, contact.email, contact.phone):
        assert value is None or (_is_text(value) and value.strip())
    if contact.email is not None:
        assert contact.email in text
    if contact.phone is not None:
        assert contact.phone in text


@given(texts)
def test_redaction_removes_every_email_and_phone_it_finds(text: str) -> None:
    redacted = redact(text)
    assert _is_text(redacted)
    for email in find_emails(text):
        assert email not in find_emails(redacted)


# --- CSV writer -------------------------------------------------------------------------------


@given(texts)
def test_a_neutralised_cell_never_starts_a_formula(value: str) -> None:
    safe = neutralise_cell(value)
    assert not safe.startswith(FORMULA_PREFIXES)
    assert safe in (value, "'" + value)
    assert unguard_cell(safe) == value  # the README's rule for joining back to the inputs


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(texts, st.one_of(st.integers(-(10**6), 10**6), st.floats(-1e6, 1e6))),
        min_size=1,
        max_size=8,
    )
)
def test_written_csv_reads_back_without_formulas(tmp_path: Path, rows: list) -> None:  # type: ignore[type-arg]
    frame = pd.DataFrame(rows, columns=["text", "number"])
    path = tmp_path / "out.csv"
    write_safe_csv(frame, path)
    raw = path.read_bytes()
    assert b"\x00" not in raw
    back = pd.read_csv(
        io.BytesIO(raw), dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8"
    )
    assert len(back) == len(frame)
    for column in back.columns:
        for cell in back[column]:
            assert not cell.startswith(FORMULA_PREFIXES), cell
    # Text comes back as written, apart from the guard's quote and the plain line breaks.
    assert list(back["text"]) == [neutralise_cell(plain_cell(text)) for text, _ in rows]


@given(texts)
def test_a_plain_cell_has_no_control_characters(value: str) -> None:
    plain = plain_cell(value)
    assert "\r" not in plain
    assert all(char in "\t\n" or ord(char) >= 32 for char in plain if ord(char) < 128)
