"""Order to cash: quotes and orders with promise dates, deliveries, invoices and credit notes.

| event       | debit                                     | credit                            |
|-------------|-------------------------------------------|-----------------------------------|
| delivery    | cost of goods sold                        | inventory (valuation at delivery) |
| invoice     | accounts receivable (gross)               | revenue (net); output tax         |
| credit note | revenue; output tax; inventory (returns)  | receivable; cost of goods sold    |

A confirmed order's undelivered quantities are reserved stock (availability "reserved" events
dated by each line's promised date), so the next promise accounts for them. An order's status
is computed from the documents that follow it: draft -> confirmed -> partly delivered ->
delivered -> invoiced -> paid (or cancelled).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from comptoir.errors import ComptoirError, Problem, fail
from comptoir.model import Book
from comptoir.schemas.accounting import JournalEntry
from comptoir.schemas.sales import CreditNote, Delivery, Invoice, SalesLine, SalesOrder
from comptoir.schemas.types import currency_places

from .availability import SUPPLY, Event, Promise, events, promise, provider, stock_now
from .diff import effect
from .documents import (
    LineInput,
    check_item,
    collected_account,
    default_tax,
    doc_currency,
    doc_rate,
    get_partner_as,
    get_tax,
    is_stocked,
    line_net,
    moved_by_line,
    next_number,
    open_items,
    partner_balance,
    places_for,
    qty_text,
    split_number,
    tax_on,
    terms_of,
    to_base,
    validated,
)
from .ids import id_prefix, new_id
from .ledger import ZERO, rate_on, round_to
from .overview import section
from .stock import MoveDraft, cogs_account, items, post, unit_for, warehouses
from .table import Column, Table, money, text
from .validation import rule

STATUSES = ("draft", "confirmed", "partly delivered", "delivered", "invoiced", "paid", "cancelled")
INVOICE_SERIES = ""  # invoice numbers read 2026-0001
CREDIT_SERIES = "CN"  # credit notes CN2026-0001


def orders(book: Book) -> dict[str, SalesOrder]:
    return book.of("sales-order")  # type: ignore[return-value]


def get_order(book: Book, ident: str) -> SalesOrder:
    so = orders(book).get(ident)
    if so is None:
        raise fail("unknown-order", f"there is no sales order {ident}", "`comptoir sales list` shows the orders")
    return so


def get_invoice(book: Book, ident: str) -> Invoice:
    inv = book.of("invoice").get(ident)
    if inv is None:  # the number is what people quote
        inv = next((i for i in book.of("invoice").values() if i.number == ident), None)
    if inv is None:
        raise fail("unknown-invoice", f"there is no invoice {ident}", "`comptoir sales invoices` lists them")
    return inv  # type: ignore[return-value]


# -- what happened to each order line --------------------------------------------------------------


def delivered_by_line(book: Book) -> dict[str, dict[int, list[Decimal]]]:
    """order -> line -> [qty delivered, cost of what was delivered]."""
    return moved_by_line(book, "delivery")


def invoiced_by_line(book: Book) -> dict[str, dict[int, Decimal]]:
    cached = book.derived.get("sales.invoiced")
    if cached is None:
        cached = {}
        for inv in book.of("invoice").values():
            if inv.order is None:
                continue
            per = cached.setdefault(inv.order, {})
            for ln in inv.lines:
                if ln.line is not None:
                    per[ln.line] = per.get(ln.line, ZERO) + ln.qty
        book.derived["sales.invoiced"] = cached
    return cached


def delivered(book: Book, so: str, line: int) -> Decimal:
    return delivered_by_line(book).get(so, {}).get(line, [ZERO])[0]


def invoiced(book: Book, so: str, line: int) -> Decimal:
    return invoiced_by_line(book).get(so, {}).get(line, ZERO)


def invoice_of_delivery(book: Book) -> dict[str, Invoice]:
    cached = book.derived.get("sales.invoice_of_delivery")
    if cached is None:
        cached = {}
        for inv in book.of("invoice").values():
            for dn in inv.deliveries:
                cached.setdefault(dn, inv)
        book.derived["sales.invoice_of_delivery"] = cached
    return cached


def deliveries_of(book: Book, so: str) -> list[Delivery]:
    return sorted((d for d in book.of("delivery").values() if d.order == so), key=lambda d: (d.date, d.id))


def invoices_of(book: Book, so: str) -> list[Invoice]:
    return sorted((i for i in book.of("invoice").values() if i.order == so), key=lambda i: (i.date, i.id))


def credited_by_line(book: Book, invoice: str) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for cn in book.of("credit-note").values():
        if cn.invoice == invoice:
            for ln in cn.lines:
                if ln.line is not None:
                    out[ln.line] = out.get(ln.line, ZERO) + ln.qty
    return out


def to_deliver(book: Book, so: SalesOrder, number: int) -> Decimal:
    """What is still to ship on the line: nothing for quotes, cancelled orders and services."""
    if so.confirmed is None or so.cancelled is not None:
        return ZERO
    line = so.lines[number - 1]
    if not is_stocked(book, line.item):
        return ZERO
    return max(line.qty - delivered(book, so.id, number), ZERO)


def status(book: Book, so: SalesOrder) -> str:
    """draft -> confirmed -> partly delivered -> delivered -> invoiced -> paid; or cancelled."""
    if so.confirmed is None:
        return "cancelled" if so.cancelled else "draft"
    n = range(1, len(so.lines) + 1)
    stocked = {i for i in n if is_stocked(book, so.lines[i - 1].item)}
    shipped = {i: delivered(book, so.id, i) for i in stocked}
    billed = {i: invoiced(book, so.id, i) for i in n}
    if so.cancelled is not None and not any(shipped.values()) and not any(billed.values()):
        return "cancelled"
    wanted = {i: (so.lines[i - 1].qty if so.cancelled is None else shipped.get(i, billed[i])) for i in n}
    if stocked and not any(shipped.values()):
        return "confirmed"
    if any(shipped[i] < wanted[i] for i in stocked):
        return "partly delivered"
    if any(billed[i] < wanted[i] for i in n):
        return "delivered" if stocked else "confirmed"
    ar = open_items(book, "receivable", journal=False)
    if all(ar.by_document[inv.id].open <= 0 for inv in invoices_of(book, so.id) if inv.id in ar.by_document):
        return "paid"
    return "invoiced"


def invoice_status(book: Book, inv: Invoice, today: dt.date) -> str:
    item = open_items(book, "receivable", journal=False).by_document.get(inv.id)
    left = item.open if item else ZERO
    if left <= 0:
        credited = sum((cn.total for cn in book.of("credit-note").values() if cn.invoice == inv.id), ZERO)
        return "credited" if credited >= inv.total else "paid"
    if inv.due < today:
        return "overdue"
    return "partly paid" if left < inv.total else "open"


# -- reservations ------------------------------------------------------------------------------------


def _open_lines(book: Book) -> Iterator[tuple[SalesOrder, int, SalesLine, Decimal, dt.date | None]]:
    for so in orders(book).values():
        if so.confirmed is None or so.cancelled is not None:
            continue
        for i, line in enumerate(so.lines, 1):
            if line.warehouse is None:
                continue
            qty = to_deliver(book, so, i)
            if qty > 0:
                yield so, i, line, qty, line.promised or line.requested or so.confirmed


@provider(reads=["sales-order", "delivery"])
def open_sales_lines(book: Book):
    """Undelivered lines of confirmed orders reserve stock from their promised date."""
    for so, _, line, qty, day in _open_lines(book):
        yield Event(line.item, line.warehouse, day, qty, "reserved", so.id)


# -- quoting and ordering ----------------------------------------------------------------------------


@dataclass
class OrderResult:
    order: SalesOrder
    promises: list[Promise | None] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def promise_date(self) -> dt.date | None:
        dates = [ln.promised for ln in self.order.lines if ln.promised]
        return max(dates) if dates else None


def _best_warehouse(book: Book, sku: str, qty: Decimal, start: dt.date, today: dt.date,
                    exclude: list[str]) -> tuple[str, Promise]:
    """The warehouse that can ship soonest (then the one with most available, then by name)."""
    active = sorted(c for c, w in warehouses(book).items() if w.active)
    if not active:
        raise fail("no-warehouse", "the book has no warehouse yet", "add one with `comptoir warehouse add CODE NAME`")
    found = [(w, promise(book, sku, qty, w, start, today, exclude)) for w in active]
    found.sort(key=lambda wp: (wp[1].date, -wp[1].available, wp[0]))
    return found[0]


def _priced_lines(book: Book, so_id: str, lines: list[LineInput], start: dt.date | None, today: dt.date,
                  warehouse: str | None, tax: str | None, cur: str | None, partner_id: str | None = None
                  ) -> tuple[list[dict], list, list[str]]:
    """Order lines with their warehouse and promised date, and a warning per unmet requested date."""
    out: list[dict] = []
    promises: list[Promise | None] = []
    warnings: list[str] = []
    so_far: dict[tuple[str, str], Decimal] = {}
    for n, li in enumerate(lines, 1):
        check_item(book, li.item)
        it = items(book)[li.item]
        if li.qty <= 0:
            raise fail("invalid-quantity", f"line {n}: the quantity must be more than zero", "give a positive quantity")
        price = li.price
        if price is None:
            listed = getattr(it, "price", None)
            if listed is None or cur is not None:
                raise fail("missing-price", f"line {n} ({li.item}) has no price" +
                           ("" if cur is None else f" in {cur}"),
                           f'give the unit price: --line "{li.item} {qty_text(li.qty)} PRICE"')
            price = listed
        code = default_tax(book, li.tax, tax, book.of("partner").get(partner_id) if partner_id else None, li.item)
        get_tax(book, code)
        requested = li.date or start
        wh = None
        result = None
        if it.stocked:
            since = max(requested or today, today)
            given = li.warehouse or warehouse
            if given is None and len([w for w in warehouses(book).values() if w.active]) != 1:
                wh, result = _best_warehouse(book, li.item, li.qty, since, today, [so_id])
            else:
                from .stock import pick_warehouse

                wh = pick_warehouse(book, given, "--warehouse (or warehouse= on the line)")
            earlier = so_far.get((li.item, wh), ZERO)
            if result is None or earlier:
                result = promise(book, li.item, li.qty + earlier, wh, since, today, [so_id])
            so_far[(li.item, wh)] = earlier + li.qty
            if requested is not None and result.date > requested:
                warnings.append(f"line {n} ({qty_text(li.qty)} {li.item}): cannot ship by the requested "
                                f"{requested}; promised {result.date} ({result.reason})")
        promises.append(result)
        out.append({"item": li.item, "description": li.description, "qty": li.qty, "price": price,
                    "discount": li.discount, "tax": code, "warehouse": wh, "requested": requested,
                    "promised": result.date if result else None})
    return out, promises, warnings


def order_gross(book: Book, so: SalesOrder, remaining: bool = False) -> Decimal:
    """The order's value with tax, in its currency (`remaining`: only what is not invoiced yet)."""
    places = places_for(book, so.currency)
    total = ZERO
    for i, ln in enumerate(so.lines, 1):
        qty = ln.qty - (invoiced(book, so.id, i) if remaining else ZERO)
        if so.cancelled is not None and remaining:
            qty = min(qty, max((delivered(book, so.id, i) if is_stocked(book, ln.item) else ZERO)
                               - invoiced(book, so.id, i), ZERO))
        if qty <= 0:
            continue
        net = line_net(qty, ln.price, ln.discount, places)
        tax = book.of("tax-code").get(ln.tax) if ln.tax else None
        total += net + (tax_on(net, tax.rate, places) if tax else ZERO)
    return total


