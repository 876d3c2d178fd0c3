"""What open work orders add to availability: planned output, required components."""

from __future__ import annotations

from collections.abc import Iterable

from ..availability import Event, provider
from ..book import Book
from .common import orders
from .work_orders import progress


@provider(reads=["work-order", "completion"])
def open_work_orders(book: Book) -> Iterable[Event]:
    """Open work orders: their remaining output is planned supply (on the due date) and what they
    still need of each component is required (on the start date, else the due date)."""
    if not orders(book):
        return
    for p in progress(book).values():
        if not p.open:
            continue
        wo = p.order
        yield Event(wo.item, wo.warehouse, wo.due, p.remaining, "planned", wo.id)
        for line in wo.components:
            yield Event(line.item, wo.warehouse, wo.start or wo.due, p.left(line.item), "required", wo.id)



PROVIDERS = [open_work_orders]
