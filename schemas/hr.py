"""HR records: departments, employees and payroll runs.

Personal data is kept to what payroll and the org chart need: a name, the job, the
dates of employment, the pay, the manager, and a *reference* to the bank account (the
IBAN itself stays with the bank or payroll provider). No birth date, address, national
id, contact details or health data: a git history cannot forget, so what is never
written never has to be erased.

Departments and employees are mutable (their git history is the record over time); a
payroll run is posted and immutable, like a journal entry, and carries every amount it
paid so later changes to an employee never alter a past run.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from pydantic import Field, field_validator, model_validator

from .types import AccountCode, Amount, Quantity, Record, RecordId

PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a YYYY-MM period."""
    if not re.fullmatch(PERIOD_PATTERN, period):
        raise ValueError(f"{period!r} is not a month: write it as YYYY-MM, like 2026-11")
    year, month = (int(p) for p in period.split("-"))
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def payroll_id(period: str) -> str:
    return f"PAY-{period}"


class Department(Record):
    id: RecordId  # a short code: ROAST, SALES, OFFICE
    name: str = Field(min_length=1)
    manager: RecordId | None = None  # an employee id
    # The expense account its salaries are charged to; unset, the payroll settings' salary account.
    cost_centre: AccountCode | None = None
    # The expense account its employer contributions are charged to; unset, the payroll
    # settings' employer contributions account (6020).
    contributions_centre: AccountCode | None = None
    notes: str | None = None


class Employee(Record):
    id: RecordId
    name: str = Field(min_length=1)
    department: RecordId
    role: str = Field(min_length=1)
    start_date: dt.date  # first day employed
    end_date: dt.date | None = None  # last day employed (inclusive); unset while employed
    # Pay: a monthly salary, or an hourly rate with the contracted hours per month.
    monthly_salary: Amount | None = Field(default=None, gt=0)
    hourly_rate: Amount | None = Field(default=None, gt=0)
    monthly_hours: Quantity | None = Field(default=None, gt=0)
    # Where net pay goes, as the payroll provider's or bank's reference; never the IBAN itself.
    bank_account_ref: str | None = None
    manager: RecordId | None = None  # an employee id

    @model_validator(mode="after")
    def _one_way_of_paying(self) -> Employee:
        if (self.monthly_salary is None) == (self.hourly_rate is None):
            raise ValueError("give monthly_salary or hourly_rate (with monthly_hours), exactly one of them")
        if self.hourly_rate is not None and self.monthly_hours is None:
            raise ValueError("an hourly-paid employee needs monthly_hours (the contracted hours per month)")
        if self.monthly_salary is not None and self.monthly_hours is not None:
            raise ValueError("monthly_hours is for hourly-paid employees; remove it or give hourly_rate")
        return self

    def employed_on(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


class PayrollRates(Record):
    """The rates a run used, in percent of gross pay (copied from comptoir.yaml when it ran)."""

    withholding: Amount = Field(ge=0, le=100)
    employee_contributions: Amount = Field(ge=0, le=100)
    employer_contributions: Amount = Field(ge=0, le=100)


class PayrollLine(Record):
    employee: RecordId
    department: RecordId
    days: int = Field(ge=1)  # calendar days employed in the period
    gross: Amount
    withholding: Amount
    employee_contributions: Amount
    employer_contributions: Amount
    net: Amount  # gross - withholding - employee contributions

    @model_validator(mode="after")
    def _net_is_what_remains(self) -> PayrollLine:
        expected = self.gross - self.withholding - self.employee_contributions
        if self.net != expected:
            raise ValueError(f"net {self.net} is not gross - withholding - employee_contributions = {expected}")
        return self

    @property
    def cost(self):
        return self.gross + self.employer_contributions


class PayrollRun(Record):
    id: RecordId  # PAY-2026-11
    period: str = Field(pattern=PERIOD_PATTERN)
    date: dt.date  # the period's last day: the date of its journal entry
    entry: RecordId  # the journal entry that posts it
    rates: PayrollRates
    lines: list[PayrollLine] = Field(min_length=1)

    @field_validator("lines")
    @classmethod
    def _each_employee_once(cls, lines: list[PayrollLine]) -> list[PayrollLine]:
        seen: set[str] = set()
        for line in lines:
            if line.employee in seen:
                raise ValueError(f"employee {line.employee} has two lines; a run pays each employee once")
            seen.add(line.employee)
        return lines

    @model_validator(mode="after")
    def _dated_at_period_end(self) -> PayrollRun:
        start, end = period_bounds(self.period)
        if self.date != end:
            raise ValueError(f"a payroll run for {self.period} is dated the period's last day, {end}")
        for line in self.lines:
            if line.days > (end - start).days + 1:
                raise ValueError(f"employee {line.employee}: {line.days} days is more than {self.period} has")
        return self
