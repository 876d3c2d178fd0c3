"""Load every record of a data root, from the working tree or from a git revision, into a Book."""

from __future__ import annotations

import gc
import os
from collections import deque
from collections.abc import Callable, Collection, Iterator, MutableMapping
from functools import lru_cache, wraps
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from comptoir.errors import ComptoirError, Problem
from comptoir.model import Book, Source
from comptoir.schemas.registry import SETTINGS_FILE, Kind, all_kinds, kind_for_path, kind_named
from comptoir.schemas.settings import Settings
from comptoir.schemas.types import Record

from . import git, yamlread
from .root import DataRoot
from .store import Derivation, Store, pack, unpack

if TYPE_CHECKING:
    from .probe import Probe

PARALLEL_THRESHOLD = 4000  # below this, starting worker processes costs more than it saves
GIT_READ_THRESHOLD = 200  # below this, starting `git cat-file` costs more than opening the files
# files parsed in one job: the results of a job per worker and one more are held at once (at most
# 32,000 files' parse results, 11 MB; jobs of 17,800 files held 89,000, 31 MB); a job starts its own
# `git cat-file`, 71 of them for 570,000 files
PARSE_CHUNK = 8000


PARSED = Derivation("parse", keep=8192)  # parse results, in buckets of one kind's blobs (see Parsed)


