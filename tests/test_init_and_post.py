"""init, journal post (single, batch, auto-balance), and the commit each write makes."""

from __future__ import annotations

import json
import subprocess

from .conftest import files_in_commit, git, head, run


def test_init_creates_settings_chart_and_one_commit(book):
    assert (book / "comptoir.yaml").is_file()
    assert (book / "accounts" / "1010.yaml").is_file()
    log = git(book, "log", "--format=%s").splitlines()
    assert log == ["Start the books of Test Roasters"]
    res = run(book, "account", "list", "--format", "json")
    codes = [r["code"] for r in json.loads(res.stdout)["rows"]]
    assert {"1010", "1100", "1200", "2010", "3200", "4010", "5010", "6010"} <= set(codes)


def test_init_keeps_the_index_of_a_repository_it_creates_compact_and_split(tmp_path):
    """A write rewrites git's index: in a repository `init` creates it is version 4 (shared path
    prefixes) and split (a write rewrites the small part); a repository the book joins keeps its
    own settings."""
    books = tmp_path / "books"
    # without the file-system monitor: with it git 2.39 writes the index whole (tests/test_fsmonitor.py)
    assert run(None, "init", books, "--company", "X", "--currency", "EUR", "--no-fsmonitor").exit_code == 0
    config = {key: git(books, "config", "--get", key).strip()
              for key in ("index.version", "core.splitIndex", "core.untrackedCache")}
    assert config == {"index.version": "4", "core.splitIndex": "true", "core.untrackedCache": "true"}
    res = run(books, "journal", "post", "--date", "2026-11-05", "--memo", "Beans", "-p", "6100", "12.50", "-p", "1010")
    assert res.exit_code == 0, res.output
    index = (books / ".git" / "index").read_bytes()
    assert index[:8] == b"DIRC\0\0\0\x04" and b"link" in index  # version 4, with the split index's link
    assert list((books / ".git").glob("sharedindex.*"))  # the shared part
    assert git(books, "status", "--porcelain") == ""
    top = tmp_path / "repo"
    git(tmp_path, "init", "-q", str(top))
    assert run(None, "init", top / "books", "--company", "Y", "--currency", "EUR").exit_code == 0
    left = subprocess.run(["git", "config", "--get-regexp", r"^(index\.|core\.(splitindex|untrackedcache))"],
                          cwd=top, capture_output=True, text=True)
    assert (left.returncode, left.stdout) == (1, "")  # nothing set
    assert (top / ".git" / "index").read_bytes()[:8] == b"DIRC\0\0\0\x02"


def test_the_index_settings_convert_an_existing_repositorys_index(tmp_path):
    """What docs/performance.md tells the owner of an existing book to run (the write bench runs it on
    books generated before `init` set it): the index becomes version 4 and split at once."""
    from comptoir.book import git as gitmod

    top = tmp_path / "repo"
    git(tmp_path, "init", "-q", str(top))
    (top / "a.yaml").write_text("a: 1\n")
    git(top, "add", "a.yaml")
    assert (top / ".git" / "index").read_bytes()[:8] == b"DIRC\0\0\0\x02"
    gitmod.tune_index(top)
    index = (top / ".git" / "index").read_bytes()
    assert index[:8] == b"DIRC\0\0\0\x04" and b"link" in index and b"UNTR" in index
    assert git(top, "ls-files", "-s").split()[-1] == "a.yaml" and git(top, "status", "--porcelain") == "A  a.yaml\n"


def test_init_refuses_existing_book(book):
    res = run(None, "init", book, "--company", "Again")
    assert res.exit_code == 1
    assert "already holds comptoir.yaml" in res.stderr


