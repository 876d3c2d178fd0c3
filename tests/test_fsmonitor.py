"""git's file-system monitor through Watchman (comptoir.book.fsmonitor and its hook): with it on,
git stats only what Watchman says changed, so a change it missed would be a wrong report. Every
answer is compared with git's own without the monitor (`-c core.fsmonitor=false`), asked without
optional locks like comptoir's reads (a status that writes the index would drop the monitor's data
from it). Skipped only when watchman is not installed; the tests' Watchman daemon is their own
(conftest.watchman_of_the_tests) and each test removes its watch."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.book import fsmonitor, fsmonitor_hook
from comptoir.book.probe import Probe

from .conftest import _template, commit_all, copy_book, examples, git, run, write

pytestmark = pytest.mark.skipif(shutil.which("watchman") is None, reason="watchman is not installed")

ENTRY = """\
id: {ident}
date: 2026-{month}-05
memo: {memo}
postings:
  - account: '1010'
    amount: '{amount}'
  - account: '4000'
    amount: '-{amount}'
"""
FOLDERS = ("comptoir.yaml", "accounts/", "journal/", "stock/")


def entry(month: str, n: int, amount: str = "10.00", memo: str = "sale") -> tuple[str, str]:
    ident = f"JE-2026{month}05-{n:04d}"
    return f"journal/2026/{month}/{ident}.yaml", ENTRY.format(ident=ident, month=month, memo=memo, amount=amount)


def truth(top: Path, *args: str) -> list[str]:
    """git's answer without the monitor, the index left as it is."""
    out = subprocess.run(["git", "--no-optional-locks", "-c", "core.fsmonitor=false", "status", "--porcelain",
                          "--untracked-files=all", *args], cwd=top, capture_output=True, text=True, check=True)
    return sorted(out.stdout.splitlines())


def monitored(top: Path, *args: str) -> list[str]:
    out = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=all", *args],
                         cwd=top, capture_output=True, text=True, check=True)
    return sorted(out.stdout.splitlines())


def trusted(top: Path) -> int:
    """How many files git's index marks as unchanged by the monitor (`ls-files -f`: lower case)."""
    out = git(top, "--no-optional-locks", "ls-files", "-f")
    return sum(1 for line in out.splitlines() if line[:1].islower())


def watched(top: Path) -> bool:
    roots = fsmonitor_hook.watchman(["watch-list"]) or {}
    return str(top.resolve()) in roots.get("roots", [])


@pytest.fixture
def book(tmp_path: Path):
    """A book with three entries committed and the monitor on (its watch removed after)."""
    root = tmp_path / "my books"  # a space in the path: core.fsmonitor goes through the shell
    copy_book(_template("", None)[0], root)
    write(root, dict(entry("01", n) for n in range(1, 4)))
    commit_all(root)
    res = run(root, "fsmonitor", "on")
    assert res.exit_code == 0, res.output
    yield root
    run(root, "fsmonitor", "off")


def test_on_sets_our_hook_and_git_trusts_it(book):
    """`fsmonitor on` sets the hook (quoted: the path has a space) and protocol 2, and the untracked
    cache even in a clone that lacked it (the probe's one status relies on both), and git's index
    then marks every file as unchanged: git asks the hook and stats nothing else."""
    from comptoir.book.probe import monitored as probe_sees_the_monitor

    run(book, "fsmonitor", "off")
    git(book, "config", "core.untrackedCache", "false")
    assert not probe_sees_the_monitor(book / ".git")
    assert run(book, "fsmonitor", "on").exit_code == 0
    assert git(book, "config", "core.untrackedCache").strip() == "true"
    assert probe_sees_the_monitor(book / ".git")
    assert git(book, "config", "core.fsmonitor").strip() == fsmonitor.hook_command()
    assert git(book, "config", "core.fsmonitorHookVersion").strip() == "2"
    assert watched(book)
    files = len(git(book, "ls-files").splitlines())
    assert trusted(book) == files
    res = run(book, "fsmonitor", "status")
    assert res.output.startswith("on: comptoir's hook; Watchman watches"), res.output
    traced = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain"], cwd=book / "journal",
                            capture_output=True, text=True, env={**os.environ, "GIT_TRACE_FSMONITOR": "1"})
    assert "returned success" in traced.stderr and "query/trivial" not in traced.stderr


