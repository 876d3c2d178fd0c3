"""The CRM's rules: lead status moves, duplicates, activities and follow-ups, conversion to a
customer and an opportunity, opportunity stages and probabilities, and the checks on stored records.

Every function here takes a loaded Book (plus the clock and a random source for ids) and
returns new records or Tables; the commands stage and commit them.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from comptoir.errors import ComptoirError, Problem, fail
from comptoir.schemas.crm import (
    ACTIVITY_TYPES,
    LEAD_STATUSES,
    OPEN_STAGES,
    STAGES,
    Activity,
    Lead,
    Opportunity,
)
from comptoir.schemas.partners import Contact, Partner
from comptoir.schemas.types import Record, currency_places, places_of

from .book import Book
from .ids import new_id
from .ledger import rate_on, round_to
from .partners import new_partner_id, normal_name, validated_partner
from .table import Column, Table, money, text
from .validation import rule

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

def validated(model: type[Record], data: dict, what: str) -> Any:
    """Build a record from plain data; problems name the field, for input that is not a file."""
    clean = {k: v for k, v in data.items() if v is not None and v != []}
    try:
        return model.model_validate(clean)
    except ValidationError as exc:
        raise ComptoirError([
            Problem("", 0, "invalid-value",
                    f"{what}: {'.'.join(str(p) for p in e['loc']) or 'record'}: {e['msg'].removeprefix('Value error, ')}",
                    "see --help for the expected form")
            for e in exc.errors(include_url=False)]) from None


def revise(record: Record, what: str, **changes: Any) -> Any:
    """A copy of a record with fields changed (None clears a field), validated again."""
    data = record.model_dump(mode="python")
    data.update(changes)
    return validated(type(record), data, what)


def normal_email(email: str | None) -> str | None:
    email = (email or "").strip().lower()
    return email or None


def normal_phone(phone: str | None, country: str | None = None) -> str | None:
    """Digits of a phone number in international form when it can tell: '+33 6 12' and '0033 6 12'
    are the same; with `country` ('33') the national '06 12' is too. Fewer than 6 digits: None."""
    if not phone:
        return None
    raw = phone.strip()
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+"):
        pass
    elif digits.startswith("00"):
        digits = digits[2:]
    elif country and digits.startswith("0"):
        digits = country + digits[1:]
    return digits if len(digits) >= 6 else None


def owner_matches(owner: str | None, wanted: set[str] | None) -> bool:
    if wanted is None:
        return True
    return (owner or "").lower() in wanted


def default_owner(book: Book, owner: str | None) -> str | None:
    return owner or book.settings.crm.owner


def _taken(book: Book, kind: str, extra: Iterable[str] = ()) -> set[str]:
    return set(book.of(kind)) | set(extra)


# --- duplicates ----------------------------------------------------------------------------------

@dataclass
class Match:
    kind: str  # "lead" or "partner"
    ident: str
    key: str  # "email" or "phone"


class ContactIndex:
    """Leads and partners by normalised email and phone, for duplicate detection."""

    def __init__(self, book: Book) -> None:
        self.country = book.settings.crm.phone_country
        self.by_key: dict[str, list[tuple[str, str]]] = {}
        self.leads: dict[str, Lead] = dict(book.of("lead"))  # type: ignore[arg-type]
        for lead in self.leads.values():
            self.add_lead(lead)
        for p in book.of("partner").values():
            self._add("partner", p.id, p.email, p.phone)  # type: ignore[attr-defined]
            for c in p.contacts:  # type: ignore[attr-defined]
                self._add("partner", p.id, c.email, c.phone)  # type: ignore[attr-defined]

    def _keys(self, email: str | None, phone: str | None) -> list[str]:
        keys = []
        if (e := normal_email(email)) is not None:
            keys.append("email:" + e)
        if (p := normal_phone(phone, self.country)) is not None:
            keys.append("phone:" + p)
        return keys

    def _add(self, kind: str, ident: str, email: str | None, phone: str | None) -> None:
        for key in self._keys(email, phone):
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
    return ContactIndex(book)


# --- leads ---------------------------------------------------------------------------------------

def get_lead(book: Book, ident: str) -> Lead:
    lead = book.of("lead").get(ident)
    if lead is None:
        raise fail("unknown-lead", f"there is no lead {ident}", "`comptoir crm lead list` shows the ids")
    return lead  # type: ignore[return-value]


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
            "id": new_id("L", created, _taken(book, "lead", taken), rng)}
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


def leads_table(book: Book, today: dt.date, statuses: tuple[str, ...] = (), owners: set[str] | None = None,
                sources: tuple[str, ...] = (), tags: tuple[str, ...] = (), due: bool = False,
                sort: str = "newest", limit: int | None = None) -> Table:
    rows = []
    status_set, source_set, tag_set = set(statuses), set(sources), set(tags)
    for lead in book.of("lead").values():
        if status_set and lead.status not in status_set:  # type: ignore[attr-defined]
            continue
        if source_set and lead.source not in source_set:  # type: ignore[attr-defined]
            continue
        if owners is not None and (lead.owner or "").lower() not in owners:  # type: ignore[attr-defined]
            continue
        if tag_set and not tag_set.intersection(lead.tags):  # type: ignore[attr-defined]
            continue
        if due and not (lead.follow_up and lead.follow_up <= today  # type: ignore[attr-defined]
                        and lead.status in ACTIVE_STATUSES):  # type: ignore[attr-defined]
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
    out = [{"id": r.id, "created": r.created, "age": (today - r.created).days if r.created else None,
            "name": r.name, "company": r.company or "", "source": r.source, "owner": r.owner or "",
            "status": r.status, "score": r.score, "follow_up": r.follow_up, "email": r.email or ""}
           for r in rows]
    cols = [text("id", "Id"), Column("created", "Created", "date"), Column("age", "Age (d)", "int"),
            text("name", "Name"), text("company", "Company"), text("source", "Source"), text("owner", "Owner"),
            text("status", "Status"), Column("score", "Score", "int"), Column("follow_up", "Follow-up", "date"),
            text("email", "Email")]
    return Table("leads", cols, out, title=f"Leads ({len(out)})")


def activities_of(book: Book, *, lead: str | None = None, opportunity: str | None = None,
                  partner: str | None = None) -> list[Activity]:
    out = []
    for a in book.of("activity").values():
        if (lead and a.lead == lead) or (opportunity and a.opportunity == opportunity) \
                or (partner and a.partner == partner):  # type: ignore[attr-defined]
            out.append(a)
    return sorted(out, key=lambda a: (a.date, a.id))  # type: ignore[attr-defined]


def _record_rows(record: Record) -> tuple[list[dict], dict]:
    data = record.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    rows = []
    for key, value in data.items():
        if isinstance(value, list):
            if value and isinstance(value[0], dict):
                continue  # lines are shown as their own rows
            value = ", ".join(str(v) for v in value)
        rows.append({"field": key, "value": str(value)})
    return rows, data


def _activity_line(a: Activity) -> str:
    state = ""
    if a.is_open:
        state = f" due {a.due}" if a.due else " open"
    elif a.done and (a.type == "task" or a.due):
        state = f" done {a.done_on}" if a.done_on else " done"
    who = f" ({a.owner})" if a.owner else ""
    return f"{a.date} {a.type:<7} {a.subject}{who}{state} [{a.id}]"


def _activity_dict(a: Activity) -> dict:
    return a.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


def lead_table(book: Book, lead: Lead, today: dt.date) -> Table:
    rows, data = _record_rows(lead)
    acts = activities_of(book, lead=lead.id)
    notes = [f"allowed moves: {', '.join(TRANSITIONS[lead.status]) or 'none (converted is final)'}"]
    if lead.created:
        notes.append(f"age: {(today - lead.created).days} days")
    dupes = [m for m in contact_index(book).matches(lead.email, lead.phone, exclude=lead.id)]
    if dupes:
        notes.append("possible duplicates: " + ", ".join(f"{m.kind} {m.ident} (same {m.key})" for m in dupes))
    notes += [_activity_line(a) for a in acts] or ["no activities yet"]
    t = Table("lead", [text("field", "Field"), text("value", "Value")], rows,
              title=f"Lead {lead.id}: {lead.name}" + (f", {lead.company}" if lead.company else ""), notes=notes)
    t.meta.update({"lead": data, "allowed_moves": list(TRANSITIONS[lead.status]),
                   "activities": [_activity_dict(a) for a in acts],
                   "duplicates": [{"kind": m.kind, "id": m.ident, "same": m.key} for m in dupes]})
    return t


# --- activities ----------------------------------------------------------------------------------

def get_activity(book: Book, ident: str) -> Activity:
    act = book.of("activity").get(ident)
    if act is None:
        raise fail("unknown-activity", f"there is no activity {ident}", "`comptoir crm activity list` shows the ids")
    return act  # type: ignore[return-value]


def check_links(book: Book, lead: str | None, opportunity: str | None, partner: str | None,
                staged: dict[str, set[str]] | None = None) -> None:
    staged = staged or {}
    for kind, ident, hint in (("lead", lead, "crm lead list"), ("opportunity", opportunity, "crm opp list"),
                              ("partner", partner, "partner list")):
        if ident and ident not in book.of(kind) and ident not in staged.get(kind, set()):
            raise fail(f"unknown-{kind}", f"there is no {kind} {ident}", f"`comptoir {hint}` shows the ids")


def new_activity(book: Book, fields: dict, rng: random.Random, taken: Iterable[str] = ()) -> Activity:
    """A new activity; `fields` holds at least type, subject, date and one link."""
    if fields.get("type") not in ACTIVITY_TYPES:
        raise fail("invalid-type", f"{fields.get('type')!r} is not an activity type", f"use one of {', '.join(ACTIVITY_TYPES)}")
    day = fields["date"]
    data = {**fields, "id": new_id("ACT", day, _taken(book, "activity", taken), rng)}
    if data.get("done") and not data.get("done_on") and (data["type"] == "task" or data.get("due")):
        data["done_on"] = day
    return validated(Activity, data, "activity")


def complete_activity(act: Activity, day: dt.date) -> Activity:
    if act.done:
        raise fail("already-done", f"activity {act.id} is already done" + (f" ({act.done_on})" if act.done_on else ""),
                   "nothing to do")
    return revise(act, f"activity {act.id}", done=True, done_on=day)


def activities_table(book: Book, today: dt.date, *, lead: str | None = None, opportunity: str | None = None,
                     partner: str | None = None, owners: set[str] | None = None, types: tuple[str, ...] = (),
                     open_only: bool = False, overdue: bool = False, start: dt.date | None = None,
                     end: dt.date | None = None, limit: int | None = None) -> Table:
    rows = []
    for a in book.of("activity").values():
        a: Activity  # type: ignore[no-redef]
        if lead and a.lead != lead or opportunity and a.opportunity != opportunity \
                or partner and a.partner != partner:
            continue
        if types and a.type not in types:
            continue
        if not owner_matches(a.owner, owners):
            continue
        if open_only and not a.is_open:
            continue
        if overdue and not (a.is_open and a.due and a.due < today):
            continue
        if (start and a.date < start) or (end and a.date > end):
            continue
        rows.append(a)
    rows.sort(key=lambda a: (a.date, a.id), reverse=True)
    if limit:
        rows = rows[:limit]
    out = [{"id": a.id, "date": a.date, "type": a.type, "subject": a.subject, "owner": a.owner or "",
            "link": a.lead or a.opportunity or a.partner, "due": a.due,
            "done": a.done if (a.type == "task" or a.due) else None} for a in rows]
    cols = [text("id", "Id"), Column("date", "Date", "date"), text("type", "Type"), text("subject", "Subject"),
            text("owner", "Owner"), text("link", "For"), Column("due", "Due", "date"), Column("done", "Done", "bool")]
    return Table("activities", cols, out, title=f"Activities ({len(out)})")


def followups_table(book: Book, today: dt.date, owners: set[str] | None = None, overdue: bool = False,
                    days: int = 0) -> Table:
    """What is due by today (+days): open tasks and planned activities, and leads' follow-up dates.
    With `overdue`, only what was due before today."""
    horizon = today - dt.timedelta(days=1) if overdue else today + dt.timedelta(days=days)
    leads = book.of("lead")
    opps = book.of("opportunity")
    rows = []
    for a in book.of("activity").values():
        a: Activity  # type: ignore[no-redef]
        if not (a.is_open and a.due and a.due <= horizon):
            continue
        if not owner_matches(a.owner, owners):
            continue
        link = a.lead or a.opportunity or a.partner
        who = ""
        if a.lead in leads:
            who = leads[a.lead].company or leads[a.lead].name  # type: ignore[attr-defined]
        elif a.opportunity in opps:
            who = opps[a.opportunity].title  # type: ignore[attr-defined]
        elif a.partner in book.of("partner"):
            who = book.of("partner")[a.partner].name  # type: ignore[attr-defined]
        rows.append({"due": a.due, "days_late": max((today - a.due).days, 0), "what": a.type, "id": a.id,
                     "subject": a.subject, "for": link, "who": who, "owner": a.owner or ""})
    for lead in leads.values():
        lead: Lead  # type: ignore[no-redef]
        if not (lead.follow_up and lead.follow_up <= horizon and lead.status in ACTIVE_STATUSES):
            continue
        if not owner_matches(lead.owner, owners):
            continue
        rows.append({"due": lead.follow_up, "days_late": max((today - lead.follow_up).days, 0), "what": "follow-up",
                     "id": lead.id, "subject": f"follow up ({lead.status})", "for": lead.id,
                     "who": lead.company or lead.name, "owner": lead.owner or ""})
    rows.sort(key=lambda r: (r["due"], r["id"]))
    cols = [Column("due", "Due", "date"), Column("days_late", "Late (d)", "int"), text("what", "What"),
            text("id", "Id"), text("subject", "Subject"), text("for", "For"), text("who", "Who"),
            text("owner", "Owner")]
    title = "Overdue follow-ups" if overdue else f"Follow-ups due by {horizon}"
    return Table("followups", cols, rows, title=f"{title} ({len(rows)})")


# --- conversion ----------------------------------------------------------------------------------

@dataclass
class Conversion:
    lead: Lead
    partner: Partner
    partner_new: bool
    partner_changed: bool
    opportunity: Opportunity
    records: list[tuple[str, Record]] = field(default_factory=list)  # (kind name, record) to write


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
    elif not partner.has_role("customer"):  # type: ignore[union-attr]
        partner = revise(partner, f"partner {partner.id}", roles=[*partner.roles, "customer"])  # type: ignore[union-attr]
        partner_changed = True
    opp_owner = default_owner(book, owner or lead.owner)
    opp_title = title or (f"{partner.name}: {lead.interest}" if lead.interest else partner.name)  # type: ignore[union-attr]
    opp = validated(Opportunity, {
        "id": new_id("OPP", today, set(book.of("opportunity")), rng), "created": today, "title": opp_title[:120],
        "partner": partner.id, "lead": lead.id, "owner": opp_owner, "stage": "qualification",  # type: ignore[union-attr]
        "amount": amount, "currency": None if currency in (None, book.base) else currency,
        "expected_close": close}, "opportunity")
    converted = revise(lead, f"lead {lead.id}", status="converted", converted=today, partner=partner.id,  # type: ignore[union-attr]
                       opportunity=opp.id, follow_up=None, lost_reason=None)
    records: list[tuple[str, Record]] = [("lead", converted), ("opportunity", opp)]
    if partner_new or partner_changed:
        records.insert(0, ("partner", partner))  # type: ignore[arg-type]
    return Conversion(converted, partner, partner_new, partner_changed, opp, records)  # type: ignore[arg-type]


# --- opportunities -------------------------------------------------------------------------------

def get_opportunity(book: Book, ident: str) -> Opportunity:
    opp = book.of("opportunity").get(ident)
    if opp is None:
        raise fail("unknown-opportunity", f"there is no opportunity {ident}", "`comptoir crm opp list` shows the ids")
    return opp  # type: ignore[return-value]


def probability(book: Book, opp: Opportunity) -> int:
    """The opportunity's own probability, else its stage's default; won is 100 and lost 0 always."""
    if opp.stage == "won":
        return 100
    if opp.stage == "lost":
        return 0
    if opp.probability is not None:
        return opp.probability
    return book.settings.crm.stage_probability(opp.stage)


def line_total(opp: Opportunity) -> Decimal | None:
    priced = [ln for ln in opp.lines if ln.price is not None]
    if not priced:
        return None
    return sum((ln.qty * ln.price for ln in priced), Decimal(0))  # type: ignore[operator]


def amount_of(opp: Opportunity) -> Decimal | None:
    """The amount as stated, else the total of its priced lines (in the opportunity's currency)."""
    if opp.amount is not None:
        return opp.amount
    return line_total(opp)


def base_amount(book: Book, opp: Opportunity, day: dt.date) -> Decimal | None:
    """The amount in the base currency (latest rate on or before `day`); None without amount or rate."""
    amount = amount_of(opp)
    if amount is None:
        return None
    cur = opp.currency or book.base
    if cur == book.base:
        return amount
    rate = rate_on(book, cur, day)
    if rate is None:
        return None
    return round_to(amount * rate, currency_places(book.base))


def weighted(book: Book, opp: Opportunity, day: dt.date) -> Decimal | None:
    amount = base_amount(book, opp, day)
    if amount is None:
        return None
    return round_to(amount * probability(book, opp) / 100, currency_places(book.base))


def money_text(amount: Decimal | None, currency: str) -> str:
    """'13,680.00 EUR': an amount as a person reads it in a message."""
    if amount is None:
        return f"no amount ({currency})"
    return f"{round_to(amount, currency_places(currency)):,} {currency}"


def parse_lines(raw: Iterable[tuple[str, str, str | None]]) -> list[dict]:
    from comptoir.schemas.types import to_decimal

    out = []
    for item, qty, price in raw:
        try:
            out.append({"item": item, "qty": to_decimal(qty),
                        "price": to_decimal(price) if price not in (None, "", "-") else None})
        except ValueError as exc:
            raise fail("invalid-line", f"line {item} {qty} {price}: {exc}",
                       "write --line ITEM QTY PRICE, like --line ETH-GUJI-1KG 20 24.50") from None
    return out


def _check_stage_input(stage: str) -> None:
    if stage not in STAGES:
        raise fail("invalid-stage", f"{stage!r} is not a stage", f"use one of {', '.join(STAGES)}")
    if stage == "won":
        raise fail("use-win", "an opportunity is won with `comptoir crm opp win ID`",
                   "win also records the close date and hands the lines to sales")
    if stage == "lost":
        raise fail("use-lose", "an opportunity is lost with `comptoir crm opp lose ID --reason ...`", "")


def new_opportunity(book: Book, fields: dict, today: dt.date, rng: random.Random) -> Opportunity:
    stage = fields.get("stage") or "qualification"
    _check_stage_input(stage)
    partner = fields.get("partner")
    if partner not in book.of("partner"):
        raise fail("unknown-partner", f"there is no partner {partner}",
                   "`comptoir partner list` shows the ids; `comptoir partner add` creates one")
    if fields.get("lead"):
        get_lead(book, fields["lead"])
    data = {**fields, "stage": stage, "created": fields.get("created") or today,
            "owner": default_owner(book, fields.get("owner")),
            "currency": None if fields.get("currency") in (None, book.base) else fields["currency"],
            "id": new_id("OPP", fields.get("created") or today, set(book.of("opportunity")), rng)}
    opp = validated(Opportunity, data, "opportunity")
    _check_places(book, opp)
    return opp


def _check_places(book: Book, opp: Opportunity) -> None:
    cur = opp.currency or book.base
    if opp.amount is not None and places_of(opp.amount) > currency_places(cur):
        raise fail("too-many-places", f"{opp.amount} has more decimal places than {cur} allows",
                   f"round the amount to {currency_places(cur)} places")


@dataclass
class OppChange:
    opportunity: Opportunity
    old_stage: str
    fields: list[str]

    def subject(self) -> str:
        o = self.opportunity
        parts = []
        if o.stage != self.old_stage:
            parts.append(f"Opportunity {o.id} {self.old_stage} -> {o.stage}")
        others = [f for f in self.fields if f not in ("stage", "closed", "lost_reason")]
        if others:
            parts.append(("set " if parts else f"Update opportunity {o.id}: ") + ", ".join(others))
        return "; ".join(parts)


def update_opportunity(book: Book, opp: Opportunity, changes: dict, stage: str | None) -> OppChange:
    updates = dict(changes)
    if stage and stage != opp.stage:
        _check_stage_input(stage)
        if opp.stage == "won":
            raise fail("invalid-transition", f"opportunity {opp.id} is won: that is final",
                       "open a new opportunity for new business")
        updates["stage"] = stage
        if opp.stage == "lost":  # re-opened
            updates.update(closed=None, lost_reason=None)
    elif opp.stage in ("won", "lost") and set(updates) & {"amount", "lines", "probability", "currency"}:
        raise fail("closed-opportunity", f"opportunity {opp.id} is {opp.stage}; its figures are final",
                   "re-open a lost one with --stage, or open a new opportunity")
    if "partner" in updates and updates["partner"] not in book.of("partner"):
        raise fail("unknown-partner", f"there is no partner {updates['partner']}", "`comptoir partner list` shows the ids")
    revised = revise(opp, f"opportunity {opp.id}", **updates)
    _check_places(book, revised)
    changed = [f for f in Opportunity.model_fields if getattr(opp, f) != getattr(revised, f)]
    return OppChange(revised, opp.stage, changed)


@dataclass
class Win:
    opportunity: Opportunity
    records: list[tuple[Any, Record]] = field(default_factory=list)  # (Kind, record) from the sales hook
    order_id: str | None = None
    promise_date: dt.date | None = None
    message: str = ""  # why no order was made, when none was


SALES_HOOK = "comptoir.domain.sales:order_from_opportunity"


def sales_hook():
    """The sales order builder, once the sales module provides it (None until then)."""
    module, _, attr = SALES_HOOK.partition(":")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError):
        return None


