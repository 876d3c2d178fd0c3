"""`comptoir rate`: the exchange-rate table (units of the base currency per unit)."""

from __future__ import annotations

import click

from comptoir.options import as_of, emit, no_commit, output_format


@click.group()
def rate() -> None:
    """Exchange rates to the base currency, one record per currency and day."""


@rate.command("add")
@click.argument("currency")
@click.argument("value", metavar="RATE")
@click.option("--date", "date_", help="The day the rate applies from (YYYY-MM-DD). Default: today.")
@click.option("--source", help="Where the rate comes from (ECB, bank statement).")
@click.option("--replace", is_flag=True, help="Correct the rate already recorded for that day.")
@no_commit
@click.pass_obj
def add(env, currency, value, date_, source, replace, no_commit) -> None:
    """Record that one unit of CURRENCY is worth RATE units of the base currency."""
    from comptoir.commands._util import build
    from comptoir.errors import fail
    from comptoir.options import parse_date
    from comptoir.schemas.rates import ExchangeRate, rate_id
    from comptoir.schemas.registry import kind_named

    day = parse_date(date_, "--date") or env.today
    currency = currency.upper()
    record = build(ExchangeRate, id=rate_id(currency, day), date=day, currency=currency, rate=value,
                   source=source)
    with env.writer("rate add", no_commit) as w:
        if currency == w.book.base:
            raise fail("rate-base-currency", f"{currency} is the base currency; it has no rate",
                       "record rates of foreign currencies only")
        recorded = w.book.of("rate").get(record.id)
        if recorded is not None and not replace:  # a rate's id is its currency and day: no id to choose
            raise fail("duplicate-id", f"a {currency} rate for {day} is already recorded: {recorded.rate}",
                       "give --replace to correct it, or --date for another day",
                       file=w.book.source("rate", record.id), line=1)
        w.put(kind_named("rate"), record, replace=replace)
        sha = w.commit(f"Rate {currency} {day}: {record.rate} {w.book.base}", [record.id])
    click.echo(record.id)
    click.echo(f"1 {currency} = {record.rate} {w.book.base} from {day}" + (f" (commit {sha[:10]})." if sha else "."),
               err=True)


@rate.command("list")
@click.option("--currency", help="Only this currency.")
@output_format
@as_of
@click.pass_obj
def list_(env, currency, fmt, as_of) -> None:
    """List the recorded exchange rates."""
    from comptoir.views.currency import rates_table

    book = env.book(as_of)
    emit(rates_table(book, currency.upper() if currency else None), fmt, book.revision)
