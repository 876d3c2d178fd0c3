"""Partners, currencies, rates and payment terms of a document.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from comptoir.errors import fail
from comptoir.model import Book
from comptoir.schemas.partners import Partner
from comptoir.schemas.types import currency_places

from ..ledger import rate_on, round_to

DEFAULT_TERMS_DAYS = 30


def get_partner_as(book: Book, ident: str, role: str) -> Partner:
    partner = book.of("partner").get(ident)
    if partner is None:
        raise fail("unknown-partner", f"there is no partner {ident}",
                   "`comptoir partner list` shows the ids; add one with `comptoir partner add`")
    if role not in partner.roles:
        raise fail(f"not-a-{role}", f"partner {ident} is not a {role} (roles: {', '.join(partner.roles)})",
                   f"add the role with `comptoir partner update {ident} --role {role}`")
    if not partner.active:
        raise fail("inactive-partner", f"partner {ident} is inactive", "reactivate it to trade with it")
    return partner


def doc_currency(book: Book, partner: Partner, given: str | None) -> str | None:
    """The document's currency: given, else the partner's; None when it is the base currency."""
    cur = (given or partner.currency or book.base).upper()
    from comptoir.schemas.types import ISO_4217

    if not re.fullmatch(r"[A-Z]{3}", cur) or cur not in ISO_4217:
        raise fail("invalid-currency", f"{cur!r} is not an ISO 4217 currency code", "use an ISO code like EUR or USD")
    return None if cur == book.base else cur


def doc_rate(book: Book, currency: str | None, day: dt.date, given: Decimal | None = None) -> Decimal | None:
    """Base currency per unit on the day (None for the base currency)."""
    if currency is None:
        return None
    if given is not None:
        if given <= 0:
            raise fail("invalid-rate", f"--rate {given} must be more than zero", "give units of base currency per unit")
        return given
    rate = rate_on(book, currency, day)
    if rate is None:
        raise fail("rate-missing", f"no {currency} exchange rate on or before {day}",
                   f"add one with `comptoir rate add {currency} RATE --date {day}`, or give --rate")
    return rate


def to_base(book: Book, amount: Decimal, rate: Decimal | None) -> Decimal:
    return amount if rate is None else round_to(amount * rate, currency_places(book.base))


def terms_of(partner: Partner, given: int | None = None) -> int:
    if given is not None:
        return given
    return partner.payment_terms_days if partner.payment_terms_days is not None else DEFAULT_TERMS_DAYS
