"""CRM reports: the pipeline, the forecast, the lead funnel, activities per owner, and the
CRM lines of the management overview. Amounts are in the base currency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from comptoir.schemas.crm import (
    ACTIVITY_TYPES,
    LEAD_STATUSES,
    OPEN_STAGES,
    STAGES,
    Opportunity,
)
from comptoir.schemas.types import currency_places

from ..book import Book
from ..diff import effect
from ..ledger import ZERO, round_to
from ..overview import section
from ..table import Table, money, text
from .activities import followup_rows
from .common import owner_matches
from .opportunities import amount_of, base_amount, probability, weighted

PipelineKey = tuple[str, str]


def _pct(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    if not whole:
        return None
    return round_to(Decimal(part) * 100 / Decimal(whole), 1)


def _unpriced_note(book: Book, missing: list[Opportunity]) -> list[str]:
    if not missing:
        return []
    no_amount = [o.id for o in missing if amount_of(o) is None]
    no_rate = sorted({o.currency for o in missing if amount_of(o) is not None and o.currency})
    notes = []
    if no_amount:
        notes.append(f"{len(no_amount)} opportunities have no amount yet and add nothing: {', '.join(sorted(no_amount)[:10])}"
                     + (" ..." if len(no_amount) > 10 else ""))
    if no_rate:
        notes.append(f"no exchange rate to {book.base} for {', '.join(no_rate)}: those amounts are left out")
    return notes


# --- pipeline ------------------------------------------------------------------------------------

def pipeline_rows(book: Book, today: dt.date, by: str = "stage-owner", include_closed: bool = False,
                  owners: set[str] | None = None) -> tuple[list[dict], list[str]]:
    """Count, amount and weighted amount (amount x probability) of opportunities by stage and owner,
    and the notes on what could not be priced."""
    stages = STAGES if include_closed else OPEN_STAGES
    groups: dict[PipelineKey, list] = {}
    missing: list[Opportunity] = []
    for o in book.of("opportunity").values():
        if o.stage not in stages or not owner_matches(o.owner, owners):
            continue
        stage = o.stage if by in ("stage", "stage-owner") else ""
        owner = (o.owner or "(none)") if by in ("owner", "stage-owner") else ""
        g = groups.setdefault((stage, owner), [0, ZERO, ZERO])
        g[0] += 1
        amount = base_amount(book, o, today)
        if amount is None:
            missing.append(o)
            continue
        g[1] += amount
        g[2] += weighted(book, o, today)
    order = {s: i for i, s in enumerate(STAGES)}
    rows = [{"stage": k[0], "owner": k[1], "count": v[0], "amount": v[1], "weighted": v[2]}
            for k, v in sorted(groups.items(), key=lambda kv: (order.get(kv[0][0], -1), kv[0][1]))]
    return rows, _unpriced_note(book, missing)


# --- forecast ------------------------------------------------------------------------------------

def _month_start(day: dt.date, add: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 + add
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass
class Forecast:
    """The forecast's rows (one per close month, with overdue, later and no date when not empty),
    what was won in the fiscal year so far, and the notes on what could not be priced."""
    rows: list[dict]
    year_start: dt.date
    won_ytd: Decimal
    won_ytd_count: int
    notes: list[str]


def forecast_rows(book: Book, today: dt.date, months: int = 6) -> Forecast:
    """Weighted open amount by expected close month (this month and the next ones), beside what
    was won in each month; open opportunities past their close date are shown as overdue."""
    first = _month_start(today)
    ends = [_month_start(today, i) for i in range(months + 1)]
    labels = [f"{m:%Y-%m}" for m in ends[:-1]]
    buckets: dict[str, list] = {label: [0, ZERO, ZERO, ZERO] for label in ["overdue", *labels, "later", "no date"]}
    missing: list[Opportunity] = []
    year_start, _ = book.settings.fiscal_year_bounds(book.settings.fiscal_year_of(today))
    won_ytd, won_ytd_count = ZERO, 0
    for o in book.of("opportunity").values():
        if o.stage == "won" and o.closed:
            amount = base_amount(book, o, o.closed)
            if amount is None:
                missing.append(o)
                continue
            if year_start <= o.closed <= today:
                won_ytd += amount
                won_ytd_count += 1
            if first <= o.closed < ends[-1]:
                buckets[f"{o.closed:%Y-%m}"][3] += amount
            continue
        if o.stage not in OPEN_STAGES:
            continue
        close = o.expected_close
        if close is None:
            label = "no date"
        elif close < first:
            label = "overdue"
        elif close >= ends[-1]:
            label = "later"
        else:
            label = f"{close:%Y-%m}"
        b = buckets[label]
        b[0] += 1
        amount = base_amount(book, o, today)
        if amount is None:
            missing.append(o)
            continue
        b[1] += amount
        b[2] += weighted(book, o, today)
    rows = []
    for label, (count, amount, weight, won) in buckets.items():
        if label in ("overdue", "later", "no date") and not count:
            continue
        rows.append({"month": label, "open": count, "amount": amount, "weighted": weight, "won": won,
                     "expected": weight + won})
    return Forecast(rows, year_start, won_ytd, won_ytd_count,
                    _unpriced_note(book, [o for o in missing if o.stage != "won"]))


# --- funnel --------------------------------------------------------------------------------------

# What funnel_rows (and needs_history) read of the leads and opportunities: a command may serve
# these fields alone, as light records derived per folder (comptoir.app.docfacts).
FUNNEL_FACTS = {
    "lead": ("id", "created", "converted", "status", "opportunity", "source", "campaign"),
    "opportunity": ("id", "lead", "stage", "created"),
}


def lead_dates(book: Book, git_dates: dict[str, tuple[dt.date, dt.date]] | None = None
               ) -> dict[str, tuple[dt.date | None, dt.date | None]]:
    """Lead id -> (created, converted). A date the record does not store is taken from its
    opportunity (created on conversion) or from the git history of the lead's file."""
    git_dates = git_dates or {}
    opps = book.of("opportunity")
    out = {}
    for ident, lead in book.of("lead").items():
        history = git_dates.get(book.source("lead", ident))
        created = lead.created or (history[0] if history else None)
        converted = None
        if lead.status == "converted":
            opp = opps.get(lead.opportunity) if lead.opportunity else None
            converted = lead.converted or (opp.created if opp else None) or (history[1] if history else None)
        out[ident] = (created, converted)
    return out


