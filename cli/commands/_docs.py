"""Helpers the sales, purchase and pay commands share: reading dates and line picks, writing a
document with everything it posts in one commit, and the list and report commands sales and
purchasing both have."""

from __future__ import annotations

import importlib

import click

from comptoir import options as opt


def day_of(env, date_: str | None, option: str = "--date"):
    return opt.parse_date(date_, option) or env.today


def decimal_of(text: str | None, option: str):
    if text is None:
        return None
    from comptoir.errors import fail
    from comptoir.schemas.types import to_decimal

    try:
        return to_decimal(text)
    except ValueError:
        raise fail("invalid-number", f"{option} {text!r} is not a number", "write a plain number: 12 or 2.5") from None


def put_all(w, records) -> None:
    """Stage (kind name, record) pairs; a record already in the book is replaced."""
    from comptoir.schemas.registry import kind_named

    for name, record in records:
        if record is None:
            continue
        kind = kind_named(name)
        ident = getattr(record, kind.id_field)
        w.put(kind, record, replace=ident in w.book.of(name))


def committed(sha: str | None) -> str:
    return f" in commit {sha[:10]}." if sha else "."


def echo_ids(ids: list[str], summary: str) -> None:
    for ident in ids:
        click.echo(ident)
    click.echo(summary, err=True)


# -- the list, show and report commands sales and purchasing both have -------------------------

def reads(fn) -> tuple[str, ...] | None:
    """The record kinds a table or report declares it reads (READS in its module), or None:
    every kind. The book is then loaded with those; any other kind is read whole on first use."""
    return getattr(importlib.import_module(fn.__module__), "READS", {}).get(fn.__name__)


def facts(fn) -> dict[str, tuple]:
    """The kinds a table or report may be served as light records of some fields (FACTS in its
    module: kind -> fields; comptoir.app.docfacts)."""
    return getattr(importlib.import_module(fn.__module__), "FACTS", {}).get(fn.__name__, {})


def served(env, as_of: str | None, fn):
    """The book `fn` (a table or report) needs: the kinds it reads, those it declares facts of
    served from the per-folder partials."""
    wanted, kinds = facts(fn), reads(fn)
    if not wanted or kinds is None:
        return env.book(as_of, kinds=kinds)
    from comptoir.app import openitems

    return openitems.documents(env, as_of, kinds, wanted)


def orders_list(group: click.Group, module: str, statuses: list[str], doc: str) -> click.Command:
    """`GROUP list [--status S] [--partner P]`: the orders table of comptoir.views.MODULE."""

    @group.command("list", help=doc)
    @click.option("--status", type=click.Choice(statuses))
    @click.option("--partner")
    @opt.output_format
    @opt.as_of
    @click.pass_obj
    def list_(env, status, partner, fmt, as_of) -> None:
        table = importlib.import_module(f"comptoir.views.{module}").orders_table
        book = served(env, as_of, table)
        opt.emit(table(book, status, partner), fmt, book.revision)

    return list_


def documents_list(group: click.Group, name: str, module: str, table: str, what: str, doc: str,
                   today: bool = False) -> click.Command:
    """`GROUP NAME [--partner P] [--open]`: invoices or bills with what is still open on each."""

    @group.command(name, help=doc)
    @click.option("--partner")
    @click.option("--open", "open_only", is_flag=True, help=f"Only {what} not paid in full.")
    @opt.output_format
    @opt.as_of
    @click.pass_obj
    def listing(env, partner, open_only, fmt, as_of) -> None:
        build = getattr(importlib.import_module(f"comptoir.views.{module}"), table)
        book = served(env, as_of, build)
        opt.emit(build(book, *([env.today] if today else []), partner, open_only), fmt, book.revision)

    return listing


def by_period_report(name: str, module: str, build: str, dimensions: list[str], doc: str) -> click.Command:
    """`comptoir report NAME`: a report grouped by the `--by` dimensions (default: all of them), or,
    with --per, the periodic report of the same name in one column per period."""

    @click.command(name, help=doc)
    @opt.date_range
    @click.option("--by", "by", multiple=True, type=click.Choice(dimensions),
                  help=f"Group by (repeatable). Default: {', '.join(dimensions)}.")
    @opt.output_format
    @opt.as_of
    @opt.period_columns(by=False)
    @click.pass_obj
    def report(env, from_, to_, period, year, by, fmt, as_of, per) -> None:
        make = getattr(importlib.import_module(f"comptoir.views.{module}"), build)
        book = served(env, as_of, make)  # the periodic variant reads the same kinds and fields
        start, end = opt.resolve_range(book.settings, from_, to_, period, year)
        if per:  # the report's measure per --by group, in one column per period
            from comptoir.views import periodic

            return opt.emit(getattr(periodic, name)(book, start, end, per, tuple(by)), fmt, book.revision)
        opt.emit(make(book, start, end, tuple(by) or tuple(dimensions)), fmt, book.revision)

    return report


def show_command(group: click.Group, metavar: str, module: str, doc: str) -> click.Command:
    """`GROUP show ID`: what comptoir.views.MODULE.show_table makes of the order or document."""

    @group.command("show", help=doc)
    @click.argument("ident", metavar=metavar)
    @opt.output_format
    @opt.as_of
    @click.pass_obj
    def show(env, ident, fmt, as_of) -> None:
        table = importlib.import_module(f"comptoir.views.{module}").show_table
        book = env.book(as_of)
        opt.emit(table(book, ident), fmt, book.revision)

    return show


def cancel_command(group: click.Group, metavar: str, module: str, build: str, kind: str, what: str, doc: str
                   ) -> click.Command:
    """`GROUP cancel ORDER [--date D]`: the order as comptoir.domain.MODULE.BUILD cancels it, in one
    commit ("Cancel WHAT ORDER")."""

    @group.command("cancel", help=doc)
    @click.argument("ident", metavar=metavar)
    @click.option("--date", "date_", help="Default: today.")
    @opt.no_commit
    @click.pass_obj
    def cancel(env, ident, date_, no_commit) -> None:
        domain = importlib.import_module(f"comptoir.domain.{module}")
        with env.writer(f"{group.name} cancel", no_commit) as w:
            order = getattr(domain, build)(w.book, domain.get_order(w.book, ident), day_of(env, date_))
            put_all(w, [(kind, order)])
            sha = w.commit(f"Cancel {what}{ident}", [ident])
        click.echo(f"Cancelled {what}{ident}" + committed(sha), err=True)

    return cancel


def put_stock_document(w, kind: str, doc, result, subject: str, value_label: str = "") -> str:
    """Stage a delivery, receipt or return with its stock moves and journal entry; the commit
    subject: `SUBJECT: 10 ESP-1K, 5 DEC-1K, [VALUE_LABEL]123.40 EUR`."""
    put_all(w, [(kind, doc), *(("stock-move", m) for m in result.moves), ("journal", result.entry)])
    value = sum(x.value for x in doc.lines)
    return (f"{subject}: " + ", ".join(f"{x.qty:f} {x.item}" for x in doc.lines)
            + f", {value_label}{value:,f} {w.book.base}")
