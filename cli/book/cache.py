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


def pack(entry: tuple) -> bytes:
    """One parse result as it is kept: a large book's results held as objects would be half
    of its peak memory; as bytes they take a tenth, and are unpacked one at a time."""
    return marshal.dumps(entry)


def unpack(raw: bytes | tuple) -> tuple:
    return marshal.loads(raw) if type(raw) is bytes else raw  # type: ignore[return-value, arg-type]


class ParseCache:
    def __init__(self, folder: Path | None, shard: str | None = None) -> None:
        # A shard holds one record kind's entries for loads limited to that kind (a lead list
        # need not read 50,000 cached activities); the unsharded file serves whole-book loads.
        name = f"parse-cache-v{VERSION}-{shard}.marshal" if shard else f"parse-cache-v{VERSION}.marshal"
        self.path = folder / name if folder else None
        self.entries: dict[str, tuple] = {}
        self.dirty = False
        if self.path and self.path.is_file():
            try:
                with open(self.path, "rb") as fh:
                    # loads(read()) is 3-5x faster than load(fh), which reads object by object
                    loaded = marshal.loads(fh.read())
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


def load_file(path: Path | None) -> object:
    """The value marshalled in `path`; None when there is none or it is damaged (every cache
    comptoir keeps is an optimisation: a damaged one is an empty one)."""
    if path is None or not path.is_file():
        return None
    try:
        with open(path, "rb") as fh:
            return marshal.loads(fh.read())  # loads(read()) is 3-5x faster than load(fh)
    except (OSError, EOFError, ValueError, TypeError):
        return None


def store_file(path: Path | None, value: object) -> None:
    """Write `value` to `path` atomically (temp file, then rename); failure is silent."""
    if path is None:
        return
    try:
        blob = marshal.dumps(value)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        os.replace(tmp, path)
    except (OSError, ValueError):
        pass
