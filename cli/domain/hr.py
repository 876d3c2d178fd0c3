"""HR and payroll: departments, employees, payroll runs and their journal entries, the
headcount and payroll reports, the HR validation rules and overview section.

Pro-rating: an employee's monthly pay (the salary, or the hourly rate x contracted
monthly hours) is multiplied by the calendar days they are employed in the period,
start and end dates included, over the days in the period, then rounded half-even to
the currency's places. Withholding and contributions are percentages of that gross,
each rounded the same way; net pay is gross - withholding - employee contributions, so
the payroll entry balances by construction.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from comptoir.errors import Problem, fail, input_problems
from comptoir.model import Book
from comptoir.schemas.accounting import JournalEntry
from comptoir.schemas.hr import (
    Department,
    Employee,
    PayrollLine,
    PayrollRates,
    PayrollRun,
    payroll_id,
    period_bounds,
)
from comptoir.schemas.types import Record, currency_places, places_of

from .changes import Change, diff_records
from .ids import id_prefix, new_id
from .ledger import ZERO, balances, entries_between, round_to
from .overview import section
from .payroll_liabilities import liability_payments, overpaid_problems, owed
from .table import Column, Table, money, text
from .validation import rule

HUNDRED = Decimal(100)
LIABILITIES_TAG = "payroll-liabilities"  # tags the payments of a run's withholding and contributions
RATE_PLACES = 4  # an hourly rate may carry more places than the currency (18.3750)


# --- lookups -----------------------------------------------------------------------------------

def places(book: Book) -> int:
    return currency_places(book.base)


def departments(book: Book) -> dict[str, Department]:
    return book.of("department")  # type: ignore[return-value]


def employees(book: Book) -> dict[str, Employee]:
    return book.of("employee")  # type: ignore[return-value]


def runs(book: Book) -> dict[str, PayrollRun]:
    return book.of("payroll")  # type: ignore[return-value]


def get_department(book: Book, code: str) -> Department:
    dept = departments(book).get(code)
    if dept is None:
        raise fail("unknown-department", f"there is no department {code}",
                   "`comptoir hr department list` shows the codes; add one with `comptoir hr department add`")
    return dept


def get_employee(book: Book, ident: str) -> Employee:
    emp = employees(book).get(ident)
    if emp is None:
        raise fail("unknown-employee", f"there is no employee {ident}", "`comptoir hr employee list` shows the ids")
    return emp


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


# --- building records from input ---------------------------------------------------------------

def validated(model: type[Record], data: dict, what: str) -> Any:
    """A record from command-line input; problems name the field."""
    clean = {k: v for k, v in data.items() if v is not None}
    try:
        return model.model_validate(clean)
    except ValidationError as exc:
        raise input_problems(exc, what) from None


def pay_amount(value: Decimal | None, at_most: int, at_least: int, option: str) -> Decimal | None:
    """An amount typed by a person, with at least the currency's places (3200 -> 3200.00)."""
    if value is None:
        return None
    if places_of(value) > at_most:
        raise fail("too-many-places", f"{option} {value} has more than {at_most} decimal places",
                   f"round it to {at_most} places")
    return value.quantize(Decimal(1).scaleb(-max(at_least, places_of(value))))


def _check_links(book: Book, department: str | None, manager: str | None, ident: str | None = None) -> None:
    if department is not None:
        get_department(book, department)
    if manager is not None:
        if manager == ident:
            raise fail("own-manager", f"{ident} cannot be their own manager", "give another employee id")
        get_employee(book, manager)


def _check_expense_account(book: Book, code: str | None, what: str) -> None:
    if code is not None and code not in book.accounts:
        raise fail("unknown-account", f"{what} account {code} does not exist",
                   "use an expense account from `comptoir account list`, or add one with `comptoir account add`")


def new_department(book: Book, code: str, name: str, manager: str | None, cost_centre_: str | None,
                   notes: str | None = None, contributions_centre_: str | None = None) -> Department:
    if manager is not None:
        get_employee(book, manager)
    _check_expense_account(book, cost_centre_, "cost centre")
    _check_expense_account(book, contributions_centre_, "contributions centre")
    return validated(Department, {"id": code, "name": name, "manager": manager, "cost_centre": cost_centre_,
                                  "contributions_centre": contributions_centre_, "notes": notes}, "department")


