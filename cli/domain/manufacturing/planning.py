"""Planning: whether an order's components are ready, and the work orders and purchases that bring
every item back to its reorder point (MRP, level by level down the BOMs)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from comptoir.errors import fail
from comptoir.schemas.manufacturing import WorkOrder
from comptoir.schemas.purchasing import PurchaseOrder

from ..availability import SUPPLY, Event, availability, events, promise
from ..book import Book
from ..ledger import ZERO
from ..stock import fmt_qty, items, on_hand, warehouses
from .boms import low_levels
from .common import active_boms, get_order, line_need, plain
from .completion import consumption
from .work_orders import new_order, progress

# --- planning ----------------------------------------------------------------------------------

@dataclass
class Proposal:
    action: str  # make | buy
    item: str
    qty: Decimal
    warehouse: str
    start: dt.date  # start of production, or the day to order by
    due: dt.date
    level: int
    projected: Decimal  # before the proposal, all warehouses
    threshold: Decimal
    reason: str
    bom: str | None = None
    components: list[tuple[str, Decimal]] = field(default_factory=list)


def _first_below(on_hand_now: Decimal, evs: list[Event], threshold: Decimal, today: dt.date) -> dt.date:
    """The first day the projection (dated supply, all demand) falls below `threshold`."""
    running = on_hand_now
    if running < threshold:
        return today
    steps = sorted(((max(e.date or today, today), 0 if e.kind in SUPPLY else 1, e) for e in evs
                    if not (e.date is None and e.kind in SUPPLY)), key=lambda s: (s[0], s[1], s[2].document))
    for day, _, ev in steps:
        running += ev.qty if ev.kind in SUPPLY else -ev.qty
        if running < threshold:
            return day
    return today


def plan(book: Book, today: dt.date) -> list[Proposal]:
    """Work orders and purchases that bring every item's projected quantity (all warehouses) back to
    its reorder point, or to zero when open demand exceeds supply.

    Items are planned level by level down the BOMs (an item only after everything that uses it),
    so a proposed work order's components count as demand when their own level is planned. Each
    proposal is due when the projection first falls short (never sooner than its lead time from
    today) and starts, or is ordered, its lead time before; components are due at that start.
    Quantity: the shortfall, or the reorder quantity when that is more.
    """
    its = items(book)
    level = low_levels(book)
    made = active_boms(book)
    evs_by_item: dict[str, list[Event]] = {}
    for ev in events(book):
        evs_by_item.setdefault(ev.item, []).append(ev)
    held: dict[str, Decimal] = {}
    by_wh: dict[tuple[str, str], Decimal] = {}
    for (sku, wh), a in availability(book).items():
        held[sku] = held.get(sku, ZERO) + a.on_hand
        by_wh[(sku, wh)] = a.projected
    default_wh = sorted(c for c, w in warehouses(book).items() if w.active)
    out: list[Proposal] = []
    for sku in sorted(its, key=lambda s: (level.get(s, 0), s)):
        it = its[sku]
        if not it.stocked or not it.active:
            continue
        evs = evs_by_item.get(sku, [])
        projected = held.get(sku, ZERO) + sum((e.qty if e.kind in SUPPLY else -e.qty for e in evs), ZERO)
        threshold = it.reorder_point if it.reorder_point is not None else ZERO
        if projected >= threshold:
            continue
        qty = plain(max(threshold - projected, it.reorder_qty or ZERO))
        lead = dt.timedelta(days=it.lead_time_days)
        due = max(_first_below(held.get(sku, ZERO), evs, threshold, today), today + lead)
        start = due - lead
        reasons = []
        if it.reorder_point is not None:
            reasons.append(f"projected {fmt_qty(projected)} below reorder point {fmt_qty(threshold)}")
        if projected < 0:
            reasons.append(f"open demand exceeds supply by {fmt_qty(-projected)}")
        reason = "; ".join(reasons)
        planned_for = sorted({e.document for e in evs if e.document.startswith("plan:")})
        if planned_for:
            reason += f" (counting components for {', '.join(d[5:] for d in planned_for)})"
        bom = made.get(sku)
        candidates = sorted(((p, wh) for (s, wh), p in by_wh.items() if s == sku))
        wh = (bom.warehouse if bom and bom.warehouse else None) or (candidates[0][1] if candidates else None) \
            or (default_wh[0] if default_wh else "")
        prop = Proposal("make" if bom else "buy", sku, qty, wh, start, due, level.get(sku, 0), projected,
                        threshold, reason, bom.id if bom else None)
        if bom is not None:
            for line in bom.components:
                need = line_need(bom, line, qty)
                prop.components.append((line.item, need))
                evs_by_item.setdefault(line.item, []).append(
                    Event(line.item, wh, start, need, "required", f"plan:{sku}"))
        out.append(prop)
    return out



def orders_from_plan(book: Book, proposals: list[Proposal], today: dt.date, rng: random.Random) -> list[WorkOrder]:
    out: list[WorkOrder] = []
    for pr in proposals:
        if pr.action != "make":
            continue
        out.append(new_order(book, pr.item, pr.qty, today, rng, warehouse=pr.warehouse, due=pr.due, start=pr.start,
                             bom_ref=pr.bom, reference=f"mfg plan {today}", taken=[o.id for o in out]))
    return out


def purchases_from_plan(book: Book, proposals: list[Proposal], today: dt.date,
                        rng: random.Random) -> tuple[list[PurchaseOrder], list[Proposal]]:
    """Purchase orders for the proposed purchases, one per supplier and currency, each line at the
    price and tax of the item's latest purchase order from that supplier; and the proposals left
    as they are because the item was never bought (no supplier or price to go on)."""
    buys = [pr for pr in proposals if pr.action == "buy"]
    try:
        from .. import purchasing
        from ..documents import LineInput
    except ImportError:  # a build without purchasing: the purchases stay proposals
        return [], buys
    from comptoir.schemas.registry import kind_named

    latest: dict[str, tuple] = {}
    for po in sorted(purchasing.orders(book).values(), key=lambda po: (po.date, po.id)):
        if po.cancelled is None:
            for line in po.lines:
                latest[line.item] = (po.partner, po.currency, line.price, line.tax)
    groups: dict[tuple, list] = {}
    left = []
    for pr in buys:
        if pr.item not in latest:
            left.append(pr)
            continue
        partner, currency, price, tax = latest[pr.item]
        groups.setdefault((partner, currency), []).append(
            LineInput(pr.item, pr.qty, price, tax=tax, date=pr.due, warehouse=pr.warehouse or None))
    out: list[PurchaseOrder] = []
    kind = kind_named("purchase-order")
    for (partner, currency), lines in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        po = purchasing.new_order(book, partner, lines, today, rng, currency=currency,
                                  notes=f"proposed by mfg plan {today}")
        book = book.with_records([(kind, po)])  # the next order's id must not take this one's
        out.append(po)
    return out, left



@dataclass
class Readiness:
    """Whether an order's components are available now (see readiness)."""

    order: WorkOrder
    qty: Decimal
    rows: list[dict]
    ready_on: dt.date  # the day every component is available
    short: list[str]  # components short now

    @property
    def ready(self) -> bool:
        return not self.short


