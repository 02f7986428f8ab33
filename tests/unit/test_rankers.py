from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matcher.ranking.catalogue import RANKERS, make_ranker
from matcher.ranking.lexical import normalise_per_query
from matcher.ranking.rankers import HybridRanker

POSTINGS = pd.DataFrame(
    {
        "job_id": ["py", "rn"],
        "title": ["Python developer", "ICU registered nurse"],
        "description": [
            "Build REST APIs in Python with Django and PostgreSQL.",
            "Critical care nursing in the ICU. BLS and ACLS certification required.",
        ],
    }
)
RESUMES = pd.DataFrame(
    {
        "resume_id": ["dev", "nurse", "sparky"],
        "text": [
            "Python engineer. Django REST framework, PostgreSQL, Docker.",
            "Registered nurse, six years in the intensive care unit. ACLS, BLS.",
            "Journeyman electrician: conduit, panel upgrades, NEC code.",
        ],
    }
)


@pytest.mark.parametrize("name", sorted(RANKERS))
def test_every_ranker_puts_the_right_resume_first(name: str, embedder) -> None:
    ranker = make_ranker(name, embedder=embedder)
    scores = ranker.score(POSTINGS, RESUMES)
    assert scores.shape == (2, 3)
    assert scores[0].argmax() == 0 and scores[1].argmax() == 1
    assert np.all(scores >= 0) and np.all(scores <= 1.0 + 1e-6)


@pytest.mark.parametrize("name", sorted(RANKERS))
def test_every_ranker_ranks_jobs_for_a_resume(name: str, embedder) -> None:
    ranker = make_ranker(name, embedder=embedder)
    scores = ranker.score(POSTINGS, RESUMES.iloc[[1]], direction="jobs-for-resume")
    assert scores.shape == (2, 1)
    assert scores[:, 0].argmax() == 1


def test_hybrid_components_sum_to_the_score_with_normalised_weights(embedder) -> None:
    ranker = make_ranker("hybrid", embedder=embedder, dense_weight=3, lexical_weight=1)
    assert ranker.params()["dense_weight"] == 0.75
    parts = ranker.components(POSTINGS, RESUMES)
    assert set(parts) == {"dense", "bm25"}
    np.testing.assert_allclose(sum(parts.values()), ranker.score(POSTINGS, RESUMES), rtol=1e-6)


def test_dense_score_of_a_candidate_does_not_depend_on_the_others(embedder) -> None:
    ranker = make_ranker("dense", embedder=embedder)
    alone = ranker.score(POSTINGS, RESUMES.iloc[[0]])[:, 0]
    together = ranker.score(POSTINGS, RESUMES)[:, 0]
    np.testing.assert_allclose(alone, together, atol=1e-5)


def test_unknown_ranker_and_bad_parameter_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="unknown ranker 'nope'"):
        make_ranker("nope")
    with pytest.raises(ValueError, match="bad parameters for ranker 'bm25'"):
        make_ranker("bm25", colour="red")
    # A value of the wrong kind (`--param k1=abc` reads as text) fails before any ranking.
    with pytest.raises(ValueError, match="k1 takes a number, got 'abc'"):
        make_ranker("bm25", k1="abc")
    with pytest.raises(ValueError, match="aggregate takes text, got 3"):
        make_ranker("dense", embedder=None, aggregate=3)
    assert make_ranker("bm25", k1=2).params() == {"k1": 2, "b": 0.75}  # an int is a number
    # a value of the right kind outside its range had ranked quietly (k1=-3: Recall@10 0.2)
    for name, params, message in [
        ("bm25", {"k1": -3}, "k1=-3 is out of range: at least 0"),
        ("bm25", {"b": 5}, "b=5 is out of range: from 0 to 1"),
        ("tfidf", {"ngram_max": 0}, "ngram_max=0 is out of range: at least 1"),
    ]:
        with pytest.raises(ValueError, match=message):
            make_ranker(name, **params)
    with pytest.raises(ValueError, match=r"lexical_weight=-1\.0 is out of range"):
        HybridRanker(None, dense_weight=2.0, lexical_weight=-1.0)  # type: ignore[arg-type]


def test_normalise_per_query_scales_rows_or_columns() -> None:
    raw = np.array([[2.0, 1.0], [0.0, 0.0]], dtype=np.float32)
    np.testing.assert_allclose(normalise_per_query(raw, "resumes-for-job"), [[1, 0.5], [0, 0]])
    np.testing.assert_allclose(normalise_per_query(raw, "jobs-for-resume"), [[1, 1], [0, 0]])


