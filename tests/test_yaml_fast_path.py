"""The line-by-line reader of the canonical YAML subset means exactly what libyaml's reading means."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.book import yamlread, yamlwrite

from .conftest import examples

ROOT = Path(__file__).resolve().parent.parent


def _libyaml(text: str) -> object:
    """The reading without the fast path (what every file meant before it existed)."""
    try:
        return yamlread.parse(text, lines={})
    except yamlread.YamlError as exc:
        return ("error", exc.code, exc.line)


def _same(text: str) -> None:
    fast = yamlread._fast(text)
    if fast is not yamlread._NOT_SIMPLE:
        assert fast == _libyaml(text), text
    try:
        got = yamlread.parse(text)
    except yamlread.YamlError as exc:
        got = ("error", exc.code, exc.line)
    assert got == _libyaml(text), text


def test_every_file_of_the_demo_company_reads_the_same():
    files = sorted((ROOT / "ledger-data").rglob("*.yaml"))
    assert files
    fast = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        _same(text)
        fast += yamlread._fast(text) is not yamlread._NOT_SIMPLE
    assert fast > len(files) // 2  # the canonical files take the fast path


@pytest.mark.parametrize("text", [
    "a: b\n", "a: 'it''s'\n", 'a: "x y"\n', 'a: "x\\ty"\n', "a: b # c\n", "a: b#c\n", "a: 'b' # c\n",
    "a:\n  - 1\n  - '2'\n", "a:\n- 1\n- 2\n", "a:\n  b: 1\n   c: 2\n", "a:\n  b: 1\n c: 2\n",
    "a: b\n  c\n", "a: [1, 2]\n", "a: {b: 1}\n", "a: &x 1\n", "a: *x\n", "a: !!str 1\n", "a: |\n  x\n",
    "a: >\n  x\n", "a: no\nb: off\nc: 010\nd: 12:30\ne: true\nf: ~\ng: yes\nh: null\ni: NULL\nj: False\n",
    "a: 1\na: 2\n", "a:\n", "a:\nb: 1\n", "- a\n- b\n", "a:\n  - b: 1\n    c: 2\n  - d: 3\n",
    "a:\n  - b: 1\n    c:\n      - x\n      - y\n", "a:\n  -   b: 1\n      c: 2\n", "a:\n  - - 1\n",
    "a:\n  -\n    b: 1\n", "---\na: 1\n", "a: 1\n---\nb: 2\n", "a: 1\n...\n", "%YAML 1.2\n---\na: 1\n",
    "a: -\n", "a: -1\n", "a: - 1\n", "a: ?x\n", "a: ? x\n", "a: :x\n", "a: x:\n", "a: x: y\n",
    "a: 'x\n", "a: 'x' y\n", "a:\tb\n", "a: b\r\nc: d\r\n", "\ufeffa: 1\n", "a: b\u2028c\n", "", "# only\n",
    "  a: 1\n", "a: 1\n  # indented comment\nb: 2\n", "a:   spaced   out   \n", "true: 1\nnull: 2\n",
    "a.b-c_d: 1\n", "a b: 1\n", "'a': 1\n", "a:b\n", "a :b\n", "a: \"\"\n", "a: ''\n", "a: '''\n",
    "x: 2026-11-05\ny: 12.50\nz: -0.3\nw: +5\nv: .5\n", "a:\n  b:\n    c: 1\n  d: 2\ne: 3\n",
    "a: @x\n", "a: `x`\n", "a: %x\n", "a: x,y\n", "a: [x\n", "a: x]\n", "a: é ü 中\n",
])
def test_tricky_snippets_read_the_same(text):
    _same(text)


scalars = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.sampled_from(["", "~", "null", "no", "true", "12.50", "-3", "a: b", "a #b", "'q'", '"d"', "- x", "x:",
                     "2026-11-05", "  padded  ", "#", "&a", "*a", "!t", "|", ">", "@", "%", "? k", ": v"]),
    st.integers(-10**6, 10**6), st.booleans(), st.none(),
)
keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, min_size=1, max_size=4),
    st.dictionaries(keys, inner, min_size=1, max_size=4)), max_leaves=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, values, min_size=1, max_size=6))
def test_whatever_the_writer_writes_reads_the_same(data):
    _same(yamlwrite.dump(data))


pieces = st.sampled_from(["a", "b", "k_1", ":", ": ", "- ", "-", " ", "  ", "'", "''", '"', "#", " #", "x y",
                          "1", "~", "null", "true", "[", "]", "{", "}", ",", "&a", "*a", "!", "|", ">", "?", "é",
                          "\t", "---", "..."])
lines = st.tuples(st.integers(0, 6), st.lists(pieces, max_size=6)).map(lambda t: " " * t[0] + "".join(t[1]))


@settings(max_examples=examples(200, 600), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lines, min_size=1, max_size=6))
def test_random_yaml_looking_text_reads_the_same(rows):
    _same("\n".join(rows) + "\n")
