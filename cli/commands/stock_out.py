"""`comptoir report stock-out`: the day each item's projected stock runs out (beside `reorder`)."""

from __future__ import annotations

import click

from comptoir.options import as_of, emit, output_format


@click.command("stock-out")
@click.option("--date", "date_", help="The day to project from. Default: today.")
@click.option("--days", type=click.IntRange(1, 730), default=182, show_default=True, help="How far to project.")
@output_format
@as_of
@click.pass_obj
def stock_out_report(env, date_, days, fmt, as_of) -> None:
    """Per item: projected stock (on hand + supply - demand - usual daily use), the day it falls
    below the reorder point, the stock-out day and the day to order by."""
    from comptoir.app import stockreports
    from comptoir.domain.availability import kinds_read
    from comptoir.options import parse_date
    from comptoir.views.availability import stock_out_table

    # on hand (every move, and at today's end) and the units consumed per day from the stock
    # partials, as `report reorder`; the kinds the supply and demand providers read
    book = stockreports.served(env, as_of, ledger=False, level_days=(None, env.today), consumption=True,
                               kinds=tuple(sorted(kinds_read() or ())))
    emit(stock_out_table(book, parse_date(date_, "--date") or env.today, days), fmt, book.revision)
