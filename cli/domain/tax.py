"""Tax codes and the tax report: tax collected on sales and paid on purchases, per code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from comptoir.errors import Problem, fail
from comptoir.model import Book
from comptoir.schemas.accounting import JournalEntry
from comptoir.schemas.tax import TaxCode

from .documents import tax_codes, to_base, validated
from .ledger import ZERO
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


def tax_code_rows(book: Book) -> list[dict[str, Any]]:
    """Each tax code with its rate and the accounts it posts to (the settings' when it names none)."""
    acc = book.settings.accounts
    return [{"code": t.code, "name": t.name, "rate": t.rate,
             "collected_account": t.collected_account or acc.output_tax,
             "paid_account": t.paid_account or acc.input_tax, "active": t.active}
            for t in sorted(tax_codes(book).values(), key=lambda t: t.code)]


def tax_summary(book: Book, start: dt.date | None, end: dt.date | None) -> tuple[list[dict], dict[str, Any]]:
    """Per tax code: the net amounts and the tax of sales (less credit notes) and of purchases, in
    the base currency, for documents dated in the period; and their totals."""
    out = by_code(book, start, end)
    totals = {"code": "Total", **{k: sum((r[k] for r in out), ZERO)
                                  for k in ("sales_net", "collected", "purchases_net", "paid", "net_due")}}
    return out, totals


def by_code(book: Book, start: dt.date | None, end: dt.date | None) -> list[dict]:
    """Sales (less credit notes) and purchases (less debit notes) per tax code, net and tax, in
    the base currency, for documents dated in the period."""
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
    for kind, sign in (("bill", 1), ("debit-note", -1)):
        for d in book.of(kind).values():
            if inside(d.date):
                for line in d.lines:
                    r = row(line.tax)
                    r["purchases_net"] += sign * to_base(book, line.net, d.rate)
                    r["paid"] += sign * to_base(book, line.tax_amount, d.rate)
    out = []
    for key in sorted(rows):
        r = rows[key]
        r["net_due"] = r["collected"] - r["paid"]
        out.append(r)
    return out


SETTLEMENT_TAG = "vat-settlement"


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """'2026-11' (a month), '2026-Q4' (a quarter) or '2026' (a calendar year) -> first and last day."""
    import calendar
    import re

    m = re.fullmatch(r"(\d{4})(?:-(\d{2})|-Q([1-4]))?", period.strip())
    if not m or (m[2] and not 1 <= int(m[2]) <= 12):
        raise fail("bad-period", f"{period!r} is not a period", "write a month 2026-11, a quarter 2026-Q4 or a year 2026")
    year = int(m[1])
    first, last = (int(m[2]), int(m[2])) if m[2] else ((3 * int(m[3]) - 2, 3 * int(m[3])) if m[3] else (1, 12))
    return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])


def settlement_of(book: Book, period: str):
    return next((e for e in book.entries.values() if SETTLEMENT_TAG in e.tags and e.reference == f"VAT {period}"),
                None)


