"""`comptoir crm`: leads, website capture, activities and follow-ups, opportunities; and the
CRM reports (pipeline, forecast, funnel, activities) that `comptoir report` runs."""

from __future__ import annotations

import datetime as dt

import click

from comptoir.commands._owner import owner_option, settle_me
from comptoir.commands.crm_marketing import campaign, campaigns_report, export_, lead_forget
from comptoir.options import (
    as_of,
    date_range,
    emit,
    no_commit,
    output_format,
    parse_date,
    period_columns,
    resolve_range,
)

LEAD_STATUSES = ("new", "contacted", "qualified", "converted", "lost", "disqualified")
STAGES = ("qualification", "proposal", "negotiation", "won", "lost")
ACTIVITY_TYPES = ("call", "email", "meeting", "note", "task")
SOURCE_FORMATS = ("auto", "generic", "webflow", "formstack", "typeform", "tally", "hubspot", "netlify", "jotform",
                  "google-forms")
# What each read-only command loads: only these kinds are read, so a lead list on a book with
# 50,000 activities does not parse or validate them.
CRM_KINDS = ("lead", "activity", "opportunity", "partner", "rate")
OPP_KINDS = ("opportunity", "rate")


@click.group()
def crm() -> None:
    """Leads, website capture, activities, follow-ups and opportunities.

    \b
    A lead moves new -> contacted -> qualified -> converted (or lost / disqualified);
    `crm lead convert` makes it a customer and an opportunity, `crm opp win` closes it.
    """


@crm.group()
def lead() -> None:
    """Leads: people or companies that might buy."""


crm.add_command(campaign)
crm.add_command(export_)
lead.add_command(lead_forget)


@crm.group()
def activity() -> None:
    """Calls, emails, meetings, notes and tasks on a lead, opportunity or partner."""


@crm.group()
def opp() -> None:
    """Opportunities: a deal with a customer, by stage, amount and expected close date."""


# --- helpers -------------------------------------------------------------------------------------

def _owners(env, owner: str | None) -> set[str] | None:
    """--owner NAME (case-insensitive), or `me`: $COMPTOIR_USER, else git's user.name / user.email."""
    if owner is None:
        return None
    if owner.strip().lower() == "me":
        from comptoir.commands._owner import me_identity

        _, names = me_identity(env)
        if not names:
            from comptoir.errors import fail

            raise fail("who-is-me", "--owner me needs to know who you are",
                       "set COMPTOIR_USER='Your Name', or `git config user.name 'Your Name'`")
        return names
    return {owner.lower()}


def _clear(value: str | None) -> object:
    """Option value for an update: absent = unchanged (...), '' or 'none' = clear (None)."""
    if value is None:
        return ...
    return None if value.strip().lower() in ("", "none") else value


def _date_or_clear(value: str | None, option: str) -> object:
    cleared = _clear(value)
    if cleared is ... or cleared is None:
        return cleared
    return parse_date(value, option)


def _amount(value: str | None, option: str):
    if value is None:
        return None
    from comptoir.errors import fail
    from comptoir.schemas.types import to_decimal

    try:
        return to_decimal(value)
    except ValueError as exc:
        raise fail("invalid-amount", f"{option} {value!r}: {exc}", "write a plain number like 1200.00") from None


def _kinds():
    from comptoir.schemas.registry import kind_named

    return kind_named


def _committed(sha: str | None) -> str:
    return f" in commit {sha[:10]}." if sha else "."


def _report_day(env, date_: str | None, as_of_: str | None) -> dt.date:
    """The report's today: --date, else an --as-of given as a date, else today."""
    day = parse_date(date_, "--date")
    if day:
        return day
    if as_of_:
        try:
            return dt.date.fromisoformat(as_of_)
        except ValueError:
            pass
    return env.today


def _as_of_label(book) -> str | None:
    return f"commit {book.revision[:10]}" if book.revision else None


def _log_on(match) -> str:
    """The command that logs a note on an existing lead or partner (a partner is not a lead)."""
    if match.kind == "lead":
        return f"comptoir crm lead update {match.ident} --note \"...\""
    return f"comptoir crm activity add note \"...\" --partner {match.ident}"


# --- leads ---------------------------------------------------------------------------------------

@lead.command("add")
@click.argument("name")
@click.option("--company", help="Company the person works for.")
@click.option("--email")
@click.option("--phone")
@click.option("--source", default="other", show_default=True,
              help="Where the lead came from: website, referral, event, import, ... (a lowercase word).")
@click.option("--owner", help="Who works the lead; `me` for you. Default: crm.owner in comptoir.yaml.",
              callback=owner_option)
@click.option("--status", type=click.Choice(["new", "contacted", "qualified", "lost", "disqualified"]),
              default="new", show_default=True)
