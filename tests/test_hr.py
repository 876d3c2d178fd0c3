"""HR and payroll: departments, employees, pro-rated payroll runs, their entry, payment,
refusals (second run, locked period), history of a raise, rules and reports."""

from __future__ import annotations

import json
import re

from .conftest import commit_all, files_in_commit, git, head, run, write


def _ok(res):
    assert res.exit_code == 0, res.output
    return res.stdout.strip().splitlines()[0] if res.stdout.strip() else ""


def _dept(book, code, name, *more):
    return _ok(run(book, "hr", "department", "add", code, name, *more))


def _emp(book, name, dept, start, *more, role="Staff"):
    return _ok(run(book, "hr", "employee", "add", name, "--department", dept, "--role", role,
                   "--start", start, *more))


def _json(res) -> dict:
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _lines(book, ident) -> dict[str, dict]:
    doc = _json(run(book, "hr", "payroll", "show", ident, "--format", "json"))
    return {r["employee"]: r for r in doc["rows"]}


def _balances(book) -> dict[str, str]:
    doc = _json(run(book, "report", "trial-balance", "--format", "json"))
    return {r["account"]: r["closing"] for r in doc["rows"]}


def _settings(book, extra: str = "", **payroll: str) -> None:
    """Append top-level settings, and set fields of the payroll: section `init` wrote."""
    path = book / "comptoir.yaml"
    text = path.read_text()
    for key, value in payroll.items():
        text, n = re.subn(rf"(?m)^  {key}: .*$", f"  {key}: {value}", text)
        assert n == 1, key
    path.write_text(text + extra)
    commit_all(book, "settings")


def test_departments_and_employees_are_added_listed_and_shown(book):
    assert _dept(book, "ROAST", "Roastery", "--cost-centre", "6010") == "ROAST"
    assert files_in_commit(book) == ["hr/departments/ROAST.yaml"]
    ana = _emp(book, "Ana Pereira", "ROAST", "2026-08-01", "--monthly-salary", "3200",
               "--bank-account-ref", "PAYR-0001", role="Head roaster")
    assert ana.startswith("E-20260801-")
    assert files_in_commit(book) == [f"hr/employees/{ana}.yaml"]
    text = (book / f"hr/employees/{ana}.yaml").read_text()
    assert "monthly_salary: 3200.00" in text and "bank_account_ref: PAYR-0001" in text
    ben = _emp(book, "Ben Okafor", "ROAST", "2026-09-01", "--hourly-rate", "18.5", "--monthly-hours", "80",
               "--manager", ana)
    _ok(run(book, "hr", "department", "update", "ROAST", "--manager", ana))
    assert git(book, "log", "-1", "--format=%s").strip() == f"Update department ROAST: manager: + {ana}"

    depts = _json(run(book, "hr", "department", "list", "--format", "json"))["rows"]
    assert depts == [{"code": "ROAST", "name": "Roastery", "manager": ana, "manager_name": "Ana Pereira",
                      "cost_centre": "6010", "contributions_centre": "6020", "headcount": 2}]
    rows = _json(run(book, "hr", "employee", "list", "--format", "json"))["rows"]
    assert [(r["id"], r["status"], r["monthly_salary"], r["hourly_rate"]) for r in rows] == [
        (ana, "active", "3200.00", None), (ben, "active", None, "18.50")]
    shown = run(book, "hr", "employee", "show", ben)
    assert shown.exit_code == 0 and "Ben Okafor" in shown.stdout and ana in shown.stdout
    assert run(book, "hr", "employee", "list", "--format", "csv").stdout.splitlines()[0].startswith("id,name,")


def test_employee_input_errors_write_nothing(book):
    _dept(book, "ROAST", "Roastery")
    before = head(book)
    res = run(book, "hr", "employee", "add", "X", "--department", "NOPE", "--role", "R", "--start", "2026-11-01",
              "--monthly-salary", "100")
    assert res.exit_code == 1 and "[unknown-department]" in res.stderr
    res = run(book, "hr", "employee", "add", "X", "--department", "ROAST", "--role", "R", "--start", "2026-11-01")
    assert res.exit_code == 1 and "monthly_salary or hourly_rate" in res.stderr
    res = run(book, "hr", "employee", "add", "X", "--department", "ROAST", "--role", "R", "--start", "2026-11-01",
              "--hourly-rate", "20")
    assert res.exit_code == 1 and "monthly_hours" in res.stderr
    res = run(book, "hr", "employee", "add", "X", "--department", "ROAST", "--role", "R", "--start", "2026-11-01",
              "--monthly-salary", "100.001")
    assert res.exit_code == 1 and "[too-many-places]" in res.stderr
    res = run(book, "hr", "employee", "add", "X", "--department", "ROAST", "--role", "R", "--start", "2026-11-01",
              "--end", "2026-10-01", "--monthly-salary", "100")
    assert res.exit_code == 1 and "[end-before-start]" in res.stderr
    assert head(book) == before
    assert git(book, "status", "--porcelain") == ""


