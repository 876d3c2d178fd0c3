"""Manufacturing: multi-level BOM explosion with scrap, cycles, work orders in availability and
promises, checks, partial completions, the cost roll-up against a hand computation, the production
posting (stock value still equal to the inventory accounts), planning, rules and reports."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from .conftest import commit_all, files_in_commit, from_template, git, head, run, write

D = Decimal


def ok(book, *args, **kw):
    res = run(book, *args, **kw)
    assert res.exit_code == 0, res.output
    return res


def first(res) -> str:
    return res.stdout.strip().splitlines()[0]


def doc(book, *args) -> dict:
    return json.loads(ok(book, *args, "--format", "json").stdout)


def agrees(book) -> Decimal:
    """The stock value, after checking it equals the inventory accounts and the book validates."""
    balance = doc(book, "report", "stock-balance")
    assert balance["agrees"] is True, balance
    assert balance["inventory_accounts_balance"] == balance["totals"]["value"]
    res = run(book, "validate")
    assert res.exit_code == 0, res.output
    return D(balance["totals"]["value"])


def available(book, sku) -> dict:
    rows = doc(book, "stock", "available", sku)["rows"]
    return {r["warehouse"]: r for r in rows}["ROAST"]


def _plant(book, scratch):
    """A roastery: green beans -> roasted bulk (2% scrap) -> 250 g bags (2% coffee, 1% bags lost).

    Green beans came in two FIFO layers (100 kg at 6.50, then 50 kg at 7.00) and bags at 0.20.
    """
    ok(book, "warehouse", "add", "ROAST", "Roastery")
    ok(book, "item", "add", "GREEN", "Green beans", "--uom", "kg", "--type", "raw-material", "--lead-time", "30",
       "--reorder-point", "40", "--reorder-qty", "500")
    ok(book, "item", "add", "ROASTED", "Roasted bulk", "--uom", "kg", "--lead-time", "1")
    ok(book, "item", "add", "BAG", "Valve bag", "--type", "raw-material", "--lead-time", "10")
    ok(book, "item", "add", "ESP", "Espresso 250 g", "--uom", "bag", "--type", "finished-good", "--lead-time", "2",
       "--reorder-point", "50", "--reorder-qty", "600", "--valuation", "moving-average")
    ok(book, "mfg", "bom", "add", "ROASTED", "--qty", "50", "-c", "GREEN", "60", "--scrap", "GREEN", "2",
       "--operation-cost", "1.10")
    ok(book, "mfg", "bom", "add", "ESP", "-c", "ROASTED", "0.25", "-c", "BAG", "1", "--scrap", "ROASTED", "2",
       "--scrap", "BAG", "1", "--operation-cost", "0.15")
    ok(book, "stock", "receive", "GREEN", "--qty", "100", "--unit-cost", "6.50", "--date", "2026-11-02")
    ok(book, "stock", "receive", "GREEN", "--qty", "50", "--unit-cost", "7.00", "--date", "2026-11-03")
    ok(book, "stock", "receive", "BAG", "--qty", "500", "--unit-cost", "0.20", "--date", "2026-11-03")
    return book


@pytest.fixture
def plant(book):
    return from_template(book, "mfg.plant", _plant)


def order(book, sku, qty, *more) -> str:
    return first(ok(book, "mfg", "order", sku, "--qty", qty, *more))


# --- bills of materials ------------------------------------------------------------------------


def test_bom_add_writes_one_file_in_its_own_commit(plant):
    assert files_in_commit(plant, "HEAD~3") == ["manufacturing/boms/BOM-ESP.yaml"]
    text = (plant / "manufacturing/boms/BOM-ESP.yaml").read_text()
    assert "item: ESP\n" in text and "scrap_percent: 2\n" in text and "operation_cost: 0.15\n" in text
    rows = doc(plant, "mfg", "bom", "list")["rows"]
    assert [(r["bom"], r["item"], r["qty"], r["components"]) for r in rows] == [
        ("BOM-ESP", "ESP", "1", 2), ("BOM-ROASTED", "ROASTED", "50", 1)]
    again = run(plant, "mfg", "bom", "add", "ESP", "-c", "BAG", "1")
    assert again.exit_code == 1 and "[duplicate-id]" in again.stderr and "--replace" in again.stderr


def test_two_level_explosion_with_scrap(plant):
    out = doc(plant, "mfg", "bom", "show", "ESP", "--explode", "--qty", "100")
    got = {r["item"]: (r["source"], r["level"], r["qty"]) for r in out["rows"]}
    # 100 bags x 0.25 kg x 1.02 = 25.5 kg roasted; 25.5 x 60/50 x 1.02 = 31.212 kg green; 100 x 1.01 bags
    assert got == {"ROASTED": ("make", 1, "25.5"), "GREEN": ("buy", 2, "31.212"), "BAG": ("buy", 1, "101")}
    assert [r["item"] for r in out["rows"]] == ["BAG", "GREEN", "ROASTED"]  # raw materials first
    one = doc(plant, "mfg", "bom", "show", "BOM-ESP")
    assert [(r["item"], r["per_unit"], r["source"]) for r in one["rows"]] == [
        ("ROASTED", "0.255", "make (BOM-ROASTED)"), ("BAG", "1.01", "buy")]


def test_a_bom_cycle_is_refused_naming_the_loop(plant):
    before = head(plant)
    res = run(plant, "mfg", "bom", "add", "GREEN", "-c", "ESP", "0.1")
    assert res.exit_code == 1
    assert "[bom-cycle] the bills of materials loop: ESP -> ROASTED -> GREEN -> ESP" in res.stderr
    assert head(plant) == before and not (plant / "manufacturing/boms/BOM-GREEN.yaml").exists()
    itself = run(plant, "mfg", "bom", "add", "BAG", "-c", "BAG", "1")
    assert itself.exit_code == 1 and "BAG -> BAG" in itself.stderr
    # written by hand, the loop is a validation error on the BOM's file
    write(plant, {"manufacturing/boms/BOM-GREEN.yaml": """
        id: BOM-GREEN
        item: GREEN
        components:
          - item: ROASTED
            qty: 1.5
        """})
    commit_all(plant)
    res = run(plant, "validate")
    assert res.exit_code == 1
    assert "manufacturing/boms/BOM-ROASTED.yaml:5: error [bom-cycle] the bills of materials loop: " \
        "ROASTED -> GREEN -> ROASTED" in res.stderr
    assert "[bom-cycle]" in run(plant, "mfg", "bom", "show", "ESP", "--explode").stderr


# --- availability, promise, check --------------------------------------------------------------


def test_a_planned_order_changes_availability_and_promises(plant):
    assert available(plant, "BAG")["projected"] == "500"
    assert run(plant, "stock", "promise", "ESP", "--qty", "80", "--format", "json").exit_code == 0
    before = doc(plant, "stock", "promise", "ESP", "--qty", "80")
    assert before["basis"] == "lead-time"

    wo = order(plant, "ESP", "100", "--due", "2026-12-04")
    assert wo.startswith("WO-20261128-")
    assert files_in_commit(plant) == [f"manufacturing/orders/{wo}.yaml"]
    esp = available(plant, "ESP")
    assert (esp["planned"], esp["projected"]) == ("100", "100")
    bag = available(plant, "BAG")
    assert (bag["required"], bag["projected"]) == ("101", "399")
    assert available(plant, "ROASTED")["required"] == "25.5"

    promised = doc(plant, "stock", "promise", "ESP", "--qty", "80")
    assert (promised["date"], promised["basis"]) == ("2026-12-04", "supply")
    assert wo in promised["reason"]
    # components are needed the item's lead time (2 days) before the due date
    timeline = doc(plant, "stock", "promise", "BAG", "--qty", "450")["rows"]
    assert {"date": "2026-12-02", "event": "required", "document": wo, "warehouse": "ROAST", "change": "-101",
            "projected": "399"} in timeline

    ok(plant, "mfg", "cancel", wo)
    esp = available(plant, "ESP")
    assert (esp["planned"], esp["projected"]) == ("0", "0")
    assert doc(plant, "mfg", "orders")["rows"][0]["status"] == "cancelled"


def test_check_says_what_is_short_and_when_it_arrives(plant):
    roast = order(plant, "ROASTED", "25.5", "--due", "2026-12-01")
    esp = order(plant, "ESP", "100", "--due", "2026-12-04")
    out = doc(plant, "mfg", "check", esp)
    assert out["ready"] is False and out["short"] == ["ROASTED"]
    rows = {r["item"]: r for r in out["rows"]}
    assert (rows["ROASTED"]["needed"], rows["ROASTED"]["short"], rows["ROASTED"]["ready_on"]) == \
        ("25.5", "25.5", "2026-12-01")
    assert roast in rows["ROASTED"]["how"]
    assert (rows["BAG"]["short"], rows["BAG"]["ready_on"], rows["BAG"]["how"]) == ("0", "2026-11-28", "in stock")
    assert out["ready_on"] == "2026-12-01"
    assert doc(plant, "mfg", "check", roast)["ready"] is True


# --- completion --------------------------------------------------------------------------------


def test_completion_costs_match_a_hand_computation_and_stock_still_agrees(plant):
    assert agrees(plant) == D("1100.00")  # 650 + 350 + 100
    roast = order(plant, "ROASTED", "25.5")
    res = ok(plant, "mfg", "complete", roast)
    cid, *rest = res.stdout.split()
    moves, entry = rest[:-1], rest[-1]
    assert cid.startswith("WC-20261128-") and entry.startswith("JE-20261128-") and len(moves) == 2
    assert files_in_commit(plant) == sorted([f"manufacturing/completions/2026/11/{cid}.yaml",
                                             f"journal/2026/11/{entry}.yaml",
                                             *(f"stock/2026/11/{m}.yaml" for m in moves)])
    # FIFO: 31.212 kg of green from the 6.50 layer = 202.878 -> 202.88; operation 25.5 x 1.10 = 28.05;
    # 230.93 / 25.5 = 9.05607... carried as 9.0561 (25.5 x 9.0561 = 230.93055 -> 230.93)
    text = (plant / f"manufacturing/completions/2026/11/{cid}.yaml").read_text()
    for line in ("qty: 31.212\n", "value: 202.88\n", "operation_cost: 28.05\n", "value: 230.93\n",
                 "unit_cost: 9.0561\n"):
        assert line in text
    assert agrees(plant) == D("1128.05")  # the operation cost absorbed into stock

    esp = order(plant, "ESP", "100")
    esp_entry = ok(plant, "mfg", "complete", esp).stdout.split()[-1]
    shown = doc(plant, "mfg", "show", esp)
    assert shown["status"] == "completed" and shown["remaining"] == "0"
    # components: all 25.5 kg roasted (230.93) + 101 bags x 0.20 (20.20); operation 100 x 0.15 = 15.00
    report = doc(plant, "report", "production")
    row = {r["order"]: r for r in report["rows"]}[esp]
    assert (row["qty"], row["components"], row["operation"], row["cost"], row["unit_cost"]) == \
        ("100", "251.13", "15.00", "266.13", "2.6613")
    assert report["orders_finished"] == 2
    posted = (plant / f"journal/2026/11/{esp_entry}.yaml").read_text()
    assert f"reference: {esp}\n" in posted
    amounts = [line.split(": ")[1] for line in posted.splitlines() if line.strip().startswith("amount:")]
    accounts = [line.split(": ")[1] for line in posted.splitlines() if line.strip().startswith("- account:")]
    assert list(zip(accounts, amounts, strict=True)) == [("'1200'", "266.13"), ("'1200'", "-230.93"), ("'1200'", "-20.20"),
                                            ("'6600'", "-15.00")]
    assert agrees(plant) == D("1143.05")
    tb = {r["account"]: r["closing"] for r in doc(plant, "report", "trial-balance")["rows"]}
    assert tb["6600"] == "-43.05"
    assert available(plant, "ESP")["on_hand"] == "100"


def test_rolled_up_cost_from_current_valuation(plant):
    out = doc(plant, "report", "bom-cost", "ESP", "--qty", "100")
    rows = [(r["level"], r["item"].strip(), r["qty"], r["cost"]) for r in out["rows"]]
    # green at its average on hand, 1000.00 / 150 kg: 31.212 x 6.6667 = 208.08
    assert rows == [(1, "ROASTED", "25.5", "236.1300"), (2, "GREEN", "31.212", "208.0800"),
                    (2, "operation (ROASTED)", "25.5", "28.0500"), (1, "BAG", "101", "20.2000"),
                    (1, "operation (ESP)", "100", "15.0000")]
    assert out["totals"]["cost"] == "271.3300" and out["unit_cost"] == "2.7133"
    assert ok(plant, "mfg", "standard-cost", "ESP", "--roll-up").stdout.strip() == "2.7133"
    assert "standard_cost: 2.7133" in (plant / "items/ESP.yaml").read_text()


def test_partial_completion_then_the_rest(plant):
    ok(plant, "mfg", "complete", order(plant, "ROASTED", "25.5"))
    esp = order(plant, "ESP", "100")
    ok(plant, "mfg", "complete", esp, "--qty", "40")
    shown = doc(plant, "mfg", "show", esp)
    assert (shown["status"], shown["done"], shown["remaining"]) == ("in-progress", "40", "60")
    lines = {r["item"]: (r["needed"], r["consumed"], r["left"]) for r in shown["rows"]}
    assert lines == {"ROASTED": ("25.5", "10.2", "15.3"), "BAG": ("101", "40.4", "60.6")}
    esp_now = available(plant, "ESP")
    assert (esp_now["on_hand"], esp_now["planned"]) == ("40", "60")
    assert available(plant, "BAG")["required"] == "60.6"

    before = head(plant)
    res = run(plant, "mfg", "complete", esp, "--qty", "70")
    assert res.exit_code == 1 and "[completion-exceeds-order]" in res.stderr
    assert "60 bag of ESP left to make (40 of 100 done); 70 asked" in res.stderr
    assert head(plant) == before

    ok(plant, "mfg", "complete", esp)  # the rest: exactly what is left of each line
    shown = doc(plant, "mfg", "show", esp)
    assert shown["status"] == "completed"
    assert {r["item"]: r["consumed"] for r in shown["rows"]} == {"ROASTED": "25.5", "BAG": "101"}
    assert available(plant, "ROASTED")["on_hand"] == "0"
    again = run(plant, "mfg", "complete", esp)
    assert again.exit_code == 1 and "[order-completed]" in again.stderr
    agrees(plant)


def test_consuming_more_than_on_hand_is_refused(plant):
    esp = order(plant, "ESP", "100")
    before = head(plant)
    res = run(plant, "mfg", "complete", esp, "--qty", "10")
    assert res.exit_code == 1
    assert "[component-short]" in res.stderr and "needs 2.55 kg of ROASTED in ROAST on 2026-11-28, 0 on hand" \
        in res.stderr
    assert head(plant) == before and not (plant / "manufacturing/completions").exists()
    assert git(plant, "status", "--porcelain") == ""
    # a measured quantity is checked the same way
    ok(plant, "mfg", "complete", order(plant, "ROASTED", "25.5"))
    res = run(plant, "mfg", "complete", esp, "--qty", "10", "--use", "BAG", "600")
    assert res.exit_code == 1 and "needs 600 unit of BAG in ROAST" in res.stderr


def test_measured_use_and_variance_against_standard(plant):
    ok(plant, "mfg", "standard-cost", "ROASTED", "9.00")
    roast = order(plant, "ROASTED", "25.5")
    ok(plant, "mfg", "complete", roast, "--use", "GREEN", "32")  # 32 kg used instead of 31.212
    out = doc(plant, "report", "production", "--by", "item")
    row = out["rows"][0]
    # 32 x 6.50 = 208.00 + 28.05 = 236.05; standard 25.5 x 9.00 = 229.50; variance 6.55
    assert (row["item"], row["cost"], row["standard_cost"], row["variance"]) == ("ROASTED", "236.05", "9.0000", "6.55")
    assert out["totals"]["variance"] == "6.55"
    assert available(plant, "GREEN")["on_hand"] == "118"
    agrees(plant)


# --- planning ----------------------------------------------------------------------------------


def test_plan_proposes_work_orders_level_by_level_and_purchases(plant):
    before = head(plant)
    out = doc(plant, "mfg", "plan")
    got = [(r["action"], r["level"], r["item"], r["qty"], r["start"], r["due"]) for r in out["rows"]]
    # ESP: nothing on hand, reorder point 50 -> make the reorder quantity, 600, due after its 2-day lead time;
    # ROASTED: 600 x 0.25 x 1.02 = 153 for it; BAG: 606 needed, 500 on hand -> buy 106 (10 days);
    # GREEN: 153 x 1.2 x 1.02 = 187.272 against 150 -> below its reorder point 40 -> buy 500 (30 days)
    assert got == [("make", 0, "ESP", "600", "2026-11-28", "2026-11-30"),
                   ("buy", 1, "BAG", "106", "2026-11-28", "2026-12-08"),
                   ("make", 1, "ROASTED", "153", "2026-11-28", "2026-11-29"),
                   ("buy", 2, "GREEN", "500", "2026-11-28", "2026-12-28")]
    reasons = {r["item"]: r["reason"] for r in out["rows"]}
    assert reasons["GREEN"] == ("projected -37.272 below reorder point 40; open demand exceeds supply by 37.272 "
                                "(counting components for ROASTED)")
    assert head(plant) == before  # a proposal writes nothing

    res = ok(plant, "mfg", "plan", "--apply", "--format", "json")
    applied = json.loads(res.stdout)
    created = {r["item"]: r["created"] for r in applied["rows"]}
    assert created["ESP"].startswith("WO-") and created["ROASTED"].startswith("WO-") and created["BAG"] == ""
    assert any(n.startswith("Not ordered: BAG, GREEN (never bought") for n in applied["notes"])
    assert files_in_commit(plant) == sorted(f"manufacturing/orders/{created[s]}.yaml" for s in ("ESP", "ROASTED"))
    assert available(plant, "ESP")["planned"] == "600"
    again = doc(plant, "mfg", "plan")
    assert [(r["action"], r["item"], r["qty"]) for r in again["rows"]] == [("buy", "BAG", "106"),
                                                                            ("buy", "GREEN", "500")]
    assert run(plant, "validate").exit_code == 0


def test_plan_apply_orders_what_was_bought_before_from_the_same_supplier(plant):
    ok(plant, "partner", "add", "Cerrado Imports", "--role", "supplier")
    earlier = first(ok(plant, "purchase", "order", "--partner", "cerrado-imports", "--line", "GREEN 10 6.40",
                       "--expected", "2026-11-29"))
    res = ok(plant, "mfg", "plan", "--apply", "--format", "json")
    created = {r["item"]: r["created"] for r in json.loads(res.stdout)["rows"]}
    po = created["GREEN"]
    assert po.startswith("PO-20261128-") and po != earlier and created["BAG"] == ""
    assert f"purchasing/orders/{po}.yaml" in files_in_commit(plant)
    text = (plant / f"purchasing/orders/{po}.yaml").read_text()
    assert "partner: cerrado-imports" in text and "qty: 500" in text and "price: 6.40" in text
    assert "expected: 2026-12-28" in text
    assert available(plant, "GREEN")["incoming"] == "510"


# --- rules, statuses, overview -----------------------------------------------------------------


def test_a_tampered_completion_entry_is_reported(plant):
    roast = order(plant, "ROASTED", "25.5")
    res = ok(plant, "mfg", "complete", roast)
    entry = res.stdout.split()[-1]
    path = plant / f"journal/2026/11/{entry}.yaml"
    text = path.read_text()
    assert "amount: -28.05" in text and "amount: -202.88" in text
    path.write_text(text.replace("amount: -28.05", "amount: -27.05").replace("amount: -202.88", "amount: -203.88"))
    commit_all(plant)
    out = run(plant, "validate")
    assert out.exit_code == 1 and "[completion-entry-mismatch]" in out.stderr
    assert "6600 -28.05" in out.stderr and "6600 -27.05" in out.stderr


def test_release_cancel_and_overview(plant):
    wo = order(plant, "ESP", "100", "--due", "2026-11-20")
    ok(plant, "mfg", "release", wo)
    assert "status: planned -> released" in git(plant, "log", "-1", "--format=%s")
    assert doc(plant, "mfg", "orders", "--open")["rows"][0]["late"] is True
    lines = {r["measure"]: r["value"] for r in doc(plant, "report", "overview")["rows"]
             if r["section"] == "Manufacturing"}
    assert lines["Open work orders"] == 1 and lines["Work orders past due"] == 1
    assert lines["Components short for open work orders"] == 1  # ROASTED
    res = run(plant, "mfg", "release", wo)
    assert res.exit_code == 1 and "[cannot-release]" in res.stderr
    ok(plant, "mfg", "cancel", wo)
    assert doc(plant, "mfg", "orders", "--open")["rows"] == []
    res = run(plant, "mfg", "complete", wo)
    assert res.exit_code == 1 and "[order-cancelled]" in res.stderr


def test_reports_take_every_format_and_as_of(plant):
    rev = head(plant)
    ok(plant, "mfg", "complete", order(plant, "ROASTED", "25.5"))
    for fmt in ("table", "csv", "markdown"):
        assert ok(plant, "report", "production", "--format", fmt).stdout
        assert ok(plant, "report", "bom-cost", "ESP", "--format", fmt).stdout
    assert doc(plant, "report", "production", "--as-of", rev)["rows"] == []
    assert doc(plant, "mfg", "orders", "--as-of", rev)["rows"] == []


def test_hand_edits_that_break_the_rules_are_reported(plant):
    ok(plant, "mfg", "complete", order(plant, "ROASTED", "25.5"))
    esp = order(plant, "ESP", "100")
    ok(plant, "mfg", "complete", esp, "--qty", "40")
    path = plant / f"manufacturing/orders/{esp}.yaml"
    path.write_text(path.read_text().replace("qty: 100\n", "qty: 30\n", 1))
    write(plant, {"manufacturing/boms/BOM-BAG.yaml": """
        id: BOM-BAG
        item: BAG
        components:
          - item: KRAFT
            qty: 0.01
        """})
    commit_all(plant)
    res = run(plant, "validate")
    assert res.exit_code == 1
    assert "[completion-exceeds-order] WC-20261128-" in res.stderr
    assert f"completions of {esp} make 40, the order asks for 30" in res.stderr
    assert "manufacturing/boms/BOM-BAG.yaml:4: error [unknown-item] BOM-BAG: component KRAFT does not exist" \
        in res.stderr
