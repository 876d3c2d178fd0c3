"""The 13-week cash view: the cash forecast's open receivables and payables by due date
(payments.cash_weeks), plus what is scheduled but not yet a document:

- payroll: net pay owed now (week 1); withholding and contributions owed now, on the
  contributions day of the next month; and for each month-end in the horizon without a
  payroll run, the run the current employees would make (net pay on the month's last day,
  withholding and both contributions on the contributions day of the month after);
- VAT settlements (`cash.vat_settlement: monthly|quarterly`): the VAT owed for each period
  (output tax - input tax, as booked so far) on `cash.vat_payment_day` of the month after;
- recurring costs from the budget: each month's budget for the expense lines that cover no
  payroll or cost-of-goods account (those come from payroll runs and supplier bills), on
  `cash.costs_day`;

and a minimum-cash line (`cash.minimum` in comptoir.yaml) with the first week below it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from comptoir.schemas.types import currency_places

from .book import Book
from .ledger import ZERO
from .payments import CashWeeks, cash_weeks

DAY = dt.timedelta(days=1)


def _month_end(day: dt.date) -> dt.date:
    nxt = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return nxt - DAY


def _next_month(day: dt.date, dom: int) -> dt.date:
    nxt = _month_end(day) + DAY
    return nxt.replace(day=dom)


def _balance(book: Book, codes: set[str], end: dt.date, start: dt.date | None = None) -> Decimal:
    """Debit balance of the accounts (and their children) from the entries start..end, in the base
    currency (from the day totals: served without the entries, cli/app/openitems.py)."""
    from .ledger import net_by_account

    return sum((v for code, v in net_by_account(book, start, end).items() if _under(book, code, codes)), ZERO)


def _under(book: Book, code: str, roots: set[str]) -> bool:
    from .ledger import ancestors

    return any(a in roots for a in ancestors(book.accounts, code))


def payroll_flows(book: Book, today: dt.date, end: dt.date) -> list[tuple[dt.date, Decimal, str]]:
    """(day, amount out, what) for payroll owed now and the runs still to come in the horizon."""
    from .hr import current_rates, employees, pay_line, runs, totals_of

    s = book.settings.payroll
    dom = book.settings.cash.contributions_day
    places = currency_places(book.base)
    out: list[tuple[dt.date, Decimal, str]] = []
    net_owed = -_balance(book, {s.net_pay_payable}, today)
    if net_owed > 0:
        out.append((today, net_owed, "net pay owed"))
    social_owed = -_balance(book, {s.withholding_payable, s.contributions_payable}, today)
    if social_owed > 0:
        due = today.replace(day=dom) if today.day <= dom else _next_month(today, dom)
        out.append((due, social_owed, "withholding and contributions owed"))
    for run in runs(book).values():
        if run.date > today:  # a run posted ahead of its day: none of it is in today's balances yet
            t = totals_of(run.lines)
            social = t.withholding + t.employee_contributions + t.employer_contributions
            out.append((_next_month(run.date, dom), social, f"payroll {run.period} withholding and contributions"))
            out.append((run.date, t.net, f"payroll {run.period} net pay"))
    done = {r.period for r in runs(book).values()}
    emps = list(employees(book).values())
    rates = current_rates(book)
    month = dt.date(today.year, today.month, 1)
    while month <= end:
        last = _month_end(month)
        period = f"{month:%Y-%m}"
        if period not in done and last >= today:
            lines = [ln for ln in (pay_line(e, month, last, rates, places) for e in emps) if ln is not None]
            t = totals_of(lines)
            if t.net:
                out.append((last, t.net, f"payroll {period} net pay (estimated)"))
            social = t.withholding + t.employee_contributions + t.employer_contributions
            if social:
                out.append((_next_month(month, dom), social, f"payroll {period} withholding and contributions"))
        month = last + DAY
    return out


def vat_flows(book: Book, today: dt.date, end: dt.date) -> list[tuple[dt.date, Decimal, str]]:
    cash = book.settings.cash
    if cash.vat_settlement == "none":
        return []
    from .documents import tax_codes

    acc = book.settings.accounts
    codes = {acc.output_tax, acc.input_tax}
    for tc in tax_codes(book).values():
        codes.update(c for c in (tc.collected_account, tc.paid_account) if c)
    months = 3 if cash.vat_settlement == "quarterly" else 1
    out: list[tuple[dt.date, Decimal, str]] = []
    # periods start on calendar months (quarters: January, April, July, October)
    first = dt.date(today.year, ((today.month - 1) // months) * months + 1, 1) if months == 3 else \
        dt.date(today.year, today.month, 1)
    start = first
    for _ in range(36):  # step back to the last period whose payment is still ahead
        prev_end = start - DAY
        prev_start = dt.date(prev_end.year, prev_end.month, 1)
        if months == 3:
            prev_start = dt.date(prev_end.year, prev_end.month - 2, 1)
        if _next_month(prev_end, cash.vat_payment_day) < today:
            break
        start = prev_start
    settled_before = True
    while start <= end:
        period_end = _month_end(dt.date(start.year, start.month + months - 1, 1)) if months == 3 else _month_end(start)
        pay = _next_month(period_end, cash.vat_payment_day)
        if pay > end:
            break
        if pay >= today:
            # the first settlement pays everything owed through its period; later ones their period's
            owed = -_balance(book, codes, min(period_end, today), None if settled_before else start)
            settled_before = False
            label = f"{start:%Y-%m}" if months == 1 else f"{start.year}-Q{(start.month - 1) // 3 + 1}"
            if owed:
                out.append((pay, owed, f"VAT {label}"))
        start = period_end + DAY
    return out


def budget_flows(book: Book, today: dt.date, end: dt.date, version: str | None) -> tuple[list, list[str]]:
    """Each month's budgeted costs, from the named version, else the version covering that month."""
    from .budget import budgets, find, line_kind, planned
    from .statements import _role

    if not budgets(book):
        return [], []
    s = book.settings.payroll
    payroll_roots = {s.salary_expense, s.employer_contributions}
    for d in book.of("department").values():
        payroll_roots.update(c for c in (d.cost_centre, d.contributions_centre) if c)

    def paid_in_cash(account: str) -> bool:
        covered = [c for c in book.accounts if c.startswith(account)]
        return line_kind(book, account) == "expense" and bool(covered) and not any(
            _under(book, c, payroll_roots) or _role(book.accounts, c) == "cogs" for c in covered)

    out, used = [], []
    month = dt.date(today.year, today.month, 1)
    dom = book.settings.cash.costs_day
    version = version or book.settings.cash.budget
    while month <= end:
        day = month.replace(day=dom)
        if today <= day <= end:
            budget = find(book, version, month)
            plan = planned(budget, f"{month:%Y-%m}")
            amount = sum((v for k, v in plan.items() if paid_in_cash(k)), ZERO)
            if amount:
                out.append((day, amount, f"budget {budget.name} {month:%Y-%m}"))
                if budget.name not in used:
                    used.append(budget.name)
        month = _month_end(month) + DAY
    return out, used