def new_employee(book: Book, fields: dict, rng: random.Random) -> Employee:
    """A new employee; the id is E-<start date>-XXXX unless one is given."""
    p = places(book)
    data = dict(fields)
    _check_links(book, data.get("department"), data.get("manager"), data.get("id"))
    data["monthly_salary"] = pay_amount(data.get("monthly_salary"), p, p, "--monthly-salary")
    data["hourly_rate"] = pay_amount(data.get("hourly_rate"), RATE_PLACES, p, "--hourly-rate")
    if not data.get("start_date"):
        raise fail("missing-start", "an employee needs a start date", "give --start YYYY-MM-DD")
    if not data.get("id"):
        data["id"] = new_id(id_prefix(book, "employee"), data["start_date"], employees(book), rng)
    elif data["id"] in employees(book):
        raise fail("duplicate-id", f"employee {data['id']} already exists", "choose another id, or update it")
    return validated(Employee, data, "employee")


@dataclass
class Revision:
    """A changed record and the field changes a commit message names."""

    record: Any
    changes: list[Change]

    def summary(self) -> str:
        return ", ".join(c.as_text() for c in self.changes)


def revise_employee(book: Book, emp: Employee, changes: dict, clear: Iterable[str] = ()) -> Revision:
    """Apply changes (None = unchanged) and clear fields; switching pay type drops the other one."""
    p = places(book)
    given = {k: v for k, v in changes.items() if v is not None}
    _check_links(book, given.get("department"), given.get("manager"), emp.id)
    if "monthly_salary" in given:
        given["monthly_salary"] = pay_amount(given["monthly_salary"], p, p, "--monthly-salary")
        if "hourly_rate" not in given:
            given.update(hourly_rate=None, monthly_hours=None)
    if "hourly_rate" in given:
        given["hourly_rate"] = pay_amount(given["hourly_rate"], RATE_PLACES, p, "--hourly-rate")
        if "monthly_salary" not in given:
            given["monthly_salary"] = None
    data = emp.model_dump(mode="python")
    data.update(given)
    for name in clear:
        data[name] = None
    new = validated(Employee, data, f"employee {emp.id}")
    return Revision(new, diff_records(emp, new))


def revise_department(book: Book, dept: Department, changes: dict, clear: Iterable[str] = ()) -> Revision:
    given = {k: v for k, v in changes.items() if v is not None}
    if "manager" in given:
        get_employee(book, given["manager"])
    _check_expense_account(book, given.get("cost_centre"), "cost centre")
    _check_expense_account(book, given.get("contributions_centre"), "contributions centre")
    data = dept.model_dump(mode="python")
    data.update(given)
    for name in clear:
        data[name] = None
    new = validated(Department, data, f"department {dept.id}")
    return Revision(new, diff_records(dept, new))


# --- payroll -----------------------------------------------------------------------------------

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


def settlements_of(book: Book, run: PayrollRun) -> list[JournalEntry]:
    """Entries paying the run's net pay that are not reversed: entries with source = the run id
    (other than the payments of its withholding and contributions)."""
    reversed_ids = {e.reverses for e in book.entries.values() if e.reverses}
    return sorted((e for e in book.entries.values()
                   if e.source == run.id and e.id != run.entry and e.id not in reversed_ids
                   and LIABILITIES_TAG not in e.tags),
                  key=lambda e: (e.date, e.id))


def settle_net_pay(book: Book, period: str, day: dt.date | None, bank: str | None, today: dt.date,
                   rng: random.Random) -> JournalEntry:
    """The payment of a run's net pay: debit net pay payable, credit the bank. Once per run."""
    run = get_run(book, period)
    paid = settlements_of(book, run)
    if paid:
        raise fail("payroll-already-paid", f"the net pay of {run.id} was already paid by {paid[0].id} on {paid[0].date}",
                   f"a run is paid once; to undo the payment, `comptoir journal reverse {paid[0].id}`",
                   file=book.source("journal", paid[0].id), line=1)
    day = day or max(today, run.date)
    if day < run.date:
        raise fail("payment-before-payroll", f"the payment date {day} is before the payroll's date {run.date}",
                   f"pay on or after {run.date}, when the net pay is owed")
    bank = bank or book.settings.accounts.bank
    if bank not in book.accounts:
        raise fail("unknown-account", f"account {bank} does not exist", "give --account a bank account code")
    net = totals_of(run.lines).net
    return JournalEntry.model_validate({
        "id": new_id(id_prefix(book, "journal"), day, book.entries, rng), "date": day,
        "memo": f"Net pay {month_label(run.period)}", "reference": run.id, "source": run.id,
        "postings": [{"account": book.settings.payroll.net_pay_payable, "amount": net, "memo": "Net pay"},
                     {"account": bank, "amount": -net}]})


