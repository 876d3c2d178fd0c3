"""Order to cash through the CLI: order with reservation and promise, partial deliveries, invoices,
payments (oldest first, over-payment kept as a credit), a credit note with a return; after every
step the stock on hand and reserved, the derived status, and the agreement of the trial balance,
the stock balance and the receivables report. Then every refusal."""

from __future__ import annotations

import datetime as dt

import yaml

from .conftest import files_in_commit, from_template, git
from .trade_helpers import D, agree, doc, fails, first, level, ok, order_status, trading_book

DEC = dt.date(2026, 12, 5)


def _stocked(book, scratch):
    trading_book(book)
    ok(book, "stock", "receive", "ESP", "--qty", "50", "--unit-cost", "10.00", "--date", "2026-11-20")
    return book


def stocked(book):
    return from_template(book, "sales_flow.stocked", _stocked)


def test_order_to_cash(book):
    stocked(book)
    res = ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 30 25.00", "--line", "SVC 1 200",
             "--tax", "VAT20", "--reference", "PO-CL-88")
    so = first(res)
    assert so.startswith("SO-20261128-")
    assert "line 1: 30 ESP from MAIN, promised 2026-11-28" in res.stderr
    assert files_in_commit(book) == [f"sales/orders/{so}.yaml"]
    stored = yaml.safe_load((book / f"sales/orders/{so}.yaml").read_text())
    assert stored["lines"][0]["promised"] == dt.date(2026, 11, 28) and "status" not in stored
    assert order_status(book, so) == "confirmed"
    assert level(book, "ESP") == {"on_hand": 50, "reserved": 30, "available": 20, "incoming": 0, "projected": 20}
    agree(book)

    quote = first(ok(book, "sales", "quote", "--partner", "cafe-lumiere", "--line", "ESP 10 26.00"))
    assert order_status(book, quote) == "draft"
    assert level(book, "ESP")["reserved"] == 30  # a quote reserves nothing

    dn = first(ok(book, "sales", "deliver", so, "--line", "1", "--qty", "10"))
    assert dn.startswith("DN-20261128-")
    files = files_in_commit(book)
    assert f"sales/deliveries/2026/11/{dn}.yaml" in files and len(files) == 3  # delivery, move, COGS entry
    assert order_status(book, so) == "partly delivered"
    assert level(book, "ESP") == {"on_hand": 40, "reserved": 20, "available": 20, "incoming": 0, "projected": 20}
    bal = agree(book)
    assert (bal["5010"], bal["1200"]) == (D("100.00"), D("400.00"))
    fails(book, "over-delivery", "sales", "deliver", so, "--line", "1", "--qty", "21")

    res = ok(book, "sales", "invoice", dn)
    inv1, number = res.stdout.split()
    assert number == "2026-0001"
    assert "due 2026-12-28" in res.stderr
    bal = agree(book)
    assert (bal["1100"], bal["4010"], bal["2200"]) == (D("300.00"), D("-250.00"), D("-50.00"))
    assert order_status(book, so) == "partly delivered"
    fails(book, "already-invoiced", "sales", "invoice", dn)

    ok(book, "sales", "deliver", so)  # the rest
    assert order_status(book, so) == "delivered"
    assert level(book, "ESP") == {"on_hand": 20, "reserved": 0, "available": 20, "incoming": 0, "projected": 20}
    res = ok(book, "sales", "invoice", so)  # the second delivery and the service line
    inv2, number2 = res.stdout.split()
    assert number2 == "2026-0002"
    assert order_status(book, so) == "invoiced"
    bal = agree(book)
    assert bal["1100"] == D("1140.00")  # 300 + (500 + 200) x 1.2
    fails(book, "already-invoiced", "sales", "invoice", so)

    # a payment goes to the oldest invoices first
    ok(book, "pay", "receive", "--partner", "cafe-lumiere", "--amount", "1000.00")
    rows = {r["number"]: r for r in doc(book, "sales", "invoices")["rows"]}
    assert (rows["2026-0001"]["status"], rows["2026-0002"]["open"]) == ("paid", "140.00")
    assert rows["2026-0002"]["status"] == "partly paid"
    assert order_status(book, so) == "invoiced"
    agree(book)
    fails(book, "unknown-invoice", "pay", "receive", "--partner", "cafe-lumiere", "--amount", "5",
          "--invoice", "2026-0099")
    res = ok(book, "pay", "receive", "--partner", "cafe-lumiere", "--amount", "200.00", "--invoice", "2026-0002")
    assert "60.00 EUR is not allocated and stays as a credit on cafe-lumiere" in res.stderr
    assert order_status(book, so) == "paid"
    bal = agree(book)
    assert (bal["1100"], bal["1010"]) == (D("-60.00"), D("1200.00"))

    # a return on the first invoice: revenue and tax reversed, the bags back at their cost
    res = ok(book, "sales", "credit-note", "2026-0001", "--line", "1", "--qty", "5", "--reason", "returned, torn bags")
    cn, cn_number = res.stdout.split()
    assert cn_number == "CN2026-0001"
    assert level(book, "ESP")["on_hand"] == 25
    bal = agree(book)
    assert (bal["1100"], bal["4010"], bal["5010"], bal["1200"]) == (D("-210.00"), D("-825.00"), D("250.00"),
                                                                     D("250.00"))
    stmt = doc(book, "report", "statement", "cafe-lumiere")
    assert [r["kind"] for r in stmt["rows"]] == ["invoice", "invoice", "payment", "payment", "credit-note"]
    assert stmt["rows"][-1]["balance"] == "-210.00" and stmt["totals"]["open"] == "-210.00"
    fails(book, "over-credit", "sales", "credit-note", "2026-0001", "--line", "1", "--qty", "6", "--reason", "x")


