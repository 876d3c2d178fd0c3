"""The trial balance's input served from sums cached per journal folder, keyed by git tree id.

A trial balance needs, per account and day, the base-currency debits and credits of every
entry (cli.domain.ledger.day_totals), not the entries themselves. Each journal folder's sums
are cached under the folder's git tree id: the same tree means the same files, so a report
on 100,000 unchanged entries reads a few thousand cached sums instead of every file, and a
new entry costs re-reading one month's folder. The working tree is served this way only
when `git status` finds nothing changed under the journal and rate folders; otherwise, and
for anything the full read would report (an unreadable or misfiled file, an id used twice,
a posting no rate converts), the caller reads the whole book as before.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, cast

if TYPE_CHECKING:  # the models, and all but what starts git, are imported once it is at work (see Watch)
    from decimal import Decimal

    from comptoir.book.root import DataRoot
    from comptoir.model import Book
    from comptoir.schemas.registry import Kind

from comptoir.book.probe import Probe, find_data_root
from comptoir.book.store import Derivation, Store, pack, unpack
from comptoir.schemas import SETTINGS_FILE
from comptoir.schemas.registry import kind_named

from .partials import Batches, disk_records, record_changes, tree_records

# Per journal folder (a month): per account and day, the base-currency debits and credits of
# its entries, keyed by the folder's path and tree id, the base currency and the rate trees.
DAYS = Derivation("ledger-days", keep=400)
# Per journal folder: per account, the rows of its postings (date, entry, values, memos) packed
# apart, what the general ledger, the register and the journal show; keyed like DAYS. A report
# unpacks only the accounts it shows, and reads only the folders whose days it covers.
ROWS = Derivation("ledger-rows", keep=400)
# The journal folder's whole tree -> how many entries it holds, when no id is in two of its files:
# a report on a committed journal then needs no set of its 360,000 ids to tell (0.07 s).
UNIQUE = Derivation("journal-ids-unique", keep=16)
# The modules that decide what a valid journal entry or rate is and where its file belongs.

FOLDERS = (kind_named("journal").folder, kind_named("rate").folder)  # the journal and rate kinds' folders
ACCOUNTS = kind_named("account").folder  # with the settings, what a snapshot also holds
# Objects whose ids key a trial-balance snapshot (cli/app/ledgersnap.py), paths from the data root.
HEADS = ("HEAD", f"HEAD:./{SETTINGS_FILE}", f"HEAD:./{ACCOUNTS}", *(f"HEAD:./{f}" for f in FOLDERS))


def _folders() -> tuple[Kind, list[str]]:
    return kind_named("journal"), list(FOLDERS)


class Watch:
    """What a trial balance asks the freshness probe (comptoir.book.probe): whether the settings,
    accounts, journal and rates differ from HEAD, and their ids at HEAD. The probe is started
    first, with the standard library only, so git answers while the models import."""

    def __init__(self, repo: str | None, cwd: Path | None, as_of: str | None, status: bool = True,
                 also: tuple[str, ...] = (), journal: bool = True) -> None:
        self.at_revision = as_of is not None
        self.path = None if as_of else find_data_root(repo, cwd)
        # `also`: more folders for the same `git status` (a report that reads another kind's partials);
        # `journal=False`: a report that reads no journal sums (the stock ledger) leaves the journal
        # out of it (a stat of every entry file: most of the status's cost on a large book), and
        # then never says the journal is clean
        self.journal = journal
        self.rates_changed = False  # set by dirty(): the working tree's rates differ from HEAD's
        watched = FOLDERS if journal else FOLDERS[1:]
        self.probe = None if self.path is None else Probe(
            self.path, (SETTINGS_FILE, ACCOUNTS + "/", *(f + "/" for f in (*watched, *also))), status=status)

    @classmethod
    def sharing(cls, probe: Probe) -> Watch:
        """A watch of the working tree that asks `probe` (the whole data root's, started once for
        a command that serves several reports: `report pack`), instead of a status of its own."""
        watch = cls.__new__(cls)
        watch.at_revision, watch.path, watch.rates_changed, watch.probe = False, probe.path, False, probe
        watch.journal = True
        return watch

    def clean(self, root: DataRoot, folders: list[str]) -> bool:
        """Nothing changed under the folders in the working tree (or the book is read at a revision)."""
        if self.at_revision:
            return True
        if self.probe is None or not self.journal or self.path != root.path or list(folders) != list(FOLDERS)[:len(folders)]:
            return False
        return self.probe.clean(folders)

    def dirty(self, root: DataRoot, folders: list[str]) -> set[str] | None:
        """The journal folders (from the data root) with uncommitted changes: those are read from
        the working tree, the others served from the store. None when git could not say. When a
        rate changed (every sum depends on the rates), `rates_changed` says so."""
        self.rates_changed = False
        if self.at_revision:
            return set()
        if self.probe is None or not self.journal or self.path != root.path or list(folders) != list(FOLDERS)[:len(folders)]:
            return None
        changes = self.probe.changes()
        if changes is None or not self.probe.ok:
            return None
        journal, *others = folders
        out = set()
        for path in changes:
            if any(_under(path, f) for f in others):
                self.rates_changed = True
            elif _under(path, journal) and path.endswith(".yaml"):
                out.add(path.rpartition("/")[0])
        return out

    def untouched(self) -> bool:
        """Nothing at all changed in the working tree: settings, accounts, journal and rates are HEAD's."""
        return not self.at_revision and self.journal and self.probe is not None and self.probe.changes() == []

    def heads(self) -> dict[str, tuple[str, str]] | None:
        """HEADS name -> (object id, type), for those that exist; None when git could not say
        (no commit yet, not a repository)."""
        if self.probe is None:
            return None
        self.probe.clean()  # settles
        if not self.probe.ok or self.probe.head is None:
            return None
        found = {"HEAD": (self.probe.head, "commit")}
        for name in HEADS[1:]:
            entry = self.probe.entries.get(name[len("HEAD:./"):])
            if entry is not None and entry[1] in ("tree", "blob"):
                found[name] = entry
        return found


