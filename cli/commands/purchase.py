"""`comptoir purchase`: purchase orders, goods receipts and supplier bills; the `purchases`
report (`comptoir report purchases`)."""

from __future__ import annotations

import click

from comptoir.commands import _docs
from comptoir.commands._docs import committed, day_of, decimal_of, put_all
from comptoir.options import no_commit

LINE_HELP = ('A line: "SKU QTY PRICE [discount=PCT] [tax=CODE] [date=EXPECTED] [warehouse=CODE]" '
             "(repeatable, quote it).")


@click.group()
def purchase() -> None:
    """Procure to pay: order from suppliers, receive the goods, book their bills.

    \b
    comptoir purchase order --partner SUPPLIER --line "GREEN-BRA 600 6.65" --expected 2026-12-10
    comptoir purchase receive PO-... [--line 1 --qty 300]     stock in, inventory / GRNI
    comptoir purchase bill PO-... --number THEIR-INVOICE      GRNI / payables, price variance
    """


@purchase.command("order")
@click.option("--partner", required=True, help="The supplier's id.")
@click.option("--line", "lines", multiple=True, required=True, help=LINE_HELP)
@click.option("--date", "date_", help="Order date. Default: today.")
@click.option("--expected", help="Expected receipt date for lines without date=. Default: order date + lead time.")
@click.option("--warehouse", help="Where the goods arrive (optional with one warehouse).")
@click.option("--tax", help="Tax code for lines without tax=.")
@click.option("--currency", help="Order currency. Default: the supplier's, else the book's.")
@click.option("--payment-terms", type=click.IntRange(min=0), metavar="DAYS", help="Default: the supplier's.")
@click.option("--reference", help="The supplier's order confirmation number.")
@click.option("--notes")
@no_commit
@click.pass_obj
def order(env, partner, lines, date_, expected, warehouse, tax, currency, payment_terms, reference, notes, no_commit) -> None:
    """Order from a supplier. Prints the order id; its open lines show as incoming stock."""
    from comptoir.domain.documents import parse_line
    from comptoir.domain.purchasing import new_order, order_value

    parsed = [parse_line(x) for x in lines]
    with env.writer("purchase order", no_commit) as w:
        po = new_order(w.book, partner, parsed, day_of(env, date_), env.rng, day_of(env, expected, "--expected")
                       if expected else None, warehouse, currency, tax, payment_terms, reference, notes)
        put_all(w, [("purchase-order", po)])
        value = order_value(po, w.book)
        subject = f"Order {po.id} from {partner}: {len(po.lines)} line(s), {value:,f} {po.currency or w.book.base}"
        sha = w.commit(subject, [po.id])
    click.echo(po.id)
    dates = sorted({ln.expected for ln in po.lines if ln.expected})
    click.echo(f"{subject}; expected {', '.join(str(d) for d in dates)}" + committed(sha), err=True)


@purchase.command("receive")
@click.argument("ident", metavar="PO")
@click.option("--line", "line_nos", multiple=True, type=int, help="Order line number (repeatable, with --qty).")
@click.option("--qty", "qtys", multiple=True, help="Quantity received on the matching --line.")
@click.option("--date", "date_", help="Receipt date. Default: today.")
@click.option("--rate", help="Exchange rate for a foreign-currency order. Default: the rate table's.")
@click.option("--reference", help="The supplier's delivery note.")
@no_commit
@click.pass_obj
def receive(env, ident, line_nos, qtys, date_, rate, reference, no_commit) -> None:
    """Receive goods on purchase order PO (everything open, or --line N --qty Q ...).

    Writes the receipt, its stock moves and the entry debiting inventory and crediting goods
    received not invoiced, in one commit. Prints the receipt id.
    """
    from comptoir.domain.documents import picks
    from comptoir.domain.purchasing import receive as build

    with env.writer("purchase receive", no_commit) as w:
        result = build(w.book, ident, picks(line_nos, qtys), day_of(env, date_), env.rng, reference,
                       decimal_of(rate, "--rate"))
        subject = _docs.put_stock_document(w, "receipt", result.receipt, result,
                                           f"Receive {result.receipt.id} on {ident}")
        sha = w.commit(subject, result.ids)
    click.echo(result.receipt.id)
    click.echo(subject + committed(sha), err=True)


