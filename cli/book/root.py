"""Finding the data root: --repo, then COMPTOIR_REPO, then walking up from the current folder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from comptoir.errors import fail
from comptoir.schemas import SETTINGS_FILE

from . import git
from .probe import find_data_root


@dataclass(frozen=True)
class DataRoot:
    path: Path  # the folder holding comptoir.yaml
    top: Path | None  # the git work tree containing it, if any
    refused: tuple[str, str] | None = None  # top is None as git refuses the repository around it: (why, fix)

    @property
    def prefix(self) -> str:
        """The data root relative to the repository top, with a trailing slash ('' at the top)."""
        if self.top is None or self.path == self.top:
            return ""
        return self.path.relative_to(self.top).as_posix() + "/"

    def display(self, relpath: str) -> str:
        return self.prefix + relpath


def find_root(explicit: str | None, cwd: Path | None = None) -> DataRoot:
    """The data root (comptoir.book.probe.find_data_root), with its git work tree."""
    path = find_data_root(explicit, cwd)
    if path is not None:
        return DataRoot(path, *git.where(path))
    start = explicit or os.environ.get("COMPTOIR_REPO")
    if start:
        path = Path(start).expanduser().resolve()
        raise fail("no-data-root", f"{path} holds no {SETTINGS_FILE}",
                   "point --repo (or COMPTOIR_REPO) at a folder made by `comptoir init`")
    here = (cwd or Path.cwd()).resolve()
    raise fail("no-data-root", f"no {SETTINGS_FILE} in {here} or any folder above it",
               "run inside a book, pass --repo DIR, set COMPTOIR_REPO, or create one with `comptoir init DIR`")
