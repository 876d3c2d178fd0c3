"""The hostile corpus (issue 15.8): hand-edited and broken records, hostile command-line values,
batch files, odd names and paths, symlinks and git's own states. Every case asserts the exit
code, a message naming the file and line (or the field or option), and that nothing was
written beyond what a successful command writes. Plus hypothesis fuzzing of the YAML reader
and the amount parsers against their specifications."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.book import yamlread
from comptoir.domain.posting import parse_amount
from comptoir.errors import ComptoirError
from comptoir.schemas.types import (
    MAX_BATCH,
    MAX_INTEGER_DIGITS,
    MAX_LIST_ITEMS,
    MAX_PLACES,
    to_decimal,
)
from tests.conftest import files_in_commit, from_template, git, head, run

ENTRY = "journal/2026/11/JE-20261103-AAAA.yaml"


def _build(book: Path, scratch: Path) -> None:
    for args in (("partner", "add", "Café Lumière", "--email", "bonjour@cafe-lumiere.fr"),
                 ("warehouse", "add", "MAIN", "Main store"),
                 ("item", "add", "BLEND-1K", "Bistrot blend", "--price", "26.00"),
                 ("journal", "post", "--date", "2026-11-02", "--memo", "Beans", "-p", "6100", "12.50", "-p", "1010")):
        res = run(book, *args)
        assert res.exit_code == 0, res.output


@pytest.fixture
def hb(book: Path) -> Path:
    """A small book: the starter chart, a partner, an item and one entry (copied per test)."""
    from_template(book, "hostile", _build)
    return book


def snapshot(book: Path) -> tuple:
    """HEAD, the index and every file of the working tree (git's and comptoir's caches aside)."""
    files = {}
    for path in sorted(book.rglob("*")):
        rel = path.relative_to(book).as_posix()
        if rel == ".git" or rel.startswith(".git/"):
            continue
        if path.is_symlink():
            files[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            files[rel] = hashlib.sha1(path.read_bytes()).hexdigest()
    return head(book), git(book, "ls-files", "-s"), tuple(files.items())


def refused(book: Path, before: tuple, res, code: int, *needles: str) -> None:
    assert res.exit_code == code, res.output
    assert "Traceback" not in res.output and "internal error" not in res.output
    for needle in needles:
        assert re.search(needle, res.stderr), f"{needle!r} not in {res.stderr!r}"
    assert snapshot(book) == before


def landed(book: Path, before_head: str, res, *files: str) -> None:
    """Exactly one new commit holding exactly `files`, and a clean tree."""
    assert res.exit_code == 0, res.output
    assert git(book, "rev-list", "--count", f"{before_head}..HEAD").strip() == "1"
    assert files_in_commit(book) == sorted(files)
    assert git(book, "status", "--porcelain") == ""


# == 1. hand-edited records: validate names the file, the line and the problem ======================

ACC = "accounts/9000.yaml"
GOOD_ACCOUNT = b"code: '9000'\nname: Suspense\ntype: asset\n"


def entry(amount: str = "'5.00'", extra: str = "") -> bytes:
    return (f"id: JE-20261103-AAAA\ndate: 2026-11-03\nmemo: hand edit\npostings:\n"
            f"- account: '6100'\n  amount: {amount}\n- account: '1010'\n  amount: '-5.00'\n{extra}").encode()


# (name, path, bytes, code, line)
RECORDS = [
    # tags
    ("tag-python", ACC, b"code: !!python/object/apply:os.system ['id']\nname: X\ntype: asset\n", "yaml-tag", 1),
    ("tag-str", ACC, b"code: !!str 9000\nname: X\ntype: asset\n", "yaml-tag", 1),
    ("tag-binary", ACC, b"code: '9000'\nname: !!binary aGk=\ntype: asset\n", "yaml-tag", 2),
    ("tag-local", ACC, b"code: '9000'\nname: !local x\ntype: asset\n", "yaml-tag", 2),
    ("tag-float-money", ENTRY, entry("!!float 5.0"), "yaml-tag", 6),
    ("tag-on-document", ACC, b"--- !account\ncode: '9000'\nname: X\ntype: asset\n", "yaml-tag", 1),
    ("tag-on-mapping", ACC, b"code: '9000'\nname: X\ntype: asset\nparent: !!map {a: 1}\n", "yaml-tag", 4),
    ("tag-set", ACC, b"code: '9000'\nname: X\ntype: !!set {asset: null}\n", "yaml-tag", 3),
    # anchors, aliases, merge keys
    ("anchor", ACC, b"code: &c '9000'\nname: X\ntype: asset\n", "yaml-anchor", 1),
    ("alias", ACC, b"code: &c '9000'\nname: *c\ntype: asset\n", "yaml-anchor", 1),
    ("anchor-mapping", ENTRY, entry().replace(b"- account: '6100'", b"- &p\n  account: '6100'"), "yaml-anchor", 5),
    ("merge-alias", ACC, b"base: &b {type: asset}\ncode: '9000'\n<<: *b\n", "yaml-anchor", 1),
    ("merge-inline", ACC, b"code: '9000'\nname: X\n<<: {type: asset}\n", "yaml-merge", 3),
    ("billion-laughs", ACC, b"a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", "yaml-anchor", 1),
    # duplicate keys
    ("dup-top", ACC, b"code: '9000'\nname: X\ntype: asset\nname: Y\n", "duplicate-key", 4),
    ("dup-quoted", ACC, b"code: '9000'\nname: X\ntype: asset\n'name': Y\n", "duplicate-key", 4),
    ("dup-nested", ENTRY, entry().replace(b"  amount: '5.00'", b"  amount: '5.00'\n  amount: '6.00'"),
     "duplicate-key", 7),
    ("dup-flow", ACC, b"{code: '9000', name: X, type: asset, code: '9001'}\n", "duplicate-key", 1),
    # encodings and characters
    ("latin-1", ACC, b"code: '9000'\nname: Caf\xe9\ntype: asset\n", "encoding", 2),
    ("utf-16-le", ACC, "code: '9000'\nname: X\ntype: asset\n".encode("utf-16"), "encoding", 1),
    ("utf-16-be", ACC, b"\xfe\xff" + "code: '9000'\n".encode("utf-16-be"), "encoding", 1),
    ("bad-continuation", ACC, b"code: '9000'\nname: X\xc3\x28\ntype: asset\n", "encoding", 2),
    ("truncated-utf8", ACC, b"code: '9000'\ntype: asset\nname: X\xe2\x82", "encoding", 3),
    ("overlong-utf8", ACC, b"code: '9000'\nname: \xc0\xafX\ntype: asset\n", "encoding", 2),
    ("nul", ACC, b"code: '9000'\nname: X\x00Y\ntype: asset\n", "control-character", 2),
    ("nul-in-key", ACC, b"code: '9000'\nna\x00me: X\ntype: asset\n", "control-character", 2),
    ("soh", ACC, b"code: '9000'\nname: X\x01\ntype: asset\n", "control-character", 2),
    ("esc", ACC, b"code: '9000'\nname: X\x1b]0;owned\x07\ntype: asset\n", "control-character", 2),
    ("del", ACC, b"code: '9000'\nname: X\x7f\ntype: asset\n", "control-character", 2),
    ("u-fffe", ACC, "code: '9000'\nname: X\ufffe\ntype: asset\n".encode(), "control-character", 2),
    ("bell-at-end", ACC, b"code: '9000'\nname: X\ntype: asset\n\x07", "control-character", 4),
    # tabs
    ("tab-indent", ENTRY, entry().replace(b"\n  amount: '5.00'", b"\n\tamount: '5.00'"), "yaml-tab", 6),
    ("tab-before-key", ACC, b"code: '9000'\n\tname: X\ntype: asset\n", "yaml-tab", 2),
    # huge and deep documents
    ("deep-flow", ACC, b"code: '9000'\nname: " + b"[" * 5000 + b"]" * 5000 + b"\n", "yaml-syntax", 2),
    ("deep-block", ACC, b"code: '9000'\nname:\n" + b"".join(b"  " * i + b"k:\n" for i in range(1, 80)),
     "too-deep", 66),
    ("long-list", ACC, b"code: '9000'\nname: X\ntype: asset\nx:\n" + b"- 1\n" * (MAX_LIST_ITEMS + 1),
     "too-many-items", MAX_LIST_ITEMS + 5),
    ("long-text", ACC, b"code: '9000'\ntype: asset\nname: '" + b"n" * 10_001 + b"'\n", "invalid-value", 3),
    ("huge-amount", ENTRY, entry("'" + "9" * 5001 + "'"), "invalid-value", 6),
    # floats and exponents for money
    ("exp", ENTRY, entry("1e3"), "invalid-value", 6),
    ("exp-neg", ENTRY, entry("5.0E-2"), "invalid-value", 6),
    ("inf", ENTRY, entry(".inf"), "invalid-value", 6),
    ("neg-inf", ENTRY, entry("-.inf"), "invalid-value", 6),
    ("nan", ENTRY, entry(".nan"), "invalid-value", 6),
    ("hex", ENTRY, entry("0x1F"), "invalid-value", 6),
    ("octal", ENTRY, entry("0o17"), "invalid-value", 6),
    ("underscore", ENTRY, entry("1_000"), "invalid-value", 6),
    ("two-points", ENTRY, entry("5.0.0"), "invalid-value", 6),
    ("comma", ENTRY, entry("'5,00'"), "invalid-value", 6),
    ("arabic-indic", ENTRY, entry("'٥'"), "invalid-value", 6),
    ("full-width", ENTRY, entry("'５.00'"), "invalid-value", 6),
    ("bool-amount", ENTRY, entry("true"), "invalid-value", 6),
    ("null-amount", ENTRY, entry("null"), "invalid-value", 6),
    ("list-amount", ENTRY, entry("[5]"), "invalid-value", 6),
    ("map-amount", ENTRY, entry("{v: 5}"), "invalid-value", 6),
    ("too-many-places", ENTRY, entry("'5.001'"), "too-many-places", 6),
    ("eleven-places", ENTRY, entry("'5.00000000001'"), "invalid-value", 6),
    ("sixteen-digits", ENTRY, entry("'1000000000000000'"), "invalid-value", 6),
    # wrong folder, id or date
    ("id-mismatch", ACC, b"code: '9001'\nname: X\ntype: asset\n", "id-mismatch", 1),
    ("wrong-month", "journal/2026/10/JE-20261103-AAAA.yaml", entry(), "misfiled", 1),
    ("account-in-journal", "journal/2026/11/9000.yaml", GOOD_ACCOUNT, "missing-field", 1),
    ("entry-in-accounts", "accounts/JE-20261103-AAAA.yaml", entry(), "missing-field", 1),
    ("date-not-a-date", ENTRY, entry().replace(b"2026-11-03", b"2026-02-30"), "invalid-value", 2),
    ("date-as-number", ENTRY, entry().replace(b"date: 2026-11-03", b"date: 20261103"), "invalid-value", 2),
    ("id-with-slash", ACC, b"code: '../9000'\nname: X\ntype: asset\n", "invalid-value", 1),
    # not a record
    ("empty", ACC, b"", "empty-file", 1),
    ("only-comment", ACC, b"# nothing here\n", "empty-file", 1),
    ("only-spaces", ACC, b"   \n\n", "empty-file", 1),
    ("a-list", ACC, b"- code\n- name\n", "not-a-mapping", 1),
    ("a-scalar", ACC, b"just text\n", "not-a-mapping", 1),
    ("null-document", ACC, b"~\n", "not-a-mapping", 1),
    ("two-documents", ACC, GOOD_ACCOUNT + b"---\ncode: '9001'\n", "yaml-multi-document", 4),
    ("complex-key", ACC, b"? [a, b]\n: x\ncode: '9000'\n", "yaml-complex-key", 1),
    ("missing-field", ACC, b"code: '9000'\nname: X\n", "missing-field", 1),
    ("unknown-field", ACC, GOOD_ACCOUNT + b"colour: red\n", "unknown-field", 4),
    ("wrong-type", ENTRY, entry().replace(b"postings:\n", b"postings: many\nx:\n"), "invalid-value", 4),
    ("unknown-literal", ACC, b"code: '9000'\nname: X\ntype: assets\n", "invalid-value", 3),
    ("one-posting", ENTRY, entry().replace(b"- account: '1010'\n  amount: '-5.00'\n", b""), "invalid-value", 4),
    ("unbalanced", ENTRY, entry().replace(b"'-5.00'", b"'-4.00'"), "unbalanced", 4),
    ("unknown-account", ENTRY, entry().replace(b"'6100'", b"'610'"), "unknown-account", 5),
    # syntax
    ("unclosed-quote", ACC, b"code: '9000'\nname: \"X\ntype: asset\n", "yaml-syntax", 4),
    ("unclosed-flow", ACC, b"code: '9000'\nname: [X\ntype: asset\n", "yaml-syntax", 3),
    ("bad-indent", ACC, b"code: '9000'\n  name: X\ntype: asset\n", "yaml-syntax", 2),
    ("colon-in-plain", ACC, b"code: '9000'\nname: a: b\ntype: asset\n", "yaml-syntax", 2),
    ("directive", ACC, b"%YAML 1.1\n%FOO bar\n---\ncode: '9000'\nname: X\ntype: asset\n", None, None),
]


@pytest.mark.parametrize(("path", "data", "code", "line"), [r[1:] for r in RECORDS], ids=[r[0] for r in RECORDS])
def test_hand_edited_record(hb, path, data, code, line):
    target = hb / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    before = snapshot(hb)
    res = run(hb, "validate")
    assert "Traceback" not in res.output and "internal error" not in res.output
    if code is None:  # read as YAML allows (a directive), and only that
        assert res.exit_code in (0, 1)
    else:
        assert res.exit_code == 1, res.output
        assert f"{path}:{line}: error [{code}]" in res.stderr, res.stderr[:2000]
    assert "\x1b" not in res.output and "\x00" not in res.output
    assert snapshot(hb) == before
    listed = run(hb, "journal", "list", "--format", "json")  # a reader leaves the broken file out, and says so
    assert listed.exit_code in (0, 1) and "Traceback" not in listed.output and "internal error" not in listed.output


def test_a_byte_order_mark_is_fine(hb):
    (hb / ACC).write_bytes(b"\xef\xbb\xbf" + GOOD_ACCOUNT)
    res = run(hb, "validate")
    assert res.exit_code == 0, res.output


def test_a_file_outside_the_record_folders_is_a_warning(hb):
    (hb / "stuff").mkdir()
    (hb / "stuff" / "9000.yaml").write_bytes(GOOD_ACCOUNT)
    res = run(hb, "validate")
    assert res.exit_code == 0
    assert "stuff/9000.yaml:1: warning [unknown-folder]" in res.output


# == 2. command-line values ========================================================================

POST = ("journal", "post", "--date", "2026-11-05", "--memo", "x")

# (name, args, exit code, words the message must hold)
VALUES = [
    ("amount-comma", (*POST, "-p", "6100", "12,50", "-p", "1010"), 1, r"decimal separator is '\.'"),
    ("amount-arabic", (*POST, "-p", "6100", "١٢", "-p", "1010"), 1, "digits other than 0-9"),
    ("amount-full-width", (*POST, "-p", "6100", "１２.50", "-p", "1010"), 1, "digits other than 0-9"),
    ("amount-exponent", (*POST, "-p", "6100", "1e3", "-p", "1010"), 1, "exponent"),
    ("amount-nan", (*POST, "-p", "6100", "nan", "-p", "1010"), 1, "NaN"),
    ("amount-inf", (*POST, "-p", "6100", "inf", "-p", "1010"), 1, "not a number"),
    ("amount-thousands", (*POST, "-p", "6100", "1,234.50", "-p", "1010"), 1, "groups thousands"),
    ("amount-16-digits", (*POST, "-p", "6100", "1" * 16, "-p", "1010"), 1, "at most 15"),
    ("amount-5001-digits", (*POST, "-p", "6100", "1" * 5001, "-p", "1010"), 1, "at most 15"),
    ("amount-11-places", (*POST, "-p", "6100", "0.00000000001", "-p", "1010"), 1, "at most 10"),
    ("amount-3-places", (*POST, "-p", "6100", "1.001", "-p", "1010"), 1, "places"),
    ("amount-words", (*POST, "-p", "6100", "twelve", "-p", "1010"), 1, "not a plain decimal"),
    ("amount-currency-4", (*POST, "-p", "6100", "12.50EURO", "-p", "1010"), 1, "three-letter ISO code"),
    ("amount-bad-rate", (*POST, "-p", "6100", "12.50USD@x", "-p", "1010"), 1, "rate"),
    ("amount-unicode-minus", (*POST, "-p", "6100", "−12.50", "-p", "1010"), 1, "not a plain decimal"),
    ("one-posting", (*POST, "-p", "6100", "12.50"), 1, "at least two postings"),
    ("two-blanks", (*POST, "-p", "6100", "-p", "1010"), 1, "more than one posting has no amount"),
    ("no-postings", POST, 2, "--posting"),
    ("posting-no-account", (*POST, "-p"), 2, "ACCOUNT"),
    ("unknown-account", (*POST, "-p", "610", "1.00", "-p", "1010"), 1, "did you mean 6100"),
    ("account-traversal", (*POST, "-p", "../6100", "1.00", "-p", "1010"), 1, "account code"),
    ("account-slash", (*POST, "-p", "61/00", "1.00", "-p", "1010"), 1, "account code"),
    ("date-feb-30", ("journal", "post", "--date", "2026-02-30", "--memo", "x", "-p", "6100", "1", "-p", "1010"),
     1, "--date '2026-02-30' is not a date"),
    ("date-slashes", ("journal", "post", "--date", "05/11/2026", "--memo", "x", "-p", "6100", "1", "-p", "1010"),
     1, "YYYY-MM-DD"),
    ("date-empty", ("journal", "post", "--date", "", "--memo", "x", "-p", "6100", "1", "-p", "1010"), 1, "date"),
    ("memo-too-long", ("journal", "post", "--memo", "m" * 10_001, "-p", "6100", "1", "-p", "1010"), 1,
     "at most 10000"),
    ("memo-empty", ("journal", "post", "--memo", "", "-p", "6100", "1", "-p", "1010"), 1, "memo"),
    ("extra-argument", (*POST, "-p", "6100", "1", "-p", "1010", "Office", "supplies"), 2, "left over"),
    ("unknown-option", (*POST, "--currency", "USD", "-p", "6100", "1", "-p", "1010"), 2, "No such option"),
    ("format-typo", ("journal", "list", "--format", "jsn"), 2, "did you mean json"),
    ("command-typo", ("jurnal", "list"), 2, "did you mean journal"),
    ("report-typo", ("report", "balance-shet"), 2, "did you mean balance-sheet"),
    ("partner-currency", ("partner", "add", "X", "--currency", "USDD"), 1, "three-letter ISO code"),
    ("partner-id-traversal", ("partner", "add", "X", "--id", "../evil"), 1, "not a usable id"),
    ("partner-id-dot", ("partner", "add", "X", "--id", ".hidden"), 1, "not a usable id"),
    ("partner-id-dots", ("partner", "add", "X", "--id", "a..b"), 1, "not a usable id"),
    ("partner-id-long", ("partner", "add", "X", "--id", "a" * 81), 1, "at most 80"),
    ("partner-lead-time", ("partner", "add", "X", "--role", "supplier", "--lead-time", "9" * 30), 1,
     "at most 36500"),
    ("partner-duplicate", ("partner", "add", "Other", "--id", "cafe-lumiere"), 1, "cafe-lumiere"),
    ("item-sku-traversal", ("item", "add", "../x", "Thing"), 1, "not a usable id"),
    ("item-price-words", ("item", "add", "X1", "Thing", "--price", "cheap"), 1, "not a plain decimal"),
    ("item-price-comma", ("item", "add", "X1", "Thing", "--price", "26,00"), 1, r"decimal separator is '\.'"),
    ("item-duplicate", ("item", "add", "BLEND-1K", "Again"), 1, "BLEND-1K"),
    ("item-unknown", ("item", "show", "BLEND-1KG"), 1, "did you mean BLEND-1K"),
    ("rate-negative", ("rate", "add", "USD", "-1"), 2, "negative number"),
    ("rate-negative-after-dashes", ("rate", "add", "--", "USD", "-1"), 1, "must be more than 0"),
    ("rate-zero", ("rate", "add", "USD", "0"), 1, "must be more than 0"),
    ("rate-bad-currency", ("rate", "add", "US", "1.0"), 1, "three-letter ISO code"),
    ("rate-base", ("rate", "add", "EUR", "1.0"), 1, "base currency"),
    ("stock-zero", ("stock", "receive", "BLEND-1K", "--qty", "0", "--unit-cost", "8"), 1, "qty"),
    ("stock-negative", ("stock", "receive", "BLEND-1K", "--qty", "-5", "--unit-cost", "8"), 1, "qty"),
    ("stock-exponent", ("stock", "receive", "BLEND-1K", "--qty", "1e2", "--unit-cost", "8"), 1, "1e2. is not a number"),
    ("stock-unknown-item", ("stock", "receive", "BLEND-1KG", "--qty", "1", "--unit-cost", "8"), 1, "BLEND-1K"),
    ("period-bad", ("report", "trial-balance", "--period", "2026-13"), 1, "YYYY-MM"),
    ("from-after-to", ("report", "trial-balance", "--from", "2026-12-01", "--to", "2026-11-01"), 1, "swap"),
    ("as-of-nothing", ("report", "trial-balance", "--as-of", "no-such-branch"), 1, "neither a revision nor a date"),
    ("filter-partner", ("report", "ledger", "1010", "--partner", "nosuchpartner"), 1, "there is no partner"),
    ("filter-account", ("report", "ledger", "9999"), 1, "there is no account '9999'"),
    ("filter-item", ("report", "stock-balance", "--item", "NOPE"), 1, "there is no item 'NOPE'"),
    ("show-unknown-entry", ("journal", "show", "JE-20261102-XXXX"), 1, "there is no journal entry"),
    ("reverse-unknown", ("journal", "reverse", "JE-1"), 1, "there is no journal entry"),
    ("lead-email-dup", ("crm", "lead", "add", "Léa", "--email", "BONJOUR@cafe-lumiere.fr"), 1,
     "--partner cafe-lumiere"),
    ("lead-score", ("crm", "lead", "add", "Léa", "--score", "101"), 2, "101"),
    ("escape-in-id", ("journal", "show", "JE-\x1b[2J"), 1, r"\\e\[2J"),
]


@pytest.mark.parametrize(("args", "code", "words"), [v[1:] for v in VALUES], ids=[v[0] for v in VALUES])
def test_command_line_value(hb, args, code, words):
    before = snapshot(hb)
    res = run(hb, *args)
    refused(hb, before, res, code, words)
    assert "\x1b" not in res.stderr


# == 3. batch files ================================================================================

def _entries(n: int) -> str:
    return "".join(f"- date: 2026-11-05\n  memo: e{i}\n  postings:\n  - account: '6100'\n    amount: '1.00'\n"
                   f"  - account: '1010'\n    amount: '-1.00'\n" for i in range(n))


# (name, file text or bytes, exit code, words)
BATCHES = [
    ("a-string", '"x"\n', 1, "no entries"),
    ("a-number", "12\n", 1, "no entries"),
    ("empty-list", "[]\n", 1, "no entries"),
    ("empty-file", "", 1, "empty"),
    ("not-mappings", "[1, 2]\n", 1, "entry 1 is not a mapping"),
    ("no-postings", "- date: 2026-11-05\n  memo: x\n", 1, r"batch.yaml:1: .*postings: is required"),
    ("one-posting", "- date: 2026-11-05\n  memo: x\n  postings:\n  - {account: '6100', amount: '1.00'}\n", 1,
     r"batch.yaml:3: .*an entry needs at least two postings"),
    ("bad-date", "- date: 2026-13-05\n  memo: x\n  postings: []\n", 1, r"batch.yaml:1: .*is not a date"),
    ("unbalanced", _entries(1).replace("'-1.00'", "'-2.00'"), 1, "unbalanced|balance"),
    ("unknown-account", _entries(2).replace("'6100'", "'610'", 1), 1, "did you mean 6100"),
    ("float-exponent", _entries(1).replace("'1.00'", "1e0"), 1, r"batch.yaml:5: .*exponent"),
    ("arabic-digits", _entries(1).replace("'1.00'", "'١'"), 1, r"batch.yaml:5: .*digits other than 0-9"),
    ("tag", _entries(1).replace("'1.00'", "!!float 1.0"), 1, r"batch.yaml:5: .*tag"),
    ("alias", "- &e\n  date: 2026-11-05\n- *e\n", 1, r"batch.yaml:1: .*anchor"),
    ("duplicate-key", _entries(1).replace("  memo: e0\n", "  memo: e0\n  memo: e1\n"), 1,
     r"batch.yaml:3: .*appears twice"),
    ("json-nan", '[{"date": "2026-11-05", "memo": "x", "postings": [{"account": "6100", "amount": NaN}]}]', 1,
     "NaN is not an amount"),
    ("json-exponent", '[{"date": "2026-11-05", "memo": "x", "postings": [{"account": "6100", "amount": 1e2},'
     ' {"account": "1010"}]}]', 1, "exponent"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00", 1, "not UTF-8|control"),
    ("latin-1", _entries(1).replace("memo: e0", "memo: caf\xe9").encode("latin-1"), 1,
     r"batch.yaml:2: .*not UTF-8 text"),
    ("nul", _entries(1).replace("memo: e0", "memo: e\x000"), 1, r"batch.yaml:2: .*NUL"),
    ("deep", "[" * 3000 + "]" * 3000, 1, "batch.yaml:1"),
    ("one-too-many", _entries(MAX_BATCH + 1), 1, r"more than 10,000 items|holds 10,001 entries"),
]


@pytest.mark.parametrize(("text", "code", "words"), [b[1:] for b in BATCHES], ids=[b[0] for b in BATCHES])
def test_batch_file(hb, tmp_path, text, code, words):
    batch = tmp_path / "batch.yaml"
    batch.write_bytes(text if isinstance(text, bytes) else text.encode())
    before = snapshot(hb)
    res = run(hb, "journal", "post", "--file", str(batch))
    refused(hb, before, res, code, words)


def test_a_huge_batch_is_refused_at_once_naming_the_limit(hb, tmp_path):
    batch = tmp_path / "huge.yaml"
    one = _entries(1)
    with open(batch, "w") as fh:
        for _ in range(160_000):
            fh.write(one)
    before = snapshot(hb)
    started = time.monotonic()
    res = run(hb, "journal", "post", "--file", str(batch))
    refused(hb, before, res, 1, "larger than 16 MiB, the limit for one batch", "10,000")
    assert time.monotonic() - started < 5


def test_a_long_batch_stops_reading_at_the_limit(hb, tmp_path):
    batch = tmp_path / "long.yaml"
    batch.write_text("- {}\n" * 1_000_000)  # 5 MB: under the size limit, 100 times the item limit
    before = snapshot(hb)
    started = time.monotonic()
    res = run(hb, "journal", "post", "--file", str(batch))
    refused(hb, before, res, 1, r"long.yaml:10001: .*more than 10,000 items")
    assert time.monotonic() - started < 10


def test_batch_from_stdin_over_the_size_limit(hb):
    before = snapshot(hb)
    res = run(hb, "journal", "post", "--file", "-", input="#" * (16 * 1024 * 1024 + 10))
    refused(hb, before, res, 1, "<stdin> is larger than 16 MiB")


@pytest.mark.parametrize("where", ["missing", "folder"])
def test_batch_path_that_is_not_a_file(hb, tmp_path, where):
    path = tmp_path / "nothing.yaml" if where == "missing" else tmp_path
    before = snapshot(hb)
    res = run(hb, "journal", "post", "--file", str(path))
    refused(hb, before, res, 1, "cannot read")


def test_batch_with_a_byte_order_mark_and_crlf_posts(hb, tmp_path):
    batch = tmp_path / "batch.yaml"
    batch.write_bytes(b"\xef\xbb\xbf" + _entries(2).replace("\n", "\r\n").encode())
    before = head(hb)
    res = run(hb, "journal", "post", "--file", str(batch))
    assert res.exit_code == 0, res.output
    assert git(hb, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert len(files_in_commit(hb)) == 2


def test_capture_batch_over_the_item_limit(hb, tmp_path):
    subs = tmp_path / "forms.json"
    subs.write_text(json.dumps([{"name": f"n{i}", "email": f"n{i}@example.com"} for i in range(MAX_BATCH + 1)]))
    before = snapshot(hb)
    res = run(hb, "crm", "capture", "--file", str(subs))
    refused(hb, before, res, 1, "holds 10,001 submissions; the limit is 10,000")


# == 4. odd names, paths and symlinks ==============================================================

def test_repo_that_is_a_file(hb, tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")
    res = run(None, "--repo", str(target), "account", "list")
    assert res.exit_code == 1 and "holds no comptoir.yaml" in res.stderr


def test_repo_that_does_not_exist(tmp_path):
    res = run(None, "--repo", str(tmp_path / "nowhere"), "account", "list")
    assert res.exit_code == 1 and "holds no comptoir.yaml" in res.stderr


def test_no_book_above_the_current_folder(tmp_path):
    res = run(None, "account", "list", cwd=tmp_path)
    assert res.exit_code == 1 and "no comptoir.yaml in" in res.stderr and "comptoir init" in res.stderr


@pytest.mark.parametrize("name", ["books with spaces", "livres-été", "книги", "a'quote", "-dash"])
def test_book_in_an_oddly_named_folder(tmp_path, name):
    root = tmp_path / name / "books"
    res = run(None, "init", str(root), "--company", "Odd", "--currency", "EUR")
    assert res.exit_code == 0, res.output
    git(root, "config", "user.name", "T")
    git(root, "config", "user.email", "t@example.com")
    before = head(root)
    res = run(root, "journal", "post", "--date", "2026-11-05", "--memo", "x", "-p", "6100", "1.00", "-p", "1010")
    ident = res.stdout.strip()
    landed(root, before, res, f"journal/2026/11/{ident}.yaml")


@pytest.mark.parametrize("name", ["Café Ünïcode", "O'Brien & Sons", "A" * 200, "日本茶 株式会社", "!!!", "-leading dash"])
def test_odd_partner_names(hb, name):
    before = head(hb)
    res = run(hb, "partner", "add", "--", name)
    assert res.exit_code == 0, res.output
    ident = res.stdout.strip()
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}", ident)
    landed(hb, before, res, f"partners/{ident}.yaml")


def test_a_value_starting_with_a_dash_is_read_as_an_option_and_the_message_says_so(hb):
    before = snapshot(hb)
    res = run(hb, "partner", "add", "-leading dash")
    refused(hb, before, res, 2, "read as an option", "--")


def test_record_folder_symlinked_outside_the_book_is_never_written(hb, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(hb / "journal")
    os.symlink(outside, hb / "journal")
    git(hb, "add", "-A")
    git(hb, "commit", "-q", "-m", "journal is a link")
    before = snapshot(hb)
    res = run(hb, "journal", "post", "--date", "2026-11-05", "--memo", "x", "-p", "6100", "1.00", "-p", "1010")
    assert list(outside.rglob("*.yaml")) == []
    refused(hb, before, res, 1, "journal")


def test_record_file_symlinked_outside_the_book(hb, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_bytes(GOOD_ACCOUNT)
    os.symlink(secret, hb / ACC)
    res = run(hb, "validate")
    assert "Traceback" not in res.output and "internal error" not in res.output
    assert res.exit_code in (0, 1)
    assert secret.read_bytes() == GOOD_ACCOUNT


def test_dangling_symlink_record(hb, tmp_path):
    os.symlink(tmp_path / "gone.yaml", hb / ACC)
    res = run(hb, "validate")
    assert "Traceback" not in res.output and "internal error" not in res.output
    assert res.exit_code in (0, 1)


def test_a_yml_file_is_not_a_record(hb):
    (hb / "accounts" / "9000.yml").write_bytes(b"\x00 not even yaml")
    res = run(hb, "validate")
    assert res.exit_code == 0, res.output


def test_settings_file_broken(hb):
    (hb / "comptoir.yaml").write_bytes(b"company: X\ncurrency: EURO\n")
    res = run(hb, "account", "list")
    assert res.exit_code == 1
    assert "comptoir.yaml:2: error [invalid-value] currency: 'EURO': a currency is a three-letter ISO code" in res.stderr


def test_settings_file_with_nul(hb):
    (hb / "comptoir.yaml").write_bytes(b"company: X\x00\ncurrency: EUR\n")
    res = run(hb, "validate")
    assert res.exit_code == 1
    assert "comptoir.yaml:1: error [control-character] a NUL byte at line 1, column 11" in res.stderr


# == 5. git's own states ===========================================================================

def _post(book: Path):
    return run(book, "journal", "post", "--date", "2026-11-05", "--memo", "x", "-p", "6100", "1.00", "-p", "1010")


def _one_commit_or_words(book: Path, before: tuple, res) -> None:
    """The write lands whole (one commit, only its file), or is refused in words with nothing changed."""
    assert "Traceback" not in res.output and "internal error" not in res.output
    if res.exit_code == 0:
        ident = res.stdout.strip()
        assert git(book, "rev-list", "--count", f"{before[0]}..HEAD").strip() == "1"
        assert files_in_commit(book) == [f"journal/2026/11/{ident}.yaml"]
    else:
        assert res.exit_code == 1 and re.search(r"error \[[a-z-]+\] ", res.stderr) and "\n  hint: " in res.stderr
        assert snapshot(book) == before


def test_detached_head(hb):
    git(hb, "checkout", "-q", "--detach")
    before = snapshot(hb)
    _one_commit_or_words(hb, before, _post(hb))


def test_mid_merge(hb):
    git(hb, "checkout", "-q", "-b", "side")
    assert _post(hb).exit_code == 0
    git(hb, "checkout", "-q", "-")
    git(hb, "merge", "-q", "--no-ff", "--no-commit", "side")
    assert (hb / ".git" / "MERGE_HEAD").exists()
    before = snapshot(hb)
    res = _post(hb)
    assert "Traceback" not in res.output and "internal error" not in res.output
    if res.exit_code:
        assert snapshot(hb) == before


def test_shallow_clone(hb, tmp_path):
    for _ in range(2):
        assert _post(hb).exit_code == 0
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{hb}", str(clone))
    git(clone, "config", "user.name", "T")
    git(clone, "config", "user.email", "t@example.com")
    assert run(clone, "validate").exit_code == 0
    before = head(clone)
    res = _post(clone)
    landed(clone, before, res, f"journal/2026/11/{res.stdout.strip()}.yaml")
    res = run(clone, "report", "trial-balance", "--as-of", "HEAD~5")
    assert res.exit_code == 1 and "neither a revision nor a date" in res.stderr


def test_stale_git_index_lock(hb, monkeypatch):
    from comptoir.book import git as gitcalls

    monkeypatch.setattr(gitcalls, "LOCK_WAIT", 1.0)  # each git call waits 30 s for git's lock by default
    (hb / ".git" / "index.lock").write_text("")
    before = snapshot(hb)
    res = _post(hb)
    (hb / ".git" / "index.lock").unlink()
    _one_commit_or_words(hb, before, res)
    if res.exit_code:
        assert "index.lock" in res.stderr


def test_stale_comptoir_lock_of_a_dead_process(hb):
    folder = hb / ".git" / "comptoir"
    folder.mkdir(exist_ok=True)
    (folder / "write.lock").write_text("999999\n")
    before = head(hb)
    res = _post(hb)
    assert "Traceback" not in res.output
    if res.exit_code == 0:
        landed(hb, before, res, f"journal/2026/11/{res.stdout.strip()}.yaml")


def test_no_identity_configured(hb, monkeypatch, tmp_path):
    git(hb, "config", "--unset", "user.name")
    git(hb, "config", "--unset", "user.email")
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "COMPTOIR_USER",
                "EMAIL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    before = snapshot(hb)
    res = _post(hb)
    _one_commit_or_words(hb, before, res)
    if res.exit_code:
        assert "user.name" in res.stderr or "COMPTOIR_USER" in res.stderr


def test_unrelated_staged_and_edited_files_are_not_swept_in(hb):
    (hb / "notes.txt").write_text("mine")
    git(hb, "add", "notes.txt")
    (hb / "accounts" / "1010.yaml").write_text((hb / "accounts" / "1010.yaml").read_text() + "# my edit\n")
    before = head(hb)
    res = _post(hb)
    assert res.exit_code == 0, res.output
    assert files_in_commit(hb) == [f"journal/2026/11/{res.stdout.strip()}.yaml"]
    assert git(hb, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert "A  notes.txt" in git(hb, "status", "--porcelain") and " M accounts/1010.yaml" in git(
        hb, "status", "--porcelain")


def test_not_a_git_repository(tmp_path):
    root = tmp_path / "plain"
    res = run(None, "init", str(root), "--company", "P", "--currency", "EUR")
    assert res.exit_code == 0
    shutil.rmtree(root / ".git")
    res = _post(root)
    assert "Traceback" not in res.output and "internal error" not in res.output
    res = run(root, "report", "trial-balance", "--as-of", "HEAD")
    assert res.exit_code == 1 and "git repository" in res.stderr


def test_a_failing_pre_commit_hook_never_leaves_half_a_write(hb):
    hook = hb / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'policy: no commits today' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = snapshot(hb)
    res = _post(hb)
    _one_commit_or_words(hb, before, res)


# == 6. fuzzing the YAML reader and the amount parsers against their specifications =================

_plain_text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff\u2028\u2029"),
                      min_size=1, max_size=20)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_yaml_reader_either_reads_plain_values_or_says_where(text):
    """Any text: plain values (dict, list, str, bool, None) or a YamlError with a line in the text."""
    try:
        value = yamlread.parse(text)
    except yamlread.YamlError as exc:
        assert 1 <= exc.line <= text.count("\n") + text.count("\r") + 2
        assert exc.code and exc.message
        return

    def plain(v) -> bool:
        if isinstance(v, dict):
            return all(isinstance(k, str) and plain(x) for k, x in v.items())
        if isinstance(v, list):
            return all(plain(x) for x in v)
        return v is None or isinstance(v, str | bool)

    assert plain(value)


def test_yaml_lines_are_the_files_lines_whatever_the_unicode_line_breaks():
    """YAML counts NEL, LS and PS as line breaks; git, editors and CI annotations do not. Found
    by the test above: `{<NEL>0` was reported at line 3 of a one-line file."""
    for text, line in [("{\x850", 1), ("a: 1\nb: \u2028 [", 2), ("a: 1\r\nb: \u2029x\nc: [", 3),
                       ("a: 1\nb: [\n", 3)]:
        with pytest.raises(yamlread.YamlError) as caught:
            yamlread.parse(text)
        assert caught.value.line == line, (text, caught.value.line)
    lines: dict = {}
    assert yamlread.parse("a: 1\n\u2028b: x\nc: [1]\n", lines) == {"a": "1", "b": "x", "c": ["1"]}
    assert (lines[("b",)], lines[("c",)]) == (2, 3)


_keys = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
_scalars = st.none() | st.booleans() | _plain_text | st.decimals(allow_nan=False, allow_infinity=False,
                                                                  places=2).map(lambda d: format(d, "f"))
_docs = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
                     max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_keys, _docs, min_size=1, max_size=5))
def test_yaml_reader_reads_back_what_the_writer_wrote(data):
    """Spec: every value reads back as written; numbers stay text (never float); both readers agree."""
    from comptoir.book import yamlwrite

    text = yamlwrite.dump(data)
    assert yamlread.parse(text) == data
    lines: dict = {}
    assert yamlread.parse(text, lines) == data  # the libyaml path, as used for line numbers


@settings(max_examples=300, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False, places=MAX_PLACES,
                   min_value=-(Decimal(10) ** MAX_INTEGER_DIGITS) + 1, max_value=Decimal(10) ** MAX_INTEGER_DIGITS - 1))
def test_amounts_within_the_limits_read_exactly(value):
    text = format(value, "f")
    assert to_decimal(text) == value
    assert str(to_decimal(text)) == str(Decimal(text))
    amount, currency, rate = parse_amount(text + "USD@1.5")
    assert (amount, currency, rate) == (value, "USD", Decimal("1.5"))


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_amount_parser_accepts_exactly_plain_ascii_decimals(text):
    """Spec: optional sign, ASCII digits, optional point; at most 15 digits before it and 10 after."""
    m = re.fullmatch(r"\s*([+-]?)([0-9]*)(?:\.([0-9]*))?\s*", text, re.ASCII)
    whole = (m.group(2) or "").lstrip("0") if m else ""
    ok = bool(m) and bool(m.group(2) or m.group(3)) and len(whole) <= MAX_INTEGER_DIGITS \
        and len(m.group(3) or "") <= MAX_PLACES and text.strip() == text.strip(" \t\n\r\x0b\x0c")
    try:
        value = to_decimal(text)
    except ValueError as exc:
        assert not ok, (text, exc)
        return
    assert ok, text
    assert value == Decimal(text.strip())


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_command_line_amount_parser_never_fails_otherwise(text):
    try:
        amount, currency, rate = parse_amount(text)
    except ComptoirError as exc:
        assert exc.problems[0].code == "invalid-amount"
        return
    assert isinstance(amount, Decimal) and amount.is_finite()
    assert currency is None or re.fullmatch(r"[A-Z]{3}", currency)
