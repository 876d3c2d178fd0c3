"""The stock balance and the stock ledger served from values derived per stock folder.

Each stock folder (a month, `stock/YYYY/MM`) gives, from the moves filed directly in it: its
first and last move dates, what its moves add per item and warehouse (quantity and value, in
total and per day) and, per item, the moves themselves (what the stock ledger shows). They are
kept in the one store under the folder's tree id (comptoir.app.partials), so a report on an
unchanged book reads a few dozen small values instead of every move, a write re-derives only
its month, a dirty tree reads only the changed folders and `--as-of` uses the revision's trees.

The balance adds the folders' totals (and the per-day values of the one month its `--date`
cuts), the ledger unpacks only the items it shows, from the months its range covers, starting
from the levels the day before. The inventory accounts' balance the stock balance is checked
against comes, when the working tree is HEAD's and the warm trial balance keeps a snapshot of
it, from that snapshot's running totals (comptoir.app.ledgersnap); else from the journal's day
sums (comptoir.app.ledgerdays), of those accounts only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple, cast

from comptoir.book.store import Derivation, pack, unpack

if TYPE_CHECKING:
    from comptoir.model import Book

# Per stock folder: (first day, last day, (item, warehouse, qty, value) totals, the same per day
# (packed), {item: its moves (packed)}, (day, item, units consumed) (packed: issues, deliveries
# and consumption, what the reorder report's rate of issue adds up)); keyed by the folder's path
# and tree id.
MOVES = Derivation("stock-folder", keep=800)
FOLDER = "stock"  # the stock-move kind's folder: probed before the models are imported


class Move(NamedTuple):
    """A stock move as the stock ledger reads it (the fields of comptoir.schemas.inventory.StockMove
    it uses)."""

    date: dt.date
    seq: int
    id: str
    type: str
    item: str
    from_warehouse: str | None
    to_warehouse: str | None
    qty: Decimal
    value: Decimal
    variance: Decimal
    account: str | None
    reason: str | None
    reference: str | None


def derive(records: list) -> tuple:
    """The value kept for one folder's moves."""
    from comptoir.domain.ledger import ZERO
    from comptoir.domain.stock import CONSUMING, sides

    if not records:
        return (0, 0, [], pack(()), {}, pack(()))
    days: dict[tuple[int, str, str], list[Decimal]] = {}
    totals: dict[tuple[str, str], list[Decimal]] = {}
    rows: dict[str, list[tuple]] = {}
    used: dict[tuple[int, str], Decimal] = {}

    def add(into: dict, key: tuple, qty: Decimal, value: Decimal) -> None:
        cell = into.get(key)
        if cell is None:
            into[key] = [ZERO + qty, ZERO + value]  # as the full read's sums start
        else:
            cell[0] += qty
            cell[1] += value

    for m in records:
        day = m.date.toordinal()
        for wh, qty, value in sides(m):
            add(days, (day, m.item, wh), qty, value)
            add(totals, (m.item, wh), qty, value)
        if m.type in CONSUMING:
            used[(day, m.item)] = used.get((day, m.item), ZERO) + m.qty
        rows.setdefault(m.item, []).append(
            (day, m.seq, m.id, m.type, m.item, m.from_warehouse, m.to_warehouse, str(m.qty), str(m.value),
             str(m.variance), m.account, m.reason, m.reference))
    ordinals = [m.date.toordinal() for m in records]
    return (min(ordinals), max(ordinals),
            [(i, w, str(q), str(v)) for (i, w), (q, v) in totals.items()],
            pack(tuple((d, i, w, str(q), str(v)) for (d, i, w), (q, v) in days.items())),
            {item: pack(tuple(moves)) for item, moves in rows.items()},
            pack(tuple((d, i, str(q)) for (d, i), q in used.items())))


