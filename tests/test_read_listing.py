"""A served report lists the record kinds it reads (settings, accounts, rates...) from HEAD's
folders and the `git status` its freshness probe already ran (comptoir.book.loader.list_files
with `status`), not from git's index: each index read is a pass over every file of a large book.
What it lists must be what the index listing gives, on a clean tree and with every kind of
uncommitted change: an edited, a staged, a deleted and an untracked file."""

from __future__ import annotations

import json

import pytest

from comptoir.book import loader

from .conftest import commit_all, git, run, write
from .test_write_tree import _Count

REPORTS = [
    ("report", "trial-balance"),
    ("report", "balance-sheet"),
    ("report", "income-statement"),
    ("report", "ledger", "6150"),
    ("report", "ar-aging"),
    ("report", "stock-balance"),
]


def _entry(ident: str, day: str, lines: list[tuple[str, str]]) -> str:
    rows = "".join(f"  - account: '{a}'\n    amount: {x}\n" for a, x in lines)
    return f"id: {ident}\ndate: {day}\nmemo: {ident}\npostings:\n{rows}"


def _both(book, monkeypatch, args) -> tuple:
    served = run(book, *args, "--format", "json")
    with monkeypatch.context() as m:
        m.setattr(loader, "_listed_by_probe", lambda *a, **k: None)  # the index's listing, as before
        full = run(book, *args, "--format", "json")
    return served, full


def _dirty(book) -> None:
    """Every kind of change git status names, on the folders the reports list."""
    account = book / "accounts" / "6100.yaml"
    account.write_text(account.read_text().replace("name: ", "name: Edited ", 1))  # edited, not staged
    staged = book / "accounts" / "1010.yaml"
    staged.write_text(staged.read_text().replace("name: ", "name: Staged ", 1))
    git(book, "add", "accounts/1010.yaml")  # staged, not committed
    write(book, {"accounts/6150.yaml": "code: '6150'\nname: Coffee samples\ntype: expense\nparent: '6000'\n",  # untracked
                 "journal/2026/11/JE-20261120-SAMP.yaml": _entry("JE-20261120-SAMP", "2026-11-20",
                                                                 [("6150", "40.00"), ("1010", "-40.00")])})


@pytest.fixture
def posted(book):
    res = run(book, "journal", "post", "--date", "2026-11-05", "--memo", "Rent", "-p", "6100", "1200.00", "-p", "1010")
    assert res.exit_code == 0, res.output
    write(book, {"accounts/6160.yaml": "code: '6160'\nname: Tasting fees\ntype: expense\nparent: '6000'\n"})
    commit_all(book, "an account no entry uses")
    return book


def test_reports_list_their_kinds_from_the_probe_and_agree_with_the_index_listing(posted, monkeypatch):
    book = posted
    for state in ("clean", "dirty"):
        if state == "dirty":
            _dirty(book)
            (book / "accounts" / "6160.yaml").unlink()  # deleted, not committed
        for args in REPORTS:
            served, full = _both(book, monkeypatch, args)
            assert (served.exit_code, served.stdout, served.stderr) == (full.exit_code, full.stdout, full.stderr), \
                (state, args)
    # and the figures are the working tree's: names edited or staged, the untracked account used
    tb = json.loads(run(book, "report", "trial-balance", "--format", "json").stdout)
    names = {row["account"]: row["name"] for row in tb["rows"]}
    assert names["6100"].startswith("Edited ") and names["1010"].startswith("Staged ")
    assert names["6150"] == "Coffee samples"
    assert "6160" not in names


@pytest.mark.parametrize("args", [("report", "balance-sheet"), ("report", "trial-balance"), ("report", "ar-aging"),
                                  ("report", "stock-balance"), ("sales", "list"), ("purchase", "bills"),
                                  ("crm", "followups"), ("report", "overview")])
def test_a_served_report_reads_git_index_once_its_status(posted, monkeypatch, args):
    """The probe's status is the one pass over the files; the listing adds a lookup of the
    folders' ids at HEAD (`cat-file --batch-check`), no `ls-files` and no `diff`."""
    run(posted, *args)  # the folders' listings are kept in the store
    count = _Count(monkeypatch)  # every git process, as the write tests count them
    calls = count.calls
    res = run(posted, *args)
    assert res.exit_code == 0, res.output
    assert [c for c in calls if c[0] in ("ls-files", "diff", "diff-files", "diff-index")] == [], calls
    assert sum(1 for c in calls if c[0] == "status") <= 1, calls  # none: the trial balance's snapshot


def test_a_commit_between_the_status_and_the_listing_gives_the_report_of_the_new_commit(posted, monkeypatch):
    """Another writer commits after the probe's status: it committed its files as they are in the
    working tree, so HEAD's listing is still the working tree's, and the report is the new
    commit's whole (its sums and its accounts), as the next command's."""
    from comptoir.book import git as gitmod

    before = run(posted, "report", "trial-balance", "--format", "json")
    real = gitmod.resolve_head
    moved: list[bool] = []

    def racing(top, paths):
        if not moved:
            write(posted, {"journal/2026/11/JE-20261121-RACE.yaml": _entry(
                "JE-20261121-RACE", "2026-11-21", [("6100", "7.00"), ("1010", "-7.00")]),
                "accounts/1010.yaml": (posted / "accounts/1010.yaml").read_text().replace("name: ", "name: Raced ", 1)})
            commit_all(posted, "another writer")
            moved.append(True)
        return real(top, paths)

    monkeypatch.setattr(gitmod, "resolve_head", racing)
    res = run(posted, "report", "balance-sheet", "--format", "json")
    assert moved and res.exit_code == 0, res.output
    monkeypatch.undo()
    assert res.stdout == run(posted, "report", "balance-sheet", "--format", "json").stdout
    assert '"balance": "-1207.00"' in res.stdout and '"name": "Raced Bank"' in res.stdout
    after = run(posted, "report", "trial-balance", "--format", "json")
    assert after.stdout != before.stdout and "Raced " in after.stdout  # the next command sees the new commit
