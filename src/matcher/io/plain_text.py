"""Plain text for a spreadsheet cell: no control characters, ``"\\n"`` line breaks.

Its own module, importing nothing but :mod:`re`, so that the process writing the workbook
(:mod:`matcher.io.workbook`) starts without numpy and pandas.
"""

from __future__ import annotations

import re
from typing import Any

# Control characters have no place in a CSV cell (a NUL truncates the cell in some readers);
# tab and line feed stay.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A bare carriage return is not quoted by a writer whose line ending is "\n", and readers take
# it for the end of the row: line breaks inside a cell are written as "\n".
_CARRIAGE_RETURN_RE = re.compile("\r\n?")


def plain_cell(value: Any) -> Any:
    """A text cell without control characters and with ``"\\n"`` line breaks; others pass.

    Example:
        >>> plain_cell("R&D\\x00\\r\\nteam")
        'R&D\\nteam'
    """
    if isinstance(value, str):
        return _CONTROL_RE.sub("", _CARRIAGE_RETURN_RE.sub("\n", value))
    return value