class Folded(NamedTuple):
    """A value derived from each journal folder's posting rows (every account's), kept in the
    store beside its day sums and keyed like them plus `inputs` (what else it depends on: the
    cash accounts, ...): what a report reads of the postings beyond the day totals, so that it
    holds a few values per folder instead of every row. `derive`: the folder's posting rows
    (comptoir.domain.ledger.PostingRow, in date, entry and posting order) -> a value marshal keeps."""

    derivation: Derivation
    inputs: tuple[str, ...]
    derive: Callable[[list], object]
    name: str  # what the report finds in book.derived: merge(every folder's value, in folder order)
    merge: Callable[[list], object]


def attach(root: DataRoot, book: Book, watch: Watch,
           rows: Callable[[str, str], bool] | None = None, accounts: set[str] | None = None,
           fold: Folded | None = None) -> bool:
    """Put the day totals (and the reversal links, and with `rows` the posting rows of the
    (folder, account) pairs it accepts) into `book.derived`; False when the whole book must be
    read instead. `accounts`: the day totals of those accounts only (a report that asks for no
    other's balance: the stock balance's inventory accounts), not every account's. `fold`: its
    value of every journal folder, in folder order, into `book.derived["ledger.folded"]`."""
    enabled = gc.isenabled()
    gc.disable()  # entries are built and dropped by the thousand: no cycles to look for
    try:
        return _attach(root, book, watch, rows, accounts, fold)
    finally:
        if enabled:
            gc.enable()


