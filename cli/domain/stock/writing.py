"""What the stock commands write: drafted moves valued in date order (refusing shortfalls and
backdating that would change earlier values), their journal entry, the warehouse to use, counts.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from comptoir.errors import ComptoirError, Problem, fail
from comptoir.model import Book
from comptoir.schemas.accounting import JournalEntry
from comptoir.schemas.inventory import Item, StockMove

from ..ids import Taken, id_prefix, new_id
from ..ledger import ZERO, round_to
from .accounts import cogs_account, inventory_account
from .common import fmt_qty, item_series, items, moves, places, warehouses
from .quantities import on_hand
from .valuation import Outcome, replay


@dataclass
class MoveDraft:
    """A move to write; `value_moves` turns drafts into moves with frozen values.

    Incoming moves without a source (receipts, returns, production, a counted surplus) need
    `unit_cost`; every other move is valued by the item's valuation method. `account` is the
    other side of the journal entry: the offset of an incoming move (GRNI, bank, equity...),
    the expense of an outgoing one (COGS, scrap, ...).
    """

    type: str
    item: str
    qty: Decimal
    from_warehouse: str | None = None
    to_warehouse: str | None = None
    unit_cost: Decimal | None = None
    account: str | None = None
    reason: str | None = None
    reference: str | None = None


def unit_for(value: Decimal, qty: Decimal, places: int = 2) -> Decimal:
    """A unit cost whose qty x unit rounds to exactly `value` (a move's value is qty x unit_cost)."""
    for digits in (4, 6, 8, 10, 12):
        unit = (value / qty).quantize(Decimal(1).scaleb(-digits))
        if round_to(qty * unit, places) == value:
            return unit
    return (value / qty).quantize(Decimal(1).scaleb(-16))


def _check_draft(book: Book, d: MoveDraft) -> Item:
    item = items(book).get(d.item)
    if item is None:
        raise fail("unknown-item", f"there is no item {d.item}",
                   "`comptoir item list` shows the SKUs; add one with `comptoir item add`")
    if not item.stocked:
        raise fail("service-item", f"{d.item} is a service item: it has no stock",
                   "only stocked, raw-material and finished-good items move in and out of warehouses")
    if not item.active:
        raise fail("inactive-item", f"item {d.item} is inactive", "reactivate it (active: true) to move it")
    for wh in (d.from_warehouse, d.to_warehouse):
        if wh is not None and wh not in warehouses(book):
            known = ", ".join(sorted(warehouses(book))) or "none yet"
            raise fail("unknown-warehouse", f"there is no warehouse {wh}",
                       f"use one of: {known}; add one with `comptoir warehouse add`")
    if d.qty <= 0:
        raise fail("invalid-quantity", f"the quantity must be more than zero, not {fmt_qty(d.qty)}",
                   "give a positive --qty")
    if d.from_warehouse is None and d.unit_cost is None:
        raise fail("missing-unit-cost", f"{d.type} of {d.item}: an incoming move needs a unit cost",
                   "give --unit-cost (per unit, in the book's currency)")
    return item


def _seq_after(book: Book, day: dt.date, taken: dict[dt.date, int]) -> int:
    """A sequence number that sorts after every move already on that day."""
    state = book.fact("stock.state")
    if day not in taken and state is not None:
        taken[day] = state.max_seq(day)
    elif day not in taken:
        by_day = book.derived.get("stock.max_seq")
        if by_day is None:
            by_day = {}
            for m in moves(book).values():
                if by_day.get(m.date, -1) < m.seq:
                    by_day[m.date] = m.seq
            book.derived["stock.max_seq"] = by_day
        taken[day] = by_day.get(day, -1)
    taken[day] += 1
    return taken[day]


def value_moves(book: Book, day: dt.date, drafts: list[MoveDraft], rng: random.Random) -> list[StockMove]:
    """Moves with frozen values for the drafts, dated `day`, in the given order.

    Refused (exit 1) when a move would take more than is on hand and the item does not allow
    negative stock, or when it is dated before later moves whose value it would change.
    """
    p = places(book)
    state = book.fact("stock.state")
    known = moves(book)
    taken_ids = Taken(known)
    seqs: dict[dt.date, int] = {}
    pending: dict[str, list[StockMove]] = {}
    order: list[tuple[str, str]] = []
    for d in drafts:
        _check_draft(book, d)
        ident = new_id(id_prefix(book, "stock-move"), day, taken_ids, rng)
        taken_ids.add(ident)
        fields = {"id": ident, "date": day, "seq": _seq_after(book, day, seqs), "type": d.type,
                  "item": d.item, "qty": d.qty, "from_warehouse": d.from_warehouse,
                  "to_warehouse": d.to_warehouse, "unit_cost": d.unit_cost, "value": ZERO,
                  "account": d.account, "reason": d.reason, "reference": d.reference}
        try:
            move = StockMove.model_validate({k: v for k, v in fields.items() if v is not None})
        except ValueError as exc:
            raise fail("invalid-move", str(exc).splitlines()[-1], "check the warehouses and quantity") from None
        pending.setdefault(d.item, []).append(move)
        order.append((d.item, ident))
    valued: dict[str, StockMove] = {}
    for sku, new in pending.items():
        item = items(book)[sku]
        fresh = frozenset(m.id for m in new)
        if state is not None and state.follows(sku, new):  # valued from where the item stands
            outcomes, _ = replay(item, new, p, fresh, start=state.positions(sku, item, p))
        else:
            outcomes, _ = replay(item, [*item_series(book, sku), *new], p, fresh)  # that item's moves alone
        _refuse_shortfalls(book, item, outcomes, fresh)
        _refuse_backdating(book, item, outcomes, fresh)
        for o in outcomes:
            if o.move.id in fresh:
                valued[o.move.id] = o.move.model_copy(update={"value": o.value, "variance": o.variance})
    return [valued[ident] for _, ident in order]


def _after_first_fresh(outcomes: list[Outcome], fresh: frozenset[str]) -> list[Outcome]:
    """The new moves and every move ordered after the first of them (the ones a write can affect)."""
    for i, o in enumerate(outcomes):
        if o.move.id in fresh:
            return outcomes[i:]
    return []


def _refuse_shortfalls(book: Book, item: Item, outcomes: list[Outcome], fresh: frozenset[str]) -> None:
    if item.allow_negative:
        return
    problems = []
    for o in _after_first_fresh(outcomes, fresh):
        if not o.short:
            continue
        m = o.move
        if m.id in fresh:
            problems.append(Problem(
                "", 0, "negative-stock",
                f"{m.from_warehouse} has {fmt_qty(o.on_hand or ZERO)} {item.uom} of {item.sku} on hand on {m.date}; "
                f"{m.type} of {fmt_qty(m.qty)} asked",
                f"receive or transfer stock into {m.from_warehouse} first, lower the quantity, "
                f"or allow negative stock for the item (allow_negative: true)"))
        else:
            problems.append(Problem(
                book.source("stock-move", m.id), 0, "negative-stock",
                f"the new move would leave too little {item.sku} in {m.from_warehouse} for the later "
                f"{m.type} {m.id} on {m.date}: {fmt_qty(o.on_hand or ZERO)} on hand, {fmt_qty(m.qty)} asked",
                "date the new move after it, or move less"))
    if problems:
        raise ComptoirError(problems)


def _refuse_backdating(book: Book, item: Item, outcomes: list[Outcome], fresh: frozenset[str]) -> None:
    disturbed = [o for o in _after_first_fresh(outcomes, fresh) if o.move.id not in fresh and o.disturbed]
    if not disturbed:
        return
    new_dates = sorted({o.move.date for o in outcomes if o.move.id in fresh})
    cur = book.base
    shown = [f"{o.move.id} ({o.move.type} {o.move.date}, {o.move.value + 0:f} -> {o.value:f} {cur})"
             for o in disturbed[:5]]
    more = f" and {len(disturbed) - 5} more" if len(disturbed) > 5 else ""
    last = max(o.move.date for o in disturbed)
    raise fail("backdated-move",
               f"a move of {item.sku} dated {new_dates[0]} would change the value of later moves, "
               f"whose cost is frozen: {', '.join(shown)}{more}",
               f"date it on or after {last}, or reverse the later moves first; "
               "posted moves keep the value they were written with")


def stock_entry(book: Book, new: list[StockMove], day: dt.date, memo: str, rng: random.Random,
                reference: str | None = None, source: str | None = None,
                taken: Iterable[str] = ()) -> JournalEntry | None:
    """The perpetual-inventory journal entry for moves (None when they move no value between accounts).

    In: debit the destination's inventory account (value - variance), credit the move's
    account (value); a variance goes to the stock-adjustment account. Out: credit the
    source's inventory account, debit the move's account (COGS or the chosen expense).
    A transfer credits one inventory account and debits the other.
    """
    adjust = book.settings.accounts.stock_adjustment
    amounts: dict[str, Decimal] = {}

    def add(account: str, amount: Decimal) -> None:
        amounts[account] = amounts.get(account, ZERO) + amount

    for m in new:
        if m.from_warehouse is not None:
            add(inventory_account(book, m.item, m.from_warehouse), -m.value)
        if m.to_warehouse is not None:
            add(inventory_account(book, m.item, m.to_warehouse), m.value - m.variance)
            if m.variance:
                add(adjust, m.variance)
        if m.from_warehouse is None or m.to_warehouse is None:
            other = m.account or (cogs_account(book, m.item) if m.to_warehouse is None
                                  else book.settings.accounts.grni)
            add(other, -m.value if m.to_warehouse is not None else m.value)
    postings = [{"account": a, "amount": v} for a, v in sorted(amounts.items(), key=lambda kv: (-kv[1], kv[0]))
                if v != 0]
    if len(postings) < 2:
        return None
    ident = new_id(id_prefix(book, "journal"), day, Taken(book.entries, set(taken)), rng)
    data = {"id": ident, "date": day, "memo": memo, "postings": postings,
            "source": source or ", ".join(m.id for m in new)}
    if reference:
        data["reference"] = reference
    return JournalEntry.model_validate(data)


@dataclass
class StockPosting:
    """The records one stock write stages together: its moves and their journal entry."""

    moves: list[StockMove]
    entry: JournalEntry | None

    @property
    def ids(self) -> list[str]:
        return [m.id for m in self.moves] + ([self.entry.id] if self.entry else [])


def post(book: Book, day: dt.date, drafts: list[MoveDraft], memo: str, rng: random.Random,
         reference: str | None = None) -> StockPosting:
    """Value the drafts and build their journal entry (the entry's source names the moves)."""
    new = value_moves(book, day, drafts, rng)
    return StockPosting(new, stock_entry(book, new, day, memo, rng, reference=reference))


def pick_warehouse(book: Book, given: str | None, option: str = "--warehouse") -> str:
    """The warehouse given, or the only one there is."""
    whs = warehouses(book)
    if given is not None:
        if given not in whs:
            raise fail("unknown-warehouse", f"there is no warehouse {given}",
                       f"use one of: {', '.join(sorted(whs)) or 'none yet'}; add one with `comptoir warehouse add`")
        return given
    active = sorted(c for c, w in whs.items() if w.active)
    if len(active) == 1:
        return active[0]
    if not active:
        raise fail("no-warehouse", "the book has no warehouse yet", "add one with `comptoir warehouse add CODE NAME`")
    raise fail("which-warehouse", f"the book has {len(active)} warehouses", f"say which with {option} ({', '.join(active)})")


def count_draft(book: Book, sku: str, warehouse: str, day: dt.date, reason: str,
                counted: Decimal | None = None, delta: Decimal | None = None,
                unit_cost: Decimal | None = None, reference: str | None = None) -> MoveDraft:
    """The adjustment that brings the stock on `day` to `counted` (or changes it by `delta`).

    A shortage goes out at the valuation rate; a surplus comes in at `unit_cost`, else at the
    average value on hand, else at the last known rate. Both post to the stock-adjustment account.
    """
    if (counted is None) == (delta is None):
        raise fail("count-or-delta", "give either the counted quantity or the change, not both or neither",
                   "--counted 12 (what the shelf holds) or --qty -3 (the correction)")
    item = items(book).get(sku)
    if item is None:
        raise fail("unknown-item", f"there is no item {sku}", "`comptoir item list` shows the SKUs")
    held = on_hand(book, sku, warehouse, day)
    if counted is not None:
        if counted < 0:
            raise fail("invalid-quantity", f"a count cannot be negative ({fmt_qty(counted)})", "give what is on the shelf")
        delta = counted - held
    assert delta is not None
    if delta == 0:
        raise fail("nothing-to-adjust", f"{warehouse} already holds {fmt_qty(held)} {item.uom} of {sku} on {day}",
                   "the count agrees with the books; nothing was written")
    account = book.settings.accounts.stock_adjustment
    if delta < 0:
        return MoveDraft("adjustment", sku, -delta, from_warehouse=warehouse, account=account,
                         reason=reason, reference=reference)
    if unit_cost is None:
        series = [m for m in item_series(book, sku) if m.date <= day]
        _, positions = replay(item, series, places(book)) if item.stocked else ([], {})
        pos = positions.get(warehouse)
        rate = pos.unit_rate() if pos is not None else None
        if rate is None:  # nothing ever held here: the item's last rate anywhere
            rates = [p.rate for p in positions.values() if p.rate is not None]
            rate = rates[-1] if rates else None
        if rate is None:
            raise fail("missing-unit-cost", f"{sku} has no valuation rate yet to count the surplus in at",
                       "give --unit-cost")
        unit_cost = round_to(rate, 4)
    return MoveDraft("adjustment", sku, delta, to_warehouse=warehouse, unit_cost=unit_cost, account=account,
                     reason=reason, reference=reference)
