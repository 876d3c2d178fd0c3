"""Helpers the sales, purchase and pay commands share: reading dates and line picks, writing a
document with everything it posts in one commit."""

from __future__ import annotations

import click

from comptoir.options import parse_date


def day_of(env, date_: str | None, option: str = "--date"):
    return parse_date(date_, option) or env.today


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

