"""`crm followups` served from the facts kept per CRM folder: no lead or activity file is parsed.

The follow-ups are the open activities with a due date and the active leads with a follow-up
date (comptoir.domain.crm), named after the lead or opportunity they are for. What they read of
those records (FOLLOWUP_FACTS) is derived per folder and kept in the one store
(comptoir.app.docfacts): the activities' month folders keep only the open activities with a due
date; the leads' one flat folder is kept per bucket of files (comptoir.app.partials.per_file), so
a changed lead costs its bucket and a dirty one only itself. Anything the facts cannot serve (an
unreadable or misfiled record) makes the command read the CRM records instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from comptoir.model import Book

KINDS = ("lead", "activity", "opportunity", "partner", "rate")


def book_for_followups(env, as_of: str | None) -> Book:
    book = served(env, as_of, ("partner", "rate"))
    return book if book is not None else env.book(as_of, KINDS)


def served(env, as_of: str | None, kinds: tuple[str, ...]) -> Book | None:
    """`kinds` read, the leads, activities and opportunities served as follow-up facts; None when
    they cannot be."""
    from comptoir.app import docfacts

    probe = docfacts.probe_for(env, as_of, ("lead", "activity", "opportunity"), reads=kinds)  # git works while models import
    from comptoir.domain.crm.activities import FOLLOWUP_FACTS, FOLLOWUP_WHERE

    book = env.book(as_of, kinds=kinds, status=probe)
    return book if docfacts.attach(env.root(), book, probe, FOLLOWUP_FACTS, FOLLOWUP_WHERE) else None
