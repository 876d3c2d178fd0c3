"""Credit notes: revenue and output tax reversed at the invoice's rate, returned goods back
into stock at the cost they left at.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from comptoir.errors import fail
from comptoir.model import Book
from comptoir.schemas.accounting import JournalEntry
from comptoir.schemas.sales import CreditNote, Invoice
from comptoir.schemas.types import currency_places

from ..documents.balances import open_items, rounding_postings, settle_rounding
from ..documents.lines import is_stocked, line_net, places_for, qty_text, tax_on
from ..documents.numbering import next_number
from ..ids import Taken, id_prefix, new_id
from ..inputs import validated
from ..ledger import ZERO, round_to
from ..stock import MoveDraft, cogs_account, post, unit_for
from .common import CREDIT_SERIES, credited_by_line, delivered_by_line, get_invoice, orders
from .invoicing import revenue_postings


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
    if got_qty <= 0 and inv.order and ln.line is not None:  # written without its deliveries: the line's average
        got_qty, got_value = delivered_by_line(book).get(inv.order, {}).get(ln.line, [ZERO, ZERO])
    if got_qty <= 0:
        return None
    back_qty = back_value = ZERO
    for cn in book.of("credit-note").values():
        if cn.invoice == inv.id:
            for back in cn.lines:
                if back.line == n and back.returned:
                    back_qty += back.returned
                    back_value += back.value
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
    taken = Taken(book.entries, {stock_entry.id} if stock_entry else set())
    postings = [{"account": book.settings.accounts.receivable, "amount": -(net + tax), "currency": inv.currency,
                 "rate": inv.rate, "partner": inv.partner}, *revenue_postings(book, lines, inv.rate, 1)]
    if inv.currency and inv.currency != book.base:  # the part it settles is worth its share of the invoice
        invoiced = open_items(book, "receivable", journal=False).by_document.get(inv.id)
        applied = min(net + tax, max(invoiced.open, ZERO)) if invoiced else ZERO
        postings += rounding_postings(book, book.settings.accounts.receivable, inv.currency, inv.partner,
                                      -settle_rounding(book, invoiced, applied))
    entry = validated(JournalEntry, id=new_id(id_prefix(book, "journal"), day, taken, rng), date=day,
                      memo=f"Credit note {number} to {partner.name if partner else inv.partner} on invoice "
                           f"{inv.number}: {reason}", reference=number, source=ident, postings=postings)
    note = validated(CreditNote, id=ident, number=number, date=day, invoice=inv.id, partner=inv.partner,
                     currency=inv.currency, rate=inv.rate, reason=reason, lines=lines, net=net, tax=tax,
                     total=net + tax, entry=entry.id, stock_entry=stock_entry.id if stock_entry else None)
    return CreditResult(note, entry, moves, stock_entry)
