"""Record ids that two branches can create at once without colliding, and that read aloud.

PREFIX-YYYYMMDD-XXXX: the kind's prefix (its `prefix`, or the `ids:` table of comptoir.yaml),
then the record's date, then four characters of Crockford base32
(no I, L, O or U, so nothing is misheard); ~1 million per prefix and day, checked
against the ids already in the book.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Collection, Mapping
from typing import TypeVar

T = TypeVar("T")

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id(prefix: str, day: dt.date, taken, rng: random.Random) -> str:
    for _ in range(1000):
        suffix = "".join(rng.choice(ALPHABET) for _ in range(4))
        ident = f"{prefix}-{day:%Y%m%d}-{suffix}"
        if ident not in taken:
            return ident
    raise RuntimeError("could not find a free id")  # pragma: no cover


def known(found: Mapping[str, T], ident: str, code: str, what: str, hint: str) -> T:
    """`found[ident]`, or the refusal every lookup by id makes: `[code] there is no WHAT IDENT`,
    with the hint that says where the ids are listed."""
    record = found.get(ident)
    if record is None:
        from comptoir.errors import fail

        raise fail(code, f"there is no {what} {ident}", hint)
    return record


def id_prefix(book, kind: str) -> str:
    """The prefix of new `kind` ids, from the `ids:` table of the book's settings (comptoir.yaml;
    a kind it leaves out keeps its own prefix, schemas' Kind.prefix)."""
    return book.settings.ids[kind]


class Taken:
    """The ids in use, asked one at a time: the book's records of a kind (a book read on demand
    answers membership from git's listing, one file name, instead of listing every id as `set()`
    of them would) and the ids given out so far."""

    def __init__(self, *known: Collection[str]) -> None:
        self.known = known
        self.given: set[str] = set()

    def __contains__(self, ident: object) -> bool:
        return ident in self.given or any(ident in k for k in self.known)

    def add(self, ident: str) -> None:
        self.given.add(ident)
