"""`comptoir document`: an invoice, credit note, quote, order or partner statement as a document
to send (PDF, HTML), and invoices and credit notes as structured e-invoices (EN 16931: Factur-X
CII XML, or UBL 2.1). Writes a file; commits nothing."""

from __future__ import annotations

from pathlib import Path

import click

from comptoir.options import as_of

FORMATS = ("pdf", "html", "xml", "ubl")


@click.command("document")
@click.argument("ident", metavar="DOCUMENT|PARTNER")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The file to write (- for stdout, all but pdf).")
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="pdf (an invoice's with its Factur-X XML embedded), html, xml (Factur-X / ZUGFeRD CII, "
                   "EN 16931) or ubl (UBL 2.1, EN 16931; Peppol's syntax). Default: from the --out "
                   "file's extension (.ubl.xml is ubl).")
@click.option("--statement", is_flag=True,
              help="PARTNER's statement of account (invoices, credit notes, payments, what is open).")
@click.option("--date", "date_", help="Statement date (with --statement). Default: today.")
@click.option("--from", "from_", help="Start the statement with the opening balance on this day.")
@as_of
@click.pass_obj
def document(env, ident, out, fmt, statement, date_, from_, as_of) -> None:
    """Render an invoice, credit note, quote, order or statement of account as a document.

    DOCUMENT is an invoice, credit note, quote or order by its id or number; with --statement,
    PARTNER's statement of account is rendered instead.

    The same data goes out as a PDF for people and, for invoices and credit notes, as a
    structured e-invoice (EN 16931) for machines: Factur-X CII embedded in the PDF or alone
    (xml), or UBL 2.1 (ubl), the syntax Peppol and most European e-invoicing platforms take.
    The layout is an HTML template (Jinja2): the book's own templates/invoice.html (quotes and
    orders too) or templates/statement.html in the data root if it has one, else the built-in
    one. The seller's address, VAT number and bank account come from `comptoir sales seller`.
    """
    from comptoir.errors import fail

    if fmt is None:
        fmt = "ubl" if out.lower().endswith(".ubl.xml") else Path(out).suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise fail("unknown-format", f"cannot tell the format from {out!r}",
                       "name the file .pdf, .html, .xml or .ubl.xml, or give --format pdf|html|xml|ubl")
    if out == "-" and fmt == "pdf":
        raise fail("binary-to-stdout", "a PDF is not written to stdout", "give --out FILE.pdf")
    if (date_ or from_) and not statement:
        raise click.UsageError("--date and --from are for --statement")
    templates = Path(env.root().path) / "templates"
    if statement:
        data, title = _statement(env, ident, fmt, date_, from_, as_of, templates)
    else:
        data, title = _document(env, ident, fmt, as_of, templates)
    if out == "-":
        click.echo(data.decode("utf-8"), nl=False)
        return
    try:
        Path(out).write_bytes(data)
    except OSError as exc:
        raise fail("cannot-write", f"cannot write {out}: {exc.strerror}", "choose another --out path") from None
    click.echo(out)
    click.echo(f"Wrote {title} ({fmt}) to {out}.", err=True)


def _template(folder: Path, name: str) -> str | None:
    path = folder / name
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _document(env, ident: str, fmt: str, as_of, templates: Path) -> tuple[bytes, str]:
    from comptoir.domain.printing import E_INVOICES, cii_xml, document_view, render_html
    from comptoir.errors import fail

    book = env.book(as_of, kinds=("invoice", "credit-note", "sales-order", "tax-code", "partner", "item"))
    view = document_view(book, ident)
    title = f"{view['title'].lower()} {view['number']}"
    e_invoice = view["kind"] in E_INVOICES
    if fmt in ("xml", "ubl") and not e_invoice:
        raise fail("no-e-invoice", f"{view['number']} is a {view['title'].lower()}: only invoices and credit "
                   "notes have a structured e-invoice", "give --format pdf or html")
    if e_invoice and fmt != "html" and not (view["seller"]["country"] and view["seller"]["vat_id"]):
        click.echo("warning: the seller's address and VAT number are not set; EN 16931 asks for the "
                   "seller's postal address and country (BR-08, BR-09) and, on taxed sales, VAT number "
                   "(BR-S-02): `comptoir sales seller --vat-id ... --street ... --city ... --country ...`",
                   err=True)
    if fmt == "xml":
        return cii_xml(view), title
    if fmt == "ubl":
        from comptoir.domain.ubl import ubl_xml
        from comptoir.schemas.types import currency_places

        return ubl_xml(view, book.settings.currency, currency_places(book.settings.currency)), title
    html = render_html(view, _template(templates, "invoice.html"))
    if fmt == "html":
        return html.encode("utf-8"), title
    return _pdf(html, cii_xml(view) if e_invoice else None), title


def _statement(env, partner: str, fmt: str, date_, from_, as_of, templates: Path) -> tuple[bytes, str]:
    from comptoir.commands._docs import day_of
    from comptoir.domain.statement_document import render_statement, statement_view
    from comptoir.errors import fail

    if fmt in ("xml", "ubl"):
        raise fail("no-e-invoice", "a statement of account has no structured e-invoice", "give --format pdf or html")
    book = env.book(as_of)
    day = day_of(env, date_)
    view = statement_view(book, partner, day, None, day_of(env, from_, "--from") if from_ else None)
    html = render_statement(view, _template(templates, "statement.html"))
    title = f"statement of account for {partner} on {day}"
    return (html.encode("utf-8") if fmt == "html" else _pdf(html, None)), title


def _pdf(html: str, xml: bytes | None) -> bytes:
    """HTML -> PDF with WeasyPrint; an invoice's Factur-X XML then embedded (PDF/A-3) by factur-x."""
    from comptoir.errors import fail

    try:
        from weasyprint import HTML

        if xml is not None:
            import facturx
    except (ImportError, OSError) as exc:
        raise fail("missing-library", f"PDF documents need WeasyPrint and factur-x ({exc})",
                   "pip install 'comptoir[documents]' (WeasyPrint also needs Pango from your system)") from None
    import logging

    for name in ("weasyprint", "fontTools", "factur-x", "facturx"):
        logging.getLogger(name).setLevel(logging.ERROR)
    pdf = HTML(string=html).write_pdf()
    if xml is None:
        return pdf
    return facturx.generate_from_binary(pdf, xml, flavor="factur-x", level="en16931", check_xsd=True)
