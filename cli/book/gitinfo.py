"""Facts the CRM reads from git rather than from records: when a file first and last changed,
and who "me" is. Returned as plain data so the domain code never runs git itself."""

from __future__ import annotations

import datetime as dt
import os
import subprocess

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


def me(root: DataRoot) -> set[str]:
    """The names `--owner me` stands for, lower-cased: $COMPTOIR_USER, else git's user.name and
    user.email (and the email's local part and the name's first word, as owners are often short)."""
    explicit = os.environ.get("COMPTOIR_USER")
    if explicit:
        return {explicit.strip().lower()}
    names: set[str] = set()
    cwd = str(root.top or root.path)
    for key in ("user.name", "user.email"):
        proc = subprocess.run(["git", "config", key], cwd=cwd, capture_output=True, text=True)
        value = proc.stdout.strip().lower() if proc.returncode == 0 else ""
        if not value:
            continue
        names.add(value)
        if key == "user.email":
            names.add(value.split("@", 1)[0])
        else:
            names.add(value.split()[0])
    return names
