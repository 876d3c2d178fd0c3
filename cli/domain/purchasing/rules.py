"""The purchasing rules on stored records: references, quantities within the order, documents
against their moves and entries.
"""

from __future__ import annotations

from functools import partial

from comptoir.errors import Problem
from comptoir.model import Book
from comptoir.schemas.purchasing import PurchaseLine

from ..documents.balances import named_by_document
from ..documents.lines import qty_text
from ..documents.orders import order_problems
from ..ledger import ZERO
from ..validation import keeping, rule
from .common import billed, orders, received


def _purchasing_delta(book: Book, change) -> list[Problem] | None:
    """Orders, receipts, bills, supplier returns and debit notes added (none replaced): the checks of
    the receipts and bills, and of the orders they or the added orders name (quantities received and
    billed); a return or a debit note changes what its order counts as received or billed, so that
    order is checked again. Every other document's checks look at records that did not change (a
    receipt's moves and entry are its own). Anything else (an account, an item, a partner, a record
    replaced) is left to the full rule."""
    if not change.kinds <= {"purchase-order", "receipt", "bill", "supplier-return", "debit-note", "journal",
                            "stock-move"}:
        return None
    docs = {kind: change.added.get(kind, {}) for kind in ("receipt", "bill")}
    touched = set(change.added.get("purchase-order", {}))
    touched |= {d.order for d in docs["receipt"].values() if d.order}
    touched |= {o for d in docs["bill"].values() for o in [d.order, *(ln.order for ln in d.lines)] if o}
    touched |= {r.order for r in change.added.get("supplier-return", {}).values()}
    notes = change.added.get("debit-note", {})
    if notes:
        bills = book.of("bill")
        for note in notes.values():
            bill = bills.get(note.bill) if note.bill in bills else None
            touched |= {o for o in [bill.order if bill is not None else None, *(ln.order for ln in note.lines)] if o}
    po = orders(book)
    return _purchasing_problems(book, {i: po[i] for i in sorted(touched) if i in po}, docs)


@rule(reads=("account", "bill", "debit-note", "item", "journal", "partner", "purchase-order", "receipt",
             "stock-move", "supplier-return", "warehouse"), lookups=("journal", "stock-move"),
      delta=lambda book, change, facts: _purchasing_delta(book, change), stream=keeping(named_by_document))
def purchasing_rules(book: Book) -> list[Problem]:
    """Known suppliers, items and warehouses; received and billed within what was ordered and
    received; receipts and bills agree with their moves and entries."""
    return _purchasing_problems(book, orders(book), {kind: book.of(kind) for kind in ("receipt", "bill")})


def _purchasing_problems(book: Book, checked_orders: dict, checked_docs: dict[str, dict]) -> list[Problem]:
    """The problems of the orders and documents checked, looked up in the whole book."""
    out: list[Problem] = []
    from ..stock import moves

    mvs = moves(book)
    for ident, po in checked_orders.items():

        def over_billed(i: int, ln: PurchaseLine, ident: str = ident) -> list[Problem]:
            paid = billed(book, ident, i)
            if paid <= ln.qty:  # before or beyond the receipt is fine: GRNI carries the difference
                return []
            return [Problem(book.source("purchase-order", ident), 0, "over-billing",
                            f"{ident} line {i}: {qty_text(paid)} billed, only {qty_text(ln.qty)} ordered",
                            "a bill beyond the order needs a new order line; correct it with a debit note",
                            loc=("lines", i - 1))]

        out += order_problems(book, "purchase-order", ident, po, "supplier", " --role supplier",
                              partial(received, book, ident), "received", "over-receipt",
                              "a receipt beyond the order needs a new order line", over_billed)
    for kind in ("receipt", "bill"):
        for ident, doc in checked_docs[kind].items():
            src = book.source(kind, ident)
            named = [doc.order] + ([ln.order for ln in doc.lines] if kind == "bill" else [])
            for order in dict.fromkeys(o for o in named if o is not None):
                if order not in orders(book):
                    out.append(Problem(src, 0, "unknown-purchase-order", f"{ident}: order {order} does not exist",
                                       "fix `order:`", loc=("order",)))
            if doc.entry and doc.entry not in book.entries:
                out.append(Problem(src, 0, "missing-entry", f"{ident}: journal entry {doc.entry} does not exist",
                                   "restore the entry the document was written with", loc=("entry",)))
            if kind == "receipt":
                for i, ln in enumerate(doc.lines):
                    m = mvs.get(ln.move)
                    if m is None or m.item != ln.item or m.qty != ln.qty or m.value != ln.value:
                        out.append(Problem(src, 0, "document-move-mismatch",
                                           f"{ident} line {i + 1}: stock move {ln.move} "
                                           + ("does not exist" if m is None else "does not match the line"),
                                           "a receipt and its moves are written together; restore them",
                                           loc=("lines", i, "move")))
            else:
                entry = book.entries.get(doc.entry)
                if entry is not None:
                    ap = -sum((p.amount for p in entry.postings if p.account == book.settings.accounts.payable), ZERO)
                    if ap != doc.total:
                        out.append(Problem(src, 0, "document-entry-mismatch",
                                           f"{ident}: entry {doc.entry} credits payables {ap:f}, the bill's total is {doc.total:f}",
                                           "a bill and its entry are written together; restore them", loc=("entry",)))
    return out


# What this module adds to its family (comptoir.families collects these lists).
RULES = [purchasing_rules]
