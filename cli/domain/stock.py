"""Stock ledger and valuation: positions per item and warehouse, FIFO and moving average,
frozen move values, the perpetual-inventory journal entries, and the stock rules.

Stock moves are facts; quantities and values are computed from them. Every move carries the
value it had when it was written (`value`, and `variance` for a shortfall settled at another
rate), so stock value is a plain sum and reports never re-run the valuation. Re-running it
(`replay`) is how a write values its new moves and proves it changes no earlier move's value.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from comptoir.errors import ComptoirError, Problem, fail
from comptoir.model import Book
from comptoir.schemas.accounting import JournalEntry
from comptoir.schemas.inventory import VALUE_ONLY, Item, StockMove, Warehouse
from comptoir.schemas.types import currency_places

from .diff import effect
from .ids import id_prefix, new_id
from .ledger import ZERO, balances, round_to
from .table import Column, Table, money, text
from .validation import rule

# Types that take stock out of a warehouse for good: the "rate of issue" the reorder report uses.
CONSUMING = frozenset({"issue", "delivery", "consumption"})


def qty_col(key: str, header: str) -> Column:
    return Column(key, header, "qty")


def items(book: Book) -> dict[str, Item]:
    return book.of("item")  # type: ignore[return-value]


def warehouses(book: Book) -> dict[str, Warehouse]:
    return book.of("warehouse")  # type: ignore[return-value]


def moves(book: Book) -> dict[str, StockMove]:
    return book.of("stock-move")  # type: ignore[return-value]


def move_key(move: StockMove) -> tuple:
    """The order valuation runs in: date, then the order of writing within the day, then id."""
    return (move.date, move.seq, move.id)


def places(book: Book) -> int:
    return currency_places(book.base)


def moves_by_item(book: Book) -> dict[str, list[StockMove]]:
    """Each item's moves in valuation order (computed once per loaded book)."""
    cached = book.derived.get("stock.by_item")
    if cached is None:
        cached = {}
        for m in moves(book).values():
            cached.setdefault(m.item, []).append(m)
        for series in cached.values():
            series.sort(key=move_key)
        book.derived["stock.by_item"] = cached
    return cached


