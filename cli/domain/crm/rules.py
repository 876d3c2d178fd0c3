"""The checks on stored CRM records that `comptoir validate` runs."""

from __future__ import annotations

from comptoir.errors import Problem
from comptoir.schemas.crm import (
    Activity,
    Lead,
    Opportunity,
)
from comptoir.schemas.types import currency_places, places_of

from ..book import Book
from ..validation import StreamedRule, rule
from .opportunities import amount_of

# --- rules on the stored records -----------------------------------------------------------------

def _crm_delta(book: Book, change) -> list[Problem] | None:
    """Leads, opportunities and activities added or replaced in place (ids never go away: a write
    removes no record): only those records' own links and reasons can be wrong, the rest of the
    book still points at ids that exist. A submission must be unique among all activities: run
    in full then, as for any change to the partners, items or campaigns they point at."""
    if not change.kinds <= {"lead", "opportunity", "activity"}:
        return None
    written = change.written
    if any(a.submission for a in written.get("activity", {}).values()):
        return None
    return _links(book, written.get("lead", {}), written.get("opportunity", {}), written.get("activity", {}))


class _LinksStreamed(StreamedRule):
    """crm_links over streamed activities: each folder's activities checked as they come (the
    submissions seen so far carried on), the leads and opportunities once, after the stream."""

    def __init__(self, book: Book) -> None:
        super().__init__(book)
        self.submissions: dict[str, str] = {}
        self.found: list[Problem] = []

    def entries(self, folder: Book) -> None:
        self.found += _activity_links(folder, folder.of("activity"), self.submissions)

    def problems(self, book: Book) -> list[Problem]:
        return _lead_links(book, book.of("lead"), book.of("opportunity")) + self.found


@rule(reads=("activity", "campaign", "item", "lead", "opportunity", "partner"),
      delta=lambda book, change, facts: _crm_delta(book, change), replaces=True, stream=_LinksStreamed)
def crm_links(book: Book) -> list[Problem]:
    """Leads, opportunities and activities point at records that exist, and closed ones say why."""
    return _links(book, book.of("lead"), book.of("opportunity"), book.of("activity"))


def _links(book: Book, checked_leads, checked_opps, checked_activities) -> list[Problem]:
    """The problems of the records checked (by kind, id -> record), looked up in the whole book."""
    return _lead_links(book, checked_leads, checked_opps) + _activity_links(book, checked_activities, {})


def _lead_links(book: Book, checked_leads, checked_opps) -> list[Problem]:
    out: list[Problem] = []
    leads, opps, partners = book.of("lead"), book.of("opportunity"), book.of("partner")
    items, campaigns = book.of("item"), book.of("campaign")
    for ident, lead in checked_leads.items():
        lead: Lead  # type: ignore[no-redef]
        src = book.source("lead", ident)
        if lead.campaign and lead.campaign not in campaigns:
            out.append(Problem(src, 0, "unknown-campaign", f"lead {ident}: campaign {lead.campaign} does not exist",
                               "fix `campaign:` or add it with `comptoir crm campaign add`", loc=("campaign",)))
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
    for ident, o in checked_opps.items():
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
    return out


def _activity_links(book: Book, checked_activities, seen_submissions: dict[str, str]) -> list[Problem]:
    """The activities' problems; `seen_submissions`: submission -> the activity that recorded it
    first (activities checked earlier, and these)."""
    out: list[Problem] = []
    leads, opps, partners = book.of("lead"), book.of("opportunity"), book.of("partner")
    for ident, a in checked_activities.items():
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


# What this module adds to its family (comptoir.families collects these lists).
RULES = [crm_links]
