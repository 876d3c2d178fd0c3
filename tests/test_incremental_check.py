"""Writes on a book known to be clean are checked incrementally (cli.domain.validation.check_change).

The promise: the incremental check refuses exactly what the whole-book check refuses. Each case
runs the same command on two copies of the demo company, one whose tree is known clean (the
write reads the book on demand and checks only what it adds) and one without that knowledge
(the write reads and checks the whole book), and compares exit codes, error codes and commits.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from comptoir.app import write
from comptoir.book import loader, ondemand, verdict
from comptoir.book.root import find_root
from comptoir.domain import validation
from comptoir.model import Book

from .conftest import commit_all, copy_book, files_in_commit, git, git_calls, head, pack, run

DEMO = Path(__file__).resolve().parent.parent / "ledger-data"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The demo company in its own repository, validated once (which records its tree as clean)."""
    root = tmp_path_factory.mktemp("incremental") / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("script", ".*"))
    git(root, "init", "-q")
    git(root, "config", "user.name", "Test")
    git(root, "config", "user.email", "test@example.com")
    commit_all(root, "demo")
    res = run(root, "validate")
    assert res.exit_code == 0, res.output
    pack(root)
    return root


def _copy(template: Path, dest: Path, known: bool) -> Path:
    copy_book(template, dest)
    if not known:
        for found in (dest / ".git" / "comptoir" / "store" / "verdict").glob("*"):
            found.unlink()
    return dest


class _Spy:
    """Counts how writes read the book: on demand (`calls`) or whole (`whole`)."""

    def __init__(self, monkeypatch) -> None:
        from comptoir.book import writer

        self.calls = 0
        self.whole = 0
        self.turned = 0  # books read on demand turned to the working tree (a kind they read differed from HEAD)
        real, real_whole = ondemand.load_on_demand, writer.load_book
        real_turn = ondemand.Listing._to_working

        def turned(listing):
            self.turned += 1
            return real_turn(listing)

        monkeypatch.setattr(ondemand.Listing, "_to_working", turned)

        def counted(root, *args, **kwargs):
            self.calls += 1
            return real(root, *args, **kwargs)

        def counted_whole(*args, **kwargs):
            self.whole += 1
            return real_whole(*args, **kwargs)

        monkeypatch.setattr(ondemand, "load_on_demand", counted)
        monkeypatch.setattr(writer, "load_book", counted_whole)


def _statuses_asked(monkeypatch) -> list[list[str]]:
    """The paths of each `git status` the on-demand book asks, as it asks them."""
    statuses: list[list[str]] = []
    real = ondemand.status_of

    def asked(path, prefix, paths):
        statuses.append(list(paths))
        return real(path, prefix, paths)

    monkeypatch.setattr(ondemand, "status_of", asked)
    return statuses


def _outcome(repo: Path, args: list[str], stdin: str | None) -> tuple[int, list[str], str, list[str]]:
    before = head(repo)
    res = run(repo, *args, input=stdin)
    codes = sorted(set(re.findall(r"error \[([\w-]+)\]", res.stderr)))
    moved = head(repo) != before
    files = sorted(git(repo, "show", "--name-only", "--format=", "HEAD").split()) if moved else []
    status = git(repo, "status", "--porcelain")
    return res.exit_code, codes, status, files


def _batch(**fields) -> str:
    lines = [f"{k}: {v}" for k, v in fields.items() if k != "postings"]
    lines.append("postings:")
    for account, amount, *currency in fields["postings"]:
        lines += [f"  - account: '{account}'", f"    amount: {amount}"] + [f"    currency: {c}" for c in currency]
    return "\n".join(lines) + "\n"