def _attach(root: DataRoot, book: Book, watch: Watch, want: Callable[[str, str], bool] | None,
            only: set[str] | None = None, fold: Folded | None = None) -> bool:

    from comptoir.book import git

    top = root.top
    journal, names = _folders()
    if top is None:
        return False
    dirty = watch.dirty(root, names)
    if dirty is None:
        return False
    folders = [root.prefix + name for name in names]
    rev = book.revision or "HEAD"
    try:
        trees = git.subtrees(top, rev, *folders)
    except git.GitError:
        return False  # no commit yet
    journal_path = folders[0]
    if watch.rates_changed:  # sums at the working tree's rates: keyed by what those files hold
        rates = _rates_on_disk(root, names[1:])
        if rates is None:
            return False
    else:
        rates = rates_key(trees, folders[1:])
    store = Store.of(root.path)
    tree_of = {folder: tree for folder, tree in trees.items() if _under(folder, journal_path)}
    for folder in dirty:  # folders with uncommitted changes: read from the working tree, kept nowhere
        tree_of[root.prefix + folder] = ""
    tree_of = dict(sorted(tree_of.items()))
    found = {folder: store.get(DAYS, folder, tree, book.base, rates) if tree else None
             for folder, tree in tree_of.items()}
    missing = [folder for folder, hit in found.items() if tree_of[folder] and not _sound(hit)]
    computed: dict[str, dict[str, list]] = {}  # folder -> account -> rows, for the folders summed now
    parents = {folder.rpartition("/")[0] for folder in tree_of}
    leaves = [folder for folder in missing if folder not in parents]  # a year folder's read is every month's
    batches = Batches(root, rev, journal, leaves) if len(leaves) > 3 else None

    def compute(folder: str) -> tuple | None:
        tree = tree_of[folder]
        rel = folder[len(root.prefix):]
        if not tree:
            records = disk_records(root, rel, journal)
            out = None if records is None else _folder_sums(top, None, rel, book, journal, records)
        else:
            records = None
            if batches is not None and batches.has(folder):
                records = batches.records(folder)
                if records is None:
                    return None  # something in its batch the full read would report
            out = _folder_sums(top, tree, rel, book, journal, records)
        if out is None:
            return None
        value, by_account = out
        if tree:
            store.put(DAYS, (folder, tree, book.base, rates), value)
            store.put(ROWS, (folder, tree, book.base, rates),
                      {account: pack(folder_rows) for account, folder_rows in by_account.items()})
        if want is not None or fold is not None:
            computed[folder] = by_account  # taken from below and let go: a folder's rows at a time
        return value

    totals: dict[str, dict[int, list[Decimal]]] = {}
    closing: dict[str, dict[int, list[Decimal]]] = {}
    reversed_by: dict[str, str] = {}
    twice: set[str] = set()  # ids more than one entry reverses (the book is then invalid)
    chosen = ServedRows(store, (book.base, rates))
    folded: list = []
    id_lists: list[list[str]] = []
    count = 0
    whole = trees.get(journal_path, "") if not dirty else ""  # the journal as committed: its ids' count kept
    for folder, tree in tree_of.items():
        hit = found[folder]
        if not tree or folder in missing:
            hit = compute(folder)
            if hit is None:
                return False
        folder_ids, sums, closing_sums, links, accounts = cast(tuple[list, list, list, list, list], hit)
        id_lists.append(folder_ids)
        count += len(folder_ids)
        _add_sums(totals, sums, only)
        _add_sums(closing, closing_sums, only)
        for ident, reverses in links:
            if reverses in reversed_by:
                twice.add(reverses)
            reversed_by[reverses] = ident
        if fold is not None:
            value = _folded(store, fold, folder, tree, (folder, tree, book.base, rates), computed, compute)
            if value is None:
                return False
            folded.append(value)
        if want is not None:
            rel = folder[len(root.prefix):]
            shown = [account for account in accounts if want(rel, account)]
            if not shown:
                computed.pop(folder, None)
                continue
            if folder not in computed:
                packed = store.get(ROWS, folder, tree, book.base, rates)
                if not isinstance(packed, dict) or any(type(packed.get(a)) is not bytes for a in shown):
                    if compute(folder) is None:  # trimmed from the store, or not sound: sum it again
                        return False
                else:
                    chosen.add_kept(folder, tree, shown, [row for a in shown for row in unpack(packed[a])],
                                    [packed[a] for a in shown])
                    continue
            rows = computed.pop(folder)
            chosen.add_held([row for a in shown for row in rows.get(a, [])])
        computed.pop(folder, None)
    if not whole or store.get(UNIQUE, whole) != count:
        if len(set().union(*id_lists)) != count:
            return False  # an id in two files: the full read says which
        if whole:
            store.put(UNIQUE, (whole,), count)
    book.derived["ledger.days"] = totals
    book.derived["ledger.days.closing"] = closing
    book.derived["ledger.reversals"] = reversed_by
    book.derived["ledger.reversed.twice"] = twice
    if want is not None:  # each folder's rows, made as it is read; every row at once if the folders overlap
        book.derived["ledger.rows"] = chosen if chosen.in_order else sorted(
            chosen, key=lambda r: (r.date, r.id, r.line))
    if fold is not None:
        book.derived[fold.name] = fold.merge(folded)
    if not dirty and only is None and not watch.rates_changed:  # what they are the sums of, and the entries' ids (for ledgersnap)
        book.derived["ledger.days.trees"] = trees
        book.derived["ledger.days.ids"] = id_lists  # each folder's, in folder order
    return True


