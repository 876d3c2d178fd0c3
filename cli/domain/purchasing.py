"""Procure to pay: purchase orders, goods receipts and supplier bills, and what is still to come.

| event   | debit                                       | credit                   |
|---------|---------------------------------------------|--------------------------|
| receipt | inventory (qty x order price at the rate)   | goods received not invoiced |
| bill    | GRNI (value received), input tax, variance  | accounts payable (gross) |

An order's open quantities are incoming supply for availability and promise dates, dated by
each line's expected receipt date. Statuses are computed from the receipts, bills and payments.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from comptoir.errors import Problem, fail
from comptoir.model import Book
from comptoir.schemas.accounting import JournalEntry
from comptoir.schemas.purchasing import Bill, PurchaseOrder, Receipt
from comptoir.schemas.types import currency_places

from .availability import Event, provider
from .documents import (
    LineInput,
    check_item,
    default_tax,
    doc_currency,
    doc_rate,
    get_partner_as,
    get_tax,
    is_stocked,
    line_net,
    moved_by_line,
    open_items,
    paid_account,
    places_for,
    qty_text,
    tax_on,
    terms_of,
    to_base,
    validated,
)
from .ids import id_prefix, new_id
from .ledger import ZERO, round_to
from .stock import (
    MoveDraft,
    cogs_account,
    inventory_account,
    pick_warehouse,
    post,
    unit_for,
    value_moves,
)
from .table import Column, Table, money, text
from .validation import rule

STATUSES = ("ordered", "partly received", "received", "billed", "paid", "cancelled")


def orders(book: Book) -> dict[str, PurchaseOrder]:
    return book.of("purchase-order")  # type: ignore[return-value]


def get_order(book: Book, ident: str) -> PurchaseOrder:
    po = orders(book).get(ident)
    if po is None:
        raise fail("unknown-purchase-order", f"there is no purchase order {ident}",
                   "`comptoir purchase list` shows the orders")
    return po


def received_by_line(book: Book) -> dict[str, dict[int, list[Decimal]]]:
    """order -> line -> [qty received, value received (base)], less what went back to the supplier."""
    cached = book.derived.get("purchasing.received")
    if cached is None:
        cached = {o: {n: list(c) for n, c in per.items()} for o, per in moved_by_line(book, "receipt").items()}
        for r in book.of("supplier-return").values():
            per = cached.setdefault(r.order, {})
            for ln in r.lines:
                cell = per.setdefault(ln.line, [ZERO, ZERO])
                cell[0] -= ln.qty
                cell[1] -= ln.value
        book.derived["purchasing.received"] = cached
    return cached


def billed_by_line(book: Book) -> dict[str, dict[int, list[Decimal]]]:
    """order -> line -> [qty billed, GRNI value cleared (base)], less the supplier's debit notes."""
    cached = book.derived.get("purchasing.billed")
    if cached is None:
        cached = {}
        bills = book.of("bill")
        docs = [(b, 1) for b in bills.values()] + [(d, -1) for d in book.of("debit-note").values()]
        for doc, sign in docs:
            default = doc.order if sign == 1 else (bills[doc.bill].order if doc.bill in bills else None)
            for line in doc.lines:
                order = line.order or default
                if line.line is None or order is None or line.landed:
                    continue
                cell = cached.setdefault(order, {}).setdefault(line.line, [ZERO, ZERO])
                cell[0] += sign * line.qty
                cell[1] += sign * line.cleared
        book.derived["purchasing.billed"] = cached
    return cached


def received(book: Book, po: str, line: int) -> Decimal:
    return received_by_line(book).get(po, {}).get(line, [ZERO])[0]


def billed(book: Book, po: str, line: int) -> Decimal:
    return billed_by_line(book).get(po, {}).get(line, [ZERO])[0]


def open_qty(book: Book, po: PurchaseOrder, number: int) -> Decimal:
    """What is still to arrive on the line (1-based); nothing once the order is cancelled."""
    if po.cancelled is not None:
        return ZERO
    line = po.lines[number - 1]
    if not is_stocked(book, line.item):
        return line.qty - billed(book, po.id, number)
    return max(line.qty - received(book, po.id, number), ZERO)


def bills_of(book: Book, po: str) -> list[Bill]:
    return sorted((b for b in book.of("bill").values() if po in b.orders()), key=lambda b: (b.date, b.id))


