"""`comptoir pay`: payments received and sent; the `ar-aging`, `ap-aging`, `statement` and
`cash-forecast` reports."""

from __future__ import annotations

import click

from comptoir.commands._docs import committed, day_of, decimal_of, put_all
from comptoir.options import as_of, emit, no_commit, output_format


@click.group()
def pay() -> None:
    """Payments: money in from customers, money out to suppliers (and payroll net pay).

    \b
    comptoir pay receive --partner CUSTOMER --amount 1200.00 [--invoice 2026-0007]
    comptoir pay send --partner SUPPLIER --amount 474.75 [--bill BILL-...]
    comptoir pay send --payroll 2026-11                    the net pay of a payroll run
    comptoir pay send --payroll 2026-11 --liabilities      its withholding and contributions
    comptoir pay apply --partner CUSTOMER [--credit CN2026-0001] [--to 2026-0007]   use a credit
    comptoir pay refund --partner CUSTOMER --amount 50.00  pay a credit back
    """


def _payment_options(fn):
    for decorator in reversed([
        click.option("--amount", help="What was paid, in the payment's currency."),
        click.option("--date", "date_", help="Payment date. Default: today."),
        click.option("--currency", help="Default: the partner's, else the book's."),
        click.option("--rate", help="Base currency per unit on the payment date (foreign currency). "
                     "Default: the rate table's."),
        click.option("--account", help="Bank account. Default: accounts.bank (1010)."),
        click.option("--reference", help="Bank statement line, cheque number..."),
        click.option("--memo"),
    ]):
        fn = decorator(fn)
    return fn


PAYMENT_FACTS = ("invoice", "credit-note", "payment", "application", "bill", "debit-note")


def _write(env, direction, partner, amount, documents, date_, currency, rate, account, reference, memo,
           no_commit, refund: bool = False) -> None:
    from comptoir.domain.payments import document_number, new_payment
    from comptoir.errors import fail

    if not partner or amount is None:
        raise fail("missing-option", "give --partner and --amount", "see `comptoir pay --help`")
    command = "pay refund" if refund else f"pay {'receive' if direction == 'in' else 'send'}"
    # the open items' documents, served as light records (comptoir.domain.documents.facts.light)
    with env.writer(command, no_commit, reads=PAYMENT_FACTS) as w:
        payment, entry = new_payment(w.book, direction, partner, decimal_of(amount, "--amount"), day_of(env, date_),
                                     env.rng, list(documents), currency, decimal_of(rate, "--rate"), account,
                                     reference, memo, refund=refund)
        put_all(w, [("payment", payment), ("journal", entry)])
        cur = payment.currency or w.book.base
        allocated = ", ".join(f"{document_number(w.book, a.document)} {a.amount:,f}" for a in payment.allocations)
        verb = ("Refund" if refund else "Receive") if direction == "in" else ("Refund" if refund else "Pay")
        subject = (f"{verb} {payment.amount:,f} {cur} {'from' if direction == 'in' else 'to'} {partner}"
                   + (f": {allocated}" if allocated else ": on account"))
        sha = w.commit(subject, [payment.id, entry.id])
    click.echo(payment.id)
    if payment.unallocated:
        click.echo(f"note: {payment.unallocated:,f} {cur} is not allocated and stays as a credit on {partner}",
                   err=True)
    fx = [p for p in entry.postings if p.account in (w.book.settings.accounts.fx_gain, w.book.settings.accounts.fx_loss)]
    if fx:
        click.echo(f"realised exchange {'gain' if fx[0].amount < 0 else 'loss'}: {abs(fx[0].amount):,f} "
                   f"{w.book.base}", err=True)
    click.echo(subject + committed(sha), err=True)


@pay.command("receive")
@click.option("--partner", required=True, help="The customer's id.")
@click.option("--invoice", "documents", multiple=True, help="Invoice id or number it pays (repeatable). "
              "Default: the customer's open invoices, oldest due first.")
@_payment_options
@no_commit
@click.pass_obj
def receive(env, partner, documents, amount, date_, currency, rate, account, reference, memo, no_commit) -> None:
    """Record money received from a customer: debit the bank, credit receivables.

    Over-payment stays as a credit on the customer. A foreign-currency invoice settles at
    its own rate; the difference to the payment's rate is a realised exchange gain or loss.
    """
    _write(env, "in", partner, amount, documents, date_, currency, rate, account, reference, memo, no_commit)


@pay.command("send")
@click.option("--partner", help="The supplier's id.")
@click.option("--bill", "documents", multiple=True, help="Bill id or the supplier's invoice number (repeatable). "
              "Default: the supplier's open bills, oldest due first.")
@click.option("--payroll", metavar="YYYY-MM|PAY-ID", help="Pay the net pay of a payroll run instead.")
@click.option("--liabilities", is_flag=True,
              help="With --payroll: pay what the run still owes of its withholding and social "
                   "contributions instead (for part of it: `hr payroll pay-liabilities`).")
