"""The website's catalog feed and an opportunity's lines checked against stock and supply."""

from __future__ import annotations

import csv
import io
import json

from .conftest import run


def ok(book, *args):
    res = run(book, *args)
    assert res.exit_code == 0, res.output
    return res.stdout


def _stocked_book(book):
    ok(book, "warehouse", "add", "MAIN", "Roastery")
    ok(book, "item", "add", "ETH-250", "Ethiopia Guji 250 g", "--uom", "bag", "--price", "11.90",
       "--lead-time", "10", "--reorder-point", "5")
    ok(book, "item", "add", "MUG", "Enamel mug", "--price", "9.00", "--lead-time", "14")
    ok(book, "item", "add", "GREEN", "Green beans", "--type", "raw-material", "--uom", "kg")  # no price: not sold
    ok(book, "item", "add", "CLASS", "Cupping class", "--type", "service", "--price", "45.00")
    ok(book, "stock", "receive", "ETH-250", "--qty", "8", "--unit-cost", "4.10", "--date", "2026-11-02")
    ok(book, "stock", "receive", "GREEN", "--qty", "60", "--unit-cost", "7.25", "--date", "2026-11-02")
    return book


def test_catalog_lists_sellable_items_with_availability_and_next_date(book):
    _stocked_book(book)
    doc = json.loads(ok(book, "export", "catalog"))
    rows = {r["sku"]: r for r in doc["rows"]}
    assert list(rows) == ["CLASS", "ETH-250", "MUG"]  # sorted, GREEN has no price
    assert rows["ETH-250"] == {"sku": "ETH-250", "name": "Ethiopia Guji 250 g", "uom": "bag", "price": "11.90",
                               "currency": "EUR", "available": "8", "status": "in stock",
                               "next_available": "2026-11-28"}
    assert rows["MUG"]["status"] == "out of stock" and rows["MUG"]["next_available"] == "2026-12-12"  # lead time
    assert rows["CLASS"]["status"] == "service" and rows["CLASS"]["available"] is None
    assert ok(book, "export", "catalog") == ok(book, "export", "catalog")  # deterministic


def test_catalog_caps_buckets_and_low_threshold(book):
    _stocked_book(book)
    capped = list(csv.DictReader(io.StringIO(ok(book, "export", "catalog", "--format", "csv", "--cap", "5"))))
    assert next(r for r in capped if r["sku"] == "ETH-250")["available"] == "5"
    buckets = list(csv.DictReader(io.StringIO(ok(book, "export", "catalog", "--format", "csv", "--buckets",
                                                 "--low", "10"))))
    assert "available" not in buckets[0]
    assert next(r for r in buckets if r["sku"] == "ETH-250")["status"] == "low stock"


def test_opportunity_show_says_what_can_be_promised_before_winning(book):
    _stocked_book(book)
    customer = ok(book, "partner", "add", "Café Lumière", "--role", "customer").strip()
    opp = ok(book, "crm", "opp", "add", "Autumn order", "--partner", customer,
             "--line", "ETH-250", "6", "11.90", "--line", "MUG", "3", "9.00").strip()
    doc = json.loads(ok(book, "crm", "opp", "show", opp, "--format", "json"))
    lines = {ln["item"]: ln for ln in doc["lines"]}
    assert lines["ETH-250"]["promise"] == "2026-11-28" and lines["ETH-250"]["basis"] == "stock"
    assert lines["ETH-250"]["available"] == "8"
    assert lines["MUG"]["promise"] == "2026-12-12" and lines["MUG"]["basis"] == "lead-time"
    table = ok(book, "crm", "opp", "show", opp)
    assert "What can be promised" in table and "2026-12-12" in table
