"""libyaml's side of the read path (comptoir.book.yamlread): the events of a file outside the
simple subset, built into plain values with every YAML trick an error at its line. Imported
the first time such a file is read: PyYAML's import (~10 ms) is no part of a served report.
"""

from __future__ import annotations

import yaml
from yaml import events as ev

try:  # libyaml-backed parser; the pure-Python one is a slow but correct fallback
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover
    from yaml import Loader as _Parser  # type: ignore[assignment]

from .yamlread import _BOOLS, _NULLS, MAX_DEPTH, Path, YamlError, _file_lines, _intern


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


def parse_events(text: str | bytes, lines: dict[Path, int] | None, limit: int) -> object:
    """yamlread.parse for a file libyaml reads."""
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

