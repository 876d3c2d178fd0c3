"""Multi-currency: the rate table, mixed-currency entries, entries in one foreign currency,
revaluation of open foreign balances, and reports in the original currency."""

from __future__ import annotations

import json

from .conftest import commit_all, files_in_commit, head, run, write
from .finance_helpers import message, post, report, rows_by, unchanged

BILL = ("5010 4416.00", "2010 -4800.00USD@0.92")


# the rate table --------------------------------------------------------------------------
def test_rate_add_writes_one_record_per_currency_and_day(book):
    res = run(book, "rate", "add", "usd", "0.9210", "--date", "2026-10-01", "--source", "ECB")
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == "USD-2026-10-01"
    assert files_in_commit(book) == ["rates/2026/10/USD-2026-10-01.yaml"]
    text = (book / "rates/2026/10/USD-2026-10-01.yaml").read_text()
    assert text.splitlines()[1:] == ["id: USD-2026-10-01", "date: 2026-10-01", "currency: USD",
                                     "rate: 0.9210", "source: ECB"]
    assert "Comptoir-Command: rate add" in message(book)
    listed = json.loads(run(book, "rate", "list", "--format", "json").stdout)
    assert listed["rows"] == [{"id": "USD-2026-10-01", "date": "2026-10-01", "currency": "USD",
                               "rate": "0.9210", "source": "ECB"}]


def test_rate_add_refusals(book):
    assert run(book, "rate", "add", "USD", "0.92", "--date", "2026-10-01").exit_code == 0
    before = head(book)
    res = run(book, "rate", "add", "USD", "0.93", "--date", "2026-10-01")
    assert res.exit_code == 1 and "[duplicate-id]" in res.stderr
    res = run(book, "rate", "add", "EUR", "1", "--date", "2026-10-01")
    assert res.exit_code == 1 and "[rate-base-currency]" in res.stderr
    res = run(book, "rate", "add", "USD", "0", "--date", "2026-10-02")
    assert res.exit_code == 1 and "[invalid-value] rate: 0 must be more than 0" in res.stderr
    unchanged(book, before)
    assert run(book, "rate", "add", "USD", "0.93", "--date", "2026-10-01", "--replace").exit_code == 0
    assert "rate: 0.93\n" in (book / "rates/2026/10/USD-2026-10-01.yaml").read_text()


def test_a_hand_written_rate_must_be_named_after_currency_and_day(book):
    write(book, {"rates/2026/10/USD-2026-10-02.yaml": "id: USD-2026-10-02\ndate: 2026-10-01\ncurrency: USD\nrate: 0.9\n",
                 "rates/2026/10/EUR-2026-10-01.yaml": "id: EUR-2026-10-01\ndate: 2026-10-01\ncurrency: EUR\nrate: 1\n"})
    res = run(book, "validate")
    assert res.exit_code == 1
    assert "the id of a USD rate on 2026-10-01 is USD-2026-10-01" in res.stderr
    assert "rates/2026/10/EUR-2026-10-01.yaml:3: error [rate-base-currency]" in res.stderr


# mixed-currency entries ------------------------------------------------------------------
def test_a_mixed_entry_balances_in_the_base_currency_at_the_postings_rates(book):
    ident = post(book, "2026-10-09", "Green coffee in USD", *BILL)
    text = (book / f"journal/2026/10/{ident}.yaml").read_text()
    assert "amount: -4800.00\n    currency: USD\n    rate: 0.92\n" in text
    tb = rows_by(report(book, "trial-balance"))
    assert tb["2010"]["credit"] == "4416.00" and tb["5010"]["debit"] == "4416.00"
    shown = json.loads(run(book, "journal", "show", ident, "--format", "json").stdout)
    ap = next(r for r in shown["rows"] if r["account"] == "2010")
    assert (ap["currency"], ap["amount"], ap["credit"]) == ("USD", "-4800.00", "4416.00")


def test_an_unbalanced_mixed_entry_is_refused(book):
    before = head(book)
    res = run(book, "journal", "post", "--date", "2026-10-09", "--memo", "x",
              "-p", "5010", "4400.00", "-p", "2010", "-4800.00USD@0.92")
    assert res.exit_code == 1
    assert "[unbalanced]" in res.stderr
    assert "converted at the postings' rates the entry sums to -16.00 EUR" in res.stderr
    unchanged(book, before)


def test_a_mixed_entry_without_a_rate_is_refused_even_with_a_rate_table(book):
    assert run(book, "rate", "add", "USD", "0.92", "--date", "2026-10-01").exit_code == 0
    before = head(book)
    res = run(book, "journal", "post", "--date", "2026-10-09", "--memo", "x",
              "-p", "5010", "4416.00", "-p", "2010", "-4800.00USD")
    assert res.exit_code == 1
    assert "[rate-missing]" in res.stderr and "mixes EUR, USD but a foreign posting has no rate" in res.stderr
    unchanged(book, before)


