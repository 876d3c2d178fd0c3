"""Order to cash, as a package split by responsibility: quotes and orders with promise dates,
deliveries, invoices and credit notes.

| event       | debit                                     | credit                            |
|-------------|-------------------------------------------|-----------------------------------|
| delivery    | cost of goods sold                        | inventory (valuation at delivery) |
| invoice     | accounts receivable (gross)               | revenue (net); output tax         |
| credit note | revenue; output tax; inventory (returns)  | receivable; cost of goods sold    |

A confirmed order's undelivered quantities are reserved stock (availability "reserved" events
dated by each line's promised date), so the next promise accounts for them. An order's status
is computed from the documents that follow it: draft -> confirmed -> partly delivered ->
delivered -> invoiced -> paid (or cancelled).

common (lookups, what happened to each order line, statuses), promises (reservations and the
promises at risk), ordering (quotes, orders, credit limits), delivering, invoicing, credit_notes,
lists (the list and show tables), reports (the sales and open-orders reports, the overview
section, the review's document effect) and rules (the checks on stored records). What sales and
purchasing share is in comptoir.domain.documents. The family registry (comptoir.families)
reaches rules.RULES, promises.PROVIDERS and reports.SECTIONS/EFFECTS.
"""

from __future__ import annotations

from .common import (
    CREDIT_SERIES,
    INVOICE_SERIES,
    STATUSES,
    credited_by_line,
    delivered,
    delivered_by_line,
    deliveries_of,
    get_invoice,
    get_order,
    invoice_of_delivery,
    invoice_status,
    invoiced,
    invoiced_by_line,
    invoices_of,
    orders,
    status,
    to_deliver,
)
from .credit_notes import CreditResult, credit_note, return_cost
from .delivering import DeliveryResult, deliver
from .invoicing import invoice, renumber
from .lists import find_document, find_order, invoice_rows, order_rows
from .ordering import (
    OpportunityOrder,
    OrderResult,
    cancel_order,
    confirm_order,
    credit_exposure,
    new_order,
    order_from_opportunity,
    order_gross,
    order_net,
)
from .promises import open_sales_lines, promise_risks
from .reports import documents_effect, open_order_rows, sales_overview, sales_rows
from .rules import document_numbering, sales_rules

__all__ = [
    "CREDIT_SERIES", "INVOICE_SERIES", "STATUSES", "CreditResult", "DeliveryResult", "OpportunityOrder",
    "OrderResult", "cancel_order", "confirm_order", "credit_exposure", "credit_note", "credited_by_line",
    "deliver", "delivered", "delivered_by_line", "deliveries_of", "document_numbering", "find_document", "find_order",
    "documents_effect", "get_invoice", "get_order", "invoice", "invoice_of_delivery", "invoice_status",
    "invoiced", "invoiced_by_line", "invoices_of", "invoice_rows", "new_order", "open_order_rows",
    "open_sales_lines", "order_from_opportunity", "order_gross", "order_net", "orders",
    "order_rows", "promise_risks", "renumber", "return_cost", "sales_overview", "sales_rows",
    "sales_rules", "status", "to_deliver",
]
