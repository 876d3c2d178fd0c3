"""Budgets against actuals: the budget report (actual, budget, variance, % per period), the
rolling forecast (actuals for closed months, then the budget or a run rate), and the budget
figures the cash view plans with.

Amounts carry the income statement's sign: revenue and expenses both positive. A budget
line covers the accounts whose code starts with its account; an account counts under the
most specific line of the budget that covers it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from comptoir.errors import fail
from comptoir.schemas.accounting import NORMAL_SIGN
from comptoir.schemas.budget import Budget, BudgetLine
from comptoir.schemas.types import currency_places

from .book import Book
from .ledger import round_to
from .periodic import Span, spans
from .validation import rule

ZERO = Decimal(0)
RUN_RATE_MONTHS = 3


def month_key(day: dt.date) -> str:
    return f"{day:%Y-%m}"


def month_first(key: str) -> dt.date:
    y, m = (int(p) for p in key.split("-"))
    return dt.date(y, m, 1)


def month_last(key: str) -> dt.date:
    first = month_first(key)
    nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def months_between(first: str, last: str) -> list[str]:
    out, day = [], month_first(first)
    while month_key(day) <= last:
        out.append(month_key(day))
        day = month_last(month_key(day)) + dt.timedelta(days=1)
    return out


def budgets(book: Book) -> dict[str, Budget]:
    return book.of("budget")


def find(book: Book, version: str | None, day: dt.date | None = None) -> Budget:
    """The budget named by id or name; without one, the only budget, or the latest-starting one
    that covers `day`."""
    every = budgets(book)
    if not every:
        raise fail("no-budget", "the book has no budget",
                   "add one with `comptoir budget add`, or write budgets/<id>.yaml")
    if version:
        for b in every.values():
            if version in (b.id, b.name):
                return b
        raise fail("unknown-budget", f"there is no budget {version!r}",
                   f"known versions: {', '.join(sorted(f'{b.id} ({b.name})' for b in every.values()))}")
    if len(every) == 1:
        return next(iter(every.values()))
    covering = [b for b in every.values() if day and b.start <= month_key(day) <= b.end]
    return max(covering or every.values(), key=lambda b: (b.start, b.id))


def line_amount(line: BudgetLine, month: str) -> Decimal:
    if month in line.months:
        return line.months[month]
    return line.monthly if line.monthly is not None else ZERO


def planned(budget: Budget, month: str) -> dict[str, Decimal]:
    """Budget line account -> amount for one month (zero outside the budget's months)."""
    if not budget.start <= month <= budget.end:
        return {line.account: ZERO for line in budget.lines}
    out: dict[str, Decimal] = {}
    for line in budget.lines:
        out[line.account] = out.get(line.account, ZERO) + line_amount(line, month)
    return out


def owner(budget: Budget, code: str) -> str | None:
    """The most specific budget line account covering `code` (None: no line covers it)."""
    best = None
    for line in budget.lines:
        if code.startswith(line.account) and (best is None or len(line.account) > len(best)):
            best = line.account
    return best


def actuals(book: Book, budget: Budget, start: dt.date, end: dt.date) -> dict[str, Decimal]:
    """Budget line account -> actual amount in the reader's sign, start..end, closing entries left out."""
    from .ledger import net_by_account

    accounts = book.accounts
    out = {line.account: ZERO for line in budget.lines}
    # from the day totals (a book reader may serve them from sums kept per journal folder)
    for code, net in net_by_account(book, start, end, closing=False).items():
        line = owner(budget, code)
        if line is None:
            continue
        acct = accounts.get(code)
        out[line] += net * (NORMAL_SIGN[acct.type] if acct else 1)
    return out


def line_kind(book: Book, account: str) -> str:
    """income | expense | other, from the accounts the line covers (a favourable variance of
    income is above budget, of an expense below it)."""
    types = {a.type for code, a in book.accounts.items() if code.startswith(account)}
    if types and types <= {"income"}:
        return "income"
    if types and types <= {"expense"}:
        return "expense"
    return "other"


def _pct(variance: Decimal, base: Decimal) -> Decimal | None:
    return round_to(variance / abs(base) * 100, 1) if base else None


def _name(book: Book, line: BudgetLine) -> str:
    if line.memo:
        return line.memo
    acct = book.accounts.get(line.account)
    if acct is not None:
        return acct.name
    covered = sorted((c for c in book.accounts if c.startswith(line.account)), key=lambda c: (len(c), c))
    return f"{book.accounts[covered[0]].name} ({line.account}*)" if covered else f"accounts {line.account}*"


@dataclass
class Variance:
    """The budget report as data: rows per period and budget line (and a result row per period),
    the total row, and the budget, range and periods they cover."""

    budget: Budget
    start: dt.date
    end: dt.date
    per: str
    periods: list[Span]
    rows: list[dict[str, Any]]
    total: dict[str, Any]


def budget_variance(book: Book, version: str | None, start: dt.date | None, end: dt.date | None,
                    per: str = "month", today: dt.date | None = None) -> Variance:
    """Per period and budget line: actual, budget, variance (actual - budget), % of budget, and
    whether it is favourable; a result row (income - expenses) per period."""
    budget = find(book, version, today)
    start = max(start or month_first(budget.start), month_first(budget.start))
    end = min(end or month_last(budget.end), month_last(budget.end))
    if start > end:
        raise fail("outside-budget", f"the range is outside budget {budget.id} ({budget.start} to {budget.end})",
                   "give --from/--to inside the budget's months")
    kinds = {line.account: line_kind(book, line.account) for line in budget.lines}
    rows = []
    totals: dict[str, Decimal] = {"actual": ZERO, "budget": ZERO}
    periods = spans(book.settings, start, end, per)
    for span in periods:
        act = actuals(book, budget, span.start, span.end)
        plan = {line.account: ZERO for line in budget.lines}
        for month in months_between(month_key(span.start), month_key(span.end)):
            for code, amount in planned(budget, month).items():
                plan[code] += amount
        result_act = result_plan = ZERO
        seen = set()
        for line in budget.lines:
            if line.account in seen:
                continue
            seen.add(line.account)
            a, b = act[line.account], plan[line.account]
            rows.append(_variance_row(span.key, line.account, _name(book, line), a, b, kinds[line.account], "line"))
            sign = {"income": 1, "expense": -1}.get(kinds[line.account], 0)
            result_act += sign * a
            result_plan += sign * b
        rows.append(_variance_row(span.key, "", "Result (income - expenses)", result_act, result_plan, "income",
                                  "result"))
        totals["actual"] += result_act
        totals["budget"] += result_plan
    total_row = _variance_row("Total", "", "Result (income - expenses)", totals["actual"], totals["budget"],
                              "income", "total")
    return Variance(budget, start, end, per, periods, rows, total_row)


def _variance_row(period: str, account: str, name: str, actual: Decimal, plan: Decimal, kind: str,
                  line: str) -> dict:
    variance = actual - plan
    favourable = None if not variance else (variance > 0) == (kind != "expense")
    return {"period": period, "account": account, "name": name, "actual": actual, "budget": plan,
            "variance": variance, "variance_pct": _pct(variance, plan), "favourable": favourable, "line": line}


def closed_through(book: Book, today: dt.date) -> str:
    """The last closed month: the lock date's month when the lock date is a month end, else the
    month before it; without a lock date, the month before `today`."""
    lock = book.settings.lock_date
    if lock is not None:
        return month_key(lock) if lock == month_last(month_key(lock)) else month_key(month_first(month_key(lock))
                                                                                       - dt.timedelta(days=1))
    return month_key(month_first(month_key(today)) - dt.timedelta(days=1))


@dataclass
class Rolling:
    """The rolling forecast as data: a row per budget account with a column per month of the
    fiscal year, the outlook, budget and variance; the result row; the months closed (through
    `closed`) and the recent ones the run rate averages."""

    budget: Budget
    fy_start: dt.date
    fy_end: dt.date
    closed: str
    method: str
    months: list[str]
    recent: list[str]
    rows: list[dict[str, Any]]
    result: dict[str, Any]


def rolling(book: Book, version: str | None, year: int | None, today: dt.date,
            method: str = "budget", through: str | None = None) -> Rolling:
    """The fiscal year month by month: actuals for the closed months, then the budget (or the run
    rate: the average of the last three closed months) for the rest; the outlook against the budget."""
    settings = book.settings
    year = year if year is not None else settings.fiscal_year_of(today)
    fy_start, fy_end = settings.fiscal_year_bounds(year)
    budget = find(book, version, today)
    closed = through or closed_through(book, today)
    months = months_between(month_key(fy_start), month_key(fy_end))
    kinds = {line.account: line_kind(book, line.account) for line in budget.lines}
    per_month = {m: actuals(book, budget, max(month_first(m), fy_start), min(month_last(m), fy_end))
                 for m in months if m <= closed}
    recent = sorted(per_month)[-RUN_RATE_MONTHS:]
    places = currency_places(book.base)
    rows = []
    accounts_seen: list[str] = []
    for line in budget.lines:
        if line.account not in accounts_seen:
            accounts_seen.append(line.account)
    result: dict[str, Any] = {"account": "", "name": "Result (income - expenses)", "line": "result"}
    for code in accounts_seen:
        line = next(ln for ln in budget.lines if ln.account == code)
        row: dict = {"account": code, "name": _name(book, line), "line": "line"}
        rate = (sum((per_month[m][code] for m in recent), ZERO) / len(recent)) if recent else ZERO
        outlook = plan_total = ZERO
        for m in months:
            plan = planned(budget, m)[code]
            if m in per_month:
                value = per_month[m][code]
            elif method == "run-rate":
                value = round_to(rate, places)
            else:
                value = plan
            row[m] = value
            outlook += value
            plan_total += plan
        row.update(outlook=outlook, budget=plan_total, variance=outlook - plan_total)
        rows.append(row)
        sign = {"income": 1, "expense": -1}.get(kinds[code], 0)
        for k in [*months, "outlook", "budget", "variance"]:
            result[k] = result.get(k, ZERO) + sign * row[k]
    return Rolling(budget, fy_start, fy_end, closed, method, months, recent, rows, result)


def monthly_plan(book: Book, budget: Budget, months: Iterable[str]) -> dict[str, dict[str, Decimal]]:
    """month -> {budget line account: planned amount} (for the cash view's recurring costs)."""
    return {m: planned(budget, m) for m in months}


def budget_rows(book: Book) -> list[dict[str, Any]]:
    """Each budget version with its months, number of lines and planned income, expenses and result."""
    rows = []
    for b in sorted(budgets(book).values(), key=lambda b: (b.start, b.id)):
        months = months_between(b.start, b.end)
        kinds = {line.account: line_kind(book, line.account) for line in b.lines}
        income = sum((line_amount(ln, m) for ln in b.lines for m in months if kinds[ln.account] == "income"), ZERO)
        expense = sum((line_amount(ln, m) for ln in b.lines for m in months if kinds[ln.account] == "expense"), ZERO)
        rows.append({"id": b.id, "name": b.name, "start": b.start, "end": b.end, "lines": len(b.lines),
                     "income": income, "expenses": expense, "result": income - expense})
    return rows


@rule(reads=("account", "budget"))
def budget_rules(book: Book) -> list:
    """Every budget line names an account, or a prefix that covers at least one account."""
    from comptoir.errors import Problem

    out = []
    codes = list(book.accounts)
    for ident, b in budgets(book).items():
        src = book.source("budget", ident)
        seen: set[str] = set()
        for i, line in enumerate(b.lines):
            if not any(c.startswith(line.account) for c in codes):
                out.append(Problem(src, 0, "unknown-account",
                                   f"budget {ident}: line {line.account} covers no account",
                                   "use an account code or prefix from `comptoir account list`",
                                   loc=("lines", i, "account")))
            if line.account in seen:
                out.append(Problem(src, 0, "duplicate-budget-line",
                                   f"budget {ident}: account {line.account} has two lines",
                                   "merge them into one line (months can differ per month)",
                                   loc=("lines", i, "account")))
            seen.add(line.account)
    return out




RULES = [budget_rules]
