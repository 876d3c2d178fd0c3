"""Building journal entries from user input: auto-balancing, batches, reversals."""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass
from decimal import Decimal

from pydantic import ValidationError

from comptoir.errors import ComptoirError, Problem, fail
from comptoir.model import Book
from comptoir.schemas.accounting import JournalEntry
from comptoir.schemas.types import to_decimal

from .ids import Taken, id_prefix, new_id
from .ledger import rate_on

_AMOUNT = re.compile(r"^(?P<amount>[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+))\s*(?P<cur>[A-Z]{3})?"
                     r"(@(?P<rate>[0-9]+(\.[0-9]+)?))?$")
_AMOUNT_PARTS = re.compile(r"^(?P<amount>.*?)\s*(?P<cur>[A-Za-z]{2,})?(@(?P<rate>.*))?$")


@dataclass
class PostingInput:
    account: str
    amount: Decimal | None = None
    currency: str | None = None
    rate: Decimal | None = None


def parse_amount(text: str) -> tuple[Decimal, str | None, Decimal | None]:
    """`-120.00`, `120.00USD`, `120.00 USD@0.92` -> (amount, currency, rate)."""
    hint = "write digits with an optional sign and point, optionally a currency and @rate: -120.50, 99.00USD@0.92"
    m = _AMOUNT.match(text.strip())
    if not m:
        raise fail("invalid-amount", _amount_problem(text), hint)
    try:
        rate = to_decimal(m["rate"]) if m["rate"] else None
        return to_decimal(m["amount"]), m["cur"], rate
    except ValueError as exc:
        raise fail("invalid-amount", f"{text!r}: {exc}", hint) from None


def _amount_problem(text: str) -> str:
    """What is wrong with an amount given on the command line, in the user's terms."""
    from comptoir.schemas.types import decimal_text_problem

    parts = _AMOUNT_PARTS.match(text.strip())
    number, cur = (parts["amount"], parts["cur"]) if parts else (text, None)
    if cur and not re.fullmatch(r"[A-Z]{3}", cur) and _AMOUNT.match(number.strip() or "x"):
        return f"{text!r}: {cur!r} is not a currency; a currency is a three-letter ISO code like EUR or USD"
    if parts and parts["rate"] is not None and _AMOUNT.match(number.strip() + (cur or "")):
        return f"{text!r}: the rate {parts['rate']!r} is not a positive decimal number"
    return decimal_text_problem(number if number.strip() else text)


def looks_like_amount(text: str) -> bool:
    """Whether the token after a posting's account is meant as its amount: anything but an
    option (an amount that is wrong, like `12,50`, is then refused in words, not left over)."""
    stripped = text.strip()
    if _AMOUNT.match(stripped):
        return True
    return bool(stripped) and not (stripped.startswith("-") and len(stripped) > 1
                                   and not stripped[1].isdigit() and stripped[1] != ".")


def build_entry(book: Book, day: dt.date, memo: str, postings: list[PostingInput], rng: random.Random,
                reference: str | None = None, ident: str | None = None) -> JournalEntry:
    """A balanced entry; at most one posting may leave its amount blank to take the balance."""
    blanks = [p for p in postings if p.amount is None]
    if len(blanks) > 1:
        raise fail("ambiguous-balance", "more than one posting has no amount",
                   "give every posting an amount except one, which then takes the balance")
    if blanks:
        currencies = {p.currency or book.base for p in postings if p.amount is not None}
        if len(currencies) != 1:
            raise fail("ambiguous-balance", "the blank posting cannot take the balance of a mixed-currency entry",
                       "give every posting an amount")
        blank = blanks[0]
        blank.amount = -sum((p.amount for p in postings if p.amount is not None), Decimal(0))
        blank.currency = blank.currency or next(iter(currencies))
        if blank.currency == book.base:
            blank.currency = None
    ident = ident or new_id(id_prefix(book, "journal"), day, book.entries, rng)
    data = {"id": ident, "date": day, "memo": memo, "reference": reference,
            "postings": [{"account": p.account, "amount": p.amount,
                          "currency": None if p.currency in (None, book.base) else p.currency,
                          "rate": p.rate} for p in postings]}
    return _validated(data, "", ())


def with_assertions(entry: JournalEntry, items: list[tuple[str, Decimal, str | None]]) -> JournalEntry:
    """The entry with balance assertions (account, balance, currency) added."""
    data = entry.model_dump()
    data["assertions"] = [*data["assertions"],
                          *({"account": a, "balance": b, "currency": c} for a, b, c in items)]
    return _validated(data, "", ())


