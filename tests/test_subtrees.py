"""git.subtrees answers as `git ls-tree -r -t -d` does (the folders under the paths, the paths
themselves and the folders on the way to them), from the folders' listings kept in the store
under their tree ids: on random trees and random paths, with the store cold and warm, at two
commits that share some folders."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comptoir.book import git as gitmod

from .conftest import commit_all, git, git_calls, write

names = st.sampled_from(["a", "b", "a-b", "a0", "books", "journal", "2026", "11", "x.yaml"])
paths = st.lists(names, min_size=1, max_size=4).map("/".join)


def _ls_tree(top: Path, rev: str, asked: list[str]) -> dict[str, str]:
    out = subprocess.run(["git", "ls-tree", "-r", "-t", "-d", "-z", rev, "--", *asked], cwd=top,
                         capture_output=True, check=True).stdout.decode()
    return {item.partition("\t")[2]: item.split(" ")[2].partition("\t")[0] for item in out.split("\0") if item}


def _files(drawn: list[str]) -> dict[str, str]:
    files: dict[str, str] = {}
    for n, path in enumerate(drawn):
        if not any(f.startswith(path + "/") or path.startswith(f + "/") for f in files):  # a file is no folder
            files[path + "/f.yaml" if n % 2 else path] = f"{n}\n"
    return {p: t for p, t in files.items() if not any(o.startswith(p + "/") for o in files)}


@settings(max_examples=25, deadline=None)
@given(first=st.lists(paths, min_size=1, max_size=12), second=st.lists(paths, max_size=6),
       asked=st.lists(paths, min_size=1, max_size=4))
def test_subtrees_answers_as_ls_tree_does(first, second, asked):
    top = Path(tempfile.mkdtemp(prefix="comptoir-subtrees-"))
    try:
        git(top, "init", "-q")
        write(top, _files(first))
        commit_all(top, "first")
        one = git(top, "rev-parse", "HEAD").strip()
        for path in _files(second):
            if not any(p == path or p.startswith(path + "/") or path.startswith(p + "/") for p in _files(first)):
                write(top, {path: "second\n"})
        commit_all(top, "second") if git(top, "status", "--porcelain") else None
        for rev in (one, "HEAD", one, "HEAD"):  # cold, then warm for the folders both commits share
            assert gitmod.subtrees(top, rev, *asked) == _ls_tree(top, rev, asked), (rev, asked)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_no_commit_is_a_git_error(tmp_path):
    git(tmp_path, "init", "-q")
    try:
        gitmod.subtrees(tmp_path, "HEAD", "journal")
    except gitmod.GitError:
        return
    raise AssertionError("subtrees of a repository without commits must raise GitError, as ls-tree does")


def test_after_a_commit_only_the_trees_on_the_way_to_its_change_are_read(tmp_path, monkeypatch):
    """The journal's listing after a post is made from the kept listings of the months it did not
    touch: the journal's, the year's and the month's trees are read, not the other 35 months."""
    git(tmp_path, "init", "-q")
    write(tmp_path, {f"journal/{y}/{m:02d}/JE-{y}{m:02d}01-AAAA.yaml": f"{y} {m}\n"
                     for y in (2024, 2025, 2026) for m in range(1, 13)})
    commit_all(tmp_path, "three years")
    assert gitmod.subtrees(tmp_path, "HEAD", "journal") == _ls_tree(tmp_path, "HEAD", ["journal"])
    write(tmp_path, {"journal/2026/11/JE-20261102-BBBB.yaml": "new\n"})
    commit_all(tmp_path, "a post")
    asked = git_calls(monkeypatch)
    assert gitmod.subtrees(tmp_path, "HEAD", "journal") == _ls_tree(tmp_path, "HEAD", ["journal"])
    assert not [a for a in asked if a[0] == "ls-tree"], asked
    assert len([a for a in asked if a[:2] == ("cat-file", "--batch")]) == 3, asked  # journal, 2026, 2026/11


@pytest.mark.parametrize("listing_at", [1, gitmod.FOLDER_LISTING_AT])
@settings(max_examples=20, deadline=None)
@given(drawn=st.lists(paths, min_size=1, max_size=10), asked=st.lists(paths, min_size=1, max_size=6))
def test_tree_blobs_of_files_named_one_by_one_answer_as_ls_tree_does(listing_at, drawn, asked):
    """Files named one by one are looked up by name (`cat-file --batch-check`), those of a folder
    with `listing_at` of them or more from the folder's listing; a name that is a folder, or is
    not there, gives what `ls-tree -r` gives."""
    top = Path(tempfile.mkdtemp(prefix="comptoir-blobs-"))
    kept = gitmod.FOLDER_LISTING_AT
    gitmod.FOLDER_LISTING_AT = listing_at
    try:
        git(top, "init", "-q")
        files = _files(drawn)
        write(top, files)
        commit_all(top, "files")
        asked = [*asked, *list(files)[:3]]
        out = subprocess.run(["git", "ls-tree", "-r", "-z", "--full-tree", "HEAD", "--", *asked], cwd=top,
                             capture_output=True, check=True).stdout.decode()
        expected = {item.partition("\t")[2]: item.split(" ")[2].partition("\t")[0]
                    for item in out.split("\0") if item and item.split(" ")[1] == "blob"}
        assert gitmod.tree_blobs(top, "HEAD", "", asked) == expected, asked
        assert gitmod.tree_blobs(top, "HEAD", "", asked) == expected, asked  # the listings kept in the store
    finally:
        gitmod.FOLDER_LISTING_AT = kept
        gitmod.forget()
        shutil.rmtree(top, ignore_errors=True)
