"""Cross-record rules: each is a pure function (book) -> list[Problem], registered in RULES."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from cli.errors import ComptoirError, Problem
from schemas.types import currency_places, places_of

from .book import Book
from .ledger import ZERO, round_to

Rule = Callable[[Book], list[Problem]]
RULES: list[Rule] = []

# Domain modules that register rules with @rule; imported when the book is first checked.
RULE_MODULES: list[str] = [
    "cli.domain.stock",
    "cli.domain.periods",
    "cli.domain.currency",
    "cli.domain.crm",
    "cli.domain.hr",
    "cli.domain.manufacturing",
    "cli.domain.tax",
    "cli.domain.purchasing",
    "cli.domain.sales",
    "cli.domain.payments",
]


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


def check(book: Book) -> list[Problem]:
    """Every problem in the book: load problems first, then each rule's findings."""
    import importlib

    for name in RULE_MODULES:
        importlib.import_module(name)
    problems = list(book.load_problems)
    for fn in RULES:
        try:
            problems.extend(fn(book))
        except ComptoirError as exc:
            # a rule that cannot compute (a missing exchange rate, say) must not hide the others'
            # findings; its own problem is reported, and usually another rule names the record
            problems.extend(p for p in exc.problems if p not in problems)
    return problems


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


@rule
def account_tree(book: Book) -> list[Problem]:
    out = []
    accounts = book.accounts
    for code, acct in accounts.items():
        if acct.parent is None:
            continue
        src = book.source("account", code)
        if acct.parent not in accounts:
            out.append(Problem(src, 0, "unknown-parent", f"account {code}: parent {acct.parent} does not exist",
                               "create the parent account or fix `parent:`", loc=("parent",)))
            continue
        seen = {code}
        cur = acct.parent
        while cur in accounts and accounts[cur].parent:
            if cur in seen:
                out.append(Problem(src, 0, "account-cycle", f"account {code} is its own ancestor",
                                   "break the loop of `parent:` fields", loc=("parent",)))
                break
            seen.add(cur)
            cur = accounts[cur].parent
    return out


@rule
def postings(book: Book) -> list[Problem]:
    """Known accounts, currency places, and every entry balanced (per currency or in base)."""
    out = []
    accounts = book.accounts
    base = book.base
    base_places = currency_places(base)
    allowed: dict[str, int] = {}  # currency -> decimal places, looked up once each
    sources = book.sources
    for ident, entry in book.entries.items():
        src = sources[("journal", ident)].path if ("journal", ident) in sources else ""
        totals: dict[str, Decimal] = {}
        missing_rate = False
        differences = False
        for i, p in enumerate(entry.postings):
            cur = p.currency or base
            places = allowed.get(cur)
            if places is None:
                places = allowed[cur] = currency_places(cur)
            acct = accounts.get(p.account)
            if acct is None:
                out.append(Problem(src, 0, "unknown-account", f"{ident}: account {p.account} does not exist",
                                   "use an account from `comptoir account list`, or add it with `comptoir account add`",
                                   loc=("postings", i, "account")))
            elif acct.currency and acct.currency != cur:
                out.append(Problem(src, 0, "currency-mismatch",
                                   f"{ident}: account {p.account} holds {acct.currency}, the posting is in {cur}",
                                   "post in the account's currency, or use another account",
                                   loc=("postings", i, "currency")))
            if _places(p.amount) > places:
                out.append(Problem(src, 0, "too-many-places",
                                   f"{ident}: {p.amount} has more decimal places than {cur} allows ({currency_places(cur)})",
                                   f"round the amount to {currency_places(cur)} places", loc=("postings", i, "amount")))
            if p.value is not None:
                differences = True
            elif cur != base and p.rate is None:
                missing_rate = True
            totals[cur] = totals.get(cur, ZERO) + p.amount
        if len(totals) == 1 and not differences:
            (cur, total), = totals.items()
            if total != 0:
                out.append(Problem(src, 0, "unbalanced", f"{ident}: postings sum to {total} {cur}, not zero",
                                   f"add a posting of {-total} or fix an amount; debits are positive, credits negative",
                                   loc=("postings",)))
            continue
        if missing_rate:
            out.append(Problem(src, 0, "rate-missing",
                               f"{ident}: mixes {', '.join(sorted(totals))} but a foreign posting has no rate",
                               f"give each posting not in {base} a `rate:` (units of {base} per unit)",
                               loc=("postings",)))
            continue
        total_base = sum((p.amount if (p.currency or base) == base
                          else p.value if p.value is not None else round_to(p.amount * p.rate, base_places)
                          for p in entry.postings), ZERO)
        if total_base != 0:
            out.append(Problem(src, 0, "unbalanced",
                               f"{ident}: converted at the postings' rates the entry sums to {total_base} {base}",
                               "adjust a rate or add an exchange-difference posting", loc=("postings",)))
    return out


@rule
def inactive_accounts(book: Book) -> list[Problem]:
    out = []
    inactive = {c for c, a in book.accounts.items() if not a.active}
    if not inactive:
        return out
    for ident, entry in book.entries.items():
        for i, p in enumerate(entry.postings):
            if p.account in inactive:
                out.append(Problem(book.source("journal", ident), 0, "inactive-account",
                                   f"{ident}: account {p.account} is inactive",
                                   "post to an active account or reactivate it", severity="warning",
                                   loc=("postings", i, "account")))
    return out


def _places(value: Decimal) -> int:
    """places_of(value), twice as quick for the plain numbers almost every amount is."""
    text = str(value)
    if "E" in text:
        return places_of(value)
    point = text.find(".")
    return len(text) - point - 1 if point >= 0 else 0


@rule
def reversals(book: Book) -> list[Problem]:
    out = []
    entries = book.entries
    seen: dict[str, str] = {}
    for ident in sorted(i for i, e in entries.items() if e.reverses):  # few reverse: sort only those
        entry = entries[ident]
        src = book.source("journal", ident)
        target = entries.get(entry.reverses)
        if target is None:
            out.append(Problem(src, 0, "unknown-entry", f"{ident} reverses {entry.reverses}, which does not exist",
                               "fix `reverses:`", loc=("reverses",)))
            continue
        if target.reverses:
            out.append(Problem(src, 0, "reverse-reversal", f"{ident} reverses {target.id}, which is itself a reversal",
                               f"post a new entry instead of reversing {target.id}", loc=("reverses",)))
        if entry.reverses in seen:
            out.append(Problem(src, 0, "double-reversal",
                               f"{entry.reverses} is reversed twice: by {seen[entry.reverses]} and {ident}",
                               "an entry can be reversed once; drop one of the reversals", loc=("reverses",)))
        else:
            seen[entry.reverses] = ident
    return out
