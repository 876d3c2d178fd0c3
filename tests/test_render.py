"""The table layout: printable-ASCII tables are laid out by render._ascii_grid, everything else
by tabulate; the two must agree character for character on every table the fast path takes."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st
from tabulate import tabulate

from comptoir.domain.table import Column, Table, text
from comptoir.render import _ascii_grid, _plain_ascii, render

CELL = st.text(alphabet=string.ascii_letters + string.digits + " .,-|:'*()/%#", max_size=14)


@st.composite
def tables(draw):
    width = draw(st.integers(1, 6))
    headers = draw(st.lists(CELL, min_size=width, max_size=width))
    body = draw(st.lists(st.lists(CELL, min_size=width, max_size=width), min_size=1, max_size=6))
    align = draw(st.lists(st.sampled_from(["left", "right"]), min_size=width, max_size=width))
    return headers, body, align


@settings(max_examples=300, deadline=None)
@given(tables())
def test_the_ascii_layout_is_tabulates_simple_and_pipe_layout(case):
    headers, body, align = case
    assert _plain_ascii(headers, body)
    for fmt, pipe in (("simple", False), ("pipe", True)):
        expected = tabulate(body, headers, tablefmt=fmt, colalign=align, disable_numparse=True)
        assert _ascii_grid(headers, body, align, pipe=pipe) == expected


def test_wide_characters_and_escapes_go_through_tabulate():
    assert not _plain_ascii(["Name"], [["東京"]])
    assert not _plain_ascii(["Name"], [["a\x1b[31mred"]])
    assert not _plain_ascii(["Name"], [["two\nlines"]])
    table = Table("t", [text("city", "City"), Column("n", "Amount", "money", 2)],
                  [{"city": "東京", "n": "1.00"}, {"city": "Paris", "n": "12.50"}])
    expected = tabulate([["東京", "1.00"], ["Paris", "12.50"]], ["City", "Amount"], tablefmt="simple",
                        colalign=["left", "right"], disable_numparse=True)
    assert render(table, "table") == expected + "\n"


def test_a_cell_left_as_it_is_has_nothing_a_terminal_acts_on():
    """The streamed table shows a text cell as it is when str.isprintable says so, and escapes
    it otherwise: sound only if every character printable() escapes is one isprintable refuses."""
    from comptoir.render import _UNSAFE, _human_of, printable

    escaped = [c for c in map(chr, range(0x110000)) if _UNSAFE.match(c)]
    assert escaped and not any(c.isprintable() for c in escaped)
    other = _human_of(text("memo", "Memo"))
    for value in ("Plain memo ", "a\x1b[2Jb", "left\u202eright", "tab\there", "caf\u00e9 \u00a0nbsp"):
        assert other(value) == printable(value).strip()
