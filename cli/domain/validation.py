"""Checking a book: cross-record rules are pure functions (book) -> list[Problem], listed in each
domain module's RULES and reached through the family registry (comptoir.families)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from comptoir.errors import ComptoirError, Problem
from comptoir.model import Book
from comptoir.schemas.types import Record, currency_places, places_of

from .ledger import ZERO, round_to

Rule = Callable[[Book], list[Problem]]
Delta = Callable[[Book, "Change", dict], "list[Problem] | None"]
Keep = Callable[[Book, Any], bool]  # (book, journal entry) -> whether a streamed check keeps the entry for the rule
ENTRIES = "entries"  # RuleSpec.stream: the rule checks journal entries one at a time


@dataclass
class RuleSpec:
    """A rule and what an incremental check needs to know about it.

    reads:   the record kinds the rule looks at (the settings always count). None: unknown,
             so every write runs it over the whole book.
    per:     kinds whose records the rule checks one at a time, each against the other kinds
             it reads: a write adding records of these kinds is checked on the added ones alone.
    lookups: kinds the rule only looks up by id (a document's journal entry): in a book with
             no errors every such id resolves, so adding records with new ids changes nothing.
    delta:   for anything else, (book after, change, facts) -> problems, or None to run in full.
    replaces: the delta also judges records replaced in place (a lead updated), not only added ones.
    stream:  how a streamed check (check_streamed: `validate` reads the STREAMED kinds, the
             journal, stock moves and activities, a month folder at a time and holds none of them whole)
             serves a rule that reads one of them.
             ENTRIES: it checks the records of its `per` kinds one at a time, each against the
             kinds it does not check so: it runs on each folder's records in turn (the streamed
             kinds it reads must all be in `per`). A Keep function (book, record) -> bool: it
             runs once, after the stream, on streamed kinds holding the records the function
             kept (in file order; the rule iterates no others) where any other record is there
             only to look up by id; it is asked about the records of every streamed kind the
             rule reads. A class (a StreamedRule) for a rule that gathers what it needs on the
             way. None: validate reads the whole book (a rule that says nothing cannot be
             streamed).
    """

    fn: Rule
    reads: frozenset[str] | None = None
    per: frozenset[str] = frozenset()
    lookups: frozenset[str] = frozenset()
    delta: Delta | None = None
    replaces: bool = False
    stream: Any = None

    @property
    def name(self) -> str:
        return self.fn.__name__


def rule(fn: Rule | None = None, *, reads: tuple[str, ...] | None = None, per: tuple[str, ...] = (),
         lookups: tuple[str, ...] = (), delta: Delta | None = None, replaces: bool = False, stream: Any = None):
    """Mark a rule: `@rule`, or `@rule(reads=..., per=..., lookups=..., delta=...)` (see RuleSpec).
    Marking registers nothing: a rule runs when it is in its module's RULES list and the module
    is in its family's `domain` (comptoir.families)."""
    def mark(fn: Rule) -> Rule:
        fn.rule_spec = RuleSpec(fn, None if reads is None else frozenset(reads),  # type: ignore[attr-defined]
                                frozenset(per), frozenset(lookups), delta, replaces, stream)
        return fn

    return mark(fn) if fn is not None else mark


def spec_of(fn: Rule) -> RuleSpec:
    return getattr(fn, "rule_spec", None) or RuleSpec(fn)


def _rules() -> list[RuleSpec]:
    from comptoir.families import rules

    return rules()


def _run(spec: RuleSpec, book: Book, problems: list[Problem]) -> None:
    try:
        problems.extend(spec.fn(book))
    except ComptoirError as exc:
        # a rule that cannot compute (a missing exchange rate, say) must not hide the others'
        # findings; its own problem is reported, and usually another rule names the record
        problems.extend(p for p in exc.problems if p not in problems)


def check(book: Book) -> list[Problem]:
    """Every problem in the book: load problems first, then each rule's findings."""
    problems = list(book.load_problems)
    for spec in _rules():
        _run(spec, book, problems)
    return problems


class NotStreamable(Exception):
    """A streamed form of a rule cannot give the full check's answer exactly (check the whole book)."""


class StreamedRule:
    """The streamed form of a rule that gathers what it needs from every record (RuleSpec.stream):
    `entries` sees each folder in turn (on a book whose records of the folder's kind are that
    folder's and whose other streamed kinds are empty), and `problems` gives the rule's findings
    on the book after the stream, where the records `keep` kept are the streamed kinds' records.
    `entries` and `problems` may raise NotStreamable."""

    def __init__(self, book: Book) -> None:
        self.book = book

    def keep(self, book: Book, entry) -> bool:
        return False

    def entries(self, folder: Book) -> None:
        raise NotImplementedError

    def problems(self, book: Book) -> list[Problem]:
        raise NotImplementedError