def parse_bytes(data: bytes) -> tuple:
    """One file's parse result as a cacheable plain tuple: ('v', value) or ('e', line, code, msg, hint)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return ("e", *yamlread.encoding_problem(data, exc))
    try:
        return ("v", yamlread.parse(text))
    except yamlread.YamlError as exc:
        return ("e", exc.line, exc.code, exc.message, exc.hint)


def _parse_task(task: tuple[str | None, str | None, bytes | None]) -> tuple[str, bytes]:
    blob, path, data = task
    if data is None:
        with open(path, "rb") as fh:  # type: ignore[arg-type]
            data = fh.read()
    if blob is None:
        blob = git.blob_id(data)
    return blob, pack(parse_bytes(data))


def _parse_chunk(job: tuple[Path | None, str, list]) -> list[tuple[str, bytes]]:
    """Parse files given as (blob id or None, path under `folder`, bytes or None)."""
    top, folder, tasks = job
    stored: dict[str, bytes] = {}
    if top is not None and len(tasks) >= GIT_READ_THRESHOLD:
        # Files git knows unchanged are read from its object store: one `git cat-file --batch`
        # reads 100,000 blobs 2.5x faster than Python opens the files one by one.
        stored = git.cat_blobs(top, [blob for blob, _, data in tasks if data is None and blob])
    join = os.path.join
    return [_parse_task((blob, join(folder, rel), data if data is not None else stored.get(blob)))
            for blob, rel, data in tasks]


def _parse_all(tasks: deque, progress: Callable[[int, int], None] | None,
               top: Path | None = None, folder: str = "") -> Iterator[tuple[str, tuple[str, bytes]]]:
    """(path, (blob, packed parse result)) per task, in task order, as they are done: on two or
    more cores a large book is parsed by a process pool while the caller builds records from
    the results already in. Tasks are taken off the queue as they are sent to be parsed, so
    that a task, its path and its blob id are let go once its result is taken."""
    workers = os.cpu_count() or 1
    total = len(tasks)
    if total >= PARALLEL_THRESHOLD and workers >= 2:
        import multiprocessing as mp

        # fork shares the loaded modules with the workers at no cost; where there is no fork
        # (Windows), starting interpreters costs more than it saves: parse here
        if "fork" not in mp.get_all_start_methods():
            workers = 1
    count = 0

    def job(size: int) -> tuple[list[str], tuple[Path | None, str, list]]:
        """The next `size` tasks, taken off the queue: their paths, and the job that parses them."""
        taken = [tasks.popleft() for _ in range(min(size, len(tasks)))]
        return [rel for _, rel, _ in taken], (top, folder, taken)

    if total < PARALLEL_THRESHOLD or workers < 2:
        while tasks:
            paths, sent = job(PARSE_CHUNK)
            done = _parse_chunk(sent)
            yield from zip(paths, done, strict=True)
            count += len(done)
            del paths, sent, done
            if progress:
                progress(count, total)
        return
    ctx = mp.get_context("fork")
    size = min(PARSE_CHUNK, max(200, total // (workers * 16)))
    with ctx.Pool(workers) as pool:
        # a job per worker and one more ahead of the records built, not all of them: `imap` would
        # queue every result in this process when it builds records slower than the workers parse
        # (a cold validate of 570,000 files then held most of the book's parse results at once)
        running: deque = deque()
        while tasks or running:
            while tasks and len(running) <= workers:
                paths, sent = job(size)
                running.append((paths, pool.apply_async(_parse_chunk, (sent,))))
                del paths, sent
            paths, result = running.popleft()
            done = result.get()
            del result
            count += len(done)
            yield from zip(paths, done, strict=True)
            del paths, done
            if progress:
                progress(count, total)


class Parsed:
    """Parse results by git blob id, from the store. A file's parse depends only on its bytes
    (and the code), so the results are kept in buckets: one kind's blobs whose ids start
    alike (for a kind filed by month, in one month folder), keyed by the ids of the blobs in
    the bucket. A bucket holds a few hundred files at most, so a commit that adds or changes a
    file re-parses its bucket's files only (in another process, or another branch, the same
    bucket is found again), a read of one kind (a lead list) opens only that kind's buckets,
    and a read of the journal a month at a time lets each month's buckets go with it. Files
    changed in the working tree have no blob id until they are read: they are parsed every
    time, and kept nowhere."""

    def __init__(self, store: Store, files: dict[str, str | None]) -> None:
        self.store = store
        groups: dict[tuple[str, str], list[str]] = {}
        for rel, blob in files.items():
            if blob:
                groups.setdefault(self._group(rel), []).append(blob)
        # a file's bucket is computed from its path and blob when asked (a map of every blob to
        # its bucket took ~100 bytes a file: 57 MB at 570,000 files, held the whole read)
        self.width: dict[tuple[str, str], int] = {}
        self.members: dict[tuple[str, str, str], list[str]] = {}
        for group, blobs in groups.items():
            width = self.width[group] = 0 if len(blobs) <= 512 else 1 if len(blobs) <= 8192 else 2
            for blob in blobs:
                self.members.setdefault((*group, blob[:width]), []).append(blob)
        self.loaded: dict[tuple[str, str, str], dict] = {}
        self.added: set[tuple[str, str, str]] = set()
        self.in_store: dict[tuple[str, str, str], bool] = {}

    @staticmethod
    def _group(rel: str) -> tuple[str, str]:
        """(kind, folder) of a file: the files of one kind, and of one month folder for a kind filed by month."""
        return _group_of_folder(rel.rpartition("/")[0])

    def _bucket_of(self, rel: str, blob: str) -> tuple[str, str, str] | None:
        group = self._group(rel)
        width = self.width.get(group)
        return None if width is None else (*group, blob[:width])

    def _inputs(self, bucket: tuple[str, str, str]) -> tuple[str, ...]:
        return (f"{bucket[0]}/{bucket[1]}/{bucket[2]}", *sorted(set(self.members[bucket])))

    def _bucket(self, bucket: tuple[str, str, str]) -> dict:
        found = self.loaded.get(bucket)
        if found is None and bucket not in self.members:  # released: its files were read
            return {}
        if found is None:
            value = self.store.get(PARSED, *self._inputs(bucket))
            found = self.loaded[bucket] = value if isinstance(value, dict) else {}
        return found

    def stored(self, rel: str, blob: str) -> bool:
        """Whether the blob's bucket is in the store (a bucket is stored whole: its blobs are hits)."""
        bucket = self._bucket_of(rel, blob)
        if bucket is None or bucket not in self.members:
            return False
        found = self.in_store.get(bucket)
        if found is None:
            found = self.in_store[bucket] = bucket in self.loaded or self.store.has(PARSED, *self._inputs(bucket))
        return found

    def release(self, kind_name: str, folder: str | None = None) -> None:
        """Keep what was added to one folder's buckets (None: every bucket of the kind), and let
        them go with the ids of their blobs (those files are read: 48 MB of ids at 570,000 files)."""
        for bucket in [b for b in self.loaded if b[0] == kind_name and (folder is None or b[1] == folder)]:
            if bucket in self.added:
                self.added.discard(bucket)
                self._save(bucket)
            del self.loaded[bucket]
        for bucket in [b for b in self.members if b[0] == kind_name and (folder is None or b[1] == folder)]:
            del self.members[bucket]
            self.in_store.pop(bucket, None)

    def get(self, rel: str, blob: str) -> bytes | None:
        bucket = self._bucket_of(rel, blob)
        return self._bucket(bucket).get(blob) if bucket is not None else None

    def put(self, rel: str, blob: str, packed: bytes) -> None:
        bucket = self._bucket_of(rel, blob)
        if bucket is not None and blob in self.members.get(bucket, ()):  # a changed file is kept nowhere
            self._bucket(bucket)[blob] = packed
            self.added.add(bucket)

    def save(self) -> None:
        for bucket in self.added:
            self._save(bucket)
        self.added.clear()

    def _save(self, bucket: tuple[str, str, str]) -> None:
        value = self.loaded[bucket]
        if all(blob in value for blob in self.members[bucket]):
            self.store.put(PARSED, self._inputs(bucket), value)


