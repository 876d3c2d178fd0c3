"""Paying a payroll run: its net pay to the staff, and its liabilities to the authorities, the
income tax withheld (payroll.withholding_payable, 2310) and the social contributions, employee
and employer shares (payroll.contributions_payable, 2320).

The net pay is paid once, by one entry with `source:` the run's id. A liabilities payment is one
journal entry that debits the payables and credits the bank, with `source:` the run's id and the
tag `payroll-liabilities`, so what a run still owes is computed from its own amounts less the
payments that name it (reversed payments no longer count). Partial payments are allowed; paying
more than the run still owes, or more than the payable account holds on the day, is refused.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from comptoir.errors import Problem, fail
from comptoir.model import Book
from comptoir.schemas.accounting import JournalEntry
from comptoir.schemas.hr import PayrollRun
from comptoir.schemas.types import currency_places, places_of

from ..ids import id_prefix, new_id
from ..ledger import ZERO, balances, entries_between
from .common import LIABILITIES_TAG, get_run, month_label
from .payroll import totals_of


def settlements_of(book: Book, run: PayrollRun) -> list[JournalEntry]:
    """Entries paying the run's net pay that are not reversed: entries with source = the run id
    (other than the payments of its withholding and contributions)."""
    reversed_ids = {e.reverses for e in book.entries.values() if e.reverses}
    return sorted((e for e in book.entries.values()
                   if e.source == run.id and e.id != run.entry and e.id not in reversed_ids
                   and LIABILITIES_TAG not in e.tags),
                  key=lambda e: (e.date, e.id))


def settle_net_pay(book: Book, period: str, day: dt.date | None, bank: str | None, today: dt.date,
                   rng: random.Random) -> JournalEntry:
    """The payment of a run's net pay: debit net pay payable, credit the bank. Once per run."""
    run = get_run(book, period)
    paid = settlements_of(book, run)
    if paid:
        raise fail("payroll-already-paid", f"the net pay of {run.id} was already paid by {paid[0].id} on {paid[0].date}",
                   f"a run is paid once; to undo the payment, `comptoir journal reverse {paid[0].id}`",
                   file=book.source("journal", paid[0].id), line=1)
    day = day or max(today, run.date)
    if day < run.date:
        raise fail("payment-before-payroll", f"the payment date {day} is before the payroll's date {run.date}",
                   f"pay on or after {run.date}, when the net pay is owed")
    bank = bank or book.settings.accounts.bank
    if bank not in book.accounts:
        raise fail("unknown-account", f"account {bank} does not exist", "give --account a bank account code")
    net = totals_of(run.lines).net
    return JournalEntry.model_validate({
        "id": new_id(id_prefix(book, "journal"), day, book.entries, rng), "date": day,
        "memo": f"Net pay {month_label(run.period)}", "reference": run.id, "source": run.id,
        "postings": [{"account": book.settings.payroll.net_pay_payable, "amount": net, "memo": "Net pay"},
                     {"account": bank, "amount": -net}]})



@dataclass
class Owed:
    """A run's withholding and contributions: what it posted, what is paid, what is open."""

    withholding: Decimal
    contributions: Decimal
    paid_withholding: Decimal
    paid_contributions: Decimal

    @property
    def open_withholding(self) -> Decimal:
        return self.withholding - self.paid_withholding

    @property
    def open_contributions(self) -> Decimal:
        return self.contributions - self.paid_contributions

    @property
    def open(self) -> Decimal:
        return self.open_withholding + self.open_contributions


def liability_payments(book: Book, run: PayrollRun) -> list[JournalEntry]:
    """The entries paying this run's withholding and contributions, not reversed."""
    reversed_ids = {e.reverses for e in book.entries.values() if e.reverses}
    return sorted((e for e in book.entries.values()
                   if e.source == run.id and LIABILITIES_TAG in e.tags and e.id not in reversed_ids),
                  key=lambda e: (e.date, e.id))


def owed(book: Book, run: PayrollRun) -> Owed:
    s = book.settings.payroll
    t = totals_of(run.lines)
    paid_w = paid_c = ZERO
    for entry in liability_payments(book, run):
        for p in entry.postings:
            if p.account == s.withholding_payable:
                paid_w += p.amount
            elif p.account == s.contributions_payable:
                paid_c += p.amount
    return Owed(t.withholding, t.employee_contributions + t.employer_contributions, paid_w, paid_c)


