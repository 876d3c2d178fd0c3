"""`comptoir stock`: receive, issue, transfer and count stock; availability and promise dates.
Also the stock reports (`comptoir report stock-balance|stock-ledger|reorder`)."""

from __future__ import annotations

import click

from comptoir.options import as_of, date_range, emit, no_commit, output_format, resolve_range


@click.group()
def stock() -> None:
    """Stock moves (each with its journal entry), availability and promise dates."""


def _move_options(fn):
    fn = click.option("--reference", help="The document that caused the move (PO number, count sheet...).")(fn)
    fn = click.option("--date", "date_", help="Date of the move (YYYY-MM-DD). Default: today.")(fn)
    fn = click.option("--qty", required=True, help="Quantity, in the item's unit of measure.")(fn)
    return fn


def _qty(text: str, option: str = "--qty"):
    from comptoir.errors import fail
    from comptoir.schemas.types import to_decimal

    try:
        return to_decimal(text)
    except ValueError:
        raise fail("invalid-quantity", f"{option} {text!r} is not a number", "write a plain number: 12 or 2.5") from None


def _write(env, command: str, no_commit: bool, date_, drafts_of, memo_of, subject_of, reference) -> None:
    """Load, build the moves and their entry, commit; print the move id (and the entry id)."""
    from comptoir.domain.stock import post
    from comptoir.options import parse_date
    from comptoir.schemas.registry import kind_named

    with env.writer(command, no_commit) as w:
        book = w.book
        day = parse_date(date_, "--date") or env.today
        drafts = drafts_of(book, day)
        result = post(book, day, drafts, memo_of(book, drafts), env.rng, reference)
        for move in result.moves:
            w.put(kind_named("stock-move"), move)
        if result.entry is not None:
            w.put(kind_named("journal"), result.entry)
        subject = subject_of(book, result.moves)
        sha = w.commit(subject, result.ids)
    for ident in result.ids:
        click.echo(ident)
    value = sum(m.value for m in result.moves)
    click.echo(f"{subject}: value {value:f} {book.base}"
               + (f", journal entry {result.entry.id}" if result.entry else ", no journal entry")
               + (f", commit {sha[:10]}." if sha else "."), err=True)


def _prefetch(env, as_of):
    """Ask git about the book now, while the models are imported (see cli.book.prefetch)."""
    if as_of:
        return None
    from comptoir.book.prefetch import start

    return start(env.repo, env.cwd)


def _answer(early, question: tuple, produce) -> None:
    """Print the answer to `question`: the one given before on this same book and code, else
    `produce()`'s (a Table), remembered for next time."""
    from comptoir.render import render

    key = tuple("" if q is None else str(q) for q in question)
    text = early.recall(*key) if early is not None else None
    if text is None:
        table, fmt = produce()
        text = render(table, fmt)
        if early is not None:
            early.remember(text, *key)
    click.echo(text, nl=False)


def _summary_book(env, as_of, prefetch=None):
    """The book for availability answers: stock levels from the tree-id cache, posted kinds lazily."""
    from comptoir.app.stock import load_quick
    from comptoir.book import git
    from comptoir.domain.availability import kinds_read
    from comptoir.errors import fail

    root = env.root()
    rev = None
    if as_of:
        if root.top is None:
            raise fail("not-a-repository", "--as-of needs the book to be in a git repository", "")
        rev = git.resolve(root.top, as_of)
    book = load_quick(root, rev, kinds_read(), prefetch)
    book.today = env.today
    return book


def _uom(book, sku: str) -> str:
    it = book.of("item").get(sku)
    return it.uom if it else ""


@stock.command("receive")
@click.argument("sku")
@_move_options
@click.option("--unit-cost", required=True, help="Cost per unit, in the book's currency.")
@click.option("--warehouse", help="Where it arrives (optional when there is one warehouse).")
@click.option("--account", help="Account credited (default: goods received not invoiced, 2100).")
@click.option("--reason", help="Why (opening stock, purchase, return...).")
@no_commit
@click.pass_obj
def receive(env, sku, qty, date_, reference, unit_cost, warehouse, account, reason, no_commit) -> None:
    """Receive stock into a warehouse.

    Debits inventory at QTY x --unit-cost and credits --account (default: goods received
    not invoiced). Writes the move and its journal entry in one commit.
    """
    from comptoir.domain.stock import MoveDraft, pick_warehouse

    amount, cost = _qty(qty), _qty(unit_cost, "--unit-cost")

    def drafts(book, day):
        wh = pick_warehouse(book, warehouse)
        return [MoveDraft("receipt", sku, amount, to_warehouse=wh, unit_cost=cost,
                          account=account or book.settings.accounts.grni, reason=reason, reference=reference)]

    _write(env, "stock receive", no_commit, date_, drafts,
           lambda book, d: f"Receive {d[0].qty:f} {_uom(book, sku)} {sku} into {d[0].to_warehouse} at {cost:f}"
           + (f": {reason}" if reason else ""),
           lambda book, ms: f"Receive {ms[0].qty:f} {_uom(book, sku)} {sku} into {ms[0].to_warehouse}", reference)