# --- lists -------------------------------------------------------------------------------------

def status_on(emp: Employee, day: dt.date) -> str:
    if emp.start_date > day:
        return "starting"
    if emp.end_date is not None and emp.end_date < day:
        return "left"
    return "active"


def departments_table(book: Book, today: dt.date) -> Table:
    emps = employees(book)
    rows = []
    for code, d in sorted(departments(book).items()):
        manager = emps.get(d.manager) if d.manager else None
        rows.append({"code": code, "name": d.name, "manager": d.manager or "",
                     "manager_name": manager.name if manager else "",
                     "cost_centre": cost_centre(book, code),
                     "contributions_centre": contributions_centre(book, code),
                     "headcount": sum(1 for e in emps.values() if e.department == code and e.employed_on(today))})
    cols = [text("code", "Code"), text("name", "Name"), text("manager", "Manager"),
            text("manager_name", "Manager name"), text("cost_centre", "Cost centre"),
            text("contributions_centre", "Contributions centre"),
            Column("headcount", "Headcount", "int")]
    return Table("departments", cols, rows, title=f"Departments (headcount on {today})")


def employees_table(book: Book, today: dt.date, department: str | None = None,
                    status: str | None = None) -> Table:
    p = places(book)
    rows = []
    for e in sorted(employees(book).values(), key=lambda e: (e.department, e.name, e.id)):
        st = status_on(e, today)
        if (department and e.department != department) or (status and st != status):
            continue
        rows.append({"id": e.id, "name": e.name, "department": e.department, "role": e.role,
                     "start_date": e.start_date, "end_date": e.end_date, "status": st,
                     "monthly_salary": e.monthly_salary, "hourly_rate": e.hourly_rate,
                     "monthly_hours": e.monthly_hours, "manager": e.manager or ""})
    cols = [text("id", "Id"), text("name", "Name"), text("department", "Dept"), text("role", "Role"),
            Column("start_date", "Start", "date"), Column("end_date", "End", "date"), text("status", "Status"),
            money("monthly_salary", "Monthly salary", p), Column("hourly_rate", "Hourly rate", "money", p),
            Column("monthly_hours", "Hours/month", "qty"), text("manager", "Manager")]
    return Table("employees", cols, rows, title=f"Employees (status on {today})")


def employee_table(book: Book, emp: Employee, today: dt.date) -> Table:
    """One employee as field / value rows; the payroll lines that paid them in the notes."""
    data = emp.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    rows = [{"field": k, "value": str(v)} for k, v in data.items()]
    rows.append({"field": "status", "value": status_on(emp, today)})
    dept = departments(book).get(emp.department)
    notes = [f"department: {dept.name} ({dept.id}), cost centre {cost_centre(book, dept.id)}"] if dept else []
    reports = sorted(e.id for e in employees(book).values() if e.manager == emp.id)
    if reports:
        notes.append(f"manages: {', '.join(reports)}")
    paid = []
    for run in sorted(runs(book).values(), key=lambda r: r.period):
        for line in run.lines:
            if line.employee == emp.id:
                paid.append({"run": run.id, "period": run.period, "days": line.days, "gross": line.gross,
                             "net": line.net})
                notes.append(f"{run.id}: {line.days} days, gross {line.gross:f}, net {line.net:f}")
    table = Table("employee", [text("field", "Field"), text("value", "Value")], rows,
                  title=f"Employee {emp.id}: {emp.name}", notes=notes)
    table.meta.update({"employee": data, "payroll": paid})
    return table


def _line_columns(p: int) -> list[Column]:
    return [Column("employees", "Employees", "int"), money("gross", "Gross", p),
            money("withholding", "Withholding", p), money("employee_contributions", "Employee contrib.", p),
            money("employer_contributions", "Employer contrib.", p), money("net", "Net", p),
            money("cost", "Cost", p)]