POST = ["journal", "post", "--memo", "test"]
CASES = [
    # (name, args, stdin, expected error code or None for success)
    ("plain post", POST + ["--date", "2026-11-28", "-p", "6100", "12.50", "-p", "1010"], None, None),
    ("another bank and expense", POST + ["--date", "2026-11-28", "-p", "6500", "5.00", "-p", "1020"], None, None),
    ("back-dated into an asserted bank account",
     POST + ["--date", "2026-11-20", "-p", "6100", "12.50", "-p", "1010"], None, "assertion-failed"),
    ("after the last assertion", POST + ["--date", "2026-11-28", "-p", "6100", "1.00", "-p", "1010"], None, None),
    ("posting to the inventory account", POST + ["--date", "2026-11-28", "-p", "1200", "10.00", "-p", "1010"],
     None, "stock-value-mismatch"),
    ("in the locked period", POST + ["--date", "2026-10-15", "-p", "6100", "1.00", "-p", "1010"], None, "period-locked"),
    ("entry reversed a second time", ["journal", "post", "--file", "-"],
     _batch(date="2026-11-28", memo="again", reverses="JE-20261114-K1QC",
            postings=[("6100", "-386.50"), ("1010", "386.50")]), "double-reversal"),
    ("reversal of a reversal", ["journal", "post", "--file", "-"],
     _batch(date="2026-11-28", memo="undo", reverses="JE-20261116-BACA",
            postings=[("6100", "386.50"), ("1010", "-386.50")]), "reverse-reversal"),
    ("reversal of nothing", ["journal", "post", "--file", "-"],
     _batch(date="2026-11-28", memo="nothing", reverses="JE-20990101-NOPE",
            postings=[("6100", "1.00"), ("1010", "-1.00")]), "unknown-entry"),
    ("net pay paid twice", ["journal", "post", "--file", "-"],
     _batch(date="2026-11-30", memo="pay again", source="PAY-2026-11",
            postings=[("2300", "10.00"), ("1020", "-10.00")]), "payroll-paid-twice"),
    ("foreign entry with no rate", ["journal", "post", "--file", "-"],
     _batch(date="2026-11-28", memo="yen", postings=[("6100", "1000", "JPY"), ("1020", "-1000", "JPY")]),
     "rate-missing"),
    ("stock receipt with its entry", ["stock", "receive", "GREEN-ETH", "--qty", "10", "--unit-cost", "8.00",
                                      "--warehouse", "ROASTERY", "--date", "2026-11-28"], None, None),
    ("a new account", ["account", "add", "6999", "Test expenses", "--type", "expense"], None, None),
    ("a rate for a currency entries use", ["rate", "add", "USD", "0.95", "--date", "2026-11-28"], None, None),
    ("a rate back-dated under foreign entries", ["rate", "add", "USD", "0.5", "--date", "2026-11-01"], None, None),
    ("a rate for an unused currency", ["rate", "add", "CHF", "1.05", "--date", "2026-11-28"], None, None),
    ("the reversal command", ["journal", "reverse", "JE-20261105-D7VP", "--date", "2026-11-28"], None, None),
    ("the reversal command, twice", ["journal", "reverse", "JE-20261114-K1QC", "--date", "2026-11-28"], None,
     "double-reversal"),
    # documents, stock and CRM writes: checked from derived facts (valuation state, levels, open items)
    ("a sales order", ["sales", "order", "--partner", "cafe-de-la-soie", "--line", "ESP-1K 5 25.00",
                       "--warehouse", "ROASTERY", "--date", "2026-11-28"], None, None),
    ("a delivery", ["sales", "deliver", "SO-20261124-5ZDE", "--date", "2026-11-28"], None, None),
    ("a stock issue", ["stock", "issue", "ESP-1K", "--qty", "2", "--warehouse", "ROASTERY", "--date", "2026-11-28"],
     None, None),
    ("a stock issue before later moves", ["stock", "issue", "ESP-1K", "--qty", "2", "--warehouse", "ROASTERY",
                                          "--date", "2026-11-02"], None, "backdated-move"),
    ("a stock issue before the item's last move, no later value changed",
     ["stock", "issue", "BLEND-1K", "--qty", "2", "--warehouse", "ROASTERY", "--date", "2026-11-24"], None, None),
    ("a stock issue before the item's last move, short for a later delivery",
     ["stock", "issue", "BLEND-1K", "--qty", "210", "--warehouse", "ROASTERY", "--date", "2026-11-24"], None,
     "negative-stock"),
    ("a note on a lead", ["crm", "lead", "update", "L-20261124-EVNH", "--note", "called back"], None, None),
    # purchasing: the rule checks the documents added and the orders they name (its delta)
    ("a purchase order", ["purchase", "order", "--partner", "cartonnages-lyonnais", "--line", "GIFT-BOX 50 2.40",
                          "--warehouse", "ROASTERY", "--date", "2026-11-28"], None, None),
    ("a purchase receipt", ["purchase", "receive", "PO-20261120-7SPE", "--line", "1", "--qty", "10",
                            "--date", "2026-11-28"], None, None),
    ("a purchase receipt beyond the order", ["purchase", "receive", "PO-20261120-7SPE", "--line", "1", "--qty", "15",
                                             "--date", "2026-11-28"], None, "over-receipt"),
]


@pytest.mark.parametrize("name,args,stdin,expected", CASES, ids=[c[0] for c in CASES])
def test_incremental_check_refuses_what_the_full_check_refuses(template, tmp_path, monkeypatch, name, args, stdin,
                                                               expected):
    fast = _copy(template, tmp_path / "fast", known=True)
    slow = _copy(template, tmp_path / "slow", known=False)
    spy = _Spy(monkeypatch)
    got_fast = _outcome(fast, args, stdin)
    assert (spy.calls, spy.whole) == (1, 0), "the write on a known-clean book should read it on demand"
    # the whole-book check (a write on a clean tree not known clean checks HEAD streamed first:
    # test_a_write_on_a_clean_tree_not_known_clean_checks_it_streamed_first)
    monkeypatch.setattr(write.Writer, "_checked_first", lambda self, tree: None)
    got_slow = _outcome(slow, args, stdin)
    assert (spy.calls, spy.whole) == (1, 1), "the write on an unknown book should read it whole"
    assert got_fast == got_slow
    code, codes, status, _ = got_fast
    assert status == ""  # nothing half-written on refusal; everything committed on success
    if expected is None:
        assert (code, codes) == (0, [])
    else:
        assert code == 1 and expected in codes


