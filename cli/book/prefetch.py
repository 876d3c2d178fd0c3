"""Start the slow git question of a quick stock read before Python imports its models.

`stock available` must know whether the working tree's stock folder is exactly HEAD's
(then its levels come from the cache) and that takes git a stat of every move file, about
as long as importing pydantic and the record models. Asked here, with the standard library
only, git answers while the imports run. `cli.book.lazy.load_quick` uses the answers when
they are about the same folder, and asks again itself otherwise.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

SETTINGS_FILE = "comptoir.yaml"  # schemas.registry.SETTINGS_FILE, without importing the models
STOCK_FOLDER = "stock"  # the stock-move kind's folder; load_quick checks it is still so


@dataclass
class Prefetch:
    path: Path  # the data root it was asked for
    folder: str
    status: subprocess.Popen
    tree: subprocess.Popen

    def answers(self) -> tuple[bool, str]:
        """(the folder has uncommitted changes, its tree id at HEAD or "")."""
        status, _ = self.status.communicate()
        tree, _ = self.tree.communicate()
        dirty = self.status.returncode != 0 or bool(status.strip(b"\0"))
        return dirty, tree.decode().strip() if self.tree.returncode == 0 else ""


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


def start(repo: str | None, cwd: Path | None) -> Prefetch | None:
    path = _data_root(repo, cwd)
    if path is None:
        return None
    try:  # pathspecs and `HEAD:./x` are relative to the working directory: the data root
        status = subprocess.Popen(["git", "status", "--porcelain", "-z", "--untracked-files=all", "--",
                                   STOCK_FOLDER + "/"], cwd=path, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        tree = subprocess.Popen(["git", "rev-parse", "-q", "--verify", f"HEAD:./{STOCK_FOLDER}"], cwd=path,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError:
        return None
    return Prefetch(path, STOCK_FOLDER, status, tree)
