"""The document writes (sales order, deliver, invoice, pay receive) are served the orders, deliveries,
invoices and payments that open items, order lines, reservations and numbering go through as light
records kept per folder in the one store (comptoir.domain.documents.facts.light, served by
comptoir.app.facts), with the write's own records over HEAD's. These tests fail if such a write
reads a document kind whole again, or if what it is served differs from the full read: the same
files and numbers, the same refusals, on a committed tree and on a dirty one."""

from __future__ import annotations

import re

import pytest

from .conftest import TODAY, commit_all, git, run
from .trade_helpers import fails, first, ok, trading_book

DOCUMENT_KINDS = {"sales-order", "delivery", "invoice", "credit-note", "payment", "application",
                  "purchase-order", "receipt", "supplier-return", "bill", "debit-note"}


def _history(book):
    """Three orders of Café Lumière delivered and invoiced, the first credited, one payment: the
    documents every open item and order line is computed from."""
    trading_book(book)
    ok(book, "stock", "receive", "ESP", "--qty", "100", "--unit-cost", "10.00", "--date", "2026-11-01")
    for n in range(3):
        day = f"2026-11-0{2 + n}"
        so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 5 25.00", "--tax", "VAT20",
                      "--date", day))
        ok(book, "sales", "deliver", so, "--date", day)
        ok(book, "sales", "invoice", so, "--date", day)
    ok(book, "sales", "credit-note", "2026-0001", "--line", "1", "--qty", "1", "--reason", "torn bag")
    # 2026-0001: 5 x 25.00 + 20% = 150.00, 30.00 credited, 120.00 paid
    ok(book, "pay", "receive", "--partner", "cafe-lumiere", "--amount", "120.00", "--date", "2026-11-10")
    assert run(book, "validate").exit_code == 0  # HEAD known clean: the writes read on demand
    return book


def _chain(book) -> list[str]:
    """An order, its delivery and invoice, a payment: what each printed and the files of each commit."""
    out = []
    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 4 25.00", "--tax", "VAT20",
                  "--date", "2026-11-20"))
    for args in (["sales", "deliver", so, "--date", "2026-11-21"], ["sales", "invoice", so, "--date", "2026-11-22"],
                 ["pay", "receive", "--partner", "cafe-lumiere", "--amount", "150.00", "--date", "2026-11-23"]):
        out.append(re.sub(r"commit [0-9a-f]+", "commit", ok(book, *args).output))  # its time differs
    for rev in ("HEAD~3", "HEAD~2", "HEAD~1", "HEAD"):
        out.append(git(book, "show", "--format=%s", "--stat=200", rev))
    return [so, *out]


@pytest.fixture
def whole_reads(monkeypatch):
    """The kinds a book read on demand reads whole (comptoir.book.ondemand.Listing.records)."""
    from comptoir.book import ondemand

    seen: list[str] = []
    real = ondemand.Listing.records

    def records(listing, kind):
        if kind.name not in listing.whole and listing.working is None:
            seen.append(kind.name)
        return real(listing, kind)

    monkeypatch.setattr(ondemand.Listing, "records", records)
    return seen


def _not_served(monkeypatch):
    """The write's book without the light records: every kind read whole, as before."""
    from comptoir.app import facts

    monkeypatch.setattr(facts, "_light", lambda book, root, reads: lambda kind, records: None)


def test_the_document_writes_read_no_document_kind_whole(book, whole_reads):
    _history(book)
    whole_reads.clear()
    _chain(book)
    assert not DOCUMENT_KINDS & set(whole_reads), whole_reads


def test_served_writes_equal_the_full_read(book, tmp_path, monkeypatch, whole_reads):
    import shutil

    _history(book)
    other = tmp_path / "other"
    shutil.copytree(book, other, symlinks=True)
    served = _chain(book)
    _not_served(monkeypatch)
    whole_reads.clear()
    full = _chain(other)
    assert DOCUMENT_KINDS & set(whole_reads)  # the reference did read them whole
    assert served == full
    assert git(book, "rev-parse", "HEAD^{tree}") == git(other, "rev-parse", "HEAD^{tree}")


def test_the_refusals_are_the_same_served(book, monkeypatch):
    """Over-delivery, invoicing what is invoiced, the credit limit, an over-allocated invoice: each
    refused alike from the light records and from the whole kinds."""
    _history(book)
    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 4 25.00", "--date", "2026-11-20"))
    ok(book, "sales", "deliver", so, "--line", "1", "--qty", "3", "--date", "2026-11-21")

    def refusals() -> list[str]:
        return [fails(book, "over-delivery", "sales", "deliver", so, "--line", "1", "--qty", "2",
                      "--date", "2026-11-21").stderr,
                fails(book, "credit-limit", "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 60 80.00",
                      "--date", "2026-11-21").stderr,
                fails(book, "already-invoiced", "sales", "invoice", "2026-0002", "--date", "2026-11-22").stderr,
                fails(book, "already-paid", "pay", "receive", "--partner", "cafe-lumiere", "--amount", "10.00",
                      "--invoice", "2026-0001", "--date", "2026-11-22").stderr]

    served = refusals()
    _not_served(monkeypatch)
    assert refusals() == served


def test_a_dirty_tree_is_read_as_it_is(book, whole_reads):
    """A payment written with --no-commit (a new file in payments/) and a hand-edited order: the
    next writes see them, the light records of HEAD's folders are not used for them."""
    _history(book)
    ok(book, "pay", "receive", "--partner", "cafe-lumiere", "--amount", "30.00", "--date", "2026-11-24", "--no-commit")
    res = ok(book, "pay", "receive", "--partner", "cafe-lumiere", "--amount", "10.00", "--date", "2026-11-24")
    # 2026-0001 is paid: the uncommitted payment took 30.00 of 2026-0002's 150.00, the next goes on with it
    assert "2026-0002 10.00" in res.stderr, res.stderr
    assert run(book, "validate").exit_code == 0
    commit_all(book, "the staged payment")
    ok(book, "validate")
    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 2 25.00", "--date", "2026-11-25"))
    path = next(book.glob(f"sales/orders/{so}.yaml"))
    path.write_text(path.read_text().replace("qty: 2", "qty: 1"))  # not committed
    fails(book, "over-delivery", "sales", "deliver", so, "--line", "1", "--qty", "2", "--date", str(TODAY))
    ok(book, "sales", "deliver", so, "--line", "1", "--qty", "1", "--date", str(TODAY))