def _folded(store: Store, fold: Folded, folder: str, tree: str, keyed: tuple, computed: dict,
            compute: Callable[[str], tuple | None]) -> object:
    """The fold's value of one folder: kept, else derived from its rows (summed just now, kept by
    the ledger reports, or summed again); None when the folder cannot be served."""
    if tree:
        hit = store.get(fold.derivation, *keyed, *fold.inputs)
        if hit is not None:
            return hit
    by_account = computed.get(folder)
    if by_account is None and tree:
        packed = store.get(ROWS, *keyed)
        if isinstance(packed, dict) and all(type(v) is bytes for v in packed.values()):
            by_account = {account: unpack(raw) for account, raw in packed.items()}
    if by_account is None:
        if compute(folder) is None:
            return None
        by_account = computed[folder]
    value = fold.derive(_posting_rows([row for rows in by_account.values() for row in rows]))
    if tree:
        store.put(fold.derivation, (*keyed, *fold.inputs), value)
    return value


def _rates_on_disk(root: DataRoot, folders: list[str]) -> str | None:
    """A key for the rate files in the working tree: every file's path and git blob id (what a
    tree id would name once they are committed). None when one cannot be read."""
    from comptoir.book import git

    parts = []
    for folder in folders:
        base = root.path / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.yaml")):
            try:
                parts.append(f"{path.relative_to(root.path).as_posix()}={git.blob_id(path.read_bytes())}")
            except OSError:
                return None
    return "worktree\0" + "\0".join(parts)


def _add_sums(into: dict, sums: list, only: set[str] | None = None) -> None:
    from decimal import Decimal

    from comptoir.domain.ledger import UNCONVERTIBLE

    for account, days in sums:
        if only is not None and account not in only and account != UNCONVERTIBLE:
            continue
        cells = into.setdefault(account, {})
        for day, debit, credit in days:
            cell = cells.get(day)
            if cell is None:
                cells[day] = [Decimal(debit), Decimal(credit)]
            else:
                cell[0] += Decimal(debit)
                cell[1] += Decimal(credit)


HOLD_PACKED = 32 << 20  # bytes of packed rows a report's ServedRows holds rather than read again


