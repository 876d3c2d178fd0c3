"""Payroll liabilities (issue 12, item 10): employer contributions split per department like gross
pay, and the payment of a run's withholding and social contributions (in full, in parts,
through `pay send --payroll --liabilities`), refused beyond what is owed."""

from __future__ import annotations

import json

from .conftest import files_in_commit, git, head, run


def _ok(book, *args) -> str:
    res = run(book, *args)
    assert res.exit_code == 0, res.output
    return res.stdout.split()[0] if res.stdout.strip() else ""


def _refused(book, code: str, *args) -> str:
    before = head(book)
    res = run(book, *args)
    assert res.exit_code == 1, res.output
    assert f"[{code}]" in res.stderr, res.stderr
    assert head(book) == before and git(book, "status", "--porcelain") == ""
    return res.stderr


def _balances(book) -> dict[str, str]:
    doc = json.loads(_ok_out(book, "report", "trial-balance", "--format", "json"))
    return {r["account"]: r["closing"] for r in doc["rows"]}


def _ok_out(book, *args) -> str:
    res = run(book, *args)
    assert res.exit_code == 0, res.output
    return res.stdout


def _entry_rows(book, ident) -> list[tuple]:
    doc = json.loads(_ok_out(book, "journal", "show", ident, "--format", "json"))
    return [(r["account"], r["debit"], r["credit"]) for r in doc["rows"]]


def _one_employee_october(book) -> None:
    _ok(book, "hr", "department", "add", "ROAST", "Roastery")
    _ok(book, "hr", "employee", "add", "Ana", "--department", "ROAST", "--role", "Roaster", "--start", "2026-01-01",
        "--monthly-salary", "3000")
    _ok(book, "hr", "payroll", "run", "--period", "2026-10")


def test_employer_contributions_are_split_per_department(book):
    for code, name, parent in (("6011", "Salaries roastery", "6010"), ("6021", "Contributions roastery", "6020"),
                               ("6012", "Salaries sales", "6010")):
        _ok(book, "account", "add", code, name, "--type", "expense", "--parent", parent)
    _ok(book, "hr", "department", "add", "ROAST", "Roastery", "--cost-centre", "6011", "--contributions-centre", "6021")
    assert files_in_commit(book) == ["hr/departments/ROAST.yaml"]
    assert "contributions_centre: '6021'" in (book / "hr/departments/ROAST.yaml").read_text()
    _ok(book, "hr", "department", "add", "SALES", "Sales", "--cost-centre", "6012")  # contributions: 6020
    _ok(book, "hr", "department", "add", "OFFICE", "Office")  # neither: 6010 and 6020
    for name, dept, salary in (("Ana", "ROAST", "2000"), ("Ben", "ROAST", "1000.75"), ("Cleo", "SALES", "2500"),
                               ("Dan", "OFFICE", "1800")):
        _ok(book, "hr", "employee", "add", name, "--department", dept, "--role", "Staff", "--start", "2026-01-01",
            "--monthly-salary", salary)
    entry = run(book, "hr", "payroll", "run", "--period", "2026-11").stdout.split()[1]
    # Employer contributions are 40 % of each line's gross, rounded half-even per line:
    #   ROAST: Ana 800.00 + Ben 400.30 (1000.75 x 0.4) = 1200.30;  SALES: Cleo 1000.00;  OFFICE: Dan 720.00
    # Withholding 12 %: 240.00 + 120.09 + 300.00 + 216.00 = 876.09
    # Employee contributions 22 %: 440.00 + 220.16 (220.165 half-even) + 550.00 + 396.00 = 1606.16
    # Net: gross 7300.75 - 876.09 - 1606.16 = 4818.50; contributions payable 1606.16 + 2920.30 = 4526.46
    assert _entry_rows(book, entry) == [
        ("6010", "1800.00", None),  # OFFICE: the default salary account
        ("6011", "3000.75", None),  # ROAST gross
        ("6012", "2500.00", None),  # SALES gross
        ("6020", "720.00", None),  # OFFICE employer contributions: the default account
        ("6021", "1200.30", None),  # ROAST employer contributions: its contributions centre
        ("6020", "1000.00", None),  # SALES employer contributions: the default account
        ("2300", None, "4818.50"),
        ("2310", None, "876.09"),
        ("2320", None, "4526.46"),
    ]
    bal = _balances(book)
    assert (bal["6010"], bal["6011"], bal["6012"], bal["6020"], bal["6021"]) == (
        "1800.00", "3000.75", "2500.00", "1720.00", "1200.30")
    depts = {r["code"]: r for r in json.loads(_ok_out(book, "hr", "department", "list", "--format", "json"))["rows"]}
    assert (depts["ROAST"]["contributions_centre"], depts["SALES"]["contributions_centre"]) == ("6021", "6020")
    assert run(book, "validate").exit_code == 0

    _refused(book, "unknown-account", "hr", "department", "add", "SHOP", "Shop", "--contributions-centre", "6999")
    _refused(book, "unknown-account", "hr", "department", "update", "SALES", "--contributions-centre", "6999")
    _ok(book, "hr", "department", "update", "SALES", "--contributions-centre", "6021")
    assert git(book, "log", "-1", "--format=%s").strip() == "Update department SALES: contributions_centre: + 6021"


def test_a_contributions_centre_must_be_an_expense_account(book):
    _ok(book, "hr", "department", "add", "ROAST", "Roastery")
    path = book / "hr/departments/ROAST.yaml"
    path.write_text(path.read_text() + "contributions_centre: '2320'\n")
    res = run(book, "validate")
    assert res.exit_code == 1 and "[cost-centre-not-expense]" in res.stdout + res.stderr


