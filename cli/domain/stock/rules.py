"""The stock rules on stored records: references, valuation, and stock value against the inventory
accounts.
"""

from __future__ import annotations

from decimal import Decimal

from comptoir.errors import ComptoirError, Problem
from comptoir.model import Book
from comptoir.schemas.types import currency_places

from ..ledger import ZERO, add_balances, balances, round_to
from ..validation import ENTRIES, NotStreamable, StreamedRule, rule
from .accounts import inventory_account, inventory_accounts, value_by_account
from .common import fmt_qty, items, move_key, moves, moves_by_item, places, warehouses
from .quantities import add_levels, last_move_date, move_levels
from .valuation import replay


@rule(reads=("account", "item", "warehouse"))
def item_references(book: Book) -> list[Problem]:
    """Items and warehouses name known accounts; a reorder quantity comes with its reorder point."""
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
    return out


@rule(reads=("item", "stock-move", "warehouse"), per=("stock-move",), stream=ENTRIES)
def stock_references(book: Book) -> list[Problem]:
    """Moves name known, stocked items and known warehouses, and a receipt's value is its qty x unit cost."""
    out: list[Problem] = []
    its, whs = items(book), warehouses(book)
    for ident, m in moves(book).items():
        src = book.source("stock-move", ident)
        moved = its.get(m.item)
        if moved is None:
            out.append(Problem(src, 0, "unknown-item", f"{ident}: item {m.item} does not exist",
                               "add the item with `comptoir item add` or fix `item:`", loc=("item",)))
        elif not moved.stocked:
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


def _valuation_delta(book: Book, change) -> list[Problem] | None:
    """Moves added after the last move of their item leave every earlier value as it was: only
    they are replayed, from where the item stood (the valuation state of the book before, served
    from the derived store). Moves added before an item's last one: that item's moves are replayed
    (served alone, "stock.item-moves"), every other item's values are as they were. A problem, or
    what the store cannot serve: run in full."""
    before = change.before
    state = before.fact("stock.state") if before is not None else None
    if state is None or change.kinds != {"stock-move"}:
        return None
    its = items(book)
    p = places(book)
    by_item: dict[str, list] = {}
    for m in change.new("stock-move"):
        by_item.setdefault(m.item, []).append(m)
    for sku, new in by_item.items():
        it = its.get(sku)
        if it is None or not it.stocked:
            return None
        if state.follows(sku, new):
            outcomes, _ = replay(it, new, p, start=state.positions(sku, it, p))
        else:
            served = before.fact("stock.item-moves")
            earlier = served(sku) if served is not None else None
            if earlier is None:
                return None
            added = {m.id for m in new}
            outcomes, _ = replay(it, sorted([*(m for m in earlier if m.id not in added), *new], key=move_key), p)
        if any(o.disturbed or (o.short and not it.allow_negative) for o in outcomes):
            return None
    return []


class _ValuationStreamed(StreamedRule):
    """stock_valuation over streamed moves: each item's positions carried from folder to folder
    (a stock folder is a month: its moves come after the earlier folders'), and per item what the
    full rule reports: the first move valued otherwise and how many are, the moves that go short."""

    def __init__(self, book: Book) -> None:
        super().__init__(book)
        self.items: dict[str, _ItemValuation] = {}  # in the order the full rule meets the items

    def entries(self, folder: Book) -> None:
        its = items(folder)
        p = places(folder)
        by_item: dict[str, list] = {}
        for m in moves(folder).values():
            by_item.setdefault(m.item, []).append(m)
        for sku, series in by_item.items():
            state = self.items.get(sku)
            if state is None:
                state = self.items[sku] = _ItemValuation()
            it = its.get(sku)
            if it is None or not it.stocked:
                continue
            series.sort(key=move_key)
            if state.last is not None and move_key(series[0]) <= state.last:
                raise NotStreamable(f"a move of {sku} is filed after a later one: value its moves in date order")
            state.last = move_key(series[-1])
            outcomes, _ = replay(it, series, p, start=state.positions)
            for o in outcomes:
                if o.disturbed:
                    if state.first is None:
                        state.first = (o, folder.source("stock-move", o.move.id))
                    state.disturbed += 1
                if o.short and not it.allow_negative:
                    state.short.append(_negative(folder, it, o))

    def problems(self, book: Book) -> list[Problem]:
        out: list[Problem] = []
        its = items(book)
        for sku, state in self.items.items():
            if state.first is not None:
                out.append(_mismatch(its[sku], state.first[0], state.first[1], state.disturbed - 1))
            out += state.short
        return out