def test_reads_see_edits_new_deleted_renamed_and_restored_files(book):
    """Each kind of change, made right after the command before (no pause), is in the report."""
    def balance() -> str:
        res = run(book, "report", "trial-balance", "--format", "csv")
        assert res.exit_code == 0, res.output
        return next(line for line in res.output.splitlines() if line.startswith("1010"))

    assert "30.00" in balance()
    path, text = entry("01", 1)
    (book / path).write_text(text.replace("10.00", "15.00"))  # edited
    assert "35.00" in balance()
    write(book, dict([entry("01", 9, "100.00")]))  # a new file, untracked
    assert "135.00" in balance()
    (book / entry("01", 2)[0]).unlink()  # deleted
    assert "125.00" in balance()
    (book / path).write_text(text)  # changed back
    assert "120.00" in balance()
    new_month = book / "journal/2026/02"
    new_month.mkdir()
    moved = entry("02", 3)
    (book / entry("01", 3)[0]).rename(book / moved[0])  # renamed into a new month folder
    (book / moved[0]).write_text(moved[1])
    write(book, dict([entry("02", 4, "1.00")]))
    assert "121.00" in balance()
    assert monitored(book) == truth(book)


def test_a_write_then_edits_in_quick_succession(book):
    """A write updates git's index (and the monitor's token in it); edits made just after, and
    between two commands, are still seen."""
    res = run(book, "journal", "post", "--date", "2026-01-20", "--memo", "cash", "--posting", "1010", "5.00",
              "--posting", "4000", "-5.00")
    assert res.exit_code == 0, res.output
    for n in range(3):
        path, text = entry("01", 1, amount=f"{20 + n}.00")
        (book / path).write_text(text)
        assert monitored(book) == truth(book) == [f" M {path}"]
        assert Probe(book, FOLDERS).changes() == [path]
    git(book, "checkout", "--", ".")
    assert monitored(book) == truth(book) == []
    assert Probe(book, FOLDERS).changes() == []


@settings(max_examples=examples(8, 30), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(["edit", "add", "remove", "rename", "restore", "touch", "new-month",
                                                 "elsewhere", "new-folder-elsewhere",
                                                 "move-month", "remove-month", "file-to-folder",
                                                 "folder-to-file", "commit", "status", "stage"]),
                                st.integers(min_value=0, max_value=5)), min_size=1, max_size=7))
