"""Inventory records: items, warehouses and stock moves (the facts stock levels are computed from)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from .types import MAX_DAYS, AccountCode, Amount, Quantity, Record, RecordId

ItemType = Literal["stocked", "service", "raw-material", "finished-good"]
Valuation = Literal["fifo", "moving-average"]

# What caused a move. The stock commands write the first four; sales, purchasing and
# manufacturing write the others through cli.domain.stock.
MoveType = Literal["receipt", "issue", "transfer", "adjustment",
                   "delivery", "return", "production", "consumption", "supplier-return", "landed-cost"]
# A landed cost (freight, duty billed later) adds value to `qty` units already in the warehouse
# without moving any: its quantity says how many units carry the value, not a movement.
VALUE_ONLY = frozenset({"landed-cost"})


class Item(Record):
    sku: RecordId
    name: str = Field(min_length=1)
    uom: str = Field("unit", min_length=1)  # unit of measure: kg, bag, unit, ...
    type: ItemType = "stocked"
    lead_time_days: int = Field(0, ge=0, le=MAX_DAYS)  # standard replenishment lead time
    reorder_point: Quantity | None = Field(None, ge=0)
    reorder_qty: Quantity | None = Field(None, gt=0)
    valuation: Valuation = "fifo"
    inventory_account: AccountCode | None = None  # default: settings.accounts.inventory
    cogs_account: AccountCode | None = None  # default: settings.accounts.cogs
    allow_negative: bool = False
    active: bool = True
    description: str | None = None
    price: Amount | None = Field(None, ge=0)  # list price in the base currency: sellable when set
    # What one unit should cost to make or buy; the production report measures variance against it.
    standard_cost: Amount | None = Field(None, ge=0)
    tax: RecordId | None = None  # default tax code of the documents that trade it (a line's own code wins)

    @property
    def stocked(self) -> bool:
        return self.type != "service"


class Warehouse(Record):
    code: RecordId
    name: str = Field(min_length=1)
    address: str | None = None
    inventory_account: AccountCode | None = None  # when set, wins over the item's account
    active: bool = True


class StockMove(Record):
    """One movement of one item: a receipt (to only), an issue (from only) or a transfer (both).

    A landed cost adds `value` to `qty` units already in `to_warehouse` without moving any.
    `value` is frozen when the move is written: the cost of what arrives for a receipt
    (qty x unit_cost), the valuation of what leaves for every other move. `variance` is
    the part of `value` that did not enter the destination's stock because it settled a
    shortfall (negative stock) at the rate that shortfall went out; it is posted to the
    stock-adjustment account. Stock value = sum(in: value - variance) - sum(out: value).
    """

    id: RecordId
    date: dt.date
    seq: int = Field(0, ge=0)  # order among moves of the same day (later writes sort last)
    type: MoveType
    item: RecordId
    qty: Quantity = Field(gt=0)
    from_warehouse: RecordId | None = None
    to_warehouse: RecordId | None = None
    # incoming cost per unit (receipts, surplus counts); on an outgoing move (a return to the
    # supplier) the cost it leaves at instead of the valuation's
    unit_cost: Amount | None = Field(None, ge=0)
    value: Amount
    variance: Amount = Decimal(0)
    account: AccountCode | None = None  # the other side of the posting (offset or expense)
    reason: str | None = None
    reference: str | None = None  # the document that caused the move (PO-..., DN-..., count sheet)

    @model_validator(mode="after")
    def _direction(self) -> StockMove:
        if self.from_warehouse is None and self.to_warehouse is None:
            raise ValueError("a move needs from_warehouse, to_warehouse or both")
        if self.from_warehouse is not None and self.from_warehouse == self.to_warehouse:
            raise ValueError("from_warehouse and to_warehouse are the same")
        if self.type == "transfer" and (self.from_warehouse is None or self.to_warehouse is None):
            raise ValueError("a transfer needs both from_warehouse and to_warehouse")
        if self.type != "transfer" and self.from_warehouse is not None and self.to_warehouse is not None:
            raise ValueError(f"a {self.type} has either from_warehouse or to_warehouse, not both")
        if self.type in VALUE_ONLY and (self.to_warehouse is None or self.from_warehouse is not None):
            raise ValueError(f"a {self.type} names only to_warehouse, where the units it adds value to are")
        if self.value < 0:
            raise ValueError("value is the size of the move's value and cannot be negative")
        return self