def test_payroll_prorates_by_calendar_days_employed(book):
    _dept(book, "ROAST", "Roastery")
    _dept(book, "SALES", "Sales")
    full = _emp(book, "Full Month", "ROAST", "2026-08-01", "--monthly-salary", "3000")
    joiner = _emp(book, "Joins 16th", "SALES", "2026-11-16", "--monthly-salary", "3000")
    leaver = _emp(book, "Leaves 10th", "SALES", "2026-09-01", "--end", "2026-11-10", "--monthly-salary", "2400")
    hourly = _emp(book, "Hourly", "ROAST", "2026-11-21", "--hourly-rate", "20", "--monthly-hours", "150")
    half = _emp(book, "Half Cent", "ROAST", "2026-11-16", "--monthly-salary", "1000.01")
    gone = _emp(book, "Left October", "ROAST", "2026-08-01", "--end", "2026-10-31", "--monthly-salary", "2000")
    later = _emp(book, "Starts December", "ROAST", "2026-12-01", "--monthly-salary", "2000")

    res = run(book, "hr", "payroll", "run", "--period", "2026-11")
    assert res.exit_code == 0, res.output
    assert res.stdout.split()[0] == "PAY-2026-11"
    lines = _lines(book, "2026-11")
    # November has 30 days; start and end dates both count.
    assert {e: (lines[e]["days"], lines[e]["gross"]) for e in lines} == {
        full: (30, "3000.00"),
        joiner: (15, "1500.00"),  # 16th..30th: 15/30
        leaver: (10, "800.00"),  # 1st..10th: 10/30 of 2400
        hourly: (10, "1000.00"),  # 20.00 x 150 h = 3000 a month, 21st..30th: 10/30
        half: (15, "500.00"),  # 1000.01 x 15/30 = 500.005, half-even to 500.00
    }
    assert gone not in lines and later not in lines
    # October has 31 days: a dry run shows the lines and writes nothing
    before = head(book)
    res = run(book, "hr", "payroll", "run", "--period", "2026-10", "--dry-run", "--format", "json")
    rows = {r["employee"]: r for r in _json(res)["rows"]}
    assert rows[full]["gross"] == "3000.00" and rows[gone]["days"] == 31 and rows[leaver]["days"] == 31
    assert joiner not in rows and hourly not in rows
    assert head(book) == before and git(book, "status", "--porcelain") == ""


