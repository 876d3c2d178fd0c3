"""The one place rows become output: table (tabulate), json, csv or markdown."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from json.encoder import encode_basestring as quoted  # how json.dumps(ensure_ascii=False) quotes
from typing import BinaryIO

from comptoir.domain.table import Column, Rows, Table

_CHUNK = 2000  # rows written at a time when they are made as they are read
# Cells a streamed table keeps between its two passes (~60 bytes each: ~60 MB); a larger one is
# made twice instead, so what it holds stays bounded whatever the book's size.
_KEEP_CELLS = 1_000_000

FORMATS = ("table", "json", "csv", "markdown")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_LIKE = re.compile(r"[+-][0-9][0-9 ]*")  # "+33 6 12 45 78 90": no operator, no name, no call

# Characters a terminal acts on instead of showing: C0 controls (ESC starts CSI/OSC sequences
# that can retitle or clear the reader's terminal), DEL, C1 controls (8-bit CSI/OSC), and the
# bidirectional overrides and isolates that reorder what a reader sees (Trojan Source), plus
# the line and paragraph separators. Table and Markdown output show them escaped.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}


def _escape_char(m: re.Match) -> str:
    ch = m.group()
    return _NAMED.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def printable(text: str, keep_newlines: bool = False) -> str:
    """Text safe to print on a terminal: control and bidi characters shown as escapes (\\e, \\x07,
    \\u202e); a backslash is left as it is, so ordinary paths and memos read unchanged. With
    `keep_newlines`, the text's own line breaks stay (a multi-line report built by the code)."""
    if not _UNSAFE.search(text):
        return text
    if keep_newlines:
        return "\n".join(_UNSAFE.sub(_escape_char, line) for line in text.split("\n"))
    return _UNSAFE.sub(_escape_char, text)


def _json_escape(m: re.Match) -> str:
    return f"\\u{ord(m.group()):04x}"


def safe_json(text: str) -> str:
    """JSON text with DEL, C1 and bidi controls escaped (json.dumps escapes only C0)."""
    return _JSON_UNSAFE.sub(_json_escape, text)


def _plain(value: object, col: Column | None = None) -> str:
    """Text of a cell without grouping (csv, json)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        if col is not None and col.kind == "money":
            return format(value.quantize(Decimal(1).scaleb(-col.places)), "f")
        return format(value, "f")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    return str(value)


def _human(value: object, col: Column) -> str:
    """Text of a cell for people (table, markdown): money grouped with the currency's places."""
    if value is None:
        return ""
    if isinstance(value, Decimal) and col.kind == "money":
        return f"{value.quantize(Decimal(1).scaleb(-col.places)):,}"
    if isinstance(value, Decimal) and col.kind in ("qty", "percent"):
        return f"{value.normalize():,f}" if value == value.to_integral() else f"{value:,f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return printable(_plain(value, col))


def _json_value(value: object, col: Column | None = None) -> object:
    if value is None or isinstance(value, bool | int) and not isinstance(value, Decimal):
        return value
    if isinstance(value, Decimal):
        return _plain(value, col)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return str(value)


