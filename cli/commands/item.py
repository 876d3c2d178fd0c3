"""`comptoir item`: what the company buys, makes, stocks and sells."""

from __future__ import annotations

import click

from comptoir.options import as_of, emit, no_commit, output_format

ITEM_TYPES = ["stocked", "service", "raw-material", "finished-good"]


@click.group()
def item() -> None:
    """Items: SKUs with their unit, valuation method, lead time and reorder levels."""


@item.command("add")
@click.argument("sku")
@click.argument("name")
@click.option("--uom", default="unit", show_default=True, help="Unit of measure (kg, bag, unit, ...).")
@click.option("--type", "type_", type=click.Choice(ITEM_TYPES), default="stocked", show_default=True,
              help="Service items have no stock.")
@click.option("--lead-time", "lead_time", type=click.IntRange(min=0), default=0, show_default=True,
              help="Standard replenishment lead time in days (promise dates fall back on it).")
@click.option("--reorder-point", help="Reorder when the projected quantity falls below this.")
@click.option("--reorder-qty", help="How much to order when it does.")
@click.option("--valuation", type=click.Choice(["fifo", "moving-average"]), default="fifo", show_default=True)
@click.option("--inventory-account", help="Inventory account (default: the book's, 1200).")
@click.option("--cogs-account", help="Cost of goods sold account (default: the book's, 5010).")
@click.option("--allow-negative", is_flag=True, help="Allow issuing more than is on hand.")
@click.option("--description")
@click.option("--tax", help="Default tax code of documents that trade it (a line's own code, then the "
              "document's --tax and the partner's default, win).")
@click.option("--price", help="List price in the book's currency; an item with a price is sellable (catalog, quotes).")
@no_commit
@click.pass_obj
def add(env, sku, name, uom, type_, lead_time, reorder_point, reorder_qty, valuation, inventory_account,
        cogs_account, allow_negative, description, tax, price, no_commit) -> None:
    """Add item SKU named NAME."""
    from comptoir.commands._util import build
    from comptoir.errors import fail
    from comptoir.schemas.inventory import Item
    from comptoir.schemas.registry import kind_named

    record = build(Item, sku=sku, name=name, uom=uom, type=type_, lead_time_days=lead_time,
                   reorder_point=reorder_point, reorder_qty=reorder_qty, valuation=valuation,
                   inventory_account=inventory_account, cogs_account=cogs_account,
                   allow_negative=allow_negative or None, description=description, price=price, tax=tax)
    with env.writer("item add", no_commit) as w:
        if tax:
            from comptoir.domain.documents import get_tax

            get_tax(w.book, tax)
        for code in (inventory_account, cogs_account):
            if code and code not in w.book.accounts:
                raise fail("unknown-account", f"account {code} does not exist",
                           "use an account from `comptoir account list`, or add it with `comptoir account add`")
        w.put(kind_named("item"), record)
        w.commit(f"Add item {sku} {name}", [sku])
    click.echo(sku)
    click.echo(f"Added item {sku} {name} ({type_}, {valuation}, per {uom}).", err=True)


@item.command("list")
@click.option("--type", "type_", type=click.Choice(ITEM_TYPES), help="Only items of this type.")
@output_format
@as_of
@click.pass_obj
def list_(env, type_, fmt, as_of) -> None:
    """List items with their stock on hand and value."""
    from comptoir.app import stockreports
    from comptoir.views.stock import items_table

    book = stockreports.served(env, as_of, ledger=False, level_days=(None,))  # levels from the stock partials
    emit(items_table(book, type_), fmt, book.revision)


@item.command("show")
@click.argument("sku")
@output_format
@as_of
@click.pass_obj
def show(env, sku, fmt, as_of) -> None:
    """Show one item: its settings and its availability per warehouse."""
    from comptoir.app import stockreports
    from comptoir.domain.availability import facts_read, kinds_read
    from comptoir.views.availability import item_detail

    # what `report reorder` reads: on hand from the stock partials, the units consumed per day (the
    # average daily use) and the kinds the availability providers read; not the whole book
    book = stockreports.served(env, as_of, ledger=False, level_days=(None, env.today), consumption=True,
                               kinds=tuple(sorted(kinds_read() or ())), facts=facts_read())
    emit(item_detail(book, sku), fmt, book.revision)
