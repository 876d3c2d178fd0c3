"""Availability columns, the supply/demand provider interface, and promise dates."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from comptoir.domain import availability
from comptoir.domain.availability import Event, promise

from .conftest import from_template, run

D = Decimal
EVENTS: list[tuple] = []


def ok(book, *args):
    res = run(book, *args)
    assert res.exit_code == 0, res.output
    return res


@pytest.fixture
def documents(monkeypatch):
    """A stand-in for the sales, purchasing and production providers: open documents as events."""
    EVENTS.clear()

    def open_documents(book):
        return list(EVENTS)  # plain tuples are accepted as well as Event

    monkeypatch.setattr(availability, "providers", lambda: [open_documents])
    monkeypatch.setenv("COMPTOIR_ANSWER_CACHE", "0")  # the stand-in changes between questions
    yield EVENTS
    EVENTS.clear()


def _shop(book, scratch):
    ok(book, "warehouse", "add", "ROAST", "Roastery")
    ok(book, "warehouse", "add", "SHOP", "Shop")
    ok(book, "item", "add", "ESP", "Espresso 250 g", "--uom", "bag", "--lead-time", "3")
    ok(book, "item", "add", "BEAN", "Green beans", "--uom", "kg", "--lead-time", "21")
    ok(book, "stock", "receive", "ESP", "--qty", "12", "--unit-cost", "4.00", "--warehouse", "SHOP",
       "--date", "2026-11-20")
    return book


@pytest.fixture
def shop(book):
    return from_template(book, "stock_availability.shop", _shop)


def available(book, *args) -> list[dict]:
    return json.loads(ok(book, "stock", "available", *args, "--format", "json").stdout)["rows"]


def test_available_without_documents_is_on_hand(shop):
    rows = available(shop)
    assert rows == [{"item": "ESP", "name": "Espresso 250 g", "warehouse": "SHOP", "uom": "bag", "on_hand": "12",
                     "reserved": "0", "available": "12", "incoming": "0", "next_incoming": None, "planned": "0",
                     "required": "0", "arriving": "0", "leaving": "0", "projected": "12"}]
    doc = json.loads(ok(shop, "stock", "available", "--format", "json").stdout)
    assert doc["notes"] == ["1 items have no stock and no open documents: BEAN"]
    assert [(r["warehouse"], r["on_hand"]) for r in available(shop, "ESP")] == [("ROAST", "0"), ("SHOP", "12")]
    assert [(r["item"], r["on_hand"]) for r in available(shop, "--warehouse", "SHOP")] == [("BEAN", "0"), ("ESP", "12")]


def test_each_document_kind_adds_its_column_and_projected_follows(shop, documents):
    documents += [
        Event("ESP", "SHOP", dt.date(2026, 11, 30), D(8), "reserved", "SO-20261120-0001"),
        ("ESP", "SHOP", dt.date(2026, 12, 4), D(50), "incoming", "PO-20261121-0001"),
        ("ESP", "SHOP", dt.date(2026, 12, 10), D(5), "planned", "MO-20261122-0001"),
        ("ESP", "SHOP", dt.date(2026, 12, 2), D(3), "required", "MO-20261122-0002"),
        ("BEAN", "ROAST", dt.date(2026, 12, 20), D(60), "incoming", "PO-20261121-0002"),
    ]
    rows = {(r["item"], r["warehouse"]): r for r in available(shop)}
    assert rows[("ESP", "SHOP")] == {
        "item": "ESP", "name": "Espresso 250 g", "warehouse": "SHOP", "uom": "bag", "on_hand": "12",
        "reserved": "8", "available": "4", "incoming": "50", "next_incoming": "2026-12-04", "planned": "5",
        "required": "3", "arriving": "0", "leaving": "0", "projected": "56"}  # 12 + 50 + 5 - 8 - 3
    assert rows[("BEAN", "ROAST")]["projected"] == "60" and rows[("BEAN", "ROAST")]["on_hand"] == "0"
    # by 3 December only the reservation and the requirement are due
    at = {(r["item"], r["warehouse"]): r for r in available(shop, "--at", "2026-12-03")}
    esp = at[("ESP", "SHOP")]
    assert (esp["reserved"], esp["required"], esp["incoming"], esp["planned"], esp["projected"]) == (
        "8", "3", "0", "0", "1")
    assert ("BEAN", "ROAST") not in at


def test_undated_demand_always_counts_undated_supply_never_by_a_date(shop, documents):
    documents += [("ESP", "SHOP", None, D(2), "reserved", "SO-X"), ("ESP", "SHOP", None, D(9), "incoming", "PO-X")]
    (row,) = available(shop, "--at", "2026-11-29")
    assert (row["reserved"], row["incoming"], row["projected"]) == ("2", "0", "10")
    (row,) = available(shop)
    assert (row["reserved"], row["incoming"], row["projected"]) == ("2", "9", "19")


def test_a_provider_with_a_wrong_kind_is_a_programming_error(shop, documents):
    documents.append(("ESP", "SHOP", None, D(1), "ordered", "X"))
    res = run(shop, "stock", "available")
    assert res.exit_code == 1 and "event kind 'ordered'" in res.stderr


# -- promise dates -------------------------------------------------------------------------------

def promised(book, *args) -> dict:
    return json.loads(ok(book, "stock", "promise", *args, "--format", "json").stdout)


def test_promise_from_stock_on_hand(shop):
    doc = promised(shop, "ESP", "--qty", "10", "--warehouse", "SHOP")
    assert (doc["date"], doc["basis"]) == ("2026-11-28", "stock")
    assert doc["reason"] == "12 on hand in SHOP, nothing reserved: 10 bag can ship on 2026-11-28"
    assert doc["rows"] == [{"date": "2026-11-28", "event": "on hand", "document": "", "warehouse": "SHOP",
                            "change": "12", "projected": "12"}]
    table = ok(shop, "stock", "promise", "ESP", "--qty", "10", "--warehouse", "SHOP").stdout
    assert "10 x ESP from SHOP: can ship on 2026-11-28" in table
    assert "Why: 12 on hand in SHOP, nothing reserved" in table


def test_promise_short_with_nothing_incoming_falls_back_on_the_lead_time(shop):
    doc = promised(shop, "ESP", "--qty", "20", "--warehouse", "SHOP")
    assert (doc["date"], doc["basis"]) == ("2026-12-01", "lead-time")  # today + 3 days
    assert doc["assumption"] == ("no known supply covers it: assuming 8 more bag can be replenished within "
                                 "the item's lead time of 3 days (from 2026-11-28)")
    assert doc["reason"].startswith("12 on hand in SHOP, nothing reserved; short by 8: no known supply")
    assert doc["alternatives"] == []
    later = promised(shop, "ESP", "--qty", "20", "--warehouse", "SHOP", "--from", "2026-12-15")
    assert later["date"] == "2026-12-15"  # never before the date asked for


def test_promise_short_here_but_available_in_another_warehouse_says_so(shop):
    ok(shop, "stock", "receive", "ESP", "--qty", "30", "--unit-cost", "4.00", "--warehouse", "ROAST",
       "--date", "2026-11-21")
    doc = promised(shop, "ESP", "--qty", "20", "--warehouse", "SHOP")
    assert (doc["date"], doc["basis"]) == ("2026-12-01", "lead-time")
    assert doc["alternatives"] == [{"warehouse": "ROAST", "date": "2026-11-28", "on_hand": "30", "available": "30"}]
    assert doc["reason"].endswith("; ROAST has 30 available and could ship on 2026-11-28 "
                                  "(comptoir stock transfer ESP --qty 20 --from ROAST --to SHOP)")
    everywhere = promised(shop, "ESP", "--qty", "20")
    assert (everywhere["warehouse"], everywhere["date"], everywhere["basis"]) == (None, "2026-11-28", "stock")


def test_promise_waits_for_the_receipt_that_covers_it(shop, documents):
    documents += [("ESP", "SHOP", dt.date(2026, 11, 30), D(8), "reserved", "SO-20261120-0001"),
                  ("ESP", "SHOP", dt.date(2026, 12, 4), D(50), "incoming", "PO-20261121-0001")]
    assert promised(shop, "ESP", "--qty", "4", "--warehouse", "SHOP")["date"] == "2026-11-28"
    doc = promised(shop, "ESP", "--qty", "10", "--warehouse", "SHOP")
    assert (doc["date"], doc["basis"]) == ("2026-12-04", "supply")
    assert doc["reason"] == "12 on hand in SHOP, 8 reserved; PO-20261121-0001 brings 50 on 2026-12-04"
    assert [(r["date"], r["event"], r["change"], r["projected"]) for r in doc["rows"]] == [
        ("2026-11-28", "on hand", "12", "12"), ("2026-11-30", "reserved", "-8", "4"),
        ("2026-12-04", "incoming", "50", "54")]


def test_promise_never_starves_a_later_commitment(shop, documents):
    ok(shop, "stock", "receive", "ESP", "--qty", "8", "--unit-cost", "4.00", "--warehouse", "SHOP",
       "--date", "2026-11-21")  # 20 on hand
    documents += [("ESP", "SHOP", dt.date(2026, 12, 10), D(15), "reserved", "SO-LATER"),
                  ("ESP", "SHOP", dt.date(2026, 12, 15), D(10), "incoming", "PO-LATE")]
    # 10 now would leave 10, and the order due on 10 December needs 15: wait for the receipt
    doc = promised(shop, "ESP", "--qty", "10", "--warehouse", "SHOP")
    assert (doc["date"], doc["basis"]) == ("2026-12-15", "supply")
    assert promised(shop, "ESP", "--qty", "5", "--warehouse", "SHOP")["date"] == "2026-11-28"


def test_promise_is_reusable_and_can_leave_a_document_out(shop, documents):
    from comptoir.book.loader import load_book
    from comptoir.book.root import find_root

    documents.append(("ESP", "SHOP", dt.date(2026, 11, 30), D(10), "reserved", "SO-SELF"))
    book = load_book(find_root(str(shop)))
    today = dt.date(2026, 11, 28)
    assert promise(book, "ESP", D(5), "SHOP", today=today).basis == "lead-time"
    mine = promise(book, "ESP", D(5), "SHOP", today=today, exclude=["SO-SELF"])
    assert (mine.date, mine.basis, mine.reserved) == (today, "stock", 0)


@pytest.mark.parametrize("args, code", [
    (["NOPE", "--qty", "1"], "unknown-item"),
    (["ESP", "--qty", "0"], "invalid-quantity"),
    (["ESP", "--qty", "1", "--warehouse", "ATTIC"], "unknown-warehouse"),
])
def test_promise_refusals(shop, args, code):
    res = run(shop, "stock", "promise", *args)
    assert res.exit_code == 1 and f"[{code}]" in res.stderr
