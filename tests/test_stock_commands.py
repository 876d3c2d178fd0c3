"""item, warehouse and stock write commands: the files and commit each makes, exact values and
postings, every refusal, and stock value equal to the inventory accounts after every command."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from .conftest import commit_all, files_in_commit, from_template, git, head, run, write


def ok(book, *args):
    res = run(book, *args)
    assert res.exit_code == 0, res.output
    return res


def agrees(book) -> Decimal:
    """The stock value, after checking it equals the inventory accounts and the book validates."""
    doc = json.loads(ok(book, "report", "stock-balance", "--format", "json").stdout)
    assert doc["agrees"] is True, doc
    assert doc["inventory_accounts_balance"] == doc["totals"]["value"]
    assert run(book, "validate").exit_code == 0
    return Decimal(doc["totals"]["value"])


def move_file(book, ident: str) -> str:
    return f"stock/{ident[3:7]}/{ident[7:9]}/{ident}.yaml"


def entry_file(ident: str) -> str:
    return f"journal/{ident[3:7]}/{ident[7:9]}/{ident}.yaml"


def read(book, ident: str) -> dict:
    shown = json.loads(ok(book, "journal", "show", ident, "--format", "json").stdout)
    return {r["account"]: Decimal(r["debit"] or "0") - Decimal(r["credit"] or "0") for r in shown["rows"]}


def _stocked(book, scratch):
    ok(book, "warehouse", "add", "ROAST", "Roastery", "--address", "4 rue des Halles")
    ok(book, "warehouse", "add", "SHOP", "Shop")
    ok(book, "item", "add", "BEAN", "Green beans", "--uom", "kg", "--type", "raw-material", "--lead-time", "14",
       "--reorder-point", "50", "--reorder-qty", "100")
    ok(book, "item", "add", "ESP", "Espresso 250 g", "--uom", "bag", "--type", "finished-good",
       "--valuation", "moving-average", "--lead-time", "3")
    return book


@pytest.fixture
def stocked(book):
    return from_template(book, "stock_commands.stocked", _stocked)


# -- items and warehouses ------------------------------------------------------------------------

def test_item_add_writes_one_file_and_one_commit(book):
    before = head(book)
    res = ok(book, "item", "add", "BEAN", "Green beans", "--uom", "kg", "--lead-time", "14",
             "--reorder-point", "50", "--reorder-qty", "100", "--valuation", "moving-average")
    assert res.stdout == "BEAN\n"
    assert git(book, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert files_in_commit(book) == ["items/BEAN.yaml"]
    assert git(book, "log", "-1", "--format=%s").strip() == "Add item BEAN Green beans"
    text = (book / "items/BEAN.yaml").read_text()
    for line in ("sku: BEAN", "uom: kg", "lead_time_days: 14", "reorder_point: 50", "valuation: moving-average"):
        assert line in text.splitlines()
    rows = json.loads(ok(book, "item", "list", "--format", "json").stdout)["rows"]
    assert rows == [{"sku": "BEAN", "name": "Green beans", "type": "stocked", "uom": "kg",
                     "valuation": "moving-average", "lead_time_days": 14, "reorder_point": "50",
                     "reorder_qty": "100", "on_hand": "0", "value": "0.00", "active": True}]


def test_item_add_refuses_duplicates_and_unknown_accounts(book):
    ok(book, "item", "add", "BEAN", "Green beans")
    before = head(book)
    dup = run(book, "item", "add", "BEAN", "Other")
    assert dup.exit_code == 1 and "[duplicate-id]" in dup.stderr
    bad = run(book, "item", "add", "CUP", "Cup", "--inventory-account", "1999")
    assert bad.exit_code == 1 and "[unknown-account]" in bad.stderr
    assert head(book) == before and git(book, "status", "--porcelain") == ""


def test_item_show_gives_settings_and_availability(stocked):
    ok(stocked, "stock", "receive", "BEAN", "--qty", "60", "--unit-cost", "8.20", "--warehouse", "ROAST",
       "--date", "2026-11-02")
    doc = json.loads(ok(stocked, "item", "show", "BEAN", "--format", "json").stdout)
    assert doc["item"]["lead_time_days"] == 14 and doc["item"]["type"] == "raw-material"
    assert [(r["warehouse"], r["on_hand"]) for r in doc["rows"]] == [("ROAST", "60"), ("SHOP", "0")]
    missing = run(stocked, "item", "show", "NOPE")
    assert missing.exit_code == 1 and "[unknown-item]" in missing.stderr


def test_warehouse_add_and_list(stocked):
    assert files_in_commit(stocked, "HEAD~3") == ["warehouses/ROAST.yaml"]
    ok(stocked, "stock", "receive", "BEAN", "--qty", "10", "--unit-cost", "2.50", "--warehouse", "SHOP",
       "--date", "2026-11-02")
    rows = json.loads(ok(stocked, "warehouse", "list", "--format", "json").stdout)["rows"]
    assert [(r["code"], r["address"], r["items"], r["value"]) for r in rows] == [
        ("ROAST", "4 rue des Halles", 0, "0.00"), ("SHOP", "", 1, "25.00")]


# -- receive, issue, transfer, adjust -------------------------------------------------------------

def test_receive_writes_the_move_and_its_entry_in_one_commit(stocked):
    before = head(stocked)
    res = ok(stocked, "stock", "receive", "BEAN", "--qty", "100", "--unit-cost", "8.20", "--warehouse", "ROAST",
             "--date", "2026-11-02", "--reference", "PO-4411")
    move, entry = res.stdout.split()
    assert move.startswith("SM-20261102-") and entry.startswith("JE-20261102-")
    assert git(stocked, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert files_in_commit(stocked) == sorted([entry_file(entry), move_file(stocked, move)])
    message = git(stocked, "log", "-1", "--format=%B")
    assert message.startswith("Receive 100 kg BEAN into ROAST")
    assert "Comptoir-Command: stock receive" in message and f"Comptoir-Records: {move}, {entry}" in message
    text = (stocked / move_file(stocked, move)).read_text().splitlines()
    for line in ("type: receipt", "item: BEAN", "qty: 100", "to_warehouse: ROAST", "unit_cost: 8.20",
                 "value: 820.00", "account: '2100'", "reference: PO-4411"):
        assert line in text
    assert read(stocked, entry) == {"1200": Decimal("820.00"), "2100": Decimal("-820.00")}
    assert f"source: {move}" in (stocked / entry_file(entry)).read_text()
    assert agrees(stocked) == Decimal("820.00")


def test_issue_fifo_takes_the_oldest_layers_and_debits_the_chosen_account(stocked):
    ok(stocked, "stock", "receive", "BEAN", "--qty", "100", "--unit-cost", "8.20", "--warehouse", "ROAST",
       "--date", "2026-11-01")
    ok(stocked, "stock", "receive", "BEAN", "--qty", "50", "--unit-cost", "9.10", "--warehouse", "ROAST",
       "--date", "2026-11-05")
    res = ok(stocked, "stock", "issue", "BEAN", "--qty", "120", "--warehouse", "ROAST", "--date", "2026-11-10",
             "--reason", "roasting", "--account", "5000")
    move, entry = res.stdout.split()
    assert "value: 1002.00" in (stocked / move_file(stocked, move)).read_text()  # 100 x 8.20 + 20 x 9.10
    assert read(stocked, entry) == {"5000": Decimal("1002.00"), "1200": Decimal("-1002.00")}
    assert agrees(stocked) == Decimal("273.00")  # 30 x 9.10
    default = ok(stocked, "stock", "issue", "BEAN", "--qty", "1", "--warehouse", "ROAST", "--date", "2026-11-11")
    assert read(stocked, default.stdout.split()[1]) == {"5010": Decimal("9.10"), "1200": Decimal("-9.10")}


def test_issue_moving_average(stocked):
    ok(stocked, "stock", "receive", "ESP", "--qty", "10", "--unit-cost", "5.00", "--warehouse", "SHOP",
       "--date", "2026-11-01")
    ok(stocked, "stock", "receive", "ESP", "--qty", "10", "--unit-cost", "6.00", "--warehouse", "SHOP",
       "--date", "2026-11-02")
    move, entry = ok(stocked, "stock", "issue", "ESP", "--qty", "15", "--warehouse", "SHOP",
                     "--date", "2026-11-03").stdout.split()
    assert read(stocked, entry) == {"5010": Decimal("82.50"), "1200": Decimal("-82.50")}
    assert agrees(stocked) == Decimal("27.50")


def test_transfer_posts_nothing_on_one_account_and_an_entry_between_two(stocked):
    ok(stocked, "stock", "receive", "BEAN", "--qty", "10", "--unit-cost", "8.00", "--warehouse", "ROAST",
       "--date", "2026-11-01")
    res = ok(stocked, "stock", "transfer", "BEAN", "--qty", "4", "--from", "ROAST", "--to", "SHOP",
             "--date", "2026-11-02")
    (move,) = res.stdout.split()  # same inventory account on both sides: no entry
    assert files_in_commit(stocked) == [move_file(stocked, move)]
    assert "no journal entry" in res.stderr
    ok(stocked, "account", "add", "1210", "Stock at the shop", "--type", "asset", "--parent", "1000",
       "--role", "inventory")
    ok(stocked, "warehouse", "add", "VAN", "Delivery van", "--inventory-account", "1210")
    move, entry = ok(stocked, "stock", "transfer", "BEAN", "--qty", "3", "--from", "ROAST", "--to", "VAN",
                     "--date", "2026-11-03").stdout.split()
    assert read(stocked, entry) == {"1210": Decimal("24.00"), "1200": Decimal("-24.00")}
    balance = json.loads(ok(stocked, "report", "stock-balance", "--format", "json").stdout)
    assert [(r["warehouse"], r["qty"], r["value"], r["account"]) for r in balance["rows"]] == [
        ("ROAST", "3", "24.00", "1200"), ("SHOP", "4", "32.00", "1200"), ("VAN", "3", "24.00", "1210")]
    assert agrees(stocked) == Decimal("80.00")


def test_adjust_to_a_count_posts_shortage_and_surplus_to_stock_adjustment(stocked):
    ok(stocked, "stock", "receive", "ESP", "--qty", "20", "--unit-cost", "4.50", "--warehouse", "SHOP",
       "--date", "2026-11-01")
    move, entry = ok(stocked, "stock", "adjust", "ESP", "--warehouse", "SHOP", "--counted", "17",
                     "--reason", "monthly count", "--date", "2026-11-30").stdout.split()
    text = (stocked / move_file(stocked, move)).read_text()
    assert "type: adjustment" in text and "from_warehouse: SHOP" in text and "reason: monthly count" in text
    assert read(stocked, entry) == {"5020": Decimal("13.50"), "1200": Decimal("-13.50")}
    memo = json.loads(ok(stocked, "journal", "show", entry, "--format", "json").stdout)["memo"]
    assert memo == "Stock count ESP in SHOP: 20 -> 17 (monthly count)"
    # a surplus comes in at the current average rate, against stock adjustment
    move, entry = ok(stocked, "stock", "adjust", "ESP", "--warehouse", "SHOP", "--qty", "+2",
                     "--reason", "found behind the shelf", "--date", "2026-11-30").stdout.split()
    assert read(stocked, entry) == {"1200": Decimal("9.00"), "5020": Decimal("-9.00")}
    move, entry = ok(stocked, "stock", "adjust", "ESP", "--warehouse", "SHOP", "--qty", "-1",
                     "--reason", "broken bag", "--date", "2026-11-30").stdout.split()
    assert read(stocked, entry) == {"5020": Decimal("4.50"), "1200": Decimal("-4.50")}
    assert agrees(stocked) == Decimal("81.00")  # 18 x 4.50


def test_adjust_refuses_a_count_that_agrees_and_needs_a_reason(stocked):
    ok(stocked, "stock", "receive", "ESP", "--qty", "5", "--unit-cost", "4.50", "--warehouse", "SHOP",
       "--date", "2026-11-01")
    before = head(stocked)
    same = run(stocked, "stock", "adjust", "ESP", "--warehouse", "SHOP", "--counted", "5", "--reason", "count")
    assert same.exit_code == 1 and "[nothing-to-adjust]" in same.stderr and "already holds 5 bag" in same.stderr
    assert run(stocked, "stock", "adjust", "ESP", "--warehouse", "SHOP", "--counted", "4").exit_code == 2
    both = run(stocked, "stock", "adjust", "ESP", "--warehouse", "SHOP", "--counted", "4", "--qty", "-1",
               "--reason", "x")
    assert both.exit_code == 1 and "[count-or-delta]" in both.stderr
    fresh = run(stocked, "stock", "adjust", "BEAN", "--warehouse", "SHOP", "--counted", "4", "--reason", "x")
    assert fresh.exit_code == 1 and "[missing-unit-cost]" in fresh.stderr
    assert head(stocked) == before and git(stocked, "status", "--porcelain") == ""


def test_the_only_warehouse_is_the_default(book):
    ok(book, "warehouse", "add", "MAIN", "Main")
    ok(book, "item", "add", "CUP", "Cup")
    move, _ = ok(book, "stock", "receive", "CUP", "--qty", "3", "--unit-cost", "1.00").stdout.split()
    assert "to_warehouse: MAIN" in (book / move_file(book, move)).read_text()
    assert "date: 2026-11-28" in (book / move_file(book, move)).read_text()  # today, from the injected clock
    ok(book, "warehouse", "add", "SPARE", "Spare")
    which = run(book, "stock", "issue", "CUP", "--qty", "1")
    assert which.exit_code == 1 and "[which-warehouse]" in which.stderr and "MAIN, SPARE" in which.stderr


def test_no_commit_stages_the_move_and_the_entry(stocked):
    before = head(stocked)
    move, entry = ok(stocked, "stock", "receive", "BEAN", "--qty", "1", "--unit-cost", "1", "--warehouse", "ROAST",
                     "--no-commit").stdout.split()
    assert head(stocked) == before
    status = sorted(git(stocked, "status", "--porcelain").splitlines())
    assert status == sorted([f"A  {move_file(stocked, move)}", f"A  {entry_file(entry)}"])


# -- refusals -------------------------------------------------------------------------------------

def _refused(book, res, code: str) -> None:
    assert res.exit_code == 1, res.output
    assert f"[{code}]" in res.stderr


def test_negative_stock_is_refused_with_on_hand_and_asked(stocked):
    ok(stocked, "stock", "receive", "BEAN", "--qty", "10", "--unit-cost", "8.00", "--warehouse", "ROAST",
       "--date", "2026-11-01")
    before = head(stocked)
    res = run(stocked, "stock", "issue", "BEAN", "--qty", "15", "--warehouse", "ROAST", "--date", "2026-11-03")
    _refused(stocked, res, "negative-stock")
    assert "ROAST has 10 kg of BEAN on hand on 2026-11-03; issue of 15 asked" in res.stderr
    res = run(stocked, "stock", "transfer", "BEAN", "--qty", "1", "--from", "SHOP", "--to", "ROAST")
    _refused(stocked, res, "negative-stock")
    assert "SHOP has 0 kg of BEAN" in res.stderr
    assert head(stocked) == before and git(stocked, "status", "--porcelain") == ""


def test_a_backdated_issue_that_starves_a_later_one_is_refused(stocked):
    ok(stocked, "stock", "receive", "BEAN", "--qty", "10", "--unit-cost", "8.00", "--warehouse", "ROAST",
       "--date", "2026-11-01")
    later = ok(stocked, "stock", "issue", "BEAN", "--qty", "8", "--warehouse", "ROAST",
               "--date", "2026-11-20").stdout.split()[0]
    res = run(stocked, "stock", "issue", "BEAN", "--qty", "5", "--warehouse", "ROAST", "--date", "2026-11-10")
    _refused(stocked, res, "negative-stock")
    assert f"for the later issue {later} on 2026-11-20: 5 on hand, 8 asked" in res.stderr


def test_a_backdated_issue_keeps_the_valuation_state_a_full_replay_gives(stocked):
    """After an issue dated before the item's last move (allowed: a later receipt follows it, and
    a FIFO issue from the layer it leaves alone), the next write finds the new HEAD's valuation state kept, replayed from the item's moves
    the write read, and it is the state every move replayed from scratch gives."""
    from comptoir.app.stock import STATE, _keys, _listing, valuation_state
    from comptoir.book.root import find_root
    from comptoir.book.store import Store

    for sku, costs in (("BEAN", ("8.00", "9.00")), ("ESP", ("2.00", "4.00"))):
        for day, cost in zip(("2026-11-01", "2026-11-10"), costs, strict=True):
            ok(stocked, "stock", "receive", sku, "--qty", "10", "--unit-cost", cost, "--warehouse", "ROAST",
               "--date", day)
    ok(stocked, "stock", "issue", "BEAN", "--qty", "2", "--warehouse", "ROAST", "--date", "2026-11-12")
    ok(stocked, "stock", "issue", "BEAN", "--qty", "3", "--warehouse", "ROAST", "--date", "2026-11-05")
    ok(stocked, "stock", "issue", "ESP", "--qty", "4", "--warehouse", "ROAST", "--date", "2026-11-05")
    root = find_root(str(stocked))
    start, leaves = _listing(root, "HEAD")
    kept = Store.of(root.path).get(STATE, _keys(start, leaves)[-1])
    assert isinstance(kept, dict)
    store = Store.of(root.path).folder
    for path in (store / "stock-state").iterdir():
        path.unlink()
    assert kept == valuation_state(root).data  # made again from every move
    layers = {wh: pos[3] for wh, pos in kept["items"]["BEAN"][3].items()}
    assert layers == {"ROAST": [("5", "40.00"), ("10", "90.00")]}  # FIFO: 10 - 3 - 2 at 8, then 10 at 9


def test_a_backdated_move_that_would_change_frozen_costs_is_refused(stocked):
    ok(stocked, "stock", "receive", "BEAN", "--qty", "10", "--unit-cost", "8.00", "--warehouse", "ROAST",
       "--date", "2026-11-01")
    ok(stocked, "stock", "receive", "BEAN", "--qty", "10", "--unit-cost", "9.00", "--warehouse", "ROAST",
       "--date", "2026-11-05")
    issue = ok(stocked, "stock", "issue", "BEAN", "--qty", "12", "--warehouse", "ROAST",
               "--date", "2026-11-10").stdout.split()[0]
    before = head(stocked)
    # FIFO: an issue on 11-03 would take the 8.00 layer and leave the later issue dearer
    res = run(stocked, "stock", "issue", "BEAN", "--qty", "2", "--warehouse", "ROAST", "--date", "2026-11-03")
    _refused(stocked, res, "backdated-move")
    assert f"{issue} (issue 2026-11-10, 98.00 -> 100.00 EUR)" in res.stderr
    assert "date it on or after 2026-11-10" in res.stderr
    assert head(stocked) == before and git(stocked, "status", "--porcelain") == ""
    # the same move dated on or after the last outgoing move is fine, and so is a receipt after it
    ok(stocked, "stock", "issue", "BEAN", "--qty", "2", "--warehouse", "ROAST", "--date", "2026-11-10")
    ok(stocked, "stock", "receive", "BEAN", "--qty", "5", "--unit-cost", "7.00", "--warehouse", "ROAST",
       "--date", "2026-11-10")
    agrees(stocked)


@pytest.mark.parametrize("args, code", [
    (["stock", "receive", "NOPE", "--qty", "1", "--unit-cost", "1", "--warehouse", "ROAST"], "unknown-item"),
    (["stock", "receive", "BEAN", "--qty", "1", "--unit-cost", "1", "--warehouse", "ATTIC"], "unknown-warehouse"),
    (["stock", "issue", "BEAN", "--qty", "0", "--warehouse", "ROAST"], "invalid-quantity"),
    (["stock", "issue", "BEAN", "--qty", "abc", "--warehouse", "ROAST"], "invalid-quantity"),
    (["stock", "transfer", "BEAN", "--qty", "1", "--from", "ROAST", "--to", "ROAST"], "invalid-move"),
    (["stock", "receive", "FEE", "--qty", "1", "--unit-cost", "1", "--warehouse", "ROAST"], "service-item"),
])
def test_bad_input_is_refused_and_nothing_written(stocked, args, code):
    ok(stocked, "item", "add", "FEE", "Roasting fee", "--type", "service")
    before = head(stocked)
    _refused(stocked, run(stocked, *args), code)
    assert head(stocked) == before and git(stocked, "status", "--porcelain") == ""


def test_an_item_that_allows_negative_stock_settles_the_shortfall_with_a_variance(book):
    ok(book, "warehouse", "add", "MAIN", "Main")
    ok(book, "item", "add", "CUP", "Cup", "--allow-negative", "--valuation", "moving-average")
    ok(book, "stock", "receive", "CUP", "--qty", "2", "--unit-cost", "10.00", "--date", "2026-11-01")
    move, entry = ok(book, "stock", "issue", "CUP", "--qty", "5", "--date", "2026-11-02").stdout.split()
    assert read(book, entry) == {"5010": Decimal("50.00"), "1200": Decimal("-50.00")}
    assert agrees(book) == Decimal("-30.00")
    move, entry = ok(book, "stock", "receive", "CUP", "--qty", "5", "--unit-cost", "12.00",
                     "--date", "2026-11-03").stdout.split()
    text = (book / move_file(book, move)).read_text()
    assert "value: 60.00" in text and "variance: 6.00" in text
    assert read(book, entry) == {"1200": Decimal("54.00"), "5020": Decimal("6.00"), "2100": Decimal("-60.00")}
    assert agrees(book) == Decimal("24.00")


def test_posting_by_hand_to_the_inventory_account_is_refused_once_stock_is_tracked(stocked):
    ok(stocked, "journal", "post", "--date", "2026-10-01", "--memo", "Opening stock, before tracking",
       "-p", "1200", "500.00", "-p", "3100")  # no moves yet: inventory is a plain account
    ok(stocked, "journal", "post", "--date", "2026-10-02", "--memo", "Reclass", "-p", "5010", "500.00", "-p", "1200")
    ok(stocked, "stock", "receive", "BEAN", "--qty", "10", "--unit-cost", "8.00", "--warehouse", "ROAST",
       "--date", "2026-11-01")
    res = run(stocked, "journal", "post", "--date", "2026-11-05", "--memo", "Stock bought", "-p", "1200", "100.00",
              "-p", "1010")
    _refused(stocked, res, "stock-value-mismatch")
    assert "stock valued on account 1200 is 80.00 but the account's balance is 180.00" in res.stderr


def test_validate_finds_hand_edited_moves(stocked):
    ok(stocked, "stock", "receive", "BEAN", "--qty", "10", "--unit-cost", "8.00", "--warehouse", "ROAST",
       "--date", "2026-11-01")
    move, entry = ok(stocked, "stock", "issue", "BEAN", "--qty", "4", "--warehouse", "ROAST",
                     "--date", "2026-11-02").stdout.split()
    path = stocked / move_file(stocked, move)
    path.write_text(path.read_text().replace("value: 32.00", "value: 30.00"))
    write(stocked, {"stock/2026/11/SM-20261103-AAAA.yaml": """
        id: SM-20261103-AAAA
        date: 2026-11-03
        type: issue
        item: GHOST
        qty: 1
        from_warehouse: ATTIC
        value: 1.00
        """, "stock/2026/11/SM-20261104-AAAA.yaml": """
        id: SM-20261104-AAAA
        date: 2026-11-04
        type: issue
        item: BEAN
        qty: 50
        from_warehouse: SHOP
        value: 0
        """})
    commit_all(stocked)
    res = run(stocked, "validate", "--format", "json")
    assert res.exit_code == 1
    found = {(e["file"], e["code"]) for e in json.loads(res.stdout)["errors"]}
    assert (move_file(stocked, move), "valuation-mismatch") in found
    assert ("stock/2026/11/SM-20261103-AAAA.yaml", "unknown-item") in found
    assert ("stock/2026/11/SM-20261103-AAAA.yaml", "unknown-warehouse") in found
    assert ("stock/2026/11/SM-20261104-AAAA.yaml", "negative-stock") in found
    assert ("accounts/1200.yaml", "stock-value-mismatch") in found
    lines = {e["code"]: e["line"] for e in json.loads(res.stdout)["errors"] if e["file"] == move_file(stocked, move)}
    assert (stocked / move_file(stocked, move)).read_text().splitlines()[lines["valuation-mismatch"] - 1] \
        == "value: 30.00"


def test_stock_value_equals_the_inventory_accounts_after_every_command(book):
    ok(book, "account", "add", "1210", "Finished goods", "--type", "asset", "--parent", "1000", "--role", "inventory")
    ok(book, "warehouse", "add", "ROAST", "Roastery")
    ok(book, "warehouse", "add", "SHOP", "Shop", "--inventory-account", "1210")
    ok(book, "item", "add", "BEAN", "Green beans", "--uom", "kg")
    ok(book, "item", "add", "ESP", "Espresso", "--uom", "bag", "--valuation", "moving-average", "--allow-negative")
    steps = [
        ("stock", "receive", "BEAN", "--qty", "100", "--unit-cost", "8.3333", "--warehouse", "ROAST", "--date", "2026-11-01"),
        ("stock", "receive", "BEAN", "--qty", "7", "--unit-cost", "9.01", "--warehouse", "ROAST", "--date", "2026-11-02"),
        ("stock", "issue", "BEAN", "--qty", "33", "--warehouse", "ROAST", "--date", "2026-11-03"),
        ("stock", "transfer", "BEAN", "--qty", "50", "--from", "ROAST", "--to", "SHOP", "--date", "2026-11-04"),
        ("stock", "issue", "BEAN", "--qty", "17", "--warehouse", "SHOP", "--date", "2026-11-05", "--account", "6300"),
        ("stock", "adjust", "BEAN", "--warehouse", "SHOP", "--counted", "36", "--reason", "count", "--date", "2026-11-06"),
        ("stock", "adjust", "BEAN", "--warehouse", "ROAST", "--qty", "-3", "--reason", "spill", "--date", "2026-11-06"),
        ("stock", "receive", "ESP", "--qty", "3", "--unit-cost", "2.10", "--warehouse", "SHOP", "--date", "2026-11-07"),
        ("stock", "issue", "ESP", "--qty", "7", "--warehouse", "SHOP", "--date", "2026-11-08"),
        ("stock", "transfer", "ESP", "--qty", "2", "--from", "SHOP", "--to", "ROAST", "--date", "2026-11-09"),
        ("stock", "receive", "ESP", "--qty", "10", "--unit-cost", "2.35", "--warehouse", "SHOP", "--date", "2026-11-10"),
        ("stock", "receive", "ESP", "--qty", "4", "--unit-cost", "2.40", "--warehouse", "ROAST", "--date", "2026-11-10"),
    ]
    for step in steps:
        ok(book, *step)
        agrees(book)
    tb = json.loads(ok(book, "report", "trial-balance", "--format", "json").stdout)
    closing = {r["account"]: Decimal(r["closing"]) for r in tb["rows"]}
    assert closing["1200"] + closing["1210"] == agrees(book)
