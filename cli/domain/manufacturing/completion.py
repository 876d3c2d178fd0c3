"""Completing a work order: consume the components at their valuation, bring the output in at the
rolled-up cost, and post the entry, all in one change."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from comptoir.errors import ComptoirError, Problem, fail
from comptoir.schemas.accounting import JournalEntry
from comptoir.schemas.inventory import StockMove
from comptoir.schemas.manufacturing import Completion, WorkOrder

from ..book import Book
from ..ids import id_prefix, new_id
from ..inputs import validated
from ..ledger import ZERO, round_to
from ..stock import MoveDraft, fmt_qty, inventory_account, items, on_hand, value_moves
from .common import completions, get_item, get_order, places, round_qty, unit_cost_for
from .work_orders import Progress, progress

# --- completion --------------------------------------------------------------------------------

@dataclass
class CompletionResult:
    completion: Completion
    moves: list[StockMove]
    entry: JournalEntry | None
    order: WorkOrder
    status_after: str

    @property
    def ids(self) -> list[str]:
        return [self.completion.id, *(m.id for m in self.moves), *([self.entry.id] if self.entry else [])]


def consumption(p: Progress, qty: Decimal, use: dict[str, Decimal] | None = None) -> list[tuple[str, Decimal]]:
    """(component, qty) a completion of `qty` consumes: its share of each line, or what is left of
    each line when it finishes the order; `use` gives measured quantities instead."""
    use = use or {}
    wo = p.order
    finishing = qty >= p.remaining
    out = []
    for line in wo.components:
        if line.item in use:
            amount = use[line.item]
        elif finishing:
            amount = p.left(line.item)
        else:
            amount = round_qty(line.qty * qty / wo.qty)
        if amount > 0:
            out.append((line.item, amount))
    return out


def completion_postings(book: Book, made: list[StockMove], used: list[StockMove],
                        operation_cost: Decimal) -> list[dict]:
    """Debit the output's inventory account, credit each component's and the absorption account."""
    out = []
    uom = {sku: it.uom for sku, it in items(book).items()}
    for m in made:
        out.append({"account": inventory_account(book, m.item, m.to_warehouse or ""), "amount": m.value - m.variance,
                    "memo": f"{m.item}: {fmt_qty(m.qty)} {uom.get(m.item, '')} produced"})
        if m.variance:
            out.append({"account": book.settings.accounts.stock_adjustment, "amount": m.variance,
                        "memo": f"{m.item}: shortfall settled at its earlier rate"})
    for m in used:
        out.append({"account": inventory_account(book, m.item, m.from_warehouse or ""), "amount": -m.value,
                    "memo": f"{m.item}: {fmt_qty(m.qty)} {uom.get(m.item, '')} consumed"})
    if operation_cost:
        out.append({"account": book.settings.accounts.absorption, "amount": -operation_cost,
                    "memo": "Labour and overhead absorbed"})
    return [p for p in out if p["amount"] != 0]


def complete(book: Book, ident: str, qty: Decimal | None, day: dt.date, rng: random.Random,
             use: dict[str, Decimal] | None = None) -> CompletionResult:
    """Make `qty` (default: all that remains) of a work order on `day`: consume the components at
    their valuation, bring the output in at the rolled-up cost, and post the entry.

    Refused when the order is cancelled or completed, when `qty` is more than remains, or when a
    component is short in the order's warehouse (nothing is written)."""
    wo = get_order(book, ident)
    p = progress(book)[ident]
    if p.status in ("cancelled", "completed"):
        raise fail(f"order-{p.status}", f"work order {ident} is {p.status}: nothing is left to make",
                   "create a new order with `comptoir mfg order`")
    qty = p.remaining if qty is None else qty
    it = get_item(book, wo.item)
    if qty <= 0:
        raise fail("invalid-quantity", f"the quantity must be more than zero, not {fmt_qty(qty)}", "give a positive --qty")
    if qty > p.remaining:
        raise fail("completion-exceeds-order",
                   f"work order {ident} has {fmt_qty(p.remaining)} {it.uom} of {wo.item} left to make "
                   f"({fmt_qty(p.done)} of {fmt_qty(wo.qty)} done); {fmt_qty(qty)} asked",
                   f"complete at most {fmt_qty(p.remaining)}, or make the extra on a new order")
    use = dict(use or {})
    unknown = sorted(set(use) - {line.item for line in wo.components})
    if unknown:
        raise fail("not-a-component", f"{', '.join(unknown)} is not a component of {ident}",
                   f"its components: {', '.join(line.item for line in wo.components)}")
    lines = consumption(p, qty, use)
    if not lines:
        raise fail("nothing-to-consume", f"completing {fmt_qty(qty)} of {ident} would consume no component",
                   "give the quantities used with --use ITEM QTY")
    wh = wo.warehouse
    short = []
    for sku, amount in lines:
        held = on_hand(book, sku, wh, day)
        comp = items(book).get(sku)
        if held < amount and not (comp and comp.allow_negative):
            short.append(Problem("", 0, "component-short",
                                 f"{ident}: needs {fmt_qty(amount)} {comp.uom if comp else ''} of {sku} in {wh} "
                                 f"on {day}, {fmt_qty(held)} on hand",
                                 f"`comptoir mfg check {ident}` says when it arrives; complete less with --qty, "
                                 "or receive or transfer it in first"))
    if short:
        raise ComptoirError(short)
    p_ = places(book)
    absorption = book.settings.accounts.absorption
    operation = round_to((wo.operation_cost or ZERO) * qty, p_)
    if operation and absorption not in book.accounts:
        raise fail("unknown-account", f"the absorption account {absorption} does not exist",
                   "add it with `comptoir account add`, or set accounts.absorption in comptoir.yaml")
    reason = f"work order {ident}"
    drafts = [MoveDraft("consumption", sku, amount, from_warehouse=wh, account=absorption, reason=reason,
                        reference=ident) for sku, amount in lines]
    components_value = sum((m.value for m in value_moves(book, day, drafts, random.Random(0))), ZERO)
    total = components_value + operation
    unit = unit_cost_for(total, qty, p_)
    output = MoveDraft("production", wo.item, qty, to_warehouse=wh, unit_cost=unit, account=absorption,
                       reason=reason, reference=ident)
    new = value_moves(book, day, [*drafts, output], rng)
    used, made = new[:-1], new[-1]
    assert made.value == total and sum((m.value for m in used), ZERO) == components_value
    taken_cids = set(completions(book))
    cid = new_id(id_prefix(book, "completion"), day, taken_cids, rng)
    postings = completion_postings(book, [made], used, operation)
    entry = None
    if len(postings) >= 2:
        entry = JournalEntry.model_validate({
            "id": new_id(id_prefix(book, "journal"), day, book.entries, rng), "date": day,
            "memo": f"Production {ident}: {fmt_qty(qty)} {it.uom} {wo.item} at {unit:f}",
            "reference": ident, "source": cid, "postings": postings})
    completion = validated(Completion, {
        "id": cid, "order": ident, "date": day, "item": wo.item, "qty": qty, "warehouse": wh, "move": made.id,
        "consumed": [{"item": m.item, "qty": m.qty, "value": m.value, "move": m.id} for m in used],
        "operation_cost": operation, "value": total, "unit_cost": unit,
        "entry": entry.id if entry else None}, "completion")
    after = "completed" if qty >= p.remaining else "in-progress"
    return CompletionResult(completion, new, entry, wo, after)

