"""HR as data: the department, employee and payroll-run lists, one employee's file, the
headcount and payroll reports, and the HR lines of the overview. comptoir.views.hr makes
the tables people see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from comptoir.errors import fail
from comptoir.model import Book
from comptoir.schemas.hr import Department, Employee, PayrollRun, period_bounds

from ..ledger import ZERO, net_by_account
from ..overview import section
from .common import (
    contributions_centre,
    cost_centre,
    departments,
    employees,
    month_label,
    runs,
    status_on,
)
from .payments import liability_payments, owed, settlements_of
from .payroll import Totals, totals_of

# --- lists -------------------------------------------------------------------------------------


def department_rows(book: Book, today: dt.date) -> list[dict[str, Any]]:
    """Each department with its manager, the accounts its pay is charged to and its headcount today."""
    emps = employees(book)
    rows = []
    for code, d in sorted(departments(book).items()):
        manager = emps.get(d.manager) if d.manager else None
        rows.append({"code": code, "name": d.name, "manager": d.manager or "",
                     "manager_name": manager.name if manager else "",
                     "cost_centre": cost_centre(book, code),
                     "contributions_centre": contributions_centre(book, code),
                     "headcount": sum(1 for e in emps.values() if e.department == code and e.employed_on(today))})
    return rows


def employee_rows(book: Book, today: dt.date, department: str | None = None,
                  status: str | None = None) -> list[dict[str, Any]]:
    """Employees by department and name, with their status on `today` (active, starting, left)."""
    rows = []
    for e in sorted(employees(book).values(), key=lambda e: (e.department, e.name, e.id)):
        st = status_on(e, today)
        if (department and e.department != department) or (status and st != status):
            continue
        rows.append({"id": e.id, "name": e.name, "department": e.department, "role": e.role,
                     "start_date": e.start_date, "end_date": e.end_date, "status": st,
                     "monthly_salary": e.monthly_salary, "hourly_rate": e.hourly_rate,
                     "monthly_hours": e.monthly_hours, "manager": e.manager or ""})
    return rows


@dataclass
class EmployeeFile:
    """One employee: the record's fields as stored, where they work and whom they manage, and
    the payroll lines that paid them (run, period, days, gross, net)."""

    employee: Employee
    fields: dict[str, Any]
    status: str
    department: Department | None
    cost_centre: str | None
    manages: list[str]
    paid: list[dict[str, Any]] = field(default_factory=list)


def employee_file(book: Book, emp: Employee, today: dt.date) -> EmployeeFile:
    dept = departments(book).get(emp.department)
    paid = [{"run": run.id, "period": run.period, "days": line.days, "gross": line.gross, "net": line.net}
            for run in sorted(runs(book).values(), key=lambda r: r.period)
            for line in run.lines if line.employee == emp.id]
    return EmployeeFile(emp, emp.model_dump(mode="json", exclude_none=True, exclude_defaults=True),
                        status_on(emp, today), dept, cost_centre(book, dept.id) if dept else None,
                        sorted(e.id for e in employees(book).values() if e.manager == emp.id), paid)


def run_rows(book: Book) -> list[dict[str, Any]]:
    """Each payroll run with its totals, its entry and the entries that paid it."""
    rows = []
    for run in sorted(runs(book).values(), key=lambda r: r.period):
        paid = settlements_of(book, run)
        rows.append({"id": run.id, "period": run.period, "date": run.date, **totals_of(run.lines).row(),
                     "entry": run.entry, "paid_by": ", ".join(e.id for e in paid),
                     "liabilities_open": owed(book, run).open,
                     "liabilities_paid_by": ", ".join(e.id for e in liability_payments(book, run))})
    return rows


def run_lines(book: Book, run: PayrollRun) -> list[dict[str, Any]]:
    """A run's lines, one per employee, with the employee's name."""
    emps = employees(book)
    rows = []
    for line in run.lines:
        emp = emps.get(line.employee)
        rows.append({"employee": line.employee, "name": emp.name if emp else "?", "department": line.department,
                     "days": line.days, "gross": line.gross, "withholding": line.withholding,
                     "employee_contributions": line.employee_contributions,
                     "employer_contributions": line.employer_contributions, "net": line.net,
                     "cost": line.cost})
    return rows


def line_totals(run: PayrollRun) -> dict[str, Any]:
    """The totals row of a run's lines (without the employee count)."""
    totals = totals_of(run.lines).row()
    del totals["employees"]
    return totals


# --- reports -----------------------------------------------------------------------------------

def _months(start: dt.date, end: dt.date) -> list[str]:
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@dataclass
class Headcount:
    """Rows of period (or range), department, headcount, joiners and leavers; the totals; and
    each joining and leaving in the period it falls in (not for --by department)."""

    start: dt.date
    end: dt.date
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    movements: list[dict[str, Any]]


