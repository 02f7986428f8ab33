"""Why a candidate matches a posting: the posting's key terms found and missing in the resume,
and the resume line that shows them best.

Key terms are the posting's most distinctive words and two-word phrases (TF-IDF across the
postings being scored), so they adapt to any occupation without a vocabulary.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from matcher import schema
from matcher.text.contact import has_contact
from matcher.text.display import MAX_QUOTE_CHARS, remembered_display_sentences, shorten_quote
from matcher.text.texts import posting_texts

#: A posting's or a resume's fields by column name: a frame's row (``frame.iloc[i]``) or one
#: made in bulk for a batch (:func:`frame_rows`). An explainer reads
#: fields by name only (``row[column]``, ``row.get(column)``).
Row: TypeAlias = pd.Series | Mapping[str, Any]
#: Given a posting row and a resume row, the explanation columns of that shortlist row.
Explainer = Callable[[Row, Row], dict[str, str]]

#: Explanation columns: each column's value for each pair, in the explainer's column order.
Columns: TypeAlias = Mapping[str, Sequence[Any]]

#: Gives the explanation columns of scored pairs at once: called with their positions among
#: the pairs given (in the order wanted), and their postings and resumes
#: (:func:`matcher.ranking.decisions.records_of_pairs`,
#: :func:`matcher.ranking.shortlist.shortlist_of_pairs`).
PairExplainer: TypeAlias = Callable[[np.ndarray, np.ndarray, np.ndarray], Columns]


def frame_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Each row of ``frame`` as a dict of its fields by column, holding the values the frame's
    columns hold (each column's own elements: numpy scalars, the column's missing value), made
    in one pass over the columns. The explainers read a row's fields by name only.

    A row taken out with ``frame.iloc[position]`` (a Series) cost about 1.6 ms on a frame of
    strings, a large run's longest step after the features: a batch takes the rows of up to
    :data:`matcher.ranking.two_stage.BATCH_RESUMES` resumes for its explainer. Unlike such a
    row, a dict does not cast its values to the columns' common dtype (a frame of numbers
    only) nor turn the missing values of two kinds of strings alike; for a frame of one
    string dtype, as the prepared resumes are, or of object columns, it holds the same values.

    Example:
        >>> frame = pd.DataFrame({"resume_id": ["r1", None], "years": [3, 5]}, index=[7, 9])
        >>> frame_rows(frame)
        [{'resume_id': 'r1', 'years': np.int64(3)}, {'resume_id': nan, 'years': np.int64(5)}]
    """
    columns = list(frame.columns)
    # Element by element as the column holds them (``.array``: no cast, no copy of a text).
    values = [list(frame.iloc[:, column].array) for column in range(len(columns))]
    if not columns:
        return [{} for _ in range(len(frame))]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


#: A term starting with a letter, with dots inside and "+", "++" or "#" at its end ("node.js",
#: "c++", "c#"; as :data:`matcher.ranking.lexical._TOKEN_PATTERN`).
_TOKEN_PATTERN = r"(?u)\b[a-zA-Z](?:[\w.]*\w)?(?:(?<=[^\W\d_])(?:\+\+?|#)\w*)?"


@dataclass(frozen=True)
class Explanation:
    """Matched and missing key terms of one posting in one resume, with evidence."""

    matched: list[str]
    missing: list[str]
    evidence: str


def key_terms(postings: Sequence[str], top_n: int = 12) -> list[list[str]]:
    """The ``top_n`` most distinctive terms of each posting, best first.

    A bigram replaces the unigrams it contains, so "machine learning" is not listed again as
    "machine" and "learning".
    """
    if not postings:
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer  # slow import: on use

    vectorizer = TfidfVectorizer(
        stop_words="english",
        ngram_range=(1, 2),
        sublinear_tf=True,
        token_pattern=_TOKEN_PATTERN,
        max_df=0.5 if len(postings) > 4 else 1.0,
    )
    try:
        matrix = vectorizer.fit_transform(postings)
    except ValueError:
        return [[] for _ in postings]
    vocabulary = np.asarray(vectorizer.get_feature_names_out())
    result: list[list[str]] = []
    for row in range(matrix.shape[0]):
        weights = matrix.getrow(row).toarray().ravel()
        chosen: list[str] = []
        for column in np.argsort(-weights, kind="stable"):
            if weights[column] <= 0 or len(chosen) >= top_n:
                break
            term = str(vocabulary[column])
            if any(term in kept.split() or kept in term.split() for kept in chosen):
                continue
            chosen.append(term)
        result.append(chosen)
    return result


