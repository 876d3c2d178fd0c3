"""`report overview` served from partials: no journal entry, stock move, document, lead, activity
or payroll run is read.

The sections (comptoir.domain.overview and each family's) read the small kinds `READS` names
(accounts, partners, items, employees, ...) through the parse store, and the large ones from
values derived per folder and kept in the one store: the documents (sales, purchasing, payments),
the leads, activities and opportunities and the payroll runs as light records of the fields the
sections read (comptoir.app.docfacts; only the open activities with a due date); the journal's
day totals (the finance figures, net pay owed) and the posting rows of the receivable and payable
accounts (overdue receivables and payables), from the journal month partials
(comptoir.app.ledgerdays); the stock levels and the units consumed per day (stock value, reorder,
promises, components short), from the stock folder partials (comptoir.app.stockreports). Stock
moves dated after the day are read only when there are some. Anything the partials cannot serve
makes the report read the whole book.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from comptoir.model import Book


def served(env, as_of: str | None, day: dt.date, watch=None) -> Book:
    """`watch`: a watch already started (ledgerdays.Watch.sharing)."""
    from comptoir.app import docfacts, ledgerdays, stockreports

    watch = watch or ledgerdays.Watch(env.repo, env.cwd, as_of, also=(
        stockreports.FOLDER, *docfacts.FOLDERS.values(), *docfacts.READ_FOLDERS.values()))
    from comptoir.domain.crm.activities import FOLLOWUP_FACTS, FOLLOWUP_WHERE
    from comptoir.domain.documents.facts import FIELDS
    from comptoir.domain.hr.reports import OVERVIEW_FACTS
    from comptoir.domain.overview import READS

    facts = {k: v for k, v in {**FIELDS, **OVERVIEW_FACTS}.items() if k in READS}
    crm = {k: FOLLOWUP_FACTS[k] for k in READS if k in FOLLOWUP_FACTS}  # the CRM section reads no more
    book = env.book(as_of, kinds=tuple(k for k in READS if k not in facts and k not in crm), status=watch.probe)
    if not (docfacts.attach(env.root(), book, watch.probe, facts)
            and docfacts.attach(env.root(), book, watch.probe, crm, FOLLOWUP_WHERE)
            and _attach(env.root(), book, watch, day)):
        return env.book(as_of)
    return book


def _attach(root, book: Book, watch, day: dt.date) -> bool:
    from comptoir.app import ledgerdays, openitems, stockreports
    from comptoir.domain.documents import side_accounts

    if not stockreports._attach(root, book, watch, (day, None), None, consumption=True):
        return False
    if not openitems.attach_entries(root, book, watch.probe):
        return False
    accounts = side_accounts(book, "receivable") | side_accounts(book, "payable")
    months = ledgerdays.in_months(None, day)
    return ledgerdays.attach(root, book, watch, lambda folder, account: account in accounts and months(folder, account))
