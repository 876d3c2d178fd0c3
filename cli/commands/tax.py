"""`comptoir tax`: tax codes; and the `tax` report (`comptoir report tax`)."""

from __future__ import annotations

import click

from comptoir.options import as_of, date_range, emit, no_commit, output_format, resolve_range


@click.group()
def tax() -> None:
    """Tax codes (tax/): the rate and the accounts collected and paid tax post to."""


@tax.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--rate", required=True, help="Percent of the net amount, like 20 or 5.5.")
@click.option("--collected-account", help="Where tax on sales goes. Default: accounts.output_tax (2200).")
@click.option("--paid-account", help="Where tax on purchases goes. Default: accounts.input_tax (1300).")
@click.option("--description")
@no_commit
@click.pass_obj
def add(env, code, name, rate, collected_account, paid_account, description, no_commit) -> None:
    """Add tax code CODE named NAME."""
    from comptoir.domain.tax import new_tax_code
    from comptoir.schemas.registry import kind_named

    with env.writer("tax add", no_commit) as w:
        record = new_tax_code(w.book, code, name, rate, collected_account, paid_account, description)
        w.put(kind_named("tax-code"), record)
        w.commit(f"Add tax code {code}: {name} ({record.rate}%)", [code])
    click.echo(code)
    click.echo(f"Added tax code {code} {name} at {record.rate}%.", err=True)


@tax.command("list")
@output_format
@as_of
@click.pass_obj
def list_(env, fmt, as_of) -> None:
    """List tax codes."""
    from comptoir.views.tax import tax_codes_table

    book = env.book(as_of, ("tax-code",))
    emit(tax_codes_table(book), fmt, book.revision)


@tax.command("settle")
@click.argument("period")
@no_commit
@click.pass_obj
def settle(env, period, no_commit) -> None:
    """Settle the VAT of PERIOD (2026-11, 2026-Q4 or 2026): one entry dated its last day moves
    output tax less input tax to the tax authority's payable (accounts.vat_payable, 2250).
    Pay it with `comptoir pay send --tax PERIOD`."""
    from comptoir.domain.tax import vat_settlement
    from comptoir.schemas.registry import kind_named

    with env.writer("tax settle", no_commit) as w:
        entry = vat_settlement(w.book, period, env.today, env.rng)
        w.put(kind_named("journal"), entry)
        due = -entry.postings[-1].amount
        sha = w.commit(f"Settle VAT {period}: {due:,f} {w.book.base} "
                       + ("due to the tax authority" if due >= 0 else "to be refunded"), [entry.id])
    click.echo(entry.id)
    click.echo(f"VAT {period}: {abs(due):,f} {w.book.base} " + ("due" if due >= 0 else "refund due")
               + (f" (commit {sha[:10]})." if sha else "."), err=True)


@click.command("vat-return")
@click.option("--period", required=True, help="A month 2026-11, a quarter 2026-Q4 or a year 2026.")
@output_format
@as_of
@click.pass_obj
def vat_return_report(env, period, fmt, as_of) -> None:
    """The VAT return of a period by box; the boxes are configurable in comptoir.yaml (vat_return: boxes:)."""
    from comptoir.views.tax import vat_return

    book = _taxed(env, as_of)
    emit(vat_return(book, period), fmt, book.revision)


@click.command("tax")
@date_range
@output_format
@as_of
@click.pass_obj
def tax_report(env, from_, to_, period, year, fmt, as_of) -> None:
    """Tax collected on sales (less credit notes) and paid on purchases, per tax code."""
    from comptoir.views.tax import tax_report as build

    book = _taxed(env, as_of)
    start, end = resolve_range(book.settings, from_, to_, period, year)
    emit(build(book, start, end), fmt, book.revision)


def _taxed(env, as_of):
    """The book the tax report and the VAT return read: the tax codes, and the sales and purchase
    documents served as the few fields they read (comptoir.app.docfacts), kept per folder."""
    from comptoir.app.openitems import documents
    from comptoir.domain.documents.facts import TAXED, facts_of

    return documents(env, as_of, ("tax-code", *TAXED), facts_of(*TAXED))


# `comptoir report` commands of this family (listed by name in comptoir.families).
REPORTS = [tax_report, vat_return_report]
