"""A write on a book that already fails `validate` is refused, naming the broken files, unless
the user asks to write anyway (issue 15, item 1)."""

from __future__ import annotations

from .conftest import commit_all, git, head, run, write

POST = ("journal", "post", "--date", "2026-11-05", "--memo", "Rent", "-p", "6100", "900", "-p", "1010")


def _status(book) -> str:
    return git(book, "status", "--porcelain")


def test_a_write_on_a_hand_broken_book_is_refused_and_writes_nothing(book):
    write(book, {"accounts/9999.yaml": "code: '9998'\nname: Wrong\ntype: expense\n",  # id not the file name
                 "accounts/9997.yaml": "code: '9997'\nname: [unclosed\n"})  # not YAML
    commit_all(book, "hand edits")
    before, status = head(book), _status(book)
    res = run(book, *POST)
    assert res.exit_code == 1
    assert "accounts/9999.yaml:1: error [id-mismatch]" in res.stderr
    assert "accounts/9997.yaml:" in res.stderr
    assert "[book-invalid] the book already fails validation: 2 error(s) in 2 file(s); nothing was written" \
        in res.stderr
    assert "--allow-invalid" in res.stderr and "comptoir validate" in res.stderr
    assert head(book) == before and _status(book) == status and not list((book / "journal").rglob("*.yaml"))


def test_only_the_first_ten_broken_files_are_named(book):
    write(book, {f"accounts/99{n:02d}.yaml": f"code: '98{n:02d}'\nname: X\ntype: expense\n" for n in range(12)})
    commit_all(book)
    res = run(book, *POST)
    assert res.exit_code == 1
    named = [line for line in res.stderr.splitlines() if "[id-mismatch]" in line]
    assert len(named) == 10
    assert "12 error(s) in 12 file(s) (2 more file(s) not shown)" in res.stderr


def test_allow_invalid_writes_anyway_and_still_lists_the_errors(book, monkeypatch):
    write(book, {"accounts/9999.yaml": "code: '9998'\nname: Wrong\ntype: expense\n"})
    commit_all(book)
    before = head(book)
    res = run(book, "--allow-invalid", *POST)
    assert res.exit_code == 0, res.output
    assert "accounts/9999.yaml:1: warning [id-mismatch]" in res.stderr and "writing anyway" in res.stderr
    assert head(book) != before and git(book, "show", "--name-only", "--format=", "HEAD").startswith("journal/")
    monkeypatch.setenv("COMPTOIR_ALLOW_INVALID", "1")
    assert run(book, *POST).exit_code == 0


def test_a_write_that_makes_the_book_valid_is_allowed(book):
    write(book, {"accounts/9999.yaml": "code: '9999'\nname: Misc\ntype: expense\nparent: '8888'\n"})  # no parent
    commit_all(book)
    assert run(book, *POST).exit_code == 1
    res = run(book, "account", "add", "8888", "Other costs", "--type", "expense")
    assert res.exit_code == 0, res.output
    assert run(book, "validate").exit_code == 0
    assert run(book, *POST).exit_code == 0
