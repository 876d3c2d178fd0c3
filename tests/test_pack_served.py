"""`report pack` without a full read (cli/app/pack.py): each page from the book its report's
command serves from partials, whether the book validates from the verdict kept for its tree or
the streamed check, the default period from the day totals. The site and the workbook are the
ones the pack built from one whole book (random books, committed, dirty and --as-of), and a
served pack on a book known clean reads no journal entry, stock move, document, lead or activity."""

from __future__ import annotations

import re
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from comptoir.app import pack as served_pack

from .conftest import commit_all, demo_book, from_template, git, run, write

# the folders whose files a random book leaves out (the others then name records that are not there)
FOLDERS = ("journal", "stock", "sales", "purchasing", "payments", "crm", "hr/payroll", "budgets", "applications")


def _demo(folder: Path) -> Path:
    """The demo company committed (once per process) in a repository of its own."""
    return demo_book(folder / "demo")


def _validated(root: Path, scratch: Path) -> None:
    shutil.rmtree(root)
    demo_book(root)
    assert run(root, "validate").exit_code == 0


def _demo_validated(folder: Path) -> Path:
    """The demo company committed and found clean by `validate` (its verdict kept for its tree):
    validated once per process, copied with its store."""
    book = folder / "demo"
    book.mkdir()
    return from_template(book, "pack_served.validated", _validated)


def _files(book: Path) -> list[Path]:
    return sorted(p for f in FOLDERS for p in (book / f).rglob("*.yaml"))


def _whole(monkeypatch) -> None:
    """The pack as it was built: every page from one whole book, the whole book checked."""
    def errors(env, as_of, probe):
        from comptoir.domain.validation import check

        env.whole_book = env.book(as_of)  # read once, as the pack read it
        return sum(1 for p in check(env.whole_book) if p.severity == "error")

    monkeypatch.setattr(served_pack, "books", lambda env, as_of, today, probe=None: served_pack.Whole(env.whole_book))
    monkeypatch.setattr(served_pack, "errors", errors)


def _site(book: Path, out: Path, *args: str) -> tuple:
    """(exit code, stderr, every page's text without the time it was built, every sheet's cells)."""
    from openpyxl import load_workbook

    res = run(book, "report", "pack", "--out", out, *args)
    stderr = res.stderr.replace(str(out), "OUT")
    pages = {p.name: re.sub(r"built \d{4}-\d\d-\d\d \d\d:\d\d UTC", "built -", p.read_text())
             for p in sorted(out.glob("*.html"))}
    sheets = {}
    if (out / "reports.xlsx").exists():
        workbook = load_workbook(out / "reports.xlsx")
        sheets = {name: [[c.value for c in row] for row in workbook[name].iter_rows()] for name in workbook.sheetnames}
    shutil.rmtree(out, ignore_errors=True)
    return res.exit_code, stderr, pages, sheets


def _same(book: Path, monkeypatch, tmp: Path, *args: str) -> tuple:
    served = _site(book, tmp / "served", *args)
    with monkeypatch.context() as m:
        _whole(m)
        whole = _site(book, tmp / "whole", *args)
    assert served[0] == 0, served[1]
    assert served[:2] == whole[:2], args
    assert served[2].keys() == whole[2].keys(), args
    for name in served[2]:
        assert served[2][name] == whole[2][name], (args, name)
    assert served[3] == whole[3], args
    return served


@settings(max_examples=1, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])  # six packs an example (a new one each run); no shrinking
@given(gone=st.sets(st.integers(min_value=0, max_value=599), max_size=40),
       later=st.sets(st.integers(min_value=0, max_value=599), max_size=10),
       edited=st.integers(min_value=0, max_value=10_000),
       day=st.sampled_from(["2026-11-28", "2026-10-15"]),
       period=st.sampled_from([(), ("--period", "2026-10"), ("--from", "2026-09-15")]))
