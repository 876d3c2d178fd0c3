"""CRM tables: leads, activities and follow-ups, opportunities (the lists and one of each),
campaigns and what they returned, the contacts export, a website capture's outcome, and the
reports (pipeline, forecast, lead funnel, activities per owner)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from comptoir.domain.book import Book
from comptoir.domain.crm.activities import (
    activities_of,
    activity_dict,
    activity_line,
    activity_rows,
    followup_rows,
)
from comptoir.domain.crm.common import TRANSITIONS
from comptoir.domain.crm.contacts import contact_index
from comptoir.domain.crm.leads import lead_rows, record_rows
from comptoir.domain.crm.opportunities import amount_of, opportunity_rows, probability, weighted
from comptoir.domain.ledger import ZERO, round_to
from comptoir.domain.table import Column, Table, money, text
from comptoir.schemas.crm import ACTIVITY_TYPES, LEAD_STATUSES, Lead, Opportunity
from comptoir.schemas.types import currency_places

if TYPE_CHECKING:  # the capture and marketing modules are imported by their own commands only
    from comptoir.domain.crm.capture import Capture


def leads_table(book: Book, today: dt.date, statuses: tuple[str, ...] = (), owners: set[str] | None = None,
                sources: tuple[str, ...] = (), tags: tuple[str, ...] = (), due: bool = False,
                sort: str = "newest", limit: int | None = None, consented: bool = False,
                campaigns: tuple[str, ...] = ()) -> Table:
    out = lead_rows(book, today, statuses, owners, sources, tags, due, sort, limit, consented, campaigns)
    cols = [text("id", "Id"), Column("created", "Created", "date"), Column("age", "Age (d)", "int"),
            text("name", "Name"), text("company", "Company"), text("source", "Source"), text("owner", "Owner"),
            text("status", "Status"), Column("score", "Score", "int"), Column("follow_up", "Follow-up", "date"),
            text("email", "Email"), text("campaign", "Campaign"), Column("consent", "Consent", "date")]
    return Table("leads", cols, out, title=f"Leads ({len(out)})")


def lead_table(book: Book, lead: Lead, today: dt.date) -> Table:
    rows, data = record_rows(lead)
    acts = activities_of(book, lead=lead.id)
    notes = [f"allowed moves: {', '.join(TRANSITIONS[lead.status]) or 'none (converted is final)'}"]
    if lead.created:
        notes.append(f"age: {(today - lead.created).days} days")
    dupes = [m for m in contact_index(book).matches(lead.email, lead.phone, exclude=lead.id)]
    if dupes:
        notes.append("possible duplicates: " + ", ".join(f"{m.kind} {m.ident} (same {m.key})" for m in dupes))
    notes += [activity_line(a) for a in acts] or ["no activities yet"]
    t = Table("lead", [text("field", "Field"), text("value", "Value")], rows,
              title=f"Lead {lead.id}: {lead.name}" + (f", {lead.company}" if lead.company else ""), notes=notes)
    t.meta.update({"lead": data, "allowed_moves": list(TRANSITIONS[lead.status]),
                   "activities": [activity_dict(a) for a in acts],
                   "duplicates": [{"kind": m.kind, "id": m.ident, "same": m.key} for m in dupes]})
    return t


def activities_table(book: Book, today: dt.date, *, lead: str | None = None, opportunity: str | None = None,
                     partner: str | None = None, owners: set[str] | None = None, types: tuple[str, ...] = (),
                     open_only: bool = False, overdue: bool = False, start: dt.date | None = None,
                     end: dt.date | None = None, limit: int | None = None) -> Table:
    out = activity_rows(book, today, lead=lead, opportunity=opportunity, partner=partner, owners=owners,
                        types=types, open_only=open_only, overdue=overdue, start=start, end=end, limit=limit)
    cols = [text("id", "Id"), Column("date", "Date", "date"), text("type", "Type"), text("subject", "Subject"),
            text("owner", "Owner"), text("link", "For"), Column("due", "Due", "date"), Column("done", "Done", "bool")]
    return Table("activities", cols, out, title=f"Activities ({len(out)})")


def followups_table(book: Book, today: dt.date, owners: set[str] | None = None, overdue: bool = False,
                    days: int = 0) -> Table:
    """What is due by today (+days): open tasks and planned activities, and leads' follow-up dates."""
    rows, horizon = followup_rows(book, today, owners, overdue, days)
    cols = [Column("due", "Due", "date"), Column("days_late", "Late (d)", "int"), text("what", "What"),
            text("id", "Id"), text("subject", "Subject"), text("for", "For"), text("who", "Who"),
            text("owner", "Owner")]
    title = "Overdue follow-ups" if overdue else f"Follow-ups due by {horizon}"
    return Table("followups", cols, rows, title=f"{title} ({len(rows)})")


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
    from comptoir.domain.crm.campaigns import campaign_rows

    places = currency_places(book.base)
    rows = campaign_rows(book)
    cols = [text("id", "Id"), text("name", "Name"), text("channel", "Channel"), Column("start", "Start", "date"),
            Column("end", "End", "date"), money("cost", f"Cost ({book.base})", places), text("utm_source", "utm_source"),
            text("utm_medium", "utm_medium"), text("utm_campaign", "utm_campaign")]
    return Table("campaigns", cols, rows, title=f"Campaigns ({len(rows)})")