def fmt_qty(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


# -- valuation ---------------------------------------------------------------------------------


class Position:
    """Valuation state of one item in one warehouse.

    FIFO keeps receipt layers as [qty, value], oldest first; moving average keeps only the
    totals. Values are exact Decimals in the currency's places: a partial layer (or a part of
    the average) goes out at value x taken / qty rounded, the last unit takes what is left, so
    a position that reaches zero quantity always reaches zero value.

    A shortfall (negative stock, when the item allows it) goes out at the last known rate;
    the receipt that brings the position back settles it at that same rate and returns the
    difference to its own cost as a variance.
    """

    __slots__ = ("fifo", "layers", "qty", "value", "rate", "places")

    def __init__(self, fifo: bool, places: int) -> None:
        self.fifo = fifo
        self.layers: deque[list[Decimal]] = deque()
        self.qty = ZERO
        self.value = ZERO
        self.rate: Decimal | None = None
        self.places = places

    def _round(self, value: Decimal) -> Decimal:
        return round_to(value, self.places)

    def receive(self, qty: Decimal, value: Decimal) -> Decimal:
        """Add `qty` arriving with `value`; return the variance (value that did not become stock)."""
        variance = ZERO
        rest_qty, rest_value = qty, value
        if self.qty < 0:
            settle = min(qty, -self.qty)
            settled = -self.value if settle == -self.qty else self._round(self.value * settle / self.qty)
            cost = value if settle == qty else self._round(value * settle / qty)
            variance = cost - settled
            rest_qty, rest_value = qty - settle, value - cost
        self.qty += qty
        self.value += value - variance
        if self.fifo:
            if rest_qty > 0:
                self.layers.append([rest_qty, rest_value])
            self.rate = value / qty
        elif self.qty > 0:
            self.rate = self.value / self.qty
        elif self.rate is None:
            self.rate = value / qty
        return variance

    def issue(self, qty: Decimal) -> Decimal:
        """Take `qty` out; return the value that leaves."""
        out = ZERO
        if self.fifo:
            need = qty
            layers = self.layers
            while need > 0 and layers:
                layer = layers[0]
                if layer[0] <= need:
                    out += layer[1]
                    need -= layer[0]
                    layers.popleft()
                else:
                    part = self._round(layer[1] * need / layer[0])
                    layer[0] -= need
                    layer[1] -= part
                    out += part
                    need = ZERO
            if need > 0:
                out += self._round(need * (self.rate or ZERO))
        else:
            on_hand = self.qty
            if on_hand >= qty:
                out = self.value if qty == on_hand else self._round(self.value * qty / on_hand)
            else:
                covered = max(on_hand, ZERO)
                out = (self.value if covered > 0 else ZERO) + self._round((qty - covered) * (self.rate or ZERO))
        self.qty -= qty
        self.value -= out
        return out

    def issue_at(self, qty: Decimal, value: Decimal) -> Decimal:
        """Take `qty` out at a given `value` (goods back to their supplier at the cost they came
        in): FIFO takes them from the newest layers, the rest of the position keeps its value.
        Everything that is left goes when the position empties, so it never keeps value without
        quantity."""
        if qty >= self.qty:
            return self.issue(qty)
        if self.fifo:
            need = qty
            while need > 0 and self.layers:
                layer = self.layers[-1]
                if layer[0] <= need:
                    need -= layer[0]
                    self.layers.pop()
                else:
                    layer[1] -= self._round(layer[1] * need / layer[0])
                    layer[0] -= need
                    need = ZERO
            drift = (self.value - value) - sum((la[1] for la in self.layers), ZERO)
            if drift and self.layers:  # the layers left hold what the position keeps
                self.layers[-1][1] += drift
        self.qty -= qty
        self.value -= value
        if not self.fifo and self.qty > 0:
            self.rate = self.value / self.qty
        return value

    def add_value(self, qty: Decimal, value: Decimal) -> Decimal:
        """Add `value` to the newest `qty` units on hand (a landed cost); returns what found no
        units to go to (a variance)."""
        if self.qty <= 0:
            return value
        if not self.fifo:
            self.value += value
            self.rate = self.value / self.qty
            return ZERO
        share: list[tuple[list[Decimal], Decimal]] = []
        need = min(qty, self.qty)
        for layer in reversed(self.layers):
            if need <= 0:
                break
            take = min(layer[0], need)
            share.append((layer, take))
            need -= take
        covered = sum((t for _, t in share), ZERO)
        rest = value
        for i, (layer, take) in enumerate(share):
            part = rest if i == len(share) - 1 else self._round(value * take / covered)
            layer[1] += part
            rest -= part
        self.value += value
        return ZERO

    def unit_rate(self) -> Decimal | None:
        """The rate a surplus is counted in at: the average on hand, else the last known rate."""
        if self.qty > 0:
            return self.value / self.qty
        return self.rate


@dataclass
class Outcome:
    """One move as the valuation sees it when replayed in order."""

    move: StockMove
    value: Decimal
    variance: Decimal
    on_hand: Decimal | None  # in the source warehouse just before the move (None: no source)
    position_after: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)

    @property
    def short(self) -> bool:
        return self.on_hand is not None and self.on_hand < self.move.qty

    @property
    def disturbed(self) -> bool:
        return self.value != self.move.value or self.variance != self.move.variance


