"""Document dates (issue 12, item 11): every document command takes its own --date (yesterday's
paperwork is entered today), and the dates a document promises (requested, expected, due)
are separate options."""

from __future__ import annotations

import yaml

from .conftest import git, head
from .trade_helpers import doc, fails, first, ok, trading_book


def _record(book, ident: str) -> dict:
    [path] = [p for p in book.rglob(f"{ident}.yaml") if ".git" not in p.parts]
    return yaml.safe_load(path.read_text())


def _entry_date(book, record: dict) -> str:
    return str(_record(book, record["entry"])["date"])


def test_sales_documents_take_their_own_dates(book):
    trading_book(book)
    ok(book, "stock", "receive", "ESP", "--qty", "20", "--unit-cost", "4.00", "--date", "2026-11-01",
       "--account", "3100")
    # the order was taken on the 2nd for delivery on 10 December: two different dates
    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 10 20.00", "--tax", "VAT20",
                  "--date", "2026-11-02", "--requested", "2026-12-10"))
    rec = _record(book, so)
    assert (str(rec["date"]), str(rec["confirmed"]), str(rec["lines"][0]["requested"])) == (
        "2026-11-02", "2026-11-02", "2026-12-10")
    dn = first(ok(book, "sales", "deliver", so, "--qty", "6", "--line", "1", "--date", "2026-11-05"))
    rec = _record(book, dn)
    assert str(rec["date"]) == "2026-11-05"
    res = ok(book, "sales", "invoice", dn, "--date", "2026-11-06", "--due", "2026-11-20")
    inv = first(res)
    rec = _record(book, inv)
    assert (str(rec["date"]), str(rec["due"]), _entry_date(book, rec)) == ("2026-11-06", "2026-11-20", "2026-11-06")
    # without --due: the invoice date + the customer's 30 days
    dn2 = first(ok(book, "sales", "deliver", so, "--date", "2026-11-07"))
    inv2 = first(ok(book, "sales", "invoice", dn2, "--date", "2026-11-08"))
    assert str(_record(book, inv2)["due"]) == "2026-12-08"
    cn = first(ok(book, "sales", "credit-note", inv, "--line", "1", "--qty", "1", "--reason", "damaged",
                  "--date", "2026-11-09"))
    assert str(_record(book, cn)["date"]) == "2026-11-09"

    # a quote made on the 3rd, accepted by the customer on the 4th, entered today
    q = first(ok(book, "sales", "quote", "--partner", "cafe-lumiere", "--line", "ESP 2 20.00",
                 "--date", "2026-11-03", "--requested", "2026-12-01"))
    before = head(book)
    fails(book, "confirmed-before-quote", "sales", "confirm", q, "--date", "2026-11-02")
    fails(book, "order-date-ahead", "sales", "confirm", q, "--date", "2026-11-29")
    assert head(book) == before and not git(book, "status", "--porcelain")
    ok(book, "sales", "confirm", q, "--date", "2026-11-04")
    rec = _record(book, q)
    assert (str(rec["date"]), str(rec["confirmed"]), str(rec["lines"][0]["requested"])) == (
        "2026-11-03", "2026-11-04", "2026-12-01")


def test_a_due_date_before_the_invoice_is_refused(book):
    trading_book(book)
    ok(book, "stock", "receive", "ESP", "--qty", "5", "--unit-cost", "4.00", "--date", "2026-11-01",
       "--account", "3100")
    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 5 20.00"))
    dn = first(ok(book, "sales", "deliver", so))
    before = head(book)
    fails(book, "due-before-date", "sales", "invoice", dn, "--date", "2026-11-28", "--due", "2026-11-27")
    assert head(book) == before and not git(book, "status", "--porcelain")


def test_purchase_documents_take_their_own_dates(book):
    trading_book(book)
    po = first(ok(book, "purchase", "order", "--partner", "green-import", "--line", "ESP 10 4.00", "--tax", "VAT20",
                  "--date", "2026-11-02", "--expected", "2026-11-16"))
    rec = _record(book, po)
    assert (str(rec["date"]), str(rec["lines"][0]["expected"])) == ("2026-11-02", "2026-11-16")
    gr = first(ok(book, "purchase", "receive", po, "--date", "2026-11-14"))
    assert str(_record(book, gr)["date"]) == "2026-11-14"
    bill = first(ok(book, "purchase", "bill", po, "--number", "GI-7", "--date", "2026-11-15", "--due", "2026-12-31"))
    rec = _record(book, bill)
    assert (str(rec["date"]), str(rec["due"]), _entry_date(book, rec)) == ("2026-11-15", "2026-12-31", "2026-11-15")
    ret = first(ok(book, "purchase", "return", po, "--qty", "2", "--reason", "wet", "--date", "2026-11-17"))
    assert str(_record(book, ret)["date"]) == "2026-11-17"
    dnote = first(ok(book, "purchase", "debit-note", bill, "--number", "GI-CN-7", "--qty", "2", "--reason", "wet",
                     "--date", "2026-11-18"))
    assert str(_record(book, dnote)["date"]) == "2026-11-18"


def test_payments_and_stock_moves_take_their_own_dates(book):
    trading_book(book)
    moves = {
        "receive": ["stock", "receive", "ESP", "--qty", "10", "--unit-cost", "4.00", "--account", "3100",
                    "--date", "2026-11-03"],
        "issue": ["stock", "issue", "ESP", "--qty", "1", "--account", "6900", "--date", "2026-11-04"],
        "adjust": ["stock", "adjust", "ESP", "--counted", "8", "--reason", "count", "--date", "2026-11-05"],
    }
    for name, args in moves.items():
        ident = first(ok(book, *args))
        assert str(_record(book, ident)["date"]) == args[-1], name
    ok(book, "warehouse", "add", "SHOP", "Shop")
    ident = first(ok(book, "stock", "transfer", "ESP", "--qty", "2", "--from", "MAIN", "--to", "SHOP",
                     "--date", "2026-11-06"))
    assert str(_record(book, ident)["date"]) == "2026-11-06"

    # a payment before its invoice, applied later, refunded: each on its own day
    pmt = first(ok(book, "pay", "receive", "--partner", "cafe-lumiere", "--amount", "100.00", "--date", "2026-11-07"))
    assert str(_record(book, pmt)["date"]) == "2026-11-07"
    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 2 20.00",
                  "--date", "2026-11-08"))
    inv = first(ok(book, "sales", "invoice", first(ok(book, "sales", "deliver", so, "--date", "2026-11-09")),
                   "--date", "2026-11-10"))
    applied = first(ok(book, "pay", "apply", "--partner", "cafe-lumiere", "--to", inv, "--date", "2026-11-11"))
    assert str(_record(book, applied)["date"]) == "2026-11-11"
    refund = first(ok(book, "pay", "refund", "--partner", "cafe-lumiere", "--amount", "60.00",
                      "--date", "2026-11-12"))
    assert str(_record(book, refund)["date"]) == "2026-11-12"
    po = first(ok(book, "purchase", "order", "--partner", "green-import", "--line", "ESP 5 4.00",
                  "--warehouse", "MAIN"))
    ok(book, "purchase", "receive", po)
    ok(book, "purchase", "bill", po, "--number", "GI-8")
    sent = first(ok(book, "pay", "send", "--partner", "green-import", "--amount", "20.00", "--date", "2026-11-13"))
    assert str(_record(book, sent)["date"]) == "2026-11-13"
    assert doc(book, "report", "trial-balance")["balanced"] is True
