"""The one store of everything comptoir derives from files.

A value is stored under (what it is, the git ids of its inputs, the code version): the same
inputs read by the same code give the same value, so nothing is ever invalidated by hand.
A commit changes tree ids and new keys appear by themselves; two branches (or worktrees of
one repository) share the values of the folders they have in common; an upgrade of comptoir
changes the code version (comptoir.book.codeversion) and so every key.

One file per key, in the repository's common git folder under `comptoir/store/WHAT/`,
written atomically (temp file + rename). A file starts with a header naming the store
format and its own key: a truncated, damaged or foreign file is ignored (and rewritten the
next time its value is computed). One trimming policy: each `what` keeps its newest
`keep` files (by when they were stored), declared by whoever defines the derivation. The store is an
optimisation: deleting it (or the whole `comptoir/` folder) only makes the next command
slower.

The domain and the application declare what to derive and from which inputs; this module
only keys, stores and finds.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT = b"comptoir-store-1\n"
FOLDER = "store"


@dataclass(frozen=True)
class Derivation:
    """A kind of derived value: its name (a folder of the store) and how many to keep."""

    what: str
    keep: int


def git_dir(data_root: Path | None) -> Path | None:
    """The repository's common git folder, found by walking up from the data root as git does
    (no git process: the store is asked before any answer from git is in)."""
    if data_root is None:
        return None
    for folder in (data_root, *data_root.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():  # a linked worktree or a submodule: "gitdir: PATH"
            try:
                text = dot_git.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError):
                return None
            if not text.startswith("gitdir:"):
                return None
            gitdir = (folder / text[len("gitdir:"):].strip()).resolve()
            common = gitdir / "commondir"  # a worktree shares its repository's folder
            try:
                return (gitdir / common.read_text(encoding="utf-8").strip()).resolve()
            except OSError:
                return gitdir
    return None


def key(what: str, inputs: tuple[str, ...]) -> str:
    from .codeversion import code_version

    digest = hashlib.sha1(f"{what}\0{code_version()}".encode())
    for part in inputs:
        digest.update(b"\0" + part.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


class Store:
    """The derived values of one repository (none when the book is not in one)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder  # .../.git/comptoir/store, or None: nothing is kept

    @classmethod
    def of(cls, data_root: Path | None) -> Store:
        gitdir = git_dir(data_root)
        return cls(gitdir / "comptoir" / FOLDER if gitdir is not None else None)

    def _path(self, derivation: Derivation, name: str) -> Path | None:
        return self.folder / derivation.what / name if self.folder is not None else None

    def get(self, derivation: Derivation, *inputs: str) -> object:
        """The value stored for these inputs, or None (none kept, or the file is not sound)."""
        name = key(derivation.what, inputs)
        return _read(self._path(derivation, name), name)

    def has(self, derivation: Derivation, *inputs: str) -> bool:
        """Whether a value is stored for these inputs (not whether it is sound: `get` says that)."""
        path = self._path(derivation, key(derivation.what, inputs))
        return path is not None and path.is_file()

    def put(self, derivation: Derivation, inputs: tuple[str, ...], value: Any) -> None:
        """Keep `value` for these inputs; never fails (a read-only git folder keeps nothing)."""
        name = key(derivation.what, inputs)
        path = self._path(derivation, name)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, FORMAT + name.encode() + b"\n" + marshal.dumps(value))
            self._trim_now_and_then(derivation, path.parent)
        except (OSError, ValueError):
            pass

    def recent(self, derivation: Derivation, count: int) -> Iterator[object]:
        """The sound values of the `count` most recently stored or used keys, newest first."""
        if self.folder is None:
            return
        for path in _newest(self.folder / derivation.what)[:count]:
            value = _read(path, path.name)
            if value is not None:
                yield value

    def _trim_now_and_then(self, derivation: Derivation, folder: Path) -> None:
        """Trim when the folder may have grown a tenth past `keep`: listing and sorting the
        folder after every put made a cold read of 100,000 records (thousands of parse
        buckets) quadratic. The count is this process's estimate (an overwritten key counts
        too, which only trims sooner)."""
        count = _COUNTS.get(folder)
        count = _files_in(folder) if count is None else count + 1  # the listing has the new file
        if count > derivation.keep + max(8, derivation.keep // 10):
            self._trim(derivation, folder)
            count = derivation.keep
        _COUNTS[folder] = count

    def _trim(self, derivation: Derivation, folder: Path) -> None:
        for old in _newest(folder)[derivation.keep:]:
            old.unlink(missing_ok=True)


_COUNTS: dict[Path, int] = {}  # store folder -> files it holds, as this process last knew


def _files_in(folder: Path) -> int:
    try:
        return sum(1 for entry in os.scandir(folder) if not entry.name.startswith("."))
    except OSError:
        return 0


def write_atomically(path: Path, data: bytes | Iterable[bytes]) -> None:
    """`data` (or its pieces, written as they come) in a temporary file beside `path`, renamed
    over it: a reader sees the old file or the new one, never half of it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, bytes):
                fh.write(data)
            else:
                for piece in data:
                    fh.write(piece)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _newest(folder: Path) -> list[Path]:
    try:
        entries = [(entry.stat().st_mtime_ns, Path(entry.path)) for entry in os.scandir(folder)
                   if entry.is_file() and not entry.name.startswith(".")]
    except OSError:
        return []
    return [path for _, path in sorted(entries, reverse=True)]


def _read(path: Path | None, name: str) -> object:
    if path is None:
        return None
    try:
        with open(path, "rb") as fh:
            data = fh.read()  # one read, then loads: 3-5x faster than marshal.load(fh)
    except OSError:
        return None
    header = FORMAT + name.encode() + b"\n"
    if not data.startswith(header):
        return None  # another format, another key's file, or a truncated header
    try:
        return marshal.loads(memoryview(data)[len(header):])
    except (EOFError, ValueError, TypeError):
        return None  # truncated or damaged: computed again and rewritten


def pack(entry: tuple) -> bytes:
    """One parse result as the loader keeps it in memory: a large book's results held as objects
    would be half of its peak memory; as bytes they take a tenth, and are unpacked one at a time.
    (The store's one serialisation, so nothing else of the package touches marshal.)"""
    return marshal.dumps(entry)


def unpack(raw: bytes | tuple) -> tuple:
    return marshal.loads(raw) if type(raw) is bytes else raw  # type: ignore[return-value]