def runs_table(book: Book) -> Table:
    p = places(book)
    rows = []
    for run in sorted(runs(book).values(), key=lambda r: r.period):
        paid = settlements_of(book, run)
        rows.append({"id": run.id, "period": run.period, "date": run.date, **totals_of(run.lines).row(),
                     "entry": run.entry, "paid_by": ", ".join(e.id for e in paid),
                     "liabilities_open": owed(book, run).open,
                     "liabilities_paid_by": ", ".join(e.id for e in liability_payments(book, run))})
    cols = [text("id", "Id"), text("period", "Period"), Column("date", "Date", "date"), *_line_columns(p),
            text("entry", "Entry"), text("paid_by", "Paid by"),
            money("liabilities_open", "Withholding + contrib. open", p),
            text("liabilities_paid_by", "Liabilities paid by")]
    return Table("payroll-runs", cols, rows, title="Payroll runs")


def run_table(book: Book, run: PayrollRun, posted: bool = True) -> Table:
    """A run's lines, one per employee, with totals (also the preview of `payroll run --dry-run`)."""
    p = places(book)
    emps = employees(book)
    start, end = period_bounds(run.period)
    rows = []
    for line in run.lines:
        emp = emps.get(line.employee)
        rows.append({"employee": line.employee, "name": emp.name if emp else "?", "department": line.department,
                     "days": line.days, "gross": line.gross, "withholding": line.withholding,
                     "employee_contributions": line.employee_contributions,
                     "employer_contributions": line.employer_contributions, "net": line.net,
                     "cost": line.cost})
    t = totals_of(run.lines)
    totals = {"employee": "Total", **t.row()}
    del totals["employees"]
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
    table = Table("payroll-run", cols, rows, totals, title=title, notes=notes)
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


# --- reports -----------------------------------------------------------------------------------

def _months(start: dt.date, end: dt.date) -> list[str]:
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def headcount_table(book: Book, start: dt.date | None, end: dt.date | None, today: dt.date,
                    by: str = "both", department: str | None = None) -> Table:
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
    keys = sorted({e.department for e in emps})
    buckets: list[tuple[str, dt.date, dt.date]] = []  # label, first day, last day (headcount taken then)
    if by == "department":
        buckets = [(f"{start} .. {end}", start, end)]
    else:
        for period in _months(start, end):
            first, last = period_bounds(period)
            buckets.append((period, max(first, start), min(last, end)))
    rows = []
    notes = []
    for label, first, last in buckets:
        groups = [None] if by == "month" else keys
        for key in groups:
            members = [e for e in emps if key is None or e.department == key]
            joined = [e for e in members if first <= e.start_date <= last]
            left = [e for e in members if e.end_date is not None and first <= e.end_date <= last]
            count = sum(1 for e in members if e.employed_on(last))
            if not (count or joined or left):
                continue
            row = {"period": label, "headcount": count, "joiners": len(joined), "leavers": len(left)}
            if key is not None:
                row = {"period": label, "department": key, "name": depts[key].name if key in depts else "?", **row}
            rows.append(row)
        if by != "department":
            notes += [f"{label}: {e.name} ({e.id}, {e.department}) joined {e.start_date}"
                      for e in sorted(emps, key=lambda e: e.start_date) if first <= e.start_date <= last]
            notes += [f"{label}: {e.name} ({e.id}, {e.department}) left, last day {e.end_date}"
                      for e in sorted(emps, key=lambda e: e.end_date or end)
                      if e.end_date is not None and first <= e.end_date <= last]
    last_label = buckets[-1][0] if buckets else ""
    totals = {"period": "Total", "headcount": sum(r["headcount"] for r in rows if r["period"] == last_label),
              "joiners": sum(r["joiners"] for r in rows), "leavers": sum(r["leavers"] for r in rows)}
    cols = [text("period", "Period" if by != "department" else "Range")]
    if by != "month":
        cols += [text("department", "Dept"), text("name", "Department")]
    cols += [Column("headcount", "Headcount", "int"), Column("joiners", "Joiners", "int"),
             Column("leavers", "Leavers", "int")]
    table = Table("headcount", cols, rows, totals, title=f"Headcount {start} to {end}", notes=notes)
    table.meta.update({"from": start.isoformat(), "to": end.isoformat()})
    return table


