"""Options shared by many commands, declared once."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import sys
from collections.abc import Callable, Iterable

import click

from comptoir.errors import fail

FORMATS = ("table", "json", "csv", "markdown", "xlsx")
# --output FILE without --format: the format its name says (as hledger's -o does)
_SUFFIX_FORMATS = {".xlsx": "xlsx", ".json": "json", ".csv": "csv", ".md": "markdown", ".markdown": "markdown"}


def _keep_output(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta["comptoir.output"] = value


def _format_of_output(ctx: click.Context, param: click.Parameter, value: str) -> str:
    # --format not given: --output's suffix picks it. Click processes the options given on the
    # command line before the defaulted ones, so --output is already kept when this runs.
    target = ctx.meta.get("comptoir.output")
    if target is not None and ctx.get_parameter_source(param.name) is click.core.ParameterSource.DEFAULT:
        suffix = target[target.rfind("."):].lower() if "." in target.rpartition("/")[2] else ""
        return _SUFFIX_FORMATS.get(suffix, value)
    return value


def output_format(fn: Callable) -> Callable:
    # --output reaches emit() through the click context, so no command signature changes
    fn = click.option("--output", "-o", metavar="FILE", expose_value=False, callback=_keep_output,
                      help="Write the report to FILE instead of stdout; without --format, its suffix "
                           "(.xlsx, .json, .csv, .md) picks the format.")(fn)
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                        callback=_format_of_output,
                        help="Output format: table for people, json/csv/markdown for machines and pull "
                             "requests, xlsx for spreadsheets (with --output).")(fn)


def period_columns(fn: Callable | None = None, *, by: bool = True) -> Callable:
    """`--by month|quarter|year` (also spelled `--per`; only `--per` where a report's `--by`
    already groups rows): one column per period plus a total (cli/domain/periodic.py)."""
    def wrap(f: Callable) -> Callable:
        names = ("--by", "--per") if by else ("--per",)
        return click.option(*names, "per", type=click.Choice(("month", "quarter", "year")), default=None,
                            help="One column per month, quarter or year (fiscal) plus a total.")(f)
    return wrap(fn) if fn is not None else wrap


def as_of(fn: Callable) -> Callable:
    return click.option("--as-of", "as_of", metavar="REV|DATE",
                        help="Compute from a git revision (branch, tag, commit) or the last commit on or before a date.")(fn)


def no_commit(fn: Callable) -> Callable:
    """A write command's --no-commit flag; and git is asked first: before the command's body
    imports the rules it needs, its writer's questions to git (with git's monitor on, a status of
    the whole book, comptoir.book.verdict.Head) are started, so that git answers while Python
    imports (comptoir.context.Env.ask_git_first; the writer takes them up)."""
    @functools.wraps(fn)
    def asking_git_first(*args, **kwargs):
        ctx = click.get_current_context()
        ask = getattr(ctx.obj, "ask_git_first", None)
        if ask is not None:
            ask(ctx.command_path.partition(" ")[2])  # the command without the program's name: "sales deliver"
        return fn(*args, **kwargs)

    return click.option("--no-commit", is_flag=True, help="Write and stage the files, but do not commit.")(
        asking_git_first)


def date_range(fn: Callable) -> Callable:
    fn = click.option("--year", type=int, help="A fiscal year (its start year).")(fn)
    fn = click.option("--period", metavar="YYYY-MM", help="One calendar month.")(fn)
    fn = click.option("--to", "to_", type=click.DateTime(["%Y-%m-%d"]), help="Last day, inclusive.")(fn)
    fn = click.option("--from", "from_", type=click.DateTime(["%Y-%m-%d"]), help="First day, inclusive.")(fn)
    return fn


def resolve_range(settings, from_, to_, period: str | None, year: int | None) -> tuple[dt.date | None, dt.date | None]:
    start = from_.date() if from_ else None
    end = to_.date() if to_ else None
    if period:
        try:
            y, m = (int(p) for p in period.split("-"))
            start, end = dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])
        except ValueError:
            raise fail("bad-period", f"--period {period!r} is not a month", "write it as YYYY-MM, like 2026-11") from None
    if year:
        start, end = settings.fiscal_year_bounds(year)
    if start and end and start > end:
        raise fail("bad-range", f"--from {start} is after --to {end}", "swap the dates")
    return start, end


def parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail("bad-date", f"{option} {value!r} is not a date", "write dates as YYYY-MM-DD") from None


def output_path() -> str | None:
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get("comptoir.output") if ctx is not None else None


def emit(table, fmt: str, as_of: str | None = None) -> None:
    ctx = click.get_current_context(silent=True)
    pending = ctx.meta.get("comptoir.unverified-filters") if ctx is not None else None
    if pending and not table.rows:  # the filter names nothing in the book: say so, not an empty table
        from comptoir.errors import ComptoirError

        raise ComptoirError(pending)
    if as_of and not table.as_of:
        table.as_of = as_of
    target = output_path()
    if fmt == "xlsx":
        if target is None:
            raise click.UsageError("--format xlsx writes a workbook: give --output FILE.xlsx")
        import tempfile

        from comptoir.render import write_xlsx

        with tempfile.TemporaryFile() as made:  # the workbook as its rows come, then the file at once
            write_xlsx(made, [table])
            made.seek(0)
            _write(target, iter(lambda: made.read(1 << 20), b""))
        return
    from comptoir.domain.table import Rows

    if isinstance(table.rows, Rows):  # made as they are read: written as they come
        from comptoir.render import render_stream

        pieces = render_stream(table, fmt)
        if target is not None:
            _write(target, (piece.encode("utf-8") for piece in pieces))
            return
        for piece in pieces:
            click.echo(piece, nl=False)
        return
    from comptoir.render import render

    out = render(table, fmt)
    if target is not None:
        _write(target, out.encode("utf-8"))
        return
    click.echo(out, nl=False)


def _write(target: str, data: bytes | Iterable[bytes]) -> None:
    """The whole file or nothing: written beside the target, then renamed over it."""
    from pathlib import Path

    path = Path(target)
    if not path.parent.is_dir():
        raise fail("no-such-folder", f"--output {target}: folder {path.parent} does not exist",
                   "create the folder first, or write elsewhere")
    from comptoir.book.store import write_atomically

    write_atomically(path, data)


def interactive() -> bool:
    return sys.stdin.isatty()
