"""Availability and promise dates: stock on hand plus the supply and demand that open documents
(purchase orders, production orders, sales orders) contribute, computed on every load.

Each document kind contributes through one provider: a function `(book) -> iterable of Event`
marked with `@provider` and listed in its module's PROVIDERS (comptoir.families collects them).
Availability and the promise search consume the same events, so a new document kind needs
nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from comptoir.model import Book
from comptoir.schemas.inventory import Item

from .ledger import ZERO
from .overview import section
from .stock import (
    consumed,
    fmt_qty,
    future_moves,
    issue_rate,
    items,
    levels,
    levels_on,
    warehouses,
)

# open purchase order lines; open production orders (output); posted moves dated after the day
SUPPLY = ("incoming", "planned", "arriving")
# open sales order lines; components of open production orders; posted moves out dated after the day
DEMAND = ("reserved", "required", "leaving")
KINDS = SUPPLY + DEMAND
RATE_DAYS = 90  # the reorder report's rate of issue looks this far back


class Event(NamedTuple):
    """One open quantity a document expects to add to (supply) or take from (demand) a warehouse."""

    item: str
    warehouse: str
    date: dt.date | None  # expected date; None: undated (demand counts at once, supply never for promises)
    qty: Decimal  # positive; the kind says which way it goes
    kind: str  # incoming | planned | reserved | required
    document: str  # the document's id, e.g. PO-20261120-7K2M (shown in answers, used to exclude)


Provider = Callable[[Book], Iterable[Event | tuple]]


def provider(fn: Provider | None = None, *, reads: Iterable[str] | None = None):
    """Register a supply/demand source, naming the record kinds it reads:

        @provider(reads=["purchase-order", "purchase-receipt"])
        def open_purchase_lines(book):
            yield Event(item, warehouse, expected_date, open_qty, "incoming", order.id)

    `reads` lets `stock available` and `stock promise` read only those kinds (plus items and
    warehouses); a bare `@provider` works too, and then every small kind is read.
    """
    def mark(f: Provider) -> Provider:
        f.provider_reads = tuple(reads) if reads is not None else None  # type: ignore[attr-defined]
        return f

    return mark(fn) if fn is not None else mark


def providers() -> list[Provider]:
    """Every family's providers (comptoir.families)."""
    from comptoir.families import providers

    return providers()


def kinds_read() -> set[str] | None:
    """The record kinds availability needs: items, warehouses and what each provider reads (None: all)."""
    out = {"item", "warehouse"}
    for fn in providers():
        reads = getattr(fn, "provider_reads", None)
        if reads is None:
            return None
        out.update(reads)
    return out


def facts_read() -> dict[str, tuple]:
    """Of the kinds availability reads, those the providers read only through their light records
    (comptoir.domain.documents.facts.light: the orders, deliveries and receipts): kind -> the
    fields a command may serve them as (comptoir.app.docfacts), instead of reading every file."""
    from .documents.facts import FIELDS

    return {k: FIELDS[k] for k in sorted(kinds_read() or ()) if k in FIELDS}


def stock_now(book: Book, day: dt.date) -> tuple[dict[tuple[str, str], Decimal], list[Event]]:
    """On hand at the end of `day` per (item, warehouse), and the posted moves dated after it as
    future movements ("arriving" into, "leaving" a warehouse on their date)."""
    held = {k: v[0] for k, v in levels_on(book, day).items()}
    later: list[Event] = []
    for m in future_moves(book, day):
        doc = m.reference or m.id
        if m.to_warehouse is not None:
            later.append(Event(m.item, m.to_warehouse, m.date, m.qty, "arriving", doc))
        if m.from_warehouse is not None:
            later.append(Event(m.item, m.from_warehouse, m.date, m.qty, "leaving", doc))
    return held, later


def events(book: Book) -> list[Event]:
    """Every open supply and demand event in the book, from every registered provider."""
    cached = book.derived.get("availability.events")
    if cached is not None:
        return cached
    out: list[Event] = []
    for fn in providers():
        for ev in fn(book):
            ev = ev if isinstance(ev, Event) else Event(*ev)
            if ev.kind not in KINDS:
                raise ValueError(f"{fn.__name__}: event kind {ev.kind!r} is not one of {', '.join(KINDS)}")
            if ev.qty > 0:
                out.append(ev)
    book.derived["availability.events"] = out
    return out


# -- availability ------------------------------------------------------------------------------