def test_liabilities_are_paid_in_parts_and_never_beyond_what_is_owed(book):
    _one_employee_october(book)
    # gross 3000.00: withholding 12 % = 360.00; contributions 22 % + 40 % = 660.00 + 1200.00 = 1860.00
    bal = _balances(book)
    assert (bal["2310"], bal["2320"]) == ("-360.00", "-1860.00")
    _refused(book, "payment-before-payroll", "hr", "payroll", "pay-liabilities", "--period", "2026-10",
             "--date", "2026-10-30")
    _refused(book, "invalid-amount", "hr", "payroll", "pay-liabilities", "--period", "2026-10", "--withholding", "0")
    _refused(book, "too-many-places", "hr", "payroll", "pay-liabilities", "--period", "2026-10",
             "--withholding", "1.001")
    _refused(book, "unknown-payroll", "hr", "payroll", "pay-liabilities", "--period", "2026-09")

    first = _ok(book, "hr", "payroll", "pay-liabilities", "--period", "2026-10", "--withholding", "100.00",
                "--date", "2026-11-10")
    assert files_in_commit(book) == [f"journal/2026/11/{first}.yaml"]
    assert git(book, "log", "-1", "--format=%s").strip() == (
        "Pay PAY-2026-10: Withholding and contributions October 2026, 100.00 EUR")
    assert _entry_rows(book, first) == [("2310", "100.00", None), ("1010", None, "100.00")]
    text = (book / f"journal/2026/11/{first}.yaml").read_text()
    assert "source: PAY-2026-10" in text and "payroll-liabilities" in text

    # 260.00 of withholding is left: 300.00 is refused, and so is more contributions than 1860.00
    err = _refused(book, "overpaying-liability", "hr", "payroll", "pay-liabilities", "--period", "2026-10",
                   "--withholding", "300.00")
    assert "owes 260.00 EUR of withholding (2310)" in err
    _refused(book, "overpaying-liability", "hr", "payroll", "pay-liabilities", "--period", "2026-10",
             "--contributions", "1860.01")

    # the rest through `pay send`: 260.00 + 1860.00 = 2120.00
    _refused(book, "liabilities-without-payroll", "pay", "send", "--liabilities")
    _refused(book, "payroll-payment", "pay", "send", "--payroll", "2026-10", "--liabilities", "--amount", "5")
    rest = _ok(book, "pay", "send", "--payroll", "2026-10", "--liabilities", "--date", "2026-11-15")
    assert _entry_rows(book, rest) == [("2310", "260.00", None), ("2320", "1860.00", None),
                                       ("1010", None, "2120.00")]
    bal = _balances(book)
    assert (bal["2310"], bal["2320"], bal["1010"], bal["2300"]) == ("0.00", "0.00", "-2220.00", "-1980.00")
    _refused(book, "payroll-liabilities-paid", "hr", "payroll", "pay-liabilities", "--period", "2026-10")

    # the net pay is a separate matter: still unpaid, and paid once as before
    runs = json.loads(_ok_out(book, "hr", "payroll", "list", "--format", "json"))["rows"]
    assert [(r["paid_by"], r["liabilities_open"], r["liabilities_paid_by"]) for r in runs] == [
        ("", "0.00", f"{first}, {rest}")]
    _ok(book, "hr", "payroll", "pay", "--period", "2026-10", "--date", "2026-11-02")
    assert _balances(book)["2300"] == "0.00"
    assert run(book, "validate").exit_code == 0

    # a reversed payment is owed again
    _ok(book, "journal", "reverse", rest, "--date", "2026-11-16")
    runs = json.loads(_ok_out(book, "hr", "payroll", "list", "--format", "json"))["rows"]
    assert runs[0]["liabilities_open"] == "2120.00"


def test_a_hand_made_payment_limits_what_can_still_be_paid(book):
    _one_employee_october(book)
    # the demo's old way: a journal entry paying 1000.00 of contributions, naming no run
    _ok(book, "journal", "post", "--date", "2026-11-05", "--memo", "URSSAF", "-p", "2320", "1000.00", "-p", "1010")
    # the run still owes 1860.00 of contributions, but 2320 holds only 860.00 now
    err = _refused(book, "overpaying-liability", "hr", "payroll", "pay-liabilities", "--period", "2026-10",
                   "--date", "2026-11-15")
    assert "account 2320 holds 860.00 EUR" in err
    paid = _ok(book, "hr", "payroll", "pay-liabilities", "--period", "2026-10", "--date", "2026-11-15",
               "--withholding", "360.00", "--contributions", "860.00")
    assert _entry_rows(book, paid) == [("2310", "360.00", None), ("2320", "860.00", None),
                                       ("1010", None, "1220.00")]
    assert _balances(book)["2320"] == "0.00"


def test_validate_catches_a_run_paid_beyond_its_liabilities(book):
    _one_employee_october(book)
    paid = _ok(book, "hr", "payroll", "pay-liabilities", "--period", "2026-10", "--date", "2026-11-15")
    src = book / f"journal/2026/11/{paid}.yaml"
    twin = src.with_name(paid[:-4] + "ZZZZ.yaml")
    twin.write_text(src.read_text().replace(paid, paid[:-4] + "ZZZZ"))
    res = run(book, "validate")
    assert res.exit_code == 1
    assert "[payroll-liabilities-overpaid]" in res.stdout + res.stderr
    # and it is not mistaken for a second payment of the net pay
    assert "[payroll-paid-twice]" not in res.stdout + res.stderr
