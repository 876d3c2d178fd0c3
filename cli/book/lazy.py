"""A kind's records read only when first used (a partial book: the kinds a command needs are
read, the others wait until something asks for them)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping

from comptoir.schemas.types import Record


class LazyRecords(MutableMapping):
    """A kind's records, read only when first used."""

    def __init__(self, load: Callable[[], dict[str, Record]]) -> None:
        self._load = load
        self._data: dict[str, Record] | None = None

    def _records(self) -> dict[str, Record]:
        if self._data is None:
            self._data = self._load()
        return self._data

    @property
    def loaded(self) -> bool:
        return self._data is not None

    def __getitem__(self, key: str) -> Record:
        return self._records()[key]

    def __setitem__(self, key: str, value: Record) -> None:
        self._records()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._records()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._records())

    def __len__(self) -> int:
        return len(self._records())

    def __contains__(self, key: object) -> bool:
        return key in self._records()
