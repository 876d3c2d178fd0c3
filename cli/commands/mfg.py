"""`comptoir mfg`: bills of materials, work orders, completions and production planning; and the
`production` and `bom-cost` reports that `comptoir report` runs."""

from __future__ import annotations

import click

from comptoir.options import (
    as_of,
    date_range,
    emit,
    no_commit,
    output_format,
    parse_date,
    resolve_range,
)


@click.group()
def mfg() -> None:
    """Manufacturing: bills of materials, work orders, completions, planning.

    \b
    comptoir mfg bom add ESP-250 --qty 1 -c ROAST-ESP 0.25 -c BAG-250 1 --scrap BAG-250 2 \\
        --operation-cost 0.15
    comptoir mfg order ESP-250 --qty 200 --due 2026-12-04
    comptoir mfg check WO-20261128-7K2M
    comptoir mfg complete WO-20261128-7K2M --qty 120
    comptoir mfg plan [--apply]
    """


@mfg.group()
def bom() -> None:
    """Bills of materials: what an item is made of, level by level."""


def _number(value: str | None, option: str):
    if value is None:
        return None
    from comptoir.errors import fail
    from comptoir.schemas.types import to_decimal

    try:
        return to_decimal(value)
    except ValueError:
        raise fail("invalid-number", f"{option} {value!r} is not a number", "write a plain number: 12 or 2.5") from None


def _committed(sha: str | None) -> str:
    return f" in commit {sha[:10]}." if sha else "."


def _kind(name: str):
    from comptoir.schemas.registry import kind_named

    return kind_named(name)


def _label(book) -> str | None:
    return f"commit {book.revision[:10]}" if book.revision else None


# --- BOMs --------------------------------------------------------------------------------------

@bom.command("add")
@click.argument("sku")
@click.option("--qty", "yield_", default="1", show_default=True, help="How much one batch of the components makes.")
@click.option("-c", "--component", "components", nargs=2, multiple=True, required=True, metavar="SKU QTY",
              help="A component and the quantity one batch needs (repeatable).")
@click.option("--scrap", nargs=2, multiple=True, metavar="SKU PERCENT",
              help="Extra percent of a component lost in making: needed = qty x (1 + percent/100).")
@click.option("--operation-cost", help="Labour and overhead per unit made, credited to the absorption account.")
@click.option("--warehouse", help="Where it is made (the default warehouse of its work orders).")
@click.option("--id", "ident", help="BOM id. Default: BOM-<SKU>.")
@click.option("--description")
@click.option("--replace", is_flag=True, help="Replace the BOM with that id (its history stays in git).")
@no_commit
@click.pass_obj
def bom_add(env, sku, yield_, components, scrap, operation_cost, warehouse, ident, description, replace,
            no_commit) -> None:
    """Add the bill of materials of SKU; prints its id.

    A component that has its own BOM is made in turn (multi-level); a loop (A needs B,
    B needs A) is refused, naming it.
    """
    from comptoir.domain.manufacturing import new_bom

    comps = [(c, _number(q, f"--component {c}")) for c, q in components]
    waste = {c: _number(p, f"--scrap {c}") for c, p in scrap}
    with env.writer("mfg bom add", no_commit) as w:
        record, old = new_bom(w.book, sku, _number(yield_, "--qty"), comps, waste,
                              _number(operation_cost, "--operation-cost"), warehouse, ident, description, replace)
        w.put(_kind("bom"), record, replace=old is not None)
        verb = "Replace" if old is not None else "Add"
        sha = w.commit(f"{verb} bill of materials {record.id} for {sku}: "
                       + ", ".join(f"{line.item} {line.qty:f}" for line in record.components), [record.id])
    click.echo(record.id)
    click.echo(f"{verb.rstrip('e')}ed bill of materials {record.id} ({len(record.components)} components)" + _committed(sha),
               err=True)


