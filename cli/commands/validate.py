"""`comptoir validate`: every record and every cross-record rule, as text, JSON or GitHub annotations."""

from __future__ import annotations

import json

import click

GITHUB_CAP = 10


def _gh_escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def _checked(env, as_of: str | None, whole: bool) -> tuple:
    """The book, its problems, the facts of its journal (comptoir.domain.validation.facts, when asked) and how
    many records it holds. The journal, stock moves and activities are read one month folder at a time and
    never held whole (check_streamed), unless `whole` (--base compares two whole books) or a rule cannot be streamed."""
    from comptoir.domain.validation import STREAMED, check, check_streamed, facts

    if not whole:
        from comptoir.book.loader import Streamed

        book, folders = env.streamed_book(as_of, STREAMED)
        found = check_streamed(book, folders)
        if found is not None:
            env.warn_unread(book.load_problems)
            records = sum(v.count if isinstance(v, Streamed) else len(v) for v in book.records.values())
            return book, found[0], lambda: found[1], records
        del book, folders  # a stream given up half way holds what it read: not beside the whole book
    book = env.book(as_of)
    return book, check(book), lambda: facts(book), sum(len(v) for v in book.records.values())


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True)
@click.option("--base", metavar="REV", help="Also check immutability and the lock date against a base revision.")
@click.option("--as-of", "as_of", metavar="REV|DATE", help="Validate the book as it was at a revision or date.")
@click.pass_obj
def validate(env, fmt: str, base: str | None, as_of: str | None) -> None:
    """Check every record and cross-record rule; exit 1 when any error is found."""
    from comptoir.book import verdict

    status = None if as_of else verdict.Status(env.root())  # git stats the files while the models import
    from comptoir.book.loader import place

    book, problems, known, records = _checked(env, as_of, whole=False)
    if status is not None and status.clean() and not any(p.severity == "error" for p in problems):
        # the committed tree is this book: the next write need only check what it adds
        verdict.remember(env.root(), verdict.tree_id(env.root()), known())
    if not as_of:
        from comptoir.book.schemafiles import stale_schemas

        problems += stale_schemas(env.root())
    if base:
        from comptoir.app.audit import check_against_base

        placed = {"duplicate-id", "misfiled"}  # which file holds a record then depends on every folder
        # a file that cannot be read may hold any id: where each record is then depends on every folder too
        whole = any(p.severity == "error" for p in book.load_problems) or any(p.code in placed for p in problems)
        problems += check_against_base(env.root(), book, base, whole=whole)
    problems = sorted(place(book, problems), key=lambda p: (p.file, p.line, p.code))
    if any(p.code.startswith("unknown-") for p in problems[:200]):
        from comptoir.suggest import enrich

        problems = enrich(problems[:200], env.root(), book.revision) + problems[200:]
    errors = [p for p in problems if p.severity == "error"]
    if fmt == "json":
        click.echo(json.dumps({"errors": [p.as_dict() for p in errors],
                               "warnings": [p.as_dict() for p in problems if p.severity != "error"]}, indent=2))
    elif fmt == "github":
        from comptoir.render import printable

        for p in problems[:GITHUB_CAP]:
            level = "error" if p.severity == "error" else "warning"
            title = _gh_escape(f"{p.code}", prop=True)
            msg = _gh_escape(printable(p.message) + (f"\n{printable(p.hint)}" if p.hint else ""))
            click.echo(f"::{level} file={_gh_escape(p.file, True)},line={p.line},title={title}::{msg}")
        if len(problems) > GITHUB_CAP:
            click.echo(f"::error::{len(problems) - GITHUB_CAP} more problems; run `comptoir validate` for all of them")
    else:
        for p in problems:
            click.echo(p.as_text(), err=bool(errors))
        summary = f"{records} records checked: {len(errors)} errors, {len(problems) - len(errors)} warnings"
        click.echo(summary, err=bool(errors))
    if errors:
        raise SystemExit(1)
