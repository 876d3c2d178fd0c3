"""`report pack` without a full read: whether the book validates, from the verdict kept for its
tree or the streamed check, and each page's report from the book its own command reads.

A pack of fifteen reports used to read and check the whole book once (1 GB at 300,000 journal
entries). Now each page gets the book the report's command serves from partials (the statements
the journal months' day totals and cash values, the aging and cash forecast the documents' facts
and the side accounts' posting rows, the overview its own, the stock page the stock folders'
levels and consumption, ...), one book at a time, let go before the next is read; the pages are
then the command's output, whatever the command reads. Whether the book validates comes from
the verdict kept for its git tree (comptoir.book.verdict: a clean tree `validate` or a write
checked), else from the check streamed one journal folder at a time, as `validate` runs it.
"""

from __future__ import annotations

import datetime as dt
import gc
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from comptoir.book.probe import Probe
    from comptoir.model import Book


class Whole:
    """Every page from one book (the full read, or a book a test gives)."""

    def __init__(self, book: Book) -> None:
        self.book = book

    def __getattr__(self, name: str) -> Callable[..., Book]:
        return lambda *args: self.book


class Served:
    """The book each page's report reads, as its command serves it (one held at a time)."""

    def __init__(self, env, as_of: str | None, today: dt.date, probe: Probe | None = None) -> None:
        import dataclasses

        # a page whose partials cannot be served reads the whole book: the check said already
        # which files could not be read (once, not once per page)
        self.env = dataclasses.replace(env)
        self.env.warn_unread = lambda problems: None
        self.as_of, self.today = as_of, today
        # the whole data root's status, asked once for every page (None at a revision): a page's own
        # would stat its folders again, the journal's 300,000 files for most of them
        self.probe = None if as_of else probe
        self._key: object = None
        self._book: Book | None = None
        # what lives now (the modules, the command's own objects) stays for the whole command: once
        # collected, it is set aside, so the collections that free each page's book (eleven a pack)
        # walk the books alone, not every object of the process (in a test run's long-lived process
        # they were a tenth of the suite's time); close() gives it back to the collector
        gc.collect()
        gc.freeze()

    def _open(self, key: object, make: Callable[[], Book]) -> Book:
        if self._key != key or self._book is None:
            self._book = None  # the last page's book goes before the next is read
            gc.collect()
            self._book, self._key = make(), key
        return self._book

    def close(self) -> None:
        self._book = self._key = None
        gc.unfreeze()

    def _watch(self) -> Any:
        if self.probe is None:
            return None
        from comptoir.app.ledgerdays import Watch

        return Watch.sharing(self.probe)

    def ledger(self) -> Book:
        """The statements, trial balance and budgets: the day totals and the cash flow's values
        (`report cash-flow`, `report balance-sheet`, `report budget`)."""
        from comptoir.app import ledgerdays

        return self._open("ledger", lambda: ledgerdays.served(self.env, self.as_of, fold=ledgerdays.cash_fold,
                                                                     watch=self._watch()))

    def overview(self) -> Book:
        from comptoir.app import overview

        return self._open("overview", lambda: overview.served(self.env, self.as_of, self.today, self._watch()))

    def cash(self) -> Book:
        from comptoir.app import openitems

        return self._open("cash", lambda: openitems.cash(self.env, self.as_of, self.today, self._watch()))

    def aging(self, side: str) -> Book:
        from comptoir.app import openitems

        return self._open(("aging", side), lambda: openitems.served(self.env, self.as_of, side, self.today,
                                                                                    watch=self._watch()))

    def opportunities(self) -> Book:
        """`report pipeline` and `report forecast`: the opportunities and rates."""
        return self._open("crm", lambda: self.env.book(self.as_of, ("opportunity", "rate"), status=self.probe))

    def documents(self, fn: Callable) -> Book:
        """A document report (`report sales`, `report purchases`): the kinds it reads, those it
        declares facts of served per folder."""
        module = importlib.import_module(fn.__module__)
        kinds = getattr(module, "READS", {}).get(fn.__name__)
        facts = getattr(module, "FACTS", {}).get(fn.__name__, {})

        def make() -> Book:
            if not facts or kinds is None:
                return self.env.book(self.as_of, kinds=kinds, status=self.probe)
            from comptoir.app import openitems

            return openitems.documents(self.env, self.as_of, kinds, facts, self.probe)

        return self._open(("documents", fn.__module__, fn.__name__), make)

    def payroll(self) -> Book:
        """The payroll runs, employees and departments (any other kind read when first used)."""
        from comptoir.domain.hr.reports import READS

        return self._open("payroll", lambda: self.env.book(self.as_of, kinds=READS["payroll_summary"],
                                                                 status=self.probe))

    def stock(self) -> Book:
        """`report reorder` and `report stock-out`: the stock levels (every move, and at the end of
        today) and the units consumed per day from the stock folders, with the kinds the supply
        and demand providers read."""
        from comptoir.app import stockreports
        from comptoir.domain.availability import kinds_read

        days = tuple(dict.fromkeys((None, self.env.today, self.today)))
        return self._open("stock", lambda: stockreports.served(
            self.env, self.as_of, ledger=False, level_days=days, consumption=True,
            kinds=tuple(sorted(kinds_read() or ())), watch=self._watch()))


