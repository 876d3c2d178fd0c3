"""Work orders: creating one from its BOM, its progress from completions, release and cancel."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from comptoir.errors import fail
from comptoir.schemas.manufacturing import Completion, WorkOrder

from ..book import Book
from ..changes import Change, diff_records
from ..ids import id_prefix, new_id
from ..inputs import validated
from ..ledger import ZERO
from ..stock import fmt_qty, items, pick_warehouse
from .boms import refuse_cycles
from .common import completions, find_bom, get_item, get_order, line_need, orders, plain

# --- work orders and their progress ------------------------------------------------------------

@dataclass
class Progress:
    order: WorkOrder
    done: Decimal = ZERO
    consumed: dict[str, Decimal] = field(default_factory=dict)
    completions: list[Completion] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.order.status == "cancelled":
            return "cancelled"
        if self.done >= self.order.qty:
            return "completed"
        if self.done > 0:
            return "in-progress"
        return self.order.status

    @property
    def open(self) -> bool:
        return self.status in ("planned", "released", "in-progress")

    @property
    def remaining(self) -> Decimal:
        return plain(max(self.order.qty - self.done, ZERO)) if self.open else ZERO

    def left(self, line_item: str) -> Decimal:
        """What the order still needs of a component (its line less what completions consumed)."""
        line = next((c for c in self.order.components if c.item == line_item), None)
        if line is None or not self.open:
            return ZERO
        return plain(max(line.qty - self.consumed.get(line_item, ZERO), ZERO))


def progress(book: Book) -> dict[str, Progress]:
    cached = book.derived.get("mfg.progress")
    if cached is None:
        cached = {ident: Progress(wo) for ident, wo in orders(book).items()}
        if cached:  # completions are posted records: read them only when there are orders
            for c in sorted(completions(book).values(), key=lambda c: (c.date, c.id)):
                p = cached.get(c.order)
                if p is None:
                    continue
                p.done += c.qty
                p.completions.append(c)
                for line in c.consumed:
                    p.consumed[line.item] = p.consumed.get(line.item, ZERO) + line.qty
        book.derived["mfg.progress"] = cached
    return cached



def new_order(book: Book, sku: str, qty: Decimal, today: dt.date, rng: random.Random, *,
              warehouse: str | None = None, due: dt.date | None = None, start: dt.date | None = None,
              bom_ref: str | None = None, status: str = "planned", reference: str | None = None,
              notes: str | None = None, taken: Iterable[str] = ()) -> WorkOrder:
    """A work order for `qty` of `sku`: the components its BOM needs for that quantity, scrap
    included; due by default after the item's lead time, started that lead time before it."""
    it = get_item(book, sku)
    if not it.stocked:
        raise fail("service-item", f"{sku} is a service item: nothing to make", "make a stocked item")
    bom = find_bom(book, bom_ref or sku)
    if bom.item != sku:
        raise fail("bom-mismatch", f"bill of materials {bom.id} makes {bom.item}, not {sku}",
                   f"use a BOM of {sku}, or leave --bom out to use its active one")
    if not bom.active and bom_ref is None:
        raise fail("bom-inactive", f"bill of materials {bom.id} is inactive", "activate it or choose another")
    if qty <= 0:
        raise fail("invalid-quantity", f"the quantity must be more than zero, not {fmt_qty(qty)}", "give a positive --qty")
    refuse_cycles(book)
    wh = pick_warehouse(book, warehouse or bom.warehouse)
    lead = dt.timedelta(days=it.lead_time_days)
    due = due or (start + lead if start else today + lead)
    if start is None:
        start = due - lead
        if start < today:
            start = min(today, due)
    if start > due:
        raise fail("start-after-due", f"start {start} is after the due date {due}", "give dates in order")
    lines = []
    for line in bom.components:
        comp = items(book).get(line.item)
        if comp is None or not comp.stocked:
            raise fail("unknown-item", f"{bom.id}: component {line.item} is not a stocked item",
                       f"fix the bill of materials {bom.id}")
        lines.append({"item": line.item, "qty": line_need(bom, line, qty)})
    ident = new_id(id_prefix(book, "work-order"), today, set(orders(book)) | set(taken), rng)
    return validated(WorkOrder, {"id": ident, "date": today, "item": sku, "bom": bom.id, "qty": plain(qty),
                                 "warehouse": wh, "start": start, "due": due, "status": status,
                                 "components": lines, "operation_cost": bom.operation_cost,
                                 "reference": reference, "notes": notes}, "work order")


@dataclass
class OrderChange:
    order: WorkOrder
    changes: list[Change]
    before: str  # the derived status before the change
    after: str

    def summary(self) -> str:
        return f"status: {self.before} -> {self.after}"


def set_status(book: Book, ident: str, to: str) -> OrderChange:
    """Release a planned order or cancel an open one (what was completed stays completed)."""
    wo = get_order(book, ident)
    p = progress(book)[ident]
    now = p.status
    if to == "released" and now != "planned":
        raise fail("cannot-release", f"work order {ident} is {now}; only a planned order is released",
                   "`comptoir mfg show " + ident + "` shows it")
    if to == "cancelled" and now in ("completed", "cancelled"):
        raise fail("cannot-cancel", f"work order {ident} is already {now}", "nothing to cancel")
    new = wo.model_copy(update={"status": to})
    return OrderChange(new, diff_records(wo, new), now, to)



STATUSES = ("planned", "released", "in-progress", "completed", "cancelled")



# --- work orders as data (comptoir.views.manufacturing makes the tables) ------------------------

def order_rows(book: Book, today: dt.date, statuses: Iterable[str] = (), item: str | None = None) -> list[dict]:
    """One row per work order (in `statuses`, of `item`): what is done, what remains, if late."""
    wanted = set(statuses)
    its = items(book)
    rows = []
    for ident in sorted(orders(book)):
        p = progress(book)[ident]
        wo = p.order
        if (wanted and p.status not in wanted) or (item and wo.item != item):
            continue
        it = its.get(wo.item)
        rows.append({"order": ident, "item": wo.item, "name": it.name if it else "?", "qty": wo.qty,
                     "done": plain(p.done), "remaining": p.remaining, "uom": it.uom if it else "",
                     "warehouse": wo.warehouse, "start": wo.start, "due": wo.due, "status": p.status,
                     "late": bool(p.open and wo.due is not None and wo.due < today)})
    return rows


def order_lines(book: Book, ident: str) -> tuple[Progress, list[dict]]:
    """One order's progress, and its components: needed, consumed, still needed."""
    wo = get_order(book, ident)
    p = progress(book)[ident]
    its = items(book)
    rows = []
    for line in wo.components:
        it = its.get(line.item)
        rows.append({"item": line.item, "name": it.name if it else "?", "uom": it.uom if it else "",
                     "needed": line.qty, "consumed": plain(p.consumed.get(line.item, ZERO)),
                     "left": plain(p.left(line.item))})
    return p, rows
