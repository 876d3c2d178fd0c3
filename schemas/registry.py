"""Record kinds: which folder holds them, which model validates them, how a file is named.

The folder says the kind, the file name is the id. Dated kinds are filed by year and
month (journal/2026/11/JE-....yaml) so no folder grows without bound.

A kind is plain data and names its model as "module:Class" of this package: most commands
read records already derived in the store and validate a few kinds or none, so a kind's
pydantic model is imported (its family's classes built: 30-35 ms of CPU for every kind's) the
first time something asks for `kind.model`, never merely to learn a folder or an id field.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import SETTINGS_FILE  # noqa: F401 - re-exported: most code reads it from here

if TYPE_CHECKING:  # pragma: no cover
    from .types import Record


@dataclass(frozen=True)
class Kind:
    name: str
    folder: str
    model_path: str  # "accounting:JournalEntry": the module of this package and the model in it
    label: str
    id_field: str = "id"
    date_field: str | None = None  # set: files live under folder/YYYY/MM/
    posted: bool = False  # immutable once on the base branch; corrected by reversal
    prefix: str | None = None  # of ids comptoir makes (JE-20261105-Q33F); comptoir.yaml `ids:` overrides

    @property
    def model(self) -> type[Record]:
        """The pydantic model that validates a record of this kind (imported on first use)."""
        module, _, name = self.model_path.partition(":")
        return getattr(importlib.import_module(f"{__package__}.{module}"), name)

    def path_for(self, record: Record) -> str:
        """Path of the record's file relative to the data root."""
        ident = getattr(record, self.id_field)
        if self.date_field:
            day = getattr(record, self.date_field)
            return f"{self.folder}/{day.year:04d}/{day.month:02d}/{ident}.yaml"
        return f"{self.folder}/{ident}.yaml"


def all_kinds() -> list[Kind]:
    """Every record kind, in the order of the family registry (comptoir.families.FAMILIES, a
    plain table that imports nothing: the one place that declares each family's kinds)."""
    from comptoir.families import kinds

    return kinds()


def kind_named(name: str) -> Kind:
    for kind in all_kinds():
        if kind.name == name:
            return kind
    raise KeyError(name)


def kind_for_path(relpath: str) -> Kind | None:
    """The kind a data-root-relative path belongs to, or None for files comptoir ignores."""
    best: Kind | None = None
    for kind in all_kinds():
        if relpath.startswith(kind.folder + "/") and (best is None or len(kind.folder) > len(best.folder)):
            best = kind
    return best
