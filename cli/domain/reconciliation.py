"""The bank reconciliation: what the books say about a bank account against what its statements
said. Book balance and the last statement's closing balance, the statement lines still in
suspense, and the book's entries on the account that no statement has shown yet.

A suspense line is cleared by an entry that moves its amount out of the suspense account with
the line's id as reference (`journal post ... --reference LINE-ID`, or `pay receive ...
--account SUSPENSE --reference LINE-ID`, which pays the invoice from there).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from comptoir.schemas.types import currency_places

from .bank import bank_account, statements_of
from .book import Book
from .ledger import ZERO
from .table import Column, Table, money, text


def _in_currency(book: Book, entry, account: str, cur: str) -> Decimal:
    return sum((p.amount for p in entry.postings if p.account == account and (p.currency or book.base) == cur), ZERO)


def reconciliation_table(book: Book, account: str, day: dt.date) -> Table:
    acct = bank_account(book, account)
    cur = acct.currency or book.base
    p = currency_places(cur)
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
    cols = [text("section", "Section"), Column("date", "Date", "date"), text("what", "What"),
            text("reference", "Reference"), money("amount", f"Amount ({cur})", p), text("entry", "Entry")]
    notes = []
    difference = None
    if last is None:
        notes.append(f"No statement has been imported into {account} yet (`comptoir bank import`).")
    else:
        difference = at_statement - (last.closing if last.closing is not None else at_statement)
        if last.closing is None:
            notes.append(f"Statement {last.id} gave no closing balance.")
        elif difference == 0:
            notes.append(f"The books agree with statement {last.id}: {last.closing:,.{p}f} {cur} on {last.date}.")
        else:
            notes.append(f"The books differ from statement {last.id} by {difference:,.{p}f} {cur} on {last.date}.")
    suspense_total = sum((a for _, _, a in in_suspense), ZERO)
    notes.append(f"{len(in_suspense)} line(s) in suspense ({suspense_total:,.{p}f} {cur}); "
                 f"{len(unseen)} book entr{'y' if len(unseen) == 1 else 'ies'} on {account} not yet on a statement.")
    table = Table("reconciliation", cols, rows, title=f"Bank reconciliation: {account} {acct.name} ({cur})",
                  notes=notes)
    table.meta.update({"account": account, "currency": cur, "book_balance": book_balance,
                       "statement": last.id if last else None,
                       "statement_date": last.date.isoformat() if last else None,
                       "statement_balance": last.closing if last else None,
                       "book_balance_at_statement": at_statement if last else None,
                       "difference": difference, "suspense_lines": len(in_suspense), "suspense_total": suspense_total,
                       "unseen_entries": len(unseen)})
    return table
