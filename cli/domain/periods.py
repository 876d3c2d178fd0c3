"""Periods: the lock date (close, reopen), the year-end close, and balance assertions.

The lock date in comptoir.yaml closes every day up to and including it: nothing posted,
reversed or otherwise dated on or before it may be added. `period close` moves it forward
after checking the period; `period reopen --force` moves it back in a commit of its own.
A balance assertion on an entry states an account's balance at the end of the entry's date.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Iterable
from decimal import Decimal

from comptoir.errors import ComptoirError, Problem, fail
from comptoir.model import Book, LockRevision
from comptoir.schemas.accounting import JournalEntry
from comptoir.schemas.registry import Kind, all_kinds, kind_for_path
from comptoir.schemas.types import currency_places

from .ids import id_prefix, new_id
from .ledger import ZERO, balances, entries_between, round_to
from .validation import (
    ENTRIES,
    NotStreamable,
    StreamedRule,
    assertion_currency,
    check,
    errors,
    keeping,
    rule,
)

CLOSING_TAG = "closing"

# Dated kinds the lock date guards besides posted records: a rate dated inside a closed
# period would change how that period's foreign-currency entries convert.
LOCK_GUARDED_EXTRA = frozenset({"rate"})


def lock_guarded(kind: Kind) -> bool:
    return kind.date_field is not None and (kind.posted or kind.name in LOCK_GUARDED_EXTRA)


def locked(book: Book, day: dt.date, what: str) -> Problem | None:
    """The refusal for adding `what`, dated `day`, to a closed period (None when the period is open)."""
    lock = book.settings.lock_date
    if lock is None or day > lock:
        return None
    return Problem(book.settings_path, 0, "period-locked",
                   f"{what} is dated {day}, on or before the lock date {lock}",
                   f"date it after {lock}, in the open period; to change the closed period, "
                   f"reopen it first with `comptoir period reopen DATE --force`", loc=("lock_date",))


def is_closing(entry: JournalEntry) -> bool:
    return CLOSING_TAG in entry.tags


# closing and reopening -------------------------------------------------------------------
def check_close(book: Book, day: dt.date, today: dt.date, uncommitted: set[str]) -> bool:
    """Raise unless the books may be locked through `day`; False when they already are."""
    lock = book.settings.lock_date
    if day > today:
        raise fail("period-not-ended", f"{day} is after today ({today}): that period has not ended",
                   "close a period once it is over, after posting everything that belongs in it")
    if lock is not None and day < lock:
        raise fail("lock-backwards", f"the books are locked through {lock}; closing {day} would move the lock back",
                   f"to reopen the period after {day}, run `comptoir period reopen {day} --force`")
    if lock == day:
        return False
    problems = period_problems(book, day, uncommitted)
    if problems:
        problems.append(Problem("", 0, "period-invalid",
                                f"the period up to {day} has {len(problems)} problem(s); nothing was closed",
                                "fix them (`comptoir validate` lists every one) and run the command again"))
        raise ComptoirError(problems)
    return True


def period_problems(book: Book, day: dt.date, uncommitted: set[str]) -> list[Problem]:
    """Errors that must not be sealed inside a closed period: in the settings, the chart of
    accounts, unreadable financial files, and guarded records dated on or before `day`
    (including failed balance assertions, and records not committed yet)."""
    by_path: dict[str, tuple[str, str]] = {src.path: key for key, src in book.sources.items()}
    kinds = {k.name: k for k in all_kinds()}
    prefix = book.root_prefix

    def in_period(kind: Kind, ident: str) -> bool:
        record = book.of(kind.name).get(ident)
        return record is not None and getattr(record, kind.date_field) <= day  # type: ignore[arg-type]

    out = []
    for p in errors(check(book)):
        key = by_path.get(p.file)
        if p.file == book.settings_path:
            out.append(p)
        elif key is None:
            kind = kind_for_path(p.file[len(prefix):]) if p.file.startswith(prefix) else None
            if kind is not None and (kind.name == "account" or lock_guarded(kind)):
                out.append(p)  # a file that did not load: its date is unknown, so it blocks
        elif key[0] == "account" or (lock_guarded(kinds[key[0]]) and in_period(kinds[key[0]], key[1])):
            out.append(p)
    for kind in all_kinds():
        if not lock_guarded(kind):
            continue
        for ident in sorted(book.of(kind.name)):
            src = book.source(kind.name, ident)
            if src in uncommitted and in_period(kind, ident):
                out.append(Problem(src, 1, "uncommitted",
                                   f"{kind.label} {ident} is dated on or before {day} but is not committed",
                                   "commit it (or remove it) first: the closing commit must hold every record "
                                   "of the period"))
    return out


def check_reopen(book: Book, day: dt.date, force: bool) -> dt.date:
    """Raise unless the lock may move back to `day`; returns the current lock date."""
    lock = book.settings.lock_date
    if lock is None:
        raise fail("not-locked", "the books have no lock date: there is nothing to reopen",
                   "`comptoir period close DATE` sets one")
    if day >= lock:
        raise fail("reopen-forward", f"{day} is not before the lock date {lock}; reopening moves the lock back",
                   f"to lock through {day}, run `comptoir period close {day}`")
    if not force:
        raise fail("reopen-needs-force",
                   f"reopening moves the lock date back from {lock} to {day}, unlocking {day + dt.timedelta(days=1)} "
                   f"to {lock}",
                   "run it again with --force (and --reason); its commit records who reopened the period, and when")
    return lock


def reopened_closings(book: Book, day: dt.date, rng: random.Random) -> list[JournalEntry]:
    """Reopening to `day` undoes the year-end closes it unlocks: each closing entry dated after
    `day` and not reversed yet is reversed on its own date, inside its year, so the year's result
    returns to its income and expense accounts until the year is closed again."""
    out: list[JournalEntry] = []
    taken = set(book.entries)
    for entry in sorted(book.entries.values(), key=lambda e: (e.date, e.id)):
        if not is_closing(entry) or entry.reverses or entry.date <= day or _reversed(book, entry.id):
            continue
        data = entry.model_dump()
        ident = new_id(id_prefix(book, "journal"), entry.date, taken, rng)
        taken.add(ident)
        data.update(id=ident, memo=f"Reopen: reversal of {entry.id} ({entry.memo})", reverses=entry.id,
                    source="period reopen", tags=[], assertions=[])
        data["postings"] = [dict(p, amount=-p["amount"]) for p in data["postings"]]
        out.append(JournalEntry.model_validate(data))
    return out


def closing_entry(book: Book, year: int, today: dt.date, rng: random.Random) -> tuple[JournalEntry | None, dt.date]:
    """The entry that brings every income and expense account to zero against retained earnings
    on the last day of fiscal year `year` (None when they already are), and that day."""
    settings = book.settings
    start, end = settings.fiscal_year_bounds(year)
    if end > today:
        raise fail("period-not-ended", f"fiscal year {year} ends on {end}, after today ({today})",
                   "close a year once it is over")
    for entry in book.entries.values():
        if is_closing(entry) and entry.date == end and not _reversed(book, entry.id):
            raise fail("year-closed", f"fiscal year {year} is already closed by {entry.id}",
                       f"to close it again, reopen the period and reverse {entry.id} first",
                       file=book.source("journal", entry.id), line=1)
    lock = settings.lock_date
    if lock is not None and lock >= end:
        raise fail("period-locked", f"fiscal year {year} ends on {end}, on or before the lock date {lock}",
                   f"close the year before locking its last day; to do it now, run "
                   f"`comptoir period reopen {end - dt.timedelta(days=1)} --force` first")
    retained = settings.accounts.retained_earnings
    acct = book.accounts.get(retained)
    if acct is None or acct.type != "equity":
        raise fail("retained-earnings", f"the retained earnings account {retained} "
                   + ("does not exist" if acct is None else f"is of type {acct.type}, not equity"),
                   "name an equity account in comptoir.yaml under accounts: retained_earnings:",
                   file=book.settings_path, line=1)
    accounts = book.accounts
    totals = balances(book, entries_between(book, None, end))
    lines = [(code, amount) for code, amount in sorted(totals.items())
             if amount and code in accounts and accounts[code].type in ("income", "expense")]
    if not lines:
        return None, end
    result = sum((a for _, a in lines), ZERO)
    postings = [{"account": code, "amount": -amount} for code, amount in lines]
    if result:
        postings.append({"account": retained, "amount": result,
                         "memo": f"{'Profit' if result < 0 else 'Loss'} of fiscal year {year}"})
    entry = JournalEntry.model_validate({
        "id": new_id(id_prefix(book, "journal"), end, book.entries, rng), "date": end,
        "memo": f"Year-end close {year}: income and expenses to retained earnings",
        "source": f"period close-year {year}", "tags": [CLOSING_TAG], "postings": postings})
    return entry, end


def _reversed(book: Book, ident: str) -> bool:
    return any(e.reverses == ident for e in book.entries.values())


# rules ---------------------------------------------------------------------------------
_GUARDED = tuple(k.name for k in all_kinds() if lock_guarded(k))


@rule(reads=_GUARDED, per=_GUARDED, stream=ENTRIES)
def records_after_lock(book: Book) -> list[Problem]:
    """Records dated on or before the lock date that were not in the commit that set it."""
    lock = book.settings.lock_date
    if lock is None or book.lock_revision is None:
        return []
    snapshot = book.lock_revision()
    if not isinstance(snapshot, LockRevision) or snapshot.lock_date != lock:
        return []  # the lock is being set by this very change: everything here is in it
    out = []
    for kind in all_kinds():
        if not lock_guarded(kind):
            continue
        for ident, record in book.of(kind.name).items():
            day = getattr(record, kind.date_field)  # type: ignore[arg-type]
            src = book.source(kind.name, ident)
            if day <= lock and src not in snapshot.paths:
                out.append(Problem(src, 0, "locked-period",
                                   f"{kind.label} {ident} is dated {day}, on or before the lock date {lock}, "
                                   f"but was not in the books when the period was locked "
                                   f"(commit {snapshot.commit[:10]})",
                                   f"date it after {lock}, in the open period; or, to keep it, reopen the "
                                   f"period to before {day} with `comptoir period reopen DATE --force`",
                                   loc=(kind.date_field,)))
    return out


def _reversing(book: Book, entry: JournalEntry) -> bool:
    return bool(entry.reverses)


@rule(reads=("journal",), per=("journal",), stream=keeping(_reversing))  # a reversal and the entry it names
def closing_reversals(book: Book) -> list[Problem]:
    """A year-end closing entry is undone only inside its own fiscal year (what `period reopen`
    writes): a reversal dated in a later year would leave that year's result in the new year's
    income and expense accounts."""
    out = []
    fy = book.settings.fiscal_year_of
    for ident, entry in book.entries.items():
        target = book.entries.get(entry.reverses) if entry.reverses else None
        if target is not None and is_closing(target) and fy(entry.date) != fy(target.date):
            out.append(Problem(book.source("journal", ident), 0, "closing-reversed-late",
                               f"{ident} reverses the closing entry {target.id} of fiscal year {fy(target.date)} "
                               f"on {entry.date}, in fiscal year {fy(entry.date)}",
                               f"remove it; to undo the close, run `comptoir period reopen DATE --force` with a "
                               f"DATE before {target.date}", loc=("reverses",)))
    return out


def _assertions_delta(book: Book, change, facts: dict) -> list[Problem] | None:
    """Added entries can only upset assertions dated on or after them on the accounts they post to
    (known from `facts` without reading the journal), and their own assertions need the balance on
    their day: from the posting rows of the asserted accounts kept per journal folder
    (`ledger.rows.before`, given by the writer on a book known free of errors), plus the added
    entries. None (the full check) when an assertion already there may be upset, or no rows are given."""
    asserted = facts.get("asserted", {})
    kinds = change.kinds & {"account", "journal"}
    if kinds == {"account"}:  # a new account matters only if an assertion already names it
        named = {key.split("\0")[0] for key in asserted}
        return None if any(code in named for code in change.added.get("account", {})) else []
    if kinds != {"journal"}:
        return None
    base = book.base
    added = change.new("journal")
    claims: list[tuple[JournalEntry, int, str, str, Decimal]] = []
    for entry in added:
        day = entry.date.isoformat()
        for p in entry.postings:
            if asserted.get(f"{p.account}\0{p.currency or base}", "") >= day:
                return None
        claims.extend((entry, i, a.account, assertion_currency(book, a), a.balance)
                      for i, a in enumerate(entry.assertions))
    if not claims:
        return []
    rows_before = book.derived.get("ledger.rows.before")
    rows = rows_before({account for _, _, account, _, _ in claims}) if rows_before is not None else None
    if rows is None:
        return None
    postings = [(r.date, r.account, r.currency or base, r.amount) for r in rows]
    postings += [(e.date, p.account, p.currency or base, p.amount) for e in added for p in e.postings]
    return _failed_assertions(book, claims, postings)


# Below this sum of every posting's size, no running balance of any account can need more than
# Decimal's 28 digits (amounts have at most 10 places): sums by day then add up exactly as the
# postings one by one do, in any order.
EXACT_SUMS = Decimal(10) ** 18


class _AssertionsStreamed(StreamedRule):
    """balance_assertions over a streamed journal: the assertions' entries are kept, and per
    account and currency the sum of each day's postings."""

    def __init__(self, book: Book) -> None:
        super().__init__(book)
        self.claims: list[tuple[JournalEntry, int, str, str, Decimal]] = []
        self.days: dict[tuple[str, str], dict[dt.date, Decimal]] = {}
        self.size = ZERO

    def keep(self, book: Book, entry: JournalEntry) -> bool:
        return bool(entry.assertions)

    def entries(self, folder: Book) -> None:
        base = folder.base
        days = self.days
        size = self.size
        self.claims.extend(_claims(folder))
        for entry in folder.entries.values():
            day = entry.date
            for p in entry.postings:
                key = (p.account, p.currency or base)
                series = days.get(key)
                if series is None:
                    series = days[key] = {}
                series[day] = series.get(day, ZERO) + p.amount
                size += abs(p.amount)
        self.size = size

    def problems(self, book: Book) -> list[Problem]:
        if not self.claims:
            return []
        if self.size >= EXACT_SUMS:
            raise NotStreamable("sums this large may round: check the whole journal")
        asked = {(account, cur) for _, _, account, cur, _ in self.claims}
        return _failed_assertions(book, self.claims, ((day, account, cur, amount) for account, cur in asked
                                                      for day, amount in self.days.get((account, cur), {}).items()))


