"""Currency tables: the exchange rates, and the foreign balances a revaluation works from."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from comptoir.domain.book import Book
from comptoir.domain.currency import Position, rate_rows
from comptoir.domain.table import Column, Table, money, text
from comptoir.schemas.types import currency_places


def positions_table(book: Book, day: dt.date, found: list[Position]) -> Table:
    places = currency_places(book.base)
    accounts = book.accounts
    rows = [{"account": p.account, "name": accounts[p.account].name if p.account in accounts else "?",
             "currency": p.currency, "amount": p.amount, "carried": p.carried, "rate": p.rate,
             "rate_date": p.rate_date, "revalued": p.revalued, "difference": p.difference} for p in found]
    total = sum((p.difference for p in found), Decimal(0))
    cols = [text("account", "Account"), text("name", "Name"), text("currency", "Cur"),
            money("amount", "Balance", max((currency_places(p.currency) for p in found), default=2)),
            money("carried", f"Carried ({book.base})", places),
            Column("rate", "Rate", "qty"), Column("rate_date", "Rate date", "date"),
            money("revalued", f"Revalued ({book.base})", places), money("difference", "Difference", places)]
    return Table("revaluation", cols, rows, {"account": "Total", "difference": total},
                 title=f"Foreign-currency balances revalued at {day} ({book.base})")


def rates_table(book: Book, currency: str | None = None) -> Table:
    cols = [text("id", "Id"), Column("date", "Date", "date"), text("currency", "Cur"),
            Column("rate", f"Rate ({book.base} per unit)", "qty"), text("source", "Source")]
    return Table("rates", cols, rate_rows(book, currency), title=f"Exchange rates to {book.base}")
