"""The preprocessing nodes on in-memory frames."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from matcher.schema import CLEAN_TEXT, DUPLICATE_COLUMNS, MODEL_TEXT, REJECT_COLUMNS, SOURCE
from matcher.text.preprocess import MIN_RESUME_WORDS, prepare_postings, prepare_resumes

RESUME = (
    "JANE DOE\njane.doe@example.com | +1 (555) 010-0199 | linkedin.com/in/jane-doe\n\n"
    "SUMMARY\nâ€¢ Data engineer since 2016; Jane likes Airflow.\n\nSKILLS\n• Python\n• SQL\n\n"
    "EXPERIENCE\nAcme (2019 – 2024)"
)


def resumes_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame[SOURCE] = [f"resumes.csv:{i + 2}" for i in range(len(frame))]
    return frame


# --- postings ---------------------------------------------------------------------------------


def test_prepare_postings_cleans_and_redacts() -> None:
    postings = pd.DataFrame(
        {
            "job_id": ["007", "J2"],
            "title": ["  Data Engineer ", ""],
            "description": [
                "<p>Requirements</p><ul><li>Python &amp; SQL</li></ul>"
                "<p>Apply: jobs@acme.io, +1 555 010 0100, https://acme.io/jobs</p>",
                "Job title\nHELP DESK ADMINISTRATOR\n\nJob Summary\nâ€¢ Fix laptops",
            ],
            "location": ["Berlin", "Oslo"],
        }
    )
    prepared, rejects = prepare_postings(postings)
    assert rejects.empty and list(rejects.columns) == list(REJECT_COLUMNS)
    assert prepared["job_id"].tolist() == ["007", "J2"]
    assert prepared["title"].tolist() == ["Data Engineer", "HELP DESK ADMINISTRATOR"]
    assert prepared["location"].tolist() == ["Berlin", "Oslo"]
    first = prepared.iloc[0]
    assert first[CLEAN_TEXT] == (
        "Requirements\n\n- Python & SQL\n\nApply: jobs@acme.io, +1 555 010 0100, https://acme.io/jobs"
    )
    assert first[MODEL_TEXT] == (
        "Data Engineer\nRequirements\n\n- Python & SQL\n\nApply: [EMAIL], [PHONE], [URL]"
    )
    assert prepared.iloc[1][MODEL_TEXT].startswith("HELP DESK ADMINISTRATOR\nJob title\n")
    assert "- Fix laptops" in prepared.iloc[1][CLEAN_TEXT]


def test_a_posting_cleaned_again_in_the_process_is_remembered_alike() -> None:
    """A process cleaning the same postings again (a notebook's next run, or one of
    `matcher schedule --warm`) takes them from memory: the same frame, with other postings
    still cleaned, and a long posting cleaned each time."""
    from matcher.text import preprocess

    long_text = "Requirements: Python and SQL. " * 2000  # past what is remembered
    postings = pd.DataFrame(
        {
            "job_id": ["J1", "J2", "J3"],
            "title": ["Data Engineer", "", "Analyst"],
            "description": [
                "<p>Python &amp; SQL; apply: jobs@acme.io</p>",
                "Nurse\nICU",
                long_text,
            ],
        }
    )
    first, _ = prepare_postings(postings)
    before = preprocess._prepared_posting.cache_info()
    again, _ = prepare_postings(postings)
    after = preprocess._prepared_posting.cache_info()
    pd.testing.assert_frame_equal(again, first)
    assert after.hits - before.hits == 2 and after.misses == before.misses
    other = postings.assign(description=["Go and Rust", "Welder\nMIG", "Cook"])
    changed, _ = prepare_postings(other)
    assert changed[CLEAN_TEXT].tolist() == ["Go and Rust", "Welder\nMIG", "Cook"]


def test_prepare_postings_rejects_empty_after_cleaning() -> None:
    postings = pd.DataFrame(
        {
            "job_id": ["J1", "J2"],
            "title": ["A", "B"],
            "description": ["<div><br/>&nbsp;</div>", "Real text"],
            SOURCE: ["jobs.csv:2", "jobs.csv:3"],
        }
    )
    prepared, rejects = prepare_postings(postings)
    assert prepared["job_id"].tolist() == ["J2"]
    assert rejects.to_dict("records") == [
        {
            "kind": "posting",
            "record_id": "J1",
            "source": "jobs.csv:2",
            "reason": "empty description after cleaning",
        }
    ]


def test_prepare_postings_does_not_modify_its_input() -> None:
    postings = pd.DataFrame({"job_id": ["J1"], "title": ["A"], "description": ["• x"]})
    before = postings.copy()
    prepare_postings(postings)
    pd.testing.assert_frame_equal(postings, before)


# --- resumes ----------------------------------------------------------------------------------


def test_prepare_resumes_extracts_contact_and_redacts() -> None:
    prepared, duplicates, rejects = prepare_resumes(
        resumes_frame([{"resume_id": "007", "text": RESUME}])
    )
    assert duplicates.empty and rejects.empty
    row = prepared.iloc[0]
    assert row["resume_id"] == "007"
    assert (row["name"], row["email"], row["phone"]) == (
        "Jane Doe",
        "jane.doe@example.com",
        "+1 (555) 010-0199",
    )
    assert row[CLEAN_TEXT].startswith("JANE DOE\njane.doe@example.com")
    assert "- Data engineer since 2016; Jane likes Airflow." in row[CLEAN_TEXT]
    assert row[MODEL_TEXT] == (
        "[NAME]\n[EMAIL] | [PHONE] | [URL]\n\nSUMMARY\n- Data engineer since 2016; [NAME] likes "
        "Airflow.\n\nSKILLS\n- Python\n- SQL\n\nEXPERIENCE\nAcme (2019 – 2024)"
    )


def test_prepare_resumes_prefers_table_contact_columns_and_redacts_both_names() -> None:
    frame = resumes_frame(
        [
            {
                "resume_id": "r1",
                "text": RESUME,
                "name": "Janet Q. Public",
                "email": None,
                "phone": "  ",
                "location": "Oslo",
            }
        ]
    )
    row = prepare_resumes(frame)[0].iloc[0]
    assert row["name"] == "Janet Q. Public"
    assert row["email"] == "jane.doe@example.com"  # blank in the table: taken from the text
    assert row["phone"] == "+1 (555) 010-0199"
    assert row["location"] == "Oslo"
    for name in ("Jane", "JANE", "Doe", "Janet", "Public"):
        assert name not in row[MODEL_TEXT]


def test_prepare_resumes_renaming_the_candidate_does_not_change_model_text() -> None:
    renamed = RESUME.replace("JANE DOE", "MARIA LOPEZ").replace("Jane", "Maria")
    renamed = renamed.replace("jane.doe", "maria.lopez")
    prepared, _, _ = prepare_resumes(
        resumes_frame([{"resume_id": "a", "text": RESUME}, {"resume_id": "b", "text": renamed}]),
    )
    # Identical once redacted, so b is an exact duplicate of a.
    first = prepare_resumes(resumes_frame([{"resume_id": "a", "text": RESUME}]))[0]
    second = prepare_resumes(resumes_frame([{"resume_id": "b", "text": renamed}]))[0]
    assert first[MODEL_TEXT].iloc[0] == second[MODEL_TEXT].iloc[0]
    assert prepared["resume_id"].tolist() == ["a"]


def test_prepare_resumes_rejects_empty_and_too_short() -> None:
    frame = resumes_frame(
        [
            {"resume_id": "empty", "text": "<p>&nbsp;</p>"},
            {"resume_id": "short", "text": "See attached CV"},
            {"resume_id": "ok", "text": RESUME},
        ]
    )
    prepared, _, rejects = prepare_resumes(frame)
    assert prepared["resume_id"].tolist() == ["ok"]
    assert rejects.to_dict("records") == [
        {
            "kind": "resume",
            "record_id": "empty",
            "source": "resumes.csv:2",
            "reason": "empty text after cleaning",
        },
        {
            "kind": "resume",
            "record_id": "short",
            "source": "resumes.csv:3",
            "reason": f"text too short to be a resume (3 words, at least {MIN_RESUME_WORDS})",
        },
    ]


def test_prepare_resumes_reports_and_drops_duplicates() -> None:
    text = RESUME + (
        "\n• Built the lakehouse on S3 and Iceberg, cut warehouse costs by a third, mentored "
        "four engineers, ran the on-call rotation and moved batch jobs to streaming with Kafka."
    )
    reformatted = text.replace("• ", "* ").replace("\n\n", "\n\n\n")
    near = text.replace("likes Airflow", "loves Airflow")
    frame = resumes_frame(
        [
            {"resume_id": "a", "text": text},
            {"resume_id": "b", "text": reformatted},
            {"resume_id": "c", "text": near},
        ]
    )
    prepared, duplicates, rejects = prepare_resumes(frame, near_duplicate_threshold=0.9)
    assert prepared["resume_id"].tolist() == ["a"]
    assert list(duplicates.columns) == list(DUPLICATE_COLUMNS)
    assert duplicates[["kind", "record_id", "duplicate_of", "match"]].values.tolist() == [
        ["resume", "b", "a", "exact"],
        ["resume", "c", "a", "near"],
    ]
    assert 0.9 <= duplicates["similarity"].iloc[1] < 1.0
    assert rejects.empty
    # The same near copy is kept with a stricter threshold.
    strict, strict_duplicates, _ = prepare_resumes(frame, near_duplicate_threshold=0.99)
    assert strict["resume_id"].tolist() == ["a", "c"]
    assert strict_duplicates["match"].tolist() == ["exact"]


def test_of_a_resubmitted_resume_the_copy_received_last_is_kept() -> None:
    """A candidate who sends their resume again, with a new phone number: the copy received
    last is ranked (its contact details, "Present" to its day), the earlier one reported as its
    duplicate; a copy with no day was received on the run's day, the latest; copies of the
    same day keep the first. The duplicates stay in input order."""
    again = RESUME.replace("+1 (555) 010-0199", "+1 (555) 010-0142")
    other = RESUME.replace("JANE DOE", "OMAR HALL").replace("Airflow", "dbt and Spark") + "\n\n"
    other += "Welder, MIG and TIG, 2010 - 2015; forklift licence; night shifts."
    frame = resumes_frame(
        [
            {"resume_id": "first", "text": RESUME, "received": "2021-01-10"},
            {"resume_id": "other", "text": other, "received": "2020-05-01"},
            {"resume_id": "resent", "text": again, "received": "2023-05-02"},
            {"resume_id": "same-day", "text": again, "received": "2023-05-02"},
        ]
    )
    prepared, duplicates, _ = prepare_resumes(frame)
    assert prepared["resume_id"].tolist() == ["other", "resent"]
    assert prepared.set_index("resume_id").loc["resent", "phone"] == "+1 (555) 010-0142"
    assert duplicates[["record_id", "duplicate_of", "match"]].values.tolist() == [
        ["first", "resent", "exact"],
        ["same-day", "resent", "exact"],
    ]
    frame.loc[0, "received"] = ""  # the run's day
    prepared, duplicates, _ = prepare_resumes(frame)
    assert prepared["resume_id"].tolist() == ["first", "other"]
    assert duplicates["duplicate_of"].tolist() == ["first", "first"]


def test_prepare_resumes_can_keep_duplicates() -> None:
    frame = resumes_frame([{"resume_id": "a", "text": RESUME}, {"resume_id": "b", "text": RESUME}])
    prepared, duplicates, rejects = prepare_resumes(frame, deduplicate=False)
    assert prepared["resume_id"].tolist() == ["a", "b"]
    assert duplicates.empty and list(duplicates.columns) == list(DUPLICATE_COLUMNS)
    assert rejects.empty


def test_prepare_resumes_with_repeated_ids_drops_exactly_the_duplicate_rows() -> None:
    frame = resumes_frame(
        [
            {"resume_id": "x", "text": RESUME},
            {
                "resume_id": "x",
                "text": "Nurse with ten years in intensive care units, 2010 - 2020.",
            },
            {"resume_id": "y", "text": RESUME},
        ]
    )
    prepared, duplicates, rejects = prepare_resumes(frame)
    assert prepared["resume_id"].tolist() == ["x"]  # the second "x" is refused, as loaders do
    assert rejects["reason"].tolist() == ["duplicate resume_id 'x' (first at row 1)"]
    assert duplicates[["record_id", "duplicate_of"]].values.tolist() == [["y", "x"]]


def test_prepare_resumes_empty_frame() -> None:
    frame = pd.DataFrame(
        {"resume_id": pd.Series([], dtype="str"), "text": pd.Series([], dtype="str")}
    )
    prepared, duplicates, rejects = prepare_resumes(frame)
    assert prepared.empty and duplicates.empty and rejects.empty
    assert {CLEAN_TEXT, MODEL_TEXT, "name", "email", "phone"} <= set(prepared.columns)
    assert list(duplicates.columns) == list(DUPLICATE_COLUMNS)


# --- one record that cannot be cleaned does not stop the others ------------------------------


def test_posting_the_html_parser_rejects_becomes_a_reject() -> None:
    postings = pd.DataFrame(
        {
            "job_id": ["broken", "fine"],
            "title": ["Engineer", "Analyst"],
            "description": ["<p>Python and SQL</p><![foo bar", "<p>SQL and Excel</p>"],
            SOURCE: ["jobs.csv:2", "jobs.csv:3"],
        }
    )
    kept, rejects = prepare_postings(postings)
    assert kept["job_id"].tolist() == ["fine"]
    assert rejects[["record_id", "source"]].values.tolist() == [["broken", "jobs.csv:2"]]
    assert rejects["reason"].iloc[0].startswith("cannot clean record: ParserRejectedMarkup:")


def test_resume_the_html_parser_rejects_becomes_a_reject() -> None:
    frame = resumes_frame(
        [
            {"resume_id": "broken", "text": RESUME + "<b>x</b><![ CDATA["},
            {"resume_id": "fine", "text": RESUME},
        ]
    )
    kept, duplicates, rejects = prepare_resumes(frame)
    assert kept["resume_id"].tolist() == ["fine"]
    assert duplicates.empty
    assert rejects["record_id"].tolist() == ["broken"]
    assert "AssertionError: expected name token" in rejects["reason"].iloc[0]


def test_html_depth_limit_reaches_the_prepare_nodes() -> None:
    from matcher.settings import LimitSettings

    postings = pd.DataFrame(
        {
            "job_id": ["1"],
            "title": ["Engineer"],
            "description": ["<div><ul><li>Python</li><li>SQL</li></ul></div>"],
        }
    )
    assert prepare_postings(postings)[0][CLEAN_TEXT].tolist() == ["- Python\n- SQL"]
    shallow = prepare_postings(postings, LimitSettings(max_html_depth=1))[0]
    assert shallow[CLEAN_TEXT].tolist() == ["Python SQL"]


def test_prepare_loaded_carries_which_records_were_cut(tmp_path: Path) -> None:
    from matcher.io.accounting import record_status
    from matcher.io.loading import load_postings, load_resumes
    from matcher.settings import LimitSettings
    from matcher.text.preprocess import prepare_loaded

    long_resume = RESUME + "\n" + "Built Python and SQL pipelines for finance teams. " * 200
    pd.DataFrame(
        {"resume_id": ["long", "copy", "long"], "text": [long_resume, long_resume, RESUME]}
    ).to_csv(resumes_path := tmp_path / "resumes.csv", index=False)
    pd.DataFrame(
        {"job_id": ["j1"], "title": ["Data Engineer"], "description": ["Python and SQL"]}
    ).to_csv(jobs_path := tmp_path / "jobs.csv", index=False)
    limits = LimitSettings(max_document_chars=2_000)
    postings, resumes = load_postings(jobs_path, limits), load_resumes(resumes_path, limits)
    prepared = prepare_loaded(postings, resumes, limits=limits)
    status = record_status(
        prepared.postings,
        prepared.resumes,
        prepared.duplicates,
        prepared.rejects,
        prepared.truncated,
    )
    by_source = {
        (row.status, row.record_id): (row.truncated, row.original_chars)
        for row in status.itertuples(index=False)
    }
    # The kept copy and its duplicate were both cut; the third row (a repeated ID) was not.
    assert by_source == {
        ("ranked", "j1"): (False, pd.NA),
        ("ranked", "long"): (True, len(long_resume)),
        ("duplicate", "copy"): (True, len(long_resume)),
        ("rejected", "long"): (False, pd.NA),
    }


def test_cleaning_in_shards_then_deduplicating_gives_what_prepare_resumes_gives() -> None:
    """What the batch flow does on Dask workers: clean shard by shard, join, then deduplicate."""
    from matcher.io.loading import load_resumes
    from matcher.text.preprocess import clean_resumes, deduplicate_resumes
    from tests.conftest import SAMPLE

    records = load_resumes(SAMPLE / "resumes").records
    whole, whole_duplicates, whole_rejects = prepare_resumes(records)
    assert len(whole_duplicates) and len(whole) > 50  # the sample has copies to find
    shards = [
        clean_resumes(records.iloc[i : i + 9].reset_index(drop=True))
        for i in range(0, len(records), 9)
    ]
    cleaned = pd.concat([kept for kept, _ in shards], ignore_index=True)
    rejects = pd.concat([shard_rejects for _, shard_rejects in shards], ignore_index=True)
    kept, duplicates = deduplicate_resumes(cleaned)
    pd.testing.assert_frame_equal(kept, whole)
    pd.testing.assert_frame_equal(duplicates, whole_duplicates)
    pd.testing.assert_frame_equal(rejects, whole_rejects)


def test_cleaning_on_worker_processes_gives_what_one_process_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The flow cleans on the machine's other cores too: the same rows, values and rejects,
    the rows a worker cannot clean (here one the HTML parser rejects) rejected as always."""
    from matcher.io.loading import load_resumes
    from matcher.parallel import MIN_ITEMS, use_processes
    from matcher.text.preprocess import clean_resumes
    from tests.conftest import SAMPLE

    records = load_resumes(SAMPLE / "resumes").records
    odd = resumes_frame(
        [
            {"resume_id": "broken", "text": RESUME + "<b>x</b><![ CDATA["},
            {"resume_id": "empty", "text": "   "},
            {"resume_id": "short", "text": "Python"},
        ]
    )
    records = pd.concat([records.iloc[:30], odd, records.iloc[30:]], ignore_index=True)
    assert len(records) >= MIN_ITEMS  # enough for workers
    import matcher.text.preprocess as preprocess

    clean = preprocess._prepare_resume
    here: list[str] = []  # the rows cleaned in this process (a worker adds to its copy)

    def counted(row: dict[str, object], max_html_depth: int) -> object:
        here.append(str(row["resume_id"]))
        return clean(row, max_html_depth)

    monkeypatch.setattr(preprocess, "_prepare_resume", counted)  # the workers inherit it
    alone_kept, alone_rejects = clean_resumes(records)
    assert len(here) == len(records)
    here.clear()
    with use_processes(2):
        kept, rejects = clean_resumes(records)
    assert here == ["broken"]  # the row the workers could not clean; the others were theirs
    pd.testing.assert_frame_equal(kept, alone_kept)
    pd.testing.assert_frame_equal(rejects, alone_rejects)
    assert sorted(rejects["record_id"]) == ["broken", "empty", "short"]
    assert "AssertionError: expected name token" in rejects["reason"].iloc[0]


def test_a_frame_built_by_hand_has_its_blank_and_repeated_ids_rejected() -> None:
    """As the file loaders reject them: a notebook's frame had kept a NaN ID and two rows of
    one ID (a posting so repeated was ranked with the last row's text)."""
    postings = pd.DataFrame(
        {
            "job_id": ["j1", None, "j1", "j2"],
            "title": ["Nurse", "Cook", "Welder", "Driver"],
            "description": ["ICU nursing.", "Line cook.", "MIG welding.", "CDL driving."],
        }
    )
    kept, rejects = prepare_postings(postings)
    assert kept["job_id"].tolist() == ["j1", "j2"] and kept.loc[0, "title"] == "Nurse"
    assert rejects["reason"].tolist() == ["blank job_id", "duplicate job_id 'j1' (first at row 1)"]
    text = "Registered nurse with eight years in intensive care units and trauma."
    resumes = pd.DataFrame({"resume_id": ["r1", "r1", float("nan")], "text": [text, text, text]})
    kept, _, rejects = prepare_resumes(resumes, deduplicate=False)
    assert kept["resume_id"].tolist() == ["r1"]
    assert sorted(rejects["reason"]) == [
        "blank resume_id",
        "duplicate resume_id 'r1' (first at row 1)",
    ]