def order_net(book: Book, so: SalesOrder) -> Decimal:
    places = places_for(book, so.currency)
    return sum((line_net(ln.qty, ln.price, ln.discount, places) for ln in so.lines), ZERO)


def _in_base(book: Book, amount: Decimal, currency: str | None, day: dt.date) -> Decimal:
    if currency is None or currency == book.base:
        return amount
    rate = rate_on(book, currency, day)
    return to_base(book, amount, rate) if rate is not None else amount


def credit_exposure(book: Book, partner: str, day: dt.date, exclude: str | None = None) -> Decimal:
    """What the customer owes plus what their confirmed orders will still invoice (base currency)."""
    owed = partner_balance(book, "receivable", partner)
    pending = sum((_in_base(book, order_gross(book, so, remaining=True), so.currency, day)
                   for so in orders(book).values()
                   if so.partner == partner and so.confirmed is not None and so.id != exclude), ZERO)
    return owed + pending


def _check_credit(book: Book, so: SalesOrder, day: dt.date, override: str | None) -> str | None:
    partner = book.of("partner")[so.partner]
    limit = partner.credit_limit
    if limit is None:
        return None
    before = credit_exposure(book, so.partner, day, exclude=so.id)
    after = before + _in_base(book, order_gross(book, so), so.currency, day)
    if after <= limit:
        return None
    base = book.base
    p = currency_places(base)
    message = (f"{partner.name}'s credit limit is {limit:,.{p}f} {base}: they owe or have on order "
               f"{before:,.{p}f}, and this order takes them to {after:,.{p}f}")
    if not override:
        raise fail("credit-limit", message,
                   "collect a payment first, lower the order, raise the limit (`comptoir partner update "
                   f"{so.partner} --credit-limit ...`), or accept it with --override \"reason\"")
    return f"{message}; accepted: {override}"


