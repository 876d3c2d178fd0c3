"""`comptoir account`: the chart of accounts."""

from __future__ import annotations

import click

from comptoir.options import as_of, emit, no_commit, output_format


@click.group()
def account() -> None:
    """Chart of accounts."""


@account.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--type", "type_", required=True,
              type=click.Choice(["asset", "liability", "equity", "income", "expense"]))
@click.option("--parent", help="Parent account code (for roll-ups).")
@click.option("--currency", help="Restrict the account to one currency.")
@click.option("--role", help="What the account is for (bank, receivable, cogs, operating, ...).")
@no_commit
@click.pass_obj
def add(env, code, name, type_, parent, currency, role, no_commit) -> None:
    """Add account CODE named NAME."""
    from comptoir.commands._util import build
    from comptoir.schemas.accounting import Account
    from comptoir.schemas.registry import kind_named

    record = build(Account, code=code, name=name, type=type_, parent=parent, currency=currency, role=role)
    with env.writer("account add", no_commit) as w:
        w.put(kind_named("account"), record)
        w.commit(f"Add account {code} {name}", [code])
    click.echo(f"Added account {code} {name}.", err=True)


@account.command("list")
@output_format
@as_of
@click.pass_obj
def list_(env, fmt, as_of) -> None:
    """List the chart of accounts."""
    from comptoir.views.ledger import accounts_table

    book = env.book(as_of, kinds=("account",))  # not the 300,000 entries of a large book
    emit(accounts_table(book), fmt, book.revision)
