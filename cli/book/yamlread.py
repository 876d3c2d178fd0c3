"""The fast, safe YAML read path.

libyaml's C parser produces events; we build plain values from them ourselves so that:
- plain scalars keep YAML 1.2 meaning: only null and true/false are resolved, everything
  else stays text (`no`, `off`, `010`, `12:30`, `12.50`); the schemas turn text into
  Decimal, date or int, so an amount never passes through float;
- tags, anchors, aliases, merge keys and duplicate keys are errors with a line number.
Reading this way is ~25x faster than ruamel's round-trip loader, which stays the writer.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

from yaml import events as ev

try:  # libyaml-backed parser; the pure-Python one is a slow but correct fallback
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover
    from yaml import Loader as _Parser  # type: ignore[assignment]

import yaml

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


def _scalar(event: ev.ScalarEvent) -> object:
    if event.implicit[0]:  # plain, untagged
        value = event.value
        if value in _NULLS:
            return None
        if value in _BOOLS:
            return _BOOLS[value]
        return value
    return event.value


def _check(event: ev.Event) -> None:
    line = event.start_mark.line + 1 if event.start_mark else 1
    if type(event) is ev.AliasEvent:
        raise YamlError(line, "yaml-alias", f"alias *{event.anchor} is not allowed",
                        "write the value out in full; records must read the same without YAML tricks")
    anchor = getattr(event, "anchor", None)
    if anchor is not None:
        raise YamlError(line, "yaml-anchor", f"anchor &{anchor} is not allowed",
                        "remove the anchor and write each value out in full")
    tag = getattr(event, "tag", None)
    if tag is not None and not (type(event) is ev.ScalarEvent and tag == "!" ):
        raise YamlError(line, "yaml-tag", f"tag {tag} is not allowed",
                        "remove the tag; comptoir records use plain YAML values only")


def parse(text: str | bytes, lines: dict[Path, int] | None = None, max_items: int | None = None) -> object:
    """Parse one YAML document into plain values. Fill `lines` with path -> line when given.
    A list of more than `max_items` items (default: the record limit) is an error at its line."""
    limit = MAX_LIST_ITEMS if max_items is None else max_items
    if lines is None and type(text) is str:
        value = _fast(text, limit)
        if value is not _NOT_SIMPLE:
            return value
    parser = _Parser(text)
    try:
        value = _build(parser, lines, limit)
        if lines:
            fix = _file_lines(text)
            if fix is not None:
                for path, line in lines.items():
                    lines[path] = fix(line)
        return value
    except YamlError as exc:
        fix = _file_lines(text)
        if fix is not None:
            exc.line = fix(exc.line)
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        source = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        fix = _file_lines(source) or (lambda n: n)
        line = fix(mark.line + 1) if mark else 1
        row = source.split("\n")[line - 1] if mark and line <= source.count("\n") + 1 else ""
        if "\t" in row[:max(mark.column, 0) + 1 if mark else 0] or row.lstrip(" ").startswith("\t"):
            raise YamlError(line, "yaml-tab", f"a tab character at line {line}, column {mark.column + 1 if mark else 1}: "
                            "YAML indents with spaces only", "replace the tab with spaces") from None
        message = exc.problem or exc.context or "not valid YAML"
        if exc.problem and exc.context:  # "found unexpected end of stream while scanning a quoted scalar"
            message = f"{exc.problem} {exc.context}"
            if exc.context_mark is not None and fix(exc.context_mark.line + 1) != line:
                message += f" that starts at line {fix(exc.context_mark.line + 1)}"
        raise YamlError(line, "yaml-syntax", message,
                        "fix the YAML syntax (indentation, a missing colon or quote)") from None
    except yaml.reader.ReaderError as exc:
        raise _reader_error(text, exc) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every libyaml error above carries a mark
        raise YamlError(1, "yaml-syntax", str(exc).splitlines()[0], "fix the YAML syntax") from None
    except RecursionError:
        raise YamlError(1, "too-deep", f"the document is nested more than {MAX_DEPTH} levels deep",
                        "records are flat mappings and short lists") from None
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose:
            dispose()


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


def _reader_error(text: str | bytes, exc: yaml.reader.ReaderError) -> YamlError:
    """A character YAML does not allow (NUL, another control character): say where and which."""
    before = text[:exc.position]
    if isinstance(before, bytes):
        before = before.decode("utf-8", "replace")
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    char = exc.character
    code_point = char if isinstance(char, int) else ord(char) if char else 0
    name = {0: "a NUL byte", 0x1B: "an escape character (ESC)", 0xFEFF: "a byte-order mark inside the text",
            0xFFFE: "a non-character (U+FFFE)", 0xFFFF: "a non-character (U+FFFF)"}.get(
        code_point, f"the control character U+{code_point:04X}")
    return YamlError(line, "control-character", f"{name} at line {line}, column {column}",
                     "remove it: a record is plain text (an editor or a binary copy put it there)")


def _build(parser, lines: dict[Path, int] | None, max_items: int = 0) -> object:
    get = parser.get_event
    event = get()  # StreamStart
    event = get()
    if type(event) is ev.StreamEndEvent:
        raise YamlError(1, "empty-file", "the file is empty", "write the record's fields or delete the file")
    # event is DocumentStart
    root: object = None
    # stack items: [container, path, pending_key, key_line]
    stack: list[list] = []
    seen_keys: list[set | None] = []
    done = False
    while not done:
        event = get()
        etype = type(event)
        if etype is ev.DocumentEndEvent:
            done = True
            break
        _check(event)
        if etype is ev.ScalarEvent:
            value = _scalar(event)
            container_done = False
        elif etype is ev.MappingStartEvent or etype is ev.SequenceStartEvent:
            value = {} if etype is ev.MappingStartEvent else []
            container_done = False
        else:  # MappingEnd / SequenceEnd
            finished = stack.pop()
            seen_keys.pop()
            value = finished[0]
            container_done = True
        line = event.start_mark.line + 1
        if not stack:
            root = value
            if not container_done and etype is not ev.ScalarEvent:
                stack.append([value, (), None, 0])
                seen_keys.append(set() if isinstance(value, dict) else None)
            continue
        top = stack[-1]
        parent = top[0]
        if container_done:
            continue
        if isinstance(parent, dict):
            if top[2] is None:  # this event is a key
                if etype is not ev.ScalarEvent:
                    raise YamlError(line, "yaml-complex-key", "mapping keys must be plain text", "")
                key = value
                if event.implicit[0] and event.value == "<<":
                    raise YamlError(line, "yaml-merge", "merge keys (<<) are not allowed",
                                    "write the fields out in full")
                if not isinstance(key, str):
                    key = event.value
                # Field names repeat in every record: one shared string each keeps a large
                # book's memory down and lets the marshal cache store each name once.
                key = _intern(key)
                keys = seen_keys[-1]
                assert keys is not None  # a mapping's own set: a key is only read inside a mapping
                if key in keys:
                    raise YamlError(line, "duplicate-key", f"key {key!r} appears twice",
                                    "keep one of the two; a later value would silently win")
                keys.add(key)
                top[2] = key
                top[3] = line
                continue
            key = top[2]
            parent[key] = value
            top[2] = None
            path = top[1] + (key,)
            if lines is not None:
                lines[path] = top[3]
        else:
            if len(parent) >= max_items:
                raise YamlError(line, "too-many-items", f"a list holds more than {max_items:,} items, the limit",
                                f"split it: at most {max_items:,} items in one list")
            path = top[1] + (len(parent),)
            parent.append(value)
            if lines is not None:
                lines[path] = line
        if etype is not ev.ScalarEvent:
            if len(stack) >= MAX_DEPTH:
                raise YamlError(line, "too-deep", f"the document is nested more than {MAX_DEPTH} levels deep",
                                "records are flat mappings and short lists")
            stack.append([value, path, None, 0])
            seen_keys.append(set() if isinstance(value, dict) else None)
    event = get()
    if type(event) is not ev.StreamEndEvent:
        line = event.start_mark.line + 1
        raise YamlError(line, "yaml-multi-document", "a record file holds exactly one YAML document",
                        "split the documents into one file per record")
    return root


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
