"""The derived facts a write's checks and commands need, served from the one store for a book read
on demand at a clean, committed tree (comptoir.model.Book.fact): a write then reads the records it
changes and these summaries, never a whole kind to find them.

- "stock.state": the valuation state after every move (comptoir.app.stock.valuation_state);
- "stock.levels": quantity and value per item and warehouse, and the last move date (the
  per-folder level deltas `stock available` uses);
- "ledger.rows-for": given accounts, their posting rows from the rows kept per journal month
  folder (comptoir.app.ledgerdays.HeldRows: held packed, a PostingRow made of those asked for):
  the receivable and payable postings open items need, without reading every entry;
- "documents.light": given a document kind and the book's records of it, every record as a light
  record of the fields the domain declares (comptoir.domain.documents.facts.FIELDS), from the
  values kept per folder (comptoir.app.docfacts), with the write's own records over HEAD's: open
  items, what each order line has had, reservations and numbering without validating every
  order, invoice and payment. It follows the book to the book after the write (Book.with_records).

Each is computed when first asked for, and is None when the store cannot serve it (the caller
then derives it from the records, as for any other book).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from comptoir.book.root import DataRoot
from comptoir.book.store import Derivation, Store, pack, unpack
from comptoir.model import Book

if TYPE_CHECKING:
    from .ledgerdays import HeldRows

ZERO = Decimal(0)


def serve(book: Book, root: DataRoot, reads: Collection[str] = ()) -> None:
    """Each fact is derived from HEAD's tree of the kinds it reads: it is served only when those
    kinds are as HEAD has them (comptoir.book.ondemand.fresh compares them on first use). `reads`:
    the kinds the write declared it reads whole (the document kinds among them are served together)."""
    from . import stock

    stock.serve(book, root)
    for name, kinds in stock.SERVED.items():
        book.providers[name] = _when_fresh(book, kinds, book.providers[name])
    book.providers["ledger.rows-for"] = _when_fresh(book, LEDGER_KINDS, lambda: _rows_for(book, root))
    # one server for the book and the books after the write (Book.with_records carries it): HEAD's
    # light records are decoded once
    lights = cache(lambda: _light(book, root, reads))
    book.providers["documents.light"] = lights
    book.providers["sales.open-orders"] = cache(lambda: _open_orders(book, root, lights()))


LEDGER_KINDS = ("journal", "account", "rate")  # what the posting rows per journal folder are derived from


def _when_fresh(book: Book, kinds: tuple[str, ...], provider: Callable[[], object]) -> Callable[[], object]:
    def served():
        from comptoir.book.ondemand import fresh

        return provider() if fresh(book, kinds) else None

    return served


def _rows_for(book: Book, root: DataRoot) -> Callable[[Collection[str]], HeldRows | None]:
    from .ledgerdays import HeldRows

    kept: dict[frozenset[str], HeldRows | None] = {}

    def rows(accounts: Collection[str]) -> HeldRows | None:
        wanted = frozenset(accounts)
        if wanted not in kept:
            records: dict[str, dict] = {"account": book.of("account"), "rate": book.of("rate")}
            scratch = Book(settings=book.settings, records=records, root_prefix=book.root_prefix)
            found = _account_rows(root, scratch, wanted)
            kept[wanted] = None if found is None else HeldRows(found)
        return kept[wanted]

    return rows


def _light(book: Book, root: DataRoot, reads: Collection[str]) -> Callable[[str, object], Mapping | None]:
    """kind, the records of a book that shares `book`'s listing -> its light records (HEAD's, the
    records' overlay over them), or None: not a document kind, not as HEAD has it, or not served."""
    from comptoir.book.ondemand import Records, commit_of, fresh
    from comptoir.domain.documents.facts import FIELDS

    from . import docfacts

    commit = commit_of(book)
    kept: dict[str, Any] = {}

    def head(kind: str) -> Any:
        if kind not in kept:
            kept[kind] = None
            if commit is None or not fresh(book, (kind,)):
                return None
            # the document kinds the write declared are compared with HEAD in one status, and
            # served together here (one listing of their folders)
            group = [kind, *(k for k in reads if k in FIELDS and k not in kept and fresh(book, (k,)))]
            scratch = Book(settings=book.settings, revision=commit, root_prefix=book.root_prefix)
            if docfacts.attach(root, scratch, None, {k: FIELDS[k] for k in group}, lazy=True):
                kept.update((k, scratch.records[k]) for k in group)
        return kept[kind]

    def light(kind: str, records: object) -> Mapping | None:
        if kind not in FIELDS or not isinstance(records, Records):
            return None
        found = head(kind)
        if found is None:
            return None
        return docfacts.Overlaid(found, records.overlay) if records.overlay else found

    light.head = head  # type: ignore[attr-defined]  # HEAD's, without a book's records over them
    return light


OPEN_ORDERS = Derivation("sales-open-orders", keep=200)  # per HEAD's orders and deliveries trees


