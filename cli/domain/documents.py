"""What sales, purchasing and payments share: document lines and their amounts, currencies and
rates, due dates, sequential numbers, and the open items of receivables and payables.

Open items are computed, never stored: an invoice is open for its total less the payments
allocated to it and the credit notes against it; a payment's unallocated part and a credit
note's unapplied part stay open as credits on the partner. Postings to the receivable and
payable accounts that no document wrote (a hand-posted supplier invoice) are open items too,
grouped by reference, so the aging reports always add up to the accounts' balances.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from comptoir.errors import ComptoirError, fail, input_problems
from comptoir.model import Book
from comptoir.schemas.partners import Partner
from comptoir.schemas.sales import INVOICE_NUMBER
from comptoir.schemas.tax import TaxCode
from comptoir.schemas.types import currency_places, to_decimal

from .ledger import ZERO, entries_between, entry_values, rate_on, round_to
from .stock import fmt_qty, items

DEFAULT_TERMS_DAYS = 30
HUNDRED = Decimal(100)


# -- lines ---------------------------------------------------------------------------------------


@dataclass
class LineInput:
    """One line as the user typed it: `SKU QTY [PRICE] [discount=5] [tax=VAT20] [date=...] [warehouse=W]`."""

    item: str
    qty: Decimal
    price: Decimal | None = None
    discount: Decimal | None = None
    tax: str | None = None
    date: dt.date | None = None  # requested (sales) or expected (purchases)
    warehouse: str | None = None
    description: str | None = None


_KEYS = {"discount", "tax", "date", "warehouse", "desc", "description"}


def parse_line(text: str) -> LineInput:
    """Parse a `--line` value; errors say which part is wrong."""
    hint = 'write --line "SKU QTY [PRICE] [discount=PCT] [tax=CODE] [date=YYYY-MM-DD] [warehouse=CODE]"'
    try:
        tokens = shlex.split(text)
    except ValueError as exc:
        raise fail("invalid-line", f"--line {text!r}: {exc}", hint) from None
    plain = [t for t in tokens if "=" not in t]
    keyed = dict(t.split("=", 1) for t in tokens if "=" in t)
    if len(plain) < 2 or len(plain) > 3:
        raise fail("invalid-line", f"--line {text!r} needs an item and a quantity, and at most a price", hint)
    unknown = sorted(set(keyed) - _KEYS)
    if unknown:
        raise fail("invalid-line", f"--line {text!r}: unknown key {', '.join(unknown)}", hint)

    def number(value: str, what: str) -> Decimal:
        try:
            return to_decimal(value)
        except ValueError:
            raise fail("invalid-line", f"--line {text!r}: {what} {value!r} is not a number", hint) from None

    day = None
    if "date" in keyed:
        try:
            day = dt.date.fromisoformat(keyed["date"])
        except ValueError:
            raise fail("invalid-line", f"--line {text!r}: date {keyed['date']!r} is not a date",
                       "write dates as YYYY-MM-DD") from None
    return LineInput(item=plain[0], qty=number(plain[1], "quantity"),
                     price=number(plain[2], "price") if len(plain) == 3 else None,
                     discount=number(keyed["discount"].rstrip("%"), "discount") if "discount" in keyed else None,
                     tax=keyed.get("tax"), date=day, warehouse=keyed.get("warehouse"),
                     description=keyed.get("desc") or keyed.get("description"))


def picks(lines: tuple[int, ...], qtys: tuple[str, ...]) -> list[tuple[int, Decimal]] | None:
    """`--line N --qty Q` pairs (None: everything open). One --qty alone means line 1."""
    if not lines and not qtys:
        return None
    if not lines and len(qtys) == 1:
        lines = (1,)
    if len(lines) != len(qtys):
        raise fail("line-qty-pairs", f"{len(lines)} --line and {len(qtys)} --qty given",
                   "give one --qty for each --line: --line 1 --qty 10 --line 2 --qty 5")
    out = []
    for n, q in zip(lines, qtys, strict=True):
        try:
            qty = to_decimal(q)
        except ValueError:
            raise fail("invalid-quantity", f"--qty {q!r} is not a number", "write a plain number: 12 or 2.5") from None
        if qty <= 0:
            raise fail("invalid-quantity", f"--qty {q} must be more than zero", "give a positive quantity")
        out.append((n, qty))
    return out


def validated(model, **fields):
    """A record from command input; errors name the field, not a YAML line."""
    from pydantic import ValidationError


    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    try:
        return model.model_validate(strip(fields))
    except ValidationError as exc:
        raise input_problems(exc) from None


def places_for(book: Book, currency: str | None) -> int:
    return currency_places(currency or book.base)


def line_net(qty: Decimal, price: Decimal, discount: Decimal, places: int) -> Decimal:
    return round_to(qty * price * (HUNDRED - discount) / HUNDRED, places)


def tax_on(net: Decimal, rate: Decimal, places: int) -> Decimal:
    return round_to(net * rate / HUNDRED, places)


def tax_codes(book: Book) -> dict[str, TaxCode]:
    return book.of("tax-code")  # type: ignore[return-value]


def get_tax(book: Book, code: str | None) -> TaxCode | None:
    if code is None:
        return None
    tax = tax_codes(book).get(code)
    if tax is None:
        known = ", ".join(sorted(tax_codes(book))) or "none yet"
        raise fail("unknown-tax-code", f"there is no tax code {code}",
                   f"use one of: {known}; add one with `comptoir tax add CODE NAME --rate PCT`")
    if not tax.active:
        raise fail("inactive-tax-code", f"tax code {code} is inactive", "use another code or reactivate it")
    return tax


def default_tax(book: Book, line_code: str | None, document_code: str | None, partner, sku: str | None
                ) -> str | None:
    """The tax code of a document line: its own, else the document's --tax, else the partner's
    default, else the item's."""
    if line_code or document_code:
        return line_code or document_code
    if partner is not None and getattr(partner, "tax", None):
        return partner.tax
    it = items(book).get(sku) if sku else None
    return it.tax if it is not None else None