@click.option("--tax", "tax_period", metavar="PERIOD", help="Pay the settled VAT of PERIOD instead (tax settle).")
@_payment_options
@no_commit
@click.pass_obj
def send(env, partner, documents, payroll, liabilities, tax_period, amount, date_, currency, rate, account,
         reference, memo, no_commit) -> None:
    """Record money paid to a supplier (debit payables, credit the bank), a payroll run's net pay
    (or, with --liabilities, its withholding and contributions), or a settled VAT period."""
    if liabilities and not payroll:
        from comptoir.errors import fail

        raise fail("liabilities-without-payroll", "--liabilities pays a payroll run's withholding and contributions",
                   "give the run too: --payroll YYYY-MM")
    if payroll and liabilities:
        from comptoir.commands.hr import _pay_liabilities
        from comptoir.errors import fail

        if partner or documents or amount or tax_period:
            raise fail("payroll-payment", "--payroll --liabilities pays what the run still owes: no --partner, "
                       "--bill, --amount or --tax", "for a part, use `comptoir hr payroll pay-liabilities --withholding "
                       "AMOUNT --contributions AMOUNT`")
        _pay_liabilities(env, payroll, date_, account, None, None, no_commit, "pay send")
        return
    if tax_period:
        from comptoir.domain.tax import vat_payment
        from comptoir.errors import fail

        if partner or documents or amount or payroll:
            raise fail("tax-payment", "--tax pays the settled VAT: no --partner, --bill, --amount or --payroll",
                       "the amount is what the settlement left due")
        with env.writer("pay send", no_commit) as w:
            entry = vat_payment(w.book, tax_period, day_of(env, date_), account, env.rng)
            put_all(w, [("journal", entry)])
            sha = w.commit(f"Pay VAT {tax_period}: {entry.postings[0].amount:,f} {w.book.base}", [entry.id])
        click.echo(entry.id)
        click.echo(f"Paid the VAT of {tax_period} with {entry.id}" + committed(sha), err=True)
        return
    if payroll:
        from comptoir.domain.hr import settle_net_pay
        from comptoir.errors import fail
        from comptoir.options import parse_date

        if partner or documents or amount:
            raise fail("payroll-payment", "--payroll pays the run's net pay: no --partner, --bill or --amount",
                       "the amount is the run's net pay")
        with env.writer("pay send", no_commit) as w:
            entry = settle_net_pay(w.book, payroll, parse_date(date_, "--date"), account, env.today, env.rng)
            put_all(w, [("journal", entry)])
            sha = w.commit(f"Pay {entry.reference}: {entry.memo}, {entry.postings[0].amount:,f} {w.book.base}",
                           [entry.id, entry.reference or ""])
        click.echo(entry.id)
        click.echo(f"Paid the net pay of {entry.reference} with {entry.id}" + committed(sha), err=True)
        return
    _write(env, "out", partner, amount, documents, date_, currency, rate, account, reference, memo, no_commit)


@pay.command("refund")
@click.option("--partner", required=True, help="The customer (money out) or supplier (money in) refunded.")
@click.option("--credit", "documents", multiple=True, help="The credit note, debit note or over-payment it pays "
              "back (id or number, repeatable). Default: the partner's credits, oldest first.")
@_payment_options
@no_commit
@click.pass_obj
def refund(env, partner, documents, amount, date_, currency, rate, account, reference, memo, no_commit) -> None:
    """Pay a customer's credit back (debit receivables, credit the bank), or record a supplier
    paying ours back (debit the bank, credit payables). Refused beyond the credit there is."""
    from comptoir.errors import fail

    p = env.book(kinds=("partner",)).of("partner").get(partner)
    if p is None:
        raise fail("unknown-partner", f"there is no partner {partner}", "`comptoir partner list` shows the ids")
    direction = "out" if "customer" in p.roles else "in"
    _write(env, direction, partner, amount, documents, date_, currency, rate, account, reference, memo, no_commit,
           refund=True)


@pay.command("apply")
@click.option("--partner", required=True, help="The customer or supplier.")
@click.option("--credit", "credits", multiple=True, help="Credit note, debit note or payment whose credit is used "
              "(repeatable). Default: the partner's credits, oldest first.")
@click.option("--to", "documents", multiple=True, help="Invoice, bill or refund it settles (id or number, "
              "repeatable). Default: the partner's open ones, oldest due first.")