class ServedRows:
    """The posting rows a ledger report shows (comptoir.domain.ledger.PostingRow), made folder by
    folder each time they are read, in date, entry and posting order: a folder's rows are read
    again from the store, or, summed just now and not kept or while they fit in HOLD_PACKED, from
    their packed bytes held here, so a report holds one folder's rows at a time (and at most
    HOLD_PACKED of packed rows) however large the book. `in_order`: no folder holds a row
    that sorts before a row of an earlier folder (else the caller sorts them all, as before)."""

    def __init__(self, store: Store, keyed: tuple[str, str]) -> None:
        self.store = store
        self.keyed = keyed  # the base currency and the rates' key
        # (first day, last day, folder, tree, accounts): read from the store; or (first day, last
        # day, packed rows): held, a tuple of marshal's bytes (one per account, or one for all)
        self.parts: list[tuple] = []
        self.in_order = True
        self.last: tuple | None = None
        self.count = 0
        self.held = 0  # bytes of kept rows held (add_kept)

    def _span(self, rows: list[tuple]) -> tuple[int, int] | None:
        if not rows:
            return None
        keys = [(r[0], r[1], r[2]) for r in rows]
        lo, hi = min(keys), max(keys)
        if self.last is not None and lo < self.last:
            self.in_order = False
        self.last = hi if self.last is None else max(hi, self.last)
        self.count += len(rows)
        return lo[0], hi[0]

    def add_kept(self, folder: str, tree: str, accounts: list[str], rows: list[tuple],
                 packed: Sequence[bytes] = ()) -> None:
        """A folder's rows the store keeps: read again from it each time, or, while the packed rows
        of the accounts asked (`packed`) fit in HOLD_PACKED with those held so far, held (the
        overview's side-account rows were read three times from month files of every account,
        278 MB, for 4 MB of rows)."""
        span = self._span(rows)
        if span is None:
            return
        size = sum(map(len, packed))
        if packed and self.held + size <= HOLD_PACKED:
            self.held += size
            self.parts.append((*span, tuple(packed)))
        else:
            self.parts.append((*span, folder, tree, accounts))

    def add_held(self, rows: list[tuple]) -> None:
        span = self._span(rows)
        if span is not None:
            self.parts.append((*span, (pack(tuple(rows)),)))

    def __iter__(self) -> Iterator:
        return self.between(None, None).__iter__()

    def __len__(self) -> int:
        return self.count

    def between(self, start: dt.date | None, end: dt.date | None) -> _Between:
        """The rows dated from `start` to `end`, read folder by folder each time they are iterated."""
        return _Between(self, start, end)

    def total_and_rows(self, accounts: set[str], end: dt.date | None, skip: set[str],
                       partners: Collection[str] | None = None) -> tuple[Decimal, list]:
        """picked_rows of the rows of the folders whose days reach `end`."""
        hi = end.toordinal() if end is not None else None
        return picked_rows((self.folder_rows(part) for part in self.parts if hi is None or part[0] <= hi),
                           accounts, end, skip, partners)

    def folder_rows(self, part: tuple) -> list[tuple]:
        if len(part) == 3:
            return [row for raw in part[2] for row in unpack(raw)]
        _, _, folder, tree, accounts = part
        packed = self.store.get(ROWS, folder, tree, *self.keyed)
        if not isinstance(packed, dict) or any(type(packed.get(a)) is not bytes for a in accounts):
            from comptoir.errors import fail

            raise fail("store-changed", f"the rows kept for {folder} are gone from the store while the report "
                       "was read", "run the report again")
        return [row for a in accounts for row in unpack(packed[a])]


class HeldRows:
    """Posting rows held as the store packs them (a write's side-account rows): PostingRows made
    only of those open items ask for (total_and_rows)."""

    def __init__(self, rows: list[tuple]) -> None:
        self.rows = rows

    def total_and_rows(self, accounts: set[str], end: dt.date | None, skip: set[str],
                       partners: Collection[str] | None = None) -> tuple[Decimal, list]:
        return picked_rows((self.rows,), accounts, end, skip, partners)


def picked_rows(row_lists: Iterable[list[tuple]], accounts: set[str], end: dt.date | None, skip: set[str],
                partners: Collection[str] | None = None) -> tuple[Decimal, list]:
    """The base-currency total of the packed rows of `accounts` dated up to `end` (of `partners`,
    when given), and those of them whose entry is not in `skip`, as PostingRows in date order:
    what open items need of the side accounts' rows. A row is looked at in its packed form and made
    only when it is kept: a receivable account's rows are mostly the documents' own, which open
    items take from the documents."""
    from decimal import Decimal

    hi = end.toordinal() if end is not None else None
    total = Decimal(0)
    kept = []
    for rows in row_lists:
        for r in rows:
            if r[3] in accounts and (hi is None or r[0] <= hi) and (partners is None or (r[7] or "") in partners):
                total += Decimal(r[4])
                if r[1] not in skip:
                    kept.append(r)
    return total, _posting_rows(kept)


class _Between:
    def __init__(self, rows: ServedRows, start: dt.date | None, end: dt.date | None) -> None:
        self.rows, self.start, self.end = rows, start, end
        self.size = rows.count  # at most this many (comptoir.domain.ledger.few)

    def __iter__(self) -> Iterator:
        start, end = self.start, self.end
        lo = start.toordinal() if start is not None else None
        hi = end.toordinal() if end is not None else None
        for part in self.rows.parts:
            if (lo is not None and part[1] < lo) or (hi is not None and part[0] > hi):
                continue
            for r in _posting_rows(self.rows.folder_rows(part)):
                if (start is None or r.date >= start) and (end is None or r.date <= end):
                    yield r