def needs_history(book: Book) -> bool:
    """Whether some lead lacks a date that only git history can supply."""
    opps = book.of("opportunity")
    for lead in book.of("lead").values():
        if lead.created is None:
            return True
        if lead.status == "converted" and lead.converted is None and not (
                lead.opportunity in opps and opps[lead.opportunity].created):
            return True
    return False


def funnel_rows(book: Book, start: dt.date | None = None, end: dt.date | None = None,
                git_dates: dict[str, tuple[dt.date, dt.date]] | None = None, by: str = "source"
                ) -> tuple[list[dict], dict, int]:
    """Leads by source (or by campaign) and status, conversion lead -> opportunity -> won, and the
    median days from created to converted, for leads created in [start, end]: the rows, the total
    row and how many leads were left out for want of a created date. Every lead is in exactly one
    row, so the rows add up to the total."""
    dates = lead_dates(book, git_dates)
    opps_by_lead: dict[str, list[Opportunity]] = {}
    for o in book.of("opportunity").values():
        if o.lead:
            opps_by_lead.setdefault(o.lead, []).append(o)
    per_source: dict[str, dict] = {}
    undated = 0

    def blank() -> dict:
        return {"leads": 0, **{s: 0 for s in LEAD_STATUSES}, "opportunity": 0, "won": 0, "days": []}

    total = blank()
    for ident, lead in book.of("lead").items():
        created, converted = dates[ident]
        if start or end:
            if created is None:
                undated += 1
                continue
            if (start and created < start) or (end and created > end):
                continue
        group = lead.source if by == "source" else (lead.campaign or "(no campaign)")
        for bucket in (per_source.setdefault(group, blank()), total):
            bucket["leads"] += 1
            bucket[lead.status] += 1
            opps = opps_by_lead.get(ident, [])
            if opps or lead.status == "converted":
                bucket["opportunity"] += 1
            if any(o.stage == "won" for o in opps):
                bucket["won"] += 1
            if lead.status == "converted" and created and converted:
                bucket["days"].append((converted - created).days)
    rows = [_funnel_row(source, b) for source, b in sorted(per_source.items())]
    return rows, _funnel_row("Total", total), undated


def _funnel_row(source: str, b: dict) -> dict:
    days = sorted(b["days"])
    median = None
    if days:  # exact: the middle value, or the mean of the two middle ones (7.5, never 7.50000001)
        mid = len(days) // 2
        median = Decimal(days[mid]) if len(days) % 2 else Decimal(days[mid - 1] + days[mid]) / 2
    return {"source": source, "leads": b["leads"], **{s: b[s] for s in LEAD_STATUSES},
            "opportunity": b["opportunity"], "won": b["won"], "conversion": _pct(b["opportunity"], b["leads"]),
            "win_rate": _pct(b["won"], b["opportunity"]), "lead_to_won": _pct(b["won"], b["leads"]),
            "median_days": median}


# --- activities ----------------------------------------------------------------------------------

# What owner_activity_rows reads of the activities (served as FUNNEL_FACTS are).
ACTIVITY_FACTS = {"activity": ("id", "owner", "date", "type", "done", "due", "done_on", "is_open")}


def owner_activity_rows(book: Book, today: dt.date, start: dt.date | None = None, end: dt.date | None = None
                        ) -> list[dict]:
    """Per owner: activities logged in the period by type, follow-ups done in it, and what is
    open and overdue now."""
    per: dict[str, dict] = {}

    def within(day: dt.date) -> bool:
        return (start is None or day >= start) and (end is None or day <= end)

    for a in book.of("activity").values():
        b = per.setdefault(a.owner or "(none)", {t: 0 for t in (*ACTIVITY_TYPES, "done", "open", "overdue")})
        if within(a.date):
            b[a.type] += 1
        if a.done and (a.type == "task" or a.due) and within(a.done_on or a.date):
            b["done"] += 1
        if a.is_open:
            b["open"] += 1
            if a.due and a.due < today:
                b["overdue"] += 1
    return [{"owner": owner, **counts} for owner, counts in sorted(per.items())]


