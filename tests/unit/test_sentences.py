"""The one sentence splitter: each rule where the former copies disagreed."""

from __future__ import annotations

import pytest

from matcher.text.sentences import (
    sentence_ends,
    sentence_spans,
    split_line_sentences,
    split_sentences,
)
from matcher.text.word_lists import LISTS, word_list


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        # ; ends a sentence: requirements with their own cue (boilerplate ignored it)
        ("Bachelor's required; CPA preferred", ["Bachelor's required;", "CPA preferred"]),
        # abbreviations with inner stops stay whole (experience read only "g" of "e.g.")
        ("Tools, e.g. SQL and Excel. Sr. staff", ["Tools, e.g. SQL and Excel.", "Sr. staff"]),
        ("U.S. citizenship required. Apply", ["U.S. citizenship required.", "Apply"]),
        # months and "exp." shortened: a role's dates and a licence's expiry stay whole
        ("Paralegal, Kane LLP, Oct. 2017 - Present", ["Paralegal, Kane LLP, Oct. 2017 - Present"]),
        ("BLS (AHA), exp. 2027. ACLS", ["BLS (AHA), exp. 2027.", "ACLS"]),
        # a stop inside a word or a number is not an end
        ("3.5 years of Node.js and ASP.NET.", ["3.5 years of Node.js and ASP.NET."]),
        # glued sentences of scraped postings (livecareer): a capitalised word, "A" or years
        ("Great pay.Qualifications: SQL", ["Great pay.", "Qualifications: SQL"]),
        ("Degree preferred.A strong writer", ["Degree preferred.", "A strong writer"]),
        ("Degree required.3+ years of SQL", ["Degree required.", "3+ years of SQL"]),
        # ... but not names glued to a stop (RJDB: "Node.JS", "Sr.Java")
        ("Mastery of Node.JS for backends", ["Mastery of Node.JS for backends"]),
        ("an Oracle EBS/Sr.Java Developer", ["an Oracle EBS/Sr.Java Developer"]),
        # line breaks end sentences; pieces without a word are dropped
        ("Skills\n- SQL\n...\n", ["Skills", "- SQL"]),
        ("Wow!!! Really?? Yes", ["Wow!!!", "Really??", "Yes"]),
        ("", []),
    ],
)
def test_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences
    assert [text[start:end] for start, end in sentence_spans(text)] == sentences


def test_sentence_ends_are_offsets_past_the_stop() -> None:
    text = "Cook (2014). Baker since 2017; head baker"
    assert [text[:end] for end in sentence_ends(text)] == [
        "Cook (2014).",
        "Cook (2014). Baker since 2017;",
    ]


def test_a_long_word_ending_like_an_abbreviation_ends_a_sentence() -> None:
    assert split_sentences("Worked at Globexinc. Then left") == [
        "Worked at Globexinc.",
        "Then left",
    ]
    assert split_sentences("Globex Inc. Then left") == ["Globex Inc. Then left"]


def test_a_one_line_document_of_megabytes_splits() -> None:
    text = "Sr. analyst wanted. SQL required; Python a plus.Great team. " * 20_000
    sentences = split_sentences(text)
    assert len(sentences) == 4 * 20_000
    assert sentences[-4:] == [
        "Sr. analyst wanted.",
        "SQL required;",
        "Python a plus.",
        "Great team.",
    ]


def test_word_lists_are_read_from_package_data() -> None:
    assert all(word_list(name) for name in LISTS)
    assert {"sr", "e.g"} <= word_list("abbreviation")
    with pytest.raises(KeyError, match="unknown word list 'nouns'"):
        word_list("nouns")


@pytest.mark.parametrize(
    "lines",
    [
        # a glued end's white space never reaches into the next line
        ["Degree required.3+", "years of SQL", "Degree preferred.A", "strong writer"],
        ["Degree required.3 -", "5 years", "Great pay.", "Qualifications: SQL"],
        # an abbreviation at the start of a line, stops at either end of a line
        ["approx. 5 staff", "Sr. Analyst.", ".Net and e.g.", "e.g. SQL;", "!!! Yes"],
        # lines without a word, empty lines, no lines, white space other than a space
        ["...", "", "Skills", "- SQL\tExcel.\x0bAccess", " "],
        [],
        # a line holding a line break is split as it is alone
        ["Degree required.3+\nyears", "Great pay.Qualifications"],
    ],
)
def test_split_line_sentences_is_each_line_split_alone(lines: list[str]) -> None:
    assert split_line_sentences(lines) == [s for line in lines for s in split_sentences(line)]
