"""Invoices: receivable (gross) against revenue (net) and output tax, numbered in the fiscal
year; renumbering a duplicated number.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from comptoir.errors import fail
from comptoir.model import Book
from comptoir.schemas.accounting import JournalEntry
from comptoir.schemas.sales import CreditNote, Invoice, SalesOrder

from ..documents.lines import is_stocked, line_net, places_for, tax_on
from ..documents.numbering import next_number, split_number
from ..documents.parties import doc_rate, terms_of, to_base
from ..documents.taxes import collected_account, get_tax
from ..ids import id_prefix, new_id
from ..inputs import validated
from ..ledger import ZERO
from .common import (
    INVOICE_SERIES,
    deliveries_of,
    get_order,
    invoice_of,
    invoiced,
    orders,
    status,
)


def _document_lines(book: Book, so: SalesOrder, picked: list[tuple[int, Decimal]], cur: str | None
                    ) -> list[dict]:
    places = places_for(book, cur)
    out = []
    for n, qty in picked:
        ln = so.lines[n - 1]
        tax = book.of("tax-code").get(ln.tax) if ln.tax else None
        if ln.tax and tax is None:
            get_tax(book, ln.tax)  # raises with the known codes
        net = line_net(qty, ln.price, ln.discount, places)
        out.append({"line": n, "item": ln.item, "description": ln.description, "qty": qty, "price": ln.price,
                    "discount": ln.discount, "tax": ln.tax, "tax_rate": tax.rate if tax else ZERO, "net": net,
                    "tax_amount": tax_on(net, tax.rate, places) if tax else ZERO,
                    "account": book.settings.accounts.revenue})
    return out


def revenue_postings(book: Book, lines: list, rate: Decimal | None, sign: int) -> list[dict]:
    """Revenue and output tax in the base currency, `sign` -1 for an invoice (credits), +1 for a
    credit note; the largest takes the rounding so they match the receivable at its rate."""
    amounts: dict[str, Decimal] = {}
    for ln in lines:
        line = ln if isinstance(ln, dict) else ln.model_dump()
        amounts[line["account"]] = amounts.get(line["account"], ZERO) + to_base(book, line["net"], rate)
        if line["tax_amount"]:
            acct = collected_account(book, line["tax"])
            amounts[acct] = amounts.get(acct, ZERO) + to_base(book, line["tax_amount"], rate)
    total = to_base(book, sum((ln["net"] + ln["tax_amount"] if isinstance(ln, dict) else ln.net + ln.tax_amount
                               for ln in lines), ZERO), rate)
    gap = total - sum(amounts.values(), ZERO)
    if gap:
        largest = max(amounts, key=lambda a: abs(amounts[a]))
        amounts[largest] += gap
    return [{"account": a, "amount": sign * v} for a, v in amounts.items() if v]


def invoice(book: Book, target: str, day: dt.date, rng: random.Random,
            due: dt.date | None = None) -> tuple[Invoice, JournalEntry]:
    """Invoice a delivery, or everything delivered (and every service line) on an order that is not
    invoiced yet: debit receivable (gross), credit revenue (net) and output tax. Numbered next in
    the fiscal year; due after the payment terms unless `due` is given."""
    dn = book.of("delivery").get(target)
    if dn is not None:
        so = get_order(book, dn.order)
        done = invoice_of(book, dn.id)
        if done is not None:
            raise fail("already-invoiced", f"delivery {dn.id} is already invoiced by {done.number} ({done.id})",
                       "a delivery is invoiced once; to correct it, issue a credit note",
                       file=book.source("invoice", done.id), line=1)
        dns = [dn]
    elif target in orders(book):
        so = get_order(book, target)
        if so.confirmed is None:
            raise fail("not-confirmed", f"{so.id} is a quote", f"confirm it first: `comptoir sales confirm {so.id}`")
        dns = [d for d in deliveries_of(book, so.id) if invoice_of(book, d.id) is None]
    else:
        if target in book.of("invoice") or any(i.number == target for i in book.of("invoice").values()):
            raise fail("already-invoiced", f"{target} is an invoice", "invoice an order or a delivery")
        raise fail("unknown-document", f"there is no sales order or delivery {target}",
                   "`comptoir sales list` shows the orders; `comptoir sales show ORDER` its deliveries")
    qty: dict[int, Decimal] = {}
    for d in dns:
        for ln in d.lines:
            qty[ln.line] = qty.get(ln.line, ZERO) + ln.qty
    if dn is None and so.cancelled is None:  # services are invoiced with the order
        for i, line in enumerate(so.lines, 1):
            if not is_stocked(book, line.item) and line.qty > invoiced(book, so.id, i):
                qty[i] = line.qty - invoiced(book, so.id, i)
    if not qty:
        if status(book, so) in ("invoiced", "paid"):
            raise fail("already-invoiced", f"everything on {so.id} is invoiced",
                       f"see `comptoir sales show {so.id}`", file=book.source("sales-order", so.id), line=1)
        raise fail("nothing-to-invoice", f"nothing on {so.id} is delivered and waiting for its invoice",
                   f"deliver first: `comptoir sales deliver {so.id}`")
    last = max((d.date for d in dns), default=so.confirmed)
    if last is not None and day < last:
        raise fail("invoice-before-delivery", f"the invoice date {day} is before the delivery on {last}",
                   f"invoice on or after {last}")
    if due is not None and due < day:
        raise fail("due-before-date", f"the due date {due} is before the invoice date {day}",
                   f"give a --due on or after {day}, or leave it to the payment terms")
    partner = book.of("partner").get(so.partner)
    if partner is None:
        raise fail("unknown-partner", f"there is no partner {so.partner}", "restore the customer record")
    cur = so.currency
    fx = doc_rate(book, cur, day)
    lines = _document_lines(book, so, sorted(qty.items()), cur)
    net = sum((ln["net"] for ln in lines), ZERO)
    tax = sum((ln["tax_amount"] for ln in lines), ZERO)
    ident = new_id(id_prefix(book, "invoice"), day, book.of("invoice"), rng)
    number = next_number(book, "invoice", INVOICE_SERIES, day)
    postings = [{"account": book.settings.accounts.receivable, "amount": net + tax, "currency": cur, "rate": fx,
                 "partner": so.partner}, *revenue_postings(book, lines, fx, -1)]
    entry = validated(JournalEntry, id=new_id(id_prefix(book, "journal"), day, book.entries, rng), date=day,
                      memo=f"Invoice {number} to {partner.name} ({so.id})", reference=number, source=ident,
                      postings=postings)
    doc = validated(Invoice, id=ident, number=number, date=day,
                    due=due or day + dt.timedelta(days=terms_of(partner, so.payment_terms_days)), partner=so.partner,
                    currency=cur, rate=fx, order=so.id, deliveries=[d.id for d in dns], lines=lines, net=net,
                    tax=tax, total=net + tax, entry=entry.id, customer_reference=so.customer_reference)
    return doc, entry


def renumber(book: Book, inv: Invoice | CreditNote, kind: str = "invoice"
             ) -> tuple[Invoice | CreditNote, JournalEntry | None]:
    """Give a duplicated number (two branches numbered an invoice alike) the next free one."""
    twins = [d for d in book.of(kind).values() if d.number == inv.number and d.id != inv.id]
    if not twins:
        raise fail("number-not-duplicated", f"{inv.number} ({inv.id}) is the only document with its number",
                   "only a duplicated number is renumbered; a unique one stays, or it would leave a gap")
    parts = split_number(inv.number)
    number = next_number(book, kind, parts[0] if parts else "", inv.date)
    entry = book.entries.get(inv.entry)
    if entry is not None:
        entry = entry.model_copy(update={"reference": number, "memo": entry.memo.replace(inv.number, number)})
    return inv.model_copy(update={"number": number}), entry
