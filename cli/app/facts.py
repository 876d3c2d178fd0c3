"""The derived facts a write's checks and commands need, served from the one store for a book read
on demand at a clean, committed tree (comptoir.model.Book.fact): a write then reads the records it
changes and these summaries, never a whole kind to find them.

- "stock.state": the valuation state after every move (comptoir.app.stock.valuation_state);
- "stock.levels": quantity and value per item and warehouse, and the last move date (the
  per-folder level deltas `stock available` uses);
- "ledger.rows-for": given accounts, their posting rows (comptoir.domain.ledger.PostingRow, in the
  journal's file order) from the rows kept per journal month folder (comptoir.app.ledgerdays):
  the receivable and payable postings open items need, without reading every entry.

Each is computed when first asked for, and is None when the store cannot serve it (the caller
then derives it from the records, as for any other book).
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from comptoir.book.root import DataRoot
from comptoir.model import Book


def serve(book: Book, root: DataRoot) -> None:
    from . import stock

    stock.serve(book, root)
    book.providers["ledger.rows-for"] = lambda: _rows_for(book, root)


def _rows_for(book: Book, root: DataRoot) -> Callable[[Collection[str]], list | None]:
    kept: dict[frozenset[str], list | None] = {}

    def rows(accounts: Collection[str]) -> list | None:
        wanted = frozenset(accounts)
        if wanted not in kept:
            from .ledgerdays import Watch, attach

            records: dict[str, dict] = {"account": book.of("account"), "rate": book.of("rate")}
            scratch = Book(settings=book.settings, records=records, root_prefix=book.root_prefix)
            served = attach(root, scratch, Watch(None, None, "HEAD"), lambda folder, account: account in wanted)
            found = scratch.derived.get("ledger.rows") if served else None
            kept[wanted] = None if found is None else sorted(
                found, key=lambda r: (r.date.year, r.date.month, r.id, r.line))  # the entries' file order
        return kept[wanted]

    return rows
