"""Tax defaults and the VAT settlement (issue 12 item 9)."""

from __future__ import annotations

import datetime as dt
import json

import yaml

from .conftest import git, head
from .trade_helpers import D, agree, doc, fails, first, ok, trading_book

DEC = dt.date(2026, 12, 3)


def test_items_and_partners_give_documents_their_tax_code(book):
    trading_book(book)
    ok(book, "tax", "add", "VAT0", "Export, exempt", "--rate", "0")
    ok(book, "item", "add", "MUG", "Mug", "--tax", "VAT20", "--price", "10.00")
    ok(book, "partner", "add", "Export Co", "--role", "customer", "--tax", "VAT0")
    ok(book, "stock", "receive", "MUG", "--qty", "10", "--unit-cost", "4.00", "--date", "2026-11-20")
    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "MUG 2"))
    assert doc(book, "sales", "show", so)["rows"][0]["tax"] == "VAT20"  # the item's
    so2 = first(ok(book, "sales", "order", "--partner", "export-co", "--line", "MUG 2"))
    assert doc(book, "sales", "show", so2)["rows"][0]["tax"] == "VAT0"  # the partner's wins over the item's
    so3 = first(ok(book, "sales", "order", "--partner", "export-co", "--line", "MUG 1 tax=VAT20"))
    assert doc(book, "sales", "show", so3)["rows"][0]["tax"] == "VAT20"  # an explicit line code wins
    inv = first(ok(book, "sales", "invoice", first(ok(book, "sales", "deliver", so))))
    assert doc(book, "sales", "show", inv)["rows"][0]["tax_amount"] == "4.00"
    po = first(ok(book, "purchase", "order", "--partner", "green-import", "--line", "MUG 5 4.00"))
    assert doc(book, "purchase", "show", po)["rows"][0]["tax"] == "VAT20"
    before = head(book)
    fails(book, "unknown-tax-code", "item", "add", "CUP", "Cup", "--tax", "NOPE")
    assert head(book) == before and not git(book, "status", "--porcelain")


def test_an_order_won_from_an_opportunity_takes_the_default_tax(book):
    trading_book(book)
    ok(book, "item", "add", "MUG", "Mug", "--tax", "VAT20", "--price", "10.00")
    opp = first(ok(book, "crm", "opp", "add", "Mugs for the café", "--partner", "cafe-lumiere",
                   "--line", "MUG", "3", "10.00"))
    res = ok(book, "crm", "opp", "win", opp)
    so = next(t for t in res.output.split() if t.startswith("SO-"))
    assert doc(book, "sales", "show", so)["rows"][0]["tax"] == "VAT20"


def test_vat_settlement_and_return_for_a_month(book):
    trading_book(book)
    ok(book, "stock", "receive", "ESP", "--qty", "50", "--unit-cost", "10.00", "--date", "2026-11-02")
    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 10 30.00", "--tax", "VAT20",
                  "--date", "2026-11-05"))
    ok(book, "sales", "invoice", first(ok(book, "sales", "deliver", so, "--date", "2026-11-05")),
       "--date", "2026-11-05")  # 300 net, 60 output tax
    ok(book, "purchase", "bill", "--partner", "green-import", "--number", "GI-1", "--date", "2026-11-10",
       "--charge", "6200 100.00 tax=VAT20")  # 20 input tax
    ret = json.loads(ok(book, "report", "vat-return", "--period", "2026-11", "--format", "json", today=DEC).stdout)
    assert [(r["box"], r["amount"]) for r in ret["rows"]] == [
        ("1", "300.00"), ("2", "60.00"), ("3", "100.00"), ("4", "20.00"), ("5", "40.00")]
    before = head(book)
    fails(book, "period-not-ended", "tax", "settle", "2026-12", today=DEC)
    fails(book, "bad-period", "tax", "settle", "2026-13", today=DEC)
    assert head(book) == before
    ok(book, "tax", "settle", "2026-11", today=DEC)
    tb = agree(book)
    assert (tb["2200"], tb["1300"], tb["2250"]) == (D("0.00"), D("0.00"), D("-40.00"))
    fails(book, "already-settled", "tax", "settle", "2026-11", today=DEC)
    ok(book, "pay", "send", "--tax", "2026-11", "--date", "2026-12-03", today=DEC)
    tb = agree(book)
    assert tb["2250"] == D("0.00") and tb["1010"] == D("-40.00")
    fails(book, "already-paid", "pay", "send", "--tax", "2026-11", today=DEC)


def test_vat_return_boxes_come_from_the_settings(book):
    trading_book(book)
    settings = yaml.safe_load((book / "comptoir.yaml").read_text())
    settings["vat_return"] = {"boxes": [
        {"box": "A", "label": "Output VAT20", "side": "sales", "amount": "tax", "codes": ["VAT20"]},
        {"box": "B", "label": "Twice A", "sum": ["A", "A"]}]}
    (book / "comptoir.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    git(book, "commit", "-qam", "boxes")
    ok(book, "stock", "receive", "ESP", "--qty", "5", "--unit-cost", "10.00", "--date", "2026-11-02")
    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 5 20.00", "--tax", "VAT20"))
    ok(book, "sales", "invoice", first(ok(book, "sales", "deliver", so)))
    ret = doc(book, "report", "vat-return", "--period", "2026-Q4")
    assert [(r["box"], r["label"], r["amount"]) for r in ret["rows"]] == [
        ("A", "Output VAT20", "20.00"), ("B", "Twice A", "40.00")]