def collected_account(book: Book, code: str | None) -> str:
    tax = tax_codes(book).get(code) if code else None
    return (tax.collected_account if tax and tax.collected_account else None) or book.settings.accounts.output_tax


def paid_account(book: Book, code: str | None) -> str:
    tax = tax_codes(book).get(code) if code else None
    return (tax.paid_account if tax and tax.paid_account else None) or book.settings.accounts.input_tax


def check_item(book: Book, sku: str) -> None:
    it = items(book).get(sku)
    if it is None:
        raise fail("unknown-item", f"there is no item {sku}", "`comptoir item list` shows the SKUs")
    if not it.active:
        raise fail("inactive-item", f"item {sku} is inactive", "reactivate it (active: true) to trade it")


def is_stocked(book: Book, sku: str) -> bool:
    it = items(book).get(sku)
    return it is not None and it.stocked


def qty_text(value: Decimal) -> str:
    return fmt_qty(value)


# -- partners, currencies, dates -----------------------------------------------------------------


def get_partner_as(book: Book, ident: str, role: str) -> Partner:
    partner = book.of("partner").get(ident)
    if partner is None:
        raise fail("unknown-partner", f"there is no partner {ident}",
                   "`comptoir partner list` shows the ids; add one with `comptoir partner add`")
    if role not in partner.roles:  # type: ignore[attr-defined]
        raise fail(f"not-a-{role}", f"partner {ident} is not a {role} (roles: {', '.join(partner.roles)})",  # type: ignore[attr-defined]
                   f"add the role with `comptoir partner update {ident} --role {role}`")
    if not partner.active:  # type: ignore[attr-defined]
        raise fail("inactive-partner", f"partner {ident} is inactive", "reactivate it to trade with it")
    return partner  # type: ignore[return-value]


