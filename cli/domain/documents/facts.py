"""The fields of each sales and purchasing document the lists, reports and document writes read.

A report on documents reads few fields of each: the open items an invoice's id, partner, dates,
currency, rate and total and a payment's allocations; the order statuses the order and the line
quantities of deliveries and invoices. A report may be served these fields alone, as light records
derived per folder and kept in the one store (comptoir.app.docfacts), instead of validating every
document file. The writes are served the same (`light`): what a sales order, delivery, invoice or
payment goes through every document for (open items, order lines, reservations, numbering, the
documents' entries). One set of fields per kind, the union of what the served reports and writes
read, so that they share what is kept; a field not named here fails loudly (AttributeError), and
tests/test_op_partials.py and tests/test_write_docfacts.py run each served report and write against
the full read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from comptoir.model import Book

_CHARGE = ("id", "number", "partner", "date", "due", "currency", "rate", "total", "order", "entry")
_NOTE = ("id", "number", "partner", "date", "currency", "rate", "total", "entry")
_BILLED = ("line", "item", "qty", "net", "tax", "tax_amount", "order", "cleared", "variance", "landed")
_MOVED = ("line", "item", "qty", "warehouse", "value")

# kind -> its fields; a nested record (or list of them) as (name, its fields)
FIELDS: dict[str, tuple] = {
    "invoice": (*_CHARGE, "deliveries", ("lines", ("line", "item", "qty", "net", "tax", "tax_amount"))),
    "bill": (*_CHARGE, ("lines", _BILLED)),
    "credit-note": (*_NOTE, "stock_entry", "invoice", ("lines", ("line", "item", "qty", "returned", "net", "tax", "tax_amount", "value"))),
    "debit-note": (*_NOTE, "bill", ("lines", _BILLED)),
    "payment": ("id", "date", "direction", "settles", "refund", "reference", "partner", "currency", "rate", "amount",
                "unallocated", "entry", ("allocations", ("document", "amount"))),
    "application": ("id", "date", "side", "partner", "document", "credit", "amount", "entry"),
    "delivery": ("id", "date", "order", "partner", "entry", ("lines", _MOVED)),
    "receipt": ("id", "date", "order", "partner", "rate", "entry", ("lines", _MOVED)),
    "supplier-return": ("id", "date", "order", "partner", "entry", ("lines", _MOVED)),
    "sales-order": ("id", "date", "partner", "confirmed", "cancelled", "valid_until", "currency",
                    "payment_terms_days", "customer_reference", "opportunity",
                    ("lines", ("item", "qty", "price", "discount", "tax", "warehouse", "requested", "promised"))),
    "purchase-order": ("id", "date", "partner", "currency", "payment_terms_days", "supplier_reference", "cancelled",
                       ("lines", ("item", "qty", "price", "discount", "tax", "warehouse", "expected"))),
}
# The kinds the tax report and the VAT return read (with the tax codes).
TAXED = ("invoice", "credit-note", "bill", "debit-note")
# The kinds open_items reads, per side (with the partners).
OPEN_ITEMS = {"receivable": ("invoice", "credit-note", "payment", "application"),
              "payable": ("bill", "debit-note", "payment", "application")}


def facts_of(*kinds: str) -> dict[str, tuple]:
    """The fields of these kinds: what a list or report declares it may be served (its FACTS)."""
    return {k: FIELDS[k] for k in kinds}


def light(book: Book, kind: str) -> Mapping[str, Any]:
    """Every record of `kind` (one of FIELDS), each with at least its FIELDS: what the rules and
    the write's own computations that go through every document read (open items, what each
    order line has had, reservations, the next invoice number). A write's book read on demand is
    served them from the store ("documents.light", comptoir.app.facts) with the write's own
    records over HEAD's; any other book gives its records."""
    served = book.fact("documents.light")
    records = book.of(kind)
    found = served(kind, records) if served is not None else None
    return records if found is None else found


def served_lazily(book: Book, kind: str) -> bool:
    """Whether a write is served `kind` as light records decoded one by one (comptoir.app.docfacts.
    Light): then a document's own lines are found through `where`, not through a table of every
    document, which would decode them all."""
    return hasattr(light(book, kind), "ids_where")


def where(book: Book, kind: str, field: str, value: Any) -> list[Any]:
    """The records of `kind` (light, as `light` gives them) whose `field` is `value` (or, a list of
    ids, holds it), in the book's order: through the served index of that field, else by looking
    at each."""
    records = light(book, kind)
    ids_where = getattr(records, "ids_where", None)
    if ids_where is not None:
        return [records[i] for i in ids_where(field, value)]
    return [r for r in records.values() if _is(getattr(r, field), value)]


def added(book: Book, kind: str) -> Mapping[str, Any]:
    """The records of `kind` a write's book has over HEAD's (its own, added or replacing); empty
    for any other book."""
    return getattr(light(book, kind), "overlay", None) or getattr(book.of(kind), "overlay", None) or {}


def replaced(book: Book, kind: str) -> list[Any]:
    """HEAD's records of `kind` a write's book replaces with its own (as light records)."""
    records = light(book, kind)
    head = getattr(records, "head", None)
    return [head[i] for i in getattr(records, "overlay", {}) if i in head] if head is not None else []


def values_of(book: Book, kind: str, field: str) -> list[Any]:
    """Every record's `field` (a number, an id): from the stored rows when a write is served them
    one by one, none decoded; else from each record."""
    records = light(book, kind)
    given = getattr(records, "values_of", None)
    return given(field) if given is not None else [getattr(r, field) for r in records.values()]


def _is(held: Any, value: Any) -> bool:
    return value in held if isinstance(held, list) else held == value