def campaign_report(book: Book, start: dt.date | None = None, end: dt.date | None = None) -> Table:
    """Per campaign: leads, qualified leads, opportunities, customers won, won revenue (invoiced),
    cost, cost per lead and per customer. Leads created in [start, end] when given."""
    from comptoir.domain.crm.campaigns import campaign_returns

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
    from comptoir.domain.crm.consent import CONTACT_KEYS, contact_rows

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


# --- reports: the pipeline, the forecast, the lead funnel, activities per owner -------------------

def pipeline_table(book: Book, today: dt.date, by: str = "stage-owner", include_closed: bool = False,
                   owners: set[str] | None = None) -> Table:
    """Count, amount and weighted amount (amount x probability) of opportunities by stage and owner."""
    from comptoir.domain.crm.reports import pipeline_rows

    rows, notes = pipeline_rows(book, today, by, include_closed, owners)
    places = currency_places(book.base)
    cols = []
    if by in ("stage", "stage-owner"):
        cols.append(text("stage", "Stage"))
    if by in ("owner", "stage-owner"):
        cols.append(text("owner", "Owner"))
    cols += [Column("count", "Count", "int"), money("amount", f"Amount ({book.base})", places),
             money("weighted", f"Weighted ({book.base})", places)]
    totals = {cols[0].key: "Total", "count": sum(r["count"] for r in rows),
              "amount": sum((r["amount"] for r in rows), ZERO), "weighted": sum((r["weighted"] for r in rows), ZERO)}
    return Table("pipeline", cols, rows, totals, title=f"Pipeline on {today} ({book.base})", notes=notes)


def forecast_table(book: Book, today: dt.date, months: int = 6) -> Table:
    """Weighted open amount by expected close month (this month and the next ones), beside what
    was won in each month; open opportunities past their close date are shown as overdue."""
    from comptoir.domain.crm.reports import forecast_rows

    f = forecast_rows(book, today, months)
    places = currency_places(book.base)
    cols = [text("month", "Close month"), Column("open", "Open", "int"), money("amount", "Open amount", places),
            money("weighted", "Weighted", places), money("won", "Won", places),
            money("expected", "Won + weighted", places)]
    totals: dict[str, object] = {"month": "Total"}
    for key in ("open", "amount", "weighted", "won", "expected"):
        totals[key] = sum((r[key] for r in f.rows), 0 if key == "open" else ZERO)
    notes = [f"won so far in the fiscal year from {f.year_start}: {f.won_ytd:,.{places}f} {book.base} "
             f"({f.won_ytd_count} opportunities)", *f.notes]
    t = Table("forecast", cols, f.rows, totals, title=f"Forecast by expected close month ({book.base})", notes=notes)
    t.meta.update({"won_year_to_date": round_to(f.won_ytd, places), "fiscal_year_start": f.year_start})
    return t


def funnel_table(book: Book, start: dt.date | None = None, end: dt.date | None = None,
                 git_dates: dict[str, tuple[dt.date, dt.date]] | None = None, by: str = "source") -> Table:
    """Leads by source (or by campaign) and status, conversion lead -> opportunity -> won, and the
    median days from created to converted, for leads created in [start, end]."""
    from comptoir.domain.crm.reports import funnel_rows

    rows, total, undated = funnel_rows(book, start, end, git_dates, by)
    cols = [text("source", "Source" if by == "source" else "Campaign"), Column("leads", "Leads", "int")]
    cols += [Column(s, s.capitalize(), "int") for s in LEAD_STATUSES]
    cols += [Column("opportunity", "To opportunity", "int"), Column("won", "Won", "int"),
             Column("conversion", "Lead->opp %", "percent"), Column("win_rate", "Opp->won %", "percent"),
             Column("lead_to_won", "Lead->won %", "percent"), Column("median_days", "Median days to convert", "qty")]
    notes = []
    if undated:
        notes.append(f"{undated} leads have no created date in the record or in git and are left out")
    period = f" created {start or '...'} to {end or '...'}" if (start or end) else ""
    return Table("funnel", cols, rows, total, title=f"Lead funnel by {by}{period}", notes=notes)


def owner_activities_table(book: Book, today: dt.date, start: dt.date | None = None,
                           end: dt.date | None = None) -> Table:
    """Per owner: activities logged in the period by type, follow-ups done in it, and what is
    open and overdue now."""
    from comptoir.domain.crm.reports import owner_activity_rows

    rows = owner_activity_rows(book, today, start, end)
    keys = (*ACTIVITY_TYPES, "done", "open", "overdue")
    cols = [text("owner", "Owner")] + [Column(k, k.capitalize() + ("s" if k in ACTIVITY_TYPES else ""), "int")
                                        for k in keys]
    totals = {"owner": "Total", **{k: sum(r[k] for r in rows) for k in keys}}
    period = f" {start or '...'} to {end or '...'}" if (start or end) else ""
    return Table("activities", cols, rows, totals, title=f"Activities per owner{period} (open and overdue on {today})")
