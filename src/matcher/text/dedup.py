"""Find exact and near-duplicate documents.

Texts are compared as words: casefolded ``\\w+`` tokens, so bullets, punctuation, case and
whitespace never matter.

- **Exact**: the same word sequence (similarity 1.0).
- **Near**: the Jaccard similarity of the two *sets of words* is at least ``threshold`` **and**
  both texts name the same years (the multiset of tokens 1900-2099, as in ``2019 - 2021`` or
  ``03/2016``). A reformatted copy, or one with a few words or figures changed, keeps its
  dates; a version of a resume whose employment dates differ makes a different claim about
  experience and is kept.

Calibration on ``resumes.csv`` of the shared RJDB sample (500 pairs ``DRxxxxa``/``DRxxxxb``,
the same person with skills or years changed; 81 words per resume on median): word-set Jaccard
alone flags 29 of the 500 pairs at 0.9 and 55 at 0.85 (one pair differs only in "2017" ->
"2014"). With the same-years rule the most similar pair scores 0.81, so none is flagged at 0.85
or above, and no two different people are flagged either. Copies of the same 500 resumes with
bullets and blank lines changed and 1, 2, 3 or 5 words replaced are caught at 0.9 in 500, 499,
440 and 166 of 500 cases (500, 500, 499 and 408 at 0.85); ``tests/unit/test_dedup.py``
re-measures this.

Scaling: candidate pairs come from MinHash locality-sensitive hashing. Each text gets a
*sketch* (:func:`sketch_texts`): the hash of its word sequence, its years, its number of
distinct words and 128 MinHash values (the least of each of 128 seeded hash functions over the
64-bit BLAKE2 hashes of its distinct words). A sketch depends on its text alone, never on the
other texts, so it can be kept by the text's hash and reused: a rerun sketches only its new
texts (:func:`find_duplicates`' ``sketches``). The MinHash values are cut into bands, and texts
whose band values *and* years agree land in the same bucket. The rows per band are chosen from
the threshold so that a pair exactly at the threshold becomes a candidate with probability >=
0.999 (8 rows at 0.9; higher similarities are found with even higher probability). Only
candidates are read as words and get their exact similarity computed, so there is no loop over
all pairs.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import pandas as pd
from scipy import sparse

__all__ = ["TextSketch", "find_duplicates", "sketch_texts", "text_similarity"]

_TOKEN_RE = re.compile(r"\w+")
# A year is a whole word 1900-2099; words are matched in the words joined by spaces.
_YEAR_RE = re.compile(r"(?<!\S)(?:19|20)\d\d(?!\S)")
_NUM_HASHES = 128
_MIN_RECALL = 0.999
_SEED = 20240611
# Candidate pairs are verified in batches of this many pairs to bound memory.
_VERIFY_BATCH = 200_000
_COLUMNS = ["record_id", "duplicate_of", "similarity", "match"]


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text.casefold())


def _years(joined: str) -> tuple[str, ...]:
    """The years among words joined by spaces, sorted."""
    return tuple(sorted(_YEAR_RE.findall(joined)))


def text_similarity(a: str, b: str) -> float:
    """Return the near-duplicate similarity of two texts (0.0 if their years differ).

    This is the measure :func:`find_duplicates` compares with its threshold: the Jaccard
    similarity of the two sets of casefolded words, or 0.0 when the texts do not name the
    same years.

    Args:
        a: A text.
        b: Another text.

    Returns:
        A similarity between 0.0 and 1.0.

    Example:
        >>> text_similarity("- Python, SQL (2019 - 2021)", "* python sql 2019-2021")
        1.0
        >>> text_similarity("Python, SQL (2019 - 2021)", "Python, SQL (2019 - 2022)")
        0.0
    """
    tokens_a, tokens_b = _tokens(a), _tokens(b)
    if _years(" ".join(tokens_a)) != _years(" ".join(tokens_b)):
        return 0.0
    set_a, set_b = set(tokens_a), set(tokens_b)
    union = set_a | set_b
    return len(set_a & set_b) / len(union) if union else 1.0


def _word_matrix(token_lists: list[list[str]]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Binary document-by-word matrix and its vocabulary (pandas factorizes the words at C
    speed)."""
    lengths = np.fromiter((len(tokens) for tokens in token_lists), dtype=np.int64)
    codes, vocabulary = pd.factorize(
        pd.Series(list(chain.from_iterable(token_lists)), dtype=object)
    )
    rows = np.repeat(np.arange(len(token_lists), dtype=np.int64), lengths)
    shape = (len(token_lists), max(len(vocabulary), 1))
    matrix = sparse.csr_matrix((np.ones(codes.size, dtype=np.float32), (rows, codes)), shape=shape)
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix, np.asarray(vocabulary, dtype=object)


