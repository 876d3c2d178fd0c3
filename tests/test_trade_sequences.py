"""Everyday trade sequences whose figures were wrong (issue 12): each test runs the sequence through
the CLI and asserts postings and report figures worked out by hand."""

from __future__ import annotations

import pytest

from .conftest import git, head, run
from .trade_helpers import D, agree, doc, fails, first, ok, trading_book, trial


def moves_of(book, ident):
    return doc(book, "sales", "show", ident)


@pytest.mark.parametrize("valuation,back", [("fifo", "8.67"), ("moving-average", "8.67")])
def test_a_credit_note_returns_stock_at_the_cost_of_the_delivery_it_billed(book, valuation, back):
    # receive 10 @ 4.00 and 10 @ 6.00; order 15; deliver 12 (52.00 FIFO), invoice; deliver 3, invoice
    trading_book(book)
    ok(book, "item", "add", "A", "Item A", "--valuation", valuation)
    ok(book, "stock", "receive", "A", "--qty", "10", "--unit-cost", "4.00", "--date", "2026-11-20")
    ok(book, "stock", "receive", "A", "--qty", "10", "--unit-cost", "6.00", "--date", "2026-11-21")
    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "A 15 10.00"))
    dn1 = first(ok(book, "sales", "deliver", so, "--qty", "12"))
    cost1 = sum(D(x["value"]) for x in doc(book, "sales", "show", dn1)["rows"])
    # FIFO: 10 x 4 + 2 x 6 = 52.00; moving average: 12 x 5.00 = 60.00
    assert cost1 == (D("52.00") if valuation == "fifo" else D("60.00"))
    inv1 = first(ok(book, "sales", "invoice", dn1))
    dn2 = first(ok(book, "sales", "deliver", so))
    ok(book, "sales", "invoice", dn2)
    before = trial(book)
    ok(book, "sales", "credit-note", inv1, "--line", "1", "--qty", "2", "--reason", "returned")
    after = agree(book)
    expected = D(back) if valuation == "fifo" else D("10.00")  # 52 x 2/12; 60 x 2/12
    assert after["1200"] - before["1200"] == expected
    assert before["5010"] - after["5010"] == expected
    # the rest of the first invoice's units come back at exactly what is left of 52.00 / 60.00
    ok(book, "sales", "credit-note", inv1, "--line", "1", "--qty", "10", "--reason", "returned")
    last = agree(book)
    assert last["1200"] - before["1200"] == cost1


def test_the_year_end_close_is_undone_only_by_reopening_that_year(book):
    import datetime as dt

    jan = dt.date(2027, 1, 15)
    ok(book, "journal", "post", "--date", "2026-06-01", "--memo", "Sale", "--posting", "1010", "500.00",
       "--posting", "4010", today=jan)
    closing = first(ok(book, "period", "close-year", "2026", today=jan))
    before = head(book)
    res = fails(book, "closing-entry", "journal", "reverse", closing, "--date", "2027-01-10", today=jan)
    assert "period reopen" in res.stderr
    assert head(book) == before and not git(book, "status", "--porcelain")
    # a hand-written reversal in the next year is caught by validate
    (book / "journal/2027/01").mkdir(parents=True)
    (book / "journal/2027/01/JE-20270110-HAND.yaml").write_text(
        f"id: JE-20270110-HAND\ndate: 2027-01-10\nmemo: undo\nreverses: {closing}\npostings:\n"
        "  - {account: '4010', amount: -500.00}\n  - {account: '3200', amount: 500.00}\n")
    res = run(book, "validate", today=jan)
    assert res.exit_code == 1 and "[closing-reversed-late]" in res.output
    (book / "journal/2027/01/JE-20270110-HAND.yaml").unlink()
    # reopening the year reverses the close on its own date, inside 2026; the year closes again
    res = ok(book, "period", "reopen", "2026-12-30", "--force", today=jan)
    assert f"Reversed the year-end closing entry {closing}" in res.stderr
    tb = trial(book)
    assert tb["4010"] == D("-500.00") and tb.get("3200", D(0)) == D(0)
    again = first(ok(book, "period", "close-year", "2026", today=jan))
    assert again != closing
    tb = trial(book)
    assert tb.get("4010", D(0)) == D(0) and tb["3200"] == D("-500.00")
    assert run(book, "validate", today=jan).exit_code == 0


def test_a_foreign_bill_paid_after_a_revaluation_books_the_difference_once(book):
    trading_book(book)
    ok(book, "partner", "add", "Yankee Beans", "--role", "supplier", "--currency", "USD")
    ok(book, "rate", "add", "USD", "0.90", "--date", "2026-10-01")
    po = first(ok(book, "purchase", "order", "--partner", "yankee-beans", "--line", "ESP 20 10.00",
                  "--date", "2026-10-10"))
    ok(book, "purchase", "receive", po, "--date", "2026-10-15")
    ok(book, "purchase", "bill", po, "--number", "YB-1", "--date", "2026-10-15")
    tb = trial(book)
    assert (tb["1200"], tb["2010"], tb["2100"]) == (D("180.00"), D("-180.00"), D("0.00"))
    ok(book, "rate", "add", "USD", "0.92", "--date", "2026-10-31")
    ok(book, "period", "revalue", "2026-10-31")
    october = {r["account"]: D(r["closing"]) for r in doc(book, "report", "trial-balance", "--to", "2026-10-31")["rows"]}
    assert (october["2010"], october["6900"]) == (D("-184.00"), D("4.00"))  # the unrealised loss at month end
    res = ok(book, "pay", "send", "--partner", "yankee-beans", "--amount", "200", "--rate", "0.93",
             "--date", "2026-11-10")
    assert "realised exchange loss: 6.00 EUR" in res.stderr  # 200 x (0.93 - 0.90), once
    tb = agree(book)
    assert tb["2010"] == D("0.00")  # 0 USD owed, 0.00 EUR on the account
    assert tb["6900"] == D("6.00") and tb["1010"] == D("-186.00")
    aging = doc(book, "report", "ap-aging", "--date", "2026-11-30")
    assert aging["rows"] == [] and aging["agrees"] is True


