"""`comptoir budget`: budget versions (planned amounts per account per month); and the `budget`
and `rolling-forecast` reports that `comptoir report` runs."""

from __future__ import annotations

import click

from comptoir.options import (
    as_of,
    date_range,
    emit,
    no_commit,
    output_format,
    period_columns,
    resolve_range,
)


@click.group()
def budget() -> None:
    """Budget versions ("2027 plan", "Q2 reforecast"): planned amounts per account or account
    prefix per month, compared with actuals by `comptoir report budget`."""


@budget.command("add")
@click.argument("ident", metavar="ID")
@click.option("--name", help="The version's name, e.g. \"2027 plan\". Default: the id.")
@click.option("--from", "start", metavar="YYYY-MM", help="First month of the budget.")
@click.option("--to", "end", metavar="YYYY-MM", help="Last month of the budget.")
@click.option("--line", "lines", nargs=2, multiple=True, metavar="ACCOUNT AMOUNT",
              help="The same amount every month, for an account or account prefix (repeatable).")
@click.option("--month", "months", nargs=3, multiple=True, metavar="ACCOUNT YYYY-MM AMOUNT",
              help="One month's amount for an account (repeatable; wins over --line for that month).")
@click.option("--description", help="What the version assumes.")
@click.option("--file", "file_", type=click.File("r", encoding="utf-8"),
              help="The whole budget as YAML (name, start, end, lines), or - for stdin.")
@no_commit
@click.pass_obj
def add(env, ident, name, start, end, lines, months, description, file_, no_commit) -> None:
    """Add budget version ID.

    Amounts have the income statement's sign: revenue and expenses both positive.

    \b
    Example:
      comptoir budget add 2027-plan --name "2027 plan" --from 2027-01 --to 2027-12 \\
        --line 4010 30000 --line 6100 2400 --month 4010 2027-12 45000
    """
    from comptoir.commands._util import build
    from comptoir.domain.posting import parse_amount
    from comptoir.errors import fail
    from comptoir.schemas.budget import Budget
    from comptoir.schemas.registry import kind_named

    data: dict = {}
    if file_ is not None:
        import yaml

        try:
            loaded = yaml.safe_load(file_.read().replace("\t", "  "))
        except yaml.YAMLError as exc:
            raise fail("invalid-yaml", f"--file is not YAML: {str(exc).splitlines()[0]}",
                       "see `comptoir schema show budget` for the fields") from None
        if not isinstance(loaded, dict):
            raise fail("invalid-budget", "--file must hold a mapping (name, start, end, lines)",
                       "see `comptoir budget add --help`")
        data = {k: str(v) if k in ("start", "end") else v for k, v in loaded.items()}
    by_account: dict[str, dict] = {}
    for line in data.pop("lines", None) or []:
        if isinstance(line, dict) and "account" in line:
            by_account[str(line["account"])] = dict(line, account=str(line["account"]))
    for account, amount in lines:
        by_account.setdefault(account, {"account": account})["monthly"] = str(parse_amount(amount)[0])
    for account, month, amount in months:
        entry = by_account.setdefault(account, {"account": account})
        entry.setdefault("months", {})[month] = str(parse_amount(amount)[0])
    fields = {**data, "id": ident, "lines": list(by_account.values())}
    for key, value in (("name", name), ("start", start), ("end", end), ("description", description)):
        if value is not None:
            fields[key] = value
    fields.setdefault("name", ident)
    if not fields.get("start") or not fields.get("end"):
        raise click.UsageError("give --from YYYY-MM and --to YYYY-MM (or start/end in --file)")
    if not fields["lines"]:
        raise click.UsageError("give at least one --line ACCOUNT AMOUNT or --month ACCOUNT YYYY-MM AMOUNT")
    record = build(Budget, **fields)
    with env.writer("budget add", no_commit) as w:
        w.put(kind_named("budget"), record)
        w.commit(f"Add budget {record.name} ({record.start} to {record.end}, {len(record.lines)} lines)", [ident])
    click.echo(ident)
    click.echo(f"Added budget {ident} ({record.name}).", err=True)


@budget.command("list")
@output_format
@as_of
@click.pass_obj
def list_(env, fmt, as_of) -> None:
    """List budget versions with their planned income, expenses and result."""
    from comptoir.views.budget import budgets_table

    book = env.book(as_of)
    emit(budgets_table(book), fmt, book.revision)


