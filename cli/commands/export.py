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
    from comptoir.domain.hledger import hledger_journal, hledger_lines

    def lines(book, parts):
        start, end = resolve_range(book.settings, from_, to_, period, year)
        return hledger_lines(book, parts, start, end)

    if _streamed(env, as_of, lines):
        return
    book = env.book(as_of)
    start, end = resolve_range(book.settings, from_, to_, period, year)
    click.echo(hledger_journal(book, start, end), nl=False)


def _streamed(env, as_of, lines, around=None) -> bool:
    """Write `lines(book, parts)` with the journal read one folder at a time (comptoir.book.loader.
    stream_book: every other kind read, the journal's folders in path order, each let go once
    written): a journal export then holds a month of entries, not the journal. The text goes to a
    temporary file and then to stdout (after the head and before the tail that `around(book)`
    gives once the lines are written), so that an error writes nothing; False (nothing written)
    when a folder holds a day no later than an earlier folder's (a misfiled entry): the caller reads
    the whole journal."""
    import tempfile

    from comptoir.domain.ledger import NotInOrder

    book, folders = env.streamed_book(as_of)
    problems = list(book.load_problems)

    def parts():
        for chunk in folders:
            problems.extend(chunk.load_problems)
            yield chunk.of("journal").values()

    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        try:
            for line in lines(book, parts()):
                spool.write(line)
                spool.write("\n")
        except NotInOrder:
            return False
        head, tail = around(book) if around is not None else ([], [])
        env.warn_unread(problems)
        if head:
            click.echo("\n".join(head))
        spool.seek(0)
        while block := spool.read(1 << 16):
            click.echo(block, nl=False)
        if tail:
            click.echo("\n".join(tail))
    return True


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
    from comptoir.domain.beancount_export import (
        beancount_body,
        beancount_head,
        beancount_ledger,
        beancount_tail,
    )

    state: dict = {}
    if _streamed(env, as_of, lambda book, parts: beancount_body(book, parts, state),
                 lambda book: (beancount_head(book, state), beancount_tail(state))):
        return
    book = env.book(as_of)
    click.echo(beancount_ledger(book), nl=False)


def _catalog():
    from comptoir.commands.catalog import catalog

    return catalog


export.add_command(_catalog(), "catalog")
