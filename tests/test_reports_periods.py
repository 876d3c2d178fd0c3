"""Periods in columns (`--by month|quarter|year`): every period column is the single-period
report of that period, the total the whole range's, in every output format."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from .conftest import head, run
from .finance_helpers import post, report, unchanged

DEMO = Path(__file__).resolve().parent.parent / "ledger-data"


def demo(*args: str) -> dict:
    res = run(DEMO, "report", *args, "--format", "json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def periods(doc: dict) -> list[dict]:
    assert doc["periods"], "no period columns"
    keys = [p["key"] for p in doc["periods"]]
    assert doc["columns"][-len(keys) - 1:] == [*keys, "total"]
    return doc["periods"]


def test_income_statement_by_month_columns_are_single_month_runs():
    doc = demo("income-statement", "--by", "month")
    spans = periods(doc)
    assert [p["key"] for p in spans] == ["2026-08", "2026-09", "2026-10", "2026-11"]
    for p in spans:
        single = demo("income-statement", "--from", p["from"], "--to", p["to"])
        amounts = {(r["section"], r["account"], r["name"]): r["amount"] for r in single["rows"]}
        for row in doc["rows"]:
            assert row[p["key"]] == amounts.get((row["section"], row["account"], row["name"]), "0.00"), (p, row)
        assert doc["totals"][p["key"]] == single["totals"]["amount"]
        assert doc["summary_by_period"][p["key"]] == single["summary"]
    whole = demo("income-statement", "--from", spans[0]["from"], "--to", spans[-1]["to"])
    assert [r["amount"] for r in whole["rows"]] == [r["total"] for r in doc["rows"]]
    for row in doc["rows"]:  # flows add up
        assert sum(D(row[p["key"]]) for p in spans) == D(row["total"])


def test_balance_sheet_by_quarter_columns_are_balance_sheets_at_each_end():
    doc = demo("balance-sheet", "--by", "quarter", "--from", "2026-08-01", "--to", "2026-11-30")
    spans = periods(doc)
    assert [(p["key"], p["to"]) for p in spans] == [("2026-Q3", "2026-09-30"), ("2026-Q4", "2026-11-30")]
    for p in spans:
        single = demo("balance-sheet", "--to", p["to"])
        by_name = {(r["section"], r["account"], r["name"]): r["balance"] for r in single["rows"] if r["line"] != "result"}
        for row in doc["rows"]:
            if row["line"] != "result":
                assert row[p["key"]] == by_name.get((row["section"], row["account"], row["name"]), "0.00"), row
        result = [r["balance"] for r in single["rows"] if r["line"] == "result"][-1]
        assert [r[p["key"]] for r in doc["rows"] if r["line"] == "result"][-1] == result
    assert [r["2026-Q4"] for r in doc["rows"]] == [r["total"] for r in doc["rows"]]


def test_trial_balance_by_quarter_is_debit_minus_credit_of_each_quarter():
    doc = demo("trial-balance", "--by", "quarter")
    for p in periods(doc):
        single = demo("trial-balance", "--from", p["from"], "--to", p["to"])
        moves = {r["account"]: D(r["debit"]) - D(r["credit"]) for r in single["rows"]}
        for row in doc["rows"]:
            assert D(row[p["key"]]) == moves.get(row["account"], 0), (p, row)
    assert doc["totals"]["total"] == "0.00"


@pytest.mark.parametrize("name,group,value", [("sales", "customer", "revenue"), ("purchases", "supplier", "billed")])
def test_sales_and_purchases_per_month_match_single_month_runs(name, group, value):
    doc = demo(name, "--per", "month", "--by", group)
    for p in periods(doc):
        single = demo(name, "--by", group, "--from", p["from"], "--to", p["to"])
        figures = {r[group]: r[value] for r in single["rows"]}
        for row in doc["rows"]:
            assert row[p["key"]] == figures.get(row[group], "0.00"), (p, row)
        assert doc["totals"][p["key"]] == (single["totals"] or {}).get(value, "0.00")


def test_payroll_per_quarter_adds_the_months_of_each_department():
    doc = demo("payroll", "--per", "quarter")
    for p in periods(doc):
        single = demo("payroll", "--from", p["from"], "--to", p["to"])
        for row in doc["rows"]:
            cost = sum((D(r["cost"]) for r in single["rows"] if r["department"] == row["department"]), D(0))
            assert D(row[p["key"]]) == cost
        assert doc["totals"][p["key"]] == single["totals"]["cost"]


def test_forecast_by_quarter_adds_the_close_months_of_each_quarter():
    doc = demo("forecast", "--by", "quarter", "--date", "2026-10-01", "--months", "6")
    spans = periods(doc)
    assert [p["key"] for p in spans] == ["2026-Q4", "2027-Q1"]
    weighted = next(r for r in doc["rows"] if r["measure"] == "weighted")
    for p in spans:
        single = demo("forecast", "--date", p["from"], "--months", "3")
        months = [r for r in single["rows"] if r["month"] not in ("overdue", "later", "no date")]
        assert D(weighted[p["key"]]) == sum((D(r["weighted"]) for r in months), D(0))


@pytest.fixture
def two_months(book):
    post(book, "2026-01-10", "January sale", "1010 1000.00", "4010")
    post(book, "2026-01-20", "January rent", "6100 300.00", "1010")
    post(book, "2026-02-05", "February sale", "1010 250.50", "4010")
    post(book, "2026-04-02", "April rent", "6100 300.00", "1010")
    return book


def test_figures_worked_out_by_hand(two_months):
    doc = report(two_months, "income-statement", "--by", "month", "--from", "2026-01-01", "--to", "2026-04-30")
    net = doc["totals"]
    assert [net[k] for k in ("2026-01", "2026-02", "2026-03", "2026-04", "total")] == \
        ["700.00", "250.50", "0.00", "-300.00", "650.50"]
    q = report(two_months, "income-statement", "--by", "quarter", "--year", "2026")
    assert [p["key"] for p in q["periods"]] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    rent = next(r for r in q["rows"] if r["account"] == "6100")
    assert (rent["2026-Q1"], rent["2026-Q2"], rent["total"]) == ("300.00", "300.00", "600.00")
    y = report(two_months, "balance-sheet", "--by", "year")
    bank = next(r for r in y["rows"] if r["account"] == "1010")
    assert (bank["2026"], bank["total"]) == ("650.50", "650.50")


def test_every_text_format_has_the_period_columns(two_months):
    args = ("report", "income-statement", "--by", "month", "--from", "2026-01-01", "--to", "2026-02-28")
    out = run(two_months, *args, "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0])[-3:] == ["2026-01", "2026-02", "total"]
    assert rows[-1]["total"] == "950.50"
    md = run(two_months, *args, "--format", "markdown").stdout
    header = next(line for line in md.splitlines() if line.startswith("| Section"))
    assert [c.strip() for c in header.strip("|").split("|")][-3:] == ["2026-01", "2026-02", "Total"]
    assert "**950.50**" in md
    table = run(two_months, *args).stdout
    assert "2026-02" in table and "950.50" in table


def test_refusals(two_months):
    before = head(two_months)
    res = run(two_months, "report", "income-statement", "--by", "week")
    assert res.exit_code == 2
    res = run(two_months, "report", "income-statement", "--by", "month", "--compare", "previous-year",
              "--year", "2026")
    assert res.exit_code == 2 and "--compare" in res.stderr
    res = run(two_months, "report", "income-statement", "--by", "month", "--from", "2000-01-01", "--to", "2026-12-31")
    assert res.exit_code == 1 and "too-many-periods" in res.stderr
    unchanged(two_months, before)


def test_markdown_of_a_trend_report_carries_a_mermaid_chart(two_months):
    md = run(two_months, "report", "income-statement", "--by", "month", "--from", "2026-01-01",
             "--to", "2026-02-28", "--format", "markdown").stdout
    block = md[md.index("~~~mermaid"):]
    assert "xychart-beta" in block
    assert 'x-axis ["2026-01", "2026-02"]' in block
    assert "bar [1000.00, 250.50]" in block  # revenue
    assert "line [700.00, 250.50]" in block  # net income
    assert "~~~mermaid" not in run(two_months, "report", "income-statement", "--format", "markdown").stdout
    assert "mermaid" not in run(two_months, "report", "income-statement", "--by", "month", "--format", "json").stdout


def test_diff_markdown_shows_the_branch_effect_on_the_month_pl(two_months):
    base = head(two_months)
    post(two_months, "2026-02-20", "Late February sale", "1010 99.50", "4010")
    post(two_months, "2026-04-30", "April utilities", "6200 40.00", "1010")
    res = run(two_months, "diff", base, "--format", "json")
    rows = json.loads(res.stdout)["sections"]["pl-effect"]
    net = {r["month"]: (r["before"], r["after"], r["change"]) for r in rows if r["line"] == "Net income"}
    assert net == {"2026-02": ("250.50", "350.00", "99.50"), "2026-04": ("-300.00", "-340.00", "-40.00")}
    md = run(two_months, "diff", base, "--format", "markdown").stdout
    assert "<details open><summary>Effect on the P&L of each month touched" in md
    assert "bar [99.50, -40.00]" in md
