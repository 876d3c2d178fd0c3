"""General ledger records: accounts and journal entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .types import AccountCode, Amount, CurrencyCode, Record, RecordId

AccountType = Literal["asset", "liability", "equity", "income", "expense"]

# The sign a reader expects: debit-normal accounts show debits positive.
NORMAL_SIGN: dict[str, int] = {
    "asset": 1, "expense": 1, "liability": -1, "equity": -1, "income": -1,
}

AccountRole = Literal[
    "bank", "cash", "receivable", "payable", "inventory", "tax", "grni",
    "revenue", "cogs", "operating", "other-income", "other-expense",
    "retained-earnings", "payroll", "fx", "suspense",
]

# Where an account's movements go in the cash-flow statement. Unset, it follows from the
# type and role (see cli/domain/statements.py); set it for the exceptions (prepaid expenses).
CashFlowClass = Literal["operating", "investing", "financing"]


class Account(Record):
    code: AccountCode
    name: str = Field(min_length=1)
    type: AccountType
    parent: AccountCode | None = None
    currency: CurrencyCode | None = None
    role: AccountRole | None = None
    active: bool = True
    description: str | None = None
    cash_flow: CashFlowClass | None = None


class Posting(Record):
    account: AccountCode
    amount: Amount
    currency: CurrencyCode | None = None  # None means the book's base currency
    rate: Amount | None = Field(default=None, gt=0)  # units of base currency per unit
    # An exchange difference: the base-currency value moves, the foreign amount (0) does not.
    value: Amount | None = None
    partner: RecordId | None = None
    memo: str | None = None

    @model_validator(mode="after")
    def _value_is_an_exchange_difference(self) -> Posting:
        if self.value is not None:
            if self.currency is None:
                raise ValueError("value: is for exchange differences on a foreign-currency posting; "
                                 "give its currency:")
            if self.amount != 0:
                raise ValueError("a posting with value: is an exchange difference: its amount must be 0")
            if self.rate is not None:
                raise ValueError("give rate: or value:, not both")
        return self


class BalanceAssertion(Record):
    """The account's balance at the end of the entry's date: every posting dated on or before it.

    Only postings in `currency` count (default: the account's currency, else the base
    currency), in their own amounts, so it reads like a bank statement's closing balance.
    """

    account: AccountCode
    balance: Amount
    currency: CurrencyCode | None = None


class JournalEntry(Record):
    id: RecordId
    date: dt.date
    memo: str = Field(min_length=1)
    reference: str | None = None
    reverses: RecordId | None = None
    source: str | None = None  # the document or command that produced the entry
    postings: list[Posting] = Field(min_length=2)
    # default_factory: a `= []` default is deep-copied for every record, 10% of a large load
    assertions: list[BalanceAssertion] = Field(default_factory=list, json_schema_extra={"default": []})
    tags: list[str] = Field(default_factory=list, json_schema_extra={"default": []})

    @field_validator("postings")
    @classmethod
    def _no_zero_only(cls, postings: list[Posting]) -> list[Posting]:
        if all(p.amount == 0 and not p.value for p in postings):
            raise ValueError("every posting is zero: an entry must move some amount")
        return postings


def entry_total(entry: JournalEntry, base: str) -> dict[str, Decimal]:
    """Sum of postings per currency (debits positive)."""
    totals: dict[str, Decimal] = {}
    for p in entry.postings:
        cur = p.currency or base
        totals[cur] = totals.get(cur, Decimal(0)) + p.amount
    return totals
