"""Financial statements on a small book whose figures are worked out by hand:
balance sheet, income statement (with comparisons), cash flow (both methods),
general ledger / register, journal, and every output format."""

from __future__ import annotations

import csv
import io
import json

import pytest

from .conftest import from_template, git, run
from .finance_helpers import post, report

BATCH = """
- date: 2026-10-05
  memo: Café du Port pays invoice S-1
  postings:
    - {account: '1010', amount: 3600.00, partner: C-PORT}
    - {account: '1100', amount: -3600.00, partner: C-PORT}
"""


def _shop(book, scratch):
    """September: capital, loan, equipment, a sale on credit, beans, rent.
    October: the customer pays, cash sales, a service on credit, beans on credit, prepaid
    insurance, a small other income, rent, a loan repayment with bank fees."""
    post(book, "2026-09-01", "Capital", "1010 20000.00", "3100")
    post(book, "2026-09-02", "Bank loan", "1010 10000.00", "2400")
    post(book, "2026-09-03", "Roaster", "1500 8000.00", "1010")
    post(book, "2026-09-10", "Invoice S-1 to Café du Port", "1100 3600.00", "4010 -3000.00", "2200 -600.00")
    post(book, "2026-09-15", "Green beans", "5010 1000.00", "1010")
    post(book, "2026-09-30", "Rent September", "6100 1500.00", "1010")
    batch = scratch / "batch.yaml"
    batch.write_text(BATCH)
    assert run(book, "journal", "post", "--file", batch).exit_code == 0
    post(book, "2026-10-10", "Cash sales October", "1010 4000.00", "4010")
    post(book, "2026-10-12", "Cupping workshop", "1100 500.00", "4020")
    post(book, "2026-10-15", "Green beans on credit", "5010 1200.00", "2010")
    post(book, "2026-10-20", "Insurance, paid a year ahead", "1400 600.00", "1010")
    post(book, "2026-10-25", "Grant for the market stall", "1010 50.00", "4900")
    post(book, "2026-10-31", "Rent October", "6100 1500.00", "1010")
    post(book, "2026-10-31", "Loan repayment", "2400 1000.00", "6500 20.00", "1010")
    return book


@pytest.fixture
def shop(book):
    return from_template(book, "finance_reports.shop", _shop)


# balance sheet ---------------------------------------------------------------------------
def test_balance_sheet_balances_with_the_result_in_equity(shop):
    doc = report(shop, "balance-sheet", "--to", "2026-10-31")
    assert doc["balanced"] is True
    assert doc["summary"] == {"assets": "33130.00", "liabilities": "10800.00", "equity": "22330.00",
                              "result": "2330.00", "liabilities_and_equity": "33130.00", "difference": "0.00"}
    lines = [(r["section"], r["account"], r["name"], r["balance"]) for r in doc["rows"]]
    assert lines == [
        ("Assets", "1010", "Bank", "24030.00"),
        ("Assets", "1100", "Accounts receivable", "500.00"),
        ("Assets", "1400", "Prepaid expenses", "600.00"),
        ("Assets", "1500", "Equipment", "8000.00"),
        ("Assets", "", "Total assets", "33130.00"),
        ("Liabilities", "2010", "Accounts payable", "1200.00"),
        ("Liabilities", "2200", "Output VAT payable", "600.00"),
        ("Liabilities", "2400", "Loans", "9000.00"),
        ("Liabilities", "", "Total liabilities", "10800.00"),
        ("Equity", "3100", "Share capital", "20000.00"),
        ("Equity", "", "Result 2026-01-01 to 2026-10-31 (not yet closed)", "2330.00"),
        ("Equity", "", "Total equity", "22330.00"),
        ("", "", "Total liabilities and equity", "33130.00"),
    ]
    assert doc["notes"][0] == "Balanced: assets 33,130.00 = liabilities 10,800.00 + equity 22,330.00"


def test_balance_sheet_at_an_earlier_date_and_with_the_current_period_split(shop):
    september = report(shop, "balance-sheet", "--period", "2026-09")
    assert september["date"] == "2026-09-30"
    assert september["summary"]["assets"] == "31100.00" and september["summary"]["result"] == "500.00"
    october = report(shop, "balance-sheet", "--period", "2026-10")
    results = {r["name"]: r["balance"] for r in october["rows"] if r["line"] == "result"}
    assert results == {"Results before 2026-10-01 not yet closed": "500.00",
                       "Result 2026-10-01 to 2026-10-31 (not yet closed)": "1830.00"}
    assert october["balanced"] is True


