"""Procure to pay through the CLI: order, partial receipts, bills with a price variance, payments;
after every step the stock, the derived status and the agreement of the ledger and the reports."""

from __future__ import annotations

import datetime as dt

from .conftest import files_in_commit, git
from .trade_helpers import D, agree, doc, fails, first, level, ok, po_status, trading_book

DEC = dt.date(2026, 12, 5)


def test_procure_to_pay(book):
    trading_book(book)
    po = first(ok(book, "purchase", "order", "--partner", "green-import", "--line", "ESP 100 8.00",
                  "--tax", "VAT20", "--expected", "2026-12-10"))
    assert po.startswith("PO-20261128-")
    assert files_in_commit(book) == [f"purchasing/orders/{po}.yaml"]
    assert po_status(book, po) == "ordered"
    assert level(book, "ESP") == {"on_hand": 0, "reserved": 0, "available": 0, "incoming": 100, "projected": 100}
    assert doc(book, "stock", "available", "ESP")["rows"][0]["next_incoming"] == "2026-12-10"
    agree(book)

    # a partial receipt: stock in at the order price, inventory against GRNI, one commit
    gr = first(ok(book, "purchase", "receive", po, "--line", "1", "--qty", "40", "--date", "2026-11-28"))
    files = files_in_commit(book)
    assert f"purchasing/receipts/2026/11/{gr}.yaml" in files and len(files) == 3  # receipt, move, entry
    assert po_status(book, po) == "partly received"
    assert level(book, "ESP") == {"on_hand": 40, "reserved": 0, "available": 40, "incoming": 60, "projected": 100}
    bal = agree(book)
    assert (bal["1200"], bal["2100"]) == (D("320.00"), D("-320.00"))
    fails(book, "over-receipt", "purchase", "receive", po, "--line", "1", "--qty", "61")

    # the bill is dearer than the order: GRNI cleared at the value received, the rest is variance
    bill = first(ok(book, "purchase", "bill", po, "--number", "F-1001", "--price", "8.50", "--date", "2026-11-28"))
    assert bill.startswith("BILL-20261128-")
    bal = agree(book)
    assert bal["2100"] == 0
    assert (bal["5030"], bal["1300"], bal["2010"]) == (D("20.00"), D("68.00"), D("-408.00"))
    bills = doc(book, "purchase", "bills")["rows"]
    assert [(b["number"], b["due"], b["total"], b["status"]) for b in bills] == [
        ("F-1001", "2027-01-12", "408.00", "open")]
    assert po_status(book, po) == "partly received"
    fails(book, "nothing-to-bill", "purchase", "bill", po, "--number", "F-1002")

    ok(book, "purchase", "receive", po, "--date", "2026-11-29")  # the rest
    assert po_status(book, po) == "received"
    # dated tomorrow: on hand today is still 40, the 60 are a future movement (issue 12 item 5)
    assert level(book, "ESP")["on_hand"] == 40 and level(book, "ESP")["projected"] == 100
    assert level(book, "ESP")["incoming"] == 0
    fails(book, "duplicate-bill", "purchase", "bill", po, "--number", "F-1001")
    fails(book, "over-billing", "purchase", "bill", po, "--number", "F-1002", "--line", "1", "--qty", "61")
    ok(book, "purchase", "bill", po, "--number", "F-1002", "--date", "2026-11-30")
    assert po_status(book, po) == "billed"
    bal = agree(book)
    assert bal["2010"] == D("-984.00")  # 408 + 60 x 8.00 x 1.2
    fails(book, "already-billed", "purchase", "bill", po, "--number", "F-1003")

    # payments: oldest bill first; the order is paid when every bill is
    pay = first(ok(book, "pay", "send", "--partner", "green-import", "--amount", "408.00", "--date", "2026-12-01"))
    assert pay.startswith("PMT-20261201-")
    assert doc(book, "pay", "list")["rows"][0]["allocated"] == "F-1001 408.00"
    assert po_status(book, po) == "billed"
    agree(book)
    fails(book, "already-paid", "pay", "send", "--partner", "green-import", "--amount", "1", "--bill", "F-1001")
    fails(book, "unknown-bill", "pay", "send", "--partner", "green-import", "--amount", "1", "--bill", "F-9999")
    ok(book, "pay", "send", "--partner", "green-import", "--amount", "576.00", "--bill", "F-1002",
       "--date", "2026-12-02")
    assert po_status(book, po) == "paid"
    bal = agree(book)
    assert bal.get("2010", D(0)) == 0 and bal["1010"] == D("-984.00")


def test_incoming_follows_reschedule_and_cancel(book):
    trading_book(book)
    po = first(ok(book, "purchase", "order", "--partner", "green-import", "--line", "ESP 50 8.00 date=2026-12-10"))
    ok(book, "purchase", "reschedule", po, "--expected", "2026-12-20")
    assert doc(book, "stock", "available", "ESP")["rows"][0]["next_incoming"] == "2026-12-20"
    assert doc(book, "report", "open-orders")["rows"][0]["date"] == "2026-12-20"
    ok(book, "purchase", "receive", po, "--qty", "20")
    ok(book, "purchase", "cancel", po)
    assert level(book, "ESP")["incoming"] == 0
    assert po_status(book, po) == "received"  # what arrived stays; the rest is cancelled


def test_default_expected_date_is_the_suppliers_lead_time(book):
    trading_book(book)
    po = first(ok(book, "purchase", "order", "--partner", "green-import", "--line", "ESP 10 8"))
    assert doc(book, "purchase", "show", po)["rows"][0]["expected"] == "2026-12-12"  # 28 Nov + 14 days


def test_purchase_refusals(book):
    trading_book(book)
    fails(book, "not-a-supplier", "purchase", "order", "--partner", "cafe-lumiere", "--line", "ESP 1 1")
    fails(book, "unknown-partner", "purchase", "order", "--partner", "nobody", "--line", "ESP 1 1")
    fails(book, "unknown-item", "purchase", "order", "--partner", "green-import", "--line", "NOPE 1 1")
    fails(book, "missing-price", "purchase", "order", "--partner", "green-import", "--line", "ESP 1")
    fails(book, "unknown-tax-code", "purchase", "order", "--partner", "green-import", "--line", "ESP 1 1 tax=X")
    fails(book, "invalid-line", "purchase", "order", "--partner", "green-import", "--line", "ESP one 1")
    fails(book, "unknown-purchase-order", "purchase", "receive", "PO-NOPE")
    before = git(book, "rev-parse", "HEAD")
    po = first(ok(book, "purchase", "order", "--partner", "green-import", "--line", "ESP 10 8"))
    ok(book, "purchase", "receive", po, "--date", "2026-11-28")
    ok(book, "period", "close", "2026-11-30", today=DEC)
    fails(book, "period-locked", "purchase", "bill", po, "--number", "F-1", "--date", "2026-11-30", today=DEC)
    assert git(book, "rev-list", "--count", f"{before.strip()}..HEAD").strip() == "3"  # nothing more was written
    ok(book, "purchase", "bill", po, "--number", "F-1", "--date", "2026-12-01", today=DEC)
