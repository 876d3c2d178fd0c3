"""The overview table: one row per measure of every family's section."""

from __future__ import annotations

import datetime as dt

from comptoir.domain.book import Book
from comptoir.domain.overview import overview_rows
from comptoir.domain.table import Column, Table, text
from comptoir.schemas.types import currency_places


def overview(book: Book, today: dt.date) -> Table:
    cols = [text("section", "Section"), text("measure", "Measure"),
            Column("value", "Value", "money", currency_places(book.base))]
    # counts (headcount, leads, follow-ups) stay ints and render as they are; amounts get the currency's places
    return Table("overview", cols, overview_rows(book, today),
                 title=f"{book.settings.company}: overview on {today} ({book.base})")
