"""What `validate` says about hand-edited sales, purchase and payment documents."""

from __future__ import annotations

import json

from .conftest import commit_all, from_template, run
from .trade_helpers import first, level, ok, trading_book


def codes(book) -> set[str]:
    return {e["code"] for e in json.loads(run(book, "validate", "--format", "json").stdout)["errors"]}


def edit(book, pattern: str, old: str, new: str) -> None:
    path = next(book.glob(pattern))
    text = path.read_text()
    assert old in text, text
    path.write_text(text.replace(old, new, 1))
    commit_all(book, "hand edit")


def _flow(book, scratch):
    trading_book(book)
    ok(book, "stock", "receive", "ESP", "--qty", "50", "--unit-cost", "10", "--date", "2026-11-20")
    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 10 25", "--tax", "VAT20"))
    dn = first(ok(book, "sales", "deliver", so))
    inv = first(ok(book, "sales", "invoice", dn))
    return so, dn, inv


def flow(book):
    return from_template(book, "sales_rules.flow", _flow)


def test_a_delivery_that_disagrees_with_its_move_and_order(book):
    so, dn, _ = flow(book)
    edit(book, f"sales/deliveries/*/*/{dn}.yaml", "qty: 10", "qty: 12")
    assert {"document-move-mismatch", "over-delivery"} <= codes(book)


def test_an_invoice_whose_entry_disagrees(book):
    _, _, inv = flow(book)
    entry = json.loads(ok(book, "sales", "show", inv, "--format", "json").stdout)["invoice"]["entry"]
    edit(book, f"journal/*/*/{entry}.yaml", "amount: 300.00", "amount: 290.00")
    edit(book, f"journal/*/*/{entry}.yaml", "amount: -250.00", "amount: -240.00")
    assert "document-entry-mismatch" in codes(book)


def test_unknown_references_and_a_payment_to_someone_elses_invoice(book):
    so, _, inv = flow(book)
    ok(book, "partner", "add", "Other Café")
    pay = first(ok(book, "pay", "receive", "--partner", "other-cafe", "--amount", "10"))
    path = next(book.glob(f"payments/*/*/{pay}.yaml"))
    path.write_text(path.read_text() + f"allocations:\n  - document: {inv}\n    amount: 10\n")
    commit_all(book, "hand edit")
    edit(book, f"sales/orders/{so}.yaml", "tax: VAT20", "tax: VAT99")
    assert {"wrong-partner", "unknown-tax-code"} <= codes(book)


def test_a_won_opportunity_becomes_an_order_that_reserves(book):
    trading_book(book)
    ok(book, "stock", "receive", "ESP", "--qty", "50", "--unit-cost", "10", "--date", "2026-11-20")
    opp = ok(book, "crm", "opp", "add", "Espresso for Lumière", "--partner", "cafe-lumiere",
             "--line", "ESP", "12", "24.50").stdout.strip()
    res = ok(book, "crm", "opp", "win", opp)
    so = res.stdout.strip()
    assert f"Sales order {so}: promised for 2026-11-28" in res.stderr
    shown = json.loads(ok(book, "sales", "show", so, "--format", "json").stdout)
    assert shown["status"] == "confirmed" and shown["rows"][0]["price"] == "24.50"
    assert level(book, "ESP")["reserved"] == 12


def test_every_list_and_report_renders_in_every_format(book):
    flow(book)
    for args in (("sales", "list"), ("sales", "invoices"), ("purchase", "list"), ("purchase", "bills"),
                 ("pay", "list"), ("tax", "list"), ("report", "ar-aging"), ("report", "ap-aging"),
                 ("report", "statement", "cafe-lumiere"), ("report", "sales"), ("report", "purchases"),
                 ("report", "open-orders"), ("report", "cash-forecast"), ("report", "tax")):
        for fmt in ("table", "json", "csv", "markdown"):
            ok(book, *args, "--format", fmt)
        ok(book, *args, "--as-of", "HEAD~1")
