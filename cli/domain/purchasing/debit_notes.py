"""The supplier's credit note on a bill: payables against GRNI (or the expense), input tax and
price variance.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from comptoir.errors import fail
from comptoir.model import Book
from comptoir.schemas.accounting import JournalEntry
from comptoir.schemas.purchasing import DebitNote
from comptoir.schemas.types import currency_places

from ..documents.balances import open_items, rounding_postings, settle_rounding
from ..documents.lines import line_net, places_for, qty_text, tax_on
from ..documents.parties import to_base
from ..documents.taxes import paid_account
from ..ids import id_prefix, new_id
from ..inputs import validated
from ..ledger import ZERO, round_to


def debit_note(book: Book, bill_id: str, chosen: list[tuple[int, Decimal]] | None, day: dt.date,
               rng: random.Random, number: str, reason: str) -> tuple[DebitNote, JournalEntry]:
    """The supplier's credit note on a bill: debit payables (gross, at the bill's rate), credit
    GRNI at what the billed units cleared (the expense for lines with no goods) and input tax;
    the rest is price variance."""
    b = book.of("bill").get(bill_id) or next((x for x in book.of("bill").values() if x.number == bill_id), None)
    if b is None:
        raise fail("unknown-bill", f"there is no bill {bill_id}", "`comptoir purchase bills` lists them")
    if not reason or not reason.strip():
        raise fail("reason-required", "a debit note needs a reason", 'add --reason "returned: wet sacks"')
    if not number or not number.strip():
        raise fail("missing-number", "a debit note needs the supplier's credit note number", "give --number")
    if any(d.partner == b.partner and d.number == number for d in book.of("debit-note").values()):
        raise fail("duplicate-debit-note", f"the supplier's credit note {number} is already booked", "")
    if day < b.date:
        raise fail("debit-before-bill", f"the debit note date {day} is before the bill's {b.date}", "")
    done: dict[int, Decimal] = {}
    for d in book.of("debit-note").values():
        if d.bill == b.id:
            for i, ln in enumerate(d.lines, 1):
                done[ln.source or i] = done.get(ln.source or i, ZERO) + ln.qty
    if chosen is None:
        picked = [(i, ln.qty - done.get(i, ZERO)) for i, ln in enumerate(b.lines, 1) if ln.qty > done.get(i, ZERO)]
    else:
        picked = []
        for n, qty in chosen:
            if not 1 <= n <= len(b.lines):
                raise fail("unknown-line", f"bill {b.number} has no line {n}", "")
            if qty > b.lines[n - 1].qty - done.get(n, ZERO):
                raise fail("over-credit", f"bill {b.number} line {n}: {qty_text(qty)} asked, only "
                           f"{qty_text(b.lines[n - 1].qty - done.get(n, ZERO))} not credited yet", "")
            picked.append((n, qty))
    if not picked:
        raise fail("already-credited", f"bill {b.number} is credited in full", "")
    places = places_for(book, b.currency)
    base_places = currency_places(book.base)
    acc = book.settings.accounts
    lines = []
    for n, qty in picked:
        ln = b.lines[n - 1]
        if ln.landed:  # its value sits in the stock now: a correction is a stock adjustment, not a credit
            raise fail("landed-line", f"bill {b.number} line {n} is a landed cost, added to the stock it belongs to",
                       "credit the other lines (--line N); correct a landed cost with `comptoir stock adjust`")
        whole = qty == ln.qty
        net = ln.net if whole else line_net(qty, ln.price, ln.discount, places)
        cleared = ln.cleared if whole else round_to(ln.cleared * qty / ln.qty, base_places)
        lines.append({**ln.model_dump(exclude_none=True), "qty": qty, "net": net, "source": n,
                      "tax_amount": ln.tax_amount if whole else tax_on(net, ln.tax_rate, places),
                      "cleared": cleared, "order": ln.order or b.order, "variance": ZERO})
    net_total = sum((x["net"] for x in lines), ZERO)
    tax_total = sum((x["tax_amount"] for x in lines), ZERO)
    total = net_total + tax_total
    amounts: dict[str, Decimal] = {}

    def add(account: str, amount: Decimal) -> None:
        amounts[account] = amounts.get(account, ZERO) + amount

    spent = ZERO
    for x in lines:
        net_base, tax_base = to_base(book, x["net"], b.rate), to_base(book, x["tax_amount"], b.rate)
        spent += net_base + tax_base
        if x["account"] == acc.grni and not x.get("landed"):
            x["variance"] = net_base - x["cleared"]
            add(acc.grni, -x["cleared"])
            add(acc.price_variance, -x["variance"])
        else:
            add(x["account"], -net_base)
        if tax_base:
            add(paid_account(book, x.get("tax")), -tax_base)
    gap = to_base(book, total, b.rate) - spent
    if gap:
        add(acc.price_variance, -gap)
    postings = [{"account": a, "amount": v} for a, v in amounts.items() if v != 0]
    postings.append({"account": acc.payable, "amount": total, "currency": b.currency, "rate": b.rate,
                     "partner": b.partner})
    if b.currency and b.currency != book.base:  # the part it settles is worth its share of the bill
        target = open_items(book, "payable", journal=False).by_document.get(b.id)
        applied = min(total, max(target.open, ZERO)) if target else ZERO
        postings += rounding_postings(book, acc.payable, b.currency, b.partner, settle_rounding(book, target, applied))
    ident = new_id(id_prefix(book, "debit-note"), day, book.of("debit-note"), rng)
    entry = validated(JournalEntry, id=new_id(id_prefix(book, "journal"), day, book.entries, rng), date=day,
                      memo=f"Debit note {number} on bill {b.number}: {reason}", reference=number, source=ident,
                      postings=[{k: v for k, v in p.items() if v is not None} for p in postings])
    doc = validated(DebitNote, id=ident, number=number, date=day, bill=b.id, partner=b.partner, currency=b.currency,
                    rate=b.rate, reason=reason, lines=lines, net=net_total, tax=tax_total, total=total,
                    entry=entry.id)
    return doc, entry
