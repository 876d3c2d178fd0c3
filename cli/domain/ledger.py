"""General ledger: posting values in the base currency, balances, the trial balance."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from comptoir.errors import ComptoirError, fail

if TYPE_CHECKING:  # the trial balance served from a snapshot (cli/app/ledgersnap.py) runs without the models
    from comptoir.model import Book
    from comptoir.schemas.accounting import Account, JournalEntry, Posting

    from .table import Rows

ZERO = Decimal(0)


def _places(currency: str) -> int:
    from comptoir.schemas.types import currency_places  # on first use, for the reason above

    return currency_places(currency)


def quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def round_to(value: Decimal, places: int) -> Decimal:
    return value.quantize(quantum(places), rounding=ROUND_HALF_EVEN)


def base_value(book: Book, posting: Posting, day: dt.date) -> Decimal:
    """The posting's amount in the base currency, at the posting's own rate when it has one.

    An exchange difference (`value:`) is worth its value; a foreign posting without a rate
    is converted at the rate table's latest rate on or before the day.
    """
    cur = posting.currency
    if cur is None or cur == book.base:
        return posting.amount
    if posting.value is not None:
        return posting.value
    rate = posting.rate if posting.rate is not None else rate_on(book, cur, day)
    if rate is None:
        raise fail("rate-missing", f"no {cur} exchange rate on or before {day} to convert a posting",
                   f"add one with `comptoir rate add {cur} RATE --date {day}`, or give the posting a rate "
                   f"(100.00{cur}@0.92); `comptoir validate` lists every entry concerned")
    return round_to(posting.amount * rate, _places(book.base))


def entry_values(book: Book, entry: JournalEntry) -> list[Decimal]:
    """Each posting's base-currency value, in posting order.

    An entry written wholly in one foreign currency balances in that currency; converted
    posting by posting it can miss zero by rounding (half a cent per posting at most),
    which goes to its largest posting so the entry still balances in the base currency.
    A bigger gap is a real exchange difference: the validator reports it, it stays visible.
    """
    base = book.base
    postings = entry.postings
    if all(p.currency is None or p.currency == base for p in postings):
        return [p.amount for p in postings]
    values = [base_value(book, p, entry.date) for p in postings]
    residual = sum(values, ZERO)
    if residual and len({p.currency for p in postings}) == 1 and all(p.value is None for p in postings) \
            and abs(residual) <= rounding_tolerance(book, len(postings)):
        largest = max(range(len(postings)), key=lambda i: abs(values[i]))
        values[largest] -= residual
    return values


def rounding_tolerance(book: Book, postings: int) -> Decimal:
    """The most that rounding each of `postings` conversions to the base currency can add up to."""
    return quantum(_places(book.base)) * postings / 2


def rate_on(book: Book, currency: str, day: dt.date) -> Decimal | None:
    """The latest recorded rate for the currency on or before the day (None when unknown)."""
    table = book.derived.get("rates")
    if table is None:
        table = {}
        for r in book.of("rate").values():
            table.setdefault(r.currency, []).append((r.date, r.rate))
        for series in table.values():
            series.sort()
        book.derived["rates"] = table
    series = table.get(currency)
    if not series:
        return None
    i = bisect.bisect_right(series, (day, Decimal("Infinity")))
    return series[i - 1][1] if i else None


def entries_between(book: Book, start: dt.date | None, end: dt.date | None) -> Iterator[JournalEntry]:
    for entry in book.entries.values():
        if (start is None or entry.date >= start) and (end is None or entry.date <= end):
            yield entry


def balances(book: Book, entries: Iterable[JournalEntry]) -> dict[str, Decimal]:
    """Net base-currency balance per account (debits positive)."""
    return add_balances({}, book, entries)


def add_balances(out: dict[str, Decimal], book: Book, entries: Iterable[JournalEntry]) -> dict[str, Decimal]:
    """`out` with the entries' postings added (balances, over entries given in parts)."""
    base = book.base
    get = out.get
    for entry in entries:
        postings = entry.postings
        if all(p.currency is None or p.currency == base for p in postings):
            for p in postings:
                out[p.account] = get(p.account, ZERO) + p.amount
        else:
            for p, value in zip(postings, entry_values(book, entry), strict=True):
                out[p.account] = get(p.account, ZERO) + value
    return out