def test_sales_refusals(book):
    stocked(book)
    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 60 25.00"))
    # more than on hand: the promise says so (lead time), the delivery refuses
    fails(book, "negative-stock", "sales", "deliver", so)
    assert order_status(book, so) == "confirmed"
    # the credit limit: 5,000 EUR, 1,500 already on order
    fails(book, "credit-limit", "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 150 25.00")
    res = ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 150 25.00",
             "--override", "agreed with the owner")
    big = first(res)
    assert "accepted: agreed with the owner" in res.stderr
    assert yaml.safe_load((book / f"sales/orders/{big}.yaml").read_text())["credit_override"] == "agreed with the owner"
    assert "Comptoir-Credit-Override: agreed with the owner" in git(book, "log", "-1", "--format=%B")
    fails(book, "unknown-partner", "sales", "order", "--partner", "nobody", "--line", "ESP 1 1")
    fails(book, "not-a-customer", "sales", "order", "--partner", "green-import", "--line", "ESP 1 1")
    fails(book, "unknown-order", "sales", "deliver", "SO-NOPE")
    fails(book, "unknown-document", "sales", "invoice", "SO-NOPE")
    fails(book, "nothing-to-invoice", "sales", "invoice", so)
    quote = first(ok(book, "sales", "quote", "--partner", "cafe-lumiere", "--line", "ESP 1 25"))
    fails(book, "not-confirmed", "sales", "deliver", quote)
    # a requested date the stock cannot meet: a warning, refused with --firm
    res = ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 10 25", "--date", "2026-11-30",
             "--override", "test")
    assert "cannot ship by the requested 2026-11-30" in res.stderr
    fails(book, "promise-not-met", "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 10 25",
          "--date", "2026-11-30", "--firm", "--override", "test")


def test_nothing_in_a_locked_period(book):
    stocked(book)
    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 10 25"))
    dn = first(ok(book, "sales", "deliver", so, "--qty", "4"))
    ok(book, "sales", "invoice", dn)
    dn2 = first(ok(book, "sales", "deliver", so, "--qty", "3"))
    ok(book, "period", "close", "2026-11-30", today=DEC)
    before = git(book, "rev-parse", "HEAD")
    fails(book, "period-locked", "sales", "deliver", so, "--date", "2026-11-30", today=DEC)
    fails(book, "period-locked", "sales", "invoice", dn2, "--date", "2026-11-29", today=DEC)
    ok(book, "sales", "deliver", so, "--date", "2026-12-01", today=DEC)
    fails(book, "period-locked", "pay", "receive", "--partner", "cafe-lumiere", "--amount", "10", "--date",
          "2026-11-30", today=DEC)
    fails(book, "period-locked", "sales", "credit-note", "2026-0001", "--reason", "x", "--date", "2026-11-30",
          today=DEC)
    assert git(book, "rev-list", "--count", f"{before.strip()}..HEAD").strip() == "1"


def test_cancel_releases_the_reservation(book):
    stocked(book)
    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 30 25"))
    ok(book, "sales", "deliver", so, "--qty", "10")
    ok(book, "sales", "cancel", so)
    assert level(book, "ESP")["reserved"] == 0
    assert order_status(book, so) == "delivered"  # what was shipped still gets invoiced
    ok(book, "sales", "invoice", so)
    assert order_status(book, so) == "invoiced"
    quote = first(ok(book, "sales", "quote", "--partner", "cafe-lumiere", "--line", "ESP 1 25"))
    ok(book, "sales", "cancel", quote)
    assert order_status(book, quote) == "cancelled"


def test_quote_confirmed_later_reserves_and_is_promised_again(book):
    stocked(book)
    quote = first(ok(book, "sales", "quote", "--partner", "cafe-lumiere", "--line", "ESP 20 25",
                     "--valid-until", "2026-12-15"))
    ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 40 25")  # takes most of the stock
    res = ok(book, "sales", "confirm", quote, today=dt.date(2026, 11, 29))
    assert order_status(book, quote) == "confirmed"
    assert "promised 2026-12-09" in res.stderr  # 10 short: 29 Nov + the 10-day lead time
    assert level(book, "ESP")["reserved"] == 60
    fails(book, "already-confirmed", "sales", "confirm", quote)