@stock.command("issue")
@click.argument("sku")
@_move_options
@click.option("--warehouse", help="Where it leaves from (optional when there is one warehouse).")
@click.option("--account", help="Account debited (default: the item's cost of goods sold account, 5010).")
@click.option("--reason", help="Why (production, sample, scrap...).")
@no_commit
@click.pass_obj
def issue(env, sku, qty, date_, reference, warehouse, account, reason, no_commit) -> None:
    """Issue stock at its valuation (use, scrap, sale).

    Credits inventory at the FIFO or moving-average value and debits --account (default:
    the item's cost of goods sold). Refused when it takes more than is on hand.
    """
    from comptoir.domain.stock import MoveDraft, cogs_account, pick_warehouse

    amount = _qty(qty)

    def drafts(book, day):
        wh = pick_warehouse(book, warehouse)
        return [MoveDraft("issue", sku, amount, from_warehouse=wh, account=account or cogs_account(book, sku),
                          reason=reason, reference=reference)]

    _write(env, "stock issue", no_commit, date_, drafts,
           lambda book, d: f"Issue {d[0].qty:f} {_uom(book, sku)} {sku} from {d[0].from_warehouse}"
           + (f": {reason}" if reason else ""),
           lambda book, ms: f"Issue {ms[0].qty:f} {_uom(book, sku)} {sku} from {ms[0].from_warehouse}", reference)


@stock.command("transfer")
@click.argument("sku")
@_move_options
@click.option("--from", "from_", required=True, help="Warehouse it leaves.")
@click.option("--to", "to", required=True, help="Warehouse it arrives in.")
@click.option("--reason")
@no_commit
@click.pass_obj
def transfer(env, sku, qty, date_, reference, from_, to, reason, no_commit) -> None:
    """Move stock between warehouses.

    The stock keeps its value; a journal entry is written only when the two warehouses
    use different inventory accounts.
    """
    from comptoir.domain.stock import MoveDraft, pick_warehouse

    amount = _qty(qty)

    def drafts(book, day):
        src, dst = pick_warehouse(book, from_, "--from"), pick_warehouse(book, to, "--to")
        return [MoveDraft("transfer", sku, amount, from_warehouse=src, to_warehouse=dst, reason=reason,
                          reference=reference)]

    _write(env, "stock transfer", no_commit, date_, drafts,
           lambda book, d: f"Transfer {d[0].qty:f} {_uom(book, sku)} {sku} from {from_} to {to}",
           lambda book, ms: f"Transfer {ms[0].qty:f} {_uom(book, sku)} {sku} from {from_} to {to}", reference)


@stock.command("adjust")
@click.argument("sku")
@click.option("--counted", help="What the count found on the shelf; the books are corrected to it.")
@click.option("--qty", "delta", help="Or the correction itself: +3 found, -2 missing.")
@click.option("--reason", required=True, help="Why the books were wrong (count, breakage, theft...).")
@click.option("--warehouse", help="Where it was counted (optional when there is one warehouse).")
@click.option("--unit-cost", help="Cost per unit of a surplus (default: the current valuation rate).")
@click.option("--date", "date_", help="Date of the count (YYYY-MM-DD). Default: today.")
@click.option("--reference", help="The count sheet or document.")
@no_commit
@click.pass_obj
def adjust(env, sku, counted, delta, reason, warehouse, unit_cost, date_, reference, no_commit) -> None:
    """Correct stock to a physical count.

    Give --counted (what the shelf holds) or --qty (the correction). A shortage leaves at
    its valuation, a surplus comes in at the current rate; both post to stock adjustments.
    """
    from comptoir.domain.stock import count_draft, fmt_qty, on_hand, pick_warehouse

    count = _qty(counted, "--counted") if counted is not None else None
    change = _qty(delta, "--qty") if delta is not None else None
    cost = _qty(unit_cost, "--unit-cost") if unit_cost is not None else None
    seen = {}

    def drafts(book, day):
        wh = pick_warehouse(book, warehouse)
        seen["before"] = on_hand(book, sku, wh, day)
        return [count_draft(book, sku, wh, day, reason, count, change, cost, reference)]

    def memo(book, d):
        m = d[0]
        wh = m.from_warehouse or m.to_warehouse
        sign = -1 if m.from_warehouse else 1
        after = seen["before"] + sign * m.qty
        return f"Stock count {sku} in {wh}: {fmt_qty(seen['before'])} -> {fmt_qty(after)} ({reason})"

    _write(env, "stock adjust", no_commit, date_, drafts, memo,
           lambda book, ms: f"Adjust {sku} in {ms[0].from_warehouse or ms[0].to_warehouse} by "
           f"{'-' if ms[0].from_warehouse else '+'}{fmt_qty(ms[0].qty)}: {reason}", reference)


