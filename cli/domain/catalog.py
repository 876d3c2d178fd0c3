"""What sales and the website can promise: the catalog availability feed and an opportunity's
lines checked against stock, both from the availability and promise logic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from comptoir.model import Book

from .availability import availability, promise
from .ledger import ZERO
from .stock import items

ONE = Decimal(1)


def _available(book: Book, sku: str) -> Decimal:
    return sum((a.available for a in availability(book, sku).values()), ZERO)


def stock_status(available: Decimal, reorder_point: Decimal | None, low: Decimal | None) -> str:
    if available <= 0:
        return "out of stock"
    threshold = low if low is not None else reorder_point
    if threshold is not None and available <= threshold:
        return "low stock"
    return "in stock"


def catalog_rows(book: Book, today: dt.date, cap: Decimal | None = None, low: Decimal | None = None,
                 buckets: bool = False) -> list[dict[str, Any]]:
    """Each sellable item (active, stocked or not, with a price): price, available quantity
    (capped, or only a bucket) and the next date one unit can ship. Sorted by SKU so the feed
    is deterministic and a diff shows only what changed."""
    rows: list[dict[str, Any]] = []
    for sku, it in sorted(items(book).items()):
        if not it.active or it.price is None:
            continue
        row: dict[str, Any] = {"sku": sku, "name": it.name, "uom": it.uom, "price": it.price, "currency": book.base}
        if not it.stocked:
            row.update(available=None, status="service", next_available=today)
            rows.append(row)
            continue
        free = _available(book, sku)
        status = stock_status(free, it.reorder_point, low)
        if free > 0:
            next_day = today
        else:
            next_day = promise(book, sku, ONE, today=today).date
        shown = None if buckets else (min(free, cap) if cap is not None else free)
        if shown is not None and shown < 0:
            shown = ZERO
        row.update(available=shown, status=status, next_available=next_day)
        rows.append(row)
    if buckets:
        for row in rows:
            row.pop("available", None)
    return rows


def line_promises(book: Book, lines: Iterable[Any], today: dt.date,
                  exclude: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Each line (item, qty, price): what is available now and the earliest date it can ship."""
    known = items(book)
    rows = []
    for ln in lines:
        it = known.get(ln.item)
        row = {"item": ln.item, "qty": ln.qty, "available": None, "promise": None, "basis": "", "why": ""}
        if it is None:
            row["why"] = "unknown item"
        elif not it.stocked:
            row.update(basis="service", why="service item: no stock to promise")
        else:
            p = promise(book, ln.item, ln.qty, today=today, exclude=exclude)
            row.update(available=p.available, promise=p.date, basis=p.basis, why=p.reason)
        rows.append(row)
    return rows