def _claims(book: Book) -> list[tuple[JournalEntry, int, str, str, Decimal]]:
    return [(entry, i, a.account, assertion_currency(book, a), a.balance)
            for entry in book.entries.values() for i, a in enumerate(entry.assertions)]


@rule(reads=("account", "journal"), delta=lambda book, change, facts: _assertions_delta(book, change, facts),
      stream=_AssertionsStreamed)
def balance_assertions(book: Book) -> list[Problem]:
    """Each assertion: the account's balance in one currency at the end of the entry's date."""
    claims = _claims(book)
    if not claims:
        return []
    base = book.base
    return _failed_assertions(book, claims, ((e.date, p.account, p.currency or base, p.amount)
                                             for e in book.entries.values() for p in e.postings))


def _failed_assertions(book: Book, claims: list[tuple[JournalEntry, int, str, str, Decimal]],
                       postings: Iterable[tuple[dt.date, str, str, Decimal]]) -> list[Problem]:
    """The assertions (entry, index, account, currency, balance) that `postings` (date, account,
    currency, amount: every posting of the book on those accounts, or more) do not bear out."""
    accounts = book.accounts
    series: dict[tuple[str, str], list[tuple[dt.date, Decimal]]] = {
        (account, cur): [] for _, _, account, cur, _ in claims}
    for day, account, cur, amount in postings:
        items = series.get((account, cur))
        if items is not None:
            items.append((day, amount))
    running: dict[tuple[str, str], tuple[list[dt.date], list[Decimal]]] = {}
    for key, items in series.items():
        items.sort(key=lambda t: t[0])
        days, sums, total = [], [], ZERO
        for day, amount in items:
            total += amount
            days.append(day)
            sums.append(total)
        running[key] = (days, sums)
    out = []
    for entry, i, account, cur, expected in claims:
        days, sums = running[(account, cur)]
        n = bisect.bisect_right(days, entry.date)
        actual = sums[n - 1] if n else ZERO
        if actual == expected:
            continue
        places = currency_places(cur)
        shown = [f"{round_to(v, places):,}" for v in (actual, expected, actual - expected)]
        where = "" if account in accounts else " (no such account)"
        out.append(Problem(book.source("journal", entry.id), 0, "assertion-failed",
                           f"{entry.id}: {account}{where} balance at the end of {entry.date} is {shown[0]} {cur}, "
                           f"asserted {shown[1]} {cur} (difference {shown[2]})",
                           f"find the missing or wrong posting with `comptoir report ledger {account} "
                           f"--to {entry.date}`, or correct the asserted balance",
                           loc=("assertions", i, "balance")))
    return out


# What this module adds to its family (comptoir.families collects these lists).
RULES = [records_after_lock, balance_assertions, closing_reversals]
