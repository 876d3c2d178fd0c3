"""Deliveries: stock out at its valuation, cost of goods sold against inventory, and the other
orders' promises a delivery would break.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from comptoir.errors import ComptoirError, Problem, fail
from comptoir.model import Book
from comptoir.schemas.accounting import JournalEntry
from comptoir.schemas.sales import Delivery, SalesOrder

from ..documents.lines import qty_text
from ..documents.orders import partner_name, pick_lines, stock_document
from ..ids import id_prefix, new_id
from ..inputs import validated
from ..stock import MoveDraft, cogs_account
from ..stock.quantities import carry_levels
from .common import get_order, orders, to_deliver
from .promises import promise_risks


@dataclass
class DeliveryResult:
    delivery: Delivery
    moves: list
    entry: JournalEntry | None
    broken: list[str] = field(default_factory=list)  # other orders' promises it breaks (--take-reserved)

    @property
    def ids(self) -> list[str]:
        return [self.delivery.id] + [m.id for m in self.moves] + ([self.entry.id] if self.entry else [])


def deliver(book: Book, so_id: str, chosen: list[tuple[int, Decimal]] | None, day: dt.date,
            rng: random.Random, today: dt.date | None = None, take_reserved: bool = False) -> DeliveryResult:
    """Ship an order's open lines (or the chosen quantities): stock moves out at their valuation,
    debit cost of goods sold, credit inventory. Refused beyond the order or what is on hand, and
    when it would take stock another order's promise counts on (unless `take_reserved`: the
    result then names the promises it breaks)."""
    so = get_order(book, so_id)
    if so.cancelled is not None:
        raise fail("cancelled-order", f"{so.id} was cancelled on {so.cancelled}", "nothing more can be delivered")
    if so.confirmed is None:
        raise fail("not-confirmed", f"{so.id} is a quote", f"confirm it first: `comptoir sales confirm {so.id}`")
    if day < so.confirmed:
        raise fail("delivery-before-order", f"the delivery date {day} is before the order's confirmation {so.confirmed}",
                   "deliver on or after it")
    lines = pick_lines(so, chosen, lambda i: to_deliver(book, so, i), "deliver", "over-delivery", "sales")
    if not lines:
        raise fail("nothing-to-deliver", f"everything on {so.id} has been delivered",
                   f"`comptoir sales show {so.id}` shows the deliveries")
    ident = new_id(id_prefix(book, "delivery"), day, book.of("delivery"), rng)
    drafts = [MoveDraft("delivery", so.lines[n - 1].item, qty, from_warehouse=so.lines[n - 1].warehouse,
                        account=cogs_account(book, so.lines[n - 1].item), reference=ident) for n, qty in lines]
    moves, entry, dlines = stock_document(book, day, lines, drafts,
                                          f"Delivery {ident} to {partner_name(book, so.partner)} ({so.id})", rng,
                                          reference=so.id, source=ident)
    doc = validated(Delivery, id=ident, date=day, order=so.id, partner=so.partner, lines=dlines,
                    entry=entry.id if entry else None)
    broken = _broken_promises(book, so, doc, moves, today or book.today or day)
    if broken and not take_reserved:
        raise ComptoirError([Problem("", 0, "reserved-stock", f"{doc.id} on {so.id} would take stock promised "
                                     f"to another order: {b}",
                                     "deliver less now (free stock first), wait for the supply, or take it "
                                     "anyway with --take-reserved (those promises then break)") for b in broken])
    return DeliveryResult(doc, moves, entry, broken)


def _broken_promises(book: Book, so: SalesOrder, doc: Delivery, new_moves: list, today: dt.date) -> list[str]:
    """Other orders' lines whose promise the delivery puts at risk (they were covered before)."""
    from comptoir.schemas.registry import kind_named

    before = promise_risks(book, today)
    after_book = book.with_records([(kind_named("delivery"), doc),
                                    *((kind_named("stock-move"), m) for m in new_moves)])
    carry_levels(book, after_book, new_moves)  # the levels after, from those before: no move read
    after = promise_risks(after_book, today)
    out = []
    for (order, n), why in sorted(after.items()):
        if order == so.id or (order, n) in before:
            continue
        line = orders(book)[order].lines[n - 1]
        out.append(f"{order} line {n} ({qty_text(line.qty)} {line.item}, promised {line.promised}) {why}")
    return out
