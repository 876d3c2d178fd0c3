"""A quicker read for commands that need the small record kinds in full but only summaries of
the large posted ones (journal entries, stock moves): `stock available`, `stock promise`.

The small kinds (settings, accounts, items, warehouses, partners, orders...) are read as the
loader reads them. The posted, dated kinds stay on disk until something asks for them
(`book.of("stock-move")`); then the whole book is loaded the ordinary way, so an answer
never differs from the full load. The stock levels these commands need are cached by the
git tree id of the stock folder: moves are files, so the same tree means the same levels.
A folder with uncommitted changes is never served from the cache.
"""

from __future__ import annotations

import marshal
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from decimal import Decimal
from pathlib import Path

from cli.domain.book import Book
from cli.errors import Problem
from schemas.registry import SETTINGS_FILE, all_kinds, kind_for_path, kind_named
from schemas.types import Record

from . import git
from .loader import _add_record, _settings, load_book, parse_bytes
from .prefetch import Prefetch
from .root import DataRoot

SUMMARY_VERSION = 1
KEEP = 16  # summaries kept per cache file (one per tree id seen recently)
EMPTY = "empty"  # the folder is absent from a clean tree: no records of the kind at all


class LazyRecords(MutableMapping):
    """A kind's records, read only when first used."""

    def __init__(self, load: Callable[[], dict[str, Record]]) -> None:
        self._load = load
        self._data: dict[str, Record] | None = None

    def _records(self) -> dict[str, Record]:
        if self._data is None:
            self._data = self._load()
        return self._data

    @property
    def loaded(self) -> bool:
        return self._data is not None

    def __getitem__(self, key: str) -> Record:
        return self._records()[key]

    def __setitem__(self, key: str, value: Record) -> None:
        self._records()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._records()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._records())

    def __len__(self) -> int:
        return len(self._records())

    def __contains__(self, key: object) -> bool:
        return key in self._records()


def _split_z(data: bytes) -> list[str]:
    return [p for p in data.decode("utf-8", "surrogateescape").split("\0") if p]


class _Git:
    """A git command started now and read later, so it runs while Python does other work."""

    def __init__(self, top: Path, *args: str) -> None:
        self.args = args
        self.proc = subprocess.Popen(["git", *args], cwd=str(top), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)

    def output(self, check: bool = True) -> bytes:
        out, err = self.proc.communicate()
        if check and self.proc.returncode != 0:
            raise git.GitError(err.decode(errors="replace").strip() or f"git {self.args[0]} failed")
        return out


def _working_files(root: DataRoot, specs: list[str], watched: list[str], parse: Callable[[str], None]) -> set[str]:
    """Call `parse` for every data-root-relative path of the working tree under the pathspecs, and
    return which of the `watched` folders have uncommitted changes (asked in the same `git status`)."""
    top, pre = root.top, root.prefix
    assert top is not None
    dirty: set[str] = set()
    # `git status` (much quicker than `ls-files -m -o` and `-d` on a large index) runs while the
    # files the index lists are parsed from disk; then the paths it names are settled: changed,
    # added, untracked or renamed ones read from disk if present, deleted ones dropped
    status = _Git(top, "status", "--porcelain", "-z", "--untracked-files=all", "--", *specs,
                  *(pre + w + "/" for w in watched))
    done: set[str] = set()
    for path in _split_z(git.run(top, "ls-files", "-z", "--", *specs)):
        rel = path[len(pre):]
        if (top / path).is_file():
            parse(rel)
            done.add(rel)
    fields = status.output().split(b"\0")
    i = 0
    while i < len(fields):
        entry = fields[i].decode("utf-8", "surrogateescape")
        i += 1
        if len(entry) < 4:
            continue
        paths = [entry[3:]]
        if entry[0] in "RC":
            paths.append(fields[i].decode("utf-8", "surrogateescape"))
            i += 1
        for path in paths:
            if not path.startswith(pre):
                continue
            folder = next((w for w in watched if path.startswith(pre + w + "/")), None)
            if folder is not None:
                dirty.add(folder)
            elif path[len(pre):] not in done and (top / path).is_file():
                parse(path[len(pre):])
                done.add(path[len(pre):])
    return dirty


def _wanted(rel: str) -> bool:
    return rel == SETTINGS_FILE or (rel.endswith(".yaml") and "/" in rel)


