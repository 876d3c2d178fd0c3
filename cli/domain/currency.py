"""Foreign currencies: the rate table's rules, and the revaluation of open foreign balances.

A posting in a foreign currency carries a base-currency value: its amount times its own
`rate:`, or, for an entry written wholly in one foreign currency, times the rate table's
rate on the entry's date. Revaluation brings the carried value of each foreign balance of
an asset or liability account to the balance times the rate on the revaluation date, and
posts the difference as an unrealised exchange gain or loss, reversed on the next day (the
treatment of Odoo and ERPNext: the revaluation shows in the period's statements, while
documents keep settling at the rate they were booked at). The difference is recorded as
a posting of amount 0 in the foreign currency with a `value:` (as Odoo records exchange
differences): the foreign balance stays what the bank or supplier says it is.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from comptoir.errors import ComptoirError, Problem, fail
from comptoir.model import Book
from comptoir.schemas.accounting import JournalEntry
from comptoir.schemas.types import currency_places, places_of

from .ids import id_prefix, new_id
from .ledger import ZERO, entry_values, rate_on, round_to, rounding_tolerance
from .validation import ENTRIES, rule

REVALUATION_TAG = "revaluation"


@rule(reads=("rate",), per=("rate",))
def rates(book: Book) -> list[Problem]:
    out = []
    for ident, r in book.of("rate").items():
        if r.currency == book.base:
            out.append(Problem(book.source("rate", ident), 0, "rate-base-currency",
                               f"{ident}: a rate for the base currency {book.base} makes no sense",
                               "delete the file; the base currency is worth 1 by definition", loc=("currency",)))
    return out


def _rates_delta(book: Book, change, facts: dict) -> list[Problem] | None:
    """A rate in a currency no entry posts in changes no entry's check."""
    if change.kinds != {"rate"} or "foreign" not in facts:
        return None
    used = set(facts["foreign"])
    return None if any(r.currency in used for r in change.new("rate")) else []


@rule(reads=("journal", "rate"), per=("journal",), delta=_rates_delta, stream=ENTRIES)
def foreign_postings(book: Book) -> list[Problem]:
    """Entries in one foreign currency need a table rate; exchange differences need a foreign currency."""
    out = []
    base = book.base
    base_places = currency_places(base)
    for ident, entry in book.entries.items():
        if all(p.currency is None for p in entry.postings):
            continue  # the common case: all in the base currency (a value: needs a currency)
        src = book.source("journal", ident)
        currencies = {p.currency or base for p in entry.postings}
        for i, p in enumerate(entry.postings):
            if p.value is None:
                continue
            if (p.currency or base) == base:
                out.append(Problem(src, 0, "value-in-base",
                                   f"{ident}: posting {i + 1} has value: but is in the base currency {base}",
                                   "value: records an exchange difference on a foreign-currency balance; "
                                   "post a base-currency difference as its amount instead",
                                   loc=("postings", i, "value")))
            elif places_of(p.value) > base_places:
                out.append(Problem(src, 0, "too-many-places",
                                   f"{ident}: value {p.value} has more decimal places than {base} allows ({base_places})",
                                   f"round it to {base_places} places", loc=("postings", i, "value")))
        if len(currencies) != 1 or base in currencies:
            continue
        (cur,) = currencies
        if any(p.value is not None for p in entry.postings):
            continue
        table_rate = rate_on(book, cur, entry.date)
        if any(p.rate is not None for p in entry.postings) and (
                table_rate is not None or all(p.rate is not None for p in entry.postings)):
            gap = sum((round_to(p.amount * (p.rate or table_rate), base_places)  # type: ignore[operator]
                       for p in entry.postings), ZERO)
            if abs(gap) > rounding_tolerance(book, len(entry.postings)):
                out.append(Problem(src, 0, "unbalanced",
                                   f"{ident}: balances in {cur}, but at its postings' rates it sums to {gap} {base}",
                                   f"give its postings one rate, or book the exchange difference in {base} "
                                   "(the entry then mixes currencies and balances in the base currency)",
                                   loc=("postings",)))
            continue
        if table_rate is None:
            out.append(Problem(src, 0, "rate-missing",
                               f"{ident}: the entry is in {cur} and the rate table has no {cur} rate "
                               f"on or before {entry.date}",
                               f"add one with `comptoir rate add {cur} RATE --date {entry.date}`, "
                               f"or give each posting a rate (100.00{cur}@0.92)", loc=("postings",)))
    return out


@dataclass
class Position:
    """A foreign-currency balance held on one account, and what it is carried at."""

    account: str
    currency: str
    amount: Decimal = ZERO  # in the foreign currency
    carried: Decimal = ZERO  # in the base currency: historical values plus earlier revaluations
    rate: Decimal | None = None
    rate_date: dt.date | None = None
    revalued: Decimal | None = None

    @property
    def difference(self) -> Decimal:
        return ZERO if self.revalued is None else self.revalued - self.carried


