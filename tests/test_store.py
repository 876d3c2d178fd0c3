"""The one derived-data store: keys follow the code and the git ids of the inputs, damaged or
foreign files are only slower, branches share what they have in common, and nothing is
invalidated by hand."""

from __future__ import annotations

import json
import shutil

import pytest

from comptoir.book import codeversion, store
from comptoir.book.store import FORMAT, Derivation, Store

from .conftest import git, run

STORE = (".git", "comptoir", "store")


def ok(book, *args):
    res = run(book, *args)
    assert res.exit_code == 0, res.output
    return res


def test_a_change_to_any_source_file_changes_the_code_version_and_every_key(tmp_path, monkeypatch):
    copies = []
    for i, path in enumerate(codeversion.source_files()):
        copy = tmp_path / f"{i}" / path.name
        copy.parent.mkdir()
        copy.write_bytes(path.read_bytes())
        copies.append(copy)
    assert len(copies) > 50 and any(p.name == "yamlread.py" for p in copies)  # the parse code too
    monkeypatch.setattr(codeversion, "source_files", lambda: copies)
    codeversion.code_version.cache_clear()
    try:
        before = codeversion.code_version()
        key = store.key("parse", ("journal/a", "blob"))
        seen = {before}
        for copy in copies:
            original = copy.read_bytes()
            copy.write_bytes(original + b"\n# one more line\n")
            codeversion.code_version.cache_clear()
            changed = codeversion.code_version()
            assert changed not in seen, copy.name
            assert store.key("parse", ("journal/a", "blob")) != key
            seen.add(changed)
            copy.write_bytes(original)
        codeversion.code_version.cache_clear()
        assert codeversion.code_version() == before
    finally:
        codeversion.code_version.cache_clear()


def test_store_keeps_one_file_per_key_and_trims_the_oldest(tmp_path):
    kept = Store(tmp_path)
    small = Derivation("thing", keep=3)
    folder = tmp_path / "thing"
    for n in range(11):  # a folder may grow past `keep` by max(8, keep/10) before it is trimmed:
        kept.put(small, (f"tree{n}",), {"n": n})  # trimming after every put made a cold read quadratic
    assert len(list(folder.iterdir())) == 11
    kept.put(small, ("tree11",), {"n": 11})  # one past the slack: trimmed to the newest three
    assert len(list(folder.iterdir())) == 3
    assert kept.get(small, "tree11") == {"n": 11} and kept.get(small, "tree0") is None
    assert [v["n"] for v in kept.recent(small, 10)] == [11, 10, 9]
    kept.put(small, ("tree11",), {"n": 12})  # the same key again: still one file for it
    assert len(list(folder.iterdir())) == 3 and kept.get(small, "tree11") == {"n": 12}


