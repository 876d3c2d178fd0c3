"""Shared steps for the order-to-cash and procure-to-pay tests: a small trading book, and the
cross-checks every step must pass (trial balance, stock balance and aging reports agree)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from .conftest import from_template, run

D = Decimal


def ok(book, *args, today: dt.date | None = None):
    kw = {"today": today} if today else {}
    res = run(book, *args, **kw)
    assert res.exit_code == 0, res.output
    return res


def fails(book, code: str, *args, today: dt.date | None = None):
    kw = {"today": today} if today else {}
    res = run(book, *args, **kw)
    assert res.exit_code == 1, res.output
    assert f"[{code}]" in res.stderr, res.stderr
    return res


def first(res) -> str:
    return res.stdout.split()[0]


def doc(book, *args) -> dict:
    return json.loads(ok(book, *args, "--format", "json").stdout)


def trial(book) -> dict[str, Decimal]:
    tb = doc(book, "report", "trial-balance")
    assert tb["balanced"] is True
    return {r["account"]: D(r["closing"]) for r in tb["rows"]}


def agree(book, day: str = "2027-12-31") -> dict[str, Decimal]:
    """Check the reports agree with each other and the book validates; return the balances.
    The aging reports are taken on `day`, after every document of the test."""
    balances = trial(book)
    stock = doc(book, "report", "stock-balance")
    assert stock["agrees"] is True, stock
    assert D(stock["totals"]["value"]) == balances.get("1200", D(0))
    ar = doc(book, "report", "ar-aging", "--date", day)
    assert ar["agrees"] is True, ar
    assert D(ar["totals"]["total"]) == balances.get("1100", D(0))
    ap = doc(book, "report", "ap-aging", "--date", day)
    assert ap["agrees"] is True, ap
    assert D(ap["totals"]["total"]) == -balances.get("2010", D(0))
    res = run(book, "validate")
    assert res.exit_code == 0, res.output
    return balances


def level(book, sku: str, warehouse: str = "MAIN") -> dict[str, Decimal]:
    rows = doc(book, "stock", "available", sku, "--warehouse", warehouse)["rows"]
    row = rows[0]
    return {k: D(row[k]) for k in ("on_hand", "reserved", "available", "incoming", "projected")}


def order_status(book, ident: str) -> str:
    return doc(book, "sales", "show", ident)["status"]


def po_status(book, ident: str) -> str:
    return doc(book, "purchase", "show", ident)["status"]


def _trading_book(book, scratch):
    """A warehouse, a stocked item with a list price, a service, a tax code, a customer, a supplier."""
    ok(book, "warehouse", "add", "MAIN", "Main warehouse")
    ok(book, "item", "add", "ESP", "Espresso 1 kg", "--uom", "bag", "--lead-time", "10", "--valuation", "fifo")
    ok(book, "item", "add", "SVC", "Barista training", "--type", "service")
    ok(book, "tax", "add", "VAT20", "VAT 20%", "--rate", "20")
    ok(book, "partner", "add", "Café Lumière", "--role", "customer", "--payment-terms", "30",
       "--credit-limit", "5000")
    ok(book, "partner", "add", "Green Import", "--role", "supplier", "--payment-terms", "45", "--lead-time", "14")
    return book


def trading_book(book):
    return from_template(book, "trade_helpers.trading_book", _trading_book)
