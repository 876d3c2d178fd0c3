"""The base-currency trial balance of a clean working tree, served from a snapshot of its inputs.

A trial balance needs the base currency, each account's name, type and parent, and per
account its debits and credits by day. Read the usual way that takes pydantic, the record
models and a hundred thousand day sums turned into Decimals: about twice the time of the
`git status` that must run anyway. A snapshot keeps those inputs, as the full read
computed them, under the git ids of the settings file and of the account, journal and rate
folders at HEAD (same ids, same files), with a fingerprint of the code that reads and sums
them. Per account the day sums are kept as running totals, so a report over any range reads
a few values per account. The snapshot is used only when `git status` finds nothing changed
in those paths; anything else, or any doubt, and the caller reads the book as before.

A write commits a few entries: the new journal tree's snapshot is then made from the last one,
less and plus the day sums of the entry files `git diff-tree` names, each read and checked as
ledgerdays reads a folder; a change to the settings, accounts or rates needs the full read.
Either way a snapshot holds what the files of its ids hold (a refresh reads git's objects; a
read of the working tree is kept only if it equals the commit's), whatever the working tree
holds later: `git status` only decides whether it is the one to show.
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from bisect import bisect_left, bisect_right
from decimal import Decimal, Inexact, localcontext
from itertools import accumulate, repeat
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from comptoir.book.store import Derivation, Store
from comptoir.domain.ledger import ZERO
from comptoir.views.ledger import balance_table

from .ledgerdays import ACCOUNTS, FOLDERS, HEADS, SETTINGS_FILE

if TYPE_CHECKING:
    import datetime as dt

    from comptoir.book.probe import Probe
    from comptoir.book.root import DataRoot
    from comptoir.domain.table import Table
    from comptoir.model import Book

    from .ledgerdays import Watch

# Kept: the current state, recent ones and other branches'. Beside each, its entries' ids, one
# a line between line breaks (read only to bring the snapshot up to date, not by a report).
SNAPSHOTS = Derivation("tb-snapshot", keep=4)
SNAPSHOT_IDS = Derivation("tb-snapshot-ids", keep=4)
# The code a snapshot's content depends on: the models, how files are read and validated, and
# how postings become day sums. Any change there makes every older snapshot unused.
DAY = "i"  # array type of the day ordinals (a date's ordinal is below 2**31)
MAX_CHANGES = 500  # journal files changed since the newest snapshot beyond which the book is read instead


class Account(NamedTuple):
    """What the trial balance reads of an account (comptoir.domain.ledger.balance_rows, roll_up)."""

    name: str
    type: str
    parent: str | None


class Snapshot:
    """The inputs of the base-currency trial balance of one state of the book."""

    def __init__(self, data: dict) -> None:
        """Raises ValueError, TypeError or KeyError on anything but what _snapshot wrote."""
        self.base: str = data["base"]
        self.places: int = data["places"]
        self.accounts = {code: Account(*fields) for code, fields in data["accounts"].items()}
        # account -> (day ordinals as array bytes, width, running debits, running credits): the
        # running totals are decimal texts padded to one width, so the i-th is a slice away.
        self.running: dict[str, tuple[bytes, int, str, str]] = data["running"]
        size = array(DAY).itemsize
        if type(self.base) is not str or type(self.places) is not int or type(data["journal"]) is not str \
                or type(data["rates"]) is not dict or not all(
                type(raw) is bytes and type(width) is int and type(debits) is str and type(credits) is str
                and len(raw) % size == 0 and len(debits) == len(credits) == len(raw) // size * width
                for raw, width, debits, credits in self.running.values()):
            raise ValueError("not a trial balance snapshot")

    def trial_balance(self, start: dt.date | None, end: dt.date | None, depth: int | None) -> Table | None:
        """The report comptoir.views.ledger.trial_balance_table gives on the book (None if a total would
        need more digits than Decimal keeps: then the order of additions would matter)."""
        opening, moves = self._window(start.toordinal() if start else None, end.toordinal() if end else None)
        if opening is None:
            return None
        return balance_table(self.accounts, opening, moves, depth, self.places, self.base)

    def day_totals(self, codes: set[str]) -> dict[str, dict[int, list[Decimal]]] | None:
        """Of the accounts of `codes` that have postings: per day, [debits, credits], what
        comptoir.domain.ledger.day_totals gives of them (None if a difference of running totals
        would need more digits than Decimal keeps)."""
        with localcontext() as ctx:
            ctx.traps[Inexact] = True
            try:
                return {code: _cells(self.running[code]) for code in sorted(codes) if code in self.running}
            except ArithmeticError:
                return None

    def _window(self, lo: int | None, hi: int | None) -> tuple:
        """Balance before day `lo` and debits/credits from `lo` to `hi`, per account, with the
        accounts cli.domain.ledger._day_range gives: those with a day before `lo`, and those
        with a day in the range."""
        opening: dict[str, Decimal] = {}
        moves: dict[str, tuple[Decimal, Decimal]] = {}
        with localcontext() as ctx:
            ctx.traps[Inexact] = True
            try:
                for code, (raw, width, debits, credits) in self.running.items():
                    days = array(DAY)
                    days.frombytes(raw)
                    i = 0 if lo is None else bisect_left(days, lo)
                    j = len(days) if hi is None else bisect_right(days, hi)
                    dr0 = cr0 = ZERO
                    if i:
                        at = slice((i - 1) * width, i * width)
                        dr0, cr0 = Decimal(debits[at]), Decimal(credits[at])
                        opening[code] = dr0 - cr0
                    if j > i:
                        at = slice((j - 1) * width, j * width)
                        moves[code] = (Decimal(debits[at]) - dr0, Decimal(credits[at]) - cr0) if i \
                            else (Decimal(debits[at]), Decimal(credits[at]))
            except ArithmeticError:  # Inexact; or InvalidOperation, if the file was damaged after all
                return None, None
        return opening, moves


def lookup(watch: Watch) -> Snapshot | None:
    """The snapshot of HEAD's settings, accounts, journal and rates: kept, or made from a kept one
    of the same settings, accounts and rates and the journal files changed since (a write adds
    a few). It is the working tree's only when `watch.untouched()`: the caller asks that."""
    heads = watch.heads()
    if heads is None or watch.path is None:
        return None
    store = Store.of(watch.path)
    stem, journal = _name(heads)
    if journal is None or store.folder is None:
        return None
    data = _sound(store.get(SNAPSHOTS, stem, journal))
    if data is None:
        data = _refresh(watch.path, store, stem, journal)
    return Snapshot(data) if data is not None else None