@click.option("--reason", help="Lost reason (with --status lost).")
@click.option("--score", type=click.IntRange(0, 100), help="0-100: how promising.")
@click.option("--interest", help="What they asked about, in their words.")
@click.option("--item", "items", multiple=True, metavar="SKU", help="A catalogue item they are interested in (repeatable).")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--follow-up", "follow_up", metavar="DATE", help="Next follow-up date (YYYY-MM-DD).")
@click.option("--created", metavar="DATE", help="When the lead came in. Default: today.")
@click.option("--notes", help="Free notes kept on the lead.")
@click.option("--note", help="Log a note activity with the lead (what was said).")
@click.option("--campaign", metavar="ID", help="The marketing campaign it came from.")
@click.option("--allow-duplicate", is_flag=True, help="Add even when a lead or partner has the same email or phone.")
@no_commit
@click.pass_obj
def lead_add(env, name, company, email, phone, source, owner, status, reason, score, interest, items, tags,
             follow_up, created, notes, note, campaign, allow_duplicate, no_commit) -> None:
    """Add a lead named NAME (the person). Prints the new lead's id."""
    from comptoir.domain import crm as c
    from comptoir.domain.crm.campaigns import get_campaign
    from comptoir.errors import fail

    kind = _kinds()
    with env.writer("crm lead add", no_commit) as w:
        settle_me(env, w.book)
        book = w.book
        if campaign:
            get_campaign(book, campaign)
        if not allow_duplicate:
            found = c.contact_index(book).matches(email, phone)
            if found:
                raise fail("possible-duplicate", "already known: " + ", ".join(
                    f"{m.kind} {m.ident} (same {m.key})" for m in found),
                    f"log it on that record (`{_log_on(found[0])}`), or add anyway with --allow-duplicate")
        new = c.new_lead(book, {
            "name": name, "company": company, "email": email, "phone": phone, "source": source, "owner": owner,
            "status": status, "lost_reason": reason, "score": score, "interest": interest, "items": list(items),
            "tags": list(tags), "follow_up": parse_date(follow_up, "--follow-up"),
            "created": parse_date(created, "--created"), "notes": notes, "campaign": campaign}, env.today, env.rng)
        w.put(kind("lead"), new)
        ids = [new.id]
        if note:
            act = c.new_activity(book, {"type": "note", "subject": note[:120], "notes": note if len(note) > 120 else None,
                                        "date": new.created, "lead": new.id, "owner": new.owner}, env.rng)
            w.put(kind("activity"), act)
            ids.append(act.id)
        sha = w.commit(f"Add lead {new.id}: {name}" + (f" ({company})" if company else "") + f", {source}", ids)
    click.echo(new.id)
    click.echo(f"Added lead {new.id} ({new.status}){_committed(sha)}", err=True)


@lead.command("update")
@click.argument("ident", metavar="ID")
@click.option("--status", type=click.Choice(LEAD_STATUSES), help="Move the lead (see the transition table).")
@click.option("--reason", help="Why it is lost or disqualified.")
@click.option("--name")
@click.option("--company", help="'' clears it.")
@click.option("--email", help="'' clears it.")
@click.option("--phone", help="'' clears it.")
@click.option("--source")
@click.option("--owner", help="`me` for you; '' clears it.", callback=owner_option)
@click.option("--score", help="0-100, or '' to clear.")
@click.option("--interest", help="'' clears it.")
@click.option("--item", "items", multiple=True, metavar="SKU", help="Add an item of interest (repeatable).")
@click.option("--drop-item", "drop_items", multiple=True, metavar="SKU", help="Remove an item of interest.")
@click.option("--tag", "tags", multiple=True, help="Add a tag (repeatable).")
@click.option("--untag", "untags", multiple=True, help="Remove a tag (repeatable).")
@click.option("--follow-up", "follow_up", metavar="DATE|none", help="Next follow-up date, or none.")
@click.option("--notes", help="Replace the lead's notes field ('' clears it).")
@click.option("--campaign", metavar="ID", help="Attribute it to this campaign ('' clears it).")
@click.option("--note", help="Log an activity with this text (what was said or done).")
@click.option("--note-type", type=click.Choice(["note", "call", "email", "meeting"]), default="note", show_default=True,
              help="The kind of activity --note logs.")
