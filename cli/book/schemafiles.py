"""The exported JSON Schemas in the data root: writing them and checking they are current.

Generating the schemas from the models takes ~0.13 s (pydantic builds each kind's schema), paid
by every `validate`. What the check needs is only each file's digest, which depends on nothing
but the code and the kinds registered: a derived value (`schema-digests`), stored when the
schemas are written (`init`, `schema export`) or first checked.
"""

from __future__ import annotations

import hashlib

from comptoir.errors import Problem
from comptoir.schemas.jsonschema import SCHEMA_DIR, all_schemas

from .root import DataRoot
from .store import Derivation, Store

DIGESTS = Derivation("schema-digests", keep=8)


def _kinds() -> str:
    """The registered kinds and the fields of their models: a kind added or changed at run time
    (a plug-in, a test) gives other schemas under the same code version."""
    from comptoir.schemas.registry import all_kinds

    return "\n".join(f"{k.name}:{k.model.__module__}.{k.model.__qualname__}:{','.join(k.model.model_fields)}"
                     for k in all_kinds())


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def current_schemas(root: DataRoot | None = None) -> dict[str, str]:
    """file name -> JSON text of every schema this version writes; remembers their digests in
    `root`'s store, so that the next check need not generate them."""
    texts = all_schemas()
    if root is not None:
        Store.of(root.path).put(DIGESTS, (_kinds(),), {name: _digest(text) for name, text in texts.items()})
    return texts


def _digests(root: DataRoot) -> dict[str, str]:
    found = Store.of(root.path).get(DIGESTS, _kinds())
    if isinstance(found, dict):
        return found
    return {name: _digest(text) for name, text in current_schemas(root).items()}


def stale_schemas(root: DataRoot) -> list[Problem]:
    folder = root.path / SCHEMA_DIR
    if not folder.is_dir():
        return []
    problems = []
    for name, digest in _digests(root).items():
        path = folder / name
        display = root.display(f"{SCHEMA_DIR}/{name}")
        if not path.is_file():
            problems.append(Problem(display, 1, "schema-missing", f"{display} is missing",
                                    "run `comptoir schema export` and commit the result"))
        elif _digest(path.read_text(encoding="utf-8")) != digest:
            problems.append(Problem(display, 1, "schema-stale",
                                    f"{display} is not the schema this version of comptoir validates against",
                                    "run `comptoir schema export` and commit the result"))
    return problems
