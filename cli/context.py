"""The world a command runs in (repository, clock, randomness, output), injected so tests never patch."""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

ASKED_FIRST = "writer-asked-first"  # git.PER_COMMAND's key (with the command and the data root): Env.ask_git_first


@dataclass
class Env:
    repo: str | None = None
    today_override: dt.date | None = None
    rng: random.Random = field(default_factory=random.Random)
    cwd: Path | None = None
    traceback: bool = False
    allow_invalid: bool = False  # write even on a book that already fails validation
    lock_timeout: float | None = None  # None: $COMPTOIR_LOCK_WAIT, else the writer's default
    far_dates: bool = False  # `comptoir --far-date`: accept dates beyond the settings' horizon
    _root: object = None
    _warned_refused: bool = False

    @property
    def today(self) -> dt.date:
        if self.today_override is not None:
            return self.today_override
        fixed = os.environ.get("COMPTOIR_TODAY")  # reproducible demo scripts and CI report packs
        return dt.date.fromisoformat(fixed) if fixed else dt.date.today()

    def root(self):
        from comptoir.book.root import find_root

        if self._root is None:
            self._root = find_root(self.repo, self.cwd)
            refused = self._root.refused
            if refused is not None and not self._warned_refused:  # a write fails on it instead
                # readable as plain files, but git's history is out of reach
                why, fix = refused
                sys.stderr.write(f"warning: {why.splitlines()[0]}; reading the files as they stand (no history, "
                                 f"--as-of or writes until this is fixed)\n  hint: {fix}\n")
                sys.stderr.flush()
        return self._root

    def book(self, as_of: str | None = None, kinds: tuple[str, ...] | None = None, where: dict | None = None,
             status=None):
        """The book from the working tree, or from the revision (or date) `as_of` names; with
        `kinds`, only those record kinds (for read-only commands that need nothing else).
        `status`: the command's freshness probe, whose `git status` lists the kinds' files without
        asking git's index again (comptoir.book.loader.list_files)."""
        from comptoir.book.loader import load_book

        root = self.root()
        rev = self._revision(root, as_of)
        book = load_book(root, rev, progress=_progress if sys.stderr.isatty() else None, kinds=kinds, where=where,
                         status=status)
        book.today = self.today
        if rev:
            book.revision = rev
        self.warn_unread(book.load_problems)
        return book

    def streamed_book(self, as_of: str | None = None, kinds: tuple[str, ...] = ("journal",)):
        """The book as `book` reads it, but with the records of `kinds` (the journal) one month
        folder at a time (comptoir.book.loader.stream_book): the book, and the folders to read. The
        caller warns about unreadable files (warn_unread) once it has read them all."""
        from comptoir.book.loader import stream_book

        root = self.root()
        rev = self._revision(root, as_of)
        book, folders = stream_book(root, rev, progress=_progress if sys.stderr.isatty() else None, kinds=kinds)
        book.today = self.today
        if rev:
            book.revision = rev
        return book, folders

    def warn_unread(self, problems: list) -> None:
        unread = [p for p in problems if p.severity == "error"]
        if unread:
            first = min(unread, key=lambda p: p.file)  # the first file in path order (the first the read met)
            sys.stderr.write(f"warning: {len(unread)} record file(s) could not be read and are left out "
                             f"(first: {first.file}:{first.line} [{first.code}]); "
                             "run `comptoir validate`\n")

    def revision(self, as_of: str | None) -> str | None:
        """The commit `as_of` (a revision or a date) names; None for the working tree."""
        return self._revision(self.root(), as_of)

    def _revision(self, root, as_of: str | None) -> str | None:
        from comptoir.book import git

        rev = None
        if root.refused is not None and as_of:  # git's history is out of reach
            from comptoir.errors import fail

            raise fail("git-refused", *root.refused)
        if as_of:
            if root.top is None:
                from comptoir.errors import fail

                raise fail("not-a-repository", "--as-of needs the book to be in a git repository", "")
            rev = git.resolve(root.top, as_of)
        return rev

    def ask_git_first(self, command: str) -> None:
        """Start what the writer of `command` asks git (comptoir.book.verdict.Head: with git's
        monitor on, a status of the whole book) now, before the command imports its rules (80-100 ms
        for the documents' ones, while git takes 0.3 s): `writer` takes it up. Asked for every write
        command (comptoir.options.no_commit). Nothing when there is no book here, or git refuses it:
        the command says so itself, in its own order. Kept in git.PER_COMMAND, which the end of the
        command closes, so a command that never opens its writer leaves nothing behind."""
        from comptoir.book import git
        from comptoir.book.root import find_root
        from comptoir.errors import ComptoirError

        try:
            root = self._root if self._root is not None else find_root(self.repo, self.cwd)
        except ComptoirError:
            return
        if root.top is None or root.refused is not None:  # type: ignore[attr-defined]
            return
        self._root = root
        from comptoir.book.verdict import Head

        git.PER_COMMAND[(ASKED_FIRST, command, str(root.path))] = Head(root, command)  # type: ignore[attr-defined]

    def writer(self, command: str, no_commit: bool = False, reads: tuple[str, ...] = ()):
        """The writer of one command. `reads`: the kinds whose derived facts it asks for (a sales
        order: the journal's receivable rows and the stock moves' levels), compared with HEAD in one
        `git status` when the first is used instead of one status each."""
        from comptoir.book import git
        from comptoir.book.verdict import Head

        self._warned_refused = True  # the writer refuses a repository git refuses, with the reason
        root = self.root()
        status = git.PER_COMMAND.pop((ASKED_FIRST, command, str(root.path)), None)  # ask_git_first's
        if status is None:
            status = Head(root, command)  # git answers while the writer's modules import
        from comptoir.app.write import Writer

        writer = Writer(root, command, no_commit=no_commit, lock_timeout=self.lock_timeout,
                        today=self.today, status=status, reads=reads)
        writer.far_dates = self.far_dates
        writer.allow_invalid = self.allow_invalid or os.environ.get("COMPTOIR_ALLOW_INVALID", "") not in ("", "0")
        return writer


def _progress(done: int, total: int) -> None:
    end = "\n" if done + 500 >= total else ""
    sys.stderr.write(f"\rreading records {done:,}/{total:,}{end}")
    sys.stderr.flush()
