"""The git history of one record file: every commit that touched it, with the record at each one."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from comptoir.errors import fail
from comptoir.schemas.registry import all_kinds, kind_for_path
from comptoir.schemas.types import Record, is_safe_id

from . import git, yamlread
from .root import DataRoot


@dataclass
class Version:
    commit: str
    author: str
    email: str
    date: str  # ISO 8601 author date
    subject: str
    path: str  # the file's path at that commit (relative to the repository top)
    status: str  # A, M, D, R
    record: Record | None  # None when deleted or unreadable at that commit
    error: str = ""


def find_record_path(root: DataRoot, ident: str, here: bool = True) -> tuple[str, str]:
    """(kind name, repository-relative path) of the record with this id, present or deleted.
    `here`: a file of that name in git's index and the working tree is taken without looking
    through the history (it may never have been committed: `versions` then looks)."""
    if not is_safe_id(ident):
        raise fail("invalid-id", f"{ident!r} is not a record id", "ids look like JE-20261105-Q33F or 1010")
    assert root.top is not None
    prefix = root.prefix
    found_here = _here(root, ident) if here else None
    if found_here is not None:
        return found_here
    matches = []
    # a record no longer here: every commit's changes, anywhere (a pattern git cannot narrow to a
    # folder, so each commit's changed folders are compared whole: seconds over a long history)
    out = git.run(root.top, "log", "--all", "--format=", "--name-only", "--diff-filter=AMDR", "--",
                  f"{prefix}*{ident}.yaml").decode()
    for path in dict.fromkeys(p for p in out.splitlines() if p):
        rel = path[len(prefix):]
        found = kind_for_path(rel)
        if found and rel.rsplit("/", 1)[-1] == f"{ident}.yaml":
            matches.append((found.name, path))
    current = [m for m in matches if (root.top / m[1]).exists()]
    if current:
        return current[0]
    if matches:
        return matches[0]
    raise fail("unknown-record", f"no record {ident} in this repository's history",
               "give the id of a record (a journal entry id, an account code, a lead id ...)")


def _here(root: DataRoot, ident: str) -> tuple[str, str] | None:
    """(kind name, repository-relative path) of the record's file when git's index has it and it
    is in the working tree: found by name in the index (the walk of every commit's changes for
    `*ID.yaml` took 3 s over 2,000 commits). None: look through the history."""
    assert root.top is not None
    out = git.run(root.top, "ls-files", "-z", "--", f"{root.prefix}*{ident}.yaml").decode("utf-8", "surrogateescape")
    for path in sorted(p for p in out.split("\0") if p):
        rel = path[len(root.prefix):]
        found = kind_for_path(rel)
        if found is not None and rel.rsplit("/", 1)[-1] == f"{ident}.yaml" and (root.top / path).exists():
            return found.name, path
    return None


def versions(root: DataRoot, ident: str) -> tuple[str, list[Version]]:
    """Every commit that touched the record's file, oldest first.

    A record is followed by its id, never by content similarity: git's rename guessing
    (`--follow`) links a new file to an old one that looks alike, which would show another
    record (another employee's salary) under this id. So renames are turned off and every
    file named `ID.yaml` in the kind's folder counts; a commit that deletes one such file
    and adds another is a move.
    """
    kind_name, _ = find_record_path(root, ident)
    result = _walk(root, ident, kind_name)
    if not result:  # a file here that no commit of HEAD has: the history says which record it was
        fallback, _ = find_record_path(root, ident, here=False)
        if fallback != kind_name:
            kind_name, result = fallback, _walk(root, ident, fallback)
    return kind_name, result


def _walk(root: DataRoot, ident: str, kind_name: str) -> list[Version]:
    """Every commit of HEAD that touched a file `ID.yaml` in the kind's folder, oldest first."""
    from git import (  # GitPython: history is no hot path, and its objects read plainly
        NULL_TREE,
        Repo,
    )

    assert root.top is not None
    kind = next(k for k in all_kinds() if k.name == kind_name)
    pattern = f"{root.prefix}{kind.folder}/*{ident}.yaml"
    name = f"{ident}.yaml"
    repo = Repo(root.top)
    result: list[Version] = []
    try:
        for commit in repo.iter_commits("HEAD", paths=pattern, no_renames=True):
            if commit.parents:
                changes = commit.parents[0].diff(commit, paths=pattern, no_renames=True)
            else:  # the first commit: everything in it is added
                changes = commit.diff(NULL_TREE, paths=pattern)
            touched = [((d.change_type or "M")[:1], d.b_path or d.a_path or "") for d in changes
                       if (d.b_path or d.a_path or "").rsplit("/", 1)[-1] == name]
            if not touched:
                continue
            statuses = {s for s, _ in touched}
            kept = [t for t in touched if t[0] != "D"]
            if kept:
                status, at = ("R" if "D" in statuses and "A" in statuses else kept[-1][0]), kept[-1][1]
            else:
                status, at = "D", touched[-1][1]
            record, error = None, ""
            if status != "D":
                try:
                    data = yamlread.parse((commit.tree / at).data_stream.read())
                    record = kind.model.model_validate(data)
                except yamlread.YamlError as exc:
                    error = f"unreadable at this commit: line {exc.line}: {exc.message}"
                except ValidationError as exc:
                    error = f"invalid at this commit: {exc.error_count()} problem(s)"
            result.append(Version(commit.hexsha, commit.author.name or "", commit.author.email or "",
                                  commit.authored_datetime.isoformat(), _text(commit.summary), at, status,
                                  record, error))
    finally:
        repo.close()
    result.reverse()
    return result


def _text(value: str | bytes) -> str:
    return value if isinstance(value, str) else value.decode("utf-8", "replace")