def test_balance_sheet_rolls_up_with_depth(shop):
    doc = report(shop, "balance-sheet", "--depth", "1")
    accounts = {r["account"]: r["balance"] for r in doc["rows"] if r["line"] == "account"}
    assert accounts == {"1000": "33130.00", "2000": "10800.00", "3000": "20000.00"}
    assert doc["balanced"] is True


def test_balance_sheet_table_says_it_balances(shop):
    res = run(shop, "report", "balance-sheet")
    assert res.exit_code == 0
    assert "Balance sheet at 2026-10-31 (EUR)" in res.stdout
    assert "Balanced: assets 33,130.00 = liabilities 10,800.00 + equity 22,330.00" in res.stdout


# income statement ------------------------------------------------------------------------
def test_income_statement_sections_and_net_income(shop):
    doc = report(shop, "income-statement", "--period", "2026-10")
    assert doc["summary"] == {"revenue": "4500.00", "cogs": "1200.00", "gross_margin": "3300.00",
                              "expenses": "1520.00", "operating_result": "1780.00", "other_income": "50.00",
                              "other_expenses": "0.00", "net_income": "1830.00"}
    lines = [(r["section"], r["account"], r["name"], r["amount"]) for r in doc["rows"]]
    assert lines == [
        ("Revenue", "4010", "Sales revenue", "4000.00"),
        ("Revenue", "4020", "Service revenue", "500.00"),
        ("Revenue", "", "Total revenue", "4500.00"),
        ("Cost of goods sold", "5010", "Cost of goods sold", "1200.00"),
        ("Cost of goods sold", "", "Total cost of goods sold", "1200.00"),
        ("", "", "Gross margin", "3300.00"),
        ("Operating expenses", "6100", "Rent", "1500.00"),
        ("Operating expenses", "6500", "Bank fees", "20.00"),
        ("Operating expenses", "", "Total operating expenses", "1520.00"),
        ("", "", "Operating result", "1780.00"),
        ("Other income", "4900", "Other income", "50.00"),
        ("Other income", "", "Total other income", "50.00"),
        ("Other expenses", "", "Total other expenses", "0.00"),
    ]
    assert doc["totals"] == {"account": "", "name": "Net income", "amount": "1830.00"}


def test_income_statement_compared_with_the_previous_period(shop):
    doc = report(shop, "income-statement", "--period", "2026-10", "--compare", "previous-period")
    assert doc["compare"]["from"] == "2026-09-01" and doc["compare"]["to"] == "2026-09-30"
    assert doc["compare"]["summary"]["net_income"] == "500.00"
    assert doc["columns"] == ["section", "account", "name", "amount", "compare", "change", "change_pct"]
    rent = next(r for r in doc["rows"] if r["account"] == "6100")
    assert (rent["amount"], rent["compare"], rent["change"], rent["change_pct"]) == ("1500.00", "1500.00", "0.00", "0.0")
    services = next(r for r in doc["rows"] if r["account"] == "4020")
    assert (services["compare"], services["change"], services["change_pct"]) == ("0.00", "500.00", None)
    assert doc["totals"]["compare"] == "500.00" and doc["totals"]["change"] == "1330.00"
    assert doc["totals"]["change_pct"] == "266.0"


def test_income_statement_compared_with_the_previous_year(shop):
    doc = report(shop, "income-statement", "--from", "2026-09-01", "--to", "2026-10-31",
                 "--compare", "previous-year")
    assert (doc["compare"]["from"], doc["compare"]["to"]) == ("2025-09-01", "2025-10-31")
    assert doc["summary"]["net_income"] == "2330.00" and doc["compare"]["summary"]["net_income"] == "0.00"
    res = run(shop, "report", "income-statement", "--compare", "previous-year")
    assert res.exit_code == 1 and "[compare-needs-period]" in res.stderr


def test_income_statement_two_month_comparison_stays_in_whole_months(shop):
    doc = report(shop, "income-statement", "--from", "2026-11-01", "--to", "2026-12-31",
                 "--compare", "previous-period")
    assert (doc["compare"]["from"], doc["compare"]["to"]) == ("2026-09-01", "2026-10-31")
    assert doc["compare"]["summary"]["net_income"] == "2330.00"


def test_income_statement_depth_rolls_up_within_each_section(shop):
    doc = report(shop, "income-statement", "--period", "2026-10", "--depth", "1")
    accounts = [(r["section"], r["account"], r["amount"]) for r in doc["rows"] if r["line"] == "account"]
    assert accounts == [("Revenue", "4000", "4500.00"), ("Cost of goods sold", "5000", "1200.00"),
                        ("Operating expenses", "6000", "1520.00"), ("Other income", "4000", "50.00")]
    assert doc["summary"]["net_income"] == "1830.00"


