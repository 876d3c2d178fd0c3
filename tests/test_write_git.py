"""Git's own machinery: a repository's pre-commit, prepare-commit-msg and commit-msg hooks run
(honouring core.hooksPath) and a failing one refuses the write with nothing left behind; a
repository git refuses (dubious ownership, a `.git` file pointing nowhere) or no repository at
all is refused in words: success is never said without a commit."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from .conftest import files_in_commit, git, head, run

POST = ("journal", "post", "--date", "2026-11-05", "--memo", "Beans", "-p", "6100", "12.50", "-p", "1010")


def _hook(folder: Path, name: str, body: str, executable: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    hook = folder / name
    hook.write_text("#!/bin/sh\n" + body)
    hook.chmod(0o755 if executable else 0o644)
    return hook


def _files(book: Path) -> dict[str, str]:
    """Every file of the working tree but git's folder, by content (no git call: works where git refuses)."""
    out = {}
    for path in sorted(book.rglob("*")):
        rel = path.relative_to(book).as_posix()
        if rel.split("/")[0] in (".git", ".git-elsewhere") or not path.is_file():
            continue
        out[rel] = hashlib.sha1(path.read_bytes()).hexdigest()
    return out


def _state(book: Path) -> tuple:
    return head(book), git(book, "ls-files", "-s"), git(book, "status", "--porcelain"), _files(book)


def _refused_with_nothing_changed(book: Path, before: tuple, res, code: str) -> None:
    assert res.exit_code == 1, res.output
    assert f"error [{code}]" in res.stderr and "\n  hint: " in res.stderr
    assert "Posted" not in res.output and res.stdout == ""
    assert "Traceback" not in res.output and "internal error" not in res.output
    assert _state(book) == before


def _landed(book: Path, before_head: str, res) -> str:
    assert res.exit_code == 0, res.output
    ident = res.stdout.strip()
    assert git(book, "rev-list", "--count", f"{before_head}..HEAD").strip() == "1"
    assert files_in_commit(book) == [f"journal/2026/11/{ident}.yaml"]
    assert f"in commit {head(book)[:10]}." in res.stderr
    assert git(book, "status", "--porcelain") == ""
    return ident


# -- hooks ---------------------------------------------------------------------------------------

def test_a_failing_pre_commit_hook_refuses_the_write_and_shows_what_it_said(book):
    _hook(book / ".git" / "hooks", "pre-commit", "echo 'policy: no commits on Fridays'\necho 'see WIKI-12' >&2\nexit 1\n")
    before = _state(book)
    res = run(book, *POST)
    _refused_with_nothing_changed(book, before, res, "hook-refused")
    assert "pre-commit hook refused the commit" in res.stderr
    assert "policy: no commits on Fridays" in res.stderr and "see WIKI-12" in res.stderr  # its stdout and stderr
    assert not list((book / "journal").rglob("*.yaml")) and not list((book / "journal").rglob(".*.tmp"))


def test_a_failing_hook_leaves_the_users_own_staged_and_edited_files_as_they_were(book):
    _hook(book / ".git" / "hooks", "pre-commit", "exit 1\n")
    (book / "notes.txt").write_text("mine")
    git(book, "add", "notes.txt")
    chart = book / "accounts" / "1010.yaml"
    chart.write_text(chart.read_text() + "# my edit\n")
    before = _state(book)
    res = run(book, *POST)
    _refused_with_nothing_changed(book, before, res, "hook-refused")
    assert "A  notes.txt" in before[2] and " M accounts/1010.yaml" in before[2]


