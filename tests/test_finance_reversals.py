"""Corrections by reversal: every posting negated, linked both ways, once, never of a reversal."""

from __future__ import annotations

import json

from .conftest import commit_all, files_in_commit, head, run, write
from .finance_helpers import message, post, report, rows_by, unchanged


def test_reversal_negates_every_posting_keeps_currencies_and_links_both_ways(book):
    bill = post(book, "2026-10-09", "Bill in USD", "5010 4416.00", "2010 -4800.00USD@0.92",
                extra=("--reference", "FLE-1"))
    res = run(book, "journal", "reverse", bill, "--date", "2026-10-12", "--memo", "Wrong supplier")
    assert res.exit_code == 0, res.output
    rev = res.stdout.strip()
    assert files_in_commit(book) == [f"journal/2026/10/{rev}.yaml"]
    assert message(book).startswith(f"Reverse {bill}: Wrong supplier")
    text = (book / f"journal/2026/10/{rev}.yaml").read_text()
    assert f"reverses: {bill}\n" in text
    assert "amount: -4416.00\n" in text and "amount: 4800.00\n    currency: USD\n    rate: 0.92\n" in text
    original = json.loads(run(book, "journal", "show", bill, "--format", "json").stdout)
    reversal = json.loads(run(book, "journal", "show", rev, "--format", "json").stdout)
    assert original["reversed_by"] == [rev] and reversal["reverses"] == bill
    assert reversal["reference"] == "FLE-1"
    assert f"reversed by: {rev}" in run(book, "journal", "show", bill).stdout
    assert f"reverses: {bill}" in run(book, "journal", "show", rev).stdout
    tb = report(book, "trial-balance")
    assert all(r["closing"] == "0.00" for r in tb["rows"])
    assert rows_by(report(book, "balance-sheet", "--currency", "USD")).get("2010") is None


def test_reversal_defaults_to_today_and_a_memo_naming_the_original(book):
    rent = post(book, "2026-11-05", "Rent", "6100 1200.00", "1010")
    rev = run(book, "journal", "reverse", rent).stdout.strip()
    shown = json.loads(run(book, "journal", "show", rev, "--format", "json").stdout)
    assert shown["date"] == "2026-11-28"  # the test clock's today
    assert shown["memo"] == f"Reversal of {rent}: Rent"


def test_refusals_write_nothing(book):
    rent = post(book, "2026-11-05", "Rent", "6100 1200.00", "1010")
    before = head(book)
    res = run(book, "journal", "reverse", rent, "--date", "2026-11-04")
    assert res.exit_code == 1 and "[reversal-before-entry]" in res.stderr
    res = run(book, "journal", "reverse", "JE-20261105-NONE")
    assert res.exit_code == 1 and "[unknown-entry]" in res.stderr
    unchanged(book, before)
    rev = run(book, "journal", "reverse", rent).stdout.strip()
    after = head(book)
    res = run(book, "journal", "reverse", rent)
    assert res.exit_code == 1
    assert f"[double-reversal] {rent} is already reversed by {rev}" in res.stderr
    assert "an entry can be reversed once" in res.stderr
    res = run(book, "journal", "reverse", rev)
    assert res.exit_code == 1
    assert f"[reverse-reversal] {rev} is itself the reversal of {rent}" in res.stderr
    assert "reversing a reversal is refused" in res.stderr
    unchanged(book, after)


def test_hand_written_reversals_are_checked_by_validate(book):
    rent = post(book, "2026-11-05", "Rent", "6100 1200.00", "1010")
    rev = run(book, "journal", "reverse", rent, "--date", "2026-11-06").stdout.strip()

    def reversal(ident, target):
        return f"""
            id: {ident}
            date: 2026-11-07
            memo: by hand
            reverses: {target}
            postings:
              - {{account: '6100', amount: 1.00}}
              - {{account: '1010', amount: -1.00}}
            """

    write(book, {"journal/2026/11/JE-20261107-TWCE.yaml": reversal("JE-20261107-TWCE", rent),
                 "journal/2026/11/JE-20261107-RVRV.yaml": reversal("JE-20261107-RVRV", rev),
                 "journal/2026/11/JE-20261107-GONE.yaml": reversal("JE-20261107-GONE", "JE-20260101-XXXX")})
    commit_all(book)
    res = run(book, "validate")
    assert res.exit_code == 1
    assert f"{rent} is reversed twice: by {min(rev, 'JE-20261107-TWCE')} and {max(rev, 'JE-20261107-TWCE')}" in res.stderr
    assert f"[reverse-reversal] JE-20261107-RVRV reverses {rev}, which is itself a reversal" in res.stderr
    assert "[unknown-entry] JE-20261107-GONE reverses JE-20260101-XXXX, which does not exist" in res.stderr