def _wanted(relpath: str) -> bool:
    return relpath == SETTINGS_FILE or (relpath.endswith(".yaml") and "/" in relpath)


def list_files(root: DataRoot, rev: str | None, folders: list[str] | None = None, clean: bool = False,
               status: Probe | None = None) -> tuple[dict[str, str | None], Callable[[str], bytes]]:
    """data-root-relative path -> blob id (None when unknown) and a way to read a file's bytes.
    With `folders`, only the settings file and the files under those folders are listed (a path
    ending in `.yaml` names one file: the activities of one lead).
    `clean`: the caller has seen that the working tree is HEAD's under those folders: they are
    listed from HEAD's tree (which reads those folders only, not git's whole index: 64 MB at
    300,000 entries) and read from the working tree.
    `status`: the command's freshness probe (comptoir.book.probe); when its `git status` covered
    the folders, they are listed from HEAD's trees and that status, without reading git's index."""
    prefix = root.prefix
    files: dict[str, str | None] = {}
    specs = None if folders is None else [prefix + SETTINGS_FILE] + [prefix + _spec(f) for f in folders]

    def read_work(rel: str) -> bytes:  # every listing but a revision's reads the working tree
        return (root.path / rel).read_bytes()

    if root.top is None:
        if rev:
            raise ComptoirError(Problem("", 0, "not-a-repository",
                                        f"{root.path} is not in a git repository, so it has no revisions",
                                        "run `git init` in the data root, or drop --as-of"))
        for dirpath, dirnames, filenames in os.walk(root.path):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for name in filenames:
                rel = (Path(dirpath) / name).relative_to(root.path).as_posix()
                if _wanted(rel) and (folders is None or rel == SETTINGS_FILE
                                     or any(rel == f or rel.startswith(f + "/") for f in folders)):
                    files[rel] = None
        return files, read_work
    top = root.top
    if rev or clean:
        for path, blob in git.tree_blobs(top, rev or "HEAD", prefix, specs).items():
            rel = path[len(prefix):]
            if _wanted(rel):
                files[rel] = blob

        def read_blob(rel: str) -> bytes:
            return git.run(top, "show", f"{rev}:{prefix}{rel}")

        return (files, read_blob) if rev else (files, read_work)
    probed = None if folders is None else _listed_by_probe(root, status, [SETTINGS_FILE, *map(_spec, folders)])
    if probed is not None:
        files.update((rel, blob) for rel, blob in probed.items() if _wanted(rel))
        return files, read_work
    index, changed, deleted = git.listing(top, prefix, specs, dirty=not clean)
    for path, blob in index.items():
        if path in deleted:
            continue
        rel = path[len(prefix):]
        if _wanted(rel):
            files[rel] = None if path in changed else blob
    for path in changed:
        rel = path[len(prefix):]
        if _wanted(rel) and (top / path).is_file():
            files[rel] = None
    return files, read_work


def _spec(path: str) -> str:
    """A listed path as a pathspec: a folder ends in '/', a record file does not."""
    return path if path.endswith(".yaml") else path + "/"


