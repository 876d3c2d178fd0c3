"""Manufacturing: bills of materials (multi-level, with scrap), work orders and their completions,
the production posting, availability of what orders make and need, production planning, and the
manufacturing reports, rules and overview lines.

Quantities. A component needs qty x (1 + scrap / 100) per BOM batch; an order for N units needs
N x that / the batch size, rounded up to 4 decimal places (never plan too little). A partial
completion consumes its share of each line, rounded half-even to 4 places; the completion that
finishes the order consumes what is left of each line, so an order consumes exactly its lines.

Cost. A completion consumes its components at their valuation (FIFO or moving average, frozen in
the consumption moves), adds the order's operation cost per unit x the quantity made (labour and
overhead, credited to the absorption account), and brings the output in at the sum:
unit cost = (components + operation cost) / quantity, carried with as many places as it takes
for quantity x unit cost to be that sum exactly. The journal entry debits the output's inventory
account, credits each component's inventory account and the absorption account; it balances by
construction and stock value keeps agreeing with the inventory accounts.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_UP, Decimal
from typing import Any

from pydantic import ValidationError

from comptoir.errors import ComptoirError, Problem, fail, input_problems
from comptoir.schemas.accounting import JournalEntry
from comptoir.schemas.inventory import Item, StockMove
from comptoir.schemas.manufacturing import Bom, Completion, WorkOrder
from comptoir.schemas.types import Record, currency_places, places_of

from .availability import SUPPLY, Event, availability, events, promise, provider
from .book import Book
from .changes import Change, diff_records
from .ids import id_prefix, new_id
from .ledger import ZERO, round_to
from .overview import section
from .stock import (
    MoveDraft,
    fmt_qty,
    inventory_account,
    items,
    levels,
    moves,
    moves_by_item,
    on_hand,
    pick_warehouse,
    qty_col,
    value_moves,
    warehouses,
)
from .table import Column, Table, money, text
from .validation import rule

QTY_PLACES = 4
HUNDRED = Decimal(100)
COST_PLACES = 4  # per-unit costs in the BOM cost report


# --- lookups -----------------------------------------------------------------------------------

def places(book: Book) -> int:
    return currency_places(book.base)


def boms(book: Book) -> dict[str, Bom]:
    return book.of("bom")  # type: ignore[return-value]


def orders(book: Book) -> dict[str, WorkOrder]:
    return book.of("work-order")  # type: ignore[return-value]


def completions(book: Book) -> dict[str, Completion]:
    return book.of("completion")  # type: ignore[return-value]


def active_boms(book: Book) -> dict[str, Bom]:
    """item -> the active BOM that makes it (the first by id when a rule already flags several)."""
    cached = book.derived.get("mfg.active_boms")
    if cached is None:
        cached = {}
        for ident in sorted(boms(book)):
            bom = boms(book)[ident]
            if bom.active:
                cached.setdefault(bom.item, bom)
        book.derived["mfg.active_boms"] = cached
    return cached


def get_item(book: Book, sku: str) -> Item:
    it = items(book).get(sku)
    if it is None:
        raise fail("unknown-item", f"there is no item {sku}", "`comptoir item list` shows the SKUs")
    return it


def find_bom(book: Book, ref: str) -> Bom:
    """A BOM by id, or the active BOM of the item with that SKU."""
    bom = boms(book).get(ref) or active_boms(book).get(ref)
    if bom is None:
        hint = ("`comptoir mfg bom list` shows the BOMs; add one with `comptoir mfg bom add "
                f"{ref} --qty 1 --component SKU QTY`")
        if ref in items(book):
            raise fail("no-bom", f"item {ref} has no active bill of materials", hint)
        raise fail("unknown-bom", f"there is no bill of materials {ref}", hint)
    return bom


def get_order(book: Book, ident: str) -> WorkOrder:
    wo = orders(book).get(ident)
    if wo is None:
        raise fail("unknown-work-order", f"there is no work order {ident}",
                   "`comptoir mfg orders` lists them; `comptoir mfg order ITEM --qty N` creates one")
    return wo


def validated(model: type[Record], data: dict, what: str) -> Any:
    """A record from command-line input; problems name the field."""
    clean = {k: v for k, v in data.items() if v is not None}
    try:
        return model.model_validate(clean)
    except ValidationError as exc:
        raise input_problems(exc, what) from None


# --- quantities --------------------------------------------------------------------------------

def plain(value: Decimal) -> Decimal:
    """The same number without trailing zeros (30.6000 -> 30.6, 200.00 -> 200)."""
    if value == value.to_integral():
        return value.quantize(Decimal(1))
    return value.normalize()


def round_qty(value: Decimal, up: bool = False) -> Decimal:
    if places_of(value) > QTY_PLACES:
        value = value.quantize(Decimal(1).scaleb(-QTY_PLACES), rounding=ROUND_UP if up else ROUND_HALF_EVEN)
    return plain(value)


def line_need(bom: Bom, line, qty: Decimal, exact: bool = False) -> Decimal:
    """What `qty` units of the BOM's output need of one component, scrap included (rounded up to
    4 places for planning; `exact` for costing, where rounding up would add cost)."""
    need = qty * line.qty * (HUNDRED + line.scrap_percent) / (bom.qty * HUNDRED)
    return need if exact else round_qty(need, up=True)


def unit_cost_for(total: Decimal, qty: Decimal, places_: int) -> Decimal:
    """A unit cost with just enough places that qty x unit cost rounds back to `total` exactly."""
    for k in range(max(QTY_PLACES, places_), 16):
        unit = round_to(total / qty, k)
        if round_to(qty * unit, places_) == total:
            return plain(unit) if unit else Decimal(0)
    raise AssertionError(f"no unit cost reproduces {total} over {qty}")  # pragma: no cover


# --- BOM structure -----------------------------------------------------------------------------

def bom_cycles(book: Book) -> list[list[str]]:
    """Each loop of items through active BOMs, as [A, B, ..., A], found once."""
    graph = {sku: [line.item for line in bom.components] for sku, bom in active_boms(book).items()}
    found: list[list[str]] = []
    seen_loops: set[frozenset] = set()
    done: set[str] = set()

    def visit(node: str, path: list[str], on_path: set[str]) -> None:
        for child in graph.get(node, []):
            if child in on_path:
                loop = path[path.index(child):] + [child]
                key = frozenset(loop)
                if key not in seen_loops:
                    seen_loops.add(key)
                    found.append(loop)
                continue
            if child in done:
                continue
            path.append(child)
            on_path.add(child)
            visit(child, path, on_path)
            on_path.discard(child)
            path.pop()
        done.add(node)

    for start in sorted(graph):
        if start not in done:
            visit(start, [start], {start})
    return found


def refuse_cycles(book: Book) -> None:
    loops = bom_cycles(book)
    if loops:
        raise fail("bom-cycle", f"the bills of materials loop: {' -> '.join(loops[0])}",
                   "an item cannot be made, even indirectly, from itself; remove a component from one of them")


def low_levels(book: Book) -> dict[str, int]:
    """Each item's deepest level in any BOM tree (0: nothing uses it), the order MRP plans in."""
    refuse_cycles(book)
    graph = {sku: [line.item for line in bom.components] for sku, bom in active_boms(book).items()}
    level: dict[str, int] = {sku: 0 for sku in items(book)}
    changed = True
    while changed:  # no cycles, so this settles within the longest chain
        changed = False
        for parent, children in graph.items():
            for child in children:
                if level.get(child, 0) < level.get(parent, 0) + 1:
                    level[child] = level.get(parent, 0) + 1
                    changed = True
    return level


