"""The one partial book: records read when they are asked for, not before.

`Records` is a kind's records over a listing that says which ids exist and reads them. Two
listings: git's index (below), for writes that start from a clean, committed, known-valid data
root (one record read by id, a whole kind when iterated); and `KindReader`, for every other
partial read (`load_book(kinds=...)`: reports, lists, `--as-of`), which reads a whole kind
through the loader and its parse store the first time the kind is used.

A book read on demand, for writes that start from a committed, known-valid tree (HEAD's).

A write needs the settings, the few records its command reads, and whatever the incremental
checks look at; reading and validating 100,000 journal entries for it took four seconds. Here
HEAD's tree lists every record file: its path gives the kind, its name the id. From that listing
a kind's ids, an id's file and whether an id is taken are answered without reading a record; one
record is read when it is asked for by id, and a whole kind when something iterates over its
records (then through the loader and its parse cache, exactly as a full load reads it).

The working tree is the book, so HEAD's tree stands for it only where the two agree. A write
reads a few kinds: each kind's folder is compared with HEAD the first time the kind is used, not
every file of the data root before the command starts (2.25 s at 300,000 entries): a small folder
by content (each file's blob id against HEAD's listing, no git process), a larger one by `git
status` of that folder alone (it reads git's whole index and stats the folder's files). A kind with a difference (an edit, a `--no-commit`
write, a new file) turns the listing to the working tree: every kind not yet compared is read
whole from it, as a book with changes is read, and the writer checks the write against the whole
book (`on_dirty`). Kinds never used are never compared: the write's commit is HEAD's tree and
the written files, so what they hold in the working tree is neither read nor committed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, ItemsView, Iterator, MutableMapping, ValuesView

from comptoir.errors import ComptoirError
from comptoir.model import Book, Source
from comptoir.schemas.registry import Kind, all_kinds, kind_named
from comptoir.schemas.types import Record

from . import git
from .entries import same_entries
from .loader import _kind_of_folder, load_book, parse_bytes, well_filed_record
from .probe import porcelain_paths, status_of
from .root import DataRoot
from .store import Derivation

_KINDS = {k.name for k in all_kinds()}
SINGLE_LOOKUPS = 8  # ids looked up one by one (a git call each) before the kind is listed whole
SINGLE_READS = 64  # records read one by one before the kind is read whole (with the parse cache)
CATCH_UP_LIMIT = 2000  # more files than this since the last checked tree: check the whole book
# A kind's folder of at most this many files is compared with HEAD by content (reading and hashing
# a file: about 10 us), a larger one by `git status` of the folder (reading git's whole index, 0.1-
# 0.2 s at 300,000 entries, then about 2.6 us a file)
CONTENT_LIMIT = 4000


def _untracked_in_months(root: DataRoot, kind: Kind, name: str) -> list[str]:
    """Data-root-relative paths of the files called `name` in the kind's month folders
    (folder/YYYY/MM) of the working tree, tracked or not."""
    import os

    found = []
    base = root.path / kind.folder
    try:
        years = [e.name for e in os.scandir(base) if e.is_dir() and e.name.isdigit()]
    except OSError:
        return []
    for year in years:
        try:
            months = [e.name for e in os.scandir(base / year) if e.is_dir() and e.name.isdigit()]
        except OSError:
            continue
        found += [f"{kind.folder}/{year}/{m}/{name}" for m in months if (base / year / m / name).is_file()]
    return found


ODD_IDS = Derivation("odd-ids", keep=64)  # per month-filed kind's tree: its files named for another month


def id_month(ident: str) -> str | None:
    """`YYYY/MM` of an id PREFIX-YYYYMMDD-XXXX (comptoir.domain.ids), else None."""
    parts = ident.rsplit("-", 2)
    day = parts[1] if len(parts) == 3 else ""
    return f"{day[:4]}/{day[4:6]}" if len(day) == 8 and day.isdigit() else None


def _misnamed(rel: str) -> bool:
    """Whether a file at `rel` (from its kind's folder) is anywhere but `YYYY/MM/ID.yaml` with the
    month its id's date names: a lookup by id would not find it where `_lookup` looks first."""
    parts = rel.split("/")
    if len(parts) != 3 or not parts[2].endswith(".yaml"):
        return True
    return id_month(parts[2][:-5]) != f"{parts[0]}/{parts[1]}"


def _one_file(ident: str) -> str | None:
    """The glob, under a kind's folder, that matches the file of id `ident` in any subfolder;
    None for an id a glob cannot name exactly."""
    if not ident or any(c in ident for c in "*?[]\\/:"):
        return None
    return f"**/{ident}.yaml"


def _files_under(base, limit: int) -> list[tuple[str, str]] | None:
    """(path from `base`, file path) of every file under the folder `base` of the working tree, or
    None past `limit` of them (the walk stops there: a large folder costs a few of its files)."""
    import os

    found: list[tuple[str, str]] = []
    for dirpath, _, names in os.walk(base):
        rel = dirpath[len(str(base)):].lstrip(os.sep).replace(os.sep, "/")
        at = rel + "/" if rel else ""
        found += [(at + name, os.path.join(dirpath, name)) for name in names]
        if len(found) > limit:
            return None
    return found


def _same_files(files: list[tuple[str, str]], start: str, head: dict[str, str]) -> bool:
    """Whether `files` (as `_files_under` lists a folder) are exactly the files `head` lists (path
    from the repository's top, `start` being the folder's, -> blob id), each with that content."""
    import hashlib

    if len(files) != len(head):
        return False
    for rel, path in files:
        blob = head.get(start + rel)
        if blob is None:
            return False
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:
            return False
        if hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest() != blob:
            return False
    return True


def compare(root: DataRoot, commit: str, folders: list[str]) -> list[str] | None:
    """What differs from HEAD under `folders` (data-root-relative, ending in '/'), as `status_of`
    says it, in one `git status` of them all: tracked files by git, which skips its look for
    untracked files when the working tree's folders hold as many entries as HEAD's (`same_entries`,
    asked while git runs); otherwise git's whole answer, even when tracked files changed too (an
    untracked file in another of the folders must be named). None: unknown."""
    import subprocess

    from .probe import AHEAD, AHEAD_HINT, Probe, inside, whole_status_pays

    if whole_status_pays(root.path):
        # git's monitor and untracked cache on: one whole status costs what this one of a few
        # folders does, untracked files included; asked once per command and HEAD (a write
        # compares its kinds' folders in turns, before it writes anything)
        hint = git.PER_COMMAND.get((AHEAD_HINT, str(root.path)))
        if hint is not None:
            hint.now = True
        key = ("whole-status", str(root.path), commit)
        whole = git.PER_COMMAND.get(key)
        if whole is None:
            ahead = git.PER_COMMAND.pop((AHEAD, str(root.path)), None)  # started when the write began
            if ahead is not None:
                whole = ahead.changes()
                if ahead.head != commit:  # a commit came in between: what it saw is not HEAD's
                    whole = None
            if whole is None:
                whole = Probe(root.path).changes()
            git.PER_COMMAND[key] = whole
        return None if whole is None else [p for p in whole if inside(p, tuple(folders))]
    try:
        proc = subprocess.Popen(["git", "--no-optional-locks", "status", "--porcelain", "-z", "--untracked-files=no",
                                 "--", *folders], cwd=root.path, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError:
        return None
    same = root.top is not None and same_entries(root.top, root.prefix, commit, folders)
    out, _ = proc.communicate()
    if proc.returncode != 0:
        return None
    return porcelain_paths(out, root.prefix) if same else status_of(root.path, root.prefix, folders)


class Listing:
    """Every record file of the data root by kind and id (each kind listed when first asked
    about), and the records read so far."""

    def __init__(self, root: DataRoot, commit: str = "HEAD", lazy: bool = False,
                 on_dirty: Callable[[], None] | None = None, together: Collection[str] = ()) -> None:
        self.root = root
        self.together = tuple(together)  # kinds the write said it reads whole (their facts): compared in one status
        self._differs: set[str] = set()  # kinds compared with others and found to differ from HEAD
        self.commit = commit  # HEAD's commit id, its kind folders looked up (git.resolve_head)
        self.lazy = lazy  # compare each kind's folder with HEAD before its first use (else: known equal)
        self.fresh: set[str] = set()  # kinds whose folder was found as HEAD has it
        self.by_content: set[str] = set()  # of `fresh`: compared by content, not by git (its index not asked)
        self.fresh_folders: set[str] = set()  # single folders found so (a month of a kind not compared whole)
        self.working: dict[str, dict[str, Record]] | None = None  # set: a used kind differed from HEAD
        self.working_paths: dict[str, dict[str, str]] = {}
        self.on_dirty = on_dirty
        self.book: Book | None = None  # the book the working tree's load problems and sources go to
        self._paths: dict[str, dict[str, str]] = {}
        self._single: dict[tuple[str, str], str | None] = {}
        self._odd_sets: dict[str, tuple[str, set[str]]] = {}  # kind -> (its folder's tree id at HEAD, `_odd`)
        self._asked: dict[str, int] = {}  # single lookups per kind so far
        self._read: dict[str, int] = {}  # records read one by one per kind so far
        self.one: dict[tuple[str, str], Record] = {}
        self.whole: dict[str, dict[str, Record]] = {}

    def ensure(self, kind: str) -> bool:
        """Whether `kind` is served from HEAD's tree: its folder is as HEAD has it (compared on
        first use when lazy). False: the listing has turned to the working tree."""
        if not self.lazy or kind in self.fresh:
            return True
        if self.working is not None:
            return False
        if kind not in self._differs:
            # the kinds the write declared it reads (a sales order: the journal and the stock moves)
            # are compared together, in one status: each status reads git's whole index
            group = [kind, *(k for k in self.together if k != kind and k not in self.fresh and k not in self._differs)] \
                if kind in self.together else [kind]
            same = self._same_as_head([kind_named(k) for k in group])
            self.fresh.update(same)
            self._differs.update(k for k in group if k not in same)
            if kind in same:
                return True
        self._to_working()
        return False

    def _same_as_head(self, kinds: list[Kind]) -> set[str]:
        """Those of `kinds` whose folder in the working tree is HEAD's. A folder of a few thousand
        files is compared by content, without git: every file's blob id against HEAD's listing (kept
        in the store), no file more or less. Anything else, a larger folder or one that differs so
        (an ignored file, a file git stores through a filter), is asked of one `git status` of those
        folders (`compare`), which reads git's whole index (64 MB at 300,000 entries: 0.1-0.2 s) and
        stats the folders' files."""
        prefix = self.root.prefix
        same: set[str] = set()
        asked: list[Kind] = []
        for kind in kinds:
            folder = kind.folder + "/"
            files = _files_under(self.root.path / kind.folder, CONTENT_LIMIT)
            if files is not None and _same_files(files, prefix + folder, git.tree_blobs(
                    self.root.top, self.commit, prefix, [prefix + folder])):  # type: ignore[arg-type]
                self.by_content.add(kind.name)
                same.add(kind.name)
            else:
                asked.append(kind)
        if asked:
            changed = compare(self.root, self.commit, [k.folder + "/" for k in asked])
            if changed is not None:
                same.update(k.name for k in asked if not any(p.startswith(k.folder + "/") for p in changed))
        return same

    def _folder_fresh(self, folder: str) -> bool:
        """Whether one folder (a month of a month-filed kind) is as HEAD has it, compared when first
        asked: a record read by id needs its own folder, not its kind's 300,000 files."""
        if folder in self.fresh_folders:
            return True
        if self.working is not None:
            return False
        if compare(self.root, self.commit, [folder + "/"]) == []:
            self.fresh_folders.add(folder)
            return True
        self._to_working()
        return False

    def _to_working(self) -> None:
        """A used kind differs from HEAD: every kind not yet found as HEAD has it is read whole
        from the working tree now (its load problems with the book's), as a book with changes is."""
        others = [k.name for k in all_kinds() if k.name not in self.fresh]
        loaded = load_book(self.root, None, kinds=others)
        cut = len(self.root.prefix)
        self.working = {name: loaded.of(name) for name in others}
        self.working_paths = {name: {ident: loaded.source(name, ident)[cut:] for ident in records}
                              for name, records in self.working.items()}
        if self.book is not None:
            self.book.sources.update(loaded.sources)
            self.book.load_problems.extend(loaded.load_problems)
        if self.on_dirty is not None:
            self.on_dirty()

    def loaded(self, kind: str) -> bool:
        return kind in self.whole or (self.working is not None and kind in self.working)

    def path(self, kind: str, ident: str) -> str | None:
        """The file of one record, or None. Before a month-filed kind is listed whole, git is asked
        for that one file name, in its index and among the files it does not track (the working
        tree's answer, so the kind's folder need not be compared with HEAD): `journal post` checks
        that its new id is free without listing, or stat'ing, 300,000 entries."""
        if self.working is not None and kind not in self.fresh:
            return self.working_paths[kind].get(ident)
        listed = self._paths.get(kind)
        if listed is not None:
            return listed.get(ident)
        if not kind_named(kind).date_field:  # a folder without months: listed whole from HEAD's tree
            return self.ids(kind).get(ident)
        key = (kind, ident)
        if key not in self._single:
            asked = self._asked[kind] = self._asked.get(kind, 0) + 1
            pattern = _one_file(ident)
            if asked > SINGLE_LOOKUPS or pattern is None:
                return self.ids(kind).get(ident)  # a rule going through many: list the kind once
            self._single[key] = self._lookup(kind_named(kind), ident, pattern)
        return self._single[key]

    def _lookup(self, kind: Kind, ident: str, pattern: str) -> str | None:
        """The file of id `ident` of a month-filed kind, without reading git's index (64 MB at
        300,000 entries: `ls-files` of a glob cost 0.1 s a new id): a file of that name in any
        month folder of the working tree (one stat a month), else HEAD's, which the working tree
        may have lost (the commit is HEAD's tree with the written files, so HEAD's files count):
        in the month folder its id's date names (one `cat-file --batch-check`) or among the
        kind's files named for another month (`_odd`, kept in the store). Without that listing,
        git's index is asked as before. A file only staged, in neither, is not seen."""
        name = f"{ident}.yaml"
        here = _untracked_in_months(self.root, kind, name)
        if here:
            return here[0]
        odd = self._odd(kind)
        if odd is None:
            return self._list(kind, pattern).get(ident)
        month = id_month(ident)
        if month is not None:
            rel = f"{kind.folder}/{month}/{name}"
            if git.blobs_at(self.root.top, self.commit, [self.root.prefix + rel]):  # type: ignore[arg-type]
                return rel
        return next((rel for rel in odd if rel.rpartition("/")[2] == name), None)

    def _odd(self, kind: Kind) -> set[str] | None:
        """The kind's files at HEAD (data-root-relative) not in the month folder their name's date
        names (hand-named ones; usually none), from the store by the kind folder's tree id, else
        listed once (`ls-tree` of the folder). None when the folder's tree id is not known."""
        if kind.name in self._odd_sets:
            return self._odd_sets[kind.name][1]
        folder = f"{self.root.prefix}{kind.folder}/"
        try:
            found = git.looked_up(self.root.top, self.commit, folder)  # type: ignore[arg-type]
        except KeyError:
            return None
        if found is None:  # no such folder at HEAD: no file
            self._odd_sets[kind.name] = ("", set())
            return set()
        if found[0] != "tree":
            return None
        from .store import Store

        store = Store.of(self.root.path)
        stored = store.get(ODD_IDS, found[1], kind.folder)
        if isinstance(stored, list):
            odd = set(stored)
        else:
            out = git.run(self.root.top, "ls-tree", "-r", "--name-only", "-z", found[1])  # type: ignore[arg-type]
            # one name at a time: the 360,000 names of a large journal split at once took 30 MB more
            odd = {f"{kind.folder}/{rel}" for rel in (m.group().decode("utf-8", "surrogateescape")
                                                     for m in re.finditer(rb"[^\0]+", out)) if _misnamed(rel)}
            store.put(ODD_IDS, (found[1], kind.folder), sorted(odd))
        self._odd_sets[kind.name] = (found[1], odd)
        return odd

    def follow(self, trees: dict[str, str], written: list[str]) -> None:
        """After a commit built from HEAD's folders (`trees`: folder from the top -> its new tree id)
        of the files `written` (data-root-relative; deleted ones too): keep the new trees' odd
        files, the old ones' with the written files' changes, so the next write lists no kind."""
        from .store import Store

        for name, (old, odd) in self._odd_sets.items():
            folder = kind_named(name).folder
            new = trees.get(self.root.prefix + folder)
            if not new or new == old:
                continue
            inside = [rel for rel in written if rel.startswith(folder + "/")]
            gone = {rel for rel in inside if not (self.root.path / rel).is_file()}
            after = (odd - gone) | {rel for rel in inside if rel not in gone and _misnamed(rel[len(folder) + 1:])}
            Store.of(self.root.path).put(ODD_IDS, (new, folder), sorted(after))

    def ids(self, kind: str) -> dict[str, str]:
        """id -> data-root-relative path of every file of the kind, from HEAD's tree."""
        if not self.ensure(kind):
            return self.working_paths[kind]
        found = self._paths.get(kind)
        if found is None:
            found = self._paths[kind] = self._list(kind_named(kind))
        return found

    def _list(self, kind: Kind, pattern: str | None = None) -> dict[str, str]:
        """The kind's files: a whole kind from HEAD's tree (the data root is clean, so it is the
        index), kept in the derived store under its folder's tree id (`git.tree_blobs`: a kind the
        last writes did not touch is listed without git); one id by a glob over the index (a
        month-filed kind has no one folder to read, and its listing changes with every write)."""
        prefix = self.root.prefix
        cut = len(prefix)
        if pattern is None:
            paths: list[str] = list(git.tree_blobs(self.root.top, self.commit, prefix, [f"{prefix}{kind.folder}/"]))  # type: ignore[arg-type]
        else:
            out = git.run(self.root.top, "ls-files", "-z", "--", f":(glob){prefix}{kind.folder}/{pattern}")  # type: ignore[arg-type]
            paths = out.decode("utf-8", "surrogateescape").split("\0")
            # and a file of that name git does not track, in any month folder of the working tree
            # (one stat a month: git's own look for untracked files reads every folder, 0.4 s)
            paths += [prefix + rel for rel in _untracked_in_months(self.root, kind, pattern.rpartition("/")[2])]
        found: dict[str, str] = {}
        for path in paths:
            if not path.endswith(".yaml"):
                continue
            rel = path[cut:]
            folder, _, name = rel.rpartition("/")
            if _kind_of_folder(folder) is kind:  # a nested folder may be another kind's
                found[name[:-5]] = rel
        return found

    def record(self, kind: Kind, ident: str) -> Record | None:
        """One record, read from its file (its kind's folder is as HEAD has it)."""
        key = (kind.name, ident)
        if key in self.one:
            return self.one[key]
        # a month-filed kind not compared whole: the record's own folder is compared instead
        one_folder = self.lazy and kind.name not in self.fresh and self.working is None and kind.date_field is not None
        if not one_folder and not self.ensure(kind.name):
            return self.working[kind.name].get(ident)  # type: ignore[index]
        if kind.name in self.whole:
            return self.whole[kind.name].get(ident)
        read = self._read[kind.name] = self._read.get(kind.name, 0) + 1
        if read > SINGLE_READS:  # a rule going through many: read the kind whole, once
            return self.records(kind).get(ident)
        rel = self.path(kind.name, ident)
        if rel is None:
            return None
        if one_folder and kind.name not in self.fresh and not self._folder_fresh(rel.rpartition("/")[0]):
            return self.working[kind.name].get(ident)  # type: ignore[index]
        record = well_filed_record(kind, rel, parse_bytes((self.root.path / rel).read_bytes()))
        if record is None:  # the tree was checked clean: the file changed under the command
            raise _changed(self.root.display(rel))
        self.one[key] = record
        return record

    def records(self, kind: Kind) -> dict[str, Record]:
        """Every record of a kind, read the way a full load reads them."""
        if not self.ensure(kind.name):
            return self.working[kind.name]  # type: ignore[index]
        if kind.name not in self.whole:
            if not self.ids(kind.name):
                self.whole[kind.name] = {}
            else:
                loaded = load_book(self.root, self.commit, kinds=(kind.name,))  # HEAD is the clean tree
                if any(p.severity == "error" for p in loaded.load_problems):
                    raise _changed(loaded.load_problems[0].file)
                self.whole[kind.name] = loaded.of(kind.name)
        return self.whole[kind.name]


class KindReader:
    """The other listing: whole kinds read through the loader when first asked for (from a
    revision, or a working tree that need not be clean), added to `book`'s sources and load
    problems. A book `load_book(kinds=...)` reads holds the kinds asked for and one of these
    for every other kind, so a command reads what it uses and never sees an empty kind."""

    def __init__(self, root: DataRoot, rev: str | None, book: Book, clean: bool, status=None) -> None:
        self.root = root
        self.rev = rev
        self.book = book
        self.clean = clean
        self.status = status  # the command's probe: a kind whose folder its status covered is listed from it
        self.whole: dict[str, dict[str, Record]] = {}
        self._paths: dict[str, dict[str, str]] = {}

    def records(self, kind: Kind) -> dict[str, Record]:
        found = self.whole.get(kind.name)
        if found is None:
            loaded = load_book(self.root, self.rev, kinds=(kind.name,), clean=self.clean, status=self.status)
            found = self.whole[kind.name] = loaded.of(kind.name)
            self.book.sources.update(loaded.sources)
            self.book.load_problems.extend(loaded.load_problems)
            cut = len(self.root.prefix)
            self._paths[kind.name] = {ident: loaded.source(kind.name, ident)[cut:] for ident in found}
        return found

    def ids(self, kind: str) -> dict[str, str]:
        if kind not in self._paths:
            self.records(kind_named(kind))
        return self._paths[kind]

    def path(self, kind: str, ident: str) -> str | None:
        return self.ids(kind).get(ident)

    def record(self, kind: Kind, ident: str) -> Record | None:
        return self.records(kind).get(ident)


def other_kinds(root: DataRoot, rev: str | None, book: Book, read: Collection[str], clean: bool,
                status=None) -> None:
    """Give `book` (read for the kinds `read` only) every other kind, read when first used
    (listed from `status`, the command's probe, when it covered the kind's folder)."""
    reader = KindReader(root, rev, book, clean, status)
    for kind in all_kinds():
        if kind.name not in read:
            book.records[kind.name] = Records(reader, kind)  # type: ignore[assignment]


def _changed(display: str) -> ComptoirError:
    from comptoir.errors import fail

    return fail("book-changed", f"{display} changed while the command ran",
                "run the command again; if it keeps failing, run `comptoir validate`", file=display, line=1)


class Records(MutableMapping):
    """One kind's records: ids and membership from the listing, a record read when asked for,
    the whole kind read when iterated over values or items. Records a write adds or replaces
    live in an overlay, so a book and the book after a write share what has been read."""

    def __init__(self, listing: Listing | KindReader, kind: Kind, overlay: dict[str, Record] | None = None) -> None:
        self.listing = listing
        self.kind = kind
        self.overlay: dict[str, Record] = dict(overlay or {})

    def copy(self) -> Records:
        return Records(self.listing, self.kind, self.overlay)

    @property
    def loaded(self) -> bool:
        """Whether the whole kind has been read."""
        listing = self.listing
        return listing.loaded(self.kind.name) if isinstance(listing, Listing) else self.kind.name in listing.whole

    @property
    def ids(self) -> dict[str, str]:
        return self.listing.ids(self.kind.name)

    def path_of(self, ident: str) -> str | None:
        rel = self.listing.path(self.kind.name, ident)
        return None if rel is None else self.listing.root.display(rel)

    def __contains__(self, ident: object) -> bool:
        return ident in self.overlay or (isinstance(ident, str) and self.listing.path(self.kind.name, ident) is not None)

    def __getitem__(self, ident: str) -> Record:
        if ident in self.overlay:
            return self.overlay[ident]
        record = self.listing.record(self.kind, ident)
        if record is None:
            raise KeyError(ident)
        return record

    def __setitem__(self, ident: str, record: Record) -> None:
        self.overlay[ident] = record

    def __delitem__(self, ident: str) -> None:
        raise TypeError("records are removed by a write, not from a loaded book")

    def __iter__(self) -> Iterator[str]:
        yield from self.ids
        yield from (i for i in self.overlay if i not in self.ids)

    def __len__(self) -> int:
        return len(self.ids) + sum(1 for i in self.overlay if i not in self.ids)

    def _merged(self) -> dict[str, Record]:
        whole = self.listing.records(self.kind)
        return {**whole, **self.overlay} if self.overlay else whole

    def values(self) -> ValuesView:
        return self._merged().values()

    def items(self) -> ItemsView:
        return self._merged().items()


class Sources(MutableMapping):
    """(kind, id) -> Source: written records explicitly, every other record from the listing."""

    def __init__(self, listing: Listing, explicit: dict | None = None) -> None:
        self.listing = listing
        self.explicit: dict[tuple[str, str], Source] = dict(explicit or {})

    def copy(self) -> Sources:
        return Sources(self.listing, self.explicit)

    def __getitem__(self, key: tuple[str, str]) -> Source:
        if key in self.explicit:
            return self.explicit[key]
        rel = self.listing.path(key[0], key[1]) if key[0] in _KINDS else None
        if rel is None:
            raise KeyError(key)
        return Source(self.listing.root.display(rel))

    def __contains__(self, key: object) -> bool:
        return key in self.explicit or (isinstance(key, tuple) and len(key) == 2 and key[0] in _KINDS
                                        and self.listing.path(key[0], key[1]) is not None)

    def __setitem__(self, key: tuple[str, str], value: Source) -> None:
        self.explicit[key] = value

    def __delitem__(self, key: tuple[str, str]) -> None:
        raise TypeError("sources follow the records")

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for kind in _KINDS:
            for ident in self.listing.ids(kind):
                yield (kind, ident)
        yield from (k for k in self.explicit if k[0] not in _KINDS or k[1] not in self.listing.ids(k[0]))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def load_on_demand(root: DataRoot, on_dirty: Callable[[], None] | None = None,
                   fresh: dict[str, str] | None = None, together: Collection[str] = ()) -> Book:
    """The working tree's book, read as it is used, from HEAD's tree (known free of errors) where
    the working tree is as HEAD has it: each kind's folder is compared with HEAD on first use (the
    settings file must have been found unchanged; `fresh`: kind -> folder, compared already; `together`:
    kinds the write reads whole, compared in one status when the first of them is used). When one
    differs, the book turns to the working tree and `on_dirty` is called: the write is then checked
    against the whole book."""
    from comptoir.schemas.registry import SETTINGS_FILE

    # one git call looks up HEAD and every kind's folder at it: listings then come from the store
    commit = git.resolve_head(root.top, [root.prefix + SETTINGS_FILE]  # type: ignore[arg-type]
                              + [f"{root.prefix}{k.folder}/" for k in all_kinds()]) or "HEAD"
    listing = Listing(root, commit, lazy=True, on_dirty=on_dirty, together=together)
    # compared already, with the settings file, before the command started (when their folders are still theirs)
    listing.fresh.update(name for name, folder in (fresh or {}).items() if kind_named(name).folder == folder)
    settings_book = load_book(root, commit, kinds=())  # the settings file is as HEAD has it
    book = Book(settings=settings_book.settings, settings_path=settings_book.settings_path,
                root_prefix=root.prefix)
    book.records = {k.name: Records(listing, k) for k in all_kinds()}  # type: ignore[misc]
    book.sources = Sources(listing)  # type: ignore[assignment]
    book.text_reader = settings_book.text_reader
    book.lock_revision = settings_book.lock_revision
    listing.book = book
    return book


def _listing_of(book: Book) -> Listing | None:
    for records in book.records.values():
        if isinstance(records, Records) and isinstance(records.listing, Listing):
            return records.listing
    return None


def fresh(book: Book, kinds: Collection[str]) -> bool:
    """Whether `kinds` of a book read on demand are as HEAD has them (compared now if they were
    not yet): a value derived from HEAD's tree of them (a fact kept in the store) is then the
    working tree's. True for any other book."""
    listing = _listing_of(book)
    return listing is None or all([listing.ensure(kind) for kind in kinds])


def follow(book: Book, trees: dict[str, str], written: list[str]) -> None:
    """After a write's commit: what a book read on demand keeps for the next write's HEAD
    (`Listing.follow`). Never fails the write."""
    listing = _listing_of(book)
    if listing is None or not trees:
        return
    try:
        listing.follow(trees, written)
    except Exception:  # noqa: BLE001 - an optimisation must not turn a committed write into an error
        pass


def commit_of(book: Book) -> str | None:
    """The commit a book read on demand stands on (HEAD's, resolved when it was read); None for
    any other book."""
    listing = _listing_of(book)
    return listing.commit if listing is not None and listing.commit != "HEAD" else None


def fresh_paths(book: Book) -> tuple[set[str], set[str], set[str], set[str]] | None:
    """What of a book read on demand is known as HEAD has it: the kinds whose folders were
    compared, single folders compared, `folder/id` of ids looked up and found in no file of the
    working tree or HEAD (a new record's file), and the kinds of the first compared by
    content only (their files are HEAD's in the working tree; git's index was not asked, so a file
    of theirs that exists may be staged otherwise). None: not such a book."""
    listing = _listing_of(book)
    if listing is None:
        return None
    if not listing.lazy:
        return {k.name for k in all_kinds()}, set(), set(), set()
    absent = {kind_named(kind).folder + "/" + ident for (kind, ident), rel in listing._single.items() if rel is None}
    return set(listing.fresh), set(listing.fresh_folders), absent, set(listing.by_content)


def catch_up(root: DataRoot, tree: str) -> tuple[dict, dict[str, dict[str, Record]]] | None:
    """When the current tree is not known clean but a recent known-clean tree differs from it
    only by added record files (someone else's posts, pulled), those records and the older
    tree's facts: the write then checks them with its own. None when that is not so."""
    from . import verdict

    for old, facts in verdict.recent(root):
        try:
            out = git.run(root.top, "diff-tree", "-r", "-z", "--no-renames", "--name-status", old, tree)  # type: ignore[arg-type]
        except git.GitError:
            continue
        items = out.decode("utf-8", "surrogateescape").split("\0")
        pairs = list(zip(items[0::2], items[1::2], strict=False))
        if len(pairs) > CATCH_UP_LIMIT or any(status != "A" for status, _ in pairs):
            continue
        # the added files are read from the working tree: their folders must be as HEAD has them
        folders = sorted({path.rpartition("/")[0] + "/" for _, path in pairs if "/" in path})
        if status_of(root.path, root.prefix, folders or ["."]) != []:
            return None
        added = _added_records(root, [path for _, path in pairs])  # trees of the data root: paths from it
        if added is not None:
            return facts, added
    return None


def _added_records(root: DataRoot, paths: list[str]) -> dict[str, dict[str, Record]] | None:
    """The records in these new files (paths from the data root), or None if one is anything
    but a well-formed record in its right place under an id no other file uses."""
    added: dict[str, dict[str, Record]] = {}
    specs = []
    for rel in paths:
        folder, _, name = rel.rpartition("/")
        kind = _kind_of_folder(folder) if folder and name.endswith(".yaml") else None
        if kind is None:
            return None
        record = well_filed_record(kind, rel, parse_bytes((root.path / rel).read_bytes()))
        if record is None:  # unreadable, invalid, or not named and filed as its id and date say
            return None
        ident = getattr(record, kind.id_field)
        pattern = _one_file(ident)
        if ident in added.get(kind.name, {}) or pattern is None:
            return None
        added.setdefault(kind.name, {})[ident] = record
        specs.append(f":(glob){root.prefix}{kind.folder}/{pattern}")
    if specs:  # an id may also be taken by an older file in another folder (another month)
        found = git.run(root.top, "ls-files", "-z", "--", *specs).decode("utf-8", "surrogateescape")  # type: ignore[arg-type]
        if len([p for p in found.split("\0") if p]) != len(specs):
            return None
    return added