def books(env, as_of: str | None, today: dt.date, probe: Probe | None = None) -> Served:
    """The pages' books (tests give a `Whole` instead, to compare with the full read); `probe`:
    the whole data root's (`start`)."""
    return Served(env, as_of, today, probe)


def start(env, as_of: str | None) -> Probe | None:
    """The freshness probe of the whole data root, started before the models import: whether the
    working tree is HEAD's (the verdict kept for HEAD's tree then holds) and the revision the
    pages name. None at a revision, or outside git."""
    if as_of:
        return None
    root = env.root()
    if root.top is None:
        return None
    from comptoir.book import verdict

    return verdict.Status(root)


def revision(env, as_of_rev: str | None, probe: Probe | None) -> str:
    """The commit the pages name, "+ uncommitted changes" when the working tree differs from it."""
    if as_of_rev is not None:
        return as_of_rev
    if probe is None:
        return "(no commit)"
    changes = probe.changes()
    head = probe.head if probe.ok else None
    return (head or "(no commit)") + (" + uncommitted changes" if changes else "")


def errors(env, as_of: str | None, probe: Probe | None) -> int:
    """How many errors `comptoir validate` finds (the pack says whether it passed): none when the
    book is a tree a check found clean (the verdict kept for it), else the check streamed one
    journal folder at a time (or whole, when a rule cannot be streamed). A clean working tree
    found free of errors is remembered, as `validate` remembers it."""
    from comptoir.book import verdict

    root = env.root()
    if as_of:
        rev = env._revision(root, as_of)
        tree = verdict.tree_id(root, rev)
        if verdict.known(root, tree) is not None:
            return 0
    elif probe is not None and probe.clean() and verdict.known(root, probe.root_tree) is not None:
        return 0
    return _checked(env, as_of, probe)


def _checked(env, as_of: str | None, probe: Probe | None) -> int:
    from comptoir.book import verdict
    from comptoir.domain.validation import STREAMED, check, check_streamed, facts

    book, folders = env.streamed_book(as_of, STREAMED)
    found = check_streamed(book, folders)
    known: Any
    if found is not None:
        problems, known = found
        env.warn_unread(book.load_problems)
    else:
        del book, folders  # a stream given up half way holds what it read: not beside the whole book
        book = env.book(as_of)
        problems = check(book)
        known = facts(book)
    count = sum(1 for p in problems if p.severity == "error")
    if not as_of and count == 0 and probe is not None and probe.clean():
        verdict.remember(env.root(), probe.root_tree, known)
    return count


def default_range(book: Book, start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """The pack's period: unbounded sides from the days that have entries (the day totals of a
    served book, else its entries)."""
    from comptoir.domain import periodic

    totals = book.derived.get("ledger.days")
    if totals is None:
        dates = [e.date for e in book.entries.values()]
    else:  # every entry has postings: its day is in the totals
        dates = [dt.date.fromordinal(day) for day in {day for days in totals.values() for day in days}]
    return periodic.default_range(book, start, end, dates)


def chart_keeper(env) -> Callable[[str, Callable[[], str]], str] | None:
    """The derived store as the pack's chart keeper (comptoir.charts.kept): each chart's SVG kept
    under a key of the figures it is drawn from, so a pack built again (the CI job on every push,
    the served and the whole pack in the tests) draws only the charts whose figures changed."""
    from comptoir.book.store import Derivation, Store

    root = env.root()
    if root.top is None:
        return None  # no git folder: no store
    store = Store.of(root.path)
    derivation = Derivation("chart-svg", keep=64)

    def keep(key: str, draw: Callable[[], str]) -> str:
        svg = store.get(derivation, key)
        if isinstance(svg, str):
            return svg
        svg = draw()
        store.put(derivation, (key,), svg)
        return svg
    return keep
