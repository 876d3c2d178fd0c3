"""Purchasing documents: purchase orders, goods receipts and supplier bills.

An order (purchasing/orders/) states what was ordered, at what price and when each line is
expected; its open quantities are the "incoming" supply of availability. Receipts and bills
are posted: a receipt carries its stock moves and the inventory / goods-received-not-invoiced
entry, a bill the entry that clears GRNI against accounts payable.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import Field, model_validator

from .sales import DocumentLine, check_totals
from .types import MAX_DAYS, Amount, CurrencyCode, Quantity, Record, RecordId


class PurchaseLine(Record):
    item: RecordId
    description: str | None = None
    qty: Quantity = Field(gt=0)
    price: Amount = Field(ge=0)  # unit price in the order's currency, before tax
    discount: Amount = Field(Decimal(0), ge=0, le=100)
    tax: RecordId | None = None
    warehouse: RecordId | None = None  # where it arrives; unset for services
    expected: dt.date | None = None  # expected receipt date


class PurchaseOrder(Record):
    id: RecordId
    date: dt.date
    partner: RecordId
    currency: CurrencyCode | None = None
    payment_terms_days: int | None = Field(default=None, ge=0, le=MAX_DAYS)
    supplier_reference: str | None = None  # their order confirmation
    cancelled: dt.date | None = None
    lines: list[PurchaseLine] = Field(min_length=1)
    notes: str | None = None


class ReceiptLine(Record):
    line: int = Field(ge=1)  # the order line
    item: RecordId
    qty: Quantity = Field(gt=0)
    warehouse: RecordId
    unit_cost: Amount = Field(ge=0)  # in the base currency: the order price at the receipt's rate
    value: Amount = Field(ge=0)
    move: RecordId


class Receipt(Record):
    id: RecordId
    date: dt.date
    order: RecordId
    partner: RecordId
    lines: list[ReceiptLine] = Field(min_length=1)
    rate: Amount | None = Field(default=None, gt=0)  # for a foreign order: base currency per unit
    entry: RecordId | None = None  # debit inventory, credit GRNI
    supplier_reference: str | None = None  # their delivery note
    notes: str | None = None


class BillLine(DocumentLine):
    order: RecordId | None = None  # the purchase order of `line` (a bill may cover several orders)
    cleared: Amount = Decimal(0)  # base value put through GRNI: what the units were (or will be) received at
    variance: Amount = Decimal(0)  # base: net at the bill's rate - cleared, to the price-variance account
    landed: bool = False  # a landed cost (freight, duty): added to the stock it belongs to, or COGS
    source: int | None = Field(default=None, ge=1)  # on a debit note: the bill line it credits


class Bill(Record):
    id: RecordId
    number: str = Field(min_length=1)  # the supplier's invoice number
    date: dt.date
    due: dt.date
    partner: RecordId
    currency: CurrencyCode | None = None
    rate: Amount | None = Field(default=None, gt=0)
    order: RecordId | None = None
    lines: list[BillLine] = Field(min_length=1)
    net: Amount
    tax: Amount
    total: Amount
    entry: RecordId
    moves: list[RecordId] = Field(default_factory=list)  # landed costs added to stock (value-only moves)
    notes: str | None = None

    def orders(self) -> list[str]:
        found = [ln.order or self.order for ln in self.lines if ln.line is not None]
        return list(dict.fromkeys(o for o in found if o))

    @model_validator(mode="after")
    def _consistent(self) -> Bill:
        check_totals(self, self.lines)
        if self.due < self.date:
            raise ValueError(f"due {self.due} is before the bill date {self.date}")
        return self


class ReturnLine(Record):
    line: int = Field(ge=1)  # the order line
    item: RecordId
    qty: Quantity = Field(gt=0)
    warehouse: RecordId
    value: Amount = Field(ge=0)  # base: the cost the units came in at
    move: RecordId


class SupplierReturn(Record):
    """Goods sent back to the supplier: stock out at the cost it came in, debit GRNI."""

    id: RecordId
    date: dt.date
    order: RecordId
    partner: RecordId
    reason: str = Field(min_length=1)
    lines: list[ReturnLine] = Field(min_length=1)
    entry: RecordId | None = None
    notes: str | None = None


class DebitNote(Record):
    """The supplier's credit note against a bill (returned goods, a price correction): debit
    payables, credit GRNI (or the expense) and input tax."""

    id: RecordId
    number: str = Field(min_length=1)  # the supplier's credit note number
    date: dt.date
    bill: RecordId
    partner: RecordId
    currency: CurrencyCode | None = None
    rate: Amount | None = Field(default=None, gt=0)  # the bill's rate
    reason: str = Field(min_length=1)
    lines: list[BillLine] = Field(min_length=1)
    net: Amount
    tax: Amount
    total: Amount
    entry: RecordId

    @model_validator(mode="after")
    def _consistent(self) -> DebitNote:
        check_totals(self, self.lines)
        return self
