"""Periods in columns (`--by month|quarter|year`): a report run once per period, pivoted.

Each period column is exactly what the single-period report says for that period (the
report is run for it), and the total column is the report run over the whole range; so a
period view can never disagree with the report it is made of. The periods are
comptoir.domain.periodic.spans (quarters and years follow the fiscal year).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from comptoir.domain.book import Book
from comptoir.domain.periodic import Span, _add_months, default_range, spans
from comptoir.domain.table import Column, Table, money

ZERO = Decimal(0)


def pivot(name: str, title: str, periods: list[Span], run: Callable[[Span], Table], whole: Table,
          keys: Sequence[str], value: Callable[[dict], Decimal | None], places: int,
          key_of: Callable[[dict], tuple] | None = None, total_header: str = "Total",
          rename: Callable[[dict], dict] | None = None) -> Table:
    """One row per row key (in the order of the whole-range report), one column per period
    holding `value(row)` of that period's report, and `total` from the whole-range report."""
    key_of = key_of or (lambda row: tuple(row.get(k) for k in keys))
    tables = [(span, run(span)) for span in periods]
    order: list[tuple] = []
    shown: dict[tuple, dict] = {}

    def learn(rows: Iterable[dict]) -> None:
        previous: tuple | None = None
        for row in rows:
            k = key_of(row)
            if k not in shown:
                shown[k] = (rename or dict)({c: row.get(c) for c in keys})
                order.insert(order.index(previous) + 1 if previous is not None and previous in order
                             else len(order), k)
            previous = k

    learn(whole.rows)
    for _, t in tables:
        learn(t.rows)
    cells: dict[tuple, dict[str, Decimal | None]] = {k: {} for k in order}
    for span, t in tables:
        for row in t.rows:
            cells[key_of(row)][span.key] = value(row)
    for row in whole.rows:
        cells[key_of(row)]["total"] = value(row)
    rows = [{**shown[k], **{s.key: cells[k].get(s.key) or ZERO for s in periods},
             "total": cells[k].get("total") or ZERO} for k in order]
    totals = None
    if whole.totals is not None:
        totals = {k: whole.totals.get(k) for k in keys if whole.totals.get(k) is not None}
        if keys and not any(totals.values()):
            totals[keys[0]] = "Total"
        for span, t in tables:
            totals[span.key] = value(t.totals) if t.totals else ZERO
        totals["total"] = value(whole.totals)
    by_key = {c.key: c for c in whole.columns}
    cols = [by_key[k] for k in keys if k in by_key]  # other keys (the row's line kind) stay in JSON only
    cols += [money(s.key, s.key, places) for s in periods] + [money("total", total_header, places)]
    table = Table(name, cols, rows, totals, title=title, notes=list(whole.notes), as_of=whole.as_of)
    table.meta["periods"] = [{"key": s.key, "from": s.start.isoformat(), "to": s.end.isoformat()} for s in periods]
    summaries = {s.key: t.meta["summary"] for s, t in tables if "summary" in t.meta}
    if summaries:
        table.meta["summary_by_period"] = summaries
    keys_ = [s.key for s in periods]
    if summaries and all("net_income" in v for v in summaries.values()):
        table.chart = {"title": title, "x": keys_, "bar": ("revenue", [summaries[k]["revenue"] for k in keys_]),
                       "line": ("net income", [summaries[k]["net_income"] for k in keys_])}
    elif totals is not None:
        table.chart = {"title": title, "x": keys_, "bar": ("total", [totals[k] for k in keys_])}
    return table


