"""Writes read derived facts from the store (the stock valuation state, stock levels, the
receivable postings) instead of whole kinds. These tests would fail if a write used a fact that
no longer describes the book: after a revert, with uncommitted changes, after a hand-posted entry."""

from __future__ import annotations

import json

import yaml

from .conftest import git, run
from .trade_helpers import trading_book


def ok(book, *args):
    res = run(book, *args)
    assert res.exit_code == 0, res.output
    return res


def move(book, ident: str) -> dict:
    return yaml.safe_load((book / f"stock/{ident[3:7]}/{ident[7:9]}/{ident}.yaml").read_text())


def on_hand(book, sku: str) -> str:
    rows = json.loads(ok(book, "stock", "available", sku, "--format", "json").stdout)["rows"]
    return rows[0]["on_hand"]


def test_stock_writes_follow_the_tree_after_a_revert_and_with_uncommitted_moves(book):
    trading_book(book)
    # FIFO layers in two month folders: 10 at 5.00 in October, 10 at 7.00 in November
    ok(book, "stock", "receive", "ESP", "--qty", "10", "--unit-cost", "5.00", "--date", "2026-10-20")
    ok(book, "stock", "receive", "ESP", "--qty", "10", "--unit-cost", "7.00", "--date", "2026-11-02")
    first = ok(book, "stock", "issue", "ESP", "--qty", "15", "--date", "2026-11-20").stdout.split()[0]
    assert (move(book, first)["value"], move(book, first).get("seq", 0)) == (85.0, 0)  # 10 x 5.00 + 5 x 7.00
    # the issue undone by git: the next one starts again from both layers, first of its day
    git(book, "-c", "user.name=T", "-c", "user.email=t@x", "revert", "--no-edit", "HEAD")
    again = ok(book, "stock", "issue", "ESP", "--qty", "12", "--date", "2026-11-20").stdout.split()[0]
    assert (move(book, again)["value"], move(book, again).get("seq", 0)) == (64.0, 0)  # 10 x 5.00 + 2 x 7.00
    # a receipt staged but not committed: the next issue sees it (8 left at 7.00, then 5 at 9.00)
    ok(book, "stock", "receive", "ESP", "--qty", "5", "--unit-cost", "9.00", "--date", "2026-11-21", "--no-commit")
    last = ok(book, "stock", "issue", "ESP", "--qty", "10", "--date", "2026-11-22").stdout.split()[0]
    assert move(book, last)["value"] == 74.0  # 8 x 7.00 + 2 x 9.00
    git(book, "-c", "user.name=T", "-c", "user.email=t@x", "commit", "-q", "-m", "the staged receipt")
    assert on_hand(book, "ESP") == "3"
    third = ok(book, "stock", "issue", "ESP", "--qty", "3", "--date", "2026-11-22").stdout.split()[0]
    assert (move(book, third)["value"], move(book, third).get("seq", 0)) == (27.0, 1)  # the second move of that day
    assert run(book, "validate").exit_code == 0


def test_the_credit_check_counts_a_hand_posted_receivable_and_forgets_a_reverted_one(book, tmp_path):
    trading_book(book)
    ok(book, "stock", "receive", "ESP", "--qty", "100", "--unit-cost", "10.00", "--date", "2026-11-20")
    batch = tmp_path / "invoice.yaml"
    batch.write_text("- date: 2026-11-21\n  memo: Invoice typed by hand\n  reference: HAND-1\n  postings:\n"
                     "  - {account: '1100', amount: '4000.00', partner: cafe-lumiere}\n"
                     "  - {account: '4010', amount: '-4000.00'}\n")
    ok(book, "journal", "post", "--file", str(batch))
    # 4,000.00 owed by hand + 60 x 25.00 on this order: over the 5,000.00 limit
    res = run(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 60 25.00")
    assert res.exit_code == 1 and "[credit-limit]" in res.stderr and "4,000.00" in res.stderr
    git(book, "-c", "user.name=T", "-c", "user.email=t@x", "revert", "--no-edit", "HEAD")
    ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 60 25.00")


def test_an_order_compares_the_journal_and_the_stock_together_and_sees_an_uncommitted_receivable(book, monkeypatch):
    """An order reads the journal's receivables and the stock levels: with both kinds too large to
    compare by content (as in a large book), one `git status` compares them together, and a
    receivable entry written by hand and not committed is still counted by the credit check."""
    import subprocess

    from comptoir.book import ondemand

    trading_book(book)
    ok(book, "stock", "receive", "ESP", "--qty", "100", "--unit-cost", "10.00", "--date", "2026-11-20")
    assert run(book, "validate").exit_code == 0
    monkeypatch.setattr(ondemand, "CONTENT_LIMIT", 0)
    (book / "journal/2026/11/JE-20261121-HAND.yaml").write_text(
        "id: JE-20261121-HAND\ndate: 2026-11-21\nmemo: Invoice typed by hand\npostings:\n"
        "  - account: '1100'\n    amount: 4000.00\n    partner: cafe-lumiere\n  - account: '4010'\n    amount: -4000.00\n")
    calls: list[list[str]] = []
    real = subprocess.Popen.__init__

    def counted(popen, args, *rest, **kwargs):
        if isinstance(args, list) and args[:1] == ["git"] and "status" in args:
            calls.append(args[args.index("--") + 1:])
        return real(popen, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "__init__", counted)
    res = run(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 60 25.00")
    assert res.exit_code == 1 and "[credit-limit]" in res.stderr and "4,000.00" in res.stderr, res.output
    assert any(sorted(c) == ["journal/", "stock/"] for c in calls), calls  # compared together
    assert ["journal/"] not in calls and ["stock/"] not in calls, calls  # and not one by one
    (book / "journal/2026/11/JE-20261121-HAND.yaml").unlink()
    ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 60 25.00")