@purchase.command("bill")
@click.argument("idents", metavar="[PO]...", nargs=-1)
@click.option("--number", required=True, help="The supplier's invoice number.")
@click.option("--partner", help="The supplier (needed only for a bill with no order).")
@click.option("--line", "line_nos", multiple=True, help="Order line billed: N, or PO:N on a bill over several "
              "orders (repeatable, with --qty).")
@click.option("--qty", "qtys", multiple=True, help="Quantity billed on the matching --line (up to what was ordered).")
@click.option("--price", "prices", multiple=True, help="Unit price billed on the matching --line, when it "
              "differs from the order (the difference goes to price variance).")
@click.option("--ordered", is_flag=True, help="Bill everything ordered and not billed yet, received or not "
              "(default: what was received and not billed).")
@click.option("--charge", "charges", multiple=True, metavar='"ACCOUNT AMOUNT [tax=CODE] [desc=TEXT]"',
              help="A line with no order: freight, a service (repeatable).")
@click.option("--landed", "landed", multiple=True,
              metavar='"AMOUNT [tax=CODE] [by=value|qty] [order=PO,...] [desc=TEXT]"',
              help="A landed cost (freight, duty) added to the stock received on the bill's orders (or the "
                   "orders named, another supplier's too), by value or quantity; the share of goods already "
                   "gone goes to cost of goods sold (repeatable).")
@click.option("--date", "date_", help="Bill date. Default: today.")
@click.option("--due", help="Due date. Default: bill date + payment terms.")
@click.option("--rate", help="Exchange rate for a foreign-currency bill. Default: the rate table's.")
@no_commit
@click.pass_obj
def bill(env, idents, number, partner, line_nos, qtys, prices, ordered, charges, landed, date_, due, rate,
         no_commit) -> None:
    """Book a supplier's bill, independent of the receipts: for one or several orders (PO...),
    before or after the goods arrive, with lines no order has (--charge) and landed costs.

    Debits goods received not invoiced (at the value received, or for goods not arrived yet at
    the order price: their receipt then clears it) and input tax, credits accounts payable with
    the gross amount; a price difference goes to the price-variance account. GRNI ends at
    0.00 once everything is received and billed.
    """
    from comptoir.domain.purchasing import BillPick
    from comptoir.domain.purchasing import bill as build
    from comptoir.errors import fail

    chosen: list[BillPick] | None = None
    if line_nos or qtys:
        if len(line_nos) != len(qtys):
            raise fail("line-qty-pairs", f"{len(line_nos)} --line and {len(qtys)} --qty given",
                       "give one --qty for each --line: --line 1 --qty 10")
        if prices and len(prices) != len(line_nos):
            raise fail("line-price-pairs", f"{len(prices)} --price for {len(line_nos)} --line",
                       "give one --price per --line")
        chosen = []
        for i, (ref, q) in enumerate(zip(line_nos, qtys, strict=True)):
            order, _, n = ref.rpartition(":")
            if not order:
                if len(idents) != 1:
                    raise fail("which-order", f"--line {ref}: the bill covers {len(idents)} orders",
                               "name the order: --line PO-...:N")
                order = idents[0]
            if not n.isdigit():
                raise fail("invalid-line", f"--line {ref!r} is not a line number", "write --line 2 or --line PO-...:2")
            qty = decimal_of(q, "--qty")
            if qty <= 0:
                raise fail("invalid-quantity", f"--qty {q} must be more than zero", "give a positive quantity")
            chosen.append(BillPick(order, int(n), qty, decimal_of(prices[i], "--price") if prices else None))
    elif prices:
        if len(prices) != 1 or len(idents) != 1:
            raise fail("line-price-pairs", f"{len(prices)} --price without --line",
                       "give one --price per --line, or one --price for a one-line order")
        chosen = None
    extra = [_charge(text, landed=False) for text in charges] + [_charge(text, landed=True) for text in landed]
    with env.writer("purchase bill", no_commit) as w:
        if prices and chosen is None:  # one --price on a one-line order
            from comptoir.domain.purchasing import billable, get_order

            po = get_order(w.book, idents[0])
            if len(po.lines) != 1:
                raise fail("line-price-pairs", "one --price without --line needs a one-line order",
                           "give --line N --qty Q --price P")
            chosen = [BillPick(po.id, 1, billable(w.book, po, 1, ordered), decimal_of(prices[0], "--price"))]
        result = build(w.book, list(idents), chosen, day_of(env, date_), env.rng, number,
                       day_of(env, due, "--due") if due else None, decimal_of(rate, "--rate"), extra, partner,
                       ordered)
        doc = result.bill
        put_all(w, [("bill", doc), ("journal", result.entry), *(("stock-move", m) for m in result.moves)])
        cur = doc.currency or w.book.base
        on = ", ".join(doc.orders()) or "no order"
        subject = f"Bill {doc.id} ({number}) from {doc.partner} on {on}: {doc.total:,f} {cur}, due {doc.due}"
        sha = w.commit(subject, result.ids)
    click.echo(doc.id)
    variance = sum(x.variance for x in doc.lines)
    click.echo(subject + (f"; price variance {variance:,f} {w.book.base}" if variance else "") + committed(sha),
               err=True)


