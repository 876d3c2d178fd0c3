"""`comptoir hr`: departments, employees and payroll runs; and the `headcount` and `payroll`
reports that `comptoir report` runs."""

from __future__ import annotations

import click

from comptoir.options import (
    as_of,
    date_range,
    emit,
    no_commit,
    output_format,
    parse_date,
    period_columns,
    resolve_range,
)


@click.group()
def hr() -> None:
    """Departments, employees and payroll.

    \b
    Personal data is minimal: name, job, dates, pay, manager and a reference to the
    bank account (never the IBAN). `hr payroll run --period YYYY-MM` pays everyone
    employed in the month, pro-rated by calendar days, and posts the journal entry;
    `hr payroll pay --period YYYY-MM` posts the payment of the net pay, and
    `hr payroll pay-liabilities --period YYYY-MM` the payment of the withholding and
    social contributions to the authorities.
    """


@hr.group()
def department() -> None:
    """Departments: a name, a manager and the expense account salaries are charged to."""


@hr.group()
def employee() -> None:
    """Employees: add, update (salary, department, end date...), list, show."""


@hr.group()
def payroll() -> None:
    """Payroll runs: one per month, posted and paid once."""


# --- helpers -------------------------------------------------------------------------------------

def _amount(value: str | None, option: str):
    if value is None:
        return None
    from comptoir.errors import fail
    from comptoir.schemas.types import to_decimal

    try:
        return to_decimal(value)
    except ValueError as exc:
        raise fail("invalid-amount", f"{option} {value!r}: {exc}", "write a plain number like 3200.00") from None


def _committed(sha: str | None) -> str:
    return f" in commit {sha[:10]}." if sha else "."


def _kind(name: str):
    from comptoir.schemas.registry import kind_named

    return kind_named(name)


# --- departments ---------------------------------------------------------------------------------

@department.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--manager", metavar="EMPLOYEE", help="The employee who manages it.")
@click.option("--cost-centre", metavar="ACCOUNT",
              help="Expense account its salaries are charged to. Default: payroll.salary_expense (6010).")
@click.option("--contributions-centre", metavar="ACCOUNT",
              help="Expense account its employer contributions are charged to. "
                   "Default: payroll.employer_contributions (6020).")
@click.option("--notes")
@no_commit
@click.pass_obj
def department_add(env, code, name, manager, cost_centre, contributions_centre, notes, no_commit) -> None:
    """Add department CODE (a short code like ROAST) named NAME."""
    from comptoir.domain.hr import new_department

    with env.writer("hr department add", no_commit) as w:
        dept = new_department(w.book, code, name, manager, cost_centre, notes, contributions_centre)
        w.put(_kind("department"), dept)
        sha = w.commit(f"Add department {dept.id} {dept.name}", [dept.id])
    click.echo(dept.id)
    click.echo(f"Added department {dept.id} {dept.name}" + _committed(sha), err=True)


@department.command("update")
@click.argument("code")
@click.option("--name")
@click.option("--manager", metavar="EMPLOYEE", help="The employee who manages it.")
@click.option("--cost-centre", metavar="ACCOUNT", help="Expense account its salaries are charged to.")
@click.option("--contributions-centre", metavar="ACCOUNT",
              help="Expense account its employer contributions are charged to.")
@click.option("--notes")
@click.option("--clear", multiple=True,
              type=click.Choice(["manager", "cost_centre", "contributions_centre", "notes"]),
              help="Remove a field (repeatable).")
@no_commit
@click.pass_obj
def department_update(env, code, name, manager, cost_centre, contributions_centre, notes, clear,
                      no_commit) -> None:
    """Change department CODE; the commit message names each change."""
    from comptoir.domain.hr import get_department, revise_department

    with env.writer("hr department update", no_commit) as w:
        rev = revise_department(w.book, get_department(w.book, code),
                                {"name": name, "manager": manager, "cost_centre": cost_centre,
                                 "contributions_centre": contributions_centre, "notes": notes},
                                clear)
        if not rev.changes:
            click.echo(f"Department {code} is unchanged.", err=True)
            return
        w.put(_kind("department"), rev.record, replace=True)
        sha = w.commit(f"Update department {code}: {rev.summary()}", [code])
    click.echo(code)
    click.echo(f"Updated department {code}: {rev.summary()}" + _committed(sha), err=True)


@department.command("list")
@output_format
@as_of
@click.pass_obj
def department_list(env, fmt, as_of) -> None:
    """List departments with their manager, cost centre and headcount today."""
    from comptoir.views.hr import departments_table

    book = env.book(as_of)
    emit(departments_table(book, env.today), fmt, book.revision)


