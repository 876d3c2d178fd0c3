"""Tax codes on document lines: the code a line takes and the accounts its tax posts to.
"""

from __future__ import annotations

from comptoir.errors import fail
from comptoir.model import Book
from comptoir.schemas.tax import TaxCode

from ..stock import items


def tax_codes(book: Book) -> dict[str, TaxCode]:
    return book.of("tax-code")


def get_tax(book: Book, code: str | None) -> TaxCode | None:
    if code is None:
        return None
    tax = tax_codes(book).get(code)
    if tax is None:
        known = ", ".join(sorted(tax_codes(book))) or "none yet"
        raise fail("unknown-tax-code", f"there is no tax code {code}",
                   f"use one of: {known}; add one with `comptoir tax add CODE NAME --rate PCT`")
    if not tax.active:
        raise fail("inactive-tax-code", f"tax code {code} is inactive", "use another code or reactivate it")
    return tax


def default_tax(book: Book, line_code: str | None, document_code: str | None, partner, sku: str | None
                ) -> str | None:
    """The tax code of a document line: its own, else the document's --tax, else the partner's
    default, else the item's."""
    if line_code or document_code:
        return line_code or document_code
    if partner is not None and getattr(partner, "tax", None):
        return partner.tax
    it = items(book).get(sku) if sku else None
    return it.tax if it is not None else None


def collected_account(book: Book, code: str | None) -> str:
    tax = tax_codes(book).get(code) if code else None
    return (tax.collected_account if tax and tax.collected_account else None) or book.settings.accounts.output_tax


def paid_account(book: Book, code: str | None) -> str:
    tax = tax_codes(book).get(code) if code else None
    return (tax.paid_account if tax and tax.paid_account else None) or book.settings.accounts.input_tax
