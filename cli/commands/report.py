"""`comptoir report NAME`: financial and management reports."""

from __future__ import annotations

import click

from comptoir.options import (
    as_of,
    date_range,
    emit,
    output_format,
    output_path,
    period_columns,
    resolve_range,
)


class _Reports(click.Group):
    """Reports other families add (comptoir.families: each family's `reports`, found in the
    REPORTS list of its commands module), loaded when run."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from comptoir.families import report_names

        return sorted(set(self.commands) | set(report_names()))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.commands:
            return self.commands[name]
        from comptoir.families import load_report

        return load_report(name)


@click.group(cls=_Reports)
def report() -> None:
    """Financial and management reports (every one takes --format and --as-of)."""


def _as_of_label(book) -> str | None:
    return f"commit {book.revision[:10]}" if book.revision else None


@report.command("trial-balance")
@date_range
@click.option("--depth", type=int, help="Roll accounts up to this many levels of the tree.")
@click.option("--currency", help="Only postings in this currency, in their own amounts (default: all, in base).")
@output_format
@as_of
@period_columns
@click.pass_obj
def trial_balance(env, from_, to_, period, year, depth, currency, fmt, as_of, per) -> None:
    """Opening balance, debits, credits and closing balance per account."""
    book = None
    if per:
        from comptoir.app import ledgerdays
        from comptoir.views import periodic

        book = ledgerdays.served(env, as_of, fold=ledgerdays.currency_fold if currency else None)
        start, end = resolve_range(book.settings, from_, to_, period, year)
        return emit(periodic.trial_balance(book, start, end, per, depth, currency.upper() if currency else None),
                    fmt, _as_of_label(book))
    if not currency:  # base-currency sums per day are cached per journal folder: no entry is read
        from comptoir.app import ledgerdays

        watch = ledgerdays.Watch(env.repo, env.cwd, as_of)  # first: git works while the models import
        out = None if year or fmt not in _TEXT_FORMATS or output_path() else _from_snapshot(watch, from_, to_, period, depth, fmt)
        if out is not None and watch.untouched():
            click.echo(out, nl=False)
            return
        book = env.book(as_of, kinds=("account", "rate"), status=watch.probe)
        if ledgerdays.attach(env.root(), book, watch):
            from comptoir.app import ledgersnap

            ledgersnap.keep(env.root(), book, watch)
        else:
            book = None
    from comptoir.views.ledger import trial_balance_table as build

    if book is None and currency:  # the sums in each currency's own amounts, kept per journal folder
        from comptoir.app import ledgerdays

        book = ledgerdays.served(env, as_of, fold=ledgerdays.currency_fold)
    if book is None:
        book = env.book(as_of)
    start, end = resolve_range(book.settings, from_, to_, period, year)
    emit(build(book, start, end, depth, currency.upper() if currency else None), fmt, _as_of_label(book))


_TEXT_FORMATS = ("table", "json", "csv", "markdown")


def _from_snapshot(watch, from_, to_, period, depth, fmt) -> str | None:
    """The trial balance rendered from the snapshot of HEAD (cli/app/ledgersnap.py) while git
    status still runs; it is the working tree's only if `watch.untouched()`. None when there is
    none, or the range is refused: the full read reports that, after anything it finds first.
    (--year is not served: the fiscal year's bounds need the settings model.)"""
    from comptoir.app import ledgersnap
    from comptoir.errors import ComptoirError
    from comptoir.render import render

    snapshot = ledgersnap.lookup(watch)
    if snapshot is None:
        return None
    try:
        table = snapshot.trial_balance(*resolve_range(None, from_, to_, period, None), depth)
    except ComptoirError:
        return None
    return None if table is None else render(table, fmt)


@report.command("overview")
@click.option("--date", "date_", help="The day to report on. Default: today.")
@output_format
@as_of
@click.pass_obj
def overview(env, date_, fmt, as_of) -> None:
    """One-screen management summary: cash, receivables, payables, results (the main job)."""
    from comptoir.app import overview as served
    from comptoir.options import parse_date
    from comptoir.views.overview import overview as build

    day = parse_date(date_, "--date") or env.today
    book = served.served(env, as_of, day)
    emit(build(book, day), fmt, _as_of_label(book))