def new_order(book: Book, partner_id: str, lines: list[LineInput], today: dt.date, rng: random.Random,
              confirm: bool = True, requested: dt.date | None = None, warehouse: str | None = None,
              currency: str | None = None, tax: str | None = None, terms: int | None = None,
              reference: str | None = None, override: str | None = None, firm: bool = False,
              opportunity: str | None = None, valid_until: dt.date | None = None,
              notes: str | None = None, day: dt.date | None = None) -> OrderResult:
    """A quote (confirm=False) or a confirmed order, each stocked line promised by the supply and
    demand timeline. A requested date the stock cannot meet is a warning, or refused when `firm`.
    A confirmed order over the customer's credit limit is refused unless `override` says why.
    `day` is the order's own date (default: today; an order taken yesterday is entered today)."""
    day = day or today
    if day > today:
        raise fail("order-date-ahead", f"the order date {day} is after today ({today})",
                   "an order is dated the day it was taken; a later delivery date is --requested")
    partner = get_partner_as(book, partner_id, "customer")
    if not lines:
        raise fail("no-lines", "an order needs at least one --line", 'add --line "SKU QTY PRICE"')
    cur = doc_currency(book, partner, currency)
    ident = new_id(id_prefix(book, "sales-order"), day, orders(book), rng)
    priced, promises, warnings = _priced_lines(book, ident, lines, requested, today, warehouse, tax, cur,
                                               partner.id)
    if firm and warnings:
        raise ComptoirError([Problem("", 0, "promise-not-met", w,
                                     "ask for a later --date, order less, or drop --firm to accept the later promise")
                             for w in warnings])
    so = validated(SalesOrder, id=ident, date=day, partner=partner.id, confirmed=day if confirm else None,
                   valid_until=valid_until, currency=cur, payment_terms_days=terms, customer_reference=reference,
                   opportunity=opportunity, lines=priced, notes=notes)
    if confirm:
        accepted = _check_credit(book, so, today, override)
        if accepted:
            so = so.model_copy(update={"credit_override": override})
            warnings.append(accepted)
    return OrderResult(so, promises, warnings)


def confirm_order(book: Book, so: SalesOrder, today: dt.date, override: str | None = None,
                  firm: bool = False) -> OrderResult:
    """A quote becomes an order: its lines are promised again (stock may have moved) and reserve."""
    if so.cancelled is not None:
        raise fail("cancelled-order", f"{so.id} was cancelled on {so.cancelled}", "make a new quote")
    if so.confirmed is not None:
        raise fail("already-confirmed", f"{so.id} was confirmed on {so.confirmed}", "nothing to do")
    if so.valid_until is not None and so.valid_until < today:
        raise fail("quote-expired", f"quote {so.id} was valid until {so.valid_until}",
                   "make a new quote, or confirm with the customer and extend it (valid_until:)")
    inputs = [LineInput(ln.item, ln.qty, ln.price, ln.discount, ln.tax, ln.requested, ln.warehouse, ln.description)
              for ln in so.lines]
    priced, promises, warnings = _priced_lines(book, so.id, inputs, None, today, None, None, so.currency,
                                               so.partner)
    if firm and warnings:
        raise ComptoirError([Problem("", 0, "promise-not-met", w, "drop --firm to accept the later promise")
                             for w in warnings])
    confirmed = validated(SalesOrder, **{**so.model_dump(exclude_none=True), "confirmed": today, "lines": priced})
    accepted = _check_credit(book, confirmed, today, override)
    if accepted:
        confirmed = confirmed.model_copy(update={"credit_override": override})
        warnings.append(accepted)
    return OrderResult(confirmed, promises, warnings)


def cancel_order(book: Book, so: SalesOrder, day: dt.date) -> SalesOrder:
    """Cancel what is still to deliver (deliveries and invoices already made stand)."""
    if so.cancelled is not None:
        raise fail("already-cancelled", f"{so.id} was cancelled on {so.cancelled}", "nothing to do")
    if so.confirmed is not None and status(book, so) not in ("confirmed", "partly delivered"):
        raise fail("nothing-to-cancel", f"{so.id} is {status(book, so)}: nothing is left to deliver",
                   "to take goods back, issue a credit note: `comptoir sales credit-note INVOICE`")
    return so.model_copy(update={"cancelled": day})


@dataclass
class OpportunityOrder:
    """What `crm opp win` receives from the sales hook."""

    order_id: str
    promise_date: dt.date | None
    records: list[tuple[object, object]]
    warnings: list[str]


def order_from_opportunity(book: Book, opp, day: dt.date, rng: random.Random) -> OpportunityOrder:
    """The confirmed sales order for a won opportunity's lines, promised and reserving stock
    (what `crm opp win` calls; see comptoir.domain.crm.opportunities.win_opportunity)."""
    from comptoir.schemas.registry import kind_named

    lines = [LineInput(ln.item, ln.qty, ln.price, description=ln.description) for ln in opp.lines]
    result = new_order(book, opp.partner, lines, day, rng, confirm=True, currency=opp.currency,
                       opportunity=opp.id, notes=f"From opportunity {opp.id}: {opp.title}")
    return OpportunityOrder(result.order.id, result.promise_date, [(kind_named("sales-order"), result.order)],
                            result.warnings)


# -- delivering ----------------------------------------------------------------------------------


def _picked(so: SalesOrder, chosen: list[tuple[int, Decimal]] | None, can, verb: str, code: str
            ) -> list[tuple[int, Decimal]]:
    if chosen is None:
        found = [(i, can(i)) for i in range(1, len(so.lines) + 1)]
        return [(i, q) for i, q in found if q > 0]
    seen: dict[int, Decimal] = {}
    for n, qty in chosen:
        if n < 1 or n > len(so.lines):
            raise fail("unknown-line", f"{so.id} has no line {n} (it has {len(so.lines)})",
                       f"`comptoir sales show {so.id}` lists the lines")
        seen[n] = seen.get(n, ZERO) + qty
        if seen[n] > can(n):
            line = so.lines[n - 1]
            raise fail(code, f"{so.id} line {n} ({line.item}): {qty_text(seen[n])} asked, only "
                       f"{qty_text(can(n))} still to {verb}",
                       f"lower --qty to {qty_text(can(n))} or less" if can(n) else f"nothing is left to {verb} on it")
    return chosen


@dataclass
class DeliveryResult:
    delivery: Delivery
    moves: list
    entry: JournalEntry | None
    broken: list[str] = field(default_factory=list)  # other orders' promises it breaks (--take-reserved)

    @property
    def ids(self) -> list[str]:
        return [self.delivery.id] + [m.id for m in self.moves] + ([self.entry.id] if self.entry else [])


