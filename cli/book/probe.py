"""The one freshness probe: which files of the data root differ from HEAD, and the git ids of its
top-level folders at HEAD; and the one way to find the data root.

Every reader that serves derived values asks it: a value keyed by a folder's tree id at HEAD
is the working tree's only when nothing under that folder has changed. Asking git costs a
stat of every file (about as long as importing pydantic and the record models), so a command
starts the probe first, with the standard library only, and git answers while the imports
run. Git is asked without optional locks: a probe must never make a writer fail.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from comptoir.schemas import SETTINGS_FILE


def find_data_root(repo: str | None, cwd: Path | None) -> Path | None:
    """The data root: `repo` (--repo), else $COMPTOIR_REPO, else the nearest folder holding
    comptoir.yaml from `cwd` up. None when there is none."""
    start = repo or os.environ.get("COMPTOIR_REPO")
    if start:
        path = Path(start).expanduser().resolve()
        return path if (path / SETTINGS_FILE).is_file() else None
    here = (cwd or Path.cwd()).resolve()
    return next((f for f in (here, *here.parents) if (f / SETTINGS_FILE).is_file()), None)


def status_of(path: Path, prefix: str, paths: Sequence[str]) -> list[str] | None:
    """What differs from HEAD (in the index or the working tree) under `paths`, pathspecs from
    the data root `path` (`prefix`: its place in the repository, as DataRoot.prefix): one `git
    status` that stats only the files under them. Data-root-relative paths; None: unknown."""
    try:
        done = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain", "-z", "--untracked-files=all",
                               "--", *paths], cwd=path, capture_output=True)
    except OSError:
        return None
    if done.returncode != 0:
        return None
    return porcelain_paths(done.stdout, prefix)


def porcelain_paths(status: bytes, prefix: str, folders: list[str] | None = None) -> list[str]:
    """The paths `git status --porcelain -z` names (a rename or copy gives both), less `prefix`;
    with `folders`, untracked folders (`?? name/`) go there instead."""
    changed = []
    fields = status.split(b"\0")
    i = 0
    while i < len(fields):
        entry = fields[i].decode("utf-8", "surrogateescape")
        i += 1
        if len(entry) < 4:
            continue
        if folders is not None and entry.startswith("?? ") and entry.endswith("/"):
            folders.append(entry[3:])
            continue
        changed.append(entry[3:].removeprefix(prefix))
        if entry[0] in "RC" and i < len(fields):
            changed.append(fields[i].decode("utf-8", "surrogateescape").removeprefix(prefix))
            i += 1
    return changed


def monitored(gitdir: Path) -> bool:
    """Whether the repository's own config (`gitdir`/config) turns on git's file-system monitor
    and its untracked cache (what `comptoir init` and `comptoir fsmonitor on` set). Read as text,
    no git process: the probe starts before anything else. A setting made elsewhere (the user's
    global config) is not seen: the probe then asks as without a monitor."""
    try:
        text = (gitdir / "config").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    section, found = "", {}
    for raw in text.splitlines():
        line = raw.split("#")[0].split(";")[0].strip() if not raw.lstrip().startswith(("#", ";")) else ""
        if line.startswith("["):  # [core], or [remote "origin"]
            header = line[1:].partition("]")[0].split()
            section = header[0].lower() if header else ""
            continue
        if section == "core" and "=" in line:
            key, _, value = line.partition("=")
            found[key.strip().lower()] = value.strip().strip('"')
    hook = found.get("fsmonitor", "")
    return hook.lower() not in ("", "false", "no", "off", "0") and \
        found.get("untrackedcache", "").lower() in ("true", "yes", "on", "1")


def whole_status_pays(path: Path) -> bool:
    """Whether one whole `git status` of the data root `path` costs what a status of a few of its
    folders does: the data root is the repository's top and git's monitor and untracked cache are
    on there (git then reads only the folders Watchman saw change). Asked so by the probe, a
    write's comparison with HEAD and the status a write starts ahead."""
    return (path / ".git").is_dir() and monitored(path / ".git")


# git.PER_COMMAND's key (with the data root) for a whole status a write started ahead, with git's
# monitor on: its first comparison with HEAD waits for it (comptoir.book.ondemand.compare)
AHEAD = "whole-status-ahead"
AHEAD_HINT = "whole-status-compares"  # the write's comptoir.book.verdict.Compares, told by compare


def inside(path: str, specs: tuple[str, ...]) -> bool:
    """Whether `path` is one of `specs` or under one (a folder, with or without its '/')."""
    return any(path == spec or path.startswith(spec if spec.endswith("/") else spec + "/") for spec in specs)


