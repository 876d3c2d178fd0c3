"""`export beancount`: bean-check passes on the export of the demo and of a generated benchmark
book, and beancount's own balances equal comptoir's trial balance account by account."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from .conftest import git, run

beancount = pytest.importorskip("beancount", reason="beancount is not installed (.ci/run installs it)")

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "ledger-data"


def _balances_of(text: str, names: dict[str, str]) -> dict[str, Decimal]:
    """Each account's balance in the base currency as beancount computes it (posting weights)."""
    from beancount import loader
    from beancount.core import convert, data

    entries, errors, _ = loader.load_string(text)
    assert errors == [], [e.message for e in errors][:5]
    code_of = {v: k for k, v in names.items()}
    out: dict[str, Decimal] = defaultdict(Decimal)
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                weight = convert.get_weight(posting)
                assert weight.currency == "EUR"
                out[code_of[posting.account]] += weight.number
    return {k: v for k, v in out.items() if v}


def _trial(book: Path) -> dict[str, Decimal]:
    res = run(book, "report", "trial-balance", "--format", "json")
    assert res.exit_code == 0, res.output
    return {r["account"]: Decimal(r["closing"]) for r in json.loads(res.stdout)["rows"] if Decimal(r["closing"])}


def _names(book: Path) -> dict[str, str]:
    from comptoir.context import Env
    from comptoir.domain.beancount_export import account_names

    return account_names(Env(repo=str(book)).book())


def _checked(book: Path, tmp_path: Path) -> str:
    res = run(book, "export", "beancount")
    assert res.exit_code == 0, res.output
    target = tmp_path / "books.beancount"
    target.write_text(res.stdout, encoding="utf-8")
    from beancount.scripts import check

    with pytest.raises(SystemExit) as done:
        check.main([str(target)])
    assert done.value.code in (0, None)
    return res.stdout


def test_demo_export_passes_bean_check_and_agrees_with_the_trial_balance(tmp_path):
    book = tmp_path / "demo"
    shutil.copytree(DEMO, book, ignore=shutil.ignore_patterns("script", "examples"))
    git(book, "init", "-q")
    git(book, "add", "-A")
    git(book, "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-qm", "demo")
    text = _checked(book, tmp_path)
    assert "balance Assets:1030-Bank-Lyonnaise-current-account  19945.30 EUR" in text  # the statement's
    assert " USD @@ " in text and "price USD 0.9388 EUR" in text
    assert _balances_of(text, _names(book)) == _trial(book)


def test_bench_book_export_passes_bean_check(tmp_path):
    spec = importlib.util.spec_from_file_location("bench_run", REPO / "bench" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = bench
    spec.loader.exec_module(bench)  # type: ignore[union-attr]
    book = tmp_path / "bench"
    bench.generate(book, 1500, 7, bench.comptoir_command())
    text = _checked(book, tmp_path)
    assert _balances_of(text, _names(book)) == _trial(book)


def test_an_exchange_difference_and_an_assertion_are_kept(book, tmp_path):
    from .finance_helpers import post

    run(book, "rate", "add", "USD", "0.90", "--date", "2026-11-01")
    post(book, "2026-11-02", "Dollars in", "1010 900.00", "3100")
    post(book, "2026-11-03", "Buy dollars", "1020 1000.00USD@0.90", "1010 -900.00",
         extra=("--assert", "1020", "1000.00USD"))
    res = run(book, "period", "revalue", "2026-11-30", "--rate", "USD", "0.95")
    text = _checked(book, tmp_path)
    assert "2026-11-04 balance Assets:1020-Cash-on-hand  1000.00 USD" in text
    if res.exit_code == 0:
        assert _balances_of(text, _names(book)) == _trial(book)
