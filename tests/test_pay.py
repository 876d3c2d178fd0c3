"""Payments: allocation oldest first, over-payment kept as a credit, foreign-currency invoices and
bills settled with a realised exchange gain or loss, and payroll net pay through `pay send`."""

from __future__ import annotations

import datetime as dt
import json

from .conftest import git
from .trade_helpers import D, agree, doc, fails, first, ok, trading_book


def sold(book, partner: str, qty: str, price: str, day: str, *extra) -> str:
    """Order, deliver and invoice on `day`; the invoice id."""
    so = first(ok(book, "sales", "order", "--partner", partner, "--line", f"ESP {qty} {price}", *extra,
                  today=dt.date.fromisoformat(day)))
    ok(book, "sales", "deliver", so, "--date", day)
    return first(ok(book, "sales", "invoice", so, "--date", day))


def test_oldest_due_first_and_a_credit_for_the_rest(book):
    trading_book(book)
    ok(book, "stock", "receive", "ESP", "--qty", "50", "--unit-cost", "10", "--date", "2026-11-01")
    ok(book, "partner", "update", "cafe-lumiere", "--payment-terms", "10")
    a = sold(book, "cafe-lumiere", "5", "20", "2026-11-10")
    b = sold(book, "cafe-lumiere", "5", "20", "2026-11-05")  # older, due first
    pay = first(ok(book, "pay", "receive", "--partner", "cafe-lumiere", "--amount", "150", "--date", "2026-11-28"))
    payment = doc(book, "pay", "list")["rows"][0]
    assert payment["id"] == pay and payment["allocated"] == "2026-0002 100.00, 2026-0001 50.00" and payment["unallocated"] == "0.00"
    rows = {r["id"]: r for r in doc(book, "sales", "invoices")["rows"]}
    assert (rows[b]["status"], rows[a]["status"], rows[a]["open"]) == ("paid", "overdue", "50.00")
    res = ok(book, "pay", "receive", "--partner", "cafe-lumiere", "--amount", "80", "--date", "2026-11-28")
    assert "30.00 EUR is not allocated" in res.stderr
    assert doc(book, "report", "ar-aging", "--date", "2026-11-28")["totals"]["total"] == "-30.00"
    agree(book, "2026-11-28")
    fails(book, "already-paid", "pay", "receive", "--partner", "cafe-lumiere", "--amount", "5", "--invoice", a)
    ok(book, "partner", "add", "Other Café")
    fails(book, "wrong-partner", "pay", "receive", "--partner", "other-cafe", "--amount", "5", "--invoice", a)


def test_foreign_invoice_settles_with_a_realised_gain(book):
    trading_book(book)
    ok(book, "rate", "add", "USD", "0.90", "--date", "2026-11-01")
    ok(book, "rate", "add", "USD", "0.95", "--date", "2026-11-25")
    ok(book, "partner", "add", "Brooklyn Beans", "--currency", "USD", "--payment-terms", "30")
    ok(book, "stock", "receive", "ESP", "--qty", "50", "--unit-cost", "10", "--date", "2026-11-01")
    inv = sold(book, "brooklyn-beans", "10", "30.00", "2026-11-20")
    shown = doc(book, "sales", "show", inv)
    assert shown["invoice"]["currency"] == "USD" and shown["invoice"]["rate"] == "0.90"
    bal = agree(book)
    assert (bal["1100"], bal["4010"]) == (D("270.00"), D("-270.00"))
    res = ok(book, "pay", "receive", "--partner", "brooklyn-beans", "--amount", "300.00", "--date", "2026-11-28")
    assert "realised exchange gain: 15.00 EUR" in res.stderr
    bal = agree(book)
    assert (bal.get("1100", D(0)), bal["1010"], bal["4910"]) == (D(0), D("285.00"), D("-15.00"))
    assert doc(book, "sales", "invoices")["rows"][0]["status"] == "paid"


def test_foreign_bill_settles_with_a_realised_loss_and_variance_in_base(book):
    trading_book(book)
    ok(book, "rate", "add", "USD", "0.90", "--date", "2026-11-01")
    ok(book, "rate", "add", "USD", "0.92", "--date", "2026-11-15")
    ok(book, "rate", "add", "USD", "0.95", "--date", "2026-11-25")
    ok(book, "partner", "add", "Finca Esperanza", "--role", "supplier", "--currency", "USD")
    po = first(ok(book, "purchase", "order", "--partner", "finca-esperanza", "--line", "ESP 100 5.00",
                  today=dt.date(2026, 11, 5)))
    ok(book, "purchase", "receive", po, "--date", "2026-11-10")  # 500 USD at 0.90: 450 EUR in stock
    ok(book, "purchase", "bill", po, "--number", "FE-1", "--date", "2026-11-20")  # at 0.92: 460 EUR owed
    bal = agree(book)
    assert (bal["1200"], bal["2010"], bal["5030"]) == (D("450.00"), D("-460.00"), D("10.00"))
    res = ok(book, "pay", "send", "--partner", "finca-esperanza", "--amount", "500.00", "--date", "2026-11-28")
    assert "realised exchange loss: 15.00 EUR" in res.stderr
    bal = agree(book)
    assert (bal.get("2010", D(0)), bal["1010"], bal["6900"]) == (D(0), D("-475.00"), D("15.00"))
    assert doc(book, "purchase", "show", po)["status"] == "paid"


def test_pay_send_settles_a_payroll_run(book):
    ok(book, "hr", "department", "add", "ROAST", "Roastery")
    ok(book, "hr", "employee", "add", "Camille", "--department", "ROAST", "--role", "Roaster",
       "--start", "2026-11-01", "--monthly-salary", "2000")
    ok(book, "hr", "payroll", "run", "--period", "2026-11", today=dt.date(2026, 11, 30))
    entry = first(ok(book, "pay", "send", "--payroll", "2026-11", "--date", "2026-11-30"))
    shown = json.loads(ok(book, "journal", "show", entry, "--format", "json").stdout)
    assert shown["reference"] == "PAY-2026-11"
    assert {r["account"] for r in shown["rows"]} == {"2300", "1010"}
    assert "Pay PAY-2026-11" in git(book, "log", "-1", "--format=%s")
    fails(book, "payroll-already-paid", "pay", "send", "--payroll", "2026-11")
    fails(book, "payroll-payment", "pay", "send", "--payroll", "2026-11", "--amount", "5")
