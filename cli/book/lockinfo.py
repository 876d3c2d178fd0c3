"""What git knows about the lock date: the commit that set it, and the files that were in it.

The period-lock rule (cli/domain/periods.py) reports records dated on or before the lock
date that were not in the books when the lock was set. It asks through `book.lock_revision`,
which this module fills in lazily, so loading a book for a report never pays for it.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from comptoir.errors import fail
from comptoir.model import Book
from comptoir.schemas.registry import SETTINGS_FILE

from . import git
from .root import DataRoot
from .store import Derivation

if TYPE_CHECKING:  # the loader imports this module on every run: keep it light
    from comptoir.model import LockRevision
    from comptoir.schemas.settings import Settings

LOCK_TRAILER = "Comptoir-Lock"  # written by every command that moves the lock date
LOCK_MOVES = Derivation("lock-moves", keep=64)  # commit -> its history's lock moves (lock_moves)


def attach(book: Book, root: DataRoot, rev: str | None) -> None:
    """Give the book a lazy way to find the commit that set its lock date."""
    if root.top is None:
        return

    @cache
    def lookup() -> LockRevision | None:
        try:
            return lock_revision(root, rev)
        except git.GitError:
            return None

    book.lock_revision = lookup


def lock_revision(root: DataRoot, rev: str | None) -> LockRevision | None:
    """The commit since which the books have been locked at least through the current lock date.

    Lock moves are the commits made by `period close`, `close-year` and `reopen` (trailer
    `Comptoir-Lock: OLD -> NEW`). When the lock only moved forward that is the newest one;
    after a reopen it is the earlier close, so a reopen cannot legitimise what was slipped
    into the period while it was closed. A lock date edited by hand is not enforced here
    (`validate --base` compares it with the base branch).
    """
    from comptoir.model import LockRevision

    top = root.top
    if top is None:
        return None
    changes = lock_moves(root, rev)
    if not changes:
        return None
    current = changes[0][1]
    since = changes[0][0]
    if current is not None:
        for sha, lock in changes:
            if lock is None or lock < current:
                break
            since = sha
    return LockRevision(current, since, TreePaths(top, since, root.prefix))


def lock_moves(root: DataRoot, rev: str | None) -> list[tuple[str, dt.date | None]]:
    """The commits that moved the lock date in the history of `rev` (default HEAD), newest first,
    with the date each set. Walking the whole history for them cost every write 0.7 s at 100,000
    commits (a commit per write), so the answer is kept in the store under the commit asked and as
    the latest one: a later commit whose history adds only plain commits to it (a write, a pull
    without merges) walks those commits alone; anything else (a merge, a rebase, an older
    revision) walks the whole history, as git would."""
    from .store import Store

    top = root.top
    if top is None:
        return []
    path = root.display(SETTINGS_FILE)
    found = git.run(top, "cat-file", "--batch-check", input=f"{rev or 'HEAD'}^{{commit}}\n".encode(),
                    check=False).split(b" ")
    if len(found) != 3 or found[1] != b"commit":
        return []  # no commit yet (or no such revision: the caller has resolved it already)
    commit = found[0].decode()
    store = Store.of(root.path)
    kept = store.get(LOCK_MOVES, path, commit)
    if isinstance(kept, list):
        return _dated(kept)
    latest = store.get(LOCK_MOVES, path, "latest")
    changes = None
    if isinstance(latest, tuple) and len(latest) == 2 and isinstance(latest[1], list) \
            and _only_plain_commits_since(top, latest[0], commit):
        changes = _moves(top, f"{latest[0]}..{commit}", path) + _dated(latest[1])
    if changes is None:
        changes = _moves(top, commit, path)
    _keep(store, path, commit, [(sha, day.isoformat() if day else None) for sha, day in changes])
    return changes


def _keep(store, path: str, commit: str, kept: list) -> None:
    """The lock moves of `commit` (as the store keeps them: plain values), and as the latest known."""
    store.put(LOCK_MOVES, (path, commit), kept)
    store.put(LOCK_MOVES, (path, "latest"), (commit, kept))


def follow(root: DataRoot, parent: str, commit: str, written: list[str]) -> None:
    """After a write's commit of `written` (paths from the top) on `parent`: when the lock moves
    of `parent` are kept and the write left the settings file alone, they are the commit's too
    (its history adds one commit that does not touch the file), so the next write finds them kept
    instead of asking git for the commits since (`rev-list` and `log`, a write's two processes)."""
    from .store import Store

    path = root.display(SETTINGS_FILE)
    if root.top is None or path in written:
        return
    store = Store.of(root.path)
    kept = store.get(LOCK_MOVES, path, parent)
    if isinstance(kept, list):
        _keep(store, path, commit, kept)


def _dated(kept: list) -> list[tuple[str, dt.date | None]]:
    return [(sha, dt.date.fromisoformat(day) if day else None) for sha, day in kept]


def _moves(top: Path, revs: str, path: str) -> list[tuple[str, dt.date | None]]:
    out = git.run(top, "log", "--format=%x00%H%n%B", f"--grep=^{LOCK_TRAILER}:", revs, "--", path,
                  check=False).decode("utf-8", "replace")
    changes: list[tuple[str, dt.date | None]] = []  # newest first: (commit, the lock date it set)
    for block in out.split("\0")[1:]:
        sha, _, body = block.partition("\n")
        for line in body.splitlines():
            if line.startswith(f"{LOCK_TRAILER}:") and "->" in line:
                changes.append((sha.strip(), _date(line.rpartition("->")[2])))
                break
    return changes


def _only_plain_commits_since(top: Path, base: str, commit: str) -> bool:
    """`commit` descends from `base` through commits of one parent each (so its history is base's
    and these: git's walk of it, limited to a path, meets no merge to simplify)."""
    if base == commit:
        return True
    listed = git.run(top, "rev-list", "--parents", f"{base}..{commit}", check=False).decode().split("\n")
    parents = {}
    for line in listed:
        ids = line.split()
        if ids:
            parents[ids[0]] = ids[1:]
    if not parents or any(len(p) != 1 for p in parents.values()):
        return False
    return all(p[0] in parents or p[0] == base for p in parents.values()) and \
        any(p[0] == base for p in parents.values())


class TreePaths:
    """The file paths (from the repository top) under `prefix` in a commit's tree, asked one at a
    time: a write checks a few records against the commit that set the lock, and listing that
    commit's whole tree (300,000 paths in a company's fifth year) cost more than the write. After
    ASKED questions, a path's folder is read whole (its tree object, from the running `cat-file`)
    and its names kept while the next questions are about the folders last read (validate asks
    about every record, a folder after another): listing the whole tree held 550,000 paths at
    once, 70 MB of validate's peak."""

    ASKED = 256
    FOLDERS = 16  # folders whose names are kept at a time

    def __init__(self, top: Path, commit: str, prefix: str) -> None:
        self.top, self.commit, self.prefix = top, commit, prefix
        self.asked = 0
        self.folders: dict[str, frozenset[str]] = {}  # the folders read last, oldest first
        self.read = 0  # folders read so far

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str) or not path.startswith(self.prefix) or "\n" in path:
            return False
        if self.asked < self.ASKED:
            self.asked += 1
            line = git.run(self.top, "cat-file", "--batch-check", check=False,
                           input=f"{self.commit}:{path}\n".encode("utf-8", "surrogateescape")).split(b" ")
            return len(line) == 3 and line[1] == b"blob"
        folder, _, name = path.rpartition("/")
        names = self.folders.get(folder)
        if names is None:
            names = self._names(folder)
            if len(self.folders) >= self.FOLDERS:
                del self.folders[next(iter(self.folders))]
            self.folders[folder] = names
        return name in names

    def _names(self, folder: str) -> frozenset[str]:
        """The names of the files (not folders) in `folder` at the commit; none when it has no such folder."""
        self.read += 1
        listed = git.entries_at(self.top, f"{self.commit}:{folder}") or []
        return frozenset(name for mode, name, _ in listed if mode != "040000")