@bom.command("show")
@click.argument("ref", metavar="BOM|SKU")
@click.option("--explode", is_flag=True, help="List every material through every level, totalled for --qty.")
@click.option("--qty", default=None, help="Quantity to explode for. Default: one batch.")
@output_format
@as_of
@click.pass_obj
def bom_show(env, ref, explode, qty, fmt, as_of) -> None:
    """Show a BOM's components with their cost, or with --explode the total materials for a quantity."""
    from comptoir.domain.manufacturing import find_bom
    from comptoir.views.manufacturing import bom_table, explode_table

    book = env.book(as_of)
    record = find_bom(book, ref)
    if explode:
        emit(explode_table(book, record, _number(qty, "--qty") or record.qty), fmt, _label(book))
    else:
        emit(bom_table(book, record), fmt, _label(book))


@bom.command("list")
@output_format
@as_of
@click.pass_obj
def bom_list(env, fmt, as_of) -> None:
    """List bills of materials."""
    from comptoir.views.manufacturing import boms_table

    book = env.book(as_of)
    emit(boms_table(book), fmt, _label(book))


# --- work orders -------------------------------------------------------------------------------

@mfg.command("order")
@click.argument("sku")
@click.option("--qty", required=True, help="How much to make, in the item's unit.")
@click.option("--warehouse", help="Where components are taken and the output arrives. Default: the BOM's, "
                                  "else the only warehouse.")
@click.option("--due", help="When the output is expected (YYYY-MM-DD). Default: today + the item's lead time.")
@click.option("--start", help="When the components are needed. Default: due - lead time (not before today).")
@click.option("--bom", "bom_ref", metavar="BOM", help="Which BOM. Default: the item's active one.")
@click.option("--release", is_flag=True, help="Create it released rather than planned.")
@click.option("--reference", help="What asked for it (a sales order, a plan).")
@click.option("--notes")
@no_commit
@click.pass_obj
def order(env, sku, qty, warehouse, due, start, bom_ref, release, reference, notes, no_commit) -> None:
    """Create a work order to make QTY of SKU; prints its id.

    Its output counts as planned supply (on the due date) and its components as required
    (on the start date) in `stock available`, `stock promise` and `mfg plan`.
    """
    from comptoir.domain.manufacturing import new_order

    with env.writer("mfg order", no_commit) as w:
        wo = new_order(w.book, sku, _number(qty, "--qty"), env.today, env.rng, warehouse=warehouse,
                       due=parse_date(due, "--due"), start=parse_date(start, "--start"), bom_ref=bom_ref,
                       status="released" if release else "planned", reference=reference, notes=notes)
        w.put(_kind("work-order"), wo)
        sha = w.commit(f"Plan work order {wo.id}: {wo.qty:f} {sku} in {wo.warehouse}, due {wo.due}", [wo.id])
    click.echo(wo.id)
    click.echo(f"Created work order {wo.id} ({wo.status}) for {wo.qty:f} {sku}, components: "
               + ", ".join(f"{c.item} {c.qty:f}" for c in wo.components) + _committed(sha), err=True)


@mfg.command("orders")
@click.option("--status", "statuses", multiple=True,
              type=click.Choice(["planned", "released", "in-progress", "completed", "cancelled"]),
              help="Only orders in this status (repeatable).")
@click.option("--open", "open_", is_flag=True, help="Only open orders (planned, released, in progress).")
@click.option("--item", help="Only orders for this SKU.")
@output_format
@as_of
@click.pass_obj
def orders_list(env, statuses, open_, item, fmt, as_of) -> None:
    """List work orders with what is done and what remains."""
    from comptoir.views.manufacturing import orders_table

    book = env.book(as_of)
    wanted = tuple(statuses) + (("planned", "released", "in-progress") if open_ else ())
    emit(orders_table(book, env.today, wanted, item), fmt, _label(book))


@mfg.command("show")
@click.argument("ident", metavar="ORDER")
@output_format
@as_of
@click.pass_obj
def show(env, ident, fmt, as_of) -> None:
    """Show a work order: its components (needed, consumed, still needed) and its completions."""
    from comptoir.views.manufacturing import order_table

    book = env.book(as_of)
    emit(order_table(book, ident), fmt, _label(book))