@dataclass
class Need:
    level: int
    item: str
    qty: Decimal
    parent: str | None
    bom: str | None  # the BOM that makes it; None: bought


def explode(book: Book, bom: Bom, qty: Decimal) -> list[Need]:
    """Every line needed to make `qty` of the BOM's item, depth first, level by level."""
    refuse_cycles(book)
    made = active_boms(book)
    out: list[Need] = []

    def walk(b: Bom, amount: Decimal, level: int) -> None:
        for line in b.components:
            need = line_need(b, line, amount)
            sub = made.get(line.item)
            out.append(Need(level, line.item, need, b.item, sub.id if sub else None))
            if sub is not None:
                walk(sub, need, level + 1)

    walk(bom, qty, 1)
    return out


def materials(book: Book, bom: Bom, qty: Decimal) -> list[dict]:
    """Total of each item the explosion needs: raw materials (bought) and intermediates (made)."""
    totals: dict[str, dict] = {}
    for n in explode(book, bom, qty):
        row = totals.setdefault(n.item, {"item": n.item, "level": n.level, "qty": ZERO,
                                         "source": "make" if n.bom else "buy", "bom": n.bom or ""})
        row["qty"] += n.qty
        row["level"] = max(row["level"], n.level)
    return sorted(totals.values(), key=lambda r: (r["source"] != "buy", r["level"], r["item"]))


# --- costs -------------------------------------------------------------------------------------

def valuation_rate(book: Book, sku: str) -> tuple[Decimal | None, str]:
    """The item's current cost per unit and where it comes from: the average value on hand, else the
    last move that brought it in, else its standard cost."""
    qty = value = ZERO
    for (i, _), (q, v) in levels(book).items():
        if i == sku:
            qty += q
            value += v
    if qty > 0:
        return value / qty, "valuation"
    for m in reversed(moves_by_item(book).get(sku, [])):
        if m.to_warehouse is not None and m.from_warehouse is None:
            return m.value / m.qty, f"last cost ({m.date})"
    it = items(book).get(sku)
    if it is not None and it.standard_cost is not None:
        return it.standard_cost, "standard cost"
    return None, "no cost known"


@dataclass
class CostLine:
    level: int
    item: str
    qty: Decimal
    rate: Decimal | None
    cost: Decimal
    basis: str
    operation: bool = False


def cost_tree(book: Book, bom: Bom, qty: Decimal) -> tuple[list[CostLine], Decimal]:
    """The rolled-up cost of `qty` units: raw materials at their current valuation, made items
    rolled up through their own BOMs, plus each level's operation cost. Returns (lines, total)."""
    refuse_cycles(book)
    made = active_boms(book)

    def roll(b: Bom, amount: Decimal, level: int, out: list[CostLine]) -> Decimal:
        total = ZERO
        for line in b.components:
            need = line_need(b, line, amount, exact=True)
            sub = made.get(line.item)
            if sub is not None:
                here = len(out)
                out.append(CostLine(level, line.item, need, None, ZERO, f"rolled up ({sub.id})"))
                cost = roll(sub, need, level + 1, out)
                out[here].cost = cost
                out[here].rate = cost / need
            else:
                rate, basis = valuation_rate(book, line.item)
                cost = need * rate if rate is not None else ZERO
                out.append(CostLine(level, line.item, need, rate, cost, basis))
            total += cost
        if b.operation_cost:
            op = amount * b.operation_cost
            out.append(CostLine(level, b.item, amount, b.operation_cost, op, "operation cost", operation=True))
            total += op
        return total

    lines: list[CostLine] = []
    total = roll(bom, qty, 1, lines)
    return lines, total


def rolled_up_unit_cost(book: Book, bom: Bom) -> Decimal:
    _, total = cost_tree(book, bom, bom.qty)
    return total / bom.qty


# --- work orders and their progress ------------------------------------------------------------

@dataclass
class Progress:
    order: WorkOrder
    done: Decimal = ZERO
    consumed: dict[str, Decimal] = field(default_factory=dict)
    completions: list[Completion] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.order.status == "cancelled":
            return "cancelled"
        if self.done >= self.order.qty:
            return "completed"
        if self.done > 0:
            return "in-progress"
        return self.order.status

    @property
    def open(self) -> bool:
        return self.status in ("planned", "released", "in-progress")

    @property
    def remaining(self) -> Decimal:
        return plain(max(self.order.qty - self.done, ZERO)) if self.open else ZERO

    def left(self, line_item: str) -> Decimal:
        """What the order still needs of a component (its line less what completions consumed)."""
        line = next((c for c in self.order.components if c.item == line_item), None)
        if line is None or not self.open:
            return ZERO
        return plain(max(line.qty - self.consumed.get(line_item, ZERO), ZERO))


def progress(book: Book) -> dict[str, Progress]:
    cached = book.derived.get("mfg.progress")
    if cached is None:
        cached = {ident: Progress(wo) for ident, wo in orders(book).items()}
        if cached:  # completions are posted records: read them only when there are orders
            for c in sorted(completions(book).values(), key=lambda c: (c.date, c.id)):
                p = cached.get(c.order)
                if p is None:
                    continue
                p.done += c.qty
                p.completions.append(c)
                for line in c.consumed:
                    p.consumed[line.item] = p.consumed.get(line.item, ZERO) + line.qty
        book.derived["mfg.progress"] = cached
    return cached


@provider(reads=["work-order", "completion"])
def open_work_orders(book: Book) -> Iterable[Event]:
    """Open work orders: their remaining output is planned supply (on the due date) and what they
    still need of each component is required (on the start date, else the due date)."""
    if not orders(book):
        return
    for p in progress(book).values():
        if not p.open:
            continue
        wo = p.order
        yield Event(wo.item, wo.warehouse, wo.due, p.remaining, "planned", wo.id)
        for line in wo.components:
            yield Event(line.item, wo.warehouse, wo.start or wo.due, p.left(line.item), "required", wo.id)


