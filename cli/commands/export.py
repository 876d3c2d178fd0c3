"""`comptoir export`: the books in other tools' formats."""

from __future__ import annotations

import click

from comptoir.options import as_of, date_range, resolve_range


@click.group()
def export() -> None:
    """Export the books for other tools (hledger, ledger-cli, ...)."""


@export.command("hledger")
@date_range
@as_of
@click.pass_obj
def hledger(env, from_, to_, period, year, as_of) -> None:
    """Journal entries as an hledger journal (ledger-cli reads it too), on stdout.

    \b
    Foreign postings carry their total cost in the base currency, so:
      comptoir export hledger > books.journal
      hledger -f books.journal bse -B
      hledger -f books.journal is -B not:tag:closing
    """
    from comptoir.domain.hledger import hledger_journal

    book = env.book(as_of)
    start, end = resolve_range(book.settings, from_, to_, period, year)
    click.echo(hledger_journal(book, start, end), nl=False)


@export.command("beancount")
@as_of
@click.pass_obj
def beancount(env, as_of) -> None:
    """Journal entries, rates and balance assertions as a beancount ledger, on stdout.

    \b
    Every transaction balances in the base currency; check it and browse it:
      comptoir export beancount > books.beancount
      bean-check books.beancount
      fava books.beancount
    """
    from comptoir.domain.beancount_export import beancount_ledger

    book = env.book(as_of)
    click.echo(beancount_ledger(book), nl=False)


def _catalog():
    from comptoir.commands.catalog import catalog

    return catalog


export.add_command(_catalog(), "catalog")