def test_a_clean_write_keeps_the_next_one_incremental(template, tmp_path, monkeypatch):
    repo = _copy(template, tmp_path / "chain", known=True)
    spy = _Spy(monkeypatch)
    for day in ("2026-11-28", "2026-11-29", "2026-11-30"):
        res = run(repo, *POST, "--date", day, "-p", "6100", "2.00", "-p", "1020")
        assert res.exit_code == 0, res.output
    assert spy.calls == 3
    root = find_root(str(repo), None)
    assert verdict.known(root, verdict.tree_id(root)) is not None
    assert run(repo, "validate").exit_code == 0


def _hand_entry(repo: Path, ident: str, day: str, account: str, amount: str) -> None:
    path = repo / "journal" / day[:4] / day[5:7] / f"{ident}.yaml"
    path.write_text(f"id: {ident}\ndate: {day}\nmemo: by hand\npostings:\n"
                    f"  - account: '{account}'\n    amount: {amount}\n  - account: '1020'\n    amount: -{amount}\n")


def _post(repo: Path, amount: str = "2.00") -> None:
    res = run(repo, *POST, "--date", "2026-11-28", "-p", "6100", amount, "-p", "1020")
    assert res.exit_code == 0, res.output


def test_unknown_or_dirty_books_are_read_whole(template, tmp_path, monkeypatch):
    repo = _copy(template, tmp_path / "dirty", known=True)
    spy = _Spy(monkeypatch)
    # an uncommitted file in a folder the write reads (the accounts): the book read on demand
    # turns to the working tree when it first uses them, and the write is checked whole
    (repo / "accounts" / "6998.yaml").write_text("code: '6998'\nname: By hand\ntype: expense\n")
    _post(repo)
    assert (spy.calls, spy.whole, spy.turned) == (1, 0, 1)
    assert git(repo, "status", "--porcelain") == "?? accounts/6998.yaml\n"  # not swept into the commit
    root = find_root(str(repo), None)
    assert verdict.known(root, verdict.tree_id(root)) is None  # what was checked is not the committed tree
    (repo / "accounts" / "6998.yaml").unlink()
    # a file in no record folder is no part of what a write reads: the last commit added one entry
    # to a checked tree, which is checked on its own (a pull's way), and the write is incremental
    (repo / "notes.txt").write_text("an uncommitted file\n")
    _post(repo)
    assert (spy.calls, spy.whole, spy.turned) == (2, 0, 1)
    assert verdict.known(root, verdict.tree_id(root)) is not None
    (repo / "notes.txt").unlink()
    # a commit made by hand that changes a file: its tree was never checked; it is checked first,
    # streamed, and the write goes on on demand
    path = repo / "accounts" / "6100.yaml"
    path.write_text(path.read_text().rstrip("\n") + "\n# a comment added by hand\n")
    commit_all(repo, "by hand")
    _post(repo)
    assert (spy.calls, spy.whole) == (3, 0)
    # ... and the one after it is incremental
    _post(repo, "3.00")
    assert (spy.calls, spy.whole) == (4, 0)
    # an uncommitted edit of a file in a tree never checked: the whole book is read
    path.write_text(path.read_text() + "# and another, not committed\n")
    commit_all(repo, "by hand again")
    path.write_text(path.read_text() + "# not committed\n")
    _post(repo, "4.00")
    assert (spy.calls, spy.whole) == (4, 1)


def test_a_write_compares_the_kinds_it_reads_and_no_other(template, tmp_path, monkeypatch):
    """A file that differs from HEAD in a kind the write never reads (an unreadable lead, not
    committed) costs the write nothing and stays out of its commit; a write that reads that kind
    sees it, as a whole read does."""
    repo = _copy(template, tmp_path / "kinds", known=True)
    root = find_root(str(repo), None)
    spy = _Spy(monkeypatch)
    broken = "crm/leads/L-20261127-BAD1.yaml"
    (repo / broken).write_text("id: L-20261127-BAD1\nname: [unclosed\n")
    edited = repo / "crm/leads/L-20260818-KXWT.yaml"
    edited.write_text(edited.read_text() + "# edited by hand\n")
    before = git(repo, "status", "--porcelain")
    res = run(repo, *POST, "--date", "2026-11-28", "-p", "6100", "2.00", "-p", "1020")
    assert res.exit_code == 0, res.output
    assert (spy.calls, spy.whole, spy.turned) == (1, 0, 0)  # on demand; the leads' folder never compared
    assert files_in_commit(repo) == [f"journal/2026/11/{res.stdout.split()[0]}.yaml"]
    assert git(repo, "status", "--porcelain") == before  # the hand edits are still the user's, uncommitted
    assert verdict.known(root, verdict.tree_id(root)) is not None  # the committed tree is HEAD's and the entry
    # an order compares the small kinds together (the leads among them) and its own are HEAD's:
    # the leads' difference is no reason to read the book whole
    res = run(repo, "sales", "order", "--partner", "cafe-de-la-soie", "--line", "ESP-1K 5 25.00",
              "--warehouse", "ROASTERY", "--date", "2026-11-28")
    assert res.exit_code == 0, res.output
    assert (spy.calls, spy.whole, spy.turned) == (2, 0, 0)
    assert [p.split("/")[:2] for p in files_in_commit(repo)] == [["sales", "orders"]]
    assert git(repo, "status", "--porcelain") == before
    # a note on another lead reads the leads: the unreadable one is found, as `validate` finds it
    committed = head(repo)
    res = run(repo, "crm", "lead", "update", "L-20261124-EVNH", "--note", "called back")
    assert res.exit_code == 1 and "[book-invalid]" in res.stderr and broken in res.stderr, res.output
    assert (spy.calls, spy.turned) == (3, 1) and head(repo) == committed
    assert git(repo, "status", "--porcelain") == before
    # the lead file put right and committed: the note is written, checked against the whole book
    (repo / broken).unlink()
    res = run(repo, "crm", "lead", "update", "L-20261124-EVNH", "--note", "called back")
    assert res.exit_code == 0, res.output
    assert (spy.calls, spy.turned) == (4, 2)  # the hand edit of another lead is still there
    assert files_in_commit(repo) == ["crm/activities/2026/11/ACT-20261128-84G7.yaml"]  # the note, as an activity
    assert " M crm/leads/L-20260818-KXWT.yaml" in git(repo, "status", "--porcelain")


