"""Leads: adding, status moves (the transition table), listing and showing, and conversion to a
customer and an opportunity."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from comptoir.errors import fail
from comptoir.schemas.crm import (
    LEAD_STATUSES,
    Lead,
    Opportunity,
)
from comptoir.schemas.partners import Contact, Partner
from comptoir.schemas.types import Record

from ..book import Book
from ..ids import id_prefix, known, new_id
from ..partners import new_partner_id, validated_partner
from .common import (
    ACTIVE_STATUSES,
    NEEDS_REASON,
    TRANSITIONS,
    default_owner,
    revise,
    taken_ids,
    validated,
)
from .contacts import find_partner_for

# --- leads ---------------------------------------------------------------------------------------

def get_lead(book: Book, ident: str) -> Lead:
    return known(book.of("lead"), ident, "unknown-lead", "lead", "`comptoir crm lead list` shows the ids")


def new_lead(book: Book, fields: dict, today: dt.date, rng: random.Random,
             taken: Iterable[str] = ()) -> Lead:
    """A new lead (status new unless given); its id carries the created date."""
    created = fields.get("created") or today
    status = fields.get("status") or "new"
    if status == "converted":
        raise fail("invalid-status", "a lead cannot be added as converted",
                   "add it, then run `comptoir crm lead convert ID`")
    if status in NEEDS_REASON and not fields.get("lost_reason"):
        raise fail("reason-required", f"a {status} lead needs a reason", "add --reason \"...\"")
    data = {**fields, "created": created, "status": status,
            "owner": default_owner(book, fields.get("owner")),
            "id": new_id(id_prefix(book, "lead"), created, taken_ids(book, "lead", taken), rng)}
    return validated(Lead, data, "lead")


def check_transition(lead: Lead, to: str) -> None:
    """Refuse a status move the table does not allow, listing the moves that are."""
    if to not in LEAD_STATUSES:
        raise fail("invalid-status", f"{to!r} is not a lead status", f"use one of {', '.join(LEAD_STATUSES)}")
    allowed = TRANSITIONS[lead.status]
    if to in allowed:
        return
    listed = ", ".join(allowed) if allowed else "none: converted is final"
    hint = f"from {lead.status} a lead may move to: {listed}"
    if to == "converted" and lead.status == "lost":
        hint += "; re-open it first (`--status contacted`)"
    raise fail("invalid-transition", f"lead {lead.id} cannot move from {lead.status} to {to}", hint)


@dataclass
class LeadChange:
    lead: Lead
    old_status: str
    fields: list[str]  # every field that changed
    reason: str | None = None
    asked: list[str] = field(default_factory=list)  # the fields the user set (a move clears others)

    def subject(self) -> str:
        parts = []
        if self.lead.status != self.old_status:
            move = f"Lead {self.lead.id} {self.old_status} -> {self.lead.status}"
            parts.append(move + (f" ({self.reason})" if self.reason else ""))
        others = [f for f in self.asked if f not in ("status", "lost_reason")]
        if not parts and not others and "lost_reason" in self.fields:
            others = ["lost_reason"]
        if others:
            parts.append(("set " if parts else f"Update lead {self.lead.id}: ") + ", ".join(others))
        return "; ".join(parts)


def update_lead(book: Book, lead: Lead, changes: dict, status: str | None, reason: str | None) -> LeadChange:
    """Apply field changes and a status move (checked against TRANSITIONS). `changes` maps a field
    to its new value; None clears it."""
    if "status" in changes:
        raise fail("use-status", "set the status with --status", "")
    new_status = status or lead.status
    updates = dict(changes)
    if status and status != lead.status:
        check_transition(lead, status)
        if status == "converted":
            raise fail("use-convert", f"lead {lead.id}: converting also creates the customer and the opportunity",
                       f"run `comptoir crm lead convert {lead.id}`")
        updates["status"] = status
        if status in NEEDS_REASON:
            if not reason:
                raise fail("reason-required", f"lead {lead.id}: moving to {status} needs a reason",
                           "add --reason \"price\" (or whatever the reason is)")
            updates["lost_reason"] = reason
        elif status != "disqualified":
            updates["lost_reason"] = None  # re-opened: the old reason stays in the file's history
        if status in ("lost", "disqualified"):
            updates["follow_up"] = None
    if reason and new_status in ("lost", "disqualified"):
        updates["lost_reason"] = reason
    elif reason:
        raise fail("reason-without-loss", "--reason goes with --status lost or disqualified",
                   "drop --reason, or add --note to record why")
    revised = revise(lead, f"lead {lead.id}", **updates)
    changed = [f for f in Lead.model_fields if getattr(lead, f) != getattr(revised, f)]
    asked = [f for f in changed if f in changes or f == "status"]  # not what the move cleared by itself
    return LeadChange(revised, lead.status, changed, updates.get("lost_reason") if "status" in updates else reason,
                      asked)


def lead_rows(book: Book, today: dt.date, statuses: tuple[str, ...] = (), owners: set[str] | None = None,
              sources: tuple[str, ...] = (), tags: tuple[str, ...] = (), due: bool = False,
              sort: str = "newest", limit: int | None = None, consented: bool = False,
              campaigns: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Leads filtered and sorted (newest, age or score), with their age and consent date."""
    rows = []
    status_set, source_set, tag_set = set(statuses), set(sources), set(tags)
    for lead in book.of("lead").values():
        if status_set and lead.status not in status_set:
            continue
        if source_set and lead.source not in source_set:
            continue
        if owners is not None and (lead.owner or "").lower() not in owners:
            continue
        if tag_set and not tag_set.intersection(lead.tags):
            continue
        if consented and (lead.consent is None or lead.forgotten):
            continue
        if campaigns and lead.campaign not in campaigns:
            continue
        if due and not (lead.follow_up and lead.follow_up <= today
                        and lead.status in ACTIVE_STATUSES):
            continue
        rows.append(lead)
    if sort == "score":
        rows.sort(key=lambda r: (-(r.score if r.score is not None else -1), r.id))
    elif sort == "age":
        rows.sort(key=lambda r: (r.created or dt.date.max, r.id))
    else:
        rows.sort(key=lambda r: (r.created or dt.date.min, r.id), reverse=True)
    if limit:
        rows = rows[:limit]
    return [{"id": r.id, "created": r.created, "age": (today - r.created).days if r.created else None,
             "name": r.name, "company": r.company or "", "source": r.source, "owner": r.owner or "",
             "status": r.status, "score": r.score, "follow_up": r.follow_up, "email": r.email or "",
             "campaign": r.campaign or "", "consent": r.consent.given if r.consent else None}
            for r in rows]