def test_a_passing_pre_commit_hook_runs_and_the_write_lands_as_one_commit(book, tmp_path):
    seen = tmp_path / "seen"
    # the hook sees exactly the files of the write staged, and can read them
    _hook(book / ".git" / "hooks", "pre-commit", f"git diff --cached --name-only > {seen}\n")
    (book / "notes.txt").write_text("mine")
    git(book, "add", "notes.txt")  # staged by the user: not part of the write
    before = head(book)
    res = run(book, *POST)
    assert res.exit_code == 0, res.output
    ident = res.stdout.strip()
    assert seen.read_text().split() == [f"journal/2026/11/{ident}.yaml"]
    assert git(book, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert files_in_commit(book) == [f"journal/2026/11/{ident}.yaml"]
    assert git(book, "status", "--porcelain") == "A  notes.txt\n"
    message = git(book, "log", "-1", "--format=%B")
    assert message == (f"Post {ident}: Beans\n\nComptoir-Command: journal post\nComptoir-Records: {ident}\n\n")


def test_a_commit_msg_hook_may_add_to_the_message_and_the_trailers_stay(book):
    _hook(book / ".git" / "hooks", "commit-msg", 'printf "Reviewed-by: policy-bot\\n" >> "$1"\n')
    _hook(book / ".git" / "hooks", "prepare-commit-msg", 'sed -i "1s/^/[books] /" "$1"\n')
    before = head(book)
    res = run(book, *POST)
    ident = _landed(book, before, res)
    assert git(book, "log", "-1", "--format=%s") == f"[books] Post {ident}: Beans\n"
    trailers = git(book, "log", "-1", "--format=%(trailers:only,unfold)")
    assert trailers.split("\n")[:3] == ["Comptoir-Command: journal post", f"Comptoir-Records: {ident}",
                                        "Reviewed-by: policy-bot"]


def test_a_commit_msg_hook_that_checks_the_message_refuses_it(book):
    _hook(book / ".git" / "hooks", "commit-msg",
          'grep -q "^Ticket: " "$1" || { echo "commit-msg: every commit needs a Ticket: trailer"; exit 1; }\n')
    before = _state(book)
    res = run(book, *POST)
    _refused_with_nothing_changed(book, before, res, "hook-refused")
    assert "commit-msg hook refused the commit" in res.stderr
    assert "every commit needs a Ticket: trailer" in res.stderr


def test_core_hooks_path_is_honoured(book):
    _hook(book / ".git" / "hooks", "pre-commit", "exit 0\n")  # not the folder git uses here
    _hook(book / ".githooks", "pre-commit", "echo 'hooksPath policy says no'\nexit 1\n")
    git(book, "add", ".githooks")
    git(book, "commit", "-q", "-m", "team hooks")
    git(book, "config", "core.hooksPath", ".githooks")  # relative: to the work tree's top
    before = _state(book)
    res = run(book, *POST)
    _refused_with_nothing_changed(book, before, res, "hook-refused")
    assert "hooksPath policy says no" in res.stderr
    (book / ".githooks" / "pre-commit").write_text("#!/bin/sh\nexit 0\n")
    git(book, "commit", "-q", "-am", "team hooks relent")
    before = head(book)
    _landed(book, before, run(book, *POST))


def test_a_hook_that_is_not_executable_is_not_run_as_git_would_not(book, tmp_path):
    _hook(book / ".git" / "hooks", "pre-commit", f"touch {tmp_path / 'ran'}\nexit 1\n", executable=False)
    before = head(book)
    _landed(book, before, run(book, *POST))
    assert not (tmp_path / "ran").exists()


def test_git_commits_the_same_with_or_without_hooks(book):
    """Plumbing without hooks, `git commit` with: the same paths, message and trailers."""
    res = run(book, *POST)
    plain = git(book, "log", "-1", "--format=%B%n--%n%an <%ae>")
    _hook(book / ".git" / "hooks", "pre-commit", "exit 0\n")
    res2 = run(book, *POST)
    hooked = git(book, "log", "-1", "--format=%B%n--%n%an <%ae>")
    assert plain.replace(res.stdout.strip(), "ID") == hooked.replace(res2.stdout.strip(), "ID")


@pytest.mark.parametrize(("user", "author"), [
    ("Léa Dubois <lea@comptoir.example>", "Léa Dubois <lea@comptoir.example>"),
    ("Léa Dubois", "Léa Dubois <{email}>"),  # a name alone: git's configured email stays
])
def test_comptoir_user_is_the_author_of_the_write_and_the_committer_stays_git_s(book, monkeypatch, user, author):
    email = git(book, "config", "user.email").strip()
    committer = f'{git(book, "config", "user.name").strip()} <{email}>'
    monkeypatch.setenv("COMPTOIR_USER", user)
    res = run(book, *POST)
    assert res.exit_code == 0, res.stderr
    assert git(book, "log", "-1", "--format=%an <%ae>").strip() == author.format(email=email)
    assert git(book, "log", "-1", "--format=%cn <%ce>").strip() == committer


# -- repositories git refuses, and none at all -------------------------------------------------------

def test_a_repository_of_dubious_ownership_is_refused_with_gits_reason_and_the_fix(book, monkeypatch):
    before = _state(book)
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")  # git's own switch: as if another user owned it
    res = run(book, *POST)
    assert res.exit_code == 1, res.output
    assert "error [git-refused]" in res.stderr and "dubious ownership" in res.stderr
    assert "safe.directory" in res.stderr and "Posted" not in res.output and res.stdout == ""
    monkeypatch.delenv("GIT_TEST_ASSUME_DIFFERENT_OWNER")
    assert _state(book) == before
    assert not (book / ".comptoir").exists()


def test_a_read_in_a_refused_repository_says_so_once_and_as_of_names_gits_reason(book, monkeypatch):
    """A report still reads the files (they are the book), with one warning and git's fix; --as-of
    needs git's history, so it fails with git's reason, not with "not a repository"."""
    expected = run(book, "report", "trial-balance")
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    res = run(book, "report", "trial-balance")
    assert res.exit_code == 0 and res.stdout == expected.stdout
    assert res.stderr.count("warning: git refuses this repository") == 1 and "safe.directory" in res.stderr
    res = run(book, "report", "trial-balance", "--as-of", "HEAD")
    assert res.exit_code == 1 and "error [git-refused]" in res.stderr and "dubious ownership" in res.stderr


def test_a_safe_directory_exception_lets_the_write_land(book, monkeypatch, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    assert run(book, *POST).exit_code == 1
    git(book, "config", "--global", "--add", "safe.directory", str(book))  # the fix the message names
    monkeypatch.delenv("GIT_TEST_ASSUME_DIFFERENT_OWNER")
    before = head(book)
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    res = run(book, *POST)
    monkeypatch.delenv("GIT_TEST_ASSUME_DIFFERENT_OWNER")
    _landed(book, before, res)


def test_the_work_tree_is_found_without_git_only_where_git_would_find_the_same(tmp_path, monkeypatch):
    """comptoir.book.git.plain_work_tree answers a plain repository's folders as `git rev-parse
    --show-toplevel` does, and leaves to git (None) every case it does not read: a `.git` file (a
    linked work tree), a repository naming its work tree, an environment variable that changes
    git's search, a folder another user owns, a bare repository; `where` then says what git says."""
    import subprocess

    from comptoir.book import git as gitmod

    def gits(path: Path) -> Path | None:
        done = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=path, capture_output=True, text=True)
        return Path(done.stdout.strip()) if done.returncode == 0 else None

    repo = tmp_path / "repo"
    (repo / "books" / "journal").mkdir(parents=True)
    git(tmp_path, "init", "-q", str(repo))
    for folder in (repo, repo / "books", repo / "books" / "journal"):
        assert gitmod.plain_work_tree(folder) == gits(folder) == repo.resolve()
    linked = tmp_path / "linked"
    git(repo, "commit", "-q", "--allow-empty", "-m", "start")
    git(repo, "worktree", "add", "-q", str(linked))
    assert gitmod.plain_work_tree(linked) is None and gitmod.where(linked) == (gits(linked), None)
    monkeypatch.setenv("GIT_DIR", str(repo / ".git"))
    assert gitmod.plain_work_tree(repo / "books") is None
    monkeypatch.delenv("GIT_DIR")
    named = tmp_path / "named"
    named.mkdir()
    git(tmp_path, "init", "-q", str(named))
    git(named, "config", "core.worktree", str(tmp_path))
    assert gitmod.plain_work_tree(named) is None and gitmod.where(named) == (gits(named), None)
    bare = tmp_path / "bare.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    (bare / "inside").mkdir()
    assert gitmod.plain_work_tree(bare / "inside") is None and gitmod.where(bare / "inside")[0] is None
    if os.geteuid() == 0:  # only root can give a folder to another user
        os.chown(repo, 4321, 4321)
        try:
            assert gitmod.plain_work_tree(repo / "books") is None
            top, refused = gitmod.where(repo / "books")
            assert top is None and "dubious ownership" in refused[0]
        finally:
            os.chown(repo, 0, 0)


def test_a_dot_git_file_pointing_nowhere_is_refused_and_named(book):
    before = _files(book)
    shutil.move(book / ".git", book / ".git-elsewhere")
    (book / ".git").write_text("gitdir: ../gone/.git\n")
    res = run(book, *POST)
    assert res.exit_code == 1, res.output
    assert "error [git-refused]" in res.stderr and "not a git repository" in res.stderr
    assert f"{book / '.git'} is a file saying `gitdir: ../gone/.git`" in res.stderr
    assert "Posted" not in res.output and res.stdout == ""
    assert _files(book) == before
    # pointed at the repository again, the next write lands
    (book / ".git").write_text(f"gitdir: {book / '.git-elsewhere'}\n")
    old = git(book, "rev-parse", "HEAD").strip()
    res = run(book, *POST)
    assert res.exit_code == 0, res.output
    assert git(book, "rev-list", "--count", f"{old}..HEAD").strip() == "1"


def test_no_repository_at_all_is_refused_unless_no_commit_is_asked(book):
    shutil.rmtree(book / ".git")
    before = _files(book)
    res = run(book, *POST)
    assert res.exit_code == 1 and "error [not-a-repository]" in res.stderr and "git init" in res.stderr
    assert "Posted" not in res.output and res.stdout == ""
    assert _files(book) == before and not (book / ".comptoir").exists()
    res = run(book, *POST, "--no-commit")
    assert res.exit_code == 0, res.output
    assert (book / "journal" / "2026" / "11" / f"{res.stdout.strip()}.yaml").is_file()


@pytest.mark.parametrize("command", [
    ("account", "add", "6999", "Odd costs", "--type", "expense"),
    ("partner", "add", "Café Lumière"),
    ("warehouse", "add", "MAIN", "Main store"),
])
def test_no_write_says_success_without_a_commit(book, command):
    """The writer, not each command, holds the line: a refused commit is an error for every writer."""
    _hook(book / ".git" / "hooks", "pre-commit", "echo nope; exit 1\n")
    before = _state(book)
    res = run(book, *command)
    _refused_with_nothing_changed(book, before, res, "hook-refused")
    os.unlink(book / ".git" / "hooks" / "pre-commit")
    res = run(book, *command)
    assert res.exit_code == 0, res.output
    assert git(book, "rev-list", "--count", f"{before[0]}..HEAD").strip() == "1"


def test_a_failing_prepare_commit_msg_hook_among_several_refuses_the_write(book):
    _hook(book / ".git" / "hooks", "pre-commit", "exit 0\n")
    _hook(book / ".git" / "hooks", "prepare-commit-msg", "echo 'no message template found'\nexit 3\n")
    before = _state(book)
    res = run(book, *POST)
    _refused_with_nothing_changed(book, before, res, "hook-refused")
    assert "a hook of the repository (pre-commit, prepare-commit-msg) refused the commit" in res.stderr
    assert "no message template found" in res.stderr


# -- every write command, as its help shows it, on the demo with a hook that refuses ------------------

def _write_examples() -> list[tuple[str, str]]:
    import re

    from tests.test_help import LEAVES, _examples

    first: dict[str, str] = {}
    for path, line in _examples():
        if "no_commit" in {p.name for p in LEAVES[path].params} and not re.search(r"[|>$]|HEAD~|origin/", line):
            first.setdefault(path, line)
    return sorted(first.items())


WRITES = _write_examples()


@pytest.fixture(scope="module")
def refusing_demo(tmp_path_factory) -> Path:
    from tests.test_help import DEMO

    root = tmp_path_factory.mktemp("demo") / "books"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("script"))
    git(root, "init", "-q")
    git(root, "config", "user.name", "Demo")
    git(root, "config", "user.email", "demo@example.com")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "demo")
    assert run(root, "validate").exit_code == 0  # known clean: each write is checked incrementally
    _hook(root / ".git" / "hooks", "pre-commit", "echo 'frozen: no commits'\nexit 1\n")
    return root


@pytest.mark.parametrize(("path", "line"), WRITES, ids=[p for p, _ in WRITES])
def test_no_write_command_says_success_when_its_commit_is_refused(refusing_demo, path, line):
    """Each write command's first help example: refused by the hook (or by its own checks), never
    a success, and the demo left exactly as it was."""
    import shlex

    book = refusing_demo
    before = head(book)
    res = run(book, *shlex.split(line)[1:])
    assert "Traceback" not in res.output and "internal error" not in res.output, res.output
    assert head(book) == before
    assert git(book, "status", "--porcelain", "--untracked-files=all") == ""
    if res.exit_code == 0:  # only a write that had nothing to write (a dry run, nothing new)
        assert "commit" not in res.stderr.lower() or "nothing" in res.stderr.lower(), res.output
    else:
        assert res.exit_code in (1, 2), res.output