def _charge(text: str, landed: bool):
    """`ACCOUNT AMOUNT [tax=CODE] [desc=TEXT]` (a charge) or `AMOUNT [tax=] [by=] [desc=]` (landed)."""
    import shlex

    from comptoir.domain.purchasing import Charge
    from comptoir.errors import fail

    option = "--landed" if landed else "--charge"
    form = '"AMOUNT [tax=CODE] [by=value|qty] [desc=TEXT]"' if landed else '"ACCOUNT AMOUNT [tax=CODE] [desc=TEXT]"'
    try:
        tokens = shlex.split(text)
    except ValueError as exc:
        raise fail("invalid-charge", f"{option} {text!r}: {exc}", f"write {option} {form}") from None
    plain = [t for t in tokens if "=" not in t]
    keyed = dict(t.split("=", 1) for t in tokens if "=" in t)
    allowed = {"tax", "desc", "description"} | ({"by", "order"} if landed else set())
    if len(plain) != (1 if landed else 2) or set(keyed) - allowed or keyed.get("by", "value") not in ("value", "qty"):
        raise fail("invalid-charge", f"{option} {text!r} is not {form}", f"write {option} {form}")
    return Charge(decimal_of(plain[-1], option), None if landed else plain[0], keyed.get("tax"),
                  keyed.get("desc") or keyed.get("description"), landed, keyed.get("by", "value"),
                  [o for o in keyed.get("order", "").split(",") if o])


@purchase.command("return")
@click.argument("ident", metavar="PO")
@click.option("--reason", required=True, help="Why the goods go back.")
@click.option("--line", "line_nos", multiple=True, type=int, help="Order line number (repeatable, with --qty).")
@click.option("--qty", "qtys", multiple=True, help="Quantity sent back on the matching --line.")
@click.option("--date", "date_", help="Default: today.")
@no_commit
@click.pass_obj
def return_(env, ident, reason, line_nos, qtys, date_, no_commit) -> None:
    """Send received goods back to the supplier: stock out at the cost they came in at, debit
    goods received not invoiced (the supplier's credit note then clears it: `purchase debit-note`)."""
    from comptoir.domain.documents import picks
    from comptoir.domain.purchasing import return_goods

    with env.writer("purchase return", no_commit) as w:
        result = return_goods(w.book, ident, picks(line_nos, qtys), day_of(env, date_), env.rng, reason)
        subject = _docs.put_stock_document(w, "supplier-return", result.record, result,
                                           f"Return {result.record.id} on {ident}") + f": {reason}"
        sha = w.commit(subject, result.ids)
    click.echo(result.record.id)
    click.echo(subject + committed(sha), err=True)