def _listed_by_probe(root: DataRoot, status: Probe | None, paths: list[str]) -> dict[str, str | None] | None:
    """data-root-relative path -> blob id (None: changed, read the file) of the files under
    `paths` (data-root-relative; folders end in '/'): HEAD's blobs, from the folders' listings in
    the store (no git process once kept), less what the probe's `git status` says differs. Each
    git command that reads the index reads all of it (0.1-0.3 s at 300,000 files, three of them
    per listing); this asks git for the folders' ids at HEAD only. None when the
    probe did not compare every path (then the index is asked, as before)."""
    if status is None or status.path != root.path or root.top is None or not status.covers(paths):
        return None
    changes = status.changes()
    if changes is None or not status.ok:
        return None
    prefix = root.prefix
    # HEAD's now, as the partials take it: a writer committing since the status committed the
    # files it wrote as they are in the working tree, so HEAD's blobs are still the files' contents
    commit = git.resolve_head(root.top, [prefix + p for p in paths])
    if commit is None:
        return None
    files: dict[str, str | None] = {path[len(prefix):]: blob
                                    for path, blob in git.tree_blobs(root.top, commit, prefix, [prefix + p for p in paths]).items()}
    folders = tuple(p for p in paths if p.endswith("/"))
    for rel in changes:
        if rel in paths or rel.startswith(folders):
            if (root.path / rel).is_file():
                files[rel] = None
            else:
                files.pop(rel, None)
    return files


def _without_gc(load: Callable[..., Book]) -> Callable[..., Book]:
    """Load with the cyclic collector paused: a large book is a million small acyclic objects,
    which it would rescan again and again while they are built (about half the load time).
    After a large whole load they are frozen: they stay for the whole command, so later
    collections skip them instead of walking them all once more. A partial book is not: its
    kinds read on demand refer back to it (a cycle only the collector frees), and frozen it would
    outlive its last use (a report reading the journal a few folders at a time kept them all)."""

    @wraps(load)
    def wrapper(*args, **kwargs) -> Book:
        enabled = gc.isenabled()
        gc.disable()
        try:
            book = load(*args, **kwargs)
            if enabled and kwargs.get("kinds") is None and len(book.sources) >= PARALLEL_THRESHOLD:
                gc.freeze()
            return book
        finally:
            if enabled:
                gc.enable()

    return wrapper


@_without_gc
def load_book(root: DataRoot, rev: str | None = None,
              progress: Callable[[int, int], None] | None = None,
              kinds: Collection[str] | None = None,
              where: dict[str, Callable[[dict], bool]] | None = None, clean: bool = False,
              folders: Collection[str] | None = None, status: Probe | None = None) -> Book:
    """The whole book, or with `kinds` only the records of those kinds read now (a read-only
    command that lists leads need not read every journal entry); every other kind is read when
    first used (comptoir.book.ondemand: the one partial-book mechanism).
    `where` maps a kind to a test on a record's parsed fields: records failing it are skipped
    before validation (a list filtered by status validates only the records it shows).
    `folders` (with `kinds`): read only the files under these folders of those kinds (one month's
    stock moves), or these files (a path ending in `.yaml`), paths from the data root. `status`: the command's freshness probe (see list_files)."""
    reading = _Reading(root, rev, progress, kinds, clean, folders, status=status)
    book = reading.book
    for rel in reading.order[1:]:
        reading.add(book, rel, where)
    reading.close()
    if kinds is not None:  # every other kind is read when first used (the one partial book)
        from .ondemand import other_kinds

        other_kinds(root, rev, book, kinds, clean, status)
    return book


def stream_book(root: DataRoot, rev: str | None = None, progress: Callable[[int, int], None] | None = None,
                kinds: tuple[str, ...] = ("journal",)) -> tuple[Book, Iterator[Book]]:
    """The book with every kind but `kinds` read, and those kinds' records one folder at a time: a
    whole-book check that holds 300,000 journal entries at once needs three times the memory of
    one that holds a month. The second value yields, kind after kind in the order given and each
    kind's folders in path order, a book per folder holding that folder's records (of its one
    kind), their sources and what is wrong with its files (a file whose id an earlier file took is
    reported like the full read reports it, and left out). On the first book, each streamed kind's
    records are a `Streamed` mapping: the records put into it (whoever reads the stream keeps what
    it will need) are iterated; any record read so far is there by id."""
    streamed = tuple(kind_named(name) for name in kinds)
    enabled = gc.isenabled()
    gc.disable()  # records are built and dropped by the thousand: no cycles to look for
    try:
        reading = _Reading(root, rev, progress, None, False, None, streamed=streamed)
        book = reading.book
        pending = deque(reading.order[1:])  # paths are let go as they are read
        reading.order = []
        while pending and _kind_of(pending[0]) not in streamed:
            reading.add(book, pending.popleft())
        if reading.caches is not None:  # the kinds held are read: their parse results need not stay
            for kind in all_kinds():
                if kind not in streamed:
                    reading.caches.release(kind.name)
            reading.caches.release("")
    finally:
        if enabled:
            gc.enable()
    records = {kind.name: Streamed(reading, kind) for kind in streamed}
    book.records.update(records)  # type: ignore[arg-type]
    return book, _folders(reading, records, pending)


