"""The sales rules on stored records: references, quantities, documents against their moves and
entries, and invoice numbering.
"""

from __future__ import annotations

from functools import partial

from comptoir.errors import Problem
from comptoir.model import Book
from comptoir.schemas.sales import SalesLine

from ..documents.balances import named_by_document
from ..documents.facts import light, values_of, where
from ..documents.lines import qty_text
from ..documents.numbering import split_number
from ..documents.orders import order_problems
from ..ledger import ZERO
from ..stock import items
from ..validation import keeping, rule
from .common import delivered, invoiced, orders


def _sales_delta(book: Book, change) -> list[Problem] | None:
    """Documents and orders added (none replaced): the checks of those documents, and of the orders
    they or the added orders name (quantities delivered and invoiced); every other document's
    checks look at records that did not change. Anything else added (an account, an item, a
    partner; a journal entry or move no added document names) changes no check in a book that had
    no errors, but the other kinds are left to the full rule."""
    if not change.kinds <= {"sales-order", "delivery", "invoice", "credit-note", "journal", "stock-move"}:
        return None
    docs = {kind: change.added.get(kind, {}) for kind in ("delivery", "invoice", "credit-note")}
    touched = set(change.added.get("sales-order", {}))
    touched |= {d.order for ds in docs.values() for d in ds.values() if getattr(d, "order", None)}
    touched |= {book.of("invoice")[d.invoice].order for d in docs["credit-note"].values()
                if d.invoice in book.of("invoice") and book.of("invoice")[d.invoice].order}
    so = orders(book)
    return _sales_problems(book, {i: so[i] for i in sorted(touched) if i in so}, docs)


@rule(reads=("account", "credit-note", "delivery", "invoice", "item", "journal", "partner", "sales-order",
             "stock-move", "warehouse"), lookups=("journal", "stock-move"),
      delta=lambda book, change, facts: _sales_delta(book, change), stream=keeping(named_by_document))
def sales_rules(book: Book) -> list[Problem]:
    """Known customers, items and warehouses; delivered <= ordered, invoiced <= delivered;
    documents agree with their moves and journal entries."""
    return _sales_problems(book, orders(book), {kind: book.of(kind) for kind in ("delivery", "invoice", "credit-note")})


