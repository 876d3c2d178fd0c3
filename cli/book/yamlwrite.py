"""The write path: ruamel.yaml round-trip with one fixed canonical style.

A record written here and read back is byte-identical when written again, and
editing one field of a hand-written file changes only that field's line (comments
and quoting kept). Decimals are written as plain digits, dates as YYYY-MM-DD.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

from ruamel.yaml import YAML
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.representer import RoundTripRepresenter


def _represent_decimal(representer: RoundTripRepresenter, value: Decimal):
    text = format(value, "f")
    # the tag must be the one YAML 1.2 resolves the text to, or ruamel writes it out (!!float 10)
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return representer.represent_scalar(tag, text)


def _represent_date(representer: RoundTripRepresenter, value: dt.date):
    return representer.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


# Characters YAML treats as line breaks or that a plain scalar cannot carry intact.
_NEEDS_DOUBLE_QUOTES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def _represent_str(representer: RoundTripRepresenter, value: str):
    if _NEEDS_DOUBLE_QUOTES.search(value):
        return representer.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return representer.represent_str(value)


def _new_yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.preserve_quotes = True
    yaml.representer.add_representer(Decimal, _represent_decimal)
    yaml.representer.add_representer(dt.date, _represent_date)
    yaml.representer.add_representer(str, _represent_str)
    # One object used twice (the same date as `date` and `done_on`) would otherwise become an
    # anchor and an alias, which the reader rightly refuses.
    yaml.representer.ignore_aliases = lambda data: True
    return yaml


_YAML: YAML | None = None


def _yaml() -> YAML:
    global _YAML
    if _YAML is None:
        _YAML = _new_yaml()
    return _YAML


def dump(data: object, header: str | None = None) -> str:
    """Canonical YAML text for plain data (dicts, lists, str, Decimal, date, bool, int)."""
    buf = io.StringIO()
    if header:
        buf.write(header.rstrip("\n") + "\n")
    _yaml().dump(data, buf)
    return buf.getvalue()


def load_roundtrip(text: str):
    """Load for editing: comments, key order and quoting are kept for the next dump."""
    return _yaml().load(text)


def edit(text: str, changes: dict[str, object], remove: tuple[str, ...] = ()) -> str:
    """Set (or remove) top-level keys of a YAML mapping, keeping everything else as written."""
    data = load_roundtrip(text)
    for key, value in changes.items():
        data[key] = value
    for key in remove:
        data.pop(key, None)
    return dump(data)


def update(text: str, data: dict, changed: list[str], order: list[str]) -> str:
    """Rewrite only the `changed` top-level keys of a record's text to their values in `data`.

    Unchanged fields keep their line exactly (comments, quoting, order); a changed field
    is set in place, a field no longer in `data` is removed, and a new field goes after
    the field that precedes it in `order` (the model's field order).
    """
    doc = load_roundtrip(text)
    if not hasattr(doc, "insert"):
        return dump(data)
    for key in changed:
        if key not in data:
            doc.pop(key, None)
        elif key in doc:
            doc[key] = data[key]
        else:
            before = order[:order.index(key)] if key in order else order
            present = [k for k in doc if k in before]
            position = list(doc).index(present[-1]) + 1 if present else 0
            doc.insert(position, key, data[key])
    return dump(doc)


class _TextConstructor(RoundTripConstructor):
    """Keeps numbers and timestamps as their text, like the fast read path does."""


def _as_text(constructor, node):
    return constructor.construct_scalar(node)


for _tag in ("tag:yaml.org,2002:float", "tag:yaml.org,2002:int", "tag:yaml.org,2002:timestamp"):
    _TextConstructor.add_constructor(_tag, _as_text)


def read_plain_roundtrip(text: str) -> object:
    """Plain values through ruamel's round-trip parser (used to prove both paths agree)."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _TextConstructor
    return _plain(yaml.load(text))


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    return str(value)
