"""`comptoir sales`: quotes, orders with promise dates, deliveries, invoices and credit notes; the
`sales` and `open-orders` reports."""

from __future__ import annotations

import click

from comptoir.commands import _docs
from comptoir.commands._docs import committed, day_of, put_all
from comptoir.options import as_of, emit, no_commit, output_format

LINE_HELP = ('A line: "SKU QTY [PRICE] [discount=PCT] [tax=CODE] [date=REQUESTED] [warehouse=CODE]" '
             "(repeatable, quote it). PRICE defaults to the item's list price.")
STATUSES = ["draft", "confirmed", "partly delivered", "delivered", "invoiced", "paid", "cancelled"]


@click.group()
def sales() -> None:
    """Order to cash: quote, order (reserving stock with a promise date), deliver, invoice, credit.

    \b
    comptoir sales order --partner CUSTOMER --line "ESP-1K 20 34.00" --tax VAT55 [--requested 2026-12-04]
    comptoir sales deliver SO-... [--line 1 --qty 10]      stock out, cost of goods sold
    comptoir sales invoice SO-...|DN-...                   receivable / revenue / output tax
    comptoir sales credit-note INVOICE --reason "..."      reverses revenue, takes goods back
    """


# The document kinds whose every record open items read (light records served from the store,
# comptoir.domain.documents.facts.light): the customer's open invoices and credits.
OPEN_ITEMS = ("invoice", "credit-note", "payment", "application", "bill", "debit-note")
# What the stock a promise counts on is reserved or expected by: open sales and purchase lines.
RESERVATIONS = ("sales-order", "delivery", "purchase-order", "receipt", "supplier-return", "bill", "debit-note")
# What a confirmed order's checks read whole, as derived facts: the journal (the customer's open
# receivables for the credit check), the stock moves (the levels its promise starts from), the
# reservations and the documents of the open items.
ORDER_FACTS = ("journal", "stock-move", *RESERVATIONS, *OPEN_ITEMS)
# A delivery: what each order line has had, the promises it may break, what was invoiced.
DELIVER_FACTS = ("stock-move", *RESERVATIONS, "invoice")
# An invoice: the order's deliveries and invoices, the numbering, the open items the rules replay.
INVOICE_FACTS = ("delivery", *OPEN_ITEMS)


def _order_options(fn):
    for decorator in reversed([
        click.option("--partner", required=True, help="The customer's id."),
        click.option("--line", "lines", multiple=True, required=True, help=LINE_HELP),
        click.option("--date", "date_", help="The order's own date (default: today). A date after today is "
                     "read as --requested, the meaning --date had before, with a warning."),
        click.option("--requested", help="The delivery date the customer asks for (lines without date=). "
                     "A date the stock cannot meet is a warning (refused with --firm)."),
        click.option("--firm", is_flag=True, help="Refuse the order when a requested date cannot be met."),
        click.option("--warehouse", help="Ship from here. Default: the warehouse that can ship soonest."),
        click.option("--tax", help="Tax code for lines without tax=."),
        click.option("--currency", help="Default: the customer's, else the book's."),
        click.option("--payment-terms", type=click.IntRange(min=0), metavar="DAYS", help="Default: the customer's."),
        click.option("--reference", help="The customer's purchase order number."),
        click.option("--notes"),
    ]):
        fn = decorator(fn)
    return fn


def _dates(env, date_: str | None, requested: str | None):
    """(order date, requested date) from --date and --requested; --date used to be the requested
    date, so a --date after today without --requested is still read that way."""
    day = day_of(env, date_) if date_ else env.today
    asked = day_of(env, requested, "--requested") if requested else None
    if date_ and day > env.today and asked is None:
        click.echo(f"warning: --date {day} is after today: read as the requested date (--requested); "
                   "--date is now the order's own date", err=True)
        return env.today, day
    return day, asked


def _report_order(result, book, verb: str, sha) -> None:
    so = result.order
    click.echo(so.id)
    for i, line in enumerate(so.lines, 1):
        if line.promised:
            click.echo(f"line {i}: {line.qty:f} {line.item} from {line.warehouse}, promised {line.promised}", err=True)
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    click.echo(f"{verb} {so.id} for {so.partner}" + committed(sha), err=True)


def _subject(verb: str, so, book) -> str:
    from comptoir.domain.sales import order_net

    promised = [ln.promised for ln in so.lines if ln.promised]
    return (f"{verb} {so.id} for {so.partner}: {len(so.lines)} line(s), {order_net(book, so):,f} "
            f"{so.currency or book.base}" + (f", promised {max(promised)}" if promised else ""))