# --- employees -----------------------------------------------------------------------------------

def _pay_options(fn):
    fn = click.option("--bank-account-ref", metavar="REF",
                      help="Reference of the bank account at the bank or payroll provider (not the IBAN).")(fn)
    fn = click.option("--monthly-hours", metavar="HOURS", help="Contracted hours per month (hourly-paid staff).")(fn)
    fn = click.option("--hourly-rate", metavar="AMOUNT", help="Pay per hour (with --monthly-hours).")(fn)
    fn = click.option("--monthly-salary", metavar="AMOUNT", help="Gross salary per month.")(fn)
    fn = click.option("--manager", metavar="EMPLOYEE", help="Id of their manager.")(fn)
    fn = click.option("--end", "end", help="Last day employed (YYYY-MM-DD), for a leaver.")(fn)
    return fn


@employee.command("add")
@click.argument("name")
@click.option("--department", required=True, metavar="CODE", help="Department code.")
@click.option("--role", required=True, help="Job title.")
@click.option("--start", "start", help="First day employed (YYYY-MM-DD). Default: today.")
@_pay_options
@click.option("--id", "ident", help="Employee id. Default: E-<start date>-XXXX.")
@no_commit
@click.pass_obj
def employee_add(env, name, department, role, start, end, manager, monthly_salary, hourly_rate,
                 monthly_hours, bank_account_ref, ident, no_commit) -> None:
    """Add employee NAME; prints the new id.

    \b
    comptoir hr employee add "Ana Pereira" --department ROAST --role "Head roaster" \\
        --start 2026-08-01 --monthly-salary 3200 --bank-account-ref PAYR-0001
    """
    from comptoir.domain.hr import new_employee

    fields = {"id": ident, "name": name, "department": department, "role": role,
              "start_date": parse_date(start, "--start") or env.today, "end_date": parse_date(end, "--end"),
              "manager": manager, "monthly_salary": _amount(monthly_salary, "--monthly-salary"),
              "hourly_rate": _amount(hourly_rate, "--hourly-rate"),
              "monthly_hours": _amount(monthly_hours, "--monthly-hours"), "bank_account_ref": bank_account_ref}
    with env.writer("hr employee add", no_commit) as w:
        emp = new_employee(w.book, fields, env.rng)
        w.put(_kind("employee"), emp)
        sha = w.commit(f"Add employee {emp.id} ({emp.role}, {emp.department}) starting {emp.start_date}", [emp.id])
    click.echo(emp.id)
    click.echo(f"Added employee {emp.id} {emp.name}" + _committed(sha), err=True)


@employee.command("update")
@click.argument("ident", metavar="ID")
@click.option("--name")
@click.option("--department", metavar="CODE", help="Move to another department.")
@click.option("--role", help="New job title.")
@click.option("--start", "start", help="Correct the first day employed.")
@_pay_options
@click.option("--clear", multiple=True, type=click.Choice(["end_date", "manager", "bank_account_ref"]),
              help="Remove a field (repeatable): end_date to cancel a leaving date.")
@no_commit
@click.pass_obj
def employee_update(env, ident, name, department, role, start, end, manager, monthly_salary, hourly_rate,
                    monthly_hours, bank_account_ref, clear, no_commit) -> None:
    """Change employee ID: a raise, a move, a leaving date. The commit message names each change,
    so `comptoir history ID` shows the record over time."""
    from comptoir.domain.hr import get_employee, revise_employee

    changes = {"name": name, "department": department, "role": role, "start_date": parse_date(start, "--start"),
               "end_date": parse_date(end, "--end"), "manager": manager,
               "monthly_salary": _amount(monthly_salary, "--monthly-salary"),
               "hourly_rate": _amount(hourly_rate, "--hourly-rate"),
               "monthly_hours": _amount(monthly_hours, "--monthly-hours"), "bank_account_ref": bank_account_ref}
    with env.writer("hr employee update", no_commit) as w:
        rev = revise_employee(w.book, get_employee(w.book, ident), changes, clear)
        if not rev.changes:
            click.echo(f"Employee {ident} is unchanged.", err=True)
            return
        w.put(_kind("employee"), rev.record, replace=True)
        sha = w.commit(f"Update employee {ident}: {rev.summary()}", [ident])
    click.echo(ident)
    click.echo(f"Updated employee {ident}: {rev.summary()}" + _committed(sha), err=True)


