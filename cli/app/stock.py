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
from collections.abc import Iterable
from decimal import Decimal

from comptoir.book import git
from comptoir.book.loader import load_book
from comptoir.book.prefetch import Prefetch
from comptoir.book.probe import Probe
from comptoir.book.root import DataRoot
from comptoir.book.store import Derivation, Store
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
    listing = git.run(root.top, "ls-tree", "-r", "-t", "-d", "-z", rev or "HEAD", "--", base)  # type: ignore[arg-type]
    trees = {base: tree}
    for item in listing.decode("utf-8", "surrogateescape").split("\0"):
        meta, _, path = item.partition("\t")
        if path:
            trees[path] = meta.split(" ")[2]
    store = Store.of(root.path)
    found = {folder: store.get(LEVELS, folder, t) for folder, t in trees.items()}
    missing = [folder for folder, hit in found.items() if type(hit) is not dict]
    if missing:  # read the moves (through the parse store) and derive the missing folders
        read = load_book(root, rev, kinds=(kind.name,), clean=rev is None)
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