def win_opportunity(book: Book, opp: Opportunity, day: dt.date, rng: random.Random,
                    amount: Decimal | None = None, make_order: bool = True) -> Win:
    """Mark won (probability 100, close date), and turn the lines into a sales order when sales can."""
    if opp.stage == "won":
        raise fail("already-won", f"opportunity {opp.id} was won on {opp.closed}", "nothing to do")
    if opp.stage == "lost":
        raise fail("invalid-transition", f"opportunity {opp.id} is lost",
                   f"re-open it first: `comptoir crm opp update {opp.id} --stage negotiation`")
    changes: dict = {"stage": "won", "closed": day, "probability": None}
    if amount is not None:
        changes["amount"] = amount
    won = revise(opp, f"opportunity {opp.id}", **changes)
    _check_places(book, won)
    if amount_of(won) is None:
        raise fail("no-amount", f"opportunity {opp.id} has no amount and no priced lines",
                   "give --amount, or add lines with `crm opp update ID --line ITEM QTY PRICE`")
    result = Win(won)
    if not make_order:
        result.message = "no sales order requested (--no-order)"
        return result
    if not won.lines:
        result.message = "no lines, so no sales order was created; add lines before winning to get one"
        return result
    hook = sales_hook()
    if hook is None:
        result.message = (f"sales orders are not available yet ({SALES_HOOK} is missing): the opportunity is "
                          "marked won; create the order by hand when the sales module lands")
        return result
    draft = hook(book, won, day, rng)
    result.order_id = draft.order_id
    result.promise_date = getattr(draft, "promise_date", None)
    result.records = list(draft.records)
    result.opportunity = revise(won, f"opportunity {opp.id}", sales_order=draft.order_id)
    return result