def _posting_rows(rows: list[tuple]) -> list:
    import datetime as dt
    from decimal import Decimal

    from comptoir.domain.ledger import PostingRow

    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    dec = Decimal
    day = dt.date.fromordinal
    return [PostingRow(day(r[0]), r[1], r[2], r[3], dec(r[4]), dec(r[5]), r[6], r[7], r[8], r[9], r[10], r[11],
                       dec(r[12]), r[13], r[14], r[15]) for r in rows]


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + "/")


def rates_key(trees: dict[str, str], rate_folders: list[str]) -> str:
    """The rate files' part of a journal folder's key: the tree id of every folder under the rate
    folders (paths from the repository's top). Not of the folders on the way to them: in a book
    kept in a folder of its repository, that folder's id changes with every commit, and every
    month's sums were keyed anew after each write."""
    return "\0".join(f"{p}={t}" for p, t in sorted(trees.items()) if any(_under(p, r) for r in rate_folders))


def _sound(hit: object) -> bool:
    return type(hit) is tuple and len(hit) == 5 and all(type(part) is list for part in hit)


def _folder_sums(top: Path, tree: str | None, folder: str, book: Book, kind: Kind, records: list | None = None
                 ) -> tuple | None:
    """((ids, day sums, closing day sums, reversal links, accounts), {account: posting rows}) of
    the entry files directly in one folder, or None when one of them is something the full read
    would report. `records`: the folder's entries, when they were read already."""
    from decimal import Decimal

    from comptoir.domain.ledger import UNCONVERTIBLE, add_day_totals, entry_values
    from comptoir.domain.periods import is_closing

    if records is None:
        records = tree_records(top, folder, tree, kind)  # type: ignore[arg-type]
        if records is None:
            return None
    # in the order of their files (git's, as a tree lists them), whoever read them: a folder's
    # value made again after a write (follow) is then the one summing it afresh gives
    records = sorted(records, key=lambda r: getattr(r, kind.id_field) + ".yaml")
    sums = add_day_totals({}, book, records)
    if sums.pop(UNCONVERTIBLE):
        return None
    closing = add_day_totals({}, book, [r for r in records if is_closing(r)])
    closing.pop(UNCONVERTIBLE)
    by_account: dict[str, list] = {}
    for entry in records:
        values = entry_values(book, entry)
        total = str(sum((v for v in values if v > 0), Decimal(0)))
        day = entry.date.toordinal()
        count = len(entry.postings)
        closing_entry = is_closing(entry)
        for i, (p, amount) in enumerate(zip(entry.postings, values, strict=True)):
            by_account.setdefault(p.account, []).append(
                (day, entry.id, i, p.account, str(amount), str(p.amount), p.currency, p.partner, p.memo,
                 entry.memo, entry.reference, count, total, entry.reverses, p.value is not None, closing_entry))

    ident = kind.id_field
    value = ([getattr(r, ident) for r in records], _packed(sums), _packed(closing),
             [(r.id, r.reverses) for r in records if r.reverses], sorted(by_account))
    return value, by_account


def follow(root: DataRoot, book: Book, before: str, after: str) -> None:
    """After a write's commit (`before` -> `after`): keep the sums and rows of each journal folder
    it added entries to, under the folder's new tree id, made from the kept ones of the old tree
    and the added entries alone, so the next command does not read the month again (8,000 entries
    at the fifth year's size: 1.2 s for each write after one that posted). The folders it did not
    touch directly (a year, the journal) keep their values. A folder where a file was changed or
    removed, or whose old values are not kept, is left to be summed when next asked. Never fails
    the write."""
    try:
        _follow(root, book, before, after)
    except Exception:  # noqa: BLE001 - an optimisation must not turn a committed write into an error
        pass