def _date(text: str) -> dt.date | None:
    text = text.split("#")[0].strip().strip("'\"")
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def uncommitted(root: DataRoot) -> set[str]:
    """Paths (from the repository top) under the data root that differ from HEAD: edited, staged or new."""
    top = root.top
    if top is None:
        return set()
    changed, deleted = git.dirty_paths(top, root.prefix)
    out = changed | deleted
    if git.has_commits(top):
        staged = git.run(top, "diff", "--cached", "--name-only", "-z", "HEAD", "--", root.prefix or ".")
        out |= {p for p in staged.decode("utf-8", "surrogateescape").split("\0") if p}
    return out


def lock_settings(book: Book, lock: dt.date | None) -> tuple[str, Settings]:
    """comptoir.yaml's new text with the lock date moved, and the settings it holds."""
    from comptoir.schemas.settings import Settings

    from . import yamlread
    text = book.text_reader(book.settings_path) if book.text_reader else None
    if text is None:
        raise fail("no-settings", f"cannot read {book.settings_path}", "check the data root")
    new_text = with_lock_date(text, lock)
    return new_text, Settings.model_validate(yamlread.parse(new_text))


def with_lock_date(text: str, lock: dt.date | None) -> str:
    """comptoir.yaml's text with `lock_date:` set (after fiscal_year_start) or removed; the rest as written."""
    from . import yamlwrite

    doc = yamlwrite.load_roundtrip(text)
    if lock is None:
        doc.pop("lock_date", None)
    elif "lock_date" in doc:
        doc["lock_date"] = lock
    else:
        keys = list(doc)
        after = next((k for k in ("fiscal_year_start", "currency", "company") if k in keys), None)
        doc.insert(keys.index(after) + 1 if after else 0, "lock_date", lock)
    return yamlwrite.dump(doc)
