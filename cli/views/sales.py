"""Sales tables: the order list, one order with its lines, the invoice list, one document, the sales
report and the open orders."""

from __future__ import annotations

import datetime as dt

from comptoir.domain.book import Book
from comptoir.domain.documents import orders as core
from comptoir.domain.sales.common import (
    delivered,
    deliveries_of,
    invoice_status,
    invoiced,
    invoices_of,
    status,
    to_deliver,
)
from comptoir.domain.sales.lists import FACTS as LIST_FACTS
from comptoir.domain.sales.lists import READS as LISTS
from comptoir.domain.sales.lists import find_document, find_order, invoice_rows, order_rows
from comptoir.domain.sales.reports import FACTS as REPORT_FACTS
from comptoir.domain.sales.reports import READS as REPORTS
from comptoir.domain.sales.reports import open_order_rows, sales_rows
from comptoir.domain.table import Column, Table, money, text
from comptoir.schemas.sales import SalesOrder
from comptoir.schemas.types import currency_places

# The kinds each table reads: those of the list it shows (comptoir.commands._docs loads only these).
READS = {"orders_table": LISTS["order_rows"], "invoices_table": LISTS["invoice_rows"],
         "sales_table": REPORTS["sales_rows"], "open_orders_table": REPORTS["open_order_rows"]}
# Of those, the kinds a table may be served as light records of some fields (see FACTS in the lists).
FACTS = {"orders_table": LIST_FACTS["order_rows"], "invoices_table": LIST_FACTS["invoice_rows"],
         "sales_table": REPORT_FACTS["sales_rows"], "open_orders_table": REPORT_FACTS["open_order_rows"]}


def orders_table(book: Book, status_filter: str | None = None, partner: str | None = None) -> Table:
    cols = [*core.order_columns("Customer"), Column("promised", "Promised", "date"),
            text("reference", "Their reference"), text("opportunity", "Opportunity")]
    return Table("sales-orders", cols, order_rows(book, status_filter, partner), title="Sales quotes and orders")


def order_detail(book: Book, so: SalesOrder) -> Table:
    rows, places = core.line_rows(book, so, lambda i, ln: {
        "requested": ln.requested, "promised": ln.promised, "delivered": delivered(book, so.id, i),
        "invoiced": invoiced(book, so.id, i), "open": to_deliver(book, so, i)})
    cols = [*core.line_columns(places), Column("requested", "Requested", "date"), Column("promised", "Promised", "date"),
            Column("delivered", "Delivered", "qty"), Column("invoiced", "Invoiced", "qty"),
            Column("open", "To deliver", "qty")]
    st = status(book, so)
    kind = "quote" if so.confirmed is None else "order"
    notes = [f"{kind} {so.id} for {so.partner}, {so.date}, {so.currency or book.base}; status: {st}"]
    if so.confirmed:
        notes.append(f"confirmed {so.confirmed}")
    if so.credit_override:
        notes.append(f"accepted over the credit limit: {so.credit_override}")
    notes += [f"delivery {d.id} on {d.date}: {core.lines_text(d)}" for d in deliveries_of(book, so.id)]
    notes += [f"invoice {i.number} ({i.id}) on {i.date}: total {i.total:,f}, due {i.due}, "
              f"{invoice_status(book, i, book.today or dt.date.today())}" for i in invoices_of(book, so.id)]
    if so.cancelled:
        notes.append(f"cancelled on {so.cancelled}")
    table = Table("sales-order", cols, rows, title=f"Sales {kind} {so.id}", notes=notes)
    table.meta.update({"id": so.id, "status": st, "partner": so.partner, "currency": so.currency or book.base,
                       "deliveries": [d.id for d in deliveries_of(book, so.id)],
                       "invoices": [i.id for i in invoices_of(book, so.id)]})
    return table


def invoices_table(book: Book, today: dt.date, partner: str | None = None, open_only: bool = False) -> Table:
    cols = [text("number", "Number"), text("id", "Id"), *core.document_columns("Customer")]
    return Table("invoices", cols, invoice_rows(book, today, partner, open_only), title="Sales invoices")


def show_table(book: Book, ident: str) -> Table:
    """What `sales show` prints: an order with its lines, or a delivery, invoice or credit note."""
    so = find_order(book, ident)
    return order_detail(book, so) if so is not None else document_table(book, ident)


def document_table(book: Book, ident: str) -> Table:
    """A delivery, invoice or credit note with its lines."""
    kind, doc = find_document(book, ident)
    rows = [ln.model_dump(mode="python", exclude_none=True) for ln in doc.lines]
    keys = list(dict.fromkeys(k for r in rows for k in r))
    cols = [Column(k, k.replace("_", " ").capitalize(),
                   "qty" if k in ("qty", "returned", "discount", "tax_rate") else
                   "money" if k in ("price", "net", "tax_amount", "value") else "int" if k == "line" else "text")
            for k in keys]
    data = doc.model_dump(mode="json", exclude_none=True)
    notes = [f"{k}: {v}" for k, v in data.items() if k != "lines"]
    table = Table(kind, cols, rows, title=f"{kind.replace('-', ' ').capitalize()} {getattr(doc, 'number', doc.id)}",
                  notes=notes)
    table.meta[kind] = data
    return table


def sales_table(book: Book, start: dt.date | None, end: dt.date | None, by: tuple[str, ...]) -> Table:
    """`report sales`: quantity, revenue, cost and margin by the `by` dimensions (base currency)."""
    rows, totals = sales_rows(book, start, end, by)
    p = currency_places(book.base)
    cols = [text(d, d.capitalize()) for d in by] + [
        Column("qty", "Qty", "qty"), money("revenue", "Revenue", p), money("cost", "Cost", p),
        money("margin", "Margin", p), Column("margin_pct", "Margin %", "percent")]
    return Table("sales", cols, rows, totals, title=f"Sales by {', '.join(by)} ({book.base})",
                 notes=["Revenue: invoices less credit notes, net of tax. Cost: the stock value of what was "
                        "delivered for the invoiced lines, less returns."])


def open_orders_table(book: Book, today: dt.date, side: str | None = None) -> Table:
    """`report open-orders`: what is still to deliver and to receive, with dates and the risk."""
    rows = open_order_rows(book, today, side)
    cols = [text("side", "Side"), text("order", "Order"), Column("line", "Line", "int"), text("partner", "Partner"),
            text("item", "Item"), text("warehouse", "Warehouse"), Column("open", "Open qty", "qty"),
            Column("requested", "Requested", "date"), Column("date", "Promised/expected", "date"),
            text("status", "Status"), text("risk", "Risk"), text("why", "Why")]
    at_risk = sum(1 for r in rows if r["risk"] in ("at risk", "late"))
    return Table("open-orders", cols, rows, title=f"Open orders on {today}",
                 notes=[f"{at_risk} promise(s) at risk or late." if at_risk else "Every promise is covered."])
