"""Open items of receivables and payables, computed from the documents (and the postings no
document wrote), and partner balances.

Open items are computed, never stored: an invoice is open for its total less the payments
allocated to it and the credit notes against it; a payment's unallocated part and a credit
note's unapplied part stay open as credits on the partner. Postings to the receivable and
payable accounts that no document wrote (a hand-posted supplier invoice) are open items too,
grouped by reference, so the aging reports always add up to the accounts' balances.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from comptoir.errors import ComptoirError
from comptoir.model import Book
from comptoir.schemas.inventory import StockMove
from comptoir.schemas.types import currency_places

from ..ledger import ZERO, entries_between, entry_values, round_to
from .facts import OPEN_ITEMS, light, served_lazily, values_of, where
from .parties import to_base


@dataclass
class OpenItem:
    """Something that moves a partner's balance: an invoice, a bill, a credit, a payment's rest.

    `amount` is signed in the document's currency: positive increases what is owed (to us on
    the receivable side, by us on the payable side), negative is a credit.
    """

    side: str
    kind: str  # invoice | credit-note | bill | payment | journal
    document: str
    number: str
    partner: str
    date: dt.date
    due: dt.date
    currency: str
    rate: Decimal | None
    amount: Decimal
    settled: Decimal = ZERO
    base_amount: Decimal | None = None  # journal items: their base value as posted
    settlements: list[tuple[dt.date, str, Decimal]] = field(default_factory=list)

    @property
    def open(self) -> Decimal:
        return self.amount - self.settled

    def base(self, book: Book) -> Decimal:
        if self.base_amount is not None and self.settled == 0:
            return self.base_amount
        return to_base(book, self.open, self.rate)


def settle_rounding(book: Book, item: OpenItem | None, take: Decimal, already: Decimal = ZERO) -> Decimal:
    """The base-currency cent a settlement of `take` (in the document's currency) of a foreign
    open item carries so that its pieces add up to the item's own base value: converting each
    piece on its own, two halves of 19.00 USD at 0.85 make 8.08 + 8.08 = 16.16 against the
    invoice's 16.15, and the account would keep 0.01 EUR with nothing owed. Each piece is worth
    round(rate x settled after) - round(rate x settled before) instead; this returns that less
    round(rate x take), posted as an exchange difference (`value:`) on the open-item account.
    `already`: what the same write settles of the item before this piece."""
    if item is None or item.rate is None or item.currency == book.base or not take:
        return ZERO
    before = abs(item.settled) + already
    return (to_base(book, before + take, item.rate) - to_base(book, before, item.rate)
            - to_base(book, take, item.rate))


def rounding_postings(book: Book, account: str, currency: str, partner: str, value: Decimal) -> list[dict]:
    """An exchange difference of `value` (base) on the open-item account, and its counterpart on
    the exchange gain or loss account: the rounding settle_rounding found."""
    if not value:
        return []
    acc = book.settings.accounts
    return [{"account": account, "amount": round_to(ZERO, currency_places(currency)), "currency": currency,
             "value": value, "partner": partner, "memo": "rounding to the document's base value"},
            {"account": acc.fx_gain if value > 0 else acc.fx_loss, "amount": -value,
             "memo": "Exchange rounding"}]


def side_accounts(book: Book, side: str) -> set[str]:
    acc = book.settings.accounts
    codes = {acc.receivable if side == "receivable" else acc.payable}
    codes |= {c for c, a in book.accounts.items() if a.role == side}
    return codes


def document_entries(book: Book) -> set[str]:
    """Journal entries written by sales, purchasing and payment documents."""
    cached = book.derived.get("documents.entries")
    if cached is None:
        cached = set()
        for kind in ("invoice", "credit-note", "bill", "payment", "delivery", "receipt", "debit-note",
                     "application", "supplier-return"):
            # the field named, not getattr: a light record served without it must fail, not count for nothing
            for name in ("entry", "stock_entry") if kind == "credit-note" else ("entry",):
                cached.update(ident for ident in values_of(book, kind, name) if ident)
        book.derived["documents.entries"] = cached
    return cached


def document_moves(book: Book) -> set[str]:
    """Stock moves the lines of deliveries, credit notes, receipts and supplier returns name."""
    cached = book.derived.get("documents.moves")
    if cached is None:
        cached = book.derived["documents.moves"] = {
            move for kind in ("delivery", "credit-note", "receipt", "supplier-return")
            for d in book.of(kind).values() for ln in d.lines if (move := getattr(ln, "move", None))}
    return cached


def posting_documents(book: Book) -> set[str]:
    """The journal entries of invoices, credit notes and bills: the document rules compare their
    postings with the documents (of every other entry a document names they ask only whether it is there)."""
    cached = book.derived.get("documents.posting")
    if cached is None:
        cached = book.derived["documents.posting"] = {
            d.entry for kind in ("invoice", "credit-note", "bill") for d in light(book, kind).values() if d.entry}
    return cached


def named_by_document(book: Book, record) -> bool:
    """Whether the document rules read the journal entry or stock move a document names (what a
    streamed check keeps for them; any other is there to look up by id, read again when asked)."""
    if isinstance(record, StockMove):
        return record.id in document_moves(book)
    return record.id in posting_documents(book)


@dataclass
class OpenItems:
    side: str
    day: dt.date | None
    items: list[OpenItem]
    by_document: dict[str, OpenItem]
    ledger: Decimal  # the side accounts' balance (base, positive = owed)
    residual: Decimal  # ledger - sum of the items' base open amounts (exchange differences, rounding)

    def open_for(self, partner: str | None = None) -> list[OpenItem]:
        return [i for i in self.items if i.open != 0 and (partner is None or i.partner == partner)]


def partner_items(book: Book, side: str, partner: str, day: dt.date | None = None, journal: bool = True) -> OpenItems:
    """The open items a partner's are among (`open_for(partner)` gives them): on a write's book
    served its documents one by one, those of the partner and of every partner their documents
    are linked with (`linked_partners`), the others' left out; else every item (open_items)."""
    if not served_lazily(book, "invoice" if side == "receivable" else "bill"):
        return open_items(book, side, day, journal)
    return open_items(book, side, day, journal, linked_partners(book, side, partner))


def linked_partners(book: Book, side: str, partner: str) -> frozenset[str]:
    """The partner, and every partner whose documents settle or are settled by theirs, and so on:
    each item of the partner's is then computed from the same settlements as over the whole book
    (a payment pays its own partner's documents, payment_rules; a refund's credits are found
    through every refund, which open_items always takes)."""
    kinds = OPEN_ITEMS[side]
    records = {k: light(book, k) for k in kinds}
    # the documents some credit note, debit note or application names: the only ones linked from another's
    naming = [(k, name, set(values_of(book, k, name))) for k, name in _NAMING if k in kinds]
    seen: set[str] = set()
    todo = [partner]
    while todo:
        who = todo.pop()
        if who in seen:
            continue
        seen.add(who)
        for kind in kinds:
            for doc in where(book, kind, "partner", who):
                named = _names(kind, doc)
                found = [records[k][i] for i in named if i for k in kinds if i in records[k]]
                found += [d for k, name, ids in naming if doc.id in ids for d in where(book, k, name, doc.id)]
                todo.extend(d.partner for d in found if d.partner not in seen)
    return frozenset(seen)


_NAMING = (("credit-note", "invoice"), ("debit-note", "bill"), ("application", "document"), ("application", "credit"))


def _names(kind: str, doc: Any) -> list[Any]:
    """The documents `doc` settles or is settled against."""
    if kind in ("credit-note", "debit-note"):
        return [getattr(doc, "invoice", None) or getattr(doc, "bill", None)]
    if kind == "application":
        return [doc.document, doc.credit]
    if kind == "payment":
        return [a.document for a in doc.allocations]
    return []


def open_items(book: Book, side: str, day: dt.date | None = None, journal: bool = True,
               partners: frozenset[str] | None = None) -> OpenItems:
    """Every item on the receivable (or payable) side as of the end of `day` (None: everything).

    `journal=False` leaves out the postings no document wrote (and the ledger balance): what
    statuses and allocations need, without reading every journal entry. `partners`: only the
    items of these partners (and every refund), the ledger balance theirs (partner_items)."""
    key = ("documents.open", side, day, journal, partners)
    cached = book.derived.get(key)
    if cached is not None:
        return cached
    base = book.base
    found: list[OpenItem] = []
    by_doc: dict[str, OpenItem] = {}

    def dated(d) -> bool:
        return day is None or d.date <= day

    def of(kind: str) -> Any:
        if partners is None:
            return light(book, kind).values()
        found = {d.id: d for p in sorted(partners) for d in where(book, kind, "partner", p)}
        if kind == "payment":  # every refund: what it pays back may be another partner's credit
            found.update((d.id, d) for d in where(book, "payment", "refund", True))
        position = {ident: n for n, ident in enumerate(light(book, kind))} if len(partners) > 1 or kind == "payment" \
            else None
        return sorted(found.values(), key=lambda d: position[d.id]) if position is not None else found.values()

    payments = [p for p in of("payment") if p.settles == side and dated(p)]
    receivable = side == "receivable"
    documents = of("invoice" if receivable else "bill")
    for doc in documents:
        if dated(doc):
            item = OpenItem(side, "invoice" if receivable else "bill", doc.id, doc.number, doc.partner, doc.date,
                            doc.due, doc.currency or base, doc.rate, doc.total)
            found.append(item)
            by_doc[doc.id] = item
    notes = of("credit-note" if receivable else "debit-note")
    settling: list[tuple[str, Any]] = [("credit-note" if receivable else "debit-note", d) for d in notes if dated(d)]
    for p in payments:  # refunds first: a payment may not allocate to them, but applications do
        if p.refund:
            item = OpenItem(side, "refund", p.id, p.reference or p.id, p.partner, p.date, p.date,
                            p.currency or base, p.rate, p.amount)
            found.append(item)
            by_doc[p.id] = item
    settling += [("payment", p) for p in payments if not p.refund]
    applications = sorted((a for a in of("application") if a.side == side and dated(a)),
                          key=lambda a: (a.date, a.id))
    settling += [("application", a) for a in applications]
    # Payments and applications first: their allocations are explicit amounts, each no more than
    # was open when it was made. Credit notes then take what is still open on their invoice, so
    # the result does not depend on the order within a day, and a credit note on an invoice that
    # a payment and an applied credit settled stays a credit (not a second settlement of it).
    settling.sort(key=lambda kd: (kd[0] in ("credit-note", "debit-note"), kd[1].date, kd[1].id))
    for kind, d in settling:
        if kind == "application":
            target = by_doc.get(d.document)
            if target is not None:
                target.settled += d.amount
                target.settlements.append((d.date, d.id, d.amount))
        elif kind in ("credit-note", "debit-note"):
            target = by_doc.get(d.invoice if kind == "credit-note" else d.bill)
            applied = ZERO
            if target is not None:
                applied = min(d.total, max(target.open, ZERO))
                if applied:
                    target.settled += applied
                    target.settlements.append((d.date, d.id, applied))
            item = OpenItem(side, kind, d.id, d.number, d.partner, d.date, d.date, d.currency or base, d.rate,
                            -d.total, settled=-applied)
            found.append(item)
            by_doc[d.id] = item
        else:
            for a in d.allocations:
                target = by_doc.get(a.document)
                if target is not None:
                    target.settled += a.amount
                    target.settlements.append((d.date, d.id, a.amount))
            rest = d.unallocated
            item = OpenItem(side, kind, d.id, d.reference or d.id, d.partner, d.date, d.date, d.currency or base,
                            d.rate, -d.amount, settled=-(d.amount - rest))
            found.append(item)
            by_doc[d.id] = item
    for p in payments:  # a refund's allocations use up the credits it pays back
        if p.refund:
            for a in p.allocations:
                credit = by_doc.get(a.document)
                if credit is not None:
                    credit.settled -= a.amount
                    by_doc[p.id].settled += a.amount
                    credit.settlements.append((p.date, p.id, -a.amount))
    for ap in applications:  # the credits they used (credit notes exist only now)
        credit = by_doc.get(ap.credit)
        if credit is not None:
            credit.settled -= ap.amount
            credit.settlements.append((ap.date, ap.id, -ap.amount))
    if not journal:
        found.sort(key=lambda i: (i.partner, i.date, i.number, i.document))
        result = OpenItems(side, day, found, by_doc, ZERO, ZERO)
        book.derived[key] = result
        return result
    # postings no document wrote, grouped by account, partner, currency and reference
    accounts = side_accounts(book, side)
    sign = 1 if side == "receivable" else -1
    ours = document_entries(book)
    groups: dict[tuple, OpenItem] = {}
    ledger = ZERO
    given = book.derived.get("ledger.rows")  # served to a report: the side accounts' posting rows (cli/app/openitems.py)
    if given is None:
        rows_for = book.fact("ledger.rows-for")  # served to a write: the side accounts' postings, from the store
        given = rows_for(accounts) if rows_for is not None else None
    for entry in (() if given is not None else entries_between(book, None, day)):
        if not any(p.account in accounts and (partners is None or (p.partner or "") in partners)
                   for p in entry.postings):
            continue
        try:  # an entry no rate converts is reported by the currency rules; it counts for nothing here
            values = entry_values(book, entry)
        except ComptoirError:
            continue
        ledger += sign * sum((v for p, v in zip(entry.postings, values, strict=True) if p.account in accounts), ZERO)
        if entry.id in ours:
            continue
        for posting, value in zip(entry.postings, values, strict=True):
            if posting.account in accounts and (partners is None or (posting.partner or "") in partners):
                _group_journal(groups, side, (posting.account, posting.partner or "", posting.currency or base,
                                              entry.reference or entry.id), entry.date, posting.amount, value)
    if given is not None:
        if partners is not None and not hasattr(given, "total_and_rows"):
            given = [r for r in given if (r.partner or "") in partners]
        ledger = _rows_items(groups, given, side, day, accounts, ours, base, partners)
    for item in groups.values():
        if item.amount != 0:
            if item.currency != base:
                item.rate = item.base_amount / item.amount if item.base_amount else None
            found.append(item)
    found.sort(key=lambda i: (i.partner, i.date, i.number, i.document))
    total = sum((i.base(book) for i in found if i.open != 0), ZERO)
    result = OpenItems(side, day, found, by_doc, ledger, ledger - total)
    book.derived[key] = result
    return result


def _rows_items(groups: dict[tuple, OpenItem], rows: list, side: str, day: dt.date | None, accounts: set[str],
                ours: set[str], base: str, partners: frozenset[str] | None = None) -> Decimal:
    """open_items' journal part from posting rows (comptoir.domain.ledger.PostingRow) of the side
    accounts, as the entries would give it: groups in the order of the entries' files (month
    folder, then id), and the side accounts' balance, returned."""
    sign = 1 if side == "receivable" else -1
    ledger = ZERO
    mine = []  # the rows no document wrote: the only ones grouped, so the only ones put in order
    served = getattr(rows, "total_and_rows", None)  # rows kept per journal folder (comptoir.app.ledgerdays)
    if served is not None:  # `partners`: only their rows (a list given is already theirs)
        total, mine = served(accounts, day, ours, partners)
        ledger = sign * total
    for r in () if served is not None else rows:
        if r.account not in accounts or (day is not None and r.date > day):
            continue
        ledger += sign * r.value  # exact: the order of the additions does not matter
        if r.id not in ours:
            mine.append(r)
    for r in sorted(mine, key=lambda r: (r.date.year, r.date.month, r.id + ".yaml", r.line)):
        _group_journal(groups, side, (r.account, r.partner or "", r.currency or base, r.reference or r.id),
                       r.date, r.amount, r.value)
    return ledger


def _group_journal(groups: dict[tuple, OpenItem], side: str, key: tuple[str, str, str, str], day: dt.date,
                   amount: Decimal, value: Decimal) -> None:
    """Add one side-account posting (its amount, and its base value) to the journal open item of its
    account, partner, currency and reference: the one grouping of open_items and _rows_items."""
    sign = 1 if side == "receivable" else -1
    group = groups.get(key)
    if group is None:
        _, partner, cur, ref = key
        group = groups[key] = OpenItem(side, "journal", ref, ref, partner, day, day, cur, None, ZERO,
                                       base_amount=ZERO)
    group.amount += sign * amount
    group.base_amount = (group.base_amount or ZERO) + sign * value
    group.date = min(group.date, day)
    group.due = group.date


def partner_balance(book: Book, side: str, partner: str, day: dt.date | None = None) -> Decimal:
    """What the partner owes (receivable) or is owed (payable), in the base currency."""
    return sum((i.base(book) for i in partner_items(book, side, partner, day).open_for(partner)), ZERO)
