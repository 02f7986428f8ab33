"""Strict pydantic schemas for the files matcher reads, with errors that name the file and key.

Each file format (the grid, a registered ranker's configuration, the learned model) is a
:class:`StrictSchema`: an unknown key is an error, not silently ignored, so a typo such as
``weigths`` cannot quietly fall back to defaults. :func:`validate_file` turns pydantic's
errors into one readable line.

Example:
    >>> class Point(StrictSchema):
    ...     x: float
    >>> validate_file(Point, {"x": 1, "y": 2}, "point.json")
    Traceback (most recent call last):
    ...
    ValueError: point.json: unknown key 'y'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

Schema = TypeVar("Schema", bound="StrictSchema")


class StrictSchema(BaseModel):
    """A file's layout: unknown keys are errors, and the parsed value cannot change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def validate_file(schema: type[Schema], data: Any, source: str) -> Schema:
    """``data`` (parsed JSON or TOML) checked against ``schema``.

    Raises:
        ValueError: One line naming ``source`` and each wrong key.
    """
    try:
        return schema.model_validate(data)
    except ValidationError as error:
        raise ValueError(describe_errors(error, source)) from error


def describe_errors(error: ValidationError, source: str) -> str:
    """``source: unknown key 'a.b'; source: missing key 'c'; source: d: <why>``."""
    lines = []
    for problem in error.errors():
        where = _key(problem["loc"])
        if problem["type"] == "extra_forbidden":
            lines.append(f"{source}: unknown key {where!r}")
        elif problem["type"] == "missing":
            lines.append(f"{source}: missing key {where!r}")
        else:
            lines.append(f"{source}: {where or 'the file'}: {problem['msg']}")
    return "; ".join(lines)


def check_non_negative_weights(params: Mapping[str, Any]) -> None:
    """Weights (``*weight`` parameters and ``*weights`` tables) must not be negative.

    More of a signal must never lower a score.

    Raises:
        ValueError: Naming the negative weight.
    """
    for name, value in params.items():
        if name.endswith("weights") and isinstance(value, Mapping):
            for feature, weight in value.items():
                if isinstance(weight, int | float) and weight < 0:
                    raise ValueError(f"weight {name}.{feature} is negative ({weight})")
        elif name.endswith("weight") and isinstance(value, int | float) and value < 0:
            raise ValueError(f"weight {name} is negative ({value})")


def _key(loc: tuple[int | str, ...]) -> str:
    # List positions count from 1, as a reader counts the [[rankers]] tables of a file.
    parts = [f"#{part + 1}" if isinstance(part, int) else part for part in loc]
    return ".".join(parts)
