"""The trial balance served from sums cached per journal folder equals the one read from every entry."""

from __future__ import annotations

import json

from cli.book import ledgerdays
from cli.book.loader import load_book
from cli.book.root import find_root
from cli.domain.ledger import trial_balance
from cli.render import render

from .conftest import commit_all, run, write


def _post(book, day: str, amount: str, memo: str = "x") -> str:
    res = run(book, "journal", "post", "--date", day, "--memo", memo, "-p", "6100", amount, "-p", "1010")
    assert res.exit_code == 0, res.output
    return res.stdout.strip()


def _tb(book, *args: str) -> dict:
    res = run(book, "report", "trial-balance", "--format", "json", *args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _full(book, *args) -> dict:
    """The trial balance computed from every entry, the way it was before the cache."""
    loaded = load_book(find_root(str(book)))
    return json.loads(render(trial_balance(loaded, *args), "json"))


def _served(book) -> bool:
    root = find_root(str(book))
    scoped = load_book(root, kinds=("account", "rate"))
    return ledgerdays.attach(root, scoped, ledgerdays.Watch(str(book), None, None))


def test_cached_sums_give_the_same_trial_balance(book):
    import datetime as dt

    _post(book, "2026-10-05", "100.00")
    _post(book, "2026-11-05", "20.50")
    assert _served(book)
    assert _tb(book) == _full(book)
    assert _tb(book, "--period", "2026-11") == _full(book, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    _post(book, "2026-11-06", "5.00")  # one folder changes; the others come from the cache
    assert _tb(book)["totals"]["debit"] == "125.50"
    assert _tb(book) == _full(book)


def test_uncommitted_edit_is_read_from_disk_not_from_the_cache(book):
    ident = _post(book, "2026-11-05", "20.00")
    assert _tb(book)["totals"]["debit"] == "20.00"
    path = book / f"journal/2026/11/{ident}.yaml"
    path.write_text(path.read_text().replace("20.00", "30.00"))
    assert not _served(book)
    assert _tb(book)["totals"]["debit"] == "30.00"


def test_an_id_filed_twice_is_left_to_the_full_read(book):
    ident = _post(book, "2026-11-05", "20.00")
    text = (book / f"journal/2026/11/{ident}.yaml").read_text()
    write(book, {f"journal/2026/12/{ident}.yaml": text})
    commit_all(book)
    assert not _served(book)
    assert _tb(book) == _full(book)
