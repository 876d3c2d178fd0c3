"""Facts the CRM reads from git rather than from records: when a file first and last changed,
and who "me" is. Returned as plain data so the domain code never runs git itself."""

from __future__ import annotations

import datetime as dt

from . import git
from .root import DataRoot


def file_dates(root: DataRoot, folder: str, rev: str | None = None) -> dict[str, tuple[dt.date, dt.date]]:
    """Repository-relative path -> (first, last) author date of the commits that touched it,
    for every file under `folder` of the data root, in the history of `rev` (default HEAD)."""
    if root.top is None or not git.has_commits(root.top):
        return {}
    out = git.run(root.top, "log", "--format=%x00%as", "--name-only", "--no-renames", rev or "HEAD", "--",
                  root.prefix + folder).decode("utf-8", "surrogateescape")
    dates: dict[str, tuple[dt.date, dt.date]] = {}
    for block in out.split("\0")[1:]:  # newest commit first
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        day = dt.date.fromisoformat(lines[0])
        for path in lines[1:]:
            last = dates[path][1] if path in dates else day
            dates[path] = (day, last)
    return dates