def test_post_writes_one_file_and_one_commit_with_trailers(book):
    before = head(book)
    res = run(book, "journal", "post", "--date", "2026-11-05", "--memo", "Office rent November",
              "--posting", "6100", "1200.00", "--posting", "1010", "-1200.00")
    assert res.exit_code == 0, res.output
    ident = res.stdout.strip()
    assert ident.startswith("JE-20261105-")
    assert git(book, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert files_in_commit(book) == [f"journal/2026/11/{ident}.yaml"]
    message = git(book, "log", "-1", "--format=%B")
    assert message.startswith(f"Post {ident}: Office rent November")
    assert "Comptoir-Command: journal post" in message
    assert f"Comptoir-Records: {ident}" in message
    text = (book / f"journal/2026/11/{ident}.yaml").read_text()
    assert "amount: 1200.00" in text and "amount: -1200.00" in text


def test_post_auto_balances_the_blank_posting(book):
    res = run(book, "journal", "post", "--date", "2026-11-06", "--memo", "Coffee beans",
              "-p", "5010", "80.10", "-p", "6400", "19.95", "-p", "1010")
    assert res.exit_code == 0, res.output
    tb = json.loads(run(book, "report", "trial-balance", "--format", "json").stdout)
    bank = next(r for r in tb["rows"] if r["account"] == "1010")
    assert bank["credit"] == "100.05"
    assert tb["totals"]["debit"] == tb["totals"]["credit"] == "100.05"


def test_batch_post_is_one_commit_for_all_entries(book, tmp_path):
    batch = tmp_path / "batch.yaml"
    batch.write_text(
        "- date: 2026-11-01\n  memo: Capital\n  postings:\n"
        "    - {account: '1010', amount: 5000.00}\n    - {account: '3100', amount: -5000.00}\n"
        "- date: 2026-11-02\n  memo: Rent\n  postings:\n"
        "    - {account: '6100', amount: 900}\n    - {account: '1010', amount: -900}\n")
    before = head(book)
    res = run(book, "journal", "post", "--file", batch)
    assert res.exit_code == 0, res.output
    assert len(res.stdout.split()) == 2
    assert git(book, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert len(files_in_commit(book)) == 2


def test_batch_post_from_json_on_stdin(book):
    doc = {"entries": [{"date": "2026-11-03", "memo": "Sale", "postings": [
        {"account": "1010", "amount": 0.1}, {"account": "1010", "amount": 0.2}, {"account": "4010", "amount": -0.3}]}]}
    res = run(book, "journal", "post", "--file", "-", input=json.dumps(doc))
    assert res.exit_code == 0, res.output
    tb = json.loads(run(book, "report", "trial-balance", "--format", "json").stdout)
    assert next(r for r in tb["rows"] if r["account"] == "1010")["closing"] == "0.30"


def test_batch_is_all_or_nothing(book, tmp_path):
    batch = tmp_path / "batch.yaml"
    batch.write_text(
        "- date: 2026-11-01\n  memo: Good\n  postings:\n"
        "    - {account: '1010', amount: 10}\n    - {account: '3100', amount: -10}\n"
        "- date: 2026-11-02\n  memo: Unbalanced\n  postings:\n"
        "    - {account: '6100', amount: 900}\n    - {account: '1010', amount: -800}\n")
    before = head(book)
    res = run(book, "journal", "post", "--file", batch)
    assert res.exit_code == 1
    assert "[unbalanced]" in res.stderr
    assert head(book) == before
    assert not (book / "journal").exists()
    assert git(book, "status", "--porcelain") == ""


def test_post_does_not_sweep_other_changes_into_its_commit(book):
    (book / "notes.txt").write_text("draft\n")
    (book / "accounts" / "1010.yaml").write_text((book / "accounts" / "1010.yaml").read_text() + "description: main bank\n")
    git(book, "add", "accounts/1010.yaml")  # staged by the user, not by comptoir
    res = run(book, "journal", "post", "--date", "2026-11-05", "--memo", "x", "-p", "6100", "1", "-p", "1020", "-1")
    assert res.exit_code == 0, res.output
    assert files_in_commit(book) == [f"journal/2026/11/{res.stdout.strip()}.yaml"]
    status = git(book, "status", "--porcelain")
    assert "M  accounts/1010.yaml" in status and "?? notes.txt" in status


def test_no_commit_leaves_files_staged(book):
    before = head(book)
    res = run(book, "journal", "post", "--no-commit", "--date", "2026-11-05", "--memo", "x",
              "-p", "6100", "1", "-p", "1010", "-1")
    assert res.exit_code == 0, res.output
    assert head(book) == before
    assert git(book, "status", "--porcelain").startswith("A  journal/")


def test_reverse_negates_and_links_both_ways(book):
    ident = run(book, "journal", "post", "--date", "2026-11-05", "--memo", "Rent",
                "-p", "6100", "1200.00", "-p", "1010", "-1200.00").stdout.strip()
    res = run(book, "journal", "reverse", ident, "--date", "2026-11-07")
    assert res.exit_code == 0, res.output
    rev = res.stdout.strip()
    shown = json.loads(run(book, "journal", "show", ident, "--format", "json").stdout)
    assert shown["reversed_by"] == [rev]
    tb = json.loads(run(book, "report", "trial-balance", "--format", "json").stdout)
    assert all(r["closing"] == "0.00" for r in tb["rows"])
    again = run(book, "journal", "reverse", ident)
    assert again.exit_code == 1 and "[double-reversal]" in again.stderr
    rr = run(book, "journal", "reverse", rev)
    assert rr.exit_code == 1 and "[reverse-reversal]" in rr.stderr
