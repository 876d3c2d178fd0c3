"""Writing records: stage them, write files atomically, make exactly one commit.

Order of work: take the write lock (rolling back what a writer killed mid-write left:
comptoir.book.recovery) -> open the book -> the command stages records -> `check()` (the
application layer asks the rules: comptoir.app.write) -> note the write's intent -> write every
file to a temp file, then rename each into place -> `git add` and one commit of exactly those
paths, so nothing else staged or edited is swept in (through `git commit` when the repository
has hooks it would run) -> drop the note. Any failure before the commit restores every file; a
kill is rolled back by the next write; nothing half-written survives. Storage decides nothing about the records: it writes what it is
given once the rules said yes.

The book is opened on demand (comptoir.book.ondemand) when HEAD's tree is known free of errors
(comptoir.book.verdict) and the settings file is as HEAD has it; each kind's folder is compared
with HEAD when first used, and a difference turns the write to the whole book. Otherwise the
book is read whole.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from comptoir.errors import fail
from comptoir.model import Book
from comptoir.schemas.registry import SETTINGS_FILE, Kind, all_kinds
from comptoir.schemas.settings import Settings
from comptoir.schemas.types import Record

from . import git, verdict, yamlwrite
from .loader import _kind_of, load_book
from .recovery import Intent, fault
from .root import DataRoot

if TYPE_CHECKING:  # filelock is imported when a write takes the lock
    from filelock import BaseFileLock

LOCK_NAME = "write.lock"


@dataclass
class Staged:
    rel: str  # relative to the data root
    text: str | None  # None = delete the file


def record_text(kind: Kind, record: Record) -> str:
    """The canonical text of a record: an editor hint to its JSON Schema, then its fields."""
    from comptoir.schemas.jsonschema import header_for

    from . import yamlfast

    data = record.model_dump(mode="python", exclude_none=True, exclude_defaults=True)
    header = header_for(kind.name, kind.path_for(record))
    return yamlfast.dump(data, header) or yamlwrite.dump(data, header=header)


def _edited_text(book: Book, kind: Kind, old: Record, new: Record, text: str | None = None) -> str | None:
    """The existing file with only the changed fields rewritten (None: write it afresh)."""
    if text is None and book.text_reader is not None:
        text = book.text_reader(book.source(kind.name, getattr(old, kind.id_field)))
    if not text:
        return None
    fields = list(type(new).model_fields)
    changed = [f for f in fields if getattr(old, f) != getattr(new, f)]
    data = new.model_dump(mode="python", exclude_none=True, exclude_defaults=True)
    try:
        return yamlwrite.update(text, data, changed, fields)
    except Exception:  # noqa: BLE001 - a file ruamel cannot edit is rewritten in full instead
        return None


DEFAULT_WAIT = 300.0  # seconds a writer waits its turn: long enough for a queue of busy writers
WAIT_ENV = "COMPTOIR_LOCK_WAIT"


def lock_wait(default: float | None = None) -> float:
    """How long a writer waits for the lock: $COMPTOIR_LOCK_WAIT seconds, else `default`."""
    text = os.environ.get(WAIT_ENV)
    if text:
        try:
            return max(0.0, float(text))
        except ValueError:
            pass
    return DEFAULT_WAIT if default is None else default


class WriteLock:
    """One writer at a time per repository, by a kernel lock on a file in the git folder
    (filelock: flock, or LockFileEx on Windows). The kernel releases it when its process
    dies, so there is no stale lock to guess about. A second writer queues for up to
    `timeout` seconds; beside the lock, the holder notes who it is so a writer that gives up
    can say."""

    def __init__(self, folder: Path, timeout: float, command: str = "") -> None:
        self.path = folder / LOCK_NAME
        self.owner = folder / (LOCK_NAME + ".owner")
        self.timeout = timeout
        self.command = command
        self.held = False
        self.waited = False  # another writer held the lock first: what was seen before may be stale
        self._lock: BaseFileLock | None = None

    def __enter__(self) -> WriteLock:
        from filelock import FileLock, Timeout

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(self.path, timeout=self.timeout, fallback_to_soft=False, thread_local=False)
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            self.waited = True
            started = time.monotonic()
            try:
                self._lock.acquire(timeout=self.timeout)
            except Timeout:
                raise fail("locked", f"another comptoir command has been writing to this book for "
                                     f"{time.monotonic() - started:.0f} s: {self.holder()}",
                           f"wait for it to finish and run the command again, or let writers wait longer "
                           f"({WAIT_ENV}=SECONDS; now {self.timeout:g})") from None
        self.held = True
        try:
            self.owner.write_text(f"pid {os.getpid()}, `comptoir {self.command}`, since "
                                  f"{time.strftime('%H:%M:%S')}\n", encoding="utf-8")
        except OSError:
            pass
        return self

    def holder(self) -> str:
        try:
            return self.owner.read_text(encoding="utf-8").strip() or "unknown"
        except OSError:
            return "unknown"

    def __exit__(self, *exc) -> None:
        if self.held and self._lock is not None:
            self.held = False
            self._lock.release()


class Writer:
    """Collects the records one command writes, then writes and commits them together."""

    def __init__(self, root: DataRoot, command: str, *, no_commit: bool = False,
                 lock_timeout: float | None = None, today: dt.date | None = None,
                 status: verdict.Probe | None = None, reads: tuple[str, ...] = ()) -> None:
        self.root = root
        self.reads = reads  # kinds the command reads whole (their facts), declared up front: compared together
        self.command = command
        self.no_commit = no_commit
        self.staged: dict[str, Staged] = {}
        self.added: list[tuple[Kind, Record]] = []
        self._latest: dict[tuple[str, str], Record] = {}  # (kind, id) -> the record last put
        self.new_settings: Settings | None = None
        self.today = today
        if root.refused:  # git refuses the repository: nothing could be committed
            raise fail("git-refused", *root.refused, file=root.display(SETTINGS_FILE))
        if root.top is None and not no_commit:  # a success said without a commit would be a lie
            raise fail("not-a-repository", f"{root.path} is in no git repository, and every write is a commit",
                       "run `git init` there and commit the books (`git add -A && git commit`), "
                       "or write the files without committing with --no-commit",
                       file=root.display(SETTINGS_FILE))
        # the common git folder: the freshness probe's answer (it asked git already), else git's
        probed = None
        if status is not None and root.top is not None:
            status.changes()  # waits for git's answers
            probed = status.gitdir
        self._git_dir = (probed or git.common_dir(root.top)) if root.top else None
        folder = self._git_dir / "comptoir" if self._git_dir else root.path / ".comptoir"
        self._lock = WriteLock(folder, lock_wait(lock_timeout), command)
        self._intent = Intent(folder, root.top) if root.top else None
        self.book: Book | None = None
        self._status = status
        # the data root's tree id at HEAD, when what the write reads of the working tree is that
        # tree (a book read on demand compares each kind it uses; a whole read: the whole root)
        self.clean_tree: str | None = None
        self.facts: dict | None = None  # set: the book is known free of errors (cli.book.verdict)
        self.after_facts: dict | None = None  # set: the book this write commits is free of errors
        self._head: verdict.Probe | None = None  # HEAD's ids as the write found them
        self.committed: verdict.Probe | None = None  # the commit's, when the write knows them all

    def __enter__(self) -> Writer:
        self._lock.__enter__()
        try:
            fault("lock")
            if self._intent is not None and self._intent.left():  # a writer died mid-write
                self._intent.recover()
                self._status = None  # what was seen before the recovery is stale
            self.book = self._open()
            if self.facts is not None:  # commands may consult them (journal reverse: reversed entries)
                self.book.derived["validation.facts"] = self.facts
        except BaseException:
            self._lock.__exit__()
            raise
        return self

    def _open(self) -> Book:
        """The book as it is now: read on demand when HEAD's tree is known free of errors and the
        settings file is as HEAD has it (then a write is checked incrementally, and each kind the
        write uses is compared with HEAD first), else read whole."""
        if self.root.top is None:
            return load_book(self.root)
        head = self._status if self._status is not None and not self._lock.waited else verdict.Head(self.root, self.command)
        self._head = head
        if head.unchanged(SETTINGS_FILE):
            self.clean_tree = head.root_tree or verdict.tree_id(self.root)
            self.facts = verdict.known(self.root, self.clean_tree)
        if self.facts is not None:
            from . import ondemand

            # a probe that compared the whole data root knows every kind; one with no status, none
            fresh = {k.name: k.folder for k in all_kinds() if head.clean([k.folder])} if head.whole else {}
            return ondemand.load_on_demand(self.root, self._went_dirty, fresh, together=self.reads)
        if self.clean_tree is not None:
            caught = self._catch_up(self.clean_tree)
            if caught is not None:
                return caught
        # the whole book is read: its check describes HEAD's tree only when nothing differs from it
        if self.clean_tree is not None and not verdict.Status(self.root).clean():
            self.clean_tree = None
        return load_book(self.root)

    def _went_dirty(self) -> None:
        """A kind the write uses differs from HEAD: the book read on demand now reads the working
        tree, and the write is checked against the whole book (HEAD's facts no longer describe it)."""
        self.facts = None
        self.clean_tree = None
        if self.book is not None:
            self.book.derived.pop("validation.facts", None)

    def _catch_up(self, tree: str) -> Book | None:
        """A book for a tree that is not known clean but may be brought up to a known one (the
        application layer checks pulled records); None: read the whole book."""
        return None

    def __exit__(self, *exc) -> None:
        self._lock.__exit__()

    # staging ---------------------------------------------------------------------------
    def put(self, kind: Kind, record: Record, replace: bool = False) -> str:
        """Stage a record; it must be new unless `replace`."""
        assert self.book is not None
        ident = getattr(record, kind.id_field)
        records = self.book.of(kind.name)
        # membership first: a book read on demand answers it from git's listing, where a lookup of
        # a new id would read the kind's records (20,000 journal entries) to find it absent
        existing = records.get(ident) if ident in records else None
        if existing is not None and not replace:
            raise fail("duplicate-id", f"{kind.label} {ident} already exists",
                       "choose another id", file=self.book.source(kind.name, ident), line=1)
        rel = kind.path_for(record)
        if existing is not None:
            old_rel = self.book.source(kind.name, ident)[len(self.root.prefix):]
            if old_rel != rel:
                self.staged[old_rel] = Staged(old_rel, None)
        text = None
        earlier = self._latest.get((kind.name, ident))  # a dict, not a scan: a batch puts thousands
        if earlier is not None and self.staged.get(kind.path_for(earlier)) is not None:
            text = _edited_text(self.book, kind, earlier, record, self.staged[kind.path_for(earlier)].text)
        elif existing is not None:
            text = _edited_text(self.book, kind, existing, record)
        self.staged[rel] = Staged(rel, text or record_text(kind, record))
        self.added.append((kind, record))
        self._latest[(kind.name, ident)] = record
        return rel

    def put_settings_text(self, text: str, settings: Settings) -> None:
        self.staged[SETTINGS_FILE] = Staged(SETTINGS_FILE, text)
        self.new_settings = settings

    def put_text(self, rel: str, text: str) -> None:
        """Stage a file that is not a record (an example, a schema)."""
        self.staged[rel] = Staged(rel, text)

    # checking --------------------------------------------------------------------------
    def resulting_book(self) -> Book:
        assert self.book is not None
        after = self.book.with_records(self.added, self.new_settings)
        staged = {self.root.display(rel): s.text for rel, s in self.staged.items()}
        disk = self.book.text_reader

        def reader(display: str) -> str | None:  # problems in staged records point at their new text
            if display in staged:
                return staged[display]
            return disk(display) if disk else None

        after.text_reader = reader
        return after

    def check(self) -> None:
        """Refuse the write (raise ComptoirError) unless the rules allow it: the application
        layer's writer (comptoir.app.write.Writer) asks them."""
        raise NotImplementedError("writes are checked by the rules: use comptoir.app.write.Writer")

    def staged_kinds(self) -> tuple[dict[str, dict[str, Record]], set[str], bool]:
        """What the staged files do to the book: records added by kind, kinds with a record
        replaced or moved, and whether anything else (settings, other files) is written."""
        assert self.book is not None
        added: dict[str, dict[str, Record]] = {}
        replaced: set[str] = set()
        paths = set()
        for kind, record in self.added:
            ident = getattr(record, kind.id_field)
            paths.add(kind.path_for(record))
            if ident in self.book.of(kind.name):
                replaced.add(kind.name)
            else:
                added.setdefault(kind.name, {})[ident] = record
        moved = {rel for rel, s in self.staged.items() if s.text is None and rel not in paths}
        other = self.new_settings is not None or any(
            rel not in paths and rel not in moved for rel in self.staged)
        for rel in moved:
            moved_kind = _kind_of(rel)
            if moved_kind is None:
                other = True
            else:
                replaced.add(moved_kind.name)
        return added, replaced, other

    # writing ---------------------------------------------------------------------------
    def _refuse_dirty_targets(self) -> None:
        top = self.root.top
        if top is None:
            return
        # Only the files about to be written matter, and of those only the ones git tracks (a new
        # file holds no edit of anyone's): one `git diff` of them names those whose file differs
        # from the index (it says nothing of untracked files), and stats only them. Past a few
        # hundred, the data root is compared whole and filtered here: git matches every index
        # entry against every pathspec (10,000 paths: 6 s, the whole comparison a fraction).
        targets = [self.root.display(rel) for rel in self.staged]
        many = len(targets) > MANY_PATHS
        fresh, unstaged = self._fresh_targets(targets) if self.clean_tree is not None and not many else ([], set())
        if fresh:
            # these targets' folders were seen as HEAD has them (index = HEAD): a target still as
            # HEAD has it is not edited, and HEAD's folders answer that without reading git's
            # whole index (as `diff` does); the others (edited since, or stored through a filter),
            # and existing files of a folder compared by content only (the index may hold a staged
            # edit of one), are asked of `diff`
            heads = git.blobs_at(top, "HEAD", fresh)
            targets = [path for path in targets
                       if path not in fresh or (path in heads and (
                           path not in unstaged or not _same_blob(top / path, heads[path])))]
            if not targets:
                return
        # `diff`, not `diff-files`: a file whose stat data changed but not its content (copied,
        # touched) is compared by content, as the index is never refreshed (no optional locks)
        out = git.run(top, "diff", "--no-renames", "--no-ext-diff", "--name-only", "-z", "--",
                      *([self.root.prefix or "."] if many else targets))
        dirty = set(out.decode("utf-8", "surrogateescape").split("\0"))
        for path in targets:
            if path in dirty:
                raise fail("uncommitted-changes", f"{path} has uncommitted changes",
                           "commit or stash your edit first; comptoir will not mix it into its commit",
                           file=path, line=1)

    def _fresh_targets(self, targets: list[str]) -> tuple[list[str], set[str]]:
        """The targets (paths from the top) known as HEAD has them: the settings file, the records of
        kinds the book read on demand compared, new records whose id no file has (every file of a
        whole read of a clean data root); and of those, the ones whose index entry is known too
        (their folder was compared by git, or their id is in no file)."""
        from . import ondemand

        known = ondemand.fresh_paths(self.book) if self.book is not None else None
        if known is None:  # a whole read of a data root seen clean
            return targets, set(targets)
        kinds, folders, absent, by_content = known
        settings = self.root.display(SETTINGS_FILE)
        found: list[str] = []
        unstaged: set[str] = set()
        for path in targets:
            rel = path[len(self.root.prefix):]
            kind = _kind_of(rel)
            new = kind is not None and f"{kind.folder}/{rel.rpartition('/')[2][:-5]}" in absent
            if path == settings or rel.rpartition("/")[0] in folders or new or (kind is not None and kind.name in kinds):
                found.append(path)
                if new or kind is None or kind.name not in by_content or rel.rpartition("/")[0] in folders:
                    unstaged.add(path)
        return found, unstaged

    def commit(self, subject: str, records: list[str], body: str = "",
               trailers: dict[str, str] | None = None) -> str | None:
        """Validate, write every staged file, and commit them as one commit. Returns the commit id."""
        if not self.staged:
            return None
        self.check()
        self._refuse_dirty_targets()
        backups: dict[Path, bytes | None] = {}
        written: list[str] = []
        temps: dict[Path, str] = {}
        trees: dict[str, str] = {}  # folder -> its new tree id, when the commit was built from HEAD's
        parent: list[str] = []  # and then the commit it was built on
        try:
            for rel in self.staged:
                path = self.root.path / rel
                backups[path] = path.read_bytes() if path.exists() else None
            ids = {self.root.display(rel): None if s.text is None else git.blob_id(s.text.encode("utf-8"))
                   for rel, s in self.staged.items()}  # the files' bytes are their text's UTF-8 (_temp_file)
            if self._intent is not None:  # what a recovery rolls back if this process dies
                self._intent.begin(self.command, ids)
            # Every file goes to a temporary file beside it and is renamed into place; a few files
            # are flushed to disk one by one, a batch (a bank statement, an import) with one sync
            # for all of them before the first rename: 3,000 fsyncs took 5.8 s of a 3,000-line
            # import, one sync a few hundredths.
            batch = len(self.staged) > SYNC_ONE_BY_ONE
            for rel, staged in self.staged.items():
                if staged.text is not None:
                    path = self.root.path / rel
                    temps[path] = _temp_file(path, staged.text, sync=not batch)
            if batch:
                os.sync()
            fault("temp")
            for rel, staged in self.staged.items():
                path = self.root.path / rel
                if staged.text is None:
                    if path.exists():
                        path.unlink()
                else:
                    _rename(temps.pop(path), path)
                written.append(self.root.display(rel))
            fault("rename")
            if self.root.top is None:
                return None
            config = git.write_settings(self.root.top)
            git.stage(self.root.top, written, config)
            fault("add")
            if self.no_commit:
                self._end_intent()
                return None
            message = _message(subject, body, self.command, records, trailers)
            sha = git.commit(self.root.top, written, message, step=fault, git_dir=self._git_dir,
                             trees=trees, config=config, parent=parent,
                             blobs={path: blob for path, blob in ids.items() if blob is not None})
            self._end_intent()
        except BaseException as exc:
            for tmp in temps.values():  # those not yet renamed into place
                Path(tmp).unlink(missing_ok=True)
            self._undo(backups, written)
            self._end_intent()
            if isinstance(exc, git.HookRefused):
                from comptoir.errors import git_cause

                if not git_cause(exc.output):
                    which = (f"the repository's {exc.hooks[0]} hook" if len(exc.hooks) == 1 else
                             f"a hook of the repository ({', '.join(exc.hooks)})")
                    raise fail("hook-refused", f"{which} refused the commit; it said:\n{exc.output or '(nothing)'}",
                               f"nothing was written; change what the hook objects to and run the command "
                               f"again (the hooks are in {exc.folder})") from None
            if isinstance(exc, git.GitError):
                from comptoir.errors import git_cause

                cause = git_cause(str(exc))
                if cause:
                    raise fail(cause[0], f"git could not commit: {cause[1]} (git said: {exc})",
                               f"{cause[2]}; nothing was written") from None
                raise fail("commit-failed", f"git refused the commit: {exc}",
                           "nothing was written; fix the git problem and run the command again") from None
            raise
        if trees and parent:
            from . import lockinfo

            lockinfo.follow(self.root, parent[0], sha, written)
            self.committed = self._head_after(sha, parent[0], trees, ids)
        if trees and self.book is not None:
            from . import ondemand

            ondemand.follow(self.book, trees, list(self.staged))
        if self.after_facts is not None and self.clean_tree is not None:
            tree = trees.get(self.root.prefix.rstrip("/")) if trees else None
            verdict.remember(self.root, tree or verdict.tree_id(self.root, sha), self.after_facts)
        return sha

    def _head_after(self, sha: str, parent: str, trees: dict[str, str], ids: dict[str, str | None]) -> verdict.Probe | None:
        """The probe of the commit just made, from HEAD's as the write found it and the trees the
        commit rebuilt (what a report made after the write, in this process, asks of git: the
        ledger snapshot's). None when the write does not know every id (it wrote a file at the
        top of the data root, or HEAD was not the commit it built on)."""
        head, prefix = self._head, self.root.prefix
        root_tree = trees.get(prefix.rstrip("/"))
        # (head.tree settles the probe: git answered, and HEAD's data root has its settings file)
        if head is None or root_tree is None or head.tree(SETTINGS_FILE) is None or head.head != parent:
            return None
        entries = dict(head.entries)
        for path in ids:
            first, _, rest = path[len(prefix):].partition("/")
            if not rest:
                return None
            tree = trees.get(prefix + first)
            if tree is None:
                entries.pop(first, None)  # the folder is empty now
            else:
                entries[first] = (tree, "tree")
        return verdict.Probe.committed(self.root.path, head.gitdir, sha, root_tree, entries)

    def _end_intent(self) -> None:
        if self._intent is not None:
            self._intent.end()

    def _undo(self, backups: dict[Path, bytes | None], written: list[str]) -> None:
        """Put every file back as it was before this write and unstage it."""
        for path, old in backups.items():
            if old is None:
                if path.exists():
                    path.unlink()
            else:
                _atomic_write(path, old.decode())
        if self.root.top is not None and written:
            try:
                git.run(self.root.top, "reset", "-q", "--", *written)
            except git.GitError:  # a full disk can refuse even the index that unstages them:
                self._end_intent()  # give back the room this write's own note takes, and again
                git.run(self.root.top, "reset", "-q", "--", *written, check=False)


def _message(subject: str, body: str, command: str, records: list[str],
             trailers: dict[str, str] | None = None) -> str:
    lines = [subject.strip()[:200], ""]
    if body:
        lines += [body.strip(), ""]
    lines.append(f"Comptoir-Command: {command}")
    if records:
        lines.append(f"Comptoir-Records: {', '.join(records)}")
    for key, value in (trailers or {}).items():
        lines.append(f"{key}: {value}")
    return "\n".join(lines) + "\n"


def _same_blob(path: Path, blob: str) -> bool:
    try:
        return git.blob_id(path.read_bytes()) == blob
    except OSError:
        return False


MANY_PATHS = 200  # a write of more files than this lists the whole index rather than passing pathspecs
SYNC_ONE_BY_ONE = 16  # a write of more files syncs them all at once (os.sync) before renaming


def _atomic_write(path: Path, text: str) -> None:
    _rename(_temp_file(path, text, sync=True), path)


TEMP_SUFFIX = ".tmp"


def _temp_file(path: Path, text: str, sync: bool) -> str:
    """`text` in a new temporary file beside `path` (flushed to disk when `sync`); its name.
    Readers never see it: its name starts with a dot and does not end in .yaml."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            if sync:
                os.fsync(fh.fileno())
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.filename is None:  # say which file could not be written
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise
    return tmp


def _rename(tmp: str, path: Path) -> None:
    try:
        os.replace(tmp, path)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.filename is None:
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise

