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
from decimal import Decimal

from .book import Book
from .ledger import entry_values

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
    base = book.base
    names = account_names(book)
    entries = sorted(book.entries.values(), key=lambda e: (e.date, e.id))
    first = min((e.date for e in entries), default=dt.date(2000, 1, 1))
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

    def name(code: str) -> str:
        return names.get(code) or f"Equity:Unknown-{_slug(code)}"

    assertions: list[tuple[dt.date, str, str, Decimal, str]] = []
    for entry in entries:
        tags = " ".join(f"#{_tag(t)}" for t in entry.tags)
        out.append(f"{entry.date} * {_string(entry.memo)}" + (f" {tags}" if tags else ""))
        out.append(f"  id: {_string(entry.id)}")
        if entry.reference:
            out.append(f"  reference: {_string(entry.reference)}")
        if entry.reverses:
            out.append(f"  reverses: {_string(entry.reverses)}")
        for p, value in zip(entry.postings, entry_values(book, entry), strict=True):
            cur = p.currency or base
            if cur == base:
                amount = f"{format(p.amount, 'f')} {base}"
            elif p.value is not None:
                amount = f"{format(p.value, 'f')} {base}"
            else:
                amount = f"{format(p.amount, 'f')} {cur} @@ {format(abs(value), 'f')} {base}"
            out.append(f"  {name(p.account)}  {amount}")
            if p.partner:
                out.append(f"    partner: {_string(p.partner)}")
        out.append("")
        for a in entry.assertions:
            held = book.accounts.get(a.account)
            cur = a.currency or (held.currency if held else None) or base
            assertions.append((entry.date + dt.timedelta(days=1), name(a.account), cur, a.balance, entry.id))
    if assertions:
        out.append("; comptoir asserts balances at the end of a day, beancount at the start of the next")
        for day, account, cur, balance, ident in sorted(set(assertions)):
            out.append(f"{day} balance {account}  {format(balance, 'f')} {cur}  ; from {ident}")
        out.append("")
    return "\n".join(out) + "\n"


def _clean_comment(text: str) -> str:
    return " ".join(text.split())