def _rows_per_band(threshold: float) -> int:
    """The most rows per band that still find a pair at ``threshold`` with probability >= 0.999."""
    best = 1
    for rows in range(1, _NUM_HASHES + 1):
        bands = _NUM_HASHES // rows
        if 1.0 - (1.0 - threshold**rows) ** bands >= _MIN_RECALL:
            best = rows
    return best


def _stable_hashes(labels: Sequence[str]) -> np.ndarray:
    """The 64-bit BLAKE2 hash of each label: the same in every process, run and version of
    numpy (whose random streams may change between versions; kept sketches must not)."""
    return np.fromiter(
        (
            int.from_bytes(hashlib.blake2b(label.encode(), digest_size=8).digest(), "little")
            for label in labels
        ),
        dtype=np.uint64,
        count=len(labels),
    )


# The 128 hash functions of the MinHash values: h(w) = (a * w + b) mod 2**64, top 32 bits,
# over the 64-bit BLAKE2 hash w of a word (a odd, so each is a bijection of the word hashes).
_HASH_A = _stable_hashes([f"minhash-a-{_SEED}-{k}" for k in range(_NUM_HASHES)]) | np.uint64(1)
_HASH_B = _stable_hashes([f"minhash-b-{_SEED}-{k}" for k in range(_NUM_HASHES)])


def _minhash_signatures(words: sparse.csr_matrix, vocabulary: np.ndarray) -> np.ndarray:
    """One row of ``_NUM_HASHES`` MinHash values per document (every row must be non-empty)."""
    hashes = _stable_hashes([str(word) for word in vocabulary])
    starts = words.indptr[:-1]
    signatures = np.empty((words.shape[0], _NUM_HASHES), dtype=np.uint32)
    shift = np.uint64(32)
    for column in range(_NUM_HASHES):
        values = ((hashes * _HASH_A[column] + _HASH_B[column]) >> shift).astype(np.uint32)
        signatures[:, column] = np.minimum.reduceat(values[words.indices], starts)
    return signatures


@dataclass(frozen=True)
class TextSketch:
    """What :func:`find_duplicates` needs of one text, made from that text alone
    (:func:`sketch_texts`), so it may be kept by the text's hash and reused.

    Attributes:
        words_key: BLAKE2 hash of the text's casefolded word sequence (equal for exact copies).
        years: The years the text names, sorted.
        distinct_words: How many different words it has.
        signature: Its ``128`` MinHash values (``uint32``).
    """

    words_key: bytes
    years: tuple[str, ...]
    distinct_words: int
    signature: np.ndarray

    def dumps(self) -> str:
        """The sketch as one line of text (:meth:`loads` reads it back)."""
        packed = (
            self.words_key
            + int(self.distinct_words).to_bytes(4, "little")
            + np.asarray(self.signature, dtype="<u4").tobytes()
        )
        return base64.b64encode(packed).decode("ascii") + "|" + " ".join(self.years)

    @classmethod
    def loads(cls, value: str) -> TextSketch:
        """Read a sketch written by :meth:`dumps`.

        Raises:
            ValueError: If ``value`` is not such a sketch.

        Example:
            >>> sketch = sketch_texts(["Python, SQL (2019 - 2021)"])[0]
            >>> TextSketch.loads(sketch.dumps()) == sketch
            True
        """
        packed, _, years = value.partition("|")
        raw = base64.b64decode(packed.encode("ascii"), validate=True)
        if len(raw) != 16 + 4 + 4 * _NUM_HASHES:
            raise ValueError(f"not a text sketch: {len(raw)} bytes, not {20 + 4 * _NUM_HASHES}")
        signature = np.frombuffer(raw[20:], dtype="<u4").astype(np.uint32)
        return cls(raw[:16], tuple(years.split()), int.from_bytes(raw[16:20], "little"), signature)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, TextSketch)
            and (self.words_key, self.years, self.distinct_words)
            == (other.words_key, other.years, other.distinct_words)
            and np.array_equal(self.signature, other.signature)
        )

    def __hash__(self) -> int:
        return hash((self.words_key, self.years, self.distinct_words))


def _sketch_tokens(token_lists: list[list[str]]) -> list[TextSketch | None]:
    """The sketch of each token list (None for an empty one)."""
    present = [position for position, tokens in enumerate(token_lists) if tokens]
    sketches: list[TextSketch | None] = [None] * len(token_lists)
    if not present:
        return sketches
    words, vocabulary = _word_matrix([token_lists[position] for position in present])
    signatures = _minhash_signatures(words, vocabulary)
    counts = np.diff(words.indptr)
    for row, position in enumerate(present):
        joined = " ".join(token_lists[position])
        sketches[position] = TextSketch(
            hashlib.blake2b(joined.encode(), digest_size=16).digest(),
            _years(joined),
            int(counts[row]),
            signatures[row],
        )
    return sketches


