"""General ledger records: accounts and journal entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator

from .types import AccountCode, Amount, CurrencyCode, Record, RecordId

AccountType = Literal["asset", "liability", "equity", "income", "expense"]

# The sign a reader expects: debit-normal accounts show debits positive.
NORMAL_SIGN: dict[str, int] = {
    "asset": 1, "expense": 1, "liability": -1, "equity": -1, "income": -1,
}

AccountRole = Literal[
    "bank", "cash", "receivable", "payable", "inventory", "tax", "grni",
    "revenue", "cogs", "operating", "other-income", "other-expense",
    "retained-earnings", "payroll", "fx",
]


class Account(Record):
    code: AccountCode
    name: str = Field(min_length=1)
    type: AccountType
    parent: AccountCode | None = None
    currency: CurrencyCode | None = None
    role: AccountRole | None = None
    active: bool = True
    description: str | None = None


class Posting(Record):
    account: AccountCode
    amount: Amount
    currency: CurrencyCode | None = None  # None means the book's base currency
    rate: Amount | None = Field(default=None, gt=0)  # units of base currency per unit
    partner: RecordId | None = None
    memo: str | None = None


class BalanceAssertion(Record):
    """The account's balance after this entry's postings on its date (hledger semantics)."""

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
    assertions: list[BalanceAssertion] = []
    tags: list[str] = []

    @field_validator("postings")
    @classmethod
    def _no_zero_only(cls, postings: list[Posting]) -> list[Posting]:
        if all(p.amount == 0 for p in postings):
            raise ValueError("every posting is zero: an entry must move some amount")
        return postings


def entry_total(entry: JournalEntry, base: str) -> dict[str, Decimal]:
    """Sum of postings per currency (debits positive)."""
    totals: dict[str, Decimal] = {}
    for p in entry.postings:
        cur = p.currency or base
        totals[cur] = totals.get(cur, Decimal(0)) + p.amount
    return totals
