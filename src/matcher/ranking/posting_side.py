"""What the requirement ranker reads from a posting whatever the resume, read once and kept.

``matcher recommend`` ranks up to ``ranking.recommend_candidates`` postings for each resume.
Reading a posting costs far more than scoring it against one resume, and does not depend on
the resume: its profile, its text without boilerplate, its dense vector and the vectors of the
texts the features embed for it (:func:`matcher.ranking.features.embedded_posting_texts`).
The posting store (:mod:`matcher.ranking.posting_store`) keeps them, read by
:func:`read_posting_sides` when a posting is indexed; :func:`prime_ranker` hands the
candidates' to the ranker, which finds them where it would otherwise compute them: its
profile store, the ``focus_text`` column, the dense ranker's known postings and the embedder's
memory. The scores are therefore exactly those of a ranker that reads the postings itself.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from matcher import schema
from matcher.parsing.profiles import PostingProfile, posting_profile_keys, profile_postings
from matcher.ranking.embedding import text_hash
from matcher.ranking.features import embedded_posting_texts, focus_postings
from matcher.ranking.rankers import Ranker
from matcher.ranking.requirement_ranker import RequirementRanker
from matcher.text.texts import posting_texts


@dataclass(frozen=True)
class PostingSide:
    """One posting as the requirement ranker reads it, before any resume.

    Attributes:
        profile_key: The key of its profile in the ranker's profile store.
        profile: Its profile.
        focus_text: Its model text without boilerplate (:func:`focus_postings`).
        dense_vector: Its vector in the dense ranker's posting view.
        text_hashes: The text hashes of :func:`embedded_posting_texts`, whose vectors the
            posting store keeps once for all postings.
    """

    profile_key: str
    profile: PostingProfile
    focus_text: str
    dense_vector: np.ndarray
    text_hashes: tuple[str, ...]


def read_posting_sides(
    ranker: RequirementRanker, postings: pd.DataFrame
) -> tuple[list[PostingSide], dict[str, np.ndarray]]:
    """Read prepared postings as ``ranker`` would: one :class:`PostingSide` each, in row
    order, and the vectors of their embedded texts by text hash (through the embedder and its
    cache)."""
    embedder = ranker.dense.embedder
    profiles = profile_postings(postings, ranker.matcher, ranker.profile_store)
    focused = focus_postings(postings)
    dense = ranker.dense.posting_vectors(focused)
    texts = [embedded_posting_texts(profile) for profile in profiles]
    unique = list(dict.fromkeys(text for group in texts for text in group))
    vectors = dict(zip(map(text_hash, unique), embedder.embed_texts(unique), strict=True))
    sides = [
        PostingSide(key, profile, focus, vector, tuple(text_hash(text) for text in group))
        for key, profile, focus, vector, group in zip(
            posting_profile_keys(postings),
            profiles,
            posting_texts(focused),
            dense,
            texts,
            strict=True,
        )
    ]
    return sides, vectors


class PostingSides:
    """Posting sides by job ID, each unpickled when first asked for, and the vectors of their
    embedded texts by text hash.

    The posting store keeps thousands of sides and a call ranks a thousand candidates: sides
    stay bytes (our own pickles, from our own state folder) until a call needs them.
    """

    def __init__(
        self,
        pickled: Mapping[str, bytes] | None = None,
        vector_keys: list[str] | None = None,
        vectors: np.ndarray | None = None,
    ) -> None:
        self.pickled = dict(pickled or {})
        self.row_of = {key: row for row, key in enumerate(vector_keys or [])}
        self.vectors = vectors if vectors is not None else np.zeros((0, 0), np.float32)
        self._read: dict[str, PostingSide] = {}

    def __len__(self) -> int:
        return len(self.pickled)

    def get(self, job_id: str) -> PostingSide | None:
        """The side of the posting ``job_id``; None if it is not kept."""
        if job_id not in self._read:
            blob = self.pickled.get(job_id)
            if blob is None:
                return None
            self._read[job_id] = pickle.loads(blob)  # our own file in our state folder
        return self._read[job_id]


def prime_ranker(ranker: Ranker, postings: pd.DataFrame, sides: PostingSides) -> pd.DataFrame:
    """Hand the ranker what it would read from ``postings``; returns them with their
    ``focus_text``.

    Args:
        ranker: The ranker about to score ``postings``; only a :class:`RequirementRanker`
            reads postings this way (others get ``postings`` back as they are).
        postings: Prepared postings, e.g. the stage-1 candidates.
        sides: Posting sides by job ID, with their vectors (the posting store's).
    """
    if not isinstance(ranker, RequirementRanker) or postings.empty:
        return postings
    chosen = [sides.get(job_id) for job_id in postings[schema.JOB_ID].astype(str)]
    found = [side for side in chosen if side is not None]
    if len(found) < len(chosen):  # not all kept: the ranker reads them all itself
        return postings
    memory, row_of = ranker.dense.embedder.memory, sides.row_of
    for side in found:
        ranker.profile_store[side.profile_key] = side.profile
        ranker.dense.known_postings[ranker.dense.posting_key(side.focus_text)] = side.dense_vector
        rows = [(key, row_of[key]) for key in side.text_hashes if key in row_of]
        memory.update((key, sides.vectors[row]) for key, row in rows)
    return postings.assign(**{schema.FOCUS_TEXT: [side.focus_text for side in found]})
