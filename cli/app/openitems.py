"""The aging reports and partner statements served without reading the whole journal or the documents.

Open items (comptoir.domain.documents.open_items) are the sales or purchasing documents and
payments of one side, plus the postings on the side's accounts that no document wrote, and the
side accounts' balance. Neither the documents nor the journal are read: the documents' fields
open_items reads (its FACTS) come from values kept per document folder (comptoir.app.docfacts),
the postings on the side accounts from the posting rows kept per journal month folder
(comptoir.app.ledgerdays), and which entries documents wrote from the entry ids kept per folder
of each document kind (comptoir.app.partials). A dirty tree costs the changed folders; `--as-of`
uses the revision's trees. Anything the partials cannot serve (a rate edited in the working
tree, a misfiled record, ...) makes the report read the whole book.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, cast

from comptoir.book.store import Derivation
from comptoir.schemas.registry import kind_named

if TYPE_CHECKING:
    from comptoir.model import Book

# Per folder of a document kind: the journal entries its documents wrote (entry, stock_entry).
ENTRIES = Derivation("document-entries", keep=800)
# The kinds whose documents write journal entries, and their folders (probed before any model is
# imported: the kind table is plain data).
WRITERS = {k: kind_named(k).folder for k in ("invoice", "credit-note", "bill", "payment", "delivery", "receipt",
                                             "debit-note", "application", "supplier-return")}
# The folders of the kinds the cash forecast reads whole when first used (payroll runs, employees,
# departments, budgets, tax codes): its one `git status` covers them, so listing them asks git's index nothing.
CASH_READS = tuple(kind_named(k).folder for k in ("payroll", "employee", "department", "budget", "tax-code"))
SIDES = {"receivable": ("partner", "invoice", "credit-note", "payment", "application"),
         "payable": ("partner", "bill", "debit-note", "payment", "application")}


def entries_of(records: list) -> list[str]:
    return [ident for r in records for ident in (getattr(r, "entry", None), getattr(r, "stock_entry", None)) if ident]


def served(env, as_of: str | None, side: str | None, day: dt.date | None, partner: str | None = None,
           watch=None) -> Book:
    """The book open_items(book, side, day) needs: partners, accounts and rates read; the side's
    documents (the fields open_items reads), the side accounts' posting rows and the documents'
    entry ids served from partials. No `side`: the side of `partner`'s statement (receivable for a
    customer). The whole book when they cannot be served. `watch`: a watch already started
    (ledgerdays.Watch.sharing)."""
    from comptoir.app import ledgerdays

    watch = watch or ledgerdays.Watch(env.repo, env.cwd, as_of, also=("partners", *WRITERS.values()))
    book = env.book(as_of, kinds=("account", "rate", "partner"), status=watch.probe)
    if side is None:
        found = book.of("partner").get(partner or "")
        side = "receivable" if found is None or "customer" in found.roles else "payable"
    if not _attach(env.root(), book, watch, side, day):
        return env.book(as_of)
    return book


def documents(env, as_of: str | None, kinds: tuple[str, ...], facts: dict[str, tuple], probe=None) -> Book:
    """The book a list of documents needs: `kinds` read, the kinds `facts` names served as light
    records of those fields (comptoir.app.docfacts); `kinds` read with them when they cannot be.
    `probe`: a probe already started that covers those folders."""
    from comptoir.app import docfacts

    probe = probe or docfacts.probe_for(env, as_of, facts, reads=kinds)  # git works while the models import
    book = env.book(as_of, kinds=tuple(k for k in kinds if k not in facts), status=probe)
    if not docfacts.attach(env.root(), book, probe, facts):
        return env.book(as_of, kinds=kinds)
    return book



def cash(env, as_of: str | None, day: dt.date, watch=None) -> Book:
    """The book the cash forecast (comptoir.domain.cashview.cash_plan) needs on `day`: both sides'
    open items served as above, every account's day totals (the bank, payroll and VAT balances);
    the payroll runs, employees, budgets and tax codes read on first use. The whole book when
    they cannot be served. `watch`: a watch already started (ledgerdays.Watch.sharing)."""
    from comptoir.app import ledgerdays

    watch = watch or ledgerdays.Watch(env.repo, env.cwd, as_of, also=("partners", *WRITERS.values(), *CASH_READS))
    book = env.book(as_of, kinds=("account", "rate", "partner"), status=watch.probe)
    if not _attach(env.root(), book, watch, ("receivable", "payable"), day):
        return env.book(as_of)
    return book


def _attach(root, book: Book, watch, side: str | tuple[str, ...], day: dt.date | None) -> bool:
    """`side`: one side, or several (their kinds' facts and their accounts' posting rows)."""
    from comptoir.app import docfacts, ledgerdays
    from comptoir.domain.documents import side_accounts
    from comptoir.domain.documents.facts import OPEN_ITEMS, facts_of

    sides = (side,) if isinstance(side, str) else side
    if not docfacts.attach(root, book, watch.probe, facts_of(*dict.fromkeys(k for s in sides for k in OPEN_ITEMS[s]))):
        return False
    if not attach_entries(root, book, watch.probe):
        return False
    accounts = set().union(*(side_accounts(book, s) for s in sides))
    months = ledgerdays.in_months(None, day)
    return ledgerdays.attach(root, book, watch, lambda folder, account: account in accounts and months(folder, account))


def attach_entries(root, book: Book, probe) -> bool:
    """The journal entries documents wrote (comptoir.domain.documents.document_entries), from the
    entry ids kept per folder of each kind that writes one, into `book.derived`: the documents a
    served report gets are light records without their entry ids. False: read the whole book."""
    from comptoir.app.partials import per_folder
    from comptoir.book import git

    if root.top is None:
        return False
    try:  # every kind's folders in one listing
        listed = git.subtrees(root.top, book.revision or "HEAD", *(root.prefix + f for f in WRITERS.values()))
    except git.GitError:
        return False
    entries: set[str] = set()
    for name in WRITERS:
        kind = kind_named(name)
        parts = per_folder(root, kind, ENTRIES, entries_of, book.revision, probe, listed=listed)
        if parts is None:
            return False
        for ids in parts.values():
            entries.update(cast(list, ids))
    book.derived["documents.entries"] = entries
    return True