@sales.command("quote")
@_order_options
@click.option("--valid-until", help="The last day the quote holds.")
@no_commit
@click.pass_obj
def quote(env, partner, lines, date_, requested, firm, warehouse, tax, currency, payment_terms, reference, notes,
          valid_until, no_commit) -> None:
    """Quote a customer (a draft order: it reserves nothing). Prints its id and promise dates."""
    from comptoir.domain.documents import parse_line
    from comptoir.domain.sales import new_order

    parsed = [parse_line(x) for x in lines]
    day, asked = _dates(env, date_, requested)
    with env.writer("sales quote", no_commit) as w:
        result = new_order(w.book, partner, parsed, env.today, env.rng, confirm=False, day=day,
                           requested=asked, warehouse=warehouse,
                           currency=currency, tax=tax, terms=payment_terms, reference=reference, firm=firm,
                           valid_until=day_of(env, valid_until, "--valid-until") if valid_until else None, notes=notes)
        put_all(w, [("sales-order", result.order)])
        sha = w.commit(_subject("Quote", result.order, w.book), [result.order.id])
    _report_order(result, w.book, "Quoted", sha)


@sales.command("order")
@_order_options
@click.option("--override", metavar="REASON", help="Accept the order over the customer's credit limit, saying why.")
@no_commit
@click.pass_obj
def order(env, partner, lines, date_, requested, firm, warehouse, tax, currency, payment_terms, reference, notes,
          override, no_commit) -> None:
    """Take a confirmed order: each stocked line gets a promised date (printed and stored) and
    reserves its quantity. Refused over the customer's credit limit unless --override."""
    from comptoir.domain.documents import parse_line
    from comptoir.domain.sales import new_order

    parsed = [parse_line(x) for x in lines]
    day, asked = _dates(env, date_, requested)
    with env.writer("sales order", no_commit, reads=ORDER_FACTS) as w:
        result = new_order(w.book, partner, parsed, env.today, env.rng, confirm=True, day=day,
                           requested=asked, warehouse=warehouse,
                           currency=currency, tax=tax, terms=payment_terms, reference=reference,
                           override=override, firm=firm, notes=notes)
        put_all(w, [("sales-order", result.order)])
        sha = w.commit(_subject("Order", result.order, w.book), [result.order.id],
                       trailers={"Comptoir-Credit-Override": override} if result.order.credit_override else None)
    _report_order(result, w.book, "Ordered", sha)


@sales.command("confirm")
@click.argument("ident", metavar="QUOTE")
@click.option("--override", metavar="REASON", help="Accept it over the customer's credit limit, saying why.")
@click.option("--firm", is_flag=True, help="Refuse when a requested date cannot be met any more.")
@click.option("--date", "date_", help="The day the customer accepted it (its confirmation date). Default: today.")
@no_commit
@click.pass_obj
def confirm(env, ident, override, firm, date_, no_commit) -> None:
    """Turn a quote into an order: promise dates are computed again and the stock is reserved."""
    from comptoir.domain.sales import confirm_order, get_order

    with env.writer("sales confirm", no_commit, reads=ORDER_FACTS) as w:
        result = confirm_order(w.book, get_order(w.book, ident), env.today, override, firm,
                               day_of(env, date_) if date_ else None)
        put_all(w, [("sales-order", result.order)])
        sha = w.commit(_subject("Confirm", result.order, w.book), [ident])
    _report_order(result, w.book, "Confirmed", sha)


cancel = _docs.cancel_command(sales, "ORDER", "sales", "cancel_order", "sales-order", "",
                              "Cancel a quote, or what is still to deliver on an order (its reservations are released).")


@sales.command("deliver")
@click.argument("ident", metavar="ORDER")
@click.option("--line", "line_nos", multiple=True, type=int, help="Order line number (repeatable, with --qty).")
@click.option("--qty", "qtys", multiple=True, help="Quantity shipped on the matching --line.")
@click.option("--date", "date_", help="Delivery date. Default: today.")
@click.option("--take-reserved", is_flag=True, help="Ship even when it takes stock another order's promise "
              "counts on; the orders whose promise breaks are named.")
