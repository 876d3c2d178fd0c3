"""Field-level changes between two versions of a record, computed from typed values (not text)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from comptoir.schemas.types import Record


@dataclass(frozen=True)
class Change:
    field: str  # "status", "postings[1].amount"
    old: object
    new: object

    @property
    def kind(self) -> str:
        if self.old is _ABSENT:
            return "added"
        if self.new is _ABSENT:
            return "removed"
        return "changed"

    def as_text(self) -> str:
        if self.old is _ABSENT:
            return f"{self.field}: + {show(self.new)}"
        if self.new is _ABSENT:
            return f"{self.field}: - {show(self.old)}"
        return f"{self.field}: {show(self.old)} -> {show(self.new)}"

    def as_dict(self) -> dict:
        return {"field": self.field, "change": self.kind,
                "old": None if self.old is _ABSENT else plain(self.old),
                "new": None if self.new is _ABSENT else plain(self.new)}


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


_ABSENT = _Absent()


def show(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if value is None:
        return "(none)"
    return str(plain(value))


def plain(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def as_values(record: Record | None) -> dict:
    if record is None:
        return {}
    return record.model_dump(mode="python", exclude_none=True, exclude_defaults=True)


def diff_values(old: object, new: object, path: str = "") -> list[Change]:
    """Changes from old to new; dicts by key, lists by position (so `postings[1].amount`)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[Change] = []
        for key in list(old) + [k for k in new if k not in old]:
            sub = f"{path}.{key}" if path else str(key)
            out += diff_values(old.get(key, _ABSENT), new.get(key, _ABSENT), sub)
        return out
    if isinstance(old, list) and isinstance(new, list):
        out = []
        for i in range(max(len(old), len(new))):
            out += diff_values(old[i] if i < len(old) else _ABSENT, new[i] if i < len(new) else _ABSENT,
                               f"{path}[{i}]")
        return out
    if old is _ABSENT and new is _ABSENT:
        return []
    if old is _ABSENT or new is _ABSENT or type(old) is not type(new) or old != new:
        return [Change(path, old, new)]
    if isinstance(old, Decimal) and isinstance(new, Decimal) and old.as_tuple() != new.as_tuple():  # 12.5 -> 12.50 is not a change
        return []
    return []


def diff_records(old: Record | None, new: Record | None) -> list[Change]:
    return diff_values(as_values(old), as_values(new))
