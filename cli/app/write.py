"""Apply a change: the command stages records, the rules (comptoir.domain.admission) say
whether they may land, then storage (comptoir.book.writer) writes and commits them.

How much is checked depends on what is known about the book before:
- HEAD's tree is known free of errors (comptoir.book.verdict) and the kinds the write uses are
  as HEAD has them (each compared when first used): the book is read on demand and only what
  the write adds is checked, so a write costs the same at 100 or 100,000 entries;
- it differs from a known-clean tree by added record files only (a pull): those are
  checked the same way first, then the write;
- no tree near it is known (a fresh clone, a commit made by hand) but the working tree is
  HEAD's: HEAD is checked as `validate` checks it (the journal, stock moves and activities a month folder at a time), then
  the write goes on as on a known-clean tree;
- otherwise (uncommitted changes, or errors in HEAD's tree): the whole book is read and every
  rule runs over it; the errors the book already has are said, and the write adds none.
"""

from __future__ import annotations

import sys
from typing import cast

from comptoir.book import ondemand, verdict
from comptoir.book import writer as storage
from comptoir.book.loader import place
from comptoir.book.recovery import fault
from comptoir.domain.admission import broken_book, far_dated, judge, locked_records, pulled
from comptoir.domain.validation import Change
from comptoir.errors import ComptoirError
from comptoir.model import Book
from comptoir.schemas.registry import all_kinds


