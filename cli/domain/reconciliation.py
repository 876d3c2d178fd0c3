"""The bank reconciliation: what the books say about a bank account against what its statements
said. Book balance and the last statement's closing balance, the statement lines still in
suspense, and the book's entries on the account that no statement has shown yet.

A suspense line is cleared by an entry that moves its amount out of the suspense account with
the line's id as reference (`journal post ... --reference LINE-ID`, or `pay receive ...
--account SUSPENSE --reference LINE-ID`, which pays the invoice from there).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from comptoir.schemas.bank import Statement

from .bank import bank_account, statements_of
from .book import Book
from .ledger import ZERO


def _in_currency(book: Book, entry, account: str, cur: str) -> Decimal:
    return sum((p.amount for p in entry.postings if p.account == account and (p.currency or book.base) == cur), ZERO)


@dataclass
class Reconciliation:
    """A bank account's book balance against its last statement: the rows (book, statement,
    suspense and not-on-a-statement sections) and the figures the verdict is made of."""

    account: str
    name: str
    currency: str
    rows: list[dict[str, Any]]
    book_balance: Decimal
    last: Statement | None
    at_statement: Decimal
    difference: Decimal | None
    suspense_lines: int
    suspense_total: Decimal
    unseen_entries: int


def reconciliation(book: Book, account: str, day: dt.date) -> Reconciliation:
    acct = bank_account(book, account)
    cur = acct.currency or book.base
    stmts = statements_of(book, account)
    seen = {ln.entry for s in stmts for ln in s.lines}
    suspense_codes = {c for c, a in book.accounts.items() if a.role == "suspense"}
    line_of = {ln.id: (s, ln) for s in stmts for ln in s.lines}
    book_balance = ZERO
    at_statement = ZERO
    last = stmts[-1] if stmts else None
    unseen = []
    cleared: dict[str, Decimal] = {}  # line id -> what is left in suspense
    for entry in book.entries.values():
        if entry.date <= day:
            moved = _in_currency(book, entry, account, cur)
            book_balance += moved
            if last is not None and entry.date <= last.date:
                at_statement += moved
            if moved and entry.id not in seen:
                unseen.append(entry)
        if entry.reference in line_of and suspense_codes:
            left = sum((x.amount for x in entry.postings if x.account in suspense_codes), ZERO)
            if left:
                cleared[entry.reference] = cleared.get(entry.reference, ZERO) + left
    rows: list[dict] = []
    rows.append({"section": "book", "date": day, "what": f"Book balance of {account} {acct.name}",
                 "reference": "", "amount": book_balance})
    if last is not None:
        rows.append({"section": "statement", "date": last.date,
                     "what": f"Closing balance of statement {last.id} ({last.source or last.format})",
                     "reference": last.statement or "", "amount": last.closing})
        rows.append({"section": "statement", "date": last.date, "what": f"Book balance of {account} on {last.date}",
                     "reference": "", "amount": at_statement})
    in_suspense = []
    for s in stmts:
        for ln in s.lines:
            left = cleared.get(ln.id, ZERO)
            if ln.outcome == "suspense" and left:
                in_suspense.append((s, ln, -left))
    for _s, ln, amount in in_suspense:
        rows.append({"section": "suspense", "date": ln.date,
                     "what": " ".join(x for x in (ln.counterparty, ln.text) if x) or "(no text)",
                     "reference": ln.id, "amount": amount, "entry": ln.entry})
    for entry in sorted(unseen, key=lambda e: (e.date, e.id)):
        rows.append({"section": "not on a statement", "date": entry.date, "what": entry.memo,
                     "reference": entry.reference or "", "amount": _in_currency(book, entry, account, cur),
                     "entry": entry.id})
    difference = None
    if last is not None:
        difference = at_statement - (last.closing if last.closing is not None else at_statement)
    suspense_total = sum((a for _, _, a in in_suspense), ZERO)
    return Reconciliation(account, acct.name, cur, rows, book_balance, last, at_statement, difference,
                          len(in_suspense), suspense_total, len(unseen))
