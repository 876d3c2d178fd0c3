"""`comptoir document`: an invoice or credit note as a document to send (PDF, HTML) or as a
structured e-invoice (EN 16931: Factur-X CII XML, or UBL 2.1). Writes a file; commits nothing."""

from __future__ import annotations

from pathlib import Path

import click

from comptoir.options import as_of

FORMATS = ("pdf", "html", "xml", "ubl")


@click.command("document")
@click.argument("ident", metavar="INVOICE|CREDIT-NOTE")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The file to write (- for stdout, html and xml only).")
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="pdf (with its Factur-X XML embedded), html, xml (Factur-X / ZUGFeRD CII, "
                   "EN 16931) or ubl (UBL 2.1, EN 16931; Peppol's syntax). Default: from the --out "
                   "file's extension (.ubl.xml is ubl).")
@as_of
@click.pass_obj
def document(env, ident, out, fmt, as_of) -> None:
    """Render invoice or credit note INVOICE|CREDIT-NOTE (id or number) as a document.

    The same data goes out as a PDF for people and as a structured e-invoice (EN 16931) for
    machines: Factur-X CII embedded in the PDF or alone (xml), or UBL 2.1 (ubl), the syntax
    Peppol and most European e-invoicing platforms take. The layout is an HTML template (Jinja2): the book's own templates/invoice.html in the data
    root if it has one, else the built-in one. The PDF carries the same data as Factur-X XML,
    so an accounting system can read it without retyping.
    """
    from comptoir.domain.printing import cii_xml, document_view, render_html
    from comptoir.errors import fail

    if fmt is None:
        fmt = "ubl" if out.lower().endswith(".ubl.xml") else Path(out).suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise fail("unknown-format", f"cannot tell the format from {out!r}",
                       "name the file .pdf, .html, .xml or .ubl.xml, or give --format pdf|html|xml|ubl")
    if out == "-" and fmt == "pdf":
        raise fail("binary-to-stdout", "a PDF is not written to stdout", "give --out FILE.pdf")
    book = env.book(as_of, kinds=("invoice", "credit-note", "partner", "item"))
    view = document_view(book, ident)
    if fmt != "html" and not (view["seller"]["country"] and view["seller"]["vat_id"]):
        click.echo("warning: the seller's address and VAT number are not set; EN 16931 asks for the "
                   "seller's postal address and country (BR-08, BR-09) and, on taxed sales, VAT number "
                   "(BR-S-02): "
                   "`comptoir sales seller --vat-id ... --street ... --city ... --country ...`", err=True)
    if fmt == "xml":
        data = cii_xml(view)
    elif fmt == "ubl":
        from comptoir.domain.ubl import ubl_xml
        from comptoir.schemas.types import currency_places

        data = ubl_xml(view, book.settings.currency, currency_places(book.settings.currency))
    else:
        template_file = Path(env.root().path) / "templates" / "invoice.html"
        template = template_file.read_text(encoding="utf-8") if template_file.is_file() else None
        html = render_html(view, template)
        data = html.encode("utf-8") if fmt == "html" else _pdf(html, cii_xml(view))
    if out == "-":
        click.echo(data.decode("utf-8"), nl=False)
        return
    try:
        Path(out).write_bytes(data)
    except OSError as exc:
        raise fail("cannot-write", f"cannot write {out}: {exc.strerror}", "choose another --out path") from None
    click.echo(out)
    click.echo(f"Wrote {view['title'].lower()} {view['number']} ({fmt}) to {out}.", err=True)


def _pdf(html: str, xml: bytes) -> bytes:
    """HTML -> PDF with WeasyPrint, then the Factur-X XML embedded (PDF/A-3) by factur-x."""
    from comptoir.errors import fail

    try:
        import facturx
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        raise fail("missing-library", f"PDF documents need WeasyPrint and factur-x ({exc})",
                   "pip install 'comptoir[documents]' (WeasyPrint also needs Pango from your system)") from None
    import logging

    for name in ("weasyprint", "fontTools", "factur-x", "facturx"):
        logging.getLogger(name).setLevel(logging.ERROR)
    pdf = HTML(string=html).write_pdf()
    return facturx.generate_from_binary(pdf, xml, flavor="factur-x", level="en16931", check_xsd=True)