def record_rows(record: Record) -> tuple[list[dict], dict]:
    data = record.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    rows = []
    for key, value in data.items():
        if isinstance(value, list):
            if value and isinstance(value[0], dict):
                continue  # lines are shown as their own rows
            value = ", ".join(str(v) for v in value)
        rows.append({"field": key, "value": str(value)})
    return rows, data



# --- conversion ----------------------------------------------------------------------------------

@dataclass
class Conversion:
    lead: Lead
    partner: Partner
    partner_new: bool
    partner_changed: bool
    opportunity: Opportunity
    records: list[tuple[str, Record]] = field(default_factory=list)  # (kind name, record) to write



def convert_lead(book: Book, lead_id: str, today: dt.date, rng: random.Random, *, partner_id: str | None = None,
                 new_partner: bool = False, title: str | None = None, amount: Decimal | None = None,
                 currency: str | None = None, close: dt.date | None = None, owner: str | None = None) -> Conversion:
    """Lead -> customer (found or new) + opportunity in qualification; the lead becomes converted."""
    lead = get_lead(book, lead_id)
    if lead.status == "converted":
        raise fail("already-converted", f"lead {lead.id} was converted on {lead.converted} "
                   f"(customer {lead.partner}, opportunity {lead.opportunity})", "nothing to do")
    check_transition(lead, "converted")
    partner_new = partner_changed = False
    if partner_id or (lead.partner and not new_partner):
        target = partner_id or lead.partner
        partner = book.of("partner").get(target)  # type: ignore[arg-type]
        if partner is None:
            raise fail("unknown-partner", f"there is no partner {target}", "`comptoir partner list` shows the ids")
    elif new_partner:
        partner = None
    else:
        candidates = find_partner_for(book, lead)
        if len(candidates) > 1:
            raise fail("ambiguous-partner", f"lead {lead.id} matches several partners: "
                       + ", ".join(f"{p.id} ({p.name})" for p in candidates),
                       "pick one with --partner ID, or create a new one with --new-partner")
        partner = candidates[0] if candidates else None
    if partner is None:
        name = lead.company or lead.name
        contacts = [Contact(name=lead.name, email=lead.email, phone=lead.phone)] if lead.company else []
        partner = validated_partner({
            "id": new_partner_id(book, name), "name": name, "roles": ["customer"], "email": lead.email,
            "phone": lead.phone, "contacts": [c.model_dump(exclude_none=True) for c in contacts],
            "created": today, "lead": lead.id})
        partner_new = True
    elif not partner.has_role("customer"):
        partner = revise(partner, f"partner {partner.id}", roles=[*partner.roles, "customer"])
        partner_changed = True
    opp_owner = default_owner(book, owner or lead.owner)
    opp_title = title or (f"{partner.name}: {lead.interest}" if lead.interest else partner.name)
    opp = validated(Opportunity, {
        "id": new_id(id_prefix(book, "opportunity"), today, set(book.of("opportunity")), rng), "created": today, "title": opp_title[:120],
        "partner": partner.id, "lead": lead.id, "owner": opp_owner, "stage": "qualification",
        "amount": amount, "currency": None if currency in (None, book.base) else currency,
        "expected_close": close}, "opportunity")
    converted = revise(lead, f"lead {lead.id}", status="converted", converted=today, partner=partner.id,
                       opportunity=opp.id, follow_up=None, lost_reason=None)
    records: list[tuple[str, Record]] = [("lead", converted), ("opportunity", opp)]
    if partner_new or partner_changed:
        records.insert(0, ("partner", partner))
    return Conversion(converted, partner, partner_new, partner_changed, opp, records)
