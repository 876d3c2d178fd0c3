"""Activities (calls, emails, meetings, notes, tasks) and follow-ups on leads, opportunities and
partners."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from typing import Any

from comptoir.errors import fail
from comptoir.schemas.crm import (
    ACTIVITY_TYPES,
    Activity,
    Lead,
)

from ..book import Book
from ..ids import id_prefix, known, new_id
from .common import ACTIVE_STATUSES, owner_matches, revise, taken_ids, validated


def activities_of(book: Book, *, lead: str | None = None, opportunity: str | None = None,
                  partner: str | None = None) -> list[Activity]:
    out = []
    for a in book.of("activity").values():
        if (lead and a.lead == lead) or (opportunity and a.opportunity == opportunity) \
                or (partner and a.partner == partner):
            out.append(a)
    return sorted(out, key=lambda a: (a.date, a.id))



def activity_line(a: Activity) -> str:
    state = ""
    if a.is_open:
        state = f" due {a.due}" if a.due else " open"
    elif a.done and (a.type == "task" or a.due):
        state = f" done {a.done_on}" if a.done_on else " done"
    who = f" ({a.owner})" if a.owner else ""
    return f"{a.date} {a.type:<7} {a.subject}{who}{state} [{a.id}]"


def activity_dict(a: Activity) -> dict:
    return a.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


# --- activities ----------------------------------------------------------------------------------

def get_activity(book: Book, ident: str) -> Activity:
    return known(book.of("activity"), ident, "unknown-activity", "activity",
                 "`comptoir crm activity list` shows the ids")


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
    data = {**fields, "id": new_id(id_prefix(book, "activity"), day, taken_ids(book, "activity", taken), rng)}
    if data.get("done") and not data.get("done_on") and (data["type"] == "task" or data.get("due")):
        data["done_on"] = day
    return validated(Activity, data, "activity")


def complete_activity(act: Activity, day: dt.date) -> Activity:
    if act.done:
        raise fail("already-done", f"activity {act.id} is already done" + (f" ({act.done_on})" if act.done_on else ""),
                   "nothing to do")
    return revise(act, f"activity {act.id}", done=True, done_on=day)


def activity_rows(book: Book, today: dt.date, *, lead: str | None = None, opportunity: str | None = None,
                  partner: str | None = None, owners: set[str] | None = None, types: tuple[str, ...] = (),
                  open_only: bool = False, overdue: bool = False, start: dt.date | None = None,
                  end: dt.date | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """Activities, newest first, filtered; `limit` keeps the newest."""
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
    return out


# What followup_rows (and the CRM overview) reads of the CRM records: a command may serve these
# fields alone, as light records derived per folder (comptoir.app.docfacts), and of the activities
# only those a list of follow-ups can show (FOLLOWUP_WHERE: open, with a due date).
FOLLOWUP_FACTS = {
    "lead": ("id", "created", "name", "company", "owner", "status", "follow_up"),
    "activity": ("id", "type", "subject", "lead", "opportunity", "partner", "owner", "due", "is_open"),
    "opportunity": ("id", "title", "stage", "closed", "amount", "currency", "probability",
                    ("lines", ("qty", "price"))),
}


def due_activity(activity: Activity) -> bool:
    return activity.is_open and activity.due is not None


FOLLOWUP_WHERE = {"activity": due_activity}


def followup_rows(book: Book, today: dt.date, owners: set[str] | None = None, overdue: bool = False,
                  days: int = 0) -> tuple[list[dict[str, Any]], dt.date]:
    """What is due by today (+days): open tasks and planned activities, and leads' follow-up dates;
    and the day they are due by. With `overdue`, only what was due before today."""
    horizon = today - dt.timedelta(days=1) if overdue else today + dt.timedelta(days=days)
    leads = book.of("lead")
    opps = book.of("opportunity")
    rows: list[dict[str, Any]] = []
    for a in book.of("activity").values():
        a: Activity  # type: ignore[no-redef]
        if not (a.is_open and a.due and a.due <= horizon):
            continue
        if not owner_matches(a.owner, owners):
            continue
        link = a.lead or a.opportunity or a.partner
        who = ""
        if a.lead in leads:
            who = leads[a.lead].company or leads[a.lead].name
        elif a.opportunity in opps:
            who = opps[a.opportunity].title
        elif a.partner in book.of("partner"):
            who = book.of("partner")[a.partner].name
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
    return rows, horizon