def doc_currency(book: Book, partner: Partner, given: str | None) -> str | None:
    """The document's currency: given, else the partner's; None when it is the base currency."""
    cur = (given or partner.currency or book.base).upper()
    from comptoir.schemas.types import ISO_4217

    if not re.fullmatch(r"[A-Z]{3}", cur) or cur not in ISO_4217:
        raise fail("invalid-currency", f"{cur!r} is not an ISO 4217 currency code", "use an ISO code like EUR or USD")
    return None if cur == book.base else cur


def doc_rate(book: Book, currency: str | None, day: dt.date, given: Decimal | None = None) -> Decimal | None:
    """Base currency per unit on the day (None for the base currency)."""
    if currency is None:
        return None
    if given is not None:
        if given <= 0:
            raise fail("invalid-rate", f"--rate {given} must be more than zero", "give units of base currency per unit")
        return given
    rate = rate_on(book, currency, day)
    if rate is None:
        raise fail("rate-missing", f"no {currency} exchange rate on or before {day}",
                   f"add one with `comptoir rate add {currency} RATE --date {day}`, or give --rate")
    return rate


def to_base(book: Book, amount: Decimal, rate: Decimal | None) -> Decimal:
    return amount if rate is None else round_to(amount * rate, currency_places(book.base))


def terms_of(partner: Partner, given: int | None = None) -> int:
    if given is not None:
        return given
    return partner.payment_terms_days if partner.payment_terms_days is not None else DEFAULT_TERMS_DAYS


# -- sequential numbers --------------------------------------------------------------------------

_NUMBER = re.compile(INVOICE_NUMBER)


def split_number(number: str) -> tuple[str, int, int] | None:
    """'CN2026-0003' -> ('CN', 2026, 3)."""
    m = _NUMBER.match(number)
    return (m["series"], int(m["year"]), int(m["seq"])) if m else None


def next_number(book: Book, kind: str, series: str, day: dt.date, taken: Iterable[str] = ()) -> str:
    """The next number of the series in the fiscal year of `day`: the highest so far + 1.

    Two branches that each write an invoice both take the same next number; `validate` on the
    merged book reports the duplicate (see sales_numbering), and `sales renumber` fixes it.
    """
    year = book.settings.fiscal_year_of(day)
    highest = 0
    for number in [getattr(d, "number", "") for d in book.of(kind).values()] + list(taken):
        parts = split_number(number)
        if parts and parts[0] == series and parts[1] == year:
            highest = max(highest, parts[2])
    return f"{series}{year}-{highest + 1:04d}"


# -- open items ----------------------------------------------------------------------------------

@dataclass
class OpenItem:
    """Something that moves a partner's balance: an invoice, a bill, a credit, a payment's rest.

    `amount` is signed in the document's currency: positive increases what is owed (to us on
    the receivable side, by us on the payable side), negative is a credit.
    """

    side: str
    kind: str  # invoice | credit-note | bill | payment | journal
    document: str
    number: str
    partner: str
    date: dt.date
    due: dt.date
    currency: str
    rate: Decimal | None
    amount: Decimal
    settled: Decimal = ZERO
    base_amount: Decimal | None = None  # journal items: their base value as posted
    settlements: list[tuple[dt.date, str, Decimal]] = field(default_factory=list)

    @property
    def open(self) -> Decimal:
        return self.amount - self.settled

    def base(self, book: Book) -> Decimal:
        if self.base_amount is not None and self.settled == 0:
            return self.base_amount
        return to_base(book, self.open, self.rate)


def side_accounts(book: Book, side: str) -> set[str]:
    acc = book.settings.accounts
    codes = {acc.receivable if side == "receivable" else acc.payable}
    codes |= {c for c, a in book.accounts.items() if a.role == side}
    return codes


