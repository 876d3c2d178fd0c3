"""What a change does to the books: records per kind, the effect per account, and whatever each
business area adds (stock, CRM), for a reviewer reading a pull request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from comptoir.model import Book
from comptoir.schemas.registry import all_kinds
from comptoir.schemas.types import currency_places

from .changes import Change, diff_records
from .ledger import ZERO, balances, base_value
from .table import Table


@dataclass
class KindChanges:
    kind: str
    label: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[Change]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass
class BookDiff:
    kinds: list[KindChanges]
    accounts: list[dict[str, Any]]  # account_effect's rows
    sections: list[Table]  # stock, CRM ... from the families' effects (the reviewer's tables)
    problems: list  # validation problems of the resulting book
    settings_changes: list[Change]
    summary: list[str]
    base: str = ""  # the head book's base currency


Effect = Callable[[Book, Book], "Table | None"]


def effect(fn: Effect) -> Effect:
    """Mark a diff effect; it runs when listed in its module's EFFECTS (comptoir.families)."""
    fn.diff_effect = True  # type: ignore[attr-defined]
    return fn


def record_changes(base: Book, head: Book) -> list[KindChanges]:
    out = []
    for kind in all_kinds():
        old, new = base.of(kind.name), head.of(kind.name)
        kc = KindChanges(kind.name, kind.label)
        kc.added = sorted(set(new) - set(old))
        kc.removed = sorted(set(old) - set(new))
        for ident in sorted(set(old) & set(new)):
            if old[ident] != new[ident]:
                kc.changed[ident] = diff_records(old[ident], new[ident])
        if not kc.empty:
            out.append(kc)
    return out


def account_effect(base: Book, head: Book) -> list[dict[str, Any]]:
    """Per account moved: the debits and credits of the entries added (and of those removed,
    the other way round), and the balance before and after, in the base currency."""
    before = balances(base, base.entries.values())
    after = balances(head, head.entries.values())
    debit: dict[str, Decimal] = {}
    credit: dict[str, Decimal] = {}
    new_ids = set(head.entries) - set(base.entries)
    gone_ids = set(base.entries) - set(head.entries)
    for book, ids, sign in ((head, new_ids, 1), (base, gone_ids, -1)):
        for ident in ids:
            entry = book.entries[ident]
            for p in entry.postings:
                value = base_value(book, p, entry.date) * sign
                if value >= 0:
                    debit[p.account] = debit.get(p.account, ZERO) + value
                else:
                    credit[p.account] = credit.get(p.account, ZERO) - value
    rows = []
    for code in sorted(set(before) | set(after)):
        b, a = before.get(code, ZERO), after.get(code, ZERO)
        if a == b and code not in debit and code not in credit:
            continue
        name = head.accounts[code].name if code in head.accounts else "?"
        rows.append({"account": code, "name": name, "debit": debit.get(code, ZERO),
                     "credit": credit.get(code, ZERO), "before": b, "after": a, "change": a - b})
    return rows


def book_diff(base: Book, head: Book) -> BookDiff:
    from comptoir.families import effects

    from .validation import check, errors

    kinds = record_changes(base, head)
    accounts = account_effect(base, head)
    sections = [t for t in (fn(base, head) for fn in effects()) if t is not None and t.rows]
    problems = errors(check(head))
    settings_changes = diff_records(base.settings, head.settings)
    summary = []
    for kc in kinds:
        parts = []
        if kc.added:
            parts.append(f"{len(kc.added)} added")
        if kc.changed:
            parts.append(f"{len(kc.changed)} changed")
        if kc.removed:
            parts.append(f"{len(kc.removed)} removed")
        summary.append(f"{kc.label}: {', '.join(parts)}")
    if settings_changes:
        summary.append("settings: " + "; ".join(c.as_text() for c in settings_changes))
    moved = [r for r in accounts if r["change"]]
    if moved:
        places = currency_places(head.base)
        summary.append("accounts moved: " + ", ".join(
            f"{r['account']} {r['name']} {r['change']:+,.{places}f}" for r in moved[:6])
            + (f" and {len(moved) - 6} more" if len(moved) > 6 else ""))
    summary.append(f"validation: {len(problems)} error(s) in the resulting book" if problems
                   else "validation: the resulting book is valid")
    return BookDiff(kinds, accounts, sections, problems, settings_changes, summary, head.base)


def change_rows(diff: BookDiff) -> list[dict[str, Any]]:
    """One row per record added, changed (with its field changes) or removed."""
    rows = []
    for kc in diff.kinds:
        rows += [{"kind": kc.kind, "id": i, "change": "added", "fields": ""} for i in kc.added]
        rows += [{"kind": kc.kind, "id": i, "change": "changed", "fields": "; ".join(c.as_text() for c in ch)}
                 for i, ch in kc.changed.items()]
        rows += [{"kind": kc.kind, "id": i, "change": "removed", "fields": ""} for i in kc.removed]
    return rows
