"""Parse cache: git blob id -> plain parsed values (or the parse error), stored with marshal.

Content-addressed, so it is valid for every branch and revision at once, safe to delete,
and lives inside the git directory, outside version control.
"""

from __future__ import annotations

import marshal
import os
import tempfile
from pathlib import Path

VERSION = 1


class ParseCache:
    def __init__(self, folder: Path | None) -> None:
        self.path = folder / f"parse-cache-v{VERSION}.marshal" if folder else None
        self.entries: dict[str, tuple] = {}
        self.dirty = False
        if self.path and self.path.is_file():
            try:
                with open(self.path, "rb") as fh:
                    loaded = marshal.load(fh)
                if isinstance(loaded, dict):
                    self.entries = loaded
            except (OSError, EOFError, ValueError, TypeError):
                self.entries = {}  # a damaged cache is just a cold cache

    def get(self, blob: str) -> tuple | None:
        return self.entries.get(blob)

    def put(self, blob: str, entry: tuple) -> None:
        self.entries[blob] = entry
        self.dirty = True

    def save(self) -> None:
        if not (self.path and self.dirty):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".cache-")
            with os.fdopen(fd, "wb") as fh:
                marshal.dump(self.entries, fh)
            os.replace(tmp, self.path)
            self.dirty = False
        except OSError:
            pass  # caching is an optimisation; a read-only git dir must not break reads
