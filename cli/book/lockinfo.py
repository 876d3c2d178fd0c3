"""What git knows about the lock date: the commit that set it, and the files that were in it.

The period-lock rule (cli/domain/periods.py) reports records dated on or before the lock
date that were not in the books when the lock was set. It asks through `book.lock_revision`,
which this module fills in lazily, so loading a book for a report never pays for it.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import TYPE_CHECKING

from comptoir.errors import fail
from comptoir.model import Book
from comptoir.schemas.registry import SETTINGS_FILE

from . import git
from .root import DataRoot

if TYPE_CHECKING:  # the loader imports this module on every run: keep it light
    from comptoir.model import LockRevision
    from comptoir.schemas.settings import Settings

LOCK_TRAILER = "Comptoir-Lock"  # written by every command that moves the lock date


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
    if top is None or (rev is None and not git.has_commits(top)):
        return None
    path = root.display(SETTINGS_FILE)
    out = git.run(top, "log", "--format=%x00%H%n%B", f"--grep=^{LOCK_TRAILER}:", rev or "HEAD", "--", path,
                  check=False).decode("utf-8", "replace")
    changes: list[tuple[str, dt.date | None]] = []  # newest first: (commit, the lock date it set)
    for block in out.split("\0")[1:]:
        sha, _, body = block.partition("\n")
        for line in body.splitlines():
            if line.startswith(f"{LOCK_TRAILER}:") and "->" in line:
                changes.append((sha.strip(), _date(line.rpartition("->")[2])))
                break
    if not changes:
        return None
    current = changes[0][1]
    since = changes[0][0]
    if current is not None:
        for sha, lock in changes:
            if lock is None or lock < current:
                break
            since = sha
    listing = git.run(top, "ls-tree", "-r", "-z", "--name-only", "--full-tree", since, "--", root.prefix or ".")
    paths = frozenset(p for p in listing.decode("utf-8", "surrogateescape").split("\0") if p)
    return LockRevision(current, since, paths)


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
