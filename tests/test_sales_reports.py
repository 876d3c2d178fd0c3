"""Receivables aging, statements, sales and purchases reports, open orders with promises at risk,
the cash forecast, the tax report, the overview section and the reviewer's diff."""

from __future__ import annotations

import datetime as dt
import json

from .conftest import from_template, git, run
from .trade_helpers import D, doc, first, ok, trading_book


def invoiced(book, qty: str, day: str) -> str:
    when = dt.date.fromisoformat(day)
    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", f"ESP {qty} 25", "--tax", "VAT20",
                  today=when))
    ok(book, "sales", "deliver", so, "--date", day, today=when)
    return first(ok(book, "sales", "invoice", so, "--date", day, today=when))


def _history(book, scratch):
    trading_book(book)
    ok(book, "stock", "receive", "ESP", "--qty", "50", "--unit-cost", "10", "--date", "2026-06-01")
    invoiced(book, "4", "2026-06-15")  # due 15 Jul: 136 days late on 28 Nov
    invoiced(book, "2", "2026-09-15")  # due 15 Oct: 44 days
    invoiced(book, "1", "2026-10-20")  # due 19 Nov: 9 days
    invoiced(book, "3", "2026-11-20")  # due 20 Dec: current
    return book


def history(book):
    return from_template(book, "sales_reports.history", _history)


def test_ar_aging_buckets_and_statement(book):
    history(book)
    aging = doc(book, "report", "ar-aging")
    row = aging["rows"][0]
    assert (row["partner"], row["current"], row["1-30"], row["31-60"], row["61-90"], row["90+"], row["total"]) == (
        "cafe-lumiere", "90.00", "30.00", "60.00", "0.00", "120.00", "300.00")
    assert aging["agrees"] is True
    earlier = doc(book, "report", "ar-aging", "--date", "2026-10-31")["rows"][0]  # any date: what was open then
    assert (earlier["current"], earlier["1-30"], earlier["90+"], earlier["total"]) == ("30.00", "60.00", "120.00",
                                                                                       "210.00")
    detail = doc(book, "report", "ar-aging", "--detail")["rows"]
    assert [(r["number"], r["days"], r["bucket"]) for r in detail] == [
        ("2026-0001", 136, "90+"), ("2026-0002", 44, "31-60"), ("2026-0003", 9, "1-30"), ("2026-0004", 0, "current")]
    ok(book, "pay", "receive", "--partner", "cafe-lumiere", "--amount", "150")
    stmt = doc(book, "report", "statement", "cafe-lumiere")
    assert [r["balance"] for r in stmt["rows"]] == ["120.00", "180.00", "210.00", "300.00", "150.00"]
    assert [r["open"] for r in stmt["rows"]] == [None, "30.00", "30.00", "90.00", None]
    assert stmt["notes"][1].startswith("overdue: 2026-0002 (due 2026-10-15, 30.00)")
    since = doc(book, "report", "statement", "cafe-lumiere", "--from", "2026-10-01")
    assert since["rows"][0] == {"date": "2026-10-01", "kind": "opening balance", "document": "", "number": "",
                                "due": None, "charge": None, "credit": None, "balance": "180.00", "open": None}