def new_order(book: Book, sku: str, qty: Decimal, today: dt.date, rng: random.Random, *,
              warehouse: str | None = None, due: dt.date | None = None, start: dt.date | None = None,
              bom_ref: str | None = None, status: str = "planned", reference: str | None = None,
              notes: str | None = None, taken: Iterable[str] = ()) -> WorkOrder:
    """A work order for `qty` of `sku`: the components its BOM needs for that quantity, scrap
    included; due by default after the item's lead time, started that lead time before it."""
    it = get_item(book, sku)
    if not it.stocked:
        raise fail("service-item", f"{sku} is a service item: nothing to make", "make a stocked item")
    bom = find_bom(book, bom_ref or sku)
    if bom.item != sku:
        raise fail("bom-mismatch", f"bill of materials {bom.id} makes {bom.item}, not {sku}",
                   f"use a BOM of {sku}, or leave --bom out to use its active one")
    if not bom.active and bom_ref is None:
        raise fail("bom-inactive", f"bill of materials {bom.id} is inactive", "activate it or choose another")
    if qty <= 0:
        raise fail("invalid-quantity", f"the quantity must be more than zero, not {fmt_qty(qty)}", "give a positive --qty")
    refuse_cycles(book)
    wh = pick_warehouse(book, warehouse or bom.warehouse)
    lead = dt.timedelta(days=it.lead_time_days)
    due = due or (start + lead if start else today + lead)
    if start is None:
        start = due - lead
        if start < today:
            start = min(today, due)
    if start > due:
        raise fail("start-after-due", f"start {start} is after the due date {due}", "give dates in order")
    lines = []
    for line in bom.components:
        comp = items(book).get(line.item)
        if comp is None or not comp.stocked:
            raise fail("unknown-item", f"{bom.id}: component {line.item} is not a stocked item",
                       f"fix the bill of materials {bom.id}")
        lines.append({"item": line.item, "qty": line_need(bom, line, qty)})
    ident = new_id(id_prefix(book, "work-order"), today, set(orders(book)) | set(taken), rng)
    return validated(WorkOrder, {"id": ident, "date": today, "item": sku, "bom": bom.id, "qty": plain(qty),
                                 "warehouse": wh, "start": start, "due": due, "status": status,
                                 "components": lines, "operation_cost": bom.operation_cost,
                                 "reference": reference, "notes": notes}, "work order")


@dataclass
class OrderChange:
    order: WorkOrder
    changes: list[Change]
    before: str  # the derived status before the change
    after: str

    def summary(self) -> str:
        return f"status: {self.before} -> {self.after}"


