"""Exchange rates: how many units of the base currency one unit of a foreign currency was worth.

One record per currency and day (rates/2026/11/USD-2026-11-30.yaml), so the id says what
it is and two branches adding the same day's rate collide visibly instead of silently.
Reports use a posting's own `rate:` for historical amounts; this table serves entries
written wholly in a foreign currency and the revaluation of open foreign balances.
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field, model_validator

from .types import Amount, CurrencyCode, Record, RecordId


class ExchangeRate(Record):
    id: RecordId
    date: dt.date
    currency: CurrencyCode
    rate: Amount = Field(gt=0)  # units of the base currency per unit of `currency`
    source: str | None = None  # where the rate comes from (ECB reference rate, bank statement)

    @model_validator(mode="after")
    def _id_names_currency_and_day(self) -> ExchangeRate:
        expected = rate_id(self.currency, self.date)
        if self.id != expected:
            raise ValueError(f"the id of a {self.currency} rate on {self.date} is {expected}")
        return self


def rate_id(currency: str, day: dt.date) -> str:
    return f"{currency}-{day.isoformat()}"