def _folders(reading: _Reading, records: dict[str, Streamed], pending: deque[str]) -> Iterator[Book]:
    base = reading.book
    enabled = gc.isenabled()
    gc.disable()
    try:
        chunk: Book | None = None
        folder = ""
        kind: Kind | None = None
        while pending:
            rel = pending.popleft()
            here = rel.rpartition("/")[0]
            if chunk is None or here != folder:
                if chunk is not None and kind is not None:
                    yield chunk
                    if reading.caches is not None:
                        reading.caches.release(kind.name, folder)
                kind = _kind_of(rel)
                assert kind is not None and kind.name in records  # a streamed kind's files come last
                chunk = Book(base.settings, {kind.name: {}}, {}, base.settings_path, base.revision,
                             base.root_prefix, [], base.today, base.text_reader)
                folder = here
                shown = reading.prefix + here
            found = reading.record(rel, None, chunk.load_problems)
            if found is None:
                continue
            of, ident, record = found  # of the folder's kind
            display = reading.prefix + rel
            seen = records[of.name].seen
            earlier = seen.get(ident)
            if earlier is not None:
                chunk.load_problems.append(_duplicate(of, ident, display, f"{earlier}/{ident}.yaml"))
                continue
            seen[ident] = shown  # the file is FOLDER/ID.yaml: a record's file is named by its id
            chunk.records[of.name][ident] = record
            chunk.sources[(of.name, ident)] = Source(display)
        if chunk is not None:
            yield chunk
        reading.close()
    finally:
        if enabled:
            gc.enable()


class Streamed(MutableMapping):
    """A streamed kind's records on a book (see stream_book): the records put into it, in the
    order they were put, are its items; every record the stream has read so far is in it by id,
    read again from its file when it was not kept."""

    def __init__(self, reading: _Reading, kind: Kind) -> None:
        self.reading = reading
        self.kind = kind
        self.kept: dict[str, Record] = {}
        self.seen: dict[str, str] = {}  # id -> the folder of its file (as displayed)
        self.again: dict[str, Record] = {}

    @property
    def count(self) -> int:
        """How many records the stream has read."""
        return len(self.seen)

    def __contains__(self, ident: object) -> bool:
        return ident in self.seen

    def __getitem__(self, ident: str) -> Record:
        if ident in self.kept:
            return self.kept[ident]
        if ident in self.again:
            return self.again[ident]
        folder = self.seen[ident]  # KeyError: no such record
        rel = f"{folder}/{ident}.yaml"[len(self.reading.prefix):]
        got = _record_of(self.kind, rel, self.reading.prefix + rel, parse_bytes(self.reading.read(rel)), [],
                         None, self.reading.prefix)
        if got is None:  # the file changed since the stream read it
            raise ComptoirError(Problem(self.reading.prefix + rel, 1, "book-changed",
                                        f"{self.reading.prefix + rel} changed while the command ran",
                                        "run the command again"))
        self.again[ident] = got[1]
        return got[1]

    def __setitem__(self, ident: str, record: Record) -> None:
        self.kept[ident] = record

    def __delitem__(self, ident: str) -> None:
        raise TypeError("records are removed by a write, not from a loaded book")

    def __iter__(self) -> Iterator[str]:
        return iter(self.kept)

    def __len__(self) -> int:
        return len(self.kept)


