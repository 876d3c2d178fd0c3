"""Record kinds: which folder holds them, which model validates them, how a file is named.

The folder says the kind, the file name is the id. Dated kinds are filed by year and
month (journal/2026/11/JE-....yaml) so no folder grows without bound.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import SETTINGS_FILE  # noqa: F401 - re-exported: most code reads it from here
from .types import Record


@dataclass(frozen=True)
class Kind:
    name: str
    folder: str
    model: type[Record]
    label: str
    id_field: str = "id"
    date_field: str | None = None  # set: files live under folder/YYYY/MM/
    posted: bool = False  # immutable once on the base branch; corrected by reversal
    prefix: str | None = None  # of ids comptoir makes (JE-20261105-Q33F); comptoir.yaml `ids:` overrides

    def path_for(self, record: Record) -> str:
        """Path of the record's file relative to the data root."""
        ident = getattr(record, self.id_field)
        if self.date_field:
            day = getattr(record, self.date_field)
            return f"{self.folder}/{day.year:04d}/{day.month:02d}/{ident}.yaml"
        return f"{self.folder}/{ident}.yaml"


def all_kinds() -> list[Kind]:
    """Every record kind, in the order of the family registry (comptoir.families.FAMILIES, a
    plain table that imports nothing: the one place that names each family's schema module)."""
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
