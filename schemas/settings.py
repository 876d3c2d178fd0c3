"""The data root's settings file, comptoir.yaml."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, field_validator

from .types import AccountCode, CurrencyCode, Record


class AccountDefaults(Record):
    """Which account each kind of automatic posting uses."""

    bank: AccountCode = "1010"
    receivable: AccountCode = "1100"
    inventory: AccountCode = "1200"
    input_tax: AccountCode = "1300"
    payable: AccountCode = "2010"
    grni: AccountCode = "2100"
    output_tax: AccountCode = "2200"
    retained_earnings: AccountCode = "3200"
    revenue: AccountCode = "4010"
    fx_gain: AccountCode = "4910"
    cogs: AccountCode = "5010"
    stock_adjustment: AccountCode = "5020"
    price_variance: AccountCode = "5030"
    fx_loss: AccountCode = "6900"


class Settings(Record):
    company: str = Field(min_length=1)
    currency: CurrencyCode
    fiscal_year_start: str = "01-01"
    lock_date: dt.date | None = None
    accounts: AccountDefaults = AccountDefaults()

    @field_validator("fiscal_year_start")
    @classmethod
    def _month_day(cls, value: str) -> str:
        try:
            dt.date.fromisoformat(f"2000-{value}")
        except ValueError as exc:
            raise ValueError("fiscal_year_start is MM-DD, for example 01-01 or 07-01") from exc
        return value

    def fiscal_year_of(self, day: dt.date) -> int:
        """The calendar year in which the fiscal year containing `day` starts."""
        month, dom = (int(p) for p in self.fiscal_year_start.split("-"))
        return day.year if (day.month, day.day) >= (month, dom) else day.year - 1

    def fiscal_year_bounds(self, year: int) -> tuple[dt.date, dt.date]:
        month, dom = (int(p) for p in self.fiscal_year_start.split("-"))
        start = dt.date(year, month, dom)
        end = dt.date(year + 1, month, dom) - dt.timedelta(days=1)
        return start, end