def debit_credit(book: Book, entries: Iterable[JournalEntry]) -> dict[str, tuple[Decimal, Decimal]]:
    debits: dict[str, Decimal] = {}
    credits: dict[str, Decimal] = {}
    base = book.base
    for entry in entries:
        postings = entry.postings
        if all(p.currency is None or p.currency == base for p in postings):
            pairs = [(p, p.amount) for p in postings]
        else:
            pairs = list(zip(postings, entry_values(book, entry), strict=True))
        for p, value in pairs:
            if value >= 0:
                debits[p.account] = debits.get(p.account, ZERO) + value
            else:
                credits[p.account] = credits.get(p.account, ZERO) - value
    return {a: (debits.get(a, ZERO), credits.get(a, ZERO)) for a in debits.keys() | credits.keys()}


def ancestors(accounts: dict[str, Account], code: str) -> list[str]:
    """The account and its parents, nearest first (stops on an unknown parent or a loop)."""
    chain = [code]
    seen = {code}
    acct = accounts.get(code)
    while acct is not None and acct.parent and acct.parent not in seen:
        chain.append(acct.parent)
        seen.add(acct.parent)
        acct = accounts.get(acct.parent)
    return chain


def depth_of(accounts: dict[str, Account], code: str) -> int:
    return len(ancestors(accounts, code))


def roll_up(accounts: dict[str, Account], code: str, depth: int | None) -> str:
    """The account a posting is shown on when the tree is cut at `depth` levels."""
    if not depth:
        return code
    chain = ancestors(accounts, code)
    return chain[max(0, len(chain) - depth)]


def day_totals(book: Book) -> dict[str, dict[int, list[Decimal]]]:
    """Per account, per day (date ordinal): [debits, credits] in the base currency; what the
    trial balance sums. Computed from the entries once per load, unless the book reader
    supplied it (cli/app/ledgerdays.py serves it from sums cached per journal folder)."""
    totals = book.derived.get("ledger.days")
    if totals is None:
        totals = book.derived["ledger.days"] = add_day_totals({}, book, book.entries.values())
    return totals


def add_day_totals(totals: dict[str, dict[int, list[Decimal]]], book: Book,
                   entries: Iterable[JournalEntry]) -> dict[str, dict[int, list[Decimal]]]:
    # day -> the error a report on it raises (kept beside the sums, under a key no account has)
    unconvertible: dict[int, Any] = totals.setdefault(UNCONVERTIBLE, {})
    for entry in entries:
        day = entry.date.toordinal()
        try:
            values = entry_values(book, entry)
        except ComptoirError as exc:
            unconvertible.setdefault(day, exc)
            continue
        for p, value in zip(entry.postings, values, strict=True):
            days = totals.get(p.account)
            if days is None:
                days = totals[p.account] = {}
            cell = days.get(day)
            if cell is None:
                cell = days[day] = [ZERO, ZERO]
            if value >= 0:
                cell[0] += value
            else:
                cell[1] -= value
    return totals


UNCONVERTIBLE = ""  # the key in day totals of entries no rate converts (not an account code)


def _day_range(book: Book, start: dt.date | None, end: dt.date | None
               ) -> tuple[dict[str, Decimal], dict[str, tuple[Decimal, Decimal]]]:
    """Balance before `start` and debits/credits from `start` to `end`, per account."""
    lo = start.toordinal() if start is not None else None
    hi = end.toordinal() if end is not None else None
    opening: dict[str, Decimal] = {}
    moves: dict[str, tuple[Decimal, Decimal]] = {}
    for code, days in day_totals(book).items():
        if code == UNCONVERTIBLE:
            for day in sorted(days):
                if hi is None or day <= hi:
                    raise cast(ComptoirError, days[day])
            continue
        for day, (dr, cr) in days.items():
            if lo is not None and day < lo:
                opening[code] = opening.get(code, ZERO) + dr - cr
            elif hi is None or day <= hi:
                m = moves.get(code)
                moves[code] = (dr, cr) if m is None else (m[0] + dr, m[1] + cr)
    return opening, moves


@dataclass
class TrialBalance:
    """Opening, debits, credits and closing per account (rows), their totals, and the places and
    currency they are shown in."""

    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    places: int
    shown_in: str

    @property
    def balanced(self) -> bool:
        return bool(self.totals["debit"] == self.totals["credit"])