def measures(name: str, title: str, periods: list[Span], run: Callable[[Span], dict[str, Decimal]],
             columns: Sequence[Column], places: int, notes: list[str] | None = None) -> Table:
    """One row per measure (a column of the single-period report), one column per period,
    the total the sum of the periods (used where the report itself is a series, like the
    forecast by close month)."""
    values = [(span, run(span)) for span in periods]
    rows = []
    for col in columns:
        row: dict[str, object] = {"measure": col.key, "name": col.header}
        for span, v in values:
            row[span.key] = v.get(col.key, ZERO)
        row["total"] = sum((v.get(col.key, ZERO) for _, v in values), ZERO if col.kind != "int" else 0)
        rows.append(row)
    cols = [Column("measure", "Measure"), Column("name", "Name")]
    cols += [money(s.key, s.key, places) for s in periods] + [money("total", "Total", places)]
    table = Table(name, cols, rows, None, title=title, notes=notes or [])
    table.meta["periods"] = [{"key": s.key, "from": s.start.isoformat(), "to": s.end.isoformat()} for s in periods]
    chosen = next((r for r in rows if r["measure"] == "weighted"), rows[0] if rows else None)
    if chosen is not None:
        table.chart = {"title": title, "x": [s.key for s in periods],
                       "bar": (chosen["name"], [chosen[s.key] for s in periods])}
    return table


# the reports ---------------------------------------------------------------------------------
def _ledger_dates(book: Book) -> list[dt.date]:
    """The days that have an entry: from the day totals a book reader supplied (every entry has
    postings), else from the entries."""
    totals = book.derived.get("ledger.days")
    if totals is None:
        return [e.date for e in book.entries.values()]
    return [dt.date.fromordinal(day) for day in {day for days in totals.values() for day in days}]


def _places(book: Book) -> int:
    from comptoir.schemas.types import currency_places

    return currency_places(book.base)


def income_statement(book: Book, start, end, per: str, depth=None, currency=None) -> Table:
    from comptoir.views.statements import income_statement as build

    start, end = default_range(book, start, end, _ledger_dates(book))
    periods = spans(book.settings, start, end, per)
    whole = build(book, start, end, depth, None, currency)
    places = whole.columns[-1].places
    return pivot("income-statement", whole.title.replace("Income statement", f"Income statement by {per}"),
                 periods, lambda s: build(book, s.start, s.end, depth, None, currency), whole,
                 ("section", "account", "name", "line"), lambda r: r.get("amount"), places)


def balance_sheet(book: Book, start, end, per: str, depth=None, currency=None) -> Table:
    from comptoir.views.statements import balance_sheet as build

    start, end = default_range(book, start, end, _ledger_dates(book))
    periods = spans(book.settings, start, end, per)
    whole = build(book, None, end, depth, currency)
    places = whole.columns[-1].places

    def key_of(row: dict) -> tuple:
        if row.get("line") == "result":
            return (row["section"], "", "result", "before" if row["name"].startswith("Results before") else "current")
        return (row.get("section"), row.get("account"), row.get("line"), row.get("name"))

    def rename(row: dict) -> dict:
        if row.get("line") == "result":
            row["name"] = ("Results of earlier years not yet closed" if row["name"].startswith("Results before")
                           else "Result of the fiscal year to date (not yet closed)")
        return row

    table = pivot("balance-sheet", f"Balance sheet at the end of each {per} ({whole.title.rsplit('(', 1)[-1]}",
                  periods, lambda s: build(book, None, s.end, depth, currency), whole,
                  ("section", "account", "name", "line"), lambda r: r.get("balance"), places,
                  key_of=key_of, total_header=f"At {end}", rename=rename)
    table.notes = ["Each column is the balance sheet at the period's last day; the result not yet closed "
                   "runs from the start of that day's fiscal year."]
    return table


def trial_balance(book: Book, start, end, per: str, depth=None, currency=None) -> Table:
    from comptoir.views.ledger import trial_balance_table as build

    start, end = default_range(book, start, end, _ledger_dates(book))
    periods = spans(book.settings, start, end, per)
    whole = build(book, start, end, depth, currency)
    places = whole.columns[-1].places

    def net(row: dict) -> Decimal:
        return (row.get("debit") or ZERO) - (row.get("credit") or ZERO)

    table = pivot("trial-balance", whole.title.replace("Trial balance", f"Trial balance: net movement by {per}"),
                  periods, lambda s: build(book, s.start, s.end, depth, currency), whole,
                  ("account", "name", "type"), net, places)
    table.notes = ["Each column is the period's debits - credits per account (the single-period trial "
                   "balance's debit minus credit); the total is the whole range's."]
    return table


