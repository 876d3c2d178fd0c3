"""The trial balance served from sums cached per journal folder equals the one read from every entry."""

from __future__ import annotations

import json

from comptoir.app import ledgerdays
from comptoir.book.loader import load_book
from comptoir.book.root import find_root
from comptoir.render import render
from comptoir.views.ledger import trial_balance_table as trial_balance

from .conftest import commit_all, git, run, write


def _post(book, day: str, amount: str, memo: str = "x") -> str:
    res = run(book, "journal", "post", "--date", day, "--memo", memo, "-p", "6100", amount, "-p", "1010")
    assert res.exit_code == 0, res.output
    return res.stdout.strip()


def _tb(book, *args: str) -> dict:
    res = run(book, "report", "trial-balance", "--format", "json", *args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _full(book, *args) -> dict:
    """The trial balance computed from every entry, the way it was before the cache."""
    loaded = load_book(find_root(str(book)))
    return json.loads(render(trial_balance(loaded, *args), "json"))


def _served(book) -> bool:
    root = find_root(str(book))
    scoped = load_book(root, kinds=("account", "rate"))
    return ledgerdays.attach(root, scoped, ledgerdays.Watch(str(book), None, None))


def test_cached_sums_give_the_same_trial_balance(book):
    import datetime as dt

    _post(book, "2026-10-05", "100.00")
    _post(book, "2026-11-05", "20.50")
    assert _served(book)
    assert _tb(book) == _full(book)
    assert _tb(book, "--period", "2026-11") == _full(book, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    _post(book, "2026-11-06", "5.00")  # one folder changes; the others come from the cache
    assert _tb(book)["totals"]["debit"] == "125.50"
    assert _tb(book) == _full(book)


def test_uncommitted_edit_is_read_from_disk_not_from_the_cache(book):
    """A dirty tree costs the folders it touches: those are read from the working tree (and kept
    nowhere), the others served from the store."""
    ident = _post(book, "2026-11-05", "20.00")
    _post(book, "2026-10-05", "7.00")
    assert _tb(book)["totals"]["debit"] == "27.00"
    path = book / f"journal/2026/11/{ident}.yaml"
    path.write_text(path.read_text().replace("20.00", "30.00"))
    assert _served(book)
    assert _tb(book)["totals"]["debit"] == "37.00"
    assert _tb(book) == _full(book)
    path.unlink()  # a deleted file, and a new month folder git does not know yet
    write(book, {"journal/2026/12/JE-20261201-ZZZZ.yaml":
                 "id: JE-20261201-ZZZZ\ndate: 2026-12-01\nmemo: new\npostings:\n"
                 "  - account: '6100'\n    amount: 2.00\n  - account: '1010'\n    amount: -2.00\n"})
    assert _served(book)
    assert _tb(book)["totals"]["debit"] == "9.00"
    assert _tb(book) == _full(book)
    # a rate not committed: every sum depends on the rates, so every folder is summed again at the
    # working tree's rates (kept under what those files hold), still a folder at a time
    assert run(book, "rate", "add", "USD", "0.9", "--date", "2026-01-01", "--no-commit").exit_code == 0
    assert _served(book)
    assert _tb(book) == _full(book)


def test_an_uncommitted_rate_values_the_served_sums(book):
    """An entry wholly in USD is valued at the rate table's rate on its day: 100.00 USD on
    2026-11-05 is 90.00 EUR at the committed 0.90, and 80.00 EUR once a 0.80 rate of 2026-11-01
    is written and not committed; the served trial balance says so, like the full read."""
    assert run(book, "rate", "add", "USD", "0.90", "--date", "2026-10-01").exit_code == 0
    write(book, {"journal/2026/11/JE-20261105-USD1.yaml":
                 "id: JE-20261105-USD1\ndate: 2026-11-05\nmemo: in dollars\npostings:\n"
                 "  - account: '6100'\n    amount: 100.00\n    currency: USD\n"
                 "  - account: '1010'\n    amount: -100.00\n    currency: USD\n"})
    commit_all(book)
    _post(book, "2026-10-05", "7.00")
    assert _served(book)
    assert _tb(book)["totals"]["debit"] == "97.00"  # 90.00 + 7.00
    assert run(book, "rate", "add", "USD", "0.80", "--date", "2026-11-01", "--no-commit").exit_code == 0
    assert _served(book)
    assert _tb(book)["totals"]["debit"] == "87.00"  # 80.00 + 7.00
    assert _tb(book) == _full(book)
    assert _served(book)  # the second time from the sums kept under the working tree's rates
    assert _tb(book) == _full(book)


def test_an_id_filed_twice_is_left_to_the_full_read(book):
    from comptoir.book.store import Store

    ident = _post(book, "2026-11-05", "20.00")
    assert _served(book)
    journal = git(book, "rev-parse", "HEAD:journal").strip()
    count = Store.of(book).get(ledgerdays.UNIQUE, journal)  # the committed journal's ids are unique: kept
    assert count == len(list(book.glob("journal/**/*.yaml")))
    assert _served(book)  # served again without a set of its ids
    text = (book / f"journal/2026/11/{ident}.yaml").read_text()
    write(book, {f"journal/2026/12/{ident}.yaml": text})
    assert not _served(book)  # dirty: its ids are counted, not looked up
    commit_all(book)
    assert not _served(book) and not _served(book)  # nor is a tree with an id twice kept as unique
    assert Store.of(book).get(ledgerdays.UNIQUE, git(book, "rev-parse", "HEAD:journal").strip()) is None
    assert _tb(book) == _full(book)


# The snapshot of a clean, committed book (cli/app/ledgersnap.py) -------------------------
RANGES = [(), ("--from", "2026-10-05"), ("--to", "2026-10-05"), ("--from", "2026-10-06", "--to", "2026-11-05"),
          ("--from", "2026-10-07", "--to", "2026-10-31"), ("--to", "2026-01-01"), ("--from", "2027-01-01"),
          ("--period", "2026-11"), ("--year", "2026"), ("--depth", "1"), ("--from", "2026-11-05", "--depth", "2")]


def _args_range(args: tuple) -> tuple:
    """The (start, end, depth) trial_balance takes for the command-line options in RANGES."""
    import datetime as dt

    opts = dict(zip(args[::2], args[1::2], strict=True))
    start = dt.date.fromisoformat(opts["--from"]) if "--from" in opts else None
    end = dt.date.fromisoformat(opts["--to"]) if "--to" in opts else None
    if "--period" in opts:
        y, m = (int(p) for p in opts["--period"].split("-"))
        start, end = dt.date(y, m, 1), (dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1))
    if "--year" in opts:  # the book's fiscal year starts on 01-01
        start, end = dt.date(int(opts["--year"]), 1, 1), dt.date(int(opts["--year"]), 12, 31)
    return start, end, int(opts["--depth"]) if "--depth" in opts else None


def _snapshot(book):
    """The snapshot the command would serve the working tree from (None: it reads the book)."""
    from comptoir.app import ledgersnap

    watch = ledgerdays.Watch(str(book), None, None)
    found = ledgersnap.lookup(watch)
    return found if watch.untouched() else None


def _same_as_full_read(book, served: bool) -> None:
    """Every range, in json and as the table people read, equals the report computed from every
    entry; `served` says whether the snapshot gives it (checked first, and by rendering it)."""
    assert (_snapshot(book) is not None) is served
    for args in RANGES:
        start, end, depth = _args_range(args)
        full = _full(book, start, end, depth)
        assert _tb(book, *args) == full, args
        table = run(book, "report", "trial-balance", *args)
        assert table.exit_code == 0 and table.stdout == render(trial_balance(load_book(find_root(str(book))),
                                                                             start, end, depth), "table")
        if served:
            assert json.loads(render(_snapshot(book).trial_balance(start, end, depth), "json")) == full, args


def _book_with_entries(book) -> None:
    _post(book, "2026-10-05", "100.00")
    _post(book, "2026-10-05", "0.10")
    _post(book, "2026-10-06", "7.5")
    _post(book, "2026-10-31", "-12.25")
    _post(book, "2026-11-05", "20.50")
    run(book, "journal", "post", "--date", "2026-11-20", "--memo", "sale", "-p", "1100", "300.00", "-p", "4010")


def test_snapshot_gives_the_full_reads_report_for_every_range(book):
    _book_with_entries(book)
    assert _snapshot(book) is None
    _tb(book)  # the first report reads the book and keeps the snapshot
    _same_as_full_read(book, served=True)
    assert _tb(book)["totals"]["debit"] == "440.35"


def test_a_hand_edit_is_read_from_the_working_tree_until_it_is_committed(book):
    _book_with_entries(book)
    ident = _post(book, "2026-11-06", "5.00")
    _tb(book)
    path = book / f"journal/2026/11/{ident}.yaml"
    path.write_text(path.read_text().replace("5.00", "6.00"))
    _same_as_full_read(book, served=False)
    assert _tb(book)["totals"]["debit"] == "446.35"
    rent = book / "accounts/6100.yaml"
    rent.write_text(rent.read_text().replace("name: Rent", "name: Office rent"))
    assert _snapshot(book) is None
    assert {r["account"]: r["name"] for r in _tb(book)["rows"]}["6100"] == "Office rent"
    commit_all(book)
    assert _snapshot(book) is None  # a new state: read once, then kept
    _tb(book)
    _same_as_full_read(book, served=True)
    assert {r["account"]: r["name"] for r in _tb(book)["rows"]}["6100"] == "Office rent"
    rent.write_text(rent.read_text().replace("Office rent", "Rent"))  # uncommitted again
    assert {r["account"]: r["name"] for r in _tb(book)["rows"]}["6100"] == "Rent"
    git(book, "checkout", "--", "accounts/6100.yaml")
    assert _snapshot(book) is not None
    assert {r["account"]: r["name"] for r in _tb(book)["rows"]}["6100"] == "Office rent"


def test_a_commit_of_accounts_or_settings_alone_is_a_new_state(book):
    _book_with_entries(book)
    _tb(book)
    rent = book / "accounts/6100.yaml"
    rent.write_text(rent.read_text().replace("name: Rent", "name: Office rent"))
    commit_all(book)
    assert _snapshot(book) is None
    assert {r["account"]: r["name"] for r in _tb(book)["rows"]}["6100"] == "Office rent"
    settings = book / "comptoir.yaml"
    settings.write_text(settings.read_text().replace("currency: EUR", "currency: USD"))
    commit_all(book)
    assert _snapshot(book) is None
    assert run(book, "report", "trial-balance").stdout.startswith("Trial balance (USD)")
    _same_as_full_read(book, served=True)


def test_an_untracked_or_staged_file_is_not_in_the_snapshot(book):
    _book_with_entries(book)
    ident = _post(book, "2026-11-06", "5.00")
    _tb(book)
    moved = (book / f"journal/2026/11/{ident}.yaml").read_text().replace(ident, "JE-HAND-1")
    write(book, {"journal/2026/11/JE-HAND-1.yaml": moved})
    assert _snapshot(book) is None
    assert _tb(book)["totals"]["debit"] == "450.35" == _full(book)["totals"]["debit"]
    git(book, "add", "journal/2026/11/JE-HAND-1.yaml")
    assert _snapshot(book) is None
    assert _tb(book) == _full(book)


def test_a_new_commit_is_reported_not_the_snapshot_before_it(book):
    _book_with_entries(book)
    _tb(book)
    before = _tb(book)
    _post(book, "2026-10-05", "1.00")
    after = _tb(book)
    assert after != before and after["totals"]["debit"] == "441.35"
    _same_as_full_read(book, served=True)
    git(book, "reset", "-q", "--hard", "HEAD~1")  # back to the state kept first: its snapshot serves it
    assert _snapshot(book) is not None
    assert _tb(book) == before == _full(book)


def test_a_commit_to_the_journal_updates_the_snapshot_by_its_files(book):
    _book_with_entries(book)
    ident = _post(book, "2026-11-06", "5.00")
    _tb(book)
    _post(book, "2026-12-01", "2.00")  # a file added: the snapshot is made from the one before
    _same_as_full_read(book, served=True)
    path = book / f"journal/2026/11/{ident}.yaml"
    path.write_text(path.read_text().replace("5.00", "6.50"))  # a file changed
    commit_all(book)
    _same_as_full_read(book, served=True)
    assert _tb(book)["totals"]["debit"] == "448.85"
    git(book, "rm", "-q", f"journal/2026/11/{ident}.yaml")  # a file removed
    commit_all(book)
    _same_as_full_read(book, served=True)
    assert _tb(book)["totals"]["debit"] == "442.35"


def test_a_committed_file_the_full_read_reports_is_never_in_a_snapshot(book):
    _book_with_entries(book)
    ident = _post(book, "2026-11-06", "5.00")
    _tb(book)
    text = (book / f"journal/2026/11/{ident}.yaml").read_text().replace("date: 2026-11-06", "date: 2026-12-01")
    write(book, {f"journal/2026/12/{ident}.yaml": text})  # its id twice, each filed by its date
    commit_all(book)
    assert _snapshot(book) is None
    assert _tb(book) == _full(book)
    git(book, "rm", "-q", f"journal/2026/12/{ident}.yaml")
    (book / "journal/2026/12").mkdir(exist_ok=True)
    (book / "journal/2026/12/JE-LINK.yaml").symlink_to(f"../11/{ident}.yaml")  # a link
    commit_all(book)
    assert _snapshot(book) is None
    assert _tb(book) == _full(book)
    git(book, "rm", "-q", "journal/2026/12/JE-LINK.yaml")
    write(book, {"journal/2026/12/JE-BAD.yaml": "id: JE-BAD\ndate: 2026-12-01\n"})  # invalid
    commit_all(book)
    assert _snapshot(book) is None
    assert _tb(book) == _full(book)


def test_a_new_rate_changes_the_snapshot_of_foreign_postings(book):
    assert run(book, "rate", "add", "USD", "0.90", "--date", "2026-10-01").exit_code == 0
    run(book, "journal", "post", "--date", "2026-10-20", "--memo", "usd", "-p", "6100", "100.00USD", "-p", "1010")
    _tb(book)
    assert _tb(book)["totals"]["debit"] == "90.00"
    assert run(book, "rate", "add", "USD", "0.95", "--date", "2026-10-15").exit_code == 0
    assert _snapshot(book) is None  # other rates: the book is read again
    assert _tb(book)["totals"]["debit"] == "95.00"
    _same_as_full_read(book, served=True)
    run(book, "journal", "post", "--date", "2026-10-21", "--memo", "usd", "-p", "6100", "33.33USD", "-p", "1010")
    _same_as_full_read(book, served=True)  # valued at the snapshot's rates
    assert _tb(book)["totals"]["debit"] == "126.66"


def test_a_deleted_or_damaged_snapshot_is_only_slower(book):
    import shutil

    from comptoir.app import ledgersnap

    _book_with_entries(book)
    _tb(book)
    folder = book / ".git" / "comptoir" / "store" / ledgersnap.SNAPSHOTS.what
    kept = list(folder.iterdir())
    assert len(kept) == 1
    kept[0].write_bytes(b"\x00not a snapshot")
    assert _snapshot(book) is None
    _same_as_full_read(book, served=False)
    shutil.rmtree(book / ".git" / "comptoir")
    _same_as_full_read(book, served=False)  # read from every entry; the first run keeps it again
    assert list(folder.iterdir())
    _same_as_full_read(book, served=True)


def _keep_after(book, change) -> bool:
    """Whether a snapshot is kept (of any state) when `change` happens after git answered,
    before the book is read."""
    from comptoir.app import ledgersnap

    folder = book / ".git" / "comptoir" / "store" / ledgersnap.SNAPSHOTS.what
    assert not folder.is_dir() or not list(folder.iterdir())
    root = find_root(str(book))
    watch = ledgerdays.Watch(str(book), None, None)
    assert watch.heads() is not None and watch.untouched()
    change()
    scoped = load_book(root, kinds=("account", "rate"))
    assert ledgerdays.attach(root, scoped, watch)
    ledgersnap.keep(root, scoped, watch)
    return folder.is_dir() and bool(list(folder.iterdir()))


def test_what_changes_while_the_book_is_read_is_never_kept(book):
    _book_with_entries(book)
    rent = book / "accounts/6100.yaml"
    assert not _keep_after(book, lambda: rent.write_text(rent.read_text().replace("Rent", "Office rent")))
    git(book, "checkout", "--", "accounts/6100.yaml")
    assert not _keep_after(book, lambda: _post(book, "2026-10-05", "1.00"))
    assert _keep_after(book, lambda: None)
    assert _tb(book) == _full(book)


def test_a_write_makes_the_next_snapshot_itself(book):
    """journal post derives HEAD's snapshot after its commit, so the next report only reads it."""
    _book_with_entries(book)
    _tb(book)  # keeps the first snapshot
    _post(book, "2026-12-02", "3.00")
    journal = git(book, "rev-parse", "HEAD:journal").strip()
    from comptoir.app.ledgersnap import SNAPSHOTS
    from comptoir.book.store import Store

    kept = [value for value in Store.of(book).recent(SNAPSHOTS, 10) if value["journal"] == journal]
    assert len(kept) == 1
    _same_as_full_read(book, served=True)


def _month_values(book, folder: str) -> tuple:
    """(DAYS value, ROWS unpacked) of a journal folder at HEAD, as the store keeps them."""
    from comptoir.book.store import Store, unpack

    root = find_root(str(book))
    trees = git_subtrees(book)
    rates = ledgerdays.rates_key(trees, [root.prefix + "rates"])
    store = Store.of(root.path)
    path = root.prefix + folder
    days = store.get(ledgerdays.DAYS, path, trees[path], "EUR", rates)
    rows = store.get(ledgerdays.ROWS, path, trees[path], "EUR", rates)
    return days, None if rows is None else {a: unpack(r) for a, r in rows.items()}


def git_subtrees(book) -> dict:
    from comptoir.book import git as git_module

    root = find_root(str(book))
    return git_module.subtrees(root.top, "HEAD", root.prefix + "journal", root.prefix + "rates")


def _afresh(book, folder: str) -> tuple:
    """The folder's value summed from its files now (what a report would keep)."""
    from comptoir.app.partials import tree_records
    from comptoir.schemas.registry import kind_named

    root = find_root(str(book))
    trees = git_subtrees(book)
    loaded = load_book(root, kinds=("account", "rate"))
    value, by_account = ledgerdays._folder_sums(root.top, trees[root.prefix + folder], folder, loaded,
                                               kind_named("journal"))
    assert tree_records  # the function a fresh sum reads the files with
    return value, {a: [tuple(r) for r in rows] for a, rows in by_account.items()}


def _no_folder_read(patch) -> None:
    """Make reading a journal folder's files fail (what a kept value spares)."""
    from comptoir.app import partials

    def no_reading(*args, **kwargs):
        raise AssertionError("a journal folder read again")

    patch.setattr(partials, "tree_records", no_reading)
    patch.setattr(ledgerdays, "tree_records", no_reading)


def test_a_write_keeps_the_sums_and_rows_of_the_months_it_posted_to(book, monkeypatch):
    """After a post, the month it posted to (and a month it starts) have their sums and rows kept
    under the new tree, made from the old ones and the new entry: equal to summing the month
    afresh, so the next command reads no journal file; reports equal the full read."""

    for day, amount in (("2026-11-05", "20.00"), ("2026-11-09", "3.10"), ("2026-11-02", "7.00"),
                        ("2026-10-05", "100.00")):
        _post(book, day, amount)
    assert run(book, "report", "ledger", "1010").exit_code == 0  # the months' sums and rows kept
    _post(book, "2026-11-07", "5.25", "between the others")  # a file in the middle of the month's
    _post(book, "2026-12-01", "1.00", "a new month")
    for folder in ("journal/2026/11", "journal/2026/12"):
        kept, fresh = _month_values(book, folder), _afresh(book, folder)
        assert kept[0] == fresh[0], folder
        assert {a: [tuple(r) for r in rows] for a, rows in kept[1].items()} == fresh[1], folder

    with monkeypatch.context() as m:
        _no_folder_read(m)
        served = run(book, "report", "ledger", "1010", "--format", "json")
        assert served.exit_code == 0, served.output
        assert _tb(book) == _full(book)
    with monkeypatch.context() as m:  # the full read's ledger: nothing kept
        m.setattr(ledgerdays, "attach", lambda *a, **k: False)
        full = run(book, "report", "ledger", "1010", "--format", "json")
    assert json.loads(served.stdout) == json.loads(full.stdout)


def test_a_changed_or_removed_entry_leaves_its_month_to_be_summed_again(book):
    """A write that changes a file of a month keeps nothing for it (summed when next asked)."""
    ident = _post(book, "2026-11-05", "20.00")
    assert _tb(book) == _full(book)
    res = run(book, "journal", "reverse", ident, "--date", "2026-11-06")
    assert res.exit_code == 0, res.output
    assert _tb(book) == _full(book)
    days, rows = _month_values(book, "journal/2026/11")
    fresh = _afresh(book, "journal/2026/11")
    assert days == fresh[0]


def test_a_book_in_a_folder_of_its_repository_keeps_its_months_over_other_writes(tmp_path, monkeypatch):
    """The months' sums are keyed by the rate folders' trees, not by the book's own folder (whose
    id changes with every commit): after a write that posts nothing, no journal folder is read."""

    top = tmp_path / "company"
    top.mkdir()
    git(top, "init", "-q")
    write(top, {"README": "ours\n"})
    commit_all(top)
    res = run(None, "init", str(top / "books"), "--company", "Sub", "--currency", "EUR", "--no-fsmonitor")
    assert res.exit_code == 0, res.output
    books = top / "books"
    for day in ("2026-10-05", "2026-11-05"):
        _post(books, day, "10.00")
    before = run(books, "report", "ledger", "1010", "--format", "json")  # the months' rows kept
    assert before.exit_code == 0, before.output
    res = run(books, "partner", "add", "Someone", "--role", "customer")
    assert res.exit_code == 0, res.output

    with monkeypatch.context() as m:
        _no_folder_read(m)
        after = run(books, "report", "ledger", "1010", "--format", "json")
        assert after.exit_code == 0, after.output
    assert json.loads(after.stdout)["rows"] == json.loads(before.stdout)["rows"]
