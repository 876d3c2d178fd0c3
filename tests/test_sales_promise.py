"""Promise dates of sales order lines, computed from stock, purchase orders and earlier orders."""

from __future__ import annotations

import yaml

from .trade_helpers import D, doc, first, level, ok, trading_book


def promised(book, so: str) -> list[str]:
    return [r["promised"] for r in doc(book, "sales", "show", so)["rows"]]


def test_stock_only_incoming_is_promised_on_the_purchase_orders_date(book):
    trading_book(book)
    po = first(ok(book, "purchase", "order", "--partner", "green-import", "--line", "ESP 50 8.00",
                  "--expected", "2026-12-10"))
    res = ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 20 25")
    so = first(res)
    assert "promised 2026-12-10" in res.stderr
    assert promised(book, so) == ["2026-12-10"]
    line = yaml.safe_load((book / f"sales/orders/{so}.yaml").read_text())["lines"][0]
    assert str(line["promised"]) == "2026-12-10"
    assert level(book, "ESP") == {"on_hand": 0, "reserved": 20, "available": -20, "incoming": 50, "projected": 30}
    why = doc(book, "stock", "promise", "ESP", "--qty", "30")
    assert why["date"] == "2026-12-10" and po in why["reason"]


def test_an_earlier_order_takes_part_of_a_receipt_and_the_next_moves_to_a_later_one(book):
    trading_book(book)
    ok(book, "purchase", "order", "--partner", "green-import", "--line", "ESP 30 8.00 date=2026-12-05",
       "--line", "ESP 50 8.00 date=2026-12-15")
    first_order = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 20 25"))
    assert promised(book, first_order) == ["2026-12-05"]
    # 10 of the first receipt are left: 20 more must wait for the second
    second = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 20 25"))
    assert promised(book, second) == ["2026-12-15"]
    small = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 10 25"))
    assert promised(book, small) == ["2026-12-05"]  # fits in what the first receipt leaves
    assert level(book, "ESP")["reserved"] == 50


def test_a_partial_receipt_is_stock_now_and_the_rest_stays_incoming(book):
    trading_book(book)
    po = first(ok(book, "purchase", "order", "--partner", "green-import", "--line", "ESP 40 8.00",
                  "--expected", "2026-12-10"))
    ok(book, "purchase", "receive", po, "--qty", "15")
    assert level(book, "ESP") == {"on_hand": 15, "reserved": 0, "available": 15, "incoming": 25, "projected": 40}
    now = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 10 25"))
    assert promised(book, now) == ["2026-11-28"]
    later = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 10 25"))
    assert promised(book, later) == ["2026-12-10"]  # 5 left on hand: the rest of the order brings enough
    res = ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 30 25", "--override", "test")
    assert promised(book, first(res)) == ["2026-12-08"]  # short of every known supply: today + 10 days lead time
    assert level(book, "ESP")["projected"] == D(-10)


def test_two_lines_of_one_item_are_promised_together(book):
    trading_book(book)
    ok(book, "stock", "receive", "ESP", "--qty", "10", "--unit-cost", "8", "--date", "2026-11-20")
    ok(book, "purchase", "order", "--partner", "green-import", "--line", "ESP 20 8.00", "--expected", "2026-12-04")
    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 8 25", "--line", "ESP 8 25"))
    assert promised(book, so) == ["2026-11-28", "2026-12-04"]


def test_the_warehouse_that_can_ship_soonest_is_chosen(book):
    trading_book(book)
    ok(book, "warehouse", "add", "SHOP", "Shop")
    ok(book, "stock", "receive", "ESP", "--qty", "5", "--unit-cost", "8", "--warehouse", "MAIN", "--date", "2026-11-20")
    ok(book, "stock", "receive", "ESP", "--qty", "30", "--unit-cost", "8", "--warehouse", "SHOP", "--date", "2026-11-20")
    res = ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 20 25")
    assert "20 ESP from SHOP, promised 2026-11-28" in res.stderr
    assert level(book, "ESP", "SHOP")["reserved"] == 20