def test_pulled_records_are_checked_then_trusted(template, tmp_path, monkeypatch):
    """Files added by other people's commits since the last checked tree are checked on their own."""
    repo = _copy(template, tmp_path / "pulled", known=True)
    spy = _Spy(monkeypatch)
    _hand_entry(repo, "JE-20261128-HAND", "2026-11-28", "6100", "1.00")
    commit_all(repo, "someone else's post")
    _post(repo)
    assert (spy.calls, spy.whole) == (1, 0)
    root = find_root(str(repo), None)
    assert verdict.known(root, verdict.tree_id(root, "HEAD~1")) is not None
    # an added entry that breaks a balance assertion: the whole book is read, which finds it,
    # and the write (which adds nothing wrong itself) is refused, as it would be without the
    # cache, unless the user says to write anyway
    _hand_entry(repo, "JE-20261120-BAD1", "2026-11-20", "6100", "1.00")
    (repo / "journal/2026/11/JE-20261120-BAD1.yaml").write_text(
        (repo / "journal/2026/11/JE-20261120-BAD1.yaml").read_text().replace("'1020'", "'1010'"))
    commit_all(repo, "a post that breaks the bank assertion")
    res = run(repo, *POST, "--date", "2026-11-28", "-p", "6100", "4.00", "-p", "1020")
    assert res.exit_code == 1 and "[book-invalid]" in res.stderr and "[assertion-failed]" in res.stderr
    res = run(repo, "--allow-invalid", *POST, "--date", "2026-11-28", "-p", "6100", "4.00", "-p", "1020")
    assert res.exit_code == 0, res.output
    assert spy.whole == 2
    assert verdict.known(root, verdict.tree_id(root)) is None  # still not clean
    res = run(repo, "validate")
    assert res.exit_code == 1 and "assertion-failed" in res.output


def test_a_damaged_or_foreign_verdict_file_is_ignored(template, tmp_path, monkeypatch):
    repo = _copy(template, tmp_path / "damaged", known=True)
    spy = _Spy(monkeypatch)
    for found in (repo / ".git" / "comptoir" / "store" / "verdict").glob("*"):
        found.write_bytes(b"not marshal data")
    streamed = []
    real_stream = loader.stream_book
    monkeypatch.setattr(loader, "stream_book", lambda *a, **k: streamed.append(1) or real_stream(*a, **k))
    assert run(repo, *POST, "--date", "2026-11-28", "-p", "6100", "2.00", "-p", "1020").exit_code == 0
    assert streamed == [1] and (spy.calls, spy.whole) == (1, 0)  # not trusted: HEAD checked again first
    root = find_root(str(repo), None)
    tree = verdict.tree_id(root)
    verdict.remember(root, tree, {"reversed": [], "asserted": {}})
    assert verdict.known(root, tree) == {"reversed": [], "asserted": {}}
    from comptoir.book import codeversion

    monkeypatch.setattr(codeversion, "code_version", lambda: "another comptoir version")
    assert verdict.known(root, tree) is None


def test_rules_read_only_the_kinds_they_declare(template, monkeypatch):
    """A rule that reads a kind it does not declare would be skipped by writes of that kind."""
    from comptoir.book.loader import load_book

    book = load_book(find_root(str(template), None))
    seen: set[str] = set()
    real = Book.of

    def tracking(self, kind):
        seen.add(kind)
        return real(self, kind)

    monkeypatch.setattr(Book, "of", tracking)
    for spec in validation._rules():
        seen.clear()
        book.derived.clear()
        spec.fn(book)
        assert spec.reads is not None, f"{spec.name} declares no reads: every write would run it in full"
        assert seen <= spec.reads, f"{spec.name} reads {sorted(seen - spec.reads)} without declaring them"
        assert spec.per <= spec.reads and spec.lookups <= spec.reads