def status(book: Book, po: PurchaseOrder) -> str:
    """ordered -> partly received -> received -> billed -> paid (cancelled stops it)."""
    got = [received(book, po.id, i) if is_stocked(book, line.item) else line.qty
           for i, line in enumerate(po.lines, 1)]
    billed_qty = [billed(book, po.id, i) for i in range(1, len(po.lines) + 1)]
    if po.cancelled is not None and not any(got) and not any(billed_qty):
        return "cancelled"
    wanted = [line.qty if po.cancelled is None else min(line.qty, g) for line, g in zip(po.lines, got, strict=True)]
    stocked = [is_stocked(book, line.item) for line in po.lines]
    if not any(g for g, s in zip(got, stocked, strict=True) if s) and not any(billed_qty):
        return "ordered"
    if any(g < w for g, w, s in zip(got, wanted, stocked, strict=True) if s):
        return "partly received"
    if any(b < w for b, w in zip(billed_qty, wanted, strict=True)):
        return "received"
    items = open_items(book, "payable", journal=False)
    if all(items.by_document[b.id].open <= 0 for b in bills_of(book, po.id) if b.id in items.by_document):
        return "paid"
    return "billed"


@provider(reads=["purchase-order", "receipt"])
def open_purchase_lines(book: Book):
    """Open purchase order lines are incoming supply, dated by their expected receipt date."""
    for po in orders(book).values():
        if po.cancelled is not None:
            continue
        for i, line in enumerate(po.lines, 1):
            if line.warehouse is None or not is_stocked(book, line.item):
                continue
            qty = open_qty(book, po, i)
            if qty > 0:
                yield Event(line.item, line.warehouse, line.expected, qty, "incoming", po.id)


