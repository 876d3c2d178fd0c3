"""Sales documents as documents to send: the view of an invoice, credit note, quote or order
that a template renders (HTML, then PDF), and for invoices and credit notes the same data as a
structured e-invoice, Factur-X / ZUGFeRD Cross Industry Invoice XML at the EN 16931 profile.

Plain functions over a Book: no click, no files. Amounts are the ones stored on the document
(frozen when it was written), formatted in the currency's places; nothing is recomputed. A quote
or order stores no amounts: they are worked out as its invoice would work them out.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from comptoir.errors import fail

# The look every built-in document shares (a book's own template may use its own).
BASE_STYLE = """
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
"""

# The template a book can override with templates/invoice.html in its data root (Jinja2).
DEFAULT_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ doc.title }} {{ doc.number }}</title>
<style>
""" + BASE_STYLE.lstrip("\n") + """  .totals { width: 45%; margin-left: auto; }
  .totals td { border: none; }
  .grand td { font-weight: bold; border-top: 1px solid #999; }
</style></head>
<body>
<header>
  <div><div class="seller">{{ doc.seller.name }}</div>
    {% for line in doc.seller.address %}<div>{{ line }}</div>{% endfor %}
    {% if doc.seller.vat_id %}<div>VAT: {{ doc.seller.vat_id }}</div>{% endif %}
    {% if doc.seller.registration %}<div>{{ doc.seller.registration }}</div>{% endif %}
  </div>
  <div>
    <h1>{{ doc.title }} {{ doc.number }}</h1>
    <div>Date: {{ doc.date }}</div>
    {% if doc.due %}<div>Due: {{ doc.due }}</div>{% endif %}
    {% if doc.valid_until %}<div>Valid until: {{ doc.valid_until }}</div>{% endif %}
    {% if doc.invoice_number %}<div>Credits invoice: {{ doc.invoice_number }}</div>{% endif %}
    {% if doc.reference %}<div>Your reference: {{ doc.reference }}</div>{% endif %}
  </div>
</header>
<div class="buyer">
  <div><strong>{{ doc.buyer.name }}</strong></div>
  {% for line in doc.buyer.address %}<div>{{ line }}</div>{% endfor %}
  {% if doc.buyer.vat_id %}<div>VAT: {{ doc.buyer.vat_id }}</div>{% endif %}
</div>
<table>
  <tr><th>#</th><th>Item</th><th>Description</th><th class="num">Qty</th><th class="num">Unit price</th>
      <th class="num">Disc. %</th><th class="num">Tax %</th><th class="num">Net</th></tr>
  {% for l in doc.lines %}
  <tr><td>{{ l.number }}</td><td>{{ l.item }}</td><td>{{ l.description }}</td><td class="num">{{ l.qty }}</td>
      <td class="num">{{ l.price }}</td><td class="num">{{ l.discount }}</td><td class="num">{{ l.tax_rate }}</td>
      <td class="num">{{ l.net }}</td></tr>
  {% endfor %}
</table>
<table class="totals">
  <tr><td>Net</td><td class="num">{{ doc.net }} {{ doc.currency }}</td></tr>
  {% for t in doc.taxes %}<tr><td>Tax {{ t.rate }} % on {{ t.base }}</td><td class="num">{{ t.amount }} {{ doc.currency }}</td></tr>{% endfor %}
  <tr class="grand"><td>Total</td><td class="num">{{ doc.total }} {{ doc.currency }}</td></tr>
</table>
{% if doc.reason %}<p>Reason: {{ doc.reason }}</p>{% endif %}
{% if doc.notes %}<p>{{ doc.notes }}</p>{% endif %}
{% if doc.kind == "invoice" and doc.seller.iban %}<p class="pay">Please pay {{ doc.total }} {{ doc.currency }} by {{ doc.due }}
  to IBAN {{ doc.seller.iban }}{% if doc.seller.bic %} (BIC {{ doc.seller.bic }}){% endif %}, quoting {{ doc.number }}.</p>{% endif %}
</body></html>
"""


def _money(value: Decimal, places: int) -> str:
    return f"{value:,.{places}f}"


def _plain(value: Decimal, places: int) -> str:
    return f"{value:.{places}f}"


