"""`comptoir export catalog`: the website's availability feed."""

from __future__ import annotations

import click

from comptoir.options import FORMATS, as_of, emit


@click.command("catalog")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option("--cap", help="Never show more than this quantity (hide how much stock there is).")
@click.option("--buckets", is_flag=True, help="Show only in stock / low stock / out of stock, no quantities.")
@click.option("--low", help="Available at or below this is 'low stock' (default: the item's reorder point).")
@click.option("--date", "date_", help="The day to answer for. Default: today.")
@as_of
@click.pass_obj
def catalog(env, fmt, cap, buckets, low, date_, as_of) -> None:
    """Each sellable item (one with a price): price, available quantity and next-available date."""
    from comptoir.domain.posting import parse_amount
    from comptoir.options import parse_date
    from comptoir.views.availability import catalog_table

    def qty(value, option):
        if value is None:
            return None
        amount, cur, rate = parse_amount(value)
        if cur or rate or amount < 0:
            raise click.BadParameter("give a plain non-negative number", param_hint=option)
        return amount

    book = env.book(as_of)
    today = parse_date(date_, "--date") or env.today
    table = catalog_table(book, today, qty(cap, "--cap"), qty(low, "--low"), buckets)
    emit(table, fmt, f"commit {book.revision[:10]}" if book.revision else None)
