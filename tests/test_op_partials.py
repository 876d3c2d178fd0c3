"""The operational reports served from partials kept per folder in the one store
(cli/app/partials.py, cli/app/stockreports.py, ...) equal the same reports computed by a full
read: on random books (hypothesis), on dirty trees, and at old revisions (--as-of)."""

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

from comptoir.app import stockreports

from .conftest import _template, commit_all, copy_book, demo_book, examples, git, run, write

STOCK_REPORTS = [
    ("report", "stock-balance"),
    ("report", "stock-balance", "--date", "2026-02-10"),
    ("report", "stock-balance", "--date", "2026-01-31"),
    ("report", "stock-balance", "--item", "BEAN", "--date", "2026-03-15"),
    ("report", "stock-balance", "--warehouse", "W2"),
    ("report", "stock-ledger"),
    ("report", "stock-ledger", "--item", "CUP"),
    ("report", "stock-ledger", "--from", "2026-02-05", "--to", "2026-03-20"),
    ("report", "stock-ledger", "--period", "2026-02", "--warehouse", "W1"),
    ("report", "stock-ledger", "--year", "2026", "--item", "BEAN"),
    ("report", "overview"),
    ("report", "overview", "--date", "2026-02-20"),
    ("item", "list"),
    ("warehouse", "list"),
    ("report", "reorder"),
    ("report", "reorder", "--date", "2026-02-20"),
    ("item", "show", "BEAN"),
    ("item", "show", "MUG"),
]
ITEMS = ["BEAN", "CUP", "MUG"]
WAREHOUSES = ["W1", "W2"]


def _refuse(monkeypatch) -> None:
    """Every served path answers "read the whole book"."""
    from comptoir.app import docfacts, ledgerdays, openitems, overview

    for module in (stockreports, openitems, overview):
        monkeypatch.setattr(module, "_attach", lambda *a, **k: False)
    monkeypatch.setattr(ledgerdays, "attach", lambda *a, **k: False)
    monkeypatch.setattr(docfacts, "attach", lambda *a, **k: False)


def _unvalidated(m, models, who: str = "a served report") -> None:
    """`models` refuse to validate a record while `m` (a monkeypatch context) lasts: what a
    served read must not do."""
    for model in models:
        def refuse(*a, model=model, **k):
            raise AssertionError(f"{who} validated a {model.__name__}")

        m.setattr(model, "model_validate", classmethod(refuse))


def _same(book: Path, monkeypatch, reports: list, as_of: tuple = ()) -> None:
    for args in reports:
        served = run(book, *args, *as_of, "--format", "json")
        with monkeypatch.context() as m:
            _refuse(m)
            full = run(book, *args, *as_of, "--format", "json")
        assert (served.exit_code, served.stdout) == (full.exit_code, full.stdout), (args, served.stderr)


def _stock_served(book: Path, as_of: str | None = None) -> bool:
    from comptoir.app import ledgerdays
    from comptoir.context import Env

    env = Env(repo=str(book))
    loaded = env.book(as_of, kinds=("account", "rate", "item", "warehouse"))
    return stockreports._attach(env.root(), loaded, ledgerdays.Watch(str(book), None, as_of, also=("stock",)),
                                (None,), (None, None, None))


def _overview_served(book: Path, day: dt.date, as_of: str | None = None) -> bool:
    from comptoir.app import ledgerdays, overview, stockreports
    from comptoir.context import Env
    from comptoir.domain.overview import READS

    env = Env(repo=str(book))
    loaded = env.book(as_of, kinds=READS)
    return overview._attach(env.root(), loaded, ledgerdays.Watch(str(book), None, as_of, also=(stockreports.FOLDER,)),
                            day)


def _move_text(ident: str, day: dt.date, seq: int, type_: str, item: str, qty: Decimal, value: Decimal,
               source: str | None, target: str | None, variance: Decimal = Decimal(0)) -> str:
    lines = [f"id: {ident}", f"date: {day}"]
    if seq:
        lines.append(f"seq: {seq}")
    lines += [f"type: {type_}", f"item: {item}", f"qty: {qty}"]
    if source:
        lines.append(f"from_warehouse: {source}")
    if target:
        lines.append(f"to_warehouse: {target}")
    lines.append(f"value: {value}")
    if variance:
        lines.append(f"variance: {variance}")
    lines.append("account: '5010'")
    lines.append(f"reference: REF-{ident[-4:]}")
    return "\n".join(lines) + "\n"


def _base_files() -> dict[str, str]:
    files = {f"items/{sku}.yaml": f"sku: {sku}\nname: Item {sku}\ntype: stocked\n" for sku in ITEMS}
    files.update({f"warehouses/{code}.yaml": f"code: {code}\nname: Warehouse {code}\n" for code in WAREHOUSES})
    files["warehouses/W2.yaml"] += "inventory_account: '1400'\n"
    files["items/BEAN.yaml"] += "reorder_point: 200\nreorder_qty: 100\nlead_time_days: 5\n"
    files["items/CUP.yaml"] += "reorder_point: 5\n"
    return files


quantities = st.integers(min_value=1, max_value=400).map(lambda n: Decimal(n) / 4)  # 0.25 .. 100
values = st.integers(min_value=0, max_value=900_000).map(lambda c: Decimal(c) / 100)
moves = st.lists(st.tuples(
    st.integers(min_value=0, max_value=95),  # day from 2026-01-01: three months and a bit
    st.integers(min_value=0, max_value=3),  # seq
    st.sampled_from(["receipt", "issue", "transfer", "adjustment", "landed-cost"]),
    st.sampled_from(ITEMS),
    quantities, values,
    st.sampled_from(WAREHOUSES),
    st.booleans(),  # a variance on what arrives
), min_size=1, max_size=30)


def _write_moves(book: Path, drawn: list, start: int = 0) -> None:
    files = {}
    for n, (offset, seq, type_, item, qty, value, wh, variance) in enumerate(drawn, start):
        day = dt.date(2026, 1, 1) + dt.timedelta(days=offset)
        ident = f"SM-{day:%Y%m%d}-{n:04d}"
        other = "W2" if wh == "W1" else "W1"
        source, target = {"receipt": (None, wh), "issue": (wh, None), "transfer": (wh, other),
                          "adjustment": (None, wh) if n % 2 else (wh, None), "landed-cost": (None, wh)}[type_]
        var = (value / 3).quantize(Decimal("0.01")) if variance and target and type_ != "landed-cost" else Decimal(0)
        files[f"stock/{day:%Y}/{day:%m}/{ident}.yaml"] = _move_text(ident, day, seq, type_, item, qty, value,
                                                                     source, target, var)
    write(book, files)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=moves, cut=st.integers(min_value=0, max_value=29))
