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
import hashlib
import marshal
import os
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from cli.domain.book import Book
from cli.domain.ledger import UNCONVERTIBLE, add_day_totals
from schemas.registry import Kind, all_kinds, kind_named

from . import git
from .cache import unpack
from .loader import parse_bytes
from .root import DataRoot

VERSION = 1
KEEP = 1000  # folder sums kept besides the current ones (other branches, earlier revisions)


def _folders(root: DataRoot) -> tuple[Kind, list[str]]:
    journal = kind_named("journal")
    names = [journal.folder] + [k.folder for k in all_kinds() if k.name == "rate"]
    return journal, [root.prefix + name for name in names]


class Watch:
    """`git status` of the journal and rate folders, started early: it stats every journal file,
    so it runs while Python loads the rest of what the report needs."""

    def __init__(self, root: DataRoot, as_of: str | None) -> None:
        self.proc: subprocess.Popen | None = None
        if root.top is not None and as_of is None:
            _, folders = _folders(root)
            self.proc = subprocess.Popen(
                ["git", "status", "--porcelain", "-z", "--untracked-files=all", "--",
                 *(f + "/" for f in folders)],
                cwd=str(root.top), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def clean(self) -> bool:
        if self.proc is None:
            return True
        out, _ = self.proc.communicate()
        return self.proc.returncode == 0 and not out.strip(b"\0")


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
    top = root.top
    if top is None or not watch.clean():
        return False
    journal, folders = _folders(root)
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
    path = _cache_path(top)
    key = _code_key(book.base, rates)
    stored = _read(path)
    cached: dict = stored["folders"] if stored.get("key") == key else {}
    totals: dict[str, dict[int, list[Decimal]]] = {}
    ids: set[str] = set()
    count = 0
    used: dict = {}
    names = {f"{folder}:{tree}": (folder, tree) for folder, tree in trees.items() if _under(folder, journal_path)}
    missing = [name for name in names if name not in cached]
    parsed = None
    if len(missing) > 3:  # many folders to sum: their files are most likely in the parse cache
        from .cache import ParseCache
        from .loader import _cache_folder

        parsed = ParseCache(_cache_folder(root))
    for name, (folder, tree) in names.items():
        hit = cached.get(name)
        if hit is None:
            hit = _folder_sums(top, tree, folder[len(root.prefix):], book, journal, parsed)
            if hit is None:
                return False
        used[name] = hit
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
    if any(name not in cached for name in used):
        kept = {n: v for n, v in cached.items() if n not in used}
        for old in list(kept)[:max(0, len(kept) - KEEP)]:
            del kept[old]
        _write(path, {"key": key, "folders": {**kept, **used}})
    book.derived["ledger.days"] = totals
    return True


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + "/")


def _folder_sums(top: Path, tree: str, folder: str, book: Book, kind: Kind, parsed=None) -> tuple | None:
    """(ids, [(account, [(day, debits, credits), ...]), ...]) of the entry files directly in one
    folder, or None when one of them is something the full read would report. `parsed` is the
    parse cache, when it is worth loading."""
    files = []
    for item in git.run(top, "ls-tree", "-z", tree).decode("utf-8", "surrogateescape").split("\0"):
        meta, _, name = item.partition("\t")
        if name and meta.split(" ")[1] == "blob" and name.endswith(".yaml"):
            if meta.startswith("120000"):
                return None  # a symbolic link: the working tree reads what it points to
            files.append((name, meta.split(" ")[2]))
    known = {blob: parsed.get(blob) for _, blob in files} if parsed is not None else {}
    contents = git.cat_blobs(top, [blob for _, blob in files if known.get(blob) is None])
    records = []
    for name, blob in files:
        raw = known.get(blob)
        entry = unpack(raw) if raw is not None else parse_bytes(contents[blob])
        if entry[0] != "v" or not isinstance(entry[1], dict):
            return None
        try:
            record = kind.model.model_validate(entry[1])
        except ValidationError:
            return None
        if getattr(record, kind.id_field) != name[:-len(".yaml")] or kind.path_for(record) != f"{folder}/{name}":
            return None
        records.append(record)
    sums = add_day_totals({}, book, records)
    if sums.pop(UNCONVERTIBLE):
        return None
    return ([getattr(r, kind.id_field) for r in records],
            [(account, [(day, str(dr), str(cr)) for day, (dr, cr) in days.items()])
             for account, days in sums.items()])


def _code_key(base: str, rates: str) -> str:
    """What the sums depend on besides the files: base currency, rates, and the code that
    validates entries and converts amounts."""
    import cli.domain.ledger
    import schemas

    digest = hashlib.sha1(f"{VERSION}\0{base}\0{rates}".encode())
    for module in (Path(cli.domain.ledger.__file__), *sorted(Path(schemas.__file__).parent.glob("*.py"))):
        digest.update(module.read_bytes())
    return digest.hexdigest()


def _cache_path(top: Path) -> Path | None:
    dot_git = top / ".git"
    try:  # a plain clone: no need to ask git where its folder is
        folder = dot_git if dot_git.is_dir() else git.common_dir(top)
    except git.GitError:
        return None
    return folder / "comptoir" / f"ledger-days-v{VERSION}.marshal"


def _read(path: Path | None) -> dict:
    if path is None or not path.is_file():
        return {}
    try:
        with open(path, "rb") as fh:
            data = marshal.loads(fh.read())
        return data if isinstance(data, dict) and isinstance(data.get("folders"), dict) else {}
    except (OSError, EOFError, ValueError, TypeError):
        return {}  # a damaged cache is an empty one


def _write(path: Path | None, data: dict) -> None:
    if path is None:
        return
    try:
        blob = marshal.dumps(data)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".ledger-days-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        os.replace(tmp, path)
    except (OSError, ValueError):
        pass  # caching is an optimisation
