"""Sales reports as data (their tables: comptoir.views.sales): revenue and margin, open orders
(sales and purchases) with their risks, the overview section and the review's document effect.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from comptoir.model import Book
from comptoir.schemas.types import currency_places

from ..diff import effect
from ..documents.balances import open_items
from ..documents.facts import facts_of
from ..documents.lines import is_stocked
from ..documents.parties import to_base
from ..ledger import ZERO, round_to
from ..overview import section
from ..table import Table, money, text
from .common import delivered_by_line, orders, status
from .ordering import in_base, order_gross
from .promises import open_lines, promise_risks

# The record kinds each report reads (see READS in .lists); the periodic variant reads the same.
READS = {"sales_rows": ("delivery", "invoice", "credit-note"),
         # and the stock levels (served from partials by the command): moves dated after the day only
         "open_order_rows": ("sales-order", "item", "delivery", "work-order", "completion", "purchase-order",
                               "receipt", "supplier-return", "invoice", "bill", "debit-note")}
# Of those, the kinds a report reads only some fields of (comptoir.domain.documents.facts): a command
# may serve them as light records derived per folder (comptoir.app.docfacts).
FACTS = {"sales_rows": facts_of("delivery", "invoice", "credit-note"),
         "open_order_rows": facts_of("sales-order", "delivery", "purchase-order", "receipt", "supplier-return",
                                     "invoice", "bill", "debit-note")}


def sales_rows(book: Book, start: dt.date | None, end: dt.date | None,
               by: tuple[str, ...]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Invoiced quantity, revenue, cost of what was delivered for it and margin, less credit notes
    (base currency), grouped by customer, item and month: the rows and their totals."""
    p = currency_places(book.base)
    groups: dict[tuple, dict] = {}
    dns = book.of("delivery")

    def inside(day: dt.date) -> bool:
        return (start is None or day >= start) and (end is None or day <= end)

    def cell(partner: str, item: str, day: dt.date) -> dict:
        key = tuple({"customer": partner, "item": item, "month": f"{day:%Y-%m}"}[d] for d in by)
        if key not in groups:
            groups[key] = {**dict(zip(by, key, strict=True)), "qty": ZERO, "revenue": ZERO, "cost": ZERO}
        return groups[key]

    for inv in book.of("invoice").values():
        if not inside(inv.date):
            continue
        for ln in inv.lines:
            c = cell(inv.partner, ln.item or "", inv.date)
            c["qty"] += ln.qty
            c["revenue"] += to_base(book, ln.net, inv.rate)
            if ln.line is None:
                continue
            values = [x.value for d in inv.deliveries if d in dns for x in dns[d].lines if x.line == ln.line]
            if values:
                c["cost"] += sum(values, ZERO)
            elif inv.order:
                got_qty, got_value = delivered_by_line(book).get(inv.order, {}).get(ln.line, [ZERO, ZERO])
                if got_qty:
                    c["cost"] += round_to(got_value * ln.qty / got_qty, p)
    for cn in book.of("credit-note").values():
        if not inside(cn.date):
            continue
        for ln in cn.lines:
            c = cell(cn.partner, ln.item or "", cn.date)
            c["qty"] -= ln.returned
            c["revenue"] -= to_base(book, ln.net, cn.rate)
            c["cost"] -= ln.value
    rows = []
    for key in sorted(groups):
        r = groups[key]
        r["margin"] = r["revenue"] - r["cost"]
        r["margin_pct"] = round_to(r["margin"] * 100 / r["revenue"], 1) if r["revenue"] else None
        rows.append(r)
    totals: dict[str, Any] = {by[0]: "Total",
                              **{k: sum((r[k] for r in rows), ZERO) for k in ("qty", "revenue", "cost", "margin")}}
    totals["margin_pct"] = round_to(totals["margin"] * 100 / totals["revenue"], 1) if totals["revenue"] else None
    return rows, totals


