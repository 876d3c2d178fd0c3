"""Sequential document numbers: one series per prefix and fiscal year, without gaps.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from comptoir.model import Book
from comptoir.schemas.sales import INVOICE_NUMBER

from .facts import values_of

_NUMBER = re.compile(INVOICE_NUMBER)


def split_number(number: str) -> tuple[str, int, int] | None:
    """'CN2026-0003' -> ('CN', 2026, 3)."""
    m = _NUMBER.match(number)
    return (m["series"], int(m["year"]), int(m["seq"])) if m else None


def next_number(book: Book, kind: str, series: str, day: dt.date, taken: Iterable[str] = ()) -> str:
    """The next number of the series in the fiscal year of `day`: the highest so far + 1.

    Two branches that each write an invoice both take the same next number; `validate` on the
    merged book reports the duplicate (see sales_numbering), and `sales renumber` fixes it.
    """
    year = book.settings.fiscal_year_of(day)
    highest = 0
    for number in values_of(book, kind, "number") + list(taken):
        parts = split_number(number)
        if parts and parts[0] == series and parts[1] == year:
            highest = max(highest, parts[2])
    return f"{series}{year}-{highest + 1:04d}"