# --- what a change does to the CRM (for `comptoir diff`) -----------------------------------------

@effect
def crm_effect(base: Book, head: Book) -> Table:
    """New leads, status moves, opportunities opened, moved, won or lost, and the weighted pipeline
    before and after: what a reviewer wants to read (`lead L-... qualified -> lost (price)`)."""
    day = head.today or dt.date.today()
    rows: list[dict] = []
    old_leads, new_leads = base.of("lead"), head.of("lead")
    for ident in sorted(new_leads):
        new = new_leads[ident]
        old = old_leads.get(ident)
        if old is None:
            change = f"new lead ({new.source}, {new.status})"
        elif old.status != new.status:
            change = f"{old.status} -> {new.status}"
            if new.status in ("lost", "disqualified") and new.lost_reason:
                change += f" ({new.lost_reason})"
        else:
            continue
        rows.append({"kind": "lead", "id": ident, "name": new.company or new.name, "change": change,
                     "weighted_before": None, "weighted_after": None})
    old_opps, new_opps = base.of("opportunity"), head.of("opportunity")
    for ident in sorted(set(old_opps) | set(new_opps)):
        old_opp, new_opp = old_opps.get(ident), new_opps.get(ident)
        before = weighted(base, old_opp, day) if old_opp is not None and old_opp.stage in OPEN_STAGES else None
        after = weighted(head, new_opp, day) if new_opp is not None and new_opp.stage in OPEN_STAGES else None
        if new_opp is None:
            change = "removed"
        elif old_opp is None:
            change = f"opened ({new_opp.stage})"
        elif old_opp.stage != new_opp.stage:
            change = f"{old_opp.stage} -> {new_opp.stage}"
            if new_opp.stage == "lost" and new_opp.lost_reason:
                change += f" ({new_opp.lost_reason})"
        elif before != after:
            change = "amount or probability"
        else:
            continue
        title = new_opp.title if new_opp is not None else old_opp.title if old_opp is not None else ""
        rows.append({"kind": "opportunity", "id": ident, "name": title, "change": change,
                     "weighted_before": before, "weighted_after": after})
    places = currency_places(head.base)
    cols = [text("kind", "Kind"), text("id", "Id"), text("name", "Name"), text("change", "Change"),
            money("weighted_before", "Weighted before", places), money("weighted_after", "Weighted after", places)]
    totals = None
    if any(r["kind"] == "opportunity" for r in rows):
        def pipe(book: Book) -> Decimal:
            return _sum(weighted(book, o, day) for o in book.of("opportunity").values()
                        if o.stage in OPEN_STAGES)
        totals = {"kind": "Weighted pipeline", "weighted_before": pipe(base), "weighted_after": pipe(head)}
    return Table("crm", cols, rows, totals, title="Effect on the CRM")


# --- overview ------------------------------------------------------------------------------------

def _sum(values: Iterable[Decimal | None]) -> Decimal:
    return sum((v for v in values if v is not None), ZERO)


@section
def crm_overview(book: Book, today: dt.date) -> list[dict]:
    opps = [o for o in book.of("opportunity").values()]
    open_opps = [o for o in opps if o.stage in OPEN_STAGES]
    month = today.replace(day=1)
    won = [o for o in opps if o.stage == "won" and o.closed and month <= o.closed <= today]
    new_leads = sum(1 for lead in book.of("lead").values()
                    if lead.created and month <= lead.created <= today)
    due, _ = followup_rows(book, today)
    overdue = sum(1 for r in due if r["due"] < today)
    if not (opps or book.of("lead")):
        return []
    return [
        {"section": "CRM", "measure": "Open opportunities", "value": len(open_opps)},
        {"section": "CRM", "measure": "Open pipeline", "value": _sum(base_amount(book, o, today) for o in open_opps)},
        {"section": "CRM", "measure": "Weighted pipeline", "value": _sum(weighted(book, o, today) for o in open_opps)},
        {"section": "CRM", "measure": f"Won {month:%B %Y}", "value": _sum(base_amount(book, o, o.closed) for o in won if o.closed)},
        {"section": "CRM", "measure": f"New leads {month:%B %Y}", "value": new_leads},
        {"section": "CRM", "measure": "Follow-ups due (today or earlier)", "value": len(due)},
        {"section": "CRM", "measure": "Follow-ups overdue", "value": overdue},
    ]


def stage_probabilities(book: Book) -> dict[str, int]:
    return {s: book.settings.crm.stage_probability(s) for s in STAGES}


__all__ = ["Forecast", "forecast_rows", "funnel_rows", "owner_activity_rows", "pipeline_rows", "probability",
           "stage_probabilities"]


# What this module adds to its family (comptoir.families collects these lists).
SECTIONS = [crm_overview]
EFFECTS = [crm_effect]