def follow(root: DataRoot, committed: Probe | None = None) -> None:
    """After a write's commit: make the new HEAD's snapshot from the newest kept one (a few
    entry files to add), so the next report reads it as it is. Never reads the whole book,
    never fails the write; without a kept snapshot there is nothing to follow. `committed`: the
    commit's probe when the writer knows its ids (comptoir.book.writer.Writer.committed), else git
    is asked."""
    from .ledgerdays import Watch

    try:
        lookup(Watch.sharing(committed) if committed is not None else Watch(str(root.path), None, None, status=False))
    except Exception:  # noqa: BLE001 - an optimisation must not turn a committed write into an error
        pass


def _sound(data: object) -> dict | None:
    if not isinstance(data, dict):
        return None  # none kept, or a damaged one: read the book
    try:
        Snapshot(data)  # refuses what _snapshot did not write
    except (ValueError, TypeError, KeyError):
        return None
    return data


def _refresh(data_root: Path, store: Store, stem: str, journal: str) -> dict | None:
    """The snapshot of journal tree `journal` from the newest kept one with the same stem (code,
    settings, accounts, rates): its day totals less the entry files `git diff-tree` says were
    removed or changed, plus the ones added or changed, each read and checked as ledgerdays
    reads a folder. None when there is no such snapshot, or too much changed, or a file is one
    the full read would report."""
    from comptoir.book import git

    base = next((d for d in map(_sound, store.recent(SNAPSHOTS, 2)) if d is not None and d.get("stem") == stem),
                None)
    if base is None or "-" in (journal, base["journal"]):
        return None
    ids = store.get(SNAPSHOT_IDS, stem, base["journal"])
    if type(ids) is not str or not ids.startswith("\n"):
        return None
    try:
        changes = git.run(data_root, "diff-tree", "-r", "-z", "--no-renames", base["journal"], journal).split(b"\0")
    except git.GitError:
        return None  # the older tree is gone (git gc after a reset)
    if len(changes) > 2 * MAX_CHANGES:
        return None  # reading the whole book is about as quick
    sides: list[tuple[int, str, str]] = []  # (-1 removed or +1 added, blob, path from the data root)
    for meta, path in zip(changes[0::2], changes[1::2], strict=False):
        fields = meta.decode("ascii", "replace").lstrip(":").split(" ")
        if len(fields) != 5:
            return None
        name = f"{FOLDERS[0]}/{path.decode('utf-8', 'surrogateescape')}"
        if not name.endswith(".yaml"):
            continue  # not a record file: the full read skips it too
        for sign, mode, blob in ((-1, fields[0], fields[2]), (1, fields[1], fields[3])):
            if mode in ("100644", "100755"):
                sides.append((sign, blob, name))
            elif mode != "000000" and mode != "160000":
                return None  # a symbolic link: the working tree reads what it points to
    return _apply(base, ids, sides, data_root, store, stem, journal)


