"""Bills of materials: their structure (loops, levels, explosion), their rolled-up cost from
current valuation, and building or replacing one."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from comptoir.errors import fail
from comptoir.schemas.inventory import Item
from comptoir.schemas.manufacturing import Bom
from comptoir.schemas.types import places_of

from ..book import Book
from ..changes import Change, diff_records
from ..inputs import validated
from ..ledger import ZERO, round_to
from ..stock import items, levels, moves_by_item, pick_warehouse
from .common import (
    COST_PLACES,
    HUNDRED,
    active_boms,
    boms,
    find_bom,
    get_item,
    line_need,
    plain,
    round_qty,
)

# --- BOM structure -----------------------------------------------------------------------------

def bom_cycles(book: Book) -> list[list[str]]:
    """Each loop of items through active BOMs, as [A, B, ..., A], found once."""
    graph = {sku: [line.item for line in bom.components] for sku, bom in active_boms(book).items()}
    found: list[list[str]] = []
    seen_loops: set[frozenset] = set()
    done: set[str] = set()

    def visit(node: str, path: list[str], on_path: set[str]) -> None:
        for child in graph.get(node, []):
            if child in on_path:
                loop = path[path.index(child):] + [child]
                key = frozenset(loop)
                if key not in seen_loops:
                    seen_loops.add(key)
                    found.append(loop)
                continue
            if child in done:
                continue
            path.append(child)
            on_path.add(child)
            visit(child, path, on_path)
            on_path.discard(child)
            path.pop()
        done.add(node)

    for start in sorted(graph):
        if start not in done:
            visit(start, [start], {start})
    return found


def refuse_cycles(book: Book) -> None:
    loops = bom_cycles(book)
    if loops:
        raise fail("bom-cycle", f"the bills of materials loop: {' -> '.join(loops[0])}",
                   "an item cannot be made, even indirectly, from itself; remove a component from one of them")


def low_levels(book: Book) -> dict[str, int]:
    """Each item's deepest level in any BOM tree (0: nothing uses it), the order MRP plans in."""
    refuse_cycles(book)
    graph = {sku: [line.item for line in bom.components] for sku, bom in active_boms(book).items()}
    level: dict[str, int] = {sku: 0 for sku in items(book)}
    changed = True
    while changed:  # no cycles, so this settles within the longest chain
        changed = False
        for parent, children in graph.items():
            for child in children:
                if level.get(child, 0) < level.get(parent, 0) + 1:
                    level[child] = level.get(parent, 0) + 1
                    changed = True
    return level


@dataclass
class Need:
    level: int
    item: str
    qty: Decimal
    parent: str | None
    bom: str | None  # the BOM that makes it; None: bought


def explode(book: Book, bom: Bom, qty: Decimal) -> list[Need]:
    """Every line needed to make `qty` of the BOM's item, depth first, level by level."""
    refuse_cycles(book)
    made = active_boms(book)
    out: list[Need] = []

    def walk(b: Bom, amount: Decimal, level: int) -> None:
        for line in b.components:
            need = line_need(b, line, amount)
            sub = made.get(line.item)
            out.append(Need(level, line.item, need, b.item, sub.id if sub else None))
            if sub is not None:
                walk(sub, need, level + 1)

    walk(bom, qty, 1)
    return out


def materials(book: Book, bom: Bom, qty: Decimal) -> list[dict]:
    """Total of each item the explosion needs: raw materials (bought) and intermediates (made)."""
    totals: dict[str, dict] = {}
    for n in explode(book, bom, qty):
        row = totals.setdefault(n.item, {"item": n.item, "level": n.level, "qty": ZERO,
                                         "source": "make" if n.bom else "buy", "bom": n.bom or ""})
        row["qty"] += n.qty
        row["level"] = max(row["level"], n.level)
    return sorted(totals.values(), key=lambda r: (r["source"] != "buy", r["level"], r["item"]))


