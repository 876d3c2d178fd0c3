"""Goods in at the order price (inventory against GRNI), and goods back to the supplier at the
cost they came in at.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from comptoir.errors import fail
from comptoir.model import Book
from comptoir.schemas.accounting import JournalEntry
from comptoir.schemas.purchasing import Receipt, SupplierReturn
from comptoir.schemas.types import currency_places

from ..documents.lines import is_stocked
from ..documents.orders import partner_name, pick_lines, stock_document
from ..documents.parties import doc_rate
from ..ids import id_prefix, new_id
from ..inputs import validated
from ..ledger import ZERO, round_to
from ..stock import MoveDraft, unit_for
from .common import billed_by_line, get_order, open_qty, received_by_line


@dataclass
class ReceiptResult:
    receipt: Receipt
    moves: list
    entry: JournalEntry | None

    @property
    def ids(self) -> list[str]:
        return [self.receipt.id] + [m.id for m in self.moves] + ([self.entry.id] if self.entry else [])


def receive(book: Book, po_id: str, chosen: list[tuple[int, Decimal]] | None, day: dt.date,
            rng: random.Random, reference: str | None = None, rate: Decimal | None = None) -> ReceiptResult:
    """Goods in: stock moves at the order price (converted at the day's rate), debit inventory,
    credit goods received not invoiced. Refused beyond the ordered quantity."""
    po = get_order(book, po_id)
    if po.cancelled is not None:
        raise fail("cancelled-order", f"{po.id} was cancelled on {po.cancelled}", "nothing more can be received on it")
    if day < po.date:
        raise fail("receipt-before-order", f"the receipt date {day} is before the order date {po.date}",
                   "receive on or after the order date")
    stocked = [i for i, line in enumerate(po.lines, 1) if is_stocked(book, line.item)]

    def can(i: int) -> Decimal:
        return open_qty(book, po, i) if i in stocked else ZERO

    lines = pick_lines(po, chosen, can, "receive", "over-receipt", "purchase")
    if not lines:
        raise fail("nothing-to-receive", f"everything ordered on {po.id} has been received",
                   f"`comptoir purchase show {po.id}` shows the receipts")
    fx = doc_rate(book, po.currency, day, rate)
    ident = new_id(id_prefix(book, "receipt"), day, book.of("receipt"), rng)
    grni = book.settings.accounts.grni
    drafts = []
    p = currency_places(book.base)
    for n, qty in lines:
        line = po.lines[n - 1]
        unit = line.price * (100 - line.discount) / 100 * (fx or 1)  # exact: a rate has few places
        r_qty, r_value = received_by_line(book).get(po.id, {}).get(n, [ZERO, ZERO])
        b_qty, b_value = billed_by_line(book).get(po.id, {}).get(n, [ZERO, ZERO])
        waiting = b_qty - r_qty  # billed before they arrived: they come in at the billed value
        if waiting > 0:
            early = min(qty, waiting)
            value = b_value - r_value if early == waiting else round_to((b_value - r_value) * early / waiting, p)
            value += round_to((qty - early) * unit, p)
            unit = unit_for(value, qty, p)
        drafts.append(MoveDraft("receipt", line.item, qty, to_warehouse=line.warehouse, unit_cost=unit,
                                account=grni, reference=ident))
    moves, entry, rlines = stock_document(book, day, lines, drafts,
                                          f"Goods received {ident} from {partner_name(book, po.partner)} ({po.id})",
                                          rng, reference=po.id, source=ident, incoming=True)
    rec = validated(Receipt, id=ident, date=day, order=po.id, partner=po.partner, lines=rlines, rate=fx,
                    entry=entry.id if entry else None, supplier_reference=reference)
    return ReceiptResult(rec, moves, entry)


@dataclass
class ReturnResult:
    record: SupplierReturn
    moves: list
    entry: JournalEntry | None

    @property
    def ids(self) -> list[str]:
        return [self.record.id] + [m.id for m in self.moves] + ([self.entry.id] if self.entry else [])


def return_goods(book: Book, po_id: str, chosen: list[tuple[int, Decimal]] | None, day: dt.date,
                 rng: random.Random, reason: str) -> ReturnResult:
    """Goods back to the supplier: stock out at the cost they came in at (not the valuation's),
    debit GRNI; the supplier's debit note then clears GRNI against payables."""
    po = get_order(book, po_id)
    if not reason or not reason.strip():
        raise fail("reason-required", "a return needs a reason", 'add --reason "wet sacks"')
    got = received_by_line(book).get(po.id, {})

    def can(i: int) -> Decimal:
        return got.get(i, [ZERO])[0] if is_stocked(book, po.lines[i - 1].item) else ZERO

    lines = pick_lines(po, chosen, can, "return", "over-return", "purchase")
    if not lines:
        raise fail("nothing-to-return", f"nothing received on {po.id} is left to return", "")
    p = currency_places(book.base)
    ident = new_id(id_prefix(book, "supplier-return"), day, book.of("supplier-return"), rng)
    drafts = []
    came_in = ZERO
    for n, qty in lines:
        r_qty, r_value = got[n]
        value = r_value if qty == r_qty else round_to(r_value * qty / r_qty, p)
        came_in += value
        line = po.lines[n - 1]
        drafts.append(MoveDraft("supplier-return", line.item, qty, from_warehouse=line.warehouse,
                                unit_cost=unit_for(value, qty, p), account=book.settings.accounts.grni,
                                reason=reason, reference=ident))
    memo = f"Goods returned {ident} to {partner_name(book, po.partner)} ({po.id}): {reason}"
    moves, entry, rlines = stock_document(book, day, lines, drafts, memo, rng, reference=po.id, source=ident)
    # The valuation may take out another value than the goods came in at (at moving average, the
    # last units on hand carry the pool's value): GRNI still takes what they came in at, which the
    # debit note clears, and the difference is a price variance.
    gap = sum((m.value for m in moves), ZERO) - came_in
    if entry is not None and gap:
        acc = book.settings.accounts
        first = next(i for i, q in enumerate(entry.postings) if q.account == acc.grni and q.amount > 0)
        moved = [q.model_copy(update={"amount": q.amount - gap}) if i == first else q
                 for i, q in enumerate(entry.postings)]
        variance = {"account": acc.price_variance, "amount": gap, "memo": "returned at another value than received"}
        entry = JournalEntry.model_validate({**entry.model_dump(exclude_none=True),
                                             "postings": [q.model_dump(exclude_none=True) for q in moved] + [variance]})
    doc = validated(SupplierReturn, id=ident, date=day, order=po.id, partner=po.partner, reason=reason,
                    lines=rlines, entry=entry.id if entry else None)
    return ReturnResult(doc, moves, entry)
