"""A write's commit is HEAD's tree with exactly the written files changed, built from the folders
that hold them (comptoir.book.git.commit), not from git's whole index: the user's own staged and
edited files stay out of it and stay as they were, `git status` is clean after it, and a write
runs a bounded number of git commands, none of those that read or rewrite git's whole index but
the one index update of its own paths."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.book import git as gitmod

from .conftest import _template, commit_all, copy_book, files_in_commit, git, head, run, write

POST = ("journal", "post", "--date", "2026-11-05", "--memo", "Beans", "-p", "6100", "12.50", "-p", "1010")


def test_a_write_commits_its_file_and_leaves_the_users_staged_and_edited_files_alone(book):
    write(book, {"notes/todo.txt": "call the roaster\n", "notes/later.txt": "v1\n"})
    commit_all(book)
    (book / "notes/todo.txt").write_text("call the roaster twice\n")
    git(book, "add", "notes/todo.txt")  # the user's own staged edit
    (book / "notes/later.txt").write_text("v2, not staged\n")  # and an unstaged one
    write(book, {"notes/new.txt": "untracked\n"})
    before = head(book)
    res = run(book, *POST)
    assert res.exit_code == 0, res.output
    ident = res.stdout.strip()
    assert git(book, "rev-parse", "HEAD~1").strip() == before
    assert git(book, "diff-tree", "-r", "--name-status", "HEAD~1", "HEAD") == f"A\tjournal/2026/11/{ident}.yaml\n"
    # the user's staged edit is still staged (not committed, not lost), their edits untouched
    assert git(book, "diff", "--cached", "--name-status") == "M\tnotes/todo.txt\n"
    assert git(book, "status", "--porcelain") == " M notes/later.txt\nM  notes/todo.txt\n?? notes/new.txt\n"
    assert (book / "notes/later.txt").read_text() == "v2, not staged\n"


def test_a_write_on_a_clean_book_leaves_git_status_clean_and_the_index_at_head(book):
    for day in ("2026-11-05", "2026-11-06"):
        res = run(book, "journal", "post", "--date", day, "--memo", "Beans", "-p", "6100", "12.50", "-p", "1010")
        assert res.exit_code == 0, res.output
        assert git(book, "status", "--porcelain", "--untracked-files=all") == ""
        assert git(book, "diff-index", "--cached", "HEAD") == ""  # the index holds exactly HEAD's files
        assert git(book, "write-tree").strip() == git(book, "rev-parse", "HEAD^{tree}").strip()
    assert subprocess.run(["git", "fsck", "--no-dangling"], cwd=book, capture_output=True).returncode == 0


def _repo(tmp_path: Path) -> Path:
    top = tmp_path / "repo"
    write(top, {"a/x.yaml": "x\n", "a/b/y.yaml": "y\n", "a/b/z.yaml": "z\n", "c/only.yaml": "c\n", "top.txt": "t\n"})
    git(top.parent, "init", "-q", str(top))
    git(top, "config", "user.name", "Test")
    git(top, "config", "user.email", "test@example.com")
    commit_all(top, "start")
    return top


def test_the_tree_of_a_commit_adds_changes_and_removes_files_and_drops_emptied_folders(tmp_path):
    top = _repo(tmp_path)
    (top / "a/b/y.yaml").write_text("y2\n")
    (top / "c/only.yaml").unlink()  # the folder's last file: the folder goes too
    write(top, {"d/e/new.yaml": "n\n", "a/b/a-first.yaml": "sorts before b/\n", "a/b.yaml": "b file\n"})
    paths = ["a/b/y.yaml", "c/only.yaml", "d/e/new.yaml", "a/b/a-first.yaml", "a/b.yaml"]
    git(top, "update-index", "--add", "--remove", "--", *paths)
    trees: dict[str, str] = {}
    sha = gitmod.commit(top, paths, "Change five files\n", trees=trees)
    assert git(top, "rev-parse", "HEAD").strip() == sha
    # git's own tree of the same index is the same tree, id for id
    assert git(top, "write-tree").strip() == git(top, "rev-parse", "HEAD^{tree}").strip() == trees[""]
    assert trees["a/b"] == git(top, "rev-parse", "HEAD:a/b").strip()
    assert "c" not in trees and git(top, "ls-tree", "HEAD", "c") == ""
    assert git(top, "diff-tree", "-r", "--name-status", "HEAD~1", "HEAD").splitlines() == [
        "A\ta/b.yaml", "A\ta/b/a-first.yaml", "M\ta/b/y.yaml", "D\tc/only.yaml", "A\td/e/new.yaml"]
    assert git(top, "status", "--porcelain") == ""
    assert subprocess.run(["git", "fsck", "--no-dangling"], cwd=top, capture_output=True).returncode == 0


def test_a_commit_keeps_the_rest_of_the_index_out_even_what_is_staged_in_the_same_folder(tmp_path):
    top = _repo(tmp_path)
    (top / "a/x.yaml").write_text("staged by the user\n")
    git(top, "add", "a/x.yaml")
    (top / "a/b/z.yaml").write_text("ours\n")
    git(top, "update-index", "--", "a/b/z.yaml")
    gitmod.commit(top, ["a/b/z.yaml"], "Ours only\n")
    assert files_in_commit(top) == ["a/b/z.yaml"]
    assert git(top, "show", "HEAD:a/x.yaml") == "x\n"
    assert git(top, "diff", "--cached", "--name-only") == "a/x.yaml\n"


class _Count:
    """Every git process comptoir starts, by its first words."""

    def __init__(self, monkeypatch) -> None:
        self.calls: list[list[str]] = []
        real = subprocess.Popen.__init__

        def counted(popen, args, *rest, **kwargs):
            if isinstance(args, list | tuple) and args and args[0] == "git":
                self.calls.append([a for a in args[1:] if a != "--no-optional-locks"])
            return real(popen, args, *rest, **kwargs)

        monkeypatch.setattr(subprocess.Popen, "__init__", counted)

    def named(self, *words: str) -> int:
        return sum(1 for call in self.calls if call[:len(words)] == list(words))


def _whole_index(call: list[str]) -> bool:
    """A git command that reads (write-tree: and rewrites) all of git's index, or stats every
    file: what a write must not run beyond its statuses of the folders it reads and one index
    update. A lookup of a new id in a month-filed kind (`ls-files` of one glob) reads the index
    too, and is allowed."""
    if call[0] in ("write-tree", "diff-index", "diff-files", "add", "commit"):
        return True
    if call[0] == "status":  # only with pathspecs, none of them the data root
        return "--" not in call or any(p in (".", "./", ":/") for p in call[call.index("--") + 1:])
    return call[0] == "ls-files" and not (len(call) == 4 and call[1:3] == ["-z", "--"] and "(glob)" in call[3])


@pytest.mark.parametrize("command", [
    POST,
    ("crm", "lead", "add", "Bistro Nord", "--company", "Bistro Nord"),
])
def test_a_write_on_a_checked_book_runs_few_git_commands_and_none_that_reads_the_whole_index(
        book, monkeypatch, command):
    assert run(book, "validate").exit_code == 0  # the usual case: a tree comptoir has checked
    assert run(book, *command).exit_code == 0  # the store is warm for this code
    count = _Count(monkeypatch)
    res = run(book, *command)
    assert res.exit_code == 0, res.output
    assert count.named("update-index") == 1  # the one index update, of the written paths
    # the settings file and the folders of the kinds the write reads (the accounts; a new lead:
    # crm/leads) are small: compared with HEAD by content, no `git status` (it reads the whole
    # index); a new entry's id is looked up, its folder is not compared
    assert count.named("status") == 0, count.calls
    assert not [c for c in count.calls if _whole_index(c)], count.calls
    assert count.named("ls-files") == 0  # the new id is looked up in the working tree and HEAD's folders
    assert count.named("mktree") == 1 and count.named("commit-tree") == 1 and count.named("update-ref") == 1
    # the probe, once: after a post the trial balance's snapshot follows from the ids the write knows
    assert count.named("rev-parse", "--git-common-dir") == 1 and count.named("ls-tree", "-z", "--full-tree") == 1
    assert count.named("rev-parse", "--show-toplevel") == 0  # the work tree is found without git
    assert count.named("hash-object") == 0  # the write hashed its files itself
    assert len(count.calls) <= 11, [c[:2] for c in count.calls]  # 30 before the commit was built from HEAD's folders, 17 before
    # the blob ids it gave are the ones git reads back, and the repository is whole
    assert git(book, "status", "--porcelain") == ""
    assert subprocess.run(["git", "fsck", "--no-dangling"], cwd=book, capture_output=True).returncode == 0
    assert git(book, "status", "--porcelain") == ""


def test_the_probe_names_every_untracked_file_of_a_new_folder_as_git_status_all_does(book):
    """The whole data root's status is asked without pathspecs and with untracked folders named
    (the form git's untracked cache serves); their files are then listed, ignored ones left out."""
    from comptoir.book.probe import Probe

    write(book, {".gitignore": "scratch/\n"})
    commit_all(book)
    write(book, {"journal/2027/01/JE-20270105-AAAA.yaml": "x: 1\n", "journal/2027/02/JE-20270205-BBBB.yaml": "y\n",
                 "scratch/notes.yaml": "ignored\n", "accounts/9999.yaml": "code: '9999'\n"})
    expected = sorted(line[3:] for line in git(book, "status", "--porcelain", "--untracked-files=all").splitlines())
    probe = Probe(book)
    assert sorted(probe.changes() or []) == expected == [
        "accounts/9999.yaml", "journal/2027/01/JE-20270105-AAAA.yaml", "journal/2027/02/JE-20270205-BBBB.yaml"]
    assert not probe.clean() and probe.clean(["items"]) and not probe.clean(["journal"])
    assert probe.root_tree == git(book, "rev-parse", "HEAD^{tree}").strip()


def test_a_book_in_a_folder_of_a_larger_repository_commits_there_and_its_new_tree_is_known_clean(tmp_path):
    from comptoir.book import verdict
    from comptoir.book.root import find_root

    top = tmp_path / "repo"
    write(top, {"code/app.py": "print('hi')\n"})
    git(top.parent, "init", "-q", str(top))
    git(top, "config", "user.name", "Test")
    git(top, "config", "user.email", "test@example.com")
    commit_all(top, "code")
    assert run(None, "init", top / "books", "--company", "X", "--currency", "EUR").exit_code == 0
    assert run(top / "books", "validate").exit_code == 0
    res = run(top / "books", *POST)
    assert res.exit_code == 0, res.output
    assert files_in_commit(top) == [f"books/journal/2026/11/{res.stdout.strip()}.yaml"]
    assert git(top, "status", "--porcelain") == ""
    root = find_root(str(top / "books"))
    tree = git(top, "rev-parse", "HEAD:books").strip()
    assert verdict.tree_id(root) == tree and verdict.known(root, tree) is not None  # the next write checks only itself


@pytest.mark.parametrize("folder", ["", "books"])
def test_the_probe_a_write_makes_of_its_commit_is_the_one_git_gives(tmp_path, monkeypatch, folder):
    """After a journal post, the ledger snapshot follows from the probe of the new commit the writer
    made from the ids it knows (comptoir.book.writer.Writer.committed): the commit, the data root's
    tree, its top-level entries and the git folder are what git says of HEAD, for a book at the
    top of its repository and in a folder of a larger one."""
    from comptoir.app import ledgersnap
    from comptoir.book.probe import Probe

    top = tmp_path / "repo"
    git(tmp_path, "init", "-q", str(top))
    book = top / folder if folder else top
    assert run(None, "init", book, "--company", "X", "--currency", "EUR", "--no-fsmonitor").exit_code == 0
    git(top, "config", "user.name", "Test")
    git(top, "config", "user.email", "test@example.com")
    assert run(book, "validate").exit_code == 0
    seen: list = []
    follow = ledgersnap.follow
    monkeypatch.setattr(ledgersnap, "follow", lambda root, committed=None: seen.append(committed) or follow(root, committed))
    for memo in ("first", "second"):  # the first month's folder is new, then changed
        res = run(book, "journal", "post", "--date", "2026-11-05", "--memo", memo, "-p", "6100", "1.00", "-p", "1010")
        assert res.exit_code == 0, res.output
        made = seen[-1]
        asked = Probe(book, status=False)
        asked.changes()
        assert made is not None and asked.ok
        assert (made.head, made.root_tree, made.entries, made.gitdir) == \
            (asked.head, asked.root_tree, asked.entries, asked.gitdir)


def _statuses(calls: list[list[str]]) -> list[list[str]]:
    return [c[c.index("--") + 1:] if "--" in c else ["."] for c in calls if c[0] == "status"]


@pytest.mark.parametrize("content_limit", [None, 0])
def test_a_write_compares_only_the_kinds_whose_facts_it_reads(book, monkeypatch, content_limit):
    """An order, a delivery and a stock issue read the stock moves' facts (levels, valuation state):
    the stock folder is compared with HEAD, and no other large one. On a small book every kind
    they read is compared by content, without any `git status`; when the kinds are too large for
    that (`CONTENT_LIMIT` 0: every kind, as the stock moves and the journal of a large book), by
    one `git status` of the stock moves' folder alone (a status reads git's whole index and stats
    every file under its pathspecs: the data root's would stat the whole book); the order, which
    declares that it reads the journal too (its credit check reads the receivables' postings), by
    one status of both folders together."""
    from comptoir.book import ondemand

    from .trade_helpers import trading_book

    trading_book(book)
    for args in (("stock", "receive", "ESP", "--qty", "10", "--unit-cost", "5.00", "--date", "2026-11-02"),
                 ("sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 2 25.00", "--date", "2026-11-03")):
        assert run(book, *args).exit_code == 0
    assert run(book, "validate").exit_code == 0  # the usual case: a tree comptoir has checked
    order = git(book, "log", "-1", "--format=%B", "HEAD~0").split()
    ident = next(w for w in order if w.startswith("SO-"))
    if content_limit is not None:
        monkeypatch.setattr(ondemand, "CONTENT_LIMIT", content_limit)
    for args in (("sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 1 25.00", "--date", "2026-11-04"),
                 ("sales", "deliver", ident, "--date", "2026-11-05"),
                 ("stock", "issue", "ESP", "--qty", "1", "--date", "2026-11-06"),
                 ("stock", "receive", "ESP", "--qty", "3", "--unit-cost", "5.00", "--date", "2026-11-07")):
        with pytest.MonkeyPatch.context() as patch:
            count = _Count(patch)
            res = run(book, *args)
        assert res.exit_code == 0, res.output
        statuses = _statuses(count.calls)
        if content_limit is None:
            assert statuses == [], (args, count.calls)
        elif args[1] == "order":  # it declares the kinds whose facts it reads: one status of them together
            together = [s for s in statuses if "stock/" in s or "journal/" in s]
            assert len(together) == 1 and {"stock/", "journal/"} <= set(together[0]), (args, statuses)
            assert set(together[0]) <= {"stock/", "journal/", *DOCUMENT_FOLDERS}, (args, statuses)
        else:  # the stock moves, with the documents a delivery declares (their light records), not the journal
            together = [s for s in statuses if "stock/" in s]
            assert len(together) == 1 and set(together[0]) <= {"stock/", *DOCUMENT_FOLDERS}, (args, statuses)
            assert all(s[0] != "." and "journal/" not in s for s in statuses), (args, statuses)
        if content_limit is not None:
            assert all(s[0] != "." for s in statuses), (args, statuses)
            folders = [f for s in statuses for f in s]
            assert len(folders) == len(set(folders)), (args, statuses)  # no folder twice
        assert count.named("update-index") == 1 and count.named("commit-tree") == 1, (args, count.calls)
        assert git(book, "status", "--porcelain") == ""


# the folders of the documents a write may declare it reads as light records (comptoir.app.facts)
DOCUMENT_FOLDERS = {"sales/orders/", "sales/deliveries/", "sales/invoices/", "sales/credit-notes/", "payments/",
                    "applications/", "purchasing/orders/", "purchasing/receipts/", "purchasing/returns/",
                    "purchasing/bills/", "purchasing/debit-notes/"}


def _first_id(book: Path) -> str:
    """The id `journal post` gives with the test seed (run on a throw-away copy)."""
    import shutil

    copy = book.parent / "first-id"
    shutil.copytree(book, copy)
    res = run(copy, *POST)
    assert res.exit_code == 0, res.output
    shutil.rmtree(copy)
    return res.stdout.strip()


@pytest.mark.parametrize("where", ["untracked", "deleted", "committed"])
def test_a_new_id_is_looked_up_without_the_index_in_every_month_of_the_working_tree_and_head(book, monkeypatch,
                                                                                              where):
    """A new entry's id is free when no file of that name is in any month folder of the working tree
    (a stat each) or of HEAD (where its date files it, or among the files named for another month,
    kept in the store): a file of that name filed in another month, untracked, committed, or
    committed and deleted from the working tree (HEAD's tree, which the commit is built from, still
    has it), makes the write take another id; git's index is not read for it (`ls-files`)."""
    assert run(book, "validate").exit_code == 0
    taken = _first_id(book)
    rel = f"journal/2026/10/{taken}.yaml"  # its id says November; filed by its date, October
    text = (f"id: {taken}\ndate: 2026-10-20\nmemo: by hand\npostings:\n  - account: '6100'\n    amount: 1.00\n"
            "  - account: '1010'\n    amount: -1.00\n")
    write(book, {rel: text})
    if where != "untracked":
        commit_all(book, "an entry named for another month")
        assert run(book, "validate").exit_code == 0
    if where == "deleted":
        (book / rel).unlink()
    before = git(book, "status", "--porcelain", "--untracked-files=all")
    count = _Count(monkeypatch)
    res = run(book, *POST)
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() != taken
    assert count.named("ls-files") == 0, count.calls
    assert files_in_commit(book) == [f"journal/2026/11/{res.stdout.strip()}.yaml"]
    assert git(book, "status", "--porcelain", "--untracked-files=all") == before
    if where != "deleted":  # the committed tree holds each id once
        assert run(book, "validate").exit_code == 0
    # the commit kept the new journal tree's files named for another month: the next write lists none
    with pytest.MonkeyPatch.context() as patch:
        again = _Count(patch)
        res = run(book, *POST, seed=7)
    assert res.exit_code == 0, res.output
    assert not [c for c in again.calls if c[0] == "ls-files" or c[:2] == ["ls-tree", "-r"]], again.calls


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(["add", "edit", "remove", "ignored", "untrack", "new-folder"]),
                                st.integers(min_value=0, max_value=5)), max_size=4))
