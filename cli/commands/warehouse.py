"""`comptoir warehouse`: the places stock is kept."""

from __future__ import annotations

import click

from comptoir.options import as_of, emit, no_commit, output_format


@click.group()
def warehouse() -> None:
    """Warehouses: where stock is kept, each optionally with its own inventory account."""


@warehouse.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--address", help="Postal address.")
@click.option("--inventory-account", help="Inventory account for stock kept here (wins over the item's).")
@no_commit
@click.pass_obj
def add(env, code, name, address, inventory_account, no_commit) -> None:
    """Add warehouse CODE named NAME."""
    from comptoir.commands._util import build
    from comptoir.errors import fail
    from comptoir.schemas.inventory import Warehouse
    from comptoir.schemas.registry import kind_named

    record = build(Warehouse, code=code, name=name, address=address, inventory_account=inventory_account)
    with env.writer("warehouse add", no_commit) as w:
        if inventory_account and inventory_account not in w.book.accounts:
            raise fail("unknown-account", f"account {inventory_account} does not exist",
                       "use an account from `comptoir account list`, or add it with `comptoir account add`")
        w.put(kind_named("warehouse"), record)
        w.commit(f"Add warehouse {code} {name}", [code])
    click.echo(code)
    click.echo(f"Added warehouse {code} {name}.", err=True)


@warehouse.command("list")
@output_format
@as_of
@click.pass_obj
def list_(env, fmt, as_of) -> None:
    """List warehouses with the value of the stock they hold."""
    from comptoir.app import stockreports
    from comptoir.views.stock import warehouses_table

    book = stockreports.served(env, as_of, ledger=False, level_days=(None,))  # levels from the stock partials
    emit(warehouses_table(book), fmt, book.revision)
