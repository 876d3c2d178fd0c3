"""What sales, purchasing and payments share, as a package: document lines and their amounts,
tax codes, partners, currencies, rates and due dates, sequential numbers, the open items of
receivables and payables, and the order core (what happened to each order line, picking lines to
deliver or receive, the checks on order references and quantities, the list and show rows).

lines (line input and amounts), taxes (tax codes and their accounts), parties (partners,
currencies, rates, terms), numbering (invoice and credit-note numbers), balances (open items)
and orders (the order core sales and purchasing both build on). A record from command input is
built by comptoir.domain.inputs.validated (also importable from here).

Open items are computed, never stored: an invoice is open for its total less the payments
allocated to it and the credit notes against it; a payment's unallocated part and a credit
note's unapplied part stay open as credits on the partner. Postings to the receivable and
payable accounts that no document wrote (a hand-posted supplier invoice) are open items too,
grouped by reference, so the aging reports always add up to the accounts' balances.
"""

from __future__ import annotations

from ..inputs import validated
from .balances import (
    OpenItem,
    OpenItems,
    document_entries,
    named_by_document,
    open_items,
    partner_balance,
    rounding_postings,
    settle_rounding,
    side_accounts,
)
from .lines import (
    HUNDRED,
    LineInput,
    check_item,
    is_stocked,
    line_net,
    parse_line,
    picks,
    places_for,
    qty_text,
    tax_on,
)
from .numbering import next_number, split_number
from .orders import moved_by_line
from .parties import DEFAULT_TERMS_DAYS, doc_currency, doc_rate, get_partner_as, terms_of, to_base
from .taxes import collected_account, default_tax, get_tax, paid_account, tax_codes

__all__ = [
    "DEFAULT_TERMS_DAYS", "HUNDRED", "LineInput", "OpenItem", "OpenItems", "check_item",
    "collected_account", "default_tax", "doc_currency", "doc_rate", "document_entries", "named_by_document", "get_partner_as",
    "get_tax", "is_stocked", "line_net", "moved_by_line", "next_number", "open_items", "paid_account",
    "parse_line", "partner_balance", "picks", "places_for", "qty_text", "rounding_postings", "settle_rounding",
    "side_accounts", "split_number",
    "tax_codes", "tax_on", "terms_of", "to_base", "validated",
]
