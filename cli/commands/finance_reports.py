"""Financial statements under `comptoir report`: balance sheet, income statement, cash flow,
general ledger / register and journal. Registered by name in cli/commands/report.py."""

from __future__ import annotations

from collections.abc import Callable

import click

from comptoir.options import as_of, date_range, emit, output_format, period_columns, resolve_range


def _common(fn: Callable) -> Callable:
    fn = as_of(fn)
    fn = output_format(fn)
    fn = click.option("--currency", help="Show only postings in this currency, in their own amounts "
                                         "(default: every posting, in the base currency).")(fn)
    fn = click.option("--depth", type=click.IntRange(min=1), help="Roll accounts up to this many levels of the tree.")(fn)
    return date_range(fn)


def _book(env, as_of, currency: str | None = None, rows=None):
    """The book a report reads: served from the sums and posting rows kept per journal folder
    (cli/app/ledgerdays.py), and with `currency` the sums in each currency's own amounts."""
    from comptoir.app import ledgerdays

    return ledgerdays.served(env, as_of, rows, fold=ledgerdays.currency_fold if currency else None)


def _label(book) -> str | None:
    return f"commit {book.revision[:10]}" if book.revision else None


@click.command("balance-sheet")
@_common
@period_columns
@click.pass_obj
def balance_sheet(env, from_, to_, period, year, depth, currency, fmt, as_of, per) -> None:
    """Assets = liabilities + equity at the end of the period (--to; default: the last entry).

    The result not yet closed is shown in equity: the current period's (from --from, or the
    start of the fiscal year) and any earlier one. The report says whether it balances.
    """
    from comptoir.views.statements import balance_sheet as build

    book = _book(env, as_of, currency)
    start, end = resolve_range(book.settings, from_, to_, period, year)
    if per:
        from comptoir.views import periodic

        return emit(periodic.balance_sheet(book, start, end, per, depth, currency), fmt, _label(book))
    emit(build(book, start, end, depth, currency), fmt, _label(book))


@click.command("income-statement")
@_common
@click.option("--compare", type=click.Choice(["previous-period", "previous-year"]),
              help="Add columns for the period before, or the same period a year earlier.")
@period_columns
@click.pass_obj
def income_statement(env, from_, to_, period, year, depth, currency, fmt, as_of, compare, per) -> None:
    """Revenue, cost of goods sold, gross margin, expenses, net income (closing entries left out)."""
    from comptoir.views.statements import income_statement as build

    book = _book(env, as_of, currency)
    start, end = resolve_range(book.settings, from_, to_, period, year)
    if per:
        from comptoir.views import periodic

        if compare:
            raise click.UsageError("--by and --compare do not go together: --by already shows every period")
        return emit(periodic.income_statement(book, start, end, per, depth, currency), fmt, _label(book))
    emit(build(book, start, end, depth, compare, currency), fmt, _label(book))


@click.command("cash-flow")
@date_range
@click.option("--depth", type=click.IntRange(min=1), help="Roll accounts up to this many levels of the tree.")
@click.option("--method", type=click.Choice(["indirect", "direct"]), default="indirect", show_default=True,
              help="indirect: net income adjusted by balance-sheet movements; direct: bank and cash postings "
                   "by the account on the other side.")
@output_format
@as_of
@click.pass_obj
def cash_flow(env, from_, to_, period, year, depth, method, fmt, as_of) -> None:
    """Operating, investing and financing cash flows; says which method and whether it reconciles."""
    from comptoir.app import ledgerdays
    from comptoir.views.statements import cash_flow as build

    book = ledgerdays.served(env, as_of, fold=ledgerdays.cash_fold)
    start, end = resolve_range(book.settings, from_, to_, period, year)
    emit(build(book, start, end, depth, method), fmt, _label(book))


def _filters(fn: Callable) -> Callable:
    fn = click.option("--max", "max_", help="Only postings of at most this amount (absolute value).")(fn)
    fn = click.option("--min", "min_", help="Only postings of at least this amount (absolute value).")(fn)
    fn = click.option("--partner", help="Only postings for this partner id.")(fn)
    fn = click.option("--text", "text_", help="Only postings whose memo, entry memo or reference contains this.")(fn)
    return fn


def _register(env, name, account, from_, to_, period, year, depth, currency, fmt, as_of, text_, partner,
              min_, max_) -> None:
    from comptoir.app import ledgerdays
    from comptoir.app.ledgerdays import in_months
    from comptoir.domain.posting import parse_amount
    from comptoir.domain.statements import PostingFilter, opening_from_totals
    from comptoir.views.statements import register

    low = parse_amount(min_)[0] if min_ is not None else None
    high = parse_amount(max_)[0] if max_ is not None else None
    filters = PostingFilter(account, text_, partner, low, high)

    def rows(book):
        """The accounts' rows; from --from's month on when the opening balance is the day totals'."""
        start, end = resolve_range(book.settings, from_, to_, period, year)
        months = in_months(start if opening_from_totals(filters, start) else None, end)
        return lambda folder, code: filters.account_matches(book.accounts, code) and months(folder, code)

    def fold(book):
        """With --currency from a day, that currency's day sums per journal folder (the opening)."""
        if currency and opening_from_totals(filters, resolve_range(book.settings, from_, to_, period, year)[0]):
            return ledgerdays.currency_fold(book)
        return None

    book = ledgerdays.served(env, as_of, rows, fold=fold)
    start, end = resolve_range(book.settings, from_, to_, period, year)
    emit(register(book, filters, start, end, depth, currency, name), fmt, _label(book))


@click.command("ledger")
@click.argument("account")
@_common
@_filters
@click.pass_obj
def ledger(env, account, **options) -> None:
    """Every posting to ACCOUNT (a code, a code prefix, or a parent) with its running balance."""
    _register(env, "ledger", account, **options)


@click.command("register")
@click.option("--account", help="Only accounts with this code, code prefix, or parent.")
@_common
@_filters
@click.pass_obj
def register(env, account, **options) -> None:
    """Every posting with a running balance, filtered by account, text, partner, amount."""
    _register(env, "register", account, **options)


@click.command("journal")
@_common
@click.pass_obj
def journal(env, from_, to_, period, year, depth, currency, fmt, as_of) -> None:
    """Every entry in date order with every posting, for auditors (debits = credits)."""
    from comptoir.app.ledgerdays import in_months
    from comptoir.views.statements import journal_report

    def months(book):
        return in_months(*resolve_range(book.settings, from_, to_, period, year))

    book = _book(env, as_of, rows=months)
    start, end = resolve_range(book.settings, from_, to_, period, year)
    emit(journal_report(book, start, end, depth, currency), fmt, _label(book))


# `comptoir report` commands of this family (listed by name in comptoir.families).
REPORTS = [balance_sheet, income_statement, cash_flow, ledger, register, journal]
