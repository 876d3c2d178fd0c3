"""What the CRM modules share: the lead status constants, building and revising records
from plain data with field-named problems, owners and taken ids."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from comptoir.schemas.types import Record

from ..book import Book
from ..ids import Taken
from ..inputs import validated

# Which status a lead may move to from each status. Converting is its own command
# (`crm lead convert`), because it also creates the customer and the opportunity.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("contacted", "qualified", "converted", "lost", "disqualified"),
    "contacted": ("qualified", "converted", "lost", "disqualified"),
    "qualified": ("contacted", "converted", "lost", "disqualified"),
    "lost": ("contacted",),  # re-opened: talk to them again before anything else
    "disqualified": ("new",),  # disqualified by mistake: back to the start
    "converted": (),  # final: the customer and the opportunity carry on
}
ACTIVE_STATUSES = ("new", "contacted", "qualified")
NEEDS_REASON = ("lost",)
MAX_MATCHES = 5  # a contact detail shared by more records than this (a switchboard number) is not evidence



# --- small helpers -----------------------------------------------------------------------------

def revise(record: Record, what: str, **changes: Any) -> Any:
    """A copy of a record with fields changed (None clears a field), validated again."""
    data = record.model_dump(mode="python")
    data.update(changes)
    return validated(type(record), data, what)


def owner_matches(owner: str | None, wanted: set[str] | None) -> bool:
    if wanted is None:
        return True
    return (owner or "").lower() in wanted


def default_owner(book: Book, owner: str | None) -> str | None:
    return owner or book.settings.crm.owner


def taken_ids(book: Book, kind: str, extra: Iterable[str] = ()) -> Taken:
    return Taken(book.of(kind), set(extra))