def _document_dates(book: Book, kinds: Sequence[str]) -> list[dt.date]:
    out = []
    for kind in kinds:
        for record in book.of(kind).values():
            day = getattr(record, "date", None)
            if isinstance(day, dt.date):
                out.append(day)
    return out


def _by_document(book: Book, start, end, per: str, by: Sequence[str], build, kinds: tuple[str, ...],
                 default: str, name: str, title: str, value: str) -> Table:
    """A document report (sales by customer, purchases by supplier...) pivoted by period: the
    range defaults to the documents' dates; `value` is the report's column shown per period."""
    start, end = default_range(book, start, end, _document_dates(book, kinds))
    periods = spans(book.settings, start, end, per)
    group = tuple(d for d in by if d != "month") or (default,)
    whole = build(book, start, end, group)
    return pivot(name, f"{title} by {', '.join(group)} and {per} ({book.base})", periods,
                 lambda s: build(book, s.start, s.end, group), whole, group,
                 lambda r: r.get(value), _places(book))


def sales(book: Book, start, end, per: str, by: Sequence[str]) -> Table:
    from comptoir.views.sales import sales_table

    return _by_document(book, start, end, per, by, sales_table, ("invoice",), "customer", "sales",
                        "Sales revenue", "revenue")


def purchases(book: Book, start, end, per: str, by: Sequence[str]) -> Table:
    from comptoir.views.purchasing import purchases_table

    return _by_document(book, start, end, per, by, purchases_table, ("bill", "receipt"), "supplier", "purchases",
                        "Purchases billed (net)", "billed")


def payroll(book: Book, start, end, per: str, by: str, department: str | None) -> Table:
    from comptoir.views.hr import payroll_table as build

    start, end = default_range(book, start, end, _document_dates(book, ("payroll",)))
    periods = spans(book.settings, start, end, per)
    keys = {"department": ("department", "name"), "employee": ("employee", "name", "department")}.get(by, ())

    def merged(t: Table) -> Table:
        """The single-period report's rows added up over its payroll periods (months)."""
        if not keys:
            every = [dict(t.totals or {}, all="All departments")] if t.rows else []
            return Table(t.name, t.columns, every, t.totals)
        grouped: dict[tuple, dict] = {}
        for row in t.rows:
            k = tuple(row.get(c) for c in keys)
            acc = grouped.setdefault(k, {**{c: row.get(c) for c in keys}, "cost": ZERO})
            acc["cost"] += row.get("cost") or ZERO
        return Table(t.name, t.columns, list(grouped.values()), t.totals)

    whole = merged(build(book, start, end, by, department))
    row_keys = keys or ("all",)
    if not keys:
        whole.columns = [Column("all", "Payroll"), *whole.columns]
    return pivot("payroll", f"Payroll cost by {by} and {per} ({book.base})", periods,
                 lambda s: merged(build(book, s.start, s.end, by, department)), whole, row_keys,
                 lambda r: r.get("cost"), _places(book),
                 key_of=(lambda r: ("all",)) if not keys else None)


def forecast(book: Book, today: dt.date, months: int, per: str) -> Table:
    """The forecast by expected close month, added up per period, from `today`'s month on."""
    from comptoir.views.crm import forecast_table as build

    first = dt.date(today.year, today.month, 1)
    last = _add_months(first, months) - dt.timedelta(days=1)
    periods = spans(book.settings, first, last, per)
    whole = build(book, today, months)
    measured = [c for c in whole.columns if c.key in ("open", "amount", "weighted", "won", "expected")]

    def run(span: Span) -> dict[str, Decimal]:
        n = (span.end.year * 12 + span.end.month) - (span.start.year * 12 + span.start.month) + 1
        t = build(book, span.start, n)
        inside = [r for r in t.rows if r["month"] not in ("overdue", "later", "no date")]
        return {c.key: Decimal(sum((r[c.key] for r in inside), ZERO)) for c in measured}

    return measures("forecast", f"Forecast by expected close {per} ({book.base})", periods, run, measured,
                    _places(book), notes=["Open opportunities past their expected close date (overdue) "
                                          "are left out of the period columns."])


