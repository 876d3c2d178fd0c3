"""Invoice numbers are sequential per fiscal year: two branches that each invoice take the same
next number, and `validate` on the merged book catches it; `sales renumber` fixes it; gaps and
numbers outside their fiscal year are errors too."""

from __future__ import annotations

import json

from .conftest import commit_all, from_template, git, run
from .trade_helpers import first, ok, trading_book


def errors(book) -> list[dict]:
    res = run(book, "validate", "--format", "json")
    return json.loads(res.stdout)["errors"]


def _delivered_twice(book, scratch) -> tuple[str, str]:
    trading_book(book)
    ok(book, "stock", "receive", "ESP", "--qty", "50", "--unit-cost", "10", "--date", "2026-11-20")
    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 20 25"))
    return first(ok(book, "sales", "deliver", so, "--qty", "5")), first(ok(book, "sales", "deliver", so, "--qty", "5"))


def delivered_twice(book) -> tuple[str, str]:
    return from_template(book, "sales_numbering.delivered_twice", _delivered_twice)


def test_two_branches_take_the_same_number_and_validate_catches_it_after_merge(book):
    dn1, dn2 = delivered_twice(book)
    main = git(book, "rev-parse", "--abbrev-ref", "HEAD").strip()
    git(book, "checkout", "-q", "-b", "lea")
    a, number_a = ok(book, "sales", "invoice", dn1).stdout.split()
    git(book, "checkout", "-q", main)
    git(book, "checkout", "-q", "-b", "sophie")
    res = run(book, "sales", "invoice", dn2, seed=2)  # another person's random id
    assert res.exit_code == 0, res.output
    b, number_b = res.stdout.split()
    assert number_a == number_b == "2026-0001" and a != b  # ids never collide; numbers can
    git(book, "checkout", "-q", main)
    git(book, "merge", "-q", "--no-edit", "lea")
    assert errors(book) == []
    git(book, "merge", "-q", "--no-edit", "sophie")  # different files: git merges without a conflict
    found = errors(book)
    assert {e["code"] for e in found} == {"duplicate-number"}
    assert len(found) == 2 and "2026-0001 is used 2 times" in found[0]["message"]
    assert "comptoir sales renumber" in found[0]["hint"]
    res = ok(book, "sales", "renumber", b)
    assert res.stdout.strip() == "2026-0002"
    assert errors(book) == []
    shown = json.loads(ok(book, "sales", "invoices", "--format", "json").stdout)["rows"]
    assert [(r["id"], r["number"]) for r in shown] == [(a, "2026-0001"), (b, "2026-0002")]
    entry = json.loads(ok(book, "sales", "show", b, "--format", "json").stdout)["invoice"]["entry"]
    assert json.loads(ok(book, "journal", "show", entry, "--format", "json").stdout)["reference"] == "2026-0002"
    res = run(book, "sales", "renumber", a)
    assert res.exit_code == 1 and "[number-not-duplicated]" in res.stderr


def test_a_gap_in_the_numbers_is_an_error(book):
    dn1, dn2 = delivered_twice(book)
    ok(book, "sales", "invoice", dn1)
    b = first(ok(book, "sales", "invoice", dn2))
    path = next(book.glob(f"sales/invoices/*/*/{b}.yaml"))
    path.write_text(path.read_text().replace("number: 2026-0002", "number: 2026-0004"))
    commit_all(book, "renumber by hand")
    found = errors(book)
    assert [e["code"] for e in found] == ["number-gap"]
    assert "2026-0002, 2026-0003 missing" in found[0]["message"]


def test_the_next_fiscal_year_starts_again_at_one(book):
    dn1, dn2 = delivered_twice(book)
    ok(book, "sales", "invoice", dn1)
    assert ok(book, "sales", "invoice", dn2, "--date", "2027-01-04").stdout.split()[1] == "2027-0001"
    assert errors(book) == []