def test_random_stock_books_give_the_same_reports(monkeypatch, drawn, cut):
    """A random committed book of moves, a second commit, a dirty tree on top (an edited move, a
    new one in a month no commit has, a removed one), and the first commit read --as-of: the stock
    balance and ledger served from partials equal the full read."""
    folder = Path(tempfile.mkdtemp(prefix="comptoir-op-partials-"))
    try:
        book = folder / "books"
        copy_book(_template("", None)[0], book)
        write(book, _base_files())
        _write_moves(book, drawn[:cut] or drawn[:1])
        commit_all(book, "first")
        first = git(book, "rev-parse", "HEAD").strip()
        _write_moves(book, drawn)
        git(book, "add", "-A")
        git(book, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "2")
        assert _stock_served(book) and _overview_served(book, dt.date(2026, 2, 20))
        _same(book, monkeypatch, STOCK_REPORTS)
        moved = sorted((book / "stock").rglob("*.yaml"))
        edited = moved[len(moved) // 2]
        edited.write_text(edited.read_text().replace("qty: ", "qty: 1"))
        _write_moves(book, [(130, 0, "receipt", "MUG", Decimal(7), Decimal("70.00"), "W1", False)], start=9000)
        if len(moved) > 1:
            moved[0].unlink()
        assert _stock_served(book)
        _same(book, monkeypatch, STOCK_REPORTS)
        assert _stock_served(book, first)
        _same(book, monkeypatch, STOCK_REPORTS, as_of=("--as-of", first))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_many_months_to_derive_are_read_a_few_folders_at_a_time(book, monkeypatch):
    """Nine months of moves and a cold store: the folders to derive are read four at a time (not
    the whole kind at once), and the reports equal the full read; a broken move in one of them
    sends the report to the full read."""
    from comptoir.app import partials
    from comptoir.book import loader

    write(book, _base_files())
    _write_moves(book, [(30 * n + 3, 0, "receipt" if n % 3 else "issue", "BEAN", Decimal(n + 1), Decimal("10.00"),
                         "W1", False) for n in range(9)])
    commit_all(book)
    reads: list[list[str]] = []
    original = loader.load_book

    def counted(*args, **kwargs):
        if kwargs.get("folders"):
            reads.append(list(kwargs["folders"]))
        return original(*args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(loader, "load_book", counted)
        assert _stock_served(book)
    assert [len(r) for r in reads] == [4, 4, 1] and all(f.startswith("stock/2026/") for r in reads for f in r)
    assert partials.Batches.SIZE == 4
    _same(book, monkeypatch, STOCK_REPORTS[:2])
    write(book, {"stock/2026/05/SM-20260510-BAD1.yaml": "id: SM-20260510-BAD1\ndate: [broken\n"})
    commit_all(book)
    monkeypatch.setattr(partials.Store, "of", classmethod(lambda cls, path: cls(None)))  # nothing kept: all derived
    assert not _stock_served(book)
    _same(book, monkeypatch, STOCK_REPORTS[:2])


def test_stock_reports_read_no_move_and_match_figures_worked_out_by_hand(book, monkeypatch):
    """Four moves by hand: the served stock balance and ledger show the figures worked out below,
    without reading a single move record (the scoped book refuses access to them)."""
    write(book, _base_files())
    write(book, {
        "stock/2026/01/SM-20260105-AAAA.yaml": _move_text("SM-20260105-AAAA", dt.date(2026, 1, 5), 0, "receipt",
                                                          "BEAN", Decimal(10), Decimal("50.00"), None, "W1"),
        "stock/2026/02/SM-20260203-BBBB.yaml": _move_text("SM-20260203-BBBB", dt.date(2026, 2, 3), 0, "issue",
                                                          "BEAN", Decimal(4), Decimal("20.00"), "W1", None),
        "stock/2026/02/SM-20260210-CCCC.yaml": _move_text("SM-20260210-CCCC", dt.date(2026, 2, 10), 0, "transfer",
                                                          "BEAN", Decimal(2), Decimal("10.00"), "W1", "W2"),
        "stock/2026/03/SM-20260301-DDDD.yaml": _move_text("SM-20260301-DDDD", dt.date(2026, 3, 1), 0,
                                                          "landed-cost", "BEAN", Decimal(2), Decimal("3.00"), None,
                                                          "W2"),
    })
    commit_all(book)
    from comptoir.model import Book

    assert _stock_served(book)
    with monkeypatch.context() as m:
        original = Book.of

        def of(self, kind):
            if kind in ("stock-move", "journal"):
                raise AssertionError(f"a served report read {kind}")
            return original(self, kind)

        m.setattr(Book, "of", of)
        bal = json.loads(run(book, "report", "stock-balance", "--format", "json").stdout)
        assert [(r["item"], r["warehouse"], r["qty"], r["value"]) for r in bal["rows"]] == [
            ("BEAN", "W1", "4", "20.00"),  # 10 in, 4 out, 2 moved on: 50 - 20 - 10
            ("BEAN", "W2", "2", "13.00")]  # 2 at 10.00, plus 3.00 landed
        assert bal["totals"]["value"] == "33.00"
        feb = json.loads(run(book, "report", "stock-balance", "--date", "2026-02-05", "--format", "json").stdout)
        assert [(r["warehouse"], r["qty"], r["value"]) for r in feb["rows"]] == [("W1", "6", "30.00")]
        led = json.loads(run(book, "report", "stock-ledger", "--from", "2026-02-04", "--format", "json").stdout)
        assert [(r["move"], r["warehouse"], r["balance_qty"], r["balance_value"]) for r in led["rows"]] == [
            ("SM-20260210-CCCC", "W1", "4", "20.00"),  # opening on 02-03: 6 units, 30.00
            ("SM-20260210-CCCC", "W2", "2", "10.00"),
            ("SM-20260301-DDDD", "W2", "2", "13.00")]
        over = json.loads(run(book, "report", "overview", "--format", "json").stdout)
        assert {r["measure"]: r["value"] for r in over["rows"]}["Stock value"] == "33.00"
        show = json.loads(run(book, "item", "show", "BEAN", "--format", "json", today=dt.date(2026, 3, 1)).stdout)
        assert [(r["warehouse"], r["on_hand"]) for r in show["rows"]] == [("W1", "4"), ("W2", "2")]
        assert "average daily use over the last 90 days: 0.044 unit" in show["notes"]  # 4 issued in 90 days


def test_a_misfiled_move_is_left_to_the_full_read(book, monkeypatch):
    write(book, _base_files())
    write(book, {"stock/2026/03/SM-20260210-EEEE.yaml": _move_text(
        "SM-20260210-EEEE", dt.date(2026, 2, 10), 0, "receipt", "CUP", Decimal(3), Decimal("9.00"), None, "W1")})
    commit_all(book)
    assert not _stock_served(book)
    _same(book, monkeypatch, STOCK_REPORTS[:2])


# -- aging and statements (cli/app/openitems.py) ----------------------------------------------

DEMO = Path(__file__).resolve().parent.parent / "ledger-data"
CASH_REPORTS = [  # both sides' open items and every account's day totals (cli/app/openitems.py cash)
    ("report", "cash-forecast", "--date", "2026-11-30"),
    ("report", "cash-forecast", "--date", "2026-10-05", "--weeks", "8"),
]
AGING_REPORTS = [
    ("report", "ar-aging"),
    ("report", "ar-aging", "--detail", "--date", "2026-10-20"),
    ("report", "ap-aging"),
    ("report", "ap-aging", "--detail"),
    ("report", "statement", "cafe-de-la-soie"),
    ("report", "statement", "bureaux-cafe-service", "--from", "2026-10-15"),
    ("report", "statement", "cartonnages-lyonnais", "--side", "payable", "--date", "2026-11-10"),
    ("report", "overview"),
    ("report", "overview", "--date", "2026-10-20"),
    ("report", "stock-balance"),  # the inventory accounts' day totals only (the random postings are on others)
    *CASH_REPORTS,
]
PARTNERS = ["cafe-de-la-soie", "bureaux-cafe-service", "cartonnages-lyonnais", None]


def _same_aging(book: Path, monkeypatch, as_of: tuple = ()) -> None:
    for args in AGING_REPORTS:
        served = run(book, *args, *as_of, "--format", "json")
        with monkeypatch.context() as m:
            _refuse(m)
            full = run(book, *args, *as_of, "--format", "json")
        assert (served.exit_code, served.stdout) == (full.exit_code, full.stdout), (args, served.stderr)


def _aging_served(book: Path, as_of: str | None = None) -> bool:
    from comptoir.app import ledgerdays, openitems
    from comptoir.context import Env

    env = Env(repo=str(book))
    loaded = env.book(as_of, kinds=("account", "rate", *openitems.SIDES["receivable"]))
    watch = ledgerdays.Watch(str(book), None, as_of, also=tuple(openitems.WRITERS.values()))
    return openitems._attach(env.root(), loaded, watch, "receivable", None)


def _demo_copy(folder: Path) -> Path:
    book = folder / "demo"
    shutil.copytree(DEMO, book, ignore=shutil.ignore_patterns("script", ".git"))
    git(book, "init", "-q")
    return book


def _demo_committed(folder: Path) -> Path:
    """The demo company committed in one commit: a copy of the one committed once per process."""
    return demo_book(folder / "demo")


side_entries = st.lists(st.tuples(
    st.integers(min_value=0, max_value=80),  # day from 2026-09-01
    st.sampled_from(["1100", "2010"]),
    st.sampled_from(PARTNERS),
    st.integers(min_value=-300_000, max_value=300_000).filter(bool).map(lambda c: Decimal(c) / 100),
    st.sampled_from([None, "REF-A", "REF-B", "INV-2026-0003"]),
    st.booleans(),  # in USD at an explicit rate
), min_size=1, max_size=12)


def _write_side_entries(book: Path, drawn: list, start: int = 0) -> None:
    files = {}
    for n, (offset, account, partner, amount, ref, usd) in enumerate(drawn, start):
        day = dt.date(2026, 9, 1) + dt.timedelta(days=offset)
        ident = f"JE-{day:%Y%m%d}-S{n:03d}"
        lines = [f"id: {ident}", f"date: {day}", f"memo: Side {n}"] + ([f"reference: {ref}"] if ref else [])
        lines.append("postings:")
        lines += [f"  - account: '{account}'", f"    amount: {amount}"]
        value = amount
        if usd:
            lines += ["    currency: USD", "    rate: 0.9"]
            value = (amount * Decimal("0.9")).quantize(Decimal("0.01"))
        if partner:
            lines.append(f"    partner: {partner}")
        lines += ["  - account: '4010'" if account == "1100" else "  - account: '6100'", f"    amount: {-value}"]
        files[f"journal/{day:%Y}/{day:%m}/{ident}.yaml"] = "\n".join(lines) + "\n"
    write(book, files)


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=side_entries, cut=st.integers(min_value=0, max_value=11))
def test_random_side_postings_give_the_same_aging_and_statements(monkeypatch, drawn, cut):
    """The demo company with random postings on the receivable and payable accounts (with and
    without partner, reference and currency), committed in two steps, then dirty (a payment
    edited away, a new posting), then read --as-of the first commit: the aging reports and
    statements served from partials equal the full read."""
    folder = Path(tempfile.mkdtemp(prefix="comptoir-op-aging-"))
    try:
        book = _demo_copy(folder)
        _write_side_entries(book, drawn[:cut])
        commit_all(book, "first")
        first = git(book, "rev-parse", "HEAD").strip()
        _write_side_entries(book, drawn[cut:], start=cut)
        git(book, "add", "-A")
        git(book, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "2")
        assert _aging_served(book) and _overview_served(book, dt.date(2026, 11, 30))
        _same_aging(book, monkeypatch)
        sorted((book / "payments").rglob("*.yaml"))[0].unlink()  # its entry is now one no document wrote
        _write_side_entries(book, [(75, "1100", "cafe-de-la-soie", Decimal("99.99"), "REF-C", False)], start=500)
        assert _aging_served(book)
        _same_aging(book, monkeypatch)
        assert _aging_served(book, first)
        _same_aging(book, monkeypatch, as_of=("--as-of", first))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- lists and reports that read only the kinds they declare (READS), open orders ----------------

LIST_REPORTS = [
    ("sales", "list"),
    ("sales", "list", "--status", "paid"),
    ("sales", "invoices", "--open"),
    ("purchase", "list"),
    ("purchase", "bills"),
    ("report", "sales", "--year", "2026"),
    ("report", "sales", "--from", "2026-10-01", "--per", "month"),
    ("report", "purchases", "--period", "2026-10"),
    ("report", "open-orders"),
    ("report", "open-orders", "--date", "2026-10-10"),
    ("report", "tax"),
    ("report", "vat-return", "--period", "2026-Q4"),
    # availability: the orders, deliveries, receipts and returns as light records (facts_read)
    ("item", "show", "ESP-1K"),
    ("item", "show", "BAG-250"),
    ("report", "reorder"),
    ("report", "reorder", "--date", "2026-10-10"),
]


def _same_lists(book: Path, monkeypatch, as_of: tuple = ()) -> None:
    from comptoir.commands import _docs

    for args in LIST_REPORTS:
        served = run(book, *args, *as_of, "--format", "json")
        with monkeypatch.context() as m:
            m.setattr(_docs, "reads", lambda fn: None)
            _refuse(m)
            full = run(book, *args, *as_of, "--format", "json")
        assert (served.exit_code, served.stdout) == (full.exit_code, full.stdout), (args, served.stderr)
        assert served.stdout.count('"rows"') == 1


def test_document_lists_read_only_their_kinds_and_equal_the_full_read(monkeypatch, tmp_path):
    """The demo company committed, dirty (a delivery and a payment gone, a stock move added, an
    order edited), and --as-of the first commit: the lists and reports equal the full read."""
    book = _demo_committed(tmp_path)
    first = git(book, "rev-parse", "HEAD").strip()
    sorted((book / "sales" / "invoices").rglob("*.yaml"))[-1].unlink()
    commit_all(book, "an invoice less")
    _same_lists(book, monkeypatch)
    sorted((book / "sales" / "deliveries").rglob("*.yaml"))[-1].unlink()
    sorted((book / "payments").rglob("*.yaml"))[0].unlink()
    order = sorted((book / "sales" / "orders").glob("*.yaml"))[0]
    order.write_text(order.read_text().replace("qty: ", "qty: 1", 1))
    write(book, {"stock/2026/11/SM-20261129-ZZZZ.yaml": _move_text(
        "SM-20261129-ZZZZ", dt.date(2026, 11, 29), 0, "receipt", "ESP-1K", Decimal(500), Decimal("4000.00"),
        None, "ROASTERY")})
    _same_lists(book, monkeypatch)
    _same_lists(book, monkeypatch, as_of=("--as-of", first))


# -- documents served from per-folder facts (cli/app/docfacts.py) -------------------------------

DOCUMENT_REPORTS = [
    ("sales", "list"),
    ("sales", "invoices"),
    ("purchase", "list", "--status", "paid"),
    ("purchase", "bills", "--open"),
    ("report", "sales", "--year", "2026"),
    ("report", "purchases", "--from", "2026-09-15"),
    ("report", "tax", "--from", "2026-10-10"),
    ("report", "ar-aging", "--detail", "--date", "2026-11-10"),
    ("report", "ap-aging"),
    ("report", "statement", "cafe-de-la-soie"),
    ("report", "overview"),
    ("report", "overview", "--date", "2026-10-20"),
    ("report", "open-orders"),
    ("report", "open-orders", "--date", "2026-11-01", "--side", "purchases"),
    ("pay", "list"),
    ("pay", "list", "--direction", "out"),
    ("pay", "list", "--partner", "cafe-de-la-soie"),
]
DOCUMENT_FOLDERS = ("sales", "purchasing", "payments", "applications")


def _docs_served(book: Path, as_of: str | None = None) -> bool:
    """Every document kind is served from facts (nothing the full read would report)."""
    from comptoir.app import docfacts, ledgerdays
    from comptoir.context import Env
    from comptoir.domain.documents.facts import FIELDS

    env = Env(repo=str(book))
    loaded = env.book(as_of, kinds=("account",))
    watch = ledgerdays.Watch(str(book), None, as_of, also=DOCUMENT_FOLDERS)
    if not docfacts.attach(env.root(), loaded, watch.probe, FIELDS):
        return False
    from comptoir.schemas.sales import Invoice

    return not any(isinstance(r, Invoice) for r in loaded.of("invoice").values())


def _edit_document(path: Path, how: int) -> None:
    """An edit a full read still loads: a new due date (on or after the document's), or an
    allocation halved."""
    text = path.read_text()
    if "due: " in text:
        dated = next(line for line in text.split("\n") if line.startswith("date: "))
        day = dt.date.fromisoformat(dated[len("date: "):].strip()) + dt.timedelta(days=how % 90)
        text = "\n".join(f"due: {day}" if line.startswith("due: ") else line for line in text.split("\n"))
    elif "allocations:" in text:
        head, _, tail = text.partition("allocations:")
        before, _, after = tail.partition("    amount: ")
        amount, _, rest = after.partition("\n")
        half = max((Decimal(amount) / 2).quantize(Decimal("0.01")), Decimal("0.01"))
        text = f"{head}allocations:{before}    amount: {half}\n{rest}"
    path.write_text(text)


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.sets(st.integers(min_value=0, max_value=199), max_size=25),
       edits=st.lists(st.integers(min_value=0, max_value=10_000), max_size=4),
       dirty=st.sets(st.integers(min_value=0, max_value=199), max_size=8))