@no_commit
@click.pass_obj
def deliver(env, ident, line_nos, qtys, date_, take_reserved, no_commit) -> None:
    """Ship ORDER (everything still open, or --line N --qty Q ...; partial deliveries are fine).

    Writes the delivery, its stock moves and the cost-of-goods-sold entry in one commit.
    Refused beyond what was ordered or what is on hand, and when it would take stock reserved
    for another order's promise (free stock goes first) unless --take-reserved. Prints the
    delivery id.
    """
    from comptoir.domain.documents import picks
    from comptoir.domain.sales import deliver as build

    with env.writer("sales deliver", no_commit, reads=DELIVER_FACTS) as w:
        result = build(w.book, ident, picks(line_nos, qtys), day_of(env, date_), env.rng, env.today,
                       take_reserved)
        subject = _docs.put_stock_document(w, "delivery", result.delivery, result,
                                           f"Deliver {result.delivery.id} on {ident}", "cost ")
        sha = w.commit(subject, result.ids)
    click.echo(result.delivery.id)
    for b in result.broken:
        click.echo(f"warning: took stock promised to {b}", err=True)
    click.echo(subject + committed(sha), err=True)


@sales.command("invoice")
@click.argument("ident", metavar="ORDER|DELIVERY")
@click.option("--date", "date_", help="Invoice date. Default: today.")
@click.option("--due", help="Due date. Default: invoice date + payment terms.")
@no_commit
@click.pass_obj
def invoice(env, ident, date_, due, no_commit) -> None:
    """Invoice a delivery, or everything delivered and not invoiced on an order.

    Debits receivables with the gross amount, credits revenue and output tax; numbered next
    in the fiscal year (2026-0007), due after the payment terms. Prints the invoice id and number.
    """
    from comptoir.domain.sales import invoice as build

    with env.writer("sales invoice", no_commit, reads=INVOICE_FACTS) as w:
        doc, entry = build(w.book, ident, day_of(env, date_), env.rng, day_of(env, due, "--due") if due else None)
        put_all(w, [("invoice", doc), ("journal", entry)])
        cur = doc.currency or w.book.base
        subject = (f"Invoice {doc.number} ({doc.id}) to {doc.partner}: {doc.total:,f} {cur}, due {doc.due}")
        sha = w.commit(subject, [doc.id, entry.id], trailers={"Comptoir-Invoice-Number": doc.number})
    click.echo(doc.id)
    click.echo(doc.number)
    click.echo(subject + committed(sha), err=True)


@sales.command("credit-note")
@click.argument("ident", metavar="INVOICE")
@click.option("--reason", required=True, help="Why: returned, damaged, price correction...")
@click.option("--line", "line_nos", multiple=True, type=int, help="Invoice line number (repeatable, with --qty).")
@click.option("--qty", "qtys", multiple=True, help="Quantity credited on the matching --line.")
@click.option("--no-return", "no_return", is_flag=True, help="A price credit: the goods do not come back.")
@click.option("--date", "date_", help="Default: today.")
@no_commit
@click.pass_obj
def credit_note(env, ident, reason, line_nos, qtys, no_return, date_, no_commit) -> None:
    """Credit INVOICE (in full, or --line N --qty Q ...): reverses revenue and tax against the
    receivable; returned goods come back into stock at their original cost."""
    from comptoir.domain.documents import picks
    from comptoir.domain.sales import credit_note as build

    with env.writer("sales credit-note", no_commit) as w:
        result = build(w.book, ident, picks(line_nos, qtys), day_of(env, date_), env.rng, reason,
                       restock=not no_return)
        note = result.note
        put_all(w, [("credit-note", note), ("journal", result.entry), *(("stock-move", m) for m in result.moves),
                    ("journal", result.stock_entry)])
        subject = f"Credit note {note.number} ({note.id}) on {ident}: {note.total:,f} {note.currency or w.book.base}, {reason}"
        sha = w.commit(subject, result.ids)
    click.echo(note.id)
    click.echo(note.number)
    click.echo(subject + committed(sha), err=True)


@sales.command("renumber")
@click.argument("ident", metavar="INVOICE")
@no_commit
@click.pass_obj
def renumber(env, ident, no_commit) -> None:
    """Give an invoice (or credit note) whose number another branch also used the next free number.

    Run it on the branch that is not merged yet, after bringing in the main branch: the
    invoice and its journal entry's reference change in one commit.
    """
    from comptoir.domain.sales import get_invoice
    from comptoir.domain.sales import renumber as build

    with env.writer("sales renumber", no_commit) as w:
        kind = "credit-note" if ident in w.book.of("credit-note") else "invoice"
        doc = w.book.of(kind)[ident] if kind == "credit-note" else get_invoice(w.book, ident)
        revised, entry = build(w.book, doc, kind)
        put_all(w, [(kind, revised), ("journal", entry)])
        sha = w.commit(f"Renumber {doc.id}: {doc.number} -> {revised.number}", [doc.id])
    click.echo(revised.number)
    click.echo(f"{doc.id}: {doc.number} -> {revised.number}" + committed(sha), err=True)