def test_truncated_corrupt_or_foreign_files_are_ignored(tmp_path):
    kept = Store(tmp_path)
    what = Derivation("thing", keep=10)
    kept.put(what, ("a",), {"value": "A" * 100})
    kept.put(what, ("b",), {"value": "B"})
    path_a = tmp_path / "thing" / store.key("thing", ("a",))
    path_b = tmp_path / "thing" / store.key("thing", ("b",))
    good = path_a.read_bytes()
    assert good.startswith(FORMAT)
    path_a.write_bytes(good[: len(good) // 2])  # truncated
    assert kept.get(what, "a") is None
    path_a.write_bytes(b"\x00\xff garbage")  # not ours at all
    assert kept.get(what, "a") is None
    path_a.write_bytes(path_b.read_bytes())  # another key's (sound) file under this name
    assert kept.get(what, "a") is None
    kept.put(what, ("a",), {"value": "again"})  # computed again: rewritten whole
    assert kept.get(what, "a") == {"value": "again"}


@pytest.fixture
def stocked(book):
    ok(book, "warehouse", "add", "ROAST", "Roastery")
    ok(book, "warehouse", "add", "SHOP", "Shop")
    ok(book, "item", "add", "BEAN", "Green beans", "--uom", "kg")
    ok(book, "stock", "receive", "BEAN", "--qty", "100", "--unit-cost", "8.20", "--warehouse", "ROAST",
       "--date", "2026-09-01")
    ok(book, "stock", "transfer", "BEAN", "--qty", "20", "--from", "ROAST", "--to", "SHOP", "--date", "2026-11-01")
    return book


def _on_hand(book) -> dict:
    rows = json.loads(ok(book, "stock", "available", "--format", "json").stdout)["rows"]
    return {(r["item"], r["warehouse"]): r["on_hand"] for r in rows}


def test_every_damaged_store_file_is_ignored_and_rebuilt(stocked, monkeypatch):
    ok(stocked, "journal", "post", "--date", "2026-11-05", "--memo", "Rent", "-p", "6100", "900", "-p", "1010")
    ok(stocked, "validate")
    tb = ok(stocked, "report", "trial-balance", "--format", "csv").stdout
    hand = {("BEAN", "ROAST"): "80", ("BEAN", "SHOP"): "20"}
    assert _on_hand(stocked) == hand
    folder = stocked.joinpath(*STORE)
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert {p.parent.name for p in files} >= {"parse", "verdict", "ledger-days", "tb-snapshot", "stock-levels",
                                              "answer"}
    for n, path in enumerate(files):
        data = path.read_bytes()
        path.write_bytes((data[: len(data) // 2], b"garbage", files[(n + 1) % len(files)].read_bytes())[n % 3])
    assert ok(stocked, "report", "trial-balance", "--format", "csv").stdout == tb
    assert _on_hand(stocked) == hand
    ok(stocked, "validate")  # parses every file again and keeps the results afresh
    from comptoir.book import loader

    parsed = []
    monkeypatch.setattr(loader, "parse_bytes", lambda data: parsed.append(data) or ())
    ok(stocked, "validate")
    assert parsed == []  # every parse result came from a rebuilt store file


def test_a_stock_move_needs_no_extra_call_for_availability_to_be_right(stocked, monkeypatch):
    monkeypatch.setenv("COMPTOIR_ANSWER_CACHE", "0")  # the levels themselves, not a remembered answer
    assert _on_hand(stocked) == {("BEAN", "ROAST"): "80", ("BEAN", "SHOP"): "20"}
    ok(stocked, "stock", "receive", "BEAN", "--qty", "5", "--unit-cost", "9", "--warehouse", "SHOP",
       "--date", "2026-11-20")
    assert _on_hand(stocked) == {("BEAN", "ROAST"): "80", ("BEAN", "SHOP"): "25"}
    # git alone (no comptoir command at all) takes the receipt back out: still right
    git(stocked, "revert", "--no-edit", "HEAD")
    assert _on_hand(stocked) == {("BEAN", "ROAST"): "80", ("BEAN", "SHOP"): "20"}


def test_two_branches_share_the_derived_values_of_the_folders_they_have_in_common(book, tmp_path, monkeypatch):
    from comptoir.app import ledgerdays

    # each month summed when a report asks (a write keeps those it posts to: tests/test_ledger_days.py)
    monkeypatch.setattr(ledgerdays, "follow", lambda *args, **kwargs: None)

    for month in ("09", "10", "11"):
        ok(book, "journal", "post", "--date", f"2026-{month}-05", "--memo", "Rent", "-p", "6100", "900", "-p", "1010")
    summed: list[str] = []
    real = ledgerdays._folder_sums

    def counting(top, tree, folder, *args, **kwargs):
        summed.append(folder)
        return real(top, tree, folder, *args, **kwargs)

    monkeypatch.setattr(ledgerdays, "_folder_sums", counting)
    main_tb = ok(book, "report", "trial-balance", "--year", "2026", "--format", "csv").stdout  # not the snapshot
    assert {"journal/2026/09", "journal/2026/10", "journal/2026/11"} <= set(summed)
    other = tmp_path / "other"
    git(book, "worktree", "add", "-q", "-b", "december", str(other))
    ok(other, "journal", "post", "--date", "2026-12-05", "--memo", "Rent", "-p", "6100", "900", "-p", "1010")
    summed.clear()
    ok(other, "report", "trial-balance", "--year", "2026", "--format", "csv")
    # the month folders both branches hold were summed once, on main: only what differs is new
    assert not {"journal/2026/09", "journal/2026/10", "journal/2026/11"} & set(summed)
    assert "journal/2026/12" in summed
    assert ok(book, "report", "trial-balance", "--year", "2026", "--format", "csv").stdout == main_tb
    shutil.rmtree(other)