def test_random_document_books_give_the_same_lists_and_aging(monkeypatch, first, edits, dirty):
    """The demo company less a random set of its documents (orders, deliveries, invoices, credit
    notes, bills, payments: the others then name documents that are not there), committed; then
    random edits (due dates, allocations) committed; then dirty (more documents removed, one
    edited); then --as-of the first commit: every list and report served from the documents'
    facts equals the full read, and is served."""
    folder = Path(tempfile.mkdtemp(prefix="comptoir-op-docs-"))
    try:
        book = _demo_copy(folder)

        def documents() -> list[Path]:
            return sorted(p for d in DOCUMENT_FOLDERS for p in (book / d).rglob("*.yaml"))

        docs = documents()
        for n in first:
            docs[n % len(docs)].unlink(missing_ok=True)
        commit_all(book, "first")
        start = git(book, "rev-parse", "HEAD").strip()
        docs = documents()
        for n in edits:
            _edit_document(docs[n % len(docs)], n)
        git(book, "add", "-A")
        git(book, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "2")
        assert _docs_served(book)
        _same(book, monkeypatch, DOCUMENT_REPORTS)
        docs = documents()
        for n in dirty:
            docs[n % len(docs)].unlink(missing_ok=True)
        _edit_document(documents()[len(edits) * 7 % len(documents())], len(dirty))
        assert _docs_served(book)
        _same(book, monkeypatch, DOCUMENT_REPORTS)
        _same(book, monkeypatch, CASH_REPORTS)
        assert _docs_served(book, start)
        _same(book, monkeypatch, DOCUMENT_REPORTS, as_of=("--as-of", start))
        _same(book, monkeypatch, CASH_REPORTS, as_of=("--as-of", start))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_documents_are_served_without_validating_a_document(monkeypatch, tmp_path):
    """On the demo company, committed: the lists, aging, statements, open orders and the overview
    are served from the facts kept per folder, and no document, lead, activity, opportunity or
    payroll run is validated (the models refuse), with the figures a full read gives."""
    book = _demo_committed(tmp_path)
    full = {args: run(book, *args, "--format", "json").stdout for args in DOCUMENT_REPORTS}
    from comptoir.schemas import crm, hr, payments, purchasing, sales

    with monkeypatch.context() as m:
        _unvalidated(m, (sales.Invoice, sales.CreditNote, sales.Delivery, sales.SalesOrder, purchasing.Bill,
                         purchasing.PurchaseOrder, purchasing.Receipt, payments.Payment, crm.Lead, crm.Activity,
                         crm.Opportunity, hr.PayrollRun))
        for args in DOCUMENT_REPORTS:
            served = run(book, *args, "--format", "json")
            assert served.exit_code == 0, (args, served.stderr, served.exception)
            assert served.stdout == full[args], args
    inv = json.loads(full[("sales", "invoices")])
    assert inv["rows"][0]["number"] == "2026-0001" and inv["rows"][0]["status"] == "paid"


