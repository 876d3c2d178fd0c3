"""Record kinds: which folder holds them, which model validates them, how a file is named.

The folder says the kind, the file name is the id. Dated kinds are filed by year and
month (journal/2026/11/JE-....yaml) so no folder grows without bound.
"""

from __future__ import annotations

from dataclasses import dataclass

from .accounting import Account, JournalEntry
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

    def path_for(self, record: Record) -> str:
        """Path of the record's file relative to the data root."""
        ident = getattr(record, self.id_field)
        if self.date_field:
            day = getattr(record, self.date_field)
            return f"{self.folder}/{day.year:04d}/{day.month:02d}/{ident}.yaml"
        return f"{self.folder}/{ident}.yaml"


KINDS: list[Kind] = [
    Kind("account", "accounts", Account, "account", id_field="code"),
    Kind("journal", "journal", JournalEntry, "journal entry", date_field="date", posted=True),
]

# Record families defined in other modules: each has a module-level `KINDS: list[Kind]`.
# Add a module here when it defines new record kinds.
FAMILY_MODULES: list[str] = [
    "comptoir.schemas.rates",
    "comptoir.schemas.inventory",
    "comptoir.schemas.partners",
    "comptoir.schemas.crm",
    "comptoir.schemas.hr",
    "comptoir.schemas.tax",
    "comptoir.schemas.sales",
    "comptoir.schemas.purchasing",
    "comptoir.schemas.payments",
    "comptoir.schemas.manufacturing",
]
_loaded = False


def _load_families() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    import importlib

    for name in FAMILY_MODULES:
        for kind in importlib.import_module(name).KINDS:
            register(kind)


def all_kinds() -> list[Kind]:
    _load_families()
    return KINDS

SETTINGS_FILE = "comptoir.yaml"


def register(kind: Kind) -> None:
    """Add a record kind (used by record families defined in later modules)."""
    if any(k.name == kind.name for k in KINDS):
        return
    KINDS.append(kind)


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
