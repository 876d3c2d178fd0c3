"""An invoice or credit note as a UBL 2.1 e-invoice at the EN 16931 core (the syntax Peppol BIS
Billing 3.0 and most European e-invoicing platforms take), built from the same view as the PDF.

Elements follow the order the UBL 2.1 schemas declare (the schema is a sequence: a document in
another order is invalid even with nothing missing). Every amount is the one stored on the
document, in the currency's places, with its currencyID; nothing is recomputed but the VAT in the
book's currency of a foreign-currency document (BT-111), which is each line's tax at the
document's rate, as the posting took it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

from .ledger import round_to

NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
CUSTOMIZATION = "urn:cen.eu:en16931:2017"  # BT-24: the EN 16931 core, no extension
PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"  # BT-23: billing
SEPA_CREDIT_TRANSFER = "58"  # UNCL 4461


def _plain(value: Decimal, places: int) -> str:
    return f"{value:.{places}f}"


def _qty(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def category(rate: Decimal) -> str:
    """UNCL 5305 VAT category: S (standard or reduced rate) or Z (zero rated)."""
    return "S" if rate else "Z"


class _Doc:
    def __init__(self, root_ns: str, root_tag: str) -> None:
        ET.register_namespace("", NS[root_ns])
        for prefix in ("cac", "cbc"):
            ET.register_namespace(prefix, NS[prefix])
        self.root = ET.Element(f"{{{NS[root_ns]}}}{root_tag}")

    @staticmethod
    def el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        prefix, _, name = tag.partition(":")
        node = ET.SubElement(parent, f"{{{NS[prefix]}}}{name}", attrs)
        if text is not None:
            node.text = text
        return node


def ubl_xml(view: dict[str, Any], base_currency: str, base_places: int) -> bytes:
    """The document of `view` (printing.document_view) as UBL 2.1 Invoice or CreditNote XML."""
    invoice = view["kind"] == "invoice"
    doc = view["raw"]
    cur, places = view["currency"], view["places"]
    d = _Doc("inv" if invoice else "cn", "Invoice" if invoice else "CreditNote")
    el, root = d.el, d.root

    def money(parent: ET.Element, tag: str, value: Decimal, currency: str = cur, p: int = places) -> None:
        el(parent, tag, _plain(value, p), currencyID=currency)

    el(root, "cbc:CustomizationID", CUSTOMIZATION)
    el(root, "cbc:ProfileID", PROFILE)
    el(root, "cbc:ID", view["number"])
    el(root, "cbc:IssueDate", view["date"])
    if invoice:
        if view["due"]:
            el(root, "cbc:DueDate", view["due"])
        el(root, "cbc:InvoiceTypeCode", "380")
    else:
        el(root, "cbc:CreditNoteTypeCode", "381")
    for note in (view["reason"], view["notes"]):
        if note:
            el(root, "cbc:Note", note)
    el(root, "cbc:DocumentCurrencyCode", cur)
    foreign = cur != base_currency and doc.rate is not None
    if foreign:
        el(root, "cbc:TaxCurrencyCode", base_currency)  # BT-6: VAT is accounted in the book's currency
    reference = view["reference"] or view["buyer"]["id"]
    el(root, "cbc:BuyerReference", reference)  # BT-10 (Peppol asks for it or an order reference)
    if view["reference"]:
        el(el(root, "cac:OrderReference"), "cbc:ID", view["reference"])  # BT-13
    if not invoice and view["invoice_number"]:
        ref = el(el(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")  # BG-3
        el(ref, "cbc:ID", view["invoice_number"])
        if view.get("invoice_date"):
            el(ref, "cbc:IssueDate", view["invoice_date"])
    _party(el, el(root, "cac:AccountingSupplierParty"), view["seller"])
    _party(el, el(root, "cac:AccountingCustomerParty"), view["buyer"])
    seller = view["seller"]
    if invoice and seller["iban"]:
        means = el(root, "cac:PaymentMeans")  # BG-16
        el(means, "cbc:PaymentMeansCode", SEPA_CREDIT_TRANSFER)
        el(means, "cbc:PaymentID", view["number"])  # BT-83: the remittance information to quote
        account = el(means, "cac:PayeeFinancialAccount")
        el(account, "cbc:ID", seller["iban"])
        if seller["bic"]:
            el(el(account, "cac:FinancialInstitutionBranch"), "cbc:ID", seller["bic"])
    # BT-20: a positive amount due needs a due date or payment terms (BR-CO-25); a credit note
    # has no due date in UBL 2.1, so it says how the credit is settled
    terms = (f"Payment due by {view['due']}" if invoice and view["due"] else
             None if invoice else f"Credited against invoice {view['invoice_number']}")
    if terms:
        el(el(root, "cac:PaymentTerms"), "cbc:Note", terms)
    tax_total = el(root, "cac:TaxTotal")
    money(tax_total, "cbc:TaxAmount", doc.tax)
    for t in view["taxes"]:
        rate, base, amount = t["raw"]
        sub = el(tax_total, "cac:TaxSubtotal")  # BG-23, one per category and rate
        money(sub, "cbc:TaxableAmount", base)
        money(sub, "cbc:TaxAmount", amount)
        _tax_category(el, sub, "cac:TaxCategory", rate)
    if foreign:
        # BT-111: the VAT total in the accounting currency, as the posting converted it
        in_base = sum((round_to(line.tax_amount * doc.rate, base_places) for line in doc.lines), Decimal(0))
        money(el(root, "cac:TaxTotal"), "cbc:TaxAmount", in_base, base_currency, base_places)
    totals = el(root, "cac:LegalMonetaryTotal")  # BG-22
    money(totals, "cbc:LineExtensionAmount", doc.net)  # BT-106: sum of the lines' net amounts
    money(totals, "cbc:TaxExclusiveAmount", doc.net)  # BT-109: no document-level allowances
    money(totals, "cbc:TaxInclusiveAmount", doc.total)  # BT-112
    money(totals, "cbc:PayableAmount", doc.total)  # BT-115: nothing prepaid on the document itself
    for line in view["lines"]:
        _line(el, root, line, invoice, money, cur, places)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _tax_category(el, parent: ET.Element, tag: str, rate: Decimal) -> None:
    cat = el(parent, tag)
    el(cat, "cbc:ID", category(rate))
    el(cat, "cbc:Percent", _qty(rate))
    el(el(cat, "cac:TaxScheme"), "cbc:ID", "VAT")


def _party(el, parent: ET.Element, who: dict[str, Any]) -> None:
    party = el(parent, "cac:Party")
    if who.get("trading_name") and who["trading_name"] != who["name"]:
        el(el(party, "cac:PartyName"), "cbc:Name", who["trading_name"])  # BT-28
    address = el(party, "cac:PostalAddress")  # BG-5 / BG-8
    if who["street"]:
        el(address, "cbc:StreetName", who["street"])
    if who["street2"]:
        el(address, "cbc:AdditionalStreetName", who["street2"])
    if who["city"]:
        el(address, "cbc:CityName", who["city"])
    if who["postal_code"]:
        el(address, "cbc:PostalZone", who["postal_code"])
    if who["region"]:
        el(address, "cbc:CountrySubentity", who["region"])
    if who["country"]:
        el(el(address, "cac:Country"), "cbc:IdentificationCode", who["country"])
    if who["vat_id"]:
        scheme = el(party, "cac:PartyTaxScheme")
        el(scheme, "cbc:CompanyID", who["vat_id"])  # BT-31 / BT-48
        el(el(scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
    legal = el(party, "cac:PartyLegalEntity")
    el(legal, "cbc:RegistrationName", who["name"])  # BT-27 / BT-44
    if who["registration"]:
        el(legal, "cbc:CompanyID", who["registration"])  # BT-30 / BT-47
    if who["email"]:
        el(el(party, "cac:Contact"), "cbc:ElectronicMail", who["email"])


def _line(el, root: ET.Element, line: dict[str, Any], invoice: bool, money, cur: str, places: int) -> None:
    raw = line["raw"]
    node = el(root, "cac:InvoiceLine" if invoice else "cac:CreditNoteLine")  # BG-25
    el(node, "cbc:ID", str(line["number"]))
    el(node, "cbc:InvoicedQuantity" if invoice else "cbc:CreditedQuantity", _qty(raw.qty),
       unitCode=line["unit"])  # UN/ECE rec. 20, from the item's unit of measure
    money(node, "cbc:LineExtensionAmount", raw.net)  # BT-131
    gross = round_to(raw.qty * raw.price, places)
    if raw.discount:
        # the discount as a line allowance (BG-27), so quantity x price - allowance = net exactly
        allowance = el(node, "cac:AllowanceCharge")
        el(allowance, "cbc:ChargeIndicator", "false")
        el(allowance, "cbc:AllowanceChargeReasonCode", "95")  # UNCL 5189: discount
        el(allowance, "cbc:MultiplierFactorNumeric", _qty(raw.discount))
        money(allowance, "cbc:Amount", gross - raw.net)
        money(allowance, "cbc:BaseAmount", gross)
    item = el(node, "cac:Item")  # BG-31
    el(item, "cbc:Name", line["description"] or line["item"] or f"line {line['number']}")
    if line["item"]:
        el(el(item, "cac:SellersItemIdentification"), "cbc:ID", line["item"])
    _tax_category(el, item, "cac:ClassifiedTaxCategory", raw.tax_rate)
    price = el(node, "cac:Price")
    el(price, "cbc:PriceAmount", f"{raw.price:f}", currencyID=cur)  # BT-146, before the discount
