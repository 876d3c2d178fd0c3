"""Procure to pay, as a package split by responsibility: purchase orders, goods receipts and
supplier bills, and what is still to come.

| event   | debit                                       | credit                   |
|---------|---------------------------------------------|--------------------------|
| receipt | inventory (qty x order price at the rate)   | goods received not invoiced |
| bill    | GRNI (value received), input tax, variance  | accounts payable (gross) |

An order's open quantities are incoming supply for availability and promise dates, dated by
each line's expected receipt date. Statuses are computed from the receipts, bills and payments.

common (lookups, what was received and billed on each order line, statuses), provider (open lines
as incoming supply), ordering (orders, rescheduling, cancelling), receiving (receipts and returns
to the supplier), billing (bills, charges and landed costs), debit_notes, lists (the list and
show tables and the purchases report) and rules (the checks on stored records). What sales and
purchasing share is in comptoir.domain.documents. The family registry (comptoir.families)
reaches rules.RULES and provider.PROVIDERS.
"""

from __future__ import annotations

from .billing import BillPick, BillResult, Charge, bill, billable
from .common import (
    STATUSES,
    billed,
    billed_by_line,
    bills_of,
    get_order,
    open_qty,
    orders,
    received,
    received_by_line,
    status,
)
from .debit_notes import debit_note
from .lists import bill_rows, order_rows, purchase_rows
from .ordering import cancel, new_order, order_value, reschedule
from .provider import open_purchase_lines
from .receiving import ReceiptResult, ReturnResult, receive, return_goods
from .rules import purchasing_rules

__all__ = [
    "STATUSES", "BillPick", "BillResult", "Charge", "ReceiptResult", "ReturnResult", "bill", "billable",
    "billed", "billed_by_line", "bills_of", "bill_rows", "cancel", "debit_note", "get_order",
    "new_order", "open_purchase_lines", "open_qty", "order_value", "orders",
    "order_rows", "purchase_rows", "purchasing_rules", "receive", "received", "received_by_line",
    "reschedule", "return_goods", "status",
]
