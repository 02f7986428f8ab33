"""The candidate's location, read from the resume header when the input has no column."""

from __future__ import annotations

import pandas as pd
import pytest

from matcher.io.loading import load_resumes
from matcher.text.contact import find_location
from matcher.text.preprocess import prepare_resumes
from tests.conftest import SAMPLE


@pytest.mark.parametrize(
    ("header", "location"),
    [
        ("Jane Doe\nStaff Nurse\nAustin, TX | jane@x.io | +1 555 0100", "Austin, TX"),
        ("Jane Doe\njane@x.io • London, UK", "London, UK"),
        ("# Jana Weber\nBerlin, Germany\njana@x.de", "Berlin, Germany"),
        ("Priya Rao\nPune, Maharashtra, India · +91 98765 43210", "Pune, Maharashtra, India"),
        ("Sam Lee\n1600 Amphitheatre Pkwy, Mountain View, CA 94043", "Mountain View, CA"),
        ("Sam Lee\nsam@x.io | Austin, TX 78701-1234", "Austin, TX"),
        ("Ann Poe\n221B Baker Street, London NW1 6XE, UK", "London, UK"),
        ("Jo Kim\nHauptstraße 5, 10115 Berlin, Germany", "Berlin, Germany"),
        ("Jo Kim\n**Frontend Engineer** — Remote (Portland, OR)", "Portland, OR"),
        ("Jo Kim\nToronto, ON M5V 2T6", "Toronto, ON"),
        ("Jo Kim\nWinston-Salem, NC", "Winston-Salem, NC"),
        # a city named like a job: one word, or a job's word that does not end the name
        ("Jo Kim\nMason, OH | jo@x.io", "Mason, OH"),
        ("Jo Kim\nPilot Point, TX", "Pilot Point, TX"),
    ],
)
def test_a_location_in_the_header_is_read(header: str, location: str) -> None:
    assert find_location(f"{header}\n\nExperience\nNurse at a hospital.") == location


@pytest.mark.parametrize(
    "text",
    [
        "John Smith, MD\nPhysician\njohn@x.io",  # a doctor, not a place in Maryland
        "Jane Doe, PA\nPhysician Assistant",  # nor in Pennsylvania
        "Jane Doe\nData Analyst, UK Markets",  # a role, not a place
        "Jane Doe\nSkills: Python, SQL, Go",
        "Jane Doe\nSenior Engineer, UK",
        "Jane Doe\nDental Hygienist, UK",  # a role ends in a role noun
        # past the header: a city in the experience section is where a job was, not the person
        "Jane Doe\njane@x.io\nExperience\nNurse — Mercy Hospital, Austin, TX",
    ],
)
def test_no_location_rather_than_a_wrong_one(text: str) -> None:
    name = text.split("\n")[0].split(",")[0]
    assert find_location(text, name) is None


def test_every_sample_folder_resume_gets_the_location_of_its_header() -> None:
    loaded = load_resumes(SAMPLE / "resumes")
    assert "location" not in loaded.records.columns  # a folder has no location column
    prepared, _, _ = prepare_resumes(loaded.records, deduplicate=False)
    for text, location in zip(prepared["clean_text"], prepared["location"], strict=True):
        assert isinstance(location, str) and location, text.splitlines()[0]
        city, _, region = location.partition(", ")
        header = "\n".join([line for line in text.splitlines() if line.strip()][:8])
        assert city in header and region.split(", ")[-1] in header


def test_a_location_column_wins_over_the_header() -> None:
    frame = pd.DataFrame(
        {
            "resume_id": ["R1", "R2"],
            "text": ["Jane Doe\nAustin, TX\nNurse with five years in the ICU."] * 2,
            "location": ["Dallas, TX", ""],
        }
    )
    prepared, _, _ = prepare_resumes(frame, deduplicate=False)
    assert prepared["location"].tolist() == ["Dallas, TX", "Austin, TX"]