def contains_term(text_lower: str, term: str) -> bool:
    """Whether ``term`` occurs in ``text_lower`` as whole words: where it is found, the
    characters on either side (if any) are not word characters (letters, digits, ``_``) nor
    ``+`` or ``#``, so "c" is not found in "c++" nor "java" in "javascript".

    The same answer as searching ``(?<![\\w+#])term(?![\\w+#])``, found faster (``str.find``,
    then two characters looked at per occurrence; the pattern, which starts with a
    look-behind, is tried at every position of the text): 4 against 140 us a search of a whole
    resume (300 LiveCareer resumes x 200 key terms, 2026-12-04).

    A term found many times inside other words (a letter in a long run of letters) is looked
    for from its :data:`OCCURRENCES_LOOKED_AT`-th occurrence on with the pattern, which is never
    slower than the pattern alone: the time stays linear in the text at C's speed.

    Example:
        >>> [contains_term(text, "c") for text in ("c, java", "c++", "objective-c", "abc")]
        [True, False, True, False]
    """
    at = text_lower.find(term)
    for _ in range(OCCURRENCES_LOOKED_AT):
        if at < 0:
            return False
        end = at + len(term)
        if (at == 0 or not _is_word_character(text_lower[at - 1])) and (
            end == len(text_lower) or not _is_word_character(text_lower[end])
        ):
            return True
        at = text_lower.find(term, at + 1)
    return at >= 0 and _term_pattern(term).search(text_lower, at) is not None


#: How many occurrences of a term :func:`contains_term` looks at one by one before it leaves
#: the rest of the text to the pattern (each costs about 0.3 us in Python; the pattern about
#: 20 ns a character of the text).
OCCURRENCES_LOOKED_AT = 32


def _is_word_character(character: str) -> bool:
    # ``\w`` of a ``re`` text pattern is exactly str.isalnum() or "_".
    return character.isalnum() or character in "_+#"


@functools.lru_cache(maxsize=1 << 15)
def _term_pattern(term: str) -> re.Pattern[str]:
    # Compiled once per term: a run's key terms (a dozen per posting, thousands of postings)
    # overflow the few hundred patterns ``re`` keeps compiled. Searched from a position, its
    # look-behind still sees the character before it.
    return re.compile(rf"(?<![\w+#]){re.escape(term)}(?![\w+#])")


def explain_match(
    terms: Sequence[str], resume_text: str, max_evidence: int = MAX_QUOTE_CHARS
) -> Explanation:
    """Split ``terms`` into those the resume contains and those it lacks, and pick evidence.

    The evidence is the resume sentence holding the most matched terms, as a person reads it
    (:func:`matcher.text.display.display_sentences`: wrapped lines joined, markup stripped),
    shortened around its first term past ``max_evidence`` characters. A sentence holding
    contact details (:func:`matcher.text.contact.has_contact`) is never the evidence.
    """
    lower = resume_text.lower()
    # A term not in the text as a substring cannot be in it as whole words: contains_term is
    # only called where the plain substring test passes (most terms fail it, and the test
    # costs less than the call: 175 against 197 us a pair without it, measured 2026-12-04).
    matched = [t for t in terms if t in lower and contains_term(lower, t)]
    missing = [t for t in terms if t not in matched]
    evidence = ""
    if matched:
        best = 0
        for sentence, lower_sentence in _lowered_sentences(resume_text):
            hits = [t for t in matched if t in lower_sentence and contains_term(lower_sentence, t)]
            if len(hits) > best:
                quote = shorten_quote(sentence, hits[0], max_evidence)
                if not has_contact(quote):
                    best, evidence = len(hits), quote
    return Explanation(matched, missing, evidence)


@functools.lru_cache(maxsize=4096)
def _lowered_sentences(text: str) -> tuple[tuple[str, str], ...]:
    """Each display sentence of ``text`` with its lower case: split once per resume, not once
    per (posting, resume) pair."""
    return tuple((sentence, sentence.lower()) for sentence in remembered_display_sentences(text))


def term_explainer(postings: pd.DataFrame, top_n: int = 12) -> Explainer:
    """An explainer listing the posting's key terms matched and missing in the resume."""
    return terms_explainer(posting_key_terms(postings, top_n))


def posting_key_terms(postings: pd.DataFrame, top_n: int = 12) -> dict[str, list[str]]:
    """Each posting's :func:`key_terms` among ``postings``, by job ID.

    A posting's key terms depend on the other postings (TF-IDF across them): an explanation
    that must read the same whichever postings share its batch takes them from every posting
    of the run (:meth:`matcher.ranking.features.PoolStatistics.key_terms`).
    """
    return dict(
        zip(
            postings[schema.JOB_ID].astype(str),
            key_terms(posting_texts(postings), top_n),
            strict=True,
        )
    )


def terms_explainer(terms: Mapping[str, Sequence[str]]) -> Explainer:
    """An explainer listing the key terms ``terms[job_id]`` (:func:`posting_key_terms`)
    matched and missing in the resume."""

    def explain(posting: Row, resume: Row) -> dict[str, str]:
        text = str(resume.get(schema.CLEAN_TEXT, resume.get(schema.TEXT, "")))
        found = explain_match(terms[str(posting[schema.JOB_ID])], text)
        return {
            "matched_terms": "; ".join(found.matched),
            "missing_terms": "; ".join(found.missing),
            "evidence": found.evidence,
        }

    return explain
