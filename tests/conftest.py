"""Shared fixtures: temporary git books built from inline YAML, and a runner for real commands."""

from __future__ import annotations

import atexit
import datetime as dt
import os
import random
import shutil
import subprocess
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import Phase, settings

from comptoir.api import Invocation as Result
from comptoir.api import invoke

TODAY = dt.date(2026, 11, 28)

RAM_DISK = Path("/dev/shm")


def _temporary_files_in_memory() -> None:
    """The tests' temporary folders (every test's books, the templates, the docs' demo) on the
    machine's memory-backed file system when it has one and TMPDIR names no other place. A test
    copies a book of a few hundred files and git writes objects and indexes: on the disk of a
    small virtual machine creating a file or a folder costs 0.1-0.25 ms in the kernel, and the
    suite's copies alone took a third of its time (`test_hostile` and `test_incremental_check`:
    81 s -> 37 s wall, 45 s -> 9 s of system time). Set before pytest makes its temporary
    folder; xdist's workers inherit it."""
    if os.environ.get("TMPDIR") or not RAM_DISK.is_dir() or not os.access(RAM_DISK, os.W_OK | os.X_OK):
        return
    free = shutil.disk_usage(RAM_DISK).free
    if free < 4 * 2**30:  # the suite keeps up to ~1 GB at once; leave the machine its memory
        return
    os.environ["TMPDIR"] = str(RAM_DISK)
    tempfile.tempdir = None  # worked out again from TMPDIR


_temporary_files_in_memory()


def pytest_xdist_auto_num_workers(config) -> int:
    """`-n auto` (pyproject.toml): two workers per core. A test spends part of its time waiting
    for the git processes its commands start (and their pipes), during which another worker can
    use the core: on the 2-core CI machine, in one period of the same morning, 2 workers took
    4:29-4:40, 3 workers 4:00 and 4 workers 3:37 for the same 1,611 tests."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return min(2 * cores, 32)

# A property test that fails reports the example it drew, unshrunk: shrinking one of these
# examples (each a book and dozens of commands) ran for five minutes and more, beyond the suite's
# time bound. `pytest --hypothesis-profile=shrink` shrinks, to study a failure;
# `--hypothesis-profile=thorough` shrinks too and draws the larger counts of `examples`.
settings.register_profile("suite", phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target])
settings.register_profile("shrink", phases=list(Phase))
settings.register_profile("thorough", phases=list(Phase))
settings.load_profile("suite")


@pytest.fixture(scope="session", autouse=True)
def watchman_of_the_tests():
    """A Watchman daemon of this test process (each xdist worker has its own), named to git's
    file-system monitor hook by WATCHMAN_SOCK, shut down at the end: the repositories tests make
    with the monitor on (`comptoir init` turns it on when watchman is installed) are never watched
    by the user's own daemon, and no daemon outlives the tests."""
    if shutil.which("watchman") is None:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="comptoir-watchman-"))
    sock = str(folder / "sock")
    # if it cannot start, the hook's Watchman fails on this socket too and answers "everything"
    subprocess.run(["watchman", f"--sockname={sock}", f"--statefile={folder / 'state'}", f"--logfile={folder / 'log'}",
                    f"--pidfile={folder / 'pid'}", "--no-save-state", "get-sockname"], capture_output=True)
    before = os.environ.get("WATCHMAN_SOCK")
    os.environ["WATCHMAN_SOCK"] = sock
    try:
        yield sock
    finally:
        subprocess.run(["watchman", f"--sockname={sock}", "shutdown-server"], capture_output=True)
        if before is None:
            os.environ.pop("WATCHMAN_SOCK", None)
        else:
            os.environ["WATCHMAN_SOCK"] = before
        shutil.rmtree(folder, ignore_errors=True)


def examples(suite: int, thorough: int) -> int:
    """A property test's example count: `suite` in the suite's run, `thorough` under
    `--hypothesis-profile=thorough`. For the few tests whose examples are cheap but many (the
    suite's count still draws every case their strategy names, many times over), so the suite
    stays within its time bound and the thorough run still searches wide. (Test modules are
    imported after pytest has loaded the profile named on its command line.)"""
    return thorough if settings.get_current_profile_name() == "thorough" else suite


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def run(repo: Path | None, *args: str, input: str | None = None, today: dt.date = TODAY, seed: int = 1,
        cwd: Path | None = None) -> Result:
    """Run a real comptoir command in-process and return its exit code, stdout and stderr."""
    return invoke(args, repo=repo, today=today, rng=random.Random(seed), input=input, cwd=cwd, lock_timeout=1.0)


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def commit_all(repo: Path, message: str = "hand edit") -> None:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q", "-m", message)