def replay(item: Item, series: Iterable[StockMove], places: int,
           fresh: frozenset[str] = frozenset()) -> tuple[list[Outcome], dict[str, Position]]:
    """Value an item's moves in order. Moves in `fresh` are new: a receipt's value comes from its
    unit cost; for the others, a receipt's stored value is the fact it records."""
    fifo = item.valuation == "fifo"
    positions: dict[str, Position] = {}
    out = []
    for m in sorted(series, key=move_key):
        on_hand = None
        if m.type in VALUE_ONLY:
            pos = positions.get(m.to_warehouse)  # type: ignore[arg-type]
            if pos is None:
                pos = positions[m.to_warehouse] = Position(fifo, places)  # type: ignore[index]
            value = round_to(m.qty * (m.unit_cost or ZERO), places) if m.id in fresh else m.value
            out.append(Outcome(m, value, pos.add_value(m.qty, value), None))
            continue
        if m.from_warehouse is not None:
            pos = positions.get(m.from_warehouse)
            if pos is None:
                pos = positions[m.from_warehouse] = Position(fifo, places)
            on_hand = pos.qty
            if m.unit_cost is not None and m.to_warehouse is None:  # leaves at a given cost
                value = round_to(m.qty * m.unit_cost, places) if m.id in fresh else m.value
                value = pos.issue_at(m.qty, value)
            else:
                value = pos.issue(m.qty)
        elif m.id in fresh:
            value = round_to(m.qty * (m.unit_cost or ZERO), places)
        else:
            value = m.value
        variance = ZERO
        if m.to_warehouse is not None:
            pos = positions.get(m.to_warehouse)
            if pos is None:
                pos = positions[m.to_warehouse] = Position(fifo, places)
            variance = pos.receive(m.qty, value)
        out.append(Outcome(m, value, variance, on_hand))
    return out, positions


# -- levels ------------------------------------------------------------------------------------


def levels(book: Book, end: dt.date | None = None) -> dict[tuple[str, str], list[Decimal]]:
    """(item, warehouse) -> [qty, value] from the moves dated on or before `end` (all when None)."""
    key = ("stock.levels", end)
    cached = book.derived.get(key)
    if cached is not None:
        return cached
    out: dict[tuple[str, str], list[Decimal]] = {}
    for m in moves(book).values():
        if end is not None and m.date > end:
            continue
        if m.type in VALUE_ONLY:
            cell = out.get((m.item, m.to_warehouse))  # type: ignore[arg-type]
            if cell is None:
                cell = out[(m.item, m.to_warehouse)] = [ZERO, ZERO]  # type: ignore[index]
            cell[1] += m.value - m.variance
            continue
        if m.from_warehouse is not None:
            cell = out.get((m.item, m.from_warehouse))
            if cell is None:
                cell = out[(m.item, m.from_warehouse)] = [ZERO, ZERO]
            cell[0] -= m.qty
            cell[1] -= m.value
        if m.to_warehouse is not None:
            cell = out.get((m.item, m.to_warehouse))
            if cell is None:
                cell = out[(m.item, m.to_warehouse)] = [ZERO, ZERO]
            cell[0] += m.qty
            cell[1] += m.value - m.variance
    book.derived[key] = out
    return out


def last_move_date(book: Book) -> dt.date | None:
    """The date of the latest stock move (storage may know it from its level summaries)."""
    key = "stock.last_date"
    if key not in book.derived:
        book.derived[key] = max((m.date for m in moves(book).values()), default=None)
    return book.derived[key]


def levels_on(book: Book, day: dt.date) -> dict[tuple[str, str], list[Decimal]]:
    """Levels at the end of `day`: moves dated later are future movements, not stock on hand."""
    last = last_move_date(book)
    return levels(book) if last is None or last <= day else levels(book, day)


def future_moves(book: Book, day: dt.date) -> list[StockMove]:
    """Posted moves dated after `day`, in valuation order."""
    last = last_move_date(book)
    if last is None or last <= day:
        return []
    return sorted((m for m in moves(book).values() if m.date > day and m.type not in VALUE_ONLY), key=move_key)


def on_hand(book: Book, item: str, warehouse: str | None = None, end: dt.date | None = None) -> Decimal:
    lv = levels(book, end)
    if warehouse is not None:
        return lv.get((item, warehouse), [ZERO])[0]
    return sum((v[0] for (i, _), v in lv.items() if i == item), ZERO)


# -- accounts ----------------------------------------------------------------------------------


