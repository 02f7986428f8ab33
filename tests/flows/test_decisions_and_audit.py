"""Decision records, `matcher explain` and `matcher audit` on a real batch-scoring run."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from matcher.settings import Settings
from tests.conftest import SAMPLE
from tests.flows.conftest import user_env

pytestmark = pytest.mark.usefixtures("prefect_server")

TOP_K = 5


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory, embedding_cache_dir: Path):  # type: ignore[no-untyped-def]
    from pipelines.batch_scoring import batch_scoring

    from matcher.settings import load_settings

    root = tmp_path_factory.mktemp("decisions")
    settings = load_settings(
        embedding={"cache_dir": embedding_cache_dir},
        index_dir=root / "index",
        mlflow_tracking_uri=f"sqlite:///{root / 'mlflow.db'}",
        ranking={"top_k": TOP_K},
    )
    out = root / "out"
    summary = batch_scoring(SAMPLE / "jobs.csv", SAMPLE / "resumes", out, settings)
    return settings, out, summary


def _shortlists(out: Path) -> pd.DataFrame:
    frame = pd.read_csv(out / "shortlists.csv", dtype=str, keep_default_na=False)
    # The CSV guard prefixes a quote to an ID that could start a formula; undo it to join.
    for column in ("job_id", "resume_id"):
        frame[column] = frame[column].str.replace(r"^'(?=[=+\-@\t\r])", "", regex=True)
    return frame


def test_every_scored_pair_has_a_decision_that_agrees_with_the_shortlist(scored) -> None:  # type: ignore[no-untyped-def]
    _, out, summary = scored
    decisions = pd.read_parquet(out / "decisions.parquet")
    counts = summary["counts"]
    assert len(decisions) == counts["postings"]["ranked"] * counts["resumes"]["ranked"]
    assert not decisions.duplicated(["job_id", "resume_id"]).any()
    shortlisted = decisions[decisions["shortlisted"]]
    shortlists = _shortlists(out)
    decided = shortlisted[["job_id", "resume_id", "rank"]].astype(str)
    listed = shortlists[["job_id", "resume_id", "rank"]].astype(str)
    assert set(decided.itertuples(index=False)) == set(listed.itertuples(index=False))
    points = decisions.filter(like="points.").sum(axis=1)
    assert (points - decisions["score"]).abs().max() < 0.2  # each part rounded to 0.01
    assert decisions["posting_sha256"].str.fullmatch("[0-9a-f]{64}").all()
    assert decisions["ranker"].eq("requirements").all()
    assert "email" not in decisions.columns and "phone" not in decisions.columns


def test_explain_a_candidate_who_was_not_shortlisted(scored) -> None:  # type: ignore[no-untyped-def]
    from matcher.cli import app

    _, out, _ = scored
    decisions = pd.read_parquet(out / "decisions.parquet")
    left_out = decisions[~decisions["shortlisted"]].sort_values("rank").iloc[0]
    job = str(left_out["job_id"])
    shortlist = _shortlists(out)
    last = shortlist[shortlist["job_id"] == job].sort_values("rank", key=lambda r: r.astype(int))
    needed = float(last["score"].iloc[-1])
    result = CliRunner().invoke(
        app, ["explain", "--run", str(out), "--job", job, "--resume", left_out["resume_id"]]
    )
    assert result.exit_code == 0, result.output
    assert f"Rank {TOP_K + 1} of " in result.output
    assert f"needed a score of at least {needed:.1f}" in result.output
    assert "Points by signal" in result.output
    assert "Requirements matched:" in result.output and "Requirements missing:" in result.output
    # Each signal under the shortlist's plain name, never the ranker's internal one.
    points = result.output.split("Points by signal")[1].split("Requirements matched:")[0]
    assert "overall similarity" in points and "keyword match" in points
    assert not re.search(r"\b(dense|bm25|tfidf|requirement_coverage)\b", points), points
    # The years held, and where they come from, as the decision record has them.
    held, basis = left_out["years_candidate"], left_out["years_from"]
    assert basis, "the sample's resumes all have dated roles or a statement of years"
    assert f"the resume shows {held} ({basis})." in result.output


def test_explain_names_an_unknown_candidate(scored) -> None:  # type: ignore[no-untyped-def]
    from matcher.cli import app

    _, out, _ = scored
    job = str(pd.read_parquet(out / "decisions.parquet")["job_id"].iloc[0])
    result = CliRunner().invoke(
        app, ["explain", "--run", str(out), "--job", job, "--resume", "nobody"]
    )
    assert result.exit_code == 2
    assert "resume 'nobody' was not scored in this run" in result.output
    assert result.output.strip().endswith("was not scored in this run")


def test_explain_says_why_a_copy_or_a_reject_was_not_scored(scored) -> None:  # type: ignore[no-untyped-def]
    """The run read them and left them out: `explain` says what `records.csv` says."""
    from matcher.cli import app

    _, out, _ = scored
    job = str(pd.read_parquet(out / "decisions.parquet")["job_id"].iloc[0])
    records = pd.read_csv(out / "records.csv", dtype=str, keep_default_na=False)
    resumes = records[records["kind"] == "resume"]
    for status, said in (("duplicate", "a duplicate: "), ("rejected", "rejected: ")):
        record = resumes[resumes["status"] == status].iloc[0]
        result = CliRunner().invoke(
            app, ["explain", "--run", str(out), "--job", job, "--resume", record["record_id"]]
        )
        assert result.exit_code == 2
        assert f"was not scored in this run: {said}{record['detail']}" in result.output
    posting = records[(records["kind"] == "posting") & (records["status"] == "rejected")].iloc[0]
    result = CliRunner().invoke(
        app,
        ["explain", "--run", str(out), "--job", posting["record_id"], "--resume", "any"],
    )
    assert result.exit_code == 2
    assert f"posting {posting['record_id']!r} was not scored in this run: rejected: " in (
        result.output
    )


def test_audit_of_a_run_matches_the_shortlists(scored, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import mlflow
    from pipelines.bias_audit import bias_audit

    settings: Settings = scored[0]
    out, summary = scored[1], scored[2]
    resumes = sorted(pd.read_parquet(out / "decisions.parquet")["resume_id"].unique())
    # Every third resume female, the rest male; the first two have no demographics at all.
    sexes = {rid: "Female" if i % 3 == 0 else "Male" for i, rid in enumerate(resumes)}
    demographics = pd.DataFrame({"resume_id": resumes[2:], "sex": [sexes[r] for r in resumes[2:]]})
    path = tmp_path / "demographics.csv"
    demographics.to_csv(path, index=False)
    result = bias_audit(out, path, settings)
    table = pd.read_csv(out / "audit" / "audit.csv").set_index("category")
    # The expected rates, counted straight from the shortlist CSV.
    shortlists = _shortlists(out)
    jobs = shortlists["job_id"].nunique()
    for category in ("Female", "Male"):
        members = {r for r in resumes[2:] if sexes[r] == category}
        chosen = shortlists["resume_id"].isin(members).sum()
        assert table.loc[category, "applicants"] == len(members)
        assert table.loc[category, "selection_rate"] == pytest.approx(
            chosen / (jobs * len(members))
        )
    assert table.loc["Unknown", "applicants"] == 2
    best = table.loc[["Female", "Male"], "selection_rate"].max()
    ratio = table.loc["Female", "selection_rate"] / best
    assert table.loc["Female", "selection_impact_ratio"] == pytest.approx(ratio)
    assert ("impact ratio under 0.8" in str(table.loc["Female", "flags"])) == (ratio < 0.8)
    page = (out / "audit" / "audit.html").read_text("utf-8")
    assert "<svg" in page and re.search(r"top 5 of a posting", page)
    client = mlflow.MlflowClient(tracking_uri=settings.mlflow_tracking_uri)
    audit_run = client.get_run(result["mlflow_run_id"])
    batch_run = client.get_run(summary["mlflow_run_id"])
    assert audit_run.info.experiment_id == batch_run.info.experiment_id
    assert audit_run.data.tags["audited_run_id"] == summary["mlflow_run_id"]
    logged = {a.path for a in client.list_artifacts(result["mlflow_run_id"])}
    assert {"audit.csv", "audit.html"} <= logged


def test_audit_refuses_a_bad_demographics_file(scored, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from matcher.cli import app

    _, out, _ = scored
    path = tmp_path / "demographics.csv"
    path.write_text("resume_id,sex,age\nr1,Male,40\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["audit", "--run", str(out), "--demographics", str(path)])
    assert result.exit_code == 2
    assert "unexpected columns age" in result.output


@pytest.mark.parametrize(
    ("problem", "error"),
    [
        ("columns", "demographics.csv: unexpected columns age; only resume_id"),
        ("quote", "demographics.csv: unreadable CSV (Error tokenizing data"),
        ("run", "no decisions.parquet; pass the --out folder of a `matcher score` run"),
    ],
)
def test_audit_names_a_bad_input_in_one_line_before_any_run(
    scored,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    problem: str,
    error: str,
) -> None:
    """As a user runs it: the error alone, no failed flow run's tracebacks before it."""
    import subprocess
    import sys

    _, out, _ = scored
    path = tmp_path / "demographics.csv"
    text = {"columns": "resume_id,sex,age\nr1,Male,40\n", "quote": 'resume_id,sex\n"r1,Male\n'}
    path.write_text(text.get(problem, "resume_id,sex\nr1,Male\n"), encoding="utf-8")
    run = tmp_path if problem == "run" else out
    env = user_env(tmp_path / "command", tmp_path / "cache")
    arguments = ["--demographics", str(path), "--out", str(tmp_path / "audit")]
    done = subprocess.run(
        [sys.executable, "-m", "matcher", "-q", "audit", "--run", str(run), *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 2, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and error in lines[0], lines
    assert not (tmp_path / "audit").exists()


def _sample_contacts() -> set[str]:
    """Every e-mail and phone number written in the sample resumes."""
    from matcher.io.loading import load_resumes
    from matcher.text.contact import find_emails, find_phones

    texts = load_resumes(SAMPLE / "resumes").records["text"].astype(str)
    found = {c for text in texts for c in (*find_emails(text), *find_phones(text))}
    assert len(found) > 50  # the sample has contact details to leak
    return found


def test_no_email_or_phone_reaches_the_cache_index_mlflow_or_decisions(scored) -> None:  # type: ignore[no-untyped-def]
    from matcher.io.loading import load_resumes
    from matcher.text.preprocess import prepare_resumes
    from matcher.text.texts import resume_texts

    settings: Settings = scored[0]
    out: Path = scored[1]
    contacts = _sample_contacts()
    # The texts the model embeds (and whose hashes key the cache) are redacted.
    prepared, _, _ = prepare_resumes(load_resumes(SAMPLE / "resumes").records)
    embedded = "\n".join(resume_texts(prepared))
    assert not [c for c in contacts if c in embedded]
    # Nothing stored holds one: the cache, the index, the MLflow store with its params and its
    # artifacts other than the shortlists, and the decision records.
    db = Path(settings.mlflow_tracking_uri.removeprefix("sqlite:///"))
    stored = [
        Path(settings.embedding.cache_dir or "") / "embeddings.sqlite",
        db,
        *Path(settings.index_dir).rglob("*"),
        *(
            p
            for p in (db.parent / "mlartifacts").rglob("*")
            if not any(part.startswith("shortlists") for part in p.parts)
        ),
    ]
    blobs = b"".join(p.read_bytes() for p in stored if p.is_file())
    assert len(blobs) > 10_000
    assert not [c for c in contacts if c.encode() in blobs]
    decisions = pd.read_parquet(out / "decisions.parquet").astype(str)
    cells = "\n".join(decisions.to_numpy().ravel())
    assert not [c for c in contacts if c in cells]
    # The shortlists do hold them: the search above would find a leak.
    shortlists = (out / "shortlists.csv").read_text("utf-8")
    assert [c for c in contacts if c in shortlists]
