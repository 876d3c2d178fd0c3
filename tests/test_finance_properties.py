"""Properties of the ledger over random balanced entries (in EUR, mixed EUR/USD with posting
rates, and wholly in USD converted at a changing rate table): the trial balance's debits
equal its credits, the balance sheet balances, the income statement's net income is the
balance sheet's result, the cash flow reconciles, and reversing any entry restores every
account's balance."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.domain.chart import starter_accounts
from comptoir.domain.ledger import ZERO, balances, round_to, trial_balance
from comptoir.domain.posting import reversal_of
from comptoir.domain.validation import check, errors
from comptoir.model import Book
from comptoir.schemas.accounting import Account, JournalEntry
from comptoir.schemas.rates import ExchangeRate, rate_id
from comptoir.schemas.registry import kind_named
from comptoir.schemas.settings import Settings
from comptoir.views.statements import balance_sheet, cash_flow, income_statement

from .conftest import examples

ACCOUNTS = [*starter_accounts(),
            Account(code="1030", name="Bank USD", type="asset", parent="1000", role="bank", currency="USD")]
EUR_ACCOUNTS = [a.code for a in ACCOUNTS if a.currency is None]
USD_ACCOUNTS = ["1030", "1100", "2010", "4010", "5010", "6900"]
START = dt.date(2026, 1, 1)
RATES = {START + dt.timedelta(days=30 * i): Decimal(r) for i, r in
         enumerate(["0.9137", "0.9250", "0.8875", "0.9412", "0.9018", "0.9333", "0.8999", "0.9521"])}

amounts = st.decimals(min_value=Decimal("-5000"), max_value=Decimal("5000"), places=2,
                      allow_nan=False, allow_infinity=False).filter(lambda d: d != 0)
rates = st.decimals(min_value=Decimal("0.5"), max_value=Decimal("1.6"), places=4,
                    allow_nan=False, allow_infinity=False)
days = st.integers(min_value=0, max_value=240).map(lambda n: START + dt.timedelta(days=n))


@st.composite
def entry_data(draw) -> dict:
    kind = draw(st.sampled_from(["eur", "eur", "mixed", "usd"]))
    postings: list[dict] = []
    if kind == "eur":
        for _ in range(draw(st.integers(1, 4))):
            postings.append({"account": draw(st.sampled_from(EUR_ACCOUNTS)), "amount": draw(amounts)})
        rest = -sum((p["amount"] for p in postings), ZERO)
        postings.append({"account": draw(st.sampled_from(EUR_ACCOUNTS)), "amount": rest or Decimal("0.01")})
        if not rest:
            postings.append({"account": draw(st.sampled_from(EUR_ACCOUNTS)), "amount": Decimal("-0.01")})
    elif kind == "mixed":
        base_total = ZERO
        for _ in range(draw(st.integers(1, 3))):
            amount, rate = draw(amounts), draw(rates)
            postings.append({"account": draw(st.sampled_from(USD_ACCOUNTS)), "amount": amount,
                             "currency": "USD", "rate": rate})
            base_total += round_to(amount * rate, 2)
        if draw(st.booleans()):
            extra = draw(amounts)
            postings.append({"account": draw(st.sampled_from(EUR_ACCOUNTS)), "amount": extra})
            base_total += extra
        if base_total:
            postings.append({"account": draw(st.sampled_from(EUR_ACCOUNTS)), "amount": -base_total})
        else:
            postings += [{"account": "1010", "amount": Decimal("1.00")}, {"account": "6500", "amount": Decimal("-1.00")}]
    else:
        for _ in range(draw(st.integers(1, 4))):
            postings.append({"account": draw(st.sampled_from(USD_ACCOUNTS)), "amount": draw(amounts),
                             "currency": "USD"})
        rest = -sum((p["amount"] for p in postings), ZERO)
        if rest:
            postings.append({"account": draw(st.sampled_from(USD_ACCOUNTS)), "amount": rest, "currency": "USD"})
        else:
            postings += [{"account": "1030", "amount": Decimal("1.00"), "currency": "USD"},
                         {"account": "2010", "amount": Decimal("-1.00"), "currency": "USD"}]
    return {"date": draw(days), "memo": kind, "postings": postings}


def make_book(items: list[dict]) -> Book:
    entries = {}
    for i, item in enumerate(items):
        ident = f"JE-{item['date']:%Y%m%d}-{i:04d}"
        entries[ident] = JournalEntry.model_validate({"id": ident, **item})
    rates_ = {rate_id("USD", d): ExchangeRate(id=rate_id("USD", d), date=d, currency="USD", rate=r)
              for d, r in RATES.items()}
    book = Book(settings=Settings(company="Property Roasters", currency="EUR"),
                records={"account": {a.code: a for a in ACCOUNTS}, "journal": entries, "rate": rates_})
    book.today = dt.date(2026, 12, 31)
    return book


books = st.lists(entry_data(), min_size=1, max_size=25).map(make_book)
SETTINGS = settings(max_examples=examples(50, 150), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def nonzero(values: dict[str, Decimal]) -> dict[str, Decimal]:
    return {k: v for k, v in values.items() if v}


@SETTINGS
@given(books)
def test_generated_books_are_valid(book):
    assert errors(check(book)) == []


@SETTINGS
@given(books, days)
def test_trial_balance_debits_equal_credits(book, end):
    for start, stop in ((None, None), (None, end), (end, None)):
        table = trial_balance(book, start, stop)
        assert table.totals["debit"] == table.totals["credit"]
        assert table.totals["closing"] == table.totals["opening"] == ZERO or start is None
        assert table.balanced is True


@SETTINGS
@given(books, days, st.sampled_from([None, 1, 2]))
def test_balance_sheet_balances_and_its_result_is_net_income(book, end, depth):
    sheet = balance_sheet(book, None, end, depth)
    assert sheet.meta["balanced"] is True
    summary = sheet.meta["summary"]
    assert summary["assets"] == summary["liabilities_and_equity"]
    income = income_statement(book, None, end, depth)
    assert income.meta["summary"]["net_income"] == summary["result"]


@SETTINGS
@given(books, days, st.sampled_from(["indirect", "direct"]))
def test_cash_flow_reconciles(book, start, method):
    flow = cash_flow(book, start, None, None, method)
    assert flow.meta["reconciles"] is True


@SETTINGS
@given(books, st.data())
def test_reversing_any_entry_restores_every_balance(book, data):
    ident = data.draw(st.sampled_from(sorted(book.entries)))
    target = book.entries[ident]
    day = target.date + dt.timedelta(days=data.draw(st.integers(0, 120)))  # maybe after a rate change
    reversal = reversal_of(book, ident, day, None, random.Random(0))
    after = book.with_records([(kind_named("journal"), reversal)])
    without = Book(settings=book.settings, records={**book.records,
                                                    "journal": {k: v for k, v in book.entries.items() if k != ident}})
    assert nonzero(balances(after, after.entries.values())) == nonzero(balances(without, without.entries.values()))
    assert errors(check(after)) == []
