"""Invoices and credit notes as documents: PDF (text extracted and compared), HTML from the
book's own template, and Factur-X CII XML validated against its XSD (EN 16931 profile)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import run

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "ledger-data"

facturx = pytest.importorskip("facturx")


def _xsd_ok(xml: bytes) -> bool:
    return facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")


def _weasyprint_or_skip() -> None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:  # OSError: the system has no Pango
        pytest.skip(f"WeasyPrint cannot run here: {exc}")


def test_invoice_pdf_shows_number_lines_totals_and_tax(tmp_path):
    _weasyprint_or_skip()
    pypdf = pytest.importorskip("pypdf")
    out = tmp_path / "invoice.pdf"
    res = run(None, "--repo", DEMO, "document", "2026-0001", "--out", out)
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == str(out)
    reader = pypdf.PdfReader(out)
    text = " ".join(reader.pages[0].extract_text().split())
    # 60 bags x 26.00 = 1,560.00 net; VAT 5.5 % of it = 85.80; total 1,645.80
    assert "Invoice 2026-0001" in text
    assert "Due: 2026-10-25" in text and "SARL Hôtel Bellecour" in text
    assert "1 BLEND-1K Bistrot blend, roasted, 1 kg (wholesale) 60 26.00 0 5.5 1,560.00" in text
    assert "Net 1,560.00 EUR" in text
    assert "Tax 5.5 % on 1,560.00 85.80 EUR" in text
    assert "Total 1,645.80 EUR" in text
    # the same data travels inside the PDF as Factur-X XML (PDF/A-3 attachment)
    xml = reader.attachments["factur-x.xml"][0]
    assert _xsd_ok(xml)
    assert b"<ram:GrandTotalAmount>1645.80</ram:GrandTotalAmount>" in xml


def test_credit_note_xml_validates_against_the_factur_x_schema(tmp_path):
    out = tmp_path / "cn.xml"
    res = run(None, "--repo", DEMO, "document", "CN2026-0001", "--out", out)
    assert res.exit_code == 0, res.output
    xml = out.read_bytes()
    assert _xsd_ok(xml)
    assert b"<ram:TypeCode>381</ram:TypeCode>" in xml  # a credit note
    # 2 x 32.00 = 64.00 net, 5.5 % = 3.52 tax, 67.52 total
    for fragment in (b"<ram:LineTotalAmount>64.00</ram:LineTotalAmount>",
                     b"<ram:CalculatedAmount>3.52</ram:CalculatedAmount>",
                     b"<ram:GrandTotalAmount>67.52</ram:GrandTotalAmount>",
                     b'<ram:BilledQuantity unitCode="C62">2</ram:BilledQuantity>'):
        assert fragment in xml
    assert b"<ram:InvoiceReferencedDocument>" in xml


def test_a_broken_document_fails_the_schema():
    """The XSD check can fail: the same XML without its mandatory document id does not validate."""
    res_xml = run(None, "--repo", DEMO, "document", "2026-0001", "--out", "-", "--format", "xml")
    assert res_xml.exit_code == 0, res_xml.output
    good = res_xml.stdout.encode()
    assert _xsd_ok(good)
    with pytest.raises(Exception):  # noqa: B017 - factur-x raises its own error type
        _xsd_ok(good.replace(b"<ram:ID>2026-0001</ram:ID>", b""))


def test_the_book_can_override_the_template(tmp_path):
    book = tmp_path / "books"
    shutil.copytree(DEMO, book, ignore=shutil.ignore_patterns("script", "examples"))
    (book / "templates").mkdir()
    (book / "templates" / "invoice.html").write_text(
        "<p>{{ doc.seller.name }} bills {{ doc.buyer.name }} {{ doc.total }} {{ doc.currency }}"
        " for {{ doc.number }}</p>", encoding="utf-8")
    out = tmp_path / "inv.html"
    res = run(None, "--repo", book, "document", "2026-0001", "--out", out)
    assert res.exit_code == 0, res.output
    assert out.read_text() == "<p>Comptoir Coffee Roasters SAS bills SARL Hôtel Bellecour 1,645.80 EUR for 2026-0001</p>"


def test_unknown_document_and_unknown_format_write_nothing(tmp_path):
    out = tmp_path / "x.pdf"
    res = run(None, "--repo", DEMO, "document", "2026-9999", "--out", out)
    assert res.exit_code == 1
    assert "error [unknown-document]" in res.stderr and not out.exists()
    res = run(None, "--repo", DEMO, "document", "SO-20261125-0VAX", "--out", out)
    assert res.exit_code == 1 and "did you mean SO-20261125-0VAC" in res.stderr and not out.exists()
    res = run(None, "--repo", DEMO, "document", "2026-0001", "--out", tmp_path / "x.docx")
    assert res.exit_code == 1 and "error [unknown-format]" in res.stderr
    res = run(None, "--repo", DEMO, "document", "2026-0001", "--out", "-", "--format", "pdf")
    assert res.exit_code == 1 and "error [binary-to-stdout]" in res.stderr


def _pdf_text(path: Path) -> str:
    pypdf = pytest.importorskip("pypdf")
    return " ".join(pypdf.PdfReader(path).pages[0].extract_text().split())


def test_a_quote_renders_with_its_worked_out_totals_and_no_e_invoice(tmp_path):
    _weasyprint_or_skip()
    out = tmp_path / "quote.pdf"
    res = run(None, "--repo", DEMO, "document", "SO-20261125-0VAC", "--out", out)
    assert res.exit_code == 0, res.output
    text = _pdf_text(out)
    # 25 x 26.00 = 650.00 at 5.5 % = 35.75; 1 x 180.00 at 20 % = 36.00; 830.00 + 71.75 = 901.75
    assert "Quote SO-20261125-0VAC" in text and "Valid until: 2026-12-15" in text
    assert "Brasserie du Parc" in text and "Comptoir Coffee Roasters SAS 14 rue des Halles 69002 Lyon" in text
    assert "1 BLEND-1K Bistrot blend, roasted, 1 kg (wholesale) 25 26.00 0 5.5 650.00" in text
    assert "2 TRAIN-SVC Barista training, half a day 1 180.00 0 20 180.00" in text
    assert "Tax 5.5 % on 650.00 35.75 EUR Tax 20 % on 180.00 36.00 EUR Total 901.75 EUR" in text
    import pypdf

    assert "factur-x.xml" not in pypdf.PdfReader(out).attachments  # a quote is not an invoice
    res = run(None, "--repo", DEMO, "document", "SO-20261125-0VAC", "--out", "-", "--format", "ubl")
    assert res.exit_code == 1 and "error [no-e-invoice]" in res.stderr


def test_a_confirmed_order_is_an_order_confirmation_and_a_cancelled_one_is_refused():
    res = run(None, "--repo", DEMO, "document", "SO-20261126-971M", "--out", "-", "--format", "html")
    assert res.exit_code == 0, res.output
    assert "<h1>Order confirmation SO-20261126-971M</h1>" in res.stdout
    res = run(None, "--repo", DEMO, "document", "SO-20261124-1954", "--out", "-", "--format", "html")
    assert res.exit_code == 1 and "error [cancelled-order]" in res.stderr


def test_a_statement_of_account_renders_what_the_report_shows(tmp_path):
    _weasyprint_or_skip()
    out = tmp_path / "statement.pdf"
    res = run(None, "--repo", DEMO, "document", "bureaux-cafe-service", "--statement", "--date", "2026-11-28",
              "--out", out)
    assert res.exit_code == 0, res.output
    text = _pdf_text(out)
    # 3,798.00 + 4,557.60 = 8,355.60; paid 3,798.00 -> 4,557.60; + 5,047.12 = 9,604.72;
    # paid 4,557.60 -> 5,047.12 open, all of it invoice 2026-0014
    assert "Statement of account Date: 2026-11-28 Currency: EUR BCS SAS Vénissieux FR" in text
    assert "2026-09-21 invoice 2026-0004 2026-10-21 3,798.00 3,798.00" in text
    assert "2026-10-21 payment VIR BCS 2110 3,798.00 4,557.60" in text
    assert "2026-11-12 invoice 2026-0014 2026-12-12 5,047.12 9,604.72 5,047.12" in text
    assert "Open on 2026-11-28 5,047.12 EUR" in text
    assert "Bureaux Café Service owes us 5,047.12 EUR on 2026-11-28." in text
    assert "Please pay to IBAN FR7630004000031234567890143" in text


def test_statement_refusals_write_nothing(tmp_path):
    out = tmp_path / "s.html"
    res = run(None, "--repo", DEMO, "document", "nosuchpartner", "--statement", "--out", out)
    assert res.exit_code == 1 and "error [unknown-partner]" in res.stderr and not out.exists()
    res = run(None, "--repo", DEMO, "document", "hotel-bellecour", "--statement", "--out", tmp_path / "s.xml")
    assert res.exit_code == 1 and "error [no-e-invoice]" in res.stderr
    res = run(None, "--repo", DEMO, "document", "2026-0001", "--date", "2026-11-28", "--out", out)
    assert res.exit_code == 2 and not out.exists()


def test_the_book_can_override_the_statement_template(tmp_path):
    book = tmp_path / "books"
    shutil.copytree(DEMO, book, ignore=shutil.ignore_patterns("script", "examples"))
    (book / "templates").mkdir()
    (book / "templates" / "statement.html").write_text(
        "{{ doc.buyer.name }} owes {{ doc.open }} {{ doc.currency }}: "
        "{% for r in doc.rows %}{{ r.number }} {% endfor %}", encoding="utf-8")
    res = run(None, "--repo", book, "document", "cafe-de-la-soie", "--statement", "--date", "2026-11-28",
              "--out", "-", "--format", "html")
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("Café de la Soie owes 305.80 EUR: 2026-0006 ")
