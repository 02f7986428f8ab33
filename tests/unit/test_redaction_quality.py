"""Contact redaction on the labelled set of international contact strings."""

from __future__ import annotations

from pathlib import Path

from matcher.evaluation.redaction_quality import read_labelled_contacts, score_redaction
from matcher.text.contact import find_phones

LABELLED = Path(__file__).resolve().parents[1] / "data" / "contact_strings.jsonl"


def test_the_labelled_set_covers_the_formats() -> None:
    items = read_labelled_contacts(LABELLED)
    kinds = {item.kind for item in items}
    assert kinds == {"phone", "email", "url", "address", "none"}
    assert sum(item.kind != "none" for item in items) >= 150
    assert all(item.contact in item.text for item in items)
    phones = [item.contact for item in items if item.kind == "phone"]
    assert {p[:3] for p in phones} >= {"+1 ", "+44", "+49", "+91"}
    assert any("+" in item.contact.split("@")[0] for item in items if item.kind == "email")


def test_phones_emails_urls_and_addresses_are_caught_and_plain_figures_left_alone() -> None:
    score = score_redaction(read_labelled_contacts(LABELLED))
    assert score.recall_of("phone") >= 0.98
    assert score.recall_of("email") == 1.0
    assert score.recall_of("url") == 1.0
    assert score.recall_of("address") >= 0.95
    # of 60 dates, versions, amounts, IDs and numbered phrases ("2 Best Place to Work awards",
    # "Spring 2019", "Acme Manufacturing 2015")
    assert score.false_positives <= 3
    assert score.precision >= 0.97


def test_an_international_number_that_looks_like_a_date_is_still_a_phone() -> None:
    # "2018 0666" would pass for a year; libphonenumber knows the Cardiff number.
    assert find_phones("Tel +44 29 2018 0666, 05/2018-06/2020") == ["+44 29 2018 0666"]
