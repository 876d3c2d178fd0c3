"""`import beancount|hledger`: round trips (export, import, the same trial balance) and beancount's
own generated example book, every balance compared with beancount's."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from .conftest import git, head, run
from .finance_helpers import unchanged

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "ledger-data"


def _book(tmp_path: Path, name: str, currency: str) -> Path:
    book = tmp_path / name
    res = run(None, "init", book, "--company", "Imported", "--currency", currency)
    assert res.exit_code == 0, res.output
    git(book, "config", "user.name", "T")
    git(book, "config", "user.email", "t@x")
    return book


def _trial_by_name(book: Path) -> dict[str, Decimal]:
    res = run(book, "report", "trial-balance", "--format", "json")
    assert res.exit_code == 0, res.output
    names = {r["code"]: r["name"] for r in json.loads(run(book, "account", "list", "--format", "json").stdout)["rows"]}
    return {names[r["account"]]: Decimal(r["closing"]) for r in json.loads(res.stdout)["rows"] if Decimal(r["closing"])}


def _demo_trial() -> dict[str, Decimal]:
    res = run(DEMO, "report", "trial-balance", "--format", "json")
    return {r["account"]: Decimal(r["closing"]) for r in json.loads(res.stdout)["rows"] if Decimal(r["closing"])}


def test_beancount_round_trip_gives_the_same_trial_balance(tmp_path):
    pytest.importorskip("beancount")
    from comptoir.context import Env
    from comptoir.domain.beancount_export import account_names

    exported = tmp_path / "demo.beancount"
    res = run(DEMO, "export", "beancount")
    exported.write_text(res.stdout, encoding="utf-8")
    book = _book(tmp_path, "books", "EUR")
    res = run(book, "import", "beancount", exported, "--map", "Assets:1010-Bank=1010")
    assert res.exit_code == 0, res.output
    assert "1010\tAssets:1010-Bank" in res.stdout
    names = account_names(Env(repo=str(DEMO)).book())
    assert _trial_by_name(book) == {names[c] if c != "1010" else "Bank": v for c, v in _demo_trial().items()}
    assert run(book, "validate").exit_code == 0


def test_hledger_round_trip_gives_the_same_trial_balance(tmp_path):
    if shutil.which("hledger") is None:
        pytest.skip("hledger is not installed (.ci/run installs it)")
    from comptoir.context import Env
    from comptoir.domain.hledger import account_names

    journal = tmp_path / "demo.journal"
    journal.write_text(run(DEMO, "export", "hledger").stdout, encoding="utf-8")
    book = _book(tmp_path, "books", "EUR")
    res = run(book, "import", "hledger", journal)
    assert res.exit_code == 0, res.output
    assert "balance assertions" in git(book, "log", "-1", "--format=%s")
    names = account_names(Env(repo=str(DEMO)).book())
    assert _trial_by_name(book) == {names[c]: v for c, v in _demo_trial().items()}
    assert run(book, "validate").exit_code == 0


def test_beancount_example_book_balances_match_beancount(tmp_path):
    pytest.importorskip("beancount")
    from beancount import loader
    from beancount.core import convert, realization

    example = tmp_path / "example.beancount"
    done = subprocess.run(["bean-example", "--seed", "7"], capture_output=True, text=True)
    if done.returncode:
        pytest.skip("bean-example did not run")
    example.write_text(done.stdout, encoding="utf-8")
    book = _book(tmp_path, "books", "USD")
    before = head(book)
    res = run(book, "import", "beancount", example)
    assert res.exit_code == 0, res.output
    assert head(book) != before and run(book, "validate").exit_code == 0
    code_of = dict(line.split("\t")[::-1] for line in res.stdout.splitlines())
    # beancount's own balances, at cost, per account and currency (commodities without a price
    # - vacation hours, IRA contribution units - are left out, as the import says)
    entries, errors, _ = loader.load_file(str(example))
    real = realization.realize(entries)
    expected: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for acc in realization.iter_children(real):
        for pos in acc.balance.reduce(convert.get_cost):
            units = pos.units
            if len(units.currency) == 3 and units.number:
                expected[(code_of[acc.account], units.currency)] += units.number
    from comptoir.context import Env

    ours: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for entry in Env(repo=str(book)).book().entries.values():
        for p in entry.postings:
            ours[(p.account, p.currency or "USD")] += p.amount
    ours = {k: v for k, v in ours.items() if v}
    expected = {k: v for k, v in expected.items() if v}
    assert set(ours) == set(expected)
    for key, value in expected.items():  # holdings at cost are brought in rounded to cents, per posting
        assert abs(ours[key] - value) <= Decimal("0.05"), (key, ours[key], value)
    assert sum(1 for v in expected.values() if v) > 30


def test_a_broken_ledger_is_refused_with_nothing_written(tmp_path):
    pytest.importorskip("beancount")
    bad = tmp_path / "bad.beancount"
    bad.write_text('2026-01-01 open Assets:Bank\n2026-01-02 * "x"\n  Assets:Bank  10 EUR\n  Assets:Nowhere  -10 EUR\n')
    book = _book(tmp_path, "books", "EUR")
    before = head(book)
    res = run(book, "import", "beancount", bad)
    assert res.exit_code == 1 and "[beancount-errors]" in res.stderr
    unchanged(book, before)
