"""Payroll runs: each employee's pay for a month, pro-rated by the days employed, and the run's
journal entry (gross and employer contributions to each department's cost centres; net pay,
withholding and contributions payable)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from comptoir.errors import fail
from comptoir.model import Book
from comptoir.schemas.accounting import JournalEntry
from comptoir.schemas.hr import Employee, PayrollLine, PayrollRates, PayrollRun, payroll_id

from ..ids import id_prefix, new_id
from ..ledger import ZERO, round_to
from .common import (
    HUNDRED,
    contributions_centre,
    cost_centre,
    departments,
    employees,
    month_bounds,
    month_label,
    places,
    runs,
)


def days_employed(emp: Employee, start: dt.date, end: dt.date) -> int:
    """Calendar days in [start, end] on which the employee is employed (both ends inclusive)."""
    first = max(start, emp.start_date)
    last = min(end, emp.end_date) if emp.end_date else end
    return max(0, (last - first).days + 1)


def monthly_pay(emp: Employee) -> Decimal:
    if emp.monthly_salary is not None:
        return emp.monthly_salary
    return emp.hourly_rate * emp.monthly_hours  # type: ignore[operator]


def current_rates(book: Book) -> PayrollRates:
    s = book.settings.payroll
    return PayrollRates(withholding=s.withholding_percent, employee_contributions=s.employee_contributions_percent,
                        employer_contributions=s.employer_contributions_percent)


def pay_line(emp: Employee, start: dt.date, end: dt.date, rates: PayrollRates, places_: int) -> PayrollLine | None:
    """The employee's amounts for the period, or None when not employed in it."""
    days = days_employed(emp, start, end)
    if days == 0:
        return None
    period_days = (end - start).days + 1
    gross = round_to(monthly_pay(emp) * days / period_days, places_)

    def share(percent: Decimal) -> Decimal:
        return round_to(gross * percent / HUNDRED, places_)

    withholding = share(rates.withholding)
    employee_c = share(rates.employee_contributions)
    return PayrollLine(employee=emp.id, department=emp.department, days=days, gross=gross,
                       withholding=withholding, employee_contributions=employee_c,
                       employer_contributions=share(rates.employer_contributions),
                       net=gross - withholding - employee_c)


@dataclass
class Totals:
    employees: int = 0
    gross: Decimal = ZERO
    withholding: Decimal = ZERO
    employee_contributions: Decimal = ZERO
    employer_contributions: Decimal = ZERO
    net: Decimal = ZERO

    def add(self, line: PayrollLine) -> None:
        self.employees += 1
        self.gross += line.gross
        self.withholding += line.withholding
        self.employee_contributions += line.employee_contributions
        self.employer_contributions += line.employer_contributions
        self.net += line.net

    @property
    def cost(self) -> Decimal:
        return self.gross + self.employer_contributions

    def row(self) -> dict:
        return {"employees": self.employees, "gross": self.gross, "withholding": self.withholding,
                "employee_contributions": self.employee_contributions,
                "employer_contributions": self.employer_contributions, "net": self.net, "cost": self.cost}


def totals_of(lines: Iterable[PayrollLine]) -> Totals:
    t = Totals()
    for line in lines:
        t.add(line)
    return t


def payroll_postings(book: Book, lines: list[PayrollLine]) -> list[dict]:
    """Debit each department's cost centre with its gross, and its contributions centre with its
    employer contributions (one posting per department each, so both costs split the same way);
    credit net pay, withholding and contributions payable (employee and employer shares)."""
    s = book.settings.payroll
    depts = departments(book)
    by_dept: dict[str, Totals] = {}
    for line in lines:
        by_dept.setdefault(line.department, Totals()).add(line)
    t = totals_of(lines)
    postings = []
    for code in sorted(by_dept):
        name = depts[code].name if code in depts else code
        postings.append({"account": cost_centre(book, code), "amount": by_dept[code].gross,
                         "memo": f"Gross pay {name} ({code})"})
    for code in sorted(by_dept):
        name = depts[code].name if code in depts else code
        postings.append({"account": contributions_centre(book, code), "amount": by_dept[code].employer_contributions,
                         "memo": f"Employer contributions {name} ({code})"})
    postings += [
        {"account": s.net_pay_payable, "amount": -t.net, "memo": "Net pay"},
        {"account": s.withholding_payable, "amount": -t.withholding, "memo": "Income tax withheld"},
        {"account": s.contributions_payable, "amount": -(t.employee_contributions + t.employer_contributions),
         "memo": "Social contributions, employee and employer"},
    ]
    return [p for p in postings if p["amount"] != 0]


@dataclass
class PayrollResult:
    run: PayrollRun
    entry: JournalEntry
    totals: Totals


def run_payroll(book: Book, period: str, today: dt.date, rng: random.Random) -> PayrollResult:
    """The payroll run of a period and its journal entry; refused when the period was already run."""
    start, end = month_bounds(period)
    done = [r for r in runs(book).values() if r.period == period]
    if done:
        r = done[0]
        raise fail("payroll-already-run", f"payroll for {period} was already run: {r.id} (journal entry {r.entry})",
                   "a period is paid once; correct it with a journal entry, or see `comptoir hr payroll show "
                   f"{r.id}`", file=book.source("payroll", r.id), line=1)
    if start > today:
        raise fail("payroll-future", f"{period} has not started yet (today is {today})",
                   "run a period once it has begun, usually at its end")
    rates = current_rates(book)
    p = places(book)
    lines = [line for emp in sorted(employees(book).values(), key=lambda e: (e.department, e.name, e.id))
             if (line := pay_line(emp, start, end, rates, p)) is not None]
    if not lines:
        raise fail("no-employees", f"nobody is employed in {period}",
                   "add employees with `comptoir hr employee add`, or check their start and end dates")
    ident = payroll_id(period)
    entry_id = new_id(id_prefix(book, "journal"), end, book.entries, rng)
    entry = JournalEntry.model_validate({
        "id": entry_id, "date": end, "memo": f"Payroll {month_label(period)}", "reference": ident,
        "source": ident, "postings": payroll_postings(book, lines)})
    run = PayrollRun(id=ident, period=period, date=end, entry=entry_id, rates=rates, lines=lines)
    return PayrollResult(run, entry, totals_of(lines))