list_ = _docs.orders_list(sales, "sales", STATUSES, "List quotes and orders with their derived status.")


show = _docs.show_command(sales, "ID", "sales",
                          "Show an order (lines, delivered, invoiced, promises), a delivery, an invoice or a credit note.")


invoices = _docs.documents_list(sales, "invoices", "sales", "invoices_table", "invoices",
                                "List invoices with what is open and their status (open, partly paid, overdue, paid, "
                                "credited).", today=True)


SELLER_FIELDS = ("legal_name", "vat_id", "registration", "email", "iban", "bic")
ADDRESS_FIELDS = ("street", "street2", "postal_code", "city", "region", "country")


@sales.command("seller")
@click.option("--legal-name", help="The legal name, when it differs from the company name.")
@click.option("--vat-id", help="VAT number (FR12345678901).")
@click.option("--registration", help="Company register number (SIREN, KvK, HRB ...).")
@click.option("--street")
@click.option("--street2")
@click.option("--postal-code")
@click.option("--city")
@click.option("--region")
@click.option("--country", help="ISO 3166 two-letter code (FR).")
@click.option("--email", help="Where customers write about invoices.")
@click.option("--iban", help="The account customers pay to (shown on documents, SEPA credit transfer).")
@click.option("--bic")
@no_commit
@click.pass_obj
def seller(env, no_commit, **given) -> None:
    """Set the company as its invoices show it: legal name, VAT number, address, bank account.

    Kept under `seller:` in comptoir.yaml (the rest of the file stays as written); `comptoir
    document` puts it on PDFs and in the e-invoice XML (EN 16931 needs the seller's address and,
    for taxed sales, VAT number). Only the options given change.
    """
    from comptoir.book import yamlread, yamlwrite
    from comptoir.domain.printing import check_seller
    from comptoir.errors import ComptoirError, Problem, fail
    from comptoir.schemas.settings import Settings

    changes = {k: v.strip() for k, v in given.items() if v is not None}
    if not changes:
        raise click.UsageError("give at least one detail to set, e.g. --vat-id FR12345678901")
    changes = check_seller(changes)
    with env.writer("sales seller", no_commit) as w:
        text = w.book.text_reader(w.book.settings_path) if w.book.text_reader else None
        if text is None:
            raise fail("no-settings", f"cannot read {w.book.settings_path}", "check the data root")
        doc = yamlwrite.load_roundtrip(text)
        section = doc.get("seller")
        if section is None:
            doc["seller"] = section = {}
        for key in SELLER_FIELDS:
            if key in changes:
                section[key] = changes[key]
        if any(k in changes for k in ADDRESS_FIELDS):
            if section.get("address") is None:
                section["address"] = {}
            for key in ADDRESS_FIELDS:
                if key in changes:
                    section["address"][key] = changes[key]
        new_text = yamlwrite.dump(doc)
        try:
            settings = Settings.model_validate(yamlread.parse(new_text))
        except ValueError as exc:
            raise ComptoirError([Problem(w.book.settings_path, 0, "invalid-value", str(exc).splitlines()[0],
                                         "see `comptoir sales seller --help`")]) from None
        w.put_settings_text(new_text, settings)
        sha = w.commit("Seller details: " + ", ".join(sorted(changes)), [])
    click.echo(f"Seller details saved: {', '.join(sorted(changes))}" + committed(sha), err=True)


# with --per: revenue per --by group (customer, item) in one column per period
sales_report = _docs.by_period_report("sales", "sales", "sales_table", ["customer", "item", "month"],
                                      "Sales by customer, item and month: quantity, revenue, cost and margin (credit "
                                      "notes deducted).")


@click.command("open-orders")
@click.option("--date", "date_", help="The day to judge the promises on. Default: today.")
@click.option("--side", type=click.Choice(["sales", "purchases"]), help="Only one side.")
@output_format
@as_of
@click.pass_obj
def open_orders_report(env, date_, side, fmt, as_of) -> None:
    """What is still to deliver and to receive, with promised and expected dates, and whether each
    promise is at risk given the stock and supply expected now."""
    from comptoir.app import stockreports
    from comptoir.views.sales import open_orders_table

    day = day_of(env, date_)
    book = stockreports.served(env, as_of, ledger=False, level_days=(None, day),
                               kinds=_docs.reads(open_orders_table) or (), facts=_docs.facts(open_orders_table))
    emit(open_orders_table(book, day, side), fmt, book.revision)


# `comptoir report` commands of this family (listed by name in comptoir.families).
REPORTS = [sales_report, open_orders_report]