def _apply(base: dict, ids: str, sides: list[tuple[int, str, str]], data_root: Path, store: Store,
           stem: str, journal: str) -> dict | None:
    from comptoir.book import git
    from comptoir.book.loader import parse_bytes, well_filed_record
    from comptoir.domain.ledger import UNCONVERTIBLE, add_day_totals
    from comptoir.schemas.registry import kind_named

    kind = kind_named("journal")
    try:
        contents = git.cat_blobs(data_root, sorted({blob for _, blob, _ in sides}))
    except git.GitError:
        return None
    try:
        book = _RatesOnly(base["base"], base["rates"])
    except (TypeError, ValueError, ArithmeticError):
        return None  # a damaged snapshot
    removed: dict = {}
    added: dict = {}
    for sign, blob, path in sorted(sides):  # removals first: a changed file keeps its id
        if blob not in contents:
            return None
        record = well_filed_record(kind, path, parse_bytes(contents[blob]))
        if record is None:
            return None
        line = f"{getattr(record, kind.id_field)}\n"  # no line break in an id (stripped, ID_PATTERN)
        if (sign < 0) != ("\n" + line in ids):
            return None  # added, an id filed twice (the full read says where); removed, one not kept
        ids = ids.replace("\n" + line, "\n", 1) if sign < 0 else ids + line
        add_day_totals(removed if sign < 0 else added, book, [record])
    if removed.pop(UNCONVERTIBLE, None) or added.pop(UNCONVERTIBLE, None):
        return None
    running = dict(base["running"])
    with localcontext() as ctx:
        ctx.traps[Inexact] = True
        try:
            for code in removed.keys() | added.keys():
                cells = _cells(running[code]) if code in running else {}
                for day, (dr, cr) in removed.get(code, {}).items():
                    cell = cells[day]  # KeyError: the older snapshot does not have what it held
                    cell[0] -= dr
                    cell[1] -= cr
                for day, (dr, cr) in added.get(code, {}).items():
                    cell = cells.setdefault(day, [ZERO, ZERO])
                    cell[0] += dr
                    cell[1] += cr
                running[code] = _running(cells)
        except (ArithmeticError, KeyError):
            return None
    data = {**base, "running": running, "journal": journal}
    _write(store, stem, journal, data, ids)
    return data


class _RatesOnly:
    """What cli.domain.ledger needs to value postings: the base currency and the rate table."""

    def __init__(self, base: str, rates: dict) -> None:
        import datetime as dt

        self.base = base
        self.derived = {"rates": {cur: [(dt.date.fromordinal(day), Decimal(rate)) for day, rate in series]
                                  for cur, series in rates.items()}}

    def of(self, kind: str) -> dict:
        raise RuntimeError(f"{kind} records are not read when a snapshot is refreshed")


def keep(root: DataRoot, book: Book, watch: Watch) -> None:
    """Keep the snapshot of a book read from a clean working tree, whose day totals ledgerdays
    attached. Kept only when it is surely HEAD's: the sums are of HEAD's journal and rate trees,
    and the accounts, rates and settings read from the working tree are those of the commit."""

    heads = watch.heads()
    store = Store.of(root.path)
    trees = book.derived.get("ledger.days.trees")
    totals = book.derived.get("ledger.days")
    ids = book.derived.get("ledger.days.ids")
    if heads is None or store.folder is None or trees is None or totals is None or ids is None or root.top is None \
            or book.revision is not None or book.load_problems or watch.path != root.path \
            or not watch.untouched():
        return
    kinds = {name: heads.get(name, (None, None))[1] for name in HEADS[1:]}
    if kinds.pop(HEADS[1]) != "blob" or kinds.pop(HEADS[2]) != "tree" or set(kinds.values()) - {"tree", None}:
        return  # a folder that is a file or a link: read it as the full read does
    if any(trees.get(root.prefix + f) != heads.get(f"HEAD:./{f}", (None,))[0] for f in FOLDERS):
        return  # a commit came in between: the sums may be of another state
    stem, journal = _name(heads)
    if journal is None or _sound(store.get(SNAPSHOTS, stem, journal)) is not None or not _plain_files(root.top, root.prefix, heads["HEAD"][0]):
        return
    from comptoir.book.loader import load_book

    committed = load_book(root, heads["HEAD"][0], kinds=("account", "rate"))
    if committed.load_problems or committed.settings != book.settings \
            or committed.of("account") != book.of("account") or committed.of("rate") != book.of("rate"):
        return  # the working tree changed while it was read
    data = _snapshot(book, totals, journal)
    if data is not None:
        _write(store, stem, journal, data, "".join(f"\n{ident}" for folder in ids for ident in folder) + "\n")