def test_on_hand_is_as_of_today_and_later_moves_are_future_movements(book):
    trading_book(book)
    ok(book, "stock", "receive", "ESP", "--qty", "100", "--unit-cost", "10.00", "--date", "2026-11-20")
    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 30 25.00"))
    ok(book, "sales", "deliver", so, "--date", "2026-12-03")  # five days ahead
    row = doc(book, "stock", "available", "ESP", "--warehouse", "MAIN")["rows"][0]
    assert {k: D(row[k]) for k in ("on_hand", "reserved", "leaving", "available", "projected")} == {
        "on_hand": 100, "reserved": 0, "leaving": 30, "available": 70, "projected": 70}
    row = doc(book, "stock", "available", "ESP", "--warehouse", "MAIN", "--at", "2026-12-03")["rows"][0]
    assert (D(row["on_hand"]), D(row["leaving"])) == (70, 0)
    assert doc(book, "stock", "promise", "ESP", "--qty", "70")["date"] == "2026-11-28"
    assert doc(book, "stock", "promise", "ESP", "--qty", "71")["basis"] == "lead-time"
    # the delivery side agrees: 70 can still leave today, 71 would starve the later delivery
    so2 = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 71 25.00"))
    before = head(book)
    res = fails(book, "negative-stock", "sales", "deliver", so2)
    assert "later delivery" in res.stderr and head(book) == before


def test_a_delivery_takes_free_stock_and_refuses_stock_promised_to_an_earlier_order(book):
    trading_book(book)
    ok(book, "stock", "receive", "ESP", "--qty", "5", "--unit-cost", "10.00", "--date", "2026-11-20")
    early = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 3 25.00",
                     "--requested", "2026-12-01"))
    late = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 5 25.00"))
    before = head(book)
    res = fails(book, "reserved-stock", "sales", "deliver", late)
    assert f"{early} line 1 (3 ESP, promised 2026-12-01) at risk" in res.stderr and "--take-reserved" in res.stderr
    assert head(book) == before and not git(book, "status", "--porcelain")
    ok(book, "sales", "deliver", late, "--qty", "2")  # the free stock goes
    res = ok(book, "sales", "deliver", late, "--qty", "1", "--take-reserved")
    assert f"warning: took stock promised to {early} line 1" in res.stderr
    risks = {r["order"]: r["risk"] for r in doc(book, "report", "open-orders")["rows"]}
    assert risks[early] == "at risk"


def test_a_partner_name_already_taken_is_refused_unless_asked(book):
    ok(book, "partner", "add", "Café Lumière", "--role", "customer")
    before = head(book)
    res = fails(book, "duplicate-partner", "partner", "add", "café  lumière")
    assert "cafe-lumiere" in res.stderr and "--same-name" in res.stderr
    assert head(book) == before and not git(book, "status", "--porcelain")
    assert first(ok(book, "partner", "add", "Café Lumière", "--same-name")) == "cafe-lumiere-2"


def test_currency_codes_are_iso_4217(book, tmp_path):
    before = head(book)
    res = run(book, "rate", "add", "XYZ", "1.10")
    assert res.exit_code == 1 and "not an ISO 4217 currency code" in res.stderr
    res = run(book, "partner", "add", "Nowhere Ltd", "--role", "supplier", "--currency", "XYZ")
    assert res.exit_code == 1 and "ISO 4217" in res.stderr
    assert head(book) == before and not git(book, "status", "--porcelain")
    res = run(None, "init", tmp_path / "x", "--company", "X", "--currency", "XYZ")
    assert res.exit_code == 1 and not (tmp_path / "x" / "comptoir.yaml").exists()
    ok(book, "rate", "add", "JPY", "0.0061")


def test_a_date_beyond_the_horizon_is_refused_unless_asked(book):
    before = head(book)
    res = fails(book, "date-too-far", "journal", "post", "--date", "2062-12-05", "--memo", "Typo",
                "--posting", "1010", "10.00", "--posting", "4010")
    assert "comptoir --far-date" in res.stderr
    trading_book(book)
    before = head(book)
    fails(book, "date-too-far", "purchase", "order", "--partner", "green-import", "--line", "ESP 1 2.00",
          "--expected", "2062-01-01")
    assert head(book) == before and not git(book, "status", "--porcelain")
    ok(book, "--far-date", "journal", "post", "--date", "2028-01-05", "--memo", "Far but meant",
       "--posting", "1010", "10.00", "--posting", "4010")
    ok(book, "journal", "post", "--date", "2027-11-28", "--memo", "Within a year",
       "--posting", "1010", "10.00", "--posting", "4010")
