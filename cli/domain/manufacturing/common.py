"""Lookups and quantities every part of manufacturing uses."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_UP, Decimal

from comptoir.domain.ids import known
from comptoir.errors import fail
from comptoir.schemas.inventory import Item
from comptoir.schemas.manufacturing import Bom, Completion, WorkOrder
from comptoir.schemas.types import currency_places, places_of

from ..book import Book
from ..ledger import round_to
from ..stock import items

QTY_PLACES = 4
HUNDRED = Decimal(100)
COST_PLACES = 4  # per-unit costs in the BOM cost report


# --- lookups -----------------------------------------------------------------------------------

def places(book: Book) -> int:
    return currency_places(book.base)


def boms(book: Book) -> dict[str, Bom]:
    return book.of("bom")


def orders(book: Book) -> dict[str, WorkOrder]:
    return book.of("work-order")


def completions(book: Book) -> dict[str, Completion]:
    return book.of("completion")


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
    return known(items(book), sku, "unknown-item", "item", "`comptoir item list` shows the SKUs")


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
    return known(orders(book), ident, "unknown-work-order", "work order",
                 "`comptoir mfg orders` lists them; `comptoir mfg order ITEM --qty N` creates one")


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