@no_commit
@click.pass_obj
def lead_update(env, ident, status, reason, name, company, email, phone, source, owner, score, interest, items,
                drop_items, tags, untags, follow_up, notes, campaign, note, note_type, no_commit) -> None:
    """Change a lead's fields or status, and log what happened with --note; one commit."""
    from comptoir.domain import crm as c
    from comptoir.domain.crm.campaigns import get_campaign

    kind = _kinds()
    with env.writer("crm lead update", no_commit) as w:
        book = w.book
        current = c.get_lead(book, ident)
        if campaign:
            get_campaign(book, campaign)
        changes: dict = {}
        for key, value in (("name", name), ("company", company), ("email", email), ("phone", phone),
                           ("source", source), ("owner", owner), ("interest", interest), ("notes", notes),
                           ("campaign", campaign)):
            cleared = _clear(value)
            if cleared is not ...:
                changes[key] = cleared
        if score is not None:
            cleared = _clear(score)
            if cleared is None:
                changes["score"] = None
            elif not str(cleared).isdigit() or not 0 <= int(str(cleared)) <= 100:
                raise click.BadParameter("a score is 0-100, or '' to clear", param_hint="--score")
            else:
                changes["score"] = int(str(cleared))
        when = _date_or_clear(follow_up, "--follow-up")
        if when is not ...:
            changes["follow_up"] = when
        if items or drop_items:
            changes["items"] = [i for i in dict.fromkeys([*current.items, *items]) if i not in drop_items]
        if tags or untags:
            changes["tags"] = [t for t in dict.fromkeys([*current.tags, *tags]) if t not in untags]
        if not changes and not status and not reason and not note:
            raise click.UsageError("nothing to change: give --status, a field option, or --note")
        change = c.update_lead(book, current, changes, status, reason)
        ids = [ident]
        if change.fields:
            w.put(kind("lead"), change.lead, replace=True)
        if note:
            act = c.new_activity(book, {
                "type": note_type, "subject": note[:120], "notes": note if len(note) > 120 else None,
                "date": env.today, "lead": ident, "partner": change.lead.partner, "owner": change.lead.owner}, env.rng)
            w.put(kind("activity"), act)
            ids.append(act.id)
        subject = change.subject()
        if note:
            subject = f"{subject}; {note_type} logged" if subject else f"Lead {ident}: {note_type} logged ({note[:60]})"
        if not subject:
            click.echo(f"Lead {ident} is unchanged.", err=True)
            return
        sha = w.commit(subject, ids)
    click.echo(subject + _committed(sha), err=True)


@lead.command("show")
@click.argument("ident", metavar="ID")
@output_format
@as_of
@click.pass_obj
def lead_show(env, ident, fmt, as_of) -> None:
    """Show a lead, its allowed status moves, possible duplicates and its activities."""
    from comptoir.app.crmshow import lead_book
    from comptoir.domain import crm as c
    from comptoir.views.crm import lead_table

    book = lead_book(env, ident, as_of)  # the lead's activities alone, the other leads' contact facts
    if book is None:
        book = env.book(as_of, ("lead", "activity", "partner"))
    emit(lead_table(book, c.get_lead(book, ident), env.today), fmt, _as_of_label(book))


@lead.command("list")
@click.option("--status", "statuses", multiple=True, type=click.Choice(LEAD_STATUSES), help="Only these statuses (repeatable).")
@click.option("--owner", help="Only this owner's leads; `me` for yours.")
@click.option("--source", "sources", multiple=True, help="Only leads from this source (repeatable).")
@click.option("--tag", "tags", multiple=True, help="Only leads with this tag (repeatable: any of them).")
@click.option("--due", is_flag=True, help="Only open leads whose follow-up date is today or earlier.")
@click.option("--sort", type=click.Choice(["newest", "age", "score"]), default="newest", show_default=True,
              help="newest first, oldest first (age), or highest score first.")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many.")
@click.option("--consented", is_flag=True, help="Only leads that gave consent on a form (for an e-mail tool).")
@click.option("--campaign", "campaigns", multiple=True, metavar="ID", help="Only leads of this campaign (repeatable).")
@click.option("--ids", "ids_only", is_flag=True, help="Print only the ids, one a line (for scripts).")
@output_format
@as_of
@click.pass_obj
def lead_list(env, statuses, owner, sources, tags, due, sort, limit, consented, campaigns, ids_only, fmt,
              as_of) -> None:
    """List leads, filtered and sorted."""
    from comptoir.views.crm import leads_table

    where = None
    if statuses:  # only the leads shown are validated (the domain filters again, on the records)
        wanted = set(statuses)
        where = {"lead": lambda raw: str(raw.get("status", "")).strip() in wanted}
    book = env.book(as_of, ("lead",), where)
    table = leads_table(book, _report_day(env, None, as_of), tuple(statuses), _owners(env, owner), tuple(sources),
                        tuple(tags), due, sort, limit, consented, tuple(campaigns))
    if ids_only:
        for row in table.rows:
            click.echo(row["id"])
        return
    emit(table, fmt, _as_of_label(book))