@dataclass
class CashPlan:
    """The cash forecast's weeks (payments.cash_weeks) with the scheduled flows added: payroll,
    VAT and budgeted costs per week, the net flow and closing balance against the minimum."""

    base: CashWeeks
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    minimum: Decimal
    first_below: dict[str, Any] | None
    scheduled: dict[str, list[tuple[dt.date, Decimal, str]]]
    budget_names: list[str]


def cash_plan(book: Book, today: dt.date, weeks: int = 13, version: str | None = None,
              minimum: Decimal | None = None) -> CashPlan:
    base = cash_weeks(book, today, weeks)
    end = today + dt.timedelta(days=7 * weeks - 1)
    minimum = book.settings.cash.minimum if minimum is None else minimum
    scheduled = {"payroll": payroll_flows(book, today, end), "vat": vat_flows(book, today, end)}
    scheduled["costs"], budget_names = budget_flows(book, today, end, version)
    rows = []
    balance = base.opening
    first_below = None
    for row in base.rows:
        out = dict(row)
        for key, flows in scheduled.items():
            out[key] = sum((a for d, a, _ in flows if row["from"] <= max(d, today) <= row["to"]), ZERO)
        out["net"] = row["receipts"] - row["payments"] - out["payroll"] - out["vat"] - out["costs"]
        balance += out["net"]
        out["closing"] = balance
        out["minimum"] = minimum
        out["below_minimum"] = balance < minimum
        if out["below_minimum"] and first_below is None:
            first_below = out
        rows.append(out)
    totals = {"week": None, **{k: sum((r[k] for r in rows), ZERO)
                               for k in ("receipts", "payments", "payroll", "vat", "costs", "net")},
              "closing": balance, "minimum": minimum}
    return CashPlan(base, rows, totals, minimum, first_below, scheduled, budget_names)
