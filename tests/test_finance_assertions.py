"""Balance assertions: an account's balance at the END of the entry's date, per currency.

Same-day entries have no order (ids are random), and a bank statement gives the balance at
the end of a day, so every posting dated on or before the day counts, whichever entry
carries the assertion and whenever the other entries were written.
"""

from __future__ import annotations

import json

from .conftest import commit_all, head, run, write
from .finance_helpers import post, unchanged


def _bank(book):
    post(book, "2026-11-02", "Capital", "1010 10000.00", "3100")
    post(book, "2026-11-05", "Rent", "6100 1200.00", "1010")


def test_assertion_written_by_journal_post(book):
    _bank(book)
    ident = post(book, "2026-11-30", "Bank fees November", "6500 4.33", "1010", extra=("--assert", "1010", "8795.67"))
    text = (book / f"journal/2026/11/{ident}.yaml").read_text()
    assert "assertions:\n  - account: '1010'\n    balance: 8795.67\n" in text
    shown = json.loads(run(book, "journal", "show", ident, "--format", "json").stdout)
    assert shown["assertions"] == [{"account": "1010", "balance": "8795.67", "currency": None}]
    assert "asserts: 1010 balance at the end of 2026-11-30 is 8795.67 EUR" in run(book, "journal", "show", ident).stdout
    assert run(book, "validate").exit_code == 0


def test_a_failing_assertion_is_refused_with_actual_expected_and_difference(book):
    _bank(book)
    before = head(book)
    res = run(book, "journal", "post", "--date", "2026-11-30", "--memo", "Bank fees", "-p", "6500", "4.33",
              "-p", "1010", "--assert", "1010", "12345.67")
    assert res.exit_code == 1
    assert "error [assertion-failed] JE-20261130-" in res.stderr
    assert (": 1010 balance at the end of 2026-11-30 is 8,795.67 EUR, asserted 12,345.67 EUR "
            "(difference -3,550.00)") in res.stderr
    assert "comptoir report ledger 1010 --to 2026-11-30" in res.stderr
    unchanged(book, before)


def test_the_assertion_holds_at_the_end_of_the_day_not_after_its_own_entry(book):
    _bank(book)
    # written before the day's other entry, it already counts it: end-of-day semantics
    write(book, {"journal/2026/11/JE-20261110-AAAA.yaml": """
        id: JE-20261110-AAAA
        date: 2026-11-10
        memo: Statement 10 November
        postings:
          - {account: '6500', amount: 2.00}
          - {account: '1010', amount: -2.00}
        assertions:
          - {account: '1010', balance: 8298.00}
        """, "journal/2026/11/JE-20261110-ZZZZ.yaml": """
        id: JE-20261110-ZZZZ
        date: 2026-11-10
        memo: Card payment the same day
        postings:
          - {account: '6400', amount: 500.00}
          - {account: '1010', amount: -500.00}
        """})
    commit_all(book)
    assert run(book, "validate").exit_code == 0
    # later days do not count
    post(book, "2026-11-11", "Next day", "6400 1.00", "1010")
    # another posting on the asserted day changes its closing balance: refused, naming the assertion
    before = head(book)
    res = run(book, "journal", "post", "--date", "2026-11-10", "--memo", "Forgotten fee", "-p", "6500", "1.00",
              "-p", "1010")
    assert res.exit_code == 1
    assert ("journal/2026/11/JE-20261110-AAAA.yaml:8: error [assertion-failed] JE-20261110-AAAA: 1010 balance "
            "at the end of 2026-11-10 is 8,297.00 EUR, asserted 8,298.00 EUR (difference -1.00)") in res.stderr
    unchanged(book, before)


def test_a_hand_edited_wrong_assertion_fails_validate_with_its_line(book):
    _bank(book)
    write(book, {"journal/2026/11/JE-20261130-BANK.yaml": """
        id: JE-20261130-BANK
        date: 2026-11-30
        memo: Statement November
        postings:
          - {account: '6500', amount: 4.33}
          - {account: '1010', amount: -4.33}
        assertions:
          - account: '1010'
            balance: 8800.00
        """})
    res = run(book, "validate", "--format", "json")
    assert res.exit_code == 1
    (error,) = json.loads(res.stdout)["errors"]
    assert error == {"file": "journal/2026/11/JE-20261130-BANK.yaml", "line": 9, "code": "assertion-failed",
                     "message": "JE-20261130-BANK: 1010 balance at the end of 2026-11-30 is 8,795.67 EUR, "
                                "asserted 8,800.00 EUR (difference -4.33)",
                     "hint": "find the missing or wrong posting with `comptoir report ledger 1010 --to 2026-11-30`, "
                             "or correct the asserted balance",
                     "severity": "error"}


def test_assertions_count_one_currency_in_its_own_amounts(book):
    post(book, "2026-10-09", "Bill in USD", "5010 4416.00", "2010 -4800.00USD@0.92")
    post(book, "2026-10-10", "Bill in EUR", "5010 100.00", "2010")
    # the dollar balance is what the supplier's statement says, whatever it is worth in EUR
    ident = post(book, "2026-10-31", "Supplier statements", "6500 1.00", "1010",
                 extra=("--assert", "2010", "-4800.00USD", "--assert", "2010", "-100.00"))
    assert run(book, "validate").exit_code == 0
    shown = json.loads(run(book, "journal", "show", ident, "--format", "json").stdout)
    assert shown["assertions"] == [{"account": "2010", "balance": "-4800.00", "currency": "USD"},
                                   {"account": "2010", "balance": "-100.00", "currency": None}]


def test_an_account_in_a_foreign_currency_is_asserted_in_it_by_default(book):
    assert run(book, "account", "add", "1030", "Bank USD", "--type", "asset", "--currency", "USD",
               "--role", "bank").exit_code == 0
    post(book, "2026-10-02", "Dollars in", "1030 500.00USD@0.9", "3100 -450.00")
    post(book, "2026-10-31", "Statement USD", "6500 1.00", "1010", extra=("--assert", "1030", "500.00"))
    before = head(book)
    res = run(book, "journal", "post", "--date", "2026-10-31", "--memo", "x", "-p", "6500", "1", "-p", "1010",
              "--assert", "1030", "450.00")
    assert res.exit_code == 1 and "1030 balance at the end of 2026-10-31 is 500.00 USD, asserted 450.00 USD" in res.stderr
    unchanged(book, before)
