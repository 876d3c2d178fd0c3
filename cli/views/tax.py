"""Tax tables: the tax codes, the tax report by code and the VAT return by box."""

from __future__ import annotations

import datetime as dt

from comptoir.domain.book import Book
from comptoir.domain.table import Column, Table, money, text
from comptoir.domain.tax import period_bounds, settlement_of, tax_code_rows, tax_summary, vat_boxes
from comptoir.schemas.types import currency_places


def tax_codes_table(book: Book) -> Table:
    cols = [text("code", "Code"), text("name", "Name"), Column("rate", "Rate %", "qty"),
            text("collected_account", "Collected to"), text("paid_account", "Paid to"),
            Column("active", "Active", "bool")]
    return Table("tax-codes", cols, tax_code_rows(book), title="Tax codes")


def tax_report(book: Book, start: dt.date | None, end: dt.date | None) -> Table:
    """Per tax code: the net amounts and the tax of sales (less credit notes) and of purchases."""
    p = currency_places(book.base)
    rows, totals = tax_summary(book, start, end)
    cols = [text("code", "Code"), text("name", "Name"), Column("rate", "Rate %", "qty"),
            money("sales_net", "Sales net", p), money("collected", "Tax collected", p),
            money("purchases_net", "Purchases net", p), money("paid", "Tax paid", p),
            money("net_due", "Net tax due", p)]
    span = f"{start or 'start'} to {end or 'today'}"
    return Table("tax", cols, rows, totals, title=f"Tax by code, {span} ({book.base})",
                 notes=["Net tax due = collected - paid (a negative figure is a refund due)."])


def vat_return(book: Book, period: str) -> Table:
    """The VAT return of a period by box, as comptoir.yaml's vat_return: boxes: lays it out."""
    start, end = period_bounds(period)
    cols = [text("box", "Box"), text("label", "Label"), money("amount", f"Amount ({book.base})",
                                                              currency_places(book.base))]
    settled = settlement_of(book, period)
    notes = [f"Documents dated {start} to {end}; boxes from comptoir.yaml (vat_return: boxes:)."]
    notes.append(f"settled by {settled.id}" if settled else f"not settled yet: `comptoir tax settle {period}`")
    table = Table("vat-return", cols, vat_boxes(book, period), title=f"VAT return {period} ({book.base})", notes=notes)
    table.meta.update({"period": period, "from": start.isoformat(), "to": end.isoformat()})
    return table