def test_an_entry_in_one_foreign_currency_needs_a_table_rate(book):
    account = ("account", "add", "1030", "Bank USD", "--type", "asset", "--parent", "1000",
               "--role", "bank", "--currency", "USD")
    assert run(book, *account).exit_code == 0
    before = head(book)
    res = run(book, "journal", "post", "--date", "2026-10-09", "--memo", "USD sale",
              "-p", "1030", "100.00USD", "-p", "4010", "-100.00USD")
    assert res.exit_code == 1
    assert "[rate-missing]" in res.stderr
    assert "the rate table has no USD rate on or before 2026-10-09" in res.stderr
    assert "comptoir rate add USD RATE --date 2026-10-09" in res.stderr
    unchanged(book, before)


def test_table_rate_conversion_keeps_the_entry_balanced_to_the_cent(book):
    assert run(book, "account", "add", "1030", "Bank USD", "--type", "asset", "--role", "bank",
               "--currency", "USD").exit_code == 0
    assert run(book, "rate", "add", "USD", "0.915", "--date", "2026-10-01").exit_code == 0
    # 33.33 x 0.915 = 30.49695 -> 30.50 twice, 66.66 x 0.915 = 60.9939 -> 60.99: one cent short
    ident = post(book, "2026-10-09", "USD sales", "1030 66.66USD", "4010 -33.33USD", "4020 -33.33USD")
    tb = report(book, "trial-balance")
    assert tb["totals"]["debit"] == tb["totals"]["credit"] == "61.00"
    assert rows_by(tb)["1030"]["debit"] == "61.00"  # the largest posting takes the rounding cent
    assert rows_by(tb)["4010"]["credit"] == "30.50"
    shown = json.loads(run(book, "journal", "show", ident, "--format", "json").stdout)
    assert sum(float(r["debit"] or 0) - float(r["credit"] or 0) for r in shown["rows"]) == 0
    # a later rate does not change the entry: the rate on or before its date applies
    assert run(book, "rate", "add", "USD", "1.5", "--date", "2026-10-10").exit_code == 0
    assert rows_by(report(book, "trial-balance"))["1030"]["debit"] == "61.00"


def test_reports_in_the_original_currency(book):
    post(book, "2026-10-09", "Bill 1", *BILL)
    post(book, "2026-10-20", "Bill 2", "5010 945.00", "2010 -1000.00USD@0.945")
    post(book, "2026-10-21", "Rent", "6100 500.00", "1010")
    sheet = report(book, "balance-sheet", "--currency", "USD")
    assert sheet["currency"] == "USD"
    assert rows_by(sheet)["2010"]["balance"] == "5800.00"
    assert "1010" not in rows_by(sheet)  # only USD postings count
    assert sheet["balanced"] is False
    assert any("Only postings in USD" in n for n in sheet["notes"])
    ledger = report(book, "ledger", "2010", "--currency", "USD")
    assert [r["balance"] for r in ledger["rows"]] == ["-4800.00", "-5800.00"]
    base = report(book, "ledger", "2010")
    assert [r["balance"] for r in base["rows"]] == ["-4416.00", "-5361.00"]
    assert [r["original"] for r in base["rows"]] == ["-4800.00 USD", "-1000.00 USD"]
    tb = report(book, "trial-balance", "--currency", "usd")
    assert [(r["account"], r["credit"], r["closing"]) for r in tb["rows"]] == [("2010", "5800.00", "-5800.00")]
    assert tb["totals"]["debit"] == "0.00"
    res = run(book, "report", "balance-sheet", "--currency", "dollars")
    assert res.exit_code == 1 and "[bad-currency]" in res.stderr


