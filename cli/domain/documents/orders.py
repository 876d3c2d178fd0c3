"""The order core of sales and purchasing: what happened to each order line.
"""

from __future__ import annotations

from decimal import Decimal

from comptoir.model import Book

from ..ledger import ZERO


def moved_by_line(book: Book, kind: str) -> dict[str, dict[int, list[Decimal]]]:
    """order -> line -> [qty, value] summed over the documents of `kind` (deliveries of sales
    orders, receipts of purchase orders): what has already happened to each order line."""
    key = f"documents.moved.{kind}"
    cached = book.derived.get(key)
    if cached is None:
        cached = {}
        for doc in book.of(kind).values():
            per = cached.setdefault(doc.order, {})
            for ln in doc.lines:
                cell = per.setdefault(ln.line, [ZERO, ZERO])
                cell[0] += ln.qty
                cell[1] += ln.value
        book.derived[key] = cached
    return cached
