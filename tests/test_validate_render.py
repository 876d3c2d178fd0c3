"""validate's three formats, the renderer's formats, the write lock, refusals that leave no trace."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from comptoir.domain.table import Column, Table
from comptoir.render import render

from .conftest import git, head, run, write

UNBALANCED = """
id: JE-20261105-AAAA
date: 2026-11-05
memo: Rent, "November"
postings:
  - account: '6100'
    amount: 1200.00
  - account: '1010'
    amount: -1100.00
"""


def test_validate_clean_book_exits_zero(book):
    res = run(book, "validate")
    assert res.exit_code == 0, res.output
    assert "0 errors" in res.stdout


def test_validate_text_json_github(book):
    write(book, {"journal/2026/11/JE-20261105-AAAA.yaml": UNBALANCED})
    text = run(book, "validate")
    assert text.exit_code == 1
    assert text.stderr.startswith("journal/2026/11/JE-20261105-AAAA.yaml:4: error [unbalanced]")
    assert "\n  hint: " in text.stderr
    js = run(book, "validate", "--format", "json")
    assert js.exit_code == 1
    err = json.loads(js.stdout)["errors"][0]
    assert set(err) >= {"file", "line", "code", "message", "hint"}
    assert (err["file"], err["line"], err["code"]) == ("journal/2026/11/JE-20261105-AAAA.yaml", 4, "unbalanced")
    gh = run(book, "validate", "--format", "github")
    assert gh.exit_code == 1
    assert gh.stdout.startswith("::error file=journal/2026/11/JE-20261105-AAAA.yaml,line=4,title=unbalanced::")
    assert "%0A" in gh.stdout  # the hint is on an escaped second line


def test_github_annotations_are_capped_at_ten(book):
    files = {f"journal/2026/11/JE-20261105-A{i:03d}.yaml": UNBALANCED.replace("AAAA", f"A{i:03d}") for i in range(12)}
    write(book, files)
    gh = run(book, "validate", "--format", "github")
    lines = gh.stdout.strip().splitlines()
    assert len(lines) == 11
    assert lines[-1].startswith("::error::2 more problems")


def test_unknown_account_on_post_writes_nothing(book):
    before = head(book)
    res = run(book, "journal", "post", "--date", "2026-11-05", "--memo", "x", "-p", "9999", "1", "-p", "1010", "-1")
    assert res.exit_code == 1
    assert "error [unknown-account]" in res.stderr and "hint:" in res.stderr
    assert "Traceback" not in res.output
    assert head(book) == before and git(book, "status", "--porcelain") == ""


def test_usage_errors_exit_two(book):
    assert run(book, "journal", "post", "--bogus").exit_code == 2
    assert run(book, "report", "trial-balance", "--format", "xml").exit_code == 2


def test_missing_data_root_is_a_clear_error(tmp_path):
    res = run(None, "validate", cwd=tmp_path)
    assert res.exit_code == 1
    assert "[no-data-root]" in res.stderr


def test_refuses_to_rewrite_a_file_with_uncommitted_edits(book):
    path = book / "comptoir.yaml"
    path.write_text(path.read_text() + "# my local note\n")
    res = run(book, "account", "add", "1600", "Vehicles", "--type", "asset", "--parent", "1000")
    assert res.exit_code == 0  # other files may be dirty
    assert "# my local note" in path.read_text()
    assert "comptoir.yaml" not in git(book, "show", "--name-only", "--format=", "HEAD")


TABLE = Table("t", [Column("name", "Name"), Column("amount", "Amount", "money", 2), Column("n", "N", "int")],
              [{"name": "=SUM(A1)", "amount": Decimal("-1234.5"), "n": 3},
               {"name": "Café", "amount": Decimal("0.1") + Decimal("0.2"), "n": 1}],
              {"name": "Total", "amount": Decimal("-1234.2"), "n": 4})


def test_json_has_the_contract_shape_and_decimal_strings():
    doc = json.loads(render(TABLE, "json"))
    assert doc["report"] == "t" and doc["columns"] == ["name", "amount", "n"]
    assert doc["rows"][0]["amount"] == "-1234.50" and doc["rows"][1]["amount"] == "0.30"
    assert doc["totals"]["amount"] == "-1234.20"


def test_csv_neutralises_formulas_but_not_numbers():
    rows = list(csv.reader(io.StringIO(render(TABLE, "csv"))))
    assert rows[0] == ["name", "amount", "n"]
    assert rows[1] == ["'=SUM(A1)", "-1234.50", "3"]
    assert rows[3] == ["Total", "-1234.20", "4"]


def test_csv_keeps_a_phone_number_but_not_a_formula_that_starts_like_one():
    from comptoir.domain.table import Table, text

    table = Table("t", [text("phone", "Phone")], [{"phone": "+33612457890"}, {"phone": "+33 6 12 45 78 90"},
                                                  {"phone": "+1+cmd|' /C calc'!A0"}, {"phone": "-2+3"}])
    rows = list(csv.reader(io.StringIO(render(table, "csv"))))
    assert [r[0] for r in rows[1:]] == ["+33612457890", "+33 6 12 45 78 90", "'+1+cmd|' /C calc'!A0", "'-2+3"]


def test_table_and_markdown_group_thousands():
    assert "-1,234.50" in render(TABLE, "table")
    md = render(TABLE, "markdown")
    assert "| Name" in md and "**-1,234.20**" in md


def test_version_and_help():
    res = run(None, "--version")
    assert res.exit_code == 0 and "comptoir, version" in res.stdout
    res = run(None, "--help")
    assert res.exit_code == 0 and "journal" in res.stdout
