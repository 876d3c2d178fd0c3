"""Quotes and orders: priced and promised lines, the customer's credit limit, confirming and
cancelling, the order a won opportunity becomes.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from comptoir.errors import ComptoirError, Problem, fail
from comptoir.model import Book
from comptoir.schemas.sales import SalesOrder
from comptoir.schemas.types import currency_places

from ..availability import Promise, promise
from ..documents.balances import partner_balance
from ..documents.facts import where
from ..documents.lines import (
    LineInput,
    check_item,
    is_stocked,
    line_net,
    places_for,
    qty_text,
    tax_on,
)
from ..documents.orders import net_of
from ..documents.parties import doc_currency, get_partner_as, to_base
from ..documents.taxes import default_tax, get_tax
from ..ids import id_prefix, new_id
from ..inputs import validated
from ..ledger import ZERO, rate_on
from ..stock import items, warehouses
from .common import delivered, invoiced, orders, status


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
                from ..stock import pick_warehouse

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
    return net_of(book, so)


def in_base(book: Book, amount: Decimal, currency: str | None, day: dt.date) -> Decimal:
    if currency is None or currency == book.base:
        return amount
    rate = rate_on(book, currency, day)
    return to_base(book, amount, rate) if rate is not None else amount


def credit_exposure(book: Book, partner: str, day: dt.date, exclude: str | None = None) -> Decimal:
    """What the customer owes plus what their confirmed orders will still invoice (base currency)."""
    owed = partner_balance(book, "receivable", partner)
    pending = sum((in_base(book, order_gross(book, so, remaining=True), so.currency, day)
                   for so in where(book, "sales-order", "partner", partner)
                   if so.confirmed is not None and so.id != exclude), ZERO)
    return owed + pending


def _check_credit(book: Book, so: SalesOrder, day: dt.date, override: str | None) -> str | None:
    partner = book.of("partner")[so.partner]
    limit = partner.credit_limit
    if limit is None:
        return None
    before = credit_exposure(book, so.partner, day, exclude=so.id)
    after = before + in_base(book, order_gross(book, so), so.currency, day)
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
                  firm: bool = False, day: dt.date | None = None) -> OrderResult:
    """A quote becomes an order: its lines are promised again (stock may have moved) and reserve.
    `day` is the day the customer accepted it (default: today; never later, never before the quote)."""
    if so.cancelled is not None:
        raise fail("cancelled-order", f"{so.id} was cancelled on {so.cancelled}", "make a new quote")
    if so.confirmed is not None:
        raise fail("already-confirmed", f"{so.id} was confirmed on {so.confirmed}", "nothing to do")
    day = day or today
    if day > today:
        raise fail("order-date-ahead", f"the confirmation date {day} is after today ({today})",
                   "a quote is confirmed the day the customer accepts it; a later delivery date is requested:")
    if day < so.date:
        raise fail("confirmed-before-quote", f"the confirmation date {day} is before the quote's date {so.date}",
                   f"confirm on or after {so.date}")
    if so.valid_until is not None and so.valid_until < day:
        raise fail("quote-expired", f"quote {so.id} was valid until {so.valid_until}",
                   "make a new quote, or confirm with the customer and extend it (valid_until:)")
    inputs = [LineInput(ln.item, ln.qty, ln.price, ln.discount, ln.tax, ln.requested, ln.warehouse, ln.description)
              for ln in so.lines]
    priced, promises, warnings = _priced_lines(book, so.id, inputs, None, today, None, None, so.currency,
                                               so.partner)
    if firm and warnings:
        raise ComptoirError([Problem("", 0, "promise-not-met", w, "drop --firm to accept the later promise")
                             for w in warnings])
    confirmed = validated(SalesOrder, **{**so.model_dump(exclude_none=True), "confirmed": day, "lines": priced})
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
