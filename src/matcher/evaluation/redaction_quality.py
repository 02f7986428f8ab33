"""How well :func:`matcher.text.contact.redact` removes contact details: recall and precision.

Measured on a labelled set of contact strings (``tests/data/contact_strings.jsonl``): each line
is ``{"kind", "contact", "text"}``, where ``kind`` is ``phone``, ``email``, ``url``,
``address`` or ``none`` (a text with no contact detail, such as a date range or a version).

A contact string counts as caught when neither it nor its identifying core is left in the
redacted text: for a phone, any group of four or more of its digits; for an e-mail, the part
before ``@``; for a URL, its last path segment; for an address, its first part (up to the
first comma). A text of kind ``none`` that redaction changes is a false positive.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from matcher.text.contact import redact


@dataclass(frozen=True)
class LabelledContact:
    """One labelled string."""

    kind: str
    contact: str
    text: str


@dataclass(frozen=True)
class RedactionScore:
    """Counts and rates of one run over a labelled set."""

    caught: dict[str, int]  # per kind of contact
    total: dict[str, int]
    false_positives: int
    negatives: int

    @property
    def recall(self) -> float:
        """Share of contact strings caught."""
        return sum(self.caught.values()) / max(sum(self.total.values()), 1)

    @property
    def precision(self) -> float:
        """Share of the strings redaction changed that held a contact detail."""
        caught = sum(self.caught.values())
        return caught / max(caught + self.false_positives, 1)

    def recall_of(self, kind: str) -> float:
        """Recall of one kind of contact."""
        return self.caught.get(kind, 0) / max(self.total.get(kind, 0), 1)


def read_labelled_contacts(path: Path) -> list[LabelledContact]:
    """Read a JSONL file of labelled contact strings."""
    rows = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if line.strip():
            record = json.loads(line)
            try:
                rows.append(LabelledContact(record["kind"], record["contact"], record["text"]))
            except KeyError as error:
                raise ValueError(f"{path}:{number}: missing field {error}") from None
    return rows


def _cores(item: LabelledContact) -> list[str]:
    if item.kind == "phone":
        return [group for group in re.findall(r"\d+", item.contact) if len(group) >= 4]
    if item.kind == "email":
        return [item.contact.split("@")[0]]
    if item.kind == "url":
        return [segment for segment in item.contact.rstrip("/").split("/")[-1:] if segment]
    return [item.contact.split(",")[0]]


def is_caught(item: LabelledContact, redacted: str) -> bool:
    """Whether the contact string and its core are gone from ``redacted``."""
    return item.contact not in redacted and not any(core in redacted for core in _cores(item))


def score_redaction(
    items: Iterable[LabelledContact], redactor: Callable[[str], str] = redact
) -> RedactionScore:
    """Run ``redactor`` on every labelled string and count what it caught and what it broke."""
    caught: dict[str, int] = {}
    total: dict[str, int] = {}
    false_positives = negatives = 0
    for item in items:
        redacted = redactor(item.text)
        if item.kind == "none":
            negatives += 1
            false_positives += redacted != item.text
            continue
        total[item.kind] = total.get(item.kind, 0) + 1
        caught[item.kind] = caught.get(item.kind, 0) + is_caught(item, redacted)
    return RedactionScore(caught, total, false_positives, negatives)