def test_a_probe_of_folders_counts_entries_for_untracked_files_and_says_what_git_says(tmp_path_factory, edits):
    """A probe of named folders asks git about the tracked files only and counts each folder's
    entries against HEAD's tree for untracked ones: whatever is added, edited, removed, untracked
    (`git rm --cached`: same count, one file named twice), ignored or put in a new month folder, its
    changes are git's whole `status --untracked-files=all` answer."""
    from comptoir.book.probe import Probe

    book = tmp_path_factory.mktemp("probe") / "books"
    copy_book(_template("", None)[0], book)
    names = [f"stock/2026/0{1 + n % 2}/SM-2026010{n}-AAAA.yaml" for n in range(6)]
    write(book, {".gitignore": "*.tmp\n", **{name: f"id: {n}\n" for n, name in enumerate(names)}})
    commit_all(book)
    untracked = set()
    for what, n in edits:
        name = names[n]
        if what == "add":
            write(book, {name.replace("AAAA", f"B00{n}"): "id: new\n"})
        elif what == "edit" and (book / name).exists():
            (book / name).write_text("id: edited\n")
        elif what == "remove" and (book / name).exists():
            (book / name).unlink()
        elif what == "ignored":
            write(book, {name.replace(".yaml", ".tmp"): "scratch\n"})
        elif what == "untrack" and (book / name).exists() and name not in untracked:
            git(book, "rm", "-q", "--cached", "--", name)
            untracked.add(name)
        elif what == "new-folder":
            write(book, {f"stock/2026/0{3 + n}/SM-2026030{n}-CCCC.yaml": "id: later\n"})
    paths = ("comptoir.yaml", "accounts/", "stock/", "items/")
    expected = sorted(line[3:] for line in git(book, "status", "--porcelain", "--untracked-files=all", "--",
                                               *paths).splitlines())
    assert sorted(Probe(book, paths).changes() or []) == expected, edits