@dataclass
class Availability:
    item: str
    warehouse: str
    on_hand: Decimal = ZERO
    reserved: Decimal = ZERO
    incoming: Decimal = ZERO
    planned: Decimal = ZERO
    required: Decimal = ZERO
    arriving: Decimal = ZERO  # posted moves into the warehouse dated after the day
    leaving: Decimal = ZERO  # posted moves out of it dated after the day
    next_incoming: dt.date | None = None

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved - self.leaving

    @property
    def projected(self) -> Decimal:
        """ERPNext's Bin.projected_qty, Odoo's virtual_available (with dated moves still to come)."""
        return (self.on_hand + self.incoming + self.planned + self.arriving
                - self.reserved - self.required - self.leaving)


def availability(book: Book, item: str | None = None, warehouse: str | None = None,
                 at: dt.date | None = None) -> dict[tuple[str, str], Availability]:
    """(item, warehouse) -> Availability for every pair with stock or open documents.

    On hand is at the end of `at` (default: today); moves dated later are future movements
    (arriving, leaving). With `at`, only supply and demand expected on or before that date
    count (undated demand always counts, undated supply never does: nothing says it arrives by
    then).
    """
    out: dict[tuple[str, str], Availability] = {}
    held, later = stock_now(book, at or book.today or dt.date.today())
    for (sku, wh), qty in held.items():
        if (item is None or sku == item) and (warehouse is None or wh == warehouse) and qty != 0:
            out[(sku, wh)] = Availability(sku, wh, on_hand=qty)
    for ev in [*events(book), *later]:
        if (item is not None and ev.item != item) or (warehouse is not None and ev.warehouse != warehouse):
            continue
        if at is not None and (ev.date > at if ev.date is not None else ev.kind in SUPPLY):
            continue
        row = out.get((ev.item, ev.warehouse))
        if row is None:
            row = out[(ev.item, ev.warehouse)] = Availability(ev.item, ev.warehouse)
        setattr(row, ev.kind, getattr(row, ev.kind) + ev.qty)
        if ev.kind == "incoming" and ev.date is not None and (row.next_incoming is None or ev.date < row.next_incoming):
            row.next_incoming = ev.date
    return out


