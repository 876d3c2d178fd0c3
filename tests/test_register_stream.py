"""The register, the general ledger, the journal report and `journal list` of a served book make
their rows folder by folder as they are written (comptoir.domain.table.Rows; the table and
Markdown in two passes, column widths then lines): their output in every format is the output
of the same report held whole (the full read), on the demo and on random books, and no more
than about one journal folder's posting rows are alive while it is written."""

from __future__ import annotations

import datetime as dt
import gc
import json
import shutil
import tempfile
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir import render as render_module
from comptoir.app import ledgerdays
from comptoir.domain import ledger
from comptoir.domain.table import Column, Rows, Table, money, text

from .conftest import _template, commit_all, copy_book, examples, head, run, write
from .test_report_partials import _entry_text, _write_book, entries

FORMATS = ("table", "json", "csv", "markdown")
STREAMED = [
    ("report", "register"),
    ("report", "register", "--from", "2026-02-01", "--text", "a"),
    ("report", "register", "--account", "6", "--depth", "1"),
    ("report", "ledger", "1010"),
    ("report", "ledger", "1", "--from", "2026-02-01", "--to", "2026-03-15"),
    ("report", "ledger", "1010", "--currency", "USD"),
    ("report", "journal"),
    ("report", "journal", "--from", "2026-01-20", "--to", "2026-03-10"),
    ("report", "journal", "--currency", "USD"),
    ("journal", "list"),
    ("journal", "list", "--account", "4", "--text", "a"),
]
DEMO = Path(__file__).resolve().parent.parent / "ledger-data"


def _both(book: Path, args: tuple, monkeypatch) -> tuple:
    """(served and streamed, full read and held whole) results of one command; and whether the
    served one was written as it came (render_stream) and the full one was not."""
    calls: list[str] = []
    streamed = render_module.render_stream

    def spy(table, fmt):
        calls.append(table.name)
        return streamed(table, fmt)

    with monkeypatch.context() as m:
        m.setattr(render_module, "render_stream", spy)
        served = run(book, *args)
        made_as_read = bool(calls)
        calls.clear()
        m.setattr(ledgerdays, "attach", lambda *a, **k: False)
        full = run(book, *args)
        assert not calls  # the full read's rows are a list: rendered whole, as before
    return served, full, made_as_read


def _same(book: Path, monkeypatch, commands=STREAMED, formats=FORMATS) -> None:
    for args in commands:
        for fmt in formats:
            served, full, made_as_read = _both(book, (*args, "--format", fmt), monkeypatch)
            assert served.exit_code == 0, (args, fmt, served.output)
            assert (served.exit_code, served.stdout, served.stderr) == (full.exit_code, full.stdout, full.stderr), \
                (args, fmt)
            assert made_as_read, (args, fmt)