class Writer(storage.Writer):
    """The storage writer, with the rules asked before anything is written. `allow_invalid`:
    write even when the book already fails validation (the errors are printed)."""

    allow_invalid = False

    far_dates = False  # `comptoir --far-date`: accept dates beyond the settings' horizon

    def __enter__(self) -> Writer:
        super().__enter__()
        if self.facts is not None and self.clean_tree is not None and self.book is not None:
            # the book is the committed tree: its stock facts come from the store
            from . import facts

            facts.serve(self.book, self.root, self.reads)
        return self

    def _catch_up(self, tree: str) -> Book | None:
        found = ondemand.catch_up(self.root, tree)
        if found is None:
            return self._checked_first(tree)
        before, added = found
        book = ondemand.load_on_demand(self.root, self._went_dirty)
        after_facts = pulled(before, book, added)
        if after_facts is None or self.clean_tree is None:
            # the whole-book check says what is wrong, and lets the write add no more; or a kind
            # the check read differs from HEAD (clean_tree was dropped): the tree's facts are not known
            return None
        self.facts = after_facts
        verdict.remember(self.root, tree, after_facts)
        return book

    def _checked_first(self, tree: str) -> Book | None:
        """No tree near this one is known clean (a fresh clone, a store of another code version):
        HEAD's tree is checked as `validate` checks it, the streamed kinds one month folder at a time, and
        when it has no error the write goes on as on any known-clean tree (read on demand, only
        what it adds checked). None: the working tree differs from HEAD or the book has errors,
        so the write reads the whole book (it says which errors were there and adds none)."""
        from comptoir.book.loader import stream_book
        from comptoir.domain.validation import STREAMED, check_streamed

        if not verdict.Status(self.root).clean():  # the working tree is not HEAD's tree
            self.clean_tree = None
            return None
        book, folders = stream_book(self.root, kinds=STREAMED)
        found = check_streamed(book, folders)
        del book, folders
        if found is None or any(p.severity == "error" for p in found[0]):
            return None
        verdict.remember(self.root, tree, found[1])
        self.facts = found[1]
        every = {k.name: k.folder for k in all_kinds()}  # the status compared the whole data root
        return ondemand.load_on_demand(self.root, self._went_dirty, every, together=self.reads)

    def change(self) -> Change:
        """What the staged files do to the book, in the terms incremental checks use."""
        added, replaced, other = self.staged_kinds()
        written: dict[str, dict] = {}
        for kind, record in self.added:  # added or replaced, the last put of an id winning
            written.setdefault(kind.name, {})[getattr(record, kind.id_field)] = record
        return Change(added, frozenset(replaced), other, self.book, written)

    def check(self) -> None:
        """Refuse the write when it adds errors to the book; errors already there only warn."""
        known = self.facts
        try:
            self._check()
        except ComptoirError:
            if known is None or self.facts is not None:
                raise
            self._check()  # a kind the check read differs from HEAD: check again against the whole book
            return
        if known is not None and self.facts is None:
            self._check()

    def _check(self) -> None:
        assert self.book is not None
        far = [] if self.far_dates else far_dated(self.book.settings, self.added, self.today)
        if far:
            raise ComptoirError(far)
        locked = locked_records(self.book, self.added, self.new_settings)
        if locked:
            raise ComptoirError(place(self.book, locked))
        after = self.resulting_book()
        if self.facts is not None and self.clean_tree is not None:  # the book before is HEAD's tree
            after.derived["ledger.rows.before"] = self._rows_before
        written = {self.root.display(rel) for rel in self.staged}
        result = judge(self.book, after, self.change(), self.facts, written, self.clean_tree is not None,
                       self.allow_invalid)
        if result.refused:
            raise ComptoirError(place(after, result.refused))
        if result.broken:  # written anyway (--allow-invalid): the errors are still said
            for p in place(self.book, broken_book(result.broken))[:-1]:
                sys.stderr.write(p.as_text().replace(": error [", ": warning [", 1) + "\n")
            sys.stderr.write(f"comptoir: warning [book-invalid] writing anyway (--allow-invalid): the book has "
                             f"{len(result.broken)} error(s); `comptoir validate` lists them\n")
        self.after_facts = result.facts

    def _rows_before(self, accounts: set[str]) -> list | None:
        """The posting rows of `accounts` before this write, from the sums kept per journal
        folder: what the balance-assertion rule checks a new assertion with (comptoir.domain.periods)."""
        from comptoir.book.ondemand import fresh

        from .facts import LEDGER_KINDS
        from .ledgerdays import committed_rows

        assert self.book is not None
        if not fresh(self.book, LEDGER_KINDS):  # derived from HEAD's journal: only when it is the working tree's
            return None
        return committed_rows(self.root, self.book, accounts)

    validate = check  # the name commands and tests have used

    def commit(self, subject: str, records: list[str], body: str = "",
               trailers: dict[str, str] | None = None) -> str | None:
        sha = super().commit(subject, records, body, trailers)
        if sha and any(kind.name == "journal" for kind, _ in self.added):  # the trial balance's inputs moved on
            from . import ledgerdays, ledgersnap

            ledgersnap.follow(self.root, self.committed)
            if self.book is not None:  # and the months it posted to: their sums and rows
                ledgerdays.follow(self.root, self.book, f"{sha}^", sha)
        moved = [r for kind, r in self.added if kind.name == "stock-move"]
        if sha and moved and self.book is not None and self.book.derived.get("stock.state") is not None:
            from comptoir.domain.stock import items, places
            from comptoir.domain.stock.common import item_series
            from comptoir.schemas.inventory import StockMove

            from . import stock

            book = self.book

            own = cast(list[StockMove], moved)

            def whole(sku: str) -> list:  # HEAD's moves of the item (the write read them to value its own) and its own
                series = {m.id: m for m in item_series(book, sku)}
                series.update((m.id, m) for m in own if m.item == sku)
                return list(series.values())

            # the next write finds the new HEAD's valuation state kept (an item moved back in time
            # replayed from all its moves)
            stock.follow_state(self.root, book.derived["stock.state"], moved, items(book), places(book), whole)
        if sha and self.book is not None and any(k.name in ("sales-order", "delivery") for k, _ in self.added) \
                and self.book.derived.get("sales.open-orders") is not None:
            from .facts import follow_open_orders

            # the next write finds the new HEAD's open orders kept
            follow_open_orders(self.root, self.book, self.added)
        if sha:
            fault("derived")
        return sha
