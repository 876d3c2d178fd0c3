"""Payment tables: the payments list, AR/AP aging, a partner's statement of account, the cash
forecast by week and the cash view (the forecast with payroll, VAT and budgeted costs against
the minimum)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from comptoir.domain.book import Book
from comptoir.domain.cashview import cash_plan
from comptoir.domain.documents.facts import facts_of
from comptoir.domain.payments import BUCKETS, CashWeeks, aging, cash_weeks, payment_rows, statement
from comptoir.domain.table import Column, Table, money, text
from comptoir.schemas.types import currency_places

# The kinds a table reads (comptoir.commands._docs.served), and those it may be served as light
# records of the fields it reads (comptoir.domain.documents.facts; comptoir.app.docfacts).
READS = {"payments_table": ("payment", "invoice", "bill")}
FACTS = {"payments_table": facts_of("payment", "invoice", "bill")}


def payments_table(book: Book, partner: str | None = None, direction: str | None = None) -> Table:
    cols = [text("id", "Id"), Column("date", "Date", "date"), text("direction", "In/out"), text("partner", "Partner"),
            text("currency", "Cur"), money("amount", "Amount"), text("allocated", "Allocated to"),
            money("unallocated", "Unallocated"), text("reference", "Reference")]
    return Table("payments", cols, payment_rows(book, partner, direction), title="Payments")


def aging_table(book: Book, side: str, day: dt.date, detail: bool = False) -> Table:
    """Open items by days past due (current, 1-30, 31-60, 61-90, 90+) on `day`, in the base currency,
    per partner (or per document with `detail`); the total agrees with the ledger."""
    a = aging(book, side, day, detail)
    p = currency_places(book.base)
    notes = []
    if a.residual:
        notes.append(f"{a.residual:,.{p}f} on the {side} accounts belongs to no open document: exchange "
                     "revaluations and rounding of foreign-currency settlements.")
    if detail:
        cols = [text("partner", "Partner"), text("name", "Name"), text("kind", "Kind"), text("document", "Document"),
                text("number", "Number"), Column("date", "Date", "date"), Column("due", "Due", "date"),
                Column("days", "Days late", "int"), text("currency", "Cur"), money("open", "Open"),
                money("base", f"Open ({book.base})", p), text("bucket", "Bucket")]
    else:
        cols = [text("partner", "Partner"), text("name", "Name"), *(money(k, k.capitalize(), p) for k in BUCKETS),
                money("total", "Total", p)]
    notes.append(f"{side.capitalize()} accounts ({', '.join(a.accounts)}) on {day}: {a.ledger:,.{p}f}; "
                 + ("agrees." if a.agrees else f"differs by {a.total - a.ledger:,.{p}f}."))
    name = "ar-aging" if side == "receivable" else "ap-aging"
    table = Table(name, cols, a.rows, a.totals, title=f"{side.capitalize()}s aging on {day} ({book.base})",
                  notes=notes)
    table.meta.update({"ledger_balance": a.ledger, "agrees": a.agrees, "date": day.isoformat()})
    return table


def statement_table(book: Book, partner_id: str, day: dt.date, side: str | None = None,
                    start: dt.date | None = None) -> Table:
    """Every document with the partner, in date order, with the running balance and what is open."""
    st = statement(book, partner_id, day, side, start)
    p = currency_places(st.currency)
    cols = [Column("date", "Date", "date"), text("kind", "Kind"), text("document", "Document"), text("number", "Number"),
            Column("due", "Due", "date"), money("charge", "Invoiced" if st.side == "receivable" else "Billed", p),
            money("credit", "Paid / credited", p), money("balance", "Balance", p), money("open", "Open", p)]
    table = Table("statement", cols, st.rows, {"kind": "Open", "open": st.open_total},
                  title=f"Statement of account: {st.partner.name} ({st.side}, {st.currency}) on {day}",
                  notes=st.notes())
    table.meta.update({"partner": partner_id, "currency": st.currency, "balance": st.open_total, "side": st.side})
    return table


def cash_forecast(book: Book, today: dt.date, weeks: int = 13) -> Table:
    """Opening bank balance, then receivables and payables by due date, week by week (overdue
    items are expected in the first week)."""
    c = cash_weeks(book, today, weeks)
    p = currency_places(book.base)
    cols = [Column("week", "Week", "int"), Column("from", "From", "date"), Column("to", "To", "date"),
            money("receipts", "Receipts", p), money("payments", "Payments", p), money("net", "Net", p),
            money("closing", "Closing balance", p)]
    table = Table("cash-forecast", cols, c.rows, c.totals, title=_title(book, today, weeks), notes=_notes(book, c))
    table.meta.update({"opening": c.opening})
    return table


def _title(book: Book, today: dt.date, weeks: int) -> str:
    return f"Cash forecast, {weeks} weeks from {today} ({book.base})"


def _notes(book: Book, c: CashWeeks) -> list[str]:
    p = currency_places(book.base)
    notes = [f"Opening balance of the bank and cash accounts on {c.today}: {c.opening:,.{p}f} {book.base}.",
             "Receipts: open customer invoices by due date; payments: open supplier bills by due date "
             "(overdue ones in week 1)."]
    if c.later_receipts or c.later_payments:
        notes.append(f"Due after {c.end}: receipts {c.later_receipts:,.{p}f}, payments {c.later_payments:,.{p}f}.")
    return notes


def cash_view(book: Book, today: dt.date, weeks: int = 13, version: str | None = None,
              minimum: Decimal | None = None) -> Table:
    """The 13-week cash view (comptoir.domain.cashview)."""
    plan = cash_plan(book, today, weeks, version, minimum)
    p = currency_places(book.base)
    minimum, first_below, rows = plan.minimum, plan.first_below, plan.rows
    cols = [Column("week", "Week", "int"), Column("from", "From", "date"), Column("to", "To", "date"),
            money("receipts", "Receipts", p), money("payments", "Bills", p), money("payroll", "Payroll", p),
            money("vat", "VAT", p), money("costs", "Budgeted costs", p), money("net", "Net", p),
            money("closing", "Closing balance", p), money("minimum", "Minimum", p),
            Column("below_minimum", "Below minimum", "bool")]
    cash = book.settings.cash
    notes = _notes(book, plan.base)
    notes.append("Payroll: net pay and payroll taxes owed now, then each month's run the current employees "
                 "would make (net pay on the last day, withholding and contributions on day "
                 f"{cash.contributions_day} of the next month).")
    if cash.vat_settlement != "none":
        notes.append(f"VAT: settled {cash.vat_settlement}, on day "
                     f"{cash.vat_payment_day} of the month after the period, as booked so far.")
    if plan.budget_names:
        notes.append(f"Budgeted costs: {', '.join(plan.budget_names)}, expense lines other than payroll and cost "
                     f"of goods, on day {cash.costs_day} of each month.")
    if first_below is not None:
        notes.append(f"Cash dips below the minimum of {minimum:,.{p}f} in week {first_below['week']} "
                     f"({first_below['from']} to {first_below['to']}): {first_below['closing']:,.{p}f}.")
    else:
        notes.append(f"Cash stays at or above the minimum of {minimum:,.{p}f} for all {weeks} weeks.")
    table = Table("cash-forecast", cols, rows, plan.totals, title=_title(book, today, weeks), notes=notes)
    table.meta.update({"opening": plan.base.opening, "minimum": minimum,
                       "first_below_minimum": None if first_below is None else first_below["from"],
                       "scheduled": [{"date": d, "amount": a, "what": w, "kind": k}
                                     for k, flows in plan.scheduled.items()
                                     for d, a, w in sorted(flows, key=lambda f: f[0])]})
    table.chart = {"title": f"Cash by week (minimum {minimum:,.{p}f})", "x": [f"{r['from']:%m-%d}" for r in rows],
                   "bar": ("net flow", [r["net"] for r in rows]), "line": ("closing balance", [r["closing"] for r in rows])}
    return table
