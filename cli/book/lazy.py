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
from collections.abc import Callable, Iterator, MutableMapping
from decimal import Decimal
from pathlib import Path

from cli.domain.book import Book
from cli.errors import Problem
from schemas.registry import SETTINGS_FILE, all_kinds, kind_for_path, kind_named
from schemas.types import Record

from . import git
from .loader import _add_record, _settings, load_book, parse_bytes
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


def load_quick(root: DataRoot, rev: str | None = None) -> Book:
    """The book with its small kinds read and its posted kinds left to load on first use."""
    if root.top is None:
        return load_book(root, rev)
    top, pre = root.top, root.prefix
    kinds = all_kinds()
    lazy = [k for k in kinds if k.posted and k.date_field]
    small = [k for k in kinds if k not in lazy]
    specs = [pre + SETTINGS_FILE] + [pre + k.folder + "/" for k in small]
    stock_folder = kind_named("stock-move").folder
    tree = _Git(top, "rev-parse", "-q", "--verify", f"{rev or 'HEAD'}:{pre}{stock_folder}")
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
        if kind is not None and kind not in lazy:
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
        dirty = _working_files(root, specs, [stock_folder], parse)
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
    found = tree.output(check=False).decode().strip() or EMPTY
    if stock_folder not in dirty:
        _stock_levels(book, root, found)
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
    computed = levels(book)  # loads the moves once; later runs on this tree skip them
    cache.pop(tree, None)
    cache[tree] = [(i, w, format(q, "f"), format(v, "f")) for (i, w), (q, v) in computed.items()]
    while len(cache) > KEEP:
        cache.pop(next(iter(cache)))
    _write_cache(path, cache)
