"""`comptoir crm campaign`, `crm lead forget`, `crm export contacts` and `report campaigns`:
marketing on top of the CRM (campaigns and their return, consent, the e-mail tool export)."""

from __future__ import annotations

import click

from comptoir.options import (
    as_of,
    date_range,
    emit,
    no_commit,
    output_format,
    parse_date,
    resolve_range,
)


def _committed(sha: str | None) -> str:
    return f" in commit {sha[:10]}." if sha else "."


def _kind(name: str):
    from comptoir.schemas.registry import kind_named

    return kind_named(name)


@click.group()
def campaign() -> None:
    """Marketing campaigns: cost, dates and the UTM fields that attribute leads to them."""


@campaign.command("add")
@click.argument("name")
@click.option("--channel", required=True, help="email, social, search, print, event ... (a lowercase word).")
@click.option("--start", required=True, metavar="DATE", help="First day (YYYY-MM-DD).")
@click.option("--end", metavar="DATE", help="Last day. Default: open.")
@click.option("--cost", default="0", show_default=True, help="What it cost, in the book's currency.")
@click.option("--utm-source", help="The utm_source its links carry (newsletter, google, instagram ...).")
@click.option("--utm-medium", help="The utm_medium (email, cpc, social ...).")
@click.option("--utm-campaign", help="The utm_campaign (spring-2027 ...).")
@click.option("--id", "ident", help="The campaign's id. Default: from the name and start year.")
@click.option("--notes")
@no_commit
@click.pass_obj
def campaign_add(env, name, channel, start, end, cost, utm_source, utm_medium, utm_campaign, ident, notes,
                 no_commit) -> None:
    """Add a campaign NAME. Prints its id. Captured leads whose UTM fields match it are
    attributed to it; `report campaigns` shows what it returned."""
    from comptoir.domain.crm.campaigns import new_campaign
    from comptoir.errors import fail
    from comptoir.schemas.types import to_decimal

    try:
        amount = to_decimal(cost)
    except ValueError as exc:
        raise fail("invalid-amount", f"--cost {cost!r}: {exc}", "write a plain number like 1200.00") from None
    with env.writer("crm campaign add", no_commit) as w:
        camp = new_campaign(w.book, {
            "id": ident, "name": name, "channel": channel, "start": parse_date(start, "--start"),
            "end": parse_date(end, "--end"), "cost": amount, "utm_source": utm_source, "utm_medium": utm_medium,
            "utm_campaign": utm_campaign, "notes": notes})
        w.put(_kind("campaign"), camp)
        sha = w.commit(f"Add campaign {camp.id}: {name} ({channel}, {camp.cost} {w.book.base})"[:120], [camp.id])
    click.echo(camp.id)
    click.echo(f"Added campaign {camp.id}{_committed(sha)}", err=True)


@campaign.command("list")
@output_format
@as_of
@click.pass_obj
def campaign_list(env, fmt, as_of) -> None:
    """List campaigns with their dates, cost and UTM fields."""
    from comptoir.views.crm import campaigns_table

    book = env.book(as_of, ("campaign",))
    emit(campaigns_table(book), fmt)


@click.command("forget")
@click.argument("ident", metavar="ID")
@no_commit
@click.pass_obj
def lead_forget(env, ident, no_commit) -> None:
    """Remove lead ID's personal data from the current books (name, email, phone, company,
    notes, consent, UTM fields; its activities' notes). Its id, status, dates, campaign and
    links stay, so reports keep adding up; a customer it became stays, because invoices and
    the ledger need it. Earlier versions remain in git history: see the CRM docs for
    rewriting it (git filter-repo) when the law requires."""
    from comptoir.domain.crm.consent import forget_lead

    with env.writer("crm lead forget", no_commit) as w:
        result = forget_lead(w.book, ident, env.today)
        for kind_name, record in result.records:
            w.put(_kind(kind_name), record, replace=True)
        sha = w.commit(f"Forget lead {ident}: personal data removed on request",
                       [ident] + [a.id for a in result.activities])
    click.echo(f"Removed the personal data of lead {ident} and {len(result.activities)} activities"
               + _committed(sha), err=True)
    for line in result.kept:
        click.echo(f"note: {line}", err=True)
    click.echo("note: earlier versions stay in git history; see the CRM docs to rewrite it", err=True)


@click.group("export")
def export_() -> None:
    """Export CRM data for the tools marketing uses."""


@export_.command("contacts")
@click.option("--all", "everyone", is_flag=True, help="Include leads that gave no consent.")
@output_format
@as_of
@click.pass_obj
def export_contacts(env, everyone, fmt, as_of) -> None:
    """Leads' contacts in the columns e-mail tools import (Email Address, First Name, Last
    Name, Phone Number, Company, Tags, Consent ...): consented leads only unless --all.
    `--format csv` for Mailchimp, Brevo and the like; formulas are neutralised."""
    from comptoir.views.crm import contacts_table

    book = env.book(as_of, ("lead",))
    emit(contacts_table(book, everyone), fmt)


@click.command("campaigns")
@date_range
@output_format
@as_of
@click.pass_obj
def campaigns_report(env, from_, to_, period, year, fmt, as_of) -> None:
    """Per campaign: leads, qualified leads, opportunities, customers, won revenue (invoiced on
    the sales orders of won opportunities), cost, cost per lead and per customer."""
    from comptoir.views.crm import campaign_report

    book = env.book(as_of, ("campaign", "lead", "opportunity", "invoice", "credit-note"))
    start, end = resolve_range(book.settings, from_, to_, period, year)
    emit(campaign_report(book, start, end), fmt, f"commit {book.revision[:10]}" if book.revision else None)
