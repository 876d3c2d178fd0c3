"""Ledger tables: the trial balance, the chart of accounts, the journal and one entry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from comptoir.domain.ledger import (
    TrialBalance,
    account_rows,
    balance_rows,
    entry_lines,
    journal_rows,
    reversed_by,
)
from comptoir.domain.table import Column, Table, money, text

if TYPE_CHECKING:  # the trial balance served from a snapshot (cli/app/ledgersnap.py) runs without the models
    from comptoir.model import Book
    from comptoir.schemas.accounting import Account, JournalEntry


def _places(book: Book) -> int:
    from comptoir.schemas.types import currency_places

    return currency_places(book.base)


def trial_balance_table(book: Book, start: dt.date | None = None, end: dt.date | None = None,
                        depth: int | None = None, currency: str | None = None) -> Table:
    """Opening, debits, credits, closing per account (comptoir.domain.ledger.trial_balance)."""
    from comptoir.domain.ledger import trial_balance

    return _trial_balance_table(trial_balance(book, start, end, depth, currency))


def balance_table(accounts: dict[str, Account], opening: dict[str, Decimal],
                  moves: dict[str, tuple[Decimal, Decimal]], depth: int | None, places: int,
                  shown_in: str) -> Table:
    """The trial balance from each account's opening balance and movements (the snapshot's path)."""
    return _trial_balance_table(balance_rows(accounts, opening, moves, depth, places, shown_in))


def _trial_balance_table(tb: TrialBalance) -> Table:
    p = tb.places
    cols = [text("account", "Account"), text("name", "Name"), text("type", "Type"),
            money("opening", "Opening", p), money("debit", "Debit", p),
            money("credit", "Credit", p), money("closing", "Closing", p)]
    table = Table("trial-balance", cols, tb.rows, tb.totals, title=f"Trial balance ({tb.shown_in})")
    table.meta["balanced"] = tb.balanced
    return table


def accounts_table(book: Book) -> Table:
    cols = [text("code", "Code"), text("name", "Name"), text("type", "Type"), text("parent", "Parent"),
            text("role", "Role"), text("currency", "Currency"), Column("active", "Active", "bool")]
    return Table("accounts", cols, account_rows(book), title="Chart of accounts")


def journal_table(book: Book, start: dt.date | None = None, end: dt.date | None = None,
                  account: str | None = None, text_filter: str | None = None) -> Table:
    cols = [text("id", "Id"), Column("date", "Date", "date"), text("memo", "Memo"),
            text("reference", "Reference"), Column("postings", "Postings", "int"),
            money("amount", "Amount", _places(book))]
    return Table("journal", cols, journal_rows(book, start, end, account, text_filter), title="Journal entries")


def entry_table(book: Book, entry: JournalEntry) -> Table:
    places = _places(book)
    accounts = book.accounts
    cols = [text("account", "Account"), text("name", "Name"), money("debit", "Debit", places),
            money("credit", "Credit", places), text("currency", "Cur"),
            Column("amount", "Amount", "money", places), text("partner", "Partner"), text("memo", "Memo")]
    undone_by = reversed_by(book, entry)
    notes = [f"{entry.id}  {entry.date}  {entry.memo}"]
    if entry.reference:
        notes.append(f"reference: {entry.reference}")
    if entry.reverses:
        notes.append(f"reverses: {entry.reverses}")
    if undone_by:
        notes.append(f"reversed by: {', '.join(undone_by)}")
    for a in entry.assertions:
        cur = a.currency or (accounts[a.account].currency if a.account in accounts else None) or book.base
        notes.append(f"asserts: {a.account} balance at the end of {entry.date} is {a.balance} {cur}")
    if entry.tags:
        notes.append(f"tags: {', '.join(entry.tags)}")
    t = Table("entry", cols, entry_lines(book, entry), title=f"Journal entry {entry.id}", notes=notes)
    t.meta.update({"id": entry.id, "date": entry.date.isoformat(), "memo": entry.memo,
                   "reference": entry.reference, "reverses": entry.reverses,
                   "reversed_by": undone_by, "tags": list(entry.tags),
                   "assertions": [{"account": a.account, "balance": a.balance, "currency": a.currency}
                                  for a in entry.assertions]})
    return t