def test_facts_carried_by_writes_match_facts_of_the_whole_book(template, tmp_path):
    from comptoir.book.loader import load_book

    repo = _copy(template, tmp_path / "facts", known=True)
    batch = _batch(date="2026-11-29", memo="asserted", postings=[("6100", "5.00"), ("1020", "-5.00")])
    batch = batch.replace("postings:", "assertions:\n  - account: '6100'\n    balance: 1000000.00\npostings:")
    res = run(repo, "journal", "post", "--file", "-", input=batch)
    assert res.exit_code == 1 and "assertion-failed" in res.stderr
    res = run(repo, *POST, "--date", "2026-11-29", "-p", "6100", "5.00", "-p", "1020")
    assert res.exit_code == 0, res.output
    ident = res.stdout.split()[0]
    res = run(repo, "journal", "reverse", ident, "--date", "2026-11-30")
    assert res.exit_code == 0, res.output
    root = find_root(str(repo), None)
    carried = verdict.known(root, verdict.tree_id(root))
    assert carried == validation.facts(load_book(root))
    assert ident in carried["reversed"]


def test_a_write_on_a_clean_tree_not_known_clean_checks_it_streamed_first(template, tmp_path, monkeypatch):
    """A fresh clone, or a store of another code version: no verdict for HEAD's tree. The write
    checks HEAD as `validate` does (the journal one month folder at a time, never the whole book
    held), remembers it, then reads on demand and checks only what it adds: the first write costs
    a validate, not a whole read and check."""
    from comptoir.book.loader import load_book

    repo = _copy(template, tmp_path / "cold", known=False)
    shutil.rmtree(repo / ".git" / "comptoir")  # no store at all, as in a fresh clone
    root = find_root(str(repo), None)
    tree = verdict.tree_id(root)
    spy = _Spy(monkeypatch)
    streamed: list[str | None] = []
    real_stream = loader.stream_book
    monkeypatch.setattr(loader, "stream_book", lambda root, rev=None, *a, **k: streamed.append(rev)
                        or real_stream(root, rev, *a, **k))
    _post(repo)
    assert (spy.calls, spy.whole, streamed) == (1, 0, [None])
    assert verdict.known(root, tree) == validation.facts(load_book(root, "HEAD~1"))  # HEAD's tree, checked
    assert verdict.known(root, verdict.tree_id(root)) == validation.facts(load_book(root))  # and the write's
    _post(repo, "3.00")  # the next write knows its tree
    assert (spy.calls, spy.whole, streamed) == (2, 0, [None])
    # what the whole-book check refuses, refused the same way
    got = _outcome(repo, POST + ["--date", "2026-11-28", "-p", "1200", "10.00", "-p", "1010"], None)
    assert got[:3] == (1, ["stock-value-mismatch"], "")


def test_a_write_on_a_tree_not_known_clean_with_an_error_reads_the_whole_book(template, tmp_path, monkeypatch):
    """HEAD checked streamed has an error (committed by hand): the write reads the whole book, as
    before, and refuses to add to a broken book unless told to (--allow-invalid)."""
    repo = _copy(template, tmp_path / "broken", known=False)
    (repo / "journal" / "2026" / "11" / "JE-20261126-HAND.yaml").write_text(  # before an assertion on 1010
        "id: JE-20261126-HAND\ndate: 2026-11-26\nmemo: by hand\npostings:\n"
        "  - account: '6100'\n    amount: 1.00\n  - account: '1010'\n    amount: -1.00\n")
    commit_all(repo, "by hand")
    spy = _Spy(monkeypatch)
    before = head(repo)
    res = run(repo, *POST, "--date", "2026-11-29", "-p", "6100", "2.00", "-p", "1010")
    assert (spy.calls, spy.whole) == (0, 1)
    assert res.exit_code == 1 and "error [assertion-failed]" in res.stderr and "--allow-invalid" in res.stderr
    assert head(repo) == before
    root = find_root(str(repo), None)
    assert verdict.known(root, verdict.tree_id(root)) is None


def test_a_move_dated_before_its_items_last_replays_that_items_moves_only(template, tmp_path, monkeypatch):
    """A stock issue of BLEND-1K dated before its last move (moving average: no later value
    changes): the write values it and the check replays it among that item's moves alone (which
    move is whose kept per stock folder in the store), never every item's moves; the book stays
    valid and the move's value is the full read's."""
    from comptoir.app import stock as app_stock
    from comptoir.domain.stock import common, rules

    repo = _copy(template, tmp_path / "item", known=True)
    slow = _copy(template, tmp_path / "item-slow", known=False)
    issue = ["stock", "issue", "BLEND-1K", "--qty", "2", "--warehouse", "ROASTERY", "--reason", "tasting"]
    assert run(repo, *issue, "--date", "2026-11-24").exit_code == 0  # derives which move is whose
    blend = sorted(p.relative_to(repo).as_posix() for p in (repo / "stock").rglob("*.yaml")
                   if "item: BLEND-1K" in p.read_text())
    reads: list = []
    real_load = app_stock.load_book
    monkeypatch.setattr(app_stock, "load_book", lambda *a, **k: reads.append(k.get("folders")) or real_load(*a, **k))
    with monkeypatch.context() as m:
        def every_move(book):
            raise AssertionError("every item's moves read")

        m.setattr(common, "moves_by_item", every_move)
        m.setattr(rules, "moves_by_item", every_move)
        res = run(repo, *issue, "--date", "2026-11-25", seed=7)
    assert res.exit_code == 0, res.output
    # that item's moves, once; besides them only the month the first issue changed (its valuation
    # state and levels, derived once for the new tree)
    stock_reads = [folders for folders in reads if folders and folders[0].startswith("stock/")]
    assert stock_reads.count(blend) == 1, stock_reads
    assert all(f == blend or f[0] == "stock/2026/11" for f in stock_reads), stock_reads
    assert run(repo, "validate").exit_code == 0
    monkeypatch.setattr(write.Writer, "_checked_first", lambda self, tree: None)  # the whole book's answer
    assert run(slow, *issue, "--date", "2026-11-24").exit_code == 0
    full = run(slow, *issue, "--date", "2026-11-25", seed=7)
    assert full.exit_code == 0 and full.stdout == res.stdout  # the same value, entry and ids


