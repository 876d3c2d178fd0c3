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


def check_against_base(root: DataRoot, book: Book, base: str) -> list[Problem]:
    if root.top is None:
        return [Problem("", 0, "not-a-repository", "--base needs the book to be in a git repository", "")]
    base_rev = git.resolve(root.top, base)
    base_book = load_book(root, base_rev)
    return compare_with_base(base_book, book, _reopen_commits(root, base_rev))


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
