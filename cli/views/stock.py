"""Stock tables: the stock balance and the stock ledger, the item and warehouse lists."""

from __future__ import annotations

import datetime as dt

from comptoir.domain.book import Book
from comptoir.domain.stock import (
    inventory_balance,
    item_rows,
    places,
    qty_col,
    stock_balance_rows,
    stock_ledger_rows,
    warehouse_rows,
)
from comptoir.domain.table import Column, Table, money, text


def stock_balance_table(book: Book, end: dt.date | None = None, item: str | None = None,
                        warehouse: str | None = None) -> Table:
    """Quantity and value per item and warehouse; the total agrees with the inventory accounts."""
    p = places(book)
    rows, total = stock_balance_rows(book, end, item, warehouse)
    cols = [text("item", "Item"), text("name", "Name"), text("warehouse", "Warehouse"), text("uom", "UoM"),
            qty_col("qty", "Qty"), Column("rate", "Avg cost", "money", 4), money("value", "Value", p),
            text("account", "Account")]
    table = Table("stock-balance", cols, rows, {"item": "Total", "value": total},
                  title=f"Stock balance{f' on {end}' if end else ''} ({book.base})")
    if not item and not warehouse:
        codes, ledger_total = inventory_balance(book, end)
        agrees = ledger_total == total
        table.notes.append(f"Inventory accounts ({', '.join(sorted(codes))}): {ledger_total:,.{p}f}; "
                           + ("agrees with the stock value." if agrees
                              else f"differs from the stock value by {total - ledger_total:,.{p}f}."))
        table.meta.update({"inventory_accounts_balance": ledger_total, "agrees": agrees})
    return table


def stock_ledger_table(book: Book, start: dt.date | None = None, end: dt.date | None = None,
                       item: str | None = None, warehouse: str | None = None) -> Table:
    """Every move per item and warehouse with the running quantity and value."""
    p = places(book)
    cols = [Column("date", "Date", "date"), text("move", "Move"), text("type", "Type"), text("item", "Item"),
            text("warehouse", "Warehouse"), text("other", "From/to"), qty_col("qty", "Qty"),
            Column("rate", "Rate", "money", 4), money("value", "Value", p), qty_col("balance_qty", "Balance qty"),
            money("balance_value", "Balance value", p), text("reference", "Reference"), text("reason", "Reason")]
    return Table("stock-ledger", cols, stock_ledger_rows(book, start, end, item, warehouse),
                 title=f"Stock ledger ({book.base})")


def items_table(book: Book, type_: str | None = None) -> Table:
    cols = [text("sku", "SKU"), text("name", "Name"), text("type", "Type"), text("uom", "UoM"),
            text("valuation", "Valuation"), Column("lead_time_days", "Lead time (days)", "int"),
            qty_col("reorder_point", "Reorder point"), qty_col("reorder_qty", "Reorder qty"),
            qty_col("on_hand", "On hand"), money("value", "Value", places(book)), Column("active", "Active", "bool")]
    return Table("items", cols, item_rows(book, type_), title="Items")


def warehouses_table(book: Book) -> Table:
    cols = [text("code", "Code"), text("name", "Name"), text("address", "Address"),
            text("inventory_account", "Inventory account"), Column("items", "Items in stock", "int"),
            money("value", "Value", places(book)), Column("active", "Active", "bool")]
    return Table("warehouses", cols, warehouse_rows(book), title="Warehouses")
