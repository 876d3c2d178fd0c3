"""Reservations and promises: a confirmed order's undelivered lines reserve stock from their promised
date, and a promise is at risk when stock and supply in date order do not cover it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from comptoir.model import Book
from comptoir.schemas.sales import SalesLine, SalesOrder

from ..availability import SUPPLY, Event, events, provider, stock_now
from ..documents.facts import added, light, replaced
from ..documents.lines import qty_text
from ..ledger import ZERO
from .common import to_deliver


def may_be_open(orders: Iterable[Any], delivered: Callable[[str, int], Decimal]) -> list[str]:
    """The ids of the orders that may still reserve stock: confirmed, not cancelled, with a line
    to a warehouse not wholly delivered (whatever its item: open_lines asks the rest). What a
    write is served for HEAD (comptoir.app.facts, "sales.open-orders") and carries forward."""
    return [so.id for so in orders
            if so.confirmed is not None and so.cancelled is None
            and any(ln.warehouse is not None and ln.qty > delivered(so.id, i) for i, ln in enumerate(so.lines, 1))]


def _orders(book: Book) -> Iterable[Any]:
    """The orders open_lines looks at, in the book's order: each of them, or, a write's book, the
    ones HEAD's summary says may be open and those the write's own orders and deliveries touch."""
    records = light(book, "sales-order")
    served = book.fact("sales.open-orders")
    if served is None:
        return records.values()
    touched = {*added(book, "sales-order"), *(d.order for d in added(book, "delivery").values()),
               *(d.order for d in replaced(book, "delivery"))}
    ids = {i for i in (*served, *touched) if i in records}
    position = {ident: n for n, ident in enumerate(records)}
    return [records[i] for i in sorted(ids, key=position.__getitem__)]


def open_lines(book: Book) -> Iterator[tuple[SalesOrder, int, SalesLine, Decimal, dt.date | None]]:
    for so in _orders(book):
        if so.confirmed is None or so.cancelled is not None:
            continue
        for i, line in enumerate(so.lines, 1):
            if line.warehouse is None:
                continue
            qty = to_deliver(book, so, i)
            if qty > 0:
                yield so, i, line, qty, line.promised or line.requested or so.confirmed


@provider(reads=["sales-order", "delivery"])
def open_sales_lines(book: Book):
    """Undelivered lines of confirmed orders reserve stock from their promised date."""
    for so, _, line, qty, day in open_lines(book):
        yield Event(line.item, line.warehouse or "", day, qty, "reserved", so.id)  # open lines have one


def promise_risks(book: Book, today: dt.date) -> dict[tuple[str, int], str]:
    """(order, line) -> why its promise is at risk: it is late, or, allocating stock and supply to
    commitments in date order, the line comes up short on its promised date."""
    risks: dict[tuple[str, int], str] = {}
    ours = list(open_lines(book))
    by_pair: dict[tuple[str, str], list[tuple]] = {}
    for so, n, line, qty, day in ours:
        when = max(day or today, today)
        by_pair.setdefault((line.item, line.warehouse or ""), []).append((when, 1, so.id, n, qty, "reserved"))
        if day is not None and day < today:
            risks[(so.id, n)] = f"late: promised {day}, {qty_text(qty)} still to deliver"
    sales_docs = {so.id for so, *_ in ours}
    held, later = stock_now(book, today)
    for ev in [*events(book), *later]:
        if ev.document in sales_docs and ev.kind == "reserved":
            continue
        if ev.date is None and ev.kind in SUPPLY:
            continue
        key = (ev.item, ev.warehouse)
        if key not in by_pair:
            continue
        when = max(ev.date or today, today)
        by_pair[key].append((when, 0 if ev.kind in SUPPLY else 1, ev.document, 0, ev.qty, ev.kind))
    for key, steps in by_pair.items():
        projected = held.get(key, ZERO)
        for when, _, doc, n, qty, kind in sorted(steps, key=lambda s: (s[0], s[1], s[2], s[3])):
            projected += qty if kind in SUPPLY else -qty
            if n and projected < 0 and (doc, n) not in risks:
                short = min(qty, -projected)
                risks[(doc, n)] = (f"at risk: {qty_text(short)} of {qty_text(qty)} {key[0]} not covered in "
                                   f"{key[1]} on {when} by stock and expected supply")
    return risks


PROVIDERS = [open_sales_lines]
