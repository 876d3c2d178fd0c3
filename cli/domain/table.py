"""What every report and list returns: typed columns and rows, rendered elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field


class Rows:
    """Rows made on demand, as many times as they are read: a report too large to hold (the
    register of a whole book) gives the function that makes its rows, and the renderer
    (comptoir.render) reads them once for json and csv, twice for a table (its column widths,
    then its lines), holding one row at a time. `count`: how many there are, when known beforehand."""

    def __init__(self, make: Callable[[], Iterable[dict]], count: int | None = None) -> None:
        self._make = make
        self._count = count

    def __iter__(self) -> Iterator[dict]:
        return iter(self._make())

    def __len__(self) -> int:
        if self._count is None:
            self._count = sum(1 for _ in self._make())
        return self._count

    def __bool__(self) -> bool:
        if self._count is not None:
            return self._count > 0
        return next(iter(self._make()), None) is not None


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
    rows: list[dict] | Rows = field(default_factory=list)  # a list, or Rows made as they are read
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
