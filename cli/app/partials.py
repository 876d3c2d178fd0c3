"""Values derived per folder of one record kind, kept in the one store, for the operational reports.

A dated kind (stock moves, invoices, payments, ...) is filed one folder per month, and git names
each folder's state with a tree id. A report that needs, say, per item and warehouse the stock
each month's moves add asks `per_folder(...)` with a function that derives that value from the
records of one folder; each folder's value is kept under its path and tree id (and the code
version, as every key of the store): the same tree means the same records, so a book of 100,000
unchanged moves is read as a few dozen small values, and a new move costs re-reading its month.

The working tree is served from the same values: a folder where `git status` (the freshness
probe) names a changed file is read from the working tree and kept nowhere; the others are
HEAD's. A revision (`--as-of`) is served from its own tree ids. Anything a full read would report
(an unreadable, invalid or misfiled record, a symbolic link, an id in two files) makes
`per_folder` return None, and the caller reads the whole book instead, which says what is wrong.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from comptoir.book.store import Derivation, Store

if TYPE_CHECKING:
    from pathlib import Path

    from comptoir.book.probe import Probe
    from comptoir.book.root import DataRoot
    from comptoir.schemas.registry import Kind


def under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + "/")


def dirty_folders(probe: Probe | None, folder: str) -> set[str] | None:
    """The folders under `folder` (data-root-relative) holding a record file that differs from
    HEAD; None when the probe cannot say (no probe, no commit yet, git failed)."""
    if probe is None:
        return None
    changes = probe.changes()
    if changes is None or not probe.ok:
        return None
    return {path.rpartition("/")[0] for path in changes if under(path, folder) and path.endswith(".yaml")}


# Per folder and derivation that follows (per_folder's row_id): the tree id of the folder's last
# value made, from which the value of a later tree with only files added is made.
LATEST = Derivation("folder-latest", keep=4096)
ANCESTORS = 8  # commits back a folder's earlier tree is looked for


def per_folder(root: DataRoot, kind: Kind, derivation: Derivation, derive: Callable[[list], object],
               rev: str | None, probe: Probe | None, inputs: tuple[str, ...] = (),
               listed: dict[str, str] | None = None,
               row_id: Callable[[Any], str] | None = None,
               elsewhere: Callable[[str, str], tuple | None] | None = None) -> dict[str, object] | None:
    """folder (data-root-relative) -> derive(the records filed directly in it), for every folder
    of `kind` at `rev` (None: the working tree, with `probe` saying what changed), in path order.
    Values of committed folders come from the store (computed and kept on a miss); `inputs` are
    whatever else the value depends on (the base currency, ...); `listed`: git.subtrees of the
    kind's folder at `rev` (or HEAD), when the caller listed several kinds' at once. None: read
    the whole book.

    `row_id`: `derive` gives a list of at most one row per record, in the records' order, and
    this says whose a row is. A folder missed is then made, when it can be, from the value of
    the folder's last tree (kept in the store) and the files added since, read alone (`_followed`:
    the write before added a document to a month of 500; reading the month again cost 0.3-0.5 s).
    `elsewhere(path, tree)`: the value made from another derivation's value kept for the same tree
    (the stock reports' per-folder moves give which move is whose), or None; asked for a folder
    missed, and for the earlier trees a folder is followed from."""
    from comptoir.book import git

    top = root.top
    if top is None:
        return None
    dirty = set() if rev is not None else dirty_folders(probe, kind.folder)
    if dirty is None:
        return None
    base = root.prefix + kind.folder
    if listed is None:
        try:
            listed = git.subtrees(top, rev or "HEAD", base)
        except git.GitError:
            return None
    # folder from the data root -> tree id
    trees = {path[len(root.prefix):]: tree for path, tree in listed.items() if under(path, base)}
    for folder in dirty:
        trees[folder] = ""  # read from the working tree, kept nowhere
    store = Store.of(root.path)
    found: dict[str, object] = {}
    missing = []
    for folder, tree in sorted(trees.items()):
        hit = store.get(derivation, root.prefix + folder, tree, *inputs) if tree else None
        if tree and elsewhere is not None and not sound(hit):
            hit = elsewhere(root.prefix + folder, tree)
            if sound(hit):
                store.put(derivation, (root.prefix + folder, tree, *inputs), hit)
        if sound(hit):
            found[folder] = hit
        else:
            found[folder] = None
            if tree:
                missing.append(folder)
    parents = {folder.rpartition("/")[0] for folder in trees}
    leaves = [folder for folder in missing if folder not in parents]  # a year folder's read is every month's
    batches = None
    if len(leaves) > 3:  # many folders to derive: read them a few at a time, through the parse store
        batches = Batches(root, rev or "HEAD", kind, [root.prefix + f for f in leaves])
    for folder, tree in sorted(trees.items()):
        if found[folder] is not None:
            continue
        if tree and row_id is not None:
            followed = _followed(root, kind, derivation, folder, tree, inputs, derive, row_id, rev or "HEAD",
                                 elsewhere)
            if followed is not None:
                store.put(derivation, (root.prefix + folder, tree, *inputs), followed)
                store.put(LATEST, (derivation.what, root.prefix + folder, *inputs), tree)
                found[folder] = followed
                continue
        if not tree:
            records = disk_records(root, folder, kind)
        elif batches is not None and batches.has(root.prefix + folder):
            records = batches.records(root.prefix + folder)
        else:
            records = tree_records(root.top, folder, tree, kind)  # type: ignore[arg-type]
        if records is None:
            return None
        value = ([getattr(r, kind.id_field) for r in records], derive(records))
        if tree:
            store.put(derivation, (root.prefix + folder, tree, *inputs), value)
            if row_id is not None:
                store.put(LATEST, (derivation.what, root.prefix + folder, *inputs), tree)
        found[folder] = value
    ids: set[str] = set()
    count = 0
    out: dict[str, object] = {}
    for folder, kept in found.items():
        folder_ids, derived = cast(tuple, kept)
        ids.update(folder_ids)
        count += len(folder_ids)
        out[folder] = derived
    if len(ids) != count:
        return None  # an id in two files: the full read says which
    return out


def record_changes(changes: list[tuple[str, str, str, str, str]]
                   ) -> tuple[list[tuple[str, str]], list[tuple[str, str | None, str]], bool]:
    """What one folder's git.tree_diff means for the values derived from its record files (what
    tree_records reads: the `.yaml` files directly in it): (the record files added, as (name,
    blob); the folders below that changed or came, as (name, old tree or None, new tree); whether
    a record file was changed, removed, replaced or added as a link, which only a read of the
    folder accounts for). Other files, and folders gone, change no value."""
    added: list[tuple[str, str]] = []
    below: list[tuple[str, str | None, str]] = []
    changed = False
    for old_mode, new_mode, old_id, new_id, name in changes:
        record = name.endswith(".yaml")
        if record and old_mode.startswith(("100", "120")):
            changed = True  # a record file changed, removed or replaced
        if new_mode == "040000":
            below.append((name, old_id if old_mode == "040000" else None, new_id))
        elif record and new_mode in ("100644", "100755"):
            if old_mode in ("000000", "040000"):
                added.append((name, new_id))
        elif record and new_mode == "120000":
            changed = True  # a link: the working tree reads what it points to
    return added, below, changed


def _followed(root: DataRoot, kind: Kind, derivation: Derivation, folder: str, tree: str,
              inputs: tuple[str, ...], derive: Callable[[list], object], row_id: Callable[[Any], str],
              rev: str, elsewhere: Callable[[str, str], tuple | None] | None = None) -> tuple | None:
    """The value of `folder` at `tree` made from an earlier tree's kept value and the record files
    added to it since, in the order a fresh read gives (the files' names, an id's file being
    ID.yaml): the trees the folder had in `rev`'s last ANCESTORS first parents (the writes before:
    a value is kept of the tree a write read), nearest first, else the last one a value was made
    of. None when a file was changed, removed or is not one a full read would take, or no earlier
    value is kept: the folder is read. The trees are compared through the running cat-file
    (comptoir.book.git.tree_diff)."""
    from comptoir.book import git

    store = Store.of(root.path)
    path = root.prefix + folder
    specs = [f"{rev}~{n}:{path}" for n in range(1, ANCESTORS + 1)]
    found = git.objects(root.top, specs) or {}  # type: ignore[arg-type]
    bases = [found[spec][1] for spec in specs if found.get(spec, ("",))[0] == "tree"]
    last = store.get(LATEST, derivation.what, path, *inputs)
    if type(last) is str and last:
        bases.append(last)
    for base in dict.fromkeys(bases):
        if base == tree:
            continue
        kept = store.get(derivation, path, base, *inputs)
        if not sound(kept) and elsewhere is not None:
            kept = elsewhere(path, base)
        if sound(kept):
            made = _from(root, kind, folder, tree, base, cast(tuple, kept), derive, row_id)
            if made is not None:
                return made
    return None


def _from(root: DataRoot, kind: Kind, folder: str, tree: str, base: str, kept: tuple,
          derive: Callable[[list], object], row_id: Callable[[Any], str]) -> tuple | None:
    """_followed from one earlier tree `base` of the folder and its kept value."""
    from comptoir.book import git
    from comptoir.book.loader import parse_bytes, well_filed_record

    changes = git.tree_diff(root.top, base, tree)  # type: ignore[arg-type]
    if changes is None:
        return None  # the older tree is gone (git gc after a reset)
    added, _, changed = record_changes(changes)
    if changed:
        return None
    contents = git.cat_blobs(root.top, [blob for _, blob in added])  # type: ignore[arg-type]
    records = []
    for name, blob in added:
        record = well_filed_record(kind, f"{folder}/{name}", parse_bytes(contents[blob])) if blob in contents else None
        if record is None:
            return None
        records.append(record)
    ids, rows = kept
    new_ids = [getattr(r, kind.id_field) for r in records]
    if set(ids) & set(new_ids) or not isinstance(rows, list):
        return None
    more = derive(records)
    if not isinstance(more, list):
        return None
    return (sorted([*ids, *new_ids], key=lambda ident: ident + ".yaml"),
            sorted([*rows, *more], key=lambda row: row_id(row) + ".yaml"))


def month_of(kind: Kind, folder: str) -> tuple[int, int] | None:
    """(year, month) of a month folder `KIND/YYYY/MM` of a dated kind; None for any other folder
    (which holds no well-filed record, or the records of several months)."""
    parts = folder[len(kind.folder) + 1:].split("/") if folder.startswith(kind.folder + "/") else []
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    return int(parts[0]), int(parts[1])


def sound(hit: object) -> bool:
    """Whether a value read from the store is one per_folder keeps: (the folder's ids, its value)."""
    return type(hit) is tuple and len(hit) == 2 and type(hit[0]) is list


class Batches:
    """The committed records of many folders to derive (folders with no folder inside: a month),
    read through the parse store a few folders at a time as they are asked for (in order): one
    read of every folder held the whole kind at once (1.2 GB for a journal of 300,000 entries), a
    batch holds a few months. Folders are named from the repository's top (with the data root's
    prefix)."""

    SIZE = 4  # folders per read: enough files for the parse to use both cores on a large book

    def __init__(self, root: DataRoot, rev: str, kind: Kind, folders: list[str]) -> None:
        self.root = root
        self.rev = rev
        self.kind = kind
        self.todo = list(folders)
        self.read: dict[str, list] | None = {}

    def has(self, folder: str) -> bool:
        return self.read is None or folder in self.todo or folder in self.read

    def records(self, folder: str) -> list | None:
        """The folder's records, or None when its batch holds something the full read reports."""
        if self.read is None:
            return None
        if folder not in self.read:
            from comptoir.book.loader import load_book

            at = self.todo.index(folder)
            batch, self.todo = self.todo[at:at + self.SIZE], self.todo[:at] + self.todo[at + self.SIZE:]
            cut = len(self.root.prefix)
            read = load_book(self.root, self.rev, kinds=(self.kind.name,), folders=[f[cut:] for f in batch])
            if read.load_problems:
                self.read = None
                return None
            self.read = {f: [] for f in batch}
            for ident, record in read.of(self.kind.name).items():
                self.read.setdefault(read.source(self.kind.name, ident).rpartition("/")[0], []).append(record)
            read.records.clear()  # its other kinds (read on demand) refer back to it: a cycle, and no collector runs here
        return self.read.pop(folder)



def tree_records(top: Path, folder: str, tree: str, kind: Kind) -> list | None:
    """The records of the files directly in a committed folder (its git tree), or None when one
    of them is something the full read would report."""
    from comptoir.book import git
    from comptoir.book.loader import parse_bytes, well_filed_record

    entries = git.tree_entries(top, tree)
    if entries is None:
        return None
    files = []
    for mode, name, oid in entries:  # in git's order, as ls-tree lists them
        if mode.startswith(("100", "120")) and name.endswith(".yaml"):
            if mode == "120000":
                return None  # a symbolic link: the working tree reads what it points to
            files.append((name, oid))
    contents = git.cat_blobs(top, [blob for _, blob in files])
    records = []
    for name, blob in files:
        record = well_filed_record(kind, f"{folder}/{name}", parse_bytes(contents[blob]))
        if record is None:
            return None
        records.append(record)
    return records


def disk_records(root: DataRoot, folder: str, kind: Kind) -> list | None:
    """The records of the files directly in a working-tree folder, or None when one of them is
    something the full read would report (or a link, which the full read follows)."""
    from comptoir.book.loader import parse_bytes, well_filed_record

    records = []
    try:
        entries = sorted(os.scandir(root.path / folder), key=lambda e: e.name)
    except FileNotFoundError:
        return []  # every file of the folder was removed
    except OSError:
        return None
    for entry in entries:
        if not entry.name.endswith(".yaml"):
            continue
        if entry.is_symlink() or not entry.is_file():
            return None
        with open(entry.path, "rb") as fh:
            record = well_filed_record(kind, f"{folder}/{entry.name}", parse_bytes(fh.read()))
        if record is None:
            return None
        records.append(record)
    return records



def per_file(root: DataRoot, kind: Kind, derivation: Derivation, derive: Callable[[object], object],
             rev: str | None, probe: Probe | None, inputs: tuple[str, ...] = ()) -> list | None:
    """derive(record) for every record of a kind filed in one flat folder (leads, orders), in path
    order, at `rev` (None: the working tree, with `probe` saying what changed). Such a folder holds
    thousands of files and one tree id, so the values are kept per bucket of files whose blob ids
    start alike, keyed by the bucket's names and blob ids (as the parse store keeps parse results):
    a commit that changes a file re-derives its bucket, a dirty file is read from the working tree
    and its bucket's others from the store. None: read the whole book."""
    import hashlib

    from comptoir.book import git
    from comptoir.book.loader import parse_bytes, well_filed_record

    top = root.top
    if top is None:
        return None
    changed: set[str] = set()
    if rev is None:
        if probe is None or probe.changes() is None or not probe.ok:
            return None
        changed = {p for p in probe.changes() or () if under(p, kind.folder) and p.endswith(".yaml")}
    base = root.prefix + kind.folder
    try:
        out = git.run(top, "ls-tree", "-r", "-z", "--full-tree", rev or "HEAD", "--", base + "/")
    except git.GitError:
        return None
    files: dict[str, str] = {}  # name -> blob id, as committed (less the changed ones)
    for item in out.decode("utf-8", "surrogateescape").split("\0"):
        meta, _, path = item.partition("\t")
        if not path.endswith(".yaml"):
            continue
        name = path[len(base) + 1:]
        mode, _, blob = meta.split(" ")
        if "/" in name or mode == "120000":
            return None  # misfiled, or a link the working tree follows: the full read says
        if f"{kind.folder}/{name}" not in changed:
            files[name] = blob
    width = 0 if len(files) <= 512 else 1 if len(files) <= 8192 else 2
    buckets: dict[str, list[str]] = {}
    for name, blob in files.items():
        buckets.setdefault(blob[:width], []).append(name)
    store = Store.of(root.path)
    found: dict[str, tuple] = {}  # name -> (id, value)
    missing: dict[str, tuple[str, ...]] = {}  # bucket -> its key
    for bucket, names in buckets.items():
        digest = hashlib.sha1("\0".join(f"{n} {files[n]}" for n in sorted(names)).encode(
            "utf-8", "surrogateescape")).hexdigest()
        keyed = (base, bucket, digest, *inputs)
        hit = store.get(derivation, *keyed)
        if type(hit) is list and len(hit) == len(names):
            found.update((row[0], (row[1], row[2])) for row in hit)
        else:
            missing[bucket] = keyed
    if missing:
        blobs = [files[n] for b in missing for n in buckets[b]]
        contents = git.cat_blobs(top, blobs)
        for bucket, keyed in missing.items():
            rows = []
            for name in sorted(buckets[bucket]):
                record = well_filed_record(kind, f"{kind.folder}/{name}", parse_bytes(contents[files[name]]))
                if record is None:
                    return None
                rows.append((name, getattr(record, kind.id_field), derive(record)))
            store.put(derivation, keyed, rows)
            found.update((row[0], (row[1], row[2])) for row in rows)
    for rel in changed:  # read from the working tree, kept nowhere
        disk = root.path / rel
        if not os.path.lexists(disk):
            continue  # removed
        if disk.is_symlink() or not disk.is_file() or "/" in rel[len(kind.folder) + 1:]:
            return None
        record = well_filed_record(kind, rel, parse_bytes(disk.read_bytes()))
        if record is None:
            return None
        found[rel[len(kind.folder) + 1:]] = (getattr(record, kind.id_field), derive(record))
    if len({ident for ident, _ in found.values()}) != len(found):
        return None  # an id in two files: the full read says which
    return [found[name][1] for name in sorted(found)]
