"""A folder's value made from its last tree's value and the files added since (partials.per_folder
with row_id) equals the value read afresh, whatever happened to the folder in between."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.app import partials
from comptoir.book.root import find_root
from comptoir.book.store import Derivation
from comptoir.schemas.registry import kind_named

from .conftest import _template, commit_all, copy_book, examples, git, write

FOLLOWED = Derivation("test-followed-memos", keep=400)
FRESH = Derivation("test-fresh-memos", keep=400)
MONTH = "journal/2026/11"


def _entry(ident: str, memo: str) -> str:
    return (f"id: {ident}\ndate: 2026-11-{int(ident[-2:]) % 28 + 1:02d}\nmemo: {memo}\npostings:\n"
            "  - account: '6100'\n    amount: 1.00\n  - account: '1010'\n    amount: -1.00\n")


def _memos(records: list) -> list:
    return [(r.id, r.memo) for r in records if not r.memo.startswith("skip")]  # at most one row per record


def _followed(book: Path) -> dict | None:
    return partials.per_folder(find_root(str(book)), kind_named("journal"), FOLLOWED, _memos, "HEAD", None,
                               row_id=lambda row: row[0])


def _fresh(book: Path) -> dict | None:
    return partials.per_folder(find_root(str(book)), kind_named("journal"), FRESH, _memos, "HEAD", None)


def _both(book: Path) -> tuple:
    return _followed(book), _fresh(book)


def test_a_folder_with_files_added_is_made_from_its_last_value_without_reading_it(book, monkeypatch):
    write(book, {f"{MONTH}/JE-20261101-AA{n:02d}.yaml": _entry(f"JE-20261101-AA{n:02d}", f"m{n}") for n in (1, 5, 9)})
    commit_all(book, "three")
    followed, fresh = _both(book)
    assert followed == fresh and [i for i, _ in followed[MONTH]] == [f"JE-20261101-AA{n:02d}" for n in (1, 5, 9)]
    write(book, {f"{MONTH}/JE-20261101-AA03.yaml": _entry("JE-20261101-AA03", "between"),
                 f"{MONTH}/notes.txt": "not a record\n"})
    commit_all(book, "one in the middle")
    read: list[str] = []
    real = partials.tree_records
    monkeypatch.setattr(partials, "tree_records", lambda *a, **k: read.append(a[1]) or real(*a, **k))
    followed = _followed(book)
    assert read == []  # no folder read: the month from its last value and the one file added
    assert followed == _fresh(book) and read.count(MONTH) == 1  # the fresh derivation read it
    assert [i for i, _ in followed[MONTH]] == [f"JE-20261101-AA{n:02d}" for n in (1, 3, 5, 9)]
    (book / MONTH / "JE-20261101-AA05.yaml").write_text(_entry("JE-20261101-AA05", "changed"))
    commit_all(book, "a change")
    read.clear()
    followed, fresh = _both(book)
    assert followed == fresh and read.count(MONTH) == 2  # a changed file: both read the folder


STEPS = st.lists(st.tuples(st.sampled_from(["add", "add-skipped", "change", "remove", "other-file", "back"]),
                           st.integers(min_value=0, max_value=30)), min_size=1, max_size=8)


@settings(max_examples=examples(10, 40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_random_histories_give_the_value_read_afresh(steps):
    """Files added (some giving no row), changed, removed, a file that is no record, a reset to an
    earlier commit: after each commit, the followed value is the fresh one."""
    folder = Path(tempfile.mkdtemp(prefix="comptoir-follow-"))
    try:
        book = folder / "book"
        copy_book(_template("", None)[0], book)
        commits = [git(book, "rev-parse", "HEAD").strip()]
        for what, n in steps:
            ident = f"JE-20261101-B{n:03d}"
            path = book / MONTH / f"{ident}.yaml"
            files = sorted((book / MONTH).glob("*.yaml")) if (book / MONTH).exists() else []
            if what in ("add", "add-skipped") and not path.exists():
                write(book, {f"{MONTH}/{ident}.yaml": _entry(ident, ("skip " if what == "add-skipped" else "") + str(n))})
            elif what == "change" and files:
                target = files[n % len(files)]
                target.write_text(_entry(target.stem, f"changed {n}"))
            elif what == "remove" and files:
                files[n % len(files)].unlink()
            elif what == "other-file":
                write(book, {f"{MONTH}/note{n}.txt": "x\n"})
            elif what == "back" and len(commits) > 1:
                git(book, "reset", "-q", "--hard", commits[n % len(commits)])
            git(book, "add", "-A")
            git(book, "commit", "-q", "--allow-empty", "-m", f"{what} {n}")
            commits.append(git(book, "rev-parse", "HEAD").strip())
            followed, fresh = _both(book)
            assert followed == fresh, steps
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_which_move_is_whose_comes_from_the_stock_reports_value_of_the_same_tree(book, monkeypatch):
    """A write that asks for one item's moves (a back-dated issue revalues the item's later moves)
    after the day's stock reports makes the month's (id, item) pairs from the stock report's
    value of the same tree, and follows the month from it after a write added a move: no month
    of moves is read again."""
    from comptoir.app import stock, stockreports
    from comptoir.book.store import Store
    from comptoir.model import Book

    from .conftest import run

    def ok(*args):
        res = run(book, *args)
        assert res.exit_code == 0, res.output
        return res

    ok("warehouse", "add", "ROAST", "Roastery")
    for sku in ("BEAN", "CUP"):
        ok("item", "add", sku, sku.title(), "--uom", "kg")
    for day, sku in (("2026-11-02", "BEAN"), ("2026-11-03", "CUP"), ("2026-11-04", "BEAN")):
        ok("stock", "receive", sku, "--qty", "10", "--unit-cost", "2.00", "--warehouse", "ROAST", "--date", day)
    ok("report", "stock-ledger")  # the stock reports' value of every month (stockreports.MOVES)
    root = find_root(str(book))
    month = git(book, "rev-parse", "HEAD:stock/2026/11").strip()
    assert Store.of(book).has(stockreports.MOVES, "stock/2026/11", month)
    assert not Store.of(book).has(stock.ITEM_MOVES, "stock/2026/11", month)
    ok("stock", "receive", "CUP", "--qty", "1", "--unit-cost", "2.00", "--warehouse", "ROAST", "--date", "2026-11-05")
    read: list[str] = []
    real = partials.tree_records
    monkeypatch.setattr(partials, "tree_records", lambda *a, **k: read.append(a[1]) or real(*a, **k))
    moves_of = stock.item_moves(root, Book(settings=None))
    assert sorted(m.qty for m in moves_of("CUP")) == [1, 10] and len(moves_of("BEAN")) == 2
    assert read == []  # the month followed from the report's value of its tree before the receipt
    fresh = partials.per_folder(root, kind_named("stock-move"), FRESH, lambda records: [(m.id, m.item) for m in records],
                                "HEAD", None)
    assert partials.per_folder(root, kind_named("stock-move"), stock.ITEM_MOVES, lambda records: [],
                               "HEAD", None) == fresh  # the pairs kept are those a read gives
