"""A partner's statement of account as a document to send: the rows of the `statement` report
(invoices, credit notes, payments, the running balance, what is open) laid out by an HTML template
the book can override (templates/statement.html), then printed to PDF like an invoice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from comptoir.errors import fail

STATEMENT_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ doc.title }} {{ doc.buyer.name }} {{ doc.date }}</title>
<style>
  @page { size: A4; margin: 18mm 16mm; }
  body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; font-size: 10pt; color: #222; }
  header { display: flex; justify-content: space-between; margin-bottom: 12mm; }
  h1 { font-size: 18pt; margin: 0 0 2mm 0; }
  .seller { font-weight: bold; font-size: 12pt; }
  .buyer { margin: 6mm 0; }
  table { width: 100%; border-collapse: collapse; margin-top: 4mm; }
  th { text-align: left; border-bottom: 1px solid #999; padding: 2mm 1mm; }
  td { padding: 1.5mm 1mm; border-bottom: 1px solid #eee; }
  .num { text-align: right; }
  .grand td { font-weight: bold; border-top: 1px solid #999; }
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
    from comptoir.domain.payments import statement_table
    from comptoir.schemas.types import currency_places

    from .printing import partner_view, seller_view

    table = statement_table(book, partner_id, day, side, start)
    cur = table.meta["currency"]
    places = currency_places(cur)

    def amount(value) -> str:
        return "" if value is None else f"{value:,.{places}f}"

    rows = [{"date": r["date"].isoformat(), "kind": r["kind"], "document": r["document"],
             "number": r["number"] or r["document"], "due": r["due"].isoformat() if r["due"] else "",
             "charge": amount(r["charge"]), "credit": amount(r["credit"]), "balance": amount(r["balance"]),
             "open": amount(r["open"])} for r in table.rows]
    side = table.meta["side"]
    return {"kind": "statement", "title": "Statement of account", "date": day.isoformat(),
            "start": start.isoformat() if start else None, "side": side, "currency": cur,
            "seller": seller_view(book.settings), "buyer": partner_view(book, partner_id),
            "charge_header": "Invoiced" if side == "receivable" else "Billed",
            "rows": rows, "open": amount(table.meta["balance"]), "owed": table.meta["balance"] > 0,
            "notes": table.notes}


def render_statement(view: dict[str, Any], template: str | None = None) -> str:
    try:
        import jinja2
    except ImportError:
        raise fail("missing-library", "documents need Jinja2", "pip install 'comptoir[documents]'") from None
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    try:
        return env.from_string(template or STATEMENT_TEMPLATE).render(doc=view)
    except jinja2.TemplateError as exc:
        raise fail("template-error", f"the statement template cannot be rendered: {exc}",
                   "fix templates/statement.html in the book, or remove it to use the built-in one") from None
