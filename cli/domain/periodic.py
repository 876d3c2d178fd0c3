"""Periods for `--by month|quarter|year`: the spans a range is cut into (quarters and years
follow the fiscal year, comptoir.yaml `fiscal_year_start`) and the default range of a report;
and what a branch does to each month's P&L (comptoir diff). The reports with periods in columns
are pivoted in comptoir.views.periodic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from comptoir.errors import fail

from .book import Book
from .diff import effect
from .table import Column, Table, money

ZERO = Decimal(0)
PERIODS = ("month", "quarter", "year")
MAX_COLUMNS = 120


@dataclass(frozen=True)
class Span:
    key: str  # column key: 2026-08, 2026-Q3, 2026 (FY2026-Q1, FY2026 when the fiscal year starts later)
    start: dt.date
    end: dt.date


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def spans(settings, start: dt.date, end: dt.date, per: str) -> list[Span]:
    """The periods covering start..end, the first and last cut to the range."""
    if start > end:
        raise fail("bad-range", f"the range {start} to {end} is empty", "give --from before --to")
    fy_month, fy_day = (int(p) for p in settings.fiscal_year_start.split("-"))
    calendar_fy = (fy_month, fy_day) == (1, 1)
    out: list[Span] = []
    if per == "month" or fy_day != 1:
        # a fiscal year starting mid-month has no whole-month quarters: months only, then grouped
        cursor = dt.date(start.year, start.month, 1)
        while cursor <= end:
            nxt = _add_months(cursor, 1)
            out.append(Span(f"{cursor:%Y-%m}", max(cursor, start), min(nxt - dt.timedelta(days=1), end)))
            cursor = nxt
        if per == "month":
            return _checked(out)
    out = []
    year = settings.fiscal_year_of(start)
    while True:
        fy_start, fy_end = settings.fiscal_year_bounds(year)
        if fy_start > end:
            break
        label = str(year) if calendar_fy else f"FY{year}"
        if per == "year":
            parts = [(label, fy_start, fy_end)]
        else:
            parts = []
            for q in range(4):
                q_start = fy_start if q == 0 else _add_months(fy_start, 3 * q)
                q_end = fy_end if q == 3 else _add_months(fy_start, 3 * q + 3) - dt.timedelta(days=1)
                parts.append((f"{label}-Q{q + 1}", q_start, q_end))
        for key, a, b in parts:
            if b >= start and a <= end:
                out.append(Span(key, max(a, start), min(b, end)))
        year += 1
    return _checked(out)


def _checked(out: list[Span]) -> list[Span]:
    if len(out) > MAX_COLUMNS:
        raise fail("too-many-periods", f"{len(out)} period columns is more than {MAX_COLUMNS}",
                   "narrow the range with --from/--to, or use --by quarter or --by year")
    return out


def default_range(book: Book, start: dt.date | None, end: dt.date | None,
                  dates: Sequence[dt.date]) -> tuple[dt.date, dt.date]:
    """An unbounded side of the range: from the first record of the fiscal year of the last one
    (the year so far), to the last record (or today when there is none)."""
    last = max(dates) if dates else (book.today or dt.date.today())
    end = end or max(last, start) if start else end or last
    if start is None:
        fy_start = book.settings.fiscal_year_bounds(book.settings.fiscal_year_of(end))[0]
        in_year = [d for d in dates if fy_start <= d <= end]
        start = min(in_year) if in_year else fy_start
    return start, end



# what a branch does to each month's P&L (comptoir diff) ----------------------------------------
@effect
def pl_effect(base: Book, head: Book) -> Table | None:
    """Per month touched by an added, changed or removed journal entry: the income statement's
    lines before and after the change."""
    from .statements import income_statement_data

    touched: set[tuple[int, int]] = set()
    for ident in set(base.entries) | set(head.entries):
        old, new = base.entries.get(ident), head.entries.get(ident)
        if old != new:
            touched.update((e.date.year, e.date.month) for e in (old, new) if e is not None)
    if not touched:
        return None
    labels = {"revenue": "Revenue", "cogs": "Cost of goods sold", "gross_margin": "Gross margin",
              "expenses": "Operating expenses", "operating_result": "Operating result",
              "other_income": "Other income", "other_expenses": "Other expenses", "net_income": "Net income"}
    rows = []
    chart_x, chart_bar = [], []
    for year, month in sorted(touched):
        start = dt.date(year, month, 1)
        end = _add_months(start, 1) - dt.timedelta(days=1)
        before = income_statement_data(base, start, end).meta["summary"]
        after = income_statement_data(head, start, end).meta["summary"]
        for key, label in labels.items():
            if before[key] or after[key] or key == "net_income":
                rows.append({"month": f"{start:%Y-%m}", "line": label, "before": before[key], "after": after[key],
                             "change": after[key] - before[key]})
        chart_x.append(f"{start:%Y-%m}")
        chart_bar.append(after["net_income"] - before["net_income"])
    from comptoir.schemas.types import currency_places

    places = currency_places(head.base)
    cols = [Column("month", "Month"), Column("line", "Line"), money("before", "Before", places),
            money("after", "After", places), money("change", "Change", places)]
    table = Table("pl-effect", cols, rows, title="Effect on the P&L of each month touched")
    table.meta["open"] = True
    table.chart = {"title": "Change in net income by month", "x": chart_x, "bar": ("change", chart_bar)}
    return table


EFFECTS = [pl_effect]