# --- costs -------------------------------------------------------------------------------------

def valuation_rate(book: Book, sku: str) -> tuple[Decimal | None, str]:
    """The item's current cost per unit and where it comes from: the average value on hand, else the
    last move that brought it in, else its standard cost."""
    qty = value = ZERO
    for (i, _), (q, v) in levels(book).items():
        if i == sku:
            qty += q
            value += v
    if qty > 0:
        return value / qty, "valuation"
    for m in reversed(moves_by_item(book).get(sku, [])):
        if m.to_warehouse is not None and m.from_warehouse is None:
            return m.value / m.qty, f"last cost ({m.date})"
    it = items(book).get(sku)
    if it is not None and it.standard_cost is not None:
        return it.standard_cost, "standard cost"
    return None, "no cost known"


@dataclass
class CostLine:
    level: int
    item: str
    qty: Decimal
    rate: Decimal | None
    cost: Decimal
    basis: str
    operation: bool = False


def cost_tree(book: Book, bom: Bom, qty: Decimal) -> tuple[list[CostLine], Decimal]:
    """The rolled-up cost of `qty` units: raw materials at their current valuation, made items
    rolled up through their own BOMs, plus each level's operation cost. Returns (lines, total)."""
    refuse_cycles(book)
    made = active_boms(book)

    def roll(b: Bom, amount: Decimal, level: int, out: list[CostLine]) -> Decimal:
        total = ZERO
        for line in b.components:
            need = line_need(b, line, amount, exact=True)
            sub = made.get(line.item)
            if sub is not None:
                here = len(out)
                out.append(CostLine(level, line.item, need, None, ZERO, f"rolled up ({sub.id})"))
                cost = roll(sub, need, level + 1, out)
                out[here].cost = cost
                out[here].rate = cost / need
            else:
                rate, basis = valuation_rate(book, line.item)
                cost = need * rate if rate is not None else ZERO
                out.append(CostLine(level, line.item, need, rate, cost, basis))
            total += cost
        if b.operation_cost:
            op = amount * b.operation_cost
            out.append(CostLine(level, b.item, amount, b.operation_cost, op, "operation cost", operation=True))
            total += op
        return total

    lines: list[CostLine] = []
    total = roll(bom, qty, 1, lines)
    return lines, total


def rolled_up_unit_cost(book: Book, bom: Bom) -> Decimal:
    _, total = cost_tree(book, bom, bom.qty)
    return total / bom.qty


def new_bom(book: Book, sku: str, qty: Decimal, components: list[tuple[str, Decimal]], scrap: dict[str, Decimal],
            operation_cost: Decimal | None, warehouse: str | None, ident: str | None, description: str | None,
            replace: bool) -> tuple[Bom, Bom | None]:
    """A BOM for `sku` (id BOM-<SKU> unless given) and the one it replaces, if any."""
    get_item(book, sku)
    for comp, _ in components:
        it = get_item(book, comp)
        if not it.stocked:
            raise fail("service-item", f"component {comp} is a service item", "put labour in --operation-cost")
    extra = sorted(set(scrap) - {c for c, _ in components})
    if extra:
        raise fail("not-a-component", f"--scrap {', '.join(extra)}: not among the components", "give --component first")
    if warehouse is not None:
        pick_warehouse(book, warehouse)
    if operation_cost is not None and places_of(operation_cost) > COST_PLACES:
        raise fail("too-many-places", f"--operation-cost {operation_cost} has more than {COST_PLACES} places",
                   f"round it to {COST_PLACES} places")
    ident = ident or f"BOM-{sku}"
    old = boms(book).get(ident)
    if old is not None and not replace:
        raise fail("duplicate-id", f"bill of materials {ident} already exists",
                   "give --replace to change it (its history stays in git), or another --id")
    bom = validated(Bom, {"id": ident, "item": sku, "qty": qty, "warehouse": warehouse,
                          "operation_cost": operation_cost, "description": description,
                          "components": [{"item": c, "qty": q, **({"scrap_percent": scrap[c]} if c in scrap else {})}
                                         for c, q in components]}, "bill of materials")
    return bom, old