def keeping(test: Keep) -> Keep:
    """RuleSpec.stream for a rule that iterates only the records `test` keeps (and looks others up by id)."""
    return test


def _by_id_only(book: Book, entry) -> bool:
    return False


LOOKUPS_ONLY: Keep = _by_id_only  # RuleSpec.stream for a rule that only looks entries up by id


# The kinds `validate` reads a folder at a time (comptoir.book.loader.stream_book), in this order:
# every other kind is held whole while they stream. A stock move's folder is its month, so its
# folders come in valuation order (the streamed valuation checks that they do).
STREAMED = ("stock-move", "journal", "activity")


def _streamed_read(spec: RuleSpec) -> frozenset[str] | None:
    """The streamed kinds the rule reads (None: it says nothing of what it reads)."""
    return None if spec.reads is None else spec.reads & frozenset(STREAMED)


def check_streamed(book: Book, folders: Iterable[Book]) -> tuple[list[Problem], dict] | None:
    """check(book) and facts(book) for a book whose STREAMED kinds come one folder at a time
    (comptoir.book.loader.stream_book: `book` holds every other kind, and each streamed kind's
    mapping receives the records the rules keep): the same problems, holding one folder's records
    at a time. None when a rule cannot be streamed: then check the whole book."""
    specs = _rules()
    streamed = frozenset(STREAMED)
    if any(type(book.records.get(kind)) is dict and book.records[kind] for kind in STREAMED):
        return None  # a kind the rules take as streamed was read whole (stream_book was asked for fewer)
    for spec in specs:
        read = _streamed_read(spec)
        if read is None or (read and spec.stream is None):
            return None
        if read and spec.stream == ENTRIES and not read <= spec.per:
            return None  # it would look records of a streamed kind up while it checks another's
    found: list[list[Problem] | ComptoirError] = [[] for _ in specs]
    forms: dict[int, StreamedRule] = {}
    keeps: list[tuple[frozenset[str], Keep]] = []
    per_folder: list[tuple[int, RuleSpec]] = []
    for i, spec in enumerate(specs):
        read = _streamed_read(spec)
        if not read:
            continue
        if spec.stream == ENTRIES:
            per_folder.append((i, spec))
        elif isinstance(spec.stream, type):
            form = forms[i] = spec.stream(book)
            keeps.append((read, form.keep))
        else:
            keeps.append((read, spec.stream))
    gathered = _Facts(book)
    try:
        for folder in folders:
            _check_folder(book, folder, per_folder, forms, keeps, gathered, found)
            del folder  # the next folder's records replace these
    except NotStreamable:
        return None
    for i, spec in enumerate(specs):
        if isinstance(found[i], ComptoirError):
            continue
        if not _streamed_read(spec):
            _collect(spec, book, found, i)
        elif spec.stream == ENTRIES:
            if spec.per - streamed:  # the other kinds it checks one by one, with no streamed record
                _collect(spec, _emptied(book, streamed), found, i)
        elif i in forms:
            try:
                found[i] = forms[i].problems(book)
            except NotStreamable:
                return None
            except ComptoirError as exc:
                found[i] = exc
        else:
            _collect(spec, book, found, i)
    problems = list(book.load_problems)
    for outcome in found:
        if isinstance(outcome, ComptoirError):  # as _run: the rule's own problem, once
            problems.extend(p for p in outcome.problems if p not in problems)
        else:
            problems.extend(outcome)
    return problems, gathered.facts()


def _check_folder(book: Book, folder: Book, per_folder: list, forms: dict[int, StreamedRule],
                  keeps: list[tuple[frozenset[str], Keep]], gathered: _Facts, found: list) -> None:
    """One folder of the stream: its records through the per-record rules and the streamed forms,
    into the facts (entries), and those a rule keeps into the book's mapping of their kind."""
    (kind, records), = folder.records.items()
    view = _folder_view(book, folder, kind)
    for i, spec in per_folder:
        if kind in spec.reads and not isinstance(found[i], ComptoirError):
            others = spec.per - {kind}
            _collect(spec, _emptied(view, others) if others else view, found, i)
    for form in forms.values():
        form.entries(view)
    if kind == "journal":
        gathered.add(view, records.values())
    wanted = [keep for read, keep in keeps if kind in read]
    if wanted:
        chosen: set[str] = set()
        for keep in wanted:  # one pass per test: few records are kept, most tests are a lookup
            chosen.update(ident for ident, record in records.items() if keep(book, record))
        kept = book.records[kind]
        for ident in records:
            if ident in chosen:  # in file order
                kept[ident] = records[ident]
                book.sources[(kind, ident)] = folder.sources[(kind, ident)]
    book.load_problems.extend(folder.load_problems)


