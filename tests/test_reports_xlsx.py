"""`--format xlsx --output FILE` on every report: read back with openpyxl (the library that
wrote it), every cell agrees with the JSON output; numbers are numbers with the currency's places."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from comptoir.commands.report import report
from comptoir.families import report_names

from .conftest import run

openpyxl = pytest.importorskip("openpyxl")

DEMO = Path(__file__).resolve().parent.parent / "ledger-data"
ARGS = {"ledger": ["1010"], "statement": ["hotel-bellecour"], "bom-cost": ["ESP-250"],
        "reconciliation": ["--account", "1010"], "vat-return": ["--period", "2026-10"]}
EVERY_REPORT = sorted((set(report_names()) | set(report.commands)) - {"pack"})


def _same(cell: object, value: object) -> bool:
    if value is None or value == "":
        return cell in (None, "")
    if isinstance(cell, bool) or isinstance(value, bool):
        return cell == value or str(cell).lower() == str(value).lower()
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return Decimal(repr(cell)) == Decimal(value)
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() == value
    if isinstance(value, list):
        return cell == ", ".join(str(v) for v in value)
    return str(cell) == str(value)


def compare(path: Path, doc: dict) -> None:
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    body = doc["rows"] + ([doc["totals"]] if doc["totals"] else [])
    assert len(rows) >= 1 + len(body)
    for i, row in enumerate(body, 1):
        for j, key in enumerate(doc["columns"]):
            assert _same(rows[i][j], row.get(key)), (doc["report"], i, key, rows[i][j], row.get(key))


@pytest.mark.parametrize("name", EVERY_REPORT)
def test_every_report_writes_a_workbook_that_agrees_with_json(name, tmp_path):
    args = ["report", name, *ARGS.get(name, [])]
    res = run(DEMO, *args, "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    out = tmp_path / f"{name}.xlsx"
    res = run(DEMO, *args, "--format", "xlsx", "--output", out)
    assert res.exit_code == 0, res.output
    assert res.stdout == ""
    compare(out, doc)


def test_period_columns_are_numbers_with_the_currency_places(tmp_path):
    out = tmp_path / "is.xlsx"
    res = run(DEMO, "report", "income-statement", "--by", "month", "--format", "xlsx", "-o", out)
    assert res.exit_code == 0, res.output
    sheet = openpyxl.load_workbook(out).active
    assert [c.value for c in sheet[1]][-2:] == ["2026-11", "Total"]
    revenue = sheet.cell(row=2, column=sheet.max_column)
    assert isinstance(revenue.value, int | float) and revenue.number_format == "#,##0.00"
    doc = json.loads(run(DEMO, "report", "income-statement", "--by", "month", "--format", "json").stdout)
    compare(out, doc)


def test_xlsx_needs_an_output_file_and_a_folder_that_exists(tmp_path):
    res = run(DEMO, "report", "trial-balance", "--format", "xlsx")
    assert res.exit_code == 2 and "--output" in res.stderr
    res = run(DEMO, "report", "trial-balance", "--format", "xlsx", "--output", tmp_path / "nope" / "tb.xlsx")
    assert res.exit_code == 1 and "no-such-folder" in res.stderr
    assert not (tmp_path / "nope").exists()


def test_a_text_cell_that_looks_like_a_formula_stays_text(book, tmp_path):
    res = run(book, "journal", "post", "--date", "2026-11-02", "--memo", "=HYPERLINK(\"x\")",
              "-p", "6100", "10.00", "-p", "1010")
    assert res.exit_code == 0, res.output
    out = tmp_path / "j.xlsx"
    assert run(book, "report", "journal", "--format", "xlsx", "-o", out).exit_code == 0
    cells = [c for row in openpyxl.load_workbook(out).active.iter_rows() for c in row]
    memo = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert memo and all(c.data_type == "s" for c in memo)


def test_the_output_files_suffix_picks_the_format_unless_format_is_given(tmp_path):
    doc = json.loads(run(DEMO, "report", "trial-balance", "--format", "json").stdout)
    res = run(DEMO, "report", "trial-balance", "--output", tmp_path / "tb.xlsx")  # no --format
    assert res.exit_code == 0, res.output
    compare(tmp_path / "tb.xlsx", doc)
    for suffix, fmt in ((".json", "json"), (".csv", "csv"), (".MD", "markdown"), (".txt", "table")):
        out = tmp_path / f"tb{suffix}"
        assert run(DEMO, "report", "trial-balance", "-o", out).exit_code == 0
        assert out.read_text() == run(DEMO, "report", "trial-balance", "--format", fmt).stdout, suffix
    out = tmp_path / "asked.csv"  # --format given: it wins over the name, before or after --output
    assert run(DEMO, "report", "trial-balance", "-o", out, "--format", "json").exit_code == 0
    assert json.loads(out.read_text()) == doc
    assert run(DEMO, "report", "trial-balance", "--format", "table", "-o", out).exit_code == 0
    assert out.read_text() == run(DEMO, "report", "trial-balance").stdout
