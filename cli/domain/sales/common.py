"""Sales lookups, what happened to each order line (delivered, invoiced, credited) and the statuses
computed from it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from comptoir.domain.ids import known
from comptoir.errors import fail
from comptoir.model import Book
from comptoir.schemas.sales import Delivery, Invoice, SalesOrder

from ..documents.balances import open_items
from ..documents.facts import light, served_lazily, where
from ..documents.lines import is_stocked
from ..documents.orders import moved_by_line, moved_of, settled, still_open
from ..ledger import ZERO

STATUSES = ("draft", "confirmed", "partly delivered", "delivered", "invoiced", "paid", "cancelled")


INVOICE_SERIES = ""  # invoice numbers read 2026-0001


CREDIT_SERIES = "CN"  # credit notes CN2026-0001


def orders(book: Book) -> dict[str, SalesOrder]:
    return book.of("sales-order")


def get_order(book: Book, ident: str) -> SalesOrder:
    return known(orders(book), ident, "unknown-order", "sales order", "`comptoir sales list` shows the orders")


def get_invoice(book: Book, ident: str) -> Invoice:
    inv = book.of("invoice").get(ident)
    if inv is None:  # the number is what people quote
        inv = next((i for i in book.of("invoice").values() if i.number == ident), None)
    if inv is None:
        raise fail("unknown-invoice", f"there is no invoice {ident}", "`comptoir sales invoices` lists them")
    return inv


def delivered_by_line(book: Book) -> dict[str, dict[int, list[Decimal]]]:
    """order -> line -> [qty delivered, cost of what was delivered]."""
    return moved_by_line(book, "delivery")


def invoiced_by_line(book: Book) -> dict[str, dict[int, Decimal]]:
    cached = book.derived.get("sales.invoiced")
    if cached is None:
        cached = {}
        for inv in light(book, "invoice").values():
            if inv.order is None:
                continue
            per = cached.setdefault(inv.order, {})
            for ln in inv.lines:
                if ln.line is not None:
                    per[ln.line] = per.get(ln.line, ZERO) + ln.qty
        book.derived["sales.invoiced"] = cached
    return cached


def delivered(book: Book, so: str, line: int) -> Decimal:
    return moved_of(book, "delivery", so).get(line, [ZERO])[0]


def invoiced(book: Book, so: str, line: int) -> Decimal:
    if not served_lazily(book, "invoice"):
        return invoiced_by_line(book).get(so, {}).get(line, ZERO)
    key = ("sales.invoiced-of", so)
    per = book.derived.get(key)
    if per is None:
        per = book.derived[key] = {}
        for inv in where(book, "invoice", "order", so):
            for ln in inv.lines:
                if ln.line is not None:
                    per[ln.line] = per.get(ln.line, ZERO) + ln.qty
    return per.get(line, ZERO)


def invoice_of(book: Book, delivery: str) -> Invoice | None:
    """The (first) invoice of a delivery: from the invoices naming it when a write is served them
    one by one, else from the table of every delivery's."""
    if not served_lazily(book, "invoice"):
        return invoice_of_delivery(book).get(delivery)
    found = where(book, "invoice", "deliveries", delivery)
    return found[0] if found else None


def invoice_of_delivery(book: Book) -> dict[str, Invoice]:
    cached = book.derived.get("sales.invoice_of_delivery")
    if cached is None:
        cached = {}
        for inv in light(book, "invoice").values():
            for dn in inv.deliveries:
                cached.setdefault(dn, inv)
        book.derived["sales.invoice_of_delivery"] = cached
    return cached


def deliveries_of(book: Book, so: str) -> list[Delivery]:
    return _of_order(book, "delivery", so)


def invoices_of(book: Book, so: str) -> list[Invoice]:
    return _of_order(book, "invoice", so)


def _of_order(book: Book, kind: str, so: str) -> list:
    """The order's deliveries or invoices by date and id: its own when a write is served them one
    by one (facts.where), else from the table of every order's."""
    if not served_lazily(book, kind):
        return _by_order(book, kind).get(so, [])
    return sorted(where(book, kind, "order", so), key=lambda d: (d.date, d.id))


def _by_order(book: Book, kind: str) -> dict[str | None, list]:
    """order -> its deliveries or invoices by date and id (once per book: a list of every order
    asked each order's invoices, scanning every invoice each time)."""
    key = f"sales.{kind}.by_order"
    cached = book.derived.get(key)
    if cached is None:
        cached = {}
        for doc in sorted(light(book, kind).values(), key=lambda d: (d.date, d.id)):
            cached.setdefault(doc.order, []).append(doc)
        book.derived[key] = cached
    return cached


def credited_by_line(book: Book, invoice: str) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for cn in book.of("credit-note").values():
        if cn.invoice == invoice:
            for ln in cn.lines:
                if ln.line is not None:
                    out[ln.line] = out.get(ln.line, ZERO) + ln.qty
    return out


def to_deliver(book: Book, so: SalesOrder, number: int) -> Decimal:
    """What is still to ship on the line: nothing for quotes, cancelled orders and services."""
    if so.confirmed is None or so.cancelled is not None:
        return ZERO
    line = so.lines[number - 1]
    if not is_stocked(book, line.item):
        return ZERO
    return still_open(line.qty, delivered(book, so.id, number))


def status(book: Book, so: SalesOrder, paid: bool = True) -> str:
    """draft -> confirmed -> partly delivered -> delivered -> invoiced -> paid; or cancelled.
    `paid=False`: a paid order is "invoiced" (what is open on its invoices not looked up: a
    count of the orders still to deliver or invoice does not need the receivables)."""
    if so.confirmed is None:
        return "cancelled" if so.cancelled else "draft"
    n = range(1, len(so.lines) + 1)
    stocked = {i for i in n if is_stocked(book, so.lines[i - 1].item)}
    shipped = {i: delivered(book, so.id, i) for i in stocked}
    billed = {i: invoiced(book, so.id, i) for i in n}
    if so.cancelled is not None and not any(shipped.values()) and not any(billed.values()):
        return "cancelled"
    wanted = {i: (so.lines[i - 1].qty if so.cancelled is None else shipped.get(i, billed[i])) for i in n}
    if stocked and not any(shipped.values()):
        return "confirmed"
    if any(shipped[i] < wanted[i] for i in stocked):
        return "partly delivered"
    if any(billed[i] < wanted[i] for i in n):
        return "delivered" if stocked else "confirmed"
    if paid and settled(book, "receivable", invoices_of(book, so.id)):
        return "paid"
    return "invoiced"


def invoice_status(book: Book, inv: Invoice, today: dt.date) -> str:
    item = open_items(book, "receivable", journal=False).by_document.get(inv.id)
    left = item.open if item else ZERO
    if left <= 0:
        credited = sum((cn.total for cn in book.of("credit-note").values() if cn.invoice == inv.id), ZERO)
        return "credited" if credited >= inv.total else "paid"
    if inv.due < today:
        return "overdue"
    return "partly paid" if left < inv.total else "open"