def _plain_files(top: Path, prefix: str, commit: str) -> bool:
    """The settings, accounts and rates are plain files at the commit: a symbolic link is read
    through to a file git status does not watch, a submodule is not read at all. (Journal
    folders with a link are refused by ledgerdays.)"""
    from comptoir.book import git

    paths = [prefix + p for p in (SETTINGS_FILE, ACCOUNTS, *FOLDERS[1:])]
    try:
        listing = git.run(top, "ls-tree", "-r", "-z", "--full-tree", commit, "--", *paths)
    except git.GitError:
        return False
    return all(item.split(" ", 1)[0] in ("100644", "100755")
               for item in listing.decode("utf-8", "surrogateescape").split("\0") if item)


def _snapshot(book: Book, totals: dict, journal: str) -> dict | None:
    import datetime as dt

    from comptoir.domain.ledger import rate_on
    from comptoir.schemas.types import currency_places

    running = {}
    with localcontext() as ctx:
        ctx.traps[Inexact] = True
        try:
            for code, days in totals.items():
                if not isinstance(code, str) or not code:
                    return None  # not an account: entries no rate converts
                running[code] = _running(days)
        except (Inexact, OverflowError):
            return None
    rate_on(book, book.base, dt.date.min)  # builds the book's rate table (book.derived["rates"]) if not yet
    return {"base": book.base, "places": currency_places(book.base),
            "accounts": {a.code: (a.name, a.type, a.parent) for a in book.accounts.values()},
            "rates": {cur: [(day.toordinal(), str(rate)) for day, rate in series]
                      for cur, series in book.derived["rates"].items()},
            "running": running, "journal": journal}


def _running(days: dict[int, list[Decimal]]) -> tuple[bytes, int, str, str]:
    """One account's day sums as Snapshot.running keeps them: running totals in day order."""
    order = sorted(days)
    cells = [days[day] for day in order]
    debits = list(map(str, accumulate([c[0] for c in cells], initial=ZERO)))[1:]
    credits = list(map(str, accumulate([c[1] for c in cells], initial=ZERO)))[1:]
    width = max(map(len, debits + credits), default=1)
    return (array(DAY, order).tobytes(), width, "".join(map(str.rjust, debits, repeat(width))),
            "".join(map(str.rjust, credits, repeat(width))))


def _cells(running: tuple[bytes, int, str, str]) -> dict[int, list[Decimal]]:
    """The day sums back from the running totals (each the difference of two: exact)."""
    raw, width, debits, credits = running
    days = array(DAY)
    days.frombytes(raw)
    out = {}
    dr0 = cr0 = ZERO
    for i, day in enumerate(days):
        dr, cr = Decimal(debits[i * width:(i + 1) * width]), Decimal(credits[i * width:(i + 1) * width])
        out[day] = [dr - dr0, cr - cr0]
        dr0, cr0 = dr, cr
    return out


def _name(heads: dict[str, tuple[str, str]]) -> tuple[str, str | None]:
    """A snapshot's file name, in two parts: the ids of the settings, accounts and rates it holds,
    with the code and the Python and machine that wrote it (marshal's format, the layout of the
    day arrays); then the journal's tree id, so that an older snapshot of the same settings,
    accounts and rates can be found and brought up to date. Not the commit: one that changes
    none of these leaves it valid."""
    ids = [heads.get(name, ("-", "-")) for name in (HEADS[1], HEADS[2], *HEADS[4:])]
    machine = f"{sys.version_info[:2]} {sys.byteorder} {array(DAY).itemsize}"
    text = "\0".join([machine, *(f"{i} {t}" for i, t in ids)])
    journal = heads.get(HEADS[3], ("-", "tree"))  # "-": no journal folder
    return hashlib.sha1(text.encode()).hexdigest(), journal[0] if journal[1] == "tree" else None


def _write(store: Store, stem: str, journal: str, data: dict, ids: str) -> None:
    """The snapshot, and beside it its entries' ids."""
    store.put(SNAPSHOT_IDS, (stem, journal), ids)
    store.put(SNAPSHOTS, (stem, journal), {**data, "stem": stem})
