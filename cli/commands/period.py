"""`comptoir period`: close and reopen periods, close the fiscal year, revalue foreign balances."""

from __future__ import annotations

import click

from comptoir.options import emit, no_commit, output_format


@click.group()
def period() -> None:
    """Lock periods, close years, revalue foreign currencies.

    \b
    The lock date in comptoir.yaml closes every day up to and including it:
    nothing may be posted, reversed or dated on or before it.
    """


def _lock_trailer(old, new) -> dict[str, str]:
    from comptoir.book.lockinfo import LOCK_TRAILER

    return {LOCK_TRAILER: f"{old or 'none'} -> {new or 'none'}"}


@period.command("close")
@click.argument("date_", metavar="DATE")
@no_commit
@click.pass_obj
def close(env, date_, no_commit) -> None:
    """Lock the books through DATE (inclusive), after checking the period.

    Refused while any entry, rate, account or setting of the period has an error (a
    failed balance assertion included) or is not committed yet.
    """
    from comptoir.book.lockinfo import lock_settings, uncommitted
    from comptoir.domain.periods import check_close
    from comptoir.options import parse_date

    day = parse_date(date_, "DATE")
    assert day is not None  # DATE is a required argument
    with env.writer("period close", no_commit) as w:
        old = w.book.settings.lock_date
        if not check_close(w.book, day, env.today, uncommitted(w.root)):
            click.echo(f"The books are already locked through {day}; nothing to do.", err=True)
            return
        text, settings = lock_settings(w.book, day)
        w.put_settings_text(text, settings)
        sha = w.commit(f"Close the books through {day}", [], trailers=_lock_trailer(old, day))
    click.echo(day.isoformat())
    click.echo(f"Locked the books through {day} (was {old or 'not locked'})"
               + (f" in commit {sha[:10]}." if sha else "."), err=True)


@period.command("reopen")
@click.argument("date_", metavar="DATE")
@click.option("--force", is_flag=True, help="Confirm that a closed period is to be reopened.")
@click.option("--reason", help="Why the period is reopened (kept in the commit message).")
@no_commit
@click.pass_obj
def reopen(env, date_, force, reason, no_commit) -> None:
    """Move the lock date back to DATE: the days after it can be posted to again.

    Needs --force. The change is a commit of its own (trailer `Comptoir-Lock: OLD -> NEW`),
    so the history shows who reopened which period, when, and why.
    """
    from comptoir.book.lockinfo import lock_settings
    from comptoir.domain.periods import check_reopen, reopened_closings
    from comptoir.options import parse_date
    from comptoir.schemas.registry import kind_named

    day = parse_date(date_, "DATE")
    assert day is not None  # DATE is a required argument
    with env.writer("period reopen", no_commit) as w:
        old = check_reopen(w.book, day, force)
        undone = reopened_closings(w.book, day, env.rng)
        text, settings = lock_settings(w.book, day)
        w.put_settings_text(text, settings)
        for entry in undone:
            w.put(kind_named("journal"), entry)
        sha = w.commit(f"Reopen the books after {day} (lock date {old} -> {day})"
                       + "".join(f"; undo the year-end close {e.reverses}" for e in undone),
                       [e.id for e in undone],
                       body=f"Reason: {reason}" if reason else "", trailers=_lock_trailer(old, day))
    click.echo(day.isoformat())
    for e in undone:
        click.echo(f"Reversed the year-end closing entry {e.reverses} with {e.id} on {e.date}", err=True)
    click.echo(f"Reopened {day} to {old}: the books are now locked through {day}"
               + (f" (commit {sha[:10]})." if sha else "."), err=True)


@period.command("close-year")
@click.argument("year", type=int)
@no_commit
@click.pass_obj
def close_year(env, year, no_commit) -> None:
    """Post the closing entry of fiscal YEAR and lock it.

    The entry, dated the year's last day and tagged `closing`, brings every income and
    expense account to zero against retained earnings (accounts: retained_earnings: in
    comptoir.yaml). Entry and lock are one commit.
    """
    from comptoir.book.lockinfo import lock_settings, uncommitted
    from comptoir.domain.periods import check_close, closing_entry
    from comptoir.schemas.registry import kind_named

    with env.writer("period close-year", no_commit) as w:
        old = w.book.settings.lock_date
        entry, end = closing_entry(w.book, year, env.today, env.rng)
        check_close(w.book, end, env.today, uncommitted(w.root))
        if entry is not None:
            w.put(kind_named("journal"), entry)
        text, settings = lock_settings(w.book, end)
        w.put_settings_text(text, settings)
        sha = w.commit(f"Close fiscal year {year}" + (f": {entry.memo}" if entry else ""),
                       [entry.id] if entry else [], trailers=_lock_trailer(old, end))
    if entry is not None:
        click.echo(entry.id)
    click.echo((f"Posted {entry.id} and locked" if entry else "Nothing to move to retained earnings; locked")
               + f" the books through {end}" + (f" in commit {sha[:10]}." if sha else "."), err=True)


@period.command("revalue")
@click.argument("date_", metavar="DATE")
@click.option("--dry-run", is_flag=True, help="Show the workings without posting anything.")
@output_format
@no_commit
@click.pass_obj
def revalue(env, date_, dry_run, fmt, no_commit) -> None:
    """Revalue foreign-currency balances at DATE with the rate table; post the difference.

    Each foreign balance of an asset or liability account is brought to balance x the
    latest rate on or before DATE; the difference is posted as an exchange difference
    (`value:` on a posting of amount 0) against the exchange gain or loss account, and
    reversed on the next day in the same commit: open documents keep settling at their own
    rate, so a payment after the revaluation books only the realised difference.
    """
    from comptoir.domain.currency import revaluation, revaluation_reversal
    from comptoir.errors import fail
    from comptoir.options import parse_date
    from comptoir.schemas.registry import kind_named

    day = parse_date(date_, "DATE")
    assert day is not None  # DATE is a required argument
    if day > env.today:
        raise fail("period-not-ended", f"{day} is after today ({env.today})", "revalue at a date that has passed")
    if dry_run:
        from comptoir.views.currency import positions_table

        book = env.book()
        emit(positions_table(book, day, revaluation(book, day, env.rng)[1]), fmt)
        return
    with env.writer("period revalue", no_commit) as w:
        entry, _ = revaluation(w.book, day, env.rng)
        base = w.book.base
        if entry is None:
            click.echo(f"No foreign balance moves at the {day} rates; nothing posted.", err=True)
            return
        undo = revaluation_reversal(w.book, entry, env.rng)
        w.put(kind_named("journal"), entry)
        w.put(kind_named("journal"), undo)
        sha = w.commit(f"Revalue foreign-currency balances at {day}, reversed on {undo.date}", [entry.id, undo.id])
    net = -sum((p.amount for p in entry.postings if p.currency is None), 0)
    click.echo(entry.id)
    click.echo(undo.id)
    click.echo(f"Posted {entry.id}, reversed by {undo.id} on {undo.date}: unrealised exchange {'gain' if net >= 0 else 'loss'} of {abs(net)} {base}"
               + (f" in commit {sha[:10]}." if sha else "."), err=True)
