"""What open purchase orders add to availability: incoming supply on each line's expected date.
"""

from __future__ import annotations

from comptoir.model import Book

from ..availability import Event, provider
from ..documents.facts import light
from ..documents.lines import is_stocked
from .common import open_qty


@provider(reads=["purchase-order", "receipt", "supplier-return"])  # returns: what is still to arrive
def open_purchase_lines(book: Book):
    """Open purchase order lines are incoming supply, dated by their expected receipt date."""
    for po in light(book, "purchase-order").values():
        if po.cancelled is not None:
            continue
        for i, line in enumerate(po.lines, 1):
            if line.warehouse is None or not is_stocked(book, line.item):
                continue
            qty = open_qty(book, po, i)
            if qty > 0:
                yield Event(line.item, line.warehouse, line.expected, qty, "incoming", po.id)


PROVIDERS = [open_purchase_lines]