def test_payroll_amounts_and_journal_entry(book):
    _ok(run(book, "account", "add", "6011", "Salaries roastery", "--type", "expense", "--parent", "6010"))
    _dept(book, "ROAST", "Roastery", "--cost-centre", "6011")
    _dept(book, "SALES", "Sales")  # no cost centre: the default salary account 6010
    ana = _emp(book, "Ana", "ROAST", "2026-01-01", "--monthly-salary", "1000.75")
    ben = _emp(book, "Ben", "SALES", "2026-11-16", "--monthly-salary", "3000")
    before = head(book)
    res = run(book, "hr", "payroll", "run", "--period", "2026-11")
    assert res.exit_code == 0, res.output
    run_id, entry_id = res.stdout.split()
    assert run_id == "PAY-2026-11" and entry_id.startswith("JE-20261130-")
    assert git(book, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert files_in_commit(book) == [f"hr/payroll/2026/11/{run_id}.yaml", f"journal/2026/11/{entry_id}.yaml"]
    assert git(book, "log", "-1", "--format=%s").strip() == "Run payroll 2026-11: 2 employees, gross 2,500.75 EUR"

    lines = _lines(book, run_id)
    # default rates: withholding 12 %, employee contributions 22 %, employer contributions 40 %
    # Ana: 22 % of 1000.75 is 220.165, half-even to 220.16; net 1000.75 - 120.09 - 220.16
    assert {k: lines[ana][k] for k in ("gross", "withholding", "employee_contributions",
                                       "employer_contributions", "net", "cost")} == {
        "gross": "1000.75", "withholding": "120.09", "employee_contributions": "220.16",
        "employer_contributions": "400.30", "net": "660.50", "cost": "1401.05"}
    assert {k: lines[ben][k] for k in ("gross", "withholding", "employee_contributions",
                                       "employer_contributions", "net")} == {
        "gross": "1500.00", "withholding": "180.00", "employee_contributions": "330.00",
        "employer_contributions": "600.00", "net": "990.00"}

    entry = _json(run(book, "journal", "show", entry_id, "--format", "json"))
    assert entry["date"] == "2026-11-30" and entry["memo"] == "Payroll November 2026"
    assert [(r["account"], r["debit"], r["credit"]) for r in entry["rows"]] == [
        ("6011", "1000.75", None),  # Roastery's cost centre
        ("6010", "1500.00", None),  # Sales: the default salary account
        ("6020", "400.30", None),  # employer contributions, Roastery (no contributions centre: 6020)
        ("6020", "600.00", None),  # employer contributions, Sales
        ("2300", None, "1650.50"),  # net pay payable
        ("2310", None, "300.09"),  # withholding payable
        ("2320", None, "1550.46"),  # contributions payable: 550.16 employee + 1000.30 employer
    ]
    stored = (book / f"hr/payroll/2026/11/{run_id}.yaml").read_text()
    assert f"entry: {entry_id}" in stored and "date: 2026-11-30" in stored
    assert run(book, "validate").exit_code == 0

    report = _json(run(book, "report", "payroll", "--format", "json"))
    assert [(r["period"], r["department"], r["gross"], r["cost"]) for r in report["rows"]] == [
        ("2026-11", "ROAST", "1000.75", "1401.05"), ("2026-11", "SALES", "1500.00", "2100.00")]
    assert report["totals"]["net"] == "1650.50"


def test_rates_and_accounts_come_from_comptoir_yaml(book):
    _settings(book, withholding_percent="0", employee_contributions_percent="10",
              employer_contributions_percent="25.5", net_pay_payable="'2010'")
    _dept(book, "OFFICE", "Office")
    _emp(book, "Cleo", "OFFICE", "2026-01-01", "--monthly-salary", "2000")
    entry_id = run(book, "hr", "payroll", "run", "--period", "2026-11").stdout.split()[1]
    entry = _json(run(book, "journal", "show", entry_id, "--format", "json"))
    # no withholding posting (zero), net pay to the configured account
    assert [(r["account"], r["debit"], r["credit"]) for r in entry["rows"]] == [
        ("6010", "2000.00", None), ("6020", "510.00", None), ("2010", None, "1800.00"), ("2320", None, "710.00")]
    stored = next((book / "hr/payroll/2026/11").glob("*.yaml")).read_text()
    assert "withholding: 0" in stored and "employer_contributions: 25.5" in stored


def test_running_a_period_twice_is_refused_and_writes_nothing(book):
    _dept(book, "ROAST", "Roastery")
    _emp(book, "Ana", "ROAST", "2026-01-01", "--monthly-salary", "3000")
    _ok(run(book, "hr", "payroll", "run", "--period", "2026-11"))
    before = head(book)
    journal_files = sorted((book / "journal").rglob("*.yaml"))
    res = run(book, "hr", "payroll", "run", "--period", "2026-11", seed=7)
    assert res.exit_code == 1
    assert "[payroll-already-run] payroll for 2026-11 was already run: PAY-2026-11" in res.stderr
    assert res.stderr.startswith("hr/payroll/2026/11/PAY-2026-11.yaml:1:")
    assert head(book) == before and git(book, "status", "--porcelain") == ""
    assert sorted((book / "journal").rglob("*.yaml")) == journal_files


def test_payroll_run_refusals(book):
    res = run(book, "hr", "payroll", "run", "--period", "2026-11")
    assert res.exit_code == 1 and "[no-employees]" in res.stderr
    _dept(book, "ROAST", "Roastery")
    _emp(book, "Ana", "ROAST", "2026-01-01", "--monthly-salary", "3000")
    assert "[payroll-future]" in run(book, "hr", "payroll", "run", "--period", "2026-12").stderr
    assert "[bad-period]" in run(book, "hr", "payroll", "run", "--period", "2026-13").stderr
    _settings(book, "lock_date: 2026-10-31\n")
    before = head(book)
    res = run(book, "hr", "payroll", "run", "--period", "2026-10")
    assert res.exit_code == 1 and "[period-locked]" in res.stderr
    assert head(book) == before and git(book, "status", "--porcelain") == ""
    assert run(book, "hr", "payroll", "run", "--period", "2026-11").exit_code == 0


def test_paying_net_pay_settles_the_liability_once(book):
    _dept(book, "ROAST", "Roastery")
    _emp(book, "Ana", "ROAST", "2026-01-01", "--monthly-salary", "3000")
    run_id, entry_id = run(book, "hr", "payroll", "run", "--period", "2026-10").stdout.split()
    assert _balances(book)["2300"] == "-1980.00"
    assert "[payment-before-payroll]" in run(book, "hr", "payroll", "pay", "--period", "2026-10",
                                             "--date", "2026-10-28").stderr
    res = run(book, "hr", "payroll", "pay", "--period", "2026-10", "--date", "2026-11-02")
    paid = _ok(res)
    assert files_in_commit(book) == [f"journal/2026/11/{paid}.yaml"]
    assert git(book, "log", "-1", "--format=%s").strip() == "Pay PAY-2026-10: Net pay October 2026, 1,980.00 EUR"
    bal = _balances(book)
    assert bal["2300"] == "0.00" and bal["1010"] == "-1980.00"
    before = head(book)
    res = run(book, "hr", "payroll", "pay", "--period", "PAY-2026-10")
    assert res.exit_code == 1 and f"[payroll-already-paid] the net pay of PAY-2026-10 was already paid by {paid}" in res.stderr
    assert head(book) == before
    listed = _json(run(book, "hr", "payroll", "list", "--format", "json"))["rows"]
    assert [(r["id"], r["entry"], r["paid_by"]) for r in listed] == [(run_id, entry_id, paid)]
    # once the payment is reversed, the run can be paid again
    _ok(run(book, "journal", "reverse", paid, "--date", "2026-11-03"))
    assert run(book, "hr", "payroll", "pay", "--period", "2026-10", "--date", "2026-11-04").exit_code == 0
    assert "[unknown-payroll]" in run(book, "hr", "payroll", "pay", "--period", "2026-09").stderr


def test_salary_and_department_updates_show_in_history(book):
    _dept(book, "ROAST", "Roastery")
    _dept(book, "SALES", "Sales")
    ana = _emp(book, "Ana", "ROAST", "2026-01-01", "--monthly-salary", "3000")
    _ok(run(book, "hr", "employee", "update", ana, "--monthly-salary", "3200"))
    assert git(book, "log", "-1", "--format=%s").strip() == f"Update employee {ana}: monthly_salary: 3000.00 -> 3200.00"
    assert files_in_commit(book) == [f"hr/employees/{ana}.yaml"]
    _ok(run(book, "hr", "employee", "update", ana, "--department", "SALES", "--role", "Sales lead"))
    assert git(book, "log", "-1", "--format=%s").strip() == (
        f"Update employee {ana}: department: ROAST -> SALES, role: Staff -> Sales lead")
    res = run(book, "history", ana, "--format", "json")
    rows = _json(res)["rows"]
    assert rows[1]["changes"] == ["monthly_salary: 3000.00 -> 3200.00"]
    assert rows[2]["changes"] == ["department: ROAST -> SALES", "role: Staff -> Sales lead"]
    assert "monthly_salary: 3000.00 -> 3200.00" in run(book, "history", ana).stdout
    # only the changed lines are rewritten
    text = (book / f"hr/employees/{ana}.yaml").read_text()
    assert "monthly_salary: 3200.00" in text and "department: SALES" in text
    # nothing to change: no commit
    before = head(book)
    assert run(book, "hr", "employee", "update", ana, "--role", "Sales lead").exit_code == 0
    assert head(book) == before


def test_update_switches_pay_type_and_clears_a_leaving_date(book):
    _dept(book, "ROAST", "Roastery")
    ana = _emp(book, "Ana", "ROAST", "2026-01-01", "--monthly-salary", "3000", "--end", "2026-12-31")
    _ok(run(book, "hr", "employee", "update", ana, "--hourly-rate", "21", "--monthly-hours", "120"))
    _ok(run(book, "hr", "employee", "update", ana, "--clear", "end_date"))
    text = (book / f"hr/employees/{ana}.yaml").read_text()
    assert "monthly_salary" not in text and "hourly_rate: 21.00" in text and "end_date" not in text
    assert "[own-manager]" in run(book, "hr", "employee", "update", ana, "--manager", ana).stderr


def test_rules_catch_hand_edits(book):
    write(book, {
        "hr/departments/ROAST.yaml": "id: ROAST\nname: Roastery\nmanager: E-NOBODY\ncost_centre: '1010'\n",
        "hr/employees/E-1.yaml": "id: E-1\nname: A\ndepartment: NOPE\nrole: R\nstart_date: 2026-05-01\n"
                                 "end_date: 2026-04-30\nmonthly_salary: 100.00\nmanager: E-9\n",
        "hr/payroll/2026/10/PAY-2026-10.yaml": (
            "id: PAY-2026-10\nperiod: 2026-10\ndate: 2026-10-31\nentry: JE-20261031-AAAA\n"
            "rates: {withholding: 0, employee_contributions: 0, employer_contributions: 0}\n"
            "lines:\n  - {employee: E-GHOST, department: ROAST, days: 31, gross: 100.00, withholding: 0,"
            " employee_contributions: 0, employer_contributions: 0, net: 100.00}\n"),
        "hr/payroll/2026/10/PAY-2026-10-b.yaml": (
            "id: PAY-2026-10-b\nperiod: 2026-10\ndate: 2026-10-31\nentry: JE-20261031-AAAA\n"
            "rates: {withholding: 0, employee_contributions: 0, employer_contributions: 0}\n"
            "lines:\n  - {employee: E-1, department: ROAST, days: 31, gross: 100.00, withholding: 0,"
            " employee_contributions: 0, employer_contributions: 0, net: 100.00}\n"),
        "journal/2026/10/JE-20261031-AAAA.yaml": (
            "id: JE-20261031-AAAA\ndate: 2026-10-31\nmemo: Payroll\nsource: PAY-2026-10\npostings:\n"
            "  - {account: '6010', amount: 90.00}\n  - {account: '2300', amount: -90.00}\n"),
    })
    commit_all(book)
    res = run(book, "validate", "--format", "json")
    assert res.exit_code == 1
    found = {(e["file"].rsplit("/", 1)[-1], e["code"]) for e in json.loads(res.stdout)["errors"]}
    assert {("ROAST.yaml", "unknown-manager"), ("ROAST.yaml", "cost-centre-not-expense"),
            ("E-1.yaml", "unknown-department"), ("E-1.yaml", "unknown-manager"), ("E-1.yaml", "end-before-start"),
            ("PAY-2026-10.yaml", "unknown-employee"), ("PAY-2026-10.yaml", "payroll-entry-mismatch"),
            ("PAY-2026-10-b.yaml", "payroll-run-twice"), ("PAY-2026-10-b.yaml", "payroll-entry-shared")} <= found
    lines = {e["code"]: e["line"] for e in json.loads(res.stdout)["errors"] if e["file"].endswith("E-1.yaml")}
    assert lines["end-before-start"] == 6 and lines["unknown-department"] == 3


def test_schema_refuses_inconsistent_records(book):
    write(book, {
        "hr/employees/E-2.yaml": "id: E-2\nname: B\ndepartment: X\nrole: R\nstart_date: 2026-05-01\n"
                                 "monthly_salary: 100.00\nhourly_rate: 10\n",
        "hr/payroll/2026/10/PAY-2026-10.yaml": (
            "id: PAY-2026-10\nperiod: 2026-10\ndate: 2026-10-30\nentry: JE-1\n"
            "rates: {withholding: 0, employee_contributions: 0, employer_contributions: 0}\n"
            "lines:\n  - {employee: E-2, department: X, days: 31, gross: 100.00, withholding: 0,"
            " employee_contributions: 0, employer_contributions: 0, net: 100.00}\n"),
        "hr/payroll/2026/09/PAY-2026-09.yaml": (
            "id: PAY-2026-09\nperiod: 2026-09\ndate: 2026-09-30\nentry: JE-1\n"
            "rates: {withholding: 10, employee_contributions: 0, employer_contributions: 0}\n"
            "lines:\n  - {employee: E-2, department: X, days: 30, gross: 100.00, withholding: 10,"
            " employee_contributions: 0, employer_contributions: 0, net: 100.00}\n"),
    })
    commit_all(book)
    res = run(book, "validate")
    assert res.exit_code == 1
    assert "exactly one of them" in res.stderr
    assert "net 100.00 is not gross - withholding - employee_contributions = 90.00" in res.stderr
    assert "dated the period's last day, 2026-10-31" in res.stderr


def test_headcount_report_and_overview(book):
    _dept(book, "ROAST", "Roastery")
    _dept(book, "SALES", "Sales")
    _emp(book, "A", "ROAST", "2026-08-01", "--monthly-salary", "3000")
    _emp(book, "B", "ROAST", "2026-09-15", "--end", "2026-10-20", "--monthly-salary", "2000")
    _emp(book, "C", "SALES", "2026-10-01", "--monthly-salary", "2500")
    doc = _json(run(book, "report", "headcount", "--from", "2026-08-01", "--to", "2026-11-30", "--format", "json"))
    assert [(r["period"], r["department"], r["headcount"], r["joiners"], r["leavers"]) for r in doc["rows"]] == [
        ("2026-08", "ROAST", 1, 1, 0), ("2026-09", "ROAST", 2, 1, 0), ("2026-10", "ROAST", 1, 0, 1),
        ("2026-10", "SALES", 1, 1, 0), ("2026-11", "ROAST", 1, 0, 0), ("2026-11", "SALES", 1, 0, 0)]
    assert doc["totals"] == {"period": "Total", "headcount": 2, "joiners": 3, "leavers": 1}
    by_month = _json(run(book, "report", "headcount", "--by", "month", "--period", "2026-10", "--format", "json"))
    assert by_month["rows"] == [{"period": "2026-10", "headcount": 2, "joiners": 1, "leavers": 1}]
    by_dept = _json(run(book, "report", "headcount", "--by", "department", "--format", "json"))
    assert [(r["department"], r["headcount"], r["joiners"], r["leavers"]) for r in by_dept["rows"]] == [
        ("ROAST", 1, 2, 1), ("SALES", 1, 1, 0)]
    assert "| Period" in run(book, "report", "headcount", "--format", "markdown").stdout

    _ok(run(book, "hr", "payroll", "run", "--period", "2026-10"))
    overview = _json(run(book, "report", "overview", "--format", "json"))
    hr = {r["measure"]: r["value"] for r in overview["rows"] if r["section"] == "HR"}
    # October: A 3000 + B 20/31 of 2000 (1290.32) + C 2500 = 6790.32 gross, + 40 % employer
    assert str(hr["Headcount"]) in ("2", "2.00")  # a count, however the overview renders counts
    assert hr["Payroll cost October 2026 (gross + employer)"] == "9506.45"
    assert hr["Net pay owed to staff"] == "4481.61"
    by_period = _json(run(book, "report", "payroll", "--by", "period", "--format", "json"))["rows"]
    assert [(r["period"], r["employees"], r["gross"]) for r in by_period] == [("2026-10", 3, "6790.32")]


def test_reports_as_of_an_earlier_revision(book):
    _dept(book, "ROAST", "Roastery")
    _emp(book, "A", "ROAST", "2026-08-01", "--monthly-salary", "3000")
    before = head(book)
    _ok(run(book, "hr", "payroll", "run", "--period", "2026-10"))
    assert _json(run(book, "report", "payroll", "--as-of", before, "--format", "json"))["rows"] == []
    assert len(_json(run(book, "report", "payroll", "--format", "json"))["rows"]) == 1


def test_a_settings_file_without_a_payroll_section_uses_the_defaults(book):
    path = book / "comptoir.yaml"
    path.write_text(path.read_text().split("payroll:")[0])
    commit_all(book, "older settings file")
    _dept(book, "ROAST", "Roastery")
    _emp(book, "Ana", "ROAST", "2026-01-01", "--monthly-salary", "1000")
    assert run(book, "validate").exit_code == 0
    _ok(run(book, "hr", "payroll", "run", "--period", "2026-11"))
    line = next(iter(_lines(book, "PAY-2026-11").values()))
    assert (line["withholding"], line["employee_contributions"], line["employer_contributions"]) == (
        "120.00", "220.00", "400.00")


def test_a_posted_payroll_run_is_immutable_on_the_base_branch(book):
    _dept(book, "ROAST", "Roastery")
    _emp(book, "Ana", "ROAST", "2026-01-01", "--monthly-salary", "3000")
    _ok(run(book, "hr", "payroll", "run", "--period", "2026-10"))
    base = head(book)
    path = book / "hr/payroll/2026/10/PAY-2026-10.yaml"
    path.write_text(path.read_text().replace("gross: 3000.00", "gross: 3100.00").replace("net: 1980.00", "net: 2080.00"))
    commit_all(book, "pay Ana a little more, quietly")
    res = run(book, "validate", "--base", base, "--format", "json")
    codes = {e["code"] for e in json.loads(res.stdout)["errors"]}
    assert res.exit_code == 1 and {"posted-changed", "payroll-entry-mismatch"} <= codes
