"""Which book contents are known to be free of errors, keyed by the data root's git tree id.

A write must not add errors to the book. Checking every rule over a 100,000-entry book takes
seconds, but a write adds a handful of records: when the book it starts from is known clean,
only what those records can break needs checking (cli.domain.validation.check_change).
"Known clean" is remembered here: the tree id of the data root (same id, same files) with
the facts the incremental checks need about records they do not read (which entries are
reversed, which accounts carry balance assertions and up to when). An entry is added after
a full check finds no errors, and after each write that started from a known-clean tree.

Verdicts are kept in the derived-data store (comptoir.book.store) under the tree id and the
code version, so a new comptoir version never trusts an older one's verdict.
"""

from __future__ import annotations

from . import git
from .probe import Probe
from .store import Derivation, Store

VERDICTS = Derivation("verdict", keep=32)  # recent trees of this branch and a few others


def Status(root) -> Probe:  # noqa: N802 - the name the writer and validate have used
    """The freshness probe of the whole data root, started at once (git stats the files while
    Python imports the models); `clean()` waits for it."""
    return Probe(root.path)


def Head(root, command: str = "") -> Probe:  # noqa: N802 - a constructor, as Status
    """HEAD's commit, the data root's tree id and its top-level entries, asked at once (git answers
    while the modules import), with no `git status`: what a write asks before it knows which kinds
    it reads. The settings file is compared with HEAD's by content (`Probe.unchanged`), every
    kind's folder when the book read on demand first uses it (comptoir.book.ondemand): a status
    reads git's whole index (64 MB at 300,000 entries, 0.1-0.2 s), which a write whose kinds are
    small need not read at all. With git's monitor and untracked cache on, a write's comparison
    is one whole status whatever it compares (comptoir.book.ondemand.compare): it is started here
    too, while the modules import and the write gets ready, and waited for only by the first
    comparison. A command whose last run compared nothing with git (`journal post`) does not
    start it: running beside the write on a 2-core machine it took 0.3 s of CPU from it."""
    from .probe import AHEAD, AHEAD_HINT, whole_status_pays

    if whole_status_pays(root.path):
        key = (AHEAD, str(root.path))
        earlier = git.PER_COMMAND.pop(key, None)
        if earlier is not None:
            earlier.close()  # started before a wait for the write lock: stale
        hint = git.PER_COMMAND.get((AHEAD_HINT, str(root.path)))
        if not isinstance(hint, Compares):
            hint = git.PER_COMMAND[(AHEAD_HINT, str(root.path))] = Compares(root, command)
        if hint.before is not False:
            git.PER_COMMAND[key] = Probe(root.path)
    return Probe(root.path, status=False)


COMPARES = Derivation("write-compares", keep=64)  # per write command: whether its last run compared with git


class Compares:
    """Whether a write command compares its folders with HEAD through git (comptoir.book.ondemand.
    compare sets `now`): remembered per command in the store when it changes, so the next run of
    the command starts the whole status ahead only if this one used it. A write that compares
    after all when none was started asks its own (and the next run starts one)."""

    def __init__(self, root, command: str) -> None:
        self.store = Store.of(root.path)
        self.command = command
        found = self.store.get(COMPARES, command)
        self.before = found if isinstance(found, bool) else None  # None: not known
        self.now = False

    def close(self) -> None:
        """At the end of the command (comptoir.book.git.forget)."""
        if self.command and self.now != self.before:
            self.store.put(COMPARES, (self.command,), self.now)


def tree_id(root, rev: str = "HEAD") -> str | None:
    """The git tree id of the data root at `rev` (None before the first commit)."""
    if root.top is None:
        return None
    spec = f"{rev}:{root.prefix.rstrip('/')}" if root.prefix else f"{rev}^{{tree}}"
    try:
        return git.text(root.top, "rev-parse", "--verify", "-q", spec) or None
    except git.GitError:
        return None


def known(root, tree: str | None) -> dict | None:
    """The facts remembered with a clean tree, or None when the tree is not known clean."""
    if tree is None or root.top is None:
        return None
    found = Store.of(root.path).get(VERDICTS, tree)
    return found.get("facts") if isinstance(found, dict) and found.get("tree") == tree \
        and isinstance(found.get("facts"), dict) else None


def recent(root, count: int = 4) -> list[tuple[str, dict]]:
    """The most recently remembered clean trees, newest first."""
    if root.top is None:
        return []
    return [(v["tree"], v["facts"]) for v in Store.of(root.path).recent(VERDICTS, count)
            if isinstance(v, dict) and isinstance(v.get("tree"), str) and isinstance(v.get("facts"), dict)]


def remember(root, tree: str | None, facts: dict) -> None:
    if root.top is None or tree is None:
        return
    Store.of(root.path).put(VERDICTS, (tree,), {"tree": tree, "facts": facts})