def _sales_problems(book: Book, checked_orders: dict, checked_docs: dict[str, dict]) -> list[Problem]:
    """The problems of the orders and documents checked, looked up in the whole book."""
    out: list[Problem] = []
    partners = book.of("partner")
    its = items(book)
    from ..stock import moves

    mvs = moves(book)
    for ident, so in checked_orders.items():
        src = book.source("sales-order", ident)

        def over_invoiced(i: int, ln: SalesLine, ident: str = ident, src: str = src) -> list[Problem]:
            stocked = ln.item in its and its[ln.item].stocked
            billed, limit = invoiced(book, ident, i), delivered(book, ident, i) if stocked else ln.qty
            if billed <= limit:
                return []
            return [Problem(src, 0, "over-invoicing", f"{ident} line {i}: {qty_text(billed)} invoiced, "
                            f"{qty_text(limit)} " + ("delivered" if stocked else "ordered"),
                            "invoice what was delivered; correct with a credit note", loc=("lines", i - 1))]

        out += order_problems(book, "sales-order", ident, so, "customer", "",
                              partial(delivered, book, ident), "delivered", "over-delivery",
                              "a delivery beyond the order needs a new order line", over_invoiced)
    # a delivery invoiced twice: the invoices checked against every invoice of the book, in order
    checked_invoices = checked_docs["invoice"]
    seen_dn: dict[str, str] = {}
    if checked_invoices is not book.of("invoice"):  # the other invoices of the checked ones' deliveries
        for dn in {dn for inv in checked_invoices.values() for dn in inv.deliveries}:
            other = next((inv.id for inv in where(book, "invoice", "deliveries", dn)
                          if inv.id not in checked_invoices), None)
            if other is not None:
                seen_dn[dn] = other
    for kind in ("delivery", "invoice", "credit-note"):
        for ident, doc in checked_docs[kind].items():
            src = book.source(kind, ident)
            if doc.partner not in partners:
                out.append(Problem(src, 0, "unknown-partner", f"{ident}: partner {doc.partner} does not exist",
                                   "fix `partner:`", loc=("partner",)))
            order = getattr(doc, "order", None)
            if order is not None and order not in orders(book):
                out.append(Problem(src, 0, "unknown-order", f"{ident}: order {order} does not exist",
                                   "fix `order:`", loc=("order",)))
            for fld in ("entry", "stock_entry"):
                ref = getattr(doc, fld, None)
                if ref and ref not in book.entries:
                    out.append(Problem(src, 0, "missing-entry", f"{ident}: journal entry {ref} does not exist",
                                       "restore the entry the document was written with", loc=(fld,)))
            if kind == "invoice":
                for dn in doc.deliveries:
                    if dn in seen_dn:
                        out.append(Problem(src, 0, "invoiced-twice",
                                           f"{ident}: delivery {dn} is also invoiced by {seen_dn[dn]}",
                                           "a delivery is invoiced once; credit one of the invoices", loc=("deliveries",)))
                    seen_dn[dn] = ident
                    if dn not in book.of("delivery"):
                        out.append(Problem(src, 0, "unknown-delivery", f"{ident}: delivery {dn} does not exist",
                                           "fix `deliveries:`", loc=("deliveries",)))
            if kind == "credit-note" and doc.invoice not in book.of("invoice"):
                out.append(Problem(src, 0, "unknown-invoice", f"{ident}: invoice {doc.invoice} does not exist",
                                   "fix `invoice:`", loc=("invoice",)))
            if kind in ("invoice", "credit-note"):
                entry = book.entries.get(doc.entry)
                if entry is not None:
                    ar = sum((p.amount for p in entry.postings if p.account == book.settings.accounts.receivable), ZERO)
                    expected = doc.total if kind == "invoice" else -doc.total
                    if ar != expected:
                        out.append(Problem(src, 0, "document-entry-mismatch",
                                           f"{ident}: entry {doc.entry} posts {ar:f} to receivables, the document "
                                           f"says {expected:f}", "a document and its entry are written together; "
                                           "restore them", loc=("entry",)))
            for i, ln in enumerate(doc.lines):
                move = getattr(ln, "move", None)
                if move is None:
                    continue
                m = mvs.get(move)
                if m is None or m.item != ln.item or m.qty != (ln.qty if kind == "delivery" else ln.returned) \
                        or m.value != ln.value:
                    out.append(Problem(src, 0, "document-move-mismatch",
                                       f"{ident} line {i + 1}: stock move {move} "
                                       + ("does not exist" if m is None else "does not match the line"),
                                       "a document and its moves are written together; restore them",
                                       loc=("lines", i, "move")))
    return out


def _numbering_delta(book: Book, change) -> list[Problem] | None:
    """Invoices and credit notes added (none replaced) to a book that had no errors: the added
    ones' fiscal years, and the series they are numbered in (duplicates, gaps), the others looked
    at by their numbers alone (values_of: none decoded for a write served them one by one)."""
    if change.replaced & {"invoice", "credit-note"}:
        return None
    return _numbering_problems(book, {kind: change.added.get(kind, {}) for kind in ("invoice", "credit-note")})


@rule(reads=("credit-note", "invoice"), delta=lambda book, change, facts: _numbering_delta(book, change))
def document_numbering(book: Book) -> list[Problem]:
    """Invoice and credit-note numbers: unique, without gaps per series and fiscal year, and in
    the fiscal year of their date (EU VAT directive art. 226(2))."""
    return _numbering_problems(book, None)