@lead.command("convert")
@click.argument("ident", metavar="ID")
@click.option("--partner", "partner_id", metavar="PARTNER", help="Link to this existing customer.")
@click.option("--new-partner", is_flag=True, help="Create a new customer even if one looks the same.")
@click.option("--title", help="Opportunity title. Default: the customer and the lead's interest.")
@click.option("--amount", help="Expected amount of the opportunity.")
@click.option("--currency", help="Currency of the amount. Default: the book's.")
@click.option("--close", metavar="DATE", help="Expected close date.")
@click.option("--owner", help="Owner of the opportunity. Default: the lead's.", callback=owner_option)
@no_commit
@click.pass_obj
def lead_convert(env, ident, partner_id, new_partner, title, amount, currency, close, owner, no_commit) -> None:
    """Make lead ID a customer (new, or the existing partner with the same email, phone or company)
    and an opportunity; the lead becomes converted. One commit. Prints the opportunity id, then
    the customer id."""
    from comptoir.domain.crm import convert_lead

    if partner_id and new_partner:
        raise click.UsageError("--partner and --new-partner exclude each other")
    kind = _kinds()
    with env.writer("crm lead convert", no_commit) as w:
        settle_me(env, w.book)
        conv = convert_lead(w.book, ident, env.today, env.rng, partner_id=partner_id, new_partner=new_partner,
                            title=title, amount=_amount(amount, "--amount"), currency=currency,
                            close=parse_date(close, "--close"), owner=owner)
        for kind_name, record in conv.records:
            w.put(kind(kind_name), record, replace=kind_name != "opportunity")
        customer = f"new customer {conv.partner.id}" if conv.partner_new else f"customer {conv.partner.id}"
        sha = w.commit(f"Convert lead {ident} to {customer} and opportunity {conv.opportunity.id}",
                       [ident, conv.partner.id, conv.opportunity.id])
    click.echo(conv.opportunity.id)
    click.echo(conv.partner.id)
    click.echo(f"Converted {ident}: {customer} ({conv.partner.name}), opportunity {conv.opportunity.id}"
               + _committed(sha), err=True)


# --- capture -------------------------------------------------------------------------------------

@crm.command("capture")
@click.option("--file", "file_", required=True, metavar="FILE|-", help="Submissions as JSON, JSON Lines or CSV; - reads stdin.")
@click.option("--input-format", type=click.Choice(["json", "jsonl", "csv"]),
              help="Format of the file. Default: from its name, else from its content.")
@click.option("--source-format", "source_format", default="auto", show_default=True,
              type=click.Choice(SOURCE_FORMATS),
              help="The form service that sent the file; auto recognises each submission by its shape, "
                   "generic applies crm.capture in comptoir.yaml.")
@click.option("--campaign", metavar="ID", help="Attribute the new leads to this campaign (default: by their UTM fields).")
@click.option("--timezone", "form_tz", metavar="ZONE",
              help="Time zone of timestamps that carry none (e.g. America/New_York). Default: the book's.")
@click.option("--owner", help="Owner of the new leads (`me` for you). Default: crm.owner in comptoir.yaml.",
              callback=owner_option)
@click.option("--strict", is_flag=True, help="Capture nothing when any row is bad (exit 1).")
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@output_format
@no_commit
@click.pass_obj
def capture(env, file_, input_format, source_format, campaign, form_tz, owner, strict, dry_run, fmt,
            no_commit) -> None:
    """Turn web-form submissions into leads (source website), in one commit.

    \b
    Webflow, Formstack, Typeform, Tally, HubSpot, Netlify, Jotform and Google Forms
    (CSV export) are read as those services send them; anything else through the
    `crm.capture` mapping in comptoir.yaml. A lead is dated the day it was submitted
    (in the book's time zone), attributed to a campaign by its UTM fields, and keeps
    the consent the form carried. Emails are checked and normalised, phones stored
    in E.164 (default country: crm.phone_country). A submission whose email
    (any case) or phone (normalised) is already known is added to that lead or
    partner as an activity instead. Submissions captured before (same id, or same
    content when the form sends no id) are skipped, so capturing a file twice is
    harmless. A bad row is reported with its row number and the others are kept,
    unless --strict.
    """
    from comptoir.domain.crm.capture import capture as run_capture
    from comptoir.domain.crm.capture import read_submissions
    from comptoir.errors import ComptoirError
    from comptoir.inputs import read_text
    from comptoir.views.crm import capture_table

    raw, display = read_text(file_, "utf-8-sig")  # within the batch size limit
    if form_tz:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(form_tz)
        except (ValueError, KeyError, OSError):
            raise click.BadParameter(f"{form_tz!r} is not an IANA time zone (like Europe/Paris)",
                                     param_hint="--timezone") from None
    subs, problems = read_submissions(raw, display, input_format)
    from comptoir.inputs import check_count

    check_count(len(subs) + len(problems), display, "submissions")
    if problems and not subs:  # not one submission could be read: the file is wrong, not a row
        raise ComptoirError(problems)
    kind = _kinds()
    with env.writer("crm capture", no_commit) as w:
        settle_me(env, w.book)
        result = run_capture(w.book, subs, display, env.today, env.rng, owner, source_format, campaign, form_tz)
        problems = problems + result.problems
        if problems and strict:
            raise ComptoirError(problems)
        for p in problems:
            click.echo(p.as_text(), err=True)
        sha = None
        if result.records and not dry_run:
            for kind_name, record in result.records:
                w.put(kind(kind_name), record, replace=record.id in result.replaced)
            ids = [r.id for k, r in result.records if k == "lead"] or [r.id for _, r in result.records][:20]
            sha = w.commit(f"Capture {result.count('created') + result.count('merged')} website submissions "
                           f"from {display.rsplit('/', 1)[-1]}: {result.count('created')} new leads, "
                           f"{result.count('merged')} merged", ids,
                           body=result.summary())
    emit(capture_table(result), fmt)
    what = "Would capture" if dry_run else "Captured"
    tail = _committed(sha) if result.records and not dry_run else ("; nothing new to commit." if not dry_run else ".")
    click.echo(f"{what}: {result.summary()}{tail}", err=True)


