"""Credits and refunds (issue 12 item 8): a payment before its invoice, an over-payment or a
credit note applied to later invoices; customer refunds; supplier returns and debit notes."""

from __future__ import annotations

from .conftest import git, head
from .trade_helpers import D, agree, doc, fails, first, ok, trading_book


def invoiced(book, qty="10", price="20.00"):
    ok(book, "stock", "receive", "ESP", "--qty", "50", "--unit-cost", "10.00", "--date", "2026-11-20")
    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", f"ESP {qty} {price}"))
    dn = first(ok(book, "sales", "deliver", so))
    return first(ok(book, "sales", "invoice", dn))


def test_a_payment_before_its_invoice_is_applied_to_it(book):
    trading_book(book)
    pmt = first(ok(book, "pay", "receive", "--partner", "cafe-lumiere", "--amount", "150.00"))
    inv = invoiced(book)  # 200.00
    tb = agree(book)
    assert tb["1100"] == D("50.00")
    rows = {r["id"]: r for r in doc(book, "sales", "invoices")["rows"]}
    assert rows[inv]["open"] == "200.00"
    before = head(book)
    res = ok(book, "pay", "apply", "--partner", "cafe-lumiere")
    assert head(book) != before and "Apply 150.00 EUR of cafe-lumiere's credit" in res.stderr
    assert agree(book)["1100"] == D("50.00")  # no money moved, no entry
    rows = {r["id"]: r for r in doc(book, "sales", "invoices")["rows"]}
    assert (rows[inv]["open"], rows[inv]["status"]) == ("50.00", "partly paid")
    pays = {r["id"]: r for r in doc(book, "pay", "list")["rows"]}
    assert pays[pmt]["unallocated"] == "150.00"  # the payment record is immutable; the application says it
    statement = doc(book, "report", "statement", "cafe-lumiere")
    assert statement["totals"]["open"] == "50.00"
    before = head(book)
    fails(book, "no-credit", "pay", "apply", "--partner", "cafe-lumiere")
    assert head(book) == before and not git(book, "status", "--porcelain")


def test_a_credit_note_is_applied_to_a_later_invoice_and_the_rest_refunded(book):
    trading_book(book)
    inv1 = invoiced(book)
    ok(book, "pay", "receive", "--partner", "cafe-lumiere", "--amount", "200.00", "--invoice", inv1)
    cn = first(ok(book, "sales", "credit-note", inv1, "--line", "1", "--qty", "4", "--reason", "damaged",
                  "--no-return"))  # 80.00 credit on a paid invoice
    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 3 20.00"))
    inv2 = first(ok(book, "sales", "invoice", first(ok(book, "sales", "deliver", so))))  # 60.00
    ok(book, "pay", "apply", "--partner", "cafe-lumiere", "--credit", cn, "--to", inv2)
    rows = {r["id"]: r for r in doc(book, "sales", "invoices")["rows"]}
    assert rows[inv2]["status"] == "paid"
    assert agree(book)["1100"] == D("-20.00")  # 20.00 of credit left
    before = head(book)
    fails(book, "over-refund", "pay", "refund", "--partner", "cafe-lumiere", "--amount", "25.00")
    assert head(book) == before and not git(book, "status", "--porcelain")
    ok(book, "pay", "refund", "--partner", "cafe-lumiere", "--amount", "20.00")
    tb = agree(book)
    assert tb["1100"] == D("0.00") and tb["1010"] == D("180.00")  # 200 in, 20 back
    assert doc(book, "report", "statement", "cafe-lumiere")["totals"]["open"] == "0.00"


def test_goods_returned_to_the_supplier_leave_at_their_cost_and_a_debit_note_clears_grni(book):
    trading_book(book)
    ok(book, "item", "add", "MA", "Moving-average beans", "--valuation", "moving-average")
    ok(book, "stock", "receive", "MA", "--qty", "10", "--unit-cost", "6.00", "--date", "2026-11-20",
       "--account", "3100")
    po = first(ok(book, "purchase", "order", "--partner", "green-import", "--line", "MA 10 4.00", "--tax", "VAT20"))
    ok(book, "purchase", "receive", po)  # average now 5.00
    bill = first(ok(book, "purchase", "bill", po, "--number", "GI-1"))  # 48.00 gross
    before = head(book)
    fails(book, "over-return", "purchase", "return", po, "--qty", "11", "--reason", "too many")
    assert head(book) == before
    ok(book, "purchase", "return", po, "--qty", "2", "--reason", "wet sacks")
    tb = agree(book)
    # out at the 4.00 they came in at, not the 5.00 average; GRNI carries 8.00 until the supplier credits it
    assert (tb["1200"], tb["2100"]) == (D("92.00"), D("8.00"))
    ok(book, "purchase", "debit-note", bill, "--number", "GI-CN-1", "--qty", "2", "--reason", "wet sacks")
    tb = agree(book)
    assert (tb["2100"], tb["2010"], tb["1300"]) == (D("0.00"), D("-38.40"), D("6.40"))
    assert doc(book, "purchase", "show", po)["rows"][0]["received"] == "8"
    ok(book, "pay", "send", "--partner", "green-import", "--amount", "38.40")
    assert agree(book)["2010"] == D("0.00")