def lose_opportunity(opp: Opportunity, day: dt.date, reason: str) -> Opportunity:
    if opp.stage == "lost":
        raise fail("already-lost", f"opportunity {opp.id} was lost on {opp.closed} ({opp.lost_reason})", "nothing to do")
    if opp.stage == "won":
        raise fail("invalid-transition", f"opportunity {opp.id} is won: that is final",
                   "a cancelled order is handled in sales")
    if not reason or not reason.strip():
        raise fail("reason-required", "a lost opportunity needs a reason", "add --reason \"price\"")
    return revise(opp, f"opportunity {opp.id}", stage="lost", closed=day, lost_reason=reason, probability=None)


def opportunities_table(book: Book, today: dt.date, stages: tuple[str, ...] = (), owners: set[str] | None = None,
                        partner: str | None = None, open_only: bool = False,
                        closing_before: dt.date | None = None) -> Table:
    rows = []
    stage_order = {s: i for i, s in enumerate(STAGES)}
    for o in book.of("opportunity").values():
        o: Opportunity  # type: ignore[no-redef]
        if stages and o.stage not in stages or open_only and o.stage not in OPEN_STAGES:
            continue
        if partner and o.partner != partner or not owner_matches(o.owner, owners):
            continue
        if closing_before and not (o.expected_close and o.expected_close <= closing_before):
            continue
        rows.append(o)
    rows.sort(key=lambda o: (stage_order[o.stage], o.expected_close or dt.date.max, o.id))
    places = currency_places(book.base)
    out = [{"id": o.id, "title": o.title, "partner": o.partner, "owner": o.owner or "", "stage": o.stage,
            "amount": amount_of(o), "currency": o.currency or book.base, "probability": probability(book, o),
            "weighted": weighted(book, o, today), "expected_close": o.expected_close, "closed": o.closed}
           for o in rows]
    cols = [text("id", "Id"), text("title", "Title"), text("partner", "Partner"), text("owner", "Owner"),
            text("stage", "Stage"), money("amount", "Amount", places), text("currency", "Cur"),
            Column("probability", "Prob %", "int"), money("weighted", f"Weighted ({book.base})", places),
            Column("expected_close", "Close", "date"), Column("closed", "Closed", "date")]
    return Table("opportunities", cols, out, title=f"Opportunities ({len(out)})")


