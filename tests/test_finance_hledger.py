"""Cross-check with hledger: the demo book exported as an hledger journal must give the same
balance sheet, income statement and per-account balances (at cost, in the base currency),
and its balance assertions must pass in hledger too. Skipped only when hledger is absent."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from .conftest import demo_book, run
from .finance_helpers import post, report, rows_by

DEMO = Path(__file__).resolve().parent.parent / "ledger-data"
HLEDGER = shutil.which("hledger")
needs_hledger = pytest.mark.skipif(HLEDGER is None, reason="hledger is not installed")


@pytest.fixture
def demo(tmp_path) -> Path:
    """A copy of the demo company in its own repository (tests never write into ledger-data/)."""
    return demo_book(tmp_path / "demo")


def export(book: Path, tmp_path: Path, *args: str) -> Path:
    res = run(book, "export", "hledger", *args)
    assert res.exit_code == 0, res.output
    path = tmp_path / "books.journal"
    path.write_text(res.stdout)
    return path


def hledger(journal: Path, *args: str) -> list[list[str]]:
    proc = subprocess.run([HLEDGER, "-f", str(journal), *args, "-O", "csv"], capture_output=True, text=True)  # type: ignore[list-item]
    assert proc.returncode == 0, proc.stderr
    return list(csv.reader(io.StringIO(proc.stdout)))


def amount(cell: str, currency: str = "EUR") -> Decimal:
    if not cell or cell == "0":
        return Decimal(0)
    value, _, cur = cell.rpartition(" ")
    assert cur == currency, f"expected one {currency} amount, got {cell!r}"
    return Decimal(value)


def section_totals(rows: list[list[str]]) -> dict[str, Decimal]:
    """{'Assets': total, 'Liabilities': ..., 'Net:': ...} from a compound hledger report."""
    out: dict[str, Decimal] = {}
    section = None
    for row in rows[2:]:
        if len(row) < 2 or row[1] == "":
            section = row[0]
        elif row[0] == "total":
            out[section] = amount(row[1])  # type: ignore[index]
        elif row[0] == "Net:":
            out["Net"] = amount(row[1])
    return out


def test_export_writes_accounts_entries_costs_and_assertions(demo, tmp_path):
    text = export(demo, tmp_path).read_text()
    assert "account 1000 Assets:1010 Bank  ; type: A\n" in text
    assert "account 2000 Liabilities:2010 Accounts payable  ; type: L\n" in text
    assert "    2000 Liabilities:2010 Accounts payable  -4800.00 USD @@ 4420.80 EUR\n" in text
    assert "    2000 Liabilities:2010 Accounts payable  -64.80 EUR" in text  # the revaluation's difference
    assert "balance assertions at the end of the day\n    1000 Assets:1010 Bank  0 EUR = " in text
    assert "; revaluation:" in text and "reverses: JE-" in text


@needs_hledger
def test_hledger_agrees_with_the_demo_balance_sheet_and_income_statement(demo, tmp_path):
    journal = export(demo, tmp_path)
    sheet = report(demo, "balance-sheet")["summary"]
    bse = section_totals(hledger(journal, "bse", "-B"))
    assert bse["Assets"] == Decimal(sheet["assets"])
    assert bse["Liabilities"] == Decimal(sheet["liabilities"])
    assert bse["Equity"] == Decimal(sheet["equity"]) - Decimal(sheet["result"])  # hledger leaves profit out
    income = report(demo, "income-statement")["summary"]
    is_ = section_totals(hledger(journal, "is", "-B", "not:tag:closing"))
    assert is_["Revenues"] == Decimal(income["revenue"]) + Decimal(income["other_income"])
    assert is_["Expenses"] == (Decimal(income["cogs"]) + Decimal(income["expenses"])
                               + Decimal(income["other_expenses"]))
    assert is_["Net"] == Decimal(income["net_income"]) == Decimal(sheet["result"])
    november = report(demo, "income-statement", "--period", "2026-11")["summary"]
    assert section_totals(hledger(journal, "is", "-B", "-p", "2026-11"))["Net"] == Decimal(november["net_income"])


@needs_hledger
def test_hledger_agrees_account_by_account(demo, tmp_path):
    journal = export(demo, tmp_path)
    theirs = {row[0].rpartition(":")[2].split(" ")[0]: amount(row[1])
              for row in hledger(journal, "bal", "-B", "--flat", "-N")[1:]}
    ours = {code: Decimal(r["closing"]) for code, r in rows_by(report(demo, "trial-balance")).items()
            if code != "Total" and Decimal(r["closing"])}
    assert theirs == ours
    assert len(ours) > 10


@needs_hledger
def test_hledger_checks_the_exported_assertions(demo, tmp_path):
    journal = export(demo, tmp_path)
    text = journal.read_text()
    assert text.count(" = ") >= 2
    hledger(journal, "bal")  # hledger fails when a balance assertion does not hold
    broken = tmp_path / "broken.journal"
    broken.write_text(text.replace("0 EUR = ", "0 EUR = 1", 1))
    proc = subprocess.run([HLEDGER, "-f", str(broken), "bal"], capture_output=True, text=True)  # type: ignore[list-item]
    assert proc.returncode != 0 and "balance assertion" in proc.stderr.lower()


@needs_hledger
def test_hledger_agrees_after_a_year_end_close_and_from_a_start_date(book, tmp_path):
    post(book, "2025-03-01", "Capital", "1010 5000.00", "3100")
    post(book, "2025-06-01", "Sales", "1010 2000.00", "4010")
    post(book, "2025-07-01", "Bill in USD", "5010 460.00", "2010 -500.00USD@0.92")
    post(book, "2025-08-01", "Rent", "6100 300.00", "1010")
    assert run(book, "rate", "add", "USD", "0.95", "--date", "2025-12-31").exit_code == 0
    assert run(book, "period", "revalue", "2025-12-31", today=dt.date(2026, 1, 5)).exit_code == 0
    assert run(book, "period", "close-year", "2025", today=dt.date(2026, 1, 5)).exit_code == 0
    post(book, "2026-02-01", "Sales 2026", "1010 700.00", "4010")
    journal = export(book, tmp_path)
    sheet = report(book, "balance-sheet")["summary"]
    bse = section_totals(hledger(journal, "bse", "-B"))
    assert (bse["Assets"], bse["Liabilities"]) == (Decimal(sheet["assets"]), Decimal(sheet["liabilities"]))
    assert bse["Equity"] == Decimal(sheet["equity"]) - Decimal(sheet["result"])
    # 2026 holds the reversal of 2025's revaluation loss, 500 x (0.95 - 0.92) = 15.00, on 1 January
    assert Decimal(sheet["result"]) == Decimal("715.00")
    year = report(book, "income-statement", "--year", "2025")["summary"]
    assert year["net_income"] == "1225.00"  # 2000 - 460 - 300 - 15 exchange loss
    assert section_totals(hledger(journal, "is", "-B", "-p", "2025", "not:tag:closing"))["Net"] == Decimal("1225.00")
    # an export from a date opens with the balances before it, so the totals still agree
    partial = export(book, tmp_path, "--from", "2026-01-01")
    assert "Opening balances before 2026-01-01" in partial.read_text()
    assert section_totals(hledger(partial, "bse", "-B")) == bse


@pytest.mark.skipif(shutil.which("ledger") is None, reason="ledger is not installed")
def test_ledger_cli_reads_the_export_and_it_balances_at_cost(demo, tmp_path):
    journal = export(demo, tmp_path)
    proc = subprocess.run(["ledger", "-f", str(journal), "bal", "-B"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rstrip().splitlines()[-1].strip() == "0"