class _ItemValuation:
    """What _ValuationStreamed knows of one item."""

    __slots__ = ("positions", "last", "first", "disturbed", "short")

    def __init__(self) -> None:
        self.positions: dict = {}
        self.last: tuple | None = None
        self.first: tuple | None = None  # (outcome, its file)
        self.disturbed = 0
        self.short: list[Problem] = []


@rule(reads=("item", "stock-move"), delta=lambda book, change, facts: _valuation_delta(book, change),
      stream=_ValuationStreamed)
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
            later = sum(1 for o in outcomes if o.disturbed) - 1
            out.append(_mismatch(it, first, book.source("stock-move", first.move.id), later))
        if not it.allow_negative:
            out += [_negative(book, it, o) for o in outcomes if o.short]
    return out


def _mismatch(it, first, src: str, later: int) -> Problem:
    m = first.move
    return Problem(src, 0, "valuation-mismatch",
                   f"{m.id}: {it.valuation} valuation of {it.sku} in date order gives value "
                   f"{first.value:f} (variance {first.variance:f}), the move says {m.value:f}"
                   f" (variance {m.variance:f})" + (f"; {later} later moves differ too" if later else ""),
                   "a move was inserted, edited or merged before it; reverse and re-post the later "
                   "moves, or restore the record", loc=("value",))


def _negative(book: Book, it, o) -> Problem:
    m = o.move
    return Problem(book.source("stock-move", m.id), 0, "negative-stock",
                   f"{m.id}: takes {fmt_qty(m.qty)} {it.uom} of {it.sku} from {m.from_warehouse} "
                   f"on {m.date}, where {fmt_qty(o.on_hand or ZERO)} are on hand",
                   "receive stock before it, or allow negative stock for the item", loc=("qty",))


class _StockValueStreamed(StreamedRule):
    """stock_value_agrees over a streamed journal and streamed moves: every account's balance and
    every item's level in each warehouse, summed folder by folder in the order the full check
    sums the entries and moves (so to the same digits)."""

    def __init__(self, book: Book) -> None:
        super().__init__(book)
        self.balances: dict[str, Decimal] = {}
        self.levels: dict = {}
        self.moved = False
        self.failed: ComptoirError | None = None

    def entries(self, folder: Book) -> None:
        found = moves(folder)
        if found:
            self.moved = True
            add_levels(self.levels, found.values())
        if self.failed is None:
            try:
                add_balances(self.balances, folder, folder.entries.values())
            except ComptoirError as exc:  # a posting no rate converts: what the full check reports
                self.failed = exc

    def problems(self, book: Book) -> list[Problem]:
        if not self.moved:
            return []  # as the full rule: a book that tracks no stock keeps inventory as plain entries
        if self.failed is not None:
            raise self.failed
        book.derived[("stock.levels", None)] = self.levels
        return _stock_value_problems(book, self.balances)


@rule(reads=("account", "item", "journal", "stock-move", "warehouse"),
      delta=lambda book, change, facts: _stock_value_delta(book, change), stream=_StockValueStreamed)
def stock_value_agrees(book: Book) -> list[Problem]:
    """The stock value held on each inventory account equals that account's balance (perpetual inventory)."""
    if not moves(book):
        return []  # a book that tracks no stock (yet) keeps inventory as plain journal entries
    return _stock_value_problems(book, balances(book, book.entries.values()))


def _stock_value_problems(book: Book, bal: dict[str, Decimal]) -> list[Problem]:
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
    """The book agreed before (its facts say it had no errors), so it agrees after a change that
    only adds journal entries and moves when, on every inventory account, what the added moves
    bring to the stock value equals what the added entries post to it: nothing already in the
    book is read. Anything else (an item, warehouse or account added; the first moves of a book
    that kept inventory as plain entries; a difference, to be named) runs the rule in full."""
    if not change.kinds <= {"journal", "stock-move"}:
        return None
    new_moves = change.new("stock-move")
    if new_moves:  # the rule did not apply before the book's first moves
        before = change.before
        had = last_move_date(before) is not None if before is not None else len(moves(book)) > len(new_moves)
        if not had:
            return None
    inventory = inventory_accounts(book)
    delta: dict[str, Decimal] = {}
    for code, value in balances(book, change.new("journal")).items():
        if code in inventory:
            delta[code] = delta.get(code, ZERO) + value
    for (sku, wh), (_, value) in move_levels(new_moves).items():
        code = inventory_account(book, sku, wh)
        delta[code] = delta.get(code, ZERO) - value
    return None if any(delta.values()) else []


# What this module adds to its family (comptoir.families collects these lists).
RULES = [item_references, stock_references, stock_valuation, stock_value_agrees]
