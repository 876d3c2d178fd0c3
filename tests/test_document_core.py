"""What sales and purchasing share is written once (issue 14 item 3): picking the lines a
delivery, receipt or return takes is refused alike on both sides, and a record built from
command input goes through one function."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

from .conftest import git
from .trade_helpers import fails, first, ok, trading_book


def test_a_line_picked_twice_counts_once_with_both_quantities_on_both_sides(book):
    trading_book(book)
    po = first(ok(book, "purchase", "order", "--partner", "green-import", "--line", "ESP 8 8.00",
                  "--expected", "2026-12-10"))
    head = git(book, "rev-parse", "HEAD")
    # 5 + 5 of the 8 ordered: refused before anything is written (each 5 alone would fit)
    res = fails(book, "over-receipt", "purchase", "receive", po, "--line", "1", "--qty", "5", "--line", "1",
                "--qty", "5")
    assert f"{po} line 1 (ESP): 10 asked, only 8 still to receive" in res.stderr
    assert "lower --qty to 8 or less" in res.stderr
    assert git(book, "rev-parse", "HEAD") == head
    ok(book, "purchase", "receive", po, "--line", "1", "--qty", "5", "--line", "1", "--qty", "3")
    res = fails(book, "over-receipt", "purchase", "receive", po, "--line", "1", "--qty", "1")
    assert "only 0 still to receive" in res.stderr and "nothing is left to receive on it" in res.stderr

    so = first(ok(book, "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 6 20.00"))
    head = git(book, "rev-parse", "HEAD")
    res = fails(book, "over-delivery", "sales", "deliver", so, "--line", "1", "--qty", "4", "--line", "1",
                "--qty", "3")
    assert f"{so} line 1 (ESP): 7 asked, only 6 still to deliver" in res.stderr
    assert "lower --qty to 6 or less" in res.stderr
    assert git(book, "rev-parse", "HEAD") == head
    res = fails(book, "unknown-line", "sales", "deliver", so, "--line", "2", "--qty", "1")
    assert f"{so} has no line 2 (it has 1)" in res.stderr and f"`comptoir sales show {so}`" in res.stderr
    res = fails(book, "unknown-line", "purchase", "return", po, "--reason", "wet", "--line", "3", "--qty", "1")
    assert f"{po} has no line 3 (it has 1)" in res.stderr and f"`comptoir purchase show {po}`" in res.stderr
    # goods back to the supplier: at most what came in (8), 2 + 7 asked on the same line
    res = fails(book, "over-return", "purchase", "return", po, "--reason", "wet", "--line", "1", "--qty", "2",
                "--line", "1", "--qty", "7")
    assert f"{po} line 1 (ESP): 9 asked, only 8 still to return" in res.stderr


def test_records_from_input_are_built_by_one_function():
    """Every `validated` the domain modules have is comptoir.domain.inputs.validated."""
    import comptoir.domain as domain
    from comptoir.domain.inputs import validated

    copies = []
    for info in pkgutil.walk_packages(domain.__path__, "comptoir.domain."):
        found = getattr(importlib.import_module(info.name), "validated", None)
        if found is not None and found is not validated:
            copies.append(info.name)
    assert copies == []


def test_a_record_from_input_names_the_field_and_leaves_out_what_was_not_given():
    from comptoir.domain.inputs import validated
    from comptoir.errors import ComptoirError
    from comptoir.schemas.partners import Partner

    partner = validated(Partner, {"id": "acme", "name": "Acme", "roles": ["customer"], "email": None,
                                  "billing_address": {"city": "Lyon", "street": None}})
    assert partner.email is None and partner.billing_address is not None
    assert partner.billing_address.city == "Lyon"
    with pytest.raises(ComptoirError) as err:
        validated(Partner, {"id": "acme", "name": "Acme", "roles": ["alien"]}, "partner", "see --help")
    [problem] = err.value.problems
    assert problem.code == "invalid-value" and problem.message.startswith("partner: roles.0: ")
    assert problem.hint == "see --help"
    # the older keyword form builds the same record
    assert validated(Partner, id="acme", name="Acme", roles=["customer"], email=None) == \
        validated(Partner, {"id": "acme", "name": "Acme", "roles": ["customer"]})
