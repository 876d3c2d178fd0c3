"""How many entries a folder holds, in the working tree and in a git tree: when they agree and git
found no tracked file changed, no untracked file is there, and git's own look for untracked files
(which hashes every path of its index first: 0.3-0.6 s at 300,000 entries) is not needed. Used by
the freshness probe (comptoir.book.probe) and the write's on-demand listing (comptoir.book.ondemand).
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

from . import git
from .store import Derivation, Store

TREE_ENTRIES = Derivation("tree-entries", keep=4096)  # a tree id -> how many entries it holds (files and folders)


def entry_counts(top: Path, trees: Collection[str]) -> dict[str, int] | None:
    """How many entries each of `trees` (git tree ids) holds, from the store (a tree never changes),
    the others read in one `git cat-file --batch`. None when git cannot say."""
    store = Store.of(top)
    counts: dict[str, int] = {}
    missing = []
    for tree in dict.fromkeys(trees):
        hit = store.get(TREE_ENTRIES, tree)
        if type(hit) is int:
            counts[tree] = hit
        else:
            missing.append(tree)
    if missing:
        out = git.run(top, "cat-file", "--batch", input=("\n".join(missing) + "\n").encode(), check=False)
        pos = 0
        for tree in missing:
            nl = out.find(b"\n", pos)
            header = out[pos:nl].split(b" ") if nl >= 0 else []
            if len(header) != 3 or header[1] != b"tree":
                return None
            size = int(header[2])
            counts[tree] = len(git._parse_tree(out[nl + 1:nl + 1 + size]))
            store.put(TREE_ENTRIES, (tree,), counts[tree])
            pos = nl + 1 + size + 1
    return counts


def same_entries(top: Path, prefix: str, commit: str, folders: list[str]) -> bool:
    """Whether every folder under `folders` (data-root-relative, ending in '/'; `prefix`: the data
    root's place in the repository at `top`) holds as many entries in the working tree as its tree
    at `commit` does, and no folder is there that it lacks. After a status that ignores untracked
    files found nothing (every file of those trees is in the working tree), that means no other
    file is there either. False: there may be one (or an ignored file): ask git."""
    at_top = [prefix + f.rstrip("/") for f in folders]
    try:
        trees = git.subtrees(top, commit, *at_top)
    except git.GitError:
        return False
    under = {path: tree for path, tree in trees.items()
             if any(path == f or path.startswith(f + "/") for f in at_top)}
    for folder in at_top:
        if folder not in under and os.path.lexists(top / folder):
            return False  # a folder HEAD lacks (or a file where it has none)
    counts = entry_counts(top, under.values())
    if counts is None:
        return False
    for path, tree in under.items():
        try:
            if len(os.listdir(top / path)) != counts[tree]:
                return False
        except OSError:
            return False
    return True
