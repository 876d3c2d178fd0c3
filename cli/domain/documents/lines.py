"""Document lines: a `--line` as typed, `--line N --qty Q` picks, line amounts, the items traded.
"""

from __future__ import annotations

import datetime as dt
import shlex
from dataclasses import dataclass
from decimal import Decimal

from comptoir.errors import fail
from comptoir.model import Book
from comptoir.schemas.types import currency_places, to_decimal

from ..ledger import round_to
from ..stock import fmt_qty, items

HUNDRED = Decimal(100)


@dataclass
class LineInput:
    """One line as the user typed it: `SKU QTY [PRICE] [discount=5] [tax=VAT20] [date=...] [warehouse=W]`."""

    item: str
    qty: Decimal
    price: Decimal | None = None
    discount: Decimal | None = None
    tax: str | None = None
    date: dt.date | None = None  # requested (sales) or expected (purchases)
    warehouse: str | None = None
    description: str | None = None


_KEYS = {"discount", "tax", "date", "warehouse", "desc", "description"}


def parse_line(text: str) -> LineInput:
    """Parse a `--line` value; errors say which part is wrong."""
    hint = 'write --line "SKU QTY [PRICE] [discount=PCT] [tax=CODE] [date=YYYY-MM-DD] [warehouse=CODE]"'
    try:
        tokens = shlex.split(text)
    except ValueError as exc:
        raise fail("invalid-line", f"--line {text!r}: {exc}", hint) from None
    plain = [t for t in tokens if "=" not in t]
    keyed = dict(t.split("=", 1) for t in tokens if "=" in t)
    if len(plain) < 2 or len(plain) > 3:
        raise fail("invalid-line", f"--line {text!r} needs an item and a quantity, and at most a price", hint)
    unknown = sorted(set(keyed) - _KEYS)
    if unknown:
        raise fail("invalid-line", f"--line {text!r}: unknown key {', '.join(unknown)}", hint)

    def number(value: str, what: str) -> Decimal:
        try:
            return to_decimal(value)
        except ValueError:
            raise fail("invalid-line", f"--line {text!r}: {what} {value!r} is not a number", hint) from None

    day = None
    if "date" in keyed:
        try:
            day = dt.date.fromisoformat(keyed["date"])
        except ValueError:
            raise fail("invalid-line", f"--line {text!r}: date {keyed['date']!r} is not a date",
                       "write dates as YYYY-MM-DD") from None
    return LineInput(item=plain[0], qty=number(plain[1], "quantity"),
                     price=number(plain[2], "price") if len(plain) == 3 else None,
                     discount=number(keyed["discount"].rstrip("%"), "discount") if "discount" in keyed else None,
                     tax=keyed.get("tax"), date=day, warehouse=keyed.get("warehouse"),
                     description=keyed.get("desc") or keyed.get("description"))


def picks(lines: tuple[int, ...], qtys: tuple[str, ...]) -> list[tuple[int, Decimal]] | None:
    """`--line N --qty Q` pairs (None: everything open). One --qty alone means line 1."""
    if not lines and not qtys:
        return None
    if not lines and len(qtys) == 1:
        lines = (1,)
    if len(lines) != len(qtys):
        raise fail("line-qty-pairs", f"{len(lines)} --line and {len(qtys)} --qty given",
                   "give one --qty for each --line: --line 1 --qty 10 --line 2 --qty 5")
    out = []
    for n, q in zip(lines, qtys, strict=True):
        try:
            qty = to_decimal(q)
        except ValueError:
            raise fail("invalid-quantity", f"--qty {q!r} is not a number", "write a plain number: 12 or 2.5") from None
        if qty <= 0:
            raise fail("invalid-quantity", f"--qty {q} must be more than zero", "give a positive quantity")
        out.append((n, qty))
    return out


def places_for(book: Book, currency: str | None) -> int:
    return currency_places(currency or book.base)


def line_net(qty: Decimal, price: Decimal, discount: Decimal, places: int) -> Decimal:
    return round_to(qty * price * (HUNDRED - discount) / HUNDRED, places)


def tax_on(net: Decimal, rate: Decimal, places: int) -> Decimal:
    return round_to(net * rate / HUNDRED, places)


def check_item(book: Book, sku: str) -> None:
    it = items(book).get(sku)
    if it is None:
        raise fail("unknown-item", f"there is no item {sku}", "`comptoir item list` shows the SKUs")
    if not it.active:
        raise fail("inactive-item", f"item {sku} is inactive", "reactivate it (active: true) to trade it")


def is_stocked(book: Book, sku: str) -> bool:
    it = items(book).get(sku)
    return it is not None and it.stocked


def qty_text(value: Decimal) -> str:
    return fmt_qty(value)
