"""Manufacturing tables: BOMs, explosions, costs, work orders, readiness, plans, production."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from comptoir.domain.book import Book
from comptoir.domain.ledger import round_to
from comptoir.domain.manufacturing.boms import (
    bom_cost,
    bom_lines,
    bom_rows,
    explode_rows,
    rolled_up_unit_cost,
)
from comptoir.domain.manufacturing.common import COST_PLACES, places, plain, round_qty
from comptoir.domain.manufacturing.planning import Proposal, Readiness
from comptoir.domain.manufacturing.reports import production
from comptoir.domain.manufacturing.work_orders import order_lines, order_rows
from comptoir.domain.stock import fmt_qty, items, qty_col
from comptoir.domain.table import Column, Table, money, text
from comptoir.schemas.manufacturing import Bom


def boms_table(book: Book) -> Table:
    cols = [text("bom", "BOM"), text("item", "Makes"), text("name", "Name"), qty_col("qty", "Yield"),
            text("uom", "UoM"), Column("components", "Components", "int"),
            Column("operation_cost", "Operation cost / unit", "money", COST_PLACES), text("warehouse", "Warehouse"),
            Column("active", "Active", "bool")]
    return Table("boms", cols, bom_rows(book), title="Bills of materials")


def bom_table(book: Book, bom: Bom) -> Table:
    """One BOM's lines: quantity per batch, scrap, need per unit, where each comes from, its cost."""
    rows = bom_lines(book, bom)
    cols = [text("item", "Component"), text("name", "Name"), text("uom", "UoM"), qty_col("qty", "Qty per batch"),
            Column("scrap_percent", "Scrap %", "percent"), qty_col("per_unit", "Per unit"), text("source", "Source"),
            Column("unit_cost", "Unit cost", "money", COST_PLACES), Column("cost", "Cost per unit", "money", COST_PLACES)]
    it = items(book).get(bom.item)
    unit = rolled_up_unit_cost(book, bom)
    notes = [f"Makes {fmt_qty(bom.qty)} {it.uom if it else ''} of {bom.item} per batch"
             + (f", in {bom.warehouse}" if bom.warehouse else "") + ("" if bom.active else " (inactive)"),
             f"Operation cost per unit: {bom.operation_cost or 0:f} (credited to {book.settings.accounts.absorption})",
             f"Rolled-up cost per unit from current valuation: {round_to(unit, COST_PLACES):f} {book.base}"]
    if it is not None and it.standard_cost is not None:
        notes.append(f"Standard cost: {it.standard_cost:f}")
    table = Table("bom", cols, rows, {"item": "Total", "cost": unit}, title=f"{bom.id}: {bom.item} "
                  f"{it.name if it else ''}".rstrip(), notes=notes)
    table.meta.update({"bom": bom.id, "item": bom.item, "yield": bom.qty, "unit_cost": round_to(unit, COST_PLACES)})
    return table


def explode_table(book: Book, bom: Bom, qty: Decimal) -> Table:
    """Everything `qty` units need through every level: raw materials first, with what is on hand."""
    cols = [text("source", "Source"), Column("level", "Level", "int"), text("item", "Item"), text("name", "Name"),
            qty_col("qty", "Qty needed"), text("uom", "UoM"), qty_col("on_hand", "On hand"), text("bom", "BOM")]
    it = items(book).get(bom.item)
    table = Table("bom-explode", cols, explode_rows(book, bom, qty),
                  title=f"Materials for {fmt_qty(qty)} {it.uom if it else ''} {bom.item} ({bom.id}), every level",
                  notes=["buy: raw materials, the total over every branch; make: intermediates made on their own "
                         "BOMs (their components are listed too). Scrap is included at each level."])
    table.meta.update({"bom": bom.id, "item": bom.item, "qty": qty})
    return table


