"""Thin wrappers over the git command line.

We call `git` directly: it is what GitPython's `repo.git.*` does too, without the import
cost, and git's own index handling is far faster than GitPython's on large trees
(7.4 s vs 0.33 s per commit measured on a 100k-file repository).
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import re
import stat
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from comptoir.errors import fail


class GitError(Exception):
    pass


LOCK_WAIT = 30.0  # seconds a write waits for a lock git itself holds (index.lock, a ref's lock)


def run(top: Path | str, *args: str, input: bytes | None = None, check: bool = True,
        env: dict | None = None) -> bytes:
    """Run git; every call skips git's optional locks (a `git status` of ours must never make
    another process's commit fail on index.lock), and a call that meets a lock git holds
    (another git command writing the index or a ref) waits for it and tries again."""
    if env is None and input is not None and len(args) == 2 and args[0] == "cat-file" \
            and args[1] in BATCH_MODES:
        answered = _batch(top, args[1], input)
        if answered is not None:
            return answered
    full_env = None
    if env:
        full_env = dict(os.environ)
        full_env.update(env)
    deadline = None
    while True:
        proc = subprocess.run(["git", "--no-optional-locks", *args], cwd=str(top), input=input,
                              capture_output=True, env=full_env)
        if proc.returncode == 0 or not _locked_by_git(proc.stderr):
            break
        deadline = deadline or time.monotonic() + LOCK_WAIT
        if time.monotonic() >= deadline:
            break
        time.sleep(0.1)
    if check and proc.returncode != 0:
        raise GitError(proc.stderr.decode(errors="replace").strip() or f"git {args[0]} failed")
    return proc.stdout


BATCH_MODES = ("--batch", "--batch-check")
SMALL_BATCH = 512  # requests answered by the running `cat-file`; a larger batch gets its own (read whole)
OBJECT_TYPES = (b"blob", b"tree", b"commit", b"tag")
# where git finds the repository when not from the folder: a kept cat-file serves the same ones only
GIT_LOCATION = ("GIT_DIR", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR")


class _CatFile:
    """One `git cat-file --batch[-check]` kept running for a repository, asked many small
    questions: a command asks git a dozen small ones (a folder's tree id, HEAD's, a few blobs), and
    starting git costs more than answering (2-3 ms each; a third of the test suite's processes).
    git answers each request as it reads it (it flushes after each object without `--buffer`)
    and looks names up afresh each time (a ref moved by a commit since is seen), so the answers
    are those a new process would give."""

    def __init__(self, top: str, mode: str) -> None:
        self.mode = mode
        self.proc = subprocess.Popen(["git", "--no-optional-locks", "cat-file", mode], cwd=top,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def ask(self, requests: list[bytes]) -> bytes | None:
        """The bytes a one-off `cat-file` given these requests would print; None if it died."""
        proc = self.proc
        try:
            proc.stdin.write(b"".join(r + b"\n" for r in requests))  # type: ignore[union-attr]
            proc.stdin.flush()  # type: ignore[union-attr]
            out = proc.stdout
            answers = []
            for _ in requests:
                header = out.readline()  # type: ignore[union-attr]
                if not header.endswith(b"\n"):
                    return None
                answers.append(header)
                parts = header.split(b" ")
                if self.mode == "--batch" and len(parts) == 3 and parts[1] in OBJECT_TYPES and parts[2][:-1].isdigit():
                    size = int(parts[2])
                    body = out.read(size + 1)  # type: ignore[union-attr]
                    if len(body) != size + 1:
                        return None
                    answers.append(body)
            return b"".join(answers)
        except (OSError, ValueError):
            return None

    def close(self) -> None:
        try:
            self.proc.stdin.close()  # type: ignore[union-attr]
            self.proc.wait(timeout=5)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            self.proc.kill()


_RUNNING: dict[tuple, _CatFile] = {}
_RUNNING_LOCK = threading.Lock()


def _batch(top: Path | str, mode: str, input: bytes) -> bytes | None:
    """`git cat-file <mode>` given `input`, asked of the one kept running for `top` (started on
    first use, in this process); None when the batch is not one for it (large, an empty line)."""
    requests = input.split(b"\n")
    if requests and requests[-1] == b"":
        requests.pop()
    if not requests or len(requests) > SMALL_BATCH or any(not r or r != r.strip() for r in requests):
        return None
    key = (os.getpid(), str(top), mode, *(os.environ.get(v) for v in GIT_LOCATION))
    with _RUNNING_LOCK:
        running = _RUNNING.pop(key, None)
        if running is None:
            try:
                running = _CatFile(str(top), mode)
            except OSError:
                return None
        answered = running.ask(requests)
        if answered is None:
            running.close()
            return None
        _RUNNING[key] = running  # the latest used last
        while len(_RUNNING) > 4:  # a process that visits many repositories (the tests) keeps a few
            _RUNNING.pop(next(iter(_RUNNING))).close()
        return answered


# What git said that holds for one command only (the working tree's status, say): emptied when
# the command ends (forget), so a command run in-process after another asks again.
PER_COMMAND: dict = {}


def forget() -> None:
    """Forget what git said in this process: the kept `cat-file` processes end, the work trees
    found are asked again (the end of a command run in-process: comptoir.main)."""
    for value in PER_COMMAND.values():
        close = getattr(value, "close", None)  # a status started ahead that no one waited for
        if close is not None:
            close()
    PER_COMMAND.clear()
    close_batches()
    from .fsmonitor import refresh_if_stale

    for top in set(_TOPS.values()):
        refresh_if_stale(top)
    _TOPS.clear()


def close_batches() -> None:
    """End the kept `cat-file` processes (at exit, or when a command ends)."""
    with _RUNNING_LOCK:
        while _RUNNING:
            key, running = _RUNNING.popitem()
            if key[0] == os.getpid():  # a forked child leaves its parent's alone
                running.close()


atexit.register(close_batches)  # a process that ends without comptoir.main's forget (a library caller)


def _locked_by_git(stderr: bytes) -> bool:
    """git refused because another git process holds one of its lock files (it did nothing)."""
    return b".lock': File exists" in stderr or b".lock': file exists" in stderr.lower()


def text(top: Path | str, *args: str, check: bool = True) -> str:
    return run(top, *args, check=check).decode().strip()


def toplevel(path: Path) -> Path | None:
    return where(path)[0]


_TOPS: dict[Path, Path] = {}  # folder -> the work tree holding it, as git said in this process


def where(path: Path) -> tuple[Path | None, tuple[str, str] | None]:
    """(the git work tree holding `path`, None); (None, None) when it is in none; (None, (why,
    fix)) when it is in one git refuses to use: dubious ownership (safe.directory), a `.git`
    file pointing nowhere, a broken config: git's reason and what to do, for a write to refuse with."""
    known = _TOPS.get(path)
    if known is not None and (known / ".git").exists():
        return known, None
    plain = plain_work_tree(path)
    if plain is not None:
        _TOPS[path] = plain
        return plain, None
    proc = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=str(path), capture_output=True)
    if proc.returncode == 0:
        top = Path(proc.stdout.decode().strip())
        _TOPS[path] = top
        return top, None
    said = proc.stderr.decode(errors="replace").strip()
    if not said or "(or any of the parent directories)" in said or "(or any parent up to mount point" in said:
        return None, None
    return None, _refusal(path, said)


