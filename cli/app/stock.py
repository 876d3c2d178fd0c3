"""A quicker read for commands that need a few record kinds in full but only summaries of the
large posted ones (journal entries, stock moves): `stock available`, `stock promise`.

The kinds asked for are read by the loader (`load_book(kinds=...)`, with its parse cache);
every other kind stays on disk until something asks for it (`book.of("stock-move")`), and
then the whole book is loaded the ordinary way, so an answer never differs from the full
load. The stock levels these commands need are cached by the git tree id of the stock
folder: moves are files, so the same tree means the same levels. A folder with uncommitted
changes is never served from the cache.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from comptoir.book import git
from comptoir.book.cache import load_file, store_file
from comptoir.book.lazy import LazyRecords
from comptoir.book.loader import load_book
from comptoir.book.prefetch import Prefetch, code_fingerprint
from comptoir.book.root import DataRoot
from comptoir.model import Book
from comptoir.schemas.registry import all_kinds, kind_named

SUMMARY_VERSION = 2  # 2: the date of the latest move is kept with the levels
KEEP = 16  # summaries kept per cache file (one per tree id seen recently)
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
    book = load_book(root, rev, kinds=wanted)
    book.loaded_kinds = None  # the other kinds load when first asked for, instead of failing
    whole: list[Book] = []

    def full() -> Book:
        if not whole:
            loaded = load_book(root, rev)
            book.sources.update(loaded.sources)
            whole.append(loaded)
        return whole[0]

    for kind in every:
        if kind.name not in wanted:
            book.records[kind.name] = LazyRecords(lambda name=kind.name: full().of(name))  # type: ignore[assignment]
    if "stock-move" in wanted:
        return book  # the levels come from the moves just read
    folder = kind_named("stock-move").folder
    if prefetch is not None and rev is None and prefetch.path == root.path and prefetch.folder == folder:
        dirty, tree = prefetch.stock_state()
    else:
        path = root.prefix + folder
        dirty = not rev and bool(git.run(root.top, "status", "--porcelain", "-z",
                                         "--untracked-files=all", "--", path + "/").strip(b"\0"))
        tree = git.run(root.top, "rev-parse", "-q", "--verify", f"{rev or 'HEAD'}:{path}", check=False).decode().strip()
    if not dirty:
        _stock_levels(book, root, tree or EMPTY)
    return book


# -- summaries cached by tree id ---------------------------------------------------------------


def _cache_file(root: DataRoot, name: str) -> Path | None:
    dot_git = root.top / ".git"  # type: ignore[operator]
    try:  # a plain clone: no need to ask git where its folder is
        folder = dot_git if dot_git.is_dir() else git.common_dir(root.top)  # type: ignore[arg-type]
    except git.GitError:
        return None
    return folder / "comptoir" / f"summary-{name}-v{SUMMARY_VERSION}.marshal"


def _read_cache(path: Path | None) -> dict:
    data = load_file(path)
    return data if isinstance(data, dict) else {}


def _write_cache(path: Path | None, data: dict) -> None:
    store_file(path, data)


def _stock_levels(book: Book, root: DataRoot, tree: str) -> None:
    """Serve cli.domain.stock.levels(book) from the cache: the stock folder is clean, so it is `tree`
    (the git tree id of the folder at the revision, or HEAD for the working tree)."""
    from comptoir.domain.stock import last_move_date, levels

    if tree == EMPTY:
        book.derived[("stock.levels", None)] = {}
        book.derived["stock.last_date"] = None
        return
    tree = _versioned(tree)
    path = _cache_file(root, "stock-levels")
    cache = _read_cache(path)
    hit = cache.get(tree)
    if hit is not None:
        last, cells = hit
        book.derived[("stock.levels", None)] = {(i, w): [Decimal(q), Decimal(v)] for i, w, q, v in cells}
        book.derived["stock.last_date"] = dt.date.fromisoformat(last) if last else None
        return
    _store(path, cache, tree, levels(book), last_move_date(book))  # loads the moves once; later runs skip them


def _versioned(tree: str) -> str:
    """The cache key of a tree: which moves load (and how) depends on the code, not only the files."""
    return f"{tree}:{code_fingerprint()}"


def _store(path: Path | None, cache: dict, tree: str, computed: dict, last: dt.date | None) -> None:
    cache.pop(tree, None)
    cache[tree] = (last.isoformat() if last else "",
                   [(i, w, format(q, "f"), format(v, "f")) for (i, w), (q, v) in computed.items()])
    while len(cache) > KEEP:
        cache.pop(next(iter(cache)))
    _write_cache(path, cache)


def remember_stock_levels(root: DataRoot, book: Book) -> None:
    """After a commit, file the committed book's stock levels under the stock folder's new tree id,
    so the next `stock available` reads no move either. Skipped when the folder holds other
    uncommitted changes (the levels would not be the tree's). Never fails the command."""
    from comptoir.domain.stock import last_move_date, levels

    if root.top is None:
        return
    path = root.prefix + kind_named("stock-move").folder
    try:
        if git.run(root.top, "status", "--porcelain", "-z", "--untracked-files=all", "--", path + "/").strip(b"\0"):
            return
        tree = git.run(root.top, "rev-parse", "-q", "--verify", f"HEAD:{path}", check=False).decode().strip()
        if tree:
            cache_path = _cache_file(root, "stock-levels")
            _store(cache_path, _read_cache(cache_path), _versioned(tree), levels(book), last_move_date(book))
    except (git.GitError, OSError):
        pass
