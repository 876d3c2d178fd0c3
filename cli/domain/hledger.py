"""The book as an hledger (and ledger-cli) journal, to cross-check comptoir's figures.

Accounts become `CODE Name:CODE Name` paths declared with their hledger type, so `hledger
bs`, `bse` and `is` classify them as comptoir does. A foreign posting is written with its
total cost in the base currency (`-4800.00 USD @@ 4416.00 EUR`), so `hledger -B` (at cost)
reports the same base-currency figures; an exchange difference is written as its value in
the base currency. Balance assertions follow after the last entry of their date, in an
entry of their own, because comptoir's assertions hold at the end of the day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

from comptoir.model import Book
from comptoir.schemas.accounting import Account, JournalEntry

from .ledger import ZERO, ancestors, entry_values, in_order

HLEDGER_TYPES = {"asset": "A", "liability": "L", "equity": "E", "income": "R", "expense": "X"}
_SPACES = re.compile(r"\s+")


def _clean(text: str) -> str:
    """One line, no comment marker, no double space (hledger's separator)."""
    return _SPACES.sub(" ", text.replace(";", ",")).strip()


def account_names(book: Book) -> dict[str, str]:
    accounts = book.accounts

    def segment(code: str) -> str:
        acct = accounts.get(code)
        return _clean(f"{code} {acct.name}".replace(":", "-")) if acct else code

    return {code: ":".join(segment(c) for c in reversed(ancestors(accounts, code))) for code in accounts}


def _amount(value: Decimal, currency: str) -> str:
    return f"{format(value, 'f')} {currency}"


def _comment(parts: list[str]) -> str:
    parts = [p for p in parts if p]
    return ("  ; " + ", ".join(parts)) if parts else ""


def hledger_journal(book: Book, start: dt.date | None = None, end: dt.date | None = None) -> str:
    return "\n".join(hledger_lines(book, [book.entries.values()], start, end)) + "\n"


def hledger_lines(book: Book, folders: Iterable[Iterable[JournalEntry]], start: dt.date | None = None,
                  end: dt.date | None = None) -> Iterator[str]:
    """The journal's lines, from its entries given in parts (each part in path order): the whole
    journal at once, or one folder at a time when every entry of a part is dated after every
    entry of the parts before (else comptoir.domain.ledger.NotInOrder). The balances before `start` are added up over the entries dated before it,
    in the order given, and written before the first entry from `start` on."""
    base = book.base
    names = account_names(book)

    def name(code: str) -> str:
        return names.get(code) or f"unknown:{_clean(code)}"

    yield f"; {book.settings.company}: comptoir books exported for hledger (base currency {base})"
    yield "; check: hledger -f FILE bse -B   and   hledger -f FILE is -B not:tag:closing"
    yield ""
    for code in sorted(book.accounts):
        acct: Account = book.accounts[code]
        yield f"account {names[code]}  ; type: {HLEDGER_TYPES[acct.type]}"
    yield ""
    held: dict[tuple[str, str], list[Decimal]] = {}  # the balances before `start`
    opened = start is None
    for part in in_order(folders):
        entries = []
        for entry in part:
            if start is not None and entry.date < start:
                _hold(book, held, entry)
            if (start is None or entry.date >= start) and (end is None or entry.date <= end):
                entries.append(entry)
        entries.sort(key=lambda e: (e.date, e.id))
        if entries and not opened:
            yield from _opening(held, start, name, base)  # type: ignore[arg-type]
            opened = True
        by_date: dict[dt.date, list[JournalEntry]] = {}
        for entry in entries:
            by_date.setdefault(entry.date, []).append(entry)
        for day, day_entries in by_date.items():
            yield from _day(book, day, day_entries, name)
    if not opened:
        yield from _opening(held, start, name, base)  # type: ignore[arg-type]


def _day(book: Book, day: dt.date, day_entries: list[JournalEntry], name) -> Iterator[str]:
    base = book.base
    for entry in day_entries:
        tags = [f"{t}:" for t in entry.tags]
        if entry.reverses:
            tags.append(f"reverses: {entry.reverses}")
        if entry.reference:
            tags.append(f"reference: {_clean(entry.reference).replace(',', ' ')}")
        yield f"{day} ({entry.id}) {_clean(entry.memo)}{_comment(tags)}"
        for p, value in zip(entry.postings, entry_values(book, entry), strict=True):
            cur = p.currency or base
            if cur == base:
                amount = _amount(p.amount, base)
            elif p.value is not None:
                amount = _amount(p.value, base)
            else:
                amount = f"{_amount(p.amount, cur)} @@ {_amount(abs(value), base)}"
            extra = [_clean(p.memo) if p.memo else "", f"partner: {p.partner}" if p.partner else ""]
            yield f"    {name(p.account)}  {amount}{_comment(extra)}"
        yield ""
    asserted = [(entry, a) for entry in day_entries for a in entry.assertions]
    if asserted:
        yield f"{day} balance assertions at the end of the day"
        for entry, a in asserted:
            held = book.accounts.get(a.account)
            cur = a.currency or (held.currency if held else None) or base
            yield f"    {name(a.account)}  {_amount(ZERO, cur)} = {_amount(a.balance, cur)}  ; from {entry.id}"
        yield ""


def _hold(book: Book, held: dict[tuple[str, str], list[Decimal]], entry: JournalEntry) -> None:
    base = book.base
    for p, value in zip(entry.postings, entry_values(book, entry), strict=True):
        pair = held.setdefault((p.account, p.currency or base), [ZERO, ZERO])
        pair[0] += p.amount
        pair[1] += value


def _opening(held: dict[tuple[str, str], list[Decimal]], start: dt.date, name, base: str) -> list[str]:
    """Balances before `start` per account and currency (added up by _hold), so an export from a
    date adds up."""
    lines = []
    for (code, cur), (amount, value) in sorted(held.items()):
        if cur == base:
            if amount:
                lines.append(f"    {name(code)}  {_amount(amount, base)}")
            continue
        if amount and (value == 0 or (value > 0) == (amount > 0)):
            lines.append(f"    {name(code)}  {_amount(amount, cur)} @@ {_amount(abs(value), base)}")
        else:
            if amount:
                lines.append(f"    {name(code)}  {_amount(amount, cur)} @@ {_amount(ZERO, base)}")
            if value:
                lines.append(f"    {name(code)}  {_amount(value, base)}")
    if not lines:
        return []
    return [f"{start} Opening balances before {start}", *lines, ""]
