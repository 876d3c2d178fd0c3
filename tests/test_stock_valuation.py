"""Valuation: FIFO and moving average against hand-computed examples, and properties of random sequences."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.domain.chart import starter_accounts
from comptoir.domain.stock import MoveDraft, Position, levels, replay, stock_entry, value_moves
from comptoir.domain.validation import check, errors
from comptoir.errors import ComptoirError
from comptoir.model import Book
from comptoir.schemas.inventory import Item, StockMove, Warehouse
from comptoir.schemas.registry import kind_named
from comptoir.schemas.settings import Settings

D = Decimal


def test_fifo_consumes_the_oldest_layers_first():
    pos = Position(fifo=True, places=2)
    pos.receive(D(10), D("50.00"))  # 10 @ 5.00
    pos.receive(D(10), D("60.00"))  # 10 @ 6.00
    assert pos.issue(D(15)) == D("80.00")  # 10 x 5.00 + 5 x 6.00
    assert (pos.qty, pos.value) == (D(5), D("30.00"))
    pos.receive(D(5), D("35.00"))  # 5 @ 7.00
    assert pos.issue(D(4)) == D("24.00")  # 4 x 6.00 from the older layer
    assert (pos.qty, pos.value) == (D(6), D("41.00"))  # 1 x 6.00 + 5 x 7.00
    assert pos.issue(D(6)) == D("41.00")
    assert (pos.qty, pos.value) == (0, 0)


def test_moving_average_reprices_on_each_receipt():
    pos = Position(fifo=False, places=2)
    pos.receive(D(10), D("50.00"))
    pos.receive(D(10), D("60.00"))  # average 5.50
    assert pos.issue(D(15)) == D("82.50")
    assert (pos.qty, pos.value) == (D(5), D("27.50"))
    pos.receive(D(5), D("35.00"))  # (27.50 + 35.00) / 10 = 6.25
    assert pos.unit_rate() == D("6.25")
    assert pos.issue(D(4)) == D("25.00")
    assert (pos.qty, pos.value) == (D(6), D("37.50"))


@pytest.mark.parametrize("fifo", [True, False])
def test_rounding_never_strands_a_cent(fifo):
    pos = Position(fifo=fifo, places=2)
    pos.receive(D(3), D("10.00"))  # 3.333... each
    assert pos.issue(D(1)) == D("3.33")
    assert pos.issue(D(1)) == D("3.34")  # 6.67 / 2 = 3.335, half to even
    assert pos.issue(D(1)) == D("3.33")  # the last unit takes what is left
    assert (pos.qty, pos.value) == (0, 0)


@pytest.mark.parametrize("fifo", [True, False])
def test_a_shortfall_goes_out_at_the_last_rate_and_is_settled_with_a_variance(fifo):
    pos = Position(fifo=fifo, places=2)
    pos.receive(D(2), D("20.00"))
    assert pos.issue(D(5)) == D("50.00")  # 2 on hand at 10.00, 3 short at the last rate 10.00
    assert (pos.qty, pos.value) == (D(-3), D("-30.00"))
    variance = pos.receive(D(5), D("60.00"))  # 5 @ 12.00: 3 settle the shortfall (at 10.00), 2 stay
    assert variance == D("6.00")  # 3 x (12.00 - 10.00) goes to stock adjustment
    assert (pos.qty, pos.value) == (D(2), D("24.00"))


# -- the same through moves: value_moves freezes, replay re-derives ------------------------------

DAY = dt.date(2026, 11, 2)


def _book(valuation: str = "fifo", allow_negative: bool = False) -> Book:
    book = Book(Settings(company="T", currency="EUR"))
    for a in starter_accounts():
        book.accounts[a.code] = a
    book.of("item")["BEAN"] = Item(sku="BEAN", name="Beans", uom="kg", valuation=valuation,
                                   allow_negative=allow_negative)
    for code in ("A", "B"):
        book.of("warehouse")[code] = Warehouse(code=code, name=code)
    return book


def _apply(book: Book, day: dt.date, draft: MoveDraft, rng: random.Random) -> tuple[Book, StockMove]:
    (move,) = value_moves(book, day, [draft], rng)
    added = [(kind_named("stock-move"), move)]
    entry = stock_entry(book, [move], day, "test", rng)
    if entry is not None:
        added.append((kind_named("journal"), entry))
    return book.with_records(added), move


def test_moves_freeze_the_hand_computed_fifo_values():
    rng = random.Random(1)
    book = _book("fifo")
    book, r1 = _apply(book, DAY, MoveDraft("receipt", "BEAN", D(10), to_warehouse="A", unit_cost=D("5.00")), rng)
    book, r2 = _apply(book, DAY, MoveDraft("receipt", "BEAN", D(10), to_warehouse="A", unit_cost=D("6.00")), rng)
    book, t = _apply(book, DAY, MoveDraft("transfer", "BEAN", D(12), from_warehouse="A", to_warehouse="B"), rng)
    book, i = _apply(book, DAY, MoveDraft("issue", "BEAN", D(3), from_warehouse="B"), rng)
    assert (r1.value, r2.value, t.value, i.value) == (D("50.00"), D("60.00"), D("62.00"), D("15.50"))
    assert r2.seq == r1.seq + 1 and i.seq == t.seq + 1  # written later on the same day, sorted later
    # B received one layer of 12 worth 62.00; 3 of them go out at 62.00 x 3/12
    assert levels(book) == {("BEAN", "A"): [D(8), D("48.00")], ("BEAN", "B"): [D(9), D("46.50")]}
    assert errors(check(book)) == []


def test_a_backdated_receipt_that_would_reprice_a_later_issue_is_refused():
    rng = random.Random(2)
    book = _book("moving-average")
    book, _ = _apply(book, DAY, MoveDraft("receipt", "BEAN", D(10), to_warehouse="A", unit_cost=D("5.00")), rng)
    book, issue = _apply(book, DAY + dt.timedelta(days=5),
                         MoveDraft("issue", "BEAN", D(4), from_warehouse="A"), rng)
    with pytest.raises(ComptoirError) as exc:
        value_moves(book, DAY + dt.timedelta(days=1),
                    [MoveDraft("receipt", "BEAN", D(10), to_warehouse="A", unit_cost=D("7.00"))], rng)
    (problem,) = exc.value.problems
    assert problem.code == "backdated-move"
    assert issue.id in problem.message and "20.00 -> 24.00" in problem.message
    # the same receipt after the issue changes nothing frozen
    value_moves(book, DAY + dt.timedelta(days=5),
                [MoveDraft("receipt", "BEAN", D(10), to_warehouse="A", unit_cost=D("7.00"))], rng)


# -- properties ----------------------------------------------------------------------------------

steps = st.lists(st.tuples(st.sampled_from(["in", "out", "move"]), st.sampled_from(["A", "B"]),
                           st.integers(1, 40), st.integers(1, 99_999)), min_size=1, max_size=40)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps, st.sampled_from(["fifo", "moving-average"]), st.integers(0, 3))
def test_value_out_plus_value_on_hand_equals_value_in(ops, valuation, places):
    """Any sequence of receipts, issues and transfers that never goes negative."""
    positions = {w: Position(valuation == "fifo", places) for w in "AB"}
    unit = D(1).scaleb(-places)
    value_in = value_out = D(0)
    for op, wh, qty, cents in ops:
        q = D(qty)
        pos = positions[wh]
        if op == "in":
            value = D(cents) * unit
            assert pos.receive(q, value) == 0
            value_in += value
        elif pos.qty > 0:
            q = min(q, pos.qty)
            out = pos.issue(q)
            assert out >= 0
            if op == "out":
                value_out += out
            else:
                other = positions["B" if wh == "A" else "A"]
                assert other.receive(q, out) == 0
        for p in positions.values():
            assert p.qty >= 0 and p.value >= 0
            if p.qty == 0:
                assert p.value == 0  # no value is ever stranded without stock
            if p.fifo:
                assert sum(v for _, v in p.layers) == p.value
    assert value_out + sum(p.value for p in positions.values()) == value_in


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps, st.sampled_from(["fifo", "moving-average"]))
def test_with_negative_stock_allowed_the_variances_close_the_books(ops, valuation):
    """value in = value out + variance + value on hand, and zero stock holds zero value."""
    positions = {w: Position(valuation == "fifo", 2) for w in "AB"}
    value_in = value_out = variance = D(0)
    for op, wh, qty, cents in ops:
        q = D(qty)
        if op == "in":
            value = D(cents) / 100
            variance += positions[wh].receive(q, value)
            value_in += value
        elif op == "out":
            value_out += positions[wh].issue(q)
        else:
            out = positions[wh].issue(q)
            variance += positions["B" if wh == "A" else "A"].receive(q, out)
        for p in positions.values():
            if p.qty == 0:
                assert p.value == 0
    assert value_out + variance + sum(p.value for p in positions.values()) == value_in


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["in", "out", "move"]), st.sampled_from(["A", "B"]),
                          st.integers(1, 30), st.integers(1, 9_999), st.integers(0, 20)), min_size=1, max_size=15),
       st.sampled_from(["fifo", "moving-average"]))
def test_frozen_values_replay_and_agree_with_the_ledger(ops, valuation):
    """Moves written by value_moves replay to their own values and the inventory account matches."""
    rng = random.Random(0)
    book = _book(valuation)
    day = DAY
    for op, wh, qty, cents, gap in ops:
        day = day + dt.timedelta(days=gap)
        held = levels(book).get(("BEAN", wh), [D(0)])[0]
        if op == "in":
            draft = MoveDraft("receipt", "BEAN", D(qty), to_warehouse=wh, unit_cost=D(cents) / 100)
        elif held <= 0:
            continue
        elif op == "out":
            draft = MoveDraft("issue", "BEAN", min(D(qty), held), from_warehouse=wh)
        else:
            draft = MoveDraft("transfer", "BEAN", min(D(qty), held), from_warehouse=wh,
                              to_warehouse="B" if wh == "A" else "A")
        book, _ = _apply(book, day, draft, rng)
    outcomes, _ = replay(book.of("item")["BEAN"], book.of("stock-move").values(), 2)
    assert not any(o.disturbed for o in outcomes)
    assert errors(check(book)) == []