# --- activities ----------------------------------------------------------------------------------

@activity.command("add")
@click.argument("type_", metavar="TYPE", type=click.Choice(ACTIVITY_TYPES))
@click.argument("subject")
@click.option("--lead", "lead_id", metavar="ID")
@click.option("--opp", "opp_id", metavar="ID")
@click.option("--partner", "partner_id", metavar="ID")
@click.option("--date", "date_", help="When it happened (or was planned). Default: today.")
@click.option("--due", help="Due date: makes it a follow-up until done.")
@click.option("--owner", help="Who did it or will do it (`me` for you). Default: the lead's or opportunity's owner.",
              callback=owner_option)
@click.option("--done", is_flag=True, help="Already done (for a task or a planned activity).")
@click.option("--notes", help="Longer text.")
@no_commit
@click.pass_obj
def activity_add(env, type_, subject, lead_id, opp_id, partner_id, date_, due, owner, done, notes, no_commit) -> None:
    """Log a TYPE (call, email, meeting, note, task) with SUBJECT on a lead, opportunity or partner.
    Prints the activity id."""
    from comptoir.domain import crm as c

    if not (lead_id or opp_id or partner_id):
        raise click.UsageError("link the activity with --lead, --opp or --partner")
    with env.writer("crm activity add", no_commit) as w:
        settle_me(env, w.book)
        book = w.book
        c.check_links(book, lead_id, opp_id, partner_id)
        if owner is None:
            linked = book.of("lead").get(lead_id) or book.of("opportunity").get(opp_id)
            owner = getattr(linked, "owner", None) or c.default_owner(book, None)
        act = c.new_activity(book, {"type": type_, "subject": subject, "lead": lead_id, "opportunity": opp_id,
                                    "partner": partner_id, "date": parse_date(date_, "--date") or env.today,
                                    "due": parse_date(due, "--due"), "owner": owner, "done": done,
                                    "notes": notes}, env.rng)
        w.put(_kinds()("activity"), act)
        target = lead_id or opp_id or partner_id
        sha = w.commit(f"Log {type_} on {target}: {subject}"[:120], [act.id, target])
    click.echo(act.id)
    click.echo(f"Logged {act.id}" + (f", due {act.due}" if act.due else "") + _committed(sha), err=True)


@activity.command("done")
@click.argument("ident", metavar="ID")
@click.option("--date", "date_", help="When it was done. Default: today.")
@click.option("--note", help="Append to the activity's notes.")
@no_commit
@click.pass_obj
def activity_done(env, ident, date_, note, no_commit) -> None:
    """Mark a task (or planned activity) done."""
    from comptoir.domain import crm as c

    with env.writer("crm activity done", no_commit) as w:
        act = c.get_activity(w.book, ident)
        done = c.complete_activity(act, parse_date(date_, "--date") or env.today)
        if note:
            done = c.revise(done, f"activity {ident}", notes=f"{done.notes}\n{note}" if done.notes else note)
        w.put(_kinds()("activity"), done, replace=True)
        sha = w.commit(f"Done {ident}: {act.subject}"[:120], [ident])
    click.echo(f"Marked {ident} done{_committed(sha)}", err=True)


@activity.command("list")
@click.option("--lead", "lead_id", metavar="ID")
@click.option("--opp", "opp_id", metavar="ID")
@click.option("--partner", "partner_id", metavar="ID")
@click.option("--owner", help="Only this owner's; `me` for yours.")
@click.option("--type", "types", multiple=True, type=click.Choice(ACTIVITY_TYPES), help="Only this type (repeatable).")
@click.option("--open", "open_only", is_flag=True, help="Only what is still to do.")
@click.option("--overdue", is_flag=True, help="Only what is past its due date and not done.")
@click.option("--from", "from_", metavar="DATE")
@click.option("--to", "to_", metavar="DATE")
@click.option("--limit", type=click.IntRange(min=1))
@output_format
@as_of
@click.pass_obj
def activity_list(env, lead_id, opp_id, partner_id, owner, types, open_only, overdue, from_, to_, limit, fmt, as_of) -> None:
    """List activities, newest first."""
    from comptoir.views.crm import activities_table

    book = None
    if lead_id or opp_id or partner_id:  # the activities linked so alone (the links kept per folder)
        from comptoir.app.crmshow import linked_book

        served = linked_book(env, as_of, (), lead=lead_id, opportunity=opp_id, partner=partner_id)
        book = served[0] if served is not None else None
    if book is None:
        book = env.book(as_of, ("activity",))
    emit(activities_table(book, _report_day(env, None, as_of), lead=lead_id, opportunity=opp_id,
                          partner=partner_id, owners=_owners(env, owner), types=tuple(types), open_only=open_only,
                          overdue=overdue, start=parse_date(from_, "--from"), end=parse_date(to_, "--to"),
                          limit=limit), fmt, _as_of_label(book))


