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
    # a record no longer here: first the places its id names, in every commit (literal paths: git
    # compares only the trees on their way), then every commit's changes anywhere (a pattern git
    # cannot narrow to a folder, so each commit's changed folders are compared whole: 3 s over
    # 1,850 commits, against 0.2 s)
    out = git.run(root.top, "log", "--all", "--format=", "--name-only", "--diff-filter=AMDR", "--",
                  *(f":(literal){path}" for _, path in _guesses(root, ident))).decode()
    if not out.strip():
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
    """(kind name, repository-relative path) of the record's file when HEAD or git's index has it
    and it is in the working tree. First the places the id names (`folder/ID.yaml` of each kind
    kept flat, the month folder of an id made on a day), asked of HEAD's trees through the running
    `cat-file`; else found by name in git's index (0.14 s at 570,000 files; the walk of every
    commit's changes for `*ID.yaml` took 3 s over 2,000 commits). None: look through the history."""
    assert root.top is not None
    guesses = _guesses(root, ident)
    present = [g for g in guesses if (root.top / g[1]).is_file()]
    if present:
        known = git.blobs_at(root.top, "HEAD", [path for _, path in present])
        for name, path in present:
            if path in known:
                return name, path
    out = git.run(root.top, "ls-files", "-z", "--", f"{root.prefix}*{ident}.yaml").decode("utf-8", "surrogateescape")
    for path in sorted(p for p in out.split("\0") if p):
        rel = path[len(root.prefix):]
        found = kind_for_path(rel)
        if found is not None and rel.rsplit("/", 1)[-1] == f"{ident}.yaml" and (root.top / path).exists():
            return found.name, path
    return None


def _guesses(root: DataRoot, ident: str) -> list[tuple[str, str]]:
    """(kind name, path) where a record `ident` would be filed: each flat kind's folder, and for an
    id of a dated kind's prefix that names its day (JE-20261105-Q33F), that day's month folder."""
    found = []
    for kind in all_kinds():
        if kind.date_field is None:
            found.append((kind.name, f"{root.prefix}{kind.folder}/{ident}.yaml"))
        elif kind.prefix and ident.startswith(kind.prefix + "-"):
            day = ident[len(kind.prefix) + 1:].split("-", 1)[0]
            if len(day) == 8 and day.isdigit():
                found.append((kind.name, f"{root.prefix}{kind.folder}/{day[:4]}/{day[4:6]}/{ident}.yaml"))
    return found


def versions(root: DataRoot, ident: str) -> tuple[str, list[Version]]:
    """Every commit that touched the record's file, oldest first.

    A record is followed by its id, never by content similarity: git's rename guessing
    (`--follow`) links a new file to an old one that looks alike, which would show another
    record (another employee's salary) under this id. So renames are turned off: the file's
    path is followed (and, for a kind kept flat, `folder/ID.yaml`), and a commit that adds it
    and deletes a file named `ID.yaml` elsewhere in the kind's folder is a move, followed to the
    path before. A file of that name deleted in one commit and added elsewhere in a later one is
    two records' histories: the later one's is shown.
    """
    kind_name, path = find_record_path(root, ident)
    result = _walk(root, ident, kind_name, path)
    if not result:  # a file here that no commit of HEAD has: the history says which record it was
        fallback, was = find_record_path(root, ident, here=False)
        if (fallback, was) != (kind_name, path):
            kind_name, result = fallback, _walk(root, ident, fallback, was)
    return kind_name, result


