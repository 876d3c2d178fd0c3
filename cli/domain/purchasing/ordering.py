"""Purchase orders: lines expected on their date or after the lead time; rescheduling and cancelling.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from comptoir.errors import fail
from comptoir.model import Book
from comptoir.schemas.purchasing import PurchaseOrder

from ..documents.lines import LineInput, check_item, is_stocked, qty_text
from ..documents.orders import net_of
from ..documents.parties import doc_currency, get_partner_as
from ..documents.taxes import default_tax, get_tax
from ..ids import id_prefix, new_id
from ..inputs import validated
from ..stock import pick_warehouse
from .common import open_qty, orders


def new_order(book: Book, partner_id: str, lines: list[LineInput], day: dt.date, rng: random.Random,
              expected: dt.date | None = None, warehouse: str | None = None, currency: str | None = None,
              tax: str | None = None, terms: int | None = None, reference: str | None = None,
              notes: str | None = None) -> PurchaseOrder:
    """A purchase order; each line is expected on its own date, else --expected, else today + the
    supplier's (or the item's) lead time."""
    partner = get_partner_as(book, partner_id, "supplier")
    if not lines:
        raise fail("no-lines", "a purchase order needs at least one --line", 'add --line "SKU QTY PRICE"')
    cur = doc_currency(book, partner, currency)
    out = []
    for n, li in enumerate(lines, 1):
        check_item(book, li.item)
        if li.price is None:
            raise fail("missing-price", f"line {n} ({li.item}) has no price",
                       f'give the unit price: --line "{li.item} {qty_text(li.qty)} PRICE"')
        if li.qty <= 0:
            raise fail("invalid-quantity", f"line {n}: the quantity must be more than zero", "give a positive quantity")
        code = default_tax(book, li.tax, tax, partner, li.item)
        get_tax(book, code)
        wh = None
        if is_stocked(book, li.item):
            wh = pick_warehouse(book, li.warehouse or warehouse, "--warehouse (or warehouse= on the line)")
        from ..stock import items

        lead = partner.lead_time_days if partner.lead_time_days is not None else items(book)[li.item].lead_time_days
        when = li.date or expected or day + dt.timedelta(days=lead)
        if when < day:
            raise fail("expected-before-order", f"line {n} is expected on {when}, before the order date {day}",
                       "give an expected date on or after the order date")
        out.append({"item": li.item, "description": li.description, "qty": li.qty,
                    "price": li.price,
                    "discount": li.discount, "tax": code, "warehouse": wh, "expected": when})
    ident = new_id(id_prefix(book, "purchase-order"), day, orders(book), rng)
    return validated(PurchaseOrder, id=ident, date=day, partner=partner.id, currency=cur,
                     payment_terms_days=terms, supplier_reference=reference, lines=out, notes=notes)


def reschedule(book: Book, po: PurchaseOrder, line: int | None, expected: dt.date) -> PurchaseOrder:
    """The order with a new expected date on one line (or every open line)."""
    if po.cancelled is not None:
        raise fail("cancelled-order", f"{po.id} was cancelled on {po.cancelled}", "")
    if line is not None and not 1 <= line <= len(po.lines):
        raise fail("unknown-line", f"{po.id} has no line {line}", f"`comptoir purchase show {po.id}` lists the lines")
    lines = [ln.model_copy(update={"expected": expected}) if (line is None or i == line) and open_qty(book, po, i) > 0
             else ln for i, ln in enumerate(po.lines, 1)]
    if lines == po.lines:
        raise fail("nothing-to-change", f"no open line of {po.id} to reschedule", "")
    return po.model_copy(update={"lines": lines})


def cancel(book: Book, po: PurchaseOrder, day: dt.date) -> PurchaseOrder:
    if po.cancelled is not None:
        raise fail("already-cancelled", f"{po.id} was cancelled on {po.cancelled}", "nothing to do")
    if not any(open_qty(book, po, i) > 0 for i in range(1, len(po.lines) + 1)):
        raise fail("nothing-to-cancel", f"{po.id} has nothing left to receive", "")
    return po.model_copy(update={"cancelled": day})


def order_value(po: PurchaseOrder, book: Book) -> Decimal:
    return net_of(book, po)