# cash flow -------------------------------------------------------------------------------
def test_cash_flow_indirect(shop):
    doc = report(shop, "cash-flow", "--period", "2026-10")
    assert doc["method"] == "indirect" and doc["reconciles"] is True
    lines = [(r["section"], r["account"], r["name"], r["amount"]) for r in doc["rows"]]
    assert lines == [
        ("Operating activities", "", "Net income", "1830.00"),
        ("Operating activities", "1100", "Change in Accounts receivable", "3100.00"),
        ("Operating activities", "1400", "Change in Prepaid expenses", "-600.00"),
        ("Operating activities", "2010", "Change in Accounts payable", "1200.00"),
        ("Operating activities", "", "Net cash from operating activities", "5530.00"),
        ("Investing activities", "", "Net cash from investing activities", "0.00"),
        ("Financing activities", "2400", "Change in Loans", "-1000.00"),
        ("Financing activities", "", "Net cash from financing activities", "-1000.00"),
        ("", "", "Cash and bank at start", "19500.00"),
        ("", "", "Cash and bank at end", "24030.00"),
    ]
    assert doc["totals"] == {"name": "Net change in cash", "amount": "4530.00"}
    assert doc["notes"][0].startswith("Method: indirect method")


def test_cash_flow_direct_gives_the_same_totals(shop):
    doc = report(shop, "cash-flow", "--period", "2026-10", "--method", "direct")
    assert doc["method"] == "direct" and doc["reconciles"] is True
    operating = {r["account"]: r["amount"] for r in doc["rows"]
                 if r["section"] == "Operating activities" and r["line"] == "account"}
    assert operating == {"1100": "3600.00", "1400": "-600.00", "4010": "4000.00", "4900": "50.00",
                         "6100": "-1500.00", "6500": "-20.00"}
    totals = {r["name"]: r["amount"] for r in doc["rows"] if r["line"] == "total"}
    assert totals == {"Net cash from operating activities": "5530.00", "Net cash from investing activities": "0.00",
                      "Net cash from financing activities": "-1000.00"}
    assert doc["totals"]["amount"] == "4530.00"


def test_cash_flow_investing_and_financing_in_september(shop):
    doc = report(shop, "cash-flow", "--period", "2026-09")
    totals = {r["name"]: r["amount"] for r in doc["rows"] if r["line"] == "total"}
    assert totals == {"Net cash from operating activities": "-2500.00",
                      "Net cash from investing activities": "-8000.00",
                      "Net cash from financing activities": "30000.00"}
    assert doc["summary"] == {"opening_cash": "0.00", "net_change": "19500.00", "closing_cash": "19500.00"}


def test_cash_flow_shows_revaluation_of_foreign_cash_apart(book):
    assert run(book, "account", "add", "1030", "Bank USD", "--type", "asset", "--parent", "1000",
               "--role", "bank", "--currency", "USD").exit_code == 0
    assert run(book, "rate", "add", "USD", "0.90", "--date", "2026-10-01").exit_code == 0
    post(book, "2026-10-02", "Capital in dollars", "1030 1000.00USD@0.90", "3100 -900.00")
    assert run(book, "rate", "add", "USD", "0.95", "--date", "2026-10-31").exit_code == 0
    assert run(book, "period", "revalue", "2026-10-31").exit_code == 0
    for method in ("indirect", "direct"):
        doc = report(book, "cash-flow", "--period", "2026-10", "--method", method)
        assert doc["reconciles"] is True
        fx = [r for r in doc["rows"] if r["section"] == "Effect of exchange rates on cash" and r["line"] == "account"]
        assert [r["amount"] for r in fx] == ["50.00"]
        assert doc["summary"]["closing_cash"] == "950.00"
        assert doc["totals"]["amount"] == "950.00"


