"""Stock reports (balance, ledger, reorder, overview, diff) and the quick availability read path."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from comptoir.app.stock import load_quick
from comptoir.book.loader import load_book
from comptoir.book.ondemand import Records
from comptoir.book.root import find_root
from comptoir.render import to_json
from comptoir.views.availability import availability_table

from .conftest import commit_all, from_template, git, head, run, write


def ok(book, *args):
    res = run(book, *args)
    assert res.exit_code == 0, res.output
    return res


def report(book, name, *args) -> dict:
    return json.loads(ok(book, "report", name, *args, "--format", "json").stdout)


def _moved(book, scratch):
    ok(book, "warehouse", "add", "ROAST", "Roastery")
    ok(book, "warehouse", "add", "SHOP", "Shop")
    ok(book, "item", "add", "BEAN", "Green beans", "--uom", "kg", "--lead-time", "21",
       "--reorder-point", "50", "--reorder-qty", "100")
    ok(book, "stock", "receive", "BEAN", "--qty", "100", "--unit-cost", "8.20", "--warehouse", "ROAST",
       "--date", "2026-09-01")
    ok(book, "stock", "receive", "BEAN", "--qty", "50", "--unit-cost", "9.10", "--warehouse", "ROAST",
       "--date", "2026-10-01")
    ok(book, "stock", "issue", "BEAN", "--qty", "120", "--warehouse", "ROAST", "--date", "2026-10-15")
    ok(book, "stock", "transfer", "BEAN", "--qty", "20", "--from", "ROAST", "--to", "SHOP", "--date", "2026-11-01")
    ok(book, "stock", "adjust", "BEAN", "--warehouse", "SHOP", "--counted", "18", "--reason", "count",
       "--date", "2026-11-12")
    return book


@pytest.fixture
def moved(book):
    return from_template(book, "stock_reports.moved", _moved)


def test_stock_balance_totals_agree_with_the_inventory_account(moved):
    doc = report(moved, "stock-balance")
    assert [(r["warehouse"], r["qty"], r["rate"], r["value"]) for r in doc["rows"]] == [
        ("ROAST", "10", "9.1000", "91.00"), ("SHOP", "18", "9.1000", "163.80")]
    assert doc["totals"]["value"] == "254.80" and doc["agrees"] is True
    assert doc["inventory_accounts_balance"] == "254.80"
    assert doc["notes"] == ["Inventory accounts (1200): 254.80; agrees with the stock value."]
    on = report(moved, "stock-balance", "--date", "2026-10-31")
    assert [(r["warehouse"], r["qty"], r["value"]) for r in on["rows"]] == [("ROAST", "30", "273.00")]
    assert on["agrees"] is True
    shop = report(moved, "stock-balance", "--warehouse", "SHOP")
    assert shop["totals"]["value"] == "163.80" and "agrees" not in shop


def test_stock_ledger_has_running_quantity_and_value(moved):
    doc = report(moved, "stock-ledger", "--item", "BEAN")
    assert [(r["date"], r["type"], r["warehouse"], r["other"], r["qty"], r["value"], r["balance_qty"],
             r["balance_value"]) for r in doc["rows"]] == [
        ("2026-09-01", "receipt", "ROAST", "2100", "100", "820.00", "100", "820.00"),
        ("2026-10-01", "receipt", "ROAST", "2100", "50", "455.00", "150", "1275.00"),
        ("2026-10-15", "issue", "ROAST", "5010", "-120", "-1002.00", "30", "273.00"),
        ("2026-11-01", "transfer", "ROAST", "SHOP", "-20", "-182.00", "10", "91.00"),
        ("2026-11-01", "transfer", "SHOP", "ROAST", "20", "182.00", "20", "182.00"),
        ("2026-11-12", "adjustment", "SHOP", "5020", "-2", "-18.20", "18", "163.80")]
    # a period keeps the running balance from before it
    oct_ = report(moved, "stock-ledger", "--period", "2026-10", "--warehouse", "ROAST")
    assert [(r["date"], r["balance_qty"]) for r in oct_["rows"]] == [("2026-10-01", "150"), ("2026-10-15", "30")]


def test_reorder_lists_items_below_their_point_with_the_run_out_date(moved):
    doc = report(moved, "reorder")
    assert doc["rows"] == [{
        "item": "BEAN", "name": "Green beans", "uom": "kg", "on_hand": "28", "projected": "28",
        "reorder_point": "50", "reorder_qty": "100", "suggested": "100", "daily_use": "1.333",
        "runs_out": "2026-12-19", "lead_time_days": 21, "order_by": "2026-11-28"}]
    # 120 kg used in the last 90 days: 28 kg last 28 x 90 / 120 = 21 days
    assert report(moved, "reorder", "--date", "2027-03-01")["rows"][0]["runs_out"] is None


def test_overview_shows_stock_value_and_items_to_reorder(moved):
    rows = report(moved, "overview")["rows"]
    stock = {r["measure"]: r["value"] for r in rows if r["section"] == "Stock"}
    assert stock == {"Stock value": "254.80", "Items below reorder point": 1}


def test_item_list_shows_stock_per_item(moved):
    (row,) = json.loads(ok(moved, "item", "list", "--format", "json").stdout)["rows"]
    assert (row["on_hand"], row["value"]) == ("28", "254.80")


def test_reports_as_of_an_earlier_commit(moved):
    doc = report(moved, "stock-balance", "--as-of", "HEAD~2")
    assert [(r["warehouse"], r["qty"]) for r in doc["rows"]] == [("ROAST", "30")]
    rows = json.loads(ok(moved, "stock", "available", "--as-of", "HEAD~2", "--format", "json").stdout)["rows"]
    assert [(r["warehouse"], r["on_hand"]) for r in rows] == [("ROAST", "30")]


def test_diff_shows_the_stock_effect(moved):
    res = ok(moved, "diff", "HEAD~1", "HEAD", "--format", "markdown")
    assert "Effect on stock" in res.stdout and "-18.20" in res.stdout


# -- the quick read path ---------------------------------------------------------------------------

def _rows(book) -> list[dict]:
    return json.loads(to_json(availability_table(book)))["rows"]


def test_quick_read_matches_the_full_load_and_caches_by_tree(moved):
    root = find_root(str(moved))
    full = _rows(load_book(root))
    cache = moved / ".git" / "comptoir" / "store" / "stock-levels"
    first = load_quick(root)
    assert _rows(first) == full and any(cache.iterdir())
    second = load_quick(root)
    assert isinstance(second.records["stock-move"], Records)
    assert _rows(second) == full
    assert not second.records["stock-move"].loaded  # served from the cache: no move was read
    assert not second.records["journal"].loaded
    assert len(second.of("stock-move")) == 5  # and asking for them still works
    for kept in cache.iterdir():
        kept.write_bytes(b"garbage")
    assert _rows(load_quick(root)) == full


def test_quick_read_never_serves_uncommitted_moves_from_the_cache(moved):
    root = find_root(str(moved))
    load_quick(root)  # fill the cache for HEAD's tree
    before = head(moved)
    ok(moved, "stock", "receive", "BEAN", "--qty", "5", "--unit-cost", "9", "--warehouse", "SHOP", "--no-commit")
    assert head(moved) == before
    rows = {r["warehouse"]: r["on_hand"] for r in
            json.loads(ok(moved, "stock", "available", "BEAN", "--format", "json").stdout)["rows"]}
    assert rows == {"ROAST": "10", "SHOP": "23"}
    git(moved, "reset", "-q", "--hard")
    move = next((moved / "stock" / "2026" / "11").glob("SM-20261112-*.yaml"))
    move.write_text(move.read_text().replace("qty: 2", "qty: 3"))  # an unstaged hand edit
    rows = {r["warehouse"]: r["on_hand"] for r in
            json.loads(ok(moved, "stock", "available", "BEAN", "--format", "json").stdout)["rows"]}
    assert rows == {"ROAST": "10", "SHOP": "17"}
    (moved / "items" / "CUP.yaml").write_text("sku: CUP\nname: Cup\n")  # an untracked item is seen too
    assert "CUP" in ok(moved, "stock", "available", "--format", "json").stdout


def test_a_stock_write_files_the_new_levels_so_the_next_read_skips_the_moves(moved):
    root = find_root(str(moved))
    ok(moved, "stock", "receive", "BEAN", "--qty", "5", "--unit-cost", "9", "--warehouse", "SHOP")
    book = load_quick(root)
    rows = {r["warehouse"]: r["on_hand"] for r in _rows(book)}
    assert rows == {"ROAST": "10", "SHOP": "23"}
    assert not book.records["stock-move"].loaded  # the receive filed the levels of its own commit
    assert _rows(book) == _rows(load_book(root))


def test_quick_read_reads_only_the_kinds_asked_for(moved):
    root = find_root(str(moved))
    book = load_quick(root, kinds={"item", "warehouse"})
    assert set(book.of("item")) == {"BEAN"} and set(book.of("warehouse")) == {"ROAST", "SHOP"}
    assert isinstance(book.records["account"], Records) and not book.records["account"].loaded
    assert "1200" in book.accounts  # another kind is read in full when first used
    assert len(book.of("stock-move")) == 5


def test_a_repeated_question_on_an_unchanged_book_gets_the_remembered_answer(moved, monkeypatch):
    import comptoir.app.stock
    first = ok(moved, "stock", "available", "--format", "csv").stdout
    promise = ok(moved, "stock", "promise", "BEAN", "--qty", "12", "--warehouse", "SHOP").stdout
    assert (moved / ".git" / "comptoir" / "store" / "answer").is_dir()
    ok(moved, "journal", "post", "--date", "2026-11-20", "--memo", "Rent", "-p", "6100", "900", "-p", "1010")

    def unread(*args, **kwargs):
        raise AssertionError("the book was read")

    monkeypatch.setattr(comptoir.app.stock, "load_quick", unread)
    # the journal is not something availability depends on: still the same answers, no record read
    assert ok(moved, "stock", "available", "--format", "csv").stdout == first
    assert ok(moved, "stock", "promise", "BEAN", "--qty", "12", "--warehouse", "SHOP").stdout == promise
    # another question, another day, an uncommitted edit or the switch: computed afresh
    assert run(moved, "stock", "available", "--format", "json").exit_code == 1
    assert run(moved, "stock", "promise", "BEAN", "--qty", "12", "--warehouse", "SHOP",
               today=dt.date(2026, 11, 29)).exit_code == 1
    (moved / "warehouses" / "SHOP.yaml").write_text("code: SHOP\nname: Boutique\n")
    assert run(moved, "stock", "available", "--format", "csv").exit_code == 1
    git(moved, "checkout", "-q", "--", "warehouses/SHOP.yaml")
    assert ok(moved, "stock", "available", "--format", "csv").stdout == first
    # a file git does not track (the status compares tracked files and counts each folder's
    # entries), in a folder HEAD has, in a folder it lacks, then one it ignores: computed afresh,
    # remembered again
    for extra in ("sales/orders/SO-20261120-ZZZZ.yaml", "manufacturing/orders/WO-20261120-ZZZZ.yaml"):
        write(moved, {extra: "not: a record\n"})
        assert run(moved, "stock", "available", "--format", "csv").exit_code == 1, extra
        (moved / extra).unlink()
        assert ok(moved, "stock", "available", "--format", "csv").stdout == first
    write(moved, {".gitignore": "*.tmp\n"})
    commit_all(moved)
    monkeypatch.undo()
    first = ok(moved, "stock", "available", "--format", "csv").stdout
    monkeypatch.setattr(comptoir.app.stock, "load_quick", unread)
    write(moved, {"sales/orders/scratch.tmp": "ignored\n"})
    assert ok(moved, "stock", "available", "--format", "csv").stdout == first  # git's whole answer: unchanged
    monkeypatch.setenv("COMPTOIR_ANSWER_CACHE", "0")
    assert run(moved, "stock", "available", "--format", "csv").exit_code == 1


def test_kinds_asked_for_are_read_even_when_posted_and_dated(moved):
    book = load_quick(find_root(str(moved)), kinds={"item", "warehouse", "stock-move"})
    assert not isinstance(book.records["stock-move"], Records) and len(book.of("stock-move")) == 5
    assert isinstance(book.records["journal"], Records) and not book.records["journal"].loaded
    ok(moved, "stock", "receive", "BEAN", "--qty", "5", "--unit-cost", "9", "--warehouse", "SHOP", "--no-commit")
    book = load_quick(find_root(str(moved)), kinds={"item", "warehouse", "stock-move"})
    assert len(book.of("stock-move")) == 6  # the uncommitted move too
    assert {r["warehouse"]: r["on_hand"] for r in _rows(book)} == {"ROAST": "10", "SHOP": "23"}


def test_a_book_in_a_folder_of_a_larger_repository(tmp_path):
    """Like ledger-data/ in this project: git paths carry a prefix, pathspecs are relative."""
    outer = tmp_path / "project"
    outer.mkdir()
    git(outer, "init", "-q")
    git(outer, "config", "user.name", "Test")
    git(outer, "config", "user.email", "test@example.com")
    (outer / "README").write_text("not the books\n")
    data = outer / "books"
    ok(None, "init", data, "--company", "Nested", "--currency", "EUR")
    ok(data, "warehouse", "add", "MAIN", "Main")
    ok(data, "item", "add", "CUP", "Cup")
    ok(data, "stock", "receive", "CUP", "--qty", "7", "--unit-cost", "2.00", "--date", "2026-11-02")
    for _ in range(2):  # computed, then remembered
        rows = json.loads(ok(data, "stock", "available", "--format", "json").stdout)["rows"]
        assert [(r["item"], r["warehouse"], r["on_hand"]) for r in rows] == [("CUP", "MAIN", "7")]
    assert (outer / ".git" / "comptoir" / "store" / "answer").is_dir()
    book = load_quick(find_root(str(data)))
    assert _rows(book) == _rows(load_book(find_root(str(data))))
    assert not book.records["stock-move"].loaded  # the levels the receive filed were used
