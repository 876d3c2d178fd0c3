"""The lock date's history (comptoir.book.lockinfo): the commits that moved it, kept in the store
and carried forward over plain commits, equal git's walk of the whole history after any sequence
of writes, lock moves, merges and resets; the paths of the lock's commit answer as its listing;
and a write on a locked book walks only the commits since the last one it knew."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.book import lockinfo
from comptoir.book.root import find_root

from .conftest import _template, commit_all, copy_book, git, run, write

STEPS = st.lists(st.sampled_from(["post", "lock", "reopen", "branch-merge", "reset", "ask-old"]), min_size=1,
                 max_size=12)


def _whole(root, rev: str) -> list:
    return lockinfo._moves(root.top, git(root.top, "rev-parse", rev).strip(), root.display("comptoir.yaml"))


def _set_lock(book: Path, day: str | None, old: str) -> None:
    settings_file = book / "comptoir.yaml"
    text = "\n".join(line for line in settings_file.read_text().splitlines() if not line.startswith("lock_date:"))
    settings_file.write_text(text + (f"\nlock_date: {day}\n" if day else "\n"))
    git(book, "add", "-A")
    git(book, "commit", "-q", "--allow-empty", "-m", f"Lock\n\nComptoir-Lock: {old} -> {day or 'none'}")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_kept_lock_moves_equal_the_walk_of_the_whole_history(steps):
    folder = Path(tempfile.mkdtemp(prefix="comptoir-lockmoves-"))
    try:
        book = folder / "books"
        copy_book(_template("", None)[0], book)
        root = find_root(str(book))
        lock, month, n = "none", 1, 0
        for step in steps:
            n += 1
            if step == "post":
                write(book, {f"notes/{n}.txt": f"{n}\n"})
                commit_all(book, f"plain {n}")
            elif step in ("lock", "reopen"):
                month = month + 1 if step == "lock" else max(1, month - 1)
                day = f"2026-{month:02d}-01"
                _set_lock(book, day, lock)
                lock = day
            elif step == "branch-merge":
                git(book, "checkout", "-q", "-b", f"side{n}")
                _set_lock(book, f"2026-{month:02d}-15", lock)
                git(book, "checkout", "-q", "-")
                write(book, {f"notes/m{n}.txt": "main\n"})
                commit_all(book, "main side")
                git(book, "merge", "-q", "--no-edit", "-X", "theirs", f"side{n}")
                lock = f"2026-{month:02d}-15"
            elif step == "reset" and int(git(book, "rev-list", "--count", "HEAD")) > 2:
                git(book, "reset", "-q", "--hard", "HEAD~1")
            elif step == "ask-old" and int(git(book, "rev-list", "--count", "HEAD")) > 2:
                assert lockinfo.lock_moves(root, "HEAD~1") == _whole(root, "HEAD~1")
            assert lockinfo.lock_moves(root, None) == _whole(root, "HEAD"), steps
            assert lockinfo.lock_moves(root, None) == _whole(root, "HEAD"), steps  # the kept answer
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_the_lock_commit_s_paths_answer_as_its_listing(book):
    """One path at a time, then a folder at a time (a few kept): the same answers as the commit's
    listing, for its files, for files it lacks, for folders and for names in folders it lacks."""
    write(book, {"journal/2026/01/JE-1.yaml": "x\n", "notes/a b.txt": "y\n", "top.txt": "z\n",
                 "journal/2026/02/JE-3.yaml": "w\n"})
    commit_all(book, "files")
    commit = git(book, "rev-parse", "HEAD").strip()
    listed = set(git(book, "ls-tree", "-r", "--name-only", "-z", commit).split("\0")) - {""}
    asked = sorted(listed) + ["journal/2026/01/JE-2.yaml", "journal", "journal/2026", "nothing", "notes/a",
                              "missing/folder/x.yaml", "journal/2026/01", "top.txt"]
    asked = asked + asked[::-1] + asked
    paths = lockinfo.TreePaths(book, commit, "")
    paths.ASKED, paths.FOLDERS = 5, 2  # one at a time, then by folder, two kept
    assert [p in paths for p in asked] == [p in listed for p in asked]
    assert paths.asked == 5 and len(paths.folders) <= 2 and paths.read > 2


def test_a_write_on_a_locked_book_walks_only_the_commits_since(book, monkeypatch):
    """The first write walks the history once; a write that leaves the settings file alone keeps
    its parent's answer for its own commit, so the next write walks nothing; after a lock move the
    next write walks the commits since the last answer kept. A late entry is still refused, and
    the answers are git's walk of the whole history."""
    assert run(book, "journal", "post", "--date", "2026-01-05", "--memo", "a", "-p", "1010", "10.00",
               "-p", "4000").exit_code == 0
    assert run(book, "period", "close", "2026-01-31").exit_code == 0
    walked: list[str] = []
    moves = lockinfo._moves
    monkeypatch.setattr(lockinfo, "_moves", lambda top, revs, path: walked.append(revs) or moves(top, revs, path))
    root = find_root(str(book))

    def post(memo: str, day: str = "2026-11-05") -> object:
        return run(book, "journal", "post", "--date", day, "--memo", memo, "-p", "1010", "1.00", "-p", "4000")

    for n in range(3):
        res = post(f"b{n}")
        assert res.exit_code == 0, res.output
    assert len(walked) == 1, walked  # the first write; each next found its parent's answer kept
    kept = lockinfo.lock_moves(root, None)
    assert len(walked) == 1 and kept == _whole(root, "HEAD")
    assert run(book, "period", "close", "2026-02-28").exit_code == 0  # a write of the settings file
    walked.clear()
    assert post("c").exit_code == 0
    assert walked and all(".." in revs for revs in walked), walked
    assert lockinfo.lock_moves(root, None) == _whole(root, "HEAD")
    assert [day for _, day in _whole(root, "HEAD")][:1] == [dt.date(2026, 2, 28)]
    res = post("late", "2026-01-20")
    assert res.exit_code == 1 and "period-locked" in res.stderr
