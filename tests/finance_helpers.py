"""Helpers shared by the financial-accounting tests: post entries and read reports as data."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import git, head, run


def post(book: Path, date: str, memo: str, *postings: str, today=None, extra: tuple = ()) -> str:
    """Post one entry (`"6100 1200.00"` per posting, a bare account takes the balance); return its id."""
    args = ["journal", "post", "--date", date, "--memo", memo]
    for p in postings:
        args += ["-p", *p.split()]
    args += list(extra)
    res = run(book, *args, **({"today": today} if today else {}))
    assert res.exit_code == 0, res.output
    return res.stdout.strip()


def report(book: Path, *args: str, **kw) -> dict:
    res = run(book, "report", *args, "--format", "json", **kw)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def rows_by(doc: dict, key: str = "account") -> dict:
    return {r[key]: r for r in doc["rows"] if r.get(key)}


def unchanged(book: Path, before: str) -> None:
    """Nothing was committed, written or staged since `before`."""
    assert head(book) == before
    assert git(book, "status", "--porcelain") == ""


def message(book: Path, rev: str = "HEAD") -> str:
    return git(book, "log", "-1", "--format=%B", rev)
