"""One code version: a hash of every source file of the installed package.

Every derived value is keyed with it, so nothing computed by one version of comptoir
(a parsed record, a day sum, a verdict) is served by another.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from functools import lru_cache
from pathlib import Path


def source_files() -> list[Path]:
    """The .py files of `comptoir` and `comptoir.schemas`, wherever they are installed."""
    files: set[Path] = set()
    for package in ("comptoir", "comptoir.schemas"):
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            files.update(Path(folder).rglob("*.py"))
    return sorted(files)


@lru_cache(maxsize=1)
def code_version() -> str:
    digest = hashlib.sha1(sys.version.encode())
    for path in source_files():
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()
