"""Consent and personal data: who agreed to hear from us, the contact export e-mail tools
import, and forgetting a lead's personal data on request.

Forgetting rewrites the current books only: the lead keeps its id, status, dates, source,
campaign and links (the funnel and campaign figures stay right), its activities keep their
type and date, and a customer the lead became stays as it is, because invoices and the
ledger need it. Earlier versions stay in git history; docs/crm.md says how to rewrite it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from comptoir.errors import fail
from comptoir.schemas.crm import Activity, Lead
from comptoir.schemas.types import Record

from ..book import Book
from .activities import activities_of
from .common import revise
from .contacts import normal_email
from .leads import get_lead

FORGOTTEN_NAME = "(forgotten)"
# The lead's fields that hold personal data; everything else is about the business.
PERSONAL = ("company", "email", "phone", "interest", "notes", "consent", "follow_up", "utm_source", "utm_medium",
            "utm_campaign")


def consented(lead: Lead) -> bool:
    return lead.consent is not None and not lead.forgotten


@dataclass
class Forget:
    lead: Lead
    activities: list[Activity] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # what stays, and why

    @property
    def records(self) -> list[tuple[str, Record]]:
        return [("lead", self.lead)] + [("activity", a) for a in self.activities]


def forget_lead(book: Book, ident: str, today: dt.date) -> Forget:
    """The lead without its personal data (name replaced, contact details, notes, consent and
    UTM fields removed) and its activities without their notes and the form's timestamp."""
    lead = get_lead(book, ident)
    if lead.forgotten:
        raise fail("already-forgotten", f"lead {ident}'s personal data was removed on {lead.forgotten}",
                   "nothing to do; see docs/crm.md for removing it from git history")
    changes: dict = {k: None for k in PERSONAL}
    changes.update(name=FORGOTTEN_NAME, forgotten=today, tags=[])
    out = Forget(revise(lead, f"lead {ident}", **changes))
    for act in activities_of(book, lead=ident):
        if act.notes or act.submitted:
            out.activities.append(revise(act, f"activity {act.id}", notes=None, submitted=None))
    if lead.partner:
        out.kept.append(f"customer {lead.partner} is kept: invoices and the ledger need it "
                        "(edit or anonymise it with `comptoir partner` if nothing is owed)")
    if lead.opportunity:
        out.kept.append(f"opportunity {lead.opportunity} is kept (amounts and stages, no contact data)")
    return out


def _split(name: str) -> tuple[str, str]:
    """'Léa Moreau' -> ('Léa', 'Moreau'); 'Jean-Paul de la Tour' -> ('Jean-Paul', 'de la Tour')."""
    first, _, last = name.strip().partition(" ")
    return first, last.strip()


CONTACT_KEYS = ["Email Address", "First Name", "Last Name", "Phone Number", "Company", "Tags", "Consent",
                "Consent Date", "Consent Source", "Lead"]


def contact_rows(book: Book, everyone: bool = False) -> tuple[list[dict[str, Any]], int]:
    """Leads with an email, one row per address (the newest lead wins), in the column layout
    Mailchimp, Brevo and most e-mail tools import (CONTACT_KEYS): consented ones only unless
    `everyone`; and how many leads were left out for want of consent."""
    rows: dict[str, dict] = {}
    skipped = 0
    leads = sorted(book.of("lead").values(), key=lambda x: (x.created or dt.date.min, x.id))
    for lead in leads:
        lead: Lead  # type: ignore[no-redef]
        email = normal_email(lead.email)
        if not email or lead.forgotten:
            continue
        if not everyone and not consented(lead):
            skipped += 1
            continue
        first, last = _split(lead.name)
        rows[email] = {"Email Address": email, "First Name": first, "Last Name": last,
                       "Phone Number": lead.phone or "", "Company": lead.company or "",
                       "Tags": ", ".join(lead.tags), "Consent": lead.consent.text if lead.consent else "",
                       "Consent Date": lead.consent.given if lead.consent else None,
                       "Consent Source": lead.consent.form or "" if lead.consent else "", "Lead": lead.id}
    return sorted(rows.values(), key=lambda r: r["Email Address"]), skipped