def _collect(spec: RuleSpec, book: Book, found: list, i: int) -> None:
    try:
        found[i].extend(spec.fn(book))
    except ComptoirError as exc:  # the full check keeps only this (the rule stopped there)
        found[i] = exc


def _folder_view(book: Book, folder: Book, kind: str) -> Book:
    """`book` with one folder's records as its records of `kind`, and none of the other streamed kinds."""
    from collections import ChainMap

    records: dict[str, dict[str, Record]] = dict(book.records)
    for name in STREAMED:
        records[name] = {}
    records[kind] = folder.records[kind]
    view = Book(book.settings, records, ChainMap(folder.sources, book.sources),  # type: ignore[arg-type]
                book.settings_path, book.revision, book.root_prefix, [], book.today, book.text_reader)
    view.lock_revision = book.lock_revision
    return view


def _emptied(book: Book, kinds: frozenset[str]) -> Book:
    view = Book(book.settings, {**book.records, **{k: {} for k in kinds}}, book.sources, book.settings_path,
                book.revision, book.root_prefix, [], book.today, book.text_reader)
    view.lock_revision = book.lock_revision
    return view


@dataclass
class Change:
    """What a write does to a book: records added under new ids, records replaced, and
    whether anything else changes (the settings, a file that is not a record)."""

    added: dict[str, dict[str, Record]] = field(default_factory=dict)
    replaced: frozenset[str] = frozenset()  # kinds with a record replaced, moved or deleted
    other: bool = False
    before: Book | None = None  # the book the change applies to (its derived facts serve deltas)
    written: dict[str, dict[str, Record]] = field(default_factory=dict)  # every record put, added or replaced

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(self.added) | self.replaced

    def new(self, kind: str) -> list:
        return list(self.added.get(kind, {}).values())


def check_change(after: Book, change: Change, facts: dict) -> list[Problem]:
    """The problems a change can bring into a book that had none: each rule runs only when the
    change touches a kind it reads, on the added records alone when it checks them one by one,
    and in full otherwise. `facts` are cli.domain.validation.facts of the book before."""
    if change.other:
        return check(after)
    problems = list(after.load_problems)
    for spec in _rules():
        if spec.reads is None:
            _run(spec, after, problems)
            continue
        touched = change.kinds & spec.reads
        if not touched:
            continue
        if not (touched & change.replaced):
            if touched <= spec.lookups:
                continue
            if touched <= spec.per | spec.lookups and spec.per:
                _run(RuleSpec(spec.fn), _only_added(after, change, spec.per), problems)
                continue
        if spec.delta is not None and (spec.replaces or not (touched & change.replaced)):
            try:  # the delta sees the change as the rule does: only the kinds it reads
                found = spec.delta(after, _restricted(change, spec.reads), facts)
            except ComptoirError as exc:
                found = list(exc.problems)
            if found is not None:
                problems.extend(p for p in found if p not in problems)
                continue
        _run(spec, after, problems)
    return problems


def _restricted(change: Change, kinds: frozenset[str]) -> Change:
    """The part of `change` a rule reading `kinds` can see (records of other kinds cannot change
    its findings): a delivery's stock moves and delivery record are nothing to a journal rule."""
    return Change({k: v for k, v in change.added.items() if k in kinds}, change.replaced & kinds, change.other,
                  change.before, {k: v for k, v in change.written.items() if k in kinds})


def _only_added(after: Book, change: Change, kinds: frozenset[str]) -> Book:
    """The book with only the added records in `kinds` (the others as they are)."""
    view = Book(after.settings, dict(after.records), after.sources, after.settings_path, after.revision,
                after.root_prefix, [], after.today, after.text_reader)
    view.lock_revision = after.lock_revision
    for kind in kinds:
        view.records[kind] = dict(change.added.get(kind, {}))
    return view


def facts(book: Book) -> dict:
    """What incremental checks need to know about the journal without reading it: the entries
    that are reversed, and per account and currency the date of its last balance assertion.
    Kept with a verdict (cli.book.verdict) and carried forward by each write."""
    gathered = _Facts(book)
    gathered.add(book, book.entries.values())
    return gathered.facts()


class _Facts:
    """facts(), gathered from entries given in any number of parts."""

    def __init__(self, book: Book) -> None:
        self.reversed: set[str] = set()
        self.asserted: dict[str, str] = {}
        self.foreign: set[str] = set()

    def add(self, book: Book, entries: Iterable) -> None:
        for entry in entries:
            if entry.reverses:
                self.reversed.add(entry.reverses)
            _note_assertions(book, entry, self.asserted)
            _note_foreign(book, entry, self.foreign)

    def facts(self) -> dict:
        return {"reversed": sorted(self.reversed), "asserted": self.asserted, "foreign": sorted(self.foreign)}


