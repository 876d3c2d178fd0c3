"""The fast record writer (cli/book/yamlfast.py) writes exactly what ruamel writes, or declines."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

from comptoir.book import yamlfast, yamlwrite
from comptoir.book.loader import load_book
from comptoir.book.root import find_root

DEMO = Path(__file__).resolve().parent.parent / "ledger-data"
ALPHABET = "aZé 0-9.:,'#&*!|>%@`\"/()+-_ \t[]{}?~=Ü"


def _same(data: dict) -> bool:
    fast = yamlfast.dump(data, "# header")
    if fast is None:
        return False
    assert fast == yamlwrite.dump(data, header="# header"), data
    return True


def test_every_demo_record_is_written_the_same_way():
    book = load_book(find_root(str(DEMO), None))
    written = declined = 0
    for _kind, records in book.records.items():
        for record in records.values():
            data = record.model_dump(mode="python", exclude_none=True, exclude_defaults=True)
            if _same(data):
                written += 1
            else:
                declined += 1
    assert written > 400 and declined < written / 2, (written, declined)


def test_random_text_is_written_the_same_way_or_declined():
    rng = random.Random(3)
    taken = 0
    for _ in range(3000):
        alphabet = ALPHABET if rng.random() < 0.5 else "abXé ,.-'()/&+:9"
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        data = {"id": "X-1", "memo": text, "lines": [{"account": "1010", "amount": Decimal("-1.20"), "text": text}],
                "tags": [text], "date": dt.date(2026, 1, 2), "ok": True, "count": 3, "sub": {"code": text}}
        taken += _same(data)
    assert taken > 100
    for text in ("Payment from Café Lumière: 2026-0012, 2026-0013", "yes", "True", "1010", "10.5", "O'Brien",
                 "a: b", "x #y", "end ", "2026-11-02", "L'Épicerie: x"):
        _same({"memo": text})
