"""Marketing campaigns: records with their cost and UTM fields, attribution of captured leads,
and what each campaign returned (`report campaigns`).

Won revenue is what was invoiced: the net of the invoices of the sales orders that the
campaign's won opportunities became, less their credit notes, in the base currency. A lead
belongs to at most one campaign (`campaign:` on the lead).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import Any

from comptoir.errors import fail
from comptoir.schemas.crm import Campaign, Lead, Opportunity
from comptoir.schemas.types import currency_places, places_of

from ..book import Book
from ..ids import known
from ..ledger import ZERO, round_to
from .common import validated

QUALIFIED = ("qualified", "converted")  # a converted lead was qualified on the way


def campaign_id(book: Book, name: str, start: dt.date) -> str:
    """A readable id from the name and the start year: 'Spring fair' 2027 -> spring-fair-2027."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40] or "campaign"
    base = slug if str(start.year) in slug else f"{slug}-{start.year}"
    ident, n = base, 2
    while ident in book.of("campaign"):
        ident, n = f"{base}-{n}", n + 1
    return ident


def new_campaign(book: Book, fields: dict) -> Campaign:
    ident = fields.get("id") or campaign_id(book, fields["name"], fields["start"])
    if ident in book.of("campaign"):
        raise fail("duplicate-campaign", f"there is already a campaign {ident}", "give another --id")
    camp = validated(Campaign, {**fields, "id": ident}, "campaign")
    if places_of(camp.cost) > currency_places(book.base):
        raise fail("too-many-places", f"cost {camp.cost} has more decimal places than {book.base} allows",
                   f"round it to {currency_places(book.base)} places")
    mine = _utm(camp)
    for other in book.of("campaign").values():
        if mine and any(mine) and _utm(other) == mine:
            raise fail("duplicate-utm", f"campaign {other.id} already has these UTM fields",
                       "leads could not tell the two apart; give this one its own --utm-campaign")
    return camp


def get_campaign(book: Book, ident: str) -> Campaign:
    return known(book.of("campaign"), ident, "unknown-campaign", "campaign",
                 "`comptoir crm campaign list` shows the ids")


def _norm(value: str | None) -> str | None:
    return value.strip().lower() if value and value.strip() else None


def _utm(c: Campaign) -> tuple[str | None, str | None, str | None]:
    return _norm(c.utm_source), _norm(c.utm_medium), _norm(c.utm_campaign)


def attribute(book: Book, utm: dict[str, str | None], day: dt.date) -> str | None:
    """The campaign a lead with these UTM fields belongs to: every UTM field the campaign sets
    must match (ignoring case), and at least utm_campaign or utm_source must be set on it. Of
    several, the one running on `day`, then the most specific, then the latest start."""
    source, medium, name = (_norm(utm.get(k)) for k in ("utm_source", "utm_medium", "utm_campaign"))
    if not (source or medium or name):
        return None
    found = []
    for c in book.of("campaign").values():
        c: Campaign  # type: ignore[no-redef]
        want = _utm(c)
        if not (want[0] or want[2]):
            continue
        if all(w is None or w == got for w, got in zip(want, (source, medium, name), strict=True)):
            running = c.start <= day and (c.end is None or day <= c.end)
            found.append((not running, -sum(w is not None for w in want), -c.start.toordinal(), c.id))
    return min(found)[3] if found else None


def campaign_rows(book: Book) -> list[dict[str, Any]]:
    """The campaigns by start date, with their cost and UTM fields."""
    return [{"id": c.id, "name": c.name, "channel": c.channel, "start": c.start, "end": c.end, "cost": c.cost,
             "utm_source": c.utm_source or "", "utm_medium": c.utm_medium or "", "utm_campaign": c.utm_campaign or ""}
            for c in sorted(book.of("campaign").values(), key=lambda c: (c.start, c.id))]


# --- what each campaign returned -----------------------------------------------------------------

def invoiced_by_order(book: Book) -> dict[str, Decimal]:
    """Sales order id -> net invoiced in the base currency, less credit notes on those invoices."""
    places = currency_places(book.base)
    out: dict[str, Decimal] = {}
    order_of: dict[str, str] = {}
    for inv in book.of("invoice").values():
        if not inv.order:
            continue
        order_of[inv.id] = inv.order
        rate = inv.rate or Decimal(1)
        out[inv.order] = out.get(inv.order, ZERO) + round_to(inv.net * rate, places)
    for cn in book.of("credit-note").values():
        order = order_of.get(cn.invoice)
        if order:
            rate = cn.rate or Decimal(1)
            out[order] -= round_to(cn.net * rate, places)
    return out


def _ratio(cost: Decimal, count: int, places: int) -> Decimal | None:
    return round_to(cost / count, places) if count else None


def campaign_returns(book: Book, start: dt.date | None = None,
                     end: dt.date | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per campaign: leads, qualified leads, opportunities, customers won, won revenue (invoiced),
    cost, cost per lead and per customer. Leads created in [start, end] when given."""
    places = currency_places(book.base)
    invoiced = invoiced_by_order(book)
    opps_by_lead: dict[str, list[Opportunity]] = {}
    for o in book.of("opportunity").values():
        if o.lead:
            opps_by_lead.setdefault(o.lead, []).append(o)
    camps: dict[str, Campaign] = dict(book.of("campaign"))
    stats: dict[str, dict] = {}

    def blank() -> dict:
        return {"leads": 0, "qualified": 0, "opportunities": 0, "customers": set(), "revenue": ZERO}

    for lead in book.of("lead").values():
        lead: Lead  # type: ignore[no-redef]
        if (start or end) and lead.created and ((start and lead.created < start) or (end and lead.created > end)):
            continue
        key = lead.campaign if lead.campaign in camps else ""
        s = stats.setdefault(key, blank())
        s["leads"] += 1
        s["qualified"] += lead.status in QUALIFIED
        opps = opps_by_lead.get(lead.id, [])
        s["opportunities"] += len(opps)
        for o in opps:
            if o.stage == "won":
                s["customers"].add(o.partner)
                if o.sales_order:
                    s["revenue"] += invoiced.get(o.sales_order, ZERO)
    rows = []
    order = sorted(camps.values(), key=lambda c: (c.start, c.id))
    for c in order:
        s = stats.get(c.id, blank())
        rows.append(_row(c.id, c.name, c.channel, c.cost, s, places))
    if "" in stats:
        rows.append(_row("", "(no campaign)", "", None, stats[""], places))
    total_cost = sum((c.cost for c in camps.values()), ZERO)
    every = blank()
    for s in stats.values():
        for k in ("leads", "qualified", "opportunities"):
            every[k] += s[k]
        every["customers"] |= s["customers"]
        every["revenue"] += s["revenue"]
    totals = _row("Total", "", "", total_cost, every, places)
    return rows, totals


def _row(ident: str, name: str, channel: str, cost: Decimal | None, s: dict, places: int) -> dict:
    customers = len(s["customers"])
    return {"campaign": ident, "name": name, "channel": channel, "leads": s["leads"], "qualified": s["qualified"],
            "opportunities": s["opportunities"], "customers": customers, "revenue": s["revenue"], "cost": cost,
            "cost_per_lead": _ratio(cost, s["leads"], places) if cost is not None else None,
            "cost_per_customer": _ratio(cost, customers, places) if cost is not None else None}
