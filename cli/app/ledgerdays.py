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

import gc
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the models, and all but what starts git, are imported once it is at work (see Watch)
    from decimal import Decimal

    from comptoir.book.root import DataRoot
    from comptoir.model import Book
    from comptoir.schemas.registry import Kind

from comptoir.book.probe import Probe, find_data_root
from comptoir.book.store import Derivation, Store
from comptoir.schemas import SETTINGS_FILE

# Per journal folder (a month): per account and day, the base-currency debits and credits of
# its entries, keyed by the folder's path and tree id, the base currency and the rate trees.
DAYS = Derivation("ledger-days", keep=400)
# The modules that decide what a valid journal entry or rate is and where its file belongs.

FOLDERS = ("journal", "rates")  # the journal and rate kinds' folders; attach checks they still are
ACCOUNTS = "accounts"  # the account kind's folder: with the settings, what a snapshot also holds
# Objects whose ids key a trial-balance snapshot (cli/app/ledgersnap.py), paths from the data root.
HEADS = ("HEAD", f"HEAD:./{SETTINGS_FILE}", f"HEAD:./{ACCOUNTS}", *(f"HEAD:./{f}" for f in FOLDERS))


def _folders() -> tuple[Kind, list[str]]:
    from comptoir.schemas.registry import all_kinds, kind_named

    journal = kind_named("journal")
    return journal, [journal.folder] + [k.folder for k in all_kinds() if k.name == "rate"]


class Watch:
    """What a trial balance asks the freshness probe (comptoir.book.probe): whether the settings,
    accounts, journal and rates differ from HEAD, and their ids at HEAD. The probe is started
    first, with the standard library only, so git answers while the models import."""

    def __init__(self, repo: str | None, cwd: Path | None, as_of: str | None, status: bool = True) -> None:
        self.at_revision = as_of is not None
        self.path = None if as_of else find_data_root(repo, cwd)
        self.probe = None if self.path is None else Probe(
            self.path, (SETTINGS_FILE, ACCOUNTS + "/", *(f + "/" for f in FOLDERS)), status=status)

    def clean(self, root: DataRoot, folders: list[str]) -> bool:
        """Nothing changed under the folders in the working tree (or the book is read at a revision)."""
        if self.at_revision:
            return True
        if self.probe is None or self.path != root.path or list(folders) != list(FOLDERS)[:len(folders)]:
            return False
        return self.probe.clean(folders)

    def untouched(self) -> bool:
        """Nothing at all changed in the working tree: settings, accounts, journal and rates are HEAD's."""
        return not self.at_revision and self.probe is not None and self.probe.changes() == []

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


def attach(root: DataRoot, book: Book, watch: Watch) -> bool:
    """Put the day totals into `book.derived`; False when the whole book must be read instead."""
    enabled = gc.isenabled()
    gc.disable()  # entries are built and dropped by the thousand: no cycles to look for
    try:
        return _attach(root, book, watch)
    finally:
        if enabled:
            gc.enable()


def _attach(root: DataRoot, book: Book, watch: Watch) -> bool:
    from decimal import Decimal

    from comptoir.book import git

    top = root.top
    journal, names = _folders()
    if top is None or not watch.clean(root, names):
        return False
    folders = [root.prefix + name for name in names]
    rev = book.revision or "HEAD"
    try:
        listing = git.run(top, "ls-tree", "-r", "-t", "-d", "-z", rev, "--", *folders)
    except git.GitError:
        return False  # no commit yet
    trees: dict[str, str] = {}
    for item in listing.decode("utf-8", "surrogateescape").split("\0"):
        meta, _, path = item.partition("\t")
        if path:
            trees[path] = meta.split(" ")[2]
    journal_path = folders[0]
    rates = "\0".join(f"{p}={t}" for p, t in sorted(trees.items()) if not _under(p, journal_path))
    store = Store.of(root.path)
    totals: dict[str, dict[int, list[Decimal]]] = {}
    ids: set[str] = set()
    count = 0
    names = {folder: tree for folder, tree in trees.items() if _under(folder, journal_path)}
    found = {folder: store.get(DAYS, folder, tree, book.base, rates) for folder, tree in names.items()}
    missing = [folder for folder, hit in found.items() if not _sound(hit)]
    whole = None
    if len(missing) > 3:  # many folders to sum: read the journal once, through the parse store
        from comptoir.book.loader import load_book

        read = load_book(root, book.revision, kinds=(journal.name,), clean=True)
        if read.load_problems:
            return False
        whole = {}
        for ident, record in read.of(journal.name).items():
            whole.setdefault(read.source(journal.name, ident).rpartition("/")[0], []).append(record)
    for folder, tree in names.items():
        hit = found[folder]
        if folder in missing:
            hit = _folder_sums(top, tree, folder[len(root.prefix):], book, journal,
                               None if whole is None else whole.get(folder, []))
            if hit is None:
                return False
            store.put(DAYS, (folder, tree, book.base, rates), hit)
        folder_ids, sums = hit
        ids.update(folder_ids)
        count += len(folder_ids)
        for account, days in sums:
            into = totals.setdefault(account, {})
            for day, debit, credit in days:
                cell = into.get(day)
                if cell is None:
                    into[day] = [Decimal(debit), Decimal(credit)]
                else:
                    cell[0] += Decimal(debit)
                    cell[1] += Decimal(credit)
    if len(ids) != count:
        return False  # an id in two files: the full read says which
    book.derived["ledger.days"] = totals
    book.derived["ledger.days.trees"] = trees  # what they are the sums of, and the entries' ids (for ledgersnap)
    book.derived["ledger.days.ids"] = ids
    return True


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + "/")


def _sound(hit: object) -> bool:
    return type(hit) is tuple and len(hit) == 2 and type(hit[0]) is list and type(hit[1]) is list


def _folder_sums(top: Path, tree: str, folder: str, book: Book, kind: Kind, records: list | None = None
                 ) -> tuple | None:
    """(ids, [(account, [(day, debits, credits), ...]), ...]) of the entry files directly in one
    folder, or None when one of them is something the full read would report. `records`: the
    folder's entries, when the journal was read whole."""
    from comptoir.book import git
    from comptoir.book.loader import parse_bytes, well_filed_record
    from comptoir.domain.ledger import UNCONVERTIBLE, add_day_totals

    if records is None:
        files = []
        for item in git.run(top, "ls-tree", "-z", tree).decode("utf-8", "surrogateescape").split("\0"):
            meta, _, name = item.partition("\t")
            if name and meta.split(" ")[1] == "blob" and name.endswith(".yaml"):
                if meta.startswith("120000"):
                    return None  # a symbolic link: the working tree reads what it points to
                files.append((name, meta.split(" ")[2]))
        contents = git.cat_blobs(top, [blob for _, blob in files])
        records = []
        for name, blob in files:
            record = well_filed_record(kind, f"{folder}/{name}", parse_bytes(contents[blob]))
            if record is None:
                return None
            records.append(record)
    sums = add_day_totals({}, book, records)
    if sums.pop(UNCONVERTIBLE):
        return None
    return ([getattr(r, kind.id_field) for r in records],
            [(account, [(day, str(dr), str(cr)) for day, (dr, cr) in days.items()])
             for account, days in sums.items()])