@employee.command("list")
@click.option("--department", metavar="CODE", help="Only this department.")
@click.option("--status", type=click.Choice(["active", "starting", "left"]), help="Only employees in this status.")
@click.option("--on", "on", help="The day the status is taken (YYYY-MM-DD). Default: today.")
@output_format
@as_of
@click.pass_obj
def employee_list(env, department, status, on, fmt, as_of) -> None:
    """List employees with their department, dates, pay and status."""
    from comptoir.views.hr import employees_table

    book = env.book(as_of)
    emit(employees_table(book, parse_date(on, "--on") or env.today, department, status), fmt, book.revision)


@employee.command("show")
@click.argument("ident", metavar="ID")
@output_format
@as_of
@click.pass_obj
def employee_show(env, ident, fmt, as_of) -> None:
    """Show one employee and the payroll runs that paid them."""
    from comptoir.domain.hr import get_employee
    from comptoir.views.hr import employee_table

    book = env.book(as_of)
    emit(employee_table(book, get_employee(book, ident), env.today), fmt, book.revision)


# --- payroll -------------------------------------------------------------------------------------

@payroll.command("run")
@click.option("--period", required=True, metavar="YYYY-MM", help="The month to pay.")
@click.option("--dry-run", is_flag=True, help="Show the lines and write nothing.")
@output_format
@no_commit
@click.pass_obj
def payroll_run(env, period, dry_run, fmt, no_commit) -> None:
    """Pay everyone employed in the month: writes the payroll record and posts its entry.

    \b
    Gross = monthly pay x calendar days employed / days in the month (start and end
    dates count), rounded half-even. Withholding and contributions are the percentages
    in comptoir.yaml (payroll:). The entry debits each department's cost centre with
    its gross and its contributions centre with its employer contributions, and credits net pay,
    withholding and contributions payable. A period runs once. Prints the run id and
    the entry id.
    """
    from comptoir.domain.hr import run_payroll
    from comptoir.views.hr import preview_table

    if dry_run:
        book = env.book()
        emit(preview_table(book, run_payroll(book, period, env.today, env.rng)), fmt)
        return
    with env.writer("hr payroll run", no_commit) as w:
        result = run_payroll(w.book, period, env.today, env.rng)
        w.put(_kind("payroll"), result.run)
        w.put(_kind("journal"), result.entry)
        t = result.totals
        sha = w.commit(f"Run payroll {period}: {t.employees} employees, gross {t.gross:,f} {w.book.base}",
                       [result.run.id, result.entry.id],
                       body=f"Net pay {t.net:,f}, withholding {t.withholding:,f}, contributions "
                            f"{t.employee_contributions + t.employer_contributions:,f} {w.book.base}.")
    click.echo(result.run.id)
    click.echo(result.entry.id)
    click.echo(f"Ran payroll {period} for {t.employees} employees: gross {t.gross:,f}, net {t.net:,f}, "
               f"cost {t.cost:,f}; posted {result.entry.id}" + _committed(sha), err=True)


@payroll.command("pay")
@click.option("--period", required=True, metavar="YYYY-MM|PAY-ID", help="The payroll run to pay.")
@click.option("--date", "date_", help="Payment date. Default: today, or the run's date if that is later.")
@click.option("--account", metavar="ACCOUNT", help="Bank account paid from. Default: accounts.bank (1010).")
@no_commit
@click.pass_obj
def payroll_pay(env, period, date_, account, no_commit) -> None:
    """Post the payment of a run's net pay (debit net pay payable, credit the bank); once per run."""
    from comptoir.domain.hr import settle_net_pay

    with env.writer("hr payroll pay", no_commit) as w:
        entry = settle_net_pay(w.book, period, parse_date(date_, "--date"), account, env.today, env.rng)
        w.put(_kind("journal"), entry)
        sha = w.commit(f"Pay {entry.reference}: {entry.memo}, {entry.postings[0].amount:,f} {w.book.base}",
                       [entry.id, entry.reference or ""])
    click.echo(entry.id)
    click.echo(f"Paid the net pay of {entry.reference} with {entry.id}" + _committed(sha), err=True)