def set_standard_cost(book: Book, sku: str, amount: Decimal | None, roll_up: bool) -> tuple[Item, list[Change]]:
    it = get_item(book, sku)
    if (amount is None) == (not roll_up):
        raise fail("cost-or-roll-up", "give the standard cost or --roll-up, one of them",
                   f"comptoir mfg standard-cost {sku} 2.45, or --roll-up to take the BOM's rolled-up cost")
    if roll_up:
        amount = round_to(rolled_up_unit_cost(book, find_bom(book, sku)), COST_PLACES)
    assert amount is not None
    if amount < 0 or places_of(amount) > COST_PLACES:
        raise fail("invalid-amount", f"standard cost {amount} must be positive with at most {COST_PLACES} places", "")
    new = it.model_copy(update={"standard_cost": amount})
    return new, diff_records(it, new)



# --- BOMs as data (comptoir.views.manufacturing makes the tables) -------------------------------

def bom_rows(book: Book) -> list[dict]:
    """One row per BOM: what it makes, its yield, components, operation cost, warehouse."""
    its = items(book)
    rows = []
    for ident in sorted(boms(book)):
        b = boms(book)[ident]
        it = its.get(b.item)
        rows.append({"bom": ident, "item": b.item, "name": it.name if it else "?", "qty": b.qty,
                     "uom": it.uom if it else "", "components": len(b.components),
                     "operation_cost": b.operation_cost, "warehouse": b.warehouse or "", "active": b.active})
    return rows


def bom_lines(book: Book, bom: Bom) -> list[dict]:
    """One BOM's lines: quantity per batch, scrap, need per unit, where each comes from, its cost."""
    its = items(book)
    made = active_boms(book)
    rows = []
    for line in bom.components:
        it = its.get(line.item)
        per_unit = line.qty * (HUNDRED + line.scrap_percent) / (bom.qty * HUNDRED)
        sub = made.get(line.item)
        rate = rolled_up_unit_cost(book, sub) if sub else valuation_rate(book, line.item)[0]
        rows.append({"item": line.item, "name": it.name if it else "?", "uom": it.uom if it else "",
                     "qty": line.qty, "scrap_percent": line.scrap_percent, "per_unit": round_qty(per_unit),
                     "source": f"make ({sub.id})" if sub else "buy",
                     "unit_cost": rate, "cost": per_unit * rate if rate is not None else None})
    return rows


def explode_rows(book: Book, bom: Bom, qty: Decimal) -> list[dict]:
    """Everything `qty` units need through every level: raw materials first, with what is on hand."""
    its = items(book)
    rows = []
    for r in materials(book, bom, qty):
        it = its.get(r["item"])
        held = sum((v[0] for (i, _), v in levels(book).items() if i == r["item"]), ZERO)
        rows.append({**r, "qty": plain(r["qty"]), "name": it.name if it else "?", "uom": it.uom if it else "",
                     "on_hand": held})
    return rows


@dataclass
class BomCost:
    bom: Bom
    item: Item
    qty: Decimal
    lines: list[CostLine]
    total: Decimal

    @property
    def unit(self) -> Decimal:
        return self.total / self.qty

    @property
    def missing(self) -> list[str]:
        """Items with no cost known (counted at 0)."""
        return sorted({cl.item for cl in self.lines if cl.basis == "no cost known"})


def bom_cost(book: Book, sku: str, qty: Decimal | None = None) -> BomCost:
    """The rolled-up cost of `qty` (default 1) of an item from current valuation, every level."""
    bom = find_bom(book, sku)
    it = get_item(book, bom.item)
    qty = qty or Decimal(1)
    lines, total = cost_tree(book, bom, qty)
    return BomCost(bom, it, qty, lines, total)
