"""Ask git the slow questions of a stock answer before Python imports the record models, and
remember answers by what they depend on.

`stock available` and `stock promise` must know whether the working tree is exactly HEAD
(then the stock levels come from the store, see comptoir.app.stock) and that takes git a stat of
every move file, about as long as importing pydantic and the models. Asked of the one
freshness probe (comptoir.book.probe), git answers while the imports run.

The same answers identify the book's content: when nothing outside the journal differs
from HEAD, the git trees of the data root's folders (the journal aside: availability never
reads it), the code, the arguments and the day determine the output, so a repeated question
on an unchanged book prints the answer it got before without reading a record.
"""

from __future__ import annotations

import os
from pathlib import Path

from comptoir.schemas import SETTINGS_FILE

from .probe import Probe, find_data_root
from .store import Derivation, Store

STOCK_FOLDER = "stock"  # the stock-move kind's folder; load_quick checks it is still so
UNREAD = ("journal",)  # folders no stock answer depends on
ANSWERS = Derivation("answer", keep=64)  # rendered answers, by the trees they read and the question


class Prefetch:
    """What a stock answer asks the freshness probe (every folder of the data root but the
    journal), asked at once and read when needed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.folder = STOCK_FOLDER
        folders = _read_folders(path)
        # the folders named (git then compares the tracked files and the entries are counted, see
        # Probe), else everything but the journal
        self.probe = Probe(path, (SETTINGS_FILE, *folders)) if folders else Probe(path, exclude=UNREAD)

    def _settle(self) -> None:
        probe = self.probe
        probe.clean()
        self.ok = probe.ok and probe.changed is not None
        self.gitdir = probe.gitdir
        self.changed = probe.changed or []
        self.entries = {name: oid for name, (oid, _) in probe.entries.items()}

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


def _read_folders(path: Path) -> list[str] | None:
    """The data root's folders (each ending in '/') but the journal and git's own: what a stock answer
    may read besides the settings (a file directly in the data root is no record). None when one
    has a name git would read as a pattern, a link is there, or the folder cannot be listed."""
    try:
        entries = list(os.scandir(path))
        if any(entry.is_symlink() for entry in entries):
            return None  # git compares the link itself: asked of the whole status
        names = sorted(entry.name for entry in entries if entry.is_dir(follow_symlinks=False))
    except OSError:
        return None
    names = [n for n in names if n not in UNREAD and n != ".git"]
    if any(c in n for n in names for c in "*?[]:\\!"):
        return None
    return [n + "/" for n in names]


def start(repo: str | None, cwd: Path | None) -> Prefetch | None:
    path = find_data_root(repo, cwd)
    return Prefetch(path) if path is not None else None