def test_reading_many_records_one_by_one_reads_the_kind_once(template, monkeypatch):
    """Asking for ids one at a time costs a git call or a file each, up to a bound; past it
    the kind is listed (and read) whole, so a rule that walks ids never costs one call each."""
    root = find_root(str(template), None)
    book = ondemand.load_on_demand(root)
    calls = git_calls(monkeypatch)
    entries = book.entries
    listing = [p.stem for p in sorted((template / "journal").rglob("*.yaml"))]
    assert len(listing) > 2 * ondemand.SINGLE_READS
    asked = [f"JE-20990101-{i:04d}" for i in range(40)] + listing
    assert sum(ident in entries for ident in asked) == len(listing)
    assert len(calls) <= ondemand.SINGLE_LOOKUPS + 2  # and the files named for another month, listed once
    whole = []
    real_load = ondemand.load_book
    monkeypatch.setattr(ondemand, "load_book", lambda *a, **k: whole.append(k) or real_load(*a, **k))
    records = [entries[ident] for ident in listing]
    assert [r.id for r in records] == listing
    assert len(whole) == 1  # past SINGLE_READS records the journal was read whole, once
    assert list(entries) == listing  # in path order, as a whole read gives them


def test_a_data_root_in_a_subfolder_is_read_on_demand_too(tmp_path, monkeypatch):
    """Like ledger-data/ in this project: paths carry a prefix, the tree id is the subfolder's."""
    top = tmp_path / "repo"
    root = top / "books"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("script", ".*"))
    (top / "README.md").write_text("not part of the books\n")
    git(top, "init", "-q")
    git(top, "config", "user.name", "Test")
    git(top, "config", "user.email", "test@example.com")
    commit_all(top, "demo in a subfolder")
    assert run(root, "validate").exit_code == 0
    spy = _Spy(monkeypatch)
    before = head(top)
    _post(root)
    assert (spy.calls, spy.whole) == (1, 0)
    files = sorted(git(top, "show", "--name-only", "--format=", "HEAD").split())
    assert len(files) == 1 and files[0].startswith("books/journal/2026/11/")
    assert git(top, "rev-parse", "HEAD~1").strip() == before
    found = verdict.known(find_root(str(root), None), git(top, "rev-parse", "HEAD:books").strip())
    assert found is not None
    # a change outside the data root does not make the books unknown
    (top / "README.md").write_text("still not part of the books\n")
    commit_all(top, "docs")
    _post(root, "3.00")
    assert (spy.calls, spy.whole) == (2, 0)
    assert run(root, "validate").exit_code == 0


def test_an_entry_read_by_id_is_read_from_the_working_tree_when_its_month_differs(template, tmp_path, monkeypatch):
    """`journal reverse` reads the entry it reverses by id: its month's folder is compared with HEAD
    first (not the journal's every file), and a difference there turns the write to the whole book."""
    repo = _copy(template, tmp_path / "month", known=True)
    spy = _Spy(monkeypatch)
    (repo / "journal/2026/11/JE-20261101-ZZZZ.yaml").write_text("broken: [\n")
    committed = head(repo)
    res = run(repo, "journal", "reverse", "JE-20261105-D7VP", "--date", "2026-11-28")
    assert res.exit_code == 1 and "[book-invalid]" in res.stderr and "JE-20261101-ZZZZ" in res.stderr, res.output
    assert (spy.calls, spy.whole, spy.turned) == (1, 0, 1) and head(repo) == committed


def test_a_small_kind_is_compared_by_content_and_git_is_asked_when_it_differs(template, tmp_path, monkeypatch):
    """The folder of a small kind the write reads (the accounts) is compared with HEAD file by file,
    by content, without git's index: an edit that keeps the file's size is seen, as `git status`
    sees it; a file git ignores there makes the comparison ask git, which says the folder is HEAD's."""
    repo = _copy(template, tmp_path / "content", known=True)
    root = find_root(str(repo), None)
    spy = _Spy(monkeypatch)
    account = repo / "accounts" / "6100.yaml"
    text = account.read_text()
    edited = text.replace("name: Rent", "name: Lent")  # same size: no stat data could tell
    assert len(edited) == len(text) and edited != text
    account.write_text(edited)
    _post(repo)
    assert (spy.calls, spy.whole, spy.turned) == (1, 0, 1)  # seen: the write was checked against the whole book
    assert git(repo, "status", "--porcelain") == " M accounts/6100.yaml\n"  # not swept into the commit
    assert verdict.known(root, verdict.tree_id(root)) is None
    account.write_text(text)
    assert run(repo, "validate").exit_code == 0
    (repo / ".gitignore").write_text("*.swp\n")
    commit_all(repo, "ignore editor files")
    assert run(repo, "validate").exit_code == 0
    (repo / "accounts" / ".6100.yaml.swp").write_text("an editor's swap file\n")
    statuses = _statuses_asked(monkeypatch)
    _post(repo)
    assert (spy.calls, spy.whole, spy.turned) == (2, 0, 1)  # git says the accounts are HEAD's: not turned
    assert ["accounts/"] in statuses
    assert verdict.known(root, verdict.tree_id(root)) is not None