class _Reading:
    """One read of a data root's files: the listing, the parse results (from the parse store, or
    parsed now, on both cores for a large book) taken in `order` (the settings first), and the
    book the settings make. `streamed`: the files of those kinds come last in `order`, one kind
    after the other."""

    def __init__(self, root: DataRoot, rev: str | None, progress: Callable[[int, int], None] | None,
                 kinds: Collection[str] | None, clean: bool, folders: Collection[str] | None,
                 streamed: tuple[Kind, ...] = (), status: Probe | None = None) -> None:
        scope: dict[str, Kind] | None = None
        if kinds is not None:
            scope = {k.folder: k for k in all_kinds() if k.name in kinds}
        listed = None if scope is None else sorted(folders) if folders is not None else sorted(scope)
        files, read = list_files(root, rev, listed, clean, status=None if rev else status)
        if scope is not None:  # a nested folder may belong to a kind that was not asked for
            files = {rel: b for rel, b in files.items() if rel == SETTINGS_FILE or _kind_of(rel) in scope.values()}
        if SETTINGS_FILE not in files:
            raise ComptoirError(Problem(root.display(SETTINGS_FILE), 0, "no-settings",
                                        f"{SETTINGS_FILE} is missing" + (f" at {rev}" if rev else ""),
                                        "every data root needs one; `comptoir init` writes it"))
        caches = Parsed(Store.of(root.path) if root.top is not None else Store(None), files)
        # records are added in path order: the first of two files with one id wins (the settings
        # first: the book needs them; the streamed kinds last: the rules need the others to check them)
        rank: dict[Kind | None, int] = {kind: n for n, kind in enumerate(streamed, 1)}
        self.order = sorted(files, key=lambda r: (r != SETTINGS_FILE, rank.get(_kind_of(r), 0), r))
        hits: dict[str, bytes | tuple] = {}  # packed parse results (see cache.pack)
        lazy: dict[str, str] = {}  # a streamed kind's files in the store: path -> blob, read with their folder
        tasks: deque[tuple[str | None, str, bytes | None]] = deque()
        for rel in self.order:
            blob = files[rel]
            if blob and _kind_of(rel) in rank and caches.stored(rel, blob):
                lazy[rel] = blob
                continue
            hit = caches.get(rel, blob) if blob else None
            if hit is not None:
                hits[rel] = hit
                continue
            tasks.append((blob, rel, None))
        del files
        if not tasks and not lazy:  # nothing to add to the cache: let it go before the records are built
            caches = None  # type: ignore[assignment]
        if rev and tasks:
            blobs = git.cat_blobs(root.top, [t[0] for t in tasks])  # type: ignore[arg-type,misc]
            tasks = deque((b, r, blobs[b]) for b, r, _ in tasks if b is not None)  # at a revision every file has its blob
            del blobs
        self.hits = hits
        self.lazy = lazy
        self.caches: Parsed | None = caches
        self.done = _parse_all(tasks, progress, root.top, str(root.path))
        self.read = read
        self.root = root
        self.prefix = root.prefix  # a property that compares paths: computed once, not per record
        self.problems: list[Problem] = []
        settings = _settings(root, self.take(SETTINGS_FILE), read)
        book = Book(settings=settings, settings_path=root.display(SETTINGS_FILE),
                    revision=rev, root_prefix=root.prefix)
        book.text_reader = lambda display: _text(read, display[len(root.prefix):])
        book.load_problems = self.problems
        from .lockinfo import attach  # the lock date's commit, looked up only when a rule asks

        attach(book, root, rev)
        self.book = book

    def take(self, rel: str) -> tuple:
        """The file's parse result: from the cache, or the next one the parser has finished."""
        if rel in self.hits:
            return unpack(self.hits.pop(rel))
        blob = self.lazy.pop(rel, None)
        if blob is not None and self.caches is not None:
            found = self.caches.get(rel, blob)
            if found is None:  # its bucket went from the store since it was looked for: parse it here
                found = pack(parse_bytes(self.read(rel)))
                self.caches.put(rel, blob, found)
            return unpack(found)
        path, (blob, packed) = next(self.done)
        assert path == rel and self.caches is not None
        self.caches.put(rel, blob, packed)
        return unpack(packed)

    def record(self, rel: str, where: dict[str, Callable[[dict], bool]] | None = None,
               problems: list[Problem] | None = None) -> tuple[Kind, str, Record] | None:
        """The record of the file at `rel` (taken in order), or None; what is wrong with the file
        goes to `problems` (the book's load problems by default)."""
        entry = self.take(rel)
        kind = _kind_of(rel)
        display = self.prefix + rel
        problems = self.problems if problems is None else problems
        if kind is None:
            problems.append(Problem(display, 1, "unknown-folder",
                                    f"{rel.split('/')[0]}/ is not a comptoir record folder",
                                    "move the file into a record folder, or rename it so it does not end in .yaml",
                                    severity="warning"))
            return None
        if where and kind.name in where and entry[0] == "v" and isinstance(entry[1], dict) \
                and not where[kind.name](entry[1]):
            return None
        found = _record_of(kind, rel, display, entry, problems, self.book.text_reader, self.book.root_prefix)
        return None if found is None else (kind, found[0], found[1])

    def add(self, book: Book, rel: str, where: dict[str, Callable[[dict], bool]] | None = None) -> None:
        found = self.record(rel, where)
        if found is None:
            return
        kind, ident, record = found
        records = book.of(kind.name)
        display = self.prefix + rel
        if ident in records:
            self.problems.append(_duplicate(kind, ident, display, book.source(kind.name, ident)))
            return
        records[ident] = record
        book.sources[(kind.name, ident)] = Source(display)

    def close(self) -> None:
        """Every result was taken (this also closes the process pool); new ones are kept."""
        if next(self.done, None) is not None:
            raise AssertionError("more parse results than files")
        if self.caches is not None:
            self.caches.save()
            self.caches = None


