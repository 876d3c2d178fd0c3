"""Contact details compared on their normal forms: emails and phones, the index of leads and
partners by them (duplicate detection), and the partners a lead already is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from comptoir.schemas.crm import (
    Lead,
)
from comptoir.schemas.partners import Partner

from ..book import Book
from ..partners import normal_name
from .cleaning import clean_text, phone_key
from .common import ACTIVE_STATUSES, MAX_MATCHES


def normal_email(email: str | None) -> str | None:
    """The form emails are compared in: trimmed, NFC, lower-cased (case-insensitive, like Odoo)."""
    email = (clean_text(email) or "").lower()
    return email or None


def normal_phone(phone: str | None, country: str | None = None) -> str | None:
    """Digits of a phone number in international form (phonenumbers): '+33 6 12..', '0033 6 12..'
    and, with the default country ("FR" or "33"), the national '06 12..' are the same. Fewer than
    6 digits: None (not evidence)."""
    return phone_key(phone, country)


# --- duplicates ----------------------------------------------------------------------------------

@dataclass
class Match:
    kind: str  # "lead" or "partner"
    ident: str
    key: str  # "email" or "phone"


class LeadContact(NamedTuple):
    """What duplicate detection reads of a lead: its email and phone in their normal forms (None:
    no evidence), its status and its creation day. A command may keep these per lead in the store
    (comptoir.app.crmshow) instead of normalising every lead's phone (phonenumbers: 20,000 leads
    in 1.2 s) each time it looks for one lead's duplicates."""
    id: str
    email: str | None
    phone: str | None
    status: str
    created: dt.date | None


def lead_contact(lead: Lead, country: str | None) -> LeadContact:
    return LeadContact(lead.id, normal_email(lead.email), normal_phone(lead.phone, country), lead.status, lead.created)


class ContactIndex:
    """Leads and partners by normalised email and phone, for duplicate detection. `contacts`: every
    lead's LeadContact, when they are known already (then `leads` holds those, not the records)."""

    def __init__(self, book: Book, contacts: Iterable[LeadContact] | None = None) -> None:
        self.country = book.settings.crm.phone_country
        self.by_key: dict[str, list[tuple[str, str]]] = {}
        self.leads: dict[str, Any] = {}
        if contacts is None:
            self.leads = dict(book.of("lead"))
            for lead in self.leads.values():
                self.add_lead(lead)
        else:
            for contact in contacts:
                self.leads[contact.id] = contact
                for key in (f"email:{contact.email}" if contact.email is not None else None,
                            f"phone:{contact.phone}" if contact.phone is not None else None):
                    if key is not None:
                        self._put(key, "lead", contact.id)
        for p in book.of("partner").values():
            self._add("partner", p.id, p.email, p.phone)
            for c in p.contacts:
                self._add("partner", p.id, c.email, c.phone)

    def _keys(self, email: str | None, phone: str | None) -> list[str]:
        keys = []
        if (e := normal_email(email)) is not None:
            keys.append("email:" + e)
        if (p := normal_phone(phone, self.country)) is not None:
            keys.append("phone:" + p)
        return keys

    def _add(self, kind: str, ident: str, email: str | None, phone: str | None) -> None:
        for key in self._keys(email, phone):
            self._put(key, kind, ident)

    def _put(self, key: str, kind: str, ident: str) -> None:
        bucket = self.by_key.setdefault(key, [])
        if (kind, ident) not in bucket:
            bucket.append((kind, ident))

    def add_lead(self, lead: Lead) -> None:
        self.leads[lead.id] = lead
        self._add("lead", lead.id, lead.email, lead.phone)

    def matches(self, email: str | None, phone: str | None, exclude: str | None = None) -> list[Match]:
        """Records sharing the email or the phone, best first: open leads (newest first), partners,
        converted leads, then lost or disqualified leads. Email evidence ranks above phone."""
        found: dict[tuple[str, str], Match] = {}
        for key in self._keys(email, phone):
            bucket = [b for b in self.by_key.get(key, []) if b[1] != exclude]
            if len(bucket) > MAX_MATCHES:
                continue
            for kind, ident in bucket:
                found.setdefault((kind, ident), Match(kind, ident, key.split(":", 1)[0]))

        def rank(m: Match) -> tuple:
            if m.kind == "partner":
                group = 1
            else:
                status = self.leads[m.ident].status
                group = 0 if status in ACTIVE_STATUSES else 2 if status == "converted" else 3
            created = self.leads[m.ident].created if m.kind == "lead" else None
            return (group, m.key != "email", -(created.toordinal() if created else 0), m.ident)

        return sorted(found.values(), key=rank)


def contact_index(book: Book) -> ContactIndex:
    """The index of the book's leads and partners; of the leads' LeadContacts when the book was
    served them (book.derived["crm.lead-contacts"]) instead of the lead records."""
    return ContactIndex(book, book.derived.get("crm.lead-contacts"))


def find_partner_for(book: Book, lead: Lead) -> list[Partner]:
    """Existing partners that are this lead: same email, same phone, or the same company name."""
    country = book.settings.crm.phone_country
    email, phone = normal_email(lead.email), normal_phone(lead.phone, country)
    company = normal_name(lead.company) if lead.company else None
    found = []
    for p in book.of("partner").values():
        p: Partner  # type: ignore[no-redef]
        emails = {normal_email(p.email)} | {normal_email(c.email) for c in p.contacts}
        phones = {normal_phone(p.phone, country)} | {normal_phone(c.phone, country) for c in p.contacts}
        names = {normal_name(p.name), normal_name(p.legal_name) if p.legal_name else None}
        if (email and email in emails) or (phone and phone in phones) or (company and company in names):
            found.append(p)
    return sorted(found, key=lambda p: p.id)
