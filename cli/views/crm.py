"""CRM tables: opportunities (the list and one), campaigns and what they returned, the contacts
export and a website capture's outcome."""

from __future__ import annotations

import datetime as dt

from comptoir.domain.book import Book
from comptoir.domain.crm.activities import activities_of, activity_dict, activity_line
from comptoir.domain.crm.campaigns import campaign_returns, campaign_rows
from comptoir.domain.crm.capture import Capture
from comptoir.domain.crm.consent import CONTACT_KEYS, contact_rows
from comptoir.domain.crm.leads import record_rows
from comptoir.domain.crm.opportunities import amount_of, opportunity_rows, probability, weighted
from comptoir.domain.table import Column, Table, money, text
from comptoir.schemas.crm import Opportunity
from comptoir.schemas.types import currency_places


def opportunities_table(book: Book, today: dt.date, stages: tuple[str, ...] = (), owners: set[str] | None = None,
                        partner: str | None = None, open_only: bool = False,
                        closing_before: dt.date | None = None) -> Table:
    places = currency_places(book.base)
    out = opportunity_rows(book, today, stages, owners, partner, open_only, closing_before)
    cols = [text("id", "Id"), text("title", "Title"), text("partner", "Partner"), text("owner", "Owner"),
            text("stage", "Stage"), money("amount", "Amount", places), text("currency", "Cur"),
            Column("probability", "Prob %", "int"), money("weighted", f"Weighted ({book.base})", places),
            Column("expected_close", "Close", "date"), Column("closed", "Closed", "date")]
    return Table("opportunities", cols, out, title=f"Opportunities ({len(out)})")


def opportunity_table(book: Book, opp: Opportunity, today: dt.date) -> Table:
    rows, data = record_rows(opp)
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
    notes += [activity_line(a) for a in acts]
    t = Table("opportunity", [text("field", "Field"), text("value", "Value")], rows,
              title=f"Opportunity {opp.id}: {opp.title}", notes=notes)
    t.meta.update({"opportunity": data, "probability": probability(book, opp),
                   "weighted": w, "activities": [activity_dict(a) for a in acts]})
    return t


def campaigns_table(book: Book) -> Table:
    places = currency_places(book.base)
    rows = campaign_rows(book)
    cols = [text("id", "Id"), text("name", "Name"), text("channel", "Channel"), Column("start", "Start", "date"),
            Column("end", "End", "date"), money("cost", f"Cost ({book.base})", places), text("utm_source", "utm_source"),
            text("utm_medium", "utm_medium"), text("utm_campaign", "utm_campaign")]
    return Table("campaigns", cols, rows, title=f"Campaigns ({len(rows)})")


def campaign_report(book: Book, start: dt.date | None = None, end: dt.date | None = None) -> Table:
    """Per campaign: leads, qualified leads, opportunities, customers won, won revenue (invoiced),
    cost, cost per lead and per customer. Leads created in [start, end] when given."""
    places = currency_places(book.base)
    rows, totals = campaign_returns(book, start, end)
    cols = [text("campaign", "Campaign"), text("name", "Name"), text("channel", "Channel"),
            Column("leads", "Leads", "int"), Column("qualified", "Qualified", "int"),
            Column("opportunities", "Opportunities", "int"), Column("customers", "Customers", "int"),
            money("revenue", f"Won revenue ({book.base})", places), money("cost", "Cost", places),
            money("cost_per_lead", "Cost/lead", places), money("cost_per_customer", "Cost/customer", places)]
    period = f", leads created {start or '...'} to {end or '...'}" if (start or end) else ""
    notes = ["won revenue: net invoiced on the sales orders of won opportunities, less credit notes"]
    return Table("campaigns", cols, rows, totals, title=f"Campaigns ({book.base}){period}", notes=notes)


def contacts_table(book: Book, everyone: bool = False) -> Table:
    """Leads with an email, one row per address, in the column layout e-mail tools import."""
    rows, skipped = contact_rows(book, everyone)
    cols = [text(k, k) for k in CONTACT_KEYS[:7]] + [Column("Consent Date", "Consent Date", "date"),
                                                     text("Consent Source", "Consent Source"), text("Lead", "Lead")]
    notes = [] if everyone or not skipped else [f"{skipped} leads without consent left out (--all includes them)"]
    return Table("contacts", cols, rows, title=f"Contacts ({len(rows)})", notes=notes)


def capture_table(result: Capture) -> Table:
    rows = [{"row": o.row, "service": o.service, "submission": o.submission, "action": o.action, "record": o.target,
             "name": o.name, "detail": o.detail} for o in result.outcomes]
    cols = [Column("row", "Row", "int"), text("service", "Service"), text("submission", "Submission"),
            text("action", "Action"),
            text("record", "Record"), text("name", "Name"), text("detail", "Detail")]
    table = Table("capture", cols, rows, title=f"Website capture: {result.summary()}")
    table.meta.update({"created": result.count("created"), "merged": result.count("merged"),
                       "seen": result.count("seen"), "rejected": result.count("rejected")})
    return table