def _follow(root: DataRoot, book: Book, before: str, after: str) -> None:
    from comptoir.book import git
    from comptoir.book.loader import parse_bytes, well_filed_record

    top = root.top
    if top is None:
        return
    kind, names = _folders()
    folders = [root.prefix + name for name in names]
    journal_path = folders[0]
    # what the commit changed under the journal, folders and files, from the trees themselves (read
    # through the running cat-file: `git diff-tree` would read git's index first)
    asked = [f"{rev}:{path}" for path in folders for rev in (before, after)]
    objects = git.objects(top, asked)
    if objects is None:
        return
    found = [oid if kind == "tree" else None for kind, oid in (objects.get(spec, ("", "")) for spec in asked)]
    if any(found[i] != found[i + 1] for i in range(2, len(found), 2)):
        return  # a rate changed: every folder's sums are keyed (and valued) anew
    new_trees: dict[str, str] = {}
    old: dict[str, str] = {}  # of those folders, the tree ids before (none: a new folder)
    added: dict[str, list[tuple[str, str]]] = {}  # folder -> (file name, blob) of each file added in it
    spoilt: set[str] = set()  # folders where a file was changed or removed
    walk = [(journal_path, found[0], found[1])]
    while walk:
        folder, was, now = walk.pop()
        if not now or was == now:
            continue
        new_trees[folder] = now
        if was:
            old[folder] = was
        changes = git.tree_diff(top, was, now)
        if changes is None:
            return
        files, below, changed = record_changes(changes)
        walk += [(f"{folder}/{name}", old_id, new_id) for name, old_id, new_id in below]
        if changed:
            spoilt.add(folder)  # a record file changed or removed: summed when next asked
        elif files:
            added[folder] = files
    rates = rates_key(git.subtrees(top, before, *folders[1:]), folders[1:])  # unchanged by the commit
    store = Store.of(root.path)
    contents = git.cat_blobs(top, sorted({blob for files in added.values() for _, blob in files}))
    for folder, tree in new_trees.items():
        if folder in spoilt:
            continue
        was = old.get(folder)
        value: object = ([], [], [], [], [])  # a new folder (a month's first entry): from nothing
        rows: object = {}
        if was is not None:
            value = store.get(DAYS, folder, was, book.base, rates)
            rows = store.get(ROWS, folder, was, book.base, rates)
            if not _sound(value) or not isinstance(rows, dict) or any(type(v) is not bytes for v in rows.values()):
                continue
        files = added.get(folder, [])
        if files:
            records = [well_filed_record(kind, f"{folder[len(root.prefix):]}/{name}", parse_bytes(contents[blob]))
                       if blob in contents else None for name, blob in files]
            if any(r is None for r in records):
                continue
            out = _folder_sums(top, None, folder[len(root.prefix):], book, kind, records)
            if out is None:
                continue
            merged = _merged(cast(tuple, value), cast(dict, rows), *out)
            if merged is None:
                continue
            value, rows = merged
        store.put(DAYS, (folder, tree, book.base, rates), value)
        store.put(ROWS, (folder, tree, book.base, rates), rows)


def _packed(days: dict) -> list:
    """account -> day -> [debit, credit] as a folder's value keeps it: accounts and days in order
    (the value summed afresh and the one a write's follow-up merges are then the same)."""
    return [(account, [(day, str(dr), str(cr)) for day, (dr, cr) in sorted(cells.items())])
            for account, cells in sorted(days.items())]


def _merged(value: tuple, rows: dict, more: tuple, more_rows: dict) -> tuple[tuple, dict] | None:
    """A folder's kept (DAYS value, packed ROWS) with the sums and rows of entries added to it, in
    the order _folder_sums gives them. None when an added id is there already (the full read
    says where)."""
    ids, sums, closing, links, accounts = value
    new_ids, new_sums, new_closing, new_links, new_accounts = more
    if set(ids) & set(new_ids):
        return None

    def file_order(ident: str) -> str:
        return ident + ".yaml"

    def add(packed: list, more: list) -> list:
        cells: dict = {}
        _add_sums(cells, packed)
        _add_sums(cells, more)
        return _packed(cells)

    merged_rows = dict(rows)
    for account, extra in more_rows.items():
        kept = [tuple(r) for r in unpack(rows[account])] if account in rows else []
        merged_rows[account] = pack(sorted([*kept, *extra], key=lambda r: (file_order(r[1]), r[2])))  # type: ignore[arg-type]
    merged = (sorted([*ids, *new_ids], key=file_order), add(sums, new_sums), add(closing, new_closing),
              sorted([*map(tuple, links), *new_links], key=lambda link: file_order(link[0])),
              sorted({*accounts, *new_accounts}))
    return merged, merged_rows


