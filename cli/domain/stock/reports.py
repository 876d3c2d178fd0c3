"""Stock reports: balance and ledger, consumption and rates of issue, the item and warehouse lists,
and what a change does to stock (for `comptoir diff`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from comptoir.model import Book

from ..diff import effect
from ..ledger import ZERO, net_by_account, round_to
from ..table import Table, money, text
from .accounts import inventory_account, inventory_accounts
from .common import CONSUMING, items, moves_by_item, places, qty_col, warehouses
from .quantities import levels, sides


def stock_balance_rows(book: Book, end: dt.date | None = None, item: str | None = None,
                       warehouse: str | None = None) -> tuple[list[dict[str, Any]], Decimal]:
    """Quantity and value per item and warehouse (those with either), and the total value."""
    its = items(book)
    rows = []
    total = ZERO
    for (sku, wh), (qty, value) in sorted(levels(book, end).items()):
        if (item and sku != item) or (warehouse and wh != warehouse) or (qty == 0 and value == 0):
            continue
        it = its.get(sku)
        rows.append({"item": sku, "name": it.name if it else "?", "warehouse": wh, "uom": it.uom if it else "",
                     "qty": qty, "rate": round_to(value / qty, 4) if qty else None, "value": value,
                     "account": inventory_account(book, sku, wh)})
        total += value
    return rows, total


def inventory_balance(book: Book, end: dt.date | None = None) -> tuple[set[str], Decimal]:
    """The accounts that hold stock value, and their balance on `end` in the base currency (what
    the stock value must agree with), from the ledger's day totals."""
    codes = inventory_accounts(book)
    bal = net_by_account(book, None, end)
    return codes, sum((bal.get(c, ZERO) for c in codes), ZERO)


def stock_ledger_rows(book: Book, start: dt.date | None = None, end: dt.date | None = None,
                      item: str | None = None, warehouse: str | None = None) -> list[dict[str, Any]]:
    """Every move dated from `start` to `end` per item and warehouse, with the running quantity
    and value (which starts from the levels the day before `start`)."""
    opening = levels(book, start - dt.timedelta(days=1)) if start is not None else {}
    running: dict[tuple[str, str], list[Decimal]] = {}
    keyed: list[tuple[tuple, dict[str, Any]]] = []
    by_item = moves_by_item(book)
    for sku in sorted(by_item):
        if item and sku != item:
            continue
        for m in by_item[sku]:
            if end is not None and m.date > end:
                break
            if start is not None and m.date < start:
                continue
            for wh, qty, value in sides(m):
                cell = running.get((sku, wh))
                if cell is None:
                    cell = running[(sku, wh)] = list(opening.get((sku, wh), (ZERO, ZERO)))
                cell[0] += qty
                cell[1] += value
                if warehouse and wh != warehouse:
                    continue
                other = m.to_warehouse if wh == m.from_warehouse else m.from_warehouse
                keyed.append(((sku, wh, m.date, m.seq, m.id), {
                    "date": m.date, "move": m.id, "type": m.type, "item": sku, "warehouse": wh,
                    "other": other or m.account or "", "qty": qty, "rate": round_to(abs(value) / m.qty, 4),
                    "value": value, "balance_qty": cell[0], "balance_value": cell[1],
                    "reference": m.reference or "", "reason": m.reason or ""}))
    keyed.sort(key=lambda pair: pair[0])
    return [row for _, row in keyed]


def consumed(book: Book, sku: str, today: dt.date, days: int = 90) -> Decimal:
    """Units consumed (issues, deliveries, consumption) in the `days` days up to and including today."""
    start = today - dt.timedelta(days=days - 1)
    given = book.derived.get("stock.consumption")  # served: item -> (day ordinal, units) (cli/app/stockreports.py)
    if given is not None:
        lo, hi = start.toordinal(), today.toordinal()
        return sum((q for d, q in given.get(sku, ()) if lo <= d <= hi), ZERO)
    return sum((m.qty for m in moves_by_item(book).get(sku, [])
                if m.type in CONSUMING and start <= m.date <= today), ZERO)


def issue_rate(book: Book, sku: str, today: dt.date, days: int = 90) -> Decimal:
    """Units consumed per day over the last `days` days."""
    return consumed(book, sku, today, days) / days


def item_rows(book: Book, type_: str | None = None) -> list[dict[str, Any]]:
    """Every item (of `type_`) with its settings and, for a stocked one, the quantity and value held."""
    qty: dict[str, Decimal] = {}
    value: dict[str, Decimal] = {}
    for (sku, _), (q, v) in levels(book).items():
        qty[sku] = qty.get(sku, ZERO) + q
        value[sku] = value.get(sku, ZERO) + v
    rows = []
    for it in sorted(items(book).values(), key=lambda i: i.sku):
        if type_ and it.type != type_:
            continue
        rows.append({"sku": it.sku, "name": it.name, "type": it.type, "uom": it.uom, "valuation": it.valuation,
                     "lead_time_days": it.lead_time_days, "reorder_point": it.reorder_point,
                     "reorder_qty": it.reorder_qty, "on_hand": qty.get(it.sku, ZERO) if it.stocked else None,
                     "value": value.get(it.sku, ZERO) if it.stocked else None, "active": it.active})
    return rows


def warehouse_rows(book: Book) -> list[dict[str, Any]]:
    """Every warehouse with the number of items in stock there and their value."""
    value: dict[str, Decimal] = {}
    count: dict[str, int] = {}
    for (_, wh), (q, v) in levels(book).items():
        value[wh] = value.get(wh, ZERO) + v
        if q:
            count[wh] = count.get(wh, 0) + 1
    return [{"code": w.code, "name": w.name, "address": w.address or "",
             "inventory_account": w.inventory_account or "", "items": count.get(w.code, 0),
             "value": value.get(w.code, ZERO), "active": w.active}
            for w in sorted(warehouses(book).values(), key=lambda w: w.code)]


@effect
def stock_effect(base: Book, head: Book) -> Table:
    """What a change does to stock, per item and warehouse (for `comptoir diff`)."""
    p = places(head)
    before, after = levels(base), levels(head)
    rows = []
    for key in sorted(before.keys() | after.keys()):
        qb, vb = before.get(key, (ZERO, ZERO))
        qa, va = after.get(key, (ZERO, ZERO))
        if qb == qa and vb == va:
            continue
        rows.append({"item": key[0], "warehouse": key[1], "qty_before": qb, "qty_after": qa,
                     "qty_change": qa - qb, "value_before": vb, "value_after": va, "value_change": va - vb})
    cols = [text("item", "Item"), text("warehouse", "Warehouse"), qty_col("qty_before", "Qty before"),
            qty_col("qty_after", "Qty after"), qty_col("qty_change", "Qty change"),
            money("value_before", "Value before", p), money("value_after", "Value after", p),
            money("value_change", "Value change", p)]
    return Table("stock", cols, rows, title="Effect on stock")


EFFECTS = [stock_effect]