@click.command("budget")
@click.option("--version", "version", metavar="ID|NAME", help="The budget version. Default: the one covering today.")
@date_range
@period_columns
@output_format
@as_of
@click.pass_obj
def budget_report(env, version, from_, to_, period, year, per, fmt, as_of) -> None:
    """Actual, budget, variance and % per period and budget line, with the result."""
    from comptoir.app import ledgerdays
    from comptoir.views.budget import budget_report as build

    book = ledgerdays.served(env, as_of)  # the actuals from the day totals kept per journal folder
    start, end = resolve_range(book.settings, from_, to_, period, year)
    emit(build(book, version, start, end, per or "month", env.today), fmt, book.revision)


@click.command("rolling-forecast")
@click.option("--version", "version", metavar="ID|NAME", help="The budget version. Default: the one covering today.")
@click.option("--year", type=int, help="The fiscal year (its start year). Default: today's.")
@click.option("--method", type=click.Choice(["budget", "run-rate"]), default="budget", show_default=True,
              help="Months not closed yet: the budget, or the average of the last three closed months.")
@click.option("--closed-through", metavar="YYYY-MM",
              help="Last month of actuals. Default: the lock date's month (or the month before today).")
@output_format
@as_of
@click.pass_obj
def rolling_forecast_report(env, version, year, method, closed_through, fmt, as_of) -> None:
    """The fiscal year by month: actuals for closed months, then budget or run rate; outlook vs budget."""
    import re

    from comptoir.views.budget import rolling_forecast

    if closed_through and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", closed_through):
        raise click.BadParameter("write the month as YYYY-MM", param_hint="--closed-through")
    from comptoir.app import ledgerdays

    book = ledgerdays.served(env, as_of)  # the actuals from the day totals kept per journal folder
    emit(rolling_forecast(book, version, year, env.today, method, closed_through), fmt, book.revision)


@budget.command("cash-settings")
@click.option("--minimum", metavar="AMOUNT", help="Minimum cash balance the cash view flags.")
@click.option("--vat-settlement", type=click.Choice(["none", "monthly", "quarterly"]),
              help="How often VAT is settled (none: leave VAT out of the cash view).")
@click.option("--vat-payment-day", type=click.IntRange(1, 28), help="Day of the month after the period VAT is paid.")
@click.option("--contributions-day", type=click.IntRange(1, 28),
              help="Day of the next month payroll withholding and contributions are paid.")
@click.option("--costs-day", type=click.IntRange(1, 28), help="Day of the month budgeted costs are paid.")
@click.option("--budget", "version", metavar="ID", help="Budget version the cash view plans costs with.")
@no_commit
@click.pass_obj
def cash_settings(env, minimum, vat_settlement, vat_payment_day, contributions_day, costs_day, version,
                  no_commit) -> None:
    """Set the cash view's settings (`cash:` in comptoir.yaml); the rest of the file is kept as written."""
    from comptoir.book import yamlread, yamlwrite
    from comptoir.domain.posting import parse_amount
    from comptoir.errors import ComptoirError, Problem, fail
    from comptoir.schemas.settings import Settings

    changes = {"minimum": parse_amount(minimum)[0] if minimum is not None else None,
               "vat_settlement": vat_settlement, "vat_payment_day": vat_payment_day,
               "contributions_day": contributions_day, "costs_day": costs_day, "budget": version}
    changes = {k: v for k, v in changes.items() if v is not None}
    if not changes:
        raise click.UsageError("give at least one setting to change")
    with env.writer("budget cash-settings", no_commit) as w:
        text = w.book.text_reader(w.book.settings_path) if w.book.text_reader else None
        if text is None:
            raise fail("no-settings", f"cannot read {w.book.settings_path}", "check the data root")
        if version is not None and version not in w.book.of("budget"):
            raise fail("unknown-budget", f"there is no budget {version!r}", "see `comptoir budget list`")
        doc = yamlwrite.load_roundtrip(text)
        section = doc.get("cash")
        if section is None:
            doc["cash"] = section = {}
        for key, value in changes.items():
            section[key] = value
        new_text = yamlwrite.dump(doc)
        try:
            settings = Settings.model_validate(yamlread.parse(new_text))
        except ValueError as exc:
            raise ComptoirError([Problem(w.book.settings_path, 0, "invalid-value", str(exc).splitlines()[0],
                                         "see `comptoir budget cash-settings --help`")]) from None
        w.put_settings_text(new_text, settings)
        w.commit("Cash settings: " + ", ".join(f"{k} {v}" for k, v in changes.items()), [])
    click.echo("Cash settings saved.", err=True)


def _reports() -> list:
    from comptoir.commands.pack import pack
    from comptoir.commands.stock_out import stock_out_report

    return [budget_report, rolling_forecast_report, stock_out_report, pack]


# `comptoir report` commands of this family (listed by name in comptoir.families).
REPORTS = _reports()