@lru_cache(maxsize=4096)
def _kind_of_folder(folder: str) -> Kind | None:
    return kind_for_path(folder + "/x.yaml")


@lru_cache(maxsize=4096)
def _group_of_folder(folder: str) -> tuple[str, str]:
    kind = _kind_of_folder(folder) if folder else None
    return (kind.name if kind else "", folder if kind is not None and kind.date_field else "")


def _kind_of(rel: str) -> Kind | None:
    """The kind of a file, looked up once per folder (books have few folders and many files)."""
    return _kind_of_folder(rel.rsplit("/", 1)[0]) if "/" in rel else None


def _text(read: Callable[[str], bytes], rel: str) -> str | None:
    try:
        return read(rel).decode("utf-8", "replace")
    except (OSError, git.GitError):
        return None


def _settings(root: DataRoot, entry: tuple, read: Callable[[str], bytes]) -> Settings:
    display = root.display(SETTINGS_FILE)
    if entry[0] == "e":
        raise ComptoirError(Problem(display, entry[1], entry[2], entry[3], entry[4]))
    try:
        return Settings.model_validate(entry[1])
    except ValidationError as exc:
        text = _text(read, SETTINGS_FILE) or ""
        raise ComptoirError(schema_problems(display, text, exc)) from None


def schema_problems(display: str, text: str, exc: ValidationError, prefix: tuple = (),
                    model: type | None = None) -> list[Problem]:
    from comptoir.errors import explain
    from comptoir.suggest import with_suggestion

    out = []
    for err in exc.errors(include_url=False):
        loc = prefix + tuple(err["loc"])
        where = ".".join(str(p) for p in loc) or "record"
        etype = err["type"]
        if etype == "missing":
            code, hint = "missing-field", f"add `{loc[-1]}:` to the record"
        elif etype == "extra_forbidden":
            code, hint = "unknown-field", "remove the field or fix its spelling"
            if model is not None:
                hint = with_suggestion(hint, str(err["loc"][-1]), _fields_at(model, tuple(err["loc"])[:-1]))
        else:
            code, hint = "invalid-value", "fix the value; `comptoir schema` shows the expected type"
        out.append(Problem(display, yamlread.locate(text, loc) if text else 1, code,
                           f"{where}: {explain(err)}", hint))
    return out


def _fields_at(model: type, loc: tuple) -> list[str]:
    """The field names of the (nested) model found at `loc` inside `model`."""
    import typing

    from pydantic import BaseModel

    for part in loc:
        if isinstance(part, int):
            continue
        info = getattr(model, "model_fields", {}).get(part)
        if info is None:
            return []
        todo, found = [info.annotation], None
        while todo and found is None:
            tp = todo.pop()
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                found = tp
            todo.extend(typing.get_args(tp))
        if found is None:
            return []
        model = found
    return list(getattr(model, "model_fields", {}))


