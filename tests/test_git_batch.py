"""The `git cat-file` a command keeps running (comptoir.book.git._batch): it answers exactly as a
one-off `cat-file` does, sees what a commit made since, ends with the command, and a cold report
starts a few git processes, not one per folder."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from comptoir.book import git as gitmod

from .conftest import commit_all, demo_book, git, run, write

CONTENTS = st.sampled_from(["", "\n", "a\n", "two\nlines\n", "no newline", "x" * 70_000, "é\0binary\n"])


def _one_off(top: Path, mode: str, requests: list[str]) -> bytes:
    return subprocess.run(["git", "cat-file", mode], cwd=top, input="".join(r + "\n" for r in requests).encode(),
                          capture_output=True, check=True).stdout


@settings(max_examples=20, deadline=None)
@given(files=st.dictionaries(st.sampled_from(["a.yaml", "b c.yaml", "d/e.yaml", "d/f g/h.yaml"]), CONTENTS,
                             min_size=1),
       asked=st.lists(st.sampled_from(["HEAD", "HEAD^{tree}", "HEAD:a.yaml", "HEAD:b c.yaml", "HEAD:d",
                                       "HEAD:d/e.yaml", "HEAD:d/f g", "HEAD:nothing", "0" * 40, "HEAD~3"]),
                      min_size=1, max_size=8))
def test_the_running_cat_file_answers_as_a_one_off(tmp_path_factory, files, asked):
    top = tmp_path_factory.mktemp("batch")
    git(top, "init", "-q")
    write(top, files)
    commit_all(top, "first")
    gitmod.forget()  # none left running by an earlier test of this worker that read a book directly
    try:
        for mode in gitmod.BATCH_MODES:
            for _ in range(2):  # started, then reused
                ours = gitmod.run(top, "cat-file", mode, input="".join(a + "\n" for a in asked).encode())
                assert ours == _one_off(top, mode, asked), (mode, asked)
        assert len(gitmod._RUNNING) == 2
    finally:
        gitmod.forget()
    assert not gitmod._RUNNING


def test_a_commit_since_is_seen_and_the_command_ends_it(tmp_path):
    write(tmp_path, {"a.yaml": "one\n"})
    git(tmp_path, "init", "-q")
    commit_all(tmp_path, "first")
    try:
        first = gitmod.run(tmp_path, "cat-file", "--batch", input=b"HEAD:a.yaml\n")
        assert first.endswith(b"\none\n\n")
        process = next(iter(gitmod._RUNNING.values())).proc
        write(tmp_path, {"a.yaml": "two\n"})
        commit_all(tmp_path, "second")
        assert gitmod.run(tmp_path, "cat-file", "--batch", input=b"HEAD:a.yaml\n").endswith(b"\ntwo\n\n")
        assert next(iter(gitmod._RUNNING.values())).proc is process  # the same process, HEAD read afresh
    finally:
        gitmod.forget()
    assert process.poll() is not None  # ended


def test_a_command_leaves_no_cat_file_running(book):
    assert run(book, "report", "trial-balance").exit_code == 0
    assert not gitmod._RUNNING


def test_a_cold_report_starts_a_few_git_processes_not_one_per_folder(tmp_path, monkeypatch):
    """The demo company, its store empty: the receivables' aging derives every month folder of
    invoices, credit notes and payments; each folder's files are read through the running
    cat-file (88 git processes before, one ls-tree and one cat-file per folder)."""
    book = demo_book(tmp_path / "demo")
    started: list[list[str]] = []
    popen = subprocess.Popen.__init__

    def counted(self, args, *rest, **kw):
        started.append(list(args))
        return popen(self, args, *rest, **kw)

    monkeypatch.setattr(subprocess.Popen, "__init__", counted)
    assert run(book, "report", "ar-aging").exit_code == 0
    git_runs = [a for a in started if a[0] == "git"]
    assert len(git_runs) <= 20, [a[1:4] for a in git_runs]