def _amount(book: Book, value: Decimal | None, option: str) -> Decimal | None:
    if value is None:
        return None
    places = currency_places(book.base)
    if places_of(value) > places:
        raise fail("too-many-places", f"{option} {value} has more than {places} decimal places",
                   f"round it to {places} places")
    if value <= 0:
        raise fail("invalid-amount", f"{option} {value} is not a positive amount", "give what you pay, like 1020.19")
    return value


def pay_liabilities(book: Book, period: str, day: dt.date | None, bank: str | None, today: dt.date,
                    rng: random.Random, withholding: Decimal | None = None,
                    contributions: Decimal | None = None) -> JournalEntry:
    """The payment of a run's withholding and contributions: debit 2310 and 2320, credit the bank.

    Without amounts, everything the run still owes; with --withholding and/or --contributions,
    only those amounts (the other part stays owed). Refused beyond what is owed."""
    run = get_run(book, period)
    s = book.settings.payroll
    withholding = _amount(book, withholding, "--withholding")
    contributions = _amount(book, contributions, "--contributions")
    due = owed(book, run)
    if withholding is None and contributions is None:
        withholding, contributions = due.open_withholding, due.open_contributions
        if due.open <= 0:
            paid = liability_payments(book, run)
            raise fail("payroll-liabilities-paid",
                       f"the withholding and contributions of {run.id} are already paid"
                       + (f" ({', '.join(e.id for e in paid)})" if paid else ""),
                       "to undo a payment, `comptoir journal reverse ID`",
                       file=book.source("journal", paid[-1].id) if paid else "", line=1 if paid else 0)
    withholding = withholding or ZERO
    contributions = contributions or ZERO
    for what, amount, open_, account in (("withholding", withholding, due.open_withholding, s.withholding_payable),
                                         ("contributions", contributions, due.open_contributions,
                                          s.contributions_payable)):
        if amount > open_:
            raise fail("overpaying-liability",
                       f"{run.id} owes {open_:f} {book.base} of {what} ({account}); {amount:f} is more",
                       f"pay at most {open_:f}; `comptoir hr payroll show {run.id}` shows what it posted")
    day = day or max(today, run.date)
    if day < run.date:
        raise fail("payment-before-payroll", f"the payment date {day} is before the payroll's date {run.date}",
                   f"pay on or after {run.date}, when the liabilities are owed")
    # The payable accounts must hold it too: a hand-made payment (journal post) already paid part.
    for what, amount, account in (("withholding", withholding, s.withholding_payable),
                                  ("contributions", contributions, s.contributions_payable)):
        held = min(-balances(book, entries_between(book, None, day)).get(account, ZERO),
                   -balances(book, book.entries.values()).get(account, ZERO))
        if amount > held:
            raise fail("overpaying-liability",
                       f"account {account} holds {held:f} {book.base} of {what} owed on {day}; {amount:f} is more",
                       f"another entry already paid part of it: see `comptoir report general-ledger --account "
                       f"{account}`; pay at most {max(held, ZERO):f}")
    bank = bank or book.settings.accounts.bank
    if bank not in book.accounts:
        raise fail("unknown-account", f"account {bank} does not exist", "give --account a bank account code")
    postings = [p for p in (
        {"account": s.withholding_payable, "amount": withholding, "memo": "Income tax withheld"},
        {"account": s.contributions_payable, "amount": contributions,
         "memo": "Social contributions, employee and employer"}) if p["amount"] != 0]
    postings.append({"account": bank, "amount": -(withholding + contributions)})
    return JournalEntry.model_validate({
        "id": new_id(id_prefix(book, "journal"), day, book.entries, rng), "date": day,
        "memo": f"Withholding and contributions {month_label(run.period)}", "reference": run.id,
        "source": run.id, "tags": [LIABILITIES_TAG], "postings": postings})


def overpaid_problems(book: Book, run: PayrollRun) -> list[Problem]:
    """A run whose liability payments exceed what it posted (hand edits, a double payment)."""
    due = owed(book, run)
    if due.open_withholding >= 0 and due.open_contributions >= 0:
        return []
    paid = liability_payments(book, run)
    return [Problem(book.source("journal", paid[-1].id), 0, "payroll-liabilities-overpaid",
                    f"the payments of {run.id}'s withholding and contributions ({', '.join(e.id for e in paid)}) "
                    f"exceed what it posted: withholding {due.paid_withholding:f} of {due.withholding:f}, "
                    f"contributions {due.paid_contributions:f} of {due.contributions:f}",
                    "reverse the extra payment with `comptoir journal reverse`")]
