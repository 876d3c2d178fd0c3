"""The canonical record text of cli.book.yamlwrite, written without ruamel for plain records.

ruamel's round-trip emitter costs about 2 ms per record; a bank statement of 10,000 lines
writes 10,000 entries. Records made only of mappings, lists of scalars or mappings, and
scalars whose YAML spelling is certain (identifiers, account codes, plain text without YAML
indicators, decimals, dates, booleans) are written here, byte for byte as ruamel writes them
(tests/test_yaml_fast_writer.py holds the two to each other). Anything else returns None and
goes through ruamel as before.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

_KEY = re.compile(r"[a-z_][a-z0-9_]*")
# Plain text: starts with a letter, then letters, digits, spaces and a few safe punctuation
# marks; no YAML indicator (#, :, {, [, quotes at the start, ...), no trailing space.
_PLAIN = re.compile(r"[^\W\d_][\w .,/()&+'-]*")
_QUOTABLE = re.compile(r"[^\W\d_][\w .,/()&+-]*(: [\w .,/()&+-]+)+")
_DIGITS = re.compile(r"[0-9]+")
_WORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "nan", "inf"}


def _scalar(value: object) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        if not value or len(value) > 1000 or value[-1] == " " or value.lower() in _WORDS:
            return None
        if _DIGITS.fullmatch(value):
            return f"'{value}'"
        if _PLAIN.fullmatch(value):
            return value
        if _QUOTABLE.fullmatch(value) and not value.endswith(" "):
            return f"'{value}'"
    return None


def _mapping(data: dict, indent: int, out: list[str]) -> bool:
    pad = " " * indent
    for key, value in data.items():
        if not isinstance(key, str) or not _KEY.fullmatch(key) or key.lower() in _WORDS:
            return False
        if isinstance(value, dict):
            if not value:
                return False
            out.append(f"{pad}{key}:")
            if not _mapping(value, indent + 2, out):
                return False
        elif isinstance(value, list):
            if not value:
                return False
            out.append(f"{pad}{key}:")
            for item in value:
                if isinstance(item, dict):
                    if not item:
                        return False
                    start = len(out)
                    if not _mapping(item, indent + 4, out):
                        return False
                    out[start] = f"{pad}  - {out[start][indent + 4:]}"
                elif isinstance(item, list):
                    return False
                else:
                    text = _scalar(item)
                    if text is None:
                        return False
                    out.append(f"{pad}  - {text}")
        else:
            text = _scalar(value)
            if text is None:
                return False
            out.append(f"{pad}{key}: {text}")
    return True


def dump(data: dict, header: str | None = None) -> str | None:
    """The text yamlwrite.dump would write for `data`, or None when this writer is not sure."""
    if not isinstance(data, dict) or not data:
        return None
    out: list[str] = [header.rstrip("\n")] if header else []
    if not _mapping(data, 0, out):
        return None
    return "\n".join(out) + "\n"
