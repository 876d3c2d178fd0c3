"""Stock levels: quantity and value per item and warehouse at a date, and what is on hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from comptoir.model import Book
from comptoir.schemas.inventory import VALUE_ONLY, StockMove

from ..ledger import ZERO
from .common import move_key, moves


def sides(m: StockMove) -> list[tuple[str, Decimal, Decimal]]:
    """What one move adds to the warehouses it touches: (warehouse, qty, value) for each. A
    landed cost adds value and no units; what leaves goes at its value, what arrives at its
    value less the variance that settled a shortfall."""
    if m.type in VALUE_ONLY:
        return [(m.to_warehouse, ZERO, m.value - m.variance)]  # type: ignore[list-item]
    out = []
    if m.from_warehouse is not None:
        out.append((m.from_warehouse, -m.qty, -m.value))
    if m.to_warehouse is not None:
        out.append((m.to_warehouse, m.qty, m.value - m.variance))
    return out


def add_levels(out: dict, moves_: Iterable[StockMove], end: dt.date | None = None) -> dict:
    """Add what the moves dated on or before `end` do to `out`: (item, warehouse) -> [qty, value]."""
    for m in moves_:
        if end is not None and m.date > end:
            continue
        for wh, qty, value in sides(m):
            cell = out.get((m.item, wh))
            if cell is None:
                cell = out[(m.item, wh)] = [ZERO, ZERO]
            cell[0] += qty
            cell[1] += value
    return out


def levels(book: Book, end: dt.date | None = None) -> dict[tuple[str, str], list[Decimal]]:
    """(item, warehouse) -> [qty, value] from the moves dated on or before `end` (all when None);
    a report served from partials finds them computed (cli/app/stockreports.py)."""
    key = ("stock.levels", end)
    cached = book.derived.get(key)
    if cached is not None:
        return cached
    served = book.fact("stock.levels") if end is None else None  # (levels, last move date) from the store
    if served is not None:
        book.derived[key] = served[0]
        return served[0]
    out = book.derived[key] = add_levels({}, moves(book).values(), end)
    return out


def move_levels(found: Iterable[StockMove]) -> dict[tuple[str, str], list[Decimal]]:
    """(item, warehouse) -> [qty, value] that these moves add up to (levels are their sum over
    every move, so a write's moves give what it changes)."""
    return add_levels({}, found)


def carry_levels(before: Book, after: Book, added: Iterable[StockMove]) -> None:
    """`after` is `before` with the moves `added`: give it its levels and last move date from
    before's and theirs (levels are sums over the moves), without reading any other move."""
    added = list(added)
    out = {key: list(cell) for key, cell in levels(before).items()}
    for key, (qty, value) in move_levels(added).items():
        cell = out.setdefault(key, [ZERO, ZERO])
        cell[0] += qty
        cell[1] += value
    after.derived[("stock.levels", None)] = out
    dates = [d for d in (last_move_date(before), *(m.date for m in added)) if d is not None]
    after.derived["stock.last_date"] = max(dates, default=None)


def last_move_date(book: Book) -> dt.date | None:
    """The date of the latest stock move (storage may know it from its level summaries)."""
    key = "stock.last_date"
    if key not in book.derived:
        served = book.fact("stock.levels")
        book.derived[key] = served[1] if served is not None else max((m.date for m in moves(book).values()),
                                                                      default=None)
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
