""""Did you mean ...": the close matches of an unknown name among the known ones (difflib)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def close_matches(value: str, known: Iterable[str], n: int = 3) -> list[str]:
    """Up to n known names close to `value`: spelling (difflib), then names that start with it
    (`610` -> `6100`) or differ only in case."""
    names = [k for k in dict.fromkeys(str(k) for k in known) if k]
    if not value or not names:
        return []
    low = value.lower()
    by_case = {k.lower(): k for k in names}
    found: list[str] = []
    if low in by_case and by_case[low] != value:
        found.append(by_case[low])
    found += difflib.get_close_matches(value, names, n=n, cutoff=0.6)
    if len(found) < n:
        found += sorted(k for k in names if k.lower().startswith(low) and k != value)[:n]
    return list(dict.fromkeys(found))[:n]


def did_you_mean(value: str, known: Iterable[str], n: int = 3) -> str:
    """'did you mean 6100?' / 'did you mean 6100 or 6110?', or '' when nothing is close."""
    found = close_matches(value, known, n)
    if not found:
        return ""
    if len(found) == 1:
        return f"did you mean {found[0]}?"
    return f"did you mean {', '.join(found[:-1])} or {found[-1]}?"


def with_suggestion(hint: str, value: str, known: Iterable[str]) -> str:
    """A hint led by 'did you mean ...?' when a known name is close."""
    guess = did_you_mean(value, known)
    return f"{guess} {hint}".strip() if guess else hint
