"""Documents served from the facts a report reads of them, derived per folder and kept in the store.

A report on sales or purchasing documents reads a few fields of each: the open items read an
invoice's id, partner, dates, currency, rate and total, a payment's allocations, and nothing of
the lines. The domain declares those fields per kind (`FACTS` beside its `READS`); here each
folder of the kind gives, from the records filed directly in it, one tuple of those fields per
record, kept in the one store under the folder's tree id (comptoir.app.partials.per_folder):
the same tree means the same records, so a report on 20,000 unchanged documents reads a few
dozen small values instead of validating 20,000 files, a new invoice costs re-reading its month,
a dirty tree reads only the changed folders and `--as-of` uses the revision's trees.

The report then gets, for each such kind, light records (named tuples with exactly the declared
fields, values as the models give them: Decimal, date, str, lists, nested lines) in path order,
as a full read would give the records. A field the declaration leaves out is an AttributeError,
never a silent default; the differential tests (tests/test_op_partials.py) run every served
report against the full read. Anything the partials cannot serve makes the caller read the
records instead.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import namedtuple
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from comptoir.book.store import Derivation
from comptoir.schemas.registry import kind_named

if TYPE_CHECKING:
    from comptoir.model import Book

# Per folder of a document kind: one tuple of the declared fields per record; keyed by the
# folder's path and tree id and the fields declared.
FACTS = Derivation("document-facts", keep=1600)
# The same for a kind filed in one flat folder (orders), per bucket of files whose blob ids start
# alike (comptoir.app.partials.per_file).
FILE_FACTS = Derivation("document-facts-files", keep=2400)

# The folders of the kinds served so (the kind table is plain data: no model is imported to probe them).
FOLDERS = {k: kind_named(k).folder for k in (
    "invoice", "credit-note", "delivery", "sales-order", "bill", "debit-note", "receipt", "supplier-return",
    "purchase-order", "payment", "application", "lead", "activity", "opportunity", "payroll")}

# The folders of the kinds a served report reads whole beside the facts (its master data), so that
# the probe's status covers them too and their listing needs no index read (comptoir.book.loader.
# list_files). A kind not named here, or named with another folder, is listed from git's index.
READ_FOLDERS = {k: kind_named(k).folder for k in (
    "account", "rate", "partner", "item", "warehouse", "tax-code", "employee", "bom", "work-order", "completion")}

# A declaration: field names; a nested record (or list of them) as (name, its fields).
Fields = tuple  # tuple[str | tuple[str, Fields], ...]


class Unsupported(TypeError):
    """A value the facts cannot carry exactly (the caller reads the records instead)."""


def _encode(value: Any, nested: Fields | None) -> Any:
    if nested is not None:
        if value is None:
            return None
        if isinstance(value, list):
            return [encode(v, nested) for v in value]
        return encode(value, nested)
    kind = type(value)
    if value is None or kind in (str, int, bool):
        return value
    if kind is Decimal:
        return str(value).encode("ascii")  # bytes: the one marshal type no other field has
    if kind is dt.date:
        return float(value.toordinal())  # float: no field of a record is one
    if kind is list:
        return [_encode(v, None) for v in value]
    raise Unsupported(f"{kind.__name__} in a document fact")


def encode(record: Any, fields: Fields) -> tuple:
    """The declared fields of `record`, as the store keeps them (marshal's plain types)."""
    out = []
    for spec in fields:
        name, nested = (spec, None) if isinstance(spec, str) else spec
        out.append(_encode(getattr(record, name), nested))
    return tuple(out)


def _scalar(value: Any) -> Any:
    """A stored value back, whatever its field (a property such as a payment's `unallocated`)."""
    kind = type(value)
    if kind is bytes:
        return Decimal(value.decode("ascii"))
    if kind is float:
        return dt.date.fromordinal(int(value))
    if kind is list:
        return [_scalar(v) for v in value]
    return value


def _decimal(value: bytes) -> Decimal:
    return Decimal(value.decode("ascii"))


def _date(value: float) -> dt.date:
    return dt.date.fromordinal(int(value))


def _converter(model: type | None, name: str) -> Callable[[Any], Any] | None:
    """How a stored value of the field comes back: None when it is stored as it is (text, a
    number of lines, a list of ids), so that most fields cost nothing."""
    field = getattr(model, "model_fields", {}).get(name)
    if field is None:
        return _scalar
    found = _types(field.annotation)
    if found <= {str, int, bool, type(None)} or found == {list, str}:
        return None
    if found <= {Decimal, type(None)}:
        return _decimal
    if found <= {dt.date, type(None)}:
        return _date
    return _scalar


def _types(annotation: Any) -> set:
    import typing

    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _types(args[0])
    if origin is None:
        return {annotation}
    out = {origin} if origin is list else set()
    for arg in args:
        out |= _types(arg)
    return out


def _model_of(model: type | None, name: str) -> type | None:
    """The record type of a nested field (the lines of an invoice)."""
    import typing

    field = getattr(model, "model_fields", {}).get(name)
    stack = [field.annotation] if field is not None else []
    while stack:
        annotation = stack.pop()
        if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
            return annotation
        stack.extend(typing.get_args(annotation))
    return None


@cache
def decoder(fields: Fields, label: str, model: type | None) -> Callable[[tuple], Any]:
    """stored tuple -> the light record (a named tuple of the declared fields)."""
    names = [spec if isinstance(spec, str) else spec[0] for spec in fields]
    cls = namedtuple(label.title().replace("-", "") + "Facts", names)  # type: ignore[misc]
    convert: list[tuple[int, Callable[[Any], Any]]] = []
    for n, spec in enumerate(fields):
        if isinstance(spec, str):
            fn = _converter(model, spec)
            if fn is not None:
                convert.append((n, fn))
            continue
        inner = decoder(spec[1], f"{label}-{spec[0]}", _model_of(model, spec[0]))

        def nested(value: Any, inner: Callable[[tuple], Any] = inner) -> Any:
            return [inner(v) for v in value] if type(value) is list else inner(value)

        convert.append((n, nested))
    make = cls._make

    def decode(row: tuple) -> Any:
        values = list(row)
        for n, fn in convert:
            value = values[n]
            if value is not None:
                values[n] = fn(value)
        return make(values)

    return decode


class Light(Mapping):
    """A kind's light records as the store keeps them, each decoded when first asked for: a write
    looks a few of 20,000 documents up by id or by the value of one field (`ids_where`: an order's
    deliveries, a partner's invoices), and decoding every one (~8 us each) was what grew with the
    number of documents. Iterating over the values decodes them all, as before."""

    def __init__(self, rows: dict[str, tuple], make: Callable[[tuple], Any], fields: Fields) -> None:
        self.rows = rows
        self._make = make
        self._at = {spec: n for n, spec in enumerate(fields) if isinstance(spec, str)}
        self._decoded: dict[str, Any] = {}
        self._index: dict[str, dict[Any, list[str]]] = {}

    def __getitem__(self, ident: str) -> Any:
        record = self._decoded.get(ident)
        if record is None:
            record = self._decoded[ident] = self._make(self.rows[ident])
        return record

    def __contains__(self, ident: object) -> bool:
        return ident in self.rows

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def values_of(self, field: str) -> list[Any]:
        """Every record's `field` (one stored as it is: a number, an id), none decoded."""
        at = self._at[field]
        return [row[at] for row in self.rows.values()]

    def ids_where(self, field: str, value: Any) -> list[str]:
        """The ids of the records whose `field` (one stored as it is: an id, a partner, a list of
        ids) is `value`, or holds it (a list), in the mapping's order, from an index of the stored
        rows: none is decoded."""
        index = self._index.get(field)
        if index is None:
            at = self._at[field]
            index = self._index[field] = {}
            for ident, row in self.rows.items():
                for key in (row[at] if type(row[at]) is list else (row[at],)):
                    ids = index.setdefault(key, [])
                    if not ids or ids[-1] != ident:  # an id listed twice in one record
                        ids.append(ident)
        return index.get(value, [])


def _is(held: Any, value: Any) -> bool:
    return value in held if isinstance(held, list) else held == value


class Overlaid(Mapping):
    """HEAD's light records with a write's own records over them (added, or replacing HEAD's), in
    the order `{**head, **overlay}` gives, with nothing of HEAD's decoded to make it."""

    def __init__(self, head: Light, overlay: Mapping[str, Any]) -> None:
        self.head = head
        self.overlay = overlay

    def __getitem__(self, ident: str) -> Any:
        if ident in self.overlay:
            return self.overlay[ident]
        return self.head[ident]

    def __contains__(self, ident: object) -> bool:
        return ident in self.overlay or ident in self.head

    def __iter__(self):
        yield from self.head
        yield from (i for i in self.overlay if i not in self.head)

    def __len__(self) -> int:
        return len(self.head) + sum(1 for i in self.overlay if i not in self.head)

    def values_of(self, field: str) -> list[Any]:
        overlay = self.overlay
        head = self.head
        at = head._at[field]
        return ([row[at] for ident, row in head.rows.items() if ident not in overlay]
                + [getattr(r, field) for r in overlay.values()])

    def ids_where(self, field: str, value: Any) -> list[str]:
        overlay = self.overlay
        ours = [i for i, r in overlay.items() if _is(getattr(r, field), value)]  # in the overlay's order
        found = [i for i in self.head.ids_where(field, value) if i not in overlay or _is(getattr(overlay[i], field), value)]
        moved = [i for i in ours if i in self.head and i not in set(found)]  # a replaced record now matching
        if moved:
            position = {i: n for n, i in enumerate(self.head)}
            found = sorted([*found, *moved], key=position.__getitem__)
        return found + [i for i in ours if i not in self.head]


def probe_for(env, as_of: str | None, kinds, reads=()) -> Any:
    """The freshness probe of the settings and the folders of `kinds` (None at a revision), and of
    the kinds in `reads` that READ_FOLDERS names: what a report served from facts asks git, started
    before the models are imported."""
    from comptoir.book.probe import Probe, find_data_root
    from comptoir.schemas import SETTINGS_FILE

    path = None if as_of else find_data_root(env.repo, env.cwd)
    read = [READ_FOLDERS[k] + "/" for k in reads if k in READ_FOLDERS and k not in kinds]
    return Probe(path, (SETTINGS_FILE, *(FOLDERS[k] + "/" for k in kinds), *read)) if path is not None else None


def attach(root, book: Book, probe, facts: dict[str, Fields],
           where: Mapping[str, Callable[[Any], bool]] | None = None, lazy: bool = False) -> bool:
    """Give `book` the light records of each kind `facts` names (kind name -> fields, the id field
    among them), from the per-folder facts at the book's revision (or the working tree, with
    `probe` saying what changed); of a kind `where` names, only the records its test keeps (the
    open activities a list of follow-ups shows). `lazy`: each kind as a Light mapping, its records
    decoded when asked for (a write's). False when they cannot be served: read the records instead."""
    from comptoir.app.partials import dirty_folders, per_file, per_folder
    from comptoir.book import git
    from comptoir.book.store import Store

    if root.top is None or not facts:
        return False
    try:  # the folders of every kind, in one listing
        listed = git.subtrees(root.top, book.revision or "HEAD", *(root.prefix + kind_named(k).folder for k in facts))
    except git.GitError:
        return False
    store = Store.of(root.path)
    served: dict[str, Mapping[str, Any]] = {}
    parts: dict[str, Any] | None
    for name, fields in facts.items():
        kind = kind_named(name)
        if kind.id_field not in fields:
            raise ValueError(f"the facts of {name} must name its id field")
        at = fields.index(kind.id_field)

        keep = (where or {}).get(name)
        inputs = (repr(fields), f"{keep.__module__}.{keep.__qualname__}" if keep else "")

        def one(record: Any, fields: Fields = fields, keep: Callable | None = keep) -> tuple | None:
            return encode(record, fields) if keep is None or keep(record) else None

        def derive(records: list, one: Callable = one) -> list[tuple]:
            return [row for row in map(one, records) if row is not None]

        try:
            if kind.date_field is None:  # one flat folder of thousands of files: kept per bucket of files
                path = root.prefix + kind.folder
                tree = listed.get(path, "")  # none: the folder is not committed (yet)
                clean = book.revision is not None or dirty_folders(probe, kind.folder) == set()
                whole = store.get(FACTS, path, tree, *inputs) if tree and clean else None
                if type(whole) is list:  # the folder as committed, in one value: no listing of its files
                    parts = {kind.folder: whole}
                else:
                    rows = per_file(root, kind, FILE_FACTS, one, book.revision, probe, inputs=inputs)
                    parts = None if rows is None else {kind.folder: [row for row in rows if row is not None]}
                    if parts is not None and tree and clean:
                        store.put(FACTS, (path, tree, *inputs), parts[kind.folder])
            else:  # month folders
                parts = per_folder(root, kind, FACTS, derive, book.revision, probe, inputs=inputs, listed=listed,
                                   row_id=operator.itemgetter(at))  # a row per record, its id at `at`
        except Unsupported:
            return False
        if parts is None:
            return False
        make = decoder(fields, name, kind.model)
        if lazy:
            served[name] = Light({row[at]: row for found in parts.values() for row in cast(list, found)}, make, fields)
            continue
        records: dict[str, Any] = {}
        for found in parts.values():
            for row in cast(list, found):
                records[row[at]] = make(row)
        served[name] = records
    for name, kept in served.items():
        book.records[name] = cast(dict, kept)  # a Light (lazy) is a read-only mapping of the same records
    return True
