"""Manufacturing reports as data: production per order or item, and the overview section."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ..book import Book
from ..ledger import ZERO, round_to
from ..overview import section
from ..stock import items, on_hand
from .common import COST_PLACES, completions, orders, places
from .work_orders import progress


@dataclass
class Production:
    """Completions in a range, grouped per order (or per item)."""

    by: str  # order | item
    rows: list[dict] = field(default_factory=list)
    totals: dict[str, Decimal | None] = field(default_factory=dict)
    finished: int = 0  # work orders whose last completion falls in the range


def production(book: Book, start: dt.date | None, end: dt.date | None, by: str = "order",
               item: str | None = None) -> Production:
    """Completions in the range per order (or per item): output, cost, cost per unit, and the
    variance against the item's standard cost when it has one (actual - standard x qty)."""
    p_ = places(book)
    its = items(book)
    prog = progress(book)
    groups: dict[str, dict] = {}
    finished = 0
    for c in sorted(completions(book).values(), key=lambda c: (c.date, c.id)):
        if (start and c.date < start) or (end and c.date > end) or (item and c.item != item):
            continue
        key = c.order if by == "order" else c.item
        g = groups.setdefault(key, {"item": c.item, "completions": 0, "qty": ZERO, "components": ZERO,
                                    "operation": ZERO, "last": c.date})
        g["completions"] += 1
        g["qty"] += c.qty
        g["components"] += c.component_cost
        g["operation"] += c.operation_cost
        g["last"] = c.date
        p = prog.get(c.order)
        if p is not None and p.status == "completed" and p.completions and p.completions[-1].id == c.id:
            finished += 1
    rows = []
    totals: dict[str, Decimal | None] = {"components": ZERO, "operation": ZERO, "cost": ZERO, "variance": None}
    for key in sorted(groups):
        g = groups[key]
        it = its.get(g["item"])
        cost = g["components"] + g["operation"]
        std = it.standard_cost if it else None
        variance = cost - round_to(std * g["qty"], p_) if std is not None else None
        row = {"item": g["item"], "name": it.name if it else "?", "completions": g["completions"], "qty": g["qty"],
               "uom": it.uom if it else "", "components": g["components"], "operation": g["operation"], "cost": cost,
               "unit_cost": round_to(cost / g["qty"], COST_PLACES), "standard_cost": std, "variance": variance}
        if by == "order":
            p = prog.get(key)
            row = {"order": key, **row, "status": p.status if p else "?"}
        rows.append(row)
        totals["components"] += g["components"]
        totals["operation"] += g["operation"]
        totals["cost"] += cost
        if variance is not None:
            totals["variance"] = (totals["variance"] or ZERO) + variance
    return Production(by, rows, totals, finished)


def short_components(book: Book, today: dt.date) -> list[str]:
    """Components whose stock today in a warehouse is less than what its open orders still need there."""
    needed: dict[tuple[str, str], Decimal] = {}
    for p in progress(book).values():
        if p.open:
            for line in p.order.components:
                key = (line.item, p.order.warehouse)
                needed[key] = needed.get(key, ZERO) + p.left(line.item)
    return sorted({sku for (sku, wh), q in needed.items() if q > 0 and on_hand(book, sku, wh, today) < q})


@section
def manufacturing_overview(book: Book, today: dt.date) -> list[dict]:
    if not orders(book):
        return []
    open_ = [p for p in progress(book).values() if p.open]
    late = [p for p in open_ if p.order.due is not None and p.order.due < today]
    month = today.replace(day=1)
    made = sum((c.value for c in completions(book).values() if month <= c.date <= today), ZERO)
    return [{"section": "Manufacturing", "measure": "Open work orders", "value": len(open_)},
            {"section": "Manufacturing", "measure": "Work orders past due", "value": len(late)},
            {"section": "Manufacturing", "measure": "Components short for open work orders",
             "value": len(short_components(book, today))},
            {"section": "Manufacturing", "measure": f"Production cost {month:%B %Y}", "value": made}]



SECTIONS = [manufacturing_overview]
