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
from comptoir.schemas.purchasing import PurchaseOrder, Receipt
from comptoir.schemas.types import currency_places

from ..documents import doc_rate, is_stocked, qty_text, validated
from ..ids import id_prefix, new_id
from ..ledger import ZERO, round_to
from ..stock import MoveDraft, post, unit_for
from .common import billed_by_line, get_order, open_qty, received_by_line


def _line_picks(po: PurchaseOrder, chosen: list[tuple[int, Decimal]] | None, available, what: str
                ) -> list[tuple[int, Decimal]]:
    if chosen is None:
        out = [(i, available(i)) for i in range(1, len(po.lines) + 1)]
        return [(i, q) for i, q in out if q > 0]
    for n, qty in chosen:
        if n < 1 or n > len(po.lines):
            raise fail("unknown-line", f"{po.id} has no line {n} (it has {len(po.lines)})",
                       f"`comptoir purchase show {po.id}` lists the lines")
        can = available(n)
        if qty > can:
            line = po.lines[n - 1]
            raise fail(f"over-{what}", f"{po.id} line {n} ({line.item}): {qty_text(qty)} asked, "
                       f"only {qty_text(can)} still to {what.replace('receipt', 'receive').replace('billing', 'bill')}",
                       f"lower --qty to {qty_text(can)} or less")
    return chosen


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

    lines = _line_picks(po, chosen, can, "receipt")
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
    who = book.of("partner")[po.partner].name if po.partner in book.of("partner") else po.partner
    posting = post(book, day, drafts, f"Goods received {ident} from {who} ({po.id})", rng, reference=po.id)
    entry = posting.entry.model_copy(update={"source": ident}) if posting.entry else None
    rlines = [{"line": n, "item": m.item, "qty": m.qty, "warehouse": m.to_warehouse, "unit_cost": m.unit_cost,
               "value": m.value, "move": m.id} for (n, _), m in zip(lines, posting.moves, strict=True)]
    rec = validated(Receipt, id=ident, date=day, order=po.id, partner=po.partner, lines=rlines, rate=fx,
                    entry=entry.id if entry else None, supplier_reference=reference)
    return ReceiptResult(rec, posting.moves, entry)


@dataclass
class ReturnResult:
    record: object
    moves: list
    entry: JournalEntry | None

    @property
    def ids(self) -> list[str]:
        return [self.record.id] + [m.id for m in self.moves] + ([self.entry.id] if self.entry else [])


def return_goods(book: Book, po_id: str, chosen: list[tuple[int, Decimal]] | None, day: dt.date,
                 rng: random.Random, reason: str) -> ReturnResult:
    """Goods back to the supplier: stock out at the cost they came in at (not the valuation's),
    debit GRNI; the supplier's debit note then clears GRNI against payables."""
    from comptoir.schemas.purchasing import SupplierReturn

    po = get_order(book, po_id)
    if not reason or not reason.strip():
        raise fail("reason-required", "a return needs a reason", 'add --reason "wet sacks"')
    got = received_by_line(book).get(po.id, {})

    def can(i: int) -> Decimal:
        return got.get(i, [ZERO])[0] if is_stocked(book, po.lines[i - 1].item) else ZERO

    lines = _line_picks(po, chosen, can, "return")
    if not lines:
        raise fail("nothing-to-return", f"nothing received on {po.id} is left to return", "")
    p = currency_places(book.base)
    ident = new_id(id_prefix(book, "supplier-return"), day, book.of("supplier-return"), rng)
    drafts = []
    for n, qty in lines:
        r_qty, r_value = got[n]
        value = r_value if qty == r_qty else round_to(r_value * qty / r_qty, p)
        line = po.lines[n - 1]
        drafts.append(MoveDraft("supplier-return", line.item, qty, from_warehouse=line.warehouse,
                                unit_cost=unit_for(value, qty, p), account=book.settings.accounts.grni,
                                reason=reason, reference=ident))
    who = book.of("partner")[po.partner].name if po.partner in book.of("partner") else po.partner
    posting = post(book, day, drafts, f"Goods returned {ident} to {who} ({po.id}): {reason}", rng, reference=po.id)
    entry = posting.entry.model_copy(update={"source": ident}) if posting.entry else None
    rlines = [{"line": n, "item": m.item, "qty": m.qty, "warehouse": m.from_warehouse, "value": m.value,
               "move": m.id} for (n, _), m in zip(lines, posting.moves, strict=True)]
    doc = validated(SupplierReturn, id=ident, date=day, order=po.id, partner=po.partner, reason=reason,
                    lines=rlines, entry=entry.id if entry else None)
    return ReturnResult(doc, posting.moves, entry)