def test_random_books_give_the_pack_of_the_whole_book(monkeypatch, gone, later, edited, day, period):
    """The demo company less a random set of its records (entries, moves, documents, payments,
    leads, payroll runs, budgets), committed; then dirty (more records gone, an entry edited, an
    entry no commit has); then --as-of the first commit; with a period or not: every page and
    sheet is the one the whole book gives, and so is the verdict."""
    folder = Path(tempfile.mkdtemp(prefix="comptoir-pack-"))
    try:
        book = _demo(folder)
        files = _files(book)
        for n in gone:
            if n < len(files):
                files[n].unlink()
        if git(book, "status", "--porcelain"):
            commit_all(book, "first")
        first = git(book, "rev-parse", "HEAD").strip()
        _same(book, monkeypatch, folder, "--date", day, *period)
        files = _files(book)
        for n in later:
            if n < len(files):
                files[n].unlink()
        journal = sorted((book / "journal").rglob("*.yaml"))
        entry = journal[edited % len(journal)]
        entry.write_text(entry.read_text().replace("memo: ", "memo: edited ", 1))
        write(book, {"journal/2026/11/JE-20261127-PACK.yaml": (
            "id: JE-20261127-PACK\ndate: 2026-11-27\nmemo: Late\npostings:\n"
            "- account: '6100'\n  amount: 12.34\n- account: '1010'\n  amount: -12.34\n")})
        _same(book, monkeypatch, folder, "--date", day, *period)
        _same(book, monkeypatch, folder, "--date", day, "--as-of", first, *period)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_broken_book_says_so_like_the_whole_check(monkeypatch, tmp_path):
    """An unbalanced entry and an unreadable one (the payroll run that names it then names an
    entry that is not there), uncommitted: the streamed check finds the three errors the whole
    check finds, and the header says so."""
    book = _demo(tmp_path)
    journal = sorted((book / "journal").rglob("*.yaml"))
    journal[3].write_text(journal[3].read_text().replace("amount: ", "amount: 1", 1))
    journal[9].write_text("id: [unclosed\n")
    _, stderr, pages, _ = _same(book, monkeypatch, tmp_path, "--date", "2026-11-28")
    assert "validate FAILED (3 errors)" in pages["index.html"]
    assert "validate FAILED." in stderr


def _forbid_large(monkeypatch) -> list[str]:
    """Validating a journal entry, stock move, invoice, credit note, bill, payment, lead or activity
    (reading one), or reading the whole book, fails the command; returns what was read."""
    from comptoir.book import loader
    from comptoir.schemas import accounting, crm, inventory, payments, purchasing, sales

    read: list[str] = []
    for model in (accounting.JournalEntry, inventory.StockMove, sales.Invoice, sales.CreditNote, purchasing.Bill,
                  payments.Payment, crm.Lead, crm.Activity):
        def refuse(*a, model=model, **k):
            read.append(model.__name__)
            raise AssertionError(f"the pack validated a {model.__name__}")

        monkeypatch.setattr(model, "model_validate", classmethod(refuse))
    load = loader.load_book

    def guarded_load(*args, **kwargs):
        if kwargs.get("kinds") is None:
            read.append("book")
            raise AssertionError("the pack read the whole book")
        return load(*args, **kwargs)

    monkeypatch.setattr(loader, "load_book", guarded_load)
    return read


def test_a_book_known_clean_is_packed_without_reading_a_large_kind(monkeypatch, tmp_path):
    """The structure: on the demo company committed, once `validate` has found it clean (the
    verdict kept for its tree), the pack reads no journal entry, stock move, document, payment,
    lead or activity, and not the whole book; its site is the whole book's. And what lived before
    the pack is collected once and set aside (gc.freeze): the collections that free each page's
    book before the next is read walk the books alone; the objects are given back at the end,
    and when the pack fails."""
    import gc

    import comptoir.reportpack as reportpack

    book = _demo_validated(tmp_path)
    expected = _site(book, tmp_path / "served", "--date", "2026-11-28")  # the store warm (the random test
    frozen: list[int] = []  # compares the served pack with the whole book's)
    collect = gc.collect
    with monkeypatch.context() as m:
        read = _forbid_large(m)
        m.setattr(gc, "collect", lambda *a: frozen.append(gc.get_freeze_count()) or collect(*a))
        packed = _site(book, tmp_path / "guarded", "--date", "2026-11-28")
    assert expected[0] == 0 and "validate passed" in expected[2]["index.html"]
    assert read == [] and packed[:1] + packed[2:] == expected[:1] + expected[2:]
    assert len(frozen) >= 5 and frozen[0] == 0 and all(n > 0 for n in frozen[1:]), frozen
    assert gc.get_freeze_count() == 0
    monkeypatch.setattr(reportpack, "build_pages", lambda *a: 1 / 0)
    assert run(book, "report", "pack", "--out", tmp_path / "again", "--date", "2026-11-28").exit_code != 0
    assert gc.get_freeze_count() == 0