# Per currency (a posting's own; the base when it names none), per account and day: [debits,
# credits] in the postings' own amounts, of every entry ("all") and of those that are not year-end
# closing entries ("open"): what the reports in one currency add up.
CurrencyDays = dict  # {"all" | "open": {currency: {account: {day ordinal: [Decimal, Decimal]}}}}


def add_currency_days(totals: CurrencyDays, postings: Iterable[tuple[str, str, int, Decimal, bool]]
                      ) -> CurrencyDays:
    """`totals` with (currency, account, day ordinal, own amount, closing) postings added."""
    every = totals.setdefault("all", {})
    opened = totals.setdefault("open", {})
    for currency, account, day, amount, closing in postings:
        for into in (every,) if closing else (every, opened):
            cell = into.setdefault(currency, {}).setdefault(account, {}).get(day)
            if cell is None:
                cell = into[currency][account][day] = [ZERO, ZERO]
            if amount >= 0:
                cell[0] += amount
            else:
                cell[1] -= amount
    return totals


def currency_day_totals(book: Book) -> CurrencyDays:
    """The CurrencyDays of the journal: computed from the entries once per load, unless the book
    reader supplied them (cli/app/ledgerdays.py serves them from sums kept per journal folder)."""
    totals = book.derived.get("ledger.currency-days")
    if totals is None:
        from .periods import is_closing

        base = book.base
        totals = book.derived["ledger.currency-days"] = add_currency_days({}, (
            (p.currency or base, p.account, entry.date.toordinal(), p.amount, closing)
            for entry in book.entries.values() for closing in (is_closing(entry),) for p in entry.postings))
    return totals


def currency_moves(book: Book, currency: str, start: dt.date | None, end: dt.date | None, closing: bool = True
                   ) -> dict[str, tuple[Decimal, Decimal]]:
    """Per account with a posting in `currency` from `start` to `end` (closing entries left out
    with closing=False): its debits and credits in that currency's own amounts."""
    lo = start.toordinal() if start is not None else None
    hi = end.toordinal() if end is not None else None
    out: dict[str, tuple[Decimal, Decimal]] = {}
    for account, days in currency_day_totals(book)["all" if closing else "open"].get(currency, {}).items():
        dr = cr = ZERO
        found = False
        for day, (d, c) in days.items():
            if (lo is None or day >= lo) and (hi is None or day <= hi):
                dr += d
                cr += c
                found = True
        if found:
            out[account] = (dr, cr)
    return out


def trial_balance(book: Book, start: dt.date | None = None, end: dt.date | None = None,
                  depth: int | None = None, currency: str | None = None) -> TrialBalance:
    """Opening, debits, credits, closing per account: in the base currency, or with `currency`
    only the postings in that currency, in their own amounts."""
    opening: dict[str, Decimal] = {}
    if currency:
        if start is not None:
            before = start - dt.timedelta(days=1)
            opening = {a: dr - cr for a, (dr, cr) in currency_moves(book, currency, None, before).items()}
        moves = currency_moves(book, currency, start, end)
    else:
        opening, moves = _day_range(book, start, end)
    return balance_rows(book.accounts, opening, moves, depth, _places(currency or book.base),
                        f"{currency} amounts only" if currency else book.base)


def balance_rows(accounts: dict[str, Account], opening: dict[str, Decimal],
                 moves: dict[str, tuple[Decimal, Decimal]], depth: int | None, places: int,
                 shown_in: str) -> TrialBalance:
    """The trial balance's rows from each account's opening balance and movements. Apart from
    trial_balance, the report served from a snapshot (cli/app/ledgersnap.py) builds it, with
    accounts that only have a name, type and parent, so both print the same rows."""
    rows: dict[str, dict] = {}
    for code in sorted(opening.keys() | moves.keys()):
        shown = roll_up(accounts, code, depth)
        row = rows.setdefault(shown, {"account": shown, "name": accounts[shown].name if shown in accounts else "?",
                                      "type": accounts[shown].type if shown in accounts else "?",
                                      "opening": ZERO, "debit": ZERO, "credit": ZERO, "closing": ZERO})
        dr, cr = moves.get(code, (ZERO, ZERO))
        row["opening"] += opening.get(code, ZERO)
        row["debit"] += dr
        row["credit"] += cr
        row["closing"] += opening.get(code, ZERO) + dr - cr
    out = [r for r in (rows[k] for k in sorted(rows)) if any(r[c] for c in ("opening", "debit", "credit", "closing"))]
    totals = {"account": "Total", "opening": sum((r["opening"] for r in out), ZERO),
              "debit": sum((r["debit"] for r in out), ZERO), "credit": sum((r["credit"] for r in out), ZERO),
              "closing": sum((r["closing"] for r in out), ZERO)}
    return TrialBalance(out, totals, places, shown_in)


