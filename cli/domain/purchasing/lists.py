"""The purchasing lists and the purchases report as data (their tables: comptoir.views.purchasing).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from comptoir.model import Book

from ..documents import orders as core
from ..documents.facts import facts_of
from ..documents.parties import to_base
from ..ledger import ZERO
from .common import open_qty, orders, status
from .ordering import order_value

# The record kinds each table reads (a command loads only these; comptoir.book.ondemand reads any
# other kind whole on first use, so a kind missing here costs time, never a wrong answer).
READS = {
    "order_rows": ("purchase-order", "item", "receipt", "supplier-return", "bill", "debit-note", "payment",
                   "application"),
    "bill_rows": ("bill", "payment", "debit-note", "application"),
    "purchase_rows": ("receipt", "bill"),
}
# Of those, the kinds a list reads only some fields of (comptoir.domain.documents.facts): a command
# may serve them as light records derived per folder (comptoir.app.docfacts).
FACTS = {
    "order_rows": facts_of("purchase-order", "receipt", "supplier-return", "bill", "debit-note", "payment",
                           "application"),
    "bill_rows": facts_of("bill", "payment", "debit-note", "application"),
    "purchase_rows": facts_of("receipt", "bill"),
}


def order_rows(book: Book, status_filter: str | None = None, partner: str | None = None) -> list[dict[str, Any]]:
    rows = []
    for po, st in core.listed(orders(book).values(), lambda po: status(book, po), status_filter, partner):
        open_lines = [ln.expected for i, ln in enumerate(po.lines, 1) if open_qty(book, po, i) > 0 and ln.expected]
        rows.append({**core.order_row(book, po, st, order_value(po, book)),
                     "next_expected": min(open_lines) if open_lines else None,
                     "reference": po.supplier_reference or ""})
    return rows


def bill_rows(book: Book, partner: str | None = None, open_only: bool = False) -> list[dict[str, Any]]:
    rows = []
    for b, left in core.open_documents(book, "payable", book.of("bill").values(), lambda b: (b.date, b.id), partner,
                                       open_only):
        rows.append({"id": b.id, "number": b.number, "date": b.date, "due": b.due, "partner": b.partner,
                     "order": b.order or "", "currency": b.currency or book.base, "total": b.total, "open": left,
                     "status": "paid" if left <= 0 else ("partly paid" if left < b.total else "open")})
    return rows


def purchase_rows(book: Book, start: dt.date | None, end: dt.date | None,
                  by: tuple[str, ...]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Received quantities and their value, and billed amounts, by supplier, item and month (base):
    the rows and their totals."""
    groups: dict[tuple, dict] = {}

    def inside(day: dt.date) -> bool:
        return (start is None or day >= start) and (end is None or day <= end)

    def cell(partner: str, item: str, day: dt.date) -> dict:
        key = tuple({"supplier": partner, "item": item, "month": f"{day:%Y-%m}"}[d] for d in by)
        if key not in groups:
            groups[key] = {**dict(zip(by, key, strict=True)), "qty": ZERO, "received": ZERO, "billed": ZERO,
                           "variance": ZERO}
        return groups[key]

    for r in book.of("receipt").values():
        if inside(r.date):
            for ln in r.lines:
                c = cell(r.partner, ln.item, r.date)
                c["qty"] += ln.qty
                c["received"] += ln.value
    for b in book.of("bill").values():
        if inside(b.date):
            for bl in b.lines:
                c = cell(b.partner, bl.item or "", b.date)
                c["billed"] += to_base(book, bl.net, b.rate)
                c["variance"] += bl.variance
    rows = [groups[k] for k in sorted(groups)]
    totals: dict[str, Any] = {by[0]: "Total",
                              **{k: sum((r[k] for r in rows), ZERO) for k in ("qty", "received", "billed", "variance")}}
    return rows, totals
