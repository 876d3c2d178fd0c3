"""Period lock (close, reopen), what the lock refuses, the validator's lock rule, year-end close."""

from __future__ import annotations

import datetime as dt
import json

from .conftest import commit_all, files_in_commit, git, head, run, write
from .finance_helpers import message, post, report, rows_by, unchanged


def _october(book):
    post(book, "2026-10-01", "Capital", "1010 10000.00", "3100")
    post(book, "2026-10-05", "Rent October", "6100 1200.00", "1010")
    post(book, "2026-10-20", "Sales October", "1010 3000.00", "4010")


# close -----------------------------------------------------------------------------------
def test_close_sets_the_lock_date_in_one_commit_with_trailers(book):
    _october(book)
    before = head(book)
    res = run(book, "period", "close", "2026-10-31")
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == "2026-10-31"
    assert git(book, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert files_in_commit(book) == ["comptoir.yaml"]
    msg = message(book)
    assert msg.startswith("Close the books through 2026-10-31")
    assert "Comptoir-Command: period close" in msg
    assert "Comptoir-Lock: none -> 2026-10-31" in msg
    text = (book / "comptoir.yaml").read_text()
    assert "lock_date: 2026-10-31\n" in text
    assert text.startswith("# comptoir settings")  # the comments stay
    lines = text.splitlines()
    assert lines.index("lock_date: 2026-10-31") == lines.index("fiscal_year_start: 01-01") + 1
    assert git(book, "status", "--porcelain") == ""


def test_moving_the_lock_forward_records_old_and_new(book):
    _october(book)
    assert run(book, "period", "close", "2026-09-30").exit_code == 0
    assert run(book, "period", "close", "2026-10-31").exit_code == 0
    assert "Comptoir-Lock: 2026-09-30 -> 2026-10-31" in message(book)
    assert (book / "comptoir.yaml").read_text().count("lock_date:") == 1


def test_close_no_commit_leaves_the_settings_staged(book):
    before = head(book)
    res = run(book, "period", "close", "2026-10-31", "--no-commit")
    assert res.exit_code == 0, res.output
    assert head(book) == before
    assert git(book, "status", "--porcelain") == "M  comptoir.yaml\n"


def test_close_refuses_a_period_that_has_not_ended(book):
    before = head(book)
    res = run(book, "period", "close", "2026-11-30", today=dt.date(2026, 11, 28))
    assert res.exit_code == 1
    assert "[period-not-ended]" in res.stderr and "2026-11-30 is after today (2026-11-28)" in res.stderr
    unchanged(book, before)


def test_close_refuses_to_move_the_lock_back_and_points_to_reopen(book):
    assert run(book, "period", "close", "2026-10-31").exit_code == 0
    before = head(book)
    res = run(book, "period", "close", "2026-09-30")
    assert res.exit_code == 1
    assert "[lock-backwards]" in res.stderr
    assert "comptoir period reopen 2026-09-30 --force" in res.stderr
    unchanged(book, before)


def test_closing_the_same_date_again_does_nothing(book):
    assert run(book, "period", "close", "2026-10-31").exit_code == 0
    before = head(book)
    res = run(book, "period", "close", "2026-10-31")
    assert res.exit_code == 0
    assert "already locked through 2026-10-31" in res.stderr
    unchanged(book, before)


def test_close_refuses_a_period_with_a_failing_assertion(book):
    _october(book)
    write(book, {"journal/2026/10/JE-20261031-BANK.yaml": """
        id: JE-20261031-BANK
        date: 2026-10-31
        memo: Bank fees October
        postings:
          - account: '6500'
            amount: 10.00
          - account: '1010'
            amount: -10.00
        assertions:
          - account: '1010'
            balance: 11800.00
        """})
    commit_all(book, "bank fees by hand")
    before = head(book)
    res = run(book, "period", "close", "2026-10-31")
    assert res.exit_code == 1
    assert "[assertion-failed]" in res.stderr
    assert "is 11,790.00 EUR, asserted 11,800.00 EUR (difference -10.00)" in res.stderr
    assert "[period-invalid] the period up to 2026-10-31 has 1 problem(s); nothing was closed" in res.stderr
    unchanged(book, before)
    # the same problem dated after the period does not block closing October (but the book
    # fails validate: the write is refused unless asked for, issue 15)
    assert run(book, "period", "close", "2026-10-30").exit_code == 1
    assert run(book, "--allow-invalid", "period", "close", "2026-10-30").exit_code == 0


def test_close_refuses_uncommitted_records_of_the_period(book):
    write(book, {"journal/2026/10/JE-20261010-DRFT.yaml": """
        id: JE-20261010-DRFT
        date: 2026-10-10
        memo: Draft
        postings:
          - {account: '6100', amount: 5}
          - {account: '1010', amount: -5}
        """})
    before = head(book)
    res = run(book, "period", "close", "2026-10-31")
    assert res.exit_code == 1
    assert "journal/2026/10/JE-20261010-DRFT.yaml:1: error [uncommitted]" in res.stderr
    assert head(book) == before
    assert "lock_date" not in (book / "comptoir.yaml").read_text()


# what the lock refuses -------------------------------------------------------------------
def test_posting_on_or_before_the_lock_date_is_refused(book):
    _october(book)
    assert run(book, "period", "close", "2026-10-31").exit_code == 0
    before = head(book)
    october = sorted((book / "journal" / "2026" / "10").iterdir())
    for day in ("2026-10-31", "2026-10-15"):
        res = run(book, "journal", "post", "--date", day, "--memo", "Late invoice",
                  "-p", "6400", "50.00", "-p", "1010")
        assert res.exit_code == 1
        assert "[period-locked]" in res.stderr
        assert f"dated {day}, on or before the lock date 2026-10-31" in res.stderr
        assert "date it after 2026-10-31, in the open period" in res.stderr
        unchanged(book, before)
    assert sorted((book / "journal" / "2026" / "10").iterdir()) == october
    assert post(book, "2026-11-01", "Late invoice, booked in November", "6400 50.00", "1010")


def test_a_batch_with_one_locked_entry_writes_nothing(book, tmp_path):
    assert run(book, "period", "close", "2026-10-31").exit_code == 0
    batch = tmp_path / "b.yaml"
    batch.write_text("- {date: 2026-11-02, memo: ok, postings: [{account: '6100', amount: 1}, {account: '1010', amount: -1}]}\n"
                     "- {date: 2026-10-02, memo: late, postings: [{account: '6100', amount: 1}, {account: '1010', amount: -1}]}\n")
    before = head(book)
    res = run(book, "journal", "post", "--file", batch)
    assert res.exit_code == 1 and "[period-locked]" in res.stderr
    unchanged(book, before)
    assert not (book / "journal").exists()


def test_reversing_into_the_locked_period_is_refused_but_after_it_is_fine(book):
    rent = post(book, "2026-10-05", "Rent", "6100 1200.00", "1010")
    assert run(book, "period", "close", "2026-10-31").exit_code == 0
    before = head(book)
    res = run(book, "journal", "reverse", rent, "--date", "2026-10-31")
    assert res.exit_code == 1
    assert "[period-locked]" in res.stderr and "lock date 2026-10-31" in res.stderr
    unchanged(book, before)
    res = run(book, "journal", "reverse", rent, "--date", "2026-11-03")
    assert res.exit_code == 0, res.output
    tb = rows_by(report(book, "trial-balance"))
    assert tb["6100"]["closing"] == "0.00"


def test_a_rate_dated_in_the_locked_period_is_refused(book):
    assert run(book, "period", "close", "2026-10-31").exit_code == 0
    before = head(book)
    res = run(book, "rate", "add", "USD", "0.92", "--date", "2026-10-30")
    assert res.exit_code == 1 and "[period-locked]" in res.stderr
    unchanged(book, before)
    assert run(book, "rate", "add", "USD", "0.92", "--date", "2026-11-01").exit_code == 0


# reopen ----------------------------------------------------------------------------------
def test_reopen_needs_force(book):
    assert run(book, "period", "close", "2026-10-31").exit_code == 0
    before = head(book)
    res = run(book, "period", "reopen", "2026-09-30")
    assert res.exit_code == 1
    assert "[reopen-needs-force]" in res.stderr
    assert "from 2026-10-31 to 2026-09-30, unlocking 2026-10-01 to 2026-10-31" in res.stderr
    unchanged(book, before)


def test_reopen_with_force_is_its_own_attributable_commit(book):
    _october(book)
    assert run(book, "period", "close", "2026-10-31").exit_code == 0
    before = head(book)
    res = run(book, "period", "reopen", "2026-09-30", "--force", "--reason", "supplier credit note for October")
    assert res.exit_code == 0, res.output
    assert git(book, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert files_in_commit(book) == ["comptoir.yaml"]
    msg = message(book)
    assert msg.startswith("Reopen the books after 2026-09-30 (lock date 2026-10-31 -> 2026-09-30)")
    assert "Reason: supplier credit note for October" in msg
    assert "Comptoir-Command: period reopen" in msg
    assert "Comptoir-Lock: 2026-10-31 -> 2026-09-30" in msg
    assert git(book, "log", "-1", "--format=%an <%ae>").strip() == "Test <test@example.com>"
    assert "lock_date: 2026-09-30" in (book / "comptoir.yaml").read_text()
    assert post(book, "2026-10-25", "Credit note", "2010 100.00", "5010")
    assert run(book, "validate").exit_code == 0


def test_reopen_refusals(book):
    res = run(book, "period", "reopen", "2026-09-30", "--force")
    assert res.exit_code == 1 and "[not-locked]" in res.stderr
    assert run(book, "period", "close", "2026-10-31").exit_code == 0
    res = run(book, "period", "reopen", "2026-10-31", "--force")
    assert res.exit_code == 1 and "[reopen-forward]" in res.stderr
    assert "comptoir period close 2026-10-31" in res.stderr


# the validator's lock rule ---------------------------------------------------------------
SNEAKY = {"journal/2026/09/JE-20260915-SNKY.yaml": """
    id: JE-20260915-SNKY
    date: 2026-09-15
    memo: Added by hand after September was closed
    postings:
      - account: '6100'
        amount: 5.00
      - account: '1010'
        amount: -5.00
    """}


def test_validate_reports_records_dated_in_the_locked_period_added_after_the_close(book):
    _october(book)
    assert run(book, "period", "close", "2026-10-31").exit_code == 0
    lock_commit = head(book)
    assert run(book, "validate").exit_code == 0  # records there when the lock was set are fine
    write(book, SNEAKY)
    res = run(book, "validate")  # uncommitted
    assert res.exit_code == 1
    assert ("journal/2026/09/JE-20260915-SNKY.yaml:2: error [locked-period] journal entry JE-20260915-SNKY "
            "is dated 2026-09-15, on or before the lock date 2026-10-31, but was not in the books when the "
            f"period was locked (commit {lock_commit[:10]})") in res.stderr
    commit_all(book, "sneak it in")
    res = run(book, "validate", "--format", "json")
    assert res.exit_code == 1
    errors = json.loads(res.stdout)["errors"]
    assert [(e["file"], e["code"]) for e in errors] == [("journal/2026/09/JE-20260915-SNKY.yaml", "locked-period")]


def test_a_reopen_does_not_legitimise_what_was_slipped_in(book):
    _october(book)
    assert run(book, "period", "close", "2026-10-31").exit_code == 0
    write(book, SNEAKY)
    commit_all(book, "sneak it in")
    # reopening October only: September (and the sneaked entry) stays locked since the close
    assert run(book, "period", "reopen", "2026-09-30", "--force").exit_code == 0
    res = run(book, "validate")
    assert res.exit_code == 1 and "JE-20260915-SNKY is dated 2026-09-15" in res.stderr
    # closing again is refused while the problem is there
    assert run(book, "period", "close", "2026-10-31").exit_code == 1
    # reopening back to before its date puts it in the open period: then it is legitimate
    assert run(book, "period", "reopen", "2026-08-31", "--force").exit_code == 0
    assert run(book, "validate").exit_code == 0
    assert run(book, "period", "close", "2026-10-31").exit_code == 0
    assert run(book, "validate").exit_code == 0


def test_a_hand_edited_lock_date_is_not_checked_against_history(book):
    write(book, SNEAKY)
    commit_all(book, "september")
    text = (book / "comptoir.yaml").read_text().replace("fiscal_year_start: 01-01\n",
                                                        "fiscal_year_start: 01-01\nlock_date: 2026-09-30\n")
    (book / "comptoir.yaml").write_text(text)
    commit_all(book, "lock by hand")
    assert run(book, "validate").exit_code == 0  # `validate --base` compares a hand edit with the base


# year-end close --------------------------------------------------------------------------
def _year(book):
    post(book, "2026-01-10", "Capital", "1010 20000.00", "3100")
    post(book, "2026-03-01", "Sales", "1010 9000.00", "4010")
    post(book, "2026-03-02", "Services", "1010 1000.00", "4020")
    post(book, "2026-04-01", "Beans", "5010 3000.00", "1010")
    post(book, "2026-05-01", "Rent", "6100 2400.00", "1010")
    post(book, "2026-06-01", "Exchange loss", "6900 100.00", "1010")


def test_close_year_moves_income_and_expenses_to_retained_earnings_and_locks(book):
    _year(book)
    before = head(book)
    res = run(book, "period", "close-year", "2026", today=dt.date(2027, 1, 15))
    assert res.exit_code == 0, res.output
    ident = res.stdout.strip()
    assert ident.startswith("JE-20261231-")
    assert git(book, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert files_in_commit(book) == ["comptoir.yaml", f"journal/2026/12/{ident}.yaml"]
    msg = message(book)
    assert "Comptoir-Command: period close-year" in msg and "Comptoir-Lock: none -> 2026-12-31" in msg
    assert f"Comptoir-Records: {ident}" in msg
    shown = json.loads(run(book, "journal", "show", ident, "--format", "json").stdout)
    amounts = {r["account"]: (r["debit"], r["credit"]) for r in shown["rows"]}
    assert amounts == {"4010": ("9000.00", None), "4020": ("1000.00", None), "5010": (None, "3000.00"),
                       "6100": (None, "2400.00"), "6900": (None, "100.00"), "3200": (None, "4500.00")}
    assert shown["tags"] == ["closing"]
    assert "lock_date: 2026-12-31" in (book / "comptoir.yaml").read_text()
    tb = rows_by(report(book, "trial-balance", "--year", "2026"))
    assert {code for code, r in tb.items() if r["closing"] != "0.00" and code != "Total"} == {"1010", "3100", "3200"}
    assert tb["3200"]["closing"] == "-4500.00"
    # the income statement leaves the closing entry out: the year still shows its result
    income = report(book, "income-statement", "--year", "2026")
    assert income["summary"]["net_income"] == "4500.00"
    assert income["summary"]["revenue"] == "10000.00"
    sheet = report(book, "balance-sheet", "--year", "2026")
    assert sheet["balanced"] is True
    assert sheet["summary"]["result"] == "0.00"
    assert rows_by(sheet)["3200"]["balance"] == "4500.00"
    assert run(book, "validate", today=dt.date(2027, 1, 15)).exit_code == 0


def test_close_year_refusals(book):
    _year(book)
    before = head(book)
    res = run(book, "period", "close-year", "2026", today=dt.date(2026, 12, 30))
    assert res.exit_code == 1 and "[period-not-ended] fiscal year 2026 ends on 2026-12-31" in res.stderr
    unchanged(book, before)
    assert run(book, "period", "close-year", "2026", today=dt.date(2027, 1, 15)).exit_code == 0
    closed = head(book)
    res = run(book, "period", "close-year", "2026", today=dt.date(2027, 1, 15))
    assert res.exit_code == 1 and "[year-closed] fiscal year 2026 is already closed by JE-20261231-" in res.stderr
    unchanged(book, closed)


def test_close_year_refuses_a_year_already_locked(book):
    _year(book)
    assert run(book, "period", "close", "2026-12-31", today=dt.date(2027, 1, 5)).exit_code == 0
    before = head(book)
    res = run(book, "period", "close-year", "2026", today=dt.date(2027, 1, 15))
    assert res.exit_code == 1
    assert "[period-locked] fiscal year 2026 ends on 2026-12-31, on or before the lock date 2026-12-31" in res.stderr
    assert "comptoir period reopen 2026-12-30 --force" in res.stderr
    unchanged(book, before)


def test_close_year_follows_the_fiscal_year_and_the_named_retained_earnings_account(book):
    text = (book / "comptoir.yaml").read_text()
    text = text.replace("fiscal_year_start: 01-01", "fiscal_year_start: 07-01")
    text = text.replace("retained_earnings: '3200'", "retained_earnings: '3100'")
    (book / "comptoir.yaml").write_text(text)
    commit_all(book, "fiscal year from July")
    post(book, "2026-06-30", "Last year's sale", "1010 100.00", "4010")
    post(book, "2026-07-01", "This year's sale", "1010 700.00", "4010")
    res = run(book, "period", "close-year", "2026", today=dt.date(2027, 7, 2))
    assert res.exit_code == 0, res.output
    entry = json.loads(run(book, "journal", "show", res.stdout.strip(), "--format", "json").stdout)
    assert entry["date"] == "2027-06-30"
    # cumulative balances are closed: the unclosed earlier year too
    assert {r["account"]: r["credit"] for r in entry["rows"] if r["credit"]} == {"3100": "800.00"}
    assert "lock_date: 2027-06-30" in (book / "comptoir.yaml").read_text()


def test_close_year_needs_an_equity_retained_earnings_account(book):
    _year(book)
    text = (book / "comptoir.yaml").read_text().replace("retained_earnings: '3200'", "retained_earnings: '1010'")
    (book / "comptoir.yaml").write_text(text)
    commit_all(book, "wrong account")
    res = run(book, "period", "close-year", "2026", today=dt.date(2027, 1, 15))
    assert res.exit_code == 1
    assert "[retained-earnings] the retained earnings account 1010 is of type asset, not equity" in res.stderr
