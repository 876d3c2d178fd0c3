"""The order core of sales and purchasing, written once: what happened to each order line
(delivered or received, with its value), what is still open on a line, picking the lines a
delivery, receipt or return takes, the stock document those write, whether an order's invoices
or bills are settled, the checks on an order's references and quantities, and the rows and
columns of the list and show tables.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from comptoir.errors import Problem, fail
from comptoir.model import Book
from comptoir.schemas.accounting import JournalEntry
from comptoir.schemas.inventory import StockMove

from ..ledger import ZERO
from ..stock import MoveDraft, items, post, warehouses
from ..table import Column, money, text
from .balances import OpenItems, open_items
from .facts import light, served_lazily, where
from .lines import line_net, places_for, qty_text

ByLine = dict[str, dict[int, list[Decimal]]]  # order -> line -> [qty, value]


class OrderLine(Protocol):
    """What sales and purchase order lines both have."""

    @property
    def item(self) -> str: ...
    @property
    def qty(self) -> Decimal: ...
    @property
    def price(self) -> Decimal: ...
    @property
    def discount(self) -> Decimal: ...
    @property
    def tax(self) -> str | None: ...
    @property
    def warehouse(self) -> str | None: ...


class Order(Protocol):
    """What sales and purchase orders both have."""

    @property
    def id(self) -> str: ...
    @property
    def date(self) -> dt.date: ...
    @property
    def partner(self) -> str: ...
    @property
    def currency(self) -> str | None: ...
    @property
    def lines(self) -> Sequence[OrderLine]: ...


class Document(Protocol):
    """What invoices and bills both have."""

    @property
    def id(self) -> str: ...
    @property
    def partner(self) -> str: ...


OrderT = TypeVar("OrderT", bound=Order)
DocumentT = TypeVar("DocumentT", bound=Document)


# -- what happened to each order line ------------------------------------------------------------

def moved_by_line(book: Book, kind: str) -> ByLine:
    """order -> line -> [qty, value] summed over the documents of `kind` (deliveries of sales
    orders, receipts of purchase orders): what has already happened to each order line."""
    key = f"documents.moved.{kind}"
    cached: ByLine | None = book.derived.get(key)
    if cached is None:
        cached = {}
        for doc in light(book, kind).values():
            _add_lines(cached.setdefault(doc.order, {}), doc)
        book.derived[key] = cached
    return cached


def _add_lines(per_line: dict[int, list[Decimal]], doc) -> None:
    """Add `doc`'s lines to `per_line`: order line -> [qty, value]."""
    for ln in doc.lines:
        cell = per_line.setdefault(ln.line, [ZERO, ZERO])
        cell[0] += ln.qty
        cell[1] += ln.value


def moved_of(book: Book, kind: str, order: str) -> dict[int, list[Decimal]]:
    """line -> [qty, value] of one order over the documents of `kind`: from the order's own
    documents when a write is served them one by one (facts.where), else from the whole table."""
    if not served_lazily(book, kind):
        return moved_by_line(book, kind).get(order, {})
    key = ("documents.moved-of", kind, order)
    cached = book.derived.get(key)
    if cached is None:
        cached = {}
        for doc in where(book, kind, "order", order):
            _add_lines(cached, doc)
        book.derived[key] = cached
    return cached


def line_qty(by_line: ByLine, order: str, line: int) -> Decimal:
    """The quantity of one order line in a by-line table (delivered, received, billed)."""
    return by_line.get(order, {}).get(line, [ZERO])[0]


def still_open(ordered: Decimal, done: Decimal) -> Decimal:
    """What is left of an ordered quantity (never below zero)."""
    return max(ordered - done, ZERO)


def settled(book: Book, side: str, documents: Iterable[Any]) -> bool:
    """Whether nothing is left open on the invoices (receivable) or bills (payable) given."""
    found = open_items(book, side, journal=False).by_document
    return all(found[d.id].open <= 0 for d in documents if d.id in found)


# -- picking the lines a document takes ------------------------------------------------------------

def pick_lines(order: Order, chosen: list[tuple[int, Decimal]] | None, can: Callable[[int], Decimal], verb: str,
               code: str, command: str) -> list[tuple[int, Decimal]]:
    """(line, qty) pairs a delivery, receipt or return takes: every line with something left
    (`can`), or the `--line N --qty Q` pairs chosen, refused (`code`) beyond what is left to
    `verb` on a line (the same line twice counts once, with both quantities)."""
    if chosen is None:
        found = [(i, can(i)) for i in range(1, len(order.lines) + 1)]
        return [(i, q) for i, q in found if q > 0]
    seen: dict[int, Decimal] = {}
    for n, qty in chosen:
        if n < 1 or n > len(order.lines):
            raise fail("unknown-line", f"{order.id} has no line {n} (it has {len(order.lines)})",
                       f"`comptoir {command} show {order.id}` lists the lines")
        seen[n] = seen.get(n, ZERO) + qty
        left = can(n)
        if seen[n] > left:
            raise fail(code, f"{order.id} line {n} ({order.lines[n - 1].item}): {qty_text(seen[n])} asked, only "
                       f"{qty_text(left)} still to {verb}",
                       f"lower --qty to {qty_text(left)} or less" if left else f"nothing is left to {verb} on it")
    return chosen


def partner_name(book: Book, ident: str) -> str:
    partner = book.of("partner").get(ident)
    return partner.name if partner is not None else ident


