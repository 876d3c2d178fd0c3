"""Tax codes and the tax report: tax collected on sales and paid on purchases, per code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from comptoir.errors import Problem, fail
from comptoir.schemas.tax import TaxCode
from comptoir.schemas.types import currency_places

from .book import Book
from .documents import tax_codes, to_base, validated
from .ledger import ZERO
from .table import Column, Table, money, text
from .validation import rule


def new_tax_code(book: Book, code: str, name: str, rate: Decimal, collected: str | None,
                 paid: str | None, description: str | None) -> TaxCode:
    if code in tax_codes(book):
        raise fail("duplicate-id", f"tax code {code} already exists", "choose another code",
                   file=book.source("tax-code", code), line=1)
    for acct in (collected, paid):
        if acct and acct not in book.accounts:
            raise fail("unknown-account", f"account {acct} does not exist",
                       "use an account from `comptoir account list`")
    return validated(TaxCode, code=code, name=name, rate=rate, collected_account=collected, paid_account=paid,
                 description=description)


def tax_codes_table(book: Book) -> Table:
    acc = book.settings.accounts
    rows = [{"code": t.code, "name": t.name, "rate": t.rate,
             "collected_account": t.collected_account or acc.output_tax,
             "paid_account": t.paid_account or acc.input_tax, "active": t.active}
            for t in sorted(tax_codes(book).values(), key=lambda t: t.code)]
    cols = [text("code", "Code"), text("name", "Name"), Column("rate", "Rate %", "qty"),
            text("collected_account", "Collected to"), text("paid_account", "Paid to"),
            Column("active", "Active", "bool")]
    return Table("tax-codes", cols, rows, title="Tax codes")


def tax_report(book: Book, start: dt.date | None, end: dt.date | None) -> Table:
    """Per tax code: the net amounts and the tax of sales (less credit notes) and of purchases, in
    the base currency, for documents dated in the period."""
    p = currency_places(book.base)
    rows: dict[str, dict] = {}

    def row(code: str | None) -> dict:
        key = code or "(none)"
        if key not in rows:
            tax = tax_codes(book).get(code or "")
            rows[key] = {"code": key, "name": tax.name if tax else ("no tax" if code is None else "?"),
                         "rate": tax.rate if tax else None, "sales_net": ZERO, "collected": ZERO,
                         "purchases_net": ZERO, "paid": ZERO}
        return rows[key]

    def inside(day: dt.date) -> bool:
        return (start is None or day >= start) and (end is None or day <= end)

    for kind, sign in (("invoice", 1), ("credit-note", -1)):
        for d in book.of(kind).values():
            if inside(d.date):
                for line in d.lines:
                    r = row(line.tax)
                    r["sales_net"] += sign * to_base(book, line.net, d.rate)
                    r["collected"] += sign * to_base(book, line.tax_amount, d.rate)
    for d in book.of("bill").values():
        if inside(d.date):
            for line in d.lines:
                r = row(line.tax)
                r["purchases_net"] += to_base(book, line.net, d.rate)
                r["paid"] += to_base(book, line.tax_amount, d.rate)
    out = []
    for key in sorted(rows):
        r = rows[key]
        r["net_due"] = r["collected"] - r["paid"]
        out.append(r)
    totals = {"code": "Total", **{k: sum((r[k] for r in out), ZERO)
                                  for k in ("sales_net", "collected", "purchases_net", "paid", "net_due")}}
    cols = [text("code", "Code"), text("name", "Name"), Column("rate", "Rate %", "qty"),
            money("sales_net", "Sales net", p), money("collected", "Tax collected", p),
            money("purchases_net", "Purchases net", p), money("paid", "Tax paid", p),
            money("net_due", "Net tax due", p)]
    span = f"{start or 'start'} to {end or 'today'}"
    return Table("tax", cols, out, totals, title=f"Tax by code, {span} ({book.base})",
                 notes=["Net tax due = collected - paid (a negative figure is a refund due)."])


@rule(reads=("account", "bill", "credit-note", "invoice", "purchase-order", "sales-order", "tax-code"))
def tax_code_rules(book: Book) -> list[Problem]:
    """Tax codes post to known accounts; document lines name known tax codes."""
    out: list[Problem] = []
    for code, t in tax_codes(book).items():
        for fld in ("collected_account", "paid_account"):
            acct = getattr(t, fld)
            if acct and acct not in book.accounts:
                out.append(Problem(book.source("tax-code", code), 0, "unknown-account",
                                   f"tax code {code}: {fld} {acct} does not exist",
                                   "use an account from `comptoir account list`", loc=(fld,)))
    known = tax_codes(book)
    for kind in ("sales-order", "invoice", "credit-note", "purchase-order", "bill"):
        for ident, d in book.of(kind).items():
            for i, line in enumerate(d.lines):
                if line.tax and line.tax not in known:
                    out.append(Problem(book.source(kind, ident), 0, "unknown-tax-code",
                                       f"{ident} line {i + 1}: tax code {line.tax} does not exist",
                                       "add it with `comptoir tax add` or fix `tax:`", loc=("lines", i, "tax")))
    return out


# What this module adds to its family (comptoir.families collects these lists).
RULES = [tax_code_rules]