# ledger / register -----------------------------------------------------------------------
def test_ledger_running_balance_with_opening_line(shop):
    doc = report(shop, "ledger", "1010", "--from", "2026-10-01")
    assert doc["rows"][0]["memo"] == "Opening balance" and doc["rows"][0]["balance"] == "19500.00"
    rows = doc["rows"][1:]
    assert [(r["date"], r["id"]) for r in rows] == sorted((r["date"], r["id"]) for r in rows)
    running = [(r["memo"], r["debit"], r["credit"], r["balance"]) for r in rows[:4]]
    assert running == [
        ("Café du Port pays invoice S-1", "3600.00", None, "23100.00"),
        ("Cash sales October", "4000.00", None, "27100.00"),
        ("Insurance, paid a year ahead", None, "600.00", "26500.00"),
        ("Grant for the market stall", "50.00", None, "26550.00"),
    ]
    assert {r["memo"]: r["credit"] for r in rows[4:]} == {"Rent October": "1500.00", "Loan repayment": "1020.00"}
    assert rows[4]["balance"] in ("25050.00", "25530.00") and rows[5]["balance"] == "24030.00"
    assert doc["totals"]["balance"] == "24030.00" and doc["closing"] == "24030.00"
    assert doc["totals"]["debit"] == "7650.00" and doc["totals"]["credit"] == "3120.00"


def test_register_filters(shop):
    rent = report(shop, "register", "--text", "RENT")
    assert [(r["date"], r["account"], r["balance"]) for r in rent["rows"]] == [
        ("2026-09-30", "6100", "1500.00"), ("2026-09-30", "1010", "0.00"),
        ("2026-10-31", "6100", "1500.00"), ("2026-10-31", "1010", "0.00")]
    partner = report(shop, "register", "--partner", "C-PORT")
    assert [(r["account"], r["partner"]) for r in partner["rows"]] == [("1010", "C-PORT"), ("1100", "C-PORT")]
    sized = report(shop, "register", "--account", "1010", "--min", "1000", "--max", "1500")
    assert sorted(r["credit"] for r in sized["rows"]) == ["1000.00", "1020.00", "1500.00", "1500.00"]  # inclusive
    parent = report(shop, "register", "--account", "6000")
    assert {r["account"] for r in parent["rows"]} == {"6100", "6500"}
    prefix = report(shop, "ledger", "11")
    assert {r["account"] for r in prefix["rows"]} == {"1100"}
    assert prefix["closing"] == "500.00"


def test_ledger_of_an_unknown_account_is_an_error(shop):
    res = run(shop, "report", "ledger", "9999")
    assert res.exit_code == 1 and "[unknown-account] there is no account '9999'" in res.stderr


# journal ---------------------------------------------------------------------------------
def test_journal_report_lists_every_posting_in_date_order_and_balances(shop):
    rent = post(shop, "2026-11-02", "Rent November (wrong account)", "6400 1500.00", "1010")
    assert run(shop, "journal", "reverse", rent, "--date", "2026-11-03").exit_code == 0
    doc = report(shop, "journal", "--from", "2026-10-31")
    assert doc["balanced"] is True
    assert [r["date"] for r in doc["rows"]] == sorted(r["date"] for r in doc["rows"])
    assert len(doc["rows"]) == 2 + 3 + 2 + 2
    assert doc["totals"]["debit"] == doc["totals"]["credit"] == "5520.00"
    links = {r["id"]: r["links"] for r in doc["rows"] if r["links"]}
    reversal = next(i for i in links if i != rent)
    assert links == {rent: f"reversed by {reversal}", reversal: f"reverses {rent}"}


# every report in every format ------------------------------------------------------------
@pytest.mark.parametrize("name", ["trial-balance", "balance-sheet", "income-statement", "cash-flow",
                                  "register", "journal"])
@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_every_report_in_every_format(shop, name, fmt):
    res = run(shop, "report", name, "--year", "2026", "--format", fmt)
    assert res.exit_code == 0, res.output
    if fmt == "json":
        doc = json.loads(res.stdout)
        assert doc["report"] == name and doc["rows"]
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(res.stdout)))
        assert len(rows) > 2 and len({len(r) for r in rows}) == 1
    elif fmt == "markdown":
        assert res.stdout.startswith("## ") and "|:" in res.stdout
    else:
        assert res.stdout.splitlines()[0]


def test_ledger_csv_has_stable_columns(shop):
    res = run(shop, "report", "ledger", "1010", "--format", "csv")
    header = res.stdout.splitlines()[0]
    assert header == "date,id,account,name,memo,partner,debit,credit,balance"
    assert res.stdout.splitlines()[-1] == ",Total,,,,,37650.00,13620.00,24030.00"


def test_reports_as_of_a_revision(shop):
    september = git(shop, "log", "--format=%H", "--grep", "Rent September").split()[0]
    doc = report(shop, "balance-sheet", "--as-of", september)
    assert doc["as_of"] == f"commit {september[:10]}"
    assert doc["summary"]["assets"] == "31100.00"