def test_a_filter_naming_a_committed_record_is_checked_without_listing_the_index(book, monkeypatch):
    """`report stock-ledger --item X`: an item committed and in the working tree is known by one
    `cat-file` of its file at HEAD (no `ls-files`, which reads git's whole index); an item added but
    not committed, or one of a revision (--as-of), is still found, and an unknown one still refused
    with its suggestion."""
    write(book, {"items/BEAN.yaml": "sku: BEAN\nname: Beans\ntype: stocked\n"})
    commit_all(book)
    first = git(book, "rev-parse", "HEAD").strip()
    from comptoir import suggest

    listed: list[str] = []
    real_known = suggest.known_ids
    monkeypatch.setattr(suggest, "known_ids", lambda root, kind, *a, **k: listed.append(kind) or real_known(root, kind, *a, **k))
    count = _Count(monkeypatch)
    assert run(book, "report", "stock-ledger", "--item", "BEAN").exit_code == 0
    assert listed == [] and count.named("ls-files") == 0, count.calls  # one cat-file of items/BEAN.yaml
    write(book, {"items/CUP.yaml": "sku: CUP\nname: Cups\ntype: stocked\n"})
    assert run(book, "report", "stock-ledger", "--item", "CUP").exit_code == 0  # new, not committed: listed
    assert listed == ["item"]
    refused = run(book, "report", "stock-ledger", "--item", "BEAM")
    assert refused.exit_code == 1 and "there is no item 'BEAM'" in refused.stderr and "did you mean BEAN" in refused.stderr
    (book / "items/BEAN.yaml").unlink()
    assert run(book, "report", "stock-ledger", "--item", "BEAN").exit_code == 1  # removed from the working tree
    assert run(book, "report", "stock-ledger", "--item", "BEAN", "--as-of", first).exit_code == 0
    assert run(book, "report", "stock-ledger", "--item", "CUP", "--as-of", first).exit_code == 1