def test_random_changes_git_and_the_probe_agree_with_git_without_the_monitor(book, steps):
    """After every step of a random sequence of edits, new files and folders, deletions, renames,
    files changed and changed back, commits and index writes (a plain `git status`, `git add`), and
    files and folders outside the probed folders, folders removed, a file replaced by a folder of
    its name and a folder by a file, git with the monitor, and comptoir's probe of
    folders (one whole status, kept to those folders), say what git says without it."""
    from comptoir.book import git as git_module
    from comptoir.book.ondemand import compare
    from comptoir.book.probe import monitored as probe_sees_the_monitor
    from comptoir.book.root import find_root

    assert probe_sees_the_monitor(book / ".git")
    start = git(book, "rev-parse", "HEAD").strip()
    try:
        for what, n in steps:
            files = sorted(p for p in git(book, "ls-files", "journal").splitlines() if (book / p).is_file())
            path = book / files[n % len(files)] if files else None
            if what == "edit" and path:
                path.write_text(path.read_text() + f"# edit {n}\n")
            elif what == "add" and _room(book, entry(f"0{1 + n % 3}", 50 + n)[0]):
                write(book, dict([entry(f"0{1 + n % 3}", 50 + n)]))
            elif what == "remove" and path:
                path.unlink()
            elif what == "rename" and path:
                path.rename(path.with_name(f"JE-20260105-{90 + n:04d}.yaml"))
            elif what == "restore" and path:
                text = path.read_bytes()
                path.write_bytes(text + b"x")
                path.write_bytes(text)
            elif what == "touch" and path:
                os.utime(path, (1_700_000_000 + n, 1_700_000_000 + n))
            elif what == "elsewhere":
                write(book, {f"partners/P-{n}.yaml": f"id: P-{n}\nname: Probe {n}\n"})
            elif what == "new-folder-elsewhere":
                write(book, {f"notes{n % 2}/sub/n{n}.txt": "x\n", f"stockroom/n{n}.txt": "y\n"})
            elif what == "new-month" and _room(book, entry(f"1{n % 3}", n)[0]):
                write(book, dict([entry(f"1{n % 3}", n)]))
            elif what == "move-month" and (book / "journal/2026/01").exists():
                (book / "journal/2026/01").rename(book / f"journal/2026/0{4 + n % 3}")
            elif what == "remove-month" and path:
                shutil.rmtree(path.parent)
            elif what == "file-to-folder" and path:  # a tracked file replaced by a folder of its name
                path.unlink()
                path.mkdir()
                (path / "inside.yaml").write_text("x: 1\n")
            elif what == "folder-to-file" and path:  # a folder of tracked files replaced by a file
                shutil.rmtree(path.parent)
                path.parent.write_text("x: 2\n")
            elif what == "commit":
                git(book, "add", "-A")
                git(book, "commit", "-q", "--allow-empty", "-m", f"step {n}")
            elif what == "status":
                git(book, "status", "--porcelain")  # writes the index: new marks and token
            elif what == "stage" and path and path.exists():
                git(book, "add", "--", str(path.relative_to(book)))
            expected = truth(book)
            assert monitored(book) == expected, steps
            assert sorted(Probe(book, FOLDERS).changes() or []) == sorted(
                line[3:] for line in truth(book, "--", *FOLDERS)), steps
            # a write's comparison of the folders it reads with HEAD (the same whole status, asked
            # once per command: each step is a new command)
            git_module.forget()
            folders = [f for f in FOLDERS if f.endswith("/")]
            assert sorted(set(compare(find_root(str(book)), git(book, "rev-parse", "HEAD").strip(), folders) or [])) \
                == sorted({line[3:] for line in truth(book, "--", *folders)}), steps
    finally:
        git(book, "reset", "-q", "--hard", start)
        git(book, "clean", "-q", "-fd")


def _room(top: Path, rel: str) -> bool:
    """Whether a file can be written at `rel`: no file stands where one of its folders would."""
    return not any((top / parent).is_file() for parent in Path(rel).parents)


def test_from_a_subfolder_and_a_book_inside_its_repository(tmp_path):
    """core.fsmonitor works whatever folder git runs in (git starts the hook at the work tree's
    top) and for a book that is a folder of a larger repository: `init --fsmonitor` there."""
    top = tmp_path / "company repo"
    top.mkdir()
    git(top, "init", "-q")
    write(top, {"README": "ours\n"})
    commit_all(top)
    res = run(None, "init", str(top / "the books"), "--company", "Sub", "--fsmonitor")
    assert res.exit_code == 0, res.output
    try:
        assert "Watchman" in res.output
        book = top / "the books"
        (book / "accounts/1010.yaml").write_text("edited\n")
        write(top, {"notes/new.txt": "x\n"})
        assert truth(top) == [' M "the books/accounts/1010.yaml"', "?? notes/new.txt"]
        for where in (top, book, book / "accounts"):
            assert monitored(where) == truth(where)
        assert Probe(book, ("accounts/",)).changes() == ["accounts/1010.yaml"]
    finally:
        run(top / "the books", "fsmonitor", "off")
    assert not watched(top)


def test_init_turns_it_on_only_with_watchman(tmp_path, monkeypatch):
    res = run(None, "init", str(tmp_path / "a"), "--company", "A")
    assert res.exit_code == 0, res.output
    try:
        assert git(tmp_path / "a", "config", "core.fsmonitor").strip() == fsmonitor.hook_command()
    finally:
        run(tmp_path / "a", "fsmonitor", "off")
    monkeypatch.setattr(fsmonitor, "available", lambda: False)
    res = run(None, "init", str(tmp_path / "b"), "--company", "B")
    assert res.exit_code == 0, res.output
    assert subprocess.run(["git", "config", "core.fsmonitor"], cwd=tmp_path / "b").returncode == 1
    res = run(None, "init", str(tmp_path / "c"), "--company", "C", "--fsmonitor")
    assert res.exit_code == 1 and "[no-watchman]" in res.output