# Books are built once per test process and copied per test (with their .git): `init` and the
# commits of a fixture cost seconds, a copy a few milliseconds. Every command is deterministic
# (the clock and the random source are fixed), so a copy is the book the commands would build.
_TEMPLATES: dict[str, tuple[Path, object]] = {}  # name -> (the book, what its build returned)
_TEMPLATE_DIR: list[Path] = []


def _template_dir() -> Path:
    if not _TEMPLATE_DIR:
        folder = Path(tempfile.mkdtemp(prefix="comptoir-templates-"))
        atexit.register(shutil.rmtree, folder, True)
        _TEMPLATE_DIR.append(folder)
    return _TEMPLATE_DIR[0]


def _new_book(root: Path) -> None:
    # the monitor off: a copy per test would be a watch per test (tests/test_fsmonitor.py turns it on)
    res = run(None, "init", root, "--company", "Test Roasters", "--currency", "EUR", "--no-fsmonitor")
    assert res.exit_code == 0, res.output
    git(root, "config", "user.name", "Test")
    git(root, "config", "user.email", "test@example.com")


def _template(name: str, build: Callable[[Path, Path], object] | None) -> tuple[Path, object]:
    """The book `name`: a fresh book, then `build(book, scratch)`, made once per process."""
    found = _TEMPLATES.get(name)
    if found is None:
        folder = _template_dir() / name
        scratch = folder / "scratch"
        scratch.mkdir(parents=True)
        root = folder / "books"
        result: object = None
        if name == "":
            _new_book(root)
        else:
            shutil.copytree(_template("", None)[0], root, symlinks=True)
            assert build is not None
            result = build(root, scratch)
        pack(root)  # copied per test: one pack file, not every loose object
        found = _TEMPLATES[name] = (root, result)
    return found


def _copy_function(src: str, dst: str) -> object:
    """Git's objects never change once written (a repack writes new files): linked, not copied.
    Everything else (the index, refs, the store, the records) is copied: tests edit it in place."""
    if "/.git/objects/" in src:
        try:
            return os.link(src, dst)
        except OSError:
            pass
    return shutil.copy2(src, dst)


def copy_book(template: Path, book: Path) -> None:
    """A copy of the book `template` (its .git too) at `book`: call `pack(template)` first when
    it is copied many times (a commit of the demo leaves ~800 loose objects to copy)."""
    shutil.copytree(template, book, symlinks=True, copy_function=_copy_function)


def pack(repo: Path) -> None:
    git(repo, "repack", "-a", "-d", "-q")


def from_template(book: Path, name: str, build: Callable[[Path, Path], object]) -> object:
    """Make the fresh `book` (the fixture, untouched) into the book `build(book, scratch)` makes,
    by copying the one built the first time this process asked for `name`. Returns what the
    build returned (plain data such as record ids), or `book` when it returned its book."""
    template, result = _template(name, build)
    shutil.rmtree(book)
    copy_book(template, book)
    return book if result is None or result == template else result


DEMO = Path(__file__).resolve().parent.parent / "ledger-data"


def _demo(root: Path, scratch: Path) -> None:
    shutil.rmtree(root)
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("script", ".*"))
    git(root, "init", "-q")
    git(root, "config", "user.name", "Test")
    git(root, "config", "user.email", "test@example.com")
    commit_all(root, "demo company")


def demo_book(book: Path) -> Path:
    """The demo company (ledger-data/ less its script) committed in a repository of its own at
    `book` (tests never write into ledger-data/): committed once per process, copied per test."""
    copy_book(_template("demo", _demo)[0], book)
    return book


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A fresh book (starter chart, EUR) in its own git repository (a copy of one made by `init`)."""
    root = tmp_path / "books"
    copy_book(_template("", None)[0], root)
    return root


def git_calls(monkeypatch) -> list[tuple]:
    """Every `comptoir.book.git.run` call's arguments from now on (the git commands a command asks)."""
    from comptoir.book import git as git_module

    asked: list[tuple] = []
    real = git_module.run

    def spy(top, *args, **kwargs):
        asked.append(args)
        return real(top, *args, **kwargs)

    monkeypatch.setattr(git_module, "run", spy)
    return asked


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def files_in_commit(repo: Path, rev: str = "HEAD") -> list[str]:
    return sorted(git(repo, "show", "--name-only", "--format=", rev).split())