def deliver(book: Book, so_id: str, chosen: list[tuple[int, Decimal]] | None, day: dt.date,
            rng: random.Random, today: dt.date | None = None, take_reserved: bool = False) -> DeliveryResult:
    """Ship an order's open lines (or the chosen quantities): stock moves out at their valuation,
    debit cost of goods sold, credit inventory. Refused beyond the order or what is on hand, and
    when it would take stock another order's promise counts on (unless `take_reserved`: the
    result then names the promises it breaks)."""
    so = get_order(book, so_id)
    if so.cancelled is not None:
        raise fail("cancelled-order", f"{so.id} was cancelled on {so.cancelled}", "nothing more can be delivered")
    if so.confirmed is None:
        raise fail("not-confirmed", f"{so.id} is a quote", f"confirm it first: `comptoir sales confirm {so.id}`")
    if day < so.confirmed:
        raise fail("delivery-before-order", f"the delivery date {day} is before the order's confirmation {so.confirmed}",
                   "deliver on or after it")
    lines = _picked(so, chosen, lambda i: to_deliver(book, so, i), "deliver", "over-delivery")
    if not lines:
        raise fail("nothing-to-deliver", f"everything on {so.id} has been delivered",
                   f"`comptoir sales show {so.id}` shows the deliveries")
    ident = new_id(id_prefix(book, "delivery"), day, book.of("delivery"), rng)
    drafts = [MoveDraft("delivery", so.lines[n - 1].item, qty, from_warehouse=so.lines[n - 1].warehouse,
                        account=cogs_account(book, so.lines[n - 1].item), reference=ident) for n, qty in lines]
    who = book.of("partner")[so.partner].name if so.partner in book.of("partner") else so.partner
    posting = post(book, day, drafts, f"Delivery {ident} to {who} ({so.id})", rng, reference=so.id)
    entry = posting.entry.model_copy(update={"source": ident}) if posting.entry else None
    dlines = [{"line": n, "item": m.item, "qty": m.qty, "warehouse": m.from_warehouse, "value": m.value,
               "move": m.id} for (n, _), m in zip(lines, posting.moves, strict=True)]
    doc = validated(Delivery, id=ident, date=day, order=so.id, partner=so.partner, lines=dlines,
                    entry=entry.id if entry else None)
    broken = _broken_promises(book, so, doc, posting.moves, today or book.today or day)
    if broken and not take_reserved:
        raise ComptoirError([Problem("", 0, "reserved-stock", f"{doc.id} on {so.id} would take stock promised "
                                     f"to another order: {b}",
                                     "deliver less now (free stock first), wait for the supply, or take it "
                                     "anyway with --take-reserved (those promises then break)") for b in broken])
    return DeliveryResult(doc, posting.moves, entry, broken)


def _broken_promises(book: Book, so: SalesOrder, doc: Delivery, new_moves: list, today: dt.date) -> list[str]:
    """Other orders' lines whose promise the delivery puts at risk (they were covered before)."""
    from comptoir.schemas.registry import kind_named

    before = promise_risks(book, today)
    after_book = book.with_records([(kind_named("delivery"), doc),
                                    *((kind_named("stock-move"), m) for m in new_moves)])
    after = promise_risks(after_book, today)
    out = []
    for (order, n), why in sorted(after.items()):
        if order == so.id or (order, n) in before:
            continue
        line = orders(book)[order].lines[n - 1]
        out.append(f"{order} line {n} ({qty_text(line.qty)} {line.item}, promised {line.promised}) {why}")
    return out


# -- invoicing -------------------------------------------------------------------------------------


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


def _revenue_postings(book: Book, lines: list, rate: Decimal | None, sign: int) -> list[dict]:
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


def invoice(book: Book, target: str, day: dt.date, rng: random.Random) -> tuple[Invoice, JournalEntry]:
    """Invoice a delivery, or everything delivered (and every service line) on an order that is not
    invoiced yet: debit receivable (gross), credit revenue (net) and output tax. Numbered next in
    the fiscal year; due after the payment terms."""
    dn = book.of("delivery").get(target)
    if dn is not None:
        so = get_order(book, dn.order)
        done = invoice_of_delivery(book).get(dn.id)
        if done is not None:
            raise fail("already-invoiced", f"delivery {dn.id} is already invoiced by {done.number} ({done.id})",
                       "a delivery is invoiced once; to correct it, issue a credit note",
                       file=book.source("invoice", done.id), line=1)
        dns = [dn]
    elif target in orders(book):
        so = get_order(book, target)
        if so.confirmed is None:
            raise fail("not-confirmed", f"{so.id} is a quote", f"confirm it first: `comptoir sales confirm {so.id}`")
        dns = [d for d in deliveries_of(book, so.id) if d.id not in invoice_of_delivery(book)]
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
        for i, ln in enumerate(so.lines, 1):
            if not is_stocked(book, ln.item) and ln.qty > invoiced(book, so.id, i):
                qty[i] = ln.qty - invoiced(book, so.id, i)
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
                 "partner": so.partner}, *_revenue_postings(book, lines, fx, -1)]
    entry = validated(JournalEntry, id=new_id(id_prefix(book, "journal"), day, book.entries, rng), date=day,
                      memo=f"Invoice {number} to {partner.name} ({so.id})", reference=number, source=ident,
                      postings=postings)
    doc = validated(Invoice, id=ident, number=number, date=day,
                    due=day + dt.timedelta(days=terms_of(partner, so.payment_terms_days)), partner=so.partner,
                    currency=cur, rate=fx, order=so.id, deliveries=[d.id for d in dns], lines=lines, net=net,
                    tax=tax, total=net + tax, entry=entry.id, customer_reference=so.customer_reference)
    return doc, entry


def renumber(book: Book, inv, kind: str = "invoice") -> tuple[object, JournalEntry | None]:
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


# -- credit notes ----------------------------------------------------------------------------------


@dataclass
class CreditResult:
    note: CreditNote
    entry: JournalEntry
    moves: list
    stock_entry: JournalEntry | None

    @property
    def ids(self) -> list[str]:
        return ([self.note.id, self.entry.id] + [m.id for m in self.moves]
                + ([self.stock_entry.id] if self.stock_entry else []))


def return_cost(book: Book, inv: Invoice, n: int, qty: Decimal) -> Decimal | None:
    """What `qty` units of invoice line `n` cost when they left: the value of the deliveries that
    invoice billed for that order line (not the order's average over all its deliveries), less
    what earlier credit notes on the line took back; the last units take what is left, so
    crediting a line in several notes returns exactly what the deliveries took out."""
    ln = inv.lines[n - 1]
    dns = book.of("delivery")
    got_qty = got_value = ZERO
    for d in inv.deliveries:
        for x in dns[d].lines if d in dns else ():
            if x.line == ln.line:
                got_qty += x.qty
                got_value += x.value
    if got_qty <= 0 and inv.order:  # an invoice written without its deliveries: the line's average
        got_qty, got_value = delivered_by_line(book).get(inv.order, {}).get(ln.line, [ZERO, ZERO])
    if got_qty <= 0:
        return None
    back_qty = back_value = ZERO
    for cn in book.of("credit-note").values():
        if cn.invoice == inv.id:
            for x in cn.lines:
                if x.line == n and x.returned:
                    back_qty += x.returned
                    back_value += x.value
    left_qty, left_value = got_qty - back_qty, got_value - back_value
    if left_qty <= 0:
        return None
    if qty >= left_qty:
        return left_value
    return round_to(left_value * qty / left_qty, currency_places(book.base))


