"""The one-screen management overview; each family adds its sections (comptoir.families)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from comptoir.model import Book
from comptoir.schemas.types import currency_places

from .ledger import ZERO, balances, entries_between
from .table import Column, Table, text

Section = Callable[[Book, dt.date], list[dict]]


def section(fn: Section) -> Section:
    """Mark an overview section; it shows when listed in its module's SECTIONS (comptoir.families)."""
    fn.overview_section = True  # type: ignore[attr-defined]
    return fn


def _sum_roles(book: Book, bal: dict[str, Decimal], roles: set[str]) -> Decimal:
    accounts = book.accounts
    return sum((v for code, v in bal.items() if code in accounts and accounts[code].role in roles), ZERO)


def _sum_types(book: Book, bal: dict[str, Decimal], types: set[str]) -> Decimal:
    accounts = book.accounts
    return sum((v for code, v in bal.items() if code in accounts and accounts[code].type in types), ZERO)


@section
def finance(book: Book, today: dt.date) -> list[dict]:
    closing = balances(book, entries_between(book, None, today))
    month_start = today.replace(day=1)
    year_start, _ = book.settings.fiscal_year_bounds(book.settings.fiscal_year_of(today))
    month = balances(book, entries_between(book, month_start, today))
    ytd = balances(book, entries_between(book, year_start, today))

    def pl(bal):
        income = -_sum_types(book, bal, {"income"})
        expense = _sum_types(book, bal, {"expense"})
        return income, expense, income - expense

    m_inc, m_exp, m_net = pl(month)
    y_inc, y_exp, y_net = pl(ytd)
    return [
        {"section": "Finance", "measure": "Cash and bank", "value": _sum_roles(book, closing, {"bank", "cash"})},
        {"section": "Finance", "measure": "Receivables", "value": _sum_roles(book, closing, {"receivable"})},
        {"section": "Finance", "measure": "Payables", "value": -_sum_roles(book, closing, {"payable"})},
        {"section": "Finance", "measure": f"Income {month_start:%B %Y}", "value": m_inc},
        {"section": "Finance", "measure": f"Expenses {month_start:%B %Y}", "value": m_exp},
        {"section": "Finance", "measure": f"Net result {month_start:%B %Y}", "value": m_net},
        {"section": "Finance", "measure": f"Income year to date (from {year_start})", "value": y_inc},
        {"section": "Finance", "measure": "Expenses year to date", "value": y_exp},
        {"section": "Finance", "measure": "Net result year to date", "value": y_net},
    ]


def overview(book: Book, today: dt.date) -> Table:
    from comptoir.families import sections

    rows: list[dict] = []
    for fn in sections():
        rows.extend(fn(book, today))
    places = currency_places(book.base)
    cols = [text("section", "Section"), text("measure", "Measure"), Column("value", "Value", "money", places)]
    # counts (headcount, leads, follow-ups) stay ints and render as they are; amounts get the currency's places
    return Table("overview", cols, rows, title=f"{book.settings.company}: overview on {today} ({book.base})")


# What this module adds to its family (comptoir.families collects these lists).
SECTIONS = [finance]