# -- crm followups: only the records that can be follow-ups are validated (cli/app/followups.py) ---

FOLLOWUPS = [
    ("crm", "followups"),
    ("crm", "followups", "--days", "20"),
    ("crm", "followups", "--overdue"),
    ("crm", "followups", "--owner", "ann"),
]
crm_records = st.tuples(
    st.lists(st.tuples(st.sampled_from(["new", "contacted", "qualified", "lost", "converted"]),
                       st.one_of(st.none(), st.integers(min_value=0, max_value=60)),  # follow-up day
                       st.sampled_from(["ann", "bob"])), min_size=1, max_size=8),
    st.lists(st.tuples(st.sampled_from(["call", "task", "meeting", "note"]),
                       st.one_of(st.none(), st.integers(min_value=0, max_value=60)),  # due day
                       st.sampled_from(["true", "false", "'no'", None]),  # done, as written (a quoted 'no' is false too)
                       st.integers(min_value=0, max_value=9),  # the lead it is for (by index; may not exist)
                       st.booleans()),  # for the opportunity instead
             min_size=1, max_size=12))


def _write_crm(book: Path, leads: list, activities: list) -> None:
    day0 = dt.date(2026, 10, 1)
    files = {"crm/opportunities/OPP-20261001-AAAA.yaml":
             "id: OPP-20261001-AAAA\\ncreated: 2026-10-01\\ntitle: Big deal\\npartner: acme\\nstage: proposal\\n".replace("\\n", "\n")}
    for n, (status, follow, owner) in enumerate(leads):
        lines = [f"id: L-20261001-{n:04d}", "created: 2026-10-01", f"name: Lead {n}", "source: website", f"status: {status}",
                 f"owner: {owner}"] + ([f"follow_up: {day0 + dt.timedelta(days=follow)}"] if follow is not None else [])
        if status == "lost":
            lines.append("lost_reason: price")
        files[f"crm/leads/L-20261001-{n:04d}.yaml"] = "\n".join(lines) + "\n"
    for n, (type_, due, done, lead, opp) in enumerate(activities):
        day = day0 + dt.timedelta(days=n)
        ident = f"ACT-{day:%Y%m%d}-{n:04d}"
        lines = [f"id: {ident}", f"date: {day}", f"type: {type_}", f"subject: Thing {n}", "owner: ann",
                 "opportunity: OPP-20261001-AAAA" if opp else f"lead: L-20261001-{lead:04d}"]
        if due is not None:
            lines.append(f"due: {day0 + dt.timedelta(days=due)}")
        if done is not None:
            lines.append(f"done: {done}")
        files[f"crm/activities/{day:%Y}/{day:%m}/{ident}.yaml"] = "\n".join(lines) + "\n"
    write(book, files)


def _crm_served(book: Path, as_of: str | None = None) -> bool:
    from comptoir.app import followups
    from comptoir.context import Env

    return followups.served(Env(repo=str(book)), as_of, ("partner",)) is not None