def credit_note(book: Book, target: str, chosen: list[tuple[int, Decimal]] | None, day: dt.date,
                rng: random.Random, reason: str, restock: bool = True) -> CreditResult:
    """Credit an invoice (in full, or chosen lines and quantities): revenue and output tax are
    reversed against the receivable at the invoice's rate; returned goods come back into stock at
    the cost they left at (debit inventory, credit cost of goods sold)."""
    inv = get_invoice(book, target)
    if not reason or not reason.strip():
        raise fail("reason-required", "a credit note needs a reason", 'add --reason "damaged on arrival"')
    if day < inv.date:
        raise fail("credit-before-invoice", f"the credit note date {day} is before the invoice's {inv.date}", "")
    done = credited_by_line(book, inv.id)

    def can(i: int) -> Decimal:
        return inv.lines[i - 1].qty - done.get(i, ZERO)

    if chosen is None:
        picked = [(i, can(i)) for i in range(1, len(inv.lines) + 1) if can(i) > 0]
    else:
        picked = []
        for n, qty in chosen:
            if n < 1 or n > len(inv.lines):
                raise fail("unknown-line", f"invoice {inv.number} has no line {n}", "")
            if qty > can(n):
                raise fail("over-credit", f"invoice {inv.number} line {n}: {qty_text(qty)} asked, only "
                           f"{qty_text(can(n))} not credited yet", "credit at most what was invoiced")
            picked.append((n, qty))
    if not picked:
        raise fail("already-credited", f"invoice {inv.number} is credited in full", "")
    so = orders(book).get(inv.order) if inv.order else None
    places = places_for(book, inv.currency)
    lines: list[dict] = []
    drafts: list[MoveDraft] = []
    for n, qty in picked:
        ln = inv.lines[n - 1]
        net = ln.net if qty == ln.qty else line_net(qty, ln.price, ln.discount, places)
        tax_amount = ln.tax_amount if qty == ln.qty else tax_on(net, ln.tax_rate, places)
        line = {"line": n, "item": ln.item, "description": ln.description, "qty": qty, "price": ln.price,
                "discount": ln.discount, "tax": ln.tax, "tax_rate": ln.tax_rate, "net": net,
                "tax_amount": tax_amount, "account": ln.account}
        if restock and ln.item and is_stocked(book, ln.item) and so is not None and ln.line is not None:
            cost = return_cost(book, inv, n, qty)
            if cost is not None:
                wh = so.lines[ln.line - 1].warehouse
                line.update({"returned": qty, "warehouse": wh})
                drafts.append(MoveDraft("return", ln.item, qty, to_warehouse=wh, unit_cost=unit_for(cost, qty, currency_places(book.base)),
                                        account=cogs_account(book, ln.item), reference=inv.id))
        lines.append(line)
    ident = new_id(id_prefix(book, "credit-note"), day, book.of("credit-note"), rng)
    moves: list = []
    stock_entry = None
    if drafts:
        posting = post(book, day, drafts, f"Goods returned on credit note {ident} ({inv.number})", rng,
                       reference=inv.number)
        moves = posting.moves
        stock_entry = posting.entry.model_copy(update={"source": ident}) if posting.entry else None
        it = iter(moves)
        for line in lines:
            if line.get("returned"):
                m = next(it)
                line.update({"value": m.value, "move": m.id})
    net = sum((ln["net"] for ln in lines), ZERO)
    tax = sum((ln["tax_amount"] for ln in lines), ZERO)
    number = next_number(book, "credit-note", CREDIT_SERIES, day)
    partner = book.of("partner").get(inv.partner)
    taken = set(book.entries) | ({stock_entry.id} if stock_entry else set())
    postings = [{"account": book.settings.accounts.receivable, "amount": -(net + tax), "currency": inv.currency,
                 "rate": inv.rate, "partner": inv.partner}, *_revenue_postings(book, lines, inv.rate, 1)]
    entry = validated(JournalEntry, id=new_id(id_prefix(book, "journal"), day, taken, rng), date=day,
                      memo=f"Credit note {number} to {partner.name if partner else inv.partner} on invoice "
                           f"{inv.number}: {reason}", reference=number, source=ident, postings=postings)
    note = validated(CreditNote, id=ident, number=number, date=day, invoice=inv.id, partner=inv.partner,
                     currency=inv.currency, rate=inv.rate, reason=reason, lines=lines, net=net, tax=tax,
                     total=net + tax, entry=entry.id, stock_entry=stock_entry.id if stock_entry else None)
    return CreditResult(note, entry, moves, stock_entry)


# -- lists ---------------------------------------------------------------------------------------


def orders_table(book: Book, status_filter: str | None = None, partner: str | None = None) -> Table:
    rows = []
    for so in sorted(orders(book).values(), key=lambda o: (o.date, o.id)):
        st = status(book, so)
        if (status_filter and st != status_filter) or (partner and so.partner != partner):
            continue
        promised = [ln.promised for i, ln in enumerate(so.lines, 1) if ln.promised and to_deliver(book, so, i) > 0]
        rows.append({"id": so.id, "date": so.date, "partner": so.partner, "status": st,
                     "currency": so.currency or book.base, "net": order_net(book, so),
                     "promised": max(promised) if promised else None, "reference": so.customer_reference or "",
                     "opportunity": so.opportunity or ""})
    cols = [text("id", "Id"), Column("date", "Date", "date"), text("partner", "Customer"), text("status", "Status"),
            text("currency", "Cur"), money("net", "Net"), Column("promised", "Promised", "date"),
            text("reference", "Their reference"), text("opportunity", "Opportunity")]
    return Table("sales-orders", cols, rows, title="Sales quotes and orders")


def order_detail(book: Book, so: SalesOrder) -> Table:
    places = places_for(book, so.currency)
    rows = []
    for i, ln in enumerate(so.lines, 1):
        rows.append({"line": i, "item": ln.item, "qty": ln.qty, "price": ln.price, "discount": ln.discount,
                     "tax": ln.tax or "", "net": line_net(ln.qty, ln.price, ln.discount, places),
                     "warehouse": ln.warehouse or "", "requested": ln.requested, "promised": ln.promised,
                     "delivered": delivered(book, so.id, i), "invoiced": invoiced(book, so.id, i),
                     "open": to_deliver(book, so, i)})
    cols = [Column("line", "Line", "int"), text("item", "Item"), Column("qty", "Qty", "qty"),
            Column("price", "Price", "money", places), Column("discount", "Disc %", "qty"), text("tax", "Tax"),
            money("net", "Net", places), text("warehouse", "Warehouse"), Column("requested", "Requested", "date"),
            Column("promised", "Promised", "date"), Column("delivered", "Delivered", "qty"),
            Column("invoiced", "Invoiced", "qty"), Column("open", "To deliver", "qty")]
    st = status(book, so)
    kind = "quote" if so.confirmed is None else "order"
    notes = [f"{kind} {so.id} for {so.partner}, {so.date}, {so.currency or book.base}; status: {st}"]
    if so.confirmed:
        notes.append(f"confirmed {so.confirmed}")
    if so.credit_override:
        notes.append(f"accepted over the credit limit: {so.credit_override}")
    notes += [f"delivery {d.id} on {d.date}: " + ", ".join(f"line {x.line} {qty_text(x.qty)} {x.item}" for x in d.lines)
              for d in deliveries_of(book, so.id)]
    notes += [f"invoice {i.number} ({i.id}) on {i.date}: total {i.total:,f}, due {i.due}, "
              f"{invoice_status(book, i, book.today or dt.date.today())}" for i in invoices_of(book, so.id)]
    if so.cancelled:
        notes.append(f"cancelled on {so.cancelled}")
    table = Table("sales-order", cols, rows, title=f"Sales {kind} {so.id}", notes=notes)
    table.meta.update({"id": so.id, "status": st, "partner": so.partner, "currency": so.currency or book.base,
                       "deliveries": [d.id for d in deliveries_of(book, so.id)],
                       "invoices": [i.id for i in invoices_of(book, so.id)]})
    return table


