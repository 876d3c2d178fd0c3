"""What every report and list returns: typed columns and rows, rendered elsewhere."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"  # text | money | qty | int | date | percent | bool
    places: int = 2


@dataclass
class Table:
    name: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    totals: dict | None = None
    title: str = ""
    notes: list[str] = field(default_factory=list)
    as_of: str | None = None
    meta: dict = field(default_factory=dict)  # extra top-level JSON fields (e.g. "balanced": true)
    # a trend to draw in Markdown (Mermaid xychart): {"title", "x": [labels], "bar": (name, values),
    # "line": (name, values) or None}; not part of the JSON document
    chart: dict | None = None


def money(key: str, header: str, places: int = 2) -> Column:
    return Column(key, header, "money", places)


def text(key: str, header: str) -> Column:
    return Column(key, header, "text")