@contextmanager
def _random_book(drawn, prefix: str):
    """(its folder, a book of the drawn entries committed) in a folder of its own, removed after:
    hypothesis runs every example of a test in the test's one tmp_path."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        book = folder / "books"
        copy_book(_template("", None)[0], book)
        _write_book(book, drawn)
        commit_all(book, "random")
        yield folder, book
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=entries)
def test_random_books_stream_what_the_whole_table_shows(monkeypatch, drawn):
    with _random_book(drawn, "comptoir-stream-") as (_, book):
        assert run(book, "validate").exit_code == 0
        with monkeypatch.context() as m:  # too many rows to hold: made again for the second pass,
            m.setattr(ledger, "HOLD_ROWS", 0)  # from the store each time
            m.setattr(ledgerdays, "HOLD_PACKED", 0)
            _same(book, monkeypatch)
        # dirty: an edited entry and one in a month no commit has (their folders read from the
        # files); few enough rows to hold, made once for both passes
        journal = sorted((book / "journal").rglob("*.yaml"))
        edited = journal[len(journal) // 2]
        edited.write_text(edited.read_text().replace("memo: ", "memo: edited "))
        write(book, {"journal/2026/05/JE-20260502-NEW1.yaml": _entry_text(
            "JE-20260502-NEW1", dt.date(2026, 5, 2), "Late", [("6100", Decimal("12.34"), None, None, None),
                                                              ("1010", Decimal("-12.34"), None, None, None)])})
        _same(book, monkeypatch, STREAMED[:4] + STREAMED[6:7] + STREAMED[9:10], ("table", "json"))


@pytest.mark.parametrize("args", [("report", "register"), ("report", "ledger", "1"), ("report", "journal"),
                                  ("journal", "list"), ("report", "register", "--year", "2026")])
def test_the_demo_streams_what_the_whole_table_shows(args, monkeypatch):
    if not (DEMO / ".git").exists() and not (DEMO.parent / ".git").exists():
        pytest.skip("the demo is not in a repository here")
    _same(DEMO, monkeypatch, [args])


def test_a_workbook_and_an_output_file_hold_the_same_rows(book, monkeypatch, tmp_path):
    """xlsx is written as the rows come (openpyxl's write-only workbook): the served rows give
    the full read's cells; --output FILE is written piece by piece, the same bytes as stdout."""
    from openpyxl import load_workbook

    write(book, {f"journal/2026/0{m}/JE-20260{m}10-X00{m}.yaml": _entry_text(
        f"JE-20260{m}10-X00{m}", dt.date(2026, m, 10), f"Sale {m}",
        [("1010", Decimal(f"{m}00.10"), None, None, None), ("4010", Decimal(f"-{m}00.10"), None, None, None)])
        for m in (1, 2, 3)})
    commit_all(book)
    sheets = []
    for served in (True, False):
        with monkeypatch.context() as m:
            if not served:
                m.setattr(ledgerdays, "attach", lambda *a, **k: False)
            target = tmp_path / f"r{served}.xlsx"
            assert run(book, "report", "ledger", "1010", "--format", "xlsx", "--output", str(target)).exit_code == 0
            sheet = load_workbook(target).active
            sheets.append([[c.value for c in row] for row in sheet.iter_rows()])
    assert sheets[0] == sheets[1]
    assert sheets[0][1][:3] == [dt.datetime(2026, 1, 10), "JE-20260110-X001", "1010"]
    assert str(sheets[0][3][-1]) == "600.3"  # 100.10 + 200.10 + 300.10, the running balance (a number)
    target = tmp_path / "register.csv"
    assert run(book, "report", "register", "--format", "csv", "--output", str(target)).exit_code == 0
    assert target.read_text() == run(book, "report", "register", "--format", "csv").stdout


def test_running_balance_and_totals_worked_out_by_hand(book):
    """Three months of sales and one rent: the ledger of 1010 from February, streamed, opens at
    the January sale and runs to the digit."""
    write(book, _three_months())
    commit_all(book)
    doc = json.loads(run(book, "report", "ledger", "1010", "--from", "2026-02-01", "--format", "json").stdout)
    assert [(r["id"], r["debit"], r["credit"], r["balance"]) for r in doc["rows"]] == [
        ("", None, None, "1000.01"), ("JE-20260210-BBBB", None, "333.33", "666.68"),
        ("JE-20260301-CCCC", "0.02", None, "666.70")]
    assert doc["totals"]["debit"] == "0.02" and doc["totals"]["credit"] == "333.33"
    assert (doc["opening"], doc["closing"]) == ("1000.01", "666.70")


def test_no_more_than_one_folder_of_posting_rows_is_alive_while_writing(book, monkeypatch):
    """The structure, not a measure: while the register of six months is written (a piece every
    ten rows), the posting rows alive are those of the folder being written, never the book's."""
    from comptoir.domain.ledger import PostingRow

    files = {}
    for month in range(1, 7):
        for n in range(12):
            ident = f"JE-2026{month:02d}{n + 1:02d}-Q{n:03d}"
            files[f"journal/2026/{month:02d}/{ident}.yaml"] = _entry_text(
                ident, dt.date(2026, month, n + 1), "alive probe",
                [("6100", Decimal(f"{n + 1}.00"), None, None, None), ("1010", Decimal(f"-{n + 1}.00"), None, None, None)])
    write(book, files)
    commit_all(book)
    assert run(book, "report", "register").exit_code == 0  # the store holds every folder's rows
    import click

    alive: list[tuple[int, int]] = []
    echo = click.echo

    def watched(message=None, *args, **kwargs):
        rows = made = 0
        for o in gc.get_objects():  # one walk of the heap for both counts
            if type(o) is PostingRow:
                rows += o.entry_memo == "alive probe"
            elif type(o) is dict:
                made += o.get("memo") == "alive probe"
        alive.append((rows, made))
        return echo(message, *args, **kwargs)

    # what lives now is set aside (gc.freeze): each count walks the objects made since, not the
    # test process's whole heap (14 walks a format); nothing of the warm-up's rows is left to miss
    gc.collect()
    assert not any(type(o) is PostingRow and o.entry_memo == "alive probe" for o in gc.get_objects())
    gc.freeze()
    try:
        for fmt in FORMATS:
            alive.clear()
            with monkeypatch.context() as m:
                m.setattr(ledger, "HOLD_ROWS", 100)  # the register's 144 rows are too many to hold
                m.setattr(render_module, "_CHUNK", 10)
                m.setattr(click, "echo", watched)
                result = run(book, "report", "register", "--format", fmt)
            assert result.exit_code == 0
            assert len(alive) >= 14, (fmt, alive)  # 144 rows, ten at a time
            assert max(r for r, _ in alive) <= 24, (fmt, alive)  # one month folder's 12 entries, 2 postings each
            assert max(d for _, d in alive) <= 10 + 1, (fmt, alive)  # the rows of one piece
        alive.clear()
        with monkeypatch.context() as m:
            m.setattr(ledger, "HOLD_ROWS", 144)  # as many as it has: held, made once
            m.setattr(render_module, "_CHUNK", 50)  # three pieces: each is a walk of the whole heap
            m.setattr(click, "echo", watched)
            assert run(book, "report", "register", "--format", "csv").exit_code == 0
        assert max(r for r, _ in alive) == 144 and max(d for _, d in alive) <= 51, alive
    finally:
        gc.unfreeze()


def _three_months(more: dict[str, str] | None = None) -> dict[str, str]:
    """A sale of 1,000.01 in January, the rent of 333.33 in February, a sale of 0.02 in March
    (and `more` files), by hand."""
    return {
        "journal/2026/01/JE-20260105-AAAA.yaml": _entry_text(
            "JE-20260105-AAAA", dt.date(2026, 1, 5), "Sale", [("1010", Decimal("1000.01"), None, None, None),
                                                              ("4010", Decimal("-1000.01"), None, None, None)]),
        "journal/2026/02/JE-20260210-BBBB.yaml": _entry_text(
            "JE-20260210-BBBB", dt.date(2026, 2, 10), "Rent", [("6100", Decimal("333.33"), None, None, None),
                                                              ("1010", Decimal("-333.33"), None, None, None)]),
        "journal/2026/03/JE-20260301-CCCC.yaml": _entry_text(
            "JE-20260301-CCCC", dt.date(2026, 3, 1), "Sale", [("1010", Decimal("0.02"), None, None, None),
                                                             ("4010", Decimal("-0.02"), None, None, None)]),
        **(more or {}),
    }


def _cells(path: Path) -> dict:
    """Every sheet's cells: value, number format and boldness; the widths and the frozen pane."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    return {sheet.title: ([[(c.value, c.number_format, bool(c.font and c.font.b)) for c in row]
                           for row in sheet.iter_rows()],
                          {k: d.width for k, d in sheet.column_dimensions.items()}, sheet.freeze_panes)
            for sheet in book.worksheets}


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=entries)
def test_random_books_give_the_full_reads_workbook(monkeypatch, drawn):
    """The posting reports as xlsx, served and written as the rows come, against the full read's
    rows held (committed, dirty, --as-of the commit): the same cells, formats, widths."""
    with _random_book(drawn, "comptoir-xlsx-") as (folder, book):
        first = head(book)
        for state in ("committed", "dirty", "as-of"):
            if state == "dirty":
                journal = sorted((book / "journal").rglob("*.yaml"))
                journal[0].write_text(journal[0].read_text().replace("memo: ", "memo: =edited ", 1))
            at = ("--as-of", first) if state == "as-of" else ()
            for args in STREAMED[:1] + STREAMED[3:4] + STREAMED[6:7] + STREAMED[9:10]:
                served, full = folder / "served.xlsx", folder / "full.xlsx"
                assert run(book, *args, *at, "--format", "xlsx", "--output", str(served)).exit_code == 0
                with monkeypatch.context() as m:
                    m.setattr(ledgerdays, "attach", lambda *a, **k: False)
                    assert run(book, *args, *at, "--format", "xlsx", "--output", str(full)).exit_code == 0
                assert _cells(served) == _cells(full), (args, state)


def _held_workbook(tables: list[Table], path: Path) -> None:
    """The workbook as render.to_xlsx wrote it before it streamed (openpyxl holding every cell):
    what the streamed one must equal."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        rows = list(table.rows)
        sheet = book.create_sheet(render_module._sheet_name(table.name, taken))
        for j, col in enumerate(table.columns, 1):
            cell = sheet.cell(row=1, column=j, value=col.header)
            cell.font = bold
            cell.data_type = "s"
            width = max([len(col.header)] + [len(render_module._human(r.get(col.key), col)) for r in rows[:200]])
            sheet.column_dimensions[cell.column_letter].width = min(60, max(8, width + 2))
        body = rows + ([table.totals] if table.totals else [])
        for i, row in enumerate(body, 2):
            for j, col in enumerate(table.columns, 1):
                cell = sheet.cell(row=i, column=j)
                render_module._xlsx_cell(cell, row.get(col.key), col)
                if table.totals and row is table.totals:
                    cell.font = bold
        sheet.freeze_panes = "A2"
        below = len(body) + 3
        for text_ in [table.title, f"as of {table.as_of}" if table.as_of else "", *table.notes]:
            if text_:
                cell = sheet.cell(row=below, column=1, value=text_)
                cell.data_type = "s"
                below += 1
    book.save(path)


# the renderer alone: rows made as they are read against the same rows held --------------------
cells = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
tables = st.lists(st.tuples(cells, cells, st.integers(min_value=-10**9, max_value=10**9)), max_size=40)


def _table(drawn: list, rows) -> Table:
    cols = [text("memo", "Memo"), text("partner", "Partner | who"), Column("n", "N", "int"),
            money("amount", "Amount", 2)]
    totals = {"memo": "Total", "amount": sum((Decimal(n) / 100 for _, _, n in drawn), Decimal(0))} if drawn else None
    return Table("probe", cols, rows, totals, title="Probe", notes=["a note"], meta={"k": "v"})


@settings(max_examples=examples(15, 60), deadline=None)  # up to 12,000 rows, in four formats three ways
@given(drawn=tables, repeat=st.sampled_from([1, 7, 300]), chunk=st.sampled_from([3, 2000]),
       keep=st.sampled_from([0, 40, 1_000_000]))
def test_rows_made_as_read_render_as_the_rows_held(drawn, repeat, chunk, keep):
    """Any text (wide, combining, right-to-left, control characters, pipes), any number of rows
    across the pieces' boundaries, the first pass's cells kept for the second or made again (all,
    or past the first ten rows): each format's text is the whole table's."""
    drawn = drawn * repeat

    def make():
        return ({"memo": a, "partner": b, "n": n, "amount": Decimal(n) / 100} for a, b, n in drawn)

    old = render_module._CHUNK, render_module._KEEP_CELLS
    render_module._CHUNK, render_module._KEEP_CELLS = chunk, keep
    try:
        for fmt in FORMATS:
            held = render_module.render(_table(drawn, list(make())), fmt)
            assert render_module.render(_table(drawn, Rows(make)), fmt) == held, fmt
            assert "".join(render_module.render_stream(_table(drawn, Rows(make, len(drawn))), fmt)) == held, fmt
    finally:
        render_module._CHUNK, render_module._KEEP_CELLS = old


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_a_table_that_fits_is_made_once_and_a_larger_one_twice(fmt, monkeypatch):
    """A table's two passes (its widths, then its lines): the rows are made once when their cells
    fit in what the renderer keeps (a register of 46,000 lines formatted once), made again when
    they do not (what it holds stays bounded), with the same text."""
    made = []

    def make():
        made.append(1)
        return ({"memo": f"row {n}", "partner": "P", "n": n, "amount": Decimal(n) / 100} for n in range(100))

    drawn = [("", "", n) for n in range(100)]
    held = render_module.render(_table(drawn, list(make())), fmt)
    made.clear()
    assert "".join(render_module.render_stream(_table(drawn, Rows(make, 100)), fmt)) == held
    assert len(made) == 1
    made.clear()
    monkeypatch.setattr(render_module, "_KEEP_CELLS", 4 * 99)  # four columns: 99 rows fit, not 100
    assert "".join(render_module.render_stream(_table(drawn, Rows(make, 100)), fmt)) == held
    assert len(made) == 2


@settings(max_examples=examples(10, 25), deadline=None)
@given(drawn=tables, repeat=st.sampled_from([1, 9]), dated=st.booleans())
def test_the_streamed_workbook_is_the_held_one(drawn, repeat, dated):
    """Any text (formulas, control characters), any number of rows across the 200 that size the
    columns, with or without totals and notes: the workbook written as the rows come holds the
    cells, formats, bold totals, widths and frozen pane of the one openpyxl held whole."""
    drawn = drawn * repeat

    def make():
        return ({"memo": a, "partner": b, "n": n, "amount": Decimal(n) / 100,
                 "day": dt.date(2026, 1, 1) + dt.timedelta(days=abs(n) % 365)} for a, b, n in drawn)

    folder = Path(tempfile.mkdtemp(prefix="comptoir-xlsx-"))
    try:
        made = []
        for rows in (list(make()), Rows(make)):
            table = _table(drawn, rows)
            table.columns.append(Column("day", "Day", "date"))
            if dated:
                table.as_of = "commit 0123456789"
            else:
                table.notes, table.title = [], ""
            made.append(table)
        _held_workbook([made[0]], folder / "held.xlsx")
        (folder / "streamed.xlsx").write_bytes(render_module.to_xlsx([made[1]]))
        assert _cells(folder / "streamed.xlsx") == _cells(folder / "held.xlsx")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# the opening balance of a register from a day: the day totals, not every earlier folder ------------
OPENINGS = [
    ("report", "ledger", "1010", "--from", "2026-02-14"),
    ("report", "ledger", "1", "--period", "2026-03"),
    ("report", "ledger", "6", "--from", "2026-03-01", "--to", "2026-03-31", "--depth", "1"),
    ("report", "register", "--from", "2026-02-01"),
    ("report", "register", "--account", "4", "--from", "2026-01-31"),
    ("report", "ledger", "1010", "--from", "2026-02-10", "--currency", "USD"),  # that currency's day sums
    ("report", "register", "--from", "2026-02-10", "--text", "a"),  # a filter: the rows before it
]


def _opening_by_hand(book: Path, args: tuple) -> Decimal:
    """The balance before --from: the postings of the whole register (no --from) dated before it."""
    start = dt.date.fromisoformat(args[args.index("--from") + 1]) if "--from" in args else \
        dt.date.fromisoformat(args[args.index("--period") + 1] + "-01")
    keep = [a for i, a in enumerate(args) if a not in ("--from", "--to", "--period")
            and (i == 0 or args[i - 1] not in ("--from", "--to", "--period"))]
    doc = json.loads(run(book, *keep, "--format", "json").stdout)
    return sum((Decimal(r["debit"] or 0) - Decimal(r["credit"] or 0) for r in doc["rows"]
                if dt.date.fromisoformat(r["date"]) < start), Decimal(0))


def _folders_read(book: Path, args: tuple, monkeypatch) -> set[str]:
    """The months (journal/YYYY/MM) whose posting rows the served report unpacked, when it read
    the book and when it wrote the rows."""
    read: set[str] = set()
    rows = ledgerdays.ServedRows

    def months(found: list) -> None:
        read.update(f"journal/{dt.date.fromordinal(r[0]):%Y/%m}" for r in found)

    def kept(self, folder, tree, accounts, found, packed=(), original=rows.add_kept):
        months(found)
        return original(self, folder, tree, accounts, found, packed)

    def held(self, found, original=rows.add_held):
        months(found)
        return original(self, found)

    def folder_rows(self, part, original=rows.folder_rows):
        found = original(self, part)
        months(found)
        return found

    with monkeypatch.context() as m:
        m.setattr(rows, "add_kept", kept)
        m.setattr(rows, "add_held", held)
        m.setattr(rows, "folder_rows", folder_rows)
        assert run(book, *args, "--format", "csv").exit_code == 0
    return read


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=entries)
def test_a_register_from_a_day_opens_with_the_day_totals(monkeypatch, drawn):
    """Random books, committed, dirty and --as-of: a register or ledger from a day equals the full
    read (every format), its opening is the postings before the day added up (in the base currency
    or, with --currency, in that currency's own amounts), and a served one reads no month folder's
    rows before the day's month (with a text filter it still reads them: the opening is then
    those rows')."""
    with _random_book(drawn, "comptoir-opening-") as (_, book):
        first = head(book)
        _same(book, monkeypatch, OPENINGS, ("json", "csv"))
        for args in OPENINGS[:6]:
            doc = json.loads(run(book, *args, "--format", "json").stdout)
            assert Decimal(doc["opening"]) == _opening_by_hand(book, args), args
            months = {f"journal/{f}" for f in ("2026/01",)} if "2026-02" in " ".join(args) or \
                "2026-03" in " ".join(args) else set()
            assert not (_folders_read(book, args, monkeypatch) & months), args
        journal = sorted((book / "journal").rglob("*.yaml"))
        journal[0].write_text(journal[0].read_text().replace("memo: ", "memo: edited ", 1))
        write(book, {"journal/2026/01/JE-20260115-OPEN.yaml": _entry_text(
            "JE-20260115-OPEN", dt.date(2026, 1, 15), "Early", [("1010", Decimal("7.07"), None, None, None),
                                                                ("4010", Decimal("-7.07"), None, None, None)])})
        _same(book, monkeypatch, OPENINGS, ("json",))
        _same(book, monkeypatch, [(*args, "--as-of", first) for args in OPENINGS], ("json",))