def payroll_report(book: Book, start: dt.date | None, end: dt.date | None, by: str = "department",
                   department: str | None = None) -> Table:
    """Payroll amounts per period and department (or per period, or per employee) from the runs."""
    p = places(book)
    emps = employees(book)
    depts = departments(book)
    selected = sorted((r for r in runs(book).values()
                       if (start is None or r.date >= start) and (end is None or r.date <= end)),
                      key=lambda r: r.period)
    groups: dict[tuple, Totals] = {}
    for run in selected:
        for line in run.lines:
            if department and line.department != department:
                continue
            if by == "period":
                key: tuple = (run.period,)
            elif by == "employee":
                key = (run.period, line.employee)
            else:
                key = (run.period, line.department)
            groups.setdefault(key, Totals()).add(line)
    rows = []
    for key in sorted(groups):
        row: dict = {"period": key[0]}
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
    cols = [text("period", "Period")]
    if by == "department":
        cols += [text("department", "Dept"), text("name", "Department")]
    elif by == "employee":
        cols += [text("employee", "Employee"), text("name", "Name"), text("department", "Dept")]
    cols += _line_columns(p)
    if by == "employee":
        cols = [c for c in cols if c.key != "employees"]
    return Table("payroll", cols, rows, totals, title=f"Payroll by {by} ({book.base})",
                 notes=["cost = gross + employer contributions"])


# --- rules -------------------------------------------------------------------------------------

@rule(reads=("account", "department", "employee", "payroll"))
def hr_references(book: Book) -> list[Problem]:
    """Employees and departments name known departments, managers and accounts; dates in order."""
    out: list[Problem] = []
    depts, emps, accounts = departments(book), employees(book), book.accounts
    for code, d in depts.items():
        src = book.source("department", code)
        if d.manager and d.manager not in emps:
            out.append(Problem(src, 0, "unknown-manager", f"department {code}: manager {d.manager} is not an employee",
                               "use an id from `comptoir hr employee list`", loc=("manager",)))
        for field, what in (("cost_centre", "cost centre"), ("contributions_centre", "contributions centre")):
            account = getattr(d, field)
            if not account:
                continue
            acct = accounts.get(account)
            if acct is None:
                out.append(Problem(src, 0, "unknown-account",
                                   f"department {code}: {what} account {account} does not exist",
                                   "use an expense account from `comptoir account list`", loc=(field,)))
            elif acct.type != "expense":
                out.append(Problem(src, 0, "cost-centre-not-expense",
                                   f"department {code}: {what} {account} is a {acct.type} account",
                                   "payroll costs are an expense; use an expense account", loc=(field,)))
    for ident, e in emps.items():
        src = book.source("employee", ident)
        if e.department not in depts:
            out.append(Problem(src, 0, "unknown-department", f"employee {ident}: department {e.department} does not exist",
                               "add it with `comptoir hr department add` or fix `department:`", loc=("department",)))
        if e.manager == ident:
            out.append(Problem(src, 0, "own-manager", f"employee {ident} is their own manager",
                               "set another manager or remove `manager:`", loc=("manager",)))
        elif e.manager and e.manager not in emps:
            out.append(Problem(src, 0, "unknown-manager", f"employee {ident}: manager {e.manager} is not an employee",
                               "use an id from `comptoir hr employee list`", loc=("manager",)))
        if e.end_date is not None and e.end_date < e.start_date:
            out.append(Problem(src, 0, "end-before-start",
                               f"employee {ident}: end_date {e.end_date} is before start_date {e.start_date}",
                               "fix one of the dates (end_date is the last day employed)", loc=("end_date",)))
    if emps or runs(book):
        s = book.settings.payroll
        for field in ("salary_expense", "employer_contributions", "net_pay_payable", "withholding_payable",
                      "contributions_payable"):
            code = getattr(s, field)
            if code not in accounts:
                out.append(Problem(book.settings_path, 0, "unknown-account",
                                   f"payroll.{field}: account {code} does not exist",
                                   "add the account or point the setting at an existing one",
                                   loc=("payroll", field)))
    return out


