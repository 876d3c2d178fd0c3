"""HR tables: departments, employees, one employee, payroll runs, one run (and its preview),
the headcount and payroll reports."""

from __future__ import annotations

import datetime as dt

from comptoir.domain.book import Book
from comptoir.domain.hr.common import month_label, places
from comptoir.domain.hr.payments import liability_payments, owed, settlements_of
from comptoir.domain.hr.payroll import PayrollResult
from comptoir.domain.hr.reports import (
    department_rows,
    employee_file,
    employee_rows,
    headcount,
    line_totals,
    payroll_summary,
    run_lines,
    run_rows,
)
from comptoir.domain.table import Column, Table, money, text
from comptoir.schemas.hr import Employee, PayrollRun, period_bounds


def departments_table(book: Book, today: dt.date) -> Table:
    cols = [text("code", "Code"), text("name", "Name"), text("manager", "Manager"),
            text("manager_name", "Manager name"), text("cost_centre", "Cost centre"),
            text("contributions_centre", "Contributions centre"),
            Column("headcount", "Headcount", "int")]
    return Table("departments", cols, department_rows(book, today), title=f"Departments (headcount on {today})")


def employees_table(book: Book, today: dt.date, department: str | None = None,
                    status: str | None = None) -> Table:
    p = places(book)
    cols = [text("id", "Id"), text("name", "Name"), text("department", "Dept"), text("role", "Role"),
            Column("start_date", "Start", "date"), Column("end_date", "End", "date"), text("status", "Status"),
            money("monthly_salary", "Monthly salary", p), Column("hourly_rate", "Hourly rate", "money", p),
            Column("monthly_hours", "Hours/month", "qty"), text("manager", "Manager")]
    return Table("employees", cols, employee_rows(book, today, department, status),
                 title=f"Employees (status on {today})")


def employee_table(book: Book, emp: Employee, today: dt.date) -> Table:
    """One employee as field / value rows; the payroll lines that paid them in the notes."""
    f = employee_file(book, emp, today)
    rows = [{"field": k, "value": str(v)} for k, v in f.fields.items()]
    rows.append({"field": "status", "value": f.status})
    notes = [f"department: {f.department.name} ({f.department.id}), cost centre {f.cost_centre}"] if f.department else []
    if f.manages:
        notes.append(f"manages: {', '.join(f.manages)}")
    notes += [f"{p['run']}: {p['days']} days, gross {p['gross']:f}, net {p['net']:f}" for p in f.paid]
    table = Table("employee", [text("field", "Field"), text("value", "Value")], rows,
                  title=f"Employee {emp.id}: {emp.name}", notes=notes)
    table.meta.update({"employee": f.fields, "payroll": f.paid})
    return table


def _line_columns(p: int) -> list[Column]:
    return [Column("employees", "Employees", "int"), money("gross", "Gross", p),
            money("withholding", "Withholding", p), money("employee_contributions", "Employee contrib.", p),
            money("employer_contributions", "Employer contrib.", p), money("net", "Net", p),
            money("cost", "Cost", p)]


def runs_table(book: Book) -> Table:
    p = places(book)
    cols = [text("id", "Id"), text("period", "Period"), Column("date", "Date", "date"), *_line_columns(p),
            text("entry", "Entry"), text("paid_by", "Paid by"),
            money("liabilities_open", "Withholding + contrib. open", p),
            text("liabilities_paid_by", "Liabilities paid by")]
    return Table("payroll-runs", cols, run_rows(book), title="Payroll runs")


def run_table(book: Book, run: PayrollRun, posted: bool = True) -> Table:
    """A run's lines, one per employee, with totals (also the preview of `payroll run --dry-run`)."""
    p = places(book)
    start, end = period_bounds(run.period)
    cols = [text("employee", "Employee"), text("name", "Name"), text("department", "Dept"),
            Column("days", "Days", "int"), *_line_columns(p)[1:]]
    r = run.rates
    notes = [f"{(end - start).days + 1} days in {run.period}; gross = monthly pay x days employed / days in period",
             f"rates: withholding {r.withholding:f}%, employee contributions {r.employee_contributions:f}%, "
             f"employer contributions {r.employer_contributions:f}%"]
    if posted:
        paid = settlements_of(book, run)
        notes.append(f"journal entry: {run.entry}")
        notes.append(f"net pay paid by: {', '.join(e.id for e in paid)}" if paid else "net pay: not yet paid")
        due, paid_l = owed(book, run), liability_payments(book, run)
        notes.append(f"withholding and contributions: {due.open:f} open"
                     + (f", paid by {', '.join(e.id for e in paid_l)}" if paid_l else ""))
    title = f"Payroll {run.id} ({month_label(run.period)}, {book.base})" + ("" if posted else " (preview)")
    table = Table("payroll-run", cols, run_lines(book, run), {"employee": "Total", **line_totals(run)},
                  title=title, notes=notes)
    table.meta.update({"id": run.id, "period": run.period, "date": run.date.isoformat(), "entry": run.entry})
    return table


def preview_table(book: Book, result: PayrollResult) -> Table:
    """What `payroll run --dry-run` shows: the lines, and the entry's postings in the notes."""
    table = run_table(book, result.run, posted=False)
    for p in result.entry.postings:
        side = "debit " if p.amount > 0 else "credit"
        table.notes.append(f"entry: {side} {p.account} {abs(p.amount):,f}  {p.memo or ''}".rstrip())
    table.meta["postings"] = [{"account": p.account, "amount": p.amount, "memo": p.memo}
                              for p in result.entry.postings]
    return table


def headcount_table(book: Book, start: dt.date | None, end: dt.date | None, today: dt.date,
                    by: str = "both", department: str | None = None) -> Table:
    """Headcount at each month's end (or at `end`), joiners and leavers per month and department."""
    h = headcount(book, start, end, today, by, department)
    notes = [f"{m['period']}: {m['name']} ({m['employee']}, {m['department']}) joined {m['date']}"
             if m["event"] == "joined" else
             f"{m['period']}: {m['name']} ({m['employee']}, {m['department']}) left, last day {m['date']}"
             for m in h.movements]
    cols = [text("period", "Period" if by != "department" else "Range")]
    if by != "month":
        cols += [text("department", "Dept"), text("name", "Department")]
    cols += [Column("headcount", "Headcount", "int"), Column("joiners", "Joiners", "int"),
             Column("leavers", "Leavers", "int")]
    table = Table("headcount", cols, h.rows, h.totals, title=f"Headcount {h.start} to {h.end}", notes=notes)
    table.meta.update({"from": h.start.isoformat(), "to": h.end.isoformat()})
    return table


def payroll_table(book: Book, start: dt.date | None, end: dt.date | None, by: str = "department",
                  department: str | None = None) -> Table:
    """Payroll amounts per period and department (or per period, or per employee) from the runs."""
    s = payroll_summary(book, start, end, by, department)
    cols = [text("period", "Period")]
    if by == "department":
        cols += [text("department", "Dept"), text("name", "Department")]
    elif by == "employee":
        cols += [text("employee", "Employee"), text("name", "Name"), text("department", "Dept")]
    cols += _line_columns(places(book))
    if by == "employee":
        cols = [c for c in cols if c.key != "employees"]
    return Table("payroll", cols, s.rows, s.totals, title=f"Payroll by {by} ({book.base})",
                 notes=["cost = gross + employer contributions"])