def test_a_staged_edit_of_a_record_a_write_replaces_is_refused_though_its_file_is_heads(template, tmp_path,
                                                                                        monkeypatch):
    """A folder compared by content says nothing of git's index: a record the write rewrites whose
    edit is staged (its file put back as HEAD has it) is asked of `git diff` and refused, as it is
    when the folder is compared by `git status`: the user's staged edit is not overwritten."""
    for limit in (None, 0):
        repo = _copy(template, tmp_path / f"staged-{limit}", known=True)
        if limit is not None:
            monkeypatch.setattr(ondemand, "CONTENT_LIMIT", limit)
        lead = repo / "crm/leads/L-20261124-EVNH.yaml"
        text = lead.read_text()
        lead.write_text(text + "# staged by the user\n")
        git(repo, "add", lead.relative_to(repo).as_posix())
        lead.write_text(text)
        committed = head(repo)
        res = run(repo, "crm", "lead", "update", "L-20261124-EVNH", "--score", "55")
        assert res.exit_code == 1 and "[uncommitted-changes]" in res.stderr, res.output
        assert head(repo) == committed
        assert git(repo, "diff", "--cached", "--name-only") == "crm/leads/L-20261124-EVNH.yaml\n"


def test_the_purchasing_rule_checks_added_documents_as_the_full_rule_does(template):
    """The purchasing rule's delta (the documents a write adds and the orders they name) finds what
    the full rule finds in the book after: a receipt beyond its order, one naming no order."""
    import datetime as dt

    from comptoir.book.loader import load_book
    from comptoir.domain.purchasing.rules import purchasing_rules
    from comptoir.schemas.registry import kind_named

    book = load_book(find_root(str(template), None))
    assert purchasing_rules(book) == []
    first = book.of("receipt")["GR-20261124-AZC0"]  # 120 of the order's 200 (190 received net)
    over = first.model_copy(update={"id": "GR-20261128-OVER", "date": dt.date(2026, 11, 28)})
    stray = first.model_copy(update={"id": "GR-20261128-NOPO", "date": dt.date(2026, 11, 28),
                                     "order": "PO-20990101-NONE"})
    receipt = kind_named("receipt")
    for added in ([over], [stray], [over, stray]):
        after = book.with_records([(receipt, r) for r in added])
        change = validation.Change({"receipt": {r.id: r for r in added}}, frozenset(), False, book,
                                   {"receipt": {r.id: r for r in added}})
        got = sorted((p.code, p.message) for p in validation.check_change(after, change, validation.facts(book))
                     if p.code in ("over-receipt", "unknown-purchase-order"))
        full = sorted((p.code, p.message) for p in purchasing_rules(after))
        assert got == full and full, (added, got, full)


def test_the_purchasing_rule_checks_a_return_or_a_debit_note_through_its_delta_as_the_full_rule_does(template):
    """A supplier return or a debit note changes what its order counts as received or billed: the
    rule's delta checks that order again (not every document: the full rule read every receipt's
    moves), and finds what the full rule finds in the book after. The book before holds a receipt
    beyond its order; a return of part of it leaves the order over-received, found either way."""
    import datetime as dt

    from comptoir.book.loader import load_book
    from comptoir.domain.purchasing.rules import _purchasing_delta, purchasing_rules
    from comptoir.schemas.registry import kind_named

    book = load_book(find_root(str(template), None))
    first = book.of("receipt")["GR-20261124-AZC0"]  # 120 of PO-20261120-7SPE's 200 (190 received net)
    over = first.model_copy(update={"id": "GR-20261128-OVER", "date": dt.date(2026, 11, 28)})
    before = book.with_records([(kind_named("receipt"), over)])  # 310 received net: over the order
    back = before.of("supplier-return")["RT-20261126-ZFPQ"].model_copy(
        update={"id": "RT-20261128-BACK", "date": dt.date(2026, 11, 28)})  # 10 more back: still 300 of 200
    note = before.of("debit-note")["DEB-20261126-QZGE"].model_copy(
        update={"id": "DEB-20261128-NOTE", "date": dt.date(2026, 11, 28), "number": "CL-AV-042"})
    for kind, added in (("supplier-return", back), ("debit-note", note)):
        after = before.with_records([(kind_named(kind), added)])
        change = validation.Change({kind: {added.id: added}}, frozenset(), False, before, {kind: {added.id: added}})
        delta = _purchasing_delta(after, change)
        assert delta is not None  # checked through the delta, not the full rule
        full = sorted((p.code, p.message) for p in purchasing_rules(after))
        assert sorted((p.code, p.message) for p in delta) == full, (kind, delta, full)
        net = "300" if kind == "supplier-return" else "310"  # the return counts 10 fewer received
        assert [m for c, m in full if c == "over-receipt"] == [f"PO-20261120-7SPE line 1: {net} received, 200 ordered"]