def well_filed_record(kind: Kind, rel: str, entry: tuple) -> Record | None:
    """The record of the file at `rel` (from the data root) parsed as `entry` (parse_bytes), or
    None when a full read would report the file: unreadable, invalid, or named or filed other
    than its id (and date) say. For the quick paths that read a few files and fall back to the
    full read, which says what is wrong, on None."""
    if entry[0] != "v" or not isinstance(entry[1], dict):
        return None
    try:
        record = kind.model.model_validate(entry[1])
    except ValidationError:
        return None
    if getattr(record, kind.id_field) != rel.rsplit("/", 1)[-1][:-len(".yaml")] or kind.path_for(record) != rel:
        return None
    return record


def _record_of(kind: Kind, rel: str, display: str, entry: tuple, problems: list[Problem],
               text_reader: Callable[[str], str | None] | None, root_prefix: str) -> tuple[str, Record] | None:
    """(id, record) of one parsed file of a kind, or None; what is wrong with it goes to `problems`."""
    if entry[0] == "e":
        problems.append(Problem(display, entry[1], entry[2], entry[3], entry[4]))
        return None
    value = entry[1]
    text_of = text_reader or (lambda _display: None)
    if not isinstance(value, dict):
        article = "an" if kind.label[0] in "aeiou" else "a"
        problems.append(Problem(display, 1, "not-a-mapping", f"{article} {kind.label} file must hold a mapping of fields",
                                "write one `field: value` per line"))
        return None
    try:
        record = kind.model.model_validate(value)
    except ValidationError as exc:
        problems.extend(schema_problems(display, text_of(display) or "", exc, model=kind.model))
        return None
    ident = getattr(record, kind.id_field)
    stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if stem != ident:
        problems.append(Problem(display, yamlread.locate(text_of(display) or "", (kind.id_field,)),
                                "id-mismatch", f"{kind.id_field} {ident!r} does not match the file name {stem!r}",
                                f"rename the file to {ident}.yaml or set {kind.id_field}: {stem}"))
        return None
    expected = kind.path_for(record)
    if expected != rel:
        problems.append(Problem(display, 1, "misfiled", f"this {kind.label} belongs in {expected}",
                                f"git mv {display} {root_prefix}{expected}"))
    return ident, _share_field_sets(record)


def _duplicate(kind: Kind, ident: str, display: str, first: str) -> Problem:
    return Problem(display, 1, "duplicate-id", f"{kind.label} {ident} is also defined in {first}",
                   "ids must be unique; give one of them a new id")


_FIELD_SETS: dict[frozenset, set] = {}
_set_attribute = object.__setattr__


def _share_field_sets(record: Record) -> Record:
    """Give the record (and the records in its list fields) one shared set of the names of its
    fields given in the file. pydantic keeps a set per object; a journal entry and its postings
    then hold four, a fifth of a large book's memory. Records are frozen, so nothing adds to
    these sets (pydantic copies one before changing it, in model_copy)."""
    for model in (record, *(item for value in record.__dict__.values() if type(value) is list
                            for item in value if hasattr(item, "__pydantic_fields_set__"))):
        names = model.__pydantic_fields_set__
        shared = _FIELD_SETS.setdefault(frozenset(names), names)
        if shared is not names:
            _set_attribute(model, "__pydantic_fields_set__", shared)
    return record


def place(book: Book, problems: list[Problem]) -> list[Problem]:
    """Fill in line numbers for problems found by rules that only knew a record and a field."""
    reader = book.text_reader
    out = []
    texts: dict[str, str | None] = {}
    for p in problems:
        if p.line == 0 and p.loc and p.file and reader:
            if p.file not in texts:
                texts[p.file] = reader(p.file)
            text = texts[p.file]
            line = yamlread.locate(text, p.loc) if text else 1
            p = Problem(p.file, line, p.code, p.message, p.hint, p.severity, p.loc)
        elif p.line == 0 and p.file:
            p = Problem(p.file, 1, p.code, p.message, p.hint, p.severity, p.loc)
        out.append(p)
    return out


def place_in_text(problems: list[Problem], display: str, text: str) -> list[Problem]:
    """Line numbers for problems found in an input file that is not part of the book (a batch)."""
    out = []
    for p in problems:
        if p.line == 0 and p.file == display:
            line = yamlread.locate(text, p.loc) if p.loc else 1
            p = Problem(p.file, line, p.code, p.message, p.hint, p.severity, p.loc)
        out.append(p)
    return out
