"""The real batch-scoring flow end to end: real model, FAISS, Prefect and MLflow."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from matcher.io.csv_safety import FORMULA_PREFIXES
from matcher.settings import Settings
from tests.conftest import SAMPLE

pytestmark = pytest.mark.usefixtures("prefect_server")


def _sample_resume_ids() -> set[str]:
    return {p.stem for p in (SAMPLE / "resumes").iterdir() if not p.name.startswith(".")}


def _all_cells(folder: Path):  # type: ignore[no-untyped-def]
    for path in folder.rglob("*.csv"):
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    yield path, cell


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory, embedding_cache_dir: Path):  # type: ignore[no-untyped-def]
    from pipelines.batch_scoring import batch_scoring

    from matcher.settings import load_settings

    root = tmp_path_factory.mktemp("flow")
    settings = load_settings(
        embedding={"cache_dir": embedding_cache_dir},
        index_dir=root / "index",
        mlflow_tracking_uri=f"sqlite:///{root / 'mlflow.db'}",
        ranking={"top_k": 5},
    )
    out = root / "out"
    summary = batch_scoring(SAMPLE / "jobs.csv", SAMPLE / "resumes", out, settings)
    return settings, out, summary


def test_every_sample_resume_is_accounted_for(first_run) -> None:  # type: ignore[no-untyped-def]
    _, out, _ = first_run
    records = pd.read_csv(out / "records.csv", dtype=str, keep_default_na=False)
    resumes = records[records["kind"] == "resume"]
    # csv-safety may have prefixed an ID with a quote; undo that to compare with file stems
    ids = {rid[1:] if rid.startswith("'") else rid for rid in resumes["record_id"]}
    assert ids == _sample_resume_ids()
    assert resumes["record_id"].is_unique
    assert set(resumes["status"]) == {"ranked", "duplicate", "rejected"}
    rejected = resumes[resumes["status"] == "rejected"]
    assert (rejected["detail"].str.len() > 0).all()  # every reject says why
    # Every record names the file it came from, a copy as well as the resume it copies.
    duplicates = resumes[resumes["status"] == "duplicate"]
    assert len(duplicates) >= 2
    assert [Path(source).stem for source in duplicates["source"]] == duplicates[
        "record_id"
    ].tolist()
    assert (resumes["source"].str.len() > 0).all()


def test_manifest_counts_add_up(first_run) -> None:  # type: ignore[no-untyped-def]
    _, out, summary = first_run
    manifest = json.loads((out / "run_manifest.json").read_text())
    for kind in ("postings", "resumes"):
        c = manifest["counts"][kind]
        assert c["read"] == c["ranked"] + c["duplicates"] + c["rejected"], (kind, c)
    assert manifest["counts"]["resumes"]["read"] == len(_sample_resume_ids())
    assert manifest["counts"]["resumes"]["duplicates"] >= 2  # the exact and the near copy
    assert manifest["counts"]["postings"]["rejected"] >= 1  # the posting with no description
    assert manifest["inputs"]["resumes"]["sha256"] and manifest["inputs"]["jobs"]["sha256"]
    assert manifest["model"]["id"] and manifest["index"]["dimension"] == 384
    assert set(manifest["timings"]) >= {"load", "clean", "embed_and_index", "rank", "write"}
    assert manifest["mlflow_run_id"] == summary["mlflow_run_id"]


def test_no_cell_is_a_formula(first_run) -> None:  # type: ignore[no-untyped-def]
    _, out, _ = first_run
    bad = [(p.name, c) for p, c in _all_cells(out) if c.startswith(FORMULA_PREFIXES)]
    assert bad == []


def test_shortlists_are_ranked_and_explained(first_run) -> None:  # type: ignore[no-untyped-def]
    settings, out, _ = first_run
    combined = pd.read_csv(out / "shortlists.csv", dtype={"job_id": str, "resume_id": str})
    for column in (
        "job_id",
        "job_title",
        "rank",
        "resume_id",
        "candidate_name",
        "score",
        "score_breakdown",
        "evidence",
    ):
        assert column in combined.columns
    assert combined["score"].between(0, 100).all()
    for job_id, rows in combined.groupby("job_id"):
        assert rows["rank"].tolist() == list(range(1, len(rows) + 1))
        assert rows["score"].is_monotonic_decreasing
        assert len(rows) <= settings.ranking.top_k
        assert (out / "shortlists" / f"{job_id}.csv").is_file()
    # contact details reach the recruiter even though the models never saw them
    assert combined["email"].fillna("").str.contains("@").any()
    # the sample's resumes come from a folder: each location is read from its header
    assert combined["location"].notna().all()


def test_evidence_quotes_whole_resume_sentences_for_every_matched_skill(first_run) -> None:  # type: ignore[no-untyped-def]
    from matcher.io.csv_safety import unguard_cell
    from matcher.io.loading import load_resumes
    from matcher.parsing.shown_skills import ENGLISH, shown_by
    from matcher.parsing.skills import SkillMatcher
    from matcher.parsing.title_skills import title_skills
    from matcher.ranking.requirement_ranker import DEGREE_NAMES, degree_wording
    from matcher.text.contact import PLACEHOLDERS
    from matcher.text.display import display_sentences
    from matcher.text.preprocess import prepare_resumes

    _, out, _ = first_run
    combined = pd.read_csv(out / "shortlists.csv", dtype=str, keep_default_na=False)
    prepared, _, _ = prepare_resumes(load_resumes(SAMPLE / "resumes").records)
    sentences = {
        rid: display_sentences(text)
        for rid, text in zip(prepared["resume_id"], prepared["clean_text"], strict=True)
    }
    matcher = SkillMatcher()
    # A degree met is listed last in matched_required, as "Bachelor's degree"; it is no skill
    degrees = tuple(map(degree_wording, DEGREE_NAMES))
    markup = re.compile(r"\*\*|__|`|^\s*(?:#|[-*+•>]\s)")
    matched_rows = combined[combined["matched_required"] != ""]
    assert len(matched_rows) > len(combined) / 2
    for _, row in matched_rows.iterrows():
        matched = row["matched_required"].split("; ")
        skills = [item for item in matched if not item.startswith(degrees)]  # no quote
        if not skills:
            continue
        quotes = unguard_cell(row["evidence"]).split(" | ")
        own = sentences[unguard_cell(row["resume_id"])]
        for quote in quotes:
            assert not any(token in quote for token in PLACEHOLDERS)
            assert markup.search(quote) is None, quote
            # a whole sentence of the resume (or, past 300 characters, a cut of one)
            assert any(quote.strip("… ") in sentence for sentence in own)
            assert quote in own or quote.startswith("…") or quote.endswith("…")
        found = [m for quote in quotes for m in matcher.find(quote)]
        # a role's title shows the skill of its work: the quote is the role's line
        found += [m for quote in quotes for m in title_skills(quote, quote, matcher)]
        shown = {m.skill for m in found}
        # a tool shows its suite (Django its ORM): the quote is the tool's sentence
        shown |= {s for m in found for s in shown_by(m.skill, m.category)}
        # English, shown by the language the resume is written in, has no sentence
        assert set(skills) - {ENGLISH} <= shown, row["resume_id"]


def test_the_workbook_has_a_sheet_per_posting_and_keeps_ids_unguarded(first_run) -> None:  # type: ignore[no-untyped-def]
    import zipfile

    from matcher.io.csv_safety import unguard_cell

    _, out, _ = first_run
    combined = pd.read_csv(out / "shortlists.csv", dtype=str, keep_default_na=False)
    records = pd.read_csv(out / "records.csv", dtype=str, keep_default_na=False)
    ranked_jobs = records[(records["kind"] == "posting") & (records["status"] == "ranked")]
    with zipfile.ZipFile(out / "shortlists.xlsx") as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/sheet")]
        strings = book.read("xl/sharedStrings.xml").decode()
    assert len(sheets) == 1 + len(ranked_jobs)  # the summary, then one sheet per posting
    guarded = [rid for rid in combined["resume_id"] if rid.startswith("'")]
    assert guarded  # the sample has an ID that looks like a formula
    for rid in guarded:  # the CSV guards it; the workbook holds the ID as it was
        assert f"<t>{unguard_cell(rid)}</t>" in strings
    assert "<t>ranker</t>" in strings and "<t>model version</t>" in strings


def test_the_run_is_in_mlflow(first_run) -> None:  # type: ignore[no-untyped-def]
    import mlflow

    settings, _, summary = first_run
    client = mlflow.MlflowClient(tracking_uri=settings.mlflow_tracking_uri)
    run = client.get_run(summary["mlflow_run_id"])
    assert run.data.metrics["counts.resumes.ranked"] > 0
    assert "seconds.rank" in run.data.metrics
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {"run_manifest.json", "shortlists.csv", "shortlists.xlsx", "rejects.csv"} <= artifacts


def test_rerun_embeds_nothing_new(first_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from pipelines.batch_scoring import batch_scoring

    settings, _, first = first_run
    again = batch_scoring(SAMPLE / "jobs.csv", SAMPLE / "resumes", tmp_path / "out", settings)
    assert again["embedding"]["texts_embedded"] == 0
    assert again["embedding"]["cache_hits"] == (
        first["embedding"]["cache_hits"] + first["embedding"]["cache_misses"]
    )
    manifest = json.loads((tmp_path / "out" / "run_manifest.json").read_text())
    assert manifest["index"]["reused"] is True


def test_missing_required_column_fails_with_one_line(
    flow_settings: Settings, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from matcher.cli import app

    jobs = tmp_path / "jobs.csv"
    jobs.write_text("job_id,title\nJ1,Nurse\n")
    config = tmp_path / "matcher.toml"
    config.write_text(
        f'index_dir = "{tmp_path / "index"}"\n'
        f'mlflow_tracking_uri = "sqlite:///{tmp_path / "m.db"}"\n'
    )
    result = CliRunner().invoke(
        app,
        [
            "score",
            "--jobs",
            str(jobs),
            "--resumes",
            str(SAMPLE / "resumes"),
            "--out",
            str(tmp_path / "out"),
            "--config",
            str(config),
        ],
    )
    assert result.exit_code == 2
    assert "description" in result.output and "Traceback" not in result.output


def test_a_run_that_scores_no_resume_fails_after_writing_why_and_its_summary(
    embedding_cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from matcher.cli import app

    resumes = tmp_path / "resumes.csv"
    resumes.write_text("resume_id,text\nr1,\nr2,   \n")
    monkeypatch.setenv("MATCHER_EMBEDDING__CACHE_DIR", str(embedding_cache_dir))
    monkeypatch.setenv("MATCHER_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("MATCHER_MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'm.db'}")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["score", "--jobs", str(SAMPLE / "jobs.csv"), "--resumes", str(resumes), "--out", str(out)],
    )
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "no resumes could be scored (2 read)" in errors[0]
    assert "Traceback" not in result.output
    rejects = pd.read_csv(out / "rejects.csv", dtype=str)
    assert set(rejects[rejects["kind"] == "resume"]["record_id"]) == {"r1", "r2"}
    # The end of the run names its outputs, the ranker and the MLflow run.
    for text in ("ranker: ", "workbook: ", "rejects: ", "manifest: ", "MLflow run: "):
        assert text in result.output, text
    assert (out / "shortlists.xlsx").is_file()
    from matcher.ranking.shortlist import EXPLANATION_COLUMNS, SHORTLIST_COLUMNS

    header = (out / "shortlists.csv").read_text().splitlines()
    # The full header, then the postings' own columns (location, department) passed through.
    columns = [*SHORTLIST_COLUMNS, *EXPLANATION_COLUMNS, "job_location", "job_department"]
    assert header == [",".join(columns)]


def test_two_stages_account_for_every_resume_and_every_pair_scored(
    first_run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """With one candidate per source, most pairs are never scored, yet every resume is
    accounted for and every pair scored has its decision record."""
    from pipelines.batch_scoring import batch_scoring

    settings, _, _ = first_run
    ranking = settings.ranking.model_copy(update={"candidates": 1, "posting_batch": 4})
    out = tmp_path / "out"
    batch_scoring(
        SAMPLE / "jobs.csv",
        SAMPLE / "resumes",
        out,
        settings.model_copy(update={"ranking": ranking}),
    )
    manifest = json.loads((out / "run_manifest.json").read_text())
    stage1 = manifest["stage1"]
    ranked = manifest["counts"]["resumes"]["ranked"]
    assert stage1["candidates"] == 1 and stage1["posting_batch"] == 4 and not stage1["exhaustive"]
    per_posting = stage1["candidates_per_posting"]
    assert len(per_posting) == manifest["counts"]["postings"]["ranked"]
    assert all(1 <= count <= 2 for count in per_posting.values())
    decisions = pd.read_parquet(out / "decisions.parquet")
    assert len(decisions) == stage1["pairs_scored"] == sum(per_posting.values())
    # Features are computed for each posting's own candidates only: the pairs scored.
    postings_ranked = manifest["counts"]["postings"]["ranked"]
    assert stage1["feature_pairs"] == stage1["pairs_scored"] < postings_ranked * ranked
    # Stage 2 in tiles of resumes: each candidate resume read once, whatever the postings.
    assert stage1["batches"] >= 1
    assert stage1["resumes_read"] == len(set(decisions["resume_id"])) <= stage1["pairs_scored"]
    # Streamed batch by batch: each posting's records together.
    jobs = decisions["job_id"].tolist()
    runs = sum(1 for k, job in enumerate(jobs) if k == 0 or jobs[k - 1] != job)
    assert runs == len(set(jobs))
    records = pd.read_csv(out / "records.csv", dtype=str, keep_default_na=False)
    resumes = records[records["kind"] == "resume"]
    left_out = resumes[resumes["status"] == "not a candidate"]
    assert len(left_out) == stage1["resumes_not_candidates"] > 0
    assert set(resumes["status"]) == {"ranked", "not a candidate", "duplicate", "rejected"}
    assert len(resumes[resumes["status"].isin(["ranked", "not a candidate"])]) == ranked
    assert left_out["detail"].str.startswith("candidate of 0 of").all()
    shortlists = pd.read_csv(out / "shortlists.csv", dtype=str, keep_default_na=False)
    assert (shortlists.groupby("job_id").size() <= 2).all()


def test_a_resume_table_with_received_days_counts_each_resume_to_its_own_day(
    first_run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """An archive: one resume received in mid 2021, one today (no day given), one whose day is
    not a date. "... - Present" counts to each resume's day; the bad day is a reject."""
    from pipelines.batch_scoring import batch_scoring

    settings, _, _ = first_run
    jobs = pd.read_csv(SAMPLE / "jobs.csv", dtype=str, keep_default_na=False)
    jobs[jobs["job_id"] == "J-1001"].to_csv(tmp_path / "jobs.csv", index=False)
    names = ["r-0001-maria-lopez.txt", "r-0006-arjun-mehta.txt", "r-0003-sofia-nguyen.md"]
    texts = [(SAMPLE / "resumes" / name).read_text(encoding="utf-8") for name in names]
    assert "Jan 2021 – Present" in texts[0] and "2016-2018" in texts[0]
    # Her summary's "8 years" would count as well (a statement of years): her dates alone here.
    texts[0] = texts[0].replace("with 8 years of experience building", "building")
    assert "Jan 2019 – Present" in texts[1] and "2014-2016" in texts[1]
    pd.DataFrame(
        {
            "resume_id": ["maria", "arjun", "sofia"],
            "text": texts,
            "received": ["2021-07-01", "", "last week"],
        }
    ).to_csv(tmp_path / "resumes.csv", index=False)
    out = tmp_path / "out"
    batch_scoring(tmp_path / "jobs.csv", tmp_path / "resumes.csv", out, settings)
    shortlist = pd.read_csv(out / "shortlists.csv", dtype=str, keep_default_na=False)
    rows = shortlist.set_index("resume_id")
    assert set(rows.index) == {"maria", "arjun"}
    assert rows.loc["maria", "received"] == "2021-07-01"
    assert rows.loc["arjun", "received"] == ""
    # Maria: 2016 to mid 2021, not to the run's day (which would be over 9 years).
    assert float(rows.loc["maria", "years_candidate"]) == pytest.approx(5.5, abs=0.2)
    assert float(rows.loc["arjun", "years_candidate"]) > 11.0  # 2014 to the run's day
    rejects = pd.read_csv(out / "rejects.csv", dtype=str, keep_default_na=False)
    [reason] = rejects[rejects["record_id"] == "sofia"]["reason"]
    assert reason == "received: 'last week' is not a date (write it as YYYY-MM-DD)"