# what makes git's discovery of a repository anything but "the nearest folder above with a .git
# folder in it": plain_work_tree leaves these cases to `git rev-parse --show-toplevel`
_DISCOVERY_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM",
                  "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY", "GIT_TEST_ASSUME_DIFFERENT_OWNER", "SUDO_UID")
_SPECIAL_CONFIG = re.compile(rb"worktree|^\s*bare\s*(=\s*(true|yes|on|1)\b|$)|\[\s*include", re.I | re.M)


def plain_work_tree(path: Path) -> Path | None:
    """The work tree holding `path` when finding it takes no git: the nearest folder at or above
    it (on the same file system) with a `.git` folder holding HEAD, objects/ and refs/, both owned
    by this user, and a repository config naming no other work tree (`core.worktree`, a bare
    repository, an include). Anything else (a `.git` file, an environment variable that changes
    git's search, a folder owned by another user, a mount point crossed) is None: git is asked,
    and says why when it refuses. `git rev-parse --show-toplevel` took 2-3 ms of each command's
    CPU (a tenth of the git processes the test suite starts)."""
    if any(os.environ.get(name) for name in _DISCOVERY_ENV) or not hasattr(os, "geteuid"):
        return None  # (no owner to compare where there is no geteuid: git is asked)
    try:
        here = Path(os.path.realpath(path))
        device = here.stat().st_dev
        me = os.geteuid()
        for folder in (here, *here.parents):
            if folder.name == ".git":
                return None
            info = folder.stat()
            if info.st_dev != device:
                return None  # git stops at a mount point
            dot = folder / ".git"
            try:
                found = dot.lstat()
            except FileNotFoundError:
                if (folder / "HEAD").exists() and (folder / "objects").is_dir():
                    return None  # a bare repository: git says what it makes of it
                continue
            if not stat.S_ISDIR(found.st_mode) or found.st_uid != me or info.st_uid != me:
                return None
            if not ((dot / "HEAD").is_file() and (dot / "objects").is_dir() and (dot / "refs").is_dir()):
                return None
            config = dot / "config"
            if config.exists() and _SPECIAL_CONFIG.search(config.read_bytes()):
                return None
            return folder
    except (OSError, ValueError):
        return None
    return None


def _refusal(path: Path, said: str) -> tuple[str, str]:
    """git's reason for refusing the repository around `path`, and what to do about it."""
    said = "\n".join(line.strip() for line in said.splitlines() if line.strip())
    if "dubious ownership" in said:
        return (f"git refuses this repository: {said}",
                "the folder belongs to another user: if you trust it, run the `git config --global --add "
                "safe.directory ...` line git gives, or run comptoir as the folder's owner")
    dot_git = next((f / ".git" for f in (path.resolve(), *path.resolve().parents) if (f / ".git").exists()
                    or (f / ".git").is_symlink()), None)
    if dot_git is not None and dot_git.is_file():
        pointer = dot_git.read_text(encoding="utf-8", errors="replace").strip().splitlines()[:1]
        return (f"git refuses this repository: {said}",
                f"{dot_git} is a file saying `{pointer[0] if pointer else ''}`, and git finds no repository "
                "there; point its `gitdir:` line at the repository's folder (`git worktree repair` does it "
                "for a moved worktree), or remove the file and `git init`")
    return f"git refuses this repository: {said}", "fix what git says, then run the command again"


def common_dir(top: Path) -> Path:
    out = text(top, "rev-parse", "--git-common-dir")
    p = Path(out)
    return p if p.is_absolute() else (top / p).resolve()


# git's index (one entry per file: 64 MB at 300,000 journal entries) is read by every git command
# that compares the working tree and rewritten whole by every write's `update-index`. These settings
# keep it smaller and its writes small (docs/performance.md, "The repository's index settings"):
# version 4 shares path prefixes (64 -> 45 MB), the split index writes a write's few entries to a
# small file beside a shared one (an update 0.30 -> 0.10 s of CPU at 300,000 entries), the untracked
# cache lets a plain `git status` skip the folders that did not change. `comptoir init` sets them on
# a repository it creates; libgit2-based tools cannot read a split index (see the page).
INDEX_SETTINGS = (("index.version", "4"), ("core.splitIndex", "true"), ("core.untrackedCache", "true"))


def tune_index(top: Path) -> None:
    """Set INDEX_SETTINGS in the repository's config and convert its index now (git applies the
    version and the split to an index it writes afresh only)."""
    for key, value in INDEX_SETTINGS:
        run(top, "config", key, value)
    # two commands: git 2.39 leaves an existing index unsplit when --split-index comes with the others
    run(top, "update-index", "--index-version", "4", "--untracked-cache")
    run(top, "update-index", "--split-index")


