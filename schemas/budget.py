"""Budgets: planned amounts per account (or account prefix) per month, in named versions.

One record per version in budgets/ (budgets/2027-plan.yaml). Amounts carry the sign a
reader expects in the income statement: revenue and expenses both positive. A line's
`monthly` amount applies to every month of the budget; `months` sets (or overrides) single
months. A line's account is a code or a code prefix ("61" = every account starting 61);
the most specific line wins, so a budget can say "6100 rent" apart from "6 all expenses".
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from .types import AccountCode, Amount, Record, RecordId

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class BudgetLine(Record):
    account: AccountCode  # a code or a code prefix
    monthly: Amount | None = None  # every month of the budget
    months: dict[str, Amount] = Field(default_factory=dict)  # YYYY-MM -> amount (wins over monthly)
    memo: str | None = None

    @field_validator("months")
    @classmethod
    def _month_keys(cls, value: dict) -> dict:
        bad = sorted(k for k in value if not MONTH.match(str(k)))
        if bad:
            raise ValueError(f"month {', '.join(map(str, bad))} is not YYYY-MM")
        return value

    @model_validator(mode="after")
    def _some_amount(self) -> BudgetLine:
        if self.monthly is None and not self.months:
            raise ValueError(f"line {self.account} has no amount: give monthly or months")
        return self


class Budget(Record):
    id: RecordId  # 2027-plan
    name: str = Field(min_length=1)  # "2027 plan", "Q2 reforecast"
    start: str  # first month, YYYY-MM
    end: str  # last month, YYYY-MM
    lines: list[BudgetLine] = Field(min_length=1)
    description: str | None = None

    @field_validator("start", "end")
    @classmethod
    def _month(cls, value: str) -> str:
        if not MONTH.match(value):
            raise ValueError(f"{value!r} is not a month: write YYYY-MM")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Budget:
        if self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        outside = sorted({m for line in self.lines for m in line.months if not self.start <= m <= self.end})
        if outside:
            raise ValueError(f"month {', '.join(outside)} is outside the budget's {self.start} to {self.end}")
        return self