def positions(book: Book, day: dt.date) -> list[Position]:
    """Foreign balances of asset and liability accounts at the end of `day`, priced at the table rate."""
    base = book.base
    accounts = book.accounts
    found: dict[tuple[str, str], Position] = {}
    for entry in book.entries.values():
        if entry.date > day or all((p.currency or base) == base for p in entry.postings):
            continue
        for p, value in zip(entry.postings, entry_values(book, entry), strict=True):
            cur = p.currency or base
            acct = accounts.get(p.account)
            if cur == base or acct is None or acct.type not in ("asset", "liability"):
                continue
            pos = found.setdefault((p.account, cur), Position(p.account, cur))
            pos.amount += p.amount
            pos.carried += value
    places = currency_places(base)
    out = []
    for key in sorted(found):
        pos = found[key]
        if pos.amount == 0 and pos.carried == 0:
            continue
        pos.rate, pos.rate_date = _rate_and_date(book, pos.currency, day)
        if pos.rate is not None:
            pos.revalued = round_to(pos.amount * pos.rate, places)
        out.append(pos)
    return out


def _rate_and_date(book: Book, currency: str, day: dt.date) -> tuple[Decimal | None, dt.date | None]:
    best = None
    for r in book.of("rate").values():
        if r.currency == currency and r.date <= day and (best is None or r.date > best.date):
            best = r
    return (best.rate, best.date) if best else (None, None)


def revaluation(book: Book, day: dt.date, rng: random.Random) -> tuple[JournalEntry | None, list[Position]]:
    """The unrealised exchange-difference entry at `day` (None when nothing moved) and its workings:
    the positions it revalues."""
    found = positions(book, day)
    missing = sorted({p.currency for p in found if p.rate is None})
    if missing:
        raise ComptoirError([Problem("", 0, "rate-missing",
                                     f"no {cur} rate on or before {day} to revalue the open {cur} balances",
                                     f"add one with `comptoir rate add {cur} RATE --date {day}`")
                             for cur in missing])
    moved = [p for p in found if p.difference != 0]
    if not moved:
        return None, found
    defaults = book.settings.accounts
    net = sum((p.difference for p in moved), ZERO)
    postings: list[dict] = [{"account": p.account, "amount": round_to(ZERO, currency_places(p.currency)),
                             "currency": p.currency,
                             "value": p.difference,
                             "memo": f"{p.amount} {p.currency} at {p.rate} ({p.rate_date}), carried at {p.carried}"}
                            for p in moved]
    if net:
        fx_account = defaults.fx_gain if net > 0 else defaults.fx_loss
        acct = book.accounts.get(fx_account)
        if acct is None:
            which = "fx_gain" if net > 0 else "fx_loss"
            raise fail("unknown-account", f"the exchange {'gain' if net > 0 else 'loss'} account {fx_account} does not exist",
                       f"add it with `comptoir account add`, or name another in comptoir.yaml (accounts: {which}:)")
        postings.append({"account": fx_account, "amount": -net,
                         "memo": "Unrealised exchange " + ("gain" if net > 0 else "loss")})
    entry = JournalEntry.model_validate({
        "id": new_id(id_prefix(book, "journal"), day, book.entries, rng), "date": day,
        "memo": f"Unrealised exchange differences at {day}", "source": "period revalue",
        "tags": [REVALUATION_TAG], "postings": postings})
    return entry, found


def revaluation_reversal(book: Book, entry: JournalEntry, rng: random.Random) -> JournalEntry:
    """The revaluation undone on the next day (what Odoo and ERPNext do): open items go back to
    the rate they were booked at, so a later payment at the document's rate books only the true
    realised difference, and an open-item account holds 0.00 when nothing is owed."""
    day = entry.date + dt.timedelta(days=1)
    postings = [{**p.model_dump(exclude_none=True), "amount": -p.amount,
                 **({"value": -p.value} if p.value is not None else {})} for p in entry.postings]
    return JournalEntry.model_validate({
        "id": new_id(id_prefix(book, "journal"), day, set(book.entries) | {entry.id}, rng), "date": day,
        "memo": f"Reversal of the unrealised exchange differences at {entry.date}", "source": "period revalue",
        "reverses": entry.id, "tags": [REVALUATION_TAG], "postings": postings})


def rate_rows(book: Book, currency: str | None = None) -> list[dict[str, Any]]:
    """The exchange rates by currency and date (of one currency)."""
    return [{"id": r.id, "date": r.date, "currency": r.currency, "rate": r.rate, "source": r.source or ""}
            for r in sorted(book.of("rate").values(), key=lambda r: (r.currency, r.date))
            if currency is None or r.currency == currency]


# What this module adds to its family (comptoir.families collects these lists).
RULES = [rates, foreign_postings]
