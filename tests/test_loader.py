"""The read path: YAML safety, exact decimals, both parsers agree, the cache changes nothing."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal

import pytest

from comptoir.book import yamlread, yamlwrite
from comptoir.book.loader import load_book
from comptoir.book.root import find_root
from comptoir.schemas.accounting import JournalEntry

from .conftest import commit_all, git, head, run, write

ENTRY = """
id: JE-20261105-AAAA
date: 2026-11-05
memo: Rent
postings:
  - account: '6100'
    amount: {amount}
  - account: '1010'
    amount: -1200.00
"""


def _entry(amount: str = "1200.00") -> str:
    return ENTRY.format(amount=amount)


@pytest.mark.parametrize("text", ["12.50", '"12.50"', "'12.50'"])
def test_amounts_are_exact_decimals_from_the_text(text):
    value = yamlread.parse(f"amount: {text}\n")["amount"]
    assert value == "12.50"
    from comptoir.schemas.types import to_decimal

    assert to_decimal(value) == Decimal("12.50") and str(to_decimal(value)) == "12.50"


def test_yaml_1_2_meaning_of_plain_scalars():
    data = yamlread.parse("a: no\nb: off\nc: 010\nd: 12:30\ne: true\nf: ~\ng: yes\n")
    assert data == {"a": "no", "b": "off", "c": "010", "d": "12:30", "e": True, "f": None, "g": "yes"}


def test_point_one_plus_point_two_is_point_three(book):
    res = run(book, "journal", "post", "--date", "2026-11-05", "--memo", "sum",
              "-p", "1010", "0.1", "-p", "1010", "0.2", "-p", "4010", "-0.3")
    assert res.exit_code == 0, res.output
    tb = json.loads(run(book, "report", "trial-balance", "--format", "json").stdout)
    assert next(r for r in tb["rows"] if r["account"] == "1010")["debit"] == "0.30"


BAD_FILES = [
    ("amount: .nan", "invalid-value"),
    ("amount: .inf", "invalid-value"),
    ("amount: 1.2e3", "invalid-value"),
    ("amount: 12.505", "too-many-places"),
    ("amount: !!float 12.5", "yaml-tag"),
    ("amount: &a 12.50", "yaml-anchor"),
]


@pytest.mark.parametrize(("amount_line", "code"), BAD_FILES)
def test_bad_amounts_are_errors_with_file_and_line(book, amount_line, code):
    text = _entry().replace("amount: 1200.00", amount_line)
    write(book, {"journal/2026/11/JE-20261105-AAAA.yaml": text})
    res = run(book, "validate")
    assert res.exit_code == 1
    assert f"journal/2026/11/JE-20261105-AAAA.yaml:6: error [{code}]" in res.stderr, res.stderr


@pytest.mark.parametrize(("text", "line", "code"), [
    ("id: JE-20261105-AAAA\nid: JE-20261105-AAAB\n", 2, "duplicate-key"),
    ("base: &b {memo: x}\nother: *b\n", 1, "yaml-anchor"),
    ("<<: {memo: x}\n", 1, "yaml-merge"),
    ("id: [unclosed\n", 2, "yaml-syntax"),
    ("id: a\n---\nid: b\n", 2, "yaml-multi-document"),
    ("", 1, "empty-file"),
    ("- just\n- a list\n", 1, "not-a-mapping"),
])
def test_unsafe_or_broken_yaml_is_an_error_with_its_line(book, text, line, code):
    write(book, {"journal/2026/11/JE-20261105-AAAA.yaml": text})
    res = run(book, "validate", "--format", "json")
    assert res.exit_code == 1
    errors = json.loads(res.stdout)["errors"]
    assert {"file": "journal/2026/11/JE-20261105-AAAA.yaml", "line": line, "code": code} in [
        {k: e[k] for k in ("file", "line", "code")} for e in errors], errors


def test_wrong_type_unknown_field_and_id_mismatch(book):
    write(book, {
        "journal/2026/11/JE-20261105-AAAA.yaml": _entry().replace("memo: Rent", "memo: Rent\ncolour: blue"),
        "journal/2026/11/JE-20261105-BBBB.yaml": _entry().replace("date: 2026-11-05", "date: someday")
                                                          .replace("AAAA", "BBBB"),
        "journal/2026/11/JE-20261105-CCCC.yaml": _entry(),
    })
    res = run(book, "validate")
    assert res.exit_code == 1
    assert "JE-20261105-AAAA.yaml:4: error [unknown-field] colour" in res.stderr
    assert "JE-20261105-BBBB.yaml:2: error [invalid-value] date" in res.stderr
    assert "JE-20261105-CCCC.yaml:1: error [id-mismatch]" in res.stderr


def test_all_problems_are_collected_not_just_the_first(book):
    write(book, {
        "journal/2026/11/JE-20261105-AAAA.yaml": _entry("1000.00"),
        "journal/2026/11/JE-20261105-BBBB.yaml": _entry().replace("'6100'", "'9999'").replace("AAAA", "BBBB"),
    })
    res = run(book, "validate", "--format", "json")
    codes = sorted(e["code"] for e in json.loads(res.stdout)["errors"])
    assert codes == ["unbalanced", "unknown-account"]


def test_ids_cannot_escape_the_data_root(book, tmp_path):
    batch = tmp_path / "b.yaml"
    batch.write_text("- id: ../../../etc/evil\n  date: 2026-11-05\n  memo: x\n  postings:\n"
                     "    - {account: '1010', amount: 1}\n    - {account: '4010', amount: -1}\n")
    before = head(book)
    res = run(book, "journal", "post", "--file", batch)
    assert res.exit_code == 1
    assert "id:" in res.stderr and "b.yaml:1:" in res.stderr
    assert head(book) == before
    assert not (tmp_path / "etc").exists() and git(book, "status", "--porcelain") == ""


def test_float_never_reaches_a_record():
    with pytest.raises(ValueError):
        JournalEntry.model_validate({"id": "JE-1", "date": "2026-11-05", "memo": "x", "postings": [
            {"account": "1", "amount": 0.1}, {"account": "2", "amount": -0.1}]})


def test_hand_edited_file_loads_exactly_like_a_cli_written_one(book):
    res = run(book, "journal", "post", "--date", "2026-11-05", "--memo", "Rent", "--reference", "no",
              "-p", "6100", "1200.00", "-p", "1010", "-1200.00")
    ident = res.stdout.strip()
    cli_path = book / f"journal/2026/11/{ident}.yaml"
    hand = ("# typed by hand\nid: JE-20261105-HAND\ndate: 2026-11-05\nmemo: \"Rent\"\nreference: no\n"
            "postings:\n- {account: 6100, amount: \"1200.00\"}\n- account: '1010'\n  amount: -1200.00  # bank\n")
    write(book, {"journal/2026/11/JE-20261105-HAND.yaml": hand})
    loaded = load_book(find_root(str(book)))
    a, b = loaded.entries[ident], loaded.entries["JE-20261105-HAND"]
    assert a.model_dump(exclude={"id"}) == b.model_dump(exclude={"id"})
    # the fast read path and ruamel's round-trip path give the same values for both files
    for text in (cli_path.read_text(), hand):
        assert yamlread.parse(text) == yamlwrite.read_plain_roundtrip(text)


def test_cli_written_record_round_trips_byte_for_byte(book):
    ident = run(book, "journal", "post", "--date", "2026-11-05", "--memo", "Rent: 12.50 no", "--reference", "010",
                "-p", "6100", "1200.00", "-p", "1010", "-1200.00").stdout.strip()
    path = book / f"journal/2026/11/{ident}.yaml"
    text = path.read_text()
    entry = JournalEntry.model_validate(yamlread.parse(text))
    from comptoir.book.writer import record_text
    from comptoir.schemas.registry import kind_named

    assert record_text(kind_named("journal"), entry) == text
    assert entry.memo == "Rent: 12.50 no" and entry.reference == "010"


def test_editing_one_field_changes_one_line():
    text = "# note\nid: X\nmemo: old  # keep\nlock_date: 2026-01-31\namount: 12.50\n"
    out = yamlwrite.edit(text, {"memo": "new"})
    changed = [(a, b) for a, b in zip(text.splitlines(), out.splitlines(), strict=True) if a != b]
    assert changed == [("memo: old  # keep", "memo: new  # keep")]


def test_cache_hit_and_miss_give_identical_books(book):
    for i in range(3):
        run(book, "journal", "post", "--date", f"2026-11-0{i + 1}", "--memo", f"e{i}",
            "-p", "6100", f"{i + 1}0.00", "-p", "1010")
    root = find_root(str(book))
    cache = git(book, "rev-parse", "--git-common-dir").strip()
    store = book / cache / "comptoir" / "store" / "parse"
    shutil.rmtree(store, ignore_errors=True)
    cold = load_book(root)
    assert any(store.iterdir())
    warm = load_book(root)
    assert cold.records == warm.records
    # a hand edit (not yet committed) is picked up, not served stale from the cache
    ident = sorted(warm.entries)[0]
    path = book / warm.source("journal", ident)
    path.write_text(path.read_text().replace("memo: e0", "memo: edited"))
    assert load_book(root).entries[ident].memo == "edited"


def test_book_in_a_subfolder_of_a_repository(tmp_path):
    repo = tmp_path / "project"
    repo.mkdir()
    git(repo, "init", "-q")
    write(repo, {"README.md": "project\n"})
    commit_all(repo, "start")
    res = run(None, "init", repo / "books", "--company", "Sub")
    assert res.exit_code == 0, res.output
    assert git(repo, "log", "-1", "--format=%s").strip() == "Start the books of Sub"
    res = run(None, "journal", "post", "--date", "2026-11-05", "--memo", "x", "-p", "6100", "5", "-p", "1010",
              cwd=repo / "books" / "accounts")
    assert res.exit_code == 0, res.output
    names = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert names == [f"books/journal/2026/11/{res.stdout.strip()}.yaml"]


def test_as_of_reads_a_revision_without_touching_the_working_tree(book):
    run(book, "journal", "post", "--date", "2026-11-05", "--memo", "a", "-p", "6100", "10", "-p", "1010")
    first = head(book)
    run(book, "journal", "post", "--date", "2026-11-06", "--memo", "b", "-p", "6100", "5", "-p", "1010")
    old = json.loads(run(book, "report", "trial-balance", "--as-of", first, "--format", "json").stdout)
    assert old["totals"]["debit"] == "10.00" and old["as_of"].startswith("commit ")
    now = json.loads(run(book, "report", "trial-balance", "--format", "json").stdout)
    assert now["totals"]["debit"] == "15.00"


def test_the_parallel_parse_gives_each_file_its_result_in_order(monkeypatch):
    """On two or more cores a large read is parsed by a pool, a job per worker and one more ahead
    of the records built (never every result queued at once), the tasks taken off the queue as
    they are sent: each file's result, in the order given, as one process parses them."""
    import os
    from collections import deque
    from pathlib import Path

    from comptoir.book import loader

    demo = Path(__file__).resolve().parent.parent / "ledger-data"
    files = sorted(str(p.relative_to(demo)) for p in demo.rglob("*.yaml")) * 2  # 6 jobs of 200 or more
    tasks = [(None, rel, None) for rel in files]
    alone = loader._parse_chunk((None, str(demo), tasks))
    monkeypatch.setattr(loader, "PARALLEL_THRESHOLD", 10)
    monkeypatch.setattr(loader, "PARSE_CHUNK", 200)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    queue = deque(tasks)
    got = []
    for i, found in enumerate(loader._parse_all(queue, None, None, str(demo))):
        got.append(found)
        assert len(queue) >= len(files) - (i // 200 + 1 + 2) * 200  # this job, and two more at most
    assert got == list(zip(files, alone, strict=True))
    assert not queue
    queue = deque(tasks)  # one core: the same results, a job at a time
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    got = []
    for i, found in enumerate(loader._parse_all(queue, None, None, str(demo))):
        got.append(found)
        assert len(queue) >= len(files) - (i // 200 + 1) * 200
    assert got == list(zip(files, alone, strict=True))
    assert len(alone) == len(files) > 1000


def test_parse_results_of_a_released_folder_are_kept_and_let_go(tmp_path):
    """Parsed.release saves a read folder's parse results to the store and drops its blob ids
    (48 MB at 570,000 files, held the whole read before); the other folders are untouched, and
    what is asked of a released folder afterwards finds nothing rather than failing."""
    from comptoir.book.loader import Parsed
    from comptoir.book.store import Store

    files = {"journal/2026/01/JE-20260101-AAAA.yaml": "a" * 40, "journal/2026/01/JE-20260102-BBBB.yaml": "b" * 40,
             "journal/2026/02/JE-20260201-CCCC.yaml": "c" * 40}
    store = Store(tmp_path / "store")
    parsed = Parsed(store, files)
    for rel, blob in files.items():
        assert not parsed.stored(rel, blob)
        parsed.put(rel, blob, rel.encode())
    parsed.release("journal", "journal/2026/01")
    assert [b for b in parsed.members if b[1] == "journal/2026/01"] == []
    assert parsed.get("journal/2026/01/JE-20260101-AAAA.yaml", "a" * 40) is None
    assert not parsed.stored("journal/2026/01/JE-20260101-AAAA.yaml", "a" * 40)
    assert parsed.get("journal/2026/02/JE-20260201-CCCC.yaml", "c" * 40) == b"journal/2026/02/JE-20260201-CCCC.yaml"
    again = Parsed(store, files)  # the released folder's results were saved; the other's not yet
    assert again.stored("journal/2026/01/JE-20260102-BBBB.yaml", "b" * 40)
    assert again.get("journal/2026/01/JE-20260102-BBBB.yaml", "b" * 40) == b"journal/2026/01/JE-20260102-BBBB.yaml"
    assert not again.stored("journal/2026/02/JE-20260201-CCCC.yaml", "c" * 40)
    parsed.save()
    assert Parsed(store, files).stored("journal/2026/02/JE-20260201-CCCC.yaml", "c" * 40)