@purchase.command("debit-note")
@click.argument("ident", metavar="BILL")
@click.option("--number", required=True, help="The supplier's credit note number.")
@click.option("--reason", required=True, help="Returned goods, price correction...")
@click.option("--line", "line_nos", multiple=True, type=int, help="Bill line number (repeatable, with --qty).")
@click.option("--qty", "qtys", multiple=True, help="Quantity credited on the matching --line.")
@click.option("--date", "date_", help="Default: today.")
@no_commit
@click.pass_obj
def debit_note(env, ident, number, reason, line_nos, qtys, date_, no_commit) -> None:
    """Book the supplier's credit note on BILL (in full, or --line N --qty Q): debit payables,
    credit GRNI (or the expense) and input tax. It settles what is open on the bill; the rest
    is a credit on the supplier (`pay apply`, `pay refund`)."""
    from comptoir.domain.documents import picks
    from comptoir.domain.purchasing import debit_note as build

    with env.writer("purchase debit-note", no_commit) as w:
        doc, entry = build(w.book, ident, picks(line_nos, qtys), day_of(env, date_), env.rng, number, reason)
        put_all(w, [("debit-note", doc), ("journal", entry)])
        subject = f"Debit note {doc.id} ({number}) on {doc.bill}: {doc.total:,f} {doc.currency or w.book.base}, {reason}"
        sha = w.commit(subject, [doc.id, entry.id])
    click.echo(doc.id)
    click.echo(subject + committed(sha), err=True)


@purchase.command("reschedule")
@click.argument("ident", metavar="PO")
@click.option("--expected", required=True, help="The new expected receipt date.")
@click.option("--line", "line_no", type=int, help="Only this line. Default: every open line.")
@no_commit
@click.pass_obj
def reschedule(env, ident, expected, line_no, no_commit) -> None:
    """Move the expected receipt date of an order's open lines (the supplier is late, or early)."""
    from comptoir.domain.purchasing import get_order
    from comptoir.domain.purchasing import reschedule as build

    with env.writer("purchase reschedule", no_commit) as w:
        po = build(w.book, get_order(w.book, ident), line_no, day_of(env, expected, "--expected"))
        put_all(w, [("purchase-order", po)])
        subject = f"Reschedule {ident}" + (f" line {line_no}" if line_no else "") + f": expected {expected}"
        sha = w.commit(subject, [ident])
    click.echo(subject + committed(sha), err=True)


cancel = _docs.cancel_command(purchase, "PO", "purchasing", "cancel", "purchase-order", "the rest of ",
                              "Cancel what is still to arrive on an order (what was received stays).")


list_ = _docs.orders_list(purchase, "purchasing",
                          ["ordered", "partly received", "received", "billed", "paid", "cancelled"],
                          "List purchase orders with their derived status.")


show = _docs.show_command(purchase, "PO", "purchasing",
                          "Show a purchase order: lines with received, billed and open quantities, receipts, bills.")


bills = _docs.documents_list(purchase, "bills", "purchasing", "bills_table", "bills",
                             "List supplier bills with what is still to pay.")

# with --per: net billed per --by group (supplier, item) in one column per period
purchases_report = _docs.by_period_report("purchases", "purchasing", "purchases_table", ["supplier", "item", "month"],
                                          "Purchases by supplier, item and month: quantity and value received, billed, "
                                          "price variance.")


# `comptoir report` commands of this family (listed by name in comptoir.families).
REPORTS = [purchases_report]
