"""Checking the book against a base revision: read the base book and the reopen commits from
git (storage), then ask the domain's rules (comptoir.domain.base)."""

from __future__ import annotations

from comptoir.book import git
from comptoir.book.loader import load_book
from comptoir.book.root import DataRoot
from comptoir.domain.base import REOPEN_COMMAND, compare_with_base
from comptoir.errors import Problem
from comptoir.model import Book
from comptoir.schemas.registry import SETTINGS_FILE


def check_against_base(root: DataRoot, book: Book, base: str, whole: bool = False) -> list[Problem]:
    """The problems of the book (the working tree, or `book.revision`) against a base revision.
    A record whose file is the same in both has nothing to report (it is unchanged), so only the
    folders holding a file that differs are read, at the base and in the book: `book` may hold
    its journal a folder at a time (a streamed validate), and the base is never read whole.
    `whole`: the book files an id twice or in the wrong folder, so which file holds a record
    depends on every folder (the first in path order wins): both are read whole."""
    if root.top is None:
        return [Problem("", 0, "not-a-repository", "--base needs the book to be in a git repository", "")]
    base_rev = git.resolve(root.top, base)
    reopened = _reopen_commits(root, base_rev)
    scope = _changed(root, base_rev, book.revision)
    if whole or scope is None:  # a file changed directly in a kind's folder that has folders: read both whole
        return compare_with_base(load_book(root, base_rev), load_book(root, book.revision), reopened)
    kinds, folders = scope
    return compare_with_base(_part(root, base_rev, kinds, folders), _part(root, book.revision, kinds, folders),
                             reopened)


def _changed(root: DataRoot, base_rev: str, rev: str | None) -> tuple[list[str], list[str]] | None:
    """The kinds and folders (from the data root) of the record files that differ between the
    base and `rev` (None: the working tree, with its untracked files); None when a folder to
    read holds other folders (its read would be the kind's)."""
    from comptoir.schemas.registry import all_kinds

    assert root.top is not None
    spec = root.prefix or "."
    out = git.run(root.top, "diff", "--name-only", "-z", "--no-renames", base_rev, *([rev] if rev else []),
                  "--", spec)
    paths = [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]
    if rev is None:
        untracked = git.run(root.top, "ls-files", "-z", "--others", "--exclude-standard", "--full-name", "--", spec)
        paths += [p for p in untracked.decode("utf-8", "surrogateescape").split("\0") if p]
    by_folder = sorted(all_kinds(), key=lambda k: -len(k.folder))
    kinds: set[str] = set()
    folders: set[str] = set()
    for path in paths:
        if not path.startswith(root.prefix):
            continue
        rel = path[len(root.prefix):]
        if rel == SETTINGS_FILE or not rel.endswith(".yaml") or "/" not in rel:
            continue
        folder = rel.rpartition("/")[0]
        kind = next((k for k in by_folder if folder == k.folder or folder.startswith(k.folder + "/")), None)
        if kind is None:
            continue
        if folder == kind.folder and kind.date_field is not None:
            return None  # beside the kind's month folders: reading it reads them all
        kinds.add(kind.name)
        folders.add(folder)
    return sorted(kinds), sorted(folders)


def _part(root: DataRoot, rev: str | None, kinds: list[str], folders: list[str]) -> Book:
    """The settings and the records filed under `folders` at `rev`, as a book of those records
    only (every other kind empty: what is not read is unchanged)."""
    read = load_book(root, rev, kinds=kinds, folders=folders)
    return Book(read.settings, {k: dict(read.of(k)) for k in kinds}, dict(read.sources), read.settings_path,
                read.revision, read.root_prefix)


def _reopen_commits(root: DataRoot, base_rev: str) -> list[str]:
    """Commits after the base that touched the settings and carry the reopen command trailer."""
    assert root.top is not None
    out = git.run(root.top, "log", "--format=%H%x1f%B%x1e", f"{base_rev}..HEAD", "--",
                  root.display(SETTINGS_FILE), check=False).decode()
    found = []
    for block in out.split("\x1e"):
        if "\x1f" not in block:
            continue
        sha, body = block.strip().split("\x1f", 1)
        if f"Comptoir-Command: {REOPEN_COMMAND}" in body:
            found.append(sha)
    return found