def signed(account: Account | None, amount: Decimal) -> Decimal:
    """The balance with the sign a reader expects for the account's type."""
    from comptoir.schemas.accounting import NORMAL_SIGN

    return amount * NORMAL_SIGN[account.type] if account else amount


def account_rows(book: Book) -> list[dict[str, Any]]:
    """The chart of accounts by code."""
    return [{"code": a.code, "name": a.name, "type": a.type, "parent": a.parent or "",
             "role": a.role or "", "currency": a.currency or "", "active": a.active}
            for a in sorted(book.accounts.values(), key=lambda a: a.code)]


def journal_rows(book: Book, start: dt.date | None = None, end: dt.date | None = None,
                 account: str | None = None, text_filter: str | None = None) -> list[dict[str, Any]] | Rows:
    """One row per entry in the range (touching `account`, matching `text_filter` in its memo
    or reference): id, date, memo, reference, number of postings, base-currency amount."""
    postings = rows_between(book, start, end)
    needle = text_filter.lower() if text_filter else None

    def make() -> Iterator[dict[str, Any]]:
        last = None
        # in date and id order, an entry's postings together: an entry is shown at its first posting
        # to `account` (what it shows is the entry's, the same at each of its postings)
        for r in postings:
            if r.id == last or (account and not r.account.startswith(account)):
                continue
            last = r.id
            if needle and needle not in (r.entry_memo + " " + (r.reference or "")).lower():
                continue
            yield {"id": r.id, "date": r.date, "memo": r.entry_memo,
                   "reference": r.reference or "", "postings": r.postings, "amount": r.total}

    if not streamed(postings):
        return list(make())
    from .table import Rows

    return Rows(make)


def entry_lines(book: Book, entry: JournalEntry) -> list[dict[str, Any]]:
    """An entry's postings with their account's name and base-currency debit or credit."""
    accounts = book.accounts
    return [{"account": p.account, "name": accounts[p.account].name if p.account in accounts else "?",
             "debit": value if value > 0 else None, "credit": -value if value < 0 else None,
             "currency": p.currency or book.base, "amount": p.amount,
             "partner": p.partner or "", "memo": p.memo or ""}
            for p, value in zip(entry.postings, entry_values(book, entry), strict=True)]


def reversed_by(book: Book, entry: JournalEntry) -> list[str]:
    return sorted(e.id for e in book.entries.values() if e.reverses == entry.id)


class PostingRow(NamedTuple):
    """One posting with what every posting-level report shows of it and of its entry: the unit
    the general ledger, the register and the journal are made of, whether they come from the
    entries or from rows kept per journal folder (cli/app/ledgerdays.py)."""

    date: dt.date
    id: str  # the entry's
    line: int  # the posting's place in its entry
    account: str
    value: Decimal | None  # in the base currency (None: not converted, for a one-currency view)
    amount: Decimal
    currency: str | None
    partner: str | None
    memo: str | None  # the posting's own memo
    entry_memo: str
    reference: str | None
    postings: int  # postings in the entry
    total: Decimal | None  # the entry's base-currency debits
    reverses: str | None
    revalued: bool = False  # an exchange difference (the posting has a `value:`)
    closing: bool = False  # the entry is a year-end closing entry


def posting_rows(book: Book, entries: Iterable[JournalEntry], convert: bool = True) -> list[PostingRow]:
    """The postings of `entries`, in date, entry id and posting order. `convert`: with their
    base-currency values (raising, as the reports do, for a posting no rate converts)."""
    from .periods import is_closing

    out = []
    for entry in sorted(entries, key=lambda e: (e.date, e.id)):
        postings = entry.postings
        values: list[Decimal | None] = list(entry_values(book, entry)) if convert else [None] * len(postings)
        total = sum((v for v in values if v is not None and v > 0), ZERO) if convert else None
        for i, p in enumerate(postings):
            out.append(PostingRow(entry.date, entry.id, i, p.account, values[i], p.amount, p.currency, p.partner,
                                  p.memo, entry.memo, entry.reference, len(postings), total, entry.reverses,
                                  p.value is not None, is_closing(entry)))
    return out