def availability_rows(book: Book, item: str | None = None, warehouse: str | None = None,
                      at: dt.date | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """One row per item and warehouse (every warehouse of one item asked about, every active
    stocked item of one warehouse asked about), and, when neither is asked, the active stocked
    items with no stock and no open documents."""
    its = items(book)
    found = availability(book, item, warehouse, at)
    if item is not None:  # asked about one item: show every warehouse, even empty ones
        for wh in ([warehouse] if warehouse else sorted(warehouses(book))):
            found.setdefault((item, wh), Availability(item, wh))
    elif warehouse is not None:
        for sku, stocked in its.items():
            if stocked.stocked and stocked.active:
                found.setdefault((sku, warehouse), Availability(sku, warehouse))
    rows = []
    for (sku, wh), a in sorted(found.items()):
        it = its.get(sku)
        rows.append({"item": sku, "name": it.name if it else "?", "warehouse": wh, "uom": it.uom if it else "",
                     "on_hand": a.on_hand, "reserved": a.reserved, "available": a.available,
                     "incoming": a.incoming, "next_incoming": a.next_incoming, "planned": a.planned,
                     "required": a.required, "arriving": a.arriving, "leaving": a.leaving,
                     "projected": a.projected})
    idle: list[str] = []
    if item is None and warehouse is None:
        shown = {sku for sku, _ in found}
        idle = sorted(sku for sku, it in its.items() if it.stocked and it.active and sku not in shown)
    return rows, idle


# -- promise dates -----------------------------------------------------------------------------


@dataclass
class Promise:
    """The earliest date `qty` of `item` can ship from `warehouse` (None: all warehouses together)."""

    item: str
    qty: Decimal
    warehouse: str | None
    date: dt.date
    basis: str  # stock | supply | lead-time
    reason: str
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    timeline: list[dict] = field(default_factory=list)
    alternatives: list[dict] = field(default_factory=list)  # other warehouses that can ship sooner
    assumption: str | None = None

    def as_dict(self) -> dict:
        return {"item": self.item, "qty": self.qty, "warehouse": self.warehouse, "date": self.date,
                "basis": self.basis, "reason": self.reason, "on_hand": self.on_hand,
                "reserved": self.reserved, "available": self.available,
                "alternatives": self.alternatives, "assumption": self.assumption}


def _timeline(on_hand: Decimal, evs: list[Event], start: dt.date) -> list[tuple[dt.date, Event | None, Decimal]]:
    """(date, event, projected after it) from `start`: dated supply and all demand, in date order.

    Overdue events count on `start`; undated demand counts at once; undated supply is left out,
    since nothing says when it arrives. On one day supply is booked before demand.
    """
    steps = []
    for ev in evs:
        if ev.date is None and ev.kind in SUPPLY:
            continue
        day = max(ev.date or start, start)
        steps.append((day, 0 if ev.kind in SUPPLY else 1, ev))
    steps.sort(key=lambda s: (s[0], s[1], s[2].document))
    projected = on_hand
    out: list[tuple[dt.date, Event | None, Decimal]] = [(start, None, on_hand)]
    for day, _, ev in steps:
        projected += ev.qty if ev.kind in SUPPLY else -ev.qty
        out.append((day, ev, projected))
    return out


def _earliest(ends: list[tuple[dt.date, Event | None, Decimal]], qty: Decimal) -> dt.date | None:
    """First day d with projected(t) >= qty for every t >= d, from end-of-day projections
    (None: even the last projection is short)."""
    if ends[-1][2] < qty:
        return None
    i = len(ends) - 1
    while i > 0 and ends[i - 1][2] >= qty:
        i -= 1
    return ends[i][0]


def _day_end(line: list[tuple[dt.date, Event | None, Decimal]]) -> list[tuple[dt.date, Event | None, Decimal]]:
    out: list[tuple[dt.date, Event | None, Decimal]] = []
    for step in line:
        if out and out[-1][0] == step[0]:
            out[-1] = (step[0], step[1], step[2])
        else:
            out.append(step)
    return out


def promise(book: Book, sku: str, qty: Decimal, warehouse: str | None = None, start: dt.date | None = None,
            today: dt.date | None = None, exclude: Iterable[str] = ()) -> Promise:
    """The earliest date `qty` units can ship without breaking any earlier commitment.

    projected(t) = on hand + supply expected by t - demand due by t; the promise is the first
    date d >= start with projected(t) >= qty for every t >= d. When no known supply covers
    it: today + the item's lead time, stated as an assumption. `exclude` leaves documents out
    (a sales order re-promising itself). Raises for an unknown or service item.
    """
    from comptoir.errors import fail

    today = today or book.today or dt.date.today()
    start = max(start or today, today)
    it = items(book).get(sku)
    if it is None:
        raise fail("unknown-item", f"there is no item {sku}", "`comptoir item list` shows the SKUs")
    if not it.stocked:
        raise fail("service-item", f"{sku} is a service item: it has no stock to promise",
                   "promise services by your own calendar")
    if warehouse is not None and warehouse not in warehouses(book):
        raise fail("unknown-warehouse", f"there is no warehouse {warehouse}",
                   f"use one of: {', '.join(sorted(warehouses(book))) or 'none yet'}")
    if qty <= 0:
        raise fail("invalid-quantity", f"the quantity must be more than zero, not {fmt_qty(qty)}", "give a positive --qty")
    skip = set(exclude)
    lv, later = stock_now(book, today)
    all_events = [e for e in [*events(book), *later] if e.item == sku and e.document not in skip]

    def scope(wh: str | None) -> tuple[Decimal, list[Event]]:
        held = sum((v for (i, w), v in lv.items() if i == sku and (wh is None or w == wh)), ZERO)
        return held, [e for e in all_events if wh is None or e.warehouse == wh]

    held, evs = scope(warehouse)
    reserved = sum((e.qty for e in evs if e.kind in DEMAND), ZERO)
    line = _timeline(held, evs, start)
    ends = _day_end(line)
    day = _earliest(ends, qty)
    where = f" in {warehouse}" if warehouse else ""
    unit = it.uom
    booked = sum((e.qty for e in evs if e.kind == "reserved"), ZERO)
    facts = f"{fmt_qty(held)} on hand{where}, " + (f"{fmt_qty(booked)} reserved" if booked else "nothing reserved")
    if reserved != booked:
        facts += f", {fmt_qty(reserved - booked)} required for production"
    assumption = None
    if day == start:
        basis = "stock"
        reason = f"{facts}: {fmt_qty(qty)} {unit} can ship on {start}"
        if any(e.kind in SUPPLY for _, e, _ in line[1:] if e is not None and e.date is not None and e.date <= start):
            reason += " (counting supply due by then)"
    elif day is not None:
        basis = "supply"
        arriving = [e for d, e, _ in line[1:] if e is not None and e.kind in SUPPLY and d == day]
        brings = "; ".join(f"{e.document} brings {fmt_qty(e.qty)} on {day}" for e in arriving)
        reason = f"{facts}; {brings}" if brings else f"{facts}; earlier commitments leave {fmt_qty(qty)} free on {day}"
    else:
        basis = "lead-time"
        day = max(start, today + dt.timedelta(days=it.lead_time_days))
        supply = sum((e.qty for _, e, _ in line[1:] if e is not None and e.kind in SUPPLY), ZERO)
        short = qty - ends[-1][2]
        assumption = (f"no known supply covers it: assuming {fmt_qty(short)} more {unit} can be replenished "
                      f"within the item's lead time of {it.lead_time_days} days (from {today})")
        reason = (f"{facts}" + (f", {fmt_qty(supply)} incoming or planned" if supply else "")
                  + f"; short by {fmt_qty(short)}: {assumption}")
    alternatives: list[dict] = []
    if warehouse is not None and day > start:
        for other in sorted(warehouses(book)):
            if other == warehouse:
                continue
            o_held, o_evs = scope(other)
            o_line = _day_end(_timeline(o_held, o_evs, start))
            o_day = _earliest(o_line, qty)
            if o_day is not None and o_day < day:
                o_res = sum((e.qty for e in o_evs if e.kind in DEMAND), ZERO)
                alternatives.append({"warehouse": other, "date": o_day, "on_hand": o_held,
                                     "available": o_held - o_res})
        if alternatives:
            best = alternatives[0]
            reason += (f"; {best['warehouse']} has {fmt_qty(best['available'])} available and could ship on "
                       f"{best['date']} (comptoir stock transfer {sku} --qty {fmt_qty(qty)} "
                       f"--from {best['warehouse']} --to {warehouse})")
    timeline = [{"date": d, "event": "on hand" if e is None else e.kind, "document": "" if e is None else e.document,
                 "warehouse": (warehouse or "all") if e is None else e.warehouse,
                 "change": p if e is None else (e.qty if e.kind in SUPPLY else -e.qty), "projected": p}
                for d, e, p in line]
    return Promise(sku, qty, warehouse, day, basis, reason, held, reserved, held - reserved,
                   timeline, alternatives, assumption)


# -- reorder -----------------------------------------------------------------------------------


def reorder_rows(book: Book, today: dt.date) -> list[dict[str, Any]]:
    """Items whose projected quantity (all warehouses) is below their reorder point, with the
    order suggested, the daily use over the last 90 days, when they run out and when to order."""
    its = items(book)
    projected: dict[str, Decimal] = {}
    held: dict[str, Decimal] = {}
    for (sku, _), a in availability(book).items():
        projected[sku] = projected.get(sku, ZERO) + a.projected
        held[sku] = held.get(sku, ZERO) + a.on_hand
    rows = []
    for sku in sorted(its):
        it = its[sku]
        if not it.stocked or not it.active or it.reorder_point is None:
            continue
        proj = projected.get(sku, ZERO)
        if proj >= it.reorder_point:
            continue
        suggested = max(it.reorder_qty or ZERO, it.reorder_point - proj)
        used = consumed(book, sku, today, RATE_DAYS)
        rate = used / RATE_DAYS
        runs_out = None
        if used > 0:  # whole days the projected quantity lasts at that rate (exact: no rounded rate)
            runs_out = today + dt.timedelta(days=int(max(proj, ZERO) * RATE_DAYS / used))
        order_by = runs_out - dt.timedelta(days=it.lead_time_days) if runs_out else None
        rows.append({"item": sku, "name": it.name, "uom": it.uom, "on_hand": held.get(sku, ZERO), "projected": proj,
                     "reorder_point": it.reorder_point, "reorder_qty": it.reorder_qty, "suggested": suggested,
                     "daily_use": rate.quantize(Decimal("0.001")), "runs_out": runs_out,
                     "lead_time_days": it.lead_time_days, "order_by": order_by})
    return rows


@section
def stock_overview(book: Book, today: dt.date) -> list[dict]:
    if not items(book):
        return []
    value = sum((v[1] for v in levels(book, today).values()), ZERO)
    below = len(reorder_rows(book, today))
    return [{"section": "Stock", "measure": "Stock value", "value": value},
            {"section": "Stock", "measure": "Items below reorder point", "value": below}]



def item_use(book: Book, sku: str) -> tuple[Item, Decimal]:
    """An item and its average daily use over the last 90 days; refused for an unknown SKU."""
    from comptoir.errors import fail

    it = items(book).get(sku)
    if it is None:
        raise fail("unknown-item", f"there is no item {sku}", "`comptoir item list` shows the SKUs")
    return it, issue_rate(book, sku, book.today or dt.date.today())


# What this module adds to its family (comptoir.families collects these lists).
SECTIONS = [stock_overview]