def _payroll_delta(change) -> list[Problem] | None:
    """Journal entries settle a run through `source:` (and stop settling it when reversed); an
    added entry with neither is not a settlement, and payroll runs only look up their own entry."""
    if change.kinds != {"journal"}:
        return None
    if any(e.source or e.reverses for e in change.new("journal")):
        return None
    return []


@rule(reads=("department", "employee", "journal", "payroll"),
      delta=lambda book, change, facts: _payroll_delta(change))
def payroll_runs(book: Book) -> list[Problem]:
    """Runs pay known employees, each period once, agree with their journal entry, and are paid once."""
    out: list[Problem] = []
    emps, depts = employees(book), departments(book)
    by_period: dict[str, list[str]] = {}
    by_entry: dict[str, list[str]] = {}
    for ident in sorted(runs(book)):
        run = runs(book)[ident]
        src = book.source("payroll", ident)
        by_period.setdefault(run.period, []).append(ident)
        by_entry.setdefault(run.entry, []).append(ident)
        for i, line in enumerate(run.lines):
            if line.employee not in emps:
                out.append(Problem(src, 0, "unknown-employee", f"{ident}: employee {line.employee} does not exist",
                                   "restore the employee record; a paid employee's record stays (with an end_date)",
                                   loc=("lines", i, "employee")))
            if line.department not in depts:
                out.append(Problem(src, 0, "unknown-department", f"{ident}: department {line.department} does not exist",
                                   "restore the department record", loc=("lines", i, "department")))
        entry = book.entries.get(run.entry)
        if entry is None:
            out.append(Problem(src, 0, "unknown-entry", f"{ident}: journal entry {run.entry} does not exist",
                               "restore the entry; a payroll run and its entry are committed together",
                               loc=("entry",)))
            continue
        t = totals_of(run.lines)
        debits = sum((p.amount for p in entry.postings if p.amount > 0), ZERO)
        if debits != t.cost or entry.date != run.date:
            out.append(Problem(src, 0, "payroll-entry-mismatch",
                               f"{ident}: the run costs {t.cost:f} (gross + employer contributions) on {run.date}, "
                               f"its entry {run.entry} debits {debits:f} on {entry.date}",
                               "the run and its entry must agree; restore both as they were posted",
                               loc=("entry",)))
        paid = settlements_of(book, run)
        if len(paid) > 1:
            out.append(Problem(book.source("journal", paid[1].id), 0, "payroll-paid-twice",
                               f"the net pay of {ident} is paid by {len(paid)} entries: {', '.join(e.id for e in paid)}",
                               "reverse all but one with `comptoir journal reverse`"))
        out += overpaid_problems(book, run)
    for period, idents in by_period.items():
        if len(idents) > 1:
            for ident in idents[1:]:
                out.append(Problem(book.source("payroll", ident), 0, "payroll-run-twice",
                                   f"payroll for {period} is run twice: {', '.join(idents)}",
                                   "a period is paid once; remove the extra run and its entry",
                                   loc=("period",)))
    for entry_id, idents in by_entry.items():
        if len(idents) > 1:
            out.append(Problem(book.source("payroll", idents[1]), 0, "payroll-entry-shared",
                               f"journal entry {entry_id} is claimed by several runs: {', '.join(idents)}",
                               "each run has its own entry", loc=("entry",)))
    return out


# --- overview ----------------------------------------------------------------------------------

@section
def hr_overview(book: Book, today: dt.date) -> list[dict]:
    emps = employees(book)
    all_runs = runs(book)
    if not emps and not all_runs:
        return []
    rows: list[dict] = [{"section": "HR", "measure": "Headcount",
                         "value": sum(1 for e in emps.values() if e.employed_on(today))}]
    started = [r for r in all_runs.values() if period_bounds(r.period)[0] <= today]
    if started:
        last = max(started, key=lambda r: r.period)
        rows.append({"section": "HR", "measure": f"Payroll cost {month_label(last.period)} (gross + employer)",
                     "value": totals_of(last.lines).cost})
    payable = book.settings.payroll.net_pay_payable
    owed = -balances(book, entries_between(book, None, today)).get(payable, ZERO)
    rows.append({"section": "HR", "measure": "Net pay owed to staff", "value": owed})
    return rows


# What this module adds to its family (comptoir.families collects these lists).
RULES = [hr_references, payroll_runs]
SECTIONS = [hr_overview]
