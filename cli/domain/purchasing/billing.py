"""Supplier bills: GRNI, input tax and price variance against payables, charges with no order
line and landed costs spread over the goods they belong to.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from comptoir.errors import fail
from comptoir.model import Book
from comptoir.schemas.accounting import JournalEntry
from comptoir.schemas.purchasing import Bill, PurchaseOrder
from comptoir.schemas.types import currency_places

from ..documents.lines import is_stocked, line_net, places_for, qty_text, tax_on
from ..documents.parties import doc_currency, doc_rate, get_partner_as, terms_of, to_base
from ..documents.taxes import default_tax, get_tax, paid_account
from ..ids import id_prefix, new_id
from ..inputs import validated
from ..ledger import ZERO, round_to
from ..stock import MoveDraft, cogs_account, inventory_account, unit_for, value_moves
from .common import billed, billed_by_line, get_order, received, received_by_line


@dataclass
class BillPick:
    """One order line billed: `qty` units at `price` (default: the order's price)."""

    order: str
    line: int
    qty: Decimal
    price: Decimal | None = None


@dataclass
class Charge:
    """A bill line with no order line: freight, a service (to `account`), or a landed cost added
    to the stock of the bill's orders (by value or quantity) and to COGS for what already left."""

    amount: Decimal
    account: str | None = None
    tax: str | None = None
    description: str | None = None
    landed: bool = False
    by: str = "value"
    orders: list[str] = field(default_factory=list)  # landed: the goods it belongs to (default: the bill's orders)


@dataclass
class BillResult:
    bill: Bill
    entry: JournalEntry
    moves: list

    @property
    def ids(self) -> list[str]:
        return [self.bill.id, self.entry.id] + [m.id for m in self.moves]


def billable(book: Book, po: PurchaseOrder, n: int, ordered: bool = False) -> Decimal:
    """What line `n` can still be billed for: up to the ordered quantity (before or beyond the
    receipt) with `ordered`, else what was received and not billed; a cancelled order only
    what arrived. Services: what was ordered."""
    line = po.lines[n - 1]
    done = billed(book, po.id, n)
    if not is_stocked(book, line.item):
        return (line.qty if po.cancelled is None else ZERO) - done
    if ordered and po.cancelled is None:
        return line.qty - done
    return received(book, po.id, n) - done


def _bill_picks(book: Book, pos: list[PurchaseOrder], picks: list[BillPick] | None, ordered: bool
                ) -> list[tuple[PurchaseOrder, int, Decimal, Decimal | None]]:
    by_id = {po.id: po for po in pos}
    if picks is None:
        return [(po, n, q, None) for po in pos for n in range(1, len(po.lines) + 1)
                if (q := billable(book, po, n, ordered)) > 0]
    out = []
    seen: dict[tuple[str, int], Decimal] = {}
    for pk in picks:
        po = by_id[pk.order]
        if not 1 <= pk.line <= len(po.lines):
            raise fail("unknown-line", f"{po.id} has no line {pk.line} (it has {len(po.lines)})",
                       f"`comptoir purchase show {po.id}` lists the lines")
        seen[(po.id, pk.line)] = seen.get((po.id, pk.line), ZERO) + pk.qty
        can = billable(book, po, pk.line, ordered=True)
        if seen[(po.id, pk.line)] > can:
            line = po.lines[pk.line - 1]
            raise fail("over-billing", f"{po.id} line {pk.line} ({line.item}): {qty_text(seen[(po.id, pk.line)])} "
                       f"billed, only {qty_text(can)} ordered and not billed yet",
                       f"lower --qty to {qty_text(can)} or less; more than was ordered needs a new order line")
        out.append((po, pk.line, pk.qty, pk.price))
    return out


def bill(book: Book, order_ids: list[str], picks: list[BillPick] | None, day: dt.date, rng: random.Random,
         number: str, due: dt.date | None = None, rate: Decimal | None = None, charges: Sequence[Charge] = (),
         partner_id: str | None = None, ordered: bool = False) -> BillResult:
    """The supplier's bill, independent of the receipts: for one or several orders of the
    supplier, billing what was received (default), or any quantity up to what was ordered (goods
    invoiced before they arrive debit GRNI, and their receipt clears it at the billed value),
    plus lines with no order (freight, services) and landed costs. Debits GRNI and input tax,
    credits payables (gross); a price difference goes to the price-variance account."""
    pos = [get_order(book, o) for o in dict.fromkeys(order_ids)]
    suppliers = {po.partner for po in pos} | ({partner_id} if partner_id else set())
    if len(suppliers) > 1:
        raise fail("mixed-suppliers", f"the orders belong to {', '.join(sorted(suppliers))}",
                   "a bill is one supplier's: bill each supplier's orders separately")
    if not suppliers:
        raise fail("missing-partner", "a bill with no order needs --partner", "give --partner SUPPLIER")
    partner = get_partner_as(book, suppliers.pop(), "supplier")
    currencies = {po.currency for po in pos}
    if len(currencies) > 1:
        raise fail("currency-mismatch", "the orders are in different currencies", "bill them separately")
    cur = currencies.pop() if currencies else doc_currency(book, partner, None)
    if not number or not number.strip():
        raise fail("missing-number", "a bill needs the supplier's invoice number", "give --number INV-1234")
    for booked in book.of("bill").values():
        if booked.partner == partner.id and booked.number == number:
            raise fail("duplicate-bill", f"{partner.name}'s invoice {number} is already booked as {booked.id}",
                       "each supplier invoice is billed once; check the number",
                       file=book.source("bill", booked.id), line=1)
    for po in pos:
        if day < po.date:
            raise fail("bill-before-order", f"the bill date {day} is before {po.id}'s order date {po.date}", "")
    lines = _bill_picks(book, pos, picks, ordered)
    if not lines and not charges:
        if pos and all(billed(book, po.id, i) >= ln.qty for po in pos for i, ln in enumerate(po.lines, 1)):
            raise fail("already-billed", f"{', '.join(po.id for po in pos)} is billed in full",
                       "`comptoir purchase show ORDER` shows its bills")
        raise fail("nothing-to-bill", "nothing received is waiting for its bill",
                   "bill goods before they arrive with --ordered (or --line N --qty Q), or receive them first")
    places = places_for(book, cur)
    base_places = currency_places(book.base)
    fx = doc_rate(book, cur, day, rate)
    acc = book.settings.accounts
    blines: list[dict] = []
    for po, n, qty, price in lines:
        line = po.lines[n - 1]
        price = line.price if price is None else price
        tax = get_tax(book, line.tax)
        net = line_net(qty, price, line.discount, places)
        cleared = ZERO
        account = cogs_account(book, line.item)
        if is_stocked(book, line.item):
            account = acc.grni
            r_qty, r_value = received_by_line(book).get(po.id, {}).get(n, [ZERO, ZERO])
            b_qty, b_value = billed_by_line(book).get(po.id, {}).get(n, [ZERO, ZERO])
            for other in blines:  # earlier lines of this bill on the same order line
                if other.get("order") == po.id and other["line"] == n:
                    b_qty, b_value = b_qty + other["qty"], b_value + other["cleared"]
            waiting = r_qty - b_qty  # received, not billed: cleared at what it came in at
            now = min(qty, max(waiting, ZERO))
            if now:
                cleared = r_value - b_value if now == waiting else round_to((r_value - b_value) * now / waiting,
                                                                            base_places)
            ahead = qty - now  # billed before it arrives: at the order price, the receipt takes it at that
            if ahead:
                cleared += round_to(ahead * line.price * (100 - line.discount) / 100 * (fx or 1), base_places)
        blines.append({"order": po.id, "line": n, "item": line.item, "description": line.description, "qty": qty,
                       "price": price, "discount": line.discount, "tax": line.tax,
                       "tax_rate": tax.rate if tax else ZERO, "net": net,
                       "tax_amount": tax_on(net, tax.rate, places) if tax else ZERO, "account": account,
                       "cleared": cleared})
    for ch in charges:
        if ch.amount <= 0:
            raise fail("invalid-amount", f"a charge of {ch.amount} must be more than zero", "give the net amount")
        ch.tax = default_tax(book, ch.tax, None, partner, None)
        tax = get_tax(book, ch.tax)
        charged = acc.inventory if ch.landed else ch.account
        if charged not in book.accounts:
            raise fail("unknown-account", f"account {charged} does not exist",
                       "use an account from `comptoir account list`")
        if ch.landed and not pos and not ch.orders:
            raise fail("landed-without-order", "a landed cost belongs to the goods of an order",
                       "name the purchase order(s) whose goods it belongs to (order=PO-... on --landed)")
        net = round_to(ch.amount, places)
        blines.append({"item": None, "description": ch.description or ("landed cost" if ch.landed else None),
                       "qty": Decimal(1), "price": net, "tax": ch.tax, "tax_rate": tax.rate if tax else ZERO,
                       "net": net, "tax_amount": tax_on(net, tax.rate, places) if tax else ZERO,
                       "account": charged, "landed": ch.landed, "by": ch.by,
                       "goods": [get_order(book, o) for o in ch.orders] or pos})
    net_total = sum((b["net"] for b in blines), ZERO)
    tax_total = sum((b["tax_amount"] for b in blines), ZERO)
    total = net_total + tax_total
    # base values: payables at the bill's rate; the lines take the rest, the largest any rounding
    ap_base = to_base(book, total, fx)
    tax_base = {i: to_base(book, b["tax_amount"], fx) for i, b in enumerate(blines)}
    net_base = {i: to_base(book, b["net"], fx) for i, b in enumerate(blines)}
    gap = ap_base - sum(tax_base.values(), ZERO) - sum(net_base.values(), ZERO)
    if gap:
        largest = max(net_base, key=lambda i: abs(net_base[i]))
        net_base[largest] += gap
    ident = new_id(id_prefix(book, "bill"), day, book.of("bill"), rng)
    amounts: dict[str, Decimal] = {}

    def add(account: str, amount: Decimal) -> None:
        amounts[account] = amounts.get(account, ZERO) + amount

    drafts: list[MoveDraft] = []
    for i, b in enumerate(blines):
        by, goods = b.pop("by", "value"), b.pop("goods", pos)
        if b.get("landed"):
            for item, wh, in_stock, gone, k in _landed_split(book, goods, net_base[i], by, day):
                if in_stock:
                    add(inventory_account(book, item, wh), in_stock)
                    drafts.append(MoveDraft("landed-cost", item, k, to_warehouse=wh,
                                            unit_cost=unit_for(in_stock, k, base_places), account=acc.payable,
                                            reason=b["description"], reference=ident))
                if gone:
                    add(cogs_account(book, item), gone)
        elif b["account"] == acc.grni:
            b["variance"] = net_base[i] - b["cleared"]
            add(acc.grni, b["cleared"])
            add(acc.price_variance, b["variance"])
        else:
            add(b["account"], net_base[i])
        if tax_base[i]:
            add(paid_account(book, b["tax"]), tax_base[i])
    moves = value_moves(book, day, drafts, rng) if drafts else []
    postings = [{"account": a, "amount": v} for a, v in amounts.items() if v != 0]
    postings.append({"account": acc.payable, "amount": -total, "currency": cur, "rate": fx, "partner": partner.id})
    orders_text = ", ".join(po.id for po in pos) or "no order"
    entry = validated(JournalEntry, id=new_id(id_prefix(book, "journal"), day, book.entries, rng), date=day,
                      memo=f"Bill {number} from {partner.name} ({orders_text})", reference=number, source=ident,
                      postings=[{k: v for k, v in p.items() if v is not None} for p in postings])
    terms = terms_of(partner, pos[0].payment_terms_days if len(pos) == 1 else None)
    doc = validated(Bill, id=ident, number=number, date=day, due=due or day + dt.timedelta(days=terms),
                    partner=partner.id, currency=cur, rate=fx, order=pos[0].id if len(pos) == 1 else None,
                    lines=blines, net=net_total, tax=tax_total, total=total, entry=entry.id,
                    moves=[m.id for m in moves])
    return BillResult(doc, entry, moves)


def _landed_split(book: Book, pos: list[PurchaseOrder], amount: Decimal, by: str, day: dt.date
                  ) -> list[tuple[str, str, Decimal, Decimal, Decimal]]:
    """(item, warehouse, part added to stock, part to COGS, units it is added to) for a landed
    cost of `amount` (base) over the goods received on the orders, by value or quantity; the
    share of units no longer on hand goes to cost of goods sold."""
    from ..stock import on_hand

    p = currency_places(book.base)
    groups: dict[tuple[str, str], list[Decimal]] = {}
    for po in pos:
        for n, (qty, value) in received_by_line(book).get(po.id, {}).items():
            line = po.lines[n - 1]
            if qty <= 0 or not is_stocked(book, line.item) or line.warehouse is None:
                continue
            cell = groups.setdefault((line.item, line.warehouse), [ZERO, ZERO])
            cell[0] += qty
            cell[1] += value
    if not groups:
        raise fail("landed-before-receipt", "nothing has been received on the orders to carry the landed cost",
                   "receive the goods first, or book the charge as an expense (--charge ACCOUNT AMOUNT)")
    weight = {k: (v[1] if by == "value" else v[0]) for k, v in groups.items()}
    whole = sum(weight.values(), ZERO)
    if whole <= 0:
        weight, whole = {k: v[0] for k, v in groups.items()}, sum((v[0] for v in groups.values()), ZERO)
    out = []
    rest = amount
    keys = sorted(groups)
    for i, key in enumerate(keys):
        share = rest if i == len(keys) - 1 else round_to(amount * weight[key] / whole, p)
        rest -= share
        qty = groups[key][0]
        k = min(max(on_hand(book, key[0], key[1], day), ZERO), qty)
        in_stock = share if k == qty else round_to(share * k / qty, p)
        out.append((key[0], key[1], in_stock, share - in_stock, k))
    return out
