"""Payments and what they settle; aging, partner statements and the cash forecast.

| event            | debit                     | credit                     |
|------------------|---------------------------|----------------------------|
| customer payment | bank                      | accounts receivable        |
| supplier payment | accounts payable          | bank                       |

A payment settles invoices (or bills) at the rate they were booked at; the bank receives the
amount at the payment's rate; the difference is a realised exchange gain or loss. What is not
allocated stays on the partner's account as a credit.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from comptoir.errors import Problem, fail
from comptoir.model import Book
from comptoir.schemas.accounting import JournalEntry
from comptoir.schemas.partners import Partner
from comptoir.schemas.payments import Payment
from comptoir.schemas.purchasing import Bill
from comptoir.schemas.sales import Invoice
from comptoir.schemas.types import currency_places

from .documents import (
    OpenItem,
    doc_currency,
    doc_rate,
    get_partner_as,
    named_by_document,
    open_items,
    rounding_postings,
    settle_rounding,
    to_base,
    validated,
)
from .documents.balances import linked_partners, partner_items
from .documents.facts import light, served_lazily, where
from .ids import id_prefix, new_id
from .ledger import ZERO, net_by_account
from .validation import keeping, rule

BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")
SIDE_OF = {"in": "receivable", "out": "payable"}
DOC_KIND = {"in": "invoice", "out": "bill"}


def bucket(days_past_due: int) -> str:
    if days_past_due <= 0:
        return "current"
    if days_past_due <= 30:
        return "1-30"
    if days_past_due <= 60:
        return "31-60"
    if days_past_due <= 90:
        return "61-90"
    return "90+"


def _find(book: Book, direction: str, partner: str, ref: str) -> OpenItem:
    """The open item of an invoice (by id or number) or bill (by id or the supplier's number)."""
    kind = DOC_KIND[direction]
    docs = book.of(kind)
    doc = docs.get(ref) or next((d for d in docs.values() if d.number == ref and d.partner == partner), None) \
        or next((d for d in docs.values() if d.number == ref), None)
    if doc is None:
        raise fail(f"unknown-{kind}", f"there is no {kind} {ref}",
                   "`comptoir sales invoices` lists the invoices" if kind == "invoice"
                   else "`comptoir purchase bills` lists the bills")
    if doc.partner != partner:
        raise fail("wrong-partner", f"{kind} {doc.number} ({doc.id}) is {doc.partner}'s, not {partner}'s",
                   "name the partner the document belongs to")
    return partner_items(book, SIDE_OF[direction], doc.partner, journal=False).by_document[doc.id]


def _credit(book: Book, side: str, partner: str, ref: str) -> OpenItem:
    """An open credit of the partner: a credit or debit note (by id or number) or a payment."""
    items = open_items(book, side, journal=False)
    item = items.by_document.get(ref) or next(
        (i for i in items.items if i.number == ref and i.partner == partner and i.amount < 0), None)
    if item is None or item.amount >= 0:
        raise fail("unknown-credit", f"there is no credit note, debit note or payment {ref} on the {side} side",
                   f"`comptoir report statement {partner}` lists the partner's documents")
    if item.partner != partner:
        raise fail("wrong-partner", f"{ref} is {item.partner}'s, not {partner}'s", "name the partner it belongs to")
    if item.open >= 0:
        raise fail("credit-used", f"{item.kind} {item.number} ({item.document}) has no credit left",
                   "name one with credit left, or leave --credit out to use the oldest")
    return item


def new_payment(book: Book, direction: str, partner_id: str, amount: Decimal, day: dt.date, rng: random.Random,
                documents: Sequence[str] = (), currency: str | None = None, rate: Decimal | None = None,
                bank: str | None = None, reference: str | None = None, memo: str | None = None,
                refund: bool = False) -> tuple[Payment, JournalEntry]:
    """A payment received (in) or sent (out), allocated to the named invoices or bills in that
    order, else to the partner's open ones, oldest due first; the rest stays as a credit.

    A refund (money out to a customer, in from a supplier) pays back the partner's credits
    (credit notes, over-payments, debit notes), the named ones or the oldest first."""
    side = ("receivable" if direction == "out" else "payable") if refund else SIDE_OF[direction]
    role = "customer" if side == "receivable" else "supplier"
    partner = get_partner_as(book, partner_id, role)
    if amount <= 0:
        raise fail("invalid-amount", f"--amount {amount} must be more than zero", "give what was paid")
    cur = doc_currency(book, partner, currency)
    pay_rate = doc_rate(book, cur, day, rate)
    bank = bank or book.settings.accounts.bank
    acct = book.accounts.get(bank)
    if acct is None:
        raise fail("unknown-account", f"account {bank} does not exist", "give --account a bank account code")
    code = cur or book.base
    if refund:
        if documents:
            targets = [_credit(book, side, partner.id, ref) for ref in documents]
        else:
            targets = sorted((i for i in partner_items(book, side, partner.id, journal=False).open_for(partner.id)
                              if i.open < 0 and i.kind != "journal" and i.date <= day),
                             key=lambda i: (i.date, i.number))
        for item in targets:
            if item.currency != code:
                raise fail("currency-mismatch", f"{item.number} is in {item.currency}, the refund in {code}",
                           f"give --currency {item.currency}")
        if not targets:
            raise fail("no-credit", f"{partner.name} has no credit to refund",
                       f"`comptoir report statement {partner.id}` shows what is open")
    elif documents:
        targets = []
        for ref in documents:
            item = _find(book, direction, partner.id, ref)
            if item.currency != code:
                raise fail("currency-mismatch", f"{item.number} is in {item.currency}, the payment in {code}",
                           f"give --currency {item.currency}")
            if item.open <= 0:
                raise fail("already-paid", f"{DOC_KIND[direction]} {item.number} ({item.document}) is paid",
                           "name an open one, or leave out --invoice/--bill to allocate oldest first")
            targets.append(item)
    else:
        targets = sorted((i for i in partner_items(book, side, partner.id, journal=False).open_for(partner.id)
                          if i.kind in ("invoice", "bill") and i.open > 0 and i.currency == code and i.date <= day),
                         key=lambda i: (i.due, i.date, i.number))
    allocations = []
    rest = amount
    for item in targets:
        if rest <= 0:
            break
        take = min(rest, abs(item.open))
        allocations.append((item, take))
        rest -= take
    if refund and rest > 0:
        raise fail("over-refund", f"{rest:f} {code} more than {partner.name}'s credit is refunded",
                   f"refund at most {amount - rest:f} {code}")
    sign = 1 if direction == "in" else -1  # in: debit bank, credit receivable
    side_account = book.settings.accounts.receivable if side == "receivable" else book.settings.accounts.payable
    postings: list[dict] = []
    if acct.currency and acct.currency == code and cur is not None:
        postings.append({"account": bank, "amount": sign * amount, "currency": cur, "rate": pay_rate})
    else:
        postings.append({"account": bank, "amount": sign * to_base(book, amount, pay_rate)})
    for item, take in allocations:
        postings.append({"account": side_account, "amount": -sign * take, "currency": cur,
                         "rate": item.rate if cur else None, "partner": partner.id,
                         "memo": f"{item.number}"})
    if rest > 0:
        postings.append({"account": side_account, "amount": -sign * rest, "currency": cur, "rate": pay_rate,
                         "partner": partner.id, "memo": "unallocated: kept as a credit on the partner"})
    if cur is not None:
        total = sum((p["amount"] if p.get("currency") is None else to_base(book, p["amount"], p["rate"])
                     for p in postings), ZERO)
        if total:  # what the postings leave unbalanced in base: a missing debit is a loss
            acc = book.settings.accounts
            loss = -total > 0
            postings.append({"account": acc.fx_loss if loss else acc.fx_gain, "amount": -total,
                             "memo": "Realised exchange " + ("loss" if loss else "gain")})
        # a piece of a foreign document is worth its share of the document's own base value
        cents = sum((settle_rounding(book, item, take) for item, take in allocations), ZERO)
        postings += rounding_postings(book, side_account, cur, partner.id, -sign * cents)
    ident = new_id(id_prefix(book, "payment"), day, book.of("payment"), rng)
    names = ", ".join(item.number for item, _ in allocations)
    verb = "from" if direction == "in" else "to"
    what = "Refund" if refund else "Payment"
    text_memo = memo or (f"{what} {verb} {partner.name}" + (f": {names}" if names else ": on account"))
    entry = validated(JournalEntry, id=new_id(id_prefix(book, "journal"), day, book.entries, rng), date=day, memo=text_memo,
                      reference=reference or names or None, source=ident, postings=postings)
    pay = validated(Payment, id=ident, date=day, direction=direction, side=side if refund else None,
                    partner=partner.id, amount=amount,
                    currency=cur, rate=pay_rate, bank=bank,
                    allocations=[{"document": item.document, "amount": take} for item, take in allocations],
                    reference=reference, memo=memo, entry=entry.id)
    return pay, entry


def document_number(book: Book, ident: str) -> str:
    """The number of the invoice, bill, credit or debit note `ident` (the id when there is none)."""
    for kind in ("invoice", "bill", "credit-note", "debit-note"):
        doc = light(book, kind).get(ident)
        if doc is not None:
            return doc.number
    return ident


def apply_credits(book: Book, side: str, partner_id: str, day: dt.date, rng: random.Random,
                  credits: Sequence[str] = (), documents: Sequence[str] = (), amount: Decimal | None = None
                  ) -> tuple[list, JournalEntry | None]:
    """Use the partner's credits (credit or debit notes, unallocated payments: the named ones,
    else the oldest) on their open invoices, bills or refunds (the named ones, else oldest due
    first), in the same currency, up to `amount`. Allocations between open items post nothing;
    foreign documents booked at two rates post the realised exchange difference."""
    from comptoir.schemas.payments import Application

    role = "customer" if side == "receivable" else "supplier"
    partner = get_partner_as(book, partner_id, role)
    items = open_items(book, side, journal=False)
    if credits:
        sources = [_credit(book, side, partner.id, ref) for ref in credits]
    else:
        sources = sorted((i for i in items.open_for(partner.id) if i.open < 0 and i.kind != "journal"
                          and i.date <= day), key=lambda i: (i.date, i.number))
    if documents:
        targets = []
        for ref in documents:
            item = items.by_document.get(ref) or next(
                (i for i in items.items if i.number == ref and i.partner == partner.id and i.amount > 0), None)
            if item is None or item.partner != partner.id or item.amount <= 0:
                raise fail("unknown-document", f"{partner.name} has no invoice, bill or refund {ref} on the {side} "
                           "side", f"`comptoir report statement {partner.id}` lists the documents")
            if item.open <= 0:
                raise fail("already-paid", f"{item.kind} {item.number} ({item.document}) is settled", "")
            targets.append(item)
    else:
        targets = sorted((i for i in items.open_for(partner.id) if i.open > 0 and i.kind != "journal"
                          and i.date <= day), key=lambda i: (i.due, i.date, i.number))
    if not sources:
        raise fail("no-credit", f"{partner.name} has no credit to apply", "a credit note, debit note or an "
                   "unallocated payment is a credit; `comptoir report statement` shows them")
    if not targets:
        raise fail("nothing-open", f"{partner.name} has nothing open to apply a credit to", "")
    left = {i.document: -i.open for i in sources}
    due = {i.document: i.open for i in targets}
    budget = amount
    pairs = []
    for t in targets:
        for c in sources:
            if budget is not None and budget <= 0:
                break
            if c.currency != t.currency or left[c.document] <= 0 or due[t.document] <= 0 or c.date > day:
                continue
            take = min(left[c.document], due[t.document], *(() if budget is None else (budget,)))
            pairs.append((c, t, take))
            left[c.document] -= take
            due[t.document] -= take
            if budget is not None:
                budget -= take
    if not pairs:
        raise fail("currency-mismatch", f"{partner.name}'s credits and open documents are in different currencies",
                   "a credit applies to documents in its own currency; refund it instead (`comptoir pay refund`)")
    acc = book.settings.accounts
    side_account = acc.receivable if side == "receivable" else acc.payable
    postings: list[dict] = []
    sign = 1 if side == "receivable" else -1  # receivable: the credit is a credit balance, undone by a debit
    done: dict[str, Decimal] = {}  # settled by this write so far, per document
    cents: dict[str, Decimal] = {}  # per currency: the rounding settle_rounding finds, on the side account
    for c, t, take in pairs:
        if c.currency == book.base:
            continue
        # each piece is worth its share of its document's own base value (see settle_rounding)
        rounding = settle_rounding(book, c, take, done.get(c.document, ZERO)) \
            - settle_rounding(book, t, take, done.get(t.document, ZERO))
        done[c.document] = done.get(c.document, ZERO) + take
        done[t.document] = done.get(t.document, ZERO) + take
        cents[c.currency] = cents.get(c.currency, ZERO) + sign * rounding
        if c.rate == t.rate:
            continue
        postings.append({"account": side_account, "amount": sign * take, "currency": c.currency, "rate": c.rate,
                         "partner": partner.id, "memo": c.number})
        postings.append({"account": side_account, "amount": -sign * take, "currency": t.currency, "rate": t.rate,
                         "partner": partner.id, "memo": t.number})
    entry = None
    day_ids = set(book.of("application"))
    if postings or any(cents.values()):
        gap = sum((to_base(book, p["amount"], p["rate"]) for p in postings), ZERO)
        if gap:
            postings.append({"account": acc.fx_loss if gap < 0 else acc.fx_gain, "amount": -gap,
                             "memo": "Realised exchange " + ("loss" if gap < 0 else "gain")})
        for code, value in sorted(cents.items()):
            postings += rounding_postings(book, side_account, code, partner.id, value)
        if postings:
            entry = validated(JournalEntry, id=new_id(id_prefix(book, "journal"), day, book.entries, rng), date=day,
                              memo=f"Credits applied for {partner.name}: exchange difference",
                              source="pay apply", postings=postings)
    out = []
    for c, t, take in pairs:
        ident = new_id(id_prefix(book, "application"), day, day_ids, rng)
        day_ids.add(ident)
        out.append(validated(Application, id=ident, date=day, side=side, partner=partner.id, credit=c.document,
                             document=t.document, amount=take, currency=None if c.currency == book.base
                             else c.currency, entry=entry.id if entry else None))
    return out, entry


# -- reports ---------------------------------------------------------------------------------------


@dataclass
class Aging:
    """Open items by days past due on `day` (rows per partner, or per document with `detail`),
    their totals, the side accounts' ledger balance and whether the total agrees with it."""

    side: str
    day: dt.date
    detail: bool
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    residual: Decimal  # on the side accounts but in no open document (exchange differences, rounding)
    ledger: Decimal
    accounts: list[str]

    @property
    def total(self) -> Decimal:
        return Decimal(self.totals["base"] if self.detail else self.totals["total"])

    @property
    def agrees(self) -> bool:
        return self.total == self.ledger


def aging(book: Book, side: str, day: dt.date, detail: bool = False) -> Aging:
    """Open items by days past due (current, 1-30, 31-60, 61-90, 90+) on `day`, in the base currency,
    per partner (or per document with `detail`); the total agrees with the ledger."""
    found = open_items(book, side, day)
    names = {k: v.name for k, v in book.of("partner").items()}
    rows: list[dict] = []
    per: dict[str, dict] = {}
    for item in found.open_for():
        days = (day - item.due).days
        b = bucket(days)
        value = item.base(book)
        if detail:
            rows.append({"partner": item.partner or "(no partner)", "name": names.get(item.partner, ""),
                         "kind": item.kind, "document": item.document, "number": item.number, "date": item.date,
                         "due": item.due, "days": max(days, 0), "currency": item.currency, "open": item.open,
                         "base": value, "bucket": b})
        else:
            row = per.setdefault(item.partner, {"partner": item.partner or "(no partner)",
                                                "name": names.get(item.partner, ""),
                                                **{k: ZERO for k in BUCKETS}, "total": ZERO})
            row[b] += value
            row["total"] += value
    if not detail:
        rows = [per[k] for k in sorted(per)]
    if found.residual:
        label = "(exchange differences, rounding)"
        if detail:
            rows.append({"partner": label, "name": "", "kind": "adjustment", "document": "", "number": "",
                         "date": None, "due": None, "days": None, "currency": book.base, "open": found.residual,
                         "base": found.residual, "bucket": "current"})
        else:
            rows.append({"partner": label, "name": "", **{k: ZERO for k in BUCKETS}, "current": found.residual,
                         "total": found.residual})
    if detail:
        totals: dict[str, Any] = {"partner": "Total", "base": sum((r["base"] for r in rows), ZERO)}
    else:
        totals = {"partner": "Total", **{k: sum((r[k] for r in rows), ZERO) for k in (*BUCKETS, "total")}}
    return Aging(side, day, detail, rows, totals, found.residual, found.ledger, sorted(_accounts(book, side)))


def _accounts(book: Book, side: str) -> set[str]:
    from .documents import side_accounts

    return side_accounts(book, side)


@dataclass
class PartnerStatement:
    """A partner's statement of account: every document in date order with the running balance
    and what is open (rows, in `currency`), the total open and the overdue documents."""

    partner: Partner
    side: str
    day: dt.date
    currency: str
    rows: list[dict[str, Any]]
    open_total: Decimal
    overdue: list[tuple[str, dt.date, Decimal]]  # number, due date, open

    def notes(self) -> list[str]:
        p = currency_places(self.currency)
        name, cur, total = self.partner.name, self.currency, self.open_total
        if total < 0:
            notes = [f"{name} has a credit of {-total:,.{p}f} {cur} on {self.day}"
                     + (" (paid more than invoiced)." if self.side == "receivable" else " (we paid more than billed).")]
        else:
            owes = "owes us" if self.side == "receivable" else "is owed"
            notes = [f"{name} {owes} {total:,.{p}f} {cur} on {self.day}."]
        if self.overdue:
            notes.append("overdue: " + ", ".join(f"{n} (due {d}, {v:,.{p}f})" for n, d, v in self.overdue))
        return notes


def statement(book: Book, partner_id: str, day: dt.date, side: str | None = None,
              start: dt.date | None = None) -> PartnerStatement:
    """Every document with the partner, in date order, with the running balance and what is open."""
    partner = book.of("partner").get(partner_id)
    if partner is None:
        raise fail("unknown-partner", f"there is no partner {partner_id}", "`comptoir partner list` shows the ids")
    side = side or ("receivable" if "customer" in partner.roles else "payable")
    found = [i for i in open_items(book, side, day).items if i.partner == partner_id]
    currencies = {i.currency for i in found}
    cur = currencies.pop() if len(currencies) == 1 else book.base
    in_own = cur != book.base or not currencies

    def amount(i: OpenItem, value: Decimal) -> Decimal:
        return value if in_own else to_base(book, value, i.rate)

    rows: list[dict] = []
    balance = ZERO
    opening = ZERO
    order = {"invoice": 0, "bill": 0, "journal": 1, "payment": 2, "credit-note": 3}
    for i in sorted(found, key=lambda i: (i.date, order.get(i.kind, 9), i.document)):
        if start is not None and i.date < start:
            opening += amount(i, i.amount)
            continue
        if not rows and start is not None:
            balance = opening
            rows.append({"date": start, "kind": "opening balance", "document": "", "number": "", "due": None,
                         "charge": None, "credit": None, "balance": opening, "open": None})
        balance += amount(i, i.amount)
        rows.append({"date": i.date, "kind": i.kind, "document": i.document, "number": i.number,
                     "due": i.due if i.kind in ("invoice", "bill") else None,
                     "charge": amount(i, i.amount) if i.amount > 0 else None,
                     "credit": -amount(i, i.amount) if i.amount < 0 else None, "balance": balance,
                     "open": amount(i, i.open) if i.open else None})
    open_total = sum((amount(i, i.open) for i in found), ZERO)
    overdue = [(i.number, i.due, amount(i, i.open)) for i in found if i.open > 0 and i.due < day]
    return PartnerStatement(partner, side, day, cur, rows, open_total, overdue)


@dataclass
class CashWeeks:
    """The bank and cash accounts' opening balance on the first day, then open receivables and
    payables by due date week by week (rows and totals), and what falls due after `end`."""

    today: dt.date
    weeks: int
    end: dt.date
    opening: Decimal
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    later_receipts: Decimal
    later_payments: Decimal


def cash_weeks(book: Book, today: dt.date, weeks: int = 13) -> CashWeeks:
    """Opening bank balance, then receivables and payables by due date, week by week (overdue
    items are expected in the first week)."""
    accounts = book.accounts
    bal = net_by_account(book, None, today)  # from the day totals: served without the entries (cli/app/openitems.py)
    opening = sum((v for c, v in bal.items() if c in accounts and accounts[c].role in ("bank", "cash")), ZERO)
    starts = [today + dt.timedelta(days=7 * k) for k in range(weeks)]
    end = today + dt.timedelta(days=7 * weeks - 1)
    flows = [[ZERO, ZERO] for _ in starts]
    later = [ZERO, ZERO]
    for col, side in ((0, "receivable"), (1, "payable")):
        for item in open_items(book, side, today).open_for():
            if item.open <= 0:
                continue
            value = item.base(book)
            if item.due > end:
                later[col] += value
                continue
            week = max((item.due - today).days, 0) // 7
            flows[week][col] += value
    rows: list[dict[str, Any]] = []
    balance = opening
    for k, start in enumerate(starts):
        receipts, payments = flows[k]
        balance += receipts - payments
        rows.append({"week": k + 1, "from": start, "to": start + dt.timedelta(days=6), "receipts": receipts,
                     "payments": payments, "net": receipts - payments, "closing": balance})
    totals: dict[str, Any] = {"week": None, "receipts": sum((r["receipts"] for r in rows), ZERO),
              "payments": sum((r["payments"] for r in rows), ZERO), "closing": balance}
    totals["net"] = totals["receipts"] - totals["payments"]
    return CashWeeks(today, weeks, end, opening, rows, totals, later[0], later[1])


def payment_rows(book: Book, partner: str | None = None, direction: str | None = None) -> list[dict[str, Any]]:
    """Payments by date (of a partner, in or out), with the documents they are allocated to."""
    rows = []
    docs: dict[str, Invoice | Bill] | None = None
    for pay in sorted(book.of("payment").values(), key=lambda x: (x.date, x.id)):
        if (partner and pay.partner != partner) or (direction and pay.direction != direction):
            continue
        if docs is None:  # once, not per payment
            docs = {**book.of("invoice"), **book.of("bill")}
        rows.append({"id": pay.id, "date": pay.date, "direction": pay.direction, "partner": pay.partner,
                     "currency": pay.currency or book.base, "amount": pay.amount,
                     "allocated": ", ".join(f"{docs[a.document].number if a.document in docs else a.document} "
                                            f"{a.amount:f}" for a in pay.allocations),
                     "unallocated": pay.unallocated, "reference": pay.reference or ""})
    return rows


# -- rules -----------------------------------------------------------------------------------------


@rule(reads=("account", "application", "bill", "credit-note", "debit-note", "invoice", "journal", "partner",
             "payment"),
      lookups=("journal",), stream=keeping(named_by_document),
      delta=lambda book, change, facts: _payments_delta(book, change))
def payment_rules(book: Book) -> list[Problem]:
    """Payments name known partners, bank accounts and documents of that partner and currency, and
    no document is allocated more than is open on it."""
    return _payment_problems(book, book.of("payment"), None)


def _payments_delta(book: Book, change) -> list[Problem] | None:
    """Records added (none replaced) to a book that had no errors: the added payments' own checks,
    and whether a document that an added payment, application or credit names (or an added
    document) is now settled beyond its total. Every other payment's checks look at records that
    did not change."""
    if change.replaced:
        return None
    named: set[str] = set(change.added.get("invoice", {})) | set(change.added.get("bill", {}))
    for pay in change.new("payment"):
        named.update(a.document for a in pay.allocations)
    named.update(a.document for a in change.new("application"))
    named.update(n.invoice for n in change.new("credit-note"))
    named.update(n.bill for n in change.new("debit-note"))
    # documents the change adds: no payment of the book before can name them (it had no errors)
    new = set(change.added.get("invoice", {})) | set(change.added.get("bill", {}))
    return _payment_problems(book, change.added.get("payment", {}), named, only_checked=named <= new)


def _payment_problems(book: Book, checked: dict, named: set[str] | None,
                      only_checked: bool = False) -> list[Problem]:
    """The problems of the payments `checked`, and the documents settled beyond their total (of
    those `named`; None: every document), every payment's allocations counted (`only_checked`: the
    documents named are new, so only the checked payments can name them)."""
    out: list[Problem] = []
    partners = book.of("partner")
    totals: dict[str, Decimal] = {}
    for ident, pay in checked.items():
        src = book.source("payment", ident)
        if pay.partner not in partners:
            out.append(Problem(src, 0, "unknown-partner", f"{ident}: partner {pay.partner} does not exist",
                               "fix `partner:`", loc=("partner",)))
        if pay.bank not in book.accounts:
            out.append(Problem(src, 0, "unknown-account", f"{ident}: bank account {pay.bank} does not exist",
                               "fix `bank:`", loc=("bank",)))
        if pay.entry not in book.entries:
            out.append(Problem(src, 0, "missing-entry", f"{ident}: journal entry {pay.entry} does not exist",
                               "restore the entry the payment was written with", loc=("entry",)))
        kind = DOC_KIND[pay.direction]
        for i, a in enumerate(pay.allocations):
            if pay.refund:  # a refund pays back credits: checked with the open items
                continue
            doc = light(book, kind).get(a.document)
            if doc is None:
                out.append(Problem(src, 0, f"unknown-{kind}", f"{ident}: allocated to {a.document}, not a known {kind}",
                                   "fix `document:`", loc=("allocations", i, "document")))
                continue
            if doc.partner != pay.partner:
                out.append(Problem(src, 0, "wrong-partner",
                                   f"{ident}: pays {a.document} of {doc.partner}, but the payment is {pay.partner}'s",
                                   "allocate to the partner's own documents", loc=("allocations", i)))
            if (doc.currency or book.base) != (pay.currency or book.base):
                out.append(Problem(src, 0, "currency-mismatch",
                                   f"{ident}: pays {a.document} in {doc.currency or book.base} with "
                                   f"{pay.currency or book.base}", "allocate in the document's currency",
                                   loc=("allocations", i)))
            if named is None:
                totals[a.document] = totals.get(a.document, ZERO) + a.amount
    owners = _owners(book, named)
    if named is not None:  # what every payment allocates to the documents named
        for pay in (checked.values() if only_checked else _paying(book, owners, checked)):
            if not pay.refund:
                for a in pay.allocations:
                    if a.document in named:
                        totals[a.document] = totals.get(a.document, ZERO) + a.amount
    if not any(totals.values()):  # nothing allocated to what is checked: nothing can be over-allocated
        return out
    for side, kind in (("receivable", "invoice"), ("payable", "bill")):
        # replayed in date order: credit notes take what is open, payments must fit in what is left
        scope = None if owners is None else frozenset().union(*(linked_partners(book, side, o) for o in owners))
        for ident, item in open_items(book, side, journal=False, partners=scope).by_document.items():
            if item.kind == kind and totals.get(ident) and item.settled > item.amount:
                doc = light(book, kind)[ident]
                out.append(Problem(book.source(kind, ident), 0, "over-allocated",
                                   f"{kind} {doc.number} ({ident}): {item.settled:f} paid or credited on a total "
                                   f"of {doc.total:f}",
                                   "allocate the surplus to another document, or leave it unallocated as a credit",
                                   loc=("total",)))
    return out


def _owners(book: Book, named: set[str] | None) -> set[str] | None:
    """The partners of the invoices and bills named, when a write is served its documents one by one
    (a payment pays its own partner's documents, so only theirs need counting); None: count every one."""
    if named is None or not served_lazily(book, "payment"):
        return None
    return {docs[i].partner for kind in ("invoice", "bill") for docs in (light(book, kind),) for i in named if i in docs}


def _paying(book: Book, owners: set[str] | None, checked: dict) -> list:
    """Every payment, or the owners' and those being checked (the only others that may name their
    documents: payment_rules refuses another partner's)."""
    if owners is None:
        return list(light(book, "payment").values())
    found = {p.id: p for o in sorted(owners) for p in where(book, "payment", "partner", o)}
    found.update(checked)
    return list(found.values())


# What this module adds to its family (comptoir.families collects these lists).
RULES = [payment_rules]