@click.option("--amount", help="Apply at most this much (in the documents' currency).")
@click.option("--side", type=click.Choice(["receivable", "payable"]), help="Default: receivable for a customer.")
@click.option("--date", "date_", help="Default: today.")
@no_commit
@click.pass_obj
def apply(env, partner, credits, documents, amount, side, date_, no_commit) -> None:
    """Apply a partner's existing credit (a credit or debit note, an over-payment, a payment
    made before its invoice) to their open invoices or bills. Moves no money: an allocation
    between open items (foreign documents at two rates post the realised exchange difference)."""
    from comptoir.domain.payments import apply_credits
    from comptoir.errors import fail

    with env.writer("pay apply", no_commit) as w:
        p = w.book.of("partner").get(partner)
        if p is None:
            raise fail("unknown-partner", f"there is no partner {partner}", "`comptoir partner list` shows the ids")
        side = side or ("receivable" if "customer" in p.roles else "payable")
        applied, entry = apply_credits(w.book, side, partner, day_of(env, date_), env.rng, list(credits),
                                       list(documents), decimal_of(amount, "--amount"))
        put_all(w, [*(("application", a) for a in applied), ("journal", entry)])
        total = sum(a.amount for a in applied)
        cur = applied[0].currency or w.book.base
        subject = f"Apply {total:,f} {cur} of {partner}'s credit to " + ", ".join(
            dict.fromkeys(a.document for a in applied))
        sha = w.commit(subject, [a.id for a in applied] + ([entry.id] if entry else []))
    for a in applied:
        click.echo(a.id)
    if entry is not None:
        fx = entry.postings[-1]
        click.echo(f"realised exchange {'gain' if fx.amount < 0 else 'loss'}: {abs(fx.amount):,f} {w.book.base}",
                   err=True)
    click.echo(subject + committed(sha), err=True)


@pay.command("list")
@click.option("--partner")
@click.option("--direction", type=click.Choice(["in", "out"]))
@output_format
@as_of
@click.pass_obj
def list_(env, partner, direction, fmt, as_of) -> None:
    """List payments with what they were allocated to."""
    from comptoir.commands._docs import served
    from comptoir.views.payments import payments_table

    book = served(env, as_of, payments_table)  # the payments and documents' numbers as facts (cli/app/docfacts.py)
    emit(payments_table(book, partner, direction), fmt, book.revision)


def _aging(side: str, name: str):
    @click.command(name)
    @click.option("--date", "date_", help="Age on this day. Default: today.")
    @click.option("--detail", is_flag=True, help="One row per open document instead of per partner.")
    @output_format
    @as_of
    @click.pass_obj
    def report(env, date_, detail, fmt, as_of) -> None:
        from comptoir.app import openitems
        from comptoir.views.payments import aging_table

        day = day_of(env, date_)
        book = openitems.served(env, as_of, side, day)
        emit(aging_table(book, side, day, detail), fmt, book.revision)

    report.__doc__ = (f"Open {side}s by days past due: current, 1-30, 31-60, 61-90, 90+ (base currency); "
                      f"the total agrees with the {side} accounts.")
    report.help = report.__doc__
    return report


ar_aging_report = _aging("receivable", "ar-aging")
ap_aging_report = _aging("payable", "ap-aging")


@click.command("statement")
@click.argument("partner")
@click.option("--date", "date_", help="Statement date. Default: today.")
@click.option("--from", "from_", help="Start with the opening balance on this day.")
@click.option("--side", type=click.Choice(["receivable", "payable"]), help="Default: receivable for a customer.")
@output_format
@as_of
@click.pass_obj
def statement_report(env, partner, date_, from_, side, fmt, as_of) -> None:
    """A partner's statement of account: invoices, credit notes and payments with the running
    balance and what is still open."""
    from comptoir.app import openitems
    from comptoir.views.payments import statement_table

    day = day_of(env, date_)
    book = openitems.served(env, as_of, side, day, partner)
    emit(statement_table(book, partner, day, side, day_of(env, from_, "--from") if from_ else None),
         fmt, book.revision)


@click.command("cash-forecast")
@click.option("--weeks", type=click.IntRange(1, 104), default=13, show_default=True)
@click.option("--date", "date_", help="Start day. Default: today.")
@click.option("--budget", "version", metavar="ID|NAME", help="Budget version for recurring costs "
              "(default: cash.budget in comptoir.yaml, else the one covering today).")
@click.option("--minimum", metavar="AMOUNT", help="Minimum cash to keep (default: cash.minimum in comptoir.yaml).")
@output_format
@as_of
@click.pass_obj
def cash_forecast_report(env, weeks, date_, version, minimum, fmt, as_of) -> None:
    """Opening bank balance, then week by week: receivables and bills by due date, scheduled
    payroll, VAT settlements and budgeted recurring costs; the week cash dips below the minimum."""
    from comptoir.app import openitems
    from comptoir.domain.posting import parse_amount
    from comptoir.views.payments import cash_view

    day = day_of(env, date_)
    book = openitems.cash(env, as_of, day)  # open items and day totals from partials (cli/app/openitems.py)
    floor = parse_amount(minimum)[0] if minimum is not None else None
    emit(cash_view(book, day, weeks, version, floor), fmt, book.revision)


# `comptoir report` commands of this family (listed by name in comptoir.families).
REPORTS = [ar_aging_report, ap_aging_report, statement_report, cash_forecast_report]
