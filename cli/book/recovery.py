"""A write killed at any instant is rolled back by the next write: never committed half-done.

Before its first file is touched, a writer notes in the git folder which paths it is about to
write and the git id of each new text (`Intent.begin`); once the commit's ref has moved (or,
under --no-commit, once the files are staged) it removes the note (`Intent.end`). A note found
by the next writer, under the write lock, was left by a process that died in between: every
path still holding what the dead writer wrote is put back as HEAD has it (index and working
tree), and its temporary files are removed. A path changed since (by hand) is left alone and
named. Paths the dead writer committed already equal HEAD, so nothing is undone there: a write
is either in a commit or rolled back, never both.

Fault points (`fault(step)`) let the tests kill the process with SIGKILL at each step of a
write: COMPTOIR_FAULT=lock|temp|rename|add|commit-object|ref|derived.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sys
from pathlib import Path

from . import git

STEPS = ("lock", "temp", "rename", "add", "commit-object", "ref", "derived")


def fault(step: str) -> None:
    """Die here, as by `kill -9`, when COMPTOIR_FAULT names this step (tests only)."""
    if os.environ.get("COMPTOIR_FAULT") == step:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


class Intent:
    """The note of a write in progress, one per work tree (linked worktrees share the lock's
    folder but not their files)."""

    def __init__(self, folder: Path, top: Path) -> None:
        self.top = top
        key = hashlib.sha1(str(top).encode("utf-8", "surrogateescape")).hexdigest()[:12]
        self.path = folder / f"write.intent.{key}"

    def left(self) -> bool:
        return self.path.exists()

    def begin(self, command: str, paths: dict[str, str | None]) -> None:
        """Note `paths` (repository-relative) and the git id of what each will hold (None: deleted)."""
        note = {"top": str(self.top), "pid": os.getpid(), "command": command, "paths": paths}
        # Written in place and not synced: a note cut short by a kill is unreadable, and then no
        # file had been touched yet (the recovery drops it). It guards against a killed process,
        # whose written pages the kernel keeps; after a power cut `git status` shows what is left.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(note), encoding="utf-8")

    def end(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass

    def recover(self) -> None:
        """Roll back what a dead writer left uncommitted (the caller holds the write lock)."""
        try:
            note = json.loads(self.path.read_text(encoding="utf-8"))
            paths: dict[str, str | None] = dict(note["paths"])
        except (OSError, ValueError, KeyError, TypeError):
            self.end()  # unreadable: written by no writer of ours, or cut short before its rename
            return
        top = self.top
        names = list(paths)
        head = git.tree_blobs(top, "HEAD", "", names) if git.has_commits(top) else {}
        index = git.index_blobs(top, "", names)
        unstage, restore, remove, kept = [], [], [], []
        for name, meant in paths.items():
            file = top / name
            for tmp in file.parent.glob(f".{file.name}.*.tmp"):
                tmp.unlink(missing_ok=True)
            now = git.blob_id(file.read_bytes()) if file.is_file() else None
            was = head.get(name)
            if index.get(name) != was and index.get(name) == meant:
                unstage.append(name)
            if now == was:
                continue
            if now != meant:  # changed by someone since: theirs now, not ours to undo
                kept.append(name)
            elif was is None:
                remove.append(name)
            else:
                restore.append(name)
        if unstage:
            git.run(top, "reset", "-q", "--", *unstage, check=False)
        if restore:
            git.run(top, "checkout", "HEAD", "--", *restore)
        for name in remove:
            (top / name).unlink(missing_ok=True)
        undone = sorted(set(unstage) | set(restore) | set(remove))
        if undone or kept:
            said = (f"comptoir: warning [write-rolled-back] `comptoir {note.get('command', '?')}` (pid "
                    f"{note.get('pid', '?')}) stopped before its commit and was rolled back (each file as HEAD "
                    f"has it; run that command again if it is still wanted): {', '.join(undone) or 'none'}")
            if kept:
                said += f"; changed since and left as they are: {', '.join(kept)}"
            sys.stderr.write(said + "\n")
        self.end()
