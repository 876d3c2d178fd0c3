"""Stock lookups: items, warehouses and moves, moves in valuation order, quantities as text.
"""

from __future__ import annotations

from decimal import Decimal

from comptoir.model import Book
from comptoir.schemas.inventory import Item, StockMove, Warehouse
from comptoir.schemas.types import currency_places

from ..table import Column

# Types that take stock out of a warehouse for good: the "rate of issue" the reorder report uses.
CONSUMING = frozenset({"issue", "delivery", "consumption"})


def qty_col(key: str, header: str) -> Column:
    return Column(key, header, "qty")


def items(book: Book) -> dict[str, Item]:
    return book.of("item")


def warehouses(book: Book) -> dict[str, Warehouse]:
    return book.of("warehouse")


def moves(book: Book) -> dict[str, StockMove]:
    return book.of("stock-move")


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


def item_series(book: Book, sku: str) -> list[StockMove]:
    """One item's moves in valuation order: a write's book at a clean HEAD is served that item's
    moves alone ("stock.item-moves", comptoir.app.stock); any other book goes through every move."""
    served = book.fact("stock.item-moves")
    found = served(sku) if served is not None else None
    return moves_by_item(book).get(sku, []) if found is None else sorted(found, key=move_key)


def fmt_qty(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"