def _numbering_problems(book: Book, added: dict[str, dict] | None) -> list[Problem]:
    """The numbering problems of every invoice and credit note (`added` None), or of the series the
    added ones are numbered in, the others' dates taken as right (the book had no errors)."""
    out: list[Problem] = []
    for kind, label in (("invoice", "invoice"), ("credit-note", "credit note")):
        series: dict[tuple[str, int], dict[int, list]] = {}
        if added is not None:
            _series_of(book, kind, added[kind], series)
        for ident, doc in (light(book, kind).items() if added is None else added[kind].items()):
            parts = split_number(doc.number)
            src = book.source(kind, ident)
            if parts is None:
                continue
            prefix, year, seq = parts
            fy = book.settings.fiscal_year_of(doc.date)
            if year != fy:
                out.append(Problem(src, 0, "number-year", f"{label} {doc.number} ({ident}) is dated {doc.date}, "
                                   f"in fiscal year {fy}", "number it in the series of its own fiscal year",
                                   loc=("number",)))
            if added is None:
                series.setdefault((prefix, year), {}).setdefault(seq, []).append(doc)
        for (prefix, year), numbers in sorted(series.items()):
            for _seq, docs in sorted(numbers.items()):
                if len(docs) > 1:
                    ids = ", ".join(sorted(d.id for d in docs))
                    for d in sorted(docs, key=lambda d: d.id):
                        out.append(Problem(book.source(kind, d.id), 0, "duplicate-number",
                                           f"{label} number {d.number} is used {len(docs)} times ({ids})",
                                           "two branches numbered an invoice alike: on the branch that is not merged "
                                           f"yet, run `comptoir sales renumber {d.id}` to give it the next free "
                                           "number", loc=("number",)))
            present = sorted(numbers)
            missing = sorted(set(range(1, present[-1] + 1)) - set(present))
            if missing:
                shown = ", ".join(f"{prefix}{year}-{m:04d}" for m in missing[:5]) + (" ..." if len(missing) > 5 else "")
                after = next(d for s in present if s > missing[0] for d in numbers[s])
                out.append(Problem(book.source(kind, after.id), 0, "number-gap",
                                   f"{label} numbers of {year} have a gap: {shown} missing",
                                   "a number is never skipped or deleted: restore the missing record, or renumber "
                                   "the later ones if they are not merged yet", loc=("number",)))
    return out


def _series_of(book: Book, kind: str, added: dict, series: dict[tuple[str, int], dict[int, list]]) -> None:
    """The series (prefix, year) the `added` records are numbered in: each number -> its records,
    those of a write served its documents one by one looked up only when used (a duplicate, the
    record after a gap), a series of 6,000 invoices checked by their numbers alone."""
    wanted = {parts[:2] for doc in added.values() if (parts := split_number(doc.number)) is not None}
    if not wanted:
        return
    records = light(book, kind)
    ids_where = getattr(records, "ids_where", None)
    if ids_where is None:
        for doc in records.values():
            parts = split_number(doc.number)
            if parts is not None and parts[:2] in wanted:
                series.setdefault(parts[:2], {}).setdefault(parts[2], []).append(doc)
        return
    for number in values_of(book, kind, "number"):
        parts = split_number(number)
        if parts is not None and parts[:2] in wanted:
            series.setdefault(parts[:2], {}).setdefault(parts[2], _Numbered(records, ids_where("number", number)))


class _Numbered(list):
    """The records of one number, decoded when first iterated over; their count known from the ids."""

    def __init__(self, records, ids: list[str]) -> None:
        super().__init__()
        self._ids: list[str] | None = ids
        self._records = records
        self._count = len(ids)

    def __len__(self) -> int:
        return self._count

    def __iter__(self):
        if self._ids is not None:
            self.extend(self._records[i] for i in self._ids)
            self._ids = None
        return super().__iter__()


# What this module adds to its family (comptoir.families collects these lists).
RULES = [sales_rules, document_numbering]