def served(env, as_of: str | None, rows: Callable[[Book], Callable[[str, str], bool]] | None = None,
           fold: Callable[[Book], Folded | None] | None = None, watch: Watch | None = None) -> Book:
    """The book a ledger report needs: the settings, accounts and rates, with the day totals,
    reversal links and (with `rows`: given the book, which (folder, account) pairs) the posting
    rows served from what is kept per journal folder, and (with `fold`: given the book, what to
    derive per folder) the values of every folder; the whole book when they cannot be. `watch`:
    a watch already started (Watch.sharing)."""
    watch = watch or Watch(env.repo, env.cwd, as_of)  # first: git works while the models import
    book = env.book(as_of, kinds=("account", "rate"), status=watch.probe)
    if attach(env.root(), book, watch, None if rows is None else rows(book), fold=None if fold is None else fold(book)):
        return book
    return env.book(as_of)


def committed_rows(root: DataRoot, book: Book, accounts: set[str]) -> list | None:
    """The posting rows (comptoir.domain.ledger.PostingRow) of `accounts` in the journal committed
    at the book's revision (HEAD), served from the rows kept per journal folder; None when they
    cannot be (the caller reads the entries). For a book whose working tree is that commit."""
    view = book.with_records([])
    if not attach(root, view, Watch(None, None, "HEAD"), lambda folder, account: account in accounts):
        return None
    return list(view.derived["ledger.rows"])


def in_months(start, end) -> Callable[[str, str], bool]:
    """Accepts the journal folders that may hold entries dated from `start` to `end` (a month
    folder `journal/YYYY/MM`; any other folder holds no well-filed entry)."""
    from comptoir.schemas.registry import kind_named

    lo = (start.year, start.month) if start else None
    hi = (end.year, end.month) if end else None
    top = kind_named("journal").folder + "/"

    def accept(folder: str, account: str) -> bool:
        parts = folder[len(top):].split("/") if folder.startswith(top) else []
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            return True
        month = (int(parts[0]), int(parts[1]))
        return (lo is None or month >= lo) and (hi is None or month <= hi)

    return accept


# Per journal folder: what the cash flow reads of the postings beyond the day totals
# (comptoir.domain.statements.cash_moves), keyed like DAYS and by the cash accounts.
CASH = Derivation("ledger-cash", keep=400)


def cash_fold(book: Book) -> Folded:
    """The cash flow's Folded for the book's cash accounts: gives the book `ledger.cash` (the
    cash accounts and the whole journal's CashMoves)."""
    from comptoir.domain.statements import (
        cash_accounts,
        cash_moves,
        merge_cash_moves,
        packed_cash_moves,
    )

    codes = cash_accounts(book.accounts)
    cash = frozenset(codes)
    return Folded(CASH, ("\0".join(codes),), lambda rows: packed_cash_moves(cash_moves(rows, cash.__contains__)),
                  "ledger.cash", lambda parts: (codes, merge_cash_moves(parts)))


# Per journal folder: its CurrencyDays (comptoir.domain.ledger.add_currency_days), what the reports
# in one currency (--currency) add up; keyed like DAYS.
CURRENCY = Derivation("ledger-currency-days", keep=400)


def currency_fold(book: Book) -> Folded:
    """The Folded of the reports in one currency: gives the book `ledger.currency-days`."""
    from comptoir.domain.ledger import add_currency_days

    def derive(rows: list) -> list:
        days = add_currency_days({}, ((r.currency or book.base, r.account, r.date.toordinal(), r.amount, r.closing)
                                      for r in rows))
        return [(which, currency, account, day, str(dr), str(cr))
                for which, by_currency in days.items() for currency, accounts in by_currency.items()
                for account, cells in accounts.items() for day, (dr, cr) in cells.items()]

    def merge(parts: list) -> dict:
        from decimal import Decimal

        out: dict = {"all": {}, "open": {}}
        for part in parts:
            for which, currency, account, day, dr, cr in part:
                cells = out[which].setdefault(currency, {}).setdefault(account, {})
                cell = cells.get(day)
                if cell is None:
                    cells[day] = [Decimal(dr), Decimal(cr)]
                else:
                    cell[0] += Decimal(dr)
                    cell[1] += Decimal(cr)
        return out

    return Folded(CURRENCY, (), derive, "ledger.currency-days", merge)
