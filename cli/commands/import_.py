"""`comptoir import`: books kept in beancount or hledger, brought in as one reviewable commit."""

from __future__ import annotations

import click

from comptoir.options import no_commit


@click.group("import")
def import_() -> None:
    """Bring books kept in beancount or hledger into comptoir (chart, entries, rates, assertions).

    \b
    comptoir import beancount books.beancount [--map "Assets:Bank:Checking=1010"]
    comptoir import hledger books.journal
    """


def _run(env, tool: str, file: str, maps: tuple[str, ...], no_commit: bool) -> None:
    from comptoir.commands._docs import committed
    from comptoir.domain.plaintext_import import build, read_beancount, read_hledger
    from comptoir.schemas.registry import kind_named

    with env.writer(f"import {tool}", no_commit) as w:
        reader = read_beancount if tool == "beancount" else read_hledger
        ledger = reader(file, w.book.base)
        result = build(w.book, ledger, maps, env.rng)
        for kind, records in (("account", result.accounts), ("rate", result.rates), ("journal", result.entries)):
            k = kind_named(kind)
            for record in records:
                w.put(k, record)
        asserted = sum(len(e.assertions) for e in result.entries)
        subject = (f"Import {tool} {file}: {len(result.accounts)} accounts, {len(result.entries)} entries, "
                   f"{len(result.rates)} rates, {asserted} balance assertions")
        body = "\n".join(f"- {name} -> {code}" for name, code in sorted(result.names.items()))
        if result.left_out:
            body += "\n\nLeft out:\n" + "\n".join(f"- {n} {what}" for what, n in sorted(result.left_out.items()))
        sha = w.commit(subject, [a.code for a in result.accounts][:100], body=body)
    for name, code in sorted(result.names.items(), key=lambda kv: kv[1]):
        click.echo(f"{code}\t{name}")
    for what, n in sorted(result.left_out.items()):
        click.echo(f"note: left out {n} {what}", err=True)
    click.echo(subject + committed(sha), err=True)


_MAP = click.option("--map", "maps", multiple=True, metavar="NAME=CODE",
                    help="Give an account name its code (repeatable); NAME ending in * maps a subtree by prefix. "
                         "Others get the next free code of their type (1100, 2100, 3100, 4100, 6100, by tens).")


@import_.command("beancount")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_MAP
@no_commit
@click.pass_obj
def beancount(env, file, maps, no_commit) -> None:
    """Import a beancount ledger, read by beancount's own loader (plugins, pads, interpolation).

    \b
    Example:
      comptoir init books --company "Example" --currency USD
      comptoir --repo books import beancount example.beancount
    """
    _run(env, "beancount", file, maps, no_commit)


@import_.command("hledger")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_MAP
@no_commit
@click.pass_obj
def hledger(env, file, maps, no_commit) -> None:
    """Import an hledger journal, read through `hledger print -O json` (hledger must be installed).

    \b
    Example:
      comptoir --repo books import hledger books.journal --map "assets:bank=1010"
    """
    _run(env, "hledger", file, maps, no_commit)