def document_entries(book: Book) -> set[str]:
    """Journal entries written by sales, purchasing and payment documents."""
    cached = book.derived.get("documents.entries")
    if cached is None:
        cached = set()
        for kind in ("invoice", "credit-note", "bill", "payment", "delivery", "receipt", "debit-note",
                     "application", "supplier-return"):
            for d in book.of(kind).values():
                for fld in ("entry", "stock_entry"):
                    ident = getattr(d, fld, None)
                    if ident:
                        cached.add(ident)
        book.derived["documents.entries"] = cached
    return cached


@dataclass
class OpenItems:
    side: str
    day: dt.date | None
    items: list[OpenItem]
    by_document: dict[str, OpenItem]
    ledger: Decimal  # the side accounts' balance (base, positive = owed)
    residual: Decimal  # ledger - sum of the items' base open amounts (exchange differences, rounding)

    def open_for(self, partner: str | None = None) -> list[OpenItem]:
        return [i for i in self.items if i.open != 0 and (partner is None or i.partner == partner)]


def open_items(book: Book, side: str, day: dt.date | None = None, journal: bool = True) -> OpenItems:
    """Every item on the receivable (or payable) side as of the end of `day` (None: everything).

    `journal=False` leaves out the postings no document wrote (and the ledger balance): what
    statuses and allocations need, without reading every journal entry."""
    key = ("documents.open", side, day, journal)
    cached = book.derived.get(key)
    if cached is not None:
        return cached
    base = book.base
    found: list[OpenItem] = []
    by_doc: dict[str, OpenItem] = {}

    def dated(d) -> bool:
        return day is None or d.date <= day

    payments = [p for p in book.of("payment").values() if p.settles == side and dated(p)]
    if side == "receivable":
        for inv in book.of("invoice").values():
            if dated(inv):
                item = OpenItem(side, "invoice", inv.id, inv.number, inv.partner, inv.date, inv.due,
                                inv.currency or base, inv.rate, inv.total)
                found.append(item)
                by_doc[inv.id] = item
        settling = [("credit-note", d) for d in book.of("credit-note").values() if dated(d)]
    else:
        for bill in book.of("bill").values():
            if dated(bill):
                item = OpenItem(side, "bill", bill.id, bill.number, bill.partner, bill.date, bill.due,
                                bill.currency or base, bill.rate, bill.total)
                found.append(item)
                by_doc[bill.id] = item
        settling = [("debit-note", d) for d in book.of("debit-note").values() if dated(d)]
    for p in payments:  # refunds first: a payment may not allocate to them, but applications do
        if p.refund:
            item = OpenItem(side, "refund", p.id, p.reference or p.id, p.partner, p.date, p.date,
                            p.currency or base, p.rate, p.amount)
            found.append(item)
            by_doc[p.id] = item
    settling += [("payment", p) for p in payments if not p.refund]
    # Payments first: their allocations are explicit amounts. Credit notes then take what is
    # still open on their invoice, so the result does not depend on the order within a day.
    settling.sort(key=lambda kd: (kd[0] in ("credit-note", "debit-note"), kd[1].date, kd[1].id))
    for kind, d in settling:
        if kind in ("credit-note", "debit-note"):
            target = by_doc.get(d.invoice if kind == "credit-note" else d.bill)
            applied = ZERO
            if target is not None:
                applied = min(d.total, max(target.open, ZERO))
                if applied:
                    target.settled += applied
                    target.settlements.append((d.date, d.id, applied))
            item = OpenItem(side, kind, d.id, d.number, d.partner, d.date, d.date, d.currency or base, d.rate,
                            -d.total, settled=-applied)
            found.append(item)
            by_doc[d.id] = item
        else:
            for a in d.allocations:
                target = by_doc.get(a.document)
                if target is not None:
                    target.settled += a.amount
                    target.settlements.append((d.date, d.id, a.amount))
            rest = d.unallocated
            item = OpenItem(side, kind, d.id, d.reference or d.id, d.partner, d.date, d.date, d.currency or base,
                            d.rate, -d.amount, settled=-(d.amount - rest))
            found.append(item)
            by_doc[d.id] = item
    for p in payments:  # a refund's allocations use up the credits it pays back
        if p.refund:
            for a in p.allocations:
                credit = by_doc.get(a.document)
                if credit is not None:
                    credit.settled -= a.amount
                    by_doc[p.id].settled += a.amount
                    credit.settlements.append((p.date, p.id, -a.amount))
    for ap in sorted(book.of("application").values(), key=lambda a: (a.date, a.id)):
        if ap.side != side or not dated(ap):
            continue
        credit, target = by_doc.get(ap.credit), by_doc.get(ap.document)
        if credit is not None:
            credit.settled -= ap.amount
            credit.settlements.append((ap.date, ap.id, -ap.amount))
        if target is not None:
            target.settled += ap.amount
            target.settlements.append((ap.date, ap.id, ap.amount))
    if not journal:
        found.sort(key=lambda i: (i.partner, i.date, i.number, i.document))
        result = OpenItems(side, day, found, by_doc, ZERO, ZERO)
        book.derived[key] = result
        return result
    # postings no document wrote, grouped by account, partner, currency and reference
    accounts = side_accounts(book, side)
    sign = 1 if side == "receivable" else -1
    ours = document_entries(book)
    groups: dict[tuple, OpenItem] = {}
    ledger = ZERO
    for entry in entries_between(book, None, day):
        if not any(p.account in accounts for p in entry.postings):
            continue
        try:  # an entry no rate converts is reported by the currency rules; it counts for nothing here
            values = entry_values(book, entry)
        except ComptoirError:
            continue
        ledger += sign * sum((v for p, v in zip(entry.postings, values, strict=True) if p.account in accounts), ZERO)
        if entry.id in ours:
            continue
        for p, value in zip(entry.postings, values, strict=True):
            if p.account not in accounts:
                continue
            cur = p.currency or base
            ref = entry.reference or entry.id
            gkey = (p.account, p.partner or "", cur, ref)
            item = groups.get(gkey)
            if item is None:
                item = groups[gkey] = OpenItem(side, "journal", ref, ref, p.partner or "", entry.date, entry.date,
                                               cur, None, ZERO, base_amount=ZERO)
            item.amount += sign * p.amount
            item.base_amount = (item.base_amount or ZERO) + sign * value
            item.date = min(item.date, entry.date)
            item.due = item.date
    for item in groups.values():
        if item.amount != 0:
            if item.currency != base:
                item.rate = item.base_amount / item.amount if item.base_amount else None  # type: ignore[operator]
            found.append(item)
    found.sort(key=lambda i: (i.partner, i.date, i.number, i.document))
    total = sum((i.base(book) for i in found if i.open != 0), ZERO)
    result = OpenItems(side, day, found, by_doc, ledger, ledger - total)
    book.derived[key] = result
    return result


def partner_balance(book: Book, side: str, partner: str, day: dt.date | None = None) -> Decimal:
    """What the partner owes (receivable) or is owed (payable), in the base currency."""
    return sum((i.base(book) for i in open_items(book, side, day).open_for(partner)), ZERO)


def moved_by_line(book: Book, kind: str) -> dict[str, dict[int, list[Decimal]]]:
    """order -> line -> [qty, value] summed over the documents of `kind` (deliveries of sales
    orders, receipts of purchase orders): what has already happened to each order line."""
    key = f"documents.moved.{kind}"
    cached = book.derived.get(key)
    if cached is None:
        cached = {}
        for doc in book.of(kind).values():
            per = cached.setdefault(doc.order, {})
            for ln in doc.lines:
                cell = per.setdefault(ln.line, [ZERO, ZERO])
                cell[0] += ln.qty
                cell[1] += ln.value
        book.derived[key] = cached
    return cached
