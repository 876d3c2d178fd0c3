"""Supplier bills independent of receipts (issue 12 item 7): before and beyond the receipt, one
bill over several orders, lines with no order, landed costs; GRNI ends at 0.00."""

from __future__ import annotations

from .conftest import git, head
from .trade_helpers import D, agree, doc, fails, first, ok, trading_book


def test_one_bill_for_all_units_after_receiving_part_of_them(book):
    trading_book(book)
    po = first(ok(book, "purchase", "order", "--partner", "green-import", "--line", "ESP 10 4.00", "--tax", "VAT20"))
    ok(book, "purchase", "receive", po, "--qty", "6")
    res = ok(book, "purchase", "bill", po, "--number", "GI-100", "--line", "1", "--qty", "10")
    tb = agree(book)
    # 6 received at 24.00 and 4 billed ahead at 16.00: GRNI holds a debit of 16.00 until they arrive
    assert (tb["2100"], tb["2010"], tb["1300"], tb["1200"]) == (D("16.00"), D("-48.00"), D("8.00"), D("24.00"))
    assert "price variance" not in res.stderr
    ok(book, "purchase", "receive", po)
    tb = agree(book)
    assert (tb["2100"], tb["1200"]) == (D("0.00"), D("40.00"))
    assert doc(book, "purchase", "show", po)["status"] == "billed"
    fails(book, "over-billing", "purchase", "bill", po, "--number", "GI-101", "--line", "1", "--qty", "1")


def test_a_bill_before_the_goods_and_at_another_price(book):
    trading_book(book)
    po = first(ok(book, "purchase", "order", "--partner", "green-import", "--line", "ESP 10 4.00"))
    before = head(book)
    fails(book, "nothing-to-bill", "purchase", "bill", po, "--number", "GI-1")
    assert head(book) == before and not git(book, "status", "--porcelain")
    ok(book, "purchase", "bill", po, "--number", "GI-1", "--ordered", "--price", "4.20")
    tb = agree(book)
    # GRNI is debited at the order price (40.00) for goods not received; 2.00 more is price variance
    assert (tb["2100"], tb["5030"], tb["2010"]) == (D("40.00"), D("2.00"), D("-42.00"))
    ok(book, "purchase", "receive", po, "--qty", "3")
    ok(book, "purchase", "receive", po)
    tb = agree(book)
    assert (tb["2100"], tb["1200"]) == (D("0.00"), D("40.00"))


def test_one_bill_over_two_orders_with_freight_a_service_and_a_landed_cost(book):
    trading_book(book)
    ok(book, "item", "add", "DEC", "Decaf 1 kg")
    po1 = first(ok(book, "purchase", "order", "--partner", "green-import", "--line", "ESP 10 4.00"))
    po2 = first(ok(book, "purchase", "order", "--partner", "green-import", "--line", "DEC 20 3.00"))
    ok(book, "purchase", "receive", po1)
    ok(book, "purchase", "receive", po2)
    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 5 9.00"))
    ok(book, "sales", "deliver", so)  # half the espresso has left: 5 x 4.00 to COGS
    ok(book, "purchase", "bill", po1, po2, "--number", "GI-7", "--charge", "6200 25.00 desc='Cold-room hire'",
       "--landed", "10.00 desc=Freight")
    tb = agree(book)
    # freight 10.00 by value: ESP 40/100 = 4.00 (half on hand: 2.00 to stock, 2.00 to COGS), DEC 6.00
    assert (tb["2010"], tb["2100"], tb["6200"]) == (D("-135.00"), D("0.00"), D("25.00"))
    assert tb["1200"] == D("88.00")  # 40 + 60 - 20 + 2 + 6
    assert tb["5010"] == D("22.00")  # 20 + 2
    stock = {r["item"]: D(r["value"]) for r in doc(book, "report", "stock-balance")["rows"]}
    assert stock == {"ESP": D("22.00"), "DEC": D("66.00")}
    bills = doc(book, "purchase", "bills")["rows"]
    assert [(b["number"], b["total"]) for b in bills] == [("GI-7", "135.00")]
    assert doc(book, "purchase", "show", po1)["status"] == "billed"
    assert doc(book, "purchase", "show", po2)["status"] == "billed"


def test_a_bill_with_no_order_and_the_refusals(book):
    trading_book(book)
    ok(book, "purchase", "bill", "--partner", "green-import", "--number", "GI-9", "--charge",
       "6200 100.00 tax=VAT20 desc=Electricity")
    tb = agree(book)
    assert (tb["6200"], tb["1300"], tb["2010"]) == (D("100.00"), D("20.00"), D("-120.00"))
    before = head(book)
    fails(book, "duplicate-bill", "purchase", "bill", "--partner", "green-import", "--number", "GI-9",
          "--charge", "6200 1")
    fails(book, "missing-partner", "purchase", "bill", "--number", "GI-10", "--charge", "6200 1")
    fails(book, "landed-without-order", "purchase", "bill", "--partner", "green-import", "--number", "GI-10",
          "--landed", "5")
    fails(book, "invalid-charge", "purchase", "bill", "--partner", "green-import", "--number", "GI-10",
          "--charge", "6200")
    fails(book, "unknown-account", "purchase", "bill", "--partner", "green-import", "--number", "GI-10",
          "--charge", "9999 5")
    assert head(book) == before and not git(book, "status", "--porcelain")


def test_a_carrier_bills_freight_on_another_suppliers_goods(book):
    trading_book(book)
    ok(book, "partner", "add", "Carrier", "--role", "supplier")
    po = first(ok(book, "purchase", "order", "--partner", "green-import", "--line", "ESP 10 4.00"))
    ok(book, "purchase", "receive", po)
    ok(book, "purchase", "bill", "--partner", "carrier", "--number", "T-1", "--landed", f"5.00 by=qty order={po}")
    tb = agree(book)
    assert (tb["1200"], tb["2010"]) == (D("45.00"), D("-5.00"))
    assert doc(book, "report", "stock-balance")["rows"][0]["rate"] == "4.5000"
