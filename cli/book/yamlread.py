"""The fast, safe YAML read path.

libyaml's C parser produces events; we build plain values from them ourselves so that:
- plain scalars keep YAML 1.2 meaning: only null and true/false are resolved, everything
  else stays text (`no`, `off`, `010`, `12:30`, `12.50`); the schemas turn text into
  Decimal, date or int, so an amount never passes through float;
- tags, anchors, aliases, merge keys and duplicate keys are errors with a line number.
Reading this way is ~25x faster than ruamel's round-trip loader, which stays the writer.
Most files are in the simple subset read below without libyaml; PyYAML is imported
(comptoir.book.yamllib) the first time a file is not, so a served report imports none of it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

_intern = sys.intern
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}

Path = tuple  # a location inside a document: ("postings", 1, "amount")


class YamlError(Exception):
    def __init__(self, line: int, code: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.code = code
        self.message = message
        self.hint = hint


def parse(text: str | bytes, lines: dict[Path, int] | None = None, max_items: int | None = None) -> object:
    """Parse one YAML document into plain values. Fill `lines` with path -> line when given.
    A list of more than `max_items` items (default: the record limit) is an error at its line."""
    limit = MAX_LIST_ITEMS if max_items is None else max_items
    if lines is None and type(text) is str:
        value = _fast(text, limit)
        if value is not _NOT_SIMPLE:
            return value
    from .yamllib import parse_events  # libyaml: only for a file outside the simple subset

    return parse_events(text, lines, limit)


_ODD_BREAKS = ("\x85", "\u2028", "\u2029")


def _file_lines(text: str | bytes) -> Callable[[int], int] | None:
    """YAML counts NEL, LS and PS as line breaks; git, editors and CI annotations count only CR
    and LF: the parser's line -> the file's line, or None when the text has none of them (the
    lines agree). A line past the end (the parser's end of stream) is the file's last."""
    source = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    if not any(c in source for c in _ODD_BREAKS):
        return None
    file_line = 1
    of = [1]  # parser line (0-based) -> file line
    prev = ""
    for c in source:
        if c == "\n" and prev == "\r":
            pass  # CRLF: one break, counted at the CR
        elif c in "\r\n":
            file_line += 1
            of.append(file_line)
        elif c in _ODD_BREAKS:
            of.append(file_line)
        prev = c
    return lambda line: of[min(max(line, 1), len(of)) - 1]


MAX_LIST_ITEMS = 100_000  # as comptoir.schemas.types.MAX_LIST_ITEMS (storage imports no more of schemas here)
MAX_DEPTH = 64  # nesting levels of mappings and lists; a record needs four or five


def encoding_problem(data: bytes, exc: UnicodeDecodeError) -> tuple[int, str, str, str]:
    """(line, code, message, hint) for a file that is not UTF-8: where, and what it likely is."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return (1, "encoding", "the file is UTF-16 text, not UTF-8", "save the file as UTF-8 (without BOM)")
    line = data[:exc.start].count(b"\n") + 1
    column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
    return (line, "encoding", f"the file is not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line}, "
            f"column {column}", "save the file as UTF-8 (it looks like Latin-1 or Windows-1252)"
            if 0x80 <= data[exc.start] <= 0xff else "save the file as UTF-8")


def locate(text: str | bytes, loc: tuple) -> int:
    """Best line for a location inside the document (the deepest prefix that exists)."""
    lines: dict[Path, int] = {}
    try:
        parse(text, lines)
    except YamlError as exc:
        return exc.line
    path = tuple(loc)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return 1


# -- the canonical subset, read without libyaml ----------------------------------------------------
#
# Files comptoir writes (and most written by hand) use a small part of YAML: block mappings
# and sequences, one `key: value` per line, plain or simply quoted one-line scalars. Reading
# that subset line by line is ~3x quicker than building values from libyaml's events. Any
# line outside it (flow collections, block scalars, tags, anchors, comments after a value,
# continuation lines, tabs, duplicate keys, odd indentation...) answers _NOT_SIMPLE, and
# libyaml reads the file instead, so what a file means and every error it reports stay the same.

_NOT_SIMPLE = object()
_KEY_LINE = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_.-]*):(?: +(.*))?")
_SINGLE = re.compile(r"'((?:[^']|'')*)'")
_DOUBLE = re.compile(r'"([^"\\]*)"')
_PLAIN_START_BAD = frozenset("[]{},#&*!|>'\"%@`")