def _open_orders(book: Book, root: DataRoot, lights: Callable) -> list[str] | None:
    """HEAD's orders that may still reserve stock (comptoir.domain.sales.promises.may_be_open), kept
    under the trees of the orders and the deliveries: derived from every order once per HEAD a
    write did not make, carried forward by each write that makes one (follow_open_orders), so that
    a write's promise check looks at the open orders, not at 7,000 delivered ones. None: not served."""
    from comptoir.book.ondemand import commit_of

    commit = commit_of(book)
    if commit is None or root.top is None:
        return None
    head = getattr(lights, "head", None)
    orders, deliveries = (head("sales-order"), head("delivery")) if head is not None else (None, None)
    if orders is None or deliveries is None:
        return None
    key = _open_key(root, commit)
    if key is None:
        return None
    store = Store.of(root.path)
    kept = store.get(OPEN_ORDERS, *key)
    if type(kept) is list:
        return kept
    from comptoir.domain.sales.promises import may_be_open

    moved: dict[tuple[str, int], Decimal] = {}
    for doc in deliveries.values():
        for ln in doc.lines:
            moved[(doc.order, ln.line)] = moved.get((doc.order, ln.line), ZERO) + ln.qty
    found = may_be_open(orders.values(), lambda so, line: moved.get((so, line), ZERO))
    store.put(OPEN_ORDERS, key, found)
    return found


def _open_key(root: DataRoot, rev: str) -> tuple[str, str] | None:
    from comptoir.book import git
    from comptoir.schemas.registry import kind_named

    folders = [root.prefix + kind_named(k).folder for k in ("sales-order", "delivery")]
    if root.top is None:
        return None
    try:
        trees = git.subtrees(root.top, rev, *folders)
    except git.GitError:
        return None
    return trees.get(folders[0], ""), trees.get(folders[1], "")


def follow_open_orders(root: DataRoot, before: Book, added: list) -> None:
    """After a commit that added orders or deliveries to a book served HEAD's open orders: keep the
    new HEAD's (the old ones, with the orders the write touched judged again on the book after
    it), so the next write finds them. Never fails the write."""
    try:
        from comptoir.domain.documents.facts import light
        from comptoir.domain.sales.common import delivered
        from comptoir.domain.sales.promises import may_be_open

        served = before.fact("sales.open-orders")
        if served is None:
            return
        after = before.with_records(added)
        touched = {r.id for k, r in added if k.name == "sales-order"}
        touched |= {r.order for k, r in added if k.name == "delivery"}
        head = before.fact("documents.light").head("delivery") or {}
        touched |= {head[r.id].order for k, r in added if k.name == "delivery" and r.id in head}
        orders = light(after, "sales-order")
        still = may_be_open([orders[i] for i in sorted(touched) if i in orders],
                            lambda so, line: delivered(after, so, line))
        key = _open_key(root, "HEAD")
        if key is not None:
            Store.of(root.path).put(OPEN_ORDERS, key, sorted({*(i for i in served if i not in touched), *still}))
    except Exception:  # noqa: BLE001 - an optimisation must not turn a committed write into an error
        pass


SIDE_ROWS = Derivation("ledger-account-rows", keep=800)  # per journal folder: the rows of a few accounts


def _account_rows(root: DataRoot, book: Book, accounts: frozenset[str]) -> list | None:
    """The posting rows of `accounts` at HEAD, as the store packs them, per journal folder from
    the store: a folder's rows of these accounts (usually none: receivables and payables are
    posted by a few entries), else
    cut from the folder's rows the ledger reports keep (ROWS), else summed from its entries as
    they sum it (and kept for them too). None when a folder holds something the full read
    would report."""
    from comptoir.book import git

    from .ledgerdays import DAYS, ROWS, _folder_sums, _folders, _under, rates_key

    top = root.top
    if top is None:
        return None
    journal, names = _folders()
    folders = [root.prefix + name for name in names]
    try:
        trees = git.subtrees(top, "HEAD", *folders)
    except git.GitError:
        return None
    journal_path = folders[0]
    rates = rates_key(trees, folders[1:])
    key = "\0".join(sorted(accounts))
    store = Store.of(root.path)
    chosen: list[tuple] = []
    for folder, tree in sorted(trees.items()):
        if not _under(folder, journal_path):
            continue
        hit = store.get(SIDE_ROWS, folder, tree, book.base, rates, key)
        if type(hit) is not list:
            packed = store.get(ROWS, folder, tree, book.base, rates)
            if isinstance(packed, dict) and all(type(v) is bytes for v in packed.values()):
                hit = [row for a in sorted(accounts) if a in packed for row in unpack(packed[a])]
            else:
                out = _folder_sums(top, tree, folder[len(root.prefix):], book, journal)
                if out is None:
                    return None
                value, by_account = out
                store.put(DAYS, (folder, tree, book.base, rates), value)
                store.put(ROWS, (folder, tree, book.base, rates),
                          {account: pack(folder_rows) for account, folder_rows in by_account.items()})
                hit = [row for a in sorted(accounts) for row in by_account.get(a, [])]
            store.put(SIDE_ROWS, (folder, tree, book.base, rates, key), hit)
        chosen.extend(tuple(row) for row in hit)
    return chosen
