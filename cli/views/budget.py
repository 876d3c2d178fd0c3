"""Budget tables: the budget versions, the budget report (actual, budget, variance) and the
rolling forecast."""

from __future__ import annotations

import datetime as dt

from comptoir.domain.book import Book
from comptoir.domain.budget import budget_rows, budget_variance, rolling
from comptoir.domain.table import Column, Table, money, text
from comptoir.schemas.types import currency_places


def budgets_table(book: Book) -> Table:
    places = currency_places(book.base)
    cols = [text("id", "Id"), text("name", "Version"), text("start", "From"), text("end", "To"),
            Column("lines", "Lines", "int"), money("income", "Income", places),
            money("expenses", "Expenses", places), money("result", "Result", places)]
    return Table("budgets", cols, budget_rows(book), title=f"Budgets ({book.base})")


def budget_report(book: Book, version: str | None, start: dt.date | None, end: dt.date | None,
                  per: str = "month", today: dt.date | None = None) -> Table:
    """Per period and budget line: actual, budget, variance (actual - budget), % of budget, and
    whether it is favourable; a result row (income - expenses) per period."""
    v = budget_variance(book, version, start, end, per, today)
    places = currency_places(book.base)
    cols = [text("period", "Period"), text("account", "Account"), text("name", "Name"),
            money("actual", "Actual", places), money("budget", "Budget", places),
            money("variance", "Variance", places), Column("variance_pct", "Var %", "percent"),
            Column("favourable", "Favourable", "bool")]
    table = Table("budget", cols, v.rows, {k: val for k, val in v.total.items() if k != "line"},
                  title=f"Budget {v.budget.name} against actuals, {v.start} to {v.end}, by {per} ({book.base})",
                  notes=["Variance = actual - budget; favourable when income is above budget or an expense "
                         "below it. Amounts in the income statement's sign; closing entries left out."])
    table.meta.update({"budget": v.budget.id, "version": v.budget.name, "from": v.start.isoformat(),
                       "to": v.end.isoformat(),
                       "periods": [{"key": s.key, "from": s.start.isoformat(), "to": s.end.isoformat()}
                                   for s in v.periods]})
    result = [r for r in v.rows if r["line"] == "result"]
    table.chart = {"title": f"Result against budget {v.budget.name}", "x": [r["period"] for r in result],
                   "bar": ("budget", [r["budget"] for r in result]), "line": ("actual", [r["actual"] for r in result])}
    return table


def rolling_forecast(book: Book, version: str | None, year: int | None, today: dt.date,
                     method: str = "budget", through: str | None = None) -> Table:
    """The fiscal year month by month: actuals for the closed months, then the budget (or the run
    rate: the average of the last three closed months) for the rest; the outlook against the budget."""
    r = rolling(book, version, year, today, method, through)
    places = currency_places(book.base)
    months, closed = r.months, r.closed
    cols = [text("account", "Account"), text("name", "Name")]
    cols += [money(m, f"{m}{'*' if m <= closed else ''}", places) for m in months]
    cols += [money("outlook", "Outlook", places), money("budget", "Budget", places),
             money("variance", "Variance", places)]
    rule = "the budget" if method == "budget" else f"the run rate (average of {', '.join(r.recent) or 'no'} closed months)"
    table = Table("rolling-forecast", cols, r.rows, {k: v for k, v in r.result.items() if k != "line"},
                  title=f"Rolling forecast {r.fy_start} to {r.fy_end}: actuals through {closed}, then {rule} "
                        f"({r.budget.name}, {book.base})",
                  notes=[f"Months marked * are actuals (closed through {closed}); the others are {rule}.",
                         "Outlook = actual closed months + forecast months; variance = outlook - budget."])
    table.meta.update({"budget": r.budget.id, "version": r.budget.name, "closed_through": closed, "method": method,
                       "months": months})
    table.chart = {"title": f"Result by month: actuals through {closed}, then {method}", "x": months,
                   "bar": ("result", [r.result[m] for m in months])}
    return table