def stock_document(book: Book, day: dt.date, picked: list[tuple[int, Decimal]], drafts: list[MoveDraft], memo: str,
                   rng: random.Random, reference: str, source: str, incoming: bool = False
                   ) -> tuple[list[StockMove], JournalEntry | None, list[dict[str, Any]]]:
    """The moves, journal entry (its source the document) and document lines of a delivery,
    receipt or return of the `picked` order lines, one draft each."""
    posting = post(book, day, drafts, memo, rng, reference=reference)
    entry = posting.entry.model_copy(update={"source": source}) if posting.entry else None
    lines = [{"line": n, "item": m.item, "qty": m.qty, "warehouse": m.to_warehouse if incoming else m.from_warehouse,
              **({"unit_cost": m.unit_cost} if incoming else {}), "value": m.value, "move": m.id}
             for (n, _), m in zip(picked, posting.moves, strict=True)]
    return posting.moves, entry, lines


# -- checks on stored orders -------------------------------------------------------------------------

def order_problems(book: Book, kind: str, ident: str, order: Order, role: str, add: str,
                   done: Callable[[int], Decimal], done_word: str, over: str, over_hint: str,
                   more: Callable[[int, Any], list[Problem]]) -> list[Problem]:
    """An order's partner (a `role`), and each line's item and warehouse, must exist; no line
    may have more `done_word` (delivered, received: `done`) than ordered (`over`); `more` adds a
    line's other checks (invoiced, billed)."""
    src = book.source(kind, ident)
    out: list[Problem] = []
    if order.partner not in book.of("partner"):
        out.append(Problem(src, 0, "unknown-partner", f"{ident}: {role} {order.partner} does not exist",
                           f"add it with `comptoir partner add{add}` or fix `partner:`", loc=("partner",)))
    its, whs = items(book), warehouses(book)
    for i, ln in enumerate(order.lines, 1):
        if ln.item not in its:
            out.append(Problem(src, 0, "unknown-item", f"{ident} line {i}: item {ln.item} does not exist",
                               "fix `item:`", loc=("lines", i - 1, "item")))
        if ln.warehouse and ln.warehouse not in whs:
            out.append(Problem(src, 0, "unknown-warehouse", f"{ident} line {i}: warehouse {ln.warehouse} does "
                               "not exist", "fix `warehouse:`", loc=("lines", i - 1, "warehouse")))
        moved = done(i)
        if moved > ln.qty:
            out.append(Problem(src, 0, over, f"{ident} line {i}: {qty_text(moved)} {done_word}, "
                               f"{qty_text(ln.qty)} ordered", over_hint, loc=("lines", i - 1, "qty")))
        out += more(i, ln)
    return out


# -- the list and show tables ----------------------------------------------------------------------

def listed(orders: Iterable[OrderT], status_of: Callable[[OrderT], str], status_filter: str | None, partner: str | None
           ) -> Iterator[tuple[OrderT, str]]:
    """Orders by date with their status, those of the status and partner asked for."""
    for order in sorted(orders, key=lambda o: (o.date, o.id)):
        st = status_of(order)
        if (status_filter and st != status_filter) or (partner and order.partner != partner):
            continue
        yield order, st


def order_row(book: Book, order: Order, status: str, net: Decimal) -> dict[str, Any]:
    return {"id": order.id, "date": order.date, "partner": order.partner, "status": status,
            "currency": order.currency or book.base, "net": net}


def order_columns(partner: str) -> list[Column]:
    return [text("id", "Id"), Column("date", "Date", "date"), text("partner", partner), text("status", "Status"),
            text("currency", "Cur"), money("net", "Net")]


def net_of(book: Book, order: Order) -> Decimal:
    """An order's value before tax, in its currency."""
    places = places_for(book, order.currency)
    return sum((line_net(ln.qty, ln.price, ln.discount, places) for ln in order.lines), ZERO)


def line_rows(book: Book, order: Order, more: Callable[[int, Any], dict[str, Any]]
              ) -> tuple[list[dict[str, Any]], int]:
    """The rows of an order's show table, each line's common columns and `more(number, line)`,
    and the places of the order's currency."""
    places = places_for(book, order.currency)
    return [{**line_row(i, ln, places), **more(i, ln)} for i, ln in enumerate(order.lines, 1)], places


def line_row(i: int, ln: OrderLine, places: int) -> dict[str, Any]:
    return {"line": i, "item": ln.item, "qty": ln.qty, "price": ln.price, "discount": ln.discount,
            "tax": ln.tax or "", "net": line_net(ln.qty, ln.price, ln.discount, places),
            "warehouse": ln.warehouse or ""}


def line_columns(places: int) -> list[Column]:
    return [Column("line", "Line", "int"), text("item", "Item"), Column("qty", "Qty", "qty"),
            Column("price", "Price", "money", places), Column("discount", "Disc %", "qty"), text("tax", "Tax"),
            money("net", "Net", places), text("warehouse", "Warehouse")]


def lines_text(doc: Any) -> str:
    """`line 1 10 ESP-1K, line 2 5 DEC-1K`: what a delivery or receipt took of its order's lines."""
    return ", ".join(f"line {x.line} {qty_text(x.qty)} {x.item}" for x in doc.lines)


def open_documents(book: Book, side: str, docs: Iterable[DocumentT], key: Callable[[DocumentT], Any],
                   partner: str | None, open_only: bool) -> Iterator[tuple[DocumentT, Decimal]]:
    """Invoices (receivable) or bills (payable) in `key` order with what is open on each."""
    found: OpenItems = open_items(book, side, journal=False)
    for doc in sorted(docs, key=key):
        item = found.by_document.get(doc.id)
        left = item.open if item else ZERO
        if (partner and doc.partner != partner) or (open_only and left <= 0):
            continue
        yield doc, left


def document_columns(partner: str) -> list[Column]:
    """The columns invoices and bills lists end with."""
    return [Column("date", "Date", "date"), Column("due", "Due", "date"), text("partner", partner),
            text("order", "Order"), text("currency", "Cur"), money("total", "Total"), money("open", "Open"),
            text("status", "Status")]