def _validated(data: dict, display: str, loc: tuple) -> JournalEntry:
    clean = {k: v for k, v in data.items() if v is not None}
    if isinstance(clean.get("postings"), list):
        clean["postings"] = [{k: v for k, v in p.items() if v is not None} if isinstance(p, dict) else p
                             for p in clean["postings"]]
    try:
        return JournalEntry.model_validate(clean)
    except ValidationError as exc:
        from comptoir.errors import explain, where

        problems = [Problem(display, 0, "invalid-value", f"{where(err)}: {explain(err)}",
                            "fix the value; see `comptoir journal post --help`", loc=loc + tuple(err["loc"]))
                    for err in exc.errors(include_url=False)]
        raise ComptoirError(problems) from None


def batch_entries(book: Book, data: object, display: str, rng: random.Random) -> list[JournalEntry]:
    """Entries from a batch document: a list of entries, `{entries: [...]}`, or one entry."""
    loc: tuple | None = ()
    if isinstance(data, dict) and "entries" in data:
        items, loc = data["entries"], ("entries",)
    elif isinstance(data, dict):
        items, loc = [data], None
    else:
        items = data
    if not isinstance(items, list) or not items:
        raise fail("invalid-batch", "the batch holds no entries",
                   "give a list of entries, each with date, memo and postings", file=display, line=1)
    entries: list[JournalEntry] = []
    problems: list[Problem] = []
    taken = Taken(book.entries)
    for i, item in enumerate(items):
        where = () if loc is None else loc + (i,)
        if not isinstance(item, dict):
            problems.append(Problem(display, 0, "invalid-batch", f"entry {i + 1} is not a mapping",
                                    "each entry has date, memo and postings", loc=where))
            continue
        item = dict(item)
        try:
            day = dt.date.fromisoformat(str(item.get("date")))
        except ValueError:
            problems.append(Problem(display, 0, "invalid-value", f"entry {i + 1}: date {item.get('date')!r} is not a date",
                                    "write dates as YYYY-MM-DD", loc=where + ("date",)))
            continue
        if not item.get("id"):
            item["id"] = new_id(id_prefix(book, "journal"), day, taken, rng)
        taken.add(item["id"])
        try:
            entries.append(_validated(item, display, where))
        except ComptoirError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ComptoirError(problems)
    return entries


def reversal_of(book: Book, ident: str, day: dt.date, memo: str | None, rng: random.Random) -> JournalEntry:
    entries = book.entries
    target = entries.get(ident)
    if target is None:
        raise fail("unknown-entry", f"there is no journal entry {ident}", "`comptoir journal list` shows the ids")
    if target.reverses:
        raise fail("reverse-reversal", f"{ident} is itself the reversal of {target.reverses}",
                   "to undo it, post a new entry; reversing a reversal is refused",
                   file=book.source("journal", ident), line=1)
    if "closing" in target.tags:  # periods.CLOSING_TAG
        raise fail("closing-entry", f"{ident} is the year-end closing entry of {target.date}: it is undone only by "
                   "reopening that year", f"run `comptoir period reopen DATE --force` with a DATE before {target.date}: "
                   "it reverses the closing entry inside its own year",
                   file=book.source("journal", ident), line=1)
    facts = book.derived.get("validation.facts")  # on a book known clean: which entries are reversed
    others = entries.values() if facts is None or ident in facts.get("reversed", ()) else ()
    for other in others:
        if other.reverses == ident:
            raise fail("double-reversal", f"{ident} is already reversed by {other.id}",
                       "an entry can be reversed once", file=book.source("journal", other.id), line=1)
    if day < target.date:
        raise fail("reversal-before-entry", f"the reversal date {day} is before the entry's date {target.date}",
                   "reverse on or after the original date")
    data = target.model_dump()
    data.update(id=new_id(id_prefix(book, "journal"), day, entries, rng), date=day, memo=memo or f"Reversal of {ident}: {target.memo}",
                reverses=ident, assertions=[], source=None)
    data["postings"] = [dict(p, amount=-p["amount"]) for p in data["postings"]]
    # A reversal undoes the original at the original's values: a posting converted at the
    # rate table's rate of the original date keeps that rate, whatever the table says later.
    for p in data["postings"]:
        cur = p.get("currency")
        if cur and cur != book.base and p.get("rate") is None and p.get("value") is None:
            p["rate"] = rate_on(book, cur, target.date)
    return _validated(data, "", ())