def test_off_unsets_it_and_removes_the_watch(book):
    res = run(book, "fsmonitor", "off")
    assert res.exit_code == 0, res.output
    assert subprocess.run(["git", "config", "core.fsmonitor"], cwd=book).returncode == 1
    assert trusted(book) == 0
    assert not watched(book)
    assert run(book, "fsmonitor", "status").output.startswith("off:")


def _hook_argv() -> list[str]:
    import shlex

    return shlex.split(fsmonitor.hook_command())


def hook(top: Path, token: str, env: dict | None = None) -> list[str]:
    """The hook's answer as git reads it: the token, then each path (or `/`), split at NUL."""
    out = subprocess.run([*_hook_argv(), "2", token], cwd=top, capture_output=True, check=True, env=env).stdout
    return out.decode().split("\0")


def test_the_hook_answers_everything_whenever_watchman_cannot_say(book, tmp_path):
    """A token Watchman did not give (git's first, a time), one of another daemon or watch, and no
    watchman at all: the answer is `/`, and git checks every file."""
    first = hook(book, "1733456789000000000")
    assert first[1] == "/" and first[0].startswith("c:")
    assert hook(book, first[0])[1:] == [""]  # nothing changed since
    (book / "accounts/1010.yaml").write_text("x\n")
    assert hook(book, first[0])[1:] == ["accounts/1010.yaml", ""]
    assert hook(book, "c:1:1:1:1")[1] == "/"
    no_watchman = {**os.environ, "PATH": str(tmp_path)}
    assert hook(book, first[0], env=no_watchman)[1] == "/"
    assert subprocess.run([*_hook_argv(), "1", "0"], cwd=book).returncode == 1


def test_a_write_marks_files_unchanged_again_after_the_monitor_said_everything(book):
    """When the monitor could not vouch for any file (here: git wrote the index without it, as a
    tool that does not know the setting would; else a Watchman restart), git stats every file on
    every read until the index is refreshed; reads never write the index, so the next write does."""
    git(book, "-c", "core.fsmonitor=false", "update-index", "-q", "--refresh")
    files = len(git(book, "ls-files").splitlines())
    assert trusted(book) == 0
    (book / entry("01", 1)[0]).write_text(entry("01", 1, memo="edited")[1])
    res = run(book, "journal", "post", "--date", "2026-01-20", "--memo", "cash", "--posting", "1010", "5.00",
              "--posting", "4000", "-5.00")
    assert res.exit_code == 0, res.output
    assert trusted(book) >= files - 1  # all but the edited file (and a file written this very second)
    assert monitored(book) == truth(book) == [f" M {entry('01', 1)[0]}"]


def test_with_the_monitor_a_write_keeps_the_index_split(book):
    """git 2.39 with core.fsmonitor writes its index whole (no link to a shared part) when it stats a
    file into it: a write puts its files in by content instead (comptoir.book.git.stage), and the
    split index's small part is all that is written; the files so staged read as unchanged. After
    REFRESH_AFTER of them a write stats them all in (the index then written whole, once); turned
    off, writes stat their files in, split. If a git release changes this, docs/performance.md's
    figures for writes are to be redone."""
    from comptoir.book import git as git_module

    def split() -> bool:
        return b"link" in (book / ".git" / "index").read_bytes()

    def post(day: int):
        return run(book, "journal", "post", "--date", f"2026-01-{day:02d}", "--memo", "cash", "--posting", "1010",
                   "5.00", "--posting", "4000", "-5.00")

    counter = book / ".git" / git_module.UNREFRESHED
    assert post(20).exit_code == 0 and post(21).exit_code == 0
    assert split() and counter.read_text() == "2"
    assert monitored(book) == truth(book) == []
    unchecked = [line[2:] for line in git(book, "ls-files", "-f").splitlines() if line[:1].isupper()]
    assert len(unchecked) == 2 and all(p.startswith("journal/2026/01/") for p in unchecked)  # hashed by each status
    assert git(book, "ls-files", "--debug", *unchecked).count("  size: 0\t") == 2  # no stat data
    counter.write_text(str(git_module.REFRESH_AFTER))
    assert post(22).exit_code == 0
    assert not split() and counter.read_text() == "0"
    # the two files staged by content have their stat data now (git compares it, not their content)
    debug = git(book, "ls-files", "--debug", *unchecked)
    assert debug.count("  size: 0\t") == 0 and debug.count("  size: ") == 2, debug
    assert monitored(book) == truth(book) == []
    assert run(book, "fsmonitor", "off").exit_code == 0
    assert post(23).exit_code == 0
    assert split()


