"""Helpers shared by commands: turning user input into records with clear errors."""

from __future__ import annotations

from pydantic import ValidationError

from comptoir.errors import ComptoirError, Problem


def build(model, **fields):
    """Validate command-line input into a record; errors name the option, not a YAML line."""
    clean = {k: v for k, v in fields.items() if v is not None}
    try:
        return model.model_validate(clean)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            where = ".".join(str(p) for p in err["loc"]) or "input"
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(Problem("", 0, "invalid-value", f"{where}: {msg}", "see --help for the expected form"))
        raise ComptoirError(problems) from None
