"""The report pack: a static site (an index and one page per report, tables and inline SVG
charts) and one workbook with a sheet per report, built from one book for one period.

Nothing on a page is fetched when it opens: styles are inline, charts are inline SVG, and
there is no script. The pages say the company, the period, the git revision and whether
`validate` passed, so a pack published by CI can be trusted (or not) at a glance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from comptoir.domain.table import Table

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1a202c;background:#f7fafc}
header{background:#1a365d;color:#fff;padding:14px 24px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;font-size:13px;opacity:.9}
.ok{color:#9ae6b4;font-weight:600}.bad{color:#feb2b2;font-weight:600}
nav{padding:8px 24px;background:#e2e8f0;font-size:13px}nav a{margin-right:12px;color:#2a4365}
main{padding:16px 24px;max-width:1200px}h2{font-size:17px;margin:18px 0 8px}
figure{margin:0 0 16px;background:#fff;border:1px solid #e2e8f0;padding:8px}
figure svg{max-width:100%;height:auto}
table.report{border-collapse:collapse;background:#fff;font-size:12.5px;margin-bottom:8px}
table.report th,table.report td{border-bottom:1px solid #e2e8f0;padding:3px 8px;text-align:left;white-space:nowrap}
table.report th{background:#edf2f7}.num{text-align:right!important;font-variant-numeric:tabular-nums}
tr.total td,tfoot td{font-weight:600}tr.subtotal td,tr.result td{font-style:italic}
.scroll{overflow-x:auto}ul.notes{font-size:12.5px;color:#4a5568}
ul.index li{margin:4px 0}
"""


@dataclass
class Page:
    slug: str
    title: str
    about: str
    tables: list[Table] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)


@dataclass
class Header:
    company: str
    period: str
    revision: str
    validated: bool
    problems: int
    built: str


def _head(title: str, header: Header, pages: list[Page]) -> str:
    status = ('<span class="ok">validate passed</span>' if header.validated else
              f'<span class="bad">validate FAILED ({header.problems} errors)</span>')
    nav = " ".join(f'<a href="{escape(p.slug)}.html">{escape(p.title)}</a>' for p in pages)
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{escape(title)} - {escape(header.company)}</title><style>{STYLE}</style></head><body>"
            f"<header><h1>{escape(header.company)}: {escape(title)}</h1>"
            f"<p>Period {escape(header.period)} &middot; revision <code>{escape(header.revision)}</code> "
            f"&middot; {status} &middot; built {escape(header.built)}</p></header>"
            f'<nav><a href="index.html">Index</a> {nav}</nav><main>')


def page_html(page: Page, header: Header, pages: list[Page]) -> str:
    from comptoir.render import to_html

    parts = [_head(page.title, header, pages), f"<p>{escape(page.about)}</p>"]
    for svg in page.charts:
        parts.append(f"<figure>{svg}</figure>")
    for table in page.tables:
        parts.append(f"<h2>{escape(table.title or table.name)}</h2>")
        parts.append(f'<div class="scroll">{to_html(table)}</div>')
    parts.append("</main></body></html>\n")
    return "\n".join(parts)


def index_html(header: Header, pages: list[Page]) -> str:
    items = "".join(f'<li><a href="{escape(p.slug)}.html">{escape(p.title)}</a>: {escape(p.about)}'
                    f'{" (" + str(len(p.charts)) + " chart" + ("s" if len(p.charts) != 1 else "") + ")" if p.charts else ""}'
                    f"</li>" for p in pages)
    return (_head("Report pack", header, pages) + f'<ul class="index">{items}</ul>'
            '<p>All reports in one workbook: <a href="reports.xlsx">reports.xlsx</a>.</p></main></body></html>\n')


