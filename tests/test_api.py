"""comptoir.api: a script opens a book, reads records, runs a report and posts an entry."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from comptoir import api
from comptoir.errors import ComptoirError

from .conftest import TODAY, files_in_commit, git, head


def _books(book):
    return api.open(book, today=TODAY, rng=random.Random(7))


def test_post_read_and_report(book):
    books = _books(book)
    rent = books.post(dt.date(2026, 11, 5), "Rent November", [("6100", Decimal("900.00")), ("1010", None)])
    beans = books.post(dt.date(2026, 11, 9), "Green beans", [("5010", "80.10"), ("6400", "19.95"), ("1010", None)])
    assert rent.startswith("JE-20261105-") and beans.startswith("JE-20261109-")
    assert files_in_commit(book) == [f"journal/2026/11/{beans}.yaml"]
    message = git(book, "log", "-1", "--format=%B")
    assert message.startswith(f"Post {beans}: Green beans") and f"Comptoir-Records: {beans}" in message
    entries = books.records("journal")
    assert sorted(entries) == sorted([rent, beans])
    assert entries[beans].postings[2].amount == Decimal("-100.05")
    tb = books.report("trial-balance", end=dt.date(2026, 11, 30))
    closing = {r["account"]: r["closing"] for r in tb.rows}
    assert closing["1010"] == Decimal("-1000.05")  # 900.00 + 80.10 + 19.95 paid out
    assert closing["6100"] == Decimal("900.00") and closing["5010"] == Decimal("80.10")
    assert tb.totals["debit"] == tb.totals["credit"] == Decimal("1000.05")
    assert books.validate() == []
    before = books.report("trial-balance", as_of=head(book) + "~1")
    assert {r["account"] for r in before.rows} == {"1010", "6100"}


def test_a_refused_post_writes_nothing(book):
    books = _books(book)
    before = head(book)
    with pytest.raises(ComptoirError) as caught:
        books.post(dt.date(2026, 11, 5), "Unbalanced", [("6100", "900.00"), ("1010", "-800.00")])
    assert caught.value.problems[0].code
    with pytest.raises(TypeError):
        books.post(dt.date(2026, 11, 5), "Float", [("6100", 0.1), ("1010", None)])
    assert head(book) == before
    assert not (book / "journal").exists()


def test_unknown_names_are_errors(book, tmp_path):
    books = _books(book)
    with pytest.raises(KeyError):
        books.records("journals")
    with pytest.raises(KeyError):
        books.report("trial-balanse")
    with pytest.raises(ComptoirError):
        api.open(tmp_path / "nowhere")


def test_every_report_runs_on_the_demo_and_gives_plain_values(tmp_path):
    """Each report of api.REPORTS on a copy of the demo company: rows of plain values, and the
    figures that must agree do (aging with the ledger, the trial balance with itself)."""
    from .conftest import demo_book

    root = demo_book(tmp_path / "books")
    books = api.open(root, today=dt.date(2026, 11, 30))
    options = {"bom-cost": {"sku": "ESP-1K"}}
    for name in api.REPORTS:
        report = books.report(name, **options.get(name, {}))
        assert report.rows, name
        assert all(not isinstance(v, float) for row in report.rows for v in row.values()), name
    tb = books.report("trial-balance")
    assert tb.totals["debit"] == tb.totals["credit"] and tb.meta["balanced"] is True
    for side in ("ar-aging", "ap-aging"):
        aging = books.report(side)
        assert aging.meta["agrees"] is True and aging.totals["total"] == aging.meta["ledger_balance"]
    headcount = books.report("headcount", by="month")
    assert headcount.columns == ["period", "headcount", "joiners", "leavers"]