@pytest.mark.parametrize("where", ["a month folder", "a new month folder", "ignored"])
def test_a_large_kind_compared_by_git_sees_an_untracked_file_though_git_is_asked_for_tracked_ones_only(
        template, tmp_path, monkeypatch, where):
    """A kind too large to compare by content is asked of `git status` for its tracked files only (git's
    look for untracked files hashes every path of its index first), and its folders' entries are
    counted against HEAD's trees: an unreadable move nobody committed, in a month folder or a new one,
    is still seen by a stock issue (refused, as the whole read refuses it); a file git ignores there
    is asked of git, which says the folder is HEAD's."""
    repo = _copy(template, tmp_path / "untracked", known=True)
    monkeypatch.setattr(ondemand, "CONTENT_LIMIT", 0)  # every kind compared by git, as in a large book
    if where == "ignored":
        (repo / ".gitignore").write_text("*.swp\n")
        commit_all(repo, "ignore editor files")
        assert run(repo, "validate").exit_code == 0
    spy = _Spy(monkeypatch)
    statuses = _statuses_asked(monkeypatch)
    name = {"a month folder": "stock/2026/10/MV-20261015-ZZZZ.yaml", "a new month folder": "stock/2027/01/MV-20270105-ZZZZ.yaml",
            "ignored": "stock/2026/10/.MV-20261015-ZZZZ.yaml.swp"}[where]
    (repo / name).parent.mkdir(parents=True, exist_ok=True)
    (repo / name).write_text("id: [unclosed\n")
    committed = head(repo)
    res = run(repo, "stock", "issue", "ESP-1K", "--qty", "2", "--warehouse", "ROASTERY", "--date", "2026-11-28")
    if where == "ignored":
        assert res.exit_code == 0, res.output
        assert (spy.calls, spy.whole, spy.turned) == (1, 0, 0)
        assert ["stock/"] in statuses  # the extra entry made the comparison ask git's whole answer
    else:
        assert res.exit_code == 1 and "[book-invalid]" in res.stderr and name in res.stderr, res.output
        assert (spy.calls, spy.turned) == (1, 1) and head(repo) == committed
    assert git(repo, "status", "--porcelain", "--untracked-files=all").count(name) == (0 if where == "ignored" else 1)


def test_folders_compared_together_name_an_untracked_file_beside_a_changed_tracked_one(template, tmp_path):
    """One status of several large folders (a sales order's journal and stock moves): a tracked
    entry edited in one and a move nobody committed in the other: both are named, so neither kind
    is taken for HEAD's (git's whole answer is asked when the counts differ, changed files or not)."""
    repo = _copy(template, tmp_path / "together", known=True)
    root = find_root(str(repo), None)
    entry = sorted((repo / "journal").rglob("*.yaml"))[0]
    entry.write_text(entry.read_text() + "# edited by hand\n")
    (repo / "stock" / "2026" / "10" / "SM-20261015-ZZZZ.yaml").write_text("id: [unclosed\n")
    changed = ondemand.compare(root, git(repo, "rev-parse", "HEAD").strip(), ["journal/", "stock/"])
    assert changed is not None
    assert entry.relative_to(repo).as_posix() in changed and "stock/2026/10/SM-20261015-ZZZZ.yaml" in changed
    assert ondemand.compare(root, git(repo, "rev-parse", "HEAD").strip(), ["stock/"]) == [
        "stock/2026/10/SM-20261015-ZZZZ.yaml"]


def test_a_clean_large_kind_is_compared_without_git_looking_for_untracked_files(template, tmp_path, monkeypatch):
    """When the folders hold exactly HEAD's entries, the one `git status` of `stock/` (and of each other
    kind, all compared by git here) skips the look for untracked files (`--untracked-files=no`), and no
    second status runs."""
    import subprocess

    repo = _copy(template, tmp_path / "clean", known=True)
    monkeypatch.setattr(ondemand, "CONTENT_LIMIT", 0)
    calls: list[list[str]] = []
    real = subprocess.Popen.__init__

    def counted(popen, args, *rest, **kwargs):
        if isinstance(args, list) and args[:1] == ["git"]:
            calls.append([a for a in args[1:] if a != "--no-optional-locks"])
        return real(popen, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "__init__", counted)
    res = run(repo, "stock", "issue", "ESP-1K", "--qty", "2", "--warehouse", "ROASTERY", "--date", "2026-11-28")
    assert res.exit_code == 0, res.output
    statuses = [c for c in calls if c[0] == "status"]
    stock = [s for s in statuses if s[s.index("--") + 1:] == ["stock/"]]
    assert len(stock) == 1 and all("--untracked-files=no" in s for s in statuses), statuses
