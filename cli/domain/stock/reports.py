"""Stock reports: balance and ledger, consumption and rates of issue, the item and warehouse lists,
and what a change does to stock (for `comptoir diff`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from comptoir.model import Book
from comptoir.schemas.inventory import VALUE_ONLY

from ..diff import effect
from ..ledger import ZERO, balances, round_to
from ..table import Column, Table, money, text
from .accounts import inventory_account, inventory_accounts
from .common import CONSUMING, items, moves, moves_by_item, places, qty_col, warehouses
from .quantities import levels


def stock_balance(book: Book, end: dt.date | None = None, item: str | None = None,
                  warehouse: str | None = None) -> Table:
    """Quantity and value per item and warehouse; the total agrees with the inventory accounts."""
    p = places(book)
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
    cols = [text("item", "Item"), text("name", "Name"), text("warehouse", "Warehouse"), text("uom", "UoM"),
            qty_col("qty", "Qty"), Column("rate", "Avg cost", "money", 4), money("value", "Value", p),
            text("account", "Account")]
    table = Table("stock-balance", cols, rows, {"item": "Total", "value": total},
                  title=f"Stock balance{f' on {end}' if end else ''} ({book.base})")
    if not item and not warehouse:
        codes = inventory_accounts(book)
        bal = balances(book, (e for e in book.entries.values() if end is None or e.date <= end))
        ledger_total = sum((bal.get(c, ZERO) for c in codes), ZERO)
        agrees = ledger_total == total
        table.notes.append(f"Inventory accounts ({', '.join(sorted(codes))}): {ledger_total:,.{p}f}; "
                           + ("agrees with the stock value." if agrees
                              else f"differs from the stock value by {total - ledger_total:,.{p}f}."))
        table.meta.update({"inventory_accounts_balance": ledger_total, "agrees": agrees})
    return table


def stock_ledger(book: Book, start: dt.date | None = None, end: dt.date | None = None,
                 item: str | None = None, warehouse: str | None = None) -> Table:
    """Every move per item and warehouse with the running quantity and value."""
    p = places(book)
    running: dict[tuple[str, str], list[Decimal]] = {}
    rows: list[dict[str, Any]] = []
    for sku in sorted(moves_by_item(book)):
        if item and sku != item:
            continue
        for m in moves_by_item(book)[sku]:
            if end is not None and m.date > end:
                break
            sides = []
            if m.from_warehouse is not None:
                sides.append((m.from_warehouse, -m.qty, -m.value))
            if m.to_warehouse is not None:
                sides.append((m.to_warehouse, ZERO if m.type in VALUE_ONLY else m.qty, m.value - m.variance))
            for wh, qty, value in sides:
                cell = running.setdefault((sku, wh), [ZERO, ZERO])
                cell[0] += qty
                cell[1] += value
                if (warehouse and wh != warehouse) or (start is not None and m.date < start):
                    continue
                other = m.to_warehouse if wh == m.from_warehouse else m.from_warehouse
                rows.append({"date": m.date, "move": m.id, "type": m.type, "item": sku, "warehouse": wh,
                             "other": other or m.account or "", "qty": qty,
                             "rate": round_to(abs(value) / m.qty, 4), "value": value,
                             "balance_qty": cell[0], "balance_value": cell[1],
                             "reference": m.reference or "", "reason": m.reason or ""})
    rows.sort(key=lambda r: (r["item"], r["warehouse"], r["date"], moves(book)[r["move"]].seq, r["move"]))
    cols = [Column("date", "Date", "date"), text("move", "Move"), text("type", "Type"), text("item", "Item"),
            text("warehouse", "Warehouse"), text("other", "From/to"), qty_col("qty", "Qty"),
            Column("rate", "Rate", "money", 4), money("value", "Value", p), qty_col("balance_qty", "Balance qty"),
            money("balance_value", "Balance value", p), text("reference", "Reference"), text("reason", "Reason")]
    return Table("stock-ledger", cols, rows, title=f"Stock ledger ({book.base})")


def consumed(book: Book, sku: str, today: dt.date, days: int = 90) -> Decimal:
    """Units consumed (issues, deliveries, consumption) in the `days` days up to and including today."""
    start = today - dt.timedelta(days=days - 1)
    return sum((m.qty for m in moves_by_item(book).get(sku, [])
                if m.type in CONSUMING and start <= m.date <= today), ZERO)


def issue_rate(book: Book, sku: str, today: dt.date, days: int = 90) -> Decimal:
    """Units consumed per day over the last `days` days."""
    return consumed(book, sku, today, days) / days


def items_table(book: Book, type_: str | None = None) -> Table:
    p = places(book)
    lv = levels(book)
    qty: dict[str, Decimal] = {}
    value: dict[str, Decimal] = {}
    for (sku, _), (q, v) in lv.items():
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
    cols = [text("sku", "SKU"), text("name", "Name"), text("type", "Type"), text("uom", "UoM"),
            text("valuation", "Valuation"), Column("lead_time_days", "Lead time (days)", "int"),
            qty_col("reorder_point", "Reorder point"), qty_col("reorder_qty", "Reorder qty"),
            qty_col("on_hand", "On hand"), money("value", "Value", p), Column("active", "Active", "bool")]
    return Table("items", cols, rows, title="Items")


def warehouses_table(book: Book) -> Table:
    p = places(book)
    value: dict[str, Decimal] = {}
    count: dict[str, int] = {}
    for (_, wh), (q, v) in levels(book).items():
        value[wh] = value.get(wh, ZERO) + v
        if q:
            count[wh] = count.get(wh, 0) + 1
    rows = [{"code": w.code, "name": w.name, "address": w.address or "",
             "inventory_account": w.inventory_account or "", "items": count.get(w.code, 0),
             "value": value.get(w.code, ZERO), "active": w.active}
            for w in sorted(warehouses(book).values(), key=lambda w: w.code)]
    cols = [text("code", "Code"), text("name", "Name"), text("address", "Address"),
            text("inventory_account", "Inventory account"), Column("items", "Items in stock", "int"),
            money("value", "Value", p), Column("active", "Active", "bool")]
    return Table("warehouses", cols, rows, title="Warehouses")


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
