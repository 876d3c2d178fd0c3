"""Records built from what a person typed (not read from a file): the one place that turns plain
data into a validated record, with problems that name the field instead of a YAML line."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from comptoir.errors import input_problems

R = TypeVar("R", bound=BaseModel)


def _strip(value: Any) -> Any:
    """Leave out None at any depth: a field not given takes its default."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def validated(model: type[R], data: Mapping[str, Any] | None = None, what: str = "", hint: str | None = None,
              **fields: Any) -> R:
    """`model` built from `data` (or, the older form, from keyword fields). None values are left
    out at any depth and an empty list at the top, so what was not given takes its default;
    problems name `what` and the field, with `hint` (default: see --help)."""
    given = {**(data or {}), **fields}
    clean = {k: v for k, v in _strip(given).items() if v != []}
    try:
        return model.model_validate(clean)
    except ValidationError as exc:
        if hint is None:
            raise input_problems(exc, what) from None
        raise input_problems(exc, what, hint) from None
