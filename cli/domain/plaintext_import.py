"""Books kept in beancount or hledger, brought into comptoir: the chart, the entries, currencies
and rates, and balance assertions, as records one commit writes.

Reading is left to each tool: beancount's own loader (plugins, pads, booking and interpolation
done as `bean-check` does them), and `hledger print -O json` for hledger journals (hledger
resolves its own includes, auto postings, periodic rules and amount inference). Both become
the same plain `Ledger` here, and one builder makes the records.

- Account names become codes by the user's rules (`--map NAME=CODE`, a name ending in `*`
  maps a whole subtree by prefix to codes made from it), else by type: the next free code
  from 1100 (assets), 2100 (liabilities), 3100 (equity), 4100 (income), 6100 (expenses),
  stepping by 10. The account's full name is kept as its name.
- A posting in the base currency keeps its amount. One in another ISO currency keeps its amount
  and currency with its rate (the posting's price or cost, else the tool's price table). A
  commodity comptoir cannot hold (a share, `VACHR`) is brought in at its cost or price in the
  base currency, the units named in the posting's memo; one with neither (vacation hours
  moved between two accounts) balances by itself and is left out, counted.
- Prices quoted in the base currency become rates (one per currency and day, the last wins).
- A balance assertion (beancount: at the start of its day; hledger: after its posting) is put on
  the last entry of the day before (beancount) or the entry it follows (hledger), in the
  currency it names; one on an account with sub-accounts, or in a commodity that was left out,
  is counted and left out, because comptoir's assertions hold for one account and currency.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal

from comptoir.errors import fail
from comptoir.schemas.accounting import Account, BalanceAssertion, JournalEntry
from comptoir.schemas.rates import ExchangeRate, rate_id

from .book import Book
from .ids import id_prefix, new_id
from .ledger import ZERO, round_to

TYPE_OF_ROOT = {"assets": "asset", "asset": "asset", "liabilities": "liability", "liability": "liability",
                "equity": "equity", "income": "income", "revenue": "income", "revenues": "income",
                "expenses": "expense", "expense": "expense"}
FIRST_CODE = {"asset": 1100, "liability": 2100, "equity": 3100, "income": 4100, "expense": 6100}
_ISO = re.compile(r"[A-Z]{3}")


@dataclass
class P:
    account: str
    number: Decimal
    commodity: str
    price: Decimal | None = None  # per unit, in the base currency (cost or price)
    memo: str = ""
    at_cost: bool = False  # a holding (shares, funds): brought in at its cost in the base currency


@dataclass
class Txn:
    date: dt.date
    memo: str
    postings: list[P]
    tags: list[str] = field(default_factory=list)
    reference: str | None = None
    asserts: list[tuple[str, Decimal, str]] = field(default_factory=list)  # after this entry (hledger)


@dataclass
class Ledger:
    base: str
    accounts: dict[str, str | None] = field(default_factory=dict)  # name -> its one currency, if declared
    txns: list[Txn] = field(default_factory=list)
    prices: list[tuple[dt.date, str, Decimal]] = field(default_factory=list)  # in the base currency
    balances: list[tuple[dt.date, str, Decimal, str]] = field(default_factory=list)  # beancount: start of day
    types: dict[str, str] = field(default_factory=dict)  # name -> comptoir type, where the tool says

    def currencies(self) -> set[str]:
        """Commodities posted as money (not held at cost), the base included."""
        found = getattr(self, "_currencies", None)
        if found is None:
            found = {p.commodity for t in self.txns for p in t.postings if not p.at_cost} | {self.base}
            self._currencies = found
        return found


@dataclass
class Result:
    accounts: list[Account]
    entries: list[JournalEntry]
    rates: list[ExchangeRate]
    names: dict[str, str]  # tool account name -> code
    left_out: dict[str, int]


HLEDGER_TYPES = {"A": "asset", "C": "asset", "L": "liability", "E": "equity", "V": "equity", "R": "income",
                 "X": "expense"}


def account_type(name: str, types: dict[str, str] | None = None) -> str:
    if types and name in types:
        return types[name]
    # "1000 Assets" (comptoir's own hledger export) reads as "assets"
    root = re.sub(r"^[0-9]+\s+", "", name.split(":", 1)[0]).lower()
    kind = TYPE_OF_ROOT.get(root)
    if kind is None:
        raise fail("unknown-account-type", f"account {name}: cannot tell its type from {root!r}",
                   "top-level accounts must be Assets, Liabilities, Equity, Income (Revenue) or Expenses; "
                   "or map it with --map NAME=CODE to an account that exists")
    return kind


def parse_map(rules: tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for r in rules:
        name, sep, code = r.partition("=")
        if not sep or not name or not code:
            raise fail("invalid-map", f"--map {r!r} is not NAME=CODE", 'write --map "Assets:Bank:Checking=1010"')
        out.append((name.strip(), code.strip()))
    return out


def _codes(book: Book, ledger: Ledger, rules: list[tuple[str, str]]) -> dict[str, str]:
    taken = set(book.accounts)
    names: dict[str, str] = {}
    for name in sorted(ledger.accounts):
        for pattern, code in rules:
            if pattern.endswith("*") and name.startswith(pattern[:-1]):
                rest = re.sub(r"[^A-Za-z0-9]+", "-", name[len(pattern[:-1]):]).strip("-")
                names[name] = f"{code}-{rest}"[:40] if rest else code
                break
            if name == pattern:
                names[name] = code
                break
    used = set(names.values())
    for name in sorted(ledger.accounts):
        if name in names:
            continue
        kind = account_type(name, ledger.types)
        number = FIRST_CODE[kind]
        while str(number) in taken or str(number) in used:
            number += 10
        names[name] = str(number)
        used.add(str(number))
    return names


def build(book: Book, ledger: Ledger, rules: tuple[str, ...], rng: random.Random) -> Result:
    if ledger.base != book.base:
        raise fail("base-currency", f"the ledger's operating currency is {ledger.base}, the book's {book.base}",
                   f"import into a book made with `comptoir init DIR --currency {ledger.base}`")
    names = _codes(book, ledger, parse_map(rules))
    accounts = []
    for name, code in sorted(names.items(), key=lambda kv: kv[1]):
        existing = book.accounts.get(code)
        if existing is not None:
            if existing.type != account_type(name, ledger.types):
                raise fail("account-type-mismatch", f"{name} is {account_type(name, ledger.types)}, but account {code} is "
                           f"{existing.type}", "map it to an account of the same type")
            continue
        cur = ledger.accounts.get(name)
        accounts.append(Account(code=code, name=name[:200], type=account_type(name, ledger.types),
                                currency=cur if cur and cur != book.base and _ISO.fullmatch(cur)
                                and cur in ledger.currencies() else None))
    left: dict[str, int] = {}
    entries: list[JournalEntry] = []
    taken: set[str] = set()
    last_of_day: dict[dt.date, int] = {}
    table: dict[tuple[str, dt.date], Decimal] = {}
    currencies = ledger.currencies()
    for day, cur, rate in ledger.prices:
        if _ISO.fullmatch(cur) and cur in currencies and cur != book.base and rate > 0:
            table[(cur, day)] = round_to(rate, 10)
    for txn in sorted(ledger.txns, key=lambda t: t.date):
        postings = []
        dropped: dict[str, Decimal] = {}
        for p in txn.postings:
            code = names[p.account]
            if p.commodity == book.base:
                postings.append({"account": code, "amount": p.number, "memo": p.memo or None})
            elif _ISO.fullmatch(p.commodity) and not p.at_cost:
                postings.append({"account": code, "amount": p.number, "currency": p.commodity,
                                 "rate": p.price, "memo": p.memo or None})
            elif p.price is not None:
                value = round_to(p.number * p.price, 2)
                memo = f"{p.number:f} {p.commodity} at {p.price:f} {book.base}"
                postings.append({"account": code, "amount": value, "memo": memo})
            else:
                dropped[p.commodity] = dropped.get(p.commodity, ZERO) + p.number
        for commodity, total in dropped.items():
            if total != 0:
                raise fail("unpriced-commodity", f"{txn.date} {txn.memo}: {commodity} has no cost or price and does "
                           "not balance by itself", "give its postings a cost or price in the base currency")
            left[f"postings in {commodity} (no price)"] = left.get(f"postings in {commodity} (no price)", 0) + 1
        postings = [{k: v for k, v in p.items() if v is not None} for p in postings]
        _balance_rounding(postings)
        if len(postings) < 2 or all(p["amount"] == 0 for p in postings):
            if txn.asserts and entries:  # an assertion-only transaction: it holds after the last entry
                more = [{"account": names[a], "balance": bal, **({"currency": cur} if cur != book.base else {})}
                        for a, bal, cur in txn.asserts if _assertable(ledger, a, cur, left)]
                e = entries[-1]
                entries[-1] = e.model_copy(update={"assertions": [
                    *e.assertions, *(BalanceAssertion.model_validate(a) for a in more)]})
                continue
            if postings or dropped:
                left["entries with nothing left in comptoir's currencies"] = \
                    left.get("entries with nothing left in comptoir's currencies", 0) + 1
            continue
        ident = new_id(id_prefix(book, "journal"), txn.date, taken, rng)
        taken.add(ident)
        assertions = [{"account": names[a], "balance": bal, "currency": cur if cur != book.base else None}
                      for a, bal, cur in txn.asserts if _assertable(ledger, a, cur, left)]
        memo = " ".join(txn.memo.split())[:200] or "(no description)"
        data = {"id": ident, "date": txn.date, "memo": memo, "reference": txn.reference, "postings": postings,
                "tags": [t for t in txn.tags if t][:20],
                "assertions": [{k: v for k, v in a.items() if v is not None} for a in assertions]}
        entries.append(JournalEntry.model_validate({k: v for k, v in data.items() if v is not None}))
        last_of_day[txn.date] = len(entries) - 1
    days = sorted(last_of_day)
    extra: dict[int, list[dict]] = {}
    for day, account, balance, cur in ledger.balances:
        if not _assertable(ledger, account, cur, left):
            continue
        i = bisect.bisect_left(days, day)  # the last entry before the day: beancount checks at its start
        if i == 0:
            left["balance assertions before the first entry"] = left.get(
                "balance assertions before the first entry", 0) + 1
            continue
        target = last_of_day[days[i - 1]]
        extra.setdefault(target, []).append({"account": names[account], "balance": balance,
                                             **({"currency": cur} if cur != book.base else {})})
    for i, more in extra.items():
        e = entries[i]
        entries[i] = e.model_copy(update={"assertions": [*e.assertions,
                                                         *(BalanceAssertion.model_validate(a) for a in more)]})
    rates = [ExchangeRate(id=rate_id(cur, day), date=day, currency=cur, rate=rate, source="imported")
             for (cur, day), rate in sorted(table.items(), key=lambda kv: (kv[0][1], kv[0][0]))
             if rate_id(cur, day) not in book.of("rate")]
    return Result(accounts, entries, rates, names, left)


def _assertable(ledger: Ledger, account: str, cur: str, left: dict[str, int]) -> bool:
    if any(other.startswith(account + ":") for other in ledger.accounts):
        left["balance assertions on accounts with sub-accounts"] = left.get(
            "balance assertions on accounts with sub-accounts", 0) + 1
        return False
    if cur != ledger.base and (not _ISO.fullmatch(cur) or cur not in ledger.currencies()):
        left[f"balance assertions in {cur}"] = left.get(f"balance assertions in {cur}", 0) + 1
        return False
    return True


def _balance_rounding(postings: list[dict]) -> None:
    """Commodities brought in at cost are rounded to cents: what that leaves unbalanced in the
    base currency (a cent or so) goes to the largest such posting, as comptoir does."""
    base_only = [p for p in postings if "currency" not in p]
    if len(base_only) != len(postings):
        return
    residual = sum((p["amount"] for p in postings), ZERO)
    if residual and abs(residual) <= Decimal("0.01") * len(postings):
        largest = max(postings, key=lambda p: abs(p["amount"]))
        largest["amount"] -= residual


# -- readers -----------------------------------------------------------------------------------


def read_beancount(path: str, base: str) -> Ledger:
    from beancount import loader
    from beancount.core import data

    entries, errors, options = loader.load_file(path)
    if errors:
        first = errors[0]
        meta = getattr(first, "source", None) or {}
        raise fail("beancount-errors", f"{len(errors)} error(s) reading the ledger: {first.message}",
                   "run bean-check on it and fix them first", file=meta.get("filename", path),
                   line=meta.get("lineno", 0) or 0)
    currencies = options.get("operating_currency") or [base]
    out = Ledger(currencies[0])
    for e in entries:
        if isinstance(e, data.Open):
            cur = e.currencies[0] if e.currencies and len(e.currencies) == 1 else None
            out.accounts[e.account] = cur
        elif isinstance(e, data.Price):
            if e.amount.currency == out.base and e.amount.number is not None:
                out.prices.append((e.date, e.currency, e.amount.number))
        elif isinstance(e, data.Balance) and e.amount.number is not None:
            out.balances.append((e.date, e.account, e.amount.number, e.amount.currency))
        elif isinstance(e, data.Transaction):
            postings = []
            for p in e.postings:
                out.accounts.setdefault(p.account, None)
                units = p.units
                if units is None or units.number is None:  # the loader interpolates every amount it can
                    raise fail("beancount-errors", f"{e.date} {e.narration!r}: a posting to {p.account} has no amount",
                               "run bean-check on it and fix it first", file=path)
                price = None
                at_cost = p.cost is not None
                if isinstance(p.cost, data.Cost) and p.cost.currency == out.base:
                    price = p.cost.number
                elif p.price is not None and p.price.currency == out.base:
                    price = p.price.number
                if price is not None and not at_cost and -price.as_tuple().exponent > 10:  # type: ignore[operator]
                    price = _rate(abs(units.number * price).quantize(Decimal("0.01")), abs(units.number))
                postings.append(P(p.account, units.number, units.currency, price, at_cost=at_cost))
            memo = " ".join(x for x in (e.payee, e.narration) if x)
            ref = e.meta.get("reference") if e.meta else None
            out.txns.append(Txn(e.date, memo, postings, tags=sorted(e.tags | e.links),
                                reference=str(ref) if ref else None))
    return out


def read_hledger(path: str, base: str) -> Ledger:
    import json
    import shutil
    import subprocess

    exe = shutil.which("hledger")
    if exe is None:
        raise fail("hledger-missing", "hledger is not installed", "install it (apt-get install hledger) to import "
                   "hledger journals: comptoir reads them through `hledger print -O json`")
    done = subprocess.run([exe, "-f", path, "print", "-O", "json"], capture_output=True, text=True)
    if done.returncode:
        raise fail("hledger-errors", f"hledger could not read {path}: {done.stderr.strip()[:500]}",
                   "run `hledger -f FILE check` and fix the journal first", file=path, line=1)
    prices = subprocess.run([exe, "-f", path, "prices", "-O", "json"], capture_output=True, text=True)
    out = Ledger(base)
    if prices.returncode == 0 and prices.stdout.strip().startswith("["):
        for pr in json.loads(prices.stdout):
            amount = pr.get("mpto") and pr.get("mprate")
            if amount and pr["mpto"] == base:
                out.prices.append((dt.date.fromisoformat(pr["mpdate"]), pr["mpfrom"], _qty(pr["mprate"])))
    for t in json.loads(done.stdout):
        postings = []
        asserts = []
        for p in t["tpostings"]:
            out.accounts.setdefault(p["paccount"], None)
            declared = dict(p.get("ptags") or []).get("type")
            if declared in HLEDGER_TYPES:
                out.types[p["paccount"]] = HLEDGER_TYPES[declared]
            for a in p["pamount"]:
                price = None
                ap = a.get("aprice")
                if ap:
                    contents = ap.get("contents")
                    unit = _qty(contents["aquantity"]) if contents else None
                    if contents and contents["acommodity"] == base and unit is not None:
                        price = unit if ap.get("tag") == "UnitPrice" else _rate(abs(unit), abs(_qty(a["aquantity"])))
                postings.append(P(p["paccount"], _qty(a["aquantity"]), a["acommodity"], price))
            ba = p.get("pbalanceassertion")
            if ba:
                amt = ba["baamount"]
                asserts.append((p["paccount"], _qty(amt["aquantity"]), amt["acommodity"]))
        memo = t.get("tdescription") or ""
        tags = [k for k, _ in t.get("ttags", [])]
        out.txns.append(Txn(dt.date.fromisoformat(t["tdate"]), memo, postings, tags=tags,
                            reference=t.get("tcode") or None, asserts=asserts))
    return out


def _rate(total: Decimal, units: Decimal) -> Decimal:
    """The shortest rate (at most 10 places, as comptoir keeps them) that turns `units` into `total`."""
    exact = total / units
    for digits in range(4, 11):
        rate = round_to(exact, digits)
        if rate > 0 and round_to(units * rate, 2) == total:
            return rate
    return round_to(exact, 10)


def _qty(q: dict) -> Decimal:
    mantissa = Decimal(q["decimalMantissa"])
    return mantissa.scaleb(-int(q["decimalPlaces"]))