def carry(before: dict, book: Book, change: Change) -> dict:
    """The facts after a change that only added records (see check_change)."""
    reversed_ids = set(before.get("reversed", ()))
    asserted = dict(before.get("asserted", {}))
    foreign = set(before.get("foreign", ()))
    for entry in change.new("journal"):
        if entry.reverses:
            reversed_ids.add(entry.reverses)
        _note_assertions(book, entry, asserted)
        _note_foreign(book, entry, foreign)
    return {"reversed": sorted(reversed_ids), "asserted": asserted, "foreign": sorted(foreign)}


def _note_foreign(book: Book, entry, foreign: set[str]) -> None:
    """Currencies other than the base that entries post in (their rates come from the table)."""
    base = book.base
    foreign.update(p.currency for p in entry.postings if p.currency and p.currency != base)


def _note_assertions(book: Book, entry, asserted: dict[str, str]) -> None:
    for a in entry.assertions:
        key = f"{a.account}\0{assertion_currency(book, a)}"
        day = entry.date.isoformat()
        if asserted.get(key, "") < day:
            asserted[key] = day


def assertion_currency(book: Book, assertion) -> str:
    acct = book.accounts.get(assertion.account)
    return assertion.currency or (acct.currency if acct is not None else None) or book.base


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


@rule(reads=("account",))
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
        cur: str | None = acct.parent
        while cur is not None and cur in accounts and accounts[cur].parent:
            if cur in seen:
                out.append(Problem(src, 0, "account-cycle", f"account {code} is its own ancestor",
                                   "break the loop of `parent:` fields", loc=("parent",)))
                break
            seen.add(cur)
            cur = accounts[cur].parent
    return out


@rule(reads=("account", "journal"), per=("journal",), lookups=("account",), stream=ENTRIES)
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
                          else p.value if p.value is not None else round_to(p.amount * (p.rate or ZERO), base_places)
                          for p in entry.postings), ZERO)
        if total_base != 0:
            out.append(Problem(src, 0, "unbalanced",
                               f"{ident}: converted at the postings' rates the entry sums to {total_base} {base}",
                               "adjust a rate or add an exchange-difference posting", loc=("postings",)))
    return out


@rule(reads=("account", "journal"), per=("journal",), lookups=("account",), stream=ENTRIES)
def inactive_accounts(book: Book) -> list[Problem]:
    out: list[Problem] = []
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


def _reversing(book: Book, entry) -> bool:
    return bool(entry.reverses)


@rule(reads=("journal",), delta=lambda book, change, facts: _reversals_delta(book, change, facts),
      stream=keeping(_reversing))
def reversals(book: Book) -> list[Problem]:
    entries = book.entries
    return _reversal_problems(book, sorted(i for i, e in entries.items() if e.reverses), {})  # few reverse


def _reversals_delta(book: Book, change: Change, facts: dict) -> list[Problem]:
    """Only an added reversal can be wrong: the entries it names and the reversed ones are known."""
    reversing = sorted(e.id for e in change.new("journal") if e.reverses)
    if not reversing:
        return []
    earlier = "an entry already in the book (`comptoir journal show` on it names it)"
    return _reversal_problems(book, reversing, {ident: earlier for ident in facts.get("reversed", ())})


def _reversal_problems(book: Book, reversing: list[str], seen: dict[str, str]) -> list[Problem]:
    """Problems of the entries `reversing` (ids in order); `seen`: target -> the entry reversing it."""
    out = []
    entries = book.entries
    for ident in reversing:
        entry = entries[ident]
        src = book.source("journal", ident)
        reversed_id = entry.reverses or ""  # set: only reversals are passed in
        target = entries.get(reversed_id)
        if target is None:
            out.append(Problem(src, 0, "unknown-entry", f"{ident} reverses {entry.reverses}, which does not exist",
                               "fix `reverses:`", loc=("reverses",)))
            continue
        if target.reverses:
            out.append(Problem(src, 0, "reverse-reversal", f"{ident} reverses {target.id}, which is itself a reversal",
                               f"post a new entry instead of reversing {target.id}", loc=("reverses",)))
        if reversed_id in seen:
            out.append(Problem(src, 0, "double-reversal",
                               f"{reversed_id} is reversed twice: by {seen[reversed_id]} and {ident}",
                               "an entry can be reversed once; drop one of the reversals", loc=("reverses",)))
        else:
            seen[reversed_id] = ident
    return out


RULES = [account_tree, postings, inactive_accounts, reversals]