def bom_cost_table(book: Book, sku: str, qty: Decimal | None = None) -> Table:
    """The rolled-up cost of an item from current valuation, line by line through every level."""
    cost = bom_cost(book, sku, qty)
    bom, it, qty, total, unit = cost.bom, cost.item, cost.qty, cost.total, cost.unit
    its = items(book)
    rows = []
    for cl in cost.lines:
        c = its.get(cl.item)
        label = ("  " * (cl.level - 1)) + (f"operation ({cl.item})" if cl.operation else cl.item)
        rows.append({"level": cl.level, "item": label, "name": "labour and overhead" if cl.operation
                     else (c.name if c else "?"), "qty": round_qty(cl.qty),
                     "uom": (c.uom if c else "") if not cl.operation else (its[cl.item].uom if cl.item in its else ""),
                     "rate": cl.rate, "cost": cl.cost, "basis": cl.basis})
    cols = [Column("level", "Level", "int"), text("item", "Item"), text("name", "Name"), qty_col("qty", "Qty"),
            text("uom", "UoM"), Column("rate", "Unit cost", "money", COST_PLACES),
            Column("cost", "Cost", "money", COST_PLACES), text("basis", "Basis")]
    notes = [f"Cost of {fmt_qty(qty)} {it.uom} {bom.item}: {round_to(total, COST_PLACES):f}; per unit "
             f"{round_to(unit, COST_PLACES):f} {book.base}",
             "Raw materials at their current valuation (average value on hand, else the last cost in, else the "
             "standard cost); made items rolled up through their own BOMs; costs of deeper levels add up into "
             "the made item above them."]
    if it.standard_cost is not None:
        notes.append(f"Standard cost {it.standard_cost:f} per unit: rolled-up cost is "
                     f"{round_to(unit - it.standard_cost, COST_PLACES):+f} against it")
    if cost.missing:
        notes.append(f"No cost known for {', '.join(cost.missing)}: counted at 0")
    table = Table("bom-cost", cols, rows, {"item": "Total", "cost": total}, title=f"Rolled-up cost of "
                  f"{bom.item} {it.name} ({bom.id}, {book.base})", notes=notes)
    table.meta.update({"item": bom.item, "bom": bom.id, "qty": qty, "total": round_to(total, COST_PLACES),
                       "unit_cost": round_to(unit, COST_PLACES)})
    return table


def orders_table(book: Book, today: dt.date, statuses=(), item: str | None = None) -> Table:
    cols = [text("order", "Order"), text("item", "Item"), text("name", "Name"), qty_col("qty", "Qty"),
            qty_col("done", "Done"), qty_col("remaining", "Remaining"), text("uom", "UoM"),
            text("warehouse", "Warehouse"), Column("start", "Start", "date"), Column("due", "Due", "date"),
            text("status", "Status"), Column("late", "Late", "bool")]
    return Table("work-orders", cols, order_rows(book, today, statuses, item), title="Work orders")


def order_table(book: Book, ident: str) -> Table:
    """One order: its components (needed, consumed, still needed) and its completions in the notes."""
    p, rows = order_lines(book, ident)
    wo = p.order
    cols = [text("item", "Component"), text("name", "Name"), text("uom", "UoM"), qty_col("needed", "Needed"),
            qty_col("consumed", "Consumed"), qty_col("left", "Still needed")]
    it = items(book).get(wo.item)
    uom = it.uom if it else ""
    notes = [f"status: {p.status}; {fmt_qty(p.done)} of {fmt_qty(wo.qty)} {uom} made, {fmt_qty(p.remaining)} to make",
             f"BOM {wo.bom}; warehouse {wo.warehouse}; start {wo.start or '-'}; due {wo.due or '-'}; "
             f"operation cost per unit {wo.operation_cost or 0:f}"]
    if wo.reference:
        notes.append(f"reference: {wo.reference}")
    for c in p.completions:
        notes.append(f"completion {c.id} on {c.date}: {fmt_qty(c.qty)} {uom} at {c.unit_cost:f} "
                     f"(components {c.component_cost:f} + operation {c.operation_cost:f}), entry {c.entry or '-'}")
    table = Table("work-order", cols, rows, title=f"Work order {ident}: {fmt_qty(wo.qty)} {uom} {wo.item}", notes=notes)
    table.meta.update({"order": ident, "item": wo.item, "qty": wo.qty, "done": plain(p.done),
                       "remaining": p.remaining, "status": p.status, "completions": [c.id for c in p.completions]})
    return table


