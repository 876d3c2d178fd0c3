"""The accounts stock posts to: inventory per item and warehouse, cost of goods sold, and the
stock value held on each.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from comptoir.model import Book

from ..ledger import ZERO
from .common import items, warehouses
from .quantities import levels


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