@crm.command("followups")
@click.option("--owner", help="Only this owner's; `me` for yours.")
@click.option("--overdue", is_flag=True, help="Only what was due before today.")
@click.option("--days", type=click.IntRange(min=0), default=0, show_default=True,
              help="Also what falls due in the next N days.")
@output_format
@as_of
@click.pass_obj
def followups(env, owner, overdue, days, fmt, as_of) -> None:
    """What is due: open tasks and planned activities, and leads' follow-up dates."""
    from comptoir.app.followups import book_for_followups
    from comptoir.views.crm import followups_table

    book = book_for_followups(env, as_of)  # validates only the records that can be follow-ups
    emit(followups_table(book, _report_day(env, None, as_of), _owners(env, owner), overdue, days), fmt,
         _as_of_label(book))


# --- opportunities -------------------------------------------------------------------------------

def _line_option(fn):
    return click.option("--line", "lines", multiple=True, type=(str, str, str), metavar="ITEM QTY PRICE",
                        help="A line: item, quantity, unit price ('-' when not known yet). Repeatable.")(fn)


@opp.command("add")
@click.argument("title")
@click.option("--partner", required=True, metavar="ID", help="The customer.")
@click.option("--lead", "lead_id", metavar="ID", help="The lead it came from.")
@click.option("--stage", type=click.Choice(("qualification", "proposal", "negotiation")), default="qualification",
              show_default=True)
@click.option("--amount", help="Expected amount. Default: the total of the priced lines.")
@click.option("--currency", help="Currency. Default: the book's.")
@click.option("--probability", type=click.IntRange(0, 100), help="Override the stage's default probability.")
@click.option("--close", metavar="DATE", help="Expected close date.")
@click.option("--owner", help="Who works it; `me` for you.", callback=owner_option)
@_line_option
@click.option("--notes")
@no_commit
@click.pass_obj
def opp_add(env, title, partner, lead_id, stage, amount, currency, probability, close, owner, lines, notes,
            no_commit) -> None:
    """Open an opportunity TITLE with a customer. Prints its id."""
    from comptoir.domain import crm as c

    with env.writer("crm opp add", no_commit) as w:
        settle_me(env, w.book)
        new = c.new_opportunity(w.book, {
            "title": title, "partner": partner, "lead": lead_id, "stage": stage,
            "amount": _amount(amount, "--amount"), "currency": currency, "probability": probability,
            "expected_close": parse_date(close, "--close"), "owner": owner, "lines": c.parse_lines(lines),
            "notes": notes}, env.today, env.rng)
        w.put(_kinds()("opportunity"), new)
        sha = w.commit(f"Open opportunity {new.id}: {title}"[:120], [new.id, partner])
    click.echo(new.id)
    click.echo(f"Opened {new.id} ({new.stage}){_committed(sha)}", err=True)


@opp.command("update")
@click.argument("ident", metavar="ID")
@click.option("--stage", type=click.Choice(STAGES), help="Move to an open stage (win and lose have their commands).")
@click.option("--title")
@click.option("--partner", metavar="ID")
@click.option("--amount", help="Amount, or '' to use the lines' total.")
@click.option("--currency", help="Currency, or '' for the book's.")
@click.option("--probability", help="0-100, or 'default' for the stage's default.")
@click.option("--close", metavar="DATE|none", help="Expected close date.")
@click.option("--owner", help="Who works it; `me` for you.", callback=owner_option)
@_line_option
@click.option("--clear-lines", is_flag=True, help="Remove the existing lines first.")
@click.option("--notes", help="Replace the notes field.")
@click.option("--note", help="Log a note activity on the opportunity.")
@no_commit
@click.pass_obj
def opp_update(env, ident, stage, title, partner, amount, currency, probability, close, owner, lines, clear_lines,
               notes, note, no_commit) -> None:
    """Change an opportunity's stage, amount, probability, close date or lines; one commit."""
    from comptoir.domain import crm as c

    kind = _kinds()
    with env.writer("crm opp update", no_commit) as w:
        book = w.book
        current = c.get_opportunity(book, ident)
        changes: dict = {}
        for key, value in (("title", title), ("partner", partner), ("owner", owner), ("notes", notes)):
            cleared = _clear(value)
            if cleared is not ...:
                changes[key] = cleared
        if amount is not None:
            changes["amount"] = None if _clear(amount) is None else _amount(amount, "--amount")
        if currency is not None:
            changes["currency"] = None if _clear(currency) in (None, book.base) else currency
        if probability is not None:
            if probability.strip().lower() == "default":
                changes["probability"] = None
            elif probability.isdigit() and 0 <= int(probability) <= 100:
                changes["probability"] = int(probability)
            else:
                raise click.BadParameter("0-100, or 'default'", param_hint="--probability")
        when = _date_or_clear(close, "--close")
        if when is not ...:
            changes["expected_close"] = when
        if lines or clear_lines:
            kept = [] if clear_lines else [ln.model_dump(exclude_none=True) for ln in current.lines]
            changes["lines"] = kept + c.parse_lines(lines)
        if not changes and not stage and not note:
            raise click.UsageError("nothing to change: give --stage, a field option, or --note")
        change = c.update_opportunity(book, current, changes, stage)
        ids = [ident]
        if change.fields:
            w.put(kind("opportunity"), change.opportunity, replace=True)
        if note:
            act = c.new_activity(book, {"type": "note", "subject": note[:120], "date": env.today,
                                        "opportunity": ident, "owner": change.opportunity.owner}, env.rng)
            w.put(kind("activity"), act)
            ids.append(act.id)
        subject = change.subject()
        if note:
            subject = f"{subject}; note logged" if subject else f"Opportunity {ident}: note logged ({note[:60]})"
        if not subject:
            click.echo(f"Opportunity {ident} is unchanged.", err=True)
            return
        sha = w.commit(subject, ids)
    click.echo(subject + _committed(sha), err=True)


