"""Budgets as records, the budget report, the rolling forecast, the 13-week cash view and
stock-out dates: figures worked out by hand."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from .conftest import commit_all, files_in_commit, git, head, run
from .finance_helpers import message, post, report, unchanged


def ok(book, *args):
    res = run(book, *args)
    assert res.exit_code == 0, res.output
    return res


@pytest.fixture
def planned(book):
    ok(book, "budget", "add", "2026-plan", "--name", "2026 plan", "--from", "2026-01", "--to", "2026-12",
       "--line", "4010", "1000", "--line", "61", "300", "--month", "4010", "2026-03", "1500")
    post(book, "2026-01-10", "January sales", "1010 1200.00", "4010")
    post(book, "2026-02-10", "February rent", "6100 250.00", "1010")
    post(book, "2026-03-10", "March sales", "1010 900.00", "4010")
    return book


def test_budget_add_writes_one_record_in_one_commit(book):
    res = ok(book, "budget", "add", "2027-plan", "--name", "2027 plan", "--from", "2027-01", "--to", "2027-12",
             "--line", "6100", "2400", "--month", "6100", "2027-06", "2600")
    assert res.stdout.strip() == "2027-plan"
    assert files_in_commit(book) == ["budgets/2027-plan.yaml"]
    assert "Comptoir-Command: budget add" in message(book)
    text = (book / "budgets/2027-plan.yaml").read_text()
    assert "name: 2027 plan" in text and "2027-06: 2600" in text
    rows = report(book, "budget").get("rows")
    assert rows is not None
    listed = json.loads(ok(book, "budget", "list", "--format", "json").stdout)["rows"]
    assert listed == [{"id": "2027-plan", "name": "2027 plan", "start": "2027-01", "end": "2027-12", "lines": 1,
                       "income": "0.00", "expenses": "29000.00", "result": "-29000.00"}]


def test_budget_refusals_write_nothing(planned):
    before = head(planned)
    res = run(planned, "budget", "add", "2026-plan", "--from", "2026-01", "--to", "2026-12", "--line", "4010", "1")
    assert res.exit_code == 1 and "duplicate-id" in res.stderr
    res = run(planned, "budget", "add", "x", "--from", "2026-01", "--to", "2026-12", "--line", "99", "1")
    assert res.exit_code == 1 and "covers no account" in res.stderr
    res = run(planned, "budget", "add", "y", "--from", "2026-13", "--to", "2026-12", "--line", "4010", "1")
    assert res.exit_code == 1 and "YYYY-MM" in res.stderr
    res = run(planned, "budget", "add", "z", "--from", "2026-05", "--to", "2026-04", "--line", "4010", "1")
    assert res.exit_code == 1 and "after end" in res.stderr
    res = run(planned, "budget", "add", "w", "--from", "2026-01", "--to", "2026-12", "--line", "4010", "1.0.0")
    assert res.exit_code == 1 and "invalid-amount" in res.stderr
    assert run(planned, "budget", "add", "v", "--line", "4010", "1").exit_code == 2
    res = run(planned, "report", "budget", "--version", "nope")
    assert res.exit_code == 1 and "unknown-budget" in res.stderr
    assert "Traceback" not in res.stderr
    unchanged(planned, before)


def test_budget_report_actual_budget_variance_by_month(planned):
    doc = report(planned, "budget", "--to", "2026-03-31")
    rows = {(r["period"], r["account"]): r for r in doc["rows"]}
    jan = rows[("2026-01", "4010")]
    assert (jan["actual"], jan["budget"], jan["variance"], jan["variance_pct"], jan["favourable"]) == \
        ("1200.00", "1000.00", "200.00", "20.0", True)
    feb_rent = rows[("2026-02", "61")]
    assert (feb_rent["actual"], feb_rent["budget"], feb_rent["variance"], feb_rent["favourable"]) == \
        ("250.00", "300.00", "-50.00", True)
    mar = rows[("2026-03", "4010")]
    assert (mar["budget"], mar["variance"], mar["variance_pct"], mar["favourable"]) == \
        ("1500.00", "-600.00", "-40.0", False)
    result = rows[("2026-02", "")]
    assert (result["actual"], result["budget"], result["variance"]) == ("-250.00", "700.00", "-950.00")
    assert (doc["totals"]["actual"], doc["totals"]["budget"], doc["totals"]["variance"]) == \
        ("1850.00", "2600.00", "-750.00")


def test_budget_report_by_quarter_adds_its_months(planned):
    q = {(r["period"], r["account"]): r for r in report(planned, "budget", "--by", "quarter")["rows"]}
    assert (q[("2026-Q1", "4010")]["actual"], q[("2026-Q1", "4010")]["budget"]) == ("2100.00", "3500.00")
    assert (q[("2026-Q2", "61")]["actual"], q[("2026-Q2", "61")]["budget"]) == ("0.00", "900.00")
    months = report(planned, "budget", "--from", "2026-01-01", "--to", "2026-03-31")
    assert D(q[("2026-Q1", "4010")]["variance"]) == sum(
        D(r["variance"]) for r in months["rows"] if r["account"] == "4010")


def test_rolling_forecast_budget_and_run_rate(planned):
    doc = report(planned, "rolling-forecast", "--closed-through", "2026-03")
    sales = next(r for r in doc["rows"] if r["account"] == "4010")
    assert [sales[m] for m in ("2026-01", "2026-02", "2026-03", "2026-04", "2026-12")] == \
        ["1200.00", "0.00", "900.00", "1000.00", "1000.00"]
    assert (sales["outlook"], sales["budget"], sales["variance"]) == ("11100.00", "12500.00", "-1400.00")
    assert doc["totals"]["outlook"] == "8150.00"  # 11,100 - (250 + 9 x 300)
    rr = report(planned, "rolling-forecast", "--closed-through", "2026-03", "--method", "run-rate")
    sales = next(r for r in rr["rows"] if r["account"] == "4010")
    rent = next(r for r in rr["rows"] if r["account"] == "61")
    assert (sales["2026-04"], sales["outlook"]) == ("700.00", "8400.00")  # (1200 + 0 + 900) / 3
    assert (rent["2026-07"], rent["outlook"]) == ("83.33", "999.97")  # 250 + 9 x 83.33


def test_rolling_forecast_closes_through_the_lock_date(planned):
    ok(planned, "period", "close", "2026-02-28")
    doc = report(planned, "rolling-forecast")
    assert doc["closed_through"] == "2026-02"
    sales = next(r for r in doc["rows"] if r["account"] == "4010")
    assert sales["2026-03"] == "1500.00"  # budget: March is not closed


def test_cash_view_payroll_vat_budget_and_minimum(book):
    settings = book / "comptoir.yaml"
    text = settings.read_text()
    assert "  minimum: 0\n" in text and "  vat_settlement: none\n" in text
    settings.write_text(text.replace("  minimum: 0\n", "  minimum: 500\n").replace(
        "  vat_settlement: none\n", "  vat_settlement: monthly\n"))
    commit_all(book, "cash settings")
    post(book, "2026-11-01", "Capital", "1010 1000.00", "3100")
    post(book, "2026-11-10", "Counter sale", "1010 120.00", "4010 -100.00", "2200")
    ok(book, "budget", "add", "rent", "--from", "2026-12", "--to", "2027-02", "--line", "6100", "300")
    ok(book, "hr", "department", "add", "OPS", "Operations")
    ok(book, "hr", "employee", "add", "Ana Test", "--department", "OPS", "--role", "Roaster",
       "--start", "2026-12-01", "--monthly-salary", "1000")
    doc = report(book, "cash-forecast")
    assert doc["opening"] == "1120.00"
    weeks = [(r["from"], r["payroll"], r["vat"], r["costs"], r["closing"], r["below_minimum"]) for r in doc["rows"]]
    assert weeks == [
        ("2026-11-28", "0.00", "0.00", "300.00", "820.00", False),  # rent on 1 December
        ("2026-12-05", "0.00", "0.00", "0.00", "820.00", False),
        ("2026-12-12", "0.00", "0.00", "0.00", "820.00", False),
        ("2026-12-19", "0.00", "20.00", "0.00", "800.00", False),  # November's VAT on the 20th
        ("2026-12-26", "660.00", "0.00", "300.00", "-160.00", True),  # net pay 1000 - 12% - 22%; January rent
        ("2027-01-02", "0.00", "0.00", "0.00", "-160.00", True),
        ("2027-01-09", "740.00", "0.00", "0.00", "-900.00", True),  # 120 + 220 + 400 on the 15th
        ("2027-01-16", "0.00", "0.00", "0.00", "-900.00", True),
        ("2027-01-23", "0.00", "0.00", "0.00", "-900.00", True),
        ("2027-01-30", "660.00", "0.00", "300.00", "-1860.00", True),
        ("2027-02-06", "0.00", "0.00", "0.00", "-1860.00", True),
        ("2027-02-13", "740.00", "0.00", "0.00", "-2600.00", True),
        ("2027-02-20", "0.00", "0.00", "0.00", "-2600.00", True)]
    assert doc["first_below_minimum"] == "2026-12-26"
    assert any("week 5" in n for n in doc["notes"])
    lower = report(book, "cash-forecast", "--minimum", "-1000")
    assert lower["first_below_minimum"] == "2027-01-30"


def test_stock_out_date_from_projection_and_daily_use(book):
    ok(book, "warehouse", "add", "MAIN", "Main")
    ok(book, "item", "add", "BEAN", "Beans", "--uom", "kg", "--reorder-point", "40", "--lead-time", "5")
    ok(book, "stock", "receive", "BEAN", "--qty", "100", "--unit-cost", "10", "--date", "2026-09-01")
    ok(book, "stock", "issue", "BEAN", "--qty", "45", "--date", "2026-11-01")  # 45 in 90 days: 0.5 a day
    doc = report(book, "stock-out", "--days", "200")
    row = next(r for r in doc["rows"] if r["item"] == "BEAN")
    # 55 on hand: below 40 after 31 days (55 - 15.5 = 39.5), out after 110 days (55 - 55 = 0)
    assert (row["on_hand"], row["daily_use"]) == ("55", "0.500")
    assert (row["below_reorder"], row["stock_out"], row["days_left"]) == ("2026-12-29", "2027-03-18", 110)
    assert row["order_by"] == "2026-12-24"
    assert "BEAN" in doc["series"]
    git(book, "status", "--porcelain")


def test_cash_settings_edit_only_the_cash_section(book):
    before_text = (book / "comptoir.yaml").read_text()
    ok(book, "budget", "cash-settings", "--minimum", "2500.00", "--vat-settlement", "quarterly")
    assert files_in_commit(book) == ["comptoir.yaml"]
    text = (book / "comptoir.yaml").read_text()
    assert "  minimum: 2500.00\n" in text and "  vat_settlement: quarterly\n" in text
    assert text.replace("2500.00", "0").replace("quarterly", "none") == before_text
    before = head(book)
    res = run(book, "budget", "cash-settings", "--budget", "nope")
    assert res.exit_code == 1 and "unknown-budget" in res.stderr
    assert run(book, "budget", "cash-settings").exit_code == 2
    unchanged(book, before)
    assert report(book, "cash-forecast")["minimum"] == "2500.00"