def set_status(book: Book, ident: str, to: str) -> OrderChange:
    """Release a planned order or cancel an open one (what was completed stays completed)."""
    wo = get_order(book, ident)
    p = progress(book)[ident]
    now = p.status
    if to == "released" and now != "planned":
        raise fail("cannot-release", f"work order {ident} is {now}; only a planned order is released",
                   "`comptoir mfg show " + ident + "` shows it")
    if to == "cancelled" and now in ("completed", "cancelled"):
        raise fail("cannot-cancel", f"work order {ident} is already {now}", "nothing to cancel")
    new = wo.model_copy(update={"status": to})
    return OrderChange(new, diff_records(wo, new), now, to)


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
        out.append({"account": inventory_account(book, m.item, m.to_warehouse), "amount": m.value - m.variance,
                    "memo": f"{m.item}: {fmt_qty(m.qty)} {uom.get(m.item, '')} produced"})
        if m.variance:
            out.append({"account": book.settings.accounts.stock_adjustment, "amount": m.variance,
                        "memo": f"{m.item}: shortfall settled at its earlier rate"})
    for m in used:
        out.append({"account": inventory_account(book, m.item, m.from_warehouse), "amount": -m.value,
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


# --- check -------------------------------------------------------------------------------------

def check_order(book: Book, ident: str, qty: Decimal | None, today: dt.date) -> Table:
    """Whether the order's components are available now, and for those that are not, how many are
    short and the earliest day the order's quantity can be taken without starving an earlier
    commitment (from `stock promise`)."""
    wo = get_order(book, ident)
    p = progress(book)[ident]
    if not p.open:
        raise fail(f"order-{p.status}", f"work order {ident} is {p.status}: nothing is left to make", "")
    qty = p.remaining if qty is None else qty
    if qty <= 0 or qty > p.remaining:
        raise fail("invalid-quantity", f"{ident} has {fmt_qty(p.remaining)} left to make; {fmt_qty(qty)} asked",
                   f"give --qty between 0 and {fmt_qty(p.remaining)}")
    its = items(book)
    rows = []
    ready = today
    for sku, need in consumption(p, qty):
        it = its.get(sku)
        held = on_hand(book, sku, wo.warehouse)
        answer = promise(book, sku, need, wo.warehouse, today, today, exclude=[ident])
        free = max(min((t["projected"] for t in answer.timeline), default=held), ZERO)
        short = max(need - free, ZERO)
        if answer.basis == "supply":
            how = answer.reason.split("; ")[-1]
        elif answer.basis == "lead-time":
            how = f"no known supply: lead time {it.lead_time_days if it else 0} days"
        else:
            how = "in stock"
        ready = max(ready, answer.date)
        rows.append({"item": sku, "name": it.name if it else "?", "uom": it.uom if it else "", "needed": need,
                     "on_hand": held, "free": free, "short": short, "ready_on": answer.date, "how": how})
    short_items = [r["item"] for r in rows if r["short"] > 0 or r["ready_on"] > today]
    cols = [text("item", "Component"), text("name", "Name"), text("uom", "UoM"), qty_col("needed", "Needed"),
            qty_col("on_hand", "On hand"), qty_col("free", "Free now"), qty_col("short", "Short"),
            Column("ready_on", "Available on", "date"), text("how", "How")]
    it = its.get(wo.item)
    what = f"{fmt_qty(qty)} {it.uom if it else ''} {wo.item} on {ident} in {wo.warehouse}"
    if short_items:
        verdict = f"Not yet: {', '.join(short_items)} short; all components available on {ready}."
    else:
        verdict = f"Ready: every component is available now; `comptoir mfg complete {ident}` can make it."
    table = Table("mfg-check", cols, rows, title=f"Components for {what}",
                  notes=[verdict, "Free now: what can be taken today without starving another order or "
                                  "reservation (the lowest projected quantity from today on)."])
    table.meta.update({"order": ident, "qty": qty, "ready": not short_items, "ready_on": ready,
                       "short": short_items})
    return table


# --- planning ----------------------------------------------------------------------------------

@dataclass
class Proposal:
    action: str  # make | buy
    item: str
    qty: Decimal
    warehouse: str
    start: dt.date  # start of production, or the day to order by
    due: dt.date
    level: int
    projected: Decimal  # before the proposal, all warehouses
    threshold: Decimal
    reason: str
    bom: str | None = None
    components: list[tuple[str, Decimal]] = field(default_factory=list)


def _first_below(on_hand_now: Decimal, evs: list[Event], threshold: Decimal, today: dt.date) -> dt.date:
    """The first day the projection (dated supply, all demand) falls below `threshold`."""
    running = on_hand_now
    if running < threshold:
        return today
    steps = sorted(((max(e.date or today, today), 0 if e.kind in SUPPLY else 1, e) for e in evs
                    if not (e.date is None and e.kind in SUPPLY)), key=lambda s: (s[0], s[1], s[2].document))
    for day, _, ev in steps:
        running += ev.qty if ev.kind in SUPPLY else -ev.qty
        if running < threshold:
            return day
    return today


def plan(book: Book, today: dt.date) -> list[Proposal]:
    """Work orders and purchases that bring every item's projected quantity (all warehouses) back to
    its reorder point, or to zero when open demand exceeds supply.

    Items are planned level by level down the BOMs (an item only after everything that uses it),
    so a proposed work order's components count as demand when their own level is planned. Each
    proposal is due when the projection first falls short (never sooner than its lead time from
    today) and starts, or is ordered, its lead time before; components are due at that start.
    Quantity: the shortfall, or the reorder quantity when that is more.
    """
    its = items(book)
    level = low_levels(book)
    made = active_boms(book)
    evs_by_item: dict[str, list[Event]] = {}
    for ev in events(book):
        evs_by_item.setdefault(ev.item, []).append(ev)
    held: dict[str, Decimal] = {}
    by_wh: dict[tuple[str, str], Decimal] = {}
    for (sku, wh), a in availability(book).items():
        held[sku] = held.get(sku, ZERO) + a.on_hand
        by_wh[(sku, wh)] = a.projected
    default_wh = sorted(c for c, w in warehouses(book).items() if w.active)
    out: list[Proposal] = []
    for sku in sorted(its, key=lambda s: (level.get(s, 0), s)):
        it = its[sku]
        if not it.stocked or not it.active:
            continue
        evs = evs_by_item.get(sku, [])
        projected = held.get(sku, ZERO) + sum((e.qty if e.kind in SUPPLY else -e.qty for e in evs), ZERO)
        threshold = it.reorder_point if it.reorder_point is not None else ZERO
        if projected >= threshold:
            continue
        qty = plain(max(threshold - projected, it.reorder_qty or ZERO))
        lead = dt.timedelta(days=it.lead_time_days)
        due = max(_first_below(held.get(sku, ZERO), evs, threshold, today), today + lead)
        start = due - lead
        reasons = []
        if it.reorder_point is not None:
            reasons.append(f"projected {fmt_qty(projected)} below reorder point {fmt_qty(threshold)}")
        if projected < 0:
            reasons.append(f"open demand exceeds supply by {fmt_qty(-projected)}")
        reason = "; ".join(reasons)
        planned_for = sorted({e.document for e in evs if e.document.startswith("plan:")})
        if planned_for:
            reason += f" (counting components for {', '.join(d[5:] for d in planned_for)})"
        bom = made.get(sku)
        candidates = sorted(((p, wh) for (s, wh), p in by_wh.items() if s == sku))
        wh = (bom.warehouse if bom and bom.warehouse else None) or (candidates[0][1] if candidates else None) \
            or (default_wh[0] if default_wh else "")
        prop = Proposal("make" if bom else "buy", sku, qty, wh, start, due, level.get(sku, 0), projected,
                        threshold, reason, bom.id if bom else None)
        if bom is not None:
            for line in bom.components:
                need = line_need(bom, line, qty)
                prop.components.append((line.item, need))
                evs_by_item.setdefault(line.item, []).append(
                    Event(line.item, wh, start, need, "required", f"plan:{sku}"))
        out.append(prop)
    return out


def plan_table(book: Book, proposals: list[Proposal], today: dt.date, applied: dict[str, str] | None = None) -> Table:
    its = items(book)
    rows = []
    for pr in proposals:
        it = its[pr.item]
        rows.append({"action": pr.action, "level": pr.level, "item": pr.item, "name": it.name, "qty": pr.qty,
                     "uom": it.uom, "warehouse": pr.warehouse, "start": pr.start, "due": pr.due,
                     "projected": pr.projected, "reorder_point": it.reorder_point, "reason": pr.reason,
                     "source": pr.bom or "", "created": (applied or {}).get(pr.item, "")})
    cols = [text("action", "Action"), Column("level", "Level", "int"), text("item", "Item"), text("name", "Name"),
            qty_col("qty", "Qty"), text("uom", "UoM"), text("warehouse", "Warehouse"),
            Column("start", "Start / order by", "date"), Column("due", "Due", "date"),
            qty_col("projected", "Projected"), qty_col("reorder_point", "Reorder point"), text("reason", "Why"),
            text("source", "BOM")]
    if applied is not None:
        cols.append(text("created", "Created"))
    notes = ["Projected = on hand + incoming + planned - reserved - required, all warehouses; items are planned "
             "level by level, so a proposed work order's components count as demand below it."]
    if not proposals:
        notes.insert(0, "Nothing to propose: every item's projected quantity is at or above its reorder point "
                        "and covers open demand.")
    elif applied is None:
        notes.append("Nothing was written: `comptoir mfg plan --apply` creates the work orders, and purchase "
                     "orders for items bought before.")
    table = Table("mfg-plan", cols, rows, title=f"Production plan on {today}", notes=notes)
    return table


def orders_from_plan(book: Book, proposals: list[Proposal], today: dt.date, rng: random.Random) -> list[WorkOrder]:
    out: list[WorkOrder] = []
    for pr in proposals:
        if pr.action != "make":
            continue
        out.append(new_order(book, pr.item, pr.qty, today, rng, warehouse=pr.warehouse, due=pr.due, start=pr.start,
                             bom_ref=pr.bom, reference=f"mfg plan {today}", taken=[o.id for o in out]))
    return out


def purchases_from_plan(book: Book, proposals: list[Proposal], today: dt.date,
                        rng: random.Random) -> tuple[list[Record], list[Proposal]]:
    """Purchase orders for the proposed purchases, one per supplier and currency, each line at the
    price and tax of the item's latest purchase order from that supplier; and the proposals left
    as they are because the item was never bought (no supplier or price to go on)."""
    buys = [pr for pr in proposals if pr.action == "buy"]
    try:
        from . import purchasing
        from .documents import LineInput
    except ImportError:  # a build without purchasing: the purchases stay proposals
        return [], buys
    from comptoir.schemas.registry import kind_named

    latest: dict[str, tuple] = {}
    for po in sorted(purchasing.orders(book).values(), key=lambda po: (po.date, po.id)):
        if po.cancelled is None:
            for line in po.lines:
                latest[line.item] = (po.partner, po.currency, line.price, line.tax)
    groups: dict[tuple, list] = {}
    left = []
    for pr in buys:
        if pr.item not in latest:
            left.append(pr)
            continue
        partner, currency, price, tax = latest[pr.item]
        groups.setdefault((partner, currency), []).append(
            LineInput(pr.item, pr.qty, price, tax=tax, date=pr.due, warehouse=pr.warehouse or None))
    out: list[Record] = []
    kind = kind_named("purchase-order")
    for (partner, currency), lines in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        po = purchasing.new_order(book, partner, lines, today, rng, currency=currency,
                                  notes=f"proposed by mfg plan {today}")
        book = book.with_records([(kind, po)])  # the next order's id must not take this one's
        out.append(po)
    return out, left


# --- BOMs: building and showing ----------------------------------------------------------------

def new_bom(book: Book, sku: str, qty: Decimal, components: list[tuple[str, Decimal]], scrap: dict[str, Decimal],
            operation_cost: Decimal | None, warehouse: str | None, ident: str | None, description: str | None,
            replace: bool) -> tuple[Bom, Bom | None]:
    """A BOM for `sku` (id BOM-<SKU> unless given) and the one it replaces, if any."""
    get_item(book, sku)
    for comp, _ in components:
        it = get_item(book, comp)
        if not it.stocked:
            raise fail("service-item", f"component {comp} is a service item", "put labour in --operation-cost")
    extra = sorted(set(scrap) - {c for c, _ in components})
    if extra:
        raise fail("not-a-component", f"--scrap {', '.join(extra)}: not among the components", "give --component first")
    if warehouse is not None:
        pick_warehouse(book, warehouse)
    if operation_cost is not None and places_of(operation_cost) > COST_PLACES:
        raise fail("too-many-places", f"--operation-cost {operation_cost} has more than {COST_PLACES} places",
                   f"round it to {COST_PLACES} places")
    ident = ident or f"BOM-{sku}"
    old = boms(book).get(ident)
    if old is not None and not replace:
        raise fail("duplicate-id", f"bill of materials {ident} already exists",
                   "give --replace to change it (its history stays in git), or another --id")
    bom = validated(Bom, {"id": ident, "item": sku, "qty": qty, "warehouse": warehouse,
                          "operation_cost": operation_cost, "description": description,
                          "components": [{"item": c, "qty": q, **({"scrap_percent": scrap[c]} if c in scrap else {})}
                                         for c, q in components]}, "bill of materials")
    return bom, old


def boms_table(book: Book) -> Table:
    its = items(book)
    rows = []
    for ident in sorted(boms(book)):
        b = boms(book)[ident]
        it = its.get(b.item)
        rows.append({"bom": ident, "item": b.item, "name": it.name if it else "?", "qty": b.qty,
                     "uom": it.uom if it else "", "components": len(b.components),
                     "operation_cost": b.operation_cost, "warehouse": b.warehouse or "", "active": b.active})
    cols = [text("bom", "BOM"), text("item", "Makes"), text("name", "Name"), qty_col("qty", "Yield"),
            text("uom", "UoM"), Column("components", "Components", "int"),
            Column("operation_cost", "Operation cost / unit", "money", COST_PLACES), text("warehouse", "Warehouse"),
            Column("active", "Active", "bool")]
    return Table("boms", cols, rows, title="Bills of materials")


def bom_table(book: Book, bom: Bom) -> Table:
    """One BOM's lines: quantity per batch, scrap, need per unit, where each comes from, its cost."""
    its = items(book)
    made = active_boms(book)
    rows = []
    for line in bom.components:
        it = its.get(line.item)
        per_unit = line.qty * (HUNDRED + line.scrap_percent) / (bom.qty * HUNDRED)
        sub = made.get(line.item)
        rate = rolled_up_unit_cost(book, sub) if sub else valuation_rate(book, line.item)[0]
        rows.append({"item": line.item, "name": it.name if it else "?", "uom": it.uom if it else "",
                     "qty": line.qty, "scrap_percent": line.scrap_percent, "per_unit": round_qty(per_unit),
                     "source": f"make ({sub.id})" if sub else "buy",
                     "unit_cost": rate, "cost": per_unit * rate if rate is not None else None})
    cols = [text("item", "Component"), text("name", "Name"), text("uom", "UoM"), qty_col("qty", "Qty per batch"),
            Column("scrap_percent", "Scrap %", "percent"), qty_col("per_unit", "Per unit"), text("source", "Source"),
            Column("unit_cost", "Unit cost", "money", COST_PLACES), Column("cost", "Cost per unit", "money", COST_PLACES)]
    it = its.get(bom.item)
    unit = rolled_up_unit_cost(book, bom)
    notes = [f"Makes {fmt_qty(bom.qty)} {it.uom if it else ''} of {bom.item} per batch"
             + (f", in {bom.warehouse}" if bom.warehouse else "") + ("" if bom.active else " (inactive)"),
             f"Operation cost per unit: {bom.operation_cost or 0:f} (credited to {book.settings.accounts.absorption})",
             f"Rolled-up cost per unit from current valuation: {round_to(unit, COST_PLACES):f} {book.base}"]
    if it is not None and it.standard_cost is not None:
        notes.append(f"Standard cost: {it.standard_cost:f}")
    table = Table("bom", cols, rows, {"item": "Total", "cost": unit}, title=f"{bom.id}: {bom.item} "
                  f"{it.name if it else ''}".rstrip(), notes=notes)
    table.meta.update({"bom": bom.id, "item": bom.item, "yield": bom.qty, "unit_cost": round_to(unit, COST_PLACES)})
    return table


def explode_table(book: Book, bom: Bom, qty: Decimal) -> Table:
    """Everything `qty` units need through every level: raw materials first, with what is on hand."""
    its = items(book)
    rows = []
    for r in materials(book, bom, qty):
        it = its.get(r["item"])
        held = sum((v[0] for (i, _), v in levels(book).items() if i == r["item"]), ZERO)
        rows.append({**r, "qty": plain(r["qty"]), "name": it.name if it else "?", "uom": it.uom if it else "",
                     "on_hand": held})
    cols = [text("source", "Source"), Column("level", "Level", "int"), text("item", "Item"), text("name", "Name"),
            qty_col("qty", "Qty needed"), text("uom", "UoM"), qty_col("on_hand", "On hand"), text("bom", "BOM")]
    it = its.get(bom.item)
    table = Table("bom-explode", cols, rows,
                  title=f"Materials for {fmt_qty(qty)} {it.uom if it else ''} {bom.item} ({bom.id}), every level",
                  notes=["buy: raw materials, the total over every branch; make: intermediates made on their own "
                         "BOMs (their components are listed too). Scrap is included at each level."])
    table.meta.update({"bom": bom.id, "item": bom.item, "qty": qty})
    return table


def bom_cost_table(book: Book, sku: str, qty: Decimal | None = None) -> Table:
    """The rolled-up cost of an item from current valuation, line by line through every level."""
    bom = find_bom(book, sku)
    it = get_item(book, bom.item)
    qty = qty or Decimal(1)
    lines, total = cost_tree(book, bom, qty)
    its = items(book)
    rows = []
    for cl in lines:
        c = its.get(cl.item)
        label = ("  " * (cl.level - 1)) + (f"operation ({cl.item})" if cl.operation else cl.item)
        rows.append({"level": cl.level, "item": label, "name": "labour and overhead" if cl.operation
                     else (c.name if c else "?"), "qty": round_qty(cl.qty), "uom": (c.uom if c else "") if not cl.operation
                     else (its[cl.item].uom if cl.item in its else ""),
                     "rate": cl.rate, "cost": cl.cost, "basis": cl.basis})
    cols = [Column("level", "Level", "int"), text("item", "Item"), text("name", "Name"), qty_col("qty", "Qty"),
            text("uom", "UoM"), Column("rate", "Unit cost", "money", COST_PLACES),
            Column("cost", "Cost", "money", COST_PLACES), text("basis", "Basis")]
    unit = total / qty
    notes = [f"Cost of {fmt_qty(qty)} {it.uom} {bom.item}: {round_to(total, COST_PLACES):f}; per unit "
             f"{round_to(unit, COST_PLACES):f} {book.base}",
             "Raw materials at their current valuation (average value on hand, else the last cost in, else the "
             "standard cost); made items rolled up through their own BOMs; costs of deeper levels add up into "
             "the made item above them."]
    if it.standard_cost is not None:
        notes.append(f"Standard cost {it.standard_cost:f} per unit: rolled-up cost is "
                     f"{round_to(unit - it.standard_cost, COST_PLACES):+f} against it")
    missing = sorted({cl.item for cl in lines if cl.basis == "no cost known"})
    if missing:
        notes.append(f"No cost known for {', '.join(missing)}: counted at 0")
    table = Table("bom-cost", cols, rows, {"item": "Total", "cost": total}, title=f"Rolled-up cost of "
                  f"{bom.item} {it.name} ({bom.id}, {book.base})", notes=notes)
    table.meta.update({"item": bom.item, "bom": bom.id, "qty": qty, "total": round_to(total, COST_PLACES),
                       "unit_cost": round_to(unit, COST_PLACES)})
    return table


def set_standard_cost(book: Book, sku: str, amount: Decimal | None, roll_up: bool) -> tuple[Item, list[Change]]:
    it = get_item(book, sku)
    if (amount is None) == (not roll_up):
        raise fail("cost-or-roll-up", "give the standard cost or --roll-up, one of them",
                   f"comptoir mfg standard-cost {sku} 2.45, or --roll-up to take the BOM's rolled-up cost")
    if roll_up:
        amount = round_to(rolled_up_unit_cost(book, find_bom(book, sku)), COST_PLACES)
    assert amount is not None
    if amount < 0 or places_of(amount) > COST_PLACES:
        raise fail("invalid-amount", f"standard cost {amount} must be positive with at most {COST_PLACES} places", "")
    new = it.model_copy(update={"standard_cost": amount})
    return new, diff_records(it, new)


# --- listing orders ----------------------------------------------------------------------------

STATUSES = ("planned", "released", "in-progress", "completed", "cancelled")


def orders_table(book: Book, today: dt.date, statuses: Iterable[str] = (), item: str | None = None) -> Table:
    wanted = set(statuses)
    its = items(book)
    rows = []
    for ident in sorted(orders(book)):
        p = progress(book)[ident]
        wo = p.order
        if (wanted and p.status not in wanted) or (item and wo.item != item):
            continue
        it = its.get(wo.item)
        rows.append({"order": ident, "item": wo.item, "name": it.name if it else "?", "qty": wo.qty,
                     "done": plain(p.done), "remaining": p.remaining, "uom": it.uom if it else "", "warehouse": wo.warehouse,
                     "start": wo.start, "due": wo.due, "status": p.status,
                     "late": bool(p.open and wo.due is not None and wo.due < today)})
    cols = [text("order", "Order"), text("item", "Item"), text("name", "Name"), qty_col("qty", "Qty"),
            qty_col("done", "Done"), qty_col("remaining", "Remaining"), text("uom", "UoM"),
            text("warehouse", "Warehouse"), Column("start", "Start", "date"), Column("due", "Due", "date"),
            text("status", "Status"), Column("late", "Late", "bool")]
    return Table("work-orders", cols, rows, title="Work orders")


def order_table(book: Book, ident: str) -> Table:
    """One order: its components (needed, consumed, still needed) and its completions in the notes."""
    wo = get_order(book, ident)
    p = progress(book)[ident]
    its = items(book)
    rows = []
    for line in wo.components:
        it = its.get(line.item)
        rows.append({"item": line.item, "name": it.name if it else "?", "uom": it.uom if it else "",
                     "needed": line.qty, "consumed": plain(p.consumed.get(line.item, ZERO)),
                     "left": plain(p.left(line.item))})
    cols = [text("item", "Component"), text("name", "Name"), text("uom", "UoM"), qty_col("needed", "Needed"),
            qty_col("consumed", "Consumed"), qty_col("left", "Still needed")]
    it = its.get(wo.item)
    uom = it.uom if it else ""
    notes = [f"status: {p.status}; {fmt_qty(p.done)} of {fmt_qty(wo.qty)} {uom} made, {fmt_qty(p.remaining)} to make",
             f"BOM {wo.bom}; warehouse {wo.warehouse}; start {wo.start or '-'}; due {wo.due or '-'}; "
             f"operation cost per unit {wo.operation_cost or 0:f}"]
    if wo.reference:
        notes.append(f"reference: {wo.reference}")
    for c in p.completions:
        notes.append(f"completion {c.id} on {c.date}: {fmt_qty(c.qty)} {uom} at {c.unit_cost:f} "
                     f"(components {c.component_cost:f} + operation {c.operation_cost:f}), entry {c.entry or '-'}")
    table = Table("work-order", cols, rows, title=f"Work order {ident}: {fmt_qty(wo.qty)} {uom} {wo.item}", notes=notes)
    table.meta.update({"order": ident, "item": wo.item, "qty": wo.qty, "done": plain(p.done), "remaining": p.remaining,
                       "status": p.status, "completions": [c.id for c in p.completions]})
    return table


# --- reports -----------------------------------------------------------------------------------

def production_report(book: Book, start: dt.date | None, end: dt.date | None, by: str = "order",
                      item: str | None = None) -> Table:
    """Completions in the range per order (or per item): output, cost, cost per unit, and the
    variance against the item's standard cost when it has one (actual - standard x qty)."""
    p_ = places(book)
    its = items(book)
    prog = progress(book)
    groups: dict[str, dict] = {}
    finished = 0
    for c in sorted(completions(book).values(), key=lambda c: (c.date, c.id)):
        if (start and c.date < start) or (end and c.date > end) or (item and c.item != item):
            continue
        key = c.order if by == "order" else c.item
        g = groups.setdefault(key, {"item": c.item, "completions": 0, "qty": ZERO, "components": ZERO,
                                    "operation": ZERO, "last": c.date})
        g["completions"] += 1
        g["qty"] += c.qty
        g["components"] += c.component_cost
        g["operation"] += c.operation_cost
        g["last"] = c.date
        p = prog.get(c.order)
        if p is not None and p.status == "completed" and p.completions and p.completions[-1].id == c.id:
            finished += 1
    rows = []
    totals: dict[str, Decimal | None] = {"components": ZERO, "operation": ZERO, "cost": ZERO, "variance": None}
    for key in sorted(groups):
        g = groups[key]
        it = its.get(g["item"])
        cost = g["components"] + g["operation"]
        std = it.standard_cost if it else None
        variance = cost - round_to(std * g["qty"], p_) if std is not None else None
        row = {"item": g["item"], "name": it.name if it else "?", "completions": g["completions"], "qty": g["qty"],
               "uom": it.uom if it else "", "components": g["components"], "operation": g["operation"], "cost": cost,
               "unit_cost": round_to(cost / g["qty"], COST_PLACES), "standard_cost": std, "variance": variance}
        if by == "order":
            p = prog.get(key)
            row = {"order": key, **row, "status": p.status if p else "?"}
        rows.append(row)
        totals["components"] += g["components"]  # type: ignore[operator]
        totals["operation"] += g["operation"]  # type: ignore[operator]
        totals["cost"] += cost  # type: ignore[operator]
        if variance is not None:
            totals["variance"] = (totals["variance"] or ZERO) + variance
    cols = [text("order", "Order")] if by == "order" else []
    cols += [text("item", "Item"), text("name", "Name"), Column("completions", "Completions", "int"),
             qty_col("qty", "Output"), text("uom", "UoM"), money("components", "Components", p_),
             money("operation", "Operation", p_), money("cost", "Cost", p_),
             Column("unit_cost", "Cost per unit", "money", COST_PLACES),
             Column("standard_cost", "Standard", "money", COST_PLACES), money("variance", "Variance", p_)]
    if by == "order":
        cols.append(text("status", "Status"))
    span = f" {start or '...'} to {end or '...'}" if start or end else ""
    table = Table("production", cols, rows, {("order" if by == "order" else "item"): "Total", **totals},
                  title=f"Production{span} ({book.base})",
                  notes=[f"{finished} work orders finished in the period.",
                         "Cost = components consumed at their valuation + operation cost absorbed. "
                         "Variance = cost - standard cost x output: positive costs more than standard; "
                         "items without a standard cost show none."])
    table.meta["orders_finished"] = finished
    return table


# --- rules -------------------------------------------------------------------------------------

@rule(reads=("bom", "item", "warehouse"))
def bom_rules(book: Book) -> list[Problem]:
    """BOMs name known stocked items and warehouses, one active BOM per item, and no loops."""
    out: list[Problem] = []
    its, whs = items(book), warehouses(book)
    active: dict[str, list[str]] = {}
    for ident in sorted(boms(book)):
        b = boms(book)[ident]
        src = book.source("bom", ident)
        if b.item not in its:
            out.append(Problem(src, 0, "unknown-item", f"{ident}: item {b.item} does not exist",
                               "add it with `comptoir item add` or fix `item:`", loc=("item",)))
        elif not its[b.item].stocked:
            out.append(Problem(src, 0, "service-item", f"{ident}: {b.item} is a service item and cannot be made",
                               "make a stocked item", loc=("item",)))
        for i, line in enumerate(b.components):
            comp = its.get(line.item)
            if comp is None:
                out.append(Problem(src, 0, "unknown-item", f"{ident}: component {line.item} does not exist",
                                   "add the item or fix the component", loc=("components", i, "item")))
            elif not comp.stocked:
                out.append(Problem(src, 0, "service-item", f"{ident}: component {line.item} is a service item",
                                   "put labour and services in operation_cost", loc=("components", i, "item")))
        if b.warehouse and b.warehouse not in whs:
            out.append(Problem(src, 0, "unknown-warehouse", f"{ident}: warehouse {b.warehouse} does not exist",
                               "add it or fix `warehouse:`", loc=("warehouse",)))
        if b.active:
            active.setdefault(b.item, []).append(ident)
    for sku, idents in active.items():
        if len(idents) > 1:
            out.append(Problem(book.source("bom", idents[1]), 0, "bom-ambiguous",
                               f"{sku} has {len(idents)} active bills of materials: {', '.join(idents)}",
                               "keep one active (active: false on the others)", loc=("active",)))
    for loop in bom_cycles(book):
        bom = active_boms(book).get(loop[0])
        out.append(Problem(book.source("bom", bom.id) if bom else "", 0, "bom-cycle",
                           f"the bills of materials loop: {' -> '.join(loop)}",
                           "an item cannot be made, even indirectly, from itself; remove a component from one "
                           "of them", loc=("components",)))
    return out


@rule(reads=("bom", "item", "warehouse", "work-order"))
def work_order_rules(book: Book) -> list[Problem]:
    """Orders name known items, BOMs and warehouses, and their BOM makes their item."""
    out: list[Problem] = []
    its, whs, bs = items(book), warehouses(book), boms(book)
    for ident in sorted(orders(book)):
        wo = orders(book)[ident]
        src = book.source("work-order", ident)
        if wo.item not in its:
            out.append(Problem(src, 0, "unknown-item", f"{ident}: item {wo.item} does not exist",
                               "fix `item:`", loc=("item",)))
        bom = bs.get(wo.bom)
        if bom is None:
            out.append(Problem(src, 0, "unknown-bom", f"{ident}: bill of materials {wo.bom} does not exist",
                               "restore it or fix `bom:`", loc=("bom",)))
        elif bom.item != wo.item:
            out.append(Problem(src, 0, "bom-mismatch", f"{ident}: {wo.bom} makes {bom.item}, the order makes {wo.item}",
                               "fix `bom:` or `item:`", loc=("bom",)))
        if wo.warehouse not in whs:
            out.append(Problem(src, 0, "unknown-warehouse", f"{ident}: warehouse {wo.warehouse} does not exist",
                               "fix `warehouse:`", loc=("warehouse",)))
        for i, line in enumerate(wo.components):
            if line.item not in its:
                out.append(Problem(src, 0, "unknown-item", f"{ident}: component {line.item} does not exist",
                                   "fix the component", loc=("components", i, "item")))
    return out


def _by_account(postings: Iterable) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for p in postings:
        account, amount = (p["account"], p["amount"]) if isinstance(p, dict) else (p.account, p.amount)
        out[account] = out.get(account, ZERO) + amount
    return {a: v for a, v in out.items() if v != 0}


@rule(reads=("account", "completion", "item", "journal", "stock-move", "warehouse", "work-order"),
      lookups=("journal",))
def completion_rules(book: Book) -> list[Problem]:
    """Completions belong to an order, never make more than it asks, and agree with their stock moves
    (same items, quantities and values) and with their journal entry (same amount on each account)."""
    out: list[Problem] = []
    all_c = completions(book)
    if not all_c:
        return out
    wos, mv = orders(book), moves(book)
    p_ = places(book)
    made: dict[str, Decimal] = {}
    for c in sorted(all_c.values(), key=lambda c: (c.date, c.id)):
        src = book.source("completion", c.id)
        wo = wos.get(c.order)
        if wo is None:
            out.append(Problem(src, 0, "unknown-work-order", f"{c.id}: work order {c.order} does not exist",
                               "restore the order; a completed order's record stays", loc=("order",)))
        else:
            if c.item != wo.item:
                out.append(Problem(src, 0, "completion-mismatch", f"{c.id}: makes {c.item}, its order {wo.id} makes "
                                   f"{wo.item}", "restore the completion as it was posted", loc=("item",)))
            made[wo.id] = made.get(wo.id, ZERO) + c.qty
            if made[wo.id] > wo.qty:
                out.append(Problem(src, 0, "completion-exceeds-order",
                                   f"{c.id}: completions of {wo.id} make {fmt_qty(made[wo.id])}, the order asks for "
                                   f"{fmt_qty(wo.qty)}", "make the extra on a new work order", loc=("qty",)))
            names = {line.item for line in wo.components}
            for i, line in enumerate(c.consumed):
                if line.item not in names:
                    out.append(Problem(src, 0, "not-a-component",
                                       f"{c.id}: consumes {line.item}, which is not a component of {wo.id}",
                                       "consume the order's components", loc=("consumed", i, "item")))
        if round_to(c.qty * c.unit_cost, p_) != c.value:
            out.append(Problem(src, 0, "completion-mismatch",
                               f"{c.id}: qty x unit_cost is {round_to(c.qty * c.unit_cost, p_):f}, value {c.value:f}",
                               "restore the completion as it was posted", loc=("unit_cost",)))
        expected = [(c.move, "production", c.item, c.qty, c.value, None, c.warehouse, ("move",))]
        expected += [(line.move, "consumption", line.item, line.qty, line.value, c.warehouse, None,
                      ("consumed", i, "move")) for i, line in enumerate(c.consumed)]
        found: list[StockMove] = []
        for ident, type_, sku, qty, value, src_wh, dst_wh, loc in expected:
            m = mv.get(ident)
            if m is None:
                out.append(Problem(src, 0, "unknown-move", f"{c.id}: stock move {ident} does not exist",
                                   "restore it; a completion and its moves are committed together", loc=loc))
                continue
            found.append(m)
            if (m.type, m.item, m.qty, m.value, m.from_warehouse, m.to_warehouse, m.date) != \
                    (type_, sku, qty, value, src_wh, dst_wh, c.date):
                out.append(Problem(src, 0, "completion-mismatch",
                                   f"{c.id}: move {ident} is a {m.type} of {fmt_qty(m.qty)} {m.item} worth {m.value:f} "
                                   f"on {m.date}; the completion says {type_} of {fmt_qty(qty)} {sku} worth {value:f} "
                                   f"on {c.date}", "restore both as they were posted", loc=loc))
        if len(found) != len(expected):
            continue
        want = _by_account(completion_postings(book, found[:1], found[1:], c.operation_cost))
        entry = book.entries.get(c.entry) if c.entry else None
        if c.entry and entry is None:
            out.append(Problem(src, 0, "unknown-entry", f"{c.id}: journal entry {c.entry} does not exist",
                               "restore it; a completion and its entry are committed together", loc=("entry",)))
            continue
        have = _by_account(entry.postings) if entry else {}
        if have != want or (entry is not None and entry.date != c.date):
            show = ", ".join(f"{a} {v:+f}" for a, v in sorted(want.items())) or "nothing"
            got = ", ".join(f"{a} {v:+f}" for a, v in sorted(have.items())) or "nothing"
            out.append(Problem(src, 0, "completion-entry-mismatch",
                               f"{c.id}: its moves and operation cost post {show} on {c.date}; entry "
                               f"{c.entry or '(none)'} posts {got}" + (f" on {entry.date}" if entry else ""),
                               "restore the entry as it was posted", loc=("entry",)))
    return out


# --- overview ----------------------------------------------------------------------------------

def short_components(book: Book, today: dt.date) -> list[str]:
    """Components whose stock today in a warehouse is less than what its open orders still need there."""
    needed: dict[tuple[str, str], Decimal] = {}
    for p in progress(book).values():
        if p.open:
            for line in p.order.components:
                key = (line.item, p.order.warehouse)
                needed[key] = needed.get(key, ZERO) + p.left(line.item)
    return sorted({sku for (sku, wh), q in needed.items() if q > 0 and on_hand(book, sku, wh, today) < q})


@section
def manufacturing_overview(book: Book, today: dt.date) -> list[dict]:
    if not orders(book):
        return []
    open_ = [p for p in progress(book).values() if p.open]
    late = [p for p in open_ if p.order.due is not None and p.order.due < today]
    month = today.replace(day=1)
    made = sum((c.value for c in completions(book).values() if month <= c.date <= today), ZERO)
    return [{"section": "Manufacturing", "measure": "Open work orders", "value": len(open_)},
            {"section": "Manufacturing", "measure": "Work orders past due", "value": len(late)},
            {"section": "Manufacturing", "measure": "Components short for open work orders",
             "value": len(short_components(book, today))},
            {"section": "Manufacturing", "measure": f"Production cost {month:%B %Y}", "value": made}]


# What this module adds to its family (comptoir.families collects these lists).
RULES = [bom_rules, work_order_rules, completion_rules]
SECTIONS = [manufacturing_overview]
PROVIDERS = [open_work_orders]