@payroll.command("pay-liabilities")
@click.option("--period", required=True, metavar="YYYY-MM|PAY-ID", help="The payroll run whose liabilities are paid.")
@click.option("--date", "date_", help="Payment date. Default: today, or the run's date if that is later.")
@click.option("--account", metavar="ACCOUNT", help="Bank account paid from. Default: accounts.bank (1010).")
@click.option("--withholding", metavar="AMOUNT", help="Pay only this much of the withholding (2310).")
@click.option("--contributions", metavar="AMOUNT", help="Pay only this much of the contributions (2320).")
@no_commit
@click.pass_obj
def payroll_pay_liabilities(env, period, date_, account, withholding, contributions, no_commit) -> None:
    """Pay a run's income tax withheld and social contributions (employee and employer) to the
    authorities: one entry debiting withholding payable (2310) and contributions payable (2320),
    crediting the bank.

    
    Without amounts, everything the run still owes; with --withholding and/or
    --contributions, only that much (the rest stays owed). More than the run still owes,
    or than the payable accounts hold, is refused. Also `comptoir pay send --payroll
    YYYY-MM --liabilities`.
    """
    _pay_liabilities(env, period, date_, account, withholding, contributions, no_commit)


def _pay_liabilities(env, period, date_, account, withholding, contributions, no_commit,
                     command: str = "hr payroll pay-liabilities") -> None:
    from comptoir.domain.hr import pay_liabilities

    with env.writer(command, no_commit) as w:
        entry = pay_liabilities(w.book, period, parse_date(date_, "--date"), account, env.today, env.rng,
                                _amount(withholding, "--withholding"), _amount(contributions, "--contributions"))
        w.put(_kind("journal"), entry)
        total = -entry.postings[-1].amount
        sha = w.commit(f"Pay {entry.reference}: {entry.memo}, {total:,f} {w.book.base}",
                       [entry.id, entry.reference or ""])
    click.echo(entry.id)
    click.echo(f"Paid the withholding and contributions of {entry.reference} ({total:,f} {w.book.base}) with "
               f"{entry.id}" + _committed(sha), err=True)


@payroll.command("list")
@output_format
@as_of
@click.pass_obj
def payroll_list(env, fmt, as_of) -> None:
    """List payroll runs with their totals, entry and payment."""
    from comptoir.views.hr import runs_table

    book = env.book(as_of)
    emit(runs_table(book), fmt, book.revision)


@payroll.command("show")
@click.argument("ident", metavar="PAY-ID|YYYY-MM")
@output_format
@as_of
@click.pass_obj
def payroll_show(env, ident, fmt, as_of) -> None:
    """Show one payroll run: every employee's amounts."""
    from comptoir.domain.hr import get_run
    from comptoir.views.hr import run_table

    book = env.book(as_of)
    emit(run_table(book, get_run(book, ident)), fmt, book.revision)


# --- reports (registered in cli/commands/report.py) ----------------------------------------------

@click.command("headcount")
@date_range
@click.option("--by", type=click.Choice(["both", "month", "department"]), default="both", show_default=True,
              help="Rows per month and department, per month, or per department over the whole range.")
@click.option("--department", metavar="CODE", help="Only this department.")
@output_format
@as_of
@click.pass_obj
def headcount_report(env, from_, to_, period, year, by, department, fmt, as_of) -> None:
    """Headcount at each month's end, joiners and leavers, by department."""
    from comptoir.views.hr import headcount_table

    book = env.book(as_of)
    start, end = resolve_range(book.settings, from_, to_, period, year)
    emit(headcount_table(book, start, end, env.today, by, department), fmt,
         f"commit {book.revision[:10]}" if book.revision else None)


@click.command("payroll")
@date_range
@click.option("--by", type=click.Choice(["department", "period", "employee"]), default="department",
              show_default=True, help="Rows per period and department, per period, or per employee.")
@click.option("--department", metavar="CODE", help="Only this department.")
@output_format
@as_of
@period_columns(by=False)
@click.pass_obj
def payroll_report(env, from_, to_, period, year, by, department, fmt, as_of, per) -> None:
    """Payroll per period and department: gross, withholding, contributions, net and cost."""
    from comptoir.domain.hr.reports import READS
    from comptoir.views.hr import payroll_table as build

    book = env.book(as_of, kinds=READS["payroll_summary"])  # the runs, employees and departments
    start, end = resolve_range(book.settings, from_, to_, period, year)
    if per:  # cost per --by group (department, employee) in one column per period
        from comptoir.views import periodic

        return emit(periodic.payroll(book, start, end, per, by, department), fmt,
                    f"commit {book.revision[:10]}" if book.revision else None)
    emit(build(book, start, end, by, department), fmt, f"commit {book.revision[:10]}" if book.revision else None)


# `comptoir report` commands of this family (listed by name in comptoir.families).
REPORTS = [headcount_report, payroll_report]
