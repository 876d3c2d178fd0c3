"""Bank statements into the books: each new line becomes the payment of the documents it names
(or of the one open document its amount and counterparty fit), a ruled posting, or a posting to
the suspense account; never a guess. The statement's lines and the records they became are kept
in one statement record, which makes a second import of the same lines a no-op.

| line                                   | debit            | credit                        |
|----------------------------------------|------------------|-------------------------------|
| money in paying invoices               | bank             | receivable (payment logic)    |
| money out paying bills                 | payable          | bank (payment logic)          |
| ruled (fees, direct debits, salaries)  | the rule's account or partner, against the bank  |
| anything else                          | bank / suspense, whichever side the money went   |
| a reversal of an imported line         | the reversal of that line's entry                |
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from comptoir.errors import ComptoirError, fail
from comptoir.schemas.accounting import JournalEntry
from comptoir.schemas.bank import BankRule, Statement
from comptoir.schemas.types import currency_places

from .bank_files import Line, Parsed
from .book import Book
from .documents import open_items, validated
from .ids import id_prefix, new_id
from .ledger import ZERO, rate_on, round_to

SIDE = {"in": "receivable", "out": "payable"}
KIND = {"in": "invoice", "out": "bill"}


@dataclass
class Outcome:
    line: Line
    status: str  # known | matched | ruled | suspense | reversal
    detail: str = ""
    entry: JournalEntry | None = None
    payment: object | None = None
    rule: str | None = None


@dataclass
class Plan:
    parsed: Parsed
    account: str
    currency: str
    outcomes: list[Outcome] = field(default_factory=list)
    statement: Statement | None = None
    asserted: tuple[dt.date, Decimal] | None = None

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def records(self) -> list[tuple[str, object]]:
        out: list[tuple[str, object]] = []
        for o in self.outcomes:
            if o.payment is not None:
                out.append(("payment", o.payment))
            if o.entry is not None:
                out.append(("journal", o.entry))
        if self.statement is not None:
            out.append(("statement", self.statement))
        return out

    def summary(self) -> str:
        parts = [f"{self.count(s)} {s}" for s in ("matched", "ruled", "reversal", "suspense", "known")
                 if self.count(s) or s in ("matched", "ruled", "suspense")]
        return ", ".join(parts)


def bank_account(book: Book, code: str):
    acct = book.accounts.get(code)
    if acct is None:
        raise fail("unknown-account", f"account {code} does not exist",
                   "give --account the code of the bank account in your chart (`comptoir account list`)")
    if acct.role not in ("bank", "cash"):
        raise fail("not-a-bank-account", f"account {code} ({acct.name}) is not a bank account",
                   f"statements go to an account with role bank; set `role: bank` in accounts/{code}.yaml")
    return acct


def suspense_account(book: Book, given: str | None) -> str:
    if given:
        if given not in book.accounts:
            raise fail("unknown-account", f"suspense account {given} does not exist", "`comptoir account list`")
        return given
    found = sorted(c for c, a in book.accounts.items() if a.role == "suspense")
    if not found:
        raise fail("no-suspense-account", "the book has no suspense account for lines nothing matches",
                   'add one: comptoir account add 1090 "Bank suspense" --type asset --parent 1000 --role suspense')
    return found[0]


def statements_of(book: Book, account: str) -> list[Statement]:
    return sorted((s for s in book.of("statement").values() if s.account == account),
                  key=lambda s: (s.date, max((ln.date for ln in s.lines), default=s.date), s.id))


# -- matching helpers ------------------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9/._-]*")


def _tokens(words: str) -> set[str]:
    out = set()
    for t in _TOKEN.findall(words):
        t = t.rstrip("._-/")
        out.add(t.upper())
    return out


def _norm(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.findall(r"[a-z0-9]+", folded))


def _contains(hay: str, needle: str) -> bool:
    """Whole-word containment of normalised names."""
    return bool(needle) and f" {needle} " in f" {hay} "


def _condition(pattern: str, value: str) -> bool:
    if len(pattern) > 2 and pattern.startswith("/") and pattern.endswith("/"):
        return re.search(pattern[1:-1], value, re.IGNORECASE) is not None
    return pattern.casefold() in value.casefold()


def rule_matches(rule: BankRule, line: Line, account: str) -> bool:
    if rule.accounts and account not in rule.accounts:
        return False
    direction = "in" if line.amount > 0 else "out"
    size = abs(line.amount)
    # the cheap conditions first, and no further than the first that fails (10,000 lines x rules)
    return ((rule.direction is None or rule.direction == direction)
            and (rule.amount is None or rule.amount == size)
            and (rule.min is None or size >= rule.min)
            and (rule.max is None or size <= rule.max)
            and (rule.counterparty is None or _condition(rule.counterparty, line.counterparty))
            and (rule.text is None or _condition(rule.text, line.words)))


class _Work:
    """The book as the import builds it: each payment changes what is open for the next line."""

    def __init__(self, book: Book) -> None:
        self.book = book.with_records([])
        self.book.today = book.today

    def add(self, kind: str, record, ident: str) -> None:
        self.book.records.setdefault(kind, {})[ident] = record
        # what is open by documents alone (journal=False) moves with documents and payments, not
        # with a journal entry: a ruled or suspense line keeps it (10,000 recomputations saved)
        journal = kind == "journal"
        for key in [k for k in self.book.derived if isinstance(k, tuple) and k and k[0] == "documents.open"
                    and not (journal and k[3] is False)]:
            del self.book.derived[key]
        if not journal:
            self.book.derived.pop("documents.entries", None)

    def open_docs(self, direction: str):
        return [i for i in open_items(self.book, SIDE[direction], journal=False).items
                if i.kind == KIND[direction] and i.open > 0]


def _partner_of(book: Book, name: str, role: str) -> list[str]:
    n = _norm(name)
    if not n:
        return []
    found = []
    for pid, p in book.of("partner").items():
        if role not in p.roles or not p.active:
            continue
        names = [_norm(p.name)] + ([_norm(p.legal_name)] if p.legal_name else [])
        if any(x and (x == n or _contains(n, x)) for x in names):
            found.append(pid)
    return found


# -- the plan ---------------------------------------------------------------------------------------


def plan_import(book: Book, parsed: Parsed, account: str, rng: random.Random, suspense: str | None = None,
                source_name: str | None = None) -> Plan:
    acct = bank_account(book, account)
    cur = acct.currency or book.base
    if parsed.currency and parsed.currency != cur:
        raise fail("currency-mismatch", f"the statement is in {parsed.currency}, account {account} in {cur}",
                   "import it into the account the bank keeps in that currency", file=parsed.source, line=1)
    places = currency_places(cur)
    for line in parsed.lines:
        if round_to(line.amount, places) != line.amount:
            raise fail("invalid-amount", f"{line.where}: {line.amount} has more than {places} decimal places",
                       "the file is damaged or the format's decimal separator is wrong", file=parsed.source)
    if parsed.opening is not None and parsed.closing is not None:
        total = parsed.opening + sum((ln.amount for ln in parsed.lines), ZERO)
        if total != parsed.closing:
            raise fail("statement-does-not-add-up",
                       f"{parsed.where_balance}: opening {parsed.opening:,f} + lines "
                       f"{total - parsed.opening:,f} = {total:,f}, but the closing balance is {parsed.closing:,f} "
                       f"(difference {parsed.closing - total:,f})",
                       "the file is incomplete or damaged; nothing was imported. Ask the bank for the statement "
                       "again", file=parsed.source, line=1)
    plan = Plan(parsed, account, cur)
    earlier = statements_of(book, account)
    known = {ln.id: ln for s in earlier for ln in s.lines}
    fresh = [ln for ln in parsed.lines if ln.uid not in known]
    for ln in parsed.lines:
        if ln.uid in known:
            plan.outcomes.append(Outcome(ln, "known", f"already imported ({known[ln.uid].entry})"))
    if not fresh:
        return plan
    suspense = suspense_account(book, suspense)
    rules = sorted((r for r in book.of("bank-rule").values()), key=lambda r: (r.priority, r.id))
    work = _Work(book)
    done: list[tuple[Line, Outcome]] = []  # this import's lines, for reversals
    reversed_entries: set[str] = set()
    for line in sorted(fresh, key=lambda ln: ln.date):
        outcome = _one(work, plan, line, rules, suspense, rng, known, done, reversed_entries)
        plan.outcomes.append(outcome)
        done.append((line, outcome))
    _assert_closing(plan, work)
    end = parsed.end or max(ln.date for ln in parsed.lines)
    new = [o for o in plan.outcomes if o.status != "known"]
    lines = [{"id": o.line.uid, "date": o.line.date, "amount": o.line.amount,
              "outcome": "reversal" if o.status == "reversal" else o.status, "entry": o.entry.id,  # type: ignore[union-attr]
              "payment": getattr(o.payment, "id", None), "rule": o.rule,
              "counterparty": o.line.counterparty[:200] or None, "text": o.line.text[:500] or None}
             for o in new]
    plan.statement = validated(
        Statement, id=new_id(id_prefix(book, "statement"), end, work.book.of("statement"), rng), account=account, date=end,
        start=parsed.start, format=parsed.format, source=source_name, statement=parsed.statement_id or None,
        currency=cur if cur != book.base else None, opening=parsed.opening, closing=parsed.closing,
        known=len(parsed.lines) - len(fresh), lines=lines)
    return plan


def _one(work: _Work, plan: Plan, line: Line, rules: list[BankRule], suspense: str, rng: random.Random,
         known: dict, done: list, reversed_entries: set[str]) -> Outcome:
    if line.reversal:
        found = _reversal(work, plan, line, known, done, reversed_entries, rng)
        if found is not None:
            return found
    direction = "in" if line.amount > 0 else "out"
    if line.amount != 0:
        matched = _by_numbers(work, plan, line, direction, rng) or _by_amount(work, plan, line, direction, rng)
        if matched is not None:
            return matched
        for rule in rules:
            if rule_matches(rule, line, plan.account):
                return _ruled(work, plan, line, rule, direction, rng)
    why = "reversal of a line not found on earlier statements" if line.reversal else "nothing matches"
    return _posted(work, plan, line, suspense, "suspense", why, rng)


def _memo(line: Line, prefix: str = "") -> str:
    words = " ".join(x for x in (line.counterparty, line.text) if x) or f"bank line {line.uid}"
    memo = f"{prefix}{words}"
    return memo if len(memo) <= 200 else memo[:197] + "..."


def _posted(work: _Work, plan: Plan, line: Line, other: str, status: str, detail: str, rng: random.Random,
            rule: str | None = None, memo: str | None = None) -> Outcome:
    book = work.book
    cur = plan.currency
    rate = None
    if cur != book.base:
        rate = rate_on(book, cur, line.date)
        if rate is None:
            raise fail("rate-missing", f"no {cur} exchange rate on or before {line.date} for {line.where}",
                       f"add one with `comptoir rate add {cur} RATE --date {line.date}`")
    fx = {"currency": cur, "rate": rate} if rate is not None else {}
    entry = _entry({"id": new_id(id_prefix(book, "journal"), line.date, book.entries, rng), "date": line.date,
                    "memo": memo or _memo(line), "reference": line.uid,
                    "postings": [{"account": plan.account, "amount": line.amount, **fx},
                                 {"account": other, "amount": -line.amount, **fx}]})
    work.add("journal", entry, entry.id)
    return Outcome(line, status, detail, entry=entry, rule=rule)


def _entry(data: dict) -> JournalEntry:
    """The journal entry of a line (`data` holds no None): validated straight away, as `validated`
    would after leaving out what is None (a third of the time of 10,000 lines); its problems if not."""
    try:
        return JournalEntry.model_validate(data)
    except ValidationError:
        return validated(JournalEntry, data)


def _pay(work: _Work, plan: Plan, line: Line, direction: str, partner: str, documents: list[str],
         doc_currency: str | None, detail: str, status: str, rng: random.Random,
         rule: str | None = None) -> Outcome | None:
    from .payments import new_payment

    book = work.book
    size = abs(line.amount)
    cur = plan.currency
    code = doc_currency or cur
    amount, rate = size, None
    if code != cur:
        if cur != book.base:
            return None  # a foreign account paying a document in a third currency: left for review
        if line.foreign and line.foreign[1] == code:
            amount = line.foreign[0]
        else:
            table = rate_on(book, code, line.date)
            if table is None:
                return None
            amount = round_to(size / table, currency_places(code))
        if amount <= 0:
            return None
        rate = _exact_rate(size, amount, currency_places(book.base))
    try:
        pay, entry = new_payment(book, direction, partner, amount, line.date, rng, documents,
                                 None if code == book.base else code, rate, plan.account, line.uid, None)
    except ComptoirError as exc:
        if status == "ruled":
            raise
        return Outcome(line, "skip", exc.problems[0].message)
    bank_value = next(p for p in entry.postings if p.account == plan.account)
    if abs(bank_value.amount) != size:  # the books must move exactly what the bank moved
        return None
    work.add("payment", pay, pay.id)
    work.add("journal", entry, entry.id)
    return Outcome(line, status, detail, entry=entry, payment=pay, rule=rule)


def _exact_rate(base_amount: Decimal, amount: Decimal, places: int) -> Decimal:
    """The shortest rate (base per unit) that turns `amount` into exactly `base_amount`."""
    exact = base_amount / amount
    for digits in range(4, 11):  # rates are kept with at most 10 places
        rate = round_to(exact, digits)
        if rate > 0 and round_to(amount * rate, places) == base_amount:
            return rate
    return round_to(exact, 10)


def _by_numbers(work: _Work, plan: Plan, line: Line, direction: str, rng: random.Random) -> Outcome | None:
    words = line.words
    if not words:
        return None
    tokens = _tokens(words)
    docs = [i for i in work.open_docs(direction) if i.number.upper() in tokens]
    if not docs:
        return None
    partners = {i.partner for i in docs}
    currencies = {i.currency for i in docs}
    if len(partners) > 1 or len(currencies) > 1:
        return None  # several partners' documents named: a person decides
    docs.sort(key=lambda i: (i.due, i.date, i.number))
    names = ", ".join(i.number for i in docs)
    result = _pay(work, plan, line, direction, docs[0].partner, [i.document for i in docs], docs[0].currency,
                  f"pays {names} ({docs[0].partner})", "matched", rng)
    return result if result is not None and result.status != "skip" else None


def _by_amount(work: _Work, plan: Plan, line: Line, direction: str, rng: random.Random) -> Outcome | None:
    if not line.counterparty:
        return None
    partners = _partner_of(work.book, line.counterparty, "customer" if direction == "in" else "supplier")
    if len(partners) != 1:
        return None
    size = abs(line.amount)
    fits = [i for i in work.open_docs(direction) if i.partner == partners[0]
            and ((i.currency == plan.currency and i.open == size)
                 or (line.foreign is not None and line.foreign[1] == i.currency and i.open == line.foreign[0]))]
    if len(fits) != 1:
        return None
    doc = fits[0]
    result = _pay(work, plan, line, direction, doc.partner, [doc.document], doc.currency,
                  f"pays {doc.number} ({doc.partner}): amount and counterparty", "matched", rng)
    return result if result is not None and result.status != "skip" else None


def _ruled(work: _Work, plan: Plan, line: Line, rule: BankRule, direction: str, rng: random.Random) -> Outcome:
    if rule.post_to:
        if rule.post_to not in work.book.accounts:
            raise fail("unknown-account", f"bank rule {rule.id} posts to {rule.post_to}, which does not exist",
                       f"fix post_to: in bank/rules/{rule.id}.yaml", file=work.book.source("bank-rule", rule.id))
        memo = f"{rule.memo}: {_memo(line)}" if rule.memo else None
        return _posted(work, plan, line, rule.post_to, "ruled", f"rule {rule.id} -> {rule.post_to}", rng,
                       rule=rule.id, memo=memo[:200] if memo else None)
    result = _pay(work, plan, line, direction, rule.partner, [], None,  # type: ignore[arg-type]
                  f"rule {rule.id} -> {rule.partner}", "ruled", rng, rule=rule.id)
    if result is None:
        raise fail("rule-currency", f"bank rule {rule.id}: {line.where} cannot be paid to {rule.partner} in "
                   f"{plan.currency}", "map the line to an account instead (post_to:)",
                   file=work.book.source("bank-rule", rule.id))
    return result


def _reversal(work: _Work, plan: Plan, line: Line, known: dict, done: list, reversed_entries: set[str],
              rng: random.Random) -> Outcome | None:
    from .posting import reversal_of

    candidates = []
    for prior, outcome in done:
        if outcome.entry is not None and prior.amount == -line.amount and outcome.entry.id not in reversed_entries \
                and ((line.end_to_end and prior.end_to_end == line.end_to_end)
                     or (not line.end_to_end and prior.counterparty == line.counterparty)):
            candidates.append((outcome.status, outcome.entry.id, prior.uid))
    if not candidates:
        for ln in known.values():
            if ln.amount == -line.amount and ln.entry not in reversed_entries \
                    and (ln.counterparty or "") == line.counterparty:
                candidates.append((ln.outcome, ln.entry, ln.id))
    if len(candidates) != 1:
        return None
    status, entry_id, uid = candidates[0]
    if status == "matched":
        return None  # a returned payment: the documents it paid are open again only by a person's decision
    entry = reversal_of(work.book, entry_id, line.date, f"Reversal of {entry_id} (bank line {uid} returned)", rng)
    entry = entry.model_copy(update={"reference": line.uid})
    reversed_entries.add(entry_id)
    work.add("journal", entry, entry.id)
    return Outcome(line, "reversal", f"reverses {entry_id} (line {uid})", entry=entry)


def _assert_closing(plan: Plan, work: _Work) -> None:
    """The statement's balance at the end of the last day a new line was booked, as a balance
    assertion on the last entry of that day: validate then holds the books to the bank."""
    from .posting import with_assertions

    parsed = plan.parsed
    made = [o for o in plan.outcomes if o.entry is not None]
    if not made or (parsed.opening is None and parsed.closing is None):
        return
    last = max(made, key=lambda o: o.line.date)
    day = last.line.date
    if parsed.opening is not None:
        balance = parsed.opening + sum((ln.amount for ln in parsed.lines if ln.date <= day), ZERO)
    else:
        balance = parsed.closing - sum((ln.amount for ln in parsed.lines if ln.date > day), ZERO)  # type: ignore[operator]
    target = [o for o in made if o.line.date == day][-1]
    currency = plan.currency if plan.currency != work.book.base else None
    target.entry = with_assertions(target.entry, [(plan.account, balance, currency)])  # type: ignore[arg-type]
    plan.asserted = (day, balance)


# -- output -----------------------------------------------------------------------------------------


def plan_rows(plan: Plan) -> list[dict[str, Any]]:
    """The import plan's statement lines by date, each with its outcome and the record it becomes."""
    rows = []
    for o in sorted(plan.outcomes, key=lambda o: (o.line.date, o.status == "known")):
        ln = o.line
        rows.append({"date": ln.date, "amount": ln.amount, "counterparty": ln.counterparty, "text": ln.words[:60],
                     "id": ln.uid, "outcome": o.status, "becomes": o.detail,
                     "record": getattr(o.payment, "id", None) or (o.entry.id if o.entry is not None else "")})
    return rows


def rule_rows(book: Book) -> list[dict[str, Any]]:
    """The bank rules in the order they are tried: what they match and what they do."""
    rows = []
    for r in sorted(book.of("bank-rule").values(), key=lambda r: (r.priority, r.id)):
        when = [f"text {r.text!r}" if r.text else "", f"counterparty {r.counterparty!r}" if r.counterparty else "",
                r.direction or "", f"amount {r.amount}" if r.amount is not None else "",
                f">= {r.min}" if r.min is not None else "", f"<= {r.max}" if r.max is not None else ""]
        rows.append({"priority": r.priority, "id": r.id, "accounts": ", ".join(r.accounts) or "all",
                     "when": ", ".join(w for w in when if w),
                     "then": f"post to {r.post_to}" if r.post_to else f"pay on {r.partner}", "memo": r.memo or ""})
    return rows