def served(env, as_of: str | None, ledger: bool, level_days: tuple[dt.date | None, ...] = (),
           moves_of: tuple[dt.date | None, dt.date | None, str | None] | None = None,
           kinds: tuple[str, ...] = (), consumption: bool = False, facts: dict[str, tuple] | None = None,
           watch=None) -> Book:
    """The book a stock report needs: items, warehouses, accounts and rates read, with the stock
    levels on each of `level_days` (None: every move), with `ledger` the journal's day sums, and
    with `moves_of` = (start, end, item or None) each item's moves dated in that range, served from
    what is kept per folder; `kinds`: more kinds to read; `consumption`: per item, the units consumed
    per day (comptoir.domain.stock.consumed); `facts`: kinds served as light records of those
    fields (comptoir.app.docfacts). The whole book when they cannot be. `watch`: a watch already
    started (ledgerdays.Watch.sharing)."""
    from comptoir.app import docfacts, ledgerdays
    from comptoir.domain.stock.accounts import inventory_accounts

    facts = facts or {}
    wanted = dict.fromkeys(("account", "rate", "item", "warehouse", *kinds))
    folders = {**docfacts.READ_FOLDERS, **docfacts.FOLDERS}
    also = (FOLDER, *(docfacts.FOLDERS[k] for k in facts),  # and the kinds read whole: their listing
            *(folders[k] for k in wanted if k in folders and k not in facts))
    # first: git works while the models import; the journal's files only when its sums are read
    watch = watch or ledgerdays.Watch(env.repo, env.cwd, as_of, also=also, journal=ledger)
    book = env.book(as_of, kinds=tuple(k for k in wanted if k not in facts), status=watch.probe)
    if not ((not facts or docfacts.attach(env.root(), book, watch.probe, facts))
            and _attach(env.root(), book, watch, level_days, moves_of, consumption)
            and (not ledger or _snapshot_sums(book, watch, inventory_accounts(book))
                 or ledgerdays.attach(env.root(), book, watch, accounts=inventory_accounts(book)))):
        return env.book(as_of)
    return book


def _snapshot_sums(book: Book, watch, accounts: set[str]) -> bool:
    """The inventory accounts' day totals from the trial-balance snapshot of HEAD
    (comptoir.app.ledgersnap), when the working tree is HEAD's: a few running totals instead of
    every journal month's sums. False (the caller sums the months) when there is no snapshot or
    anything changed. Any day is served: the day totals are the differences of running totals."""
    from comptoir.app import ledgersnap

    if watch.at_revision:
        return False
    try:
        snapshot = ledgersnap.lookup(watch)
    except Exception:  # noqa: BLE001 - an optimisation: the day sums answer as before
        return False
    if snapshot is None or snapshot.base != book.base or not watch.untouched():
        return False
    totals = snapshot.day_totals(accounts)
    if totals is None:
        return False
    book.derived["ledger.days"] = totals
    book.derived["ledger.days.closing"] = {}
    return True


def _attach(root, book: Book, watch, level_days: tuple, moves_of: tuple | None, consumption: bool = False) -> bool:
    from comptoir.app.partials import per_folder
    from comptoir.schemas.registry import kind_named

    kind = kind_named("stock-move")
    if kind.folder != FOLDER:
        return False
    parts = per_folder(root, kind, MOVES, derive, book.revision, watch.probe)
    if parts is None:
        return False
    folders = [cast(tuple, p) for p in parts.values() if cast(tuple, p)[0]]
    for day in level_days:
        book.derived[("stock.levels", day)] = _levels(folders, day)
    last = max((p[1] for p in folders), default=0)
    book.derived["stock.last_date"] = dt.date.fromordinal(last) if last else None
    if moves_of is not None:
        start, end, item = moves_of
        lo = start.toordinal() if start is not None else None
        hi = end.toordinal() if end is not None else None
        by_item: dict[str, list[Move]] = {}
        day = dt.date.fromordinal
        for part in folders:
            rows = part[4]
            if (lo is not None and part[1] < lo) or (hi is not None and part[0] > hi):
                continue
            for sku in ([item] if item is not None else rows):
                if sku in rows:
                    by_item.setdefault(sku, []).extend(
                        Move(day(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], Decimal(r[7]), Decimal(r[8]),
                             Decimal(r[9]), r[10], r[11], r[12]) for r in unpack(rows[sku]))
        for series in by_item.values():
            series.sort(key=lambda m: (m.date, m.seq, m.id))
        book.derived["stock.by_item"] = by_item
    if consumption:
        used: dict[str, list[tuple[int, Decimal]]] = {}
        for part in folders:
            for d, sku, q in unpack(part[5]):
                used.setdefault(sku, []).append((d, Decimal(q)))
        book.derived["stock.consumption"] = used
    return True


def _levels(folders: list, day: dt.date | None) -> dict[tuple[str, str], list[Decimal]]:
    """(item, warehouse) -> [qty, value] of the moves dated on or before `day` (None: all)."""
    from comptoir.domain.ledger import ZERO

    cut = day.toordinal() if day is not None else None
    out: dict[tuple[str, str], list[Decimal]] = {}

    def add(i: str, w: str, q: str, v: str) -> None:
        cell = out.get((i, w))
        if cell is None:
            out[(i, w)] = [ZERO + Decimal(q), ZERO + Decimal(v)]
        else:
            cell[0] += Decimal(q)
            cell[1] += Decimal(v)

    for first, last, totals, days, *_ in folders:
        if cut is None or last <= cut:
            for i, w, q, v in totals:
                add(i, w, q, v)
        elif first <= cut:
            for d, i, w, q, v in unpack(days):
                if d <= cut:
                    add(i, w, q, v)
    return out
