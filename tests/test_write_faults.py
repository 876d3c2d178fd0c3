"""A kill at any instant of a write: COMPTOIR_FAULT=<step> makes the writing process kill itself
(SIGKILL) at that step. For each step: `validate` passes afterwards, the next write succeeds
without help, and no record is lost or half-written. Files written but not committed are
rolled back by the next write (comptoir.book.recovery); a write whose ref had moved stays
committed: one or the other, never both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from comptoir.book.recovery import STEPS

from .conftest import files_in_commit, git, head, run

COMMITTED = {"ref", "derived"}  # the ref had moved: the write is in HEAD
ROLLED_BACK = {"rename", "add", "commit-object"}  # files were in place, not committed: put back

BATCH = ("- date: 2026-11-03\n  memo: Dead batch one\n  postings:\n"
         "    - {account: '6100', amount: 40}\n    - {account: '1010', amount: -40}\n"
         "- date: 2026-11-04\n  memo: Dead batch two\n  postings:\n"
         "    - {account: '6100', amount: 2.50}\n    - {account: '1010', amount: -2.50}\n")


def _killed(book: Path, step: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, COMPTOIR_REPO=str(book), COMPTOIR_TODAY="2026-11-28", COMPTOIR_FAULT=step,
               COMPTOIR_LOCK_WAIT="5")
    env.pop("COMPTOIR_ANSWER_CACHE", None)
    proc = subprocess.run([sys.executable, "-m", "comptoir", *args], env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, proc.stderr[-600:])
    assert "Posted" not in proc.stderr and "Updated" not in proc.stderr  # it died before saying anything
    return proc


def _no_leftovers(book: Path) -> None:
    assert git(book, "status", "--porcelain", "--untracked-files=all") == ""
    assert not [p for p in book.rglob("*.tmp") if ".git" not in p.parts]
    assert not list((book / ".git" / "comptoir").glob("write.intent*"))


def _memos(book: Path, rev: str = "HEAD") -> list[str]:
    found = git(book, "grep", "-h", "^memo:", rev, "--", "journal")
    return sorted(line.split("memo: ", 1)[1].strip() for line in found.splitlines())


def _after(book: Path, step: str, before: str, dead_files: int) -> None:
    """What every case checks once the process is dead: validate passes now; the dead write is
    in exactly one new commit (its ref had moved) or not at all; the next write lands alone."""
    assert run(book, "validate").exit_code == 0
    if step in COMMITTED:
        assert git(book, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
        assert len(files_in_commit(book)) == dead_files
    else:
        assert head(book) == before
    dead_head = head(book)
    res = run(book, "journal", "post", "--date", "2026-11-05", "--memo", "Next write", "-p", "6100", "1.00",
              "-p", "1010")
    assert res.exit_code == 0, res.output
    assert ("[write-rolled-back]" in res.stderr) == (step in ROLLED_BACK), res.stderr
    assert git(book, "rev-list", "--count", f"{dead_head}..HEAD").strip() == "1"
    assert files_in_commit(book) == [f"journal/2026/11/{res.stdout.strip()}.yaml"]
    _no_leftovers(book)
    assert run(book, "validate").exit_code == 0


@pytest.mark.parametrize("step", STEPS)
def test_a_batch_killed_at_each_step_is_all_there_or_not_at_all(book, tmp_path, step):
    batch = tmp_path / "batch.yaml"
    batch.write_text(BATCH)
    before = head(book)
    _killed(book, step, "journal", "post", "--file", str(batch))
    _after(book, step, before, dead_files=2)
    memos = _memos(book)
    if step in COMMITTED:
        assert memos == ["Dead batch one", "Dead batch two", "Next write"]
        tb = {r["account"]: r["closing"] for r in _tb(book)}
        assert tb["6100"] == "43.50" and tb["1010"] == "-43.50"  # 40 + 2.50 + 1.00, each once
    else:
        assert memos == ["Next write"]
        assert not [p for p in (book / "journal").rglob("*") if p.is_file() and "Dead" in p.read_text()]


def _tb(book: Path) -> list[dict]:
    import json

    res = run(book, "report", "trial-balance", "--format", "json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)["rows"]


@pytest.mark.parametrize("step", STEPS)
def test_an_edit_killed_at_each_step_leaves_the_old_record_or_the_new_one(book, step):
    """An existing file replaced: after a roll-back it is HEAD's again, byte for byte."""
    res = run(book, "partner", "add", "Café Lumière", "--email", "old@cafe.fr")
    assert res.exit_code == 0, res.output
    ident = res.stdout.strip().split()[0]
    path = next((book / "partners").glob(f"{ident}.yaml"))
    old_text = path.read_bytes()
    before = head(book)
    _killed(book, step, "partner", "update", ident, "--email", "new@cafe.fr")
    _after(book, step, before, dead_files=1)
    text = path.read_text()
    if step in COMMITTED:
        assert "new@cafe.fr" in text and "old@cafe.fr" not in text
    else:
        assert path.read_bytes() == old_text
    assert git(book, "show", f"HEAD:{path.relative_to(book).as_posix()}") == text