def test_sales_report_margin_and_tax(book):
    history(book)
    rows = doc(book, "report", "sales", "--by", "customer")["rows"]
    assert rows == [{"customer": "cafe-lumiere", "qty": "10", "revenue": "250.00", "cost": "100.00",
                     "margin": "150.00", "margin_pct": "60.0"}]
    months = doc(book, "report", "sales", "--by", "month", "--from", "2026-09-01")["rows"]
    assert [(r["month"], r["revenue"]) for r in months] == [("2026-09", "50.00"), ("2026-10", "25.00"),
                                                            ("2026-11", "75.00")]
    tax = doc(book, "report", "tax", "--period", "2026-11")
    assert tax["rows"][0]["code"] == "VAT20" and tax["rows"][0]["collected"] == "15.00"
    po = first(ok(book, "purchase", "order", "--partner", "green-import", "--line", "ESP 10 8 tax=VAT20"))
    ok(book, "purchase", "receive", po)
    ok(book, "purchase", "bill", po, "--number", "G-1")
    tax = doc(book, "report", "tax", "--period", "2026-11")
    assert (tax["rows"][0]["paid"], tax["rows"][0]["net_due"]) == ("16.00", "-1.00")
    purchases = doc(book, "report", "purchases", "--by", "supplier")["rows"]
    assert purchases == [{"supplier": "green-import", "qty": "10", "received": "80.00", "billed": "80.00",
                          "variance": "0.00"}]


def test_open_orders_flag_a_promise_at_risk_when_supply_slips(book):
    trading_book(book)
    po = first(ok(book, "purchase", "order", "--partner", "green-import", "--line", "ESP 20 8",
                  "--expected", "2026-12-05"))
    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 15 25"))
    rows = doc(book, "report", "open-orders")["rows"]
    assert [(r["side"], r["order"], r["date"], r["risk"]) for r in rows] == [
        ("sales", so, "2026-12-05", "on time"), ("purchases", po, "2026-12-05", "on time")]
    ok(book, "purchase", "reschedule", po, "--expected", "2026-12-20")  # the supplier is late
    table = doc(book, "report", "open-orders")
    sales = table["rows"][0]
    assert (sales["risk"], sales["date"]) == ("at risk", "2026-12-05")
    assert "15 of 15 ESP not covered in MAIN on 2026-12-05" in sales["why"]
    assert table["notes"] == ["1 promise(s) at risk or late."]
    late = doc(book, "report", "open-orders", "--date", "2026-12-22")["rows"]
    assert (late[0]["risk"], late[1]["risk"]) == ("late", "overdue")
    overview = {r["measure"]: r["value"] for r in doc(book, "report", "overview")["rows"] if r["section"] == "Sales"}
    assert overview["Order lines late or at risk"] == 1 and overview["Open sales orders (to deliver)"] == 1


def test_cash_forecast_week_by_week(book):
    history(book)
    ok(book, "journal", "post", "--date", "2026-11-01", "--memo", "Capital", "-p", "1010", "1000", "-p", "3100")
    po = first(ok(book, "purchase", "order", "--partner", "green-import", "--line", "ESP 10 8"))
    ok(book, "purchase", "receive", po)
    ok(book, "purchase", "bill", po, "--number", "G-1", "--due", "2026-12-03")
    fc = doc(book, "report", "cash-forecast", "--weeks", "4")
    assert D(fc["opening"]) == 1000
    weeks = [(r["from"], r["receipts"], r["payments"], r["closing"]) for r in fc["rows"]]
    assert weeks == [("2026-11-28", "210.00", "80.00", "1130.00"),  # overdue invoices expected now
                     ("2026-12-05", "0.00", "0.00", "1130.00"),
                     ("2026-12-12", "0.00", "0.00", "1130.00"),
                     ("2026-12-19", "90.00", "0.00", "1220.00")]  # due 20 December


def test_diff_shows_documents_and_status_changes(book):
    trading_book(book)
    ok(book, "stock", "receive", "ESP", "--qty", "50", "--unit-cost", "10", "--date", "2026-11-01")
    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 4 25"))
    base = git(book, "rev-parse", "HEAD").strip()
    ok(book, "sales", "deliver", so)
    inv = first(ok(book, "sales", "invoice", so))
    res = run(book, "diff", base, "--format", "json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["sections"]["documents"]
    assert {(r["kind"], r["id"], r["status"]) for r in rows} >= {("invoice", inv, ""),
                                                                  ("sales-order", so, "confirmed -> invoiced")}
    assert D(next(r for r in rows if r["kind"] == "invoice")["amount"]) == D("100.00")