def _qty(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# An item's unit of measure as a UN/ECE Recommendation 20 code (what e-invoices carry); any
# other unit (bag, box, unit) is counted in ones, C62.
UNIT_CODES = {"kg": "KGM", "g": "GRM", "t": "TNE", "l": "LTR", "ml": "MLT", "m": "MTR", "m2": "MTK",
              "m3": "MTQ", "h": "HUR", "hour": "HUR", "hours": "HUR", "day": "DAY", "days": "DAY",
              "month": "MON", "months": "MON", "piece": "H87", "pieces": "H87", "pcs": "H87"}


def unit_code(uom: str | None) -> str:
    return UNIT_CODES.get((uom or "").strip().lower(), "C62")


def find_document(book, ident: str) -> tuple[str, Any]:
    """The invoice, credit note, quote or order named by its id or its number."""
    for kind in ("invoice", "credit-note"):
        docs = book.of(kind)
        doc = docs.get(ident) or next((d for d in docs.values() if d.number == ident), None)
        if doc is not None:
            return kind, doc
    so = book.of("sales-order").get(ident)
    if so is not None:
        if so.cancelled is not None:
            raise fail("cancelled-order", f"{ident} was cancelled on {so.cancelled}",
                       "a cancelled quote or order is not sent; `comptoir sales list` shows the open ones")
        return ("quote" if so.confirmed is None else "order"), _priced(book, so)
    from comptoir.suggest import with_suggestion

    known = [*book.of("sales-order"), *(d.number for kind in ("invoice", "credit-note") for d in book.of(kind).values())]
    raise fail("unknown-document", f"there is no invoice, credit note, quote or order {ident}",
               with_suggestion("give its id or number: `comptoir sales invoices` and `comptoir sales list` list them",
                               ident, known))


def _priced(book, so) -> SimpleNamespace:
    """A quote or order with the amounts an invoice of it would carry: each line's net rounded to
    the currency, its tax at the tax code's rate (the same functions the invoice uses)."""
    from comptoir.domain.documents import line_net, places_for, tax_on

    places = places_for(book, so.currency)
    codes = book.of("tax-code")
    lines = []
    for ln in so.lines:
        tax = codes.get(ln.tax) if ln.tax else None
        rate = tax.rate if tax is not None else Decimal(0)
        net = line_net(ln.qty, ln.price, ln.discount, places)
        lines.append(SimpleNamespace(item=ln.item, description=ln.description, qty=ln.qty, price=ln.price,
                                     discount=ln.discount, tax_rate=rate, net=net,
                                     tax_amount=tax_on(net, rate, places) if tax is not None else Decimal(0)))
    net = sum((ln.net for ln in lines), Decimal(0))
    tax = sum((ln.tax_amount for ln in lines), Decimal(0))
    return SimpleNamespace(id=so.id, number=so.id, date=so.date, partner=so.partner, currency=so.currency,
                           rate=None, lines=lines, net=net, tax=tax, total=net + tax, due=None,
                           valid_until=so.valid_until, customer_reference=so.customer_reference,
                           notes=so.notes, confirmed=so.confirmed)


TITLES = {"invoice": "Invoice", "credit-note": "Credit note", "quote": "Quote", "order": "Order confirmation"}
E_INVOICES = ("invoice", "credit-note")  # the kinds with a structured e-invoice (EN 16931)


def document_view(book, ident: str) -> dict[str, Any]:
    """What a template shows: every amount as text in the currency's places."""
    from comptoir.domain.documents import places_for

    kind, doc = find_document(book, ident)
    currency = doc.currency or book.settings.currency
    places = places_for(book, currency)
    buyer = partner_view(book, doc.partner)
    items = book.of("item")
    lines: list[dict] = []
    taxes: dict = {}
    for number, line in enumerate(doc.lines, 1):
        item = items.get(line.item) if line.item else None
        lines.append({
            "number": number, "item": line.item or "",
            "description": line.description or (item.name if item is not None else ""),
            "qty": _qty(line.qty), "price": _money(line.price, places), "discount": _qty(line.discount),
            "tax_rate": _qty(line.tax_rate), "net": _money(line.net, places),
            "uom": item.uom if item is not None else None, "unit": unit_code(item.uom if item is not None else None),
            "raw": line,
        })
        base, amount = taxes.get(line.tax_rate, (Decimal(0), Decimal(0)))
        taxes[line.tax_rate] = (base + line.net, amount + line.tax_amount)
    invoice_number = invoice_date = None
    if kind == "credit-note":
        original = book.of("invoice").get(doc.invoice)
        invoice_number = original.number if original is not None else doc.invoice
        invoice_date = original.date.isoformat() if original is not None else None
    return {
        "kind": kind, "title": TITLES[kind],
        "id": doc.id, "number": doc.number, "date": doc.date.isoformat(),
        "due": doc.due.isoformat() if getattr(doc, "due", None) else None,
        "valid_until": doc.valid_until.isoformat() if getattr(doc, "valid_until", None) else None,
        "reference": getattr(doc, "customer_reference", None), "notes": getattr(doc, "notes", None),
        "reason": getattr(doc, "reason", None), "invoice_number": invoice_number,
        "invoice_date": invoice_date,
        "seller": seller_view(book.settings), "buyer": buyer, "currency": currency, "places": places,
        "lines": lines,
        "taxes": [{"rate": _qty(rate), "base": _money(base, places), "amount": _money(amount, places),
                   "raw": (rate, base, amount)} for rate, (base, amount) in sorted(taxes.items())],
        "net": _money(doc.net, places), "tax": _money(doc.tax, places), "total": _money(doc.total, places),
        "raw": doc,
    }


def partner_view(book, partner_id: str) -> dict[str, Any]:
    """The customer (or supplier) as a document addresses it: legal name, VAT number, billing address."""
    partner = book.of("partner").get(partner_id)
    return {
        "id": partner_id,
        "name": (partner.legal_name or partner.name) if partner is not None else partner_id,
        "vat_id": partner.vat_id if partner is not None else None,
        "registration": partner.registration if partner is not None else None,
        "email": partner.email if partner is not None else None,
        **_address(partner.billing_address if partner is not None else None),
    }


def _address(address) -> dict[str, Any]:
    return {
        "address": [x for x in ((address.street, address.street2,
                                 " ".join(p for p in (address.postal_code, address.city) if p),
                                 address.country) if address else ()) if x],
        "street": address.street if address else None,
        "street2": address.street2 if address else None,
        "postal_code": address.postal_code if address else None,
        "city": address.city if address else None,
        "region": address.region if address else None,
        "country": address.country if address else None,
    }


def seller_view(settings) -> dict[str, Any]:
    """The company as its documents show it: `seller:` in comptoir.yaml (`comptoir sales seller`)."""
    seller = settings.seller
    return {
        "name": (seller.legal_name if seller is not None and seller.legal_name else settings.company),
        "trading_name": settings.company,
        "vat_id": seller.vat_id if seller is not None else None,
        "registration": seller.registration if seller is not None else None,
        "email": seller.email if seller is not None else None,
        "iban": seller.iban if seller is not None else None,
        "bic": seller.bic if seller is not None else None,
        **_address(seller.address if seller is not None else None),
    }


def check_seller(changes: dict[str, str]) -> dict[str, str]:
    """The seller details as they are stored: codes upper case, the IBAN without spaces and with a
    valid check (ISO 13616: the number read with the first four characters moved to the end,
    letters as 10..35, leaves 1 when divided by 97)."""
    out = dict(changes)
    if "country" in out:
        out["country"] = out["country"].upper()
        if len(out["country"]) != 2 or not out["country"].isalpha():
            raise fail("invalid-country", f"{changes['country']!r} is not a two-letter country code",
                       "give the ISO 3166 code, for example --country FR")
    for key in ("vat_id", "iban", "bic"):
        if key in out:
            out[key] = "".join(out[key].split()).upper()
    iban = out.get("iban")
    if iban is not None:
        digits = "".join(str(int(c, 36)) for c in iban[4:] + iban[:4]) if iban.isalnum() else ""
        if len(iban) < 15 or len(iban) > 34 or not digits or int(digits) % 97 != 1:
            raise fail("invalid-iban", f"{changes['iban']!r} is not a valid IBAN (its check digits do not match)",
                       "copy the IBAN from the bank's statement, for example FR76 3000 6000 0112 3456 7890 189")
    bic = out.get("bic")
    if bic is not None and (len(bic) not in (8, 11) or not bic.isalnum()):
        raise fail("invalid-bic", f"{changes['bic']!r} is not a BIC (8 or 11 letters and digits)",
                    "give the bank's BIC, for example --bic BNPAFRPP")
    return out


def render_html(view: dict[str, Any], template: str | None = None, default: str | None = None,
                name: str = "invoice.html") -> str:
    """The document as HTML, from the book's template (`templates/NAME`) if it has one, else
    `default` (the invoice's built-in one); Jinja2, autoescaped."""
    try:
        import jinja2
    except ImportError:
        raise fail("missing-library", "documents need Jinja2", "pip install 'comptoir[documents]'") from None
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    try:
        return env.from_string(template or default or DEFAULT_TEMPLATE).render(doc=view)
    except jinja2.TemplateError as exc:
        what = "document" if name == "invoice.html" else name.removesuffix(".html")
        raise fail("template-error", f"the {what} template cannot be rendered: {exc}",
                   f"fix templates/{name} in the book, or remove it to use the built-in one") from None


def _cii_address(el, party, who: dict[str, Any]) -> None:
    if who["country"]:
        postal = el(party, "ram:PostalTradeAddress")
        if who["postal_code"]:
            el(postal, "ram:PostcodeCode", who["postal_code"])
        if who["street"]:
            el(postal, "ram:LineOne", who["street"])
        if who["city"]:
            el(postal, "ram:CityName", who["city"])
        el(postal, "ram:CountryID", who["country"])


def cii_xml(view: dict[str, Any]) -> bytes:
    """The document as Factur-X / ZUGFeRD Cross Industry Invoice XML (EN 16931 profile)."""
    from xml.etree import ElementTree as ET

    ns = {"rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
          "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
          "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
          "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"}
    for prefix, uri in ns.items():
        ET.register_namespace(prefix, uri)

    def el(parent, tag: str, text: str | None = None, **attrs) -> ET.Element:
        prefix, _, name = tag.partition(":")
        node = ET.SubElement(parent, f"{{{ns[prefix]}}}{name}", attrs)
        if text is not None:
            node.text = text
        return node

    def day(parent, tag: str, iso: str) -> None:
        el(el(parent, tag), "udt:DateTimeString", iso.replace("-", ""), format="102")

    places = view["places"]
    doc = view["raw"]
    cur = view["currency"]
    root = ET.Element(f"{{{ns['rsm']}}}CrossIndustryInvoice")
    context = el(root, "rsm:ExchangedDocumentContext")
    el(el(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", "urn:cen.eu:en16931:2017")
    header = el(root, "rsm:ExchangedDocument")
    el(header, "ram:ID", view["number"])
    el(header, "ram:TypeCode", "380" if view["kind"] == "invoice" else "381")
    day(header, "ram:IssueDateTime", view["date"])
    if view["notes"]:
        el(el(header, "ram:IncludedNote"), "ram:Content", view["notes"])
    trade = el(root, "rsm:SupplyChainTradeTransaction")
    for line in view["lines"]:
        raw = line["raw"]
        item = el(trade, "ram:IncludedSupplyChainTradeLineItem")
        el(el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(line["number"]))
        product = el(item, "ram:SpecifiedTradeProduct")
        if line["item"]:
            el(product, "ram:SellerAssignedID", line["item"])
        el(product, "ram:Name", line["description"] or line["item"] or f"line {line['number']}")
        agreement = el(item, "ram:SpecifiedLineTradeAgreement")
        net_price = raw.net / raw.qty if raw.discount else raw.price
        el(el(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", f"{net_price.quantize(Decimal('0.0001')):f}")
        el(el(item, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity", _qty(raw.qty), unitCode=line["unit"])
        settlement = el(item, "ram:SpecifiedLineTradeSettlement")
        tax = el(settlement, "ram:ApplicableTradeTax")
        el(tax, "ram:TypeCode", "VAT")
        el(tax, "ram:CategoryCode", "S" if raw.tax_rate else "Z")
        el(tax, "ram:RateApplicablePercent", _qty(raw.tax_rate))
        summation = el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
        el(summation, "ram:LineTotalAmount", _plain(raw.net, places))
    agreement = el(trade, "ram:ApplicableHeaderTradeAgreement")
    if view["reference"]:
        el(agreement, "ram:BuyerReference", view["reference"])
    seller = el(agreement, "ram:SellerTradeParty")
    el(seller, "ram:Name", view["seller"]["name"])
    _cii_address(el, seller, view["seller"])
    if view["seller"]["vat_id"]:
        el(el(seller, "ram:SpecifiedTaxRegistration"), "ram:ID", view["seller"]["vat_id"], schemeID="VA")
    buyer = el(agreement, "ram:BuyerTradeParty")
    el(buyer, "ram:Name", view["buyer"]["name"])
    b = view["buyer"]
    _cii_address(el, buyer, b)
    if b["vat_id"]:
        el(el(buyer, "ram:SpecifiedTaxRegistration"), "ram:ID", b["vat_id"], schemeID="VA")
    el(trade, "ram:ApplicableHeaderTradeDelivery")
    settlement = el(trade, "ram:ApplicableHeaderTradeSettlement")
    el(settlement, "ram:InvoiceCurrencyCode", cur)
    for t in view["taxes"]:
        rate, base, amount = t["raw"]
        tax = el(settlement, "ram:ApplicableTradeTax")
        el(tax, "ram:CalculatedAmount", _plain(amount, places))
        el(tax, "ram:TypeCode", "VAT")
        el(tax, "ram:BasisAmount", _plain(base, places))
        el(tax, "ram:CategoryCode", "S" if rate else "Z")
        el(tax, "ram:RateApplicablePercent", _qty(rate))
    if view["due"]:
        day(el(settlement, "ram:SpecifiedTradePaymentTerms"), "ram:DueDateDateTime", view["due"])
    summation = el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    el(summation, "ram:LineTotalAmount", _plain(doc.net, places))
    el(summation, "ram:TaxBasisTotalAmount", _plain(doc.net, places))
    el(summation, "ram:TaxTotalAmount", _plain(doc.tax, places), currencyID=cur)
    el(summation, "ram:GrandTotalAmount", _plain(doc.total, places))
    el(summation, "ram:DuePayableAmount", _plain(doc.total, places))
    if view["kind"] == "credit-note":
        ref = el(settlement, "ram:InvoiceReferencedDocument")
        el(ref, "ram:IssuerAssignedID", view["invoice_number"])
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