def test_the_blob_ids_a_writer_gives_are_used_and_a_filter_that_changes_a_file_is_git_s_to_apply(
        tmp_path, monkeypatch):
    """The writer hashes the files it writes: the commit uses those ids (no `hash-object`) when no
    attributes file could change them; with a clean filter named in `.gitattributes`, git hashes
    the files and the commit holds what `git add` stores; and an id git does not have (a filter
    named where comptoir does not look) is refused by `git mktree`, and git hashes the files."""
    top = _repo(tmp_path)

    def change(path: str, text: str) -> str:
        (top / path).write_text(text)
        git(top, "update-index", "--add", "--", path)
        count = _Count(monkeypatch)
        gitmod.commit(top, [path], f"Change {path}\n", blobs={path: gitmod.blob_id(text.encode())})
        assert git(top, "status", "--porcelain") == ""
        assert subprocess.run(["git", "fsck", "--no-dangling"], cwd=top, capture_output=True).returncode == 0
        return git(top, "show", f"HEAD:{path}"), count.named("hash-object")

    assert change("a/b/y.yaml", "y2\n") == ("y2\n", 0)
    git(top, "config", "filter.upper.clean", "tr a-z A-Z")
    write(top, {"a/.gitattributes": "*.yaml filter=upper\n"})
    git(top, "add", "--renormalize", "a")
    git(top, "add", "a/.gitattributes")
    git(top, "commit", "-q", "-m", "attributes")
    assert change("a/b/y.yaml", "y3\n") == ("Y3\n", 1)
    monkeypatch.setattr(gitmod, "unfiltered", lambda *args: True)  # as if the filter were named elsewhere
    assert change("a/x.yaml", "x4\n") == ("X4\n", 1)