def open_order_rows(book: Book, today: dt.date, side: str | None = None) -> list[dict[str, Any]]:
    """What is still to deliver and to receive, with promised and expected dates and the risk."""
    from .. import purchasing

    rows = []
    if side in (None, "sales"):
        risks = promise_risks(book, today)
        for so, n, line, qty, _ in open_lines(book):
            risk = risks.get((so.id, n), "")
            rows.append({"side": "sales", "order": so.id, "line": n, "partner": so.partner, "item": line.item,
                         "warehouse": line.warehouse, "open": qty, "requested": line.requested,
                         "date": line.promised, "status": status(book, so),
                         "risk": risk.split(":")[0] if risk else "on time", "why": risk.split(": ", 1)[-1] if risk else ""})
    if side in (None, "purchases"):
        for po in purchasing.orders(book).values():
            for n, pl in enumerate(po.lines, 1):
                qty = purchasing.open_qty(book, po, n)
                if qty <= 0 or not is_stocked(book, pl.item):
                    continue
                late = pl.expected is not None and pl.expected < today
                rows.append({"side": "purchases", "order": po.id, "line": n, "partner": po.partner,
                             "item": pl.item, "warehouse": pl.warehouse or "", "open": qty, "requested": None,
                             "date": pl.expected, "status": purchasing.status(book, po),
                             "risk": "overdue" if late else "on time",
                             "why": f"expected {pl.expected}, not received" if late else ""})
    rows.sort(key=lambda r: (r["side"] != "sales", r["date"] or dt.date.max, r["order"], r["line"]))
    return rows


@section
def sales_overview(book: Book, today: dt.date) -> list[dict]:
    if not orders(book) and not book.of("bill"):
        return []
    # once per order, not per measure; invoiced or paid alike (neither is open nor still to invoice)
    statuses = {so.id: status(book, so, paid=False) for so in orders(book).values()}
    open_orders = [so for so in orders(book).values() if statuses[so.id] in ("confirmed", "partly delivered")]
    to_invoice = sum((in_base(book, order_gross(book, so, remaining=True), so.currency, today)
                      for so in orders(book).values() if so.confirmed and statuses[so.id] not in ("paid", "invoiced")),
                     ZERO)
    overdue_ar = sum((i.base(book) for i in open_items(book, "receivable", today).open_for()
                      if i.open > 0 and i.due < today), ZERO)
    overdue_ap = sum((i.base(book) for i in open_items(book, "payable", today).open_for()
                      if i.open > 0 and i.due < today), ZERO)
    risks = promise_risks(book, today)
    return [
        {"section": "Sales", "measure": "Open sales orders (to deliver)", "value": len(open_orders)},
        {"section": "Sales", "measure": "Ordered, not invoiced yet (with tax)", "value": to_invoice},
        {"section": "Sales", "measure": "Overdue receivables", "value": overdue_ar},
        {"section": "Sales", "measure": "Order lines late or at risk", "value": len(risks)},
        {"section": "Purchasing", "measure": "Overdue payables", "value": overdue_ap},
    ]


@effect
def documents_effect(base: Book, head: Book) -> Table:
    """Sales, purchase and payment documents added, and the order statuses that changed."""
    from .. import purchasing

    rows = []
    for kind in ("invoice", "credit-note", "bill", "payment", "delivery", "receipt"):
        old = base.of(kind)
        for ident, d in sorted(head.of(kind).items()):
            if ident in old:
                continue
            amount = getattr(d, "total", None) if kind != "payment" else d.amount
            if amount is None:
                amount = sum((x.value for x in d.lines), ZERO)
            cur = getattr(d, "currency", None) or head.base
            rows.append({"kind": kind, "id": ident, "number": getattr(d, "number", ""), "partner": d.partner,
                         "amount": amount, "currency": cur if kind not in ("delivery", "receipt") else head.base,
                         "status": ""})
    for kind, fn in (("sales-order", status), ("purchase-order", purchasing.status)):
        old = base.of(kind)
        for ident, d in sorted(head.of(kind).items()):
            after = fn(head, d)
            before = fn(base, old[ident]) if ident in old else "new"
            if before != after:
                rows.append({"kind": kind, "id": ident, "number": "", "partner": d.partner, "amount": None,
                             "currency": "", "status": f"{before} -> {after}"})
    cols = [text("kind", "Kind"), text("id", "Id"), text("number", "Number"), text("partner", "Partner"),
            money("amount", "Amount"), text("currency", "Cur"), text("status", "Status")]
    return Table("documents", cols, rows, title="Sales, purchase and payment documents")


SECTIONS = [sales_overview]


EFFECTS = [documents_effect]