def load_quick(root: DataRoot, rev: str | None = None, kinds: Iterable[str] | None = None,
               prefetch: Prefetch | None = None) -> Book:
    """The book with the named kinds read (default: every kind that is not posted and dated) and
    every other kind left to load on first use. `prefetch` holds git's answers about the stock
    folder, asked before the imports (see cli.book.prefetch)."""
    if root.top is None:
        return load_book(root, rev)
    top, pre = root.top, root.prefix
    wanted = set(kinds) if kinds is not None else None
    every = all_kinds()
    small = [k for k in every if not (k.posted and k.date_field) and (wanted is None or k.name in wanted)]
    lazy = [k for k in every if k not in small]
    specs = [pre + SETTINGS_FILE] + [pre + k.folder + "/" for k in small]
    stock_folder = kind_named("stock-move").folder
    early = prefetch if (prefetch is not None and rev is None and prefetch.path == root.path
                         and prefetch.folder == stock_folder) else None
    tree = None if early else _Git(top, "rev-parse", "-q", "--verify", f"{rev or 'HEAD'}:{pre}{stock_folder}")
    blobs: dict[str, bytes] = {}
    if rev:
        def read(rel: str) -> bytes:
            if rel not in blobs:
                blobs[rel] = git.run(top, "show", f"{rev}:{pre}{rel}")
            return blobs[rel]
    else:
        def read(rel: str) -> bytes:
            return (root.path / rel).read_bytes()

    def text_of(display: str) -> str | None:
        try:
            return read(display[len(pre):]).decode("utf-8", "replace")
        except (OSError, git.GitError, KeyError):
            return None

    settings = _settings(root, parse_bytes(read(SETTINGS_FILE)), read)
    book = Book(settings=settings, settings_path=root.display(SETTINGS_FILE), revision=rev, root_prefix=pre)
    book.text_reader = text_of
    problems: list[Problem] = []

    def parse(rel: str) -> None:
        if rel == SETTINGS_FILE or not _wanted(rel):
            return
        kind = kind_for_path(rel)
        if kind is not None and kind in small:
            _add_record(book, kind, rel, root.display(rel), parse_bytes(read(rel)), problems)

    if rev:  # one `git cat-file --batch` for every small file instead of one `git show` each
        listed = [item.partition("\t") for item in
                  _split_z(git.run(top, "ls-tree", "-r", "-z", "--full-tree", rev, "--", *specs))]
        paths = {path[len(pre):]: meta.split(" ")[2] for meta, _, path in listed if meta.split(" ")[1] == "blob"}
        contents = git.cat_blobs(top, list(set(paths.values())))
        blobs.update({rel: contents[blob] for rel, blob in paths.items()})
        for rel in sorted(paths):
            parse(rel)
        dirty: set[str] = set()
    else:
        dirty = _working_files(root, specs, [] if early else [stock_folder], parse)
    book.load_problems = problems

    whole: list[Book] = []

    def full() -> Book:
        if not whole:
            loaded = load_book(root, rev)
            book.sources.update(loaded.sources)
            whole.append(loaded)
        return whole[0]

    for kind in lazy:
        book.records[kind.name] = LazyRecords(lambda name=kind.name: full().of(name))  # type: ignore[assignment]
    if early is not None:
        stock_dirty, found = early.stock_state()
    else:
        stock_dirty = stock_folder in dirty
        found = tree.output(check=False).decode().strip()  # type: ignore[union-attr]
    if not stock_dirty:
        _stock_levels(book, root, found or EMPTY)
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
    if path is None or not path.is_file():
        return {}
    try:
        with open(path, "rb") as fh:
            data = marshal.load(fh)
        return data if isinstance(data, dict) else {}
    except (OSError, EOFError, ValueError, TypeError):
        return {}  # a damaged cache is an empty one


def _write_cache(path: Path | None, data: dict) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".summary-")
        with os.fdopen(fd, "wb") as fh:
            marshal.dump(data, fh)
        os.replace(tmp, path)
    except OSError:
        pass  # caching is an optimisation


def _stock_levels(book: Book, root: DataRoot, tree: str) -> None:
    """Serve cli.domain.stock.levels(book) from the cache: the stock folder is clean, so it is `tree`
    (the git tree id of the folder at the revision, or HEAD for the working tree)."""
    from cli.domain.stock import levels

    if tree == EMPTY:
        book.derived[("stock.levels", None)] = {}
        return
    path = _cache_file(root, "stock-levels")
    cache = _read_cache(path)
    hit = cache.get(tree)
    if hit is not None:
        book.derived[("stock.levels", None)] = {(i, w): [Decimal(q), Decimal(v)] for i, w, q, v in hit}
        return
    _store(path, cache, tree, levels(book))  # loads the moves once; later runs on this tree skip them


def _store(path: Path | None, cache: dict, tree: str, computed: dict) -> None:
    cache.pop(tree, None)
    cache[tree] = [(i, w, format(q, "f"), format(v, "f")) for (i, w), (q, v) in computed.items()]
    while len(cache) > KEEP:
        cache.pop(next(iter(cache)))
    _write_cache(path, cache)


def remember_stock_levels(root: DataRoot, book: Book) -> None:
    """After a commit, file the committed book's stock levels under the stock folder's new tree id,
    so the next `stock available` reads no move either. Skipped when the folder holds other
    uncommitted changes (the levels would not be the tree's). Never fails the command."""
    from cli.domain.stock import levels

    if root.top is None:
        return
    path = root.prefix + kind_named("stock-move").folder
    try:
        if git.run(root.top, "status", "--porcelain", "-z", "--untracked-files=all", "--", path + "/").strip(b"\0"):
            return
        tree = git.run(root.top, "rev-parse", "-q", "--verify", f"HEAD:{path}", check=False).decode().strip()
        if tree:
            cache_path = _cache_file(root, "stock-levels")
            _store(cache_path, _read_cache(cache_path), tree, levels(book))
    except (git.GitError, OSError):
        pass
