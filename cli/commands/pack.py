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
    from pathlib import Path

    from comptoir.app import pack as served

    probe = served.start(env, as_of)  # git stats the data root while the models import
    from comptoir.options import parse_date
    from comptoir.reportpack import Header, build_pages, write_pack

    target = Path(out)
    if target.exists() and not target.is_dir():
        raise click.BadParameter(f"{out} is a file", param_hint="--out")
    today = parse_date(date_, "--date") or env.today
    errors = served.errors(env, as_of, probe)  # the verdict kept for the tree, else the streamed check
    books = served.books(env, as_of, today, probe)
    try:
        ledger = books.ledger()
        start, end = resolve_range(ledger.settings, from_, to_, period, year)
        start, end = served.default_range(ledger, start, end)
        header = Header(ledger.settings.company, f"{start} to {end}", served.revision(env, ledger.revision, probe),
                        not errors, errors, dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))
        del ledger
        from comptoir.charts import kept

        with kept(served.chart_keeper(env)):  # a chart drawn before from the same figures is not drawn again
            pages = build_pages(books, start, end, today)
    finally:
        books.close()
    files = write_pack(target, header, pages)
    click.echo(str(target / "index.html"))
    charts = sum(len(p.charts) for p in pages)
    click.echo(f"Wrote {len(files)} files ({len(pages)} report pages, {charts} charts) to {target}; "
               f"validate {'passed' if not errors else 'FAILED'}.", err=True)