# -- writing ---------------------------------------------------------------------------------------


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
        from .stock import items

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
         number: str, due: dt.date | None = None, rate: Decimal | None = None, charges: list[Charge] = (),
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
    for b in book.of("bill").values():
        if b.partner == partner.id and b.number == number:
            raise fail("duplicate-bill", f"{partner.name}'s invoice {number} is already booked as {b.id}",
                       "each supplier invoice is billed once; check the number",
                       file=book.source("bill", b.id), line=1)
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
        account = acc.inventory if ch.landed else ch.account
        if account not in book.accounts:
            raise fail("unknown-account", f"account {account} does not exist",
                       "use an account from `comptoir account list`")
        if ch.landed and not pos and not ch.orders:
            raise fail("landed-without-order", "a landed cost belongs to the goods of an order",
                       "name the purchase order(s) whose goods it belongs to (order=PO-... on --landed)")
        net = round_to(ch.amount, places)
        blines.append({"item": None, "description": ch.description or ("landed cost" if ch.landed else None),
                       "qty": Decimal(1), "price": net, "tax": ch.tax, "tax_rate": tax.rate if tax else ZERO,
                       "net": net, "tax_amount": tax_on(net, tax.rate, places) if tax else ZERO,
                       "account": account, "landed": ch.landed, "by": ch.by,
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
    from .stock import on_hand

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


def debit_note(book: Book, bill_id: str, chosen: list[tuple[int, Decimal]] | None, day: dt.date,
               rng: random.Random, number: str, reason: str) -> tuple[object, JournalEntry]:
    """The supplier's credit note on a bill: debit payables (gross, at the bill's rate), credit
    GRNI at what the billed units cleared (the expense for lines with no goods) and input tax;
    the rest is price variance."""
    from comptoir.schemas.purchasing import DebitNote

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
    ident = new_id(id_prefix(book, "debit-note"), day, book.of("debit-note"), rng)
    entry = validated(JournalEntry, id=new_id(id_prefix(book, "journal"), day, book.entries, rng), date=day,
                      memo=f"Debit note {number} on bill {b.number}: {reason}", reference=number, source=ident,
                      postings=[{k: v for k, v in p.items() if v is not None} for p in postings])
    doc = validated(DebitNote, id=ident, number=number, date=day, bill=b.id, partner=b.partner, currency=b.currency,
                    rate=b.rate, reason=reason, lines=lines, net=net_total, tax=tax_total, total=total,
                    entry=entry.id)
    return doc, entry


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


# -- lists and reports -----------------------------------------------------------------------------


def order_value(po: PurchaseOrder, book: Book) -> Decimal:
    places = places_for(book, po.currency)
    return sum((line_net(ln.qty, ln.price, ln.discount, places) for ln in po.lines), ZERO)


def orders_table(book: Book, status_filter: str | None = None, partner: str | None = None) -> Table:
    rows = []
    for po in sorted(orders(book).values(), key=lambda o: (o.date, o.id)):
        st = status(book, po)
        if (status_filter and st != status_filter) or (partner and po.partner != partner):
            continue
        open_lines = [ln.expected for i, ln in enumerate(po.lines, 1) if open_qty(book, po, i) > 0 and ln.expected]
        rows.append({"id": po.id, "date": po.date, "partner": po.partner, "status": st,
                     "currency": po.currency or book.base, "net": order_value(po, book),
                     "next_expected": min(open_lines) if open_lines else None,
                     "reference": po.supplier_reference or ""})
    cols = [text("id", "Id"), Column("date", "Date", "date"), text("partner", "Supplier"), text("status", "Status"),
            text("currency", "Cur"), money("net", "Net"), Column("next_expected", "Next expected", "date"),
            text("reference", "Their reference")]
    return Table("purchase-orders", cols, rows, title="Purchase orders")


def order_detail(book: Book, po: PurchaseOrder) -> Table:
    places = places_for(book, po.currency)
    rows = []
    for i, ln in enumerate(po.lines, 1):
        rows.append({"line": i, "item": ln.item, "qty": ln.qty, "price": ln.price, "discount": ln.discount,
                     "tax": ln.tax or "", "net": line_net(ln.qty, ln.price, ln.discount, places),
                     "warehouse": ln.warehouse or "", "expected": ln.expected,
                     "received": received(book, po.id, i), "billed": billed(book, po.id, i),
                     "open": open_qty(book, po, i)})
    cols = [Column("line", "Line", "int"), text("item", "Item"), Column("qty", "Qty", "qty"),
            Column("price", "Price", "money", places), Column("discount", "Disc %", "qty"), text("tax", "Tax"),
            money("net", "Net", places), text("warehouse", "Warehouse"), Column("expected", "Expected", "date"),
            Column("received", "Received", "qty"), Column("billed", "Billed", "qty"), Column("open", "Open", "qty")]
    receipts = sorted((r for r in book.of("receipt").values() if r.order == po.id), key=lambda r: (r.date, r.id))
    notes = [f"{po.id} from {po.partner}, ordered {po.date}, {po.currency or book.base}; status: {status(book, po)}"]
    notes += [f"receipt {r.id} on {r.date}: " + ", ".join(f"line {x.line} {qty_text(x.qty)} {x.item}" for x in r.lines)
              for r in receipts]
    notes += [f"bill {b.id} ({b.number}) on {b.date}: total {b.total:,f}, due {b.due}" for b in bills_of(book, po.id)]
    if po.cancelled:
        notes.append(f"cancelled on {po.cancelled}")
    table = Table("purchase-order", cols, rows, title=f"Purchase order {po.id}", notes=notes)
    table.meta.update({"id": po.id, "status": status(book, po), "partner": po.partner,
                       "receipts": [r.id for r in receipts], "bills": [b.id for b in bills_of(book, po.id)]})
    return table


def bills_table(book: Book, partner: str | None = None, open_only: bool = False) -> Table:
    items = open_items(book, "payable", journal=False)
    rows = []
    for b in sorted(book.of("bill").values(), key=lambda b: (b.date, b.id)):
        item = items.by_document.get(b.id)
        left = item.open if item else ZERO
        if (partner and b.partner != partner) or (open_only and left <= 0):
            continue
        rows.append({"id": b.id, "number": b.number, "date": b.date, "due": b.due, "partner": b.partner,
                     "order": b.order or "", "currency": b.currency or book.base, "total": b.total, "open": left,
                     "status": "paid" if left <= 0 else ("partly paid" if left < b.total else "open")})
    cols = [text("id", "Id"), text("number", "Number"), Column("date", "Date", "date"), Column("due", "Due", "date"),
            text("partner", "Supplier"), text("order", "Order"), text("currency", "Cur"), money("total", "Total"),
            money("open", "Open"), text("status", "Status")]
    return Table("bills", cols, rows, title="Supplier bills")


def purchases_report(book: Book, start: dt.date | None, end: dt.date | None, by: tuple[str, ...]) -> Table:
    """Received quantities and their value, and billed amounts, by supplier, item and month (base)."""
    p = currency_places(book.base)
    groups: dict[tuple, dict] = {}

    def inside(day: dt.date) -> bool:
        return (start is None or day >= start) and (end is None or day <= end)

    def cell(partner: str, item: str, day: dt.date) -> dict:
        key = tuple({"supplier": partner, "item": item, "month": f"{day:%Y-%m}"}[d] for d in by)
        if key not in groups:
            groups[key] = {**dict(zip(by, key, strict=True)), "qty": ZERO, "received": ZERO, "billed": ZERO,
                           "variance": ZERO}
        return groups[key]

    for r in book.of("receipt").values():
        if inside(r.date):
            for ln in r.lines:
                c = cell(r.partner, ln.item, r.date)
                c["qty"] += ln.qty
                c["received"] += ln.value
    for b in book.of("bill").values():
        if inside(b.date):
            for ln in b.lines:
                c = cell(b.partner, ln.item or "", b.date)
                c["billed"] += to_base(book, ln.net, b.rate)
                c["variance"] += ln.variance
    rows = [groups[k] for k in sorted(groups)]
    totals = {by[0]: "Total", **{k: sum((r[k] for r in rows), ZERO) for k in ("qty", "received", "billed", "variance")}}
    cols = [text(d, d.capitalize()) for d in by] + [
        Column("qty", "Qty received", "qty"), money("received", "Received value", p),
        money("billed", "Billed (net)", p), money("variance", "Price variance", p)]
    return Table("purchases", cols, rows, totals, title=f"Purchases by {', '.join(by)} ({book.base})")


# -- rules -----------------------------------------------------------------------------------------


@rule(reads=("account", "bill", "debit-note", "item", "journal", "partner", "purchase-order", "receipt",
             "stock-move", "supplier-return", "warehouse"), lookups=("journal",))
def purchasing_rules(book: Book) -> list[Problem]:
    """Known suppliers, items and warehouses; received and billed within what was ordered and
    received; receipts and bills agree with their moves and entries."""
    out: list[Problem] = []
    partners = book.of("partner")
    from .stock import items, moves, warehouses

    its, whs, mvs = items(book), warehouses(book), moves(book)
    for ident, po in orders(book).items():
        src = book.source("purchase-order", ident)
        if po.partner not in partners:
            out.append(Problem(src, 0, "unknown-partner", f"{ident}: supplier {po.partner} does not exist",
                               "add it with `comptoir partner add --role supplier` or fix `partner:`", loc=("partner",)))
        for i, ln in enumerate(po.lines, 1):
            if ln.item not in its:
                out.append(Problem(src, 0, "unknown-item", f"{ident} line {i}: item {ln.item} does not exist",
                                   "fix `item:`", loc=("lines", i - 1, "item")))
            if ln.warehouse and ln.warehouse not in whs:
                out.append(Problem(src, 0, "unknown-warehouse", f"{ident} line {i}: warehouse {ln.warehouse} does not exist",
                                   "fix `warehouse:`", loc=("lines", i - 1, "warehouse")))
            got, paid = received(book, ident, i), billed(book, ident, i)
            if got > ln.qty:
                out.append(Problem(src, 0, "over-receipt",
                                   f"{ident} line {i}: {qty_text(got)} received, {qty_text(ln.qty)} ordered",
                                   "a receipt beyond the order needs a new order line", loc=("lines", i - 1, "qty")))
            if paid > ln.qty:  # before or beyond the receipt is fine: GRNI carries the difference
                out.append(Problem(src, 0, "over-billing",
                                   f"{ident} line {i}: {qty_text(paid)} billed, only {qty_text(ln.qty)} ordered",
                                   "a bill beyond the order needs a new order line; correct it with a debit note",
                                   loc=("lines", i - 1)))
    for kind in ("receipt", "bill"):
        for ident, doc in book.of(kind).items():
            src = book.source(kind, ident)
            named = [doc.order] + ([ln.order for ln in doc.lines] if kind == "bill" else [])
            for order in dict.fromkeys(o for o in named if o is not None):
                if order not in orders(book):
                    out.append(Problem(src, 0, "unknown-purchase-order", f"{ident}: order {order} does not exist",
                                       "fix `order:`", loc=("order",)))
            if doc.entry and doc.entry not in book.entries:
                out.append(Problem(src, 0, "missing-entry", f"{ident}: journal entry {doc.entry} does not exist",
                                   "restore the entry the document was written with", loc=("entry",)))
            if kind == "receipt":
                for i, ln in enumerate(doc.lines):
                    m = mvs.get(ln.move)
                    if m is None or m.item != ln.item or m.qty != ln.qty or m.value != ln.value:
                        out.append(Problem(src, 0, "document-move-mismatch",
                                           f"{ident} line {i + 1}: stock move {ln.move} "
                                           + ("does not exist" if m is None else "does not match the line"),
                                           "a receipt and its moves are written together; restore them",
                                           loc=("lines", i, "move")))
            else:
                entry = book.entries.get(doc.entry)
                if entry is not None:
                    ap = -sum((p.amount for p in entry.postings if p.account == book.settings.accounts.payable), ZERO)
                    if ap != doc.total:
                        out.append(Problem(src, 0, "document-entry-mismatch",
                                           f"{ident}: entry {doc.entry} credits payables {ap:f}, the bill's total is {doc.total:f}",
                                           "a bill and its entry are written together; restore them", loc=("entry",)))
    return out


# What this module adds to its family (comptoir.families collects these lists).
RULES = [purchasing_rules]
PROVIDERS = [open_purchase_lines]
