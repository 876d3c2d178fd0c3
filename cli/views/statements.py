"""Financial statement tables: balance sheet, income statement, cash flow, general ledger and
register, journal. The figures come from comptoir.domain.statements."""

from __future__ import annotations

import datetime as dt

from comptoir.domain.statements import (
    PostingFilter,
    Statement,
    balance_sheet_data,
    cash_flow_data,
    income_statement_data,
    journal_data,
    register_data,
)
from comptoir.domain.table import Column, Table, money, text
from comptoir.model import Book


def _table(name: str, cols: list[Column], s: Statement) -> Table:
    table = Table(name, cols, s.rows, s.totals, title=s.title, notes=s.notes)
    table.meta.update(s.meta)
    return table


def balance_sheet(book: Book, start: dt.date | None = None, end: dt.date | None = None,
                  depth: int | None = None, currency: str | None = None) -> Table:
    """Assets = liabilities + equity at `end`, with the result not yet closed shown in equity."""
    s = balance_sheet_data(book, start, end, depth, currency)
    cols = [text("section", "Section"), text("account", "Account"), text("name", "Name"),
            money("balance", "Balance", s.places)]
    return _table("balance-sheet", cols, s)


def income_statement(book: Book, start: dt.date | None = None, end: dt.date | None = None,
                     depth: int | None = None, compare: str | None = None,
                     currency: str | None = None) -> Table:
    """Revenue - cost of goods sold = gross margin; - operating expenses = operating result;
    + other income - other expenses = net income, beside a comparison period when asked."""
    s = income_statement_data(book, start, end, depth, compare, currency)
    cols = [text("section", "Section"), text("account", "Account"), text("name", "Name"),
            money("amount", "Amount", s.places)]
    if s.compare:
        cols += [money("compare", f"{s.compare[0]} to {s.compare[1]}", s.places),
                 money("change", "Change", s.places), money("change_pct", "Change %", 1)]
    return _table("income-statement", cols, s)


def cash_flow(book: Book, start: dt.date | None = None, end: dt.date | None = None,
              depth: int | None = None, method: str = "indirect") -> Table:
    """Operating, investing and financing cash flows, by the indirect or the direct method."""
    s = cash_flow_data(book, start, end, depth, method)
    cols = [text("section", "Section"), text("account", "Account"), text("name", "Name")]
    if method == "direct":
        cols += [money("receipts", "Receipts", s.places), money("payments", "Payments", s.places)]
    cols.append(money("amount", "Net", s.places) if method == "direct" else money("amount", "Amount", s.places))
    return _table("cash-flow", cols, s)


def register(book: Book, filters: PostingFilter, start: dt.date | None = None, end: dt.date | None = None,
             depth: int | None = None, currency: str | None = None, name: str = "register") -> Table:
    """Every posting that matches, in date order, with a running balance of the postings shown."""
    s = register_data(book, filters, start, end, depth, currency, name)
    cols = [Column("date", "Date", "date"), text("id", "Entry"), text("account", "Account"), text("name", "Name"),
            text("memo", "Memo"), text("partner", "Partner")]
    if s.foreign:
        cols.append(text("original", "Original"))
    cols += [money("debit", "Debit", s.places), money("credit", "Credit", s.places),
             money("balance", "Balance", s.places)]
    return _table(name, cols, s)


def journal_report(book: Book, start: dt.date | None = None, end: dt.date | None = None,
                   depth: int | None = None, currency: str | None = None) -> Table:
    """Every entry in date order with every posting, for auditors: debits equal credits."""
    s = journal_data(book, start, end, depth, currency)
    cols = [Column("date", "Date", "date"), text("id", "Entry"), text("memo", "Memo"), text("reference", "Reference"),
            text("account", "Account"), text("name", "Name"), money("debit", "Debit", s.places),
            money("credit", "Credit", s.places), text("original", "Original"), text("links", "Links")]
    return _table("journal", cols, s)