def headcount(book: Book, start: dt.date | None, end: dt.date | None, today: dt.date,
              by: str = "both", department: str | None = None) -> Headcount:
    """Headcount at each month's end (or at `end`), joiners and leavers per month and department.

    by: "both" (month x department), "month" (all departments together) or "department"
    (the whole range per department).
    """
    emps = [e for e in employees(book).values() if not department or e.department == department]
    end = end or today
    start = start or (min(e.start_date for e in emps).replace(day=1) if emps else end.replace(day=1))
    if start > end:
        raise fail("bad-range", f"--from {start} is after --to {end}", "swap the dates")
    depts = departments(book)
    keys: list[str | None] = [None] if by == "month" else [*sorted({e.department for e in emps})]
    buckets: list[tuple[str, dt.date, dt.date]] = []  # label, first day, last day (headcount taken then)
    if by == "department":
        buckets = [(f"{start} .. {end}", start, end)]
    else:
        for period in _months(start, end):
            first, last = period_bounds(period)
            buckets.append((period, max(first, start), min(last, end)))
    rows: list[dict[str, Any]] = []
    movements: list[dict[str, Any]] = []
    for label, first, last in buckets:
        for key in keys:
            members = [e for e in emps if key is None or e.department == key]
            joined = [e for e in members if first <= e.start_date <= last]
            left = [e for e in members if e.end_date is not None and first <= e.end_date <= last]
            count = sum(1 for e in members if e.employed_on(last))
            if not (count or joined or left):
                continue
            row: dict[str, Any] = {"period": label, "headcount": count, "joiners": len(joined), "leavers": len(left)}
            if key is not None:
                row = {"period": label, "department": key, "name": depts[key].name if key in depts else "?", **row}
            rows.append(row)
        if by != "department":
            movements += [{"period": label, "employee": e.id, "name": e.name, "department": e.department,
                           "event": "joined", "date": e.start_date}
                          for e in sorted(emps, key=lambda e: e.start_date) if first <= e.start_date <= last]
            movements += [{"period": label, "employee": e.id, "name": e.name, "department": e.department,
                           "event": "left", "date": e.end_date}
                          for e in sorted(emps, key=lambda e: e.end_date or end)
                          if e.end_date is not None and first <= e.end_date <= last]
    last_label = buckets[-1][0] if buckets else ""
    totals = {"period": "Total", "headcount": sum(r["headcount"] for r in rows if r["period"] == last_label),
              "joiners": sum(r["joiners"] for r in rows), "leavers": sum(r["leavers"] for r in rows)}
    return Headcount(start, end, rows, totals, movements)


@dataclass
class PayrollSummary:
    rows: list[dict[str, Any]]
    totals: dict[str, Any]


# The kinds payroll_summary reads (the payroll pages and `report payroll` read only those).
READS = {"payroll_summary": ("employee", "department", "payroll")}


def payroll_summary(book: Book, start: dt.date | None, end: dt.date | None, by: str = "department",
                    department: str | None = None) -> PayrollSummary:
    """Payroll amounts per period and department (or per period, or per employee) from the runs."""
    emps = employees(book)
    depts = departments(book)
    selected = sorted((r for r in runs(book).values()
                       if (start is None or r.date >= start) and (end is None or r.date <= end)),
                      key=lambda r: r.period)
    groups: dict[tuple[str, ...], Totals] = {}
    for run in selected:
        for line in run.lines:
            if department and line.department != department:
                continue
            if by == "period":
                key: tuple[str, ...] = (run.period,)
            elif by == "employee":
                key = (run.period, line.employee)
            else:
                key = (run.period, line.department)
            groups.setdefault(key, Totals()).add(line)
    rows = []
    for key in sorted(groups):
        row: dict[str, Any] = {"period": key[0]}
        if by == "department":
            row.update(department=key[1], name=depts[key[1]].name if key[1] in depts else "?")
        elif by == "employee":
            emp = emps.get(key[1])
            row.update(employee=key[1], name=emp.name if emp else "?", department=emp.department if emp else "")
        rows.append({**row, **groups[key].row()})
    total = Totals()
    for t in groups.values():
        total.gross += t.gross
        total.withholding += t.withholding
        total.employee_contributions += t.employee_contributions
        total.employer_contributions += t.employer_contributions
        total.net += t.net
    totals = {"period": "Total", **total.row()}
    del totals["employees"]
    return PayrollSummary(rows, totals)


# --- overview ----------------------------------------------------------------------------------

# What the overview reads of the payroll runs: a command may serve these fields alone, as light
# records derived per folder (comptoir.app.docfacts), instead of the runs.
OVERVIEW_FACTS = {"payroll": ("id", "period", ("lines", ("employee", "department", "gross", "withholding",
                                                         "employee_contributions", "employer_contributions",
                                                         "net")))}


@section
def hr_overview(book: Book, today: dt.date) -> list[dict[str, Any]]:
    emps = employees(book)
    all_runs = runs(book)
    if not emps and not all_runs:
        return []
    rows: list[dict[str, Any]] = [{"section": "HR", "measure": "Headcount",
                                   "value": sum(1 for e in emps.values() if e.employed_on(today))}]
    started = [r for r in all_runs.values() if period_bounds(r.period)[0] <= today]
    if started:
        last = max(started, key=lambda r: r.period)
        rows.append({"section": "HR", "measure": f"Payroll cost {month_label(last.period)} (gross + employer)",
                     "value": totals_of(last.lines).cost})
    payable = book.settings.payroll.net_pay_payable
    owed_ = -net_by_account(book, None, today).get(payable, ZERO)  # day totals: served to `report overview`
    rows.append({"section": "HR", "measure": "Net pay owed to staff", "value": owed_})
    return rows


# What this module adds to its family (comptoir.families collects these lists).
SECTIONS = [hr_overview]