def vat_settlement(book: Book, period: str, today: dt.date, rng) -> JournalEntry:
    """The entry that moves the period's output tax less input tax to the tax authority: debit
    each collected-tax account, credit each paid-tax account by its balance at the period's end
    (earlier settlements brought them to zero), the difference to accounts.vat_payable; dated
    the period's last day. It is then paid like any payable (`comptoir pay send --tax PERIOD`)."""
    from comptoir.schemas.accounting import JournalEntry

    from .ids import id_prefix, new_id
    from .ledger import balances, entries_between

    start, end = period_bounds(period)
    if end > today:
        raise fail("period-not-ended", f"{period} ends on {end}, after today ({today})", "settle a period once it is over")
    done = settlement_of(book, period)
    if done is not None:
        raise fail("already-settled", f"VAT for {period} is settled by {done.id}", "each period is settled once",
                   file=book.source("journal", done.id), line=1)
    later = [e for e in book.entries.values() if SETTLEMENT_TAG in e.tags and e.date >= end]
    if later:
        raise fail("settled-later", f"{later[0].reference} ({later[0].id}) is settled already, on {later[0].date}",
                   "settle periods in date order; a late document goes into the next open period")
    acc = book.settings.accounts
    if acc.vat_payable not in book.accounts:
        raise fail("unknown-account", f"the VAT payable account {acc.vat_payable} does not exist",
                   f"add it: `comptoir account add {acc.vat_payable} \"VAT due to the tax authority\" --type liability`")
    collected = {t.collected_account or acc.output_tax for t in tax_codes(book).values()} | {acc.output_tax}
    paid = {t.paid_account or acc.input_tax for t in tax_codes(book).values()} | {acc.input_tax}
    bal = balances(book, entries_between(book, None, end))
    postings: list[dict[str, Any]] = [{"account": a, "amount": -bal[a]} for a in sorted(collected | paid)
                                      if bal.get(a)]
    if not postings:
        raise fail("nothing-to-settle", f"no tax collected or paid is left to settle at {end}", "")
    due: Decimal = -sum((p["amount"] for p in postings), ZERO)
    postings.append({"account": acc.vat_payable, "amount": due,
                     "memo": "due to the tax authority" if due < 0 else "refund due from the tax authority"})
    return JournalEntry.model_validate({
        "id": new_id(id_prefix(book, "journal"), end, book.entries, rng), "date": end, "memo": f"VAT settlement {period}",
        "reference": f"VAT {period}", "source": "tax settle", "tags": [SETTLEMENT_TAG], "postings": postings})


def vat_payment(book: Book, period: str, day: dt.date, bank: str | None, rng) -> JournalEntry:
    """Pay the settled VAT of a period (or receive its refund): debit accounts.vat_payable, credit the bank."""
    from comptoir.schemas.accounting import JournalEntry

    from .ids import id_prefix, new_id

    settled = settlement_of(book, period)
    if settled is None:
        raise fail("not-settled", f"VAT for {period} is not settled yet", f"run `comptoir tax settle {period}` first")
    if any(e.reference == f"VAT {period}" and "vat-payment" in e.tags for e in book.entries.values()):
        raise fail("already-paid", f"the VAT of {period} is already paid", "")
    acc = book.settings.accounts
    bank = bank or acc.bank
    if bank not in book.accounts:
        raise fail("unknown-account", f"account {bank} does not exist", "give --account a bank account code")
    due = -sum((p.amount for p in settled.postings if p.account == acc.vat_payable), ZERO)
    return JournalEntry.model_validate({
        "id": new_id(id_prefix(book, "journal"), day, book.entries, rng), "date": day, "memo": f"VAT {period} paid",
        "reference": f"VAT {period}", "source": "pay send --tax", "tags": ["vat-payment"],
        "postings": [{"account": acc.vat_payable, "amount": due}, {"account": bank, "amount": -due}]})


def vat_boxes(book: Book, period: str) -> list[dict[str, Any]]:
    """The VAT return of a period by box (box, label, amount), as comptoir.yaml's vat_return:
    boxes: lays it out."""
    start, end = period_bounds(period)
    rows = by_code(book, start, end)
    values: dict[str, Decimal] = {}
    out = []
    for box in book.settings.vat_return.boxes:
        if box.sum is not None:
            value = sum(((-values.get(b[1:], ZERO)) if b.startswith("-") else values.get(b, ZERO)
                         for b in box.sum), ZERO)
        else:
            keys: dict[tuple[str | None, str | None], str] = {
                ("sales", "net"): "sales_net", ("sales", "tax"): "collected",
                ("purchases", "net"): "purchases_net", ("purchases", "tax"): "paid"}
            key = keys[(box.side, box.amount)]
            value = sum((r[key] for r in rows if box.codes is None or r["code"] in box.codes), ZERO)
        values[box.box] = value
        out.append({"box": box.box, "label": box.label, "amount": value})
    return out


@rule(reads=("account", "bill", "credit-note", "invoice", "purchase-order", "sales-order", "tax-code"),
      per=("bill", "credit-note", "invoice", "purchase-order", "sales-order"))
def tax_code_rules(book: Book) -> list[Problem]:
    """Tax codes post to known accounts; document lines name known tax codes (each document on its
    own: a document added is checked alone)."""
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
