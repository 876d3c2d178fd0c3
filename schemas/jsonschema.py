"""JSON Schema (draft-07, what yaml-language-server understands) for every record kind."""

from __future__ import annotations

import json

from .registry import all_kinds
from .settings import Settings
from .types import Record

SCHEMA_DIR = "schemas"  # inside the data root
DRAFT_07 = "http://json-schema.org/draft-07/schema#"


def _draft07(schema: dict) -> dict:
    text = json.dumps(schema).replace('"$defs"', '"definitions"').replace("#/$defs/", "#/definitions/")
    out = json.loads(text)
    return {"$schema": DRAFT_07, **out}


def schema_file(name: str) -> str:
    return f"{name}.schema.json"


def all_schemas() -> dict[str, str]:
    """file name -> JSON text, deterministic, for every kind and for comptoir.yaml."""
    out: dict[str, type[Record]] = {schema_file("settings"): Settings}
    for kind in all_kinds():
        out[schema_file(kind.name)] = kind.model
    return {name: json.dumps(_draft07(model.model_json_schema()), indent=2, sort_keys=True) + "\n"
            for name, model in sorted(out.items())}


def header_for(kind_name: str, relpath: str) -> str:
    """The editor hint written at the top of a record file at `relpath` (data-root relative)."""
    up = "../" * relpath.count("/")
    return f"# yaml-language-server: $schema={up}{SCHEMA_DIR}/{schema_file(kind_name)}"