# Files a write put in the index by content, since an `update-index --refresh` last marked them
# checked: their count, in the work tree's git folder (comptoir.book.git.stage).
UNREFRESHED = "comptoir-unrefreshed"
REFRESH_AFTER = 400  # such files: then a write refreshes the index (git checks each of them once)


def stage(top: Path, paths: list[str], config: dict[str, str]) -> None:
    """Put `paths` (from the top; files written, or removed) in git's index as the working tree
    has them. `update-index --add --remove`, not `add -A -- paths`: no pathspecs to match (a
    10,000-file import spent 14 s there on a 100,000-file index).

    With a file-system monitor, git 2.39 writes the whole index when it stats a file into it (its
    mark_fsmonitor_valid sets `cache_changed = 1`, which the split index takes for "rewrite it
    all": 41 MB, 0.15 s at 570,000 files), so the files go in by content instead (their blob ids,
    `update-index --index-info`), with no stat data: the split index's small part is written.
    git then hashes such a file on each status until the index is refreshed (a small file: a few
    microseconds); after REFRESH_AFTER of them a write adds its files with `--refresh`,
    which stats them all into the index once (and marks again as unchanged any file the
    monitor could not vouch for, after Watchman restarted)."""
    listed = "".join(f"{path}\0" for path in paths).encode("utf-8", "surrogateescape")
    if not monitored(config):
        run(top, "update-index", "--add", "--remove", "-z", "--stdin", input=listed)
        return
    from .fsmonitor_hook import git_folder

    folder = git_folder(str(top))
    counter = Path(folder) / UNREFRESHED if folder is not None else None
    try:
        count = int(counter.read_text()) if counter is not None else REFRESH_AFTER
    except (OSError, ValueError):
        count = 0  # none since the repository's last refresh by a write
    present = [p for p in paths if (top / p).is_file()]
    if not present or count + len(present) > REFRESH_AFTER or any("\n" in p for p in present):
        # only removals (nothing is stat'ed in), or time to stat the files in: one whole write
        refresh = ("-q", "--refresh") if present else ()
        run(top, "update-index", *refresh, "--add", "--remove", "-z", "--stdin", input=listed)
        if present:
            _count(counter, 0)
        return
    # written to the object store now: a write that makes no commit leaves them staged
    ids = run(top, "hash-object", "-w", "--stdin-paths",
              input="".join(f"{p}\n" for p in present).encode("utf-8", "surrogateescape")).decode().split()
    if len(ids) != len(present):
        raise GitError(f"git hashed {len(ids)} of the {len(present)} files written")
    blob = dict(zip(present, ids, strict=True))
    gone = "0" * len(ids[0])  # an id of zeros removes the entry
    info = "".join(f"100644 {blob[p]}\t{p}\0" if p in blob else f"0 {gone}\t{p}\0" for p in paths)
    run(top, "update-index", "-z", "--index-info", input=info.encode("utf-8", "surrogateescape"))
    _count(counter, count + len(present))


def _count(counter: Path | None, value: int) -> None:
    if counter is None:
        return
    try:
        counter.write_text(str(value))
    except OSError:
        pass


def monitored(config: dict[str, str]) -> bool:
    """git asks a file-system monitor hook what changed (core.fsmonitor; comptoir.book.fsmonitor)."""
    return config.get("core.fsmonitor", "false").lower() not in ("", "false", "no", "off", "0")


def has_commits(top: Path) -> bool:
    out = run(top, "cat-file", "--batch-check", input=b"HEAD\n", check=False)
    return out.split(b" ")[1:2] == [b"commit"]


def _split_z(data: bytes) -> list[str]:
    return [p for p in data.decode("utf-8", "surrogateescape").split("\0") if p]