def opportunity_table(book: Book, opp: Opportunity, today: dt.date) -> Table:
    rows, data = _record_rows(opp)
    rows.append({"field": "probability (effective)", "value": f"{probability(book, opp)}%"})
    total = amount_of(opp)
    if opp.amount is None and total is not None:
        rows.append({"field": "amount (from lines)", "value": str(total)})
    w = weighted(book, opp, today)
    if w is not None:
        rows.append({"field": f"weighted ({book.base})", "value": str(w)})
    notes = []
    for ln in opp.lines:
        value = f" = {ln.qty * ln.price}" if ln.price is not None else ""
        notes.append(f"line: {ln.item} x {ln.qty}" + (f" @ {ln.price}" if ln.price is not None else "") + value)
    acts = activities_of(book, opportunity=opp.id)
    notes += [_activity_line(a) for a in acts]
    t = Table("opportunity", [text("field", "Field"), text("value", "Value")], rows,
              title=f"Opportunity {opp.id}: {opp.title}", notes=notes)
    t.meta.update({"opportunity": data, "probability": probability(book, opp),
                   "weighted": w, "activities": [_activity_dict(a) for a in acts]})
    return t


# --- rules on the stored records -----------------------------------------------------------------

@rule(reads=("activity", "item", "lead", "opportunity", "partner"))
def crm_links(book: Book) -> list[Problem]:
    """Leads, opportunities and activities point at records that exist, and closed ones say why."""
    out: list[Problem] = []
    leads, opps, partners = book.of("lead"), book.of("opportunity"), book.of("partner")
    items = book.of("item")
    for ident, lead in leads.items():
        lead: Lead  # type: ignore[no-redef]
        src = book.source("lead", ident)
        if lead.status == "lost" and not lead.lost_reason:
            out.append(Problem(src, 0, "lost-without-reason", f"lead {ident} is lost but says no reason",
                               "add `lost_reason:` (price, timing, competitor, no budget ...)", loc=("status",)))
        if lead.partner and lead.partner not in partners:
            out.append(Problem(src, 0, "unknown-partner", f"lead {ident}: partner {lead.partner} does not exist",
                               "fix `partner:` or add the partner", loc=("partner",)))
        if lead.opportunity and lead.opportunity not in opps:
            out.append(Problem(src, 0, "unknown-opportunity",
                               f"lead {ident}: opportunity {lead.opportunity} does not exist",
                               "fix `opportunity:`", loc=("opportunity",)))
        if lead.status == "converted" and not lead.partner:
            out.append(Problem(src, 0, "converted-without-customer", f"lead {ident} is converted but names no customer",
                               "set `partner:` to the customer it became", severity="warning", loc=("status",)))
        if items:
            for i, sku in enumerate(lead.items):
                if sku not in items:
                    out.append(Problem(src, 0, "unknown-item", f"lead {ident}: item {sku} is not in the catalogue",
                                       "fix the SKU or add the item", severity="warning", loc=("items", i)))
    for ident, o in opps.items():
        o: Opportunity  # type: ignore[no-redef]
        src = book.source("opportunity", ident)
        if o.partner not in partners:
            out.append(Problem(src, 0, "unknown-partner", f"opportunity {ident}: partner {o.partner} does not exist",
                               "fix `partner:` or add the partner with `comptoir partner add`", loc=("partner",)))
        if o.lead and o.lead not in leads:
            out.append(Problem(src, 0, "unknown-lead", f"opportunity {ident}: lead {o.lead} does not exist",
                               "fix `lead:`", loc=("lead",)))
        if o.stage == "lost" and not o.lost_reason:
            out.append(Problem(src, 0, "lost-without-reason", f"opportunity {ident} is lost but says no reason",
                               "add `lost_reason:`", loc=("stage",)))
        if o.stage == "won" and amount_of(o) is None:
            out.append(Problem(src, 0, "won-without-amount", f"opportunity {ident} is won but has no amount",
                               "add `amount:` or priced lines", severity="warning", loc=("stage",)))
        cur = o.currency or book.base
        if o.amount is not None and places_of(o.amount) > currency_places(cur):
            out.append(Problem(src, 0, "too-many-places", f"opportunity {ident}: {o.amount} has more places than {cur} allows",
                               f"round to {currency_places(cur)} places", loc=("amount",)))
        if items:
            for i, ln in enumerate(o.lines):
                if ln.item not in items:
                    out.append(Problem(src, 0, "unknown-item", f"opportunity {ident}: item {ln.item} is not in the catalogue",
                                       "fix the SKU or add the item", loc=("lines", i, "item")))
    seen_submissions: dict[str, str] = {}
    for ident, a in book.of("activity").items():
        a: Activity  # type: ignore[no-redef]
        for kind, target, where in (("lead", a.lead, leads), ("opportunity", a.opportunity, opps),
                                    ("partner", a.partner, partners)):
            if target and target not in where:
                out.append(Problem(book.source("activity", ident), 0, f"unknown-{kind}",
                                   f"activity {ident}: {kind} {target} does not exist",
                                   f"fix `{kind}:`", loc=(kind,)))
        if a.submission:
            if a.submission in seen_submissions:
                out.append(Problem(book.source("activity", ident), 0, "duplicate-submission",
                                   f"activity {ident} records submission {a.submission}, as {seen_submissions[a.submission]} does",
                                   "a submission is captured once; delete one of the two", severity="warning",
                                   loc=("submission",)))
            else:
                seen_submissions[a.submission] = ident
    return out