@settings(max_examples=examples(4, 12), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=crm_records)
def test_random_crm_books_give_the_same_followups(monkeypatch, drawn):
    """Random leads (statuses, follow-up dates, owners) and activities (done or not, as YAML writes
    it, due or not, for a lead that may not exist or for an opportunity), committed, then dirty, then
    --as-of the first commit: the follow-ups and the overview (its CRM section), served from the
    CRM folders' facts, equal those of a full read."""
    from comptoir.app import followups

    folder = Path(tempfile.mkdtemp(prefix="comptoir-op-crm-"))
    try:
        book = folder / "books"
        copy_book(_template("", None)[0], book)
        leads, activities = drawn
        _write_crm(book, leads, activities[: len(activities) // 2])
        commit_all(book, "first")
        first = git(book, "rev-parse", "HEAD").strip()
        _write_crm(book, leads, activities)
        lead = book / "crm" / "leads" / "L-20261001-0000.yaml"  # a dirty lead: due, and bob's now
        lead.write_text(lead.read_text().replace("owner: ann", "owner: bob").replace("status: lost", "status: new")
                        .replace("lost_reason: price\n", "") + ("" if "follow_up" in lead.read_text()
                                                                  else "follow_up: 2026-10-05\n"))
        for as_of in ((), ("--as-of", first)):
            assert _crm_served(book, as_of[1] if as_of else None)
            for args in [*FOLLOWUPS, ("report", "overview")]:
                served = run(book, *args, *as_of, "--format", "json", today=dt.date(2026, 10, 20))
                with monkeypatch.context() as m:
                    m.setattr(followups, "book_for_followups", lambda env, rev: env.book(rev, followups.KINDS))
                    _refuse(m)
                    full = run(book, *args, *as_of, "--format", "json", today=dt.date(2026, 10, 20))
                assert (served.exit_code, served.stdout) == (full.exit_code, full.stdout), (args, served.stderr)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_book_in_a_subfolder_of_its_repository_is_served_dirty_and_clean(monkeypatch, tmp_path):
    """The demo company as `ledger-data/` inside a larger repository (git paths then carry a
    prefix): committed, then dirty (a move removed, one added, a payment removed), the served
    reports equal the full read and are served both times."""
    outer = tmp_path / "outer"
    outer.mkdir()
    book = outer / "ledger-data"
    shutil.copytree(DEMO, book, ignore=shutil.ignore_patterns("script", ".git"))
    (outer / "README").write_text("not the book\n")
    git(outer, "init", "-q")
    commit_all(outer, "first")
    reports = [("report", "stock-balance"), ("report", "stock-ledger", "--from", "2026-10-15"),
               ("report", "ar-aging", "--detail"), ("report", "overview"), ("item", "list")]
    for dirty in (False, True):
        if dirty:
            sorted((book / "stock").rglob("*.yaml"))[3].unlink()
            sorted((book / "payments").rglob("*.yaml"))[1].unlink()
            write(book, {"stock/2026/11/SM-20261129-ZZZZ.yaml": _move_text(
                "SM-20261129-ZZZZ", dt.date(2026, 11, 29), 0, "receipt", "ESP-1K", Decimal(5), Decimal("40.00"),
                None, "ROASTERY")})
        assert _stock_served(book) and _aging_served(book) and _overview_served(book, dt.date(2026, 11, 30))
        _same(book, monkeypatch, reports)


# -- the stock balance's inventory accounts from the trial-balance snapshot (cli/app/ledgersnap.py) --

SNAPSHOT_BALANCES = [
    ("report", "stock-balance"),
    ("report", "stock-balance", "--date", "2026-12-04"),  # the day before the last entry
    ("report", "stock-balance", "--date", "2026-12-05"),  # its day
    ("report", "stock-balance", "--date", "2026-10-15"),
    ("report", "stock-balance", "--date", "2027-01-31"),
]


def _snapshot_served(book: Path) -> bool:
    from comptoir.app import ledgerdays
    from comptoir.context import Env
    from comptoir.domain.stock.accounts import inventory_accounts

    env = Env(repo=str(book))
    loaded = env.book(None, kinds=("account", "rate", "item", "warehouse"))
    watch = ledgerdays.Watch(str(book), None, None, also=(stockreports.FOLDER,))
    return stockreports._snapshot_sums(loaded, watch, inventory_accounts(loaded))


def _inventory_balance(book: Path, *args: str) -> Decimal:
    out = run(book, "report", "stock-balance", *args, "--format", "json")
    assert out.exit_code == 0, out.stderr
    return Decimal(json.loads(out.stdout)["inventory_accounts_balance"])


def _inventory_entry(book: Path, amount: str) -> None:
    write(book, {"journal/2026/12/JE-20261205-INVT.yaml": (
        "id: JE-20261205-INVT\ndate: 2026-12-05\nmemo: Stock count found more\npostings:\n"
        f"  - account: '1200'\n    amount: {amount}\n  - account: '4010'\n    amount: -{amount}\n")})


def test_stock_balance_takes_the_inventory_accounts_from_the_snapshot(monkeypatch, tmp_path):
    """The demo company and one more entry on the inventory account (1200, +100.00 on 2026-12-05,
    the book's last): once `report trial-balance` kept the snapshot of HEAD, the stock balance on
    any day takes the inventory accounts from it, summing no journal month, and equals the full
    read; uncommitted (the entry now 250.00) and --as-of the first commit it sums the months."""
    from comptoir.app import ledgerdays

    book = _demo_committed(tmp_path)
    first = git(book, "rev-parse", "HEAD").strip()
    _inventory_entry(book, "100.00")
    commit_all(book, "the count")
    assert not _snapshot_served(book)  # no snapshot kept yet: the day sums answer
    _same(book, monkeypatch, SNAPSHOT_BALANCES)
    assert run(book, "report", "trial-balance").exit_code == 0  # keeps the snapshot of HEAD
    assert _snapshot_served(book)
    with monkeypatch.context() as m:
        m.setattr(ledgerdays, "attach", lambda *a, **k: pytest.fail("summed the journal months"))
        before, after = _inventory_balance(book, "--date", "2026-12-04"), _inventory_balance(book, "--date", "2026-12-05")
        assert after - before == Decimal("100.00")
        assert _inventory_balance(book) == after
    _same(book, monkeypatch, SNAPSHOT_BALANCES)
    _inventory_entry(book, "250.00")  # uncommitted
    assert not _snapshot_served(book)
    assert _inventory_balance(book) - before == Decimal("250.00")
    _same(book, monkeypatch, SNAPSHOT_BALANCES)
    _same(book, monkeypatch, SNAPSHOT_BALANCES, as_of=("--as-of", first))
    assert _inventory_balance(book, "--as-of", first) == before


def test_cash_forecast_reads_no_journal_entry(monkeypatch, tmp_path):
    """On the demo company, committed and its store warm: the cash forecast gets the open items
    of both sides and the bank, payroll and VAT balances without reading a journal entry, with
    the figures the full read gives; its opening is the bank accounts' balance worked out from
    the trial balance."""
    from comptoir.model import Book

    book = _demo_committed(tmp_path)
    _same(book, monkeypatch, CASH_REPORTS)  # warms the store too
    full = {args: run(book, *args, "--format", "json").stdout for args in CASH_REPORTS}
    with monkeypatch.context() as m:
        original = Book.of

        def of(self, kind):
            if kind == "journal":
                raise AssertionError("a served cash forecast read the journal")
            return original(self, kind)

        m.setattr(Book, "of", of)
        for args in CASH_REPORTS:
            served = run(book, *args, "--format", "json")
            assert (served.exit_code, served.stdout) == (0, full[args]), (args, served.stderr)
    tb = json.loads(run(book, "report", "trial-balance", "--to", "2026-11-30", "--format", "json").stdout)
    banks = {a["code"] for a in json.loads(run(book, "account", "list", "--format", "json").stdout)["rows"]
             if a.get("role") in ("bank", "cash")}
    opening = sum((Decimal(r["closing"]) for r in tb["rows"] if r["account"] in banks), Decimal(0))
    assert Decimal(json.loads(full[CASH_REPORTS[0]])["opening"]) == opening


# -- crm lead show and activity list --lead: only the lead's activities read (cli/app/crmshow.py) --

def _crm_shows(book: Path, rev: str | None = None, every: int = 1, also: tuple[str, ...] = ()) -> list[tuple]:
    """`crm lead show` of every lead (and of one there is none of), `crm activity list` by lead,
    opportunity and partner (and by lead and type): every link the activities name, in the working
    tree or at `rev`. `every`: one lead and one link in that many (and those `also` names)."""
    if rev is None:
        texts = [p.read_text() for p in (book / "crm").rglob("*.yaml")]
        leads = sorted(p.stem for p in (book / "crm" / "leads").glob("*.yaml"))
    else:
        names = git(book, "ls-tree", "-r", "--name-only", rev, "crm").split()
        texts = [git(book, "show", f"{rev}:{n}") for n in names]
        leads = sorted(Path(n).stem for n in names if n.startswith("crm/leads/"))
    linked = {(key, line.split(": ", 1)[1].strip("'")) for text in texts for line in text.splitlines()
              for key in ("lead", "opportunity", "partner") if line.startswith(f"{key}: ")}
    option = {"lead": "--lead", "opportunity": "--opp", "partner": "--partner"}
    shown = [ident for n, ident in enumerate(leads) if n % every == 0 or ident in also]
    links = [(key, ident) for n, (key, ident) in enumerate(sorted(linked)) if n % every == 0 or ident in also]
    out = [("crm", "lead", "show", ident) for ident in [*shown, "L-20200101-NONE"]]
    out += [("crm", "activity", "list", option[key], ident) for key, ident in links]
    out += [("crm", "activity", "list", "--lead", ident, "--type", "call") for ident in leads[:2]]
    return out


def _same_shows(book: Path, monkeypatch, as_of: tuple = (), today: dt.date = dt.date(2026, 10, 20),
                every: int = 1, also: tuple[str, ...] = ()) -> None:
    from comptoir.app import crmshow

    for args in _crm_shows(book, as_of[1] if as_of else None, every, also):
        served = run(book, *args, *as_of, "--format", "json", today=today)
        with monkeypatch.context() as m:
            m.setattr(crmshow, "links", lambda *a, **k: None)  # read every activity, as before
            full = run(book, *args, *as_of, "--format", "json", today=today)
        assert (served.exit_code, served.stdout, served.stderr) == (full.exit_code, full.stdout, full.stderr), args


CRM_REPORTS = [
    ("report", "funnel"),
    ("report", "funnel", "--by", "campaign"),
    ("report", "funnel", "--from", "2026-10-01", "--to", "2026-10-31"),
    ("report", "activities"),
    ("report", "activities", "--period", "2026-10", "--date", "2026-10-15"),
]


def _show_served(book: Path, ident: str, as_of: str | None = None) -> bool:
    from comptoir.app import crmshow
    from comptoir.context import Env

    return crmshow.lead_book(Env(repo=str(book)), ident, as_of) is not None


def _contacts(book: Path) -> None:
    """Emails and phones that make duplicates: every third lead shares an email (in another case),
    every fourth a phone (written another way), with a partner too."""
    for n, path in enumerate(sorted((book / "crm" / "leads").glob("*.yaml"))):
        extra = ""
        if n % 3 == 0:
            extra += f"email: {'Ann' if n % 2 else 'ann'}@Example.com\n"
        if n % 4 == 1:
            extra += f"phone: {'+33 6 12 34 56 78' if n % 8 == 1 else '0033 612345678'}\n"
        path.write_text(path.read_text() + extra)
    write(book, {"partners/acme.yaml": "id: acme\nname: Acme\nroles: [customer]\nemail: ANN@example.com\n"})


@settings(max_examples=examples(3, 10), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=crm_records)
def test_random_crm_books_show_a_lead_as_the_full_read(monkeypatch, drawn):
    """Random leads (some sharing an email or a phone with each other and a partner) and activities
    (for a lead that may not exist, or for an opportunity), committed, then dirty (an activity moved
    to another lead, one removed, one added in a month no commit has, a lead's phone changed), then
    --as-of the first commit: every lead's `crm lead show` and every link's `crm activity list`,
    served from the activity links kept per folder, equal the full read's, errors included."""
    folder = Path(tempfile.mkdtemp(prefix="comptoir-op-show-"))
    try:
        book = folder / "books"
        copy_book(_template("", None)[0], book)
        leads, activities = drawn
        _write_crm(book, leads, activities)
        _contacts(book)
        commit_all(book, "first")
        first = git(book, "rev-parse", "HEAD").strip()
        assert _show_served(book, "L-20261001-0000")
        _same_shows(book, monkeypatch)
        _same(book, monkeypatch, CRM_REPORTS)
        acts = sorted((book / "crm" / "activities").rglob("*.yaml"))
        acts[0].write_text(acts[0].read_text().replace("lead: L-20261001-", "lead: L-20261001-1").replace(
            "opportunity: OPP-20261001-AAAA", "lead: L-20261001-0000"))
        if len(acts) > 1:
            acts[-1].unlink()
        write(book, {"crm/activities/2027/01/ACT-20270105-NEW1.yaml":
                     "id: ACT-20270105-NEW1\ndate: 2027-01-05\ntype: call\nsubject: New\nlead: L-20261001-0000\n"})
        lead = book / "crm" / "leads" / "L-20261001-0000.yaml"
        lead.write_text(lead.read_text() + "phone: +33 6 12 34 56 78\n" if "phone:" not in lead.read_text()
                        else lead.read_text().replace("phone: ", "phone: +1 "))
        assert _show_served(book, "L-20261001-0000")
        _same_shows(book, monkeypatch)
        _same(book, monkeypatch, CRM_REPORTS)
        assert _show_served(book, "L-20261001-0000", first)
        _same_shows(book, monkeypatch, ("--as-of", first))
        _same(book, monkeypatch, CRM_REPORTS, as_of=("--as-of", first))
        lead.write_text(lead.read_text().replace("created: 2026-10-01\n", ""))  # its date from git, the full read
        _same(book, monkeypatch, CRM_REPORTS[:3])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_demo_leads_show_as_the_full_read(monkeypatch, tmp_path):
    """The demo company committed, then dirty (an activity edited, one added, one removed), then
    --as-of the first commit: `crm lead show` and `crm activity list` by any link equal the full
    read (dirty and --as-of: one lead and link in three, and every link of the changed activities)."""
    book = _demo_committed(tmp_path)
    first = git(book, "rev-parse", "HEAD").strip()
    today = dt.date(2026, 11, 30)
    _same_shows(book, monkeypatch, today=today)
    acts = sorted((book / "crm" / "activities").rglob("*.yaml"))
    lead = sorted((book / "crm" / "leads").glob("*.yaml"))[0].stem
    changed = tuple({line.split(": ", 1)[1].strip("'") for path in acts[1:3] for line in path.read_text().splitlines()
                     if line.startswith(("lead: ", "opportunity: ", "partner: "))} | {lead})
    text = acts[1].read_text()
    acts[1].write_text("\n".join(f"lead: {lead}" if line.startswith(("lead:", "opportunity:", "partner:")) else line
                                 for line in text.splitlines() if not line.startswith(("opportunity:", "partner:"))
                                 or "lead:" in text) + "\n")
    acts[2].unlink()
    write(book, {"crm/activities/2026/11/ACT-20261129-ZZZZ.yaml":
                 f"id: ACT-20261129-ZZZZ\ndate: 2026-11-29\ntype: note\nsubject: Late note\nlead: {lead}\n"})
    assert _show_served(book, lead)
    _same_shows(book, monkeypatch, today=today, every=3, also=changed)
    _same(book, monkeypatch, CRM_REPORTS)
    _same_shows(book, monkeypatch, ("--as-of", first), today=today, every=3, also=changed)
    _same(book, monkeypatch, CRM_REPORTS, as_of=("--as-of", first))


def test_crm_reports_are_served_without_validating_a_crm_record(monkeypatch, tmp_path):
    """On the demo company, committed: the funnel and the activities per owner are served from the
    facts kept per CRM folder, no lead, activity or opportunity validated (the models refuse), with
    the figures a full read gives."""
    from comptoir.schemas import crm

    book = _demo_committed(tmp_path)
    full = {args: run(book, *args, "--format", "json").stdout for args in CRM_REPORTS}
    with monkeypatch.context() as m:
        _unvalidated(m, (crm.Lead, crm.Activity, crm.Opportunity))
        for args in CRM_REPORTS:
            served = run(book, *args, "--format", "json")
            assert served.exit_code == 0, (args, served.stderr, served.exception)
            assert served.stdout == full[args], args
    assert json.loads(full[("report", "funnel")])["totals"]["leads"] == 41


def test_lead_show_reads_only_the_leads_activity_files(monkeypatch, book):
    """Three activities of lead A in two months, two of lead B: `crm lead show A` and `crm activity
    list --lead A` read A's file and its three activity files, never a whole activities or leads
    folder; dirty (B's activity moved to A, one of A's new), the links come from the store but for
    the two changed files, the only activity files parsed besides those the command shows."""
    from comptoir.book import loader

    def activity(ident: str, day: str, lead: str) -> str:
        return f"id: {ident}\ndate: {day}\ntype: call\nsubject: Call {ident[-4:]}\nlead: {lead}\n"

    write(book, {
        "crm/leads/L-20260901-AAAA.yaml": "id: L-20260901-AAAA\nname: Ann\nsource: website\nstatus: new\n",
        "crm/leads/L-20260901-BBBB.yaml": "id: L-20260901-BBBB\nname: Bob\nsource: website\nstatus: new\n",
        "crm/activities/2026/09/ACT-20260902-A001.yaml": activity("ACT-20260902-A001", "2026-09-02", "L-20260901-AAAA"),
        "crm/activities/2026/09/ACT-20260903-B001.yaml": activity("ACT-20260903-B001", "2026-09-03", "L-20260901-BBBB"),
        "crm/activities/2026/10/ACT-20261002-A002.yaml": activity("ACT-20261002-A002", "2026-10-02", "L-20260901-AAAA"),
        "crm/activities/2026/10/ACT-20261003-A003.yaml": activity("ACT-20261003-A003", "2026-10-03", "L-20260901-AAAA"),
        "crm/activities/2026/10/ACT-20261004-B002.yaml": activity("ACT-20261004-B002", "2026-10-04", "L-20260901-BBBB"),
    })
    commit_all(book)
    assert run(book, "crm", "lead", "show", "L-20260901-AAAA").exit_code == 0  # the links kept
    loads: list = []
    parsed: list = []
    original, well_filed = loader.load_book, loader.well_filed_record

    def recorded(*args, **kwargs):
        loads.append(kwargs.get("folders"))
        return original(*args, **kwargs)

    def parse(kind, rel, entry):
        parsed.append(rel)
        return well_filed(kind, rel, entry)

    monkeypatch.setattr(loader, "load_book", recorded)
    monkeypatch.setattr(loader, "well_filed_record", parse)
    mine = ["crm/activities/2026/09/ACT-20260902-A001.yaml", "crm/activities/2026/10/ACT-20261002-A002.yaml",
            "crm/activities/2026/10/ACT-20261003-A003.yaml"]
    shown = json.loads(run(book, "crm", "lead", "show", "L-20260901-AAAA", "--format", "json").stdout)
    assert [a["id"] for a in shown["activities"]] == ["ACT-20260902-A001", "ACT-20261002-A002", "ACT-20261003-A003"]
    assert loads == [[*mine, "crm/leads/L-20260901-AAAA.yaml", "partners"]] and parsed == []
    loads.clear()
    listed = json.loads(run(book, "crm", "activity", "list", "--lead", "L-20260901-AAAA", "--format", "json").stdout)
    assert [r["id"] for r in listed["rows"]] == ["ACT-20261003-A003", "ACT-20261002-A002", "ACT-20260902-A001"]
    assert loads == [mine] and parsed == []
    loads.clear()
    moved = book / "crm/activities/2026/10/ACT-20261004-B002.yaml"
    moved.write_text(moved.read_text().replace("L-20260901-BBBB", "L-20260901-AAAA"))
    write(book, {"crm/activities/2026/11/ACT-20261101-A004.yaml":
                 activity("ACT-20261101-A004", "2026-11-01", "L-20260901-AAAA")})
    listed = json.loads(run(book, "crm", "activity", "list", "--lead", "L-20260901-AAAA", "--format", "json").stdout)
    assert [r["id"] for r in listed["rows"]] == ["ACT-20261101-A004", "ACT-20261004-B002", "ACT-20261003-A003",
                                                 "ACT-20261002-A002", "ACT-20260902-A001"]
    assert sorted(parsed) == ["crm/activities/2026/10/ACT-20261004-B002.yaml",
                              "crm/activities/2026/11/ACT-20261101-A004.yaml"]
    assert loads == [sorted([*mine, "crm/activities/2026/10/ACT-20261004-B002.yaml",
                             "crm/activities/2026/11/ACT-20261101-A004.yaml"])]


def test_availability_reports_read_no_order_or_delivery_whole(monkeypatch, tmp_path):
    """`item show` and `report reorder` on the demo company, committed and dirty (an order line
    edited by hand): the orders, deliveries, purchase orders, receipts and returns they read come as
    light records from the facts kept per folder, none validated (the edited order only, when dirty),
    with the full read's figures; and
    their `git status` leaves the journal out (they read no journal sums)."""
    from comptoir.book import probe as probe_module
    from comptoir.schemas import purchasing, sales

    book = _demo_committed(tmp_path)
    statuses: list = []
    original = probe_module.Probe.__init__

    def recorded(self, path, paths=(".",), *a, **k):
        statuses.append(tuple(paths))
        original(self, path, paths, *a, **k)

    asked = [("item", "show", "ESP-1K"), ("report", "reorder"), ("report", "stock-ledger", "--item", "ESP-1K")]
    for dirty in (False, True):
        if dirty:
            order = sorted((book / "sales" / "orders").glob("*.yaml"))[-1]
            order.write_text(order.read_text().replace("qty: ", "qty: 1", 1))
        full = {}
        with monkeypatch.context() as m:
            _refuse(m)
            full = {args: run(book, *args, "--format", "json").stdout for args in asked}
        for args in asked:  # derives what the store lacks (parsing the files once)
            run(book, *args)
        statuses.clear()
        with monkeypatch.context() as m:
            m.setattr(probe_module.Probe, "__init__", recorded)
            _unvalidated(m, () if dirty else (sales.Delivery, sales.SalesOrder, purchasing.PurchaseOrder,
                                              purchasing.Receipt, purchasing.SupplierReturn))
            for args in asked:
                served = run(book, *args, "--format", "json")
                assert served.exit_code == 0, (args, served.stderr)
                assert served.stdout == full[args], (args, dirty)
        assert statuses and not any("journal/" in paths for paths in statuses), statuses


# -- partner show: the leads and opportunities as light records (cli/domain/partners.py CRM_LINK_FACTS) --

def _partner_shows(book: Path) -> list[tuple]:
    return [("partner", "show", p.stem) for p in sorted((book / "partners").glob("*.yaml"))] + \
        [("partner", "show", "nosuch")]


def test_partner_show_serves_the_crm_links_as_the_full_read(monkeypatch, tmp_path):
    """On the demo company: committed, then dirty (a lead re-linked to another partner, a new
    untracked lead, an opportunity removed), then --as-of the first commit: `partner show` of every
    partner lists the leads and opportunities the full read lists; committed and warm, without
    validating a lead or an opportunity (the models refuse)."""
    from comptoir.app import docfacts
    from comptoir.schemas import crm

    book = _demo_committed(tmp_path)
    first = git(book, "rev-parse", "HEAD").strip()

    def compare(as_of: tuple = (), refuse: bool = False) -> None:
        for args in _partner_shows(book):
            with monkeypatch.context() as m:
                _unvalidated(m, (crm.Lead, crm.Opportunity) if refuse else (), "partner show")
                served = run(book, *args, *as_of, "--format", "json")
            with monkeypatch.context() as m:
                m.setattr(docfacts, "attach", lambda *a, **k: False)
                full = run(book, *args, *as_of, "--format", "json")
            assert (served.exit_code, served.stdout) == (full.exit_code, full.stdout), (args, served.stderr)

    compare()
    compare(refuse=True)  # the store is warm: the facts of the committed folders are kept
    lead = next(p for p in sorted((book / "crm" / "leads").glob("*.yaml")) if "partner: cafe-lumiere" in p.read_text())
    lead.write_text(lead.read_text().replace("partner: cafe-lumiere", "partner: hotel-bellecour"))
    write(book, {"crm/leads/L-20261120-ZZZZ.yaml": "id: L-20261120-ZZZZ\ncreated: 2026-11-20\nname: New one\n"
                 "source: website\nstatus: converted\npartner: cafe-des-arts\n"})
    next(p for p in sorted((book / "crm" / "opportunities").glob("*.yaml")) if "partner:" in p.read_text()).unlink()
    compare()
    shown = json.loads(run(book, "partner", "show", "hotel-bellecour", "--format", "json").stdout)
    assert lead.stem in shown["leads"]
    compare(("--as-of", first))


def test_a_filter_naming_a_record_is_checked_by_its_file(monkeypatch, tmp_path):
    """A report's --partner or partner argument naming a committed partner is known from its one
    file (no listing of the partners folder); one that is not a committed file (new, untracked,
    removed, or at a revision that lacks it) is checked by the listing as before, with the same
    answers."""
    from comptoir import suggest

    book = _demo_committed(tmp_path)
    first = git(book, "rev-parse", "HEAD").strip()
    listed: list[str] = []
    original = suggest.known_ids

    def spy(root, kind, rev=None):
        listed.append(kind)
        return original(root, kind, rev)

    monkeypatch.setattr(suggest, "known_ids", spy)
    assert run(book, "report", "statement", "cafe-lumiere", "--format", "json").exit_code == 0
    assert run(book, "report", "ledger", "1100", "--format", "json").exit_code == 0
    assert listed == []
    write(book, {"partners/zz-new.yaml": "id: zz-new\nname: New\nroles:\n  - customer\n"})
    (book / "partners" / "cafe-lumiere.yaml").unlink()
    for args, code in ((("report", "statement", "zz-new"), 0), (("report", "statement", "cafe-lumiere"), 1),
                       (("report", "statement", "nosuch"), 1)):
        out = run(book, *args, "--format", "json")
        assert out.exit_code == code, (args, out.stderr)
    assert listed and set(listed) == {"partner"}  # the checks, and the suggestions of the errors
    assert run(book, "report", "statement", "cafe-lumiere", "--as-of", first, "--format", "json").exit_code == 0
    assert run(book, "report", "statement", "zz-new", "--as-of", first, "--format", "json").exit_code == 1
    assert not suggest.filed_at(_root(book), "partner", "../demo/partners/zz-new")


def _root(book: Path):
    from comptoir.book.root import find_root

    return find_root(str(book), None)


def test_cash_forecast_lists_what_it_reads_on_demand_from_its_one_status(monkeypatch, tmp_path):
    """The payroll runs, employees, departments and budgets the cash forecast reads when first used
    are listed from its one `git status` (cli/app/openitems.py CASH_READS), never from git's index:
    committed, then with a budget and an employee edited and a payroll run removed, as the full read."""
    from comptoir.book import git as gitmod

    book = _demo_committed(tmp_path)

    def check() -> None:
        full = {}
        with monkeypatch.context() as m:
            _refuse(m)
            for args in CASH_REPORTS:
                full[args] = run(book, *args, "--format", "json")
        with monkeypatch.context() as m:
            def listing(*a, **k):
                raise AssertionError("a served cash forecast listed a kind from git's index")

            m.setattr(gitmod, "listing", listing)
            for args in CASH_REPORTS:
                served = run(book, *args, "--format", "json")
                assert (served.exit_code, served.stdout) == (full[args].exit_code, full[args].stdout), \
                    (args, served.stderr)

    check()
    budget = book / "budgets" / "2026-q4-reforecast.yaml"
    before = run(book, *CASH_REPORTS[0], "--format", "json").stdout
    budget.write_text(budget.read_text().replace("monthly: 2400", "monthly: 9400"))
    sorted((book / "hr" / "payroll").rglob("*.yaml"))[-1].unlink()
    employee = sorted((book / "hr" / "employees").glob("*.yaml"))[0]
    employee.write_text(employee.read_text())  # unchanged content: still HEAD's
    check()
    assert run(book, *CASH_REPORTS[0], "--format", "json").stdout != before  # the edited budget counts


def test_a_stock_report_that_reads_no_journal_leaves_it_out_of_its_status(monkeypatch, tmp_path):
    """`report open-orders`, `item list`, `item show`, `warehouse list` and `report stock-ledger` read
    nothing of the journal: their one `git status` does not cover it (360,000 files to stat on a
    fifth-year book), and covers the kinds they read whole (nothing is listed from git's index);
    `report stock-balance`, which sums the inventory accounts, still does. With a
    journal entry and a stock move changed in the working tree, each equals the full read."""
    from comptoir.app import ledgerdays
    from comptoir.book import git as gitmod

    book = _demo_committed(tmp_path)
    asked: list[tuple] = []
    original = ledgerdays.Probe

    def probe(path, paths=(".",), *a, **k):
        asked.append(tuple(paths))
        return original(path, paths, *a, **k)

    reports = [("report", "open-orders"), ("report", "open-orders", "--date", "2026-11-15"), ("item", "list"),
               ("item", "show", "ESP-1K"), ("warehouse", "list"), ("report", "stock-ledger", "--item", "ESP-1K")]
    monkeypatch.setattr(ledgerdays, "Probe", probe)
    for args in reports:
        asked.clear()
        assert run(book, *args, "--format", "json").exit_code == 0, args
        assert asked and all("journal/" not in paths for paths in asked), (args, asked)
    with monkeypatch.context() as m:  # the kinds they read whole are listed from that status too
        def listing(*a, **k):
            raise AssertionError("a served stock report listed a kind from git's index")

        m.setattr(gitmod, "listing", listing)
        for args in [*reports, ("report", "reorder")]:
            out = run(book, *args, "--format", "json")
            assert out.exit_code == 0, (args, out.stderr)
    asked.clear()
    run(book, "report", "stock-balance", "--format", "json")
    assert any("journal/" in paths for paths in asked)
    entry = sorted((book / "journal").rglob("*.yaml"))[-1]
    entry.write_text(entry.read_text().replace("memo:", "memo: edited", 1))
    move = sorted((book / "stock").rglob("*.yaml"))[2]
    move.unlink()
    _same(book, monkeypatch, [*reports, ("report", "reorder"), ("report", "stock-balance")])
