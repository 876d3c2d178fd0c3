"""Lookups every part of HR uses: departments, employees and runs by id, the accounts a
department's pay is charged to, and payroll periods (months)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from comptoir.domain.ids import known
from comptoir.errors import fail
from comptoir.model import Book
from comptoir.schemas.hr import Department, Employee, PayrollRun, period_bounds
from comptoir.schemas.types import currency_places

HUNDRED = Decimal(100)
LIABILITIES_TAG = "payroll-liabilities"  # tags the payments of a run's withholding and contributions
RATE_PLACES = 4  # an hourly rate may carry more places than the currency (18.3750)


def places(book: Book) -> int:
    return currency_places(book.base)


def departments(book: Book) -> dict[str, Department]:
    return book.of("department")


def employees(book: Book) -> dict[str, Employee]:
    return book.of("employee")


def runs(book: Book) -> dict[str, PayrollRun]:
    return book.of("payroll")


def get_department(book: Book, code: str) -> Department:
    return known(departments(book), code, "unknown-department", "department",
                 "`comptoir hr department list` shows the codes; add one with `comptoir hr department add`")


def get_employee(book: Book, ident: str) -> Employee:
    return known(employees(book), ident, "unknown-employee", "employee", "`comptoir hr employee list` shows the ids")


def get_run(book: Book, ident: str) -> PayrollRun:
    """A payroll run by id (PAY-2026-11) or by period (2026-11)."""
    all_runs = runs(book)
    run = all_runs.get(ident) or next((r for r in all_runs.values() if r.period == ident), None)
    if run is None:
        raise fail("unknown-payroll", f"no payroll run for {ident}",
                   "`comptoir hr payroll list` shows the runs; `comptoir hr payroll run --period YYYY-MM` makes one")
    return run


def cost_centre(book: Book, department: str) -> str:
    """The expense account a department's salaries are charged to."""
    dept = departments(book).get(department)
    return (dept.cost_centre if dept and dept.cost_centre else None) or book.settings.payroll.salary_expense


def contributions_centre(book: Book, department: str) -> str:
    """The expense account a department's employer contributions are charged to."""
    dept = departments(book).get(department)
    return ((dept.contributions_centre if dept and dept.contributions_centre else None)
            or book.settings.payroll.employer_contributions)


def month_bounds(period: str) -> tuple[dt.date, dt.date]:
    try:
        return period_bounds(period)
    except ValueError:
        raise fail("bad-period", f"{period!r} is not a month", "write it as YYYY-MM, like 2026-11") from None


def month_label(period: str) -> str:
    return f"{period_bounds(period)[0]:%B %Y}"


def status_on(emp: Employee, day: dt.date) -> str:
    if emp.start_date > day:
        return "starting"
    if emp.end_date is not None and emp.end_date < day:
        return "left"
    return "active"
