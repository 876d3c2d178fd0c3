"""Which book contents are known to be free of errors, keyed by the data root's git tree id.

A write must not add errors to the book. Checking every rule over a 100,000-entry book takes
seconds, but a write adds a handful of records: when the book it starts from is known clean,
only what those records can break needs checking (cli.domain.validation.check_change).
"Known clean" is remembered here: the tree id of the data root (same id, same files) with
the facts the incremental checks need about records they do not read (which entries are
reversed, which accounts carry balance assertions and up to when). An entry is added after
a full check finds no errors, and after each write that started from a known-clean tree.

Every key includes a fingerprint of the code that validates (models and rules), so a new
comptoir version never trusts an older one's verdict. The file is an optimisation: safe to
delete, outside version control, in the git folder beside the parse cache.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from . import git
from .cache import load_file, store_file

VERSION = 1
KEEP = 32  # verdicts kept: recent trees of this branch and a few others


def fingerprint() -> str:
    from .codeversion import code_version

    return f"verdict-v{VERSION}:{code_version()}"


class Status:
    """`git status` of the data root, started at once so git stats the files while Python
    imports the models; `clean()` waits for it."""

    def __init__(self, root) -> None:
        self.root = root
        self.proc: subprocess.Popen | None = None
        if root.top is not None:
            try:
                self.proc = subprocess.Popen(
                    ["git", "--no-optional-locks", "status", "--porcelain", "-z", "--untracked-files=all", "--", "."],
                    cwd=str(root.path), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            except OSError:
                self.proc = None

    def clean(self) -> bool:
        if self.proc is None:
            return False
        out, _ = self.proc.communicate()
        return self.proc.returncode == 0 and not out.strip(b"\0")


def tree_id(root, rev: str = "HEAD") -> str | None:
    """The git tree id of the data root at `rev` (None before the first commit)."""
    if root.top is None:
        return None
    spec = f"{rev}:{root.prefix.rstrip('/')}" if root.prefix else f"{rev}^{{tree}}"
    try:
        return git.text(root.top, "rev-parse", "--verify", "-q", spec) or None
    except git.GitError:
        return None


def _path(root) -> Path | None:
    if root.top is None:
        return None
    try:
        return git.common_dir(root.top) / "comptoir" / f"verdicts-v{VERSION}.marshal"
    except git.GitError:
        return None


def _read(path: Path | None) -> dict:
    data = load_file(path)
    if not isinstance(data, dict) or data.get("code") != fingerprint() or not isinstance(data.get("trees"), dict):
        return {}  # nothing known: missing, damaged, or written by another version of comptoir
    return data


def known(root, tree: str | None) -> dict | None:
    """The facts remembered with a clean tree, or None when the tree is not known clean."""
    if tree is None:
        return None
    facts = _read(_path(root)).get("trees", {}).get(tree)
    return facts if isinstance(facts, dict) else None


def recent(root, count: int = 4) -> list[tuple[str, dict]]:
    """The most recently remembered clean trees, newest first."""
    trees = _read(_path(root)).get("trees", {})
    return [(tree, trees[tree]) for tree in list(trees)[::-1][:count] if isinstance(trees[tree], dict)]


def remember(root, tree: str | None, facts: dict) -> None:
    path = _path(root)
    if path is None or tree is None:
        return
    trees = dict(_read(path).get("trees", {}))
    trees.pop(tree, None)
    trees[tree] = facts  # dicts keep insertion order: the oldest verdicts go first
    for old in list(trees)[:max(0, len(trees) - KEEP)]:
        del trees[old]
    store_file(path, {"code": fingerprint(), "trees": trees})