def test_postings_from_an_excel_workbook_give_the_same_shortlists(
    first_run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A recruiter's export: the sample's postings as an .xlsx workbook, after a notes sheet,
    are ranked exactly as the CSV; each posting's source names its spreadsheet row."""
    import openpyxl
    from pipelines.batch_scoring import batch_scoring

    settings, out, _ = first_run
    jobs = pd.read_csv(SAMPLE / "jobs.csv", dtype=str, keep_default_na=False)
    book = openpyxl.Workbook()
    book.active.title = "Read me"
    book.active.append(["Open postings, exported for matcher"])
    sheet = book.create_sheet("Postings")
    sheet.append(list(jobs.columns))
    for row in jobs.itertuples(index=False):
        sheet.append(list(row))
    book.save(tmp_path / "jobs.xlsx")
    batch_scoring(tmp_path / "jobs.xlsx", SAMPLE / "resumes", tmp_path / "out", settings)

    def shortlists(folder: Path) -> pd.DataFrame:
        frame = pd.read_csv(folder / "shortlists.csv", dtype=str, keep_default_na=False)
        return frame.drop(columns=[c for c in frame.columns if "source" in c])

    pd.testing.assert_frame_equal(shortlists(tmp_path / "out"), shortlists(out))
    records = pd.read_csv(tmp_path / "out" / "records.csv", dtype=str, keep_default_na=False)
    postings = records[records["kind"] == "posting"]
    assert postings["source"].tolist()[:2] == [
        f"{tmp_path / 'jobs.xlsx'}:row 2",
        f"{tmp_path / 'jobs.xlsx'}:row 3",
    ]
