"""The book as a beancount ledger, so `bean-check` can check it and fava can serve it as a web view.

Accounts become flat beancount names under the root their type gives (`Assets:1010-Bank`):
flat, because a beancount balance assertion counts an account's sub-accounts and comptoir's
does not. Every account is opened on the book's first day. A foreign-currency posting is
written with its total cost in the base currency (`-4800.00 USD @@ 4416.00 EUR`), so its
weight is exactly the base value comptoir gives it and every transaction balances in the base
currency; an exchange difference (`value:`) is written as its base amount. comptoir asserts a
balance at the end of a day, beancount at its start: an assertion is written the next day.
Rates become `price` directives.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from .book import Book
from .ledger import entry_values, in_order

if TYPE_CHECKING:
    from comptoir.schemas.accounting import JournalEntry

ROOTS = {"asset": "Assets", "liability": "Liabilities", "equity": "Equity", "income": "Income",
         "expense": "Expenses"}


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")


def account_names(book: Book) -> dict[str, str]:
    out = {}
    for code, acct in book.accounts.items():
        name = _slug(f"{code} {acct.name}")
        if not name[:1].isalnum() or not (name[0].isupper() or name[0].isdigit()):
            name = "A" + name
        out[code] = f"{ROOTS[acct.type]}:{name}"
    return out


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _tag(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_./-]+", "-", text).strip("-") or "tag"


def beancount_ledger(book: Book) -> str:
    state: dict = {}
    body = list(beancount_body(book, [book.entries.values()], state))
    return "\n".join([*beancount_head(book, state), *body, *beancount_tail(state)]) + "\n"


def beancount_body(book: Book, parts: Iterable[Iterable[JournalEntry]], state: dict) -> Iterator[str]:
    """The transactions' lines, from the journal given in parts (the whole journal at once, or one
    folder at a time: comptoir.domain.ledger.in_order); `state` gathers what the head and the tail
    need (the first day, the balance assertions)."""
    base = book.base
    names = account_names(book)

    def name(code: str) -> str:
        return names.get(code) or f"Equity:Unknown-{_slug(code)}"

    first: dt.date | None = None
    assertions: list[tuple[dt.date, str, str, Decimal, str]] = []
    for part in in_order(parts):
        for entry in sorted(part, key=lambda e: (e.date, e.id)):
            first = entry.date if first is None else first
            tags = " ".join(f"#{_tag(t)}" for t in entry.tags)
            yield f"{entry.date} * {_string(entry.memo)}" + (f" {tags}" if tags else "")
            yield f"  id: {_string(entry.id)}"
            if entry.reference:
                yield f"  reference: {_string(entry.reference)}"
            if entry.reverses:
                yield f"  reverses: {_string(entry.reverses)}"
            for p, value in zip(entry.postings, entry_values(book, entry), strict=True):
                cur = p.currency or base
                if cur == base:
                    amount = f"{format(p.amount, 'f')} {base}"
                elif p.value is not None:
                    amount = f"{format(p.value, 'f')} {base}"
                else:
                    amount = f"{format(p.amount, 'f')} {cur} @@ {format(abs(value), 'f')} {base}"
                yield f"  {name(p.account)}  {amount}"
                if p.partner:
                    yield f"    partner: {_string(p.partner)}"
            yield ""
            for a in entry.assertions:
                held = book.accounts.get(a.account)
                cur = a.currency or (held.currency if held else None) or base
                assertions.append((entry.date + dt.timedelta(days=1), name(a.account), cur, a.balance, entry.id))
    state["first"] = first
    state["assertions"] = assertions


def beancount_head(book: Book, state: dict) -> list[str]:
    """The options, the accounts opened on the first day and the prices (after beancount_body)."""
    base = book.base
    names = account_names(book)
    first = state["first"] or dt.date(2000, 1, 1)
    rates = sorted(book.of("rate").values(), key=lambda r: (r.date, r.currency))
    if rates:
        first = min(first, rates[0].date)
    out = [f"; {book.settings.company}: comptoir books exported for beancount (base currency {base})",
           "; check: bean-check FILE   serve: fava FILE", "",
           f"option \"title\" {_string(book.settings.company)}",
           f"option \"operating_currency\" \"{base}\"", ""]
    for code in sorted(book.accounts):
        acct = book.accounts[code]
        out.append(f"{first} open {names[code]}  ; {_clean_comment(acct.name)}")
    out.append("")
    for r in rates:
        out.append(f"{r.date} price {r.currency} {format(r.rate, 'f')} {base}")
    if rates:
        out.append("")
    return out


def beancount_tail(state: dict) -> list[str]:
    """The balance assertions, each the day after its own (after beancount_body)."""
    assertions = state["assertions"]
    if not assertions:
        return []
    out = ["; comptoir asserts balances at the end of a day, beancount at the start of the next"]
    for day, account, cur, balance, ident in sorted(set(assertions)):
        out.append(f"{day} balance {account}  {format(balance, 'f')} {cur}  ; from {ident}")
    out.append("")
    return out


def _clean_comment(text: str) -> str:
    return " ".join(text.split())
