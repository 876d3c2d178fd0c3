"""`crm followups` reads only the records it can show.

The follow-ups are the open activities with a due date and the active leads with a follow-up
date (comptoir.domain.crm), named after the lead or opportunity they are for. Every lead and
activity file is parsed (from the parse store: cheap), but only these are validated into
records: activities not done that have a due date, leads with a follow-up date or named by one of
those activities, the opportunities those activities name. Validating every record was the
cost (20,000 leads and 50,000 activities); the domain then filters the records exactly as on a
full read, so the answer is the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from comptoir.model import Book

KINDS = ("lead", "activity", "opportunity", "partner", "rate")


def book_for_followups(env, as_of: str | None) -> Book:
    leads: set[str] = set()
    opps: set[str] = set()

    def activity(raw: dict) -> bool:  # a superset of the open activities with a due date
        if raw.get("done") is True or not raw.get("due"):
            return False
        for field, named in (("lead", leads), ("opportunity", opps)):
            if isinstance(raw.get(field), str):
                named.add(raw[field])
        return True

    # The loader adds records in path order, so crm/activities/ is filtered before crm/leads/ and
    # crm/opportunities/ and the sets above are complete when those are asked; checked below.
    where = {"activity": activity,
             "lead": lambda raw: bool(raw.get("follow_up")) or raw.get("id") in leads,
             "opportunity": lambda raw: raw.get("id") in opps}
    book = env.book(as_of, KINDS, where)
    kept = book.of("activity").values()
    if any(a.lead and a.lead not in book.of("lead") for a in kept) \
            or any(a.opportunity and a.opportunity not in book.of("opportunity") for a in kept):
        return env.book(as_of, KINDS)  # a name the filter may have left out (or a dangling link): read them all
    return book