def test_a_rolled_back_file_edited_since_by_hand_is_left_alone_and_named(book):
    before = head(book)
    _killed(book, "rename", "journal", "post", "--date", "2026-11-03", "--memo", "Dead", "-p", "6100", "5",
            "-p", "1010")
    [dead] = [p for p in (book / "journal").rglob("*.yaml")]
    dead.write_text(dead.read_text().replace("memo: Dead", "memo: Kept by hand"))
    res = run(book, "journal", "post", "--date", "2026-11-05", "--memo", "Next", "-p", "6100", "1", "-p", "1010")
    assert res.exit_code == 0, res.output
    assert "[write-rolled-back]" in res.stderr and "changed since and left as they are" in res.stderr
    assert dead.relative_to(book).as_posix() in res.stderr
    assert "Kept by hand" in dead.read_text()  # the user's text, never undone
    assert git(book, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert files_in_commit(book) == [f"journal/2026/11/{res.stdout.strip()}.yaml"]
    assert git(book, "status", "--porcelain") == f"?? {dead.relative_to(book).as_posix()}\n"


@pytest.mark.parametrize("hook_passes", [True, False])
def test_a_kill_while_git_commit_runs_its_hook(book, tmp_path, hook_passes):
    """With hooks the commit is one `git commit`: comptoir killed while the hook runs leaves git to
    finish on its own. Its commit lands whole (the next write finds nothing to undo), or the hook
    refuses and the next write rolls the files back."""
    started, done = tmp_path / "hook-started", tmp_path / "hook-done"
    hook = book / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\ntouch {started}\nsleep 2\ntouch {done}\nexit {0 if hook_passes else 1}\n")
    hook.chmod(0o755)
    env = dict(os.environ, COMPTOIR_REPO=str(book), COMPTOIR_TODAY="2026-11-28")
    before = head(book)
    proc = subprocess.Popen([sys.executable, "-m", "comptoir", "journal", "post", "--date", "2026-11-03", "--memo",
                             "Dead", "-p", "6100", "5", "-p", "1010"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    import time

    deadline = time.monotonic() + 60
    while not started.exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    proc.kill()
    out, err = proc.communicate()
    assert proc.returncode == -signal.SIGKILL and b"Posted" not in err
    while not done.exists():
        time.sleep(0.05)
    while (book / ".git" / "index.lock").exists():  # git, orphaned, finishes its commit (or not)
        time.sleep(0.05)
    hook.unlink()
    assert run(book, "validate").exit_code == 0
    assert (head(book) != before) == hook_passes
    dead_head = head(book)
    res = run(book, "journal", "post", "--date", "2026-11-05", "--memo", "Next write", "-p", "6100", "1.00",
              "-p", "1010")
    assert res.exit_code == 0, res.output
    assert ("[write-rolled-back]" in res.stderr) == (not hook_passes), res.stderr
    assert git(book, "rev-list", "--count", f"{dead_head}..HEAD").strip() == "1"
    assert files_in_commit(book) == [f"journal/2026/11/{res.stdout.strip()}.yaml"]
    _no_leftovers(book)
    assert _memos(book) == (["Dead", "Next write"] if hook_passes else ["Next write"])