class Probe:
    """`git status` of the data root (or of `paths` under it, less `exclude`), the top-level
    entries of HEAD's tree of the data root, HEAD's commit, the data root's tree id and the git
    folder: asked at once, read when needed. `status=False`: only the ids are asked (after a commit, say)."""

    def __init__(self, path: Path, paths: Sequence[str] = (".",), exclude: Sequence[str] = (),
                 status: bool = True) -> None:
        self.path = path
        self.whole = status and tuple(paths) == (".",) and not exclude  # the whole data root is compared
        self.asked = () if not status or exclude else tuple(paths)  # what the status covers (none: unknown)
        self._settled = False

        def git(*args: str) -> subprocess.Popen | None:
            try:
                return subprocess.Popen(["git", "--no-optional-locks", *args], cwd=path,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            except OSError:
                return None

        # pathspecs and `HEAD:./` are relative to the working directory: the data root. The whole
        # data root at the repository's top is asked without pathspecs and with untracked folders
        # named, not walked (their files are listed after, the rare case): the form in which git
        # uses its untracked cache when the repository keeps one (`core.untrackedCache`; see
        # docs/performance.md), instead of reading every folder (a third of the time at 100,000
        # entries)
        self._whole = status and tuple(paths) == (".",) and not exclude and (path / ".git").exists()
        # with git's file-system monitor and untracked cache on, that whole status costs what a
        # status of a few folders does (the folders Watchman saw change are the only ones read):
        # it is asked instead, and its answer kept to the folders probed, without counting them
        self._kept: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # (under these, not under those)
        if status and not self._whole and whole_status_pays(path):
            self._whole = True
            self._kept = (tuple(p for p in paths if p != "."), tuple(exclude))
        self._counted = False
        if self._whole:
            self._status = git("status", "--porcelain", "-z", "--untracked-files=normal")
        else:
            # folders named without exclusions: git compares the tracked files only, and Python
            # counts the folders' entries against HEAD's trees while it runs (_untracked_seen): git's
            # look for untracked files hashes every path of its index first (a third of a status of
            # the journal and the stock moves at 500,000 files)
            self._counted = status and not exclude and all(p.endswith("/") or p == SETTINGS_FILE for p in paths)
            self._status = git("status", "--porcelain", "-z",
                               "--untracked-files=no" if self._counted else "--untracked-files=all", "--", *paths,
                               *(f":(exclude){name}" for name in exclude)) if status else None
        self._tree = git("ls-tree", "-z", "--full-tree", "HEAD:./")  # --full-tree: no cwd filter on top
        self._where = git("rev-parse", "--git-common-dir", "--show-prefix", "HEAD", "HEAD:./")

    @classmethod
    def committed(cls, path: Path, gitdir: Path | None, head: str, root_tree: str,
                  entries: dict[str, tuple[str, str]]) -> Probe:
        """The probe of a commit this process has just made (a write's), from the ids it knows:
        no git asked, no status (what `status=False` gives after the commit)."""
        probe = cls.__new__(cls)
        probe.path, probe.whole, probe.asked, probe._settled = path, False, (), True
        probe._whole, probe._kept, probe._counted = False, None, False
        probe._status = probe._tree = probe._where = None
        probe.ok, probe.gitdir, probe.head, probe.root_tree = True, gitdir, head, root_tree
        probe.entries, probe.changed = dict(entries), None
        return probe

    def _settle(self) -> None:
        if self._settled:
            return
        self._settled = True
        out: dict[str, bytes | None] = {}
        for name in ("_status", "_tree", "_where"):
            proc = getattr(self, name)
            if proc is None:
                out[name] = None
                continue
            data, _ = proc.communicate()
            out[name] = data if proc.returncode == 0 else None
        where = out["_where"]
        lines = where.decode().split("\n") if where is not None else []
        # no HEAD (or an unreadable one) is not "an empty book": nothing is then taken from a store
        self.ok = len(lines) >= 4 and out["_tree"] is not None
        self.gitdir = (self.path / lines[0]).resolve() if self.ok else None
        prefix = lines[1] if self.ok else ""
        self.head = lines[2] if self.ok else None
        self.root_tree = lines[3] if self.ok else None  # the data root's tree id at HEAD
        self.entries: dict[str, tuple[str, str]] = {}  # top-level name -> (object id, type) at HEAD
        for item in (out["_tree"] or b"").split(b"\0"):
            if item:
                meta, _, name = item.decode("utf-8", "surrogateescape").partition("\t")
                _, kind, oid = meta.split(" ")
                self.entries[name] = (oid, kind)
        status = out["_status"]
        self.changed: list[str] | None = None  # data-root-relative paths (renames give two)
        if status is not None:
            folders: list[str] = []  # untracked folders (named so without pathspecs)
            changed = porcelain_paths(status, prefix, folders if self._whole else None)
            if self._whole:  # a file replaced by a folder of its name: git's normal mode names its files nowhere
                folders += [p + "/" for p in changed if (self.path / p).is_dir()]
            if self._kept is not None:
                folders = [f for f in folders if self._keeps(f) or any(p.startswith(f) for p in self._kept[0])]
            if folders:  # their files, as `--untracked-files=all` names them (the data root is the top)
                listed = subprocess.run(["git", "--no-optional-locks", "ls-files", "-z", "-o", "--exclude-standard",
                                         "--", *folders], cwd=self.path, capture_output=True)
                if listed.returncode != 0:
                    return
                changed += [p for p in listed.stdout.decode("utf-8", "surrogateescape").split("\0") if p]
            if self._kept is not None:
                changed = [p for p in changed if self._keeps(p)]
            if self._counted and not self._untracked_seen(status, prefix):
                whole = status_of(self.path, prefix, self.asked)  # git's whole answer
                if whole is None:
                    return
                changed = whole
            self.changed = changed

    def _keeps(self, rel: str) -> bool:
        """Whether a path of the whole status is under the paths probed and not excluded."""
        assert self._kept is not None
        under, excluded = self._kept
        return (not under or inside(rel, under)) and not inside(rel, excluded)

    def _untracked_seen(self, status: bytes, prefix: str) -> bool:
        """After a status of the tracked files only (`--untracked-files=no`): whether it is the whole
        answer, no untracked file being there. So when no tracked file is missing from the working
        tree (a deletion would leave room for an untracked file in the count), the settings file is
        HEAD's or absent, and every probed folder holds as many entries as HEAD's tree of it
        (comptoir.book.entries.same_entries; an ignored file there makes git answer)."""
        if not self.ok or self.head is None:
            return False
        fields = status.split(b"\0")
        i = 0
        while i < len(fields):
            entry = fields[i]
            i += 1
            if len(entry) < 4:
                continue
            if b"D" in entry[:2]:
                return False
            if entry[:1] in (b"R", b"C"):
                i += 1
        if SETTINGS_FILE in self.asked and SETTINGS_FILE not in self.entries and (self.path / SETTINGS_FILE).exists():
            return False  # a settings file git does not track
        from .entries import same_entries

        top = self.path
        for _ in prefix.strip("/").split("/") if prefix.strip("/") else ():
            top = top.parent
        return same_entries(top, prefix, self.head, [p for p in self.asked if p.endswith("/")])

    def close(self) -> None:
        """Stop the git processes not waited for (a status started ahead that no one asked for)."""
        if self._settled:
            return
        for name in ("_status", "_tree", "_where"):
            proc = getattr(self, name, None)
            if proc is None:
                continue
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.communicate(timeout=2)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()

    def changes(self) -> list[str] | None:
        """What differs from HEAD under the probed paths (data-root-relative); None: unknown."""
        self._settle()
        return self.changed

    def clean(self, folders: Sequence[str] | None = None) -> bool:
        """Nothing differs from HEAD under `folders` (default: anywhere probed), and HEAD exists."""
        self._settle()
        if not self.ok or self.changed is None:
            return False
        if folders is None:
            return not self.changed
        under = tuple(f.rstrip("/") + "/" for f in folders)
        return not any(p.startswith(under) or p in folders for p in self.changed)

    def covers(self, paths: Sequence[str]) -> bool:
        """The status compared every one of `paths` (data-root-relative; folders end in '/')."""
        if "." in self.asked:
            return True
        folders = tuple(p for p in self.asked if p.endswith("/"))
        return all(p in self.asked or p.startswith(folders) for p in paths)

    def unchanged(self, name: str) -> bool:
        """Whether the top-level file `name` of the data root holds what HEAD has: by the probe's
        status when it asked one, else by content (the file's blob id against HEAD's entry, no git
        index read). False when unknown: the caller then reads the book as one with changes."""
        if self.whole or self._status is not None:
            return self.clean([name])
        self._settle()
        found = self.entries.get(name)
        if not self.ok or found is None or found[1] != "blob":
            return False
        try:
            data = (self.path / name).read_bytes()
        except OSError:
            return False
        import hashlib

        return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest() == found[0]

    def tree(self, name: str) -> str | None:
        """The git id of a top-level entry of the data root at HEAD (None when absent)."""
        self._settle()
        found = self.entries.get(name)
        return found[0] if found else None
