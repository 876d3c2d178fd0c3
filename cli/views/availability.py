"""Availability tables: stock available per item and warehouse, a promise date's timeline,
reorder suggestions, projected stock-out dates, one item with its availability, the catalog
feed and an opportunity's lines checked against stock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from comptoir.domain.availability import Promise, availability_rows, item_use, reorder_rows
from comptoir.domain.book import Book
from comptoir.domain.catalog import catalog_rows, line_promises
from comptoir.domain.stock import fmt_qty, qty_col
from comptoir.domain.stockout import stock_outs
from comptoir.domain.table import Column, Table, money, text
from comptoir.schemas.types import currency_places


def availability_table(book: Book, item: str | None = None, warehouse: str | None = None,
                       at: dt.date | None = None) -> Table:
    rows, idle = availability_rows(book, item, warehouse, at)
    cols = [text("item", "Item"), text("name", "Name"), text("warehouse", "Warehouse"), text("uom", "UoM"),
            qty_col("on_hand", "On hand"), qty_col("reserved", "Reserved"), qty_col("available", "Available"),
            qty_col("incoming", "Incoming"), Column("next_incoming", "Next incoming", "date"),
            qty_col("planned", "Planned"), qty_col("required", "Required"),
            qty_col("arriving", "Moves in later"), qty_col("leaving", "Moves out later"),
            qty_col("projected", "Projected")]
    table = Table("stock-available", cols, rows,
                  title="Stock availability" + (f" (supply and demand expected by {at})" if at else ""))
    if idle:
        table.notes.append(f"{len(idle)} items have no stock and no open documents: {', '.join(idle[:10])}"
                           + (" ..." if len(idle) > 10 else ""))
    if at:
        table.meta["at"] = at.isoformat()
    return table


def promise_table(book: Book, result: Promise) -> Table:
    cols = [Column("date", "Date", "date"), text("event", "Event"), text("document", "Document"),
            text("warehouse", "Warehouse"), qty_col("change", "Change"), qty_col("projected", "Projected")]
    where = result.warehouse or "all warehouses"
    table = Table("stock-promise", cols, result.timeline,
                  title=f"{fmt_qty(result.qty)} x {result.item} from {where}: can ship on {result.date}",
                  notes=[f"Why: {result.reason}."])
    table.meta.update(result.as_dict())
    return table


def reorder_table(book: Book, today: dt.date) -> Table:
    """Items whose projected quantity (all warehouses) is below their reorder point."""
    cols = [text("item", "Item"), text("name", "Name"), text("uom", "UoM"), qty_col("on_hand", "On hand"),
            qty_col("projected", "Projected"), qty_col("reorder_point", "Reorder point"),
            qty_col("reorder_qty", "Reorder qty"), qty_col("suggested", "Suggested order"),
            qty_col("daily_use", "Daily use (90 d)"), Column("runs_out", "Runs out", "date"),
            Column("lead_time_days", "Lead time", "int"), Column("order_by", "Order by", "date")]
    return Table("reorder", cols, reorder_rows(book, today), title=f"Reorder suggestions on {today}",
                 notes=["Runs out: projected quantity / average daily use (issues, deliveries, consumption) "
                        "over the last 90 days. Order by: runs out - lead time."])


def item_detail(book: Book, sku: str) -> Table:
    """One item's settings (as notes and JSON fields) and its availability per warehouse."""
    it, rate = item_use(book, sku)
    table = availability_table(book, sku) if it.stocked else Table("item", [], [])
    table.name = "item"
    table.title = f"{it.sku} {it.name}"
    fields = it.model_dump(mode="json", exclude_none=True)
    table.notes = [f"{k}: {v}" for k, v in fields.items() if k not in ("sku", "name")]
    if it.stocked:
        table.notes.append(f"average daily use over the last 90 days: {rate.quantize(Decimal('0.001'))} {it.uom}")
    table.meta["item"] = fields
    return table


def stock_out_table(book: Book, today: dt.date, days: int = 182) -> Table:
    found = stock_outs(book, today, days)
    cols = [text("item", "Item"), text("name", "Name"), text("uom", "UoM"), qty_col("on_hand", "On hand"),
            qty_col("daily_use", "Daily use (90 d)"), qty_col("reorder_point", "Reorder point"),
            qty_col("projected_end", f"Projected in {days} d"), Column("below_reorder", "Below reorder point", "date"),
            Column("stock_out", "Stock-out", "date"), Column("days_left", "Days left", "int"),
            Column("lead_time_days", "Lead time", "int"), Column("order_by", "Order by", "date"),
            text("status", "Status")]
    table = Table("stock-out", cols, found.rows, title=f"Projected stock-out dates, {days} days from {today}",
                  notes=["Projected = on hand + supply expected by the day - demand due by the day - average "
                         "daily use (last 90 days) x days from today; stock-out: the first day it is 0 or less.",
                         "Order by: the first day below the reorder point (else the stock-out) - lead time."])
    table.meta["series"] = {k: {"reorder_point": v["reorder_point"],
                                "points": [[d.isoformat(), q] for d, q in v["points"]]}
                            for k, v in found.series.items()}
    return table


def catalog_table(book: Book, today: dt.date, cap: Decimal | None = None, low: Decimal | None = None,
                  buckets: bool = False) -> Table:
    """Each sellable item (active, stocked or not, with a price): price, available quantity
    (capped, or only a bucket) and the next date one unit can ship (comptoir.domain.catalog)."""
    cols = [text("sku", "SKU"), text("name", "Name"), text("uom", "Unit"),
            money("price", "Price", currency_places(book.base)), text("currency", "Cur"),
            Column("available", "Available", "qty"), text("status", "Status"),
            Column("next_available", "Next available", "date")]
    if buckets:
        cols = [c for c in cols if c.key != "available"]
    return Table("catalog", cols, catalog_rows(book, today, cap, low, buckets), title=f"Catalog availability on {today}")


def line_promises_table(book: Book, lines: Iterable[Any], today: dt.date, exclude: tuple[str, ...] = ()) -> Table:
    """Each line (item, qty, price): what is available now and the earliest date it can ship."""
    cols = [text("item", "Item"), Column("qty", "Qty", "qty"), Column("available", "Available", "qty"),
            Column("promise", "Can ship", "date"), text("basis", "Basis"), text("why", "Why")]
    return Table("line-promises", cols, line_promises(book, lines, today, exclude), title="What can be promised")
