"""The recommendation flow on the bundled sample: real model, Prefect and the default ranker."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from matcher.io.loading import InputError
from matcher.settings import Settings
from tests.conftest import SAMPLE
from tests.flows.conftest import encoding_progress

pytestmark = pytest.mark.usefixtures("prefect_server")


def _a_sample_resume() -> Path:
    return SAMPLE / "resumes" / "r-0001-maria-lopez.txt"


def test_the_flow_ranks_explains_and_writes(flow_settings: Settings, tmp_path: Path) -> None:
    from pipelines.recommend import recommendation_flow

    resume = _a_sample_resume()
    out = tmp_path / "recs"
    run = recommendation_flow(resume, SAMPLE / "jobs.csv", out, flow_settings)
    table = pd.read_csv(out / "recommendations.csv", dtype={"job_id": str})
    # no --top-k: the settings' ranking.top_k (5 in flow_settings)
    assert len(table) == flow_settings.ranking.top_k == len(run.recommendations)
    assert table["rank"].tolist() == [1, 2, 3, 4, 5]
    assert table["score"].is_monotonic_decreasing and table["score"].between(0, 100).all()
    assert {"matched_required", "missing_required", "evidence"} <= set(table.columns)
    assert run.resume_id == resume.stem and run.ranker["source"] == "built-in default"
    assert (out / "rejects.csv").is_file()
    manifest = json.loads(run.manifest_path.read_text())
    assert manifest["ranker"]["name"] == "requirements"
    assert manifest["parameters"]["top_k"] == 5
    assert manifest["counts"]["postings_scored"] == run.postings_scored > 5


def test_an_explicit_top_k_wins_and_an_empty_resume_is_refused(
    flow_settings: Settings, tmp_path: Path
) -> None:
    from pipelines.recommend import recommendation_flow

    run = recommendation_flow(
        _a_sample_resume(), SAMPLE / "jobs.csv", tmp_path / "out", flow_settings, top_k=2
    )
    assert len(run.recommendations) == 2
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    with pytest.raises(InputError, match=r"rejected|empty|no text"):
        recommendation_flow(empty, SAMPLE / "jobs.csv", tmp_path / "out2", flow_settings)


def test_only_the_first_stage_candidates_reach_the_ranker(
    flow_settings: Settings, tmp_path: Path
) -> None:
    from pipelines.recommend import recommendation_flow

    settings = flow_settings.model_copy(
        update={"ranking": flow_settings.ranking.model_copy(update={"recommend_candidates": 3})}
    )
    run = recommendation_flow(_a_sample_resume(), SAMPLE / "jobs.csv", tmp_path / "out", settings)
    counts = json.loads(run.manifest_path.read_text())["counts"]
    assert run.postings_scored == counts["postings_scored"] == 3 < counts["postings_loaded"]
    assert len(run.recommendations) == 3


def test_a_second_call_takes_the_postings_from_the_posting_store(
    flow_settings: Settings, tmp_path: Path
) -> None:
    from pipelines.recommend import recommendation_flow

    from matcher.ranking.embedding import load_model
    from matcher.ranking.requirement_ranker import skill_matcher

    first = recommendation_flow(
        _a_sample_resume(), SAMPLE / "jobs.csv", tmp_path / "a", flow_settings
    )
    # A notebook's second call: the model, the skill matcher and the store are not loaded again.
    models, matchers = load_model.cache_info().misses, skill_matcher.cache_info().misses
    other = SAMPLE / "resumes" / "r-0006-arjun-mehta.txt"
    second = recommendation_flow(other, SAMPLE / "jobs.csv", tmp_path / "b", flow_settings)
    assert load_model.cache_info().misses == models
    assert skill_matcher.cache_info().misses == matchers
    counts = [json.loads(run.manifest_path.read_text())["counts"] for run in (first, second)]
    loaded = counts[0]["postings_loaded"]
    assert counts[0]["posting_store"] == {
        "prepared": loaded,
        "reused": 0,
        "index": "built",
        "ranker_read": loaded,
        "loaded": "files",
    }
    assert counts[1]["posting_store"] == {
        "prepared": 0,
        "reused": loaded,
        "index": "unchanged",
        "ranker_read": 0,
        "loaded": "memory",
    }
    assert (flow_settings.state_dir / "postings" / "prepared.parquet").is_file()


def test_a_first_call_shows_how_far_the_postings_encoding_got(
    flow_settings: Settings, rjdb_dir: Path, tmp_path: Path, flow_run_lines: list[str]
) -> None:
    """A first call embeds every posting's chunks and requirement lines (minutes for thousands
    of postings): its log says how far that got, a few lines per large call."""
    from pipelines.recommend import recommendation_flow

    jobs = tmp_path / "jobs.csv"
    pd.read_csv(rjdb_dir / "jobs.csv", dtype=str).head(40).to_csv(jobs, index=False)
    settings = flow_settings.model_copy(
        update={
            "embedding": flow_settings.embedding.model_copy(
                update={"cache_dir": tmp_path / "cold-cache"}
            ),
            "state_dir": tmp_path / "state",
        }
    )
    recommendation_flow(_a_sample_resume(), jobs, tmp_path / "recs", settings)
    encoding_progress("\n".join(flow_run_lines))
