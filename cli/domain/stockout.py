"""Stock-out dates per item, beside the reorder report: the availability module's projection
(stock on hand, plus dated supply, less demand: `availability._timeline`) less the item's usual
use (its average daily use over the last 90 days) day by day.

    projected(d) = on hand + supply expected by d - demand due by d - daily use x (d - today)

The stock-out date is the first day projected(d) is 0 or less; "below reorder point" the first
day it is under the item's reorder point. Scheduled demand and the usual use can overlap (an
open sales order is part of what the usual use foresees), so the dates err on the early side.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .availability import RATE_DAYS, _timeline, events
from .book import Book
from .ledger import ZERO
from .stock import consumed, items, levels

DAY = dt.timedelta(days=1)


def projection(book: Book, sku: str, today: dt.date, days: int) -> list[tuple[dt.date, Decimal]]:
    """(day, projected quantity at the end of that day) for `days` days from today, all warehouses."""
    on_hand = sum((q for (item, _), (q, _) in levels(book).items() if item == sku), ZERO)
    steps = _timeline(on_hand, [e for e in events(book) if e.item == sku], today)
    rate = consumed(book, sku, today, RATE_DAYS) / RATE_DAYS
    out = []
    i, level = 0, on_hand
    for n in range(days + 1):
        day = today + n * DAY
        while i < len(steps) and steps[i][0] <= day:
            level = steps[i][2]
            i += 1
        out.append((day, (level - rate * n).quantize(Decimal("0.001"))))
    return out


@dataclass
class StockOuts:
    """Per stocked item: on hand, daily use, projected quantity at the horizon, the first day
    below the reorder point and out of stock, when to order, a status (rows); and, for the items
    that fall short, the weekly projection with their reorder point (series)."""

    rows: list[dict[str, Any]]
    series: dict[str, dict[str, Any]]


def stock_outs(book: Book, today: dt.date, days: int = 182) -> StockOuts:
    rows = []
    series: dict[str, dict[str, Any]] = {}
    for sku, it in sorted(items(book).items()):
        if not it.stocked or not it.active:
            continue
        line = projection(book, sku, today, days)
        if all(q == 0 for _, q in line):
            continue
        out_day = next((d for d, q in line if q <= 0), None)
        point = it.reorder_point
        below = next((d for d, q in line if q < point), None) if point is not None else None
        order_by: dt.date | None = None
        first_short = below or out_day
        if first_short is not None:
            order_by = first_short - dt.timedelta(days=it.lead_time_days)
        rate = consumed(book, sku, today, RATE_DAYS) / RATE_DAYS
        status = "ok"
        if out_day is not None:
            status = "stock-out"
        elif below is not None:
            status = "below reorder point"
        if order_by is not None and order_by <= today:
            status += ", order now"
        on_hand = sum((q for (item, _), (q, _) in levels(book).items() if item == sku), ZERO)
        rows.append({"item": sku, "name": it.name, "uom": it.uom, "on_hand": on_hand,
                     "daily_use": rate.quantize(Decimal("0.001")), "reorder_point": point,
                     "projected_end": line[-1][1], "below_reorder": below,
                     "stock_out": out_day, "days_left": (out_day - today).days if out_day else None,
                     "lead_time_days": it.lead_time_days, "order_by": order_by, "status": status})
        if out_day is not None or below is not None:
            series[sku] = {"reorder_point": point, "points": [(d, q) for d, q in line[::7]]}
    rows.sort(key=lambda r: (r["stock_out"] or dt.date.max, r["below_reorder"] or dt.date.max, r["item"]))
    return StockOuts(rows, series)
