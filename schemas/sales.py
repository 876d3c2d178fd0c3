"""Sales documents: quotes and orders, deliveries, invoices and credit notes.

An order (sales/orders/) is mutable until it is confirmed; its status (draft, confirmed,
partly delivered, delivered, invoiced, paid) is computed from the documents that follow it,
never stored. Deliveries, invoices and credit notes are posted: each carries the stock moves
and the journal entry written with it, and is corrected by a new document, never edited.

An invoice's file id (INV-YYYYMMDD-XXXX) never collides across branches; its `number`
(2026-0007) is the legal sequential number per fiscal year, checked for duplicates and gaps.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import Field, model_validator

from .types import AccountCode, Amount, CurrencyCode, Quantity, Record, RecordId

INVOICE_NUMBER = r"^(?P<series>[A-Z]*)(?P<year>\d{4})-(?P<seq>\d{4,})$"


class SalesLine(Record):
    item: RecordId
    description: str | None = None
    qty: Quantity = Field(gt=0)
    price: Amount = Field(ge=0)  # unit price before discount and tax, in the order's currency
    discount: Amount = Field(Decimal(0), ge=0, le=100)  # percent
    tax: RecordId | None = None  # tax code
    warehouse: RecordId | None = None  # ships from; unset for services
    requested: dt.date | None = None  # the date the customer asked for
    promised: dt.date | None = None  # the date we promised (computed when the line was ordered)


class SalesOrder(Record):
    id: RecordId
    date: dt.date  # the day it was quoted or ordered
    partner: RecordId
    confirmed: dt.date | None = None  # unset: still a quote (draft), reserving nothing
    cancelled: dt.date | None = None
    valid_until: dt.date | None = None  # quotes
    currency: CurrencyCode | None = None  # None: the book's base currency
    payment_terms_days: int | None = Field(default=None, ge=0)  # None: the partner's, else 30
    customer_reference: str | None = None  # their purchase order number
    opportunity: RecordId | None = None
    credit_override: str | None = None  # why it was accepted over the customer's credit limit
    lines: list[SalesLine] = Field(min_length=1)
    notes: str | None = None

    @model_validator(mode="after")
    def _dates(self) -> SalesOrder:
        if self.confirmed is not None and self.confirmed < self.date:
            raise ValueError(f"confirmed {self.confirmed} is before the order date {self.date}")
        return self


class DeliveryLine(Record):
    line: int = Field(ge=1)  # the order line (1 = first)
    item: RecordId
    qty: Quantity = Field(gt=0)
    warehouse: RecordId
    value: Amount = Field(ge=0)  # cost of what left, frozen in the stock move
    move: RecordId  # the stock move


class Delivery(Record):
    id: RecordId
    date: dt.date
    order: RecordId
    partner: RecordId
    lines: list[DeliveryLine] = Field(min_length=1)
    entry: RecordId | None = None  # the cost-of-goods-sold entry (none when nothing had value)
    notes: str | None = None


class DocumentLine(Record):
    """An invoiced (or credited) line: quantities, prices and the amounts they came to."""

    line: int | None = Field(default=None, ge=1)  # the order line (invoices) or invoice line (credit notes)
    item: RecordId | None = None
    description: str | None = None
    qty: Quantity = Field(gt=0)
    price: Amount = Field(ge=0)
    discount: Amount = Field(Decimal(0), ge=0, le=100)
    tax: RecordId | None = None
    tax_rate: Amount = Field(Decimal(0), ge=0, le=100)  # percent, frozen when written
    net: Amount  # qty x price less the discount, rounded to the currency
    tax_amount: Amount = Decimal(0)
    account: AccountCode  # revenue (sales) or GRNI / expense (purchases)


def check_totals(doc, lines) -> None:
    net = sum((x.net for x in lines), Decimal(0))
    tax = sum((x.tax_amount for x in lines), Decimal(0))
    if doc.net != net:
        raise ValueError(f"net {doc.net} is not the sum of the lines' net amounts, {net}")
    if doc.tax != tax:
        raise ValueError(f"tax {doc.tax} is not the sum of the lines' tax, {tax}")
    if doc.total != net + tax:
        raise ValueError(f"total {doc.total} is not net + tax = {net + tax}")


class Invoice(Record):
    id: RecordId
    number: str = Field(pattern=INVOICE_NUMBER)  # sequential per fiscal year: 2026-0007
    date: dt.date
    due: dt.date
    partner: RecordId
    currency: CurrencyCode | None = None
    rate: Amount | None = Field(default=None, gt=0)  # base currency per unit, for a foreign invoice
    order: RecordId | None = None
    deliveries: list[RecordId] = Field(default_factory=list)
    lines: list[DocumentLine] = Field(min_length=1)
    net: Amount
    tax: Amount
    total: Amount
    entry: RecordId  # receivable / revenue / output tax
    customer_reference: str | None = None
    notes: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Invoice:
        check_totals(self, self.lines)
        if self.due < self.date:
            raise ValueError(f"due {self.due} is before the invoice date {self.date}")
        return self


class CreditLine(DocumentLine):
    returned: Quantity = Decimal(0)  # units taken back into stock
    warehouse: RecordId | None = None
    value: Amount = Decimal(0)  # cost of the returned units (at the original delivery cost)
    move: RecordId | None = None


class CreditNote(Record):
    id: RecordId
    number: str = Field(pattern=INVOICE_NUMBER)  # its own series: CN2026-0001
    date: dt.date
    invoice: RecordId
    partner: RecordId
    currency: CurrencyCode | None = None
    rate: Amount | None = Field(default=None, gt=0)
    reason: str = Field(min_length=1)
    lines: list[CreditLine] = Field(min_length=1)
    net: Amount
    tax: Amount
    total: Amount
    entry: RecordId
    stock_entry: RecordId | None = None  # returned goods back into inventory

    @model_validator(mode="after")
    def _consistent(self) -> CreditNote:
        check_totals(self, self.lines)
        return self
