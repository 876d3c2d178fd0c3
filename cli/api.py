"""comptoir as a Python library: open a book, read its records, run a report, post an entry.

    import datetime as dt
    from decimal import Decimal
    from comptoir import api

    books = api.open("ledger-data")                  # a data root: the folder with comptoir.yaml
    items = books.records("item")                    # {"ESP-1K": Item(...), ...}, typed pydantic records
    tb = books.report("trial-balance", end=dt.date(2026, 11, 30))
    for row in tb.rows:                              # plain values: str, int, Decimal, date
        print(row["account"], row["closing"])
    ident = books.post(dt.date(2026, 12, 1), "Rent December",
                       [("6100", Decimal("900.00")), ("1010", None)])   # one posting takes the balance

Reads come from the working tree, or with `as_of=` from a git revision or a date, as `--as-of`
does. A write is checked by the same rules as the command line and makes one commit with the
same subject and trailers; a refused write raises `ComptoirError` (its `.problems` say file,
line, code and hint) and writes nothing. Money is `Decimal` throughout, never float.

The command line uses the same domain functions (comptoir.domain, which return data), the same
tables (comptoir.views) and the same storage (comptoir.book); this module only joins them for a
script or a notebook.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from comptoir.domain.book import Book
    from comptoir.domain.table import Table
    from comptoir.errors import Problem
    from comptoir.schemas.types import Record

__all__ = ["Books", "Report", "open", "REPORTS"]


@dataclass
class Report:
    """A report as data: rows of plain values (Decimal money, dates), totals and notes."""

    name: str
    columns: list[str]
    rows: list[dict[str, Any]]
    totals: dict[str, Any] | None = None
    title: str = ""
    notes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, table: Table) -> Report:
        return cls(table.name, [c.key for c in table.columns], list(table.rows), table.totals, table.title,
                   list(table.notes), dict(table.meta))


def _trial_balance(book: Book, start=None, end=None, depth=None, currency=None) -> Table:
    from comptoir.views.ledger import trial_balance_table

    return trial_balance_table(book, start, end, depth, currency)


def _balance_sheet(book: Book, start=None, end=None, depth=None, currency=None) -> Table:
    from comptoir.views.statements import balance_sheet

    return balance_sheet(book, start, end, depth, currency)


def _income_statement(book: Book, start=None, end=None, depth=None, currency=None) -> Table:
    from comptoir.views.statements import income_statement

    return income_statement(book, start, end, depth, currency=currency)


def _overview(book: Book, day: dt.date | None = None) -> Table:
    from comptoir.views.overview import overview

    return overview(book, day or book.today or dt.date.today())


def _production(book: Book, start=None, end=None, by: str = "order", item: str | None = None) -> Table:
    from comptoir.views.manufacturing import production_table

    return production_table(book, start, end, by, item)


def _bom_cost(book: Book, sku: str, qty: Decimal | None = None) -> Table:
    from comptoir.views.manufacturing import bom_cost_table

    return bom_cost_table(book, sku, qty)


def _day(book: Book, day: dt.date | None) -> dt.date:
    return day or book.today or dt.date.today()


def _aging(side: str) -> Callable[..., Table]:
    def report(book: Book, day: dt.date | None = None, detail: bool = False) -> Table:
        from comptoir.views.payments import aging_table

        return aging_table(book, side, _day(book, day), detail)

    return report


def _stock_available(book: Book, item: str | None = None, warehouse: str | None = None,
                     at: dt.date | None = None) -> Table:
    from comptoir.views.availability import availability_table

    return availability_table(book, item, warehouse, at)


def _headcount(book: Book, start=None, end=None, by: str = "both", department: str | None = None) -> Table:
    from comptoir.views.hr import headcount_table

    return headcount_table(book, start, end, _day(book, None), by, department)


def _payroll(book: Book, start=None, end=None, by: str = "department", department: str | None = None) -> Table:
    from comptoir.views.hr import payroll_table

    return payroll_table(book, start, end, by, department)


# The reports a script can run by name: name -> function(book, **options).
REPORTS: dict[str, Callable[..., Table]] = {
    "trial-balance": _trial_balance,
    "balance-sheet": _balance_sheet,
    "income-statement": _income_statement,
    "overview": _overview,
    "ar-aging": _aging("receivable"),
    "ap-aging": _aging("payable"),
    "stock-available": _stock_available,
    "production": _production,
    "bom-cost": _bom_cost,
    "headcount": _headcount,
    "payroll": _payroll,
}


class Books:
    """One data root. `today` and `rng` fix the clock and the random source of new ids (tests,
    reproducible scripts); by default they are the real ones."""

    def __init__(self, path: str | Path, *, today: dt.date | None = None, rng: random.Random | None = None) -> None:
        from comptoir.context import Env

        self._env = Env(repo=str(path), today_override=today, rng=rng or random.Random())
        self._env.root()  # fails now, with a clear problem, when there is no book there

    @property
    def path(self) -> Path:
        return Path(self._env.root().path)

    def book(self, as_of: str | None = None) -> Book:
        """The whole book (every record kind), from the working tree or `as_of`."""
        return self._env.book(as_of)

    def records(self, kind: str, as_of: str | None = None) -> dict[str, Record]:
        """Records of one kind by id (`journal`, `item`, `sales-order`, ...)."""
        from comptoir.schemas.registry import kind_named

        kind_named(kind)  # KeyError for a kind that does not exist
        return dict(self._env.book(as_of, kinds=(kind,)).of(kind))

    def validate(self, as_of: str | None = None) -> list[Problem]:
        """Every problem in the book (an empty list: valid)."""
        from comptoir.domain.validation import check

        return check(self._env.book(as_of))

    def report(self, name: str, *, as_of: str | None = None, **options: Any) -> Report:
        """Run a report by name (see REPORTS) with its options as keyword arguments."""
        if name not in REPORTS:
            raise KeyError(f"no report {name!r}; reports: {', '.join(sorted(REPORTS))}")
        return Report.of(REPORTS[name](self._env.book(as_of), **options))

    def post(self, day: dt.date, memo: str, postings: Iterable[tuple[str, Decimal | str | None]],
             reference: str | None = None) -> str:
        """Post a balanced journal entry in the book's currency as one commit; returns its id.
        At most one posting may give None as its amount and takes the balance."""
        from comptoir.domain.posting import PostingInput, build_entry
        from comptoir.schemas.registry import kind_named

        inputs = []
        for account, amount in postings:
            if isinstance(amount, float):
                raise TypeError(f"{account}: give the amount as Decimal or text, not float ({amount!r})")
            inputs.append(PostingInput(account, None if amount is None else Decimal(amount)))
        with self._env.writer("api post") as w:
            entry = build_entry(w.book, day, memo, inputs, self._env.rng, reference)
            w.put(kind_named("journal"), entry)
            w.commit(f"Post {entry.id}: {entry.memo}", [entry.id])
        return entry.id


@dataclass(frozen=True)
class Invocation:
    """What one command run in this process did: its exit code and what it printed."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def invoke(args: Iterable[str | Path], *, repo: str | Path | None = None, today: dt.date | None = None,
           rng: random.Random | None = None, input: str | None = None, cwd: Path | None = None,  # noqa: A002
           lock_timeout: float | None = None) -> Invocation:
    """Run one comptoir command in this process, exactly as the command line runs it (the same
    checks, the same one commit per write), without starting an interpreter: `invoke(["report",
    "overview"], repo="ledger-data")`. `today` and `rng` fix the clock and the new ids (a script
    that rebuilds a book the same way every time); stdin is `input`. Output is captured, never
    printed; a refusal is exit code 1 with its `path:line: error [code]` on stderr, not an
    exception. (The tests, the demo's build script and the benchmarks run commands this way.)"""
    from click.testing import CliRunner

    from comptoir.context import Env
    from comptoir.main import main

    env = Env(repo=str(repo) if repo is not None else None, today_override=today,
              rng=rng if rng is not None else random.Random(), cwd=cwd, lock_timeout=lock_timeout)
    with CliRunner().isolation(input=input) as (out, err, _):
        try:
            main([str(a) for a in args], obj=env)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        return Invocation(code, out.getvalue().decode(), err.getvalue().decode())


def open(path: str | Path, *, today: dt.date | None = None, rng: random.Random | None = None) -> Books:  # noqa: A001
    """The book whose data root is `path` (a folder with comptoir.yaml)."""
    return Books(path, today=today, rng=rng)
