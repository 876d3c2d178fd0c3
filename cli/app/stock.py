"""A quicker read for commands that need a few record kinds in full but only summaries of the
large posted ones (journal entries, stock moves): `stock available`, `stock promise`.

The kinds asked for are read by the loader (`load_book(kinds=...)`, with its parse cache);
every other kind stays on disk until something asks for it (`book.of("stock-move")`), and
is then read whole the ordinary way (comptoir.book.ondemand), so an answer never differs
from the full load. The stock levels these commands need are derived per stock folder and kept in the
store under the folder's git tree id: moves are files, so the same tree means the same
levels. A folder with uncommitted changes is never served from the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import cast

from comptoir.book import git
from comptoir.book.loader import load_book
from comptoir.book.prefetch import Prefetch
from comptoir.book.probe import Probe
from comptoir.book.root import DataRoot
from comptoir.book.store import Derivation, Store, unpack
from comptoir.model import Book
from comptoir.schemas.registry import all_kinds, kind_named

LEVELS = Derivation("stock-levels", keep=400)  # per stock folder: latest move date, (item, warehouse, qty, value) deltas
EMPTY = "empty"  # the folder is absent from a clean tree: no records of the kind at all


def load_quick(root: DataRoot, rev: str | None = None, kinds: Iterable[str] | None = None,
               prefetch: Prefetch | None = None) -> Book:
    """The book with the named kinds read (default: every kind that is not posted and dated) and
    every other kind left to load on first use. `prefetch` holds git's answers about the stock
    folder, asked before the imports (see cli.book.prefetch)."""
    if root.top is None:
        return load_book(root, rev)
    every = all_kinds()
    wanted = set(kinds) if kinds is not None else {k.name for k in every if not (k.posted and k.date_field)}
    book = load_book(root, rev, kinds=wanted)  # the other kinds are read when first used
    if "stock-move" in wanted:
        return book  # the levels come from the moves just read
    folder = kind_named("stock-move").folder
    if prefetch is not None and rev is None and prefetch.path == root.path and prefetch.folder == folder:
        dirty, tree = prefetch.stock_state()
    else:
        path = root.prefix + folder
        dirty = not rev and not Probe(root.path, (folder + "/",)).clean([folder])
        tree = git.run(root.top, "rev-parse", "-q", "--verify", f"{rev or 'HEAD'}:{path}", check=False).decode().strip()
    if not dirty:
        _stock_levels(book, root, tree or EMPTY, rev)
    return book


# -- stock level deltas per stock folder, from the store --------------------------------------


def _stock_levels(book: Book, root: DataRoot, tree: str, rev: str | None = None) -> None:
    """Serve comptoir.domain.stock.levels(book) from the store: the stock folder is clean, so it
    is `tree` at the revision (or HEAD). Each folder's level deltas (the moves directly in it)
    are kept under its path and tree id; a write that adds moves to one month's folder makes
    that folder's key new and the others are found again. Nothing to tell the store after a
    write: the next question derives what is missing."""
    from comptoir.domain.stock import last_move_date, levels

    if tree == EMPTY:
        book.derived[("stock.levels", None)] = {}
        book.derived["stock.last_date"] = None
        return
    kind = kind_named("stock-move")
    base = root.prefix + kind.folder
    trees = {base: tree, **git.subtrees(root.top, rev or "HEAD", base)}  # type: ignore[arg-type]
    store = Store.of(root.path)
    found = {folder: store.get(LEVELS, folder, t) for folder, t in trees.items()}
    missing = [folder for folder, hit in found.items() if type(hit) is not dict]
    if missing:  # read the moves (through the parse store) and derive the missing folders
        read = load_book(root, rev, kinds=(kind.name,), clean=rev is None, folders=_to_read(root, missing, trees))
        if any(p.severity == "error" for p in read.load_problems):
            return  # the full read (on first use of the moves) reports them
        groups: dict[str, dict] = {}
        for ident, move in read.of(kind.name).items():
            groups.setdefault(read.source(kind.name, ident).rpartition("/")[0], {})[ident] = move
        for folder in missing:
            part = Book(settings=read.settings, records={kind.name: groups.get(folder, {})})
            last = last_move_date(part)
            hit = found[folder] = {"last": last.isoformat() if last else "",
                                   "cells": [(i, w, format(q, "f"), format(v, "f")) for (i, w), (q, v) in levels(part).items()]}
            store.put(LEVELS, (folder, trees[folder]), hit)
    total: dict[tuple[str, str], list[Decimal]] = {}
    latest = max((hit["last"] for hit in found.values() if hit["last"]), default="")  # type: ignore[index]
    for hit in found.values():
        for i, w, q, v in hit["cells"]:  # type: ignore[index]
            cell = total.get((i, w))
            if cell is None:
                total[(i, w)] = [Decimal(q), Decimal(v)]
            else:
                cell[0] += Decimal(q)
                cell[1] += Decimal(v)
    book.derived[("stock.levels", None)] = total
    book.derived["stock.last_date"] = dt.date.fromisoformat(latest) if latest else None


def _to_read(root: DataRoot, missing: list[str], trees: dict[str, str]) -> list[str] | None:
    """The folders (from the data root) whose moves derive the `missing` ones (paths from the
    repository top): a write to one month changes that month's tree and its parents', and only
    the month holds moves; None (every move) when a parent holds moves directly too."""
    direct = []
    for folder in missing:
        out = git.run(root.top, "ls-tree", "-z", trees[folder])  # type: ignore[arg-type]
        if any(row.endswith(".yaml") and " blob " in row for row in out.decode("utf-8", "surrogateescape").split("\0")):
            if any(other.startswith(folder + "/") for other in trees):
                return None
            direct.append(folder[len(root.prefix):])
    return direct


# -- the valuation state, chained over the stock folders ----------------------------------------

STATE = Derivation("stock-state", keep=256)  # per stock leaf folder and chain key: StockState.data


def _listing(root: DataRoot, rev: str) -> tuple[str, list[tuple[str, str]]]:
    """The chain's root (the settings file's and the items folder's git ids: the valuation method
    and the currency's places come from them) and the stock leaf folders with their tree ids, in
    path order, which is date order (stock/YYYY/MM)."""
    prefix = root.prefix
    top: dict[str, str] = {}
    args = ["ls-tree", "-z", rev, "--", prefix] if prefix else ["ls-tree", "-z", rev]
    for row in git.run(root.top, *args).decode("utf-8", "surrogateescape").split("\0"):  # type: ignore[arg-type]
        meta, _, path = row.partition("\t")
        if path:
            top[path[len(prefix):]] = meta.split(" ")[2]
    folder = kind_named("stock-move").folder
    start = f"{top.get('comptoir.yaml', '-')} {top.get(kind_named('item').folder, '-')}"
    if folder not in top:
        return start, []
    trees = {folder: top[folder]}
    for path, tree in git.subtrees(root.top, rev, prefix + folder).items():  # type: ignore[arg-type]
        trees[path[len(prefix):]] = tree
    leaves = [p for p in sorted(trees) if not any(q.startswith(p + "/") for q in trees)]
    return start, [(p, trees[p]) for p in leaves]


def _keys(start: str, leaves: list[tuple[str, str]]) -> list[str]:
    """One key per leaf folder: it names every folder up to it, so a state is found again exactly
    when nothing before it changed (a revert finds the older one)."""
    import hashlib

    keys, h = [], hashlib.sha1(start.encode()).hexdigest()
    for path, tree in leaves:
        h = hashlib.sha1(f"{h} {path} {tree}".encode()).hexdigest()
        keys.append(h)
    return keys


def valuation_state(root: DataRoot, rev: str = "HEAD"):
    """The stock valuation state (comptoir.domain.stock.StockState) after every move of the clean,
    committed data root at `rev`, from the store: the newest folder whose state is kept, then the
    moves of the folders after it read and replayed (a write adds to the last month: that folder
    only), each folder's state kept for the next command. None when a file cannot be read (the
    full read reports it)."""
    from comptoir.domain.stock import StockState, places

    start, leaves = _listing(root, rev)
    keys = _keys(start, leaves)
    store = Store.of(root.path)
    state, first = StockState(), 0
    for i in range(len(leaves) - 1, -1, -1):
        hit = store.get(STATE, keys[i])
        if isinstance(hit, dict) and isinstance(hit.get("items"), dict) and isinstance(hit.get("seq"), dict):
            state, first = StockState(hit), i + 1
            break
    todo = leaves[first:]
    if not todo:
        return state
    read = load_book(root, None if rev == "HEAD" else rev, kinds=("stock-move", "item"), clean=True,
                     folders=[p for p, _ in todo] + [kind_named("item").folder])
    if any(p.severity == "error" for p in read.load_problems):
        return None
    by_folder: dict[str, list] = {}
    cut = len(root.prefix)
    for ident, move in read.of("stock-move").items():
        by_folder.setdefault(read.source("stock-move", ident)[cut:].rpartition("/")[0], []).append(move)
    its, p = read.of("item"), places(read)
    for (path, _), key in zip(todo, keys[first:], strict=True):
        state = state.advanced(its, by_folder.get(path, []), p)
        store.put(STATE, (key,), state.data)
    return state


def follow_state(root: DataRoot, before, added: list, items: dict, places: int,
                 whole: Callable[[str], list | None] | None = None) -> None:
    """After a commit that added stock moves (`added`) to a book whose state was `before`: keep the
    new HEAD's state (the old one advanced by them), so the next write finds it without reading
    the months again. An item with a move dated before its last one is replayed from `whole(sku)`
    (every move of it, the new ones among them: what the write valued them from), else nothing is
    kept. Never fails the write."""
    try:
        after = before.followed(items, added, places, whole or (lambda sku: None))
        if after is None:
            return
        start, leaves = _listing(root, "HEAD")
        if leaves:
            Store.of(root.path).put(STATE, (_keys(start, leaves)[-1],), after.data)
    except Exception:  # noqa: BLE001 - an optimisation must not turn a committed write into an error
        pass


SERVED = {"stock.state": ("stock-move", "item"), "stock.levels": ("stock-move",),
          "stock.item-moves": ("stock-move",)}  # fact -> the kinds it derives from

ITEM_MOVES = Derivation("stock-item-moves", keep=400)  # per stock folder: (id, item) of each move filed in it


def item_moves(root: DataRoot, book: Book):
    """sku -> the moves of that item at HEAD (any order), with the book's own records over them;
    None when they cannot be served. Which move is whose is kept per stock folder by tree id
    (`stock-item-moves`), so a write dated before an item's last move reads that item's files
    (500 of 100,000 at the fifth year's size) instead of every move."""
    from .partials import per_folder

    kind = kind_named("stock-move")
    at_head: dict[str, dict | None] = {}  # sku -> HEAD's moves of it, read once

    def head(sku: str) -> dict | None:
        rows = per_folder(root, kind, ITEM_MOVES, lambda records: [(m.id, m.item) for m in records], "HEAD", None,
                          row_id=lambda row: row[0], elsewhere=_from_report_moves(root))
        if rows is None:
            return None
        files = [f"{folder}/{ident}.yaml" for folder, pairs in rows.items()
                 for ident, item in pairs if item == sku]  # type: ignore[attr-defined]
        if not files:
            return {}
        read = load_book(root, None, kinds=(kind.name,), clean=True, folders=files)
        if read.load_problems or len(read.of(kind.name)) != len(files):
            return None  # the full read says what is wrong
        return dict(read.of(kind.name))

    def moves_of(sku: str) -> list | None:
        if sku not in at_head:
            at_head[sku] = head(sku)
        kept = at_head[sku]
        if kept is None:
            return None
        found = dict(kept)
        overlay = getattr(book.records.get(kind.name), "overlay", None) or {}
        for ident, move in overlay.items():  # the write's own records over HEAD's
            found.pop(ident, None)
            if move.item == sku:
                found[ident] = move
        return list(found.values())

    return moves_of


def _from_report_moves(root: DataRoot) -> Callable[[str, str], tuple | None]:
    """(folder path, tree) -> ITEM_MOVES' value of it made from the stock reports' value of the same
    tree (comptoir.app.stockreports.MOVES: each item's moves, with their ids), or None: a write
    after the day's stock reports finds which move is whose without reading the month's moves."""
    from .partials import sound
    from .stockreports import MOVES

    store = Store.of(root.path)

    def made(path: str, tree: str) -> tuple | None:
        kept = store.get(MOVES, path, tree)
        if not sound(kept):
            return None
        ids, value = cast(tuple, kept)
        by_item = value[4] if type(value) is tuple and len(value) == 6 else None
        if type(by_item) is not dict:
            return None
        item_of = {row[2]: item for item, packed in by_item.items() for row in unpack(packed)}
        if len(item_of) != len(ids) or any(i not in item_of for i in ids):
            return None
        return list(ids), [(i, item_of[i]) for i in ids]

    return made


def serve(book: Book, root: DataRoot) -> None:
    """Give a book read on demand at the clean HEAD its stock facts from the store, each computed
    when a command or a check first asks (comptoir.model.Book.fact): the valuation state, and the
    levels with the last move date (the per-folder level deltas `stock available` uses)."""
    def levels():
        folder = root.prefix + kind_named("stock-move").folder
        tree = git.run(root.top, "rev-parse", "-q", "--verify", f"HEAD:{folder}", check=False).decode().strip()
        scratch = Book(settings=book.settings)
        _stock_levels(scratch, root, tree or EMPTY)
        found = scratch.derived.get(("stock.levels", None))
        return None if found is None else (found, scratch.derived.get("stock.last_date"))

    book.providers["stock.state"] = lambda: valuation_state(root)
    book.providers["stock.item-moves"] = lambda: item_moves(root, book)
    book.providers["stock.levels"] = levels