class _Unsimple(Exception):
    pass


def _fast(text: str, limit: int = MAX_LIST_ITEMS) -> object:
    rows: list[tuple[int, str]] = []
    for raw in text.split("\n"):
        if not raw.isprintable():  # tabs, carriage returns, control and line-separator characters
            return _NOT_SIMPLE
        content = raw.lstrip(" ")
        if not content or content[0] == "#":
            continue
        if raw.startswith(("---", "...", "%")):
            return _NOT_SIMPLE
        rows.append((len(raw) - len(content), content.rstrip(" ")))
    if not rows or rows[0][0] != 0 or max(at for at, _ in rows) >= MAX_DEPTH:
        return _NOT_SIMPLE  # (deep indentation: libyaml's reading enforces the nesting limit)
    try:
        value, end = _block(rows, 0, 0, limit)
    except _Unsimple:
        return _NOT_SIMPLE
    return value if end == len(rows) else _NOT_SIMPLE


def _block(rows: list[tuple[int, str]], i: int, indent: int, limit: int) -> tuple[object, int]:
    content = rows[i][1]
    if content == "-" or content.startswith("- "):
        return _sequence(rows, i, indent, limit)
    return _mapping(rows, i, indent, limit)


def _mapping(rows: list[tuple[int, str]], i: int, indent: int, limit: int) -> tuple[dict, int]:
    out: dict = {}
    while i < len(rows):
        at, content = rows[i]
        if at < indent:
            break
        if at > indent or content == "-" or content.startswith("- "):
            raise _Unsimple
        m = _KEY_LINE.fullmatch(content)
        if m is None:
            raise _Unsimple
        key = _intern(m.group(1))
        if key in out:
            raise _Unsimple  # libyaml's reading reports the duplicate with its line
        rest = m.group(2)
        i += 1
        if rest:
            out[key] = _scalar_text(rest)
        elif i < len(rows) and rows[i][0] > indent:
            out[key], i = _block(rows, i, rows[i][0], limit)
        else:
            out[key] = None
    return out, i


def _sequence(rows: list[tuple[int, str]], i: int, indent: int, limit: int) -> tuple[list, int]:
    out: list = []
    while i < len(rows):
        at, content = rows[i]
        if at < indent:
            break
        if at > indent or not content.startswith("- ") or len(out) >= limit:
            raise _Unsimple  # (past the limit: libyaml's reading reports it with its line)
        item = content[2:].lstrip(" ")
        if not item or item[0] == "-":
            raise _Unsimple  # a nested block on the next line, or a sequence in a sequence
        if _KEY_LINE.fullmatch(item):
            inner = at + len(content) - len(item)
            rows[i] = (inner, item)  # the item is a mapping whose first key shares the dash's line
            value, i = _mapping(rows, i, inner, limit)
            out.append(value)
        else:
            out.append(_scalar_text(item))
            i += 1
    return out, i


def _scalar_text(text: str) -> object:
    first = text[0]
    if first == "'":
        m = _SINGLE.fullmatch(text)
        if m is None:
            raise _Unsimple
        return m.group(1).replace("''", "'")
    if first == '"':
        m = _DOUBLE.fullmatch(text)
        if m is None:
            raise _Unsimple
        return m.group(1)
    if first in _PLAIN_START_BAD or (first in "-?:" and (len(text) == 1 or text[1] == " ")) \
            or ": " in text or " #" in text or text[-1] == ":":
        raise _Unsimple
    if text in _NULLS:
        return None
    return _BOOLS.get(text, text)