def index_token(top: Path) -> str:
    """The monitor's token git's index holds (from the last write of the index)."""
    traced = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain"], cwd=top, capture_output=True,
                            text=True, env={**os.environ, "GIT_TRACE_FSMONITOR": "1"})
    return traced.stderr.split("read fsmonitor extension successful '", 1)[1].split("'", 1)[0]


def test_after_watchman_restarts_the_first_read_rewrites_the_index_once(book, watchman_of_the_tests):
    """A restarted daemon (a reboot) knows none of its predecessor's tokens: the hook answers `/`,
    and as reads never write the index, every read would check every file until the next write.
    The first read leaves the index with the new daemon's token instead (and every file trusted),
    so the next reads ask Watchman again; their answers stay git's own."""
    sock = Path(watchman_of_the_tests)
    folder = sock.parent
    before = index_token(book)
    files = len(git(book, "ls-files").splitlines())
    old = int((folder / "pid").read_text().split()[0])
    subprocess.run(["watchman", f"--sockname={sock}", "shutdown-server"], capture_output=True, check=True)
    for _ in range(200):  # until the old daemon is gone (a client started before waits for it forever)
        try:
            os.kill(old, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    # no pipes: the daemon this starts keeps the client's output open, and reading it would wait
    subprocess.run(["watchman", f"--sockname={sock}", f"--statefile={folder / 'state'}", f"--logfile={folder / 'log'}",
                    f"--pidfile={folder / 'pid'}", "--no-save-state", "get-sockname"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=True)
    assert hook(book, before)[1] == "/"  # the old token: everything
    (book / ".git" / fsmonitor_hook.STALE).unlink()  # (left by that call) the report below finds it so itself
    (book / entry("01", 2)[0]).write_text(entry("01", 2, memo="edited")[1])
    res = run(book, "report", "trial-balance")
    assert res.exit_code == 0, res.output
    after = index_token(book)
    assert after != before and after.startswith("c:")
    assert not (book / ".git" / fsmonitor_hook.STALE).exists()
    assert trusted(book) >= files - 1  # all but the edited file (and one written this very second)
    assert hook(book, after)[1:] == [""]  # the new daemon knows the token: nothing changed since
    assert monitored(book) == truth(book) == [f" M {entry('01', 2)[0]}"]
    assert run(book, "report", "trial-balance").exit_code == 0
    assert index_token(book) == after  # once: a read with a known token leaves the index alone


def test_a_write_asks_the_whole_status_once_per_command(book, monkeypatch):
    """A write compares the folders of each kind it reads with HEAD in turns: with the monitor,
    one whole status per command answers them all; the next command (after git.forget, as
    comptoir.main ends one) asks again and sees an edit made between them."""
    from comptoir.book import git as git_module
    from comptoir.book import ondemand, probe
    from comptoir.book.root import find_root

    made = []
    real = probe.Probe

    def counted(*args, **kwargs):
        made.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(probe, "Probe", counted)
    root, head = find_root(str(book)), git(book, "rev-parse", "HEAD").strip()
    git_module.forget()
    assert ondemand.compare(root, head, ["journal/"]) == []
    assert ondemand.compare(root, head, ["accounts/", "stock/"]) == []
    assert len(made) == 1
    path, text = entry("01", 1, amount="99.00")
    write(book, {path: text})
    assert ondemand.compare(root, head, ["journal/"]) == []  # the same command: its first answer
    git_module.forget()
    assert ondemand.compare(root, head, ["journal/"]) == [path] and len(made) == 2
    assert ondemand.compare(root, head, ["accounts/"]) == []


def test_a_write_starts_its_whole_status_ahead_and_waits_only_when_it_compares(book, monkeypatch):
    """With the monitor on, the writer starts the whole status when the write begins: the first
    comparison takes its answer (no second status), a write that compares nothing never waits for
    it (it is stopped when the command ends, and the command's next run does not start one), and
    one started before a commit came in is not used."""
    from comptoir.book import git as git_module
    from comptoir.book import ondemand, probe, verdict
    from comptoir.book.root import find_root

    statuses = []
    real = probe.Probe

    def counted(*args, **kwargs):
        found = real(*args, **kwargs)
        if found._status is not None:
            statuses.append(found)
        return found

    monkeypatch.setattr(probe, "Probe", counted)
    monkeypatch.setattr(verdict, "Probe", counted)
    root = find_root(str(book))
    git_module.forget()
    verdict.Head(root, "test")
    assert len(statuses) == 1  # started ahead
    path, text = entry("01", 2, amount="99.00")
    write(book, {path: text})  # after it started: the answer is what git saw when asked
    head = git(book, "rev-parse", "HEAD").strip()
    first = ondemand.compare(root, head, ["journal/"])
    assert len(statuses) == 1 and first in ([], [path])  # its answer, no second status
    git_module.forget()
    verdict.Head(root, "test")
    ahead = statuses[-1]
    git_module.forget()  # the command ends without comparing: the status is stopped, not waited for
    assert all(p is None or p.poll() is not None for p in (ahead._status, ahead._tree, ahead._where))
    count = len(statuses)
    verdict.Head(root, "test")  # its last run compared nothing: none is started
    assert len(statuses) == count
    assert ondemand.compare(root, head, ["journal/"]) in ([], [path])  # this run does: it asks its own
    assert len(statuses) == count + 1
    git_module.forget()
    verdict.Head(root, "test")  # and the next run starts it again
    assert len(statuses) == count + 2
    git_module.forget()
    verdict.Head(root, "another")  # the edit still there: this status names it
    count = len(statuses)
    commit_all(book, "the edit committed")  # a commit comes in before the first comparison
    assert ondemand.compare(root, git(book, "rev-parse", "HEAD").strip(), ["journal/"]) == []
    assert len(statuses) == count + 1  # the one started before the commit is not HEAD's: asked again
    git_module.forget()


def test_a_folder_head_has_is_not_named_when_a_file_is_added_to_it(book):
    """Watchman names a folder when a file is added to or removed from it; git 2.39 would check
    every file under a name that is not one of its files: the hook leaves out the folders HEAD
    has, and names a folder that replaced a file of its name (which git then checks alone)."""
    top = str(book.resolve())
    clock = fsmonitor_hook.watchman(["clock", top, {"sync_timeout": 10_000}])["clock"]
    write(book, dict([entry("01", 40)]))
    token, names = fsmonitor_hook.changes(top, clock)
    assert names == ["journal/2026/01/JE-20260105-0040.yaml"]
    tracked = book / entry("01", 2)[0]
    tracked.unlink()
    tracked.mkdir()
    (tracked / "inside.yaml").write_text("x: 1\n")
    (book / "notes").mkdir()
    (book / "notes" / "n.txt").write_text("y\n")
    _, names = fsmonitor_hook.changes(top, token)
    assert sorted(names) == sorted([entry("01", 2)[0], entry("01", 2)[0] + "/inside.yaml", "notes", "notes/n.txt"])
    assert monitored(book) == truth(book)


def test_a_write_that_only_removes_files_keeps_the_index_split(book):
    """Removing entries stats nothing into the index: git writes the split index's small part."""
    from comptoir.book import git as git_module

    gone = entry("01", 3)[0]
    (book / gone).unlink()
    git_module.stage(book, [gone], git_module.write_settings(book))
    assert b"link" in (book / ".git" / "index").read_bytes()
    assert monitored(book) == truth(book) == [f"D  {gone}"]
