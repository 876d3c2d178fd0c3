"""A partner's statement of account as a document to send: the rows of the `statement` report
(invoices, credit notes, payments, the running balance, what is open) laid out by an HTML template
the book can override (templates/statement.html), then printed to PDF like an invoice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .printing import BASE_STYLE

STATEMENT_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ doc.title }} {{ doc.buyer.name }} {{ doc.date }}</title>
<style>
""" + BASE_STYLE.lstrip("\n") + """  .grand td { font-weight: bold; border-top: 1px solid #999; }
</style></head>
<body>
<header>
  <div><div class="seller">{{ doc.seller.name }}</div>
    {% for line in doc.seller.address %}<div>{{ line }}</div>{% endfor %}
    {% if doc.seller.vat_id %}<div>VAT: {{ doc.seller.vat_id }}</div>{% endif %}
  </div>
  <div>
    <h1>{{ doc.title }}</h1>
    <div>Date: {{ doc.date }}</div>
    {% if doc.start %}<div>From: {{ doc.start }}</div>{% endif %}
    <div>Currency: {{ doc.currency }}</div>
  </div>
</header>
<div class="buyer">
  <div><strong>{{ doc.buyer.name }}</strong></div>
  {% for line in doc.buyer.address %}<div>{{ line }}</div>{% endfor %}
</div>
<table>
  <tr><th>Date</th><th>Document</th><th>Number</th><th>Due</th><th class="num">{{ doc.charge_header }}</th>
      <th class="num">Paid / credited</th><th class="num">Balance</th><th class="num">Open</th></tr>
  {% for r in doc.rows %}
  <tr><td>{{ r.date }}</td><td>{{ r.kind }}</td><td>{{ r.number }}</td><td>{{ r.due }}</td>
      <td class="num">{{ r.charge }}</td><td class="num">{{ r.credit }}</td><td class="num">{{ r.balance }}</td>
      <td class="num">{{ r.open }}</td></tr>
  {% endfor %}
  <tr class="grand"><td colspan="7">Open on {{ doc.date }}</td><td class="num">{{ doc.open }} {{ doc.currency }}</td></tr>
</table>
{% for note in doc.notes %}<p>{{ note }}</p>{% endfor %}
{% if doc.side == "receivable" and doc.seller.iban and doc.owed %}<p>Please pay to IBAN {{ doc.seller.iban }}{% if doc.seller.bic %}
  (BIC {{ doc.seller.bic }}){% endif %}, quoting the invoice numbers.</p>{% endif %}
</body></html>
"""


def statement_view(book, partner_id: str, day: dt.date, side: str | None = None,
                   start: dt.date | None = None) -> dict[str, Any]:
    """What the statement template shows: the statement report's rows, amounts as text."""
    from comptoir.domain.payments import statement
    from comptoir.schemas.types import currency_places

    from .printing import partner_view, seller_view

    st = statement(book, partner_id, day, side, start)
    cur = st.currency
    places = currency_places(cur)

    def amount(value) -> str:
        return "" if value is None else f"{value:,.{places}f}"

    rows = [{"date": r["date"].isoformat(), "kind": r["kind"], "document": r["document"],
             "number": r["number"] or r["document"], "due": r["due"].isoformat() if r["due"] else "",
             "charge": amount(r["charge"]), "credit": amount(r["credit"]), "balance": amount(r["balance"]),
             "open": amount(r["open"])} for r in st.rows]
    side = st.side
    return {"kind": "statement", "title": "Statement of account", "date": day.isoformat(),
            "start": start.isoformat() if start else None, "side": side, "currency": cur,
            "seller": seller_view(book.settings), "buyer": partner_view(book, partner_id),
            "charge_header": "Invoiced" if side == "receivable" else "Billed",
            "rows": rows, "open": amount(st.open_total), "owed": st.open_total > 0,
            "notes": st.notes()}


def render_statement(view: dict[str, Any], template: str | None = None) -> str:
    from .printing import render_html

    return render_html(view, template, STATEMENT_TEMPLATE, "statement.html")