class Started:
    """A git command started now and read later: git works while Python goes on (several
    listings of one read run side by side instead of one after the other)."""

    def __init__(self, top: Path | str, *args: str) -> None:
        self.top, self.args = top, args
        self.proc = subprocess.Popen(["git", "--no-optional-locks", *args], cwd=str(top),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def result(self) -> bytes:
        out, _ = self.proc.communicate()
        if self.proc.returncode == 0:
            return out
        return run(self.top, *self.args)  # waits for a lock git holds, or raises GitError


def _index_listing(top: Path, prefix: str, paths: list[str] | None) -> Started:
    return Started(top, "ls-files", "-s", "-z", "--", *(paths or [prefix or "."]))


def _blobs_of(out: bytes) -> dict[str, str]:
    blobs: dict[str, str] = {}
    for item in _split_z(out):
        meta, _, path = item.partition("\t")
        blobs[path] = meta.split(" ")[1]
    return blobs


def index_blobs(top: Path, prefix: str, paths: list[str] | None = None) -> dict[str, str]:
    """path -> blob id for every file in the index under prefix (or only under `paths`)."""
    return _blobs_of(_index_listing(top, prefix, paths).result())


def _dirty_listing(top: Path, prefix: str, paths: list[str] | None) -> Callable[[], tuple[set[str], set[str]]]:
    if paths:
        # `ls-files -m/-d` stats every index entry when the pathspecs share no leading folder
        # (folders plus comptoir.yaml); diff-files stats only the entries they match.
        # `diff`, not `diff-files`: a file whose stat data changed but not its content (copied,
        # touched) is compared by content, as the index is never refreshed (no optional locks)
        diff = Started(top, "diff", "--no-renames", "--no-ext-diff", "--name-status", "-z", "--", *paths)
        untracked = Started(top, "ls-files", "-z", "-o", "--exclude-standard", "--", *paths)

        def read() -> tuple[set[str], set[str]]:
            out = _split_z(diff.result())
            deleted = {path for status, path in zip(out[::2], out[1::2], strict=False) if status == "D"}
            changed = {path for status, path in zip(out[::2], out[1::2], strict=False) if status != "D"}
            changed |= set(_split_z(untracked.result()))
            return changed - deleted, deleted
        return read
    # One pass: each ls-files call stats every tracked file, the cost on a large book.
    # -t tags each path: R deleted, C modified (deleted ones too), ? untracked.
    tagged = Started(top, "ls-files", "-z", "-t", "-m", "-d", "-o", "--exclude-standard", "--", prefix or ".")

    def read_tagged() -> tuple[set[str], set[str]]:
        changed: set[str] = set()
        deleted: set[str] = set()
        for item in _split_z(tagged.result()):
            tag, _, path = item.partition(" ")
            (deleted if tag == "R" else changed).add(path)
        return changed - deleted, deleted
    return read_tagged


def dirty_paths(top: Path, prefix: str, paths: list[str] | None = None) -> tuple[set[str], set[str]]:
    """(changed or untracked, deleted) working-tree paths under prefix (or `paths`), by git's stat cache."""
    return _dirty_listing(top, prefix, paths)()


def listing(top: Path, prefix: str, paths: list[str] | None = None, dirty: bool = True
            ) -> tuple[dict[str, str], set[str], set[str]]:
    """index_blobs and dirty_paths at once: the git commands run side by side."""
    read_dirty = _dirty_listing(top, prefix, paths) if dirty else None
    blobs = _blobs_of(_index_listing(top, prefix, paths).result())
    changed, deleted = read_dirty() if read_dirty else (set(), set())
    return blobs, changed, deleted


def subtrees(top: Path, rev: str, *paths: str) -> dict[str, str]:
    """Path from the repository top -> tree id of every folder under `paths` at `rev`, the
    folders themselves and those on the way to them included, as `git ls-tree -r -t -d` lists
    them (what a derived value per folder is keyed by). A folder's own listing is kept in the
    store under its tree id (a tree never changes): a read at a commit whose folders are known
    asks git only for their ids (`cat-file --batch-check`), not to walk the journal's months
    again (60-120 ms at 300,000 entries); a listing not kept is made from its tree and the
    listings kept of the folders in it (_below)."""
    on_the_way: dict[str, None] = {}
    asked = [p.strip("/") for p in paths if p.strip("/")]
    for path in asked:
        parts = path.split("/")
        on_the_way.update(("/".join(parts[:i]), None) for i in range(1, len(parts) + 1))
    names = list(on_the_way)
    out = run(top, "cat-file", "--batch-check", check=False, input="".join(
        [f"{rev}^{{tree}}\n", *(f"{rev}:{n}\n" for n in names)]).encode("utf-8", "surrogateescape"))
    lines = out.decode("utf-8", "surrogateescape").split("\n")
    if lines[0].split(" ")[1:2] != ["tree"]:  # no such commit (none yet): as `ls-tree` fails
        raise GitError(f"{rev} is not a commit of this repository")
    ids: dict[str, str] = {}
    for name, line in zip(names, lines[1:], strict=False):
        parts = line.split(" ")
        if len(parts) == 3 and parts[1] == "tree" and line.count(" ") == 2:
            ids[name] = parts[0]
    from .store import Store

    derivation = _subtree_listing()
    store = Store.of(top)
    trees: dict[str, str] = {}
    missing: list[str] = []
    for path in asked:  # the folders on the way are listed even when `path` is not a folder
        trees.update((n, ids[n]) for n in on_the_way if n in ids and (path == n or path.startswith(n + "/")))
        if path not in ids:
            continue
        stored = store.get(derivation, ids[path])
        if isinstance(stored, dict):
            trees.update((f"{path}/{name}", tree) for name, tree in stored.items())
        else:
            missing.append(path)
    for path in missing:
        found = _below(top, ids[path], store, derivation)
        if found is None:
            raise GitError(f"the tree of {path} at {rev} cannot be read")
        trees.update((f"{path}/{name}", tree) for name, tree in found.items())
    return dict(sorted(trees.items()))


def _below(top: Path, tree: str, store, derivation) -> dict[str, str] | None:
    """name (from the tree's folder) -> tree id of every folder under the tree `tree`, as `git
    ls-tree -r -t -d` lists them, kept in the store per tree id: after a commit only the trees on
    the way to what it changed are read (the folder, its year, the month: not the 60 other months
    of 8,000 entries each that `ls-tree -r -d` parsed again, 0.19 s at 250,000 entries)."""
    stored = store.get(derivation, tree)
    if isinstance(stored, dict):
        return stored
    entries = tree_entries(top, tree)
    if entries is None:
        return None
    found: dict[str, str] = {}
    for mode, name, oid in entries:
        if mode != "040000":
            continue
        found[name] = oid
        inner = _below(top, oid, store, derivation)
        if inner is None:
            return None
        found.update((f"{name}/{below}", sub) for below, sub in inner.items())
    store.put(derivation, (tree,), found)
    return found


SUBTREE_LISTING = None  # the store's derivation, made when first used (comptoir.book.store)


def _subtree_listing():
    from .store import Derivation

    global SUBTREE_LISTING
    if SUBTREE_LISTING is None:
        SUBTREE_LISTING = Derivation("subtree-listing", keep=2048)  # a listing per folder: months too
    return SUBTREE_LISTING


def tree_blobs(top: Path, rev: str, prefix: str, paths: list[str] | None = None) -> dict[str, str]:
    """path (from the top) -> blob id of every file at `rev` under `paths` (folders ending in '/'
    or files; default: under prefix). At a commit whose folders `resolve_head` has looked up, the
    folders' listings come from the derived store, keyed by each folder's tree id, without a git
    process; otherwise one `git ls-tree`."""
    known = _AT.get((str(top), rev))
    if known is not None and paths and all(p in known for p in paths):
        return _known_blobs(top, known, paths)
    if paths and len(paths) > 1 and not any(p.endswith("/") for p in paths):
        found = _named_blobs(top, rev, paths)
        if found is not None:
            return found
    out = run(top, "ls-tree", "-r", "-z", "--full-tree", rev, "--", *(paths or [prefix or "."]))
    blobs: dict[str, str] = {}
    for item in _split_z(out):
        meta, _, path = item.partition("\t")
        parts = meta.split(" ")
        if parts[1] == "blob":
            blobs[path] = parts[2]
    return blobs


# Files named one by one in one folder from which the folder's listing (kept in the store by its tree
# id) is read instead of each file looked up: git reads the folder's tree again for each name (an
# item's 545 moves in 60 month folders of 1,500 files, under the profiler: 0.134 s of lookups, 0.08 s
# with the listings).
FOLDER_LISTING_AT = 4


def _named_blobs(top: Path, rev: str, paths: list[str]) -> dict[str, str] | None:
    """tree_blobs of files named one by one (an item's 500 moves of 100,000): looked up by name,
    not matched against every path of the folders they are in (`ls-tree -r` of them took 0.15 s),
    those of a folder with FOLDER_LISTING_AT or more from its listing. None when a name is a
    folder: `ls-tree` then lists it, files and all."""
    folders: dict[str, list[str]] = {}
    for path in paths:
        folders.setdefault(path.rpartition("/")[0], []).append(path)
    crowded = [folder for folder, named in folders.items() if folder and len(named) >= FOLDER_LISTING_AT]
    blobs: dict[str, str] = {}
    alone = [p for folder, named in folders.items() if folder not in crowded for p in named]
    if crowded:
        typed = objects(top, [f"{rev}:{folder}" for folder in crowded])
        if typed is None:
            return None
        trees = {f"{folder}/": typed[f"{rev}:{folder}"] for folder in crowded
                 if typed.get(f"{rev}:{folder}", ("",))[0] == "tree"}
        listed = _known_blobs(top, trees, list(trees))  # type: ignore[arg-type]
        for folder in crowded:
            for path in folders[folder]:
                if path in listed:
                    blobs[path] = listed[path]
                else:
                    alone.append(path)  # not a file there: asked by name, as the others
    if alone:
        typed = objects(top, [f"{rev}:{p}" for p in alone])
        if typed is None or any(kind == "tree" for kind, _ in typed.values()):
            return None
        blobs.update(_blob_ids(typed, rev, alone))
    return {p: blobs[p] for p in paths if p in blobs}


# (repository top, commit id) -> path (from the top; a folder ends in '/') -> (type, object id), or
# None when there is nothing there: what `resolve_head` looked up. A commit's trees never change.
_AT: dict[tuple[str, str], dict[str, tuple[str, str] | None]] = {}
FOLDER_FILES = None  # the store's derivation, made when first used (comptoir.book.store)


def resolve_head(top: Path, paths: list[str]) -> str | None:
    """HEAD's commit id, after looking up in one `git cat-file --batch-check` the object of each of
    `paths` (from the top; folders end in '/') at it, remembered for this process: `tree_blobs` at
    that commit then lists those folders from the store. None before the first commit."""
    specs = ["HEAD", *(f"HEAD:{p.rstrip('/')}" for p in paths)]
    out = run(top, "cat-file", "--batch-check",
              input="".join(s + "\n" for s in specs).encode("utf-8", "surrogateescape"), check=False)
    lines = out.decode("utf-8", "surrogateescape").split("\n")
    first = lines[0].split(" ")
    if len(first) != 3 or first[1] != "commit":
        return None
    commit = first[0]
    known = _AT.setdefault((str(top), commit), {})
    for path, line in zip(paths, lines[1:], strict=False):
        parts = line.split(" ")
        found = (parts[1], parts[0]) if len(parts) == 3 and parts[1] in ("tree", "blob", "commit") \
            and len(parts[0]) == len(commit) and line.count(" ") == 2 else None
        if found is None or (found[0] == "tree") == path.endswith("/"):
            known[path] = found
    if len(_AT) > 64:  # a long process (a script of many commands) keeps the latest only
        for old in list(_AT)[:-16]:
            del _AT[old]
    return commit


def looked_up(top: Path, commit: str, path: str) -> tuple[str, str] | None:
    """(type, object id) of `path` (from the top; a folder ends in '/') at `commit` as
    `resolve_head` looked it up, None when there is nothing there; KeyError when it was not."""
    return _AT[(str(top), commit)][path]


def stored_files(top: Path, commit: str, folder: str) -> dict[str, str] | None:
    """file name (from `folder`, which ends in '/') -> blob id of every file under it at `commit`
    when the store holds that folder's listing already (`resolve_head` looked it up); else None."""
    found = _AT.get((str(top), commit), {}).get(folder)
    if found is None or found[0] != "tree":
        return None
    from .store import Store

    files = Store.of(top).get(_folder_files(), found[1])
    return files if isinstance(files, dict) else None


def _folder_files():
    from .store import Derivation

    global FOLDER_FILES
    if FOLDER_FILES is None:
        FOLDER_FILES = Derivation("folder-files", keep=256)
    return FOLDER_FILES


def _known_blobs(top: Path, known: dict[str, tuple[str, str] | None], paths: list[str]) -> dict[str, str]:
    from .store import Store

    derivation = _folder_files()
    store = Store.of(top)
    blobs: dict[str, str] = {}
    for path in paths:
        found = known[path]
        if found is None:
            continue
        kind, oid = found
        if kind == "blob":
            blobs[path] = oid
            continue
        if kind != "tree":
            continue
        stored = store.get(derivation, oid)
        files: dict[str, str] = stored if isinstance(stored, dict) else {}
        if not isinstance(stored, dict):
            for item in _split_z(run(top, "ls-tree", "-r", "-z", oid)):
                meta, _, name = item.partition("\t")
                parts = meta.split(" ")
                if parts[1] == "blob":
                    files[name] = parts[2]
            store.put(derivation, (oid,), files)
        blobs.update((path + name, blob) for name, blob in files.items())
    return blobs


def objects(top: Path, specs: list[str]) -> dict[str, tuple[str, str]] | None:
    """spec (`REV:PATH`, `REV^{tree}`, an id, ...) -> (type, object id) of each that names an
    object, in one `git cat-file --batch-check` (through the running one for a few: it reads the
    trees on the way, not git's index); those that name none are left out. None when git's answer
    cannot be read (a spec with a line break, a process that died)."""
    if not specs:
        return {}
    if any("\n" in spec for spec in specs):
        return None
    out = run(top, "cat-file", "--batch-check", check=False,
              input="".join(f"{spec}\n" for spec in specs).encode("utf-8", "surrogateescape"))
    lines = out.decode("utf-8", "surrogateescape").split("\n")
    if len(lines) < len(specs):
        return None
    found: dict[str, tuple[str, str]] = {}
    for spec, line in zip(specs, lines, strict=False):
        parts = line.split(" ")  # `ID TYPE SIZE`, or `SPEC missing` (a spec may hold spaces)
        if len(parts) == 3 and parts[1] in ("blob", "tree", "commit", "tag") and parts[2].isdigit():
            found[spec] = (parts[1], parts[0])
    return found


def blobs_at(top: Path, rev: str, paths: list[str]) -> dict[str, str]:
    """path (from the top) -> blob id at `rev` of each of `paths` that is a file there, in one
    `git cat-file --batch-check` (it reads the folders on the way, not git's index)."""
    found = objects(top, [f"{rev}:{p}" for p in paths])
    if found is None:
        raise GitError(f"git could not look up {len(paths)} path(s) at {rev}")
    return _blob_ids(found, rev, paths)


def _blob_ids(found: dict[str, tuple[str, str]], rev: str, paths: list[str]) -> dict[str, str]:
    """path -> blob id, of the paths `objects` found to be files at `rev`."""
    return {p: found[f"{rev}:{p}"][1] for p in paths if found.get(f"{rev}:{p}", ("",))[0] == "blob"}


def tree_entries(top: Path, tree: str) -> list[tuple[str, str, str]] | None:
    """(mode, name, object id) of each entry of the tree `tree` (one folder, not recursed), as
    `git ls-tree` lists them, read as an object from the running `cat-file` (no process of its
    own); None when git has no such tree."""
    if len(tree) != 40:
        return None  # not a SHA-1 id: _parse_tree reads 20-byte ids
    return entries_at(top, tree)


def entries_at(top: Path, name: str) -> list[tuple[str, str, str]] | None:
    """tree_entries of the tree git names `name` (an id, or `REV:PATH` of a folder); None when
    that is no tree."""
    out = run(top, "cat-file", "--batch", input=name.encode("utf-8", "surrogateescape") + b"\n", check=False)
    header, _, body = out.partition(b"\n")
    parts = header.split(b" ")
    if len(parts) != 3 or parts[1] != b"tree" or not parts[2].isdigit():
        return None
    return [(mode.decode().rjust(6, "0"), entry.decode("utf-8", "surrogateescape"), oid.hex())
            for entry, (mode, oid) in _parse_tree(body[:int(parts[2])]).items()]


NO_ID = "0" * 40


def tree_diff(top: Path, old: str | None, new: str | None) -> list[tuple[str, str, str, str, str]] | None:
    """(old mode, new mode, old id, new id, name) of each entry of one folder that differs between
    two of its trees (not recursed; a side without it: mode 000000 and a zero id), as `git
    diff-tree` gives them, the trees read through the running `cat-file`: no git process of its
    own (diff-tree reads git's index first, for the attributes: 0.1 s at 570,000 entries, with the
    monitor's hook). None when git has no such tree."""
    def entries(tree: str | None) -> dict[str, tuple[str, str]] | None:
        if not tree:
            return {}
        listed = tree_entries(top, tree)
        return None if listed is None else {name: (mode, oid) for mode, name, oid in listed}

    before, after = entries(old), entries(new)
    if before is None or after is None:
        return None
    out = []
    for name in sorted(before.keys() | after.keys()):
        was, now = before.get(name, ("000000", NO_ID)), after.get(name, ("000000", NO_ID))
        if was != now:
            out.append((was[0], now[0], was[1], now[1], name))
    return out


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


def write_settings(top: Path) -> dict[str, str]:
    """The few settings a write depends on, in one git call (keys in lower case)."""
    proc = subprocess.run(["git", "config", "-z", "--get-regexp",
                           r"^(user\.name|user\.email|commit\.gpgsign|core\.hookspath|core\.filemode|core\.fsmonitor"
                           r"|core\.autocrlf|core\.attributesfile)$"],
                          cwd=str(top), capture_output=True)
    out: dict[str, str] = {}
    for item in proc.stdout.decode("utf-8", "replace").split("\0"):
        key, _, value = item.partition("\n")
        if key:
            out[key.lower()] = value
    return out


def comptoir_user() -> tuple[str, str]:
    """($COMPTOIR_USER's name, its email): 'Name <email>', a name, or '<email>' (the name is then
    the email's local part); ("", "") when it is not set."""
    explicit = (os.environ.get("COMPTOIR_USER") or "").strip()
    m = re.fullmatch(r"(.*?)\s*<([^<>]*)>", explicit)
    name, email = (m.group(1).strip(), m.group(2).strip()) if m else (explicit, "")
    if not name and email:
        name = email.split("@", 1)[0]
    return name, email


def identity(top: Path, config: dict[str, str] | None = None) -> dict[str, str]:
    """Environment giving git an author when none is configured (a fresh CI machine), and the
    author $COMPTOIR_USER names ('Name <email>' or a name) when it is set: the person a write is
    attributed to; the committer stays whoever runs git."""
    config = write_settings(top) if config is None else config
    env: dict[str, str] = {}
    name, email = comptoir_user()
    if name:
        env["GIT_AUTHOR_NAME"] = name
    if email:
        env["GIT_AUTHOR_EMAIL"] = email
    if "user.name" not in config and "GIT_AUTHOR_NAME" not in os.environ:
        env.setdefault("GIT_AUTHOR_NAME", "comptoir")
        env["GIT_COMMITTER_NAME"] = "comptoir"
    if "user.email" not in config and "GIT_AUTHOR_EMAIL" not in os.environ:
        env.setdefault("GIT_AUTHOR_EMAIL", "comptoir@localhost")
        env["GIT_COMMITTER_EMAIL"] = "comptoir@localhost"
    return env


MESSAGE_HOOKS = ("pre-commit", "prepare-commit-msg", "commit-msg")  # what plumbing would skip


class HookRefused(GitError):
    """A hook of the repository (pre-commit, prepare-commit-msg, commit-msg) failed: no commit."""

    def __init__(self, hooks: list[str], output: str, folder: Path | None = None) -> None:
        self.hooks = hooks
        self.output = output
        self.folder = folder
        super().__init__(output or f"the {', '.join(hooks)} hook failed")


def hooks_folder(top: Path, config: dict[str, str], git_dir: Path | None = None) -> Path:
    """Where git looks for hooks: core.hooksPath (relative: to the work tree's top), else the
    repository's hooks folder (`git_dir`: its common git folder, when the caller knows it)."""
    if "core.hookspath" in config:
        hooks = Path(config["core.hookspath"]).expanduser()
        return hooks if hooks.is_absolute() else top / hooks
    return (git_dir or common_dir(top)) / "hooks"


def active_hooks(hooks: Path, names: tuple[str, ...] = MESSAGE_HOOKS) -> list[str]:
    """The hooks among `names` git would run: present and executable (git skips others)."""
    return [name for name in names if os.access(hooks / name, os.X_OK) and (hooks / name).is_file()]


def commit(top: Path, paths: list[str], message: str, *,
           step: Callable[[str], None] | None = None, git_dir: Path | None = None,
           trees: dict[str, str] | None = None, config: dict[str, str] | None = None,
           blobs: dict[str, str] | None = None, parent: list[str] | None = None) -> str:
    """Commit `paths` (already added to the index) with `message`; return the commit id. The
    commit's tree is HEAD's with exactly these paths changed, built from the folders that hold
    them (`git mktree`) rather than from git's index: `git write-tree` reads and rewrites the whole
    index (21 MB at 100,000 journal entries), and whatever else is staged stays out of the commit.
    A repository whose hooks plumbing would skip (pre-commit, prepare-commit-msg, commit-msg), that
    signs commits or runs a post-commit hook gets the porcelain command `git commit -- paths`, which
    runs and does them all; a hook that fails raises HookRefused. `trees` (when given) receives the
    new tree id of every folder rebuilt (the repository's top as ""). `step(name)` is called after
    "commit-object" (plumbing only) and "ref": fault points. `config`: write_settings, when the
    caller has them. `blobs`: the blob ids of the files written (from the top), when the caller
    knows them (comptoir hashes what it writes; `_tree_with` says when they hold); `parent` (when
    given) receives the commit's parent when the commit was built from HEAD's tree."""
    config = write_settings(top) if config is None else config
    env = identity(top, config)
    message = _clean_message(message)
    hooks = hooks_folder(top, config, git_dir)
    checked = active_hooks(hooks)
    plumbing = (not checked
                and config.get("commit.gpgsign", "false").lower() not in ("true", "yes", "on", "1")
                and not active_hooks(hooks, ("post-commit",)))
    if plumbing:
        head = text(top, "rev-parse", "--verify", "-q", "HEAD", check=False)
        built = _tree_with(top, head, paths, config, blobs) if head else None
        if built is not None:
            sha = run(top, "commit-tree", built[""], "-p", head, "-F", "-", input=message.encode(),
                      env=env).decode().strip()
            if step:
                step("commit-object")
            subject = message.split("\n", 1)[0]
            run(top, "update-ref", "-m", f"commit: {subject}", "HEAD", sha, head)  # fails if HEAD moved meanwhile
            if step:
                step("ref")
            if trees is not None:
                trees.update(built)
            if parent is not None:
                parent.append(head)
            return sha
    # -F -: the message exactly as given (a hook may add to it); paths: exactly these files
    try:
        run(top, "commit", "-q", "-F", "-", "--", *paths, input=message.encode(), env=env)
    except GitError as exc:
        if checked and not _locked_by_git(str(exc).encode()):
            raise HookRefused(checked, str(exc), hooks) from None
        raise
    if step:
        step("ref")
    return text(top, "rev-parse", "HEAD")


TREE_MODE = b"40000"


def _tree_with(top: Path, head: str, paths: list[str], config: dict[str, str],
               blobs: dict[str, str] | None = None) -> dict[str, str] | None:
    """The tree ids of HEAD's tree with `paths` (from the top) as the working tree has them now
    (a path no longer there is removed), for every folder on the way to them ("" the top), the
    new trees written to the object store. Three git commands whatever the book's size: the
    files' blob ids (`hash-object`, which applies the attributes' filters as `git add` does), the
    folders' trees at HEAD (`cat-file --batch`) and the new trees (`mktree --batch`). None when
    it cannot be done so (an object format other than SHA-1, a path git would not name this way):
    the caller then lets `git commit` do it."""
    import hashlib

    if any(os.path.islink(top / p) for p in paths):
        return None  # comptoir writes files; a link is git's to record
    present = [p for p in paths if os.path.isfile(top / p)]
    if len(set(paths)) != len(paths) or any(not p or p.startswith("/") or "//" in p or p.endswith("/")
                                            or any(part in (".", "..", ".git") for part in p.split("/"))
                                            for p in paths):
        return None
    given = blobs is not None and all(p in blobs for p in present) and unfiltered(top, present, config)
    if given:
        blob_of = {p: blobs[p] for p in present}  # type: ignore[index]  # in the object store: staged (stage)
    else:
        ids = _split_lines(run(top, "hash-object", "-w", "--stdin-paths",
                               input="".join(p + "\n" for p in present).encode("utf-8", "surrogateescape"))) \
            if present else []
        if len(ids) != len(present) or any(len(i) != 40 for i in ids):
            return None
        blob_of = dict(zip(present, ids, strict=True))
    folders = {""}
    for p in paths:
        parts = p.split("/")[:-1]
        folders.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
    order = sorted(folders, key=lambda f: (-f.count("/") - (1 if f else 0), f))  # deepest first
    specs = [f"{head}:{f}" if f else f"{head}^{{tree}}" for f in order]
    out = run(top, "cat-file", "--batch", input=("\n".join(specs) + "\n").encode("utf-8", "surrogateescape"))
    old: dict[str, dict[bytes, tuple[bytes, bytes]]] = {}
    pos = 0
    for folder in order:
        nl = out.index(b"\n", pos)
        header = out[pos:nl].split(b" ")
        if header[-1] == b"missing":
            old[folder] = {}
            pos = nl + 1
            continue
        if len(header) != 3 or header[1] != b"tree":
            return None  # a file where a folder is wanted: let git say what is wrong
        size = int(header[2])
        old[folder] = _parse_tree(out[nl + 1:nl + 1 + size])
        pos = nl + 1 + size + 1
    executable = config.get("core.filemode", "true").lower() in ("true", "yes", "on", "1")
    entries = {f: dict(e) for f, e in old.items()}
    for p in paths:
        folder, _, name = p.rpartition("/")
        key = name.encode("utf-8", "surrogateescape")
        was = entries[folder].get(key)
        if p not in blob_of:
            entries[folder].pop(key, None)
            continue
        if executable:
            mode = b"100755" if os.stat(top / p).st_mode & 0o100 else b"100644"  # the owner's x bit, as git reads it
        else:  # git keeps the mode it knew
            mode = was[0] if was is not None and was[0] in (b"100644", b"100755") else b"100644"
        entries[folder][key] = (mode, bytes.fromhex(blob_of[p]))
    made: dict[str, str] = {}
    batch: list[bytes] = []
    for folder in order:
        tree = entries[folder]
        if not tree:
            if not folder:
                return None  # nothing left at all: not a commit comptoir makes
            made[folder] = ""
        else:
            body = b"".join(mode + b" " + name + b"\0" + oid
                            for name, (mode, oid) in sorted(tree.items(), key=_git_order))
            made[folder] = hashlib.sha1(b"tree %d\0" % len(body) + body).hexdigest()
            batch.append(b"".join(_mktree_line(name, mode, oid) for name, (mode, oid) in tree.items()) + b"\0")
        if folder:
            parent, _, name = folder.rpartition("/")
            key = name.encode("utf-8", "surrogateescape")
            if made[folder]:
                entries[parent][key] = (TREE_MODE, bytes.fromhex(made[folder]))
            else:
                entries[parent].pop(key, None)
    try:
        written = _split_lines(run(top, "mktree", "-z", "--batch", input=b"".join(batch)))
    except GitError:
        if not given:
            raise
        return _tree_with(top, head, paths, config)  # an id given is no object git has: git hashes the files
    if written != [made[f] for f in order if made[f]]:
        return None  # git names trees otherwise (another object format): let git commit
    return {f: t for f, t in made.items() if t}


def unfiltered(top: Path, paths: list[str], config: dict[str, str]) -> bool:
    """git stores these files (from the top) as they are, so a file's blob id is the hash of its
    bytes: no attributes file that could name a filter or an end-of-line conversion for them (the
    folders' `.gitattributes`, the repository's, the user's in its usual place and the system's), no
    `core.autocrlf`. A filter named elsewhere that changes a file makes its id one git does not
    have: `git mktree` refuses it and git hashes the files (_tree_with)."""
    if config.get("core.autocrlf", "false").lower() not in ("false", "no", "off", "0") or \
            "core.attributesfile" in config:
        return False
    dot_git = top / ".git"
    try:
        home = Path.home()
    except (RuntimeError, KeyError):  # no home folder to look in
        return False
    places = {top / ".gitattributes", dot_git / "info" / "attributes", home / ".config" / "git" / "attributes",
              Path("/etc/gitattributes"), Path("/usr/etc/gitattributes")}
    for p in paths:
        parts = p.split("/")[:-1]
        places.update(top.joinpath(*parts[:i], ".gitattributes") for i in range(1, len(parts) + 1))
    return dot_git.is_dir() and not any(place.exists() for place in places)


def _split_lines(out: bytes) -> list[str]:
    return [line for line in out.decode().split("\n") if line]


def _parse_tree(raw: bytes) -> dict[bytes, tuple[bytes, bytes]]:
    """A raw tree object: name -> (mode, 20-byte object id)."""
    entries: dict[bytes, tuple[bytes, bytes]] = {}
    pos = 0
    while pos < len(raw):
        space = raw.index(b" ", pos)
        nul = raw.index(b"\0", space)
        entries[raw[space + 1:nul]] = (raw[pos:space], raw[nul + 1:nul + 21])
        pos = nul + 21
    return entries


def _git_order(item: tuple[bytes, tuple[bytes, bytes]]) -> bytes:
    """git sorts a tree's entries by name, a folder's name as if it ended in '/'."""
    name, (mode, _) = item
    return name + b"/" if mode == TREE_MODE else name


def _mktree_line(name: bytes, mode: bytes, oid: bytes) -> bytes:
    kind = b"tree" if mode == TREE_MODE else b"commit" if mode == b"160000" else b"blob"
    return mode.rjust(6, b"0") + b" " + kind + b" " + oid.hex().encode() + b"\t" + name + b"\0"


def _clean_message(message: str) -> str:
    """What `git commit -m` makes of a message: no trailing spaces, no runs of blank lines."""
    lines = [line.rstrip() for line in message.strip().split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out) + "\n"
