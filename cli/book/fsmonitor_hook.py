"""git's file-system monitor hook (core.fsmonitor, hook protocol version 2), answered by Watchman.

git runs it at the top of the work tree on every read of its index, as `HOOK 2 TOKEN`, and trusts
its answer: every file it does not name is taken as unchanged since TOKEN, without an lstat() (on
a book of 467,000 files that lstat is most of a `git status`). So the answer errs one way only:
whenever Watchman cannot say exactly what changed (absent, failing, a token it did not give, a
fresh instance or a recrawl), the answer is `/`, "everything may have changed", and git checks
every file as it would without a monitor.

Answer: a new token, NUL, then the changed paths (from the top of the work tree) each followed by
NUL, or `/`. Run by path (`python -I -S fsmonitor_hook.py`): the standard library only, no
package import, as it starts on every git command that reads the index (comptoir.book.fsmonitor
sets it up; `WATCHMAN_SOCK` names the Watchman socket when it is not the user's default one).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

EVERYTHING = None  # the answer `/`
NO_TOKEN = "comptoir-fsmonitor:none"  # a token that is not Watchman's: the next call starts over
SYNC_MS = 10_000  # Watchman waits this long to have seen every change made before the query
TIMEOUT_S = 30.0
# the repository's own folder (a linked worktree has a `.git` file): git's business, not a change
NOT_GIT = ["not", ["anyof", ["dirname", ".git"], ["name", ".git"]]]
FIELDS = ["name", "type", "exists"]


def watchman(command: list) -> dict | None:
    """Watchman's JSON answer to one command, or None when it cannot answer (not installed, no
    daemon can start, an error, a timeout)."""
    sock = os.environ.get("WATCHMAN_SOCK")
    # a socket named explicitly has the daemon whoever named it started: none is started there
    # (it would keep its state in the user's default daemon's files)
    args = ["watchman", *([f"--sockname={sock}", "--no-spawn"] if sock else []), "-j", "--no-pretty"]
    try:
        done = subprocess.run(args, input=json.dumps(command).encode(), capture_output=True,
                              timeout=TIMEOUT_S, check=False)
        answer = json.loads(done.stdout) if done.returncode == 0 else None
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    if not isinstance(answer, dict) or "error" in answer:
        return None
    return answer


def start_watching(top: str) -> str:
    """Watch `top` itself (not the project above it: the answer's paths are from the top) and
    return Watchman's clock there, the token from which the next call asks what changed."""
    if watchman(["watch", top]) is None:
        return NO_TOKEN
    clock = watchman(["clock", top, {"sync_timeout": SYNC_MS}])
    return clock["clock"] if clock and isinstance(clock.get("clock"), str) else NO_TOKEN


def changes(top: str, token: str) -> tuple[str, list[str] | None]:
    """(the next token, the paths changed since `token` or EVERYTHING)."""
    if not token.startswith("c:"):  # git's first token (a time), or ours after a failure
        return _stale(top, start_watching(top))
    # empty_on_fresh_instance: a token of a daemon since restarted gets no list of every file (0.6 s
    # of JSON at 570,000 files), only the flag
    answer = watchman(["query", top, {"since": token, "fields": FIELDS, "expression": NOT_GIT,
                                      "sync_timeout": SYNC_MS, "empty_on_fresh_instance": True}])
    if answer is None:  # the work tree is not watched (the daemon restarted, a clone) or Watchman fails
        return _stale(top, start_watching(top))
    clock, files = answer.get("clock"), answer.get("files")
    if not isinstance(clock, str) or not isinstance(files, list) or not all(isinstance(f, dict) for f in files):
        return (clock if isinstance(clock, str) else NO_TOKEN), EVERYTHING
    if answer.get("is_fresh_instance"):  # the daemon restarted since the token (a reboot)
        return _stale(top, clock)
    if answer.get("warning"):  # a recrawl (lost events): what changed is not known; watch afresh
        watchman(["watch-del", top])
        return _stale(top, start_watching(top))
    names = [f.get("name") for f in files]
    if not all(isinstance(n, str) and "\ufffd" not in n for n in names):
        return clock, EVERYTHING  # a name Watchman could not spell in JSON
    folders = folders_at_head(top, [f["name"] for f in files
                                    if f.get("type") == "d" and f.get("exists") is True and "\n" not in f["name"]])
    return clock, [n for n in names if n not in folders]


def folders_at_head(top: str, names: list[str]) -> set[str]:
    """Of these folders (there at the token and now), those HEAD has as folders: their names are
    left out of the answer. git 2.39 takes a name that is not a file of its index as "every file
    under it may have changed" and checks them all, and Watchman names a folder whenever a file is
    added to it or removed from it (each of those files is named too): after a write added one
    file to a month of 6,000 journal entries, git looked at the 6,000 (0.05-0.1 s). A folder
    that HEAD has as a file, or does not have, is named (it may replace a file of its name, which
    git then checks alone). None is left out when git cannot say. Missed: a folder HEAD has whose
    files were all removed from the index and a file of its name added there (`git rm -r --cached`,
    then `git add`), later replaced by the folder again."""
    if not names:
        return set()
    try:
        done = subprocess.run(["git", "--no-optional-locks", "cat-file", "--batch-check"], cwd=top,
                              input="".join(f"HEAD:{n}\n" for n in names).encode("utf-8", "surrogateescape"),
                              capture_output=True, timeout=TIMEOUT_S, check=False)
    except (OSError, subprocess.SubprocessError):
        return set()
    lines = done.stdout.decode("utf-8", "surrogateescape").split("\n")
    if done.returncode != 0 or len(lines) < len(names):
        return set()
    return {n for n, line in zip(names, lines[:len(names)], strict=True) if line.split(" ")[1:2] == ["tree"]}


STALE = "comptoir-fsmonitor-stale"  # in the work tree's git folder: its index holds a token Watchman no longer knows
REFRESHING = "COMPTOIR_FSMONITOR_REFRESHING"  # set by comptoir while it rewrites the index after STALE


def _stale(top: str, token: str) -> tuple[str, None]:
    """EVERYTHING, for a token that will stay stale: git's index keeps the token of its last write,
    and comptoir's reads never write it (no optional locks), so until the next write every read
    would get this answer and check every file. Leave STALE beside the index: comptoir rewrites
    the index once (comptoir.book.fsmonitor.refresh_if_stale), with Watchman's token of now."""
    if token != NO_TOKEN and not os.environ.get(REFRESHING):
        folder = git_folder(top)
        if folder is not None:
            try:
                with open(os.path.join(folder, STALE), "w"):
                    pass
            except OSError:
                pass
    return token, EVERYTHING


def git_folder(top: str) -> str | None:
    """The work tree's own git folder (where its index is): `.git`, or where a `.git` file points."""
    dot = os.path.join(top, ".git")
    if os.path.isdir(dot):
        return dot
    try:
        with open(dot, encoding="utf-8") as fh:
            line = fh.readline().strip()
    except OSError:
        return None
    if not line.startswith("gitdir:"):
        return None
    folder = os.path.join(top, line[len("gitdir:"):].strip())
    return folder if os.path.isdir(folder) else None


def answer(token: str, names: list[str] | None) -> bytes:
    paths = [b"/"] if names is EVERYTHING else [n.encode("utf-8", "surrogateescape") for n in names]
    return b"".join(part + b"\0" for part in [token.encode(), *paths])


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] != "2":
        return 1  # not protocol 2: git then checks every file
    token, names = changes(os.getcwd(), argv[2])
    sys.stdout.buffer.write(answer(token, names))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
