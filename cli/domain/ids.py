"""Record ids that two branches can create at once without colliding, and that read aloud.

PREFIX-YYYYMMDD-XXXX: the kind's prefix (its `prefix`, or the `ids:` table of comptoir.yaml),
then the record's date, then four characters of Crockford base32
(no I, L, O or U, so nothing is misheard); ~1 million per prefix and day, checked
against the ids already in the book.
"""

from __future__ import annotations

import datetime as dt
import random

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id(prefix: str, day: dt.date, taken, rng: random.Random) -> str:
    for _ in range(1000):
        suffix = "".join(rng.choice(ALPHABET) for _ in range(4))
        ident = f"{prefix}-{day:%Y%m%d}-{suffix}"
        if ident not in taken:
            return ident
    raise RuntimeError("could not find a free id")  # pragma: no cover


def id_prefix(book, kind: str) -> str:
    """The prefix of new `kind` ids, from the `ids:` table of the book's settings (comptoir.yaml;
    a kind it leaves out keeps its own prefix, schemas' Kind.prefix)."""
    return book.settings.ids[kind]
