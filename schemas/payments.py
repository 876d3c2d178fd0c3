"""Payments: money received from customers and sent to suppliers, allocated to what they settle.

A payment is posted (payments/YYYY/MM/) with its journal entry. `allocations` name the
invoices (money in) or bills (money out) it settles, in the payment's currency; whatever is
not allocated stays on the partner's account as a credit (an advance, an over-payment).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from .types import AccountCode, Amount, CurrencyCode, Record, RecordId


class Allocation(Record):
    document: RecordId  # an invoice (money in) or a bill (money out)
    amount: Amount = Field(gt=0)  # in the payment's currency


class Payment(Record):
    id: RecordId
    date: dt.date
    direction: Literal["in", "out"]  # in: from a customer; out: to a supplier
    # the open-item side it settles; unset: receivable for money in, payable for money out. A
    # refund to a customer is money out on the receivable side, from a supplier money in on the payable
    side: Literal["receivable", "payable"] | None = None
    partner: RecordId
    amount: Amount = Field(gt=0)
    currency: CurrencyCode | None = None
    rate: Amount | None = Field(default=None, gt=0)  # base currency per unit on the payment date
    bank: AccountCode
    allocations: list[Allocation] = Field(default_factory=list)
    reference: str | None = None  # bank statement line, cheque number
    memo: str | None = None
    entry: RecordId

    @model_validator(mode="after")
    def _not_over_allocated(self) -> Payment:
        allocated = sum((a.amount for a in self.allocations), Decimal(0))
        if allocated > self.amount:
            raise ValueError(f"allocations add up to {allocated}, more than the payment's {self.amount}")
        seen: set[str] = set()
        for a in self.allocations:
            if a.document in seen:
                raise ValueError(f"{a.document} is allocated twice")
            seen.add(a.document)
        return self

    @property
    def unallocated(self) -> Decimal:
        return self.amount - sum((a.amount for a in self.allocations), Decimal(0))

    @property
    def settles(self) -> str:
        return self.side or ("receivable" if self.direction == "in" else "payable")

    @property
    def refund(self) -> bool:
        return self.settles != ("receivable" if self.direction == "in" else "payable")


class Application(Record):
    """A credit the partner already has (a credit or debit note, a payment's unallocated part)
    applied to an open invoice, bill or refund: an allocation between open items. It posts
    nothing, except a realised exchange difference when the two were booked at different rates."""

    id: RecordId
    date: dt.date
    side: Literal["receivable", "payable"]
    partner: RecordId
    credit: RecordId  # the credit note, debit note or payment whose credit is used
    document: RecordId  # the invoice, bill or refund it settles
    amount: Amount = Field(gt=0)  # in the documents' currency
    currency: CurrencyCode | None = None
    entry: RecordId | None = None  # the exchange difference, for foreign documents at two rates
