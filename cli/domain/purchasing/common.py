"""Purchasing lookups, what was received and billed on each order line, and the statuses
computed from it.
"""

from __future__ import annotations

from decimal import Decimal

from comptoir.domain.ids import known
from comptoir.model import Book
from comptoir.schemas.purchasing import Bill, PurchaseOrder

from ..documents.facts import light
from ..documents.lines import is_stocked
from ..documents.orders import line_qty, moved_by_line, settled, still_open
from ..ledger import ZERO

STATUSES = ("ordered", "partly received", "received", "billed", "paid", "cancelled")


def orders(book: Book) -> dict[str, PurchaseOrder]:
    return book.of("purchase-order")


def get_order(book: Book, ident: str) -> PurchaseOrder:
    return known(orders(book), ident, "unknown-purchase-order", "purchase order",
                 "`comptoir purchase list` shows the orders")


def received_by_line(book: Book) -> dict[str, dict[int, list[Decimal]]]:
    """order -> line -> [qty received, value received (base)], less what went back to the supplier."""
    cached = book.derived.get("purchasing.received")
    if cached is None:
        cached = {o: {n: list(c) for n, c in per.items()} for o, per in moved_by_line(book, "receipt").items()}
        for r in light(book, "supplier-return").values():
            per = cached.setdefault(r.order, {})
            for ln in r.lines:
                cell = per.setdefault(ln.line, [ZERO, ZERO])
                cell[0] -= ln.qty
                cell[1] -= ln.value
        book.derived["purchasing.received"] = cached
    return cached


def billed_by_line(book: Book) -> dict[str, dict[int, list[Decimal]]]:
    """order -> line -> [qty billed, GRNI value cleared (base)], less the supplier's debit notes."""
    cached = book.derived.get("purchasing.billed")
    if cached is None:
        cached = {}
        bills = light(book, "bill")
        docs = [(b, 1) for b in bills.values()] + [(d, -1) for d in light(book, "debit-note").values()]
        for doc, sign in docs:
            default = doc.order if sign == 1 else (bills[doc.bill].order if doc.bill in bills else None)
            for line in doc.lines:
                order = line.order or default
                if line.line is None or order is None or line.landed:
                    continue
                cell = cached.setdefault(order, {}).setdefault(line.line, [ZERO, ZERO])
                cell[0] += sign * line.qty
                cell[1] += sign * line.cleared
        book.derived["purchasing.billed"] = cached
    return cached


def received(book: Book, po: str, line: int) -> Decimal:
    return line_qty(received_by_line(book), po, line)


def billed(book: Book, po: str, line: int) -> Decimal:
    return line_qty(billed_by_line(book), po, line)


def open_qty(book: Book, po: PurchaseOrder, number: int) -> Decimal:
    """What is still to arrive on the line (1-based); nothing once the order is cancelled."""
    if po.cancelled is not None:
        return ZERO
    line = po.lines[number - 1]
    if not is_stocked(book, line.item):
        return line.qty - billed(book, po.id, number)
    return still_open(line.qty, received(book, po.id, number))


def bills_of(book: Book, po: str) -> list[Bill]:
    """The bills of an order's lines, by date and id."""
    cached = book.derived.get("purchasing.bills.by_order")
    if cached is None:  # once per book: a list of every order asked each order's bills
        cached = {}
        for b in sorted(book.of("bill").values(), key=lambda b: (b.date, b.id)):
            # Bill.orders(), spelled out: a served report gives light records of the bills (FACTS)
            found = [ln.order or b.order for ln in b.lines if ln.line is not None]
            for order in dict.fromkeys(o for o in found if o):
                cached.setdefault(order, []).append(b)
        book.derived["purchasing.bills.by_order"] = cached
    return cached.get(po, [])


def status(book: Book, po: PurchaseOrder) -> str:
    """ordered -> partly received -> received -> billed -> paid (cancelled stops it)."""
    got = [received(book, po.id, i) if is_stocked(book, line.item) else line.qty
           for i, line in enumerate(po.lines, 1)]
    billed_qty = [billed(book, po.id, i) for i in range(1, len(po.lines) + 1)]
    if po.cancelled is not None and not any(got) and not any(billed_qty):
        return "cancelled"
    wanted = [line.qty if po.cancelled is None else min(line.qty, g) for line, g in zip(po.lines, got, strict=True)]
    stocked = [is_stocked(book, line.item) for line in po.lines]
    if not any(g for g, s in zip(got, stocked, strict=True) if s) and not any(billed_qty):
        return "ordered"
    if any(g < w for g, w, s in zip(got, wanted, stocked, strict=True) if s):
        return "partly received"
    if any(b < w for b, w in zip(billed_qty, wanted, strict=True)):
        return "received"
    if settled(book, "payable", bills_of(book, po.id)):
        return "paid"
    return "billed"
