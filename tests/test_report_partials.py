"""Reports served from partials (cli/app/ledgerdays.py: day totals and posting rows kept per
journal month folder in the one store) equal the same reports computed by a full read: on
random books (hypothesis), on dirty trees, and at old revisions (--as-of)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.app import ledgerdays

from .conftest import _template, commit_all, copy_book, git, run, write
from .test_write_tree import _Count

# (label, command) pairs: every report the partials serve, with the options that choose what is read
REPORTS = [
    ("report", "balance-sheet"),
    ("report", "balance-sheet", "--to", "2026-02-10"),
    ("report", "balance-sheet", "--from", "2026-02-01", "--to", "2026-03-31"),
    ("report", "income-statement"),
    ("report", "income-statement", "--period", "2026-02", "--compare", "previous-period"),
    ("report", "income-statement", "--from", "2026-01-15", "--to", "2026-03-03"),
    ("report", "cash-flow"),
    ("report", "cash-flow", "--period", "2026-02", "--method", "direct"),
    ("report", "cash-flow", "--from", "2026-01-10", "--to", "2026-03-20"),
    ("report", "ledger", "1010"),
    ("report", "ledger", "1", "--from", "2026-02-01"),
    ("report", "ledger", "1010", "--currency", "USD"),
    ("report", "register", "--account", "6", "--text", "b"),
    ("report", "register", "--min", "50", "--to", "2026-03-01"),
    ("report", "journal", "--period", "2026-02"),
    ("report", "journal", "--from", "2026-01-20", "--to", "2026-03-10"),
    ("report", "journal", "--currency", "USD"),
    ("journal", "list", "--account", "1010"),
    ("journal", "list", "--account", "4", "--period", "2026-03"),
    ("journal", "list", "--period", "2026-01", "--text", "a"),
    # the day totals alone: periods in columns (the range's ends from the days that have entries), budget
    ("report", "trial-balance", "--per", "month"),
    ("report", "balance-sheet", "--by", "month", "--from", "2026-01-15"),
    ("report", "budget", "--version", "B1", "--per", "quarter"),
    # one currency's own amounts: the sums per currency kept per folder
    ("report", "trial-balance", "--currency", "USD", "--from", "2026-02-01"),
    ("report", "balance-sheet", "--currency", "USD", "--to", "2026-03-10"),
    ("report", "income-statement", "--currency", "EUR", "--by", "month"),
]
ACCOUNTS = ["1010", "1100", "1400", "2010", "2400", "3100", "4010", "4020", "6100", "6300", "6500"]


def _both(book: Path, args: tuple, monkeypatch) -> tuple:
    """(served, full) results of one report: the same command with the partials refused."""
    served = run(book, *args, "--format", "json")
    with monkeypatch.context() as m:
        m.setattr(ledgerdays, "attach", lambda *a, **k: False)
        full = run(book, *args, "--format", "json")
    return served, full


def _same(book: Path, monkeypatch, reports=REPORTS, as_of: tuple = ()) -> None:
    for args in reports:
        served, full = _both(book, (*args, *as_of), monkeypatch)
        assert (served.exit_code, served.stdout) == (full.exit_code, full.stdout), (args, served.stderr)
        assert served.exit_code == 0, (args, served.output)


def _served(book: Path) -> bool:
    from comptoir.book.loader import load_book
    from comptoir.book.root import find_root

    root = find_root(str(book))
    return ledgerdays.attach(root, load_book(root, kinds=("account", "rate")),
                             ledgerdays.Watch(str(book), None, None))


def _entry_text(ident: str, day: dt.date, memo: str, postings: list[tuple], reverses: str | None = None,
                tags: tuple = ()) -> str:
    lines = [f"id: {ident}", f"date: {day}", f"memo: {memo}"]
    if reverses:
        lines.append(f"reverses: {reverses}")
    if tags:
        lines.append("tags:")
        lines += [f"  - {t}" for t in tags]
    lines.append("postings:")
    for account, amount, currency, rate, partner in postings:
        lines += [f"  - account: '{account}'", f"    amount: {amount}"]
        if currency:
            lines.append(f"    currency: {currency}")
        if rate:
            lines.append(f"    rate: {rate}")
        if partner:
            lines.append(f"    partner: {partner}")
    return "\n".join(lines) + "\n"


amounts = st.integers(min_value=1, max_value=500_000).map(lambda c: Decimal(c) / 100)
entries = st.lists(st.tuples(
    st.integers(min_value=0, max_value=95),  # day from 2026-01-01: three months and a bit
    st.lists(st.tuples(st.sampled_from(ACCOUNTS), amounts), min_size=1, max_size=3),
    st.sampled_from(ACCOUNTS),  # the balancing posting
    st.sampled_from(["Rent", "Sale", "Fees", "Ads", "Loan"]),
    st.booleans(),  # the first posting in USD at a rate
    st.integers(min_value=0, max_value=4),  # 0: the entry reverses the one before it
), min_size=1, max_size=25)


BUDGET = """id: B1
name: plan
start: 2026-01
end: 2026-06
lines:
  - account: '4'
    monthly: 1000
  - account: '6100'
    monthly: 250
    months:
      2026-02: 400
  - account: '6'
    monthly: 90
