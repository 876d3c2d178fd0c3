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

from .registry import Kind
from .types import AccountCode, Amount, CurrencyCode, Record, RecordId


class Allocation(Record):
    document: RecordId  # an invoice (money in) or a bill (money out)
    amount: Amount = Field(gt=0)  # in the payment's currency


class Payment(Record):
    id: RecordId
    date: dt.date
    direction: Literal["in", "out"]  # in: from a customer; out: to a supplier
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


KINDS: list[Kind] = [
    Kind("payment", "payments", Payment, "payment", date_field="date", posted=True, prefix="PMT"),
]
