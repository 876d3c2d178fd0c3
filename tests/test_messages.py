"""Messages in the user's terms: each message issue 19 listed, did-you-mean, causes instead of
"internal error" (issue 15.2), terminal-safe output (15.4) and the documented limits (15.3)."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest

from comptoir.errors import os_problem
from comptoir.main import handle
from tests.conftest import commit_all, git, head, run, write


def _status(book: Path) -> str:
    return git(book, "status", "--porcelain", "--untracked-files=all")


def refused(book: Path, res, code: int = 1) -> None:
    """Exit code as given, and nothing written or committed."""
    assert res.exit_code == code, res.output
    assert "Traceback" not in res.output and "internal error" not in res.output
    assert _status(book) == ""


@pytest.fixture
def posted(book: Path) -> Path:
    res = run(book, "journal", "post", "--date", "2026-11-02", "--memo", "Coffee beans", "-p", "6100", "12.50",
              "-p", "1010")
    assert res.exit_code == 0, res.output
    return book


# -- the messages issue 19 lists ------------------------------------------------------------------

def test_comma_decimal_separator_is_named(book):
    before = head(book)
    res = run(book, "journal", "post", "--memo", "x", "-p", "6100", "12,50", "-p", "1010")
    refused(book, res)
    assert "unexpected extra argument" not in res.output
    assert "'12,50' uses ',' as the decimal separator; the decimal separator is '.', like 12.50" in res.stderr
    assert head(book) == before


def test_one_posting_needs_a_second(book):
    res = run(book, "journal", "post", "--memo", "x", "-p", "6100", "12.50")
    refused(book, res)
    assert "an entry needs at least two postings (it has 1)" in res.stderr
    assert "List should have" not in res.output


@pytest.mark.parametrize("args", [("partner", "add", "Café Y", "--currency", "USDD"),
                                  ("account", "add", "1030", "Bank USD", "--type", "asset", "--currency", "USDD")])
def test_currency_is_a_three_letter_iso_code(book, args):
    res = run(book, *args)
    refused(book, res)
    assert "'USDD': a currency is a three-letter ISO code in capitals, like EUR or USD" in res.stderr
    assert "^[A-Z]{3}$" not in res.output and "String should match" not in res.output


def test_unknown_account_gets_did_you_mean(book):
    res = run(book, "journal", "post", "--memo", "x", "-p", "610", "12.50", "-p", "1010")
    refused(book, res)
    assert "account 610 does not exist" in res.stderr
    assert "hint: did you mean 6100" in res.stderr


def test_duplicate_lead_hint_names_a_command_that_works(book):
    res = run(book, "partner", "add", "Café Lumière", "--email", "bonjour@cafe-lumiere.fr")
    assert res.exit_code == 0, res.output
    res = run(book, "crm", "lead", "add", "Léa", "--email", "BONJOUR@cafe-lumiere.fr")
    refused(book, res)
    assert "partner cafe-lumiere" in res.stderr
    assert "crm lead update cafe-lumiere" not in res.stderr
    hint = res.stderr.split("`")[1]
    assert hint == 'comptoir crm activity add note "..." --partner cafe-lumiere'
    res = run(book, "crm", "activity", "add", "note", "met at the fair", "--partner", "cafe-lumiere")
    assert res.exit_code == 0, res.output


def test_rate_on_a_recorded_day_says_replace_not_choose_an_id(book):
    assert run(book, "rate", "add", "USD", "0.93", "--date", "2026-11-02").exit_code == 0
    res = run(book, "rate", "add", "USD", "0.94", "--date", "2026-11-02")
    refused(book, res)
    assert "a USD rate for 2026-11-02 is already recorded: 0.93" in res.stderr
    assert "--replace" in res.stderr and "choose another id" not in res.stderr
    assert run(book, "rate", "add", "USD", "0.94", "--date", "2026-11-02", "--replace").exit_code == 0


def test_filter_naming_nothing_is_an_error(posted):
    res = run(posted, "report", "ledger", "1010", "--partner", "nosuchpartner")
    assert res.exit_code == 1
    assert "there is no partner 'nosuchpartner'" in res.stderr
    assert res.stdout == ""


def test_filter_with_a_close_id_suggests_it(posted):
    assert run(posted, "partner", "add", "Hôtel Bellecour").exit_code == 0
    res = run(posted, "report", "ledger", "1010", "--partner", "hotel-belecour")
    assert res.exit_code == 1
    assert "did you mean hotel-bellecour?" in res.stderr
    res = run(posted, "report", "ledger", "1010", "--partner", "hotel-bellecour")
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize(("args", "what"), [
    (("journal", "list", "--account", "99"), "account '99'"),
    (("report", "ledger", "9999"), "account '9999'"),
    (("report", "stock-balance", "--item", "NOPE"), "item 'NOPE'"),
    (("report", "stock-balance", "--warehouse", "NOPE"), "warehouse 'NOPE'"),
    (("sales", "list", "--partner", "nope"), "partner 'nope'"),
    (("hr", "employee", "list", "--department", "NOPE"), "department 'NOPE'"),
    (("crm", "activity", "list", "--lead", "L-1"), "lead 'L-1'"),
])
def test_every_filter_naming_nothing_is_an_error(posted, args, what):
    res = run(posted, *args)
    assert res.exit_code == 1, res.output
    assert f"there is no {what}" in res.stderr


def test_account_filter_takes_a_code_prefix(posted):
    res = run(posted, "journal", "list", "--account", "61", "--format", "csv")
    assert res.exit_code == 0, res.output
    assert "Coffee beans" in res.stdout


# -- did you mean -----------------------------------------------------------------------------------

def test_did_you_mean_for_a_command(book):
    res = run(book, "jurnal", "list")
    assert res.exit_code == 2
    assert "there is no command 'jurnal' in `comptoir`; did you mean journal?" in res.stderr
    res = run(book, "report", "trial-balanse")
    assert res.exit_code == 2
    assert "did you mean trial-balance" in res.stderr
    assert res.stderr.count("id you mean") == 1


def test_did_you_mean_for_an_option_choice(book):
    res = run(book, "journal", "list", "--format", "jsn")
    assert res.exit_code == 2
    assert "'--format' does not take 'jsn': choose one of table, json, csv, markdown, xlsx; did you mean json?" in res.stderr


def test_did_you_mean_for_an_item(book):
    assert run(book, "item", "add", "BLEND-1K", "Bistrot blend").exit_code == 0
    res = run(book, "item", "show", "BLEND-1KG")
    assert res.exit_code == 1
    assert "did you mean BLEND-1K?" in res.stderr


def test_did_you_mean_for_a_record_id(posted):
    entry = run(posted, "journal", "list", "--format", "json")
    ident = json.loads(entry.stdout)["rows"][0]["id"]
    res = run(posted, "journal", "show", ident[:-1] + ("X" if ident[-1] != "X" else "Y"))
    assert res.exit_code == 1
    assert f"did you mean {ident}?" in res.stderr


def test_did_you_mean_for_a_partner(book):
    assert run(book, "partner", "add", "Brasserie du Parc").exit_code == 0
    res = run(book, "partner", "show", "brasserie-du-park")
    assert res.exit_code == 1
    assert "did you mean brasserie-du-parc?" in res.stderr


def test_did_you_mean_for_an_unknown_account_in_a_hand_edited_record(book):
    write(book, {"journal/2026/11/JE-20261103-AAAA.yaml": """
        id: JE-20261103-AAAA
        date: 2026-11-03
        memo: hand edit
        postings:
        - account: '610'
          amount: '5.00'
        - account: '1010'
          amount: '-5.00'
        """})
    commit_all(book)
    res = run(book, "validate")
    assert res.exit_code == 1
    assert "journal/2026/11/JE-20261103-AAAA.yaml:5: error [unknown-account]" in res.stderr
    assert "did you mean 6100" in res.stderr


def test_unknown_field_in_a_record_suggests_the_field(book):
    write(book, {"accounts/6150.yaml": "code: '6150'\nname: Packaging\ntyp: expense\n"})
    res = run(book, "validate")
    assert res.exit_code == 1
    assert "accounts/6150.yaml:3: error [unknown-field] typ: is not a field of this record" in res.stderr
    assert "did you mean type?" in res.stderr


def test_literal_choice_in_a_record_suggests_the_value(book):
    write(book, {"accounts/6150.yaml": "code: '6150'\nname: Packaging\ntype: expence\n"})
    res = run(book, "validate")
    assert res.exit_code == 1
    assert "accounts/6150.yaml:3: error [invalid-value] type: 'expence' is not one of asset, liability, " \
           "equity, income, expense; did you mean expense?" in res.stderr


# -- causes instead of "internal error" (issue 15.2) -------------------------------------------------

def test_nul_byte_in_a_record_names_file_line_and_column(book):
    (book / "accounts" / "1010.yaml").write_bytes(b"code: '1010'\nname: Ba\x00nk\ntype: asset\n")
    res = run(book, "validate")
    assert res.exit_code == 1
    assert "accounts/1010.yaml:2: error [control-character] a NUL byte at line 2, column 9" in res.stderr
    assert "internal error" not in res.output


def test_escape_character_in_a_record_is_named(book):
    (book / "accounts" / "1010.yaml").write_bytes(b"code: '1010'\nname: Bank\ntype: asset\ndescription: a\x1b[2J\n")
    res = run(book, "validate")
    assert res.exit_code == 1
    assert "accounts/1010.yaml:4: error [control-character] an escape character (ESC) at line 4" in res.stderr
    assert "\x1b" not in res.output


@pytest.mark.parametrize(("errno", "code", "words"), [
    (28, "disk-full", "the disk is full"), (30, "read-only", "the file system is read-only"),
    (13, "permission-denied", "permission denied"), (122, "disk-quota", "quota"),
])
def test_os_errors_say_the_cause_and_the_file(errno, code, words, capsys):
    exc = OSError(errno, os.strerror(errno), "/books/.git/comptoir/write.lock")
    problem = os_problem(exc)
    assert problem.code == code and words in problem.message
    assert "/books/.git/comptoir/write.lock" in problem.message
    assert handle(exc, traceback=False) == 1
    err = capsys.readouterr().err
    assert f"error [{code}]" in err and "internal error" not in err and "nothing was committed" in err


def test_git_running_out_of_disk_is_said_in_words(capsys):
    from comptoir.book.git import GitError

    assert handle(GitError("fatal: sha1 file '.git/index.lock' write error. Out of diskspace"), False) == 1
    err = capsys.readouterr().err
    assert "error [disk-full] git failed: the disk is full" in err


def _can_mount() -> bool:
    if os.geteuid() != 0:
        return False
    probe = Path(f"/tmp/comptoir-mount-probe-{uuid.uuid4().hex}")
    probe.mkdir()
    try:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)],
                            capture_output=True).returncode == 0
        if ok:
            subprocess.run(["umount", str(probe)], check=True)
        return ok
    finally:
        probe.rmdir()


MOUNTS = pytest.mark.skipif(not _can_mount(), reason="needs root and tmpfs mounts to fill or freeze a disk")


@pytest.fixture
def small_disk(tmp_path):
    mnt = tmp_path / "disk"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)], check=True)
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=True)


def _book_on(disk: Path) -> Path:
    root = disk / "books"
    assert run(None, "init", root, "--company", "T", "--currency", "EUR").exit_code == 0
    git(root, "config", "user.name", "T")
    git(root, "config", "user.email", "t@example.com")
    return root


@MOUNTS
def test_read_only_file_system_refuses_with_the_lock_file_named(small_disk):
    root = _book_on(small_disk)
    before = head(root)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    res = run(root, "journal", "post", "--memo", "x", "-p", "6100", "1.00", "-p", "1010")
    subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert res.exit_code == 1
    assert "error [read-only]" in res.stderr and "write.lock" in res.stderr
    assert "the file system is read-only" in res.stderr and "internal error" not in res.output
    assert head(root) == before and _status(root) == ""


@MOUNTS
@pytest.mark.parametrize("leave_kb", [0, 4, 8, 16, 40])
def test_full_disk_refuses_in_words_and_leaves_no_lock_behind(small_disk, leave_kb):
    """Whichever step meets the full disk (lock, record file, git objects, index), the write is
    refused in words with nothing committed, or, with enough room, it lands whole."""
    root = _book_on(small_disk)
    before = head(root)
    filler = small_disk / "filler"
    with open(filler, "wb", buffering=0) as fh:  # fill the disk, then give back a little room
        try:
            while True:
                fh.write(b"\0" * 4096)
        except OSError:
            pass
    if leave_kb:
        os.truncate(filler, max(0, filler.stat().st_size - leave_kb * 1024))
    res = run(root, "journal", "post", "--memo", "x", "-p", "6100", "1.00", "-p", "1010")
    assert "internal error" not in res.output and "Traceback" not in res.output
    if leave_kb == 0 or res.exit_code:
        assert res.exit_code == 1, res.output
        assert "[disk-full]" in res.stderr and "the disk is full" in res.stderr
        assert head(root) == before
    else:
        assert git(root, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    filler.unlink()
    assert _status(root) == ""
    res = run(root, "journal", "post", "--memo", "x", "-p", "6100", "1.00", "-p", "1010")
    assert res.exit_code == 0, res.output  # no stale lock, no half-written file in the way
    assert _status(root) == ""


# -- terminal injection (issue 15.4) ------------------------------------------------------------------

EVIL = "evil \x1b]0;owned\x07 \x1b[2J \u202eabc\u202c \x9b31m | end"


@pytest.fixture
def evil(book: Path) -> Path:
    res = run(book, "journal", "post", "--date", "2026-11-02", "--memo", EVIL, "-p", "6100", "1.00", "-p", "1010")
    assert res.exit_code == 0, res.output
    return book


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_table_and_markdown_show_control_characters_escaped(evil, fmt):
    res = run(evil, "journal", "list", "--format", fmt)
    assert res.exit_code == 0
    for ch in ("\x1b", "\x07", "\u202e", "\u202c", "\x9b"):
        assert ch not in res.stdout
    assert r"evil \e]0;owned\x07 \e[2J \u202eabc\u202c \x9b31m" in res.stdout
    if fmt == "markdown":
        assert r"\| end" in res.stdout


def test_json_escapes_control_characters_and_keeps_the_text(evil):
    res = run(evil, "journal", "list", "--format", "json")
    for ch in ("\x1b", "\x07", "\u202e", "\x9b"):
        assert ch not in res.stdout
    assert json.loads(res.stdout)["rows"][0]["memo"] == EVIL


def test_csv_keeps_the_data_and_neutralises_formulas(book):
    res = run(book, "journal", "post", "--date", "2026-11-02", "--memo", "=HYPERLINK(\"x\")", "-p", "6100", "1.00",
              "-p", "1010")
    assert res.exit_code == 0
    res = run(book, "journal", "list", "--format", "csv")
    assert "'=HYPERLINK" in res.stdout


def test_error_messages_quote_input_safely(book):
    res = run(book, "journal", "show", "JE-\x1b]0;x\x07")
    assert res.exit_code == 1
    assert "\x1b" not in res.stderr and r"\e]0;x\x07" in res.stderr


def test_history_shows_changes_escaped(evil):
    ident = json.loads(run(evil, "journal", "list", "--format", "json").stdout)["rows"][0]["id"]
    res = run(evil, "history", ident)
    assert res.exit_code == 0
    assert "\x1b" not in res.stdout and "\u202e" not in res.stdout


# -- limits (issue 15.3) -------------------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "words"), [
    ("٣", "uses digits other than 0-9"), ("１２.50", "uses digits other than 0-9"),
    ("1" * 16, "16 digits before the point; at most 15"), ("0." + "1" * 11, "11 digits after the point; at most 10"),
    ("1e3", "has an exponent"), ("1,234.50", "groups thousands"), ("NaN", "is not a number"),
])
def test_command_line_amounts_within_the_limits(book, amount, words):
    res = run(book, "journal", "post", "--memo", "x", "-p", "6100", amount, "-p", "1010")
    refused(book, res)
    assert words in res.stderr


def test_largest_amount_within_the_limits_is_exact(book):
    res = run(book, "journal", "post", "--memo", "big", "-p", "6100", "999999999999999.99", "-p", "1010")
    assert res.exit_code == 0, res.output
    res = run(book, "report", "trial-balance", "--format", "json")
    rows = {r["account"]: r for r in json.loads(res.stdout)["rows"]}
    assert rows["6100"]["debit"] == "999999999999999.99"


@pytest.mark.parametrize(("field", "value", "words"), [
    ("amount", "'" + "9" * 5001 + "'", "5001 digits before the point; at most 15"),
    ("amount", "'١٢.٥٠'", "digits other than 0-9"),
    ("amount", "'1.5e3'", "exponent"),
    ("amount", "12.5000000000001", "13 digits after the point"),
])
def test_record_amounts_within_the_limits(book, field, value, words):
    write(book, {"journal/2026/11/JE-20261103-AAAA.yaml": f"""
        id: JE-20261103-AAAA
        date: 2026-11-03
        memo: hand edit
        postings:
        - account: '6100'
          {field}: {value}
        - account: '1010'
          amount: '-5.00'
        """})
    res = run(book, "validate")
    assert res.exit_code == 1
    assert "journal/2026/11/JE-20261103-AAAA.yaml:6: error [invalid-value] postings.0.amount:" in res.stderr
    assert words in res.stderr


def test_lead_time_and_text_fields_are_bounded(book):
    res = run(book, "item", "add", "X1", "Thing", "--lead-time", "9" * 30)
    refused(book, res, code=res.exit_code)
    assert res.exit_code in (1, 2)
    write(book, {"items/X2.yaml": "sku: X2\nname: Thing\nlead_time_days: '" + "9" * 30 + "'\n",
                 "items/X3.yaml": "sku: X3\nname: '" + "n" * 10_001 + "'\n"})
    res = run(book, "validate")
    assert res.exit_code == 1
    assert "items/X2.yaml:3: error [invalid-value] lead_time_days:" in res.stderr and "must be at most 36500" in res.stderr
    assert "items/X3.yaml:2: error [invalid-value] name: is 10001 characters long; at most 10000" in res.stderr