def sketch_texts(texts: Sequence[str]) -> list[TextSketch | None]:
    """The sketch :func:`find_duplicates` compares of each text (None for a text without any
    word, or one that is not a string).

    A sketch depends on its text alone (and on this module's code), so sketches made in
    different runs or processes can be compared.

    Example:
        >>> a, b, c = sketch_texts(["- Python, SQL (2019)", "python sql 2019", "  "])
        >>> a == b, a.years, a.distinct_words, c
        (True, ('2019',), 3, None)
    """
    return _sketch_tokens([_tokens(text) if isinstance(text, str) else [] for text in texts])


def _bucket_pairs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All pairs ``(i, j)``, ``i < j``, of documents with equal keys."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    boundaries = np.flatnonzero(np.diff(sorted_keys)) + 1
    starts = np.concatenate(([0], boundaries))
    ends = np.concatenate((boundaries, [keys.size]))
    left, right = [], []
    for start, end in zip(starts[ends - starts > 1], ends[ends - starts > 1], strict=True):
        members = np.sort(order[start:end])
        i, j = np.triu_indices(members.size, k=1)
        left.append(members[i])
        right.append(members[j])
    if not left:
        empty = np.array([], dtype=np.int64)
        return empty, empty
    return np.concatenate(left).astype(np.int64), np.concatenate(right).astype(np.int64)