@opp.command("list")
@click.option("--stage", "stages", multiple=True, type=click.Choice(STAGES), help="Only these stages (repeatable).")
@click.option("--open", "open_only", is_flag=True, help="Only open stages (qualification, proposal, negotiation).")
@click.option("--owner", help="Only this owner's; `me` for yours.")
@click.option("--partner", metavar="ID")
@click.option("--closing-before", metavar="DATE", help="Only those expected to close on or before DATE.")
@output_format
@as_of
@click.pass_obj
def opp_list(env, stages, open_only, owner, partner, closing_before, fmt, as_of) -> None:
    """List opportunities by stage and expected close date, with their weighted amounts."""
    from comptoir.views.crm import opportunities_table

    book = env.book(as_of, OPP_KINDS)
    emit(opportunities_table(book, _report_day(env, None, as_of), tuple(stages), _owners(env, owner), partner,
                             open_only, parse_date(closing_before, "--closing-before")), fmt, _as_of_label(book))


@opp.command("show")
@click.argument("ident", metavar="ID")
@output_format
@as_of
@click.pass_obj
def opp_show(env, ident, fmt, as_of) -> None:
    """Show an opportunity: stage, effective probability, weighted amount, lines, activities, and for
    its lines what is available now and the earliest date each can ship (before you win it)."""
    from comptoir.domain import crm as c
    from comptoir.render import render
    from comptoir.views.availability import line_promises_table
    from comptoir.views.crm import opportunity_table

    book = env.book(as_of)
    opp = c.get_opportunity(book, ident)
    day = _report_day(env, None, as_of)
    table = opportunity_table(book, opp, day)
    promises = line_promises_table(book, opp.lines, day, exclude=(opp.sales_order,) if opp.sales_order else ())
    if opp.lines:
        table.meta["lines"] = [{k: v for k, v in row.items()} for row in promises.rows]
    emit(table, fmt, _as_of_label(book))
    if opp.lines and fmt in ("table", "markdown"):
        click.echo("")
        click.echo(render(promises, fmt), nl=False)


@opp.command("win")
@click.argument("ident", metavar="ID")
@click.option("--date", "date_", help="The day it was won. Default: today.")
@click.option("--amount", help="The final amount, when it differs from the stated one.")
@click.option("--no-order", is_flag=True, help="Do not create a sales order from the lines.")
@no_commit
@click.pass_obj
def opp_win(env, ident, date_, amount, no_order, no_commit) -> None:
    """Mark opportunity ID won; with lines, create its sales order (and reservations) in the same
    commit and print the order id and promise date."""
    from comptoir.domain import crm as c

    kind = _kinds()
    with env.writer("crm opp win", no_commit) as w:
        book = w.book
        current = c.get_opportunity(book, ident)
        day = parse_date(date_, "--date") or env.today
        result = c.win_opportunity(book, current, day, env.rng, _amount(amount, "--amount"), make_order=not no_order)
        for record_kind, record in result.records:
            w.put(record_kind, record)
        w.put(kind("opportunity"), result.opportunity, replace=True)
        won = result.opportunity
        figure = c.money_text(c.amount_of(won), won.currency or book.base)
        subject = f"Win {ident}: {won.title} ({figure})"
        if result.order_id:
            subject += f", sales order {result.order_id}"
        sha = w.commit(subject[:200], [ident] + ([result.order_id] if result.order_id else []))
    if result.order_id:
        click.echo(result.order_id)
        if result.promise_date:
            click.echo(f"Sales order {result.order_id}: promised for {result.promise_date}", err=True)
    click.echo(f"Won {ident} ({figure}){_committed(sha)}", err=True)
    if result.message:
        click.echo(f"note: {result.message}", err=True)


