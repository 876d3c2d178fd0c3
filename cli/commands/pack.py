"""`comptoir report pack`: the static report site (with charts) and workbook CI publishes."""

from __future__ import annotations

import click

from comptoir.options import date_range, resolve_range


@click.command("pack")
@click.option("--out", "out", required=True, metavar="DIR", help="Folder to write the site into (created).")
@date_range
@click.option("--date", "date_", help="The day aging, cash and stock are judged on. Default: today.")
@click.option("--as-of", "as_of", metavar="REV|DATE", help="Build the pack of a past revision (or date).")
@click.pass_obj
def pack(env, out, from_, to_, period, year, date_, as_of) -> None:
    """Write an index page, one page per report (tables and SVG charts) and reports.xlsx to DIR.

    The period (default: the fiscal year to the last entry) drives the statements and the
    monthly trends; every page names the company, the period, the git revision and whether
    `comptoir validate` passed. Nothing is fetched when a page opens: open index.html anywhere.

    \b
    Example:
      comptoir report pack --out site --year 2026
    """
    import datetime as dt
    import subprocess
    from pathlib import Path

    from comptoir.domain import periodic
    from comptoir.domain.validation import check
    from comptoir.options import parse_date
    from comptoir.reportpack import Header, build_pages, write_pack

    target = Path(out)
    if target.exists() and not target.is_dir():
        raise click.BadParameter(f"{out} is a file", param_hint="--out")
    book = env.book(as_of)
    start, end = resolve_range(book.settings, from_, to_, period, year)
    start, end = periodic.default_range(book, start, end, [e.date for e in book.entries.values()])
    today = parse_date(date_, "--date") or env.today
    errors = [p for p in check(book) if p.severity == "error"]
    revision = book.revision
    if revision is None:
        root = env.root()
        git = ["git", "-C", str(root.path)]
        head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True)
        dirty = subprocess.run([*git, "status", "--porcelain", "--", "."], capture_output=True, text=True)
        revision = (head.stdout.strip() or "(no commit)") + (" + uncommitted changes" if dirty.stdout.strip() else "")
    header = Header(book.settings.company, f"{start} to {end}", revision, not errors, len(errors),
                    dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))
    pages = build_pages(book, start, end, today)
    files = write_pack(target, header, pages)
    click.echo(str(target / "index.html"))
    charts = sum(len(p.charts) for p in pages)
    click.echo(f"Wrote {len(files)} files ({len(pages)} report pages, {charts} charts) to {target}; "
               f"validate {'passed' if not errors else 'FAILED'}.", err=True)