def rows_between(book: Book, start: dt.date | None, end: dt.date | None,
                 convert: bool = True) -> list[PostingRow] | Iterable[PostingRow]:
    """The postings dated from `start` to `end`: from the rows the book reader supplied
    (`ledger.rows`: those of the accounts or months the command asked for), else from the entries.
    A list, or, when the reader serves them folder by folder (cli/app/ledgerdays.ServedRows), rows
    made again each time they are iterated (see `streamed`)."""
    given = book.derived.get("ledger.rows")
    if given is not None:
        if not isinstance(given, list):
            return given.between(start, end)
        return [r for r in given if (start is None or r.date >= start) and (end is None or r.date <= end)]
    return posting_rows(book, entries_between(book, start, end), convert)


HOLD_ROWS = 100_000  # posting rows a report may hold at once (~600 bytes each) rather than make twice


def few(rows: object) -> bool:
    """Whether rows made as they are read (`streamed`) are few enough to hold at once: their
    reader says how many they are at most (`size`), and that is at most HOLD_ROWS."""
    size = getattr(rows, "size", None)
    return size is not None and size <= HOLD_ROWS


def streamed(rows: object) -> bool:
    """Whether `rows` (from rows_between) are made as they are read rather than held: a report
    then gives its own rows the same way (comptoir.domain.table.Rows)."""
    return not isinstance(rows, list)


def reversals(book: Book) -> dict[str, str]:
    """reversed entry id -> the id of the entry reversing it."""
    given = book.derived.get("ledger.reversals")
    if given is not None:
        return given
    return {e.reverses: e.id for e in book.entries.values() if e.reverses}


def closing_day_totals(book: Book) -> dict[str, dict[int, list[Decimal]]]:
    """day_totals of the year-end closing entries only (the income statement leaves them out)."""
    totals = book.derived.get("ledger.days.closing")
    if totals is None:
        from .periods import is_closing

        totals = book.derived["ledger.days.closing"] = add_day_totals(
            {}, book, [e for e in book.entries.values() if is_closing(e)])
    return totals


def net_by_account(book: Book, start: dt.date | None, end: dt.date | None,
                   closing: bool = True) -> dict[str, Decimal]:
    """Per account, debits less credits in the base currency from `start` to `end` (closing
    entries left out with closing=False), from the day totals. Raises, like the entries would,
    when an entry in the range has a posting no rate converts."""
    lo = start.toordinal() if start is not None else None
    hi = end.toordinal() if end is not None else None
    out: dict[str, Decimal] = {}
    sources = [(day_totals(book), 1)] + ([] if closing else [(closing_day_totals(book), -1)])
    for totals, sign in sources:
        for code, days in totals.items():
            if code == UNCONVERTIBLE:
                for day in sorted(days):
                    if (lo is None or day >= lo) and (hi is None or day <= hi):
                        raise cast(ComptoirError, days[day])
                continue
            net = out.get(code, ZERO)
            for day, (dr, cr) in days.items():
                if (lo is None or day >= lo) and (hi is None or day <= hi):
                    net += (dr - cr) if sign > 0 else (cr - dr)
            out[code] = net
    return out


def last_entry_day(book: Book) -> dt.date | None:
    """The date of the last entry (from the day totals: every entry has postings)."""
    days = [max(d) for d in day_totals(book).values() if d]
    return dt.date.fromordinal(max(days)) if days else None


class NotInOrder(Exception):
    """A part of the journal holds a day no later than one of an earlier part's (in_order)."""


def in_order(parts: Iterable[Iterable[JournalEntry]]) -> Iterator[list[JournalEntry]]:
    """Each part's entries (as given: path order), checking that every entry of a part is dated
    after every entry of the parts before (else NotInOrder): then the parts' entries sorted by date
    and id follow one another, and no day spans two parts. One part (the whole journal) always is."""
    last: dt.date | None = None
    for part in parts:
        entries = list(part)
        latest = last
        for entry in entries:
            if last is not None and entry.date <= last:
                raise NotInOrder(entry.id)
            if latest is None or entry.date > latest:
                latest = entry.date
        last = latest
        yield entries