def test_empty_inputs_give_empty_scores(embedder) -> None:
    for name in RANKERS:
        scores = make_ranker(name, embedder=embedder).score(POSTINGS, RESUMES.iloc[:0])
        assert scores.shape == (2, 0)


def _posting_with_tail(tail: str) -> pd.DataFrame:
    """An ICU nurse posting whose opening fills a chunk, followed by a long tail."""
    opening = [
        f"Critical care nursing in the ICU, duty {i}: BLS and ACLS required." for i in range(20)
    ]
    return pd.DataFrame(
        {
            "job_id": ["rn"],
            "title": ["ICU registered nurse"],
            "description": ["\n".join(["ICU registered nurse", *opening, *[tail] * 40])],
        }
    )


def test_title_lead_posting_ignores_the_tail_after_the_first_chunk(embedder) -> None:
    lead = make_ranker("dense", embedder=embedder, posting="title-lead")
    full = make_ranker("dense", embedder=embedder)
    eeo = _posting_with_tail("We are an equal opportunity employer; all applicants are considered.")
    perks = _posting_with_tail("Our benefits include dental, vision, a 401(k) and paid time off.")
    np.testing.assert_allclose(lead.score(eeo, RESUMES), lead.score(perks, RESUMES), atol=1e-6)
    assert not np.allclose(full.score(eeo, RESUMES), full.score(perks, RESUMES), atol=1e-4)
    assert lead.score(eeo, RESUMES)[0].argmax() == 1
    assert lead.params()["posting"] == "title-lead" and "posting" not in full.params()


def test_unknown_posting_view_is_a_clear_error(embedder) -> None:
    with pytest.raises(ValueError, match="unknown posting view 'tail'"):
        make_ranker("dense", embedder=embedder, posting="tail")


def test_recommendations_use_their_own_relevance_gate(embedder) -> None:
    from matcher.ranking.features import GATED
    from matcher.ranking.requirement_ranker import DEFAULT_WEIGHTS, RequirementRanker

    ranker = RequirementRanker(
        embedder,
        weights=DEFAULT_WEIGHTS,
        gate=1.0,
        recommend_weights=DEFAULT_WEIGHTS,
        recommend_gate=4.0,
    )
    # a resume between the two postings, so that topical relevance is neither 0 nor 1
    resumes = pd.concat(
        [
            RESUMES,
            pd.DataFrame(
                {"resume_id": ["both"], "text": ["ICU nurse writing Python and Django, BLS."]}
            ),
        ]
    )
    for direction, gate in (("resumes-for-job", 1.0), ("jobs-for-resume", 4.0)):
        features = ranker.features(POSTINGS, resumes, direction)
        expected = features.blended(ranker.neutral, direction, gate)
        values = ranker.signal_values(POSTINGS, resumes, direction)
        for name, value in expected.items():
            np.testing.assert_allclose(values[name], value, err_msg=f"{direction} {name}")
    gentler = features.blended(ranker.neutral, "jobs-for-resume", 1.0)
    assert any(not np.allclose(gentler[name], values[name]) for name in GATED)
    rebuilt = RequirementRanker(embedder, **ranker.params())
    assert (rebuilt.gate_for("resumes-for-job"), rebuilt.gate_for("jobs-for-resume")) == (1.0, 4.0)


def test_a_pickled_requirement_ranker_scores_the_same_in_another_process_state(
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    import pickle

    from matcher.ranking.requirement_ranker import RequirementRanker

    ranker = RequirementRanker(embedder)
    expected = ranker.score(POSTINGS, RESUMES)
    sent = pickle.loads(pickle.dumps(ranker))  # what a Dask worker receives
    # The model came along, the process's state did not: no embedder, index or profiles.
    assert sent.weights == ranker.weights and sent.params() == ranker.params()
    assert sent.dense.embedder is None and sent.index is None and not sent.profile_store
    assert ranker.dense.embedder is embedder and ranker.profile_store  # the original kept its
    profiles: dict[str, object] = {}
    worker = sent.for_process(embedder, profiles)
    np.testing.assert_array_equal(worker.score(POSTINGS, RESUMES), expected)
    assert len(profiles) == len(POSTINGS) + len(RESUMES)  # read into the store it was given
    assert sent.profile_store == {} and worker.dense is not sent.dense
