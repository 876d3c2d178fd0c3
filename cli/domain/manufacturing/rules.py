"""The checks on stored manufacturing records: BOMs, work orders, completions."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from comptoir.errors import Problem
from comptoir.schemas.inventory import StockMove

from ..book import Book
from ..ledger import ZERO, round_to
from ..stock import fmt_qty, items, moves, warehouses
from ..validation import keeping, rule
from .boms import bom_cycles
from .common import active_boms, boms, completions, orders, places
from .completion import completion_postings


@rule(reads=("bom", "item", "warehouse"))
def bom_rules(book: Book) -> list[Problem]:
    """BOMs name known stocked items and warehouses, one active BOM per item, and no loops."""
    out: list[Problem] = []
    its, whs = items(book), warehouses(book)
    active: dict[str, list[str]] = {}
    for ident in sorted(boms(book)):
        b = boms(book)[ident]
        src = book.source("bom", ident)
        if b.item not in its:
            out.append(Problem(src, 0, "unknown-item", f"{ident}: item {b.item} does not exist",
                               "add it with `comptoir item add` or fix `item:`", loc=("item",)))
        elif not its[b.item].stocked:
            out.append(Problem(src, 0, "service-item", f"{ident}: {b.item} is a service item and cannot be made",
                               "make a stocked item", loc=("item",)))
        for i, line in enumerate(b.components):
            comp = its.get(line.item)
            if comp is None:
                out.append(Problem(src, 0, "unknown-item", f"{ident}: component {line.item} does not exist",
                                   "add the item or fix the component", loc=("components", i, "item")))
            elif not comp.stocked:
                out.append(Problem(src, 0, "service-item", f"{ident}: component {line.item} is a service item",
                                   "put labour and services in operation_cost", loc=("components", i, "item")))
        if b.warehouse and b.warehouse not in whs:
            out.append(Problem(src, 0, "unknown-warehouse", f"{ident}: warehouse {b.warehouse} does not exist",
                               "add it or fix `warehouse:`", loc=("warehouse",)))
        if b.active:
            active.setdefault(b.item, []).append(ident)
    for sku, idents in active.items():
        if len(idents) > 1:
            out.append(Problem(book.source("bom", idents[1]), 0, "bom-ambiguous",
                               f"{sku} has {len(idents)} active bills of materials: {', '.join(idents)}",
                               "keep one active (active: false on the others)", loc=("active",)))
    for loop in bom_cycles(book):
        bom = active_boms(book).get(loop[0])
        out.append(Problem(book.source("bom", bom.id) if bom else "", 0, "bom-cycle",
                           f"the bills of materials loop: {' -> '.join(loop)}",
                           "an item cannot be made, even indirectly, from itself; remove a component from one "
                           "of them", loc=("components",)))
    return out


@rule(reads=("bom", "item", "warehouse", "work-order"))
def work_order_rules(book: Book) -> list[Problem]:
    """Orders name known items, BOMs and warehouses, and their BOM makes their item."""
    out: list[Problem] = []
    its, whs, bs = items(book), warehouses(book), boms(book)
    for ident in sorted(orders(book)):
        wo = orders(book)[ident]
        src = book.source("work-order", ident)
        if wo.item not in its:
            out.append(Problem(src, 0, "unknown-item", f"{ident}: item {wo.item} does not exist",
                               "fix `item:`", loc=("item",)))
        bom = bs.get(wo.bom)
        if bom is None:
            out.append(Problem(src, 0, "unknown-bom", f"{ident}: bill of materials {wo.bom} does not exist",
                               "restore it or fix `bom:`", loc=("bom",)))
        elif bom.item != wo.item:
            out.append(Problem(src, 0, "bom-mismatch", f"{ident}: {wo.bom} makes {bom.item}, the order makes {wo.item}",
                               "fix `bom:` or `item:`", loc=("bom",)))
        if wo.warehouse not in whs:
            out.append(Problem(src, 0, "unknown-warehouse", f"{ident}: warehouse {wo.warehouse} does not exist",
                               "fix `warehouse:`", loc=("warehouse",)))
        for i, line in enumerate(wo.components):
            if line.item not in its:
                out.append(Problem(src, 0, "unknown-item", f"{ident}: component {line.item} does not exist",
                                   "fix the component", loc=("components", i, "item")))
    return out


def _by_account(postings: Iterable) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for p in postings:
        account, amount = (p["account"], p["amount"]) if isinstance(p, dict) else (p.account, p.amount)
        out[account] = out.get(account, ZERO) + amount
    return {a: v for a, v in out.items() if v != 0}


def _completion_entry(book: Book, record) -> bool:
    """Whether a completion names the journal entry or stock move (kept by a streamed check)."""
    named = book.derived.get("manufacturing.named")
    if named is None:
        named = book.derived["manufacturing.named"] = (
            {c.entry for c in completions(book).values() if c.entry},
            {m for c in completions(book).values() for m in (c.move, *(line.move for line in c.consumed))})
    return record.id in named[1 if isinstance(record, StockMove) else 0]


@rule(reads=("account", "completion", "item", "journal", "stock-move", "warehouse", "work-order"),
      lookups=("journal", "stock-move"), stream=keeping(_completion_entry))
def completion_rules(book: Book) -> list[Problem]:
    """Completions belong to an order, never make more than it asks, and agree with their stock moves
    (same items, quantities and values) and with their journal entry (same amount on each account)."""
    out: list[Problem] = []
    all_c = completions(book)
    if not all_c:
        return out
    wos, mv = orders(book), moves(book)
    p_ = places(book)
    made: dict[str, Decimal] = {}
    for c in sorted(all_c.values(), key=lambda c: (c.date, c.id)):
        src = book.source("completion", c.id)
        wo = wos.get(c.order)
        if wo is None:
            out.append(Problem(src, 0, "unknown-work-order", f"{c.id}: work order {c.order} does not exist",
                               "restore the order; a completed order's record stays", loc=("order",)))
        else:
            if c.item != wo.item:
                out.append(Problem(src, 0, "completion-mismatch", f"{c.id}: makes {c.item}, its order {wo.id} makes "
                                   f"{wo.item}", "restore the completion as it was posted", loc=("item",)))
            made[wo.id] = made.get(wo.id, ZERO) + c.qty
            if made[wo.id] > wo.qty:
                out.append(Problem(src, 0, "completion-exceeds-order",
                                   f"{c.id}: completions of {wo.id} make {fmt_qty(made[wo.id])}, the order asks for "
                                   f"{fmt_qty(wo.qty)}", "make the extra on a new work order", loc=("qty",)))
            names = {line.item for line in wo.components}
            for i, line in enumerate(c.consumed):
                if line.item not in names:
                    out.append(Problem(src, 0, "not-a-component",
                                       f"{c.id}: consumes {line.item}, which is not a component of {wo.id}",
                                       "consume the order's components", loc=("consumed", i, "item")))
        if round_to(c.qty * c.unit_cost, p_) != c.value:
            out.append(Problem(src, 0, "completion-mismatch",
                               f"{c.id}: qty x unit_cost is {round_to(c.qty * c.unit_cost, p_):f}, value {c.value:f}",
                               "restore the completion as it was posted", loc=("unit_cost",)))
        expected: list[tuple] = [(c.move, "production", c.item, c.qty, c.value, None, c.warehouse, ("move",))]
        expected += [(line.move, "consumption", line.item, line.qty, line.value, c.warehouse, None,
                      ("consumed", i, "move")) for i, line in enumerate(c.consumed)]
        found: list[StockMove] = []
        for ident, type_, sku, qty, value, src_wh, dst_wh, loc in expected:
            m = mv.get(ident)
            if m is None:
                out.append(Problem(src, 0, "unknown-move", f"{c.id}: stock move {ident} does not exist",
                                   "restore it; a completion and its moves are committed together", loc=loc))
                continue
            found.append(m)
            if (m.type, m.item, m.qty, m.value, m.from_warehouse, m.to_warehouse, m.date) != \
                    (type_, sku, qty, value, src_wh, dst_wh, c.date):
                out.append(Problem(src, 0, "completion-mismatch",
                                   f"{c.id}: move {ident} is a {m.type} of {fmt_qty(m.qty)} {m.item} worth {m.value:f} "
                                   f"on {m.date}; the completion says {type_} of {fmt_qty(qty)} {sku} worth {value:f} "
                                   f"on {c.date}", "restore both as they were posted", loc=loc))
        if len(found) != len(expected):
            continue
        want = _by_account(completion_postings(book, found[:1], found[1:], c.operation_cost))
        entry = book.entries.get(c.entry) if c.entry else None
        if c.entry and entry is None:
            out.append(Problem(src, 0, "unknown-entry", f"{c.id}: journal entry {c.entry} does not exist",
                               "restore it; a completion and its entry are committed together", loc=("entry",)))
            continue
        have = _by_account(entry.postings) if entry else {}
        if have != want or (entry is not None and entry.date != c.date):
            show = ", ".join(f"{a} {v:+f}" for a, v in sorted(want.items())) or "nothing"
            got = ", ".join(f"{a} {v:+f}" for a, v in sorted(have.items())) or "nothing"
            out.append(Problem(src, 0, "completion-entry-mismatch",
                               f"{c.id}: its moves and operation cost post {show} on {c.date}; entry "
                               f"{c.entry or '(none)'} posts {got}" + (f" on {entry.date}" if entry else ""),
                               "restore the entry as it was posted", loc=("entry",)))
    return out


RULES = [bom_rules, work_order_rules, completion_rules]
