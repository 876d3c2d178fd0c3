"""Valuation: an item's position per warehouse under FIFO or moving average, and the replay of its
moves that values new ones and proves earlier values unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from comptoir.schemas.inventory import VALUE_ONLY, Item, StockMove

from ..ledger import ZERO, round_to
from .common import move_key


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
           fresh: frozenset[str] = frozenset(), start: dict[str, Position] | None = None
           ) -> tuple[list[Outcome], dict[str, Position]]:
    """Value an item's moves in order. Moves in `fresh` are new: a receipt's value comes from its
    unit cost; for the others, a receipt's stored value is the fact it records. `start`: the
    positions after the item's earlier moves (see StockState), when `series` follows them."""
    fifo = item.valuation == "fifo"
    positions: dict[str, Position] = start if start is not None else {}
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


class StockState:
    """Where the valuation stands after a book's moves: per item, the key of its last move and its
    position in each warehouse, and per day the highest sequence number written. A write whose
    moves of an item all come after that item's last move values them (and a check proves them)
    from here, without reading the item's history. Kept as plain data (`data`) in the derived
    store by the application (comptoir.app.stock), one per stock folder at each tree."""

    def __init__(self, data: dict | None = None) -> None:
        self.data: dict = data if data is not None else {"items": {}, "seq": {}}

    def last(self, sku: str) -> tuple | None:
        found = self.data["items"].get(sku)
        return None if found is None else (dt.date.fromisoformat(found[0]), found[1], found[2])

    def follows(self, sku: str, series: Iterable[StockMove]) -> bool:
        """Whether every move of `series` (of item `sku`) comes after the item's last move."""
        last = self.last(sku)
        return last is None or all(move_key(m) > last for m in series)

    def positions(self, sku: str, item: Item, places: int) -> dict[str, Position]:
        """A fresh copy of the item's positions (replaying from it leaves the state as it is)."""
        found = self.data["items"].get(sku)
        out: dict[str, Position] = {}
        if found is None:
            return out
        for wh, (qty, value, rate, layers) in found[3].items():
            pos = out[wh] = Position(item.valuation == "fifo", places)
            pos.qty, pos.value = Decimal(qty), Decimal(value)
            pos.rate = None if rate is None else Decimal(rate)
            pos.layers = deque([Decimal(q), Decimal(v)] for q, v in layers)
        return out

    def max_seq(self, day: dt.date) -> int:
        return self.data["seq"].get(day.isoformat(), -1)

    def advanced(self, items: dict[str, Item], moves: Iterable[StockMove], places: int) -> StockState:
        """The state after `moves` too, each item's moves replayed from its position (they come
        after its last one)."""
        after = self.followed(items, moves, places, None)
        assert after is not None  # only an item replayed whole can have no state
        return after

    def followed(self, items: dict[str, Item], moves: Iterable[StockMove], places: int,
                 whole: Callable[[str], list[StockMove] | None] | None) -> StockState | None:
        """`advanced`, and with `whole`: an item with a move dated before its last one (a
        back-dated issue) is replayed from `whole(sku)`, every move of that item, the new ones
        among them; None when it gives none."""
        data = {"items": dict(self.data["items"]), "seq": dict(self.data["seq"])}
        by_item: dict[str, list[StockMove]] = {}
        for m in moves:
            by_item.setdefault(m.item, []).append(m)
            day = m.date.isoformat()
            if data["seq"].get(day, -1) < m.seq:
                data["seq"][day] = m.seq
        for sku, series in by_item.items():
            item = items.get(sku)
            if item is None:  # an unknown item: the rules name it; its moves value nothing
                continue
            start: dict[str, Position] | None = self.positions(sku, item, places)
            if whole is not None and not self.follows(sku, series):
                found = whole(sku)
                if found is None or not {m.id for m in series} <= {m.id for m in found}:
                    return None
                series, start = found, None
            _, positions = replay(item, series, places, start=start)
            last = max(move_key(m) for m in series)
            data["items"][sku] = (last[0].isoformat(), last[1], last[2], {
                wh: (format(p.qty, "f"), format(p.value, "f"), None if p.rate is None else format(p.rate, "f"),
                     [(format(q, "f"), format(v, "f")) for q, v in p.layers])
                for wh, p in positions.items()})
        return StockState(data)
