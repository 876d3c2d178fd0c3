"""The exported JSON Schemas in the data root: writing them and checking they are current."""

from __future__ import annotations

from comptoir.errors import Problem
from comptoir.schemas.jsonschema import SCHEMA_DIR, all_schemas

from .root import DataRoot


def stale_schemas(root: DataRoot) -> list[Problem]:
    folder = root.path / SCHEMA_DIR
    if not folder.is_dir():
        return []
    problems = []
    for name, text in all_schemas().items():
        path = folder / name
        display = root.display(f"{SCHEMA_DIR}/{name}")
        if not path.is_file():
            problems.append(Problem(display, 1, "schema-missing", f"{display} is missing",
                                    "run `comptoir schema export` and commit the result"))
        elif path.read_text(encoding="utf-8") != text:
            problems.append(Problem(display, 1, "schema-stale",
                                    f"{display} is not the schema this version of comptoir validates against",
                                    "run `comptoir schema export` and commit the result"))
    return problems
