"""The one-screen management overview; each family adds its sections (comptoir.families)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from comptoir.model import Book

from .ledger import ZERO, net_by_account

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
    closing = net_by_account(book, None, today)  # from the day totals (served from partials, or the entries)
    month_start = today.replace(day=1)
    year_start, _ = book.settings.fiscal_year_bounds(book.settings.fiscal_year_of(today))
    month = net_by_account(book, month_start, today)
    ytd = net_by_account(book, year_start, today)

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


# The record kinds the sections read, but the journal and the stock moves: `report overview` loads
# these and serves the day totals, the side accounts' postings and the stock levels and consumption
# from partials (cli/app/overview.py); a kind missing here is read whole on first use.
READS = ("account", "rate", "partner", "item", "warehouse", "bom", "work-order", "completion", "sales-order",
         "delivery", "invoice", "credit-note", "purchase-order", "receipt", "supplier-return", "bill",
         "debit-note", "payment", "application", "tax-code", "opportunity", "lead", "activity", "employee",
         "payroll")


def overview_rows(book: Book, today: dt.date) -> list[dict]:
    """Every family's overview section on `today`: (section, measure, value) rows."""
    from comptoir.families import sections

    rows: list[dict] = []
    for fn in sections():
        rows.extend(fn(book, today))
    return rows


# What this module adds to its family (comptoir.families collects these lists).
SECTIONS = [finance]