def _set_status(env, ident: str, to: str, verb: str, no_commit: bool) -> None:
    from comptoir.domain.manufacturing import set_status

    with env.writer(f"mfg {verb}", no_commit) as w:
        change = set_status(w.book, ident, to)
        w.put(_kind("work-order"), change.order, replace=True)
        sha = w.commit(f"{verb.capitalize()} work order {ident}: {change.summary()}", [ident])
    click.echo(ident)
    click.echo(f"Work order {ident}: {change.summary()}" + _committed(sha), err=True)


@mfg.command("release")
@click.argument("ident", metavar="ORDER")
@no_commit
@click.pass_obj
def release(env, ident, no_commit) -> None:
    """Release a planned work order to the shop floor."""
    _set_status(env, ident, "released", "release", no_commit)


@mfg.command("cancel")
@click.argument("ident", metavar="ORDER")
@no_commit
@click.pass_obj
def cancel(env, ident, no_commit) -> None:
    """Cancel what remains of a work order (completions already posted stay)."""
    _set_status(env, ident, "cancelled", "cancel", no_commit)


@mfg.command("check")
@click.argument("ident", metavar="ORDER")
@click.option("--qty", help="Check for this much of the order. Default: all that remains.")
@output_format
@as_of
@click.pass_obj
def check(env, ident, qty, fmt, as_of) -> None:
    """Whether an order's components are available now; which are short, and when they arrive."""
    from comptoir.domain.manufacturing import readiness
    from comptoir.views.manufacturing import check_table

    book = env.book(as_of)
    emit(check_table(book, readiness(book, ident, _number(qty, "--qty"), env.today)), fmt, _label(book))


@mfg.command("complete")
@click.argument("ident", metavar="ORDER")
@click.option("--qty", help="How much was made. Default: all that remains (partial completions are fine).")
@click.option("--date", "date_", help="When it was made (YYYY-MM-DD). Default: today.")
@click.option("--use", nargs=2, multiple=True, metavar="SKU QTY",
              help="The quantity of a component actually used, instead of the order's share (repeatable).")
@no_commit
@click.pass_obj
def complete(env, ident, qty, date_, use, no_commit) -> None:
    """Record production on an order, in one commit: the components consumed at their valuation,
    the output received at the rolled-up cost (components + operation cost), and the journal entry
    (debit the output's inventory; credit the components' inventory and the absorption account).

    Refused, writing nothing, when a component is short in the order's warehouse or the
    quantity is more than the order has left. Prints the completion, move and entry ids.
    """
    from comptoir.domain.manufacturing import complete as build

    used = {sku: _number(q, f"--use {sku}") for sku, q in use}
    with env.writer("mfg complete", no_commit) as w:
        day = parse_date(date_, "--date") or env.today
        result = build(w.book, ident, _number(qty, "--qty"), day, env.rng, used)
        c = result.completion
        w.put(_kind("completion"), c)
        for move in result.moves:
            w.put(_kind("stock-move"), move)
        if result.entry is not None:
            w.put(_kind("journal"), result.entry)
        subject = (f"Complete {c.qty:f} {c.item} on {ident} ({result.status_after}): unit cost {c.unit_cost:f} "
                   f"{w.book.base}")
        sha = w.commit(subject, result.ids,
                       body=f"Components {c.component_cost:f} + operation cost {c.operation_cost:f} = {c.value:f} "
                            f"{w.book.base}.")
    for i in result.ids:
        click.echo(i)
    click.echo(f"Made {c.qty:f} {c.item} on {ident} ({result.status_after}) at {c.unit_cost:f}: components "
               f"{c.component_cost:f} + operation {c.operation_cost:f}" + _committed(sha), err=True)


