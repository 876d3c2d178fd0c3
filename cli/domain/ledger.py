"""General ledger: posting values in the base currency, balances, the trial balance."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_EVEN, Decimal

from schemas.accounting import NORMAL_SIGN, Account, JournalEntry, Posting
from schemas.types import currency_places

from .book import Book
from .table import Column, Table, money, text

ZERO = Decimal(0)


def quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def round_to(value: Decimal, places: int) -> Decimal:
    return value.quantize(quantum(places), rounding=ROUND_HALF_EVEN)


def base_value(book: Book, posting: Posting, day: dt.date) -> Decimal:
    """The posting's amount in the base currency, at the posting's own rate when it has one."""
    cur = posting.currency
    if cur is None or cur == book.base:
        return posting.amount
    rate = posting.rate if posting.rate is not None else rate_on(book, cur, day)
    if rate is None:
        raise KeyError(cur)
    return round_to(posting.amount * rate, currency_places(book.base))


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
    base = book.base
    out: dict[str, Decimal] = {}
    get = out.get
    for entry in entries:
        for p in entry.postings:
            cur = p.currency
            value = p.amount if cur is None or cur == base else base_value(book, p, entry.date)
            out[p.account] = get(p.account, ZERO) + value
    return out


def debit_credit(book: Book, entries: Iterable[JournalEntry]) -> dict[str, tuple[Decimal, Decimal]]:
    base = book.base
    debits: dict[str, Decimal] = {}
    credits: dict[str, Decimal] = {}
    for entry in entries:
        for p in entry.postings:
            cur = p.currency
            value = p.amount if cur is None or cur == base else base_value(book, p, entry.date)
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


def trial_balance(book: Book, start: dt.date | None = None, end: dt.date | None = None,
                  depth: int | None = None) -> Table:
    places = currency_places(book.base)
    accounts = book.accounts
    opening: dict[str, Decimal] = {}
    if start is not None:
        before = start - dt.timedelta(days=1)
        opening = balances(book, entries_between(book, None, before))
    moves = debit_credit(book, entries_between(book, start, end))
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
    cols = [text("account", "Account"), text("name", "Name"), text("type", "Type"),
            money("opening", "Opening", places), money("debit", "Debit", places),
            money("credit", "Credit", places), money("closing", "Closing", places)]
    table = Table("trial-balance", cols, out, totals, title=f"Trial balance ({book.base})")
    table.meta["balanced"] = totals["debit"] == totals["credit"]
    return table


def signed(account: Account | None, amount: Decimal) -> Decimal:
    """The balance with the sign a reader expects for the account's type."""
    return amount * NORMAL_SIGN[account.type] if account else amount


def accounts_table(book: Book) -> Table:
    cols = [text("code", "Code"), text("name", "Name"), text("type", "Type"), text("parent", "Parent"),
            text("role", "Role"), text("currency", "Currency"), Column("active", "Active", "bool")]
    rows = [{"code": a.code, "name": a.name, "type": a.type, "parent": a.parent or "",
             "role": a.role or "", "currency": a.currency or "", "active": a.active}
            for a in sorted(book.accounts.values(), key=lambda a: a.code)]
    return Table("accounts", cols, rows, title="Chart of accounts")


def journal_table(book: Book, start: dt.date | None = None, end: dt.date | None = None,
                  account: str | None = None, text_filter: str | None = None) -> Table:
    places = currency_places(book.base)
    rows = []
    for entry in sorted(entries_between(book, start, end), key=lambda e: (e.date, e.id)):
        if account and not any(p.account.startswith(account) for p in entry.postings):
            continue
        if text_filter and text_filter.lower() not in (entry.memo + " " + (entry.reference or "")).lower():
            continue
        values = (base_value(book, p, entry.date) for p in entry.postings)
        total = sum((v for v in values if v > 0), ZERO)
        rows.append({"id": entry.id, "date": entry.date, "memo": entry.memo,
                     "reference": entry.reference or "", "postings": len(entry.postings), "amount": total})
    cols = [text("id", "Id"), Column("date", "Date", "date"), text("memo", "Memo"),
            text("reference", "Reference"), Column("postings", "Postings", "int"),
            money("amount", "Amount", places)]
    return Table("journal", cols, rows, title="Journal entries")


def entry_table(book: Book, entry: JournalEntry) -> Table:
    places = currency_places(book.base)
    accounts = book.accounts
    rows = []
    for p in entry.postings:
        value = base_value(book, p, entry.date)
        rows.append({"account": p.account, "name": accounts[p.account].name if p.account in accounts else "?",
                     "debit": value if value > 0 else None, "credit": -value if value < 0 else None,
                     "currency": p.currency or book.base, "amount": p.amount,
                     "partner": p.partner or "", "memo": p.memo or ""})
    cols = [text("account", "Account"), text("name", "Name"), money("debit", "Debit", places),
            money("credit", "Credit", places), text("currency", "Cur"),
            Column("amount", "Amount", "money", places), text("partner", "Partner"), text("memo", "Memo")]
    reversed_by = [e.id for e in book.entries.values() if e.reverses == entry.id]
    notes = [f"{entry.id}  {entry.date}  {entry.memo}"]
    if entry.reference:
        notes.append(f"reference: {entry.reference}")
    if entry.reverses:
        notes.append(f"reverses: {entry.reverses}")
    if reversed_by:
        notes.append(f"reversed by: {', '.join(sorted(reversed_by))}")
    t = Table("entry", cols, rows, title=f"Journal entry {entry.id}", notes=notes)
    t.meta.update({"id": entry.id, "date": entry.date.isoformat(), "memo": entry.memo,
                   "reference": entry.reference, "reverses": entry.reverses,
                   "reversed_by": sorted(reversed_by)})
    return t
