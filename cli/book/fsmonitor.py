"""git's file-system monitor through Watchman: turning it on and off for a repository.

Every read asks git what differs from HEAD in the folders it reads, and git answers by an lstat()
of every tracked file there (467,000 files, 0.5-0.9 s of CPU at a company's fifth year). With
`core.fsmonitor` naming our hook (comptoir/book/fsmonitor_hook.py), git asks Watchman, a daemon
that watches the work tree through inotify, what changed since the last time instead, and stats
only that. git 2.39 on Linux has no monitor daemon of its own: the hook is how it is done here.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from . import fsmonitor_hook, git

HOOK_VERSION = "2"


def available() -> bool:
    """Watchman is installed (on PATH): the hook would have a daemon to ask."""
    return shutil.which("watchman") is not None


def hook_command() -> str:
    """The value of core.fsmonitor: this interpreter running the hook by its absolute path, quoted
    for the shell git starts it with (a value with spaces goes through `sh -c`), so it works from
    any folder, worktree or data root inside the repository. -I -S: no site packages, no
    environment, no folder of ours on the path: only the standard library, which is all it needs."""
    return shlex.join([sys.executable, "-I", "-S", str(Path(fsmonitor_hook.__file__).resolve())])


def enable(top: Path) -> None:
    """Set core.fsmonitor (and the hook's protocol version, so git never falls back to version 1),
    then have git write its index once with every unchanged file marked as such: our reads ask git
    without optional locks and never write the index, so the marks and Watchman's token come from
    the index's last write (this one, then each write's `git add` or any plain `git status`).
    The untracked cache is turned on too (`comptoir init` does): with both, a whole `git status`
    reads only the folders Watchman saw change, and comptoir's probe asks that one status."""
    git.run(top, "config", "core.untrackedCache", "true")
    git.run(top, "config", "core.fsmonitor", hook_command())
    git.run(top, "config", "core.fsmonitorHookVersion", HOOK_VERSION)
    git.run(top, "update-index", "--fsmonitor")  # starts the watch: the hook's first answer is `/`
    git.run(top, "update-index", "-q", "--refresh", check=False)  # exit 1 when a file differs: fine


def disable(top: Path) -> None:
    """Unset both settings, drop the monitor's data from git's index and stop watching the work
    tree (the Watchman daemon itself goes on for whoever else uses it)."""
    for key in ("core.fsmonitor", "core.fsmonitorHookVersion"):
        git.run(top, "config", "--unset-all", key, check=False)  # exit 5 when it was not set
    git.run(top, "update-index", "--no-fsmonitor")
    fsmonitor_hook.watchman(["watch-del", str(top.resolve())])


@dataclass(frozen=True)
class State:
    command: str | None  # core.fsmonitor as set (None: off)
    ours: bool  # it is this installation's hook
    watched: bool  # Watchman watches the work tree now


def state(top: Path) -> State:
    command = git.text(top, "config", "--get", "core.fsmonitor", check=False) or None
    roots = fsmonitor_hook.watchman(["watch-list"]) if available() else None
    watched = bool(roots) and str(top.resolve()) in (roots or {}).get("roots", [])
    return State(command, command == hook_command(), watched)


def refresh_if_stale(top: Path) -> None:
    """Rewrite git's index once when the hook found its token stale (Watchman restarted:
    fsmonitor_hook._stale left its mark): `update-index --refresh` checks every file once and keeps
    Watchman's token of now, so the next reads ask what changed since, instead of every read
    checking every file until the next write. It takes git's index lock: when a writer holds it,
    this gives up at once (the next command tries again). Called as a command ends (git.forget)."""
    folder = fsmonitor_hook.git_folder(str(top))
    if folder is None or not os.path.exists(os.path.join(folder, fsmonitor_hook.STALE)):
        return
    try:
        os.unlink(os.path.join(folder, fsmonitor_hook.STALE))
        subprocess.run(["git", "update-index", "-q", "--refresh"], cwd=str(top), capture_output=True,
                       env={**os.environ, fsmonitor_hook.REFRESHING: "1"})
    except OSError:
        pass