def invoices_table(book: Book, today: dt.date, partner: str | None = None, open_only: bool = False) -> Table:
    ar = open_items(book, "receivable", journal=False)
    rows = []
    for inv in sorted(book.of("invoice").values(), key=lambda i: (i.date, i.number)):
        item = ar.by_document.get(inv.id)
        left = item.open if item else ZERO
        if (partner and inv.partner != partner) or (open_only and left <= 0):
            continue
        rows.append({"number": inv.number, "id": inv.id, "date": inv.date, "due": inv.due, "partner": inv.partner,
                     "order": inv.order or "", "currency": inv.currency or book.base, "total": inv.total,
                     "open": left, "status": invoice_status(book, inv, today)})
    cols = [text("number", "Number"), text("id", "Id"), Column("date", "Date", "date"), Column("due", "Due", "date"),
            text("partner", "Customer"), text("order", "Order"), text("currency", "Cur"), money("total", "Total"),
            money("open", "Open"), text("status", "Status")]
    return Table("invoices", cols, rows, title="Sales invoices")


def document_table(book: Book, ident: str) -> Table:
    """A delivery, invoice or credit note with its lines."""
    for kind in ("delivery", "invoice", "credit-note"):
        doc = book.of(kind).get(ident)
        if doc is None and kind != "delivery":
            doc = next((d for d in book.of(kind).values() if d.number == ident), None)
        if doc is not None:
            break
    else:
        raise fail("unknown-document", f"there is no sales order, delivery, invoice or credit note {ident}",
                   "`comptoir sales list` and `comptoir sales invoices` show them")
    rows = [ln.model_dump(mode="python", exclude_none=True) for ln in doc.lines]
    keys = list(dict.fromkeys(k for r in rows for k in r))
    cols = [Column(k, k.replace("_", " ").capitalize(),
                   "qty" if k in ("qty", "returned", "discount", "tax_rate") else
                   "money" if k in ("price", "net", "tax_amount", "value") else "int" if k == "line" else "text")
            for k in keys]
    data = doc.model_dump(mode="json", exclude_none=True)
    notes = [f"{k}: {v}" for k, v in data.items() if k != "lines"]
    table = Table(kind, cols, rows, title=f"{kind.replace('-', ' ').capitalize()} {getattr(doc, 'number', doc.id)}",
                  notes=notes)
    table.meta[kind] = data
    return table


# -- reports ---------------------------------------------------------------------------------------


def sales_report(book: Book, start: dt.date | None, end: dt.date | None, by: tuple[str, ...]) -> Table:
    """Invoiced quantity, revenue, cost of what was delivered for it and margin, less credit notes
    (base currency), grouped by customer, item and month."""
    p = currency_places(book.base)
    groups: dict[tuple, dict] = {}
    dns = book.of("delivery")

    def inside(day: dt.date) -> bool:
        return (start is None or day >= start) and (end is None or day <= end)

    def cell(partner: str, item: str, day: dt.date) -> dict:
        key = tuple({"customer": partner, "item": item, "month": f"{day:%Y-%m}"}[d] for d in by)
        if key not in groups:
            groups[key] = {**dict(zip(by, key, strict=True)), "qty": ZERO, "revenue": ZERO, "cost": ZERO}
        return groups[key]

    for inv in book.of("invoice").values():
        if not inside(inv.date):
            continue
        for ln in inv.lines:
            c = cell(inv.partner, ln.item or "", inv.date)
            c["qty"] += ln.qty
            c["revenue"] += to_base(book, ln.net, inv.rate)
            if ln.line is None:
                continue
            values = [x.value for d in inv.deliveries if d in dns for x in dns[d].lines if x.line == ln.line]
            if values:
                c["cost"] += sum(values, ZERO)
            elif inv.order:
                got_qty, got_value = delivered_by_line(book).get(inv.order, {}).get(ln.line, [ZERO, ZERO])
                if got_qty:
                    c["cost"] += round_to(got_value * ln.qty / got_qty, p)
    for cn in book.of("credit-note").values():
        if not inside(cn.date):
            continue
        for ln in cn.lines:
            c = cell(cn.partner, ln.item or "", cn.date)
            c["qty"] -= ln.returned
            c["revenue"] -= to_base(book, ln.net, cn.rate)
            c["cost"] -= ln.value
    rows = []
    for key in sorted(groups):
        r = groups[key]
        r["margin"] = r["revenue"] - r["cost"]
        r["margin_pct"] = round_to(r["margin"] * 100 / r["revenue"], 1) if r["revenue"] else None
        rows.append(r)
    totals = {by[0]: "Total", **{k: sum((r[k] for r in rows), ZERO) for k in ("qty", "revenue", "cost", "margin")}}
    totals["margin_pct"] = round_to(totals["margin"] * 100 / totals["revenue"], 1) if totals["revenue"] else None
    cols = [text(d, d.capitalize()) for d in by] + [
        Column("qty", "Qty", "qty"), money("revenue", "Revenue", p), money("cost", "Cost", p),
        money("margin", "Margin", p), Column("margin_pct", "Margin %", "percent")]
    return Table("sales", cols, rows, totals, title=f"Sales by {', '.join(by)} ({book.base})",
                 notes=["Revenue: invoices less credit notes, net of tax. Cost: the stock value of what was "
                        "delivered for the invoiced lines, less returns."])


