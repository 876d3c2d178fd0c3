"""Thin wrappers over the git command line.

We call `git` directly: it is what GitPython's `repo.git.*` does too, without the import
cost, and git's own index handling is far faster than GitPython's on large trees
(7.4 s vs 0.33 s per commit measured on a 100k-file repository).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

from cli.errors import fail


class GitError(Exception):
    pass


def run(top: Path | str, *args: str, input: bytes | None = None, check: bool = True,
        env: dict | None = None) -> bytes:
    full_env = None
    if env:
        full_env = dict(os.environ)
        full_env.update(env)
    proc = subprocess.run(["git", *args], cwd=str(top), input=input, capture_output=True,
                          env=full_env)
    if check and proc.returncode != 0:
        raise GitError(proc.stderr.decode(errors="replace").strip() or f"git {args[0]} failed")
    return proc.stdout


def text(top: Path | str, *args: str, check: bool = True) -> str:
    return run(top, *args, check=check).decode().strip()


def toplevel(path: Path) -> Path | None:
    proc = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=str(path),
                          capture_output=True)
    if proc.returncode != 0:
        return None
    return Path(proc.stdout.decode().strip())


def common_dir(top: Path) -> Path:
    out = text(top, "rev-parse", "--git-common-dir")
    p = Path(out)
    return p if p.is_absolute() else (top / p).resolve()


def has_commits(top: Path) -> bool:
    return subprocess.run(["git", "rev-parse", "--verify", "-q", "HEAD"], cwd=str(top),
                          capture_output=True).returncode == 0


def _split_z(data: bytes) -> list[str]:
    return [p for p in data.decode("utf-8", "surrogateescape").split("\0") if p]


def index_blobs(top: Path, prefix: str, paths: list[str] | None = None) -> dict[str, str]:
    """path -> blob id for every file in the index under prefix (or only under `paths`)."""
    out = run(top, "ls-files", "-s", "-z", "--", *(paths or [prefix or "."]))
    blobs: dict[str, str] = {}
    for item in _split_z(out):
        meta, _, path = item.partition("\t")
        blobs[path] = meta.split(" ")[1]
    return blobs


def dirty_paths(top: Path, prefix: str, paths: list[str] | None = None) -> tuple[set[str], set[str]]:
    """(changed or untracked, deleted) working-tree paths under prefix (or `paths`), by git's stat cache."""
    if paths:
        # `ls-files -m/-d` stats every index entry when the pathspecs share no leading folder
        # (folders plus comptoir.yaml); diff-files stats only the entries they match.
        out = _split_z(run(top, "diff-files", "--name-status", "-z", "--", *paths))
        deleted = {path for status, path in zip(out[::2], out[1::2], strict=False) if status == "D"}
        changed = {path for status, path in zip(out[::2], out[1::2], strict=False) if status != "D"}
        changed |= set(_split_z(run(top, "ls-files", "-z", "-o", "--exclude-standard", "--", *paths)))
        return changed - deleted, deleted
    # One pass: each ls-files call stats every tracked file, the cost on a large book.
    # -t tags each path: R deleted, C modified (deleted ones too), ? untracked.
    changed, deleted = set(), set()
    for item in _split_z(run(top, "ls-files", "-z", "-t", "-m", "-d", "-o", "--exclude-standard",
                             "--", prefix or ".")):
        tag, _, path = item.partition(" ")
        (deleted if tag == "R" else changed).add(path)
    return changed - deleted, deleted


def tree_blobs(top: Path, rev: str, prefix: str, paths: list[str] | None = None) -> dict[str, str]:
    out = run(top, "ls-tree", "-r", "-z", "--full-tree", rev, "--", *(paths or [prefix or "."]))
    blobs: dict[str, str] = {}
    for item in _split_z(out):
        meta, _, path = item.partition("\t")
        parts = meta.split(" ")
        if parts[1] == "blob":
            blobs[path] = parts[2]
    return blobs


def cat_blobs(top: Path, blob_ids: list[str]) -> dict[str, bytes]:
    """Contents of many blobs in one `git cat-file --batch` call."""
    if not blob_ids:
        return {}
    out = run(top, "cat-file", "--batch", input=("\n".join(blob_ids) + "\n").encode())
    result: dict[str, bytes] = {}
    pos = 0
    for blob in blob_ids:
        nl = out.index(b"\n", pos)
        header = out[pos:nl].split(b" ")
        if header[-1] == b"missing":  # not in this clone's object store (a partial clone)
            pos = nl + 1
            continue
        size = int(header[2])
        start = nl + 1
        result[blob] = out[start:start + size]
        pos = start + size + 1
    return result


def resolve(top: Path, rev: str) -> str:
    proc = subprocess.run(["git", "rev-parse", "--verify", "-q", rev + "^{commit}"],
                          cwd=str(top), capture_output=True)
    if proc.returncode == 0:
        return proc.stdout.decode().strip()
    try:
        day = dt.date.fromisoformat(rev)
    except ValueError:
        raise fail("unknown-revision", f"{rev!r} is neither a revision nor a date (YYYY-MM-DD)",
                   "give a branch, tag, commit or a date like 2026-10-31") from None
    out = text(top, "rev-list", "-1", f"--before={day.isoformat()} 23:59:59", "HEAD", check=False)
    if not out:
        raise fail("no-commit-at-date", f"no commit on the current branch at or before {day}",
                   "pick a later date; `git log` shows the first commit")
    return out


def blob_id(data: bytes) -> str:
    import hashlib

    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def identity(top: Path) -> dict[str, str]:
    """Environment giving git an author when none is configured (a fresh CI machine)."""
    name = subprocess.run(["git", "config", "user.name"], cwd=str(top), capture_output=True)
    email = subprocess.run(["git", "config", "user.email"], cwd=str(top), capture_output=True)
    env: dict[str, str] = {}
    if name.returncode != 0 and "GIT_AUTHOR_NAME" not in os.environ:
        env.update(GIT_AUTHOR_NAME="comptoir", GIT_COMMITTER_NAME="comptoir")
    if email.returncode != 0 and "GIT_AUTHOR_EMAIL" not in os.environ:
        env.update(GIT_AUTHOR_EMAIL="comptoir@localhost", GIT_COMMITTER_EMAIL="comptoir@localhost")
    return env
