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
    _other_customer(book)
    assert run(book, "validate").exit_code == 0  # HEAD known clean: the writes read on demand
    return book


def _other_customer(book) -> None:
    """Bistro Nord's orders, delivered, invoiced and paid, and one still open: documents a write
    for Café Lumière has no reason to decode (the second order keeps a line to deliver)."""
    ok(book, "partner", "add", "Bistro Nord", "--role", "customer", "--payment-terms", "30")
    for n, qty in enumerate(("2", "3")):
        day = f"2026-11-1{1 + n}"
        so = first(ok(book, "sales", "order", "--partner", "bistro-nord", "--line", f"ESP {qty} 25.00", "--date", day))
        ok(book, "sales", "deliver", so, "--line", "1", "--qty", "2", "--date", day)
        ok(book, "sales", "invoice", so, "--date", day)
    ok(book, "pay", "receive", "--partner", "bistro-nord", "--amount", "50.00", "--date", "2026-11-13")


def _documents_of(book, partner: str) -> set[str]:
    """The ids of the orders, deliveries, invoices and payments naming `partner` in the working tree."""
    return {path.stem for folder in ("sales", "payments") for path in (book / folder).rglob("*.yaml")
            if f"partner: {partner}\n" in path.read_text()}


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


@pytest.fixture
def decoded(monkeypatch):
    """The ids of the light records a write decoded (comptoir.app.docfacts.Light)."""
    from comptoir.app import docfacts

    seen: set[str] = set()
    real = docfacts.Light.__getitem__

    def getitem(light, ident):
        seen.add(ident)
        return real(light, ident)

    monkeypatch.setattr(docfacts.Light, "__getitem__", getitem)
    return seen


def test_the_document_writes_decode_only_the_documents_they_concern(book, decoded):
    """Once HEAD's open orders are kept (the first order derives them from every order; each write
    carries them forward), an order, its delivery, invoice and payment, and the next order, of Café
    Lumière decode none of Bistro Nord's documents: not its delivered orders, its deliveries, its
    invoices or its payment (what grew with the number of documents: ~8 us each)."""
    _history(book)
    ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 1 25.00", "--date", "2026-11-19")
    theirs = _documents_of(book, "bistro-nord")
    assert len(theirs) == 7, theirs
    decoded.clear()
    _chain(book)
    ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 1 25.00", "--date", "2026-11-24")
    assert decoded, "the writes were not served light records"
    open_order = sorted(p.stem for p in (book / "sales" / "orders").rglob("*.yaml")
                        if "partner: bistro-nord" in p.read_text())[-1]
    its_deliveries = {p.stem for p in (book / "sales" / "deliveries").rglob("*.yaml")
                      if f"order: {open_order}\n" in p.read_text()}
    assert its_deliveries
    # its undelivered line reserves stock: what was delivered of it is looked at
    assert theirs & decoded <= {open_order, *its_deliveries}, theirs & decoded


def test_the_open_orders_carried_forward_are_the_ones_derived(book):
    """HEAD's open orders as the writes carried them forward equal those derived again from every
    order and delivery at HEAD."""
    from comptoir.app import facts
    from comptoir.book.loader import load_book
    from comptoir.book.root import find_root
    from comptoir.book.store import Store
    from comptoir.domain.sales.common import delivered
    from comptoir.domain.sales.promises import may_be_open

    _history(book)
    _chain(book)
    so = first(ok(book, "sales", "order", "--partner", "bistro-nord", "--line", "ESP 2 25.00", "--date", "2026-11-24"))
    ok(book, "sales", "deliver", so, "--line", "1", "--qty", "1", "--date", "2026-11-24")
    root = find_root(str(book))
    carried = Store.of(root.path).get(facts.OPEN_ORDERS, *facts._open_key(root, "HEAD"))
    assert type(carried) is list, "the last write kept no open orders for HEAD"
    full = load_book(root)
    derived = may_be_open(full.of("sales-order").values(), lambda order, line: delivered(full, order, line))
    assert sorted(carried) == sorted(derived) and so in derived and len(derived) == 2, (carried, derived)


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