def to_json(table: Table) -> str:
    if isinstance(table.rows, Rows):
        return "".join(_json_stream(table))
    cols = {c.key: c for c in table.columns}
    doc: dict[str, object] = {"report": table.name, "as_of": table.as_of, "columns": [c.key for c in table.columns],
           "rows": [{k: _json_value(v, cols.get(k)) for k, v in row.items()} for row in table.rows],
           "totals": None if table.totals is None else {k: _json_value(v, cols.get(k)) for k, v in table.totals.items()}}
    for key, value in table.meta.items():
        doc.setdefault(key, _json_value(value))
    if table.notes:
        doc["notes"] = table.notes
    # json.dumps escapes C0 controls itself; DEL, C1 and bidi controls it leaves raw. They can
    # only stand inside strings, where \\uXXXX means the same character.
    return _JSON_UNSAFE.sub(_json_escape, json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"


def _json_stream(table: Table) -> Iterator[str]:
    """to_json's text, a row at a time: the document without its rows, cut where they go, and each
    row as json.dumps indents it inside the list (every line four spaces in)."""
    cols = {c.key: c for c in table.columns}
    doc: dict[str, object] = {"report": table.name, "as_of": table.as_of, "columns": [c.key for c in table.columns],
           "rows": [],
           "totals": None if table.totals is None else {k: _json_value(v, cols.get(k)) for k, v in table.totals.items()}}
    for key, value in table.meta.items():
        doc.setdefault(key, _json_value(value))
    if table.notes:
        doc["notes"] = table.notes
    text = _JSON_UNSAFE.sub(_json_escape, json.dumps(doc, indent=2, ensure_ascii=False))
    # the first "rows": [] is the key's: a string holding those characters has its quotes escaped
    cut = text.index('\n  "rows": []') + len('\n  "rows": [')
    head, tail = text[:cut], text[cut:]
    first = True
    out: list[str] = [head]
    for row in table.rows:
        one = _json_row(row, cols)
        out.append(("\n    " if first else ",\n    ") + _JSON_UNSAFE.sub(_json_escape, one))
        first = False
        if len(out) >= _CHUNK:
            yield "".join(out)
            out = []
    if not first:
        out.append("\n  ")
    out.append(tail + "\n")
    yield "".join(out)


def _json_row(row: dict, cols: dict[str, Column]) -> str:
    """A row as json.dumps(indent=2) writes it inside the document's rows (four spaces in), each
    value dumped alone (a string by the C encoder, much quicker than the indenting one)."""
    if not row:
        return "{}"
    if not all(type(key) is str for key in row):  # json.dumps turns such keys into strings its own way
        return json.dumps({k: _json_value(v, cols.get(k)) for k, v in row.items()}, indent=2,
                          ensure_ascii=False).replace("\n", "\n    ")
    parts = []
    for key, value in row.items():
        value = _json_value(value, cols.get(key))
        kind = type(value)
        if isinstance(value, str):
            text = quoted(value)
        elif value is None:
            text = "null"
        elif kind is bool:
            text = "true" if value else "false"
        elif isinstance(value, dict | list):
            text = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n      ")
        else:
            text = json.dumps(value)
        parts.append(f"      {quoted(key)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n    }"


def _neutralise(text: str, col: Column) -> str:
    """A text cell a spreadsheet would run as a formula gets a leading quote. A phone number in
    E.164 (`+33612457890`) or a signed number runs nothing, and e-mail tools import it as it is."""
    if col.kind == "text" and text.startswith(_FORMULA_START) and not _NUMBER_LIKE.fullmatch(text):
        return "'" + text
    return text


def to_csv(table: Table) -> str:
    if isinstance(table.rows, Rows):
        return "".join(_csv_stream(table))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([c.key for c in table.columns])
    for row in table.rows + ([table.totals] if table.totals else []):
        writer.writerow([_neutralise(_plain(row.get(c.key), c), c) for c in table.columns])
    return buf.getvalue()


def _csv_stream(table: Table) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([c.key for c in table.columns])
    columns = table.columns
    for n, row in enumerate(itertools.chain(table.rows, [table.totals] if table.totals else []), 1):
        writer.writerow([_neutralise(_plain(row.get(c.key), c), c) for c in columns])
        if n % _CHUNK == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def _human_of(col: Column) -> Callable[[object], str]:
    """_human for one column, stripped, quicker for the values its kind usually holds (a
    register's 46,000 lines have 400,000 cells); any other value goes through _human itself."""
    if col.kind == "money":
        step = Decimal(1).scaleb(-col.places)

        def money(value: object) -> str:
            if type(value) is Decimal:
                return f"{value.quantize(step):,}"  # no space to strip
            return _human(value, col).strip()

        return money

    def other(value: object) -> str:
        if type(value) is str:
            # every character printable shows unescaped (each one printable() escapes is not)
            return (value if value.isprintable() else printable(value)).strip()
        if type(value) is dt.date:
            return value.isoformat()
        return _human(value, col).strip()

    return other


def _cells(table: Table, fmt: str) -> Iterator[list[str]]:
    """_grid's body, a row at a time: each row's cells as people read them, stripped."""
    columns = [(c.key, _human_of(c)) for c in table.columns]
    markdown = fmt == "markdown"
    for row in table.rows:
        get = row.get
        cells = [human(get(key)) for key, human in columns]
        yield [v.replace("|", "\\|") for v in cells] if markdown else cells
    if table.totals:
        cells = [_human(table.totals.get(c.key), c) for c in table.columns]
        if markdown:
            cells = [v.replace("|", "\\|") for v in cells]
            cells = [f"**{v}**" if v else v for v in cells]
        yield [v.strip() for v in cells]


def _grid_stream(table: Table, fmt: str) -> Iterator[str]:
    """_grid's text for rows made as they are read (comptoir.domain.table.Rows), in two passes:
    the column widths (and whether every cell is printable ASCII), then the lines. The first
    pass's cells are kept for the second while they fit in _KEEP_CELLS (a register of 46,000 lines:
    its rows made and formatted once, not twice); past that the rows are made again. Cells that
    are not go through tabulate a few hundred rows at a time, each time below a row as wide as
    the widest cell of each column, so that it lays them out as it does the whole table."""
    headers = [c.header for c in table.columns]
    align = ["right" if c.kind in ("money", "qty", "int", "percent") else "left" for c in table.columns]
    pipe = fmt == "markdown"
    widest = [0] * len(headers)  # each column's widest cell, in characters
    shown = [0] * len(headers)  # and as tabulate measures it (with wcwidth, in terminal columns)
    plain = all(h.isascii() and h.isprintable() for h in headers)
    measure = None
    kept: list[list[str]] | None = []  # the first pass's cells, while they fit in _KEEP_CELLS
    room = _KEEP_CELLS // max(1, len(headers))
    for cells in _cells(table, fmt):
        if kept is not None:
            if len(kept) < room:
                kept.append(cells)
            else:
                kept = None  # too many to hold: the second pass makes them again
        widest = list(map(max, widest, map(len, cells)))
        if plain:
            joined = "".join(cells)  # printable ASCII when each cell is
            plain = joined.isascii() and joined.isprintable()
        if not plain:
            if measure is None:
                measure = _tabulate_width()
                shown = list(widest)  # printable ASCII so far: as wide as long
            for i, v in enumerate(cells):
                w = measure(v)
                if w > shown[i]:
                    shown[i] = w
    rows = kept if kept is not None else _cells(table, fmt)
    if plain:
        widths = [max(len(h) + 2, w) for h, w in zip(headers, widest, strict=True)]
        yield from _ascii_stream(headers, rows, widths, align, pipe)
    else:
        yield from _tabulate_stream(headers, rows, shown, align, pipe)


def _tabulate_width():
    """The width tabulate gives a one-line cell with no ANSI codes: its length, or its terminal
    width when wcwidth is installed."""
    import tabulate as tab

    return tab._choose_width_fn(False, tab.wcwidth is not None and tab.WIDE_CHARS_MODE, False)


def _tabulate_stream(headers: list[str], rows: Iterable[list[str]], shown: list[int], align: list[str],
                     pipe: bool) -> Iterator[str]:
    from tabulate import tabulate

    fmt = "pipe" if pipe else "simple"
    wide = ["x" * max(w, 0) for w in shown]
    first = True

    def lay_out(chunk: list[list[str]]) -> str:
        lines = tabulate([wide, *chunk], headers, tablefmt=fmt, colalign=align, disable_numparse=True).split("\n")
        return "\n".join(lines[:2] + lines[3:] if first else lines[3:])

    chunk: list[list[str]] = []
    for cells in rows:
        chunk.append(cells)
        if len(chunk) >= 500:
            yield ("" if first else "\n") + lay_out(chunk)
            first = False
            chunk = []
    if chunk or first:
        yield ("" if first else "\n") + lay_out(chunk)


def _ascii_stream(headers: list[str], rows: Iterable[list[str]], widths: list[int], align: list[str],
                  pipe: bool) -> Iterator[str]:
    """_ascii_grid's lines, given the widths."""
    shape = list(zip(widths, align, strict=True))
    # one format for every line, each cell padded as ljust/rjust would (a register's 400,000 cells)
    spec = ("| " + " | ".join(f"{{:{'<' if a == 'left' else '>'}{w}}}" for w, a in shape) + " |" if pipe
            else "  ".join(f"{{:{'<' if a == 'left' else '>'}{w}}}" for w, a in shape))

    def line(cells: list[str]) -> str:
        if len(cells) != len(shape):
            raise ValueError(f"a line of {len(cells)} cells in a table of {len(shape)} columns")
        return spec.format(*cells) if pipe else spec.format(*cells).rstrip()

    if pipe:
        rule = "|" + "|".join(":" + "-" * (w + 1) if a == "left" else "-" * (w + 1) + ":" for w, a in shape) + "|"
    else:
        rule = "  ".join("-" * w for w in widths)
    out = [line(headers), rule]
    before = ""  # lines are joined by line breaks, the last one without
    for cells in rows:
        out.append(line(cells))
        if len(out) >= _CHUNK:
            yield before + "\n".join(out)
            before, out = "\n", []
    if out:
        yield before + "\n".join(out)


def _grid(table: Table, fmt: str) -> str:
    headers = [c.header for c in table.columns]
    body = [[_human(row.get(c.key), c) for c in table.columns] for row in table.rows]
    if table.totals:
        body.append([_human(table.totals.get(c.key), c) for c in table.columns])
    align = ["right" if c.kind in ("money", "qty", "int", "percent") else "left" for c in table.columns]
    if fmt == "markdown":
        body = [[v.replace("|", "\\|") for v in row] for row in body]  # a | in a memo would end the cell
        if table.totals:
            body[-1] = [f"**{v}**" if v else v for v in body[-1]]
    if _plain_ascii(headers, body):
        return _ascii_grid(headers, body, align, pipe=fmt == "markdown")
    from tabulate import tabulate

    return tabulate(body, headers, tablefmt="pipe" if fmt == "markdown" else "simple", colalign=align,
                    disable_numparse=True)


def _plain_ascii(headers: list[str], body: list[list[str]]) -> bool:
    return all(h.isascii() and h.isprintable() for h in headers) and all(
        v.isascii() and v.isprintable() for row in body for v in row)


def _ascii_grid(headers: list[str], body: list[list[str]], align: list[str], pipe: bool) -> str:
    """tabulate's "simple" and "pipe" layouts, character for character, for cells that are
    printable ASCII (one column per character, no escapes, one line). tabulate works out each
    cell's type and display width, which took 60 % of `crm lead list` on 3,000 rows; cells here
    are already formatted text, so their width is their length. Anything else (wide or
    combining characters, right-to-left text) goes through tabulate itself;
    tests/test_render.py checks the two agree."""
    rows = body
    for row in rows:  # in place: a register of 750,000 postings holds its cells once
        row[:] = [v.strip() for v in row]
    widths = [max([len(h) + 2] + [len(row[i]) for row in rows]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        padded = [v.ljust(w) if a == "left" else v.rjust(w) for v, w, a in zip(cells, widths, align, strict=True)]
        return "| " + " | ".join(padded) + " |" if pipe else "  ".join(padded).rstrip()

    if pipe:
        rule = "|" + "|".join(":" + "-" * (w + 1) if a == "left" else "-" * (w + 1) + ":"
                              for w, a in zip(widths, align, strict=True)) + "|"
    else:
        rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *map(line, rows)])


def _head(table: Table, fmt: str) -> list[str]:
    """The lines before the grid: the title and the revision read."""
    parts = []
    if table.title:
        parts.append(printable(f"## {table.title}" if fmt == "markdown" else table.title))
        if table.as_of:
            parts.append(printable(f"as of {table.as_of}"))
        parts.append("")
    return parts


def _tail(table: Table, fmt: str) -> list[str]:
    """The lines after the grid: the notes and, in Markdown, the chart."""
    parts = []
    if table.notes:
        parts.append("")
        parts.extend(printable(f"- {n}" if fmt == "markdown" else n) for n in table.notes)
    if fmt == "markdown" and table.chart and table.chart.get("x"):
        parts += ["", mermaid(table.chart)]
    return parts


def render(table: Table, fmt: str) -> str:
    if isinstance(table.rows, Rows):
        return "".join(render_stream(table, fmt))
    if fmt == "json":
        return to_json(table)
    if fmt == "csv":
        return to_csv(table)
    parts = _head(table, fmt)
    parts.append(_grid(table, fmt) if table.rows or table.totals else "(nothing to show)")
    return "\n".join(parts + _tail(table, fmt)) + "\n"


def render_stream(table: Table, fmt: str) -> Iterator[str]:
    """render's text in pieces, for a table whose rows are made as they are read (Rows): the
    rows are never all held, and the pieces joined are render's text for the same rows held."""
    if fmt == "json":
        yield from _json_stream(table)
        return
    if fmt == "csv":
        yield from _csv_stream(table)
        return
    parts = _head(table, fmt)
    if table.rows or table.totals:
        yield "\n".join(parts) + ("\n" if parts else "")
        yield from _grid_stream(table, fmt)
        parts = [""]
    else:
        parts.append("(nothing to show)")
    yield "\n".join(parts + _tail(table, fmt)) + "\n"


def mermaid(chart: dict) -> str:
    """A Mermaid xychart (GitHub renders it in job summaries and comments; no dependency)."""
    def label(text: object) -> str:
        return '"' + "".join(ch for ch in str(text) if ch not in '"\\`\n\r') + '"'

    def numbers(values) -> str:
        return "[" + ", ".join(format(Decimal(str(v or 0)), "f") for v in values) + "]"

    # tildes, not backticks: the chart can sit inside a ``` block (a PR comment quoting output)
    lines = ["~~~mermaid", "xychart-beta", f"    title {label(chart.get('title', ''))}",
             "    x-axis [" + ", ".join(label(x) for x in chart["x"]) + "]"]
    if chart.get("y"):
        lines.append(f"    y-axis {label(chart['y'])}")
    if chart.get("bar"):
        lines.append(f"    bar {numbers(chart['bar'][1])}")
    if chart.get("line"):
        lines.append(f"    line {numbers(chart['line'][1])}")
    lines.append("~~~")
    series = " and ".join(f"{kind} = {chart[kind][0]}" for kind in ("bar", "line") if chart.get(kind))
    if series:
        lines.append(f"\n_{series}_")
    return "\n".join(lines)


# spreadsheets ------------------------------------------------------------------------------
def _sheet_name(name: str, taken: set[str]) -> str:
    base = "".join("-" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "report"
    candidate, n = base, 2
    while candidate.lower() in taken:
        suffix = f" {n}"
        candidate, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


_XLSX_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # openpyxl's ILLEGAL_CHARACTERS_RE


def _xlsx_cell(cell, value: object, col: Column) -> None:
    """Numbers stay numbers (a Decimal is written as its exact text, never through float),
    money with the currency's places; text is always text, never a formula."""
    if isinstance(value, Decimal):
        if col.kind == "money":
            cell.value = value.quantize(Decimal(1).scaleb(-col.places))
            cell.number_format = "#,##0" + ("." + "0" * col.places if col.places else "")
        else:
            cell.value = value
            if col.kind == "percent":
                cell.number_format = "0.0"
    elif isinstance(value, bool):
        cell.value = value
    elif isinstance(value, int):
        cell.value = value
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    elif value is None:
        cell.value = None
    else:
        plain = _plain(value, col)
        # a control character a worksheet cannot hold (openpyxl refuses it) is shown as its escape
        cell.value = printable(plain) if _XLSX_ILLEGAL.search(plain) else plain
        cell.data_type = "s"


def to_xlsx(tables: list[Table], names: list[str] | None = None) -> bytes:
    """The workbook write_xlsx writes, as bytes (the report pack's few small tables)."""
    out = io.BytesIO()
    write_xlsx(out, tables, names)
    return out.getvalue()


def write_xlsx(out: BinaryIO, tables: list[Table], names: list[str] | None = None) -> None:
    """A workbook with one sheet per table (named by `names`, else by the report): the column
    headers, the rows, the totals row in bold, then the title, the revision and the notes below
    (openpyxl, imported only here). Written as the rows come (openpyxl's write-only workbook:
    each sheet's rows go to a temporary file), so rows made as they are read (Rows) are never
    all held: the first 200 size the columns, then every row is written."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    book = Workbook(write_only=True)
    taken: set[str] = set()
    bold = Font(bold=True)
    for n, table in enumerate(tables):
        sheet = book.create_sheet(_sheet_name(names[n] if names else table.name, taken))
        first = list(itertools.islice(iter(table.rows), _WIDTH_ROWS))
        for j, col in enumerate(table.columns, 1):
            width = max([len(col.header)] + [len(_human(r.get(col.key), col)) for r in first])
            sheet.column_dimensions[get_column_letter(j)].width = min(60, max(8, width + 2))
        sheet.freeze_panes = "A2"

        def line(row: dict, font: Font | None = None, sheet=sheet, table=table) -> list:
            cells = []
            for col in table.columns:
                cell = WriteOnlyCell(sheet)
                _xlsx_cell(cell, row.get(col.key), col)
                if font is not None:
                    cell.font = font
                cells.append(cell)
            return cells

        header = []
        for col in table.columns:
            cell = WriteOnlyCell(sheet, value=col.header)
            cell.font = bold
            cell.data_type = "s"
            header.append(cell)
        sheet.append(header)
        for row in first if len(first) < _WIDTH_ROWS else table.rows:  # all of them, or made again
            sheet.append(line(row))
        if table.totals:
            sheet.append(line(table.totals, bold))
        below = [text for text in [table.title, f"as of {table.as_of}" if table.as_of else "", *table.notes] if text]
        if below:
            sheet.append([])  # one blank row between the table and its title and notes
        for text in below:
            cell = WriteOnlyCell(sheet, value=text)
            cell.data_type = "s"
            sheet.append([cell])
    book.save(out)


_WIDTH_ROWS = 200  # the rows a column's width is measured on


# html (the report pack) ------------------------------------------------------------------------
def to_html(table: Table) -> str:
    """The table as an HTML <table> (every text escaped), its notes as a list below it."""
    from html import escape

    def cell(tag: str, value: str, col: Column, extra: str = "") -> str:
        num = ' class="num"' if col.kind in ("money", "qty", "int", "percent") else ""
        return f"<{tag}{num}{extra}>{escape(value)}</{tag}>"

    head = "".join(cell("th", c.header, c, ' scope="col"') for c in table.columns)
    body = []
    for row in table.rows:
        css = f' class="{escape(str(row.get("line")))}"' if row.get("line") in ("total", "subtotal", "result") else ""
        body.append(f"<tr{css}>" + "".join(cell("td", _human(row.get(c.key), c), c) for c in table.columns) + "</tr>")
    foot = ""
    if table.totals:
        foot = "<tfoot><tr>" + "".join(cell("td", _human(table.totals.get(c.key), c), c)
                                       for c in table.columns) + "</tr></tfoot>"
    out = [f'<table class="report" data-report="{escape(table.name)}"><thead><tr>{head}</tr></thead>',
           "<tbody>" + "".join(body) + "</tbody>" + foot + "</table>"]
    if not table.rows and not table.totals:
        out = ['<p class="empty">(nothing to show)</p>']
    if table.notes:
        out.append('<ul class="notes">' + "".join(f"<li>{escape(n)}</li>" for n in table.notes) + "</ul>")
    return "\n".join(out)