def check_table(book: Book, ready: Readiness) -> Table:
    """Whether an order's components are available now (planning.readiness), with a verdict."""
    wo, qty, ident = ready.order, ready.qty, ready.order.id
    cols = [text("item", "Component"), text("name", "Name"), text("uom", "UoM"), qty_col("needed", "Needed"),
            qty_col("on_hand", "On hand"), qty_col("free", "Free now"), qty_col("short", "Short"),
            Column("ready_on", "Available on", "date"), text("how", "How")]
    it = items(book).get(wo.item)
    what = f"{fmt_qty(qty)} {it.uom if it else ''} {wo.item} on {ident} in {wo.warehouse}"
    if ready.short:
        verdict = f"Not yet: {', '.join(ready.short)} short; all components available on {ready.ready_on}."
    else:
        verdict = f"Ready: every component is available now; `comptoir mfg complete {ident}` can make it."
    table = Table("mfg-check", cols, ready.rows, title=f"Components for {what}",
                  notes=[verdict, "Free now: what can be taken today without starving another order or "
                                  "reservation (the lowest projected quantity from today on)."])
    table.meta.update({"order": ident, "qty": qty, "ready": ready.ready, "ready_on": ready.ready_on,
                       "short": ready.short})
    return table


def plan_table(book: Book, proposals: list[Proposal], today: dt.date,
               applied: dict[str, str] | None = None) -> Table:
    its = items(book)
    rows = []
    for pr in proposals:
        it = its[pr.item]
        rows.append({"action": pr.action, "level": pr.level, "item": pr.item, "name": it.name, "qty": pr.qty,
                     "uom": it.uom, "warehouse": pr.warehouse, "start": pr.start, "due": pr.due,
                     "projected": pr.projected, "reorder_point": it.reorder_point, "reason": pr.reason,
                     "source": pr.bom or "", "created": (applied or {}).get(pr.item, "")})
    cols = [text("action", "Action"), Column("level", "Level", "int"), text("item", "Item"), text("name", "Name"),
            qty_col("qty", "Qty"), text("uom", "UoM"), text("warehouse", "Warehouse"),
            Column("start", "Start / order by", "date"), Column("due", "Due", "date"),
            qty_col("projected", "Projected"), qty_col("reorder_point", "Reorder point"), text("reason", "Why"),
            text("source", "BOM")]
    if applied is not None:
        cols.append(text("created", "Created"))
    notes = ["Projected = on hand + incoming + planned - reserved - required, all warehouses; items are planned "
             "level by level, so a proposed work order's components count as demand below it."]
    if not proposals:
        notes.insert(0, "Nothing to propose: every item's projected quantity is at or above its reorder point "
                        "and covers open demand.")
    elif applied is None:
        notes.append("Nothing was written: `comptoir mfg plan --apply` creates the work orders, and purchase "
                     "orders for items bought before.")
    return Table("mfg-plan", cols, rows, title=f"Production plan on {today}", notes=notes)


def production_table(book: Book, start: dt.date | None, end: dt.date | None, by: str = "order",
                     item: str | None = None) -> Table:
    """Completions in the range per order (or per item), with variance against standard cost."""
    done = production(book, start, end, by, item)
    p_ = places(book)
    cols = [text("order", "Order")] if by == "order" else []
    cols += [text("item", "Item"), text("name", "Name"), Column("completions", "Completions", "int"),
             qty_col("qty", "Output"), text("uom", "UoM"), money("components", "Components", p_),
             money("operation", "Operation", p_), money("cost", "Cost", p_),
             Column("unit_cost", "Cost per unit", "money", COST_PLACES),
             Column("standard_cost", "Standard", "money", COST_PLACES), money("variance", "Variance", p_)]
    if by == "order":
        cols.append(text("status", "Status"))
    span = f" {start or '...'} to {end or '...'}" if start or end else ""
    table = Table("production", cols, done.rows, {("order" if by == "order" else "item"): "Total", **done.totals},
                  title=f"Production{span} ({book.base})",
                  notes=[f"{done.finished} work orders finished in the period.",
                         "Cost = components consumed at their valuation + operation cost absorbed. "
                         "Variance = cost - standard cost x output: positive costs more than standard; "
                         "items without a standard cost show none."])
    table.meta["orders_finished"] = done.finished
    return table
