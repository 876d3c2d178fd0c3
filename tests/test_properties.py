"""Property tests: random balanced entries keep the trial balance in balance and match a hand sum."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.book import yamlread, yamlwrite
from comptoir.domain.chart import starter_accounts
from comptoir.domain.ledger import trial_balance
from comptoir.domain.posting import PostingInput, build_entry
from comptoir.model import Book
from comptoir.schemas.accounting import JournalEntry
from comptoir.schemas.settings import Settings

CODES = [a.code for a in starter_accounts() if a.parent]
amounts = st.decimals(min_value=Decimal("-99999.99"), max_value=Decimal("99999.99"), places=2, allow_nan=False,
                      allow_infinity=False).filter(lambda d: d != 0)
entries = st.lists(st.tuples(st.dates(dt.date(2025, 1, 1), dt.date(2026, 12, 31)),
                             st.lists(st.tuples(st.sampled_from(CODES), amounts), min_size=1, max_size=3),
                             st.sampled_from(CODES)), min_size=1, max_size=25)


def _book() -> Book:
    book = Book(Settings(company="P", currency="EUR"))
    for a in starter_accounts():
        book.accounts[a.code] = a
    return book


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries, st.dates(dt.date(2025, 1, 1), dt.date(2026, 12, 31)))
def test_trial_balance_balances_and_matches_an_independent_sum(specs, start):
    book = _book()
    rng = random.Random(0)
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for day, legs, balancing in specs:
        inputs = [PostingInput(code, amount) for code, amount in legs] + [PostingInput(balancing)]
        if sum(a for _, a in legs) == 0:
            continue
        entry = build_entry(book, day, "random", inputs, rng)
        book.entries[entry.id] = entry
        if day >= start:
            for p in entry.postings:
                expected[p.account] += p.amount
    tb = trial_balance(book, start=start)
    assert tb.totals["debit"] == tb.totals["credit"]
    assert tb.totals["closing"] == 0
    moved = {r["account"]: r["debit"] - r["credit"] for r in tb.rows}
    assert {k: v for k, v in moved.items() if v} == {k: v for k, v in expected.items() if v}


@settings(max_examples=100, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=4), st.text(min_size=1, max_size=30).filter(str.strip))
def test_written_entries_read_back_identical(legs, memo):
    book = _book()
    inputs = [PostingInput("6100", a) for a in legs] + [PostingInput("1010")]
    if sum(legs) == 0:
        return
    entry = build_entry(book, dt.date(2026, 11, 5), memo, inputs, random.Random(1))
    text = yamlwrite.dump(entry.model_dump(mode="python", exclude_none=True, exclude_defaults=True))
    again = JournalEntry.model_validate(yamlread.parse(text))
    assert again == entry
    assert [p.amount.as_tuple() for p in again.postings] == [p.amount.as_tuple() for p in entry.postings]
