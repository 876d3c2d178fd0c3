"""The sales lists as data: orders with their status, invoices with what is open, a document
found by id or number (their tables: comptoir.views.sales).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from comptoir.errors import fail
from comptoir.model import Book
from comptoir.schemas.sales import SalesOrder

from ..documents import orders as core
from ..documents.facts import facts_of
from .common import (
    invoice_status,
    orders,
    status,
    to_deliver,
)
from .ordering import order_net

# The record kinds each list reads (a command loads only these; comptoir.book.ondemand reads any
# other kind whole on first use, so a kind missing here costs time, never a wrong answer).
READS = {
    "order_rows": ("sales-order", "item", "delivery", "invoice", "payment", "credit-note", "application"),
    "invoice_rows": ("invoice", "payment", "credit-note", "application"),
}
# Of those, the kinds a list reads only some fields of (comptoir.domain.documents.facts): a command
# may serve them as light records derived per folder (comptoir.app.docfacts).
FACTS = {
    "order_rows": facts_of("sales-order", "delivery", "invoice", "payment", "credit-note", "application"),
    "invoice_rows": facts_of("invoice", "payment", "credit-note", "application"),
}


def order_rows(book: Book, status_filter: str | None = None, partner: str | None = None) -> list[dict[str, Any]]:
    rows = []
    for so, st in core.listed(orders(book).values(), lambda so: status(book, so), status_filter, partner):
        promised = [ln.promised for i, ln in enumerate(so.lines, 1) if ln.promised and to_deliver(book, so, i) > 0]
        rows.append({**core.order_row(book, so, st, order_net(book, so)),
                     "promised": max(promised) if promised else None, "reference": so.customer_reference or "",
                     "opportunity": so.opportunity or ""})
    return rows


def invoice_rows(book: Book, today: dt.date, partner: str | None = None, open_only: bool = False
                 ) -> list[dict[str, Any]]:
    rows = []
    for inv, left in core.open_documents(book, "receivable", book.of("invoice").values(), lambda i: (i.date, i.number),
                                         partner, open_only):
        rows.append({"number": inv.number, "id": inv.id, "date": inv.date, "due": inv.due, "partner": inv.partner,
                     "order": inv.order or "", "currency": inv.currency or book.base, "total": inv.total,
                     "open": left, "status": invoice_status(book, inv, today)})
    return rows


def find_document(book: Book, ident: str) -> tuple[str, Any]:
    """(kind, record) of the delivery, invoice or credit note with this id (or number)."""
    for kind in ("delivery", "invoice", "credit-note"):
        doc = book.of(kind).get(ident)
        if doc is None and kind != "delivery":
            doc = next((d for d in book.of(kind).values() if d.number == ident), None)
        if doc is not None:
            return kind, doc
    raise fail("unknown-document", f"there is no sales order, delivery, invoice or credit note {ident}",
               "`comptoir sales list` and `comptoir sales invoices` show them")


def find_order(book: Book, ident: str) -> SalesOrder | None:
    return orders(book).get(ident)
