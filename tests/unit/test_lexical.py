"""TF-IDF pool: what scikit-learn's TfidfVectorizer gives, fitted once on both sides."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher.ranking.lexical import _TOKEN_PATTERN, TfidfPool

QUERIES = [
    "Registered nurse, ICU experience, BLS and ACLS required",
    "Senior Python developer: Django, PostgreSQL, AWS; C++ a plus",
    "the and of",  # stop words only
]
DOCUMENTS = [
    "ICU registered nurse with BLS, ACLS and PALS. Night shifts in a trauma ICU.",
    "Python and Django developer. Built REST APIs on AWS with PostgreSQL and C#.",
    "Retail associate: cash handling, customer service, inventory.",
    "Nurse nurse nurse: registered nurse in an ICU, then a senior nurse.",
]


def _reference(queries: list[str], documents: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """TfidfVectorizer fitted on both sides, then transforming each: what the pool keeps."""
    words = TfidfVectorizer(
        stop_words="english", ngram_range=(1, 2), token_pattern=_TOKEN_PATTERN
    ).build_analyzer()
    vectorizer = TfidfVectorizer(analyzer=words, sublinear_tf=True, min_df=1)
    vectorizer.fit([*queries, *documents])
    return vectorizer.transform(queries), vectorizer.transform(documents)


def test_tfidf_pool_keeps_exactly_the_vectorizers_fit_then_transform() -> None:
    pool = TfidfPool(QUERIES, DOCUMENTS)
    queries, documents = _reference(QUERIES, DOCUMENTS)
    for mine, theirs in ((pool.queries, queries), (pool.documents, documents)):
        assert mine.shape == theirs.shape
        # The same layout and the same bits: a sum over another order could round otherwise.
        assert np.array_equal(mine.indptr, theirs.indptr)
        assert np.array_equal(mine.indices, theirs.indices)
        assert np.array_equal(mine.data, theirs.data)
    expected = np.asarray((queries @ documents.T).toarray(), dtype=np.float32)
    assert np.array_equal(pool.scores(np.arange(len(QUERIES))), expected)
    assert pool.scores([0])[0].argmax() in (0, 3)  # the nurse query finds a nurse
    assert not pool.scores([2]).any()  # stop words only: nothing in common


def test_tfidf_pool_scores_of_some_queries_are_those_rows_of_all() -> None:
    pool = TfidfPool(QUERIES, DOCUMENTS)
    every = pool.scores(np.arange(len(QUERIES)))
    assert np.array_equal(pool.scores([1]), every[[1]])
    assert np.array_equal(pool.scores([2, 0]), every[[2, 0]])


def test_tfidf_pool_of_stop_words_only_scores_zero() -> None:
    pool = TfidfPool(["the and"], ["of the", "and"])
    assert pool.queries is None
    assert np.array_equal(pool.scores([0]), np.zeros((1, 2), dtype=np.float32))


def test_tokens_keep_a_language_s_plus_or_sharp_and_drop_a_number_s() -> None:
    """ "C++", "C#" and "C" were one token, "c": a C# posting matched a C++ resume. "5+
    years" stays "5", as a resume's "5 years" reads."""
    from matcher.ranking.lexical import tokenize

    assert tokenize(["C++ and C# and C, 5+ years, CompTIA A+, C++17, Node.js, F#"]) == [
        ["c++", "c#", "c", "5", "years", "comptia", "a+", "c++17", "node.js", "f#"]
    ]
    words = TfidfVectorizer(token_pattern=_TOKEN_PATTERN).build_analyzer()
    assert words("C++ or C# developer") == ["c++", "or", "c#", "developer"]
