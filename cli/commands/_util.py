"""Helpers shared by commands: turning user input into records with clear errors."""

from __future__ import annotations

from pydantic import ValidationError

from comptoir.errors import input_problems


def build(model, **fields):
    """Validate command-line input into a record; errors name the option, not a YAML line."""
    clean = {k: v for k, v in fields.items() if v is not None}
    try:
        return model.model_validate(clean)
    except ValidationError as exc:
        raise input_problems(exc) from None