def readiness(book: Book, ident: str, qty: Decimal | None, today: dt.date) -> Readiness:
    """Whether the order's components are available now, and for those that are not, how many are
    short and the earliest day the order's quantity can be taken without starving an earlier
    commitment (from `stock promise`)."""
    wo = get_order(book, ident)
    p = progress(book)[ident]
    if not p.open:
        raise fail(f"order-{p.status}", f"work order {ident} is {p.status}: nothing is left to make", "")
    qty = p.remaining if qty is None else qty
    if qty <= 0 or qty > p.remaining:
        raise fail("invalid-quantity", f"{ident} has {fmt_qty(p.remaining)} left to make; {fmt_qty(qty)} asked",
                   f"give --qty between 0 and {fmt_qty(p.remaining)}")
    its = items(book)
    rows: list[dict[str, Any]] = []
    ready = today
    for sku, need in consumption(p, qty):
        it = its.get(sku)
        held = on_hand(book, sku, wo.warehouse)
        answer = promise(book, sku, need, wo.warehouse, today, today, exclude=[ident])
        free = max(min((t["projected"] for t in answer.timeline), default=held), ZERO)
        short = max(need - free, ZERO)
        if answer.basis == "supply":
            how = answer.reason.split("; ")[-1]
        elif answer.basis == "lead-time":
            how = f"no known supply: lead time {it.lead_time_days if it else 0} days"
        else:
            how = "in stock"
        ready = max(ready, answer.date)
        rows.append({"item": sku, "name": it.name if it else "?", "uom": it.uom if it else "", "needed": need,
                     "on_hand": held, "free": free, "short": short, "ready_on": answer.date, "how": how})
    short_items = [r["item"] for r in rows if r["short"] > 0 or r["ready_on"] > today]
    return Readiness(wo, qty, rows, ready, short_items)