"""


def _write_book(book: Path, drawn: list) -> None:
    """The drawn entries as files; an entry drawn with link 0 is also reversed (its postings
    negated, the same day or later) when it is not a reversal itself. And a budget."""
    files = {"budgets/B1.yaml": BUDGET}
    for n, (offset, postings, balance, memo, usd, link) in enumerate(drawn):
        day = dt.date(2026, 1, 1) + dt.timedelta(days=offset)
        ident = f"JE-{day:%Y%m%d}-{n:04d}"
        lines = []
        total = Decimal(0)
        for i, (account, amount) in enumerate(postings):
            if usd and i == 0:
                lines.append((account, amount, "USD", "0.9", None))
                total += (amount * Decimal("0.9")).quantize(Decimal("0.01"))
            else:
                lines.append((account, amount, None, None, "acme" if account == "1100" else None))
                total += amount
        if not total:
            continue
        lines.append((balance, -total, None, None, None))
        files[f"journal/{day:%Y}/{day:%m}/{ident}.yaml"] = _entry_text(ident, day, f"{memo} {n}", lines)
        if link == 0:
            back = day + dt.timedelta(days=offset % 7)
            undo = f"JE-{back:%Y%m%d}-R{n:03d}"
            negated = [(a, -x, c, r, p) for a, x, c, r, p in lines]
            files[f"journal/{back:%Y}/{back:%m}/{undo}.yaml"] = _entry_text(undo, back, f"Undo {n}", negated, ident)
    write(book, files)


def _shows(book: Path, rev: str | None = None) -> list[tuple]:
    """`journal show` of the first entry, of an entry reversing another and of the one it reverses
    (in the working tree, or at `rev`): served from the month folders the reversal links name."""
    if rev is None:
        files = {p.relative_to(book).as_posix(): p.read_text() for p in (book / "journal").rglob("*.yaml")}
    else:
        files = {n: git(book, "show", f"{rev}:{n}") for n in git(book, "ls-tree", "-r", "--name-only", rev, "journal").split()}
    ids = sorted(Path(n).stem for n in files)
    undoing = sorted(n for n, text in files.items() if "\nreverses: " in text)[:1]
    picked = ids[:1] + [Path(n).stem for n in undoing]
    picked += [files[n].split("\nreverses: ")[1].split("\n")[0].strip("'") for n in undoing]
    return [("journal", "show", i) for i in dict.fromkeys(picked) if i in ids]


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=entries, cut=st.integers(min_value=0, max_value=24))
def test_random_books_give_the_same_reports(monkeypatch, drawn, cut):
    """A random committed book, then a dirty tree on top of it (an edited file, a new one), then
    the first commit read --as-of: every report served from partials equals the full read."""
    folder = Path(tempfile.mkdtemp(prefix="comptoir-partials-"))
    try:
        book = folder / "books"
        copy_book(_template("", None)[0], book)
        _write_book(book, drawn[:cut] or drawn[:1])
        commit_all(book, "first")
        first = git(book, "rev-parse", "HEAD").strip()
        _write_book(book, drawn)
        git(book, "add", "-A")
        git(book, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "2")
        checked = run(book, "validate")
        assert checked.exit_code == 0, checked.output
        assert _served(book)
        _same(book, monkeypatch)
        _same(book, monkeypatch, _shows(book))
        # dirty: one committed entry edited, one new entry in a month no commit has
        journal = sorted((book / "journal").rglob("*.yaml"))
        edited = journal[len(journal) // 2]
        edited.write_text(edited.read_text().replace("memo: ", "memo: edited "))
        write(book, {"journal/2026/05/JE-20260502-NEW1.yaml": _entry_text(
            "JE-20260502-NEW1", dt.date(2026, 5, 2), "Late", [("6100", Decimal("12.34"), None, None, None),
                                                              ("1010", Decimal("-12.34"), None, None, None)])})
        assert _served(book)
        _same(book, monkeypatch, [*REPORTS, *_shows(book)])
        _same(book, monkeypatch, [*REPORTS, *_shows(book, first)], as_of=("--as-of", first))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _by_hand() -> dict[str, str]:
    """Capital 1,000.00 in January; a sale of 240.00 and rent of 90.00 in February."""
    return {
        "journal/2026/01/JE-20260105-AAAA.yaml": _entry_text(
            "JE-20260105-AAAA", dt.date(2026, 1, 5), "Capital", [("1010", Decimal("1000.00"), None, None, None),
                                                                 ("3100", Decimal("-1000.00"), None, None, None)]),
        "journal/2026/02/JE-20260210-BBBB.yaml": _entry_text(
            "JE-20260210-BBBB", dt.date(2026, 2, 10), "Sale", [("1010", Decimal("240.00"), None, None, None),
                                                               ("4010", Decimal("-240.00"), None, None, None)]),
        "journal/2026/02/JE-20260220-CCCC.yaml": _entry_text(
            "JE-20260220-CCCC", dt.date(2026, 2, 20), "Rent", [("6100", Decimal("90.00"), None, None, None),
                                                               ("1010", Decimal("-90.00"), None, None, None)]),
    }


def test_served_reports_read_no_entry_and_match_figures_worked_out_by_hand(book, monkeypatch):
    """Three entries by hand: the served reports show the figures worked out below, and no
    journal entry is read (the scoped book refuses access to entries)."""
    write(book, _by_hand())
    commit_all(book)
    from comptoir.model import Book

    def no_entries(self, kind):  # a served report must not fall back to reading the journal
        raise AssertionError(f"read {kind}")

    import json

    assert _served(book)
    with monkeypatch.context() as m:
        original = Book.of
        m.setattr(Book, "of", lambda self, kind: no_entries(self, kind) if kind == "journal" else original(self, kind))
        bs = json.loads(run(book, "report", "balance-sheet", "--format", "json").stdout)
        assert bs["summary"]["assets"] == "1150.00"  # 1000 + 240 - 90
        assert bs["summary"]["result"] == "150.00"  # 240 - 90
        assert bs["balanced"] is True
        inc = json.loads(run(book, "report", "income-statement", "--period", "2026-02", "--format", "json").stdout)
        assert inc["summary"]["net_income"] == "150.00"
        led = json.loads(run(book, "report", "ledger", "1010", "--from", "2026-02-01", "--format", "json").stdout)
        assert [r["balance"] for r in led["rows"]] == ["1000.00", "1240.00", "1150.00"]  # opening, +240, -90
        jr = json.loads(run(book, "report", "journal", "--period", "2026-02", "--format", "json").stdout)
        assert sorted({r["id"] for r in jr["rows"]}) == ["JE-20260210-BBBB", "JE-20260220-CCCC"]
        jl = json.loads(run(book, "journal", "list", "--account", "6", "--format", "json").stdout)
        assert [r["id"] for r in jl["rows"]] == ["JE-20260220-CCCC"]
        assert jl["rows"][0]["amount"] == "90.00"


def test_a_misfiled_entry_is_left_to_the_full_read(book, monkeypatch):
    write(book, {"journal/2026/03/JE-20260210-DDDD.yaml": _entry_text(
        "JE-20260210-DDDD", dt.date(2026, 2, 10), "Misfiled", [("6100", Decimal("5.00"), None, None, None),
                                                               ("1010", Decimal("-5.00"), None, None, None)])})
    commit_all(book)
    assert not _served(book)  # the February report must see it: the full read does, and says it is misfiled
    _same(book, monkeypatch, [("report", "journal", "--period", "2026-02"), ("report", "balance-sheet")])


@pytest.mark.parametrize("args", [("report", "ledger", "1010"), ("journal", "list", "--period", "2026-11")])
def test_the_demo_reports_are_served_and_equal(args, monkeypatch, tmp_path):
    demo = Path(__file__).resolve().parent.parent / "ledger-data"
    if not (demo / ".git").exists() and not (demo.parent / ".git").exists():
        pytest.skip("the demo is not in a repository here")
    _same(demo, monkeypatch, [args])


def test_cash_flow_is_served_from_cash_moves_kept_per_folder(book, monkeypatch):
    """Capital, a sale, rent and a revaluation of the bank's dollars by hand: the cash flow of
    February by both methods shows the figures worked out below, reads no entry and holds no
    posting row (what it reads of the postings is kept per folder), and equals the full read."""
    write(book, {
        **_by_hand(),
        "journal/2026/02/JE-20260228-DDDD.yaml": "id: JE-20260228-DDDD\ndate: 2026-02-28\nmemo: Revaluation\n"
        "postings:\n  - account: '1010'\n    amount: 0\n    currency: USD\n    value: 15.00\n"
        "  - account: '4020'\n    amount: -15.00\n",
    })
    commit_all(book)
    assert run(book, "validate").exit_code == 0
    import json

    from comptoir.model import Book

    def no_entries(self, kind):
        raise AssertionError(f"read {kind}")

    feb = ("--from", "2026-02-01", "--to", "2026-02-28", "--format", "json")
    assert run(book, "report", "cash-flow").exit_code == 0  # keeps every folder's cash moves (from its rows)
    with monkeypatch.context() as m:
        original = Book.of
        m.setattr(Book, "of", lambda self, kind: no_entries(self, kind) if kind == "journal" else original(self, kind))
        m.setattr(ledgerdays, "_posting_rows", lambda rows: no_entries(None, "posting rows"))
        m.setattr(ledgerdays, "unpack", lambda raw: no_entries(None, "posting rows"))
        direct = json.loads(run(book, "report", "cash-flow", "--method", "direct", *feb).stdout)
        indirect = json.loads(run(book, "report", "cash-flow", *feb).stdout)
    lines = {(r["section"], r["name"]): r["amount"] for r in direct["rows"]}
    assert lines[("Operating activities", "Sales revenue")] == "240.00"
    assert lines[("Operating activities", "Rent")] == "-90.00"
    assert lines[("Effect of exchange rates on cash", "Exchange differences on foreign-currency cash")] == "15.00"
    assert direct["totals"]["amount"] == "165.00"  # 240 - 90 + 15
    assert direct["summary"] == {"opening_cash": "1000.00", "net_change": "165.00", "closing_cash": "1165.00"}
    assert direct["reconciles"] is True
    lines = {(r["section"], r["name"]): r["amount"] for r in indirect["rows"]}
    assert lines[("Operating activities", "Net income")] == "165.00"  # 240 + 15 - 90
    assert lines[("Operating activities", "Exchange differences on cash (not a cash movement)")] == "-15.00"
    assert indirect["totals"]["amount"] == "165.00"
    _same(book, monkeypatch, [("report", "cash-flow", "--method", "direct", *feb[:-2]), ("report", "cash-flow")])


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=entries, misfiled=st.integers(min_value=0, max_value=30))
def test_the_journal_export_read_a_folder_at_a_time_equals_the_full_read(monkeypatch, drawn, misfiled):
    """`export hledger` and `export beancount` read the journal a folder at a time: on a random book, committed then
    dirty (an unreadable file, an entry filed in the wrong month) and --as-of, its output and its
    warnings equal the full read's, with and without a start date."""
    from comptoir.commands import export
    from comptoir.domain import beancount_export, hledger

    folder = Path(tempfile.mkdtemp(prefix="comptoir-export-"))
    try:
        book = folder / "books"
        copy_book(_template("", None)[0], book)
        _write_book(book, drawn)
        commit_all(book, "first")
        first = git(book, "rev-parse", "HEAD").strip()

        def same(*args: str, streams: bool = False) -> None:
            for command, *options in (("hledger",), ("hledger", "--from", "2026-02-01"),
                                      ("hledger", "--year", "2026"), ("beancount",)):
                with monkeypatch.context() as m:
                    if streams:  # no full read
                        m.setattr(hledger, "hledger_journal", lambda *a: pytest.fail("read the whole journal"))
                        m.setattr(beancount_export, "beancount_ledger", lambda *a: pytest.fail("read it whole"))
                    streamed = run(book, "export", command, *options, *args)
                with monkeypatch.context() as m:
                    m.setattr(export, "_streamed", lambda *a: False)
                    full = run(book, "export", command, *options, *args)
                assert (streamed.exit_code, streamed.stdout, streamed.stderr) == \
                    (full.exit_code, full.stdout, full.stderr), options

        same(streams=True)
        day = dt.date(2026, 1, 1) + dt.timedelta(days=misfiled * 3)
        moved = dt.date(2026, 2 if day.month != 2 else 3, 1)
        write(book, {f"journal/{moved:%Y}/{moved:%m}/JE-{day:%Y%m%d}-MISF.yaml": _entry_text(
            f"JE-{day:%Y%m%d}-MISF", day, "Misfiled", [("6100", Decimal("7.00"), None, None, None),
                                                       ("1010", Decimal("-7.00"), None, None, None)]),
            "journal/2026/01/JE-20260102-BAD1.yaml": "id: JE-20260102-BAD1\ndate: [not a date\n"})
        same()
        same("--as-of", first)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_journal_show_reads_the_months_of_the_entry_and_its_reversal(book, monkeypatch):
    """An entry of January reversed in March, one in February: `journal show` reads the entry's
    file and its reverser's only (the reversal link from the day totals kept per folder, which
    serve a book only when every id is in one file), never the journal, and shows the link both ways; an id the writer would not give is looked for in
    every folder, as before."""
    from comptoir.book import loader

    write(book, {
        "journal/2026/01/JE-20260110-AAAA.yaml": _entry_text(
            "JE-20260110-AAAA", dt.date(2026, 1, 10), "Rent", [("6100", Decimal("90.00"), None, None, None),
                                                             ("1010", Decimal("-90.00"), None, None, None)]),
        "journal/2026/02/JE-20260203-BBBB.yaml": _entry_text(
            "JE-20260203-BBBB", dt.date(2026, 2, 3), "Other", [("6100", Decimal("5.00"), None, None, None),
                                                              ("1010", Decimal("-5.00"), None, None, None)]),
        "journal/2026/03/JE-20260302-CCCC.yaml": _entry_text(
            "JE-20260302-CCCC", dt.date(2026, 3, 2), "Undo", [("6100", Decimal("-90.00"), None, None, None),
                                                             ("1010", Decimal("90.00"), None, None, None)],
            "JE-20260110-AAAA"),
    })
    commit_all(book)
    assert run(book, "report", "trial-balance").exit_code == 0  # the day totals kept
    loads = []
    original = loader.load_book

    def recorded(*args, **kwargs):
        loads.append((kwargs.get("kinds"), kwargs.get("folders")))
        return original(*args, **kwargs)

    monkeypatch.setattr(loader, "load_book", recorded)
    shown = json.loads(run(book, "journal", "show", "JE-20260110-AAAA", "--format", "json").stdout)
    assert shown["reversed_by"] == ["JE-20260302-CCCC"] and "reversed by: JE-20260302-CCCC" in shown["notes"]
    assert [(r["account"], r["debit"], r["credit"]) for r in shown["rows"]] == [
        ("6100", "90.00", None), ("1010", None, "90.00")]
    journal_reads = [folders for kinds, folders in loads if kinds is None or "journal" in kinds]
    assert journal_reads == [["journal/2026/01/JE-20260110-AAAA.yaml", "journal/2026/03/JE-20260302-CCCC.yaml",
                              "accounts", "rates"]], loads
    count = _Count(monkeypatch)  # the files under the one status the day totals asked
    assert run(book, "journal", "show", "JE-20260110-AAAA").exit_code == 0
    assert sum(1 for c in count.calls if c[0] == "status") <= 1, count.calls
    back = json.loads(run(book, "journal", "show", "JE-20260302-CCCC", "--format", "json").stdout)
    assert back["reverses"] == "JE-20260110-AAAA" and back["reversed_by"] == []