# revaluation -----------------------------------------------------------------------------
def test_revalue_posts_the_unrealised_difference_with_the_rate_table(book):
    post(book, "2026-10-09", "Bill", *BILL)
    assert run(book, "rate", "add", "USD", "0.9345", "--date", "2026-10-30").exit_code == 0
    before = head(book)
    dry = json.loads(run(book, "period", "revalue", "2026-10-31", "--dry-run", "--format", "json").stdout)
    assert dry["rows"] == [{"account": "2010", "name": "Accounts payable", "currency": "USD", "amount": "-4800.00",
                            "carried": "-4416.00", "rate": "0.9345", "rate_date": "2026-10-30",
                            "revalued": "-4485.60", "difference": "-69.60"}]
    unchanged(book, before)  # the dry run wrote nothing
    res = run(book, "period", "revalue", "2026-10-31")
    assert res.exit_code == 0, res.output
    ident, undo = res.stdout.split()
    assert "unrealised exchange loss of 69.60 EUR" in res.stderr
    # reversed on the first day of the next period, in the same commit (the Odoo / ERPNext treatment)
    assert undo.startswith("JE-20261101-") and f"reversed by {undo} on 2026-11-01" in res.stderr
    assert files_in_commit(book) == [f"journal/2026/10/{ident}.yaml", f"journal/2026/11/{undo}.yaml"]
    assert "Comptoir-Command: period revalue" in message(book)
    text = (book / f"journal/2026/10/{ident}.yaml").read_text()
    assert ("  - account: '2010'\n    amount: 0.00\n    currency: USD\n    value: -69.60\n") in text
    assert "  - account: '6900'\n    amount: 69.60\n" in text
    tb = rows_by(report(book, "trial-balance", "--to", "2026-10-31"))
    assert tb["2010"]["closing"] == "-4485.60" and tb["6900"]["closing"] == "69.60"
    tb = rows_by(report(book, "trial-balance"))  # from November on, the bill is carried at its own rate again
    assert tb["2010"]["closing"] == "-4416.00" and tb["6900"]["closing"] == "0.00"
    # the dollar balance itself is unchanged
    assert rows_by(report(book, "balance-sheet", "--currency", "USD"))["2010"]["balance"] == "4800.00"
    # running it again finds nothing to do
    again = run(book, "period", "revalue", "2026-10-31")
    assert again.exit_code == 0 and again.stdout == ""
    assert "nothing posted" in again.stderr
    assert run(book, "validate").exit_code == 0


def test_each_revaluation_starts_from_the_booked_rate_and_books_gains(book):
    post(book, "2026-10-09", "Bill", *BILL)
    assert run(book, "rate", "add", "USD", "0.9345", "--date", "2026-10-30").exit_code == 0
    assert run(book, "period", "revalue", "2026-10-31").exit_code == 0
    assert run(book, "rate", "add", "USD", "0.9100", "--date", "2026-11-27").exit_code == 0
    res = run(book, "period", "revalue", "2026-11-27")
    assert res.exit_code == 0, res.output
    # October's revaluation was reversed on 1 November: November's starts from the booked 0.92
    assert "unrealised exchange gain of 48.00 EUR" in res.stderr  # 4800 x (0.92 - 0.91)
    tb = rows_by(report(book, "trial-balance", "--to", "2026-11-27"))
    assert tb["2010"]["closing"] == "-4368.00" and tb["4910"]["closing"] == "-48.00"
    assert tb["6900"]["closing"] == "0.00"  # October's 69.60 loss and its reversal


def test_paying_at_another_rate_realises_the_difference(book):
    post(book, "2026-10-09", "Bill", *BILL)
    post(book, "2026-11-12", "Pay the bill at 0.9280", "2010 4800.00USD@0.92", "1010 -4454.40", "6900 38.40")
    tb = rows_by(report(book, "trial-balance"))
    assert "2010" not in tb or tb["2010"]["closing"] == "0.00"
    assert tb["6900"]["closing"] == "38.40"
    assert run(book, "period", "revalue", "2026-11-27").exit_code == 0  # no open balance: no rate needed


def test_revalue_without_a_rate_is_refused(book):
    post(book, "2026-10-09", "Bill", *BILL)
    before = head(book)
    res = run(book, "period", "revalue", "2026-10-31")
    assert res.exit_code == 1
    assert "[rate-missing] no USD rate on or before 2026-10-31 to revalue the open USD balances" in res.stderr
    unchanged(book, before)


def test_exchange_differences_must_be_foreign_and_zero(book):
    write(book, {"journal/2026/10/JE-20261031-FXEU.yaml": """
        id: JE-20261031-FXEU
        date: 2026-10-31
        memo: wrong difference
        postings:
          - {account: '2010', amount: 0, currency: EUR, value: -5.00}
          - {account: '6900', amount: 5.00}
        """, "journal/2026/10/JE-20261031-FXAM.yaml": """
        id: JE-20261031-FXAM
        date: 2026-10-31
        memo: difference with an amount
        postings:
          - {account: '2010', amount: 1.00, currency: USD, value: -5.00}
          - {account: '6900', amount: 5.00}
        """})
    commit_all(book)
    res = run(book, "validate")
    assert res.exit_code == 1
    assert "[value-in-base]" in res.stderr
    assert "a posting with value: is an exchange difference: its amount must be 0" in res.stderr


def test_hand_written_exchange_difference_balances_in_base(book):
    post(book, "2026-10-09", "Bill", *BILL)
    write(book, {"journal/2026/10/JE-20261031-FXOK.yaml": """
        id: JE-20261031-FXOK
        date: 2026-10-31
        memo: revaluation by hand
        postings:
          - {account: '2010', amount: 0.00, currency: USD, value: -10.00}
          - {account: '6900', amount: 9.00}
        """})
    res = run(book, "validate")
    assert res.exit_code == 1
    assert "JE-20261031-FXOK: converted at the postings' rates the entry sums to -1.00 EUR" in res.stderr