@stock.command("available")
@click.argument("sku", required=False)
@click.option("--warehouse", help="Only this warehouse.")
@click.option("--at", "at", metavar="DATE", help="Count only supply and demand expected on or before DATE.")
@output_format
@as_of
@click.pass_obj
def available(env, sku, warehouse, at, fmt, as_of) -> None:
    """On hand, reserved, available, projected.

    One row per item and warehouse: on hand, reserved, available, incoming (with the next
    expected date), planned, required and projected = on hand + incoming + planned -
    reserved - required.
    """
    early = _prefetch(env, as_of)

    def produce():
        from comptoir.options import parse_date
        from comptoir.views.availability import availability_table

        book = _summary_book(env, as_of, early)
        table = availability_table(book, sku, warehouse, parse_date(at, "--at"))
        table.as_of = book.revision
        return table, fmt

    _answer(early, ("stock available", sku, warehouse, at, fmt, env.today), produce)


@stock.command("promise")
@click.argument("sku")
@click.option("--qty", required=True, help="How many units the customer wants.")
@click.option("--warehouse", help="Ship from this warehouse (default: all warehouses together).")
@click.option("--from", "from_", metavar="DATE", help="Earliest date to consider. Default: today.")
@output_format
@as_of
@click.pass_obj
def promise(env, sku, qty, warehouse, from_, fmt, as_of) -> None:
    """Earliest date a quantity can ship, and why.

    The first date from which the projected quantity stays at or above --qty, so earlier
    reservations are never starved; today + the item's lead time when no known supply
    covers it (said so).
    """
    early = _prefetch(env, as_of)

    def produce():
        from comptoir.domain.availability import promise as find
        from comptoir.options import parse_date
        from comptoir.views.availability import promise_table

        book = _summary_book(env, as_of, early)
        result = find(book, sku, _qty(qty), warehouse, parse_date(from_, "--from"), env.today)
        table = promise_table(book, result)
        table.as_of = book.revision
        return table, fmt

    _answer(early, ("stock promise", sku, qty, warehouse, from_, fmt, env.today), produce)


# -- reports (in REPORTS below, named in comptoir.families) ----------------------------------------


@click.command("stock-balance")
@click.option("--date", "date_", help="Stock on this day (moves dated on or before it). Default: all moves.")
@click.option("--item", help="Only this SKU.")
@click.option("--warehouse", help="Only this warehouse.")
@output_format
@as_of
@click.pass_obj
def stock_balance_report(env, date_, item, warehouse, fmt, as_of) -> None:
    """Quantity and value per item and warehouse; the total agrees with the inventory accounts."""
    from comptoir.app import stockreports
    from comptoir.options import parse_date
    from comptoir.views.stock import stock_balance_table

    end = parse_date(date_, "--date")
    book = stockreports.served(env, as_of, ledger=not item and not warehouse, level_days=(end,))
    emit(stock_balance_table(book, end, item, warehouse), fmt, book.revision)


@click.command("stock-ledger")
@date_range
@click.option("--item", help="Only this SKU.")
@click.option("--warehouse", help="Only this warehouse.")
@output_format
@as_of
@click.pass_obj
def stock_ledger_report(env, from_, to_, period, year, item, warehouse, fmt, as_of) -> None:
    """Every stock move with the running quantity and value per item and warehouse."""
    import datetime as dt

    from comptoir.app import stockreports
    from comptoir.views.stock import stock_ledger_table

    if year:  # the fiscal year's bounds need the settings
        settings = env.book(as_of, kinds=()).settings
        start, end = resolve_range(settings, from_, to_, period, year)
    else:
        start, end = resolve_range(None, from_, to_, period, year)
    opening = (start - dt.timedelta(days=1),) if start is not None else ()
    book = stockreports.served(env, as_of, ledger=False, level_days=opening, moves_of=(start, end, item))
    emit(stock_ledger_table(book, start, end, item, warehouse), fmt, book.revision)


@click.command("reorder")
@click.option("--date", "date_", help="The day to plan from. Default: today.")
@output_format
@as_of
@click.pass_obj
def reorder_report(env, date_, fmt, as_of) -> None:
    """Items whose projected quantity is below their reorder point: what to order and by when."""
    from comptoir.app import stockreports
    from comptoir.domain.availability import facts_read, kinds_read
    from comptoir.options import parse_date
    from comptoir.views.availability import reorder_table

    day = parse_date(date_, "--date") or env.today
    # on hand at today's end (and every move) and the units consumed per day, from the stock partials
    book = stockreports.served(env, as_of, ledger=False, level_days=(None, env.today), consumption=True,
                               kinds=tuple(sorted(kinds_read() or ())), facts=facts_read())
    emit(reorder_table(book, day), fmt, book.revision)


# `comptoir report` commands of this family (listed by name in comptoir.families).
REPORTS = [stock_balance_report, stock_ledger_report, reorder_report]