@opp.command("lose")
@click.argument("ident", metavar="ID")
@click.option("--reason", required=True, help="Why: price, timing, competitor, no budget ...")
@click.option("--date", "date_", help="The day it was lost. Default: today.")
@no_commit
@click.pass_obj
def opp_lose(env, ident, reason, date_, no_commit) -> None:
    """Mark opportunity ID lost, with the reason."""
    from comptoir.domain import crm as c

    with env.writer("crm opp lose", no_commit) as w:
        current = c.get_opportunity(w.book, ident)
        lost = c.lose_opportunity(current, parse_date(date_, "--date") or env.today, reason)
        w.put(_kinds()("opportunity"), lost, replace=True)
        subject = f"Opportunity {ident} {current.stage} -> lost ({reason})"
        sha = w.commit(subject[:200], [ident])
    click.echo(subject + _committed(sha), err=True)


# --- reports (run by `comptoir report NAME`) -----------------------------------------------------

@click.command("pipeline")
@click.option("--by", type=click.Choice(["stage-owner", "stage", "owner"]), default="stage-owner", show_default=True)
@click.option("--all", "include_closed", is_flag=True, help="Include won and lost opportunities.")
@click.option("--owner", help="Only this owner's; `me` for yours.")
@click.option("--date", "date_", help="Convert foreign amounts at the rate of this day. Default: today.")
@output_format
@as_of
@click.pass_obj
def pipeline_report(env, by, include_closed, owner, date_, fmt, as_of) -> None:
    """Open opportunities by stage and owner: count, amount, weighted amount (amount x probability)."""
    from comptoir.views.crm import pipeline_table as pipeline

    book = env.book(as_of, OPP_KINDS)
    emit(pipeline(book, _report_day(env, date_, as_of), by, include_closed, _owners(env, owner)), fmt,
         _as_of_label(book))


@click.command("forecast")
@click.option("--months", type=click.IntRange(1, 36), default=6, show_default=True)
@click.option("--date", "date_", help="The month to start from. Default: today.")
@output_format
@as_of
@period_columns
@click.pass_obj
def forecast_report(env, months, date_, fmt, as_of, per) -> None:
    """Weighted open amount by expected close month, beside what was won, for the coming months."""
    from comptoir.views.crm import forecast_table as forecast

    book = env.book(as_of, OPP_KINDS)
    if per:  # the close months added up per month, quarter or year (columns)
        from comptoir.views import periodic

        return emit(periodic.forecast(book, _report_day(env, date_, as_of), months, per), fmt, _as_of_label(book))
    emit(forecast(book, _report_day(env, date_, as_of), months), fmt, _as_of_label(book))


@click.command("funnel")
@date_range
@click.option("--by", type=click.Choice(["source", "campaign"]), default="source", show_default=True,
              help="One row per lead source, or per campaign (the rows add up to the same total).")
@output_format
@as_of
@click.pass_obj
def funnel_report(env, from_, to_, period, year, by, fmt, as_of) -> None:
    """Leads by source (or campaign) and status; conversion lead -> opportunity -> won; median
    days to convert. Dates a lead does not store are taken from its file's git history."""
    from comptoir.app.openitems import documents
    from comptoir.domain.crm.reports import FUNNEL_FACTS, needs_history
    from comptoir.views.crm import funnel_table as funnel

    book = documents(env, as_of, ("lead", "opportunity"), FUNNEL_FACTS)  # the fields the funnel reads, per folder
    start, end = resolve_range(book.settings, from_, to_, period, year)
    dates = None
    if needs_history(book):
        from comptoir.book.gitinfo import file_dates

        book = env.book(as_of, ("lead", "opportunity"))  # the records, with the files their dates come from
        dates = file_dates(env.root(), "crm/leads", book.revision)
    emit(funnel(book, start, end, dates, by), fmt, _as_of_label(book))


@click.command("activities")
@date_range
@click.option("--date", "date_", help="The day open and overdue are counted on. Default: today.")
@output_format
@as_of
@click.pass_obj
def activities_report(env, from_, to_, period, year, date_, fmt, as_of) -> None:
    """Per owner: calls, emails, meetings, notes, tasks logged; follow-ups done; open and overdue."""
    from comptoir.app.openitems import documents
    from comptoir.domain.crm.reports import ACTIVITY_FACTS
    from comptoir.views.crm import owner_activities_table as activity_report

    book = documents(env, as_of, ("activity",), ACTIVITY_FACTS)  # the fields the report reads, per folder
    start, end = resolve_range(book.settings, from_, to_, period, year)
    emit(activity_report(book, _report_day(env, date_, as_of), start, end), fmt, _as_of_label(book))


# `comptoir report` commands of this family (listed by name in comptoir.families).
REPORTS = [pipeline_report, forecast_report, funnel_report, activities_report, campaigns_report]
