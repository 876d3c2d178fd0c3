"""The checks on stored HR records: references between departments, employees and accounts,
and payroll runs that agree with their journal entries and are run and paid once."""

from __future__ import annotations

from comptoir.errors import Problem
from comptoir.model import Book

from ..ledger import ZERO
from ..validation import Change, keeping, rule
from .common import departments, employees, runs
from .payments import overpaid_problems, settlements_of
from .payroll import totals_of


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


def _payroll_delta(change: Change) -> list[Problem] | None:
    """Journal entries settle a run through `source:` (and stop settling it when reversed); an
    added entry with neither is not a settlement, and payroll runs only look up their own entry."""
    if change.kinds != {"journal"}:
        return None
    if any(e.source or e.reverses for e in change.new("journal")):
        return None
    return []


def _payroll_entry(book: Book, entry) -> bool:
    """A run's entry, a payment of a run (its `source` is the run), or a reversal (of a payment?)."""
    named = book.derived.get("hr.entries")
    if named is None:
        named = book.derived["hr.entries"] = {r.entry for r in runs(book).values()}
    return bool(entry.reverses) or entry.id in named or (entry.source is not None and entry.source in runs(book))


@rule(reads=("department", "employee", "journal", "payroll"),
      delta=lambda book, change, facts: _payroll_delta(change), stream=keeping(_payroll_entry))
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



# What this module adds to its family (comptoir.families collects these lists).
RULES = [hr_references, payroll_runs]
