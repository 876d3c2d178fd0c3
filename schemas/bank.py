"""Bank statements as imported, the rules that classify their lines, and the descriptions of
bank CSV exports.

A statement (bank/statements/YYYY/MM/) records what the bank said: its balances and, per
line, the line's unique id and the record the import made of it, so an import of the same or
an overlapping statement knows which lines it has seen. Rules (bank/rules/) and CSV formats
(bank/formats/) are kept in the book, reviewed like everything else.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from .types import AccountCode, Amount, CurrencyCode, Record, RecordId

Outcome = Literal["matched", "ruled", "suspense", "reversal"]


class StatementLine(Record):
    id: str = Field(min_length=1, max_length=200)  # the bank's unique id of the line (or its derived one)
    date: dt.date  # booking date
    amount: Amount  # signed: money in positive
    outcome: Outcome
    entry: RecordId  # the journal entry the line became
    payment: RecordId | None = None  # matched lines: the payment of the documents
    rule: RecordId | None = None  # ruled lines: the rule that classified it
    counterparty: str | None = None
    text: str | None = None


class Statement(Record):
    id: RecordId
    account: AccountCode  # the bank account in the books
    date: dt.date  # the closing balance's date
    start: dt.date | None = None
    format: Literal["camt.053", "csv", "ofx"]
    source: str | None = None  # the file name as imported
    statement: str | None = None  # the bank's statement id
    currency: CurrencyCode | None = None
    opening: Amount | None = None
    closing: Amount | None = None
    known: int = 0  # lines of the file already seen on an earlier statement
    lines: list[StatementLine] = Field(default_factory=list)


class BankRule(Record):
    """Classify statement lines the matching does not pay: every condition given must hold
    (text and counterparty: case-insensitive substrings, or /regex/). The first rule by
    (priority, id) wins. It posts the line to `post_to`, or pays/receives on `partner`."""

    id: RecordId
    priority: int = 100
    accounts: list[AccountCode] = Field(default_factory=list)  # bank accounts it applies to; empty: all
    text: str | None = None
    counterparty: str | None = None
    direction: Literal["in", "out"] | None = None
    amount: Amount | None = None  # exact amount (unsigned)
    min: Amount | None = None
    max: Amount | None = None
    post_to: AccountCode | None = None
    partner: RecordId | None = None
    memo: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> BankRule:
        if (self.post_to is None) == (self.partner is None):
            raise ValueError("give exactly one of post_to: (an account) or partner: (a partner id)")
        if not any((self.text, self.counterparty, self.amount is not None, self.min is not None,
                    self.max is not None)):
            raise ValueError("give at least one condition: text, counterparty, amount, min or max")
        for name in ("text", "counterparty"):
            pattern = getattr(self, name)
            if pattern and len(pattern) > 2 and pattern.startswith("/") and pattern.endswith("/"):
                _regex(pattern[1:-1], name)
        return self


def _regex(pattern: str, name: str) -> None:
    """Refuse a regular expression that does not compile (said when the record is read, not as
    a crash in the middle of an import)."""
    import re

    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{name}: {pattern!r} is not a regular expression: {exc}") from None


class SkipRow(Record):
    column: str
    equals: str | None = None
    matches: str | None = None  # a regular expression searched in the cell

    @model_validator(mode="after")
    def _compiles(self) -> SkipRow:
        if self.matches is not None:
            _regex(self.matches, "matches")
        return self


class BankFormat(Record):
    """How one bank's CSV export reads. Columns are named by their header (or by number from 1
    when the file has no header row)."""

    id: RecordId
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    encoding: str = "utf-8-sig"  # utf-8 with or without BOM; iso-8859-1, cp1252, ...
    skip_lines: int = Field(default=0, ge=0)  # lines before the header row (bank name, account, ...)
    header: bool = True
    date_format: str = "YYYY-MM-DD"  # DD.MM.YY, DD/MM/YYYY, ... (or a strftime pattern with %)
    decimal: Literal[".", ","] = "."
    thousands: Literal[".", ",", "'", "space"] | None = None  # grouping of thousands, if any
    # `date:` is what every record's date is called (the audit reads it): the column is booking_date
    booking_date: str
    value_date: str | None = None
    amount: str | None = None  # one signed column ...
    debit: str | None = None  # ... or money out and money in in two columns
    credit: str | None = None
    sign: Literal["normal", "inverted"] = "normal"  # inverted: the bank shows money out positive
    counterparty: str | None = None
    counterparty_account: str | None = None
    text: list[str] = Field(default_factory=list)  # joined with a space
    id_column: str | None = None  # the bank's unique id; none: a hash of the raw line (see docs)
    balance: str | None = None  # the balance after each line, when the export has it
    currency: CurrencyCode | None = None
    skip: list[SkipRow] = Field(default_factory=list)  # rows to leave out: pending, not booked

    @model_validator(mode="after")
    def _amount_columns(self) -> BankFormat:
        if (self.amount is None) == (self.debit is None and self.credit is None):
            raise ValueError("give amount: (one signed column) or debit: and credit:, not both")
        if self.amount is None and (self.debit is None or self.credit is None):
            raise ValueError("give both debit: and credit:")
        return self