@mfg.command("plan")
@click.option("--apply", "apply_", is_flag=True, help="Create the proposed work orders and purchase orders (one commit).")
@click.option("--date", "date_", help="Plan from this day. Default: today.")
@output_format
@as_of
@no_commit
@click.pass_obj
def plan(env, apply_, date_, fmt, as_of, no_commit) -> None:
    """Propose work orders and purchases for items whose projected quantity falls below their
    reorder point or below open demand, exploding BOMs level by level with lead times.

    Writes nothing unless --apply, which creates the work orders and, for items bought before,
    purchase orders from the item's latest supplier at its latest price (one per supplier);
    purchases of items never bought stay proposals.
    """
    from comptoir.domain.manufacturing import orders_from_plan, purchases_from_plan
    from comptoir.domain.manufacturing import plan as build
    from comptoir.errors import fail
    from comptoir.views.manufacturing import plan_table

    day = parse_date(date_, "--date") or env.today
    if not apply_:
        book = env.book(as_of)
        emit(plan_table(book, build(book, day), day), fmt, _label(book))
        return
    if as_of:
        raise fail("apply-as-of", "--apply writes to the current book; it cannot be combined with --as-of",
                   "leave --as-of out")
    with env.writer("mfg plan --apply", no_commit) as w:
        proposals = build(w.book, day)
        created = orders_from_plan(w.book, proposals, day, env.rng)
        bought, left = purchases_from_plan(w.book, proposals, day, env.rng)
        applied = {wo.item: wo.id for wo in created}
        applied.update({line.item: po.id for po in bought for line in po.lines})
        for wo in created:
            w.put(_kind("work-order"), wo)
        for po in bought:
            w.put(_kind("purchase-order"), po)
        ids = [wo.id for wo in created] + [po.id for po in bought]
        sha = w.commit(f"Plan production on {day}: {len(created)} work orders"
                       + (f", {len(bought)} purchase orders" if bought else ""), ids) if ids else None
        table = plan_table(w.book, proposals, day, applied)
    if left:
        table.notes.append(f"Not ordered: {', '.join(pr.item for pr in left)} (never bought, so no supplier or "
                           "price to go on); order with `comptoir purchase order`.")
    emit(table, fmt)
    click.echo(f"Created {len(created)} work orders" + (f" and {len(bought)} purchase orders" if bought else "")
               + _committed(sha), err=True)


@mfg.command("standard-cost")
@click.argument("sku")
@click.argument("amount", required=False)
@click.option("--roll-up", is_flag=True, help="Take the BOM's rolled-up cost from current valuation.")
@no_commit
@click.pass_obj
def standard_cost(env, sku, amount, roll_up, no_commit) -> None:
    """Set the standard cost per unit of SKU, the yardstick of the production report's variance."""
    from comptoir.domain.manufacturing import set_standard_cost

    with env.writer("mfg standard-cost", no_commit) as w:
        item, changes = set_standard_cost(w.book, sku, _number(amount, "AMOUNT"), roll_up)
        if not changes:
            click.echo(f"{sku} already has standard cost {item.standard_cost:f}.", err=True)
            return
        w.put(_kind("item"), item, replace=True)
        summary = ", ".join(c.as_text() for c in changes)
        sha = w.commit(f"Set the standard cost of {sku}: {summary}", [sku])
    click.echo(f"{item.standard_cost:f}")
    click.echo(f"Standard cost of {sku}: {summary}" + _committed(sha), err=True)


# --- reports (REPORTS below, named in comptoir.families) --------------------------------------------

@click.command("production")
@date_range
@click.option("--by", type=click.Choice(["order", "item"]), default="order", show_default=True)
@click.option("--item", help="Only this SKU.")
@output_format
@as_of
@click.pass_obj
def production_report(env, from_, to_, period, year, by, item, fmt, as_of) -> None:
    """Production completed: output, cost, cost per unit and variance against standard cost."""
    from comptoir.views.manufacturing import production_table as build

    book = env.book(as_of)
    start, end = resolve_range(book.settings, from_, to_, period, year)
    emit(build(book, start, end, by, item), fmt, _label(book))


@click.command("bom-cost")
@click.argument("sku")
@click.option("--qty", help="Cost this quantity. Default: 1.")
@output_format
@as_of
@click.pass_obj
def bom_cost_report(env, sku, qty, fmt, as_of) -> None:
    """Rolled-up cost of SKU through every BOM level, from current valuation."""
    from comptoir.views.manufacturing import bom_cost_table

    book = env.book(as_of)
    emit(bom_cost_table(book, sku, _number(qty, "--qty")), fmt, _label(book))


# `comptoir report` commands of this family (listed by name in comptoir.families).
REPORTS = [production_report, bom_cost_report]