def promise_risks(book: Book, today: dt.date) -> dict[tuple[str, int], str]:
    """(order, line) -> why its promise is at risk: it is late, or, allocating stock and supply to
    commitments in date order, the line comes up short on its promised date."""
    risks: dict[tuple[str, int], str] = {}
    ours = list(_open_lines(book))
    by_pair: dict[tuple[str, str], list[tuple]] = {}
    for so, n, line, qty, day in ours:
        when = max(day or today, today)
        by_pair.setdefault((line.item, line.warehouse), []).append((when, 1, so.id, n, qty, "reserved"))
        if day is not None and day < today:
            risks[(so.id, n)] = f"late: promised {day}, {qty_text(qty)} still to deliver"
    sales_docs = {so.id for so, *_ in ours}
    held, later = stock_now(book, today)
    for ev in [*events(book), *later]:
        if ev.document in sales_docs and ev.kind == "reserved":
            continue
        if ev.date is None and ev.kind in SUPPLY:
            continue
        key = (ev.item, ev.warehouse)
        if key not in by_pair:
            continue
        when = max(ev.date or today, today)
        by_pair[key].append((when, 0 if ev.kind in SUPPLY else 1, ev.document, 0, ev.qty, ev.kind))
    for key, steps in by_pair.items():
        projected = held.get(key, ZERO)
        for when, _, doc, n, qty, kind in sorted(steps, key=lambda s: (s[0], s[1], s[2], s[3])):
            projected += qty if kind in SUPPLY else -qty
            if n and projected < 0 and (doc, n) not in risks:
                short = min(qty, -projected)
                risks[(doc, n)] = (f"at risk: {qty_text(short)} of {qty_text(qty)} {key[0]} not covered in "
                                   f"{key[1]} on {when} by stock and expected supply")
    return risks


def open_orders_table(book: Book, today: dt.date, side: str | None = None) -> Table:
    """What is still to deliver and to receive, with promised and expected dates and the risk."""
    from . import purchasing

    rows = []
    if side in (None, "sales"):
        risks = promise_risks(book, today)
        for so, n, line, qty, _ in _open_lines(book):
            risk = risks.get((so.id, n), "")
            rows.append({"side": "sales", "order": so.id, "line": n, "partner": so.partner, "item": line.item,
                         "warehouse": line.warehouse, "open": qty, "requested": line.requested,
                         "date": line.promised, "status": status(book, so),
                         "risk": risk.split(":")[0] if risk else "on time", "why": risk.split(": ", 1)[-1] if risk else ""})
    if side in (None, "purchases"):
        for po in purchasing.orders(book).values():
            for n, line in enumerate(po.lines, 1):
                qty = purchasing.open_qty(book, po, n)
                if qty <= 0 or not is_stocked(book, line.item):
                    continue
                late = line.expected is not None and line.expected < today
                rows.append({"side": "purchases", "order": po.id, "line": n, "partner": po.partner,
                             "item": line.item, "warehouse": line.warehouse or "", "open": qty, "requested": None,
                             "date": line.expected, "status": purchasing.status(book, po),
                             "risk": "overdue" if late else "on time",
                             "why": f"expected {line.expected}, not received" if late else ""})
    rows.sort(key=lambda r: (r["side"] != "sales", r["date"] or dt.date.max, r["order"], r["line"]))
    cols = [text("side", "Side"), text("order", "Order"), Column("line", "Line", "int"), text("partner", "Partner"),
            text("item", "Item"), text("warehouse", "Warehouse"), Column("open", "Open qty", "qty"),
            Column("requested", "Requested", "date"), Column("date", "Promised/expected", "date"),
            text("status", "Status"), text("risk", "Risk"), text("why", "Why")]
    at_risk = sum(1 for r in rows if r["risk"] in ("at risk", "late"))
    return Table("open-orders", cols, rows, title=f"Open orders on {today}",
                 notes=[f"{at_risk} promise(s) at risk or late." if at_risk else "Every promise is covered."])


# -- overview and review ---------------------------------------------------------------------------


@section
def sales_overview(book: Book, today: dt.date) -> list[dict]:
    if not orders(book) and not book.of("bill"):
        return []
    open_orders = [so for so in orders(book).values() if status(book, so) in ("confirmed", "partly delivered")]
    to_invoice = sum((_in_base(book, order_gross(book, so, remaining=True), so.currency, today)
                      for so in orders(book).values() if so.confirmed and status(book, so) not in ("paid", "invoiced")),
                     ZERO)
    overdue_ar = sum((i.base(book) for i in open_items(book, "receivable", today).open_for()
                      if i.open > 0 and i.due < today), ZERO)
    overdue_ap = sum((i.base(book) for i in open_items(book, "payable", today).open_for()
                      if i.open > 0 and i.due < today), ZERO)
    risks = promise_risks(book, today)
    return [
        {"section": "Sales", "measure": "Open sales orders (to deliver)", "value": len(open_orders)},
        {"section": "Sales", "measure": "Ordered, not invoiced yet (with tax)", "value": to_invoice},
        {"section": "Sales", "measure": "Overdue receivables", "value": overdue_ar},
        {"section": "Sales", "measure": "Order lines late or at risk", "value": len(risks)},
        {"section": "Purchasing", "measure": "Overdue payables", "value": overdue_ap},
    ]


@effect
def documents_effect(base: Book, head: Book) -> Table:
    """Sales, purchase and payment documents added, and the order statuses that changed."""
    from . import purchasing

    rows = []
    for kind in ("invoice", "credit-note", "bill", "payment", "delivery", "receipt"):
        old = base.of(kind)
        for ident, d in sorted(head.of(kind).items()):
            if ident in old:
                continue
            amount = getattr(d, "total", None) if kind != "payment" else d.amount
            if amount is None:
                amount = sum((x.value for x in d.lines), ZERO)
            cur = getattr(d, "currency", None) or head.base
            rows.append({"kind": kind, "id": ident, "number": getattr(d, "number", ""), "partner": d.partner,
                         "amount": amount, "currency": cur if kind not in ("delivery", "receipt") else head.base,
                         "status": ""})
    for kind, fn in (("sales-order", status), ("purchase-order", purchasing.status)):
        old = base.of(kind)
        for ident, d in sorted(head.of(kind).items()):
            after = fn(head, d)
            before = fn(base, old[ident]) if ident in old else "new"
            if before != after:
                rows.append({"kind": kind, "id": ident, "number": "", "partner": d.partner, "amount": None,
                             "currency": "", "status": f"{before} -> {after}"})
    cols = [text("kind", "Kind"), text("id", "Id"), text("number", "Number"), text("partner", "Partner"),
            money("amount", "Amount"), text("currency", "Cur"), text("status", "Status")]
    return Table("documents", cols, rows, title="Sales, purchase and payment documents")


# -- rules -----------------------------------------------------------------------------------------


@rule(reads=("account", "credit-note", "delivery", "invoice", "item", "journal", "partner", "sales-order",
             "stock-move", "warehouse"), lookups=("journal",))