def build_pages(books: Any, start: dt.date, end: dt.date, today: dt.date) -> list[Page]:
    """Every report of the pack, with its charts. A report the book has no data for (no budget,
    no opportunities) still gets its page, saying so. `books` gives each page the book its
    report reads (comptoir.app.pack: the book the report's own command serves from partials, or
    one whole book for every page)."""
    from comptoir import charts
    from comptoir.domain.budget import budgets
    from comptoir.views import periodic
    from comptoir.views.availability import reorder_table, stock_out_table
    from comptoir.views.budget import budget_report, rolling_forecast
    from comptoir.views.crm import forecast_table as forecast
    from comptoir.views.crm import pipeline_table as pipeline
    from comptoir.views.ledger import trial_balance_table as trial_balance
    from comptoir.views.overview import overview
    from comptoir.views.payments import aging_table, cash_view
    from comptoir.views.purchasing import purchases_table
    from comptoir.views.sales import sales_table
    from comptoir.views.statements import balance_sheet, cash_flow, income_statement

    pages: list[Page] = []

    def add(slug: str, title: str, about: str, make: Callable[[], list[Table]],
            draw: Callable[[list[Table]], list[str | None]] | None = None) -> None:
        tables = make()
        svgs = [s for s in (draw(tables) if draw else []) if s]
        pages.append(Page(slug, title, about, tables, svgs))

    add("overview", "Overview", f"Cash, receivables, payables and results on {today}.",
        lambda: [overview(books.overview(), today)])
    add("pl-trend", "P&L by month", "The income statement with one column per month.",
        lambda: [periodic.income_statement(books.ledger(), start, end, "month")], lambda t: [charts.pl_trend(t[0])])
    add("income-statement", "Income statement", f"Revenue, costs and result {start} to {end}.",
        lambda: [income_statement(books.ledger(), start, end)])
    add("balance-sheet", "Balance sheet", f"Assets, liabilities and equity at {end}.",
        lambda: [balance_sheet(books.ledger(), None, end), periodic.balance_sheet(books.ledger(), start, end, "month")])
    add("trial-balance", "Trial balance", f"Every account, {start} to {end}.",
        lambda: [trial_balance(books.ledger(), start, end)])
    add("cash-flow", "Cash flow", f"Operating, investing and financing cash flows {start} to {end}.",
        lambda: [cash_flow(books.ledger(), start, end)])
    if budgets(books.ledger()):
        add("budget", "Budget vs actual", "Actual, budget and variance per month and budget line.",
            lambda: [budget_report(books.ledger(), None, start, end, "month", end)],
            lambda t: [charts.budget_vs_actual(t[0])])
        add("rolling-forecast", "Rolling forecast", "Actuals for closed months, then the budget.",
            lambda: [rolling_forecast(books.ledger(), None, books.ledger().settings.fiscal_year_of(end), end)])
    add("cash-forecast", "13-week cash", f"Receipts, bills, payroll, VAT and budgeted costs week by week from {today}.",
        lambda: [cash_view(books.cash(), today)], lambda t: [charts.cash_forecast(t[0])])
    add("ar-aging", "Receivables aging", f"Open customer invoices by days past due on {today}.",
        lambda: [aging_table(books.aging("receivable"), "receivable", today)], lambda t: [charts.aging(t[0])])
    add("ap-aging", "Payables aging", f"Open supplier bills by days past due on {today}.",
        lambda: [aging_table(books.aging("payable"), "payable", today)], lambda t: [charts.aging(t[0])])
    add("pipeline", "Pipeline and forecast", "Open opportunities by stage; weighted forecast by close month.",
        lambda: [pipeline(books.opportunities(), today), forecast(books.opportunities(), today, 6)],
        lambda t: [charts.pipeline(t[0]), charts.forecast(t[1])])
    add("sales", "Sales by month", "Revenue per customer and month.",
        lambda: [periodic.sales(books.documents(sales_table), start, end, "month", ("customer",))])
    add("purchases", "Purchases by month", "Billed purchases per supplier and month.",
        lambda: [periodic.purchases(books.documents(purchases_table), start, end, "month", ("supplier",))])
    add("payroll", "Payroll by month", "Payroll cost per department and month.",
        lambda: [periodic.payroll(books.payroll(), start, end, "month", "department", None)])
    add("stock", "Stock-out and reorder", "Projected stock-out dates and reorder suggestions.",
        lambda: [stock_out_table(books.stock(), today), reorder_table(books.stock(), today)],
        lambda t: [charts.stock_projection(t[0])])
    return pages


def write_pack(out: Path, header: Header, pages: list[Page]) -> list[str]:
    """Write index.html, one page per report and reports.xlsx into `out`; return the file names."""
    from comptoir.render import to_xlsx

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for page in pages:
        (out / f"{page.slug}.html").write_text(page_html(page, header, pages), encoding="utf-8")
        written.append(f"{page.slug}.html")
    (out / "index.html").write_text(index_html(header, pages), encoding="utf-8")
    tables = [t for p in pages for t in p.tables]
    names = [p.slug if len(p.tables) == 1 else f"{p.slug}-{i}" for p in pages for i, _ in enumerate(p.tables, 1)]
    (out / "reports.xlsx").write_bytes(to_xlsx(tables, names))
    return ["index.html", *written, "reports.xlsx"]
