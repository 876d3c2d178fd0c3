"""Ask git the slow questions of a stock answer before Python imports the record models, and
remember answers by what they depend on.

`stock available` and `stock promise` must know whether the working tree is exactly HEAD
(then the stock levels come from the cache of cli.book.lazy) and that takes git a stat of
every move file, about as long as importing pydantic and the models. Asked here, with the
standard library only, git answers while the imports run.

The same answers identify the book's content: when nothing outside the journal differs
from HEAD, the git trees of the data root's folders (the journal aside: availability never
reads it), the code, the arguments and the day determine the output, so a repeated question
on an unchanged book prints the answer it got before without reading a record.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .store import Derivation, Store

SETTINGS_FILE = "comptoir.yaml"  # schemas.registry.SETTINGS_FILE, without importing the models
STOCK_FOLDER = "stock"  # the stock-move kind's folder; load_quick checks it is still so
UNREAD = ("journal",)  # folders no stock answer depends on
ANSWERS = Derivation("answer", keep=64)  # rendered answers, by the trees they read and the question


def _data_root(repo: str | None, cwd: Path | None) -> Path | None:
    """The folder cli.book.root.find_root would pick (None when it would fail)."""
    start = repo or os.environ.get("COMPTOIR_REPO")
    if start:
        path = Path(start).expanduser().resolve()
        return path if (path / SETTINGS_FILE).is_file() else None
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    return None


class Prefetch:
    """Git's view of the data root, asked at once and read when needed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.folder = STOCK_FOLDER

        def git(*args: str) -> subprocess.Popen:
            return subprocess.Popen(["git", *args], cwd=path, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

        # pathspecs and `HEAD:./` are relative to the working directory: the data root
        self._status = git("--no-optional-locks", "status", "--porcelain", "-z", "--untracked-files=all", "--", ".",
                           *(f":(exclude){name}" for name in UNREAD))
        self._tree = git("ls-tree", "-z", "--full-tree", "HEAD:./")  # --full-tree: no cwd filter on top
        self._where = git("rev-parse", "--git-common-dir", "--show-prefix")
        self._settled = False

    def _settle(self) -> None:
        if self._settled:
            return
        self._settled = True
        status, _ = self._status.communicate()
        tree, _ = self._tree.communicate()
        where, _ = self._where.communicate()
        # no HEAD (or an unreadable one) is not "an empty book": nothing is then taken from a cache
        self.ok = self._status.returncode == 0 and self._where.returncode == 0 and self._tree.returncode == 0
        lines = where.decode().split("\n")
        self.gitdir = (self.path / lines[0]).resolve() if self.ok and lines[0] else None
        prefix = lines[1] if self.ok and len(lines) > 1 else ""
        changed = []  # data-root-relative paths git reports (renames give two)
        fields = status.split(b"\0")
        i = 0
        while i < len(fields):
            entry = fields[i].decode("utf-8", "surrogateescape")
            i += 1
            if len(entry) < 4:
                continue
            changed.append(entry[3:].removeprefix(prefix))
            if entry[0] in "RC" and i < len(fields):
                changed.append(fields[i].decode("utf-8", "surrogateescape").removeprefix(prefix))
                i += 1
        self.changed = changed
        self.entries: dict[str, str] = {}  # top-level name -> object id at HEAD
        if self.ok:
            for item in tree.split(b"\0"):
                if item:
                    meta, _, name = item.decode("utf-8", "surrogateescape").partition("\t")
                    self.entries[name] = meta.split(" ")[2]

    def stock_state(self) -> tuple[bool, str]:
        """(the stock folder has uncommitted changes, its tree id at HEAD or "")."""
        self._settle()
        # a HEAD tree without the settings file is not this book's: read afresh
        dirty = (not self.ok or SETTINGS_FILE not in self.entries
                 or any(p.startswith(self.folder + "/") for p in self.changed))
        return dirty, self.entries.get(self.folder, "")

    def _inputs(self, parts: tuple[str, ...]) -> tuple[str, ...] | None:
        self._settle()
        if os.environ.get("COMPTOIR_ANSWER_CACHE", "1") == "0":
            return None  # switched off (tests that swap providers change code git cannot see)
        if not self.ok or self.changed or not self.entries or self.gitdir is None:
            return None  # uncommitted changes (or no commit yet): the answer is computed afresh
        trees = tuple(f"{name}={self.entries[name]}" for name in sorted(self.entries) if name not in UNREAD)
        return (*trees, "", *parts)

    def recall(self, *parts: str) -> str | None:
        """The answer given before to the same question on the same book and code, if any."""
        inputs = self._inputs(parts)
        if inputs is None:
            return None
        text = Store.of(self.path).get(ANSWERS, *inputs)
        return text if isinstance(text, str) else None

    def remember(self, text: str, *parts: str) -> None:
        inputs = self._inputs(parts)
        if inputs is not None:
            Store.of(self.path).put(ANSWERS, inputs, text)


def start(repo: str | None, cwd: Path | None) -> Prefetch | None:
    path = _data_root(repo, cwd)
    if path is None:
        return None
    try:
        return Prefetch(path)
    except OSError:
        return None