def test_an_opening_worked_out_by_hand_reads_only_its_months(book, monkeypatch):
    """1010 gets 1000.01 and 50.00 USD at 0.9 (45.00) in January and 0.02 in March, loses 333.33
    in February: from March its ledger opens at 711.68 (in USD at 50.00), and only March's rows
    are read."""
    write(book, _three_months({"journal/2026/01/JE-20260120-DDDD.yaml": _entry_text(
        "JE-20260120-DDDD", dt.date(2026, 1, 20), "Sale", [("1010", Decimal("50.00"), "USD", "0.9", None),
                                                          ("4010", Decimal("-45.00"), None, None, None)])}))
    commit_all(book)
    assert run(book, "report", "ledger", "1010").exit_code == 0  # every folder's rows kept
    doc = json.loads(run(book, "report", "ledger", "1010", "--period", "2026-03", "--format", "json").stdout)
    assert (doc["opening"], doc["closing"]) == ("711.68", "711.70")
    assert [(r["id"], r["balance"]) for r in doc["rows"]] == [("", "711.68"), ("JE-20260301-CCCC", "711.70")]
    assert _folders_read(book, ("report", "ledger", "1010", "--period", "2026-03"), monkeypatch) == {"journal/2026/03"}
    usd = ("report", "ledger", "1010", "--period", "2026-03", "--currency", "USD")
    doc = json.loads(run(book, *usd, "--format", "json").stdout)
    assert (doc["opening"], doc["closing"]) == ("50.00", "50.00")
    assert _folders_read(book, usd, monkeypatch) == {"journal/2026/03"}  # its rows of 1010, EUR and USD
    from comptoir.model import Book

    with monkeypatch.context() as m:  # the USD day sums come from the journal months' partials
        of = Book.of
        m.setattr(Book, "of", lambda self, kind: (_ for _ in ()).throw(AssertionError("read the journal"))
                  if kind == "journal" else of(self, kind))
        assert json.loads(run(book, *usd, "--format", "json").stdout)["opening"] == "50.00"


def test_a_served_register_reads_each_months_rows_from_the_store_once(book, monkeypatch):
    """The rows of the accounts asked are held packed as the book is read (up to HOLD_PACKED):
    the report's passes do not read each month's rows of every account from the store again."""
    from comptoir.book.store import Store

    write(book, _three_months())
    commit_all(book)
    expected = run(book, "report", "ledger", "1010", "--format", "csv").stdout  # the store keeps every month's rows
    reads: list[str] = []
    get = Store.get

    def counted(self, derivation, *inputs):
        if derivation.what == ledgerdays.ROWS.what:
            reads.append(inputs[0])
        return get(self, derivation, *inputs)

    for hold, times in ((ledgerdays.HOLD_PACKED, 1), (0, 3)):  # as the book is read (and for each pass)
        reads.clear()
        with monkeypatch.context() as m:
            m.setattr(Store, "get", counted)
            m.setattr(ledgerdays, "HOLD_PACKED", hold)
            m.setattr(ledger, "HOLD_ROWS", 0)  # the register's two passes both read the rows
            assert run(book, "report", "ledger", "1010", "--format", "csv").stdout == expected
        months = sorted(set(reads))
        assert months and all(reads.count(f) == times for f in months), (hold, reads)