def sales_rules(book: Book) -> list[Problem]:
    """Known customers, items and warehouses; delivered <= ordered, invoiced <= delivered;
    documents agree with their moves and journal entries."""
    out: list[Problem] = []
    partners = book.of("partner")
    its, whs = items(book), warehouses(book)
    from .stock import moves

    mvs = moves(book)
    for ident, so in orders(book).items():
        src = book.source("sales-order", ident)
        if so.partner not in partners:
            out.append(Problem(src, 0, "unknown-partner", f"{ident}: customer {so.partner} does not exist",
                               "add it with `comptoir partner add` or fix `partner:`", loc=("partner",)))
        for i, ln in enumerate(so.lines, 1):
            if ln.item not in its:
                out.append(Problem(src, 0, "unknown-item", f"{ident} line {i}: item {ln.item} does not exist",
                                   "fix `item:`", loc=("lines", i - 1, "item")))
            if ln.warehouse and ln.warehouse not in whs:
                out.append(Problem(src, 0, "unknown-warehouse", f"{ident} line {i}: warehouse {ln.warehouse} does not exist",
                                   "fix `warehouse:`", loc=("lines", i - 1, "warehouse")))
            shipped = delivered(book, ident, i)
            if shipped > ln.qty:
                out.append(Problem(src, 0, "over-delivery",
                                   f"{ident} line {i}: {qty_text(shipped)} delivered, {qty_text(ln.qty)} ordered",
                                   "a delivery beyond the order needs a new order line", loc=("lines", i - 1, "qty")))
            billed = invoiced(book, ident, i)
            limit = shipped if ln.item in its and its[ln.item].stocked else ln.qty
            if billed > limit:
                out.append(Problem(src, 0, "over-invoicing",
                                   f"{ident} line {i}: {qty_text(billed)} invoiced, {qty_text(limit)} "
                                   + ("delivered" if ln.item in its and its[ln.item].stocked else "ordered"),
                                   "invoice what was delivered; correct with a credit note", loc=("lines", i - 1)))
    seen_dn: dict[str, str] = {}
    for kind in ("delivery", "invoice", "credit-note"):
        for ident, doc in book.of(kind).items():
            src = book.source(kind, ident)
            if doc.partner not in partners:
                out.append(Problem(src, 0, "unknown-partner", f"{ident}: partner {doc.partner} does not exist",
                                   "fix `partner:`", loc=("partner",)))
            order = getattr(doc, "order", None)
            if order is not None and order not in orders(book):
                out.append(Problem(src, 0, "unknown-order", f"{ident}: order {order} does not exist",
                                   "fix `order:`", loc=("order",)))
            for fld in ("entry", "stock_entry"):
                ref = getattr(doc, fld, None)
                if ref and ref not in book.entries:
                    out.append(Problem(src, 0, "missing-entry", f"{ident}: journal entry {ref} does not exist",
                                       "restore the entry the document was written with", loc=(fld,)))
            if kind == "invoice":
                for dn in doc.deliveries:
                    if dn in seen_dn:
                        out.append(Problem(src, 0, "invoiced-twice",
                                           f"{ident}: delivery {dn} is also invoiced by {seen_dn[dn]}",
                                           "a delivery is invoiced once; credit one of the invoices", loc=("deliveries",)))
                    seen_dn[dn] = ident
                    if dn not in book.of("delivery"):
                        out.append(Problem(src, 0, "unknown-delivery", f"{ident}: delivery {dn} does not exist",
                                           "fix `deliveries:`", loc=("deliveries",)))
            if kind == "credit-note" and doc.invoice not in book.of("invoice"):
                out.append(Problem(src, 0, "unknown-invoice", f"{ident}: invoice {doc.invoice} does not exist",
                                   "fix `invoice:`", loc=("invoice",)))
            if kind in ("invoice", "credit-note"):
                entry = book.entries.get(doc.entry)
                if entry is not None:
                    ar = sum((p.amount for p in entry.postings if p.account == book.settings.accounts.receivable), ZERO)
                    expected = doc.total if kind == "invoice" else -doc.total
                    if ar != expected:
                        out.append(Problem(src, 0, "document-entry-mismatch",
                                           f"{ident}: entry {doc.entry} posts {ar:f} to receivables, the document "
                                           f"says {expected:f}", "a document and its entry are written together; "
                                           "restore them", loc=("entry",)))
            for i, ln in enumerate(doc.lines):
                move = getattr(ln, "move", None)
                if move is None:
                    continue
                m = mvs.get(move)
                if m is None or m.item != ln.item or m.qty != (ln.qty if kind == "delivery" else ln.returned) \
                        or m.value != ln.value:
                    out.append(Problem(src, 0, "document-move-mismatch",
                                       f"{ident} line {i + 1}: stock move {move} "
                                       + ("does not exist" if m is None else "does not match the line"),
                                       "a document and its moves are written together; restore them",
                                       loc=("lines", i, "move")))
    return out


@rule(reads=("credit-note", "invoice"))
def document_numbering(book: Book) -> list[Problem]:
    """Invoice and credit-note numbers: unique, without gaps per series and fiscal year, and in
    the fiscal year of their date (EU VAT directive art. 226(2))."""
    out: list[Problem] = []
    for kind, label in (("invoice", "invoice"), ("credit-note", "credit note")):
        series: dict[tuple[str, int], dict[int, list]] = {}
        for ident, doc in book.of(kind).items():
            parts = split_number(doc.number)
            src = book.source(kind, ident)
            if parts is None:
                continue
            prefix, year, seq = parts
            fy = book.settings.fiscal_year_of(doc.date)
            if year != fy:
                out.append(Problem(src, 0, "number-year", f"{label} {doc.number} ({ident}) is dated {doc.date}, "
                                   f"in fiscal year {fy}", "number it in the series of its own fiscal year",
                                   loc=("number",)))
            series.setdefault((prefix, year), {}).setdefault(seq, []).append(doc)
        for (prefix, year), numbers in sorted(series.items()):
            for _seq, docs in sorted(numbers.items()):
                if len(docs) > 1:
                    ids = ", ".join(sorted(d.id for d in docs))
                    for d in sorted(docs, key=lambda d: d.id):
                        out.append(Problem(book.source(kind, d.id), 0, "duplicate-number",
                                           f"{label} number {d.number} is used {len(docs)} times ({ids})",
                                           "two branches numbered an invoice alike: on the branch that is not merged "
                                           f"yet, run `comptoir sales renumber {d.id}` to give it the next free "
                                           "number", loc=("number",)))
            present = sorted(numbers)
            missing = sorted(set(range(1, present[-1] + 1)) - set(present))
            if missing:
                shown = ", ".join(f"{prefix}{year}-{m:04d}" for m in missing[:5]) + (" ..." if len(missing) > 5 else "")
                after = next(d for s in present if s > missing[0] for d in numbers[s])
                out.append(Problem(book.source(kind, after.id), 0, "number-gap",
                                   f"{label} numbers of {year} have a gap: {shown} missing",
                                   "a number is never skipped or deleted: restore the missing record, or renumber "
                                   "the later ones if they are not merged yet", loc=("number",)))
    return out


# What this module adds to its family (comptoir.families collects these lists).
RULES = [sales_rules, document_numbering]
SECTIONS = [sales_overview]
EFFECTS = [documents_effect]
PROVIDERS = [open_sales_lines]
