"""What the read path shares between records to save memory can never leak from one record to another."""

from __future__ import annotations

from comptoir.book.loader import load_book
from comptoir.book.root import find_root

from .conftest import run


def test_records_share_field_name_sets_safely(book):
    for day in ("2026-11-05", "2026-11-06"):
        res = run(book, "journal", "post", "--date", day, "--memo", "x", "-p", "6100", "5.00", "-p", "1010")
        assert res.exit_code == 0, res.output
    first, second = load_book(find_root(str(book))).entries.values()
    assert first.model_fields_set is second.model_fields_set  # shared, not copied
    changed = first.model_copy(update={"reference": "R-1"})
    assert "reference" in changed.model_fields_set
    assert "reference" not in first.model_fields_set and "reference" not in second.model_fields_set
    assert first.postings[0].model_fields_set is second.postings[0].model_fields_set