def _candidate_pairs(
    signatures: np.ndarray, year_groups: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs sharing a MinHash band and the same years (LSH banding), without repeats."""
    signatures = signatures.astype(np.uint64)
    rows = _rows_per_band(threshold)
    mixers = np.random.default_rng(_SEED + 1).integers(
        1, 2**63, size=rows + 1, dtype=np.uint64
    ) | np.uint64(1)
    found: list[np.ndarray] = []
    size = np.int64(signatures.shape[0])
    with np.errstate(over="ignore"):  # multiply-and-add hashing wraps around on purpose
        for band in range(_NUM_HASHES // rows):
            block = signatures[:, band * rows : (band + 1) * rows]
            keys = block @ mixers[:rows] + year_groups.astype(np.uint64) * mixers[rows]
            left, right = _bucket_pairs(keys)
            found.append(left * size + right)
    pairs = np.unique(np.concatenate(found)) if found else np.array([], dtype=np.int64)
    return pairs // size, pairs % size


def _near_pairs(
    signatures: np.ndarray,
    sizes: np.ndarray,
    year_groups: np.ndarray,
    threshold: float,
    words_of: Callable[[np.ndarray], list[list[str]]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The candidate pairs whose word sets are similar enough, with their similarity; only
    the documents of plausible candidates are read as words (``words_of(documents)``)."""
    sizes = sizes.astype(np.float64)
    left, right = _candidate_pairs(signatures, year_groups, threshold)
    small = np.minimum(sizes[left], sizes[right])
    large = np.maximum(sizes[left], sizes[right])
    plausible = (small >= threshold * large - 1e-9) & (year_groups[left] == year_groups[right])
    left, right = left[plausible], right[plausible]
    empty = np.array([], dtype=np.int64)
    if not left.size:
        return empty, empty, np.array([], dtype=np.float64)
    involved = np.unique(np.concatenate((left, right)))
    words, _ = _word_matrix(words_of(involved))
    local_left, local_right = np.searchsorted(involved, left), np.searchsorted(involved, right)
    found_left, found_right, found_similarity = [], [], []
    for start in range(0, left.size, _VERIFY_BATCH):
        batch = slice(start, start + _VERIFY_BATCH)
        a, b = left[batch], right[batch]
        overlap = np.asarray(
            words[local_left[batch]].multiply(words[local_right[batch]]).sum(axis=1)
        ).ravel()
        similarity = overlap / (sizes[a] + sizes[b] - overlap)
        close = similarity >= threshold - 1e-12
        found_left.append(a[close])
        found_right.append(b[close])
        found_similarity.append(similarity[close])
    return np.concatenate(found_left), np.concatenate(found_right), np.concatenate(found_similarity)


def find_duplicates(
    ids: Sequence[str],
    texts: Sequence[str],
    threshold: float = 0.9,
    *,
    sketches: Sequence[TextSketch | None] | None = None,
) -> pd.DataFrame:
    """Report exact and near-duplicate texts, keeping the first of each in input order.

    Records are visited in input order. A record whose words equal an earlier kept record's is
    an exact duplicate of it. Otherwise, if some earlier *kept* record has a
    :func:`text_similarity` of at least ``threshold``, the record is a near duplicate of the
    most similar such record (the earliest on ties). Every other record is kept, so kept
    records are pairwise below the threshold and every reported record names a kept one.
    Texts without any word are ignored.

    Args:
        ids: Record IDs, aligned with ``texts``.
        texts: The texts to compare (e.g. cleaned, redacted resume text).
        threshold: Minimum similarity of a near duplicate, in ``(0, 1]``.
        sketches: Sketches of some of the texts, aligned with ``texts``, as
            :func:`sketch_texts` made them (e.g. in an earlier run, kept by the text's hash);
            None where there is none. The texts without one are sketched here. Only texts
            that may be near duplicates are read again, so a rerun of a large pool with its
            sketches kept reads its new texts and little else.

    Returns:
        One row per duplicate with columns ``record_id``, ``duplicate_of``, ``similarity``
        (1.0 for exact duplicates) and ``match`` (``"exact"`` or ``"near"``), in input order.

    Raises:
        ValueError: If ``ids``, ``texts`` and ``sketches`` differ in length or the threshold
            is out of range.

    Example:
        >>> find_duplicates(["a", "b", "c"], ["Python and SQL", "python, and SQL!", "Go"])
          record_id duplicate_of  similarity  match
        0         b            a         1.0  exact
    """
    if len(ids) != len(texts):
        raise ValueError(f"ids and texts differ in length ({len(ids)} != {len(texts)})")
    if sketches is not None and len(sketches) != len(texts):
        raise ValueError(f"sketches and texts differ in length ({len(sketches)} != {len(texts)})")
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    ids = [str(record_id) for record_id in ids]
    known: list[TextSketch | None] = list(sketches) if sketches is not None else [None] * len(texts)
    # The texts without a sketch are read as words once: for their sketch, and kept for the
    # similarity of the candidate pairs they are in.
    read: dict[int, list[str]] = {
        position: _tokens(texts[position]) if isinstance(texts[position], str) else []
        for position in range(len(texts))
        if known[position] is None
    }
    for position, made in zip(read, _sketch_tokens(list(read.values())), strict=True):
        known[position] = made

    rows: list[tuple[int, int, float, str]] = []
    first_with_text: dict[bytes, int] = {}
    unique: list[int] = []  # positions of the first record of each exact group
    unique_sketches: list[TextSketch] = []
    for position, sketch in enumerate(known):
        if sketch is None:
            continue
        original = first_with_text.setdefault(sketch.words_key, position)
        if original == position:
            unique.append(position)
            unique_sketches.append(sketch)
        else:
            rows.append((position, original, 1.0, "exact"))

    if len(unique) > 1:
        signature_ids: dict[tuple[str, ...], int] = {}
        year_groups = np.array(
            [signature_ids.setdefault(s.years, len(signature_ids)) for s in unique_sketches]
        )

        def words_of(documents: np.ndarray) -> list[list[str]]:
            positions = [unique[int(document)] for document in documents]
            return [
                read[position] if position in read else _tokens(texts[position])
                for position in positions
            ]

        left, right, similarity = _near_pairs(
            np.stack([s.signature for s in unique_sketches]),
            np.array([s.distinct_words for s in unique_sketches]),
            year_groups,
            threshold,
            words_of,
        )
        # Greedy in input order: a record is a duplicate only of an earlier record still kept.
        order = np.lexsort((left, -similarity, right))
        kept = np.ones(len(unique), dtype=bool)
        decided: set[int] = set()
        for index in order:
            later, earlier = int(right[index]), int(left[index])
            if later in decided or not kept[earlier]:
                continue
            kept[later] = False
            decided.add(later)
            rows.append((unique[later], unique[earlier], float(similarity[index]), "near"))
        # An exact copy of a record that turned out to be a near duplicate points, like that
        # record, to the kept one (with the same similarity, since its words are the same).
        near_target = {row[0]: row for row in rows if row[3] == "near"}
        rows = [
            (row[0], *near_target[row[1]][1:])
            if row[3] == "exact" and row[1] in near_target
            else row
            for row in rows
        ]

    rows.sort()
    return pd.DataFrame(
        {
            "record_id": pd.Series([ids[r[0]] for r in rows], dtype="str"),
            "duplicate_of": pd.Series([ids[r[1]] for r in rows], dtype="str"),
            "similarity": pd.Series([round(r[2], 4) for r in rows], dtype="float64"),
            "match": pd.Series([r[3] for r in rows], dtype="str"),
        },
        columns=_COLUMNS,
    )