def inventory_account(book: Book, item: str, warehouse: str) -> str:
    """The warehouse's inventory account, else the item's, else the book's default."""
    wh = warehouses(book).get(warehouse)
    if wh is not None and wh.inventory_account:
        return wh.inventory_account
    it = items(book).get(item)
    if it is not None and it.inventory_account:
        return it.inventory_account
    return book.settings.accounts.inventory


def cogs_account(book: Book, item: str) -> str:
    it = items(book).get(item)
    return (it.cogs_account if it is not None and it.cogs_account else None) or book.settings.accounts.cogs


def inventory_accounts(book: Book) -> set[str]:
    """Every account that holds stock value: those the stock postings use, and role: inventory."""
    codes = {book.settings.accounts.inventory}
    codes |= {i.inventory_account for i in items(book).values() if i.inventory_account}
    codes |= {w.inventory_account for w in warehouses(book).values() if w.inventory_account}
    codes |= {c for c, a in book.accounts.items() if a.role == "inventory"}
    return codes


def value_by_account(book: Book, end: dt.date | None = None) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for (item, wh), (_, value) in levels(book, end).items():
        acct = inventory_account(book, item, wh)
        out[acct] = out.get(acct, ZERO) + value
    return out


# -- writing moves -----------------------------------------------------------------------------


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
    if day not in taken:
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
    taken_ids = set(moves(book))
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
        outcomes, _ = replay(item, [*moves_by_item(book).get(sku, []), *new], p, fresh)
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
                f"{m.from_warehouse} has {fmt_qty(o.on_hand)} {item.uom} of {item.sku} on hand on {m.date}; "
                f"{m.type} of {fmt_qty(m.qty)} asked",
                f"receive or transfer stock into {m.from_warehouse} first, lower the quantity, "
                f"or allow negative stock for the item (allow_negative: true)"))
        else:
            problems.append(Problem(
                book.source("stock-move", m.id), 0, "negative-stock",
                f"the new move would leave too little {item.sku} in {m.from_warehouse} for the later "
                f"{m.type} {m.id} on {m.date}: {fmt_qty(o.on_hand)} on hand, {fmt_qty(m.qty)} asked",
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
    ident = new_id(id_prefix(book, "journal"), day, set(book.entries) | set(taken), rng)
    data = {"id": ident, "date": day, "memo": memo, "postings": postings,
            "source": source or ", ".join(m.id for m in new)}
    if reference:
        data["reference"] = reference
    return JournalEntry.model_validate(data)


# -- reports -----------------------------------------------------------------------------------


def stock_balance(book: Book, end: dt.date | None = None, item: str | None = None,
                  warehouse: str | None = None) -> Table:
    """Quantity and value per item and warehouse; the total agrees with the inventory accounts."""
    p = places(book)
    its = items(book)
    rows = []
    total = ZERO
    for (sku, wh), (qty, value) in sorted(levels(book, end).items()):
        if (item and sku != item) or (warehouse and wh != warehouse) or (qty == 0 and value == 0):
            continue
        it = its.get(sku)
        rows.append({"item": sku, "name": it.name if it else "?", "warehouse": wh, "uom": it.uom if it else "",
                     "qty": qty, "rate": round_to(value / qty, 4) if qty else None, "value": value,
                     "account": inventory_account(book, sku, wh)})
        total += value
    cols = [text("item", "Item"), text("name", "Name"), text("warehouse", "Warehouse"), text("uom", "UoM"),
            qty_col("qty", "Qty"), Column("rate", "Avg cost", "money", 4), money("value", "Value", p),
            text("account", "Account")]
    table = Table("stock-balance", cols, rows, {"item": "Total", "value": total},
                  title=f"Stock balance{f' on {end}' if end else ''} ({book.base})")
    if not item and not warehouse:
        codes = inventory_accounts(book)
        bal = balances(book, (e for e in book.entries.values() if end is None or e.date <= end))
        ledger_total = sum((bal.get(c, ZERO) for c in codes), ZERO)
        agrees = ledger_total == total
        table.notes.append(f"Inventory accounts ({', '.join(sorted(codes))}): {ledger_total:,.{p}f}; "
                           + ("agrees with the stock value." if agrees
                              else f"differs from the stock value by {total - ledger_total:,.{p}f}."))
        table.meta.update({"inventory_accounts_balance": ledger_total, "agrees": agrees})
    return table


def stock_ledger(book: Book, start: dt.date | None = None, end: dt.date | None = None,
                 item: str | None = None, warehouse: str | None = None) -> Table:
    """Every move per item and warehouse with the running quantity and value."""
    p = places(book)
    running: dict[tuple[str, str], list[Decimal]] = {}
    rows = []
    for sku in sorted(moves_by_item(book)):
        if item and sku != item:
            continue
        for m in moves_by_item(book)[sku]:
            if end is not None and m.date > end:
                break
            sides = []
            if m.from_warehouse is not None:
                sides.append((m.from_warehouse, -m.qty, -m.value))
            if m.to_warehouse is not None:
                sides.append((m.to_warehouse, ZERO if m.type in VALUE_ONLY else m.qty, m.value - m.variance))
            for wh, qty, value in sides:
                cell = running.setdefault((sku, wh), [ZERO, ZERO])
                cell[0] += qty
                cell[1] += value
                if (warehouse and wh != warehouse) or (start is not None and m.date < start):
                    continue
                other = m.to_warehouse if wh == m.from_warehouse else m.from_warehouse
                rows.append({"date": m.date, "move": m.id, "type": m.type, "item": sku, "warehouse": wh,
                             "other": other or m.account or "", "qty": qty,
                             "rate": round_to(abs(value) / m.qty, 4), "value": value,
                             "balance_qty": cell[0], "balance_value": cell[1],
                             "reference": m.reference or "", "reason": m.reason or ""})
    rows.sort(key=lambda r: (r["item"], r["warehouse"], r["date"], moves(book)[r["move"]].seq, r["move"]))
    cols = [Column("date", "Date", "date"), text("move", "Move"), text("type", "Type"), text("item", "Item"),
            text("warehouse", "Warehouse"), text("other", "From/to"), qty_col("qty", "Qty"),
            Column("rate", "Rate", "money", 4), money("value", "Value", p), qty_col("balance_qty", "Balance qty"),
            money("balance_value", "Balance value", p), text("reference", "Reference"), text("reason", "Reason")]
    return Table("stock-ledger", cols, rows, title=f"Stock ledger ({book.base})")


def consumed(book: Book, sku: str, today: dt.date, days: int = 90) -> Decimal:
    """Units consumed (issues, deliveries, consumption) in the `days` days up to and including today."""
    start = today - dt.timedelta(days=days - 1)
    return sum((m.qty for m in moves_by_item(book).get(sku, [])
                if m.type in CONSUMING and start <= m.date <= today), ZERO)


def issue_rate(book: Book, sku: str, today: dt.date, days: int = 90) -> Decimal:
    """Units consumed per day over the last `days` days."""
    return consumed(book, sku, today, days) / days


def items_table(book: Book, type_: str | None = None) -> Table:
    p = places(book)
    lv = levels(book)
    qty: dict[str, Decimal] = {}
    value: dict[str, Decimal] = {}
    for (sku, _), (q, v) in lv.items():
        qty[sku] = qty.get(sku, ZERO) + q
        value[sku] = value.get(sku, ZERO) + v
    rows = []
    for it in sorted(items(book).values(), key=lambda i: i.sku):
        if type_ and it.type != type_:
            continue
        rows.append({"sku": it.sku, "name": it.name, "type": it.type, "uom": it.uom, "valuation": it.valuation,
                     "lead_time_days": it.lead_time_days, "reorder_point": it.reorder_point,
                     "reorder_qty": it.reorder_qty, "on_hand": qty.get(it.sku, ZERO) if it.stocked else None,
                     "value": value.get(it.sku, ZERO) if it.stocked else None, "active": it.active})
    cols = [text("sku", "SKU"), text("name", "Name"), text("type", "Type"), text("uom", "UoM"),
            text("valuation", "Valuation"), Column("lead_time_days", "Lead time (days)", "int"),
            qty_col("reorder_point", "Reorder point"), qty_col("reorder_qty", "Reorder qty"),
            qty_col("on_hand", "On hand"), money("value", "Value", p), Column("active", "Active", "bool")]
    return Table("items", cols, rows, title="Items")


def warehouses_table(book: Book) -> Table:
    p = places(book)
    value: dict[str, Decimal] = {}
    count: dict[str, int] = {}
    for (_, wh), (q, v) in levels(book).items():
        value[wh] = value.get(wh, ZERO) + v
        if q:
            count[wh] = count.get(wh, 0) + 1
    rows = [{"code": w.code, "name": w.name, "address": w.address or "",
             "inventory_account": w.inventory_account or "", "items": count.get(w.code, 0),
             "value": value.get(w.code, ZERO), "active": w.active}
            for w in sorted(warehouses(book).values(), key=lambda w: w.code)]
    cols = [text("code", "Code"), text("name", "Name"), text("address", "Address"),
            text("inventory_account", "Inventory account"), Column("items", "Items in stock", "int"),
            money("value", "Value", p), Column("active", "Active", "bool")]
    return Table("warehouses", cols, rows, title="Warehouses")


# -- rules -------------------------------------------------------------------------------------


@rule(reads=("account", "item", "stock-move", "warehouse"), per=("stock-move",))
def stock_references(book: Book) -> list[Problem]:
    """Moves name known, stocked items and known warehouses; items and warehouses name known accounts."""
    out: list[Problem] = []
    its, whs, accounts = items(book), warehouses(book), book.accounts
    for sku, it in its.items():
        for fld in ("inventory_account", "cogs_account"):
            code = getattr(it, fld)
            if code and code not in accounts:
                out.append(Problem(book.source("item", sku), 0, "unknown-account",
                                   f"item {sku}: {fld} {code} does not exist",
                                   "use an account from `comptoir account list`", loc=(fld,)))
        if it.reorder_qty is not None and it.reorder_point is None:
            out.append(Problem(book.source("item", sku), 0, "reorder-qty-without-point",
                               f"item {sku} has a reorder quantity but no reorder point",
                               "add reorder_point: the level at which to reorder", severity="warning",
                               loc=("reorder_qty",)))
    for code, wh in whs.items():
        if wh.inventory_account and wh.inventory_account not in accounts:
            out.append(Problem(book.source("warehouse", code), 0, "unknown-account",
                               f"warehouse {code}: inventory_account {wh.inventory_account} does not exist",
                               "use an account from `comptoir account list`", loc=("inventory_account",)))
    for ident, m in moves(book).items():
        src = book.source("stock-move", ident)
        it = its.get(m.item)
        if it is None:
            out.append(Problem(src, 0, "unknown-item", f"{ident}: item {m.item} does not exist",
                               "add the item with `comptoir item add` or fix `item:`", loc=("item",)))
        elif not it.stocked:
            out.append(Problem(src, 0, "service-item", f"{ident}: {m.item} is a service item and has no stock",
                               "change the item's type or remove the move", loc=("item",)))
        for fld in ("from_warehouse", "to_warehouse"):
            wh = getattr(m, fld)
            if wh is not None and wh not in whs:
                out.append(Problem(src, 0, "unknown-warehouse", f"{ident}: warehouse {wh} does not exist",
                                   f"add it with `comptoir warehouse add` or fix `{fld}:`", loc=(fld,)))
        if m.from_warehouse is None and m.unit_cost is not None:
            expected = round_to(m.qty * m.unit_cost, currency_places(book.base))
            if expected != m.value:
                out.append(Problem(src, 0, "valuation-mismatch",
                                   f"{ident}: value {m.value:f} is not qty x unit_cost = {expected:f}",
                                   f"set value: {expected:f}", loc=("value",)))
    return out


@rule(reads=("item", "stock-move"))
def stock_valuation(book: Book) -> list[Problem]:
    """Replaying each item's moves in order gives every move its frozen value, and never negative stock."""
    out: list[Problem] = []
    its = items(book)
    p = places(book)
    for sku, series in moves_by_item(book).items():
        it = its.get(sku)
        if it is None or not it.stocked:
            continue
        outcomes, _ = replay(it, series, p)
        first = next((o for o in outcomes if o.disturbed), None)
        if first is not None:
            m = first.move
            later = sum(1 for o in outcomes if o.disturbed) - 1
            out.append(Problem(book.source("stock-move", m.id), 0, "valuation-mismatch",
                               f"{m.id}: {it.valuation} valuation of {sku} in date order gives value "
                               f"{first.value:f} (variance {first.variance:f}), the move says {m.value:f}"
                               f" (variance {m.variance:f})" + (f"; {later} later moves differ too" if later else ""),
                               "a move was inserted, edited or merged before it; reverse and re-post the later "
                               "moves, or restore the record", loc=("value",)))
        if not it.allow_negative:
            for o in outcomes:
                if o.short:
                    m = o.move
                    out.append(Problem(book.source("stock-move", m.id), 0, "negative-stock",
                                       f"{m.id}: takes {fmt_qty(m.qty)} {it.uom} of {sku} from {m.from_warehouse} "
                                       f"on {m.date}, where {fmt_qty(o.on_hand)} are on hand",
                                       "receive stock before it, or allow negative stock for the item",
                                       loc=("qty",)))
    return out


@rule(reads=("account", "item", "journal", "stock-move", "warehouse"),
      delta=lambda book, change, facts: _stock_value_delta(book, change))
def stock_value_agrees(book: Book) -> list[Problem]:
    """The stock value held on each inventory account equals that account's balance (perpetual inventory)."""
    if not moves(book):
        return []  # a book that tracks no stock (yet) keeps inventory as plain journal entries
    bal = balances(book, book.entries.values())
    stock = value_by_account(book)
    out = []
    p = places(book)
    for code in sorted(inventory_accounts(book)):
        s, b = stock.get(code, ZERO), bal.get(code, ZERO)
        if s != b:
            out.append(Problem(book.source("account", code) or book.settings_path, 0, "stock-value-mismatch",
                               f"stock valued on account {code} is {s:,.{p}f} but the account's balance is "
                               f"{b:,.{p}f} (difference {s - b:,.{p}f})",
                               "every stock move needs its journal entry and inventory accounts take no other "
                               "postings; `comptoir report stock-balance` shows the stock side"))
    return out


def _stock_value_delta(book: Book, change) -> list[Problem] | None:
    """Added journal entries that post to no inventory account leave both sides as they were."""
    if change.kinds != {"journal"}:
        return None
    inventory = inventory_accounts(book)
    if any(p.account in inventory for e in change.new("journal") for p in e.postings):
        return None
    return []


@effect
def stock_effect(base: Book, head: Book) -> Table:
    """What a change does to stock, per item and warehouse (for `comptoir diff`)."""
    p = places(head)
    before, after = levels(base), levels(head)
    rows = []
    for key in sorted(before.keys() | after.keys()):
        qb, vb = before.get(key, (ZERO, ZERO))
        qa, va = after.get(key, (ZERO, ZERO))
        if qb == qa and vb == va:
            continue
        rows.append({"item": key[0], "warehouse": key[1], "qty_before": qb, "qty_after": qa,
                     "qty_change": qa - qb, "value_before": vb, "value_after": va, "value_change": va - vb})
    cols = [text("item", "Item"), text("warehouse", "Warehouse"), qty_col("qty_before", "Qty before"),
            qty_col("qty_after", "Qty after"), qty_col("qty_change", "Qty change"),
            money("value_before", "Value before", p), money("value_after", "Value after", p),
            money("value_change", "Value change", p)]
    return Table("stock", cols, rows, title="Effect on stock")



# -- what the stock commands write -------------------------------------------------------------


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
        series = [m for m in moves_by_item(book).get(sku, []) if m.date <= day]
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


# What this module adds to its family (comptoir.families collects these lists).
RULES = [stock_references, stock_valuation, stock_value_agrees]
EFFECTS = [stock_effect]
