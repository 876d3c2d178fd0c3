"""Purchasing tables: the order list, one order with its lines, receipts and bills, the bill list,
the purchases report."""

from __future__ import annotations

import datetime as dt

from comptoir.domain.book import Book
from comptoir.domain.documents import orders as core
from comptoir.domain.purchasing.common import (
    billed,
    bills_of,
    get_order,
    open_qty,
    received,
    status,
)
from comptoir.domain.purchasing.lists import FACTS as LIST_FACTS
from comptoir.domain.purchasing.lists import READS as LISTS
from comptoir.domain.purchasing.lists import bill_rows, order_rows, purchase_rows
from comptoir.domain.table import Column, Table, money, text
from comptoir.schemas.purchasing import PurchaseOrder
from comptoir.schemas.types import currency_places

# The kinds each table reads: those of the list it shows (comptoir.commands._docs loads only these).
READS = {"orders_table": LISTS["order_rows"], "bills_table": LISTS["bill_rows"],
         "purchases_table": LISTS["purchase_rows"]}
# Of those, the kinds a table may be served as light records of some fields (see FACTS in the lists).
FACTS = {"orders_table": LIST_FACTS["order_rows"], "bills_table": LIST_FACTS["bill_rows"],
         "purchases_table": LIST_FACTS["purchase_rows"]}


def orders_table(book: Book, status_filter: str | None = None, partner: str | None = None) -> Table:
    cols = [*core.order_columns("Supplier"), Column("next_expected", "Next expected", "date"),
            text("reference", "Their reference")]
    return Table("purchase-orders", cols, order_rows(book, status_filter, partner), title="Purchase orders")


def order_detail(book: Book, po: PurchaseOrder) -> Table:
    rows, places = core.line_rows(book, po, lambda i, ln: {
        "expected": ln.expected, "received": received(book, po.id, i), "billed": billed(book, po.id, i),
        "open": open_qty(book, po, i)})
    cols = [*core.line_columns(places), Column("expected", "Expected", "date"), Column("received", "Received", "qty"),
            Column("billed", "Billed", "qty"), Column("open", "Open", "qty")]
    receipts = sorted((r for r in book.of("receipt").values() if r.order == po.id), key=lambda r: (r.date, r.id))
    notes = [f"{po.id} from {po.partner}, ordered {po.date}, {po.currency or book.base}; status: {status(book, po)}"]
    notes += [f"receipt {r.id} on {r.date}: {core.lines_text(r)}" for r in receipts]
    notes += [f"bill {b.id} ({b.number}) on {b.date}: total {b.total:,f}, due {b.due}" for b in bills_of(book, po.id)]
    if po.cancelled:
        notes.append(f"cancelled on {po.cancelled}")
    table = Table("purchase-order", cols, rows, title=f"Purchase order {po.id}", notes=notes)
    table.meta.update({"id": po.id, "status": status(book, po), "partner": po.partner,
                       "receipts": [r.id for r in receipts], "bills": [b.id for b in bills_of(book, po.id)]})
    return table


def show_table(book: Book, ident: str) -> Table:
    """What `purchase show` prints: a purchase order with its lines, receipts and bills."""
    return order_detail(book, get_order(book, ident))


def bills_table(book: Book, partner: str | None = None, open_only: bool = False) -> Table:
    cols = [text("id", "Id"), text("number", "Number"), *core.document_columns("Supplier")]
    return Table("bills", cols, bill_rows(book, partner, open_only), title="Supplier bills")


def purchases_table(book: Book, start: dt.date | None, end: dt.date | None, by: tuple[str, ...]) -> Table:
    """`report purchases`: received quantities and value, billed amounts and price variance (base)."""
    rows, totals = purchase_rows(book, start, end, by)
    p = currency_places(book.base)
    cols = [text(d, d.capitalize()) for d in by] + [
        Column("qty", "Qty received", "qty"), money("received", "Received value", p),
        money("billed", "Billed (net)", p), money("variance", "Price variance", p)]
    return Table("purchases", cols, rows, totals, title=f"Purchases by {', '.join(by)} ({book.base})")