def _walk(root: DataRoot, ident: str, kind_name: str, path: str | None = None) -> list[Version]:
    """Every commit of HEAD that touched the record's file, oldest first: the commits that changed
    its path (`path`, where it is now or was last), then, where a commit added it and removed a
    file of the same name elsewhere in the kind's folder (a move), those of the path before, and so
    on. Literal paths: git finds the commits that changed a path by comparing the trees on its way
    (a pattern like `folder/*ID.yaml` had every name of the folder matched in every commit: 0.65
    against 0.02 s for a journal entry over 1,850 commits). The statuses and the records at each
    commit are read through `cat-file`, not a `diff-tree` per commit (each reads git's index)."""
    from git import Repo  # GitPython: the commits' authors, dates and subjects, read plainly

    assert root.top is not None
    kind = next(k for k in all_kinds() if k.name == kind_name)
    name = f"{ident}.yaml"
    folder = f"{root.prefix}{kind.folder}/"
    paths = [path] if path else []
    if kind.date_field is None and f"{folder}{name}" not in paths:
        paths.append(f"{folder}{name}")
    repo = Repo(root.top)
    result: list[Version] = []
    try:
        rev: str | None = "HEAD"
        while rev and paths:
            commits = list(repo.iter_commits(rev, paths=[f":(literal){p}" for p in paths], no_renames=True))
            if not commits:
                break
            # the file at each commit and at its parent (a first commit's parent names nothing)
            found = {spec: oid for spec, (kind_of, oid) in (git.objects(root.top, [
                f"{c.hexsha}{side}:{p}" for c in commits for side in ("", "^") for p in paths]) or {}).items()
                if kind_of == "blob"}
            blobs = git.cat_blobs(root.top, sorted(set(found.values())))
            rev, older = None, None
            for commit in commits:
                touched = []
                for p in paths:
                    now, was = found.get(f"{commit.hexsha}:{p}"), found.get(f"{commit.hexsha}^:{p}")
                    if now != was:
                        touched.append(("A" if was is None else "D" if now is None else "M", p))
                if not touched:
                    continue
                statuses = {s for s, _ in touched}
                kept = [t for t in touched if t[0] != "D"]
                if kept:
                    status, at = ("R" if "D" in statuses and "A" in statuses else kept[-1][0]), kept[-1][1]
                else:
                    status, at = "D", touched[-1][1]
                if status == "A" and commit.parents:  # added: moved here from elsewhere in the kind's folder?
                    moved = _moved_from(root, commit.parents[0].hexsha, commit.hexsha, folder, name, set(paths))
                    if moved:
                        status, rev, older = "R", commit.parents[0].hexsha, moved
                record, error = None, ""
                if status != "D":
                    try:
                        data = yamlread.parse(blobs.get(found.get(f"{commit.hexsha}:{at}", ""), b""))
                        record = kind.model.model_validate(data)
                    except yamlread.YamlError as exc:
                        error = f"unreadable at this commit: line {exc.line}: {exc.message}"
                    except ValidationError as exc:
                        error = f"invalid at this commit: {exc.error_count()} problem(s)"
                result.append(Version(commit.hexsha, commit.author.name or "", commit.author.email or "",
                                      commit.authored_datetime.isoformat(), _text(commit.summary), at, status,
                                      record, error))
                if older:
                    break  # the commits before it: the path it came from
            paths = older or []
    finally:
        repo.close()
    result.reverse()
    return result


def _moved_from(root: DataRoot, parent: str, commit: str, folder: str, name: str, here: set[str]) -> list[str]:
    """The files named `name` under `folder` that `commit` removed (other than `here`): where a
    record it added came from. The folder's trees compared level by level, only where they differ."""
    assert root.top is not None
    top = folder.rstrip("/")
    found = git.objects(root.top, [f"{parent}:{top}", f"{commit}:{top}"]) or {}
    ids = [oid if kind == "tree" else None for kind, oid in (found.get(f"{rev}:{top}", ("", "")) for rev in (parent, commit))]
    trees = [(ids[0], ids[1], folder)]
    gone = []
    while trees:
        old, new, at = trees.pop()
        for was_mode, now_mode, was, _now, entry in git.tree_diff(root.top, old, new) or []:
            if was_mode == "040000":
                trees.append((was, _now if now_mode == "040000" else None, f"{at}{entry}/"))
            elif entry == name and now_mode == "000000" and f"{at}{entry}" not in here:
                gone.append(f"{at}{entry}")
    return sorted(gone)


def _text(value: str | bytes) -> str:
    return value if isinstance(value, str) else value.decode("utf-8", "replace")