def test_a_dirty_book_is_checked_streamed_not_read_whole(monkeypatch, tmp_path):
    """An uncommitted edit: no verdict holds, the check streams the journal (never the whole
    book), and the pages are still served."""
    from comptoir.domain import validation

    book = _demo_validated(tmp_path)
    entry = sorted((book / "journal").rglob("*.yaml"))[5]
    entry.write_text(entry.read_text().replace("memo: ", "memo: edited ", 1))
    expected = _site(book, tmp_path / "served", "--date", "2026-11-28")
    streamed = []
    with monkeypatch.context() as m:
        check = validation.check_streamed
        m.setattr(validation, "check_streamed", lambda *a: streamed.append(1) or check(*a))
        from comptoir.book import loader

        load = loader.load_book

        def guarded_load(*args, **kwargs):
            assert kwargs.get("kinds") is not None, "the pack read the whole book"
            return load(*args, **kwargs)

        m.setattr(loader, "load_book", guarded_load)
        packed = _site(book, tmp_path / "guarded", "--date", "2026-11-28")
    assert streamed == [1] and packed[:1] + packed[2:] == expected[:1] + expected[2:]


def test_the_default_period_and_figures_worked_out_by_hand(book, tmp_path):
    """Two entries, 2026-03-05 and 2026-11-02: the period runs from the first to the last (the
    fiscal year so far, from the day totals), and the income statement shows 30.00 of rent."""
    from .finance_helpers import post

    post(book, "2026-03-05", "Rent", "6100 10.00", "1010")
    post(book, "2026-11-02", "Rent", "6100 20.00", "1010")
    out = tmp_path / "site"
    res = run(book, "report", "pack", "--out", out, "--date", "2026-11-28")
    assert res.exit_code == 0, res.output
    text = (out / "income-statement.html").read_text()
    assert "Period 2026-03-05 to 2026-11-02" in text and "validate passed" in text
    assert ">30.00<" in text
    from openpyxl import load_workbook

    sheet = load_workbook(out / "reports.xlsx")["trial-balance"]
    cells = {row[0].value: [c.value for c in row] for row in sheet.iter_rows(min_row=2) if row[0].value}
    assert Decimal(str(cells["6100"][4])) == Decimal("30.00")  # debit
    assert Decimal(str(cells["6100"][6])) == Decimal("30.00")  # closing
    assert Decimal(str(cells["1010"][5])) == Decimal("30.00")  # credit


def test_payroll_and_stock_out_reports_read_what_their_pages_read(monkeypatch, tmp_path):
    """`report payroll` reads the runs, employees and departments, `report stock-out` the stock
    folders' levels and consumption with the providers' kinds, as their pages do: on the demo
    company, committed and dirty, each equals the full read, and validates no entry or move."""
    from comptoir.app import stockreports
    from comptoir.domain.hr import reports

    reports_ = [("report", "payroll", "--year", "2026"), ("report", "payroll", "--per", "month", "--by", "employee"),
                ("report", "stock-out", "--date", "2026-11-28"), ("report", "stock-out", "--days", "30")]
    book = _demo(tmp_path)
    for dirty in (False, True):
        if dirty:
            move = sorted((book / "stock").rglob("*.yaml"))[-1]
            move.write_text(move.read_text().replace("qty: ", "qty: 1", 1))
        for args in reports_:
            served = run(book, *args, "--format", "json")
            with monkeypatch.context() as m:
                m.setattr(reports, "READS", {"payroll_summary": None})
                m.setattr(stockreports, "_attach", lambda *a, **k: False)
                full = run(book, *args, "--format", "json")
            assert (served.exit_code, served.stdout) == (0, full.stdout), (args, served.stderr)
    commit_all(book, "a move changed")
    for args in reports_:
        expected = run(book, *args, "--format", "json").stdout
        with monkeypatch.context() as m:
            read = _forbid_large(m)
            assert run(book, *args, "--format", "json").stdout == expected and read == [], args

