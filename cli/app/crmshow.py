"""`crm lead show` and `crm activity list --lead`: the activities of one lead (opportunity,
partner) read without reading the others, and the other leads' contact details for duplicates
without validating them.

Each activities month folder gives, from the records filed directly in it, one row per activity:
its id and the lead, opportunity and partner it is for. The rows are kept in the one store under
the folder's path and tree id (comptoir.app.partials.per_folder), so `crm lead show` combines a
few dozen small values (50,000 activities: five years of months), picks the files of that lead's
activities and reads only them. A dirty working tree costs only its changed activity files: the
folders' rows are HEAD's, and each changed file's row replaces the one its name gave (a record's
file is named by its id); `--as-of` combines the revision's rows. Anything the rows cannot say (an
unreadable or misfiled activity, a link, an id in two files) makes the caller read every activity,
which says what is wrong.

Duplicate detection compares the lead with every lead and partner on normalised emails and phones;
normalising 20,000 phones costs more than reading them, so each lead's normal forms, status and
creation day (comptoir.domain.crm.contacts.LeadContact) are kept per bucket of the leads' one flat
folder (comptoir.app.partials.per_file), and as one value per tree of that folder when it is as
committed.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from comptoir.book.store import Derivation

if TYPE_CHECKING:
    from comptoir.book.probe import Probe
    from comptoir.book.root import DataRoot
    from comptoir.model import Book

# Per activities folder: (id, lead, opportunity, partner) of each activity filed directly in it.
LINKS = Derivation("activity-links", keep=800)
# The leads' LeadContacts (created as an ordinal): per bucket of files, and the whole folder per tree.
CONTACTS = Derivation("lead-contacts", keep=2400)
CONTACTS_WHOLE = Derivation("lead-contacts-folder", keep=64)

KIND = "activity"


def _rows(records: list) -> list[tuple]:
    return [(a.id, a.lead, a.opportunity, a.partner) for a in records]


def links(root: DataRoot, rev: str | None, probe: Probe | None) -> dict[str, list[tuple]] | None:
    """activities folder (data-root-relative) -> the rows of its activities, at `rev` (None: the
    working tree, with `probe`'s status of the activities folder saying what changed since its
    HEAD); None when they cannot be served."""
    from comptoir.book.loader import parse_bytes, well_filed_record
    from comptoir.schemas.registry import kind_named

    from .partials import per_folder, under

    kind = kind_named(KIND)
    changed: list[str] = []
    if rev is None:
        if probe is None or probe.changes() is None or not probe.ok or probe.head is None \
                or not probe.covers([kind.folder + "/"]):
            return None
        changed = [p for p in probe.changes() or () if under(p, kind.folder) and p.endswith(".yaml")]
    found = per_folder(root, kind, LINKS, _rows, rev or probe.head, None)  # type: ignore[union-attr]
    if found is None:
        return None
    out: dict[str, list[tuple]] = {folder: list(rows) for folder, rows in found.items()}  # type: ignore[call-overload]
    for rel in dict.fromkeys(changed):  # a dirty file: its committed row out, its row now in
        folder, _, name = rel.rpartition("/")
        ident = name[:-len(".yaml")]
        if folder in out:
            out[folder] = [row for row in out[folder] if row[0] != ident]
        disk = root.path / rel
        if not os.path.lexists(disk):
            continue  # removed
        if disk.is_symlink() or not disk.is_file():
            return None
        record = well_filed_record(kind, rel, parse_bytes(disk.read_bytes()))
        if record is None:
            return None
        out.setdefault(folder, []).extend(_rows([record]))
    ids = [row[0] for rows in out.values() for row in rows]
    if len(set(ids)) != len(ids):
        return None  # an id in two files: the full read says which
    return out


def activity_files(found: dict[str, list[tuple]], lead: str | None = None, opportunity: str | None = None,
                   partner: str | None = None) -> list[str]:
    """The files (data-root-relative, in path order) of the activities linked to every one given of
    `lead`, `opportunity` and `partner`."""
    wanted = [(n, ident) for n, ident in ((1, lead), (2, opportunity), (3, partner)) if ident]
    return sorted(f"{folder}/{row[0]}.yaml" for folder, rows in found.items() for row in rows
                  if all(row[n] == ident for n, ident in wanted))


def linked_book(env, as_of: str | None, kinds: tuple[str, ...], only: dict[str, list[str]] | None = None,
                lead: str | None = None, opportunity: str | None = None, partner: str | None = None
                ) -> tuple[Book, Probe | None] | None:
    """The book of `kinds` (of a kind `only` names, only those files) and of the activities linked
    to `lead`, `opportunity` and `partner` (all those given), the activities alone read, none of
    the others, and the probe it was read with; None when the links cannot be served or a file
    read holds something the full read reports (the caller then reads the book, which says what)."""
    from comptoir.app import docfacts
    from comptoir.book.loader import load_book
    from comptoir.schemas.registry import kind_named

    root = env.root()
    if root.top is None:
        return None
    rev = env.revision(as_of)
    probe = docfacts.probe_for(env, rev, tuple(k for k in (KIND, *kinds) if k in docfacts.FOLDERS), reads=kinds)
    found = links(root, rev, probe)
    if found is None:
        return None
    folders = activity_files(found, lead, opportunity, partner)
    for name in kinds:
        folders += (only or {}).get(name) or [kind_named(name).folder]
    book = load_book(root, rev, kinds=(KIND, *kinds), folders=folders, status=probe)
    if book.load_problems:
        return None
    book.today = env.today
    return book, probe


def lead_contacts(root: DataRoot, rev: str | None, probe: Probe | None, country: str | None) -> list | None:
    """Every lead's LeadContact in path order, at `rev` (None: the working tree, `probe` saying
    what changed); None when they cannot be served."""
    import datetime as dt

    from comptoir.book import git
    from comptoir.book.store import Store
    from comptoir.domain.crm.contacts import LeadContact, lead_contact
    from comptoir.schemas.registry import kind_named

    from .partials import dirty_folders, per_file

    kind = kind_named("lead")
    path = root.prefix + kind.folder
    inputs = (country or "",)
    try:
        tree = git.subtrees(root.top, rev or "HEAD", path).get(path, "")  # type: ignore[arg-type]
    except git.GitError:
        return None
    clean = rev is not None or dirty_folders(probe, kind.folder) == set()
    store = Store.of(root.path)
    rows = store.get(CONTACTS_WHOLE, path, tree, *inputs) if tree and clean else None
    if type(rows) is not list:
        def one(lead) -> tuple:
            found = lead_contact(lead, country)
            return (*found[:4], found.created.toordinal() if found.created else None)

        rows = per_file(root, kind, CONTACTS, one, rev, probe, inputs=inputs)
        if rows is None:
            return None
        if tree and clean:
            store.put(CONTACTS_WHOLE, (path, tree, *inputs), rows)
    day = dt.date.fromordinal
    return [LeadContact(ident, email, phone, status, day(created) if created is not None else None)
            for ident, email, phone, status, created in rows]


def lead_book(env, ident: str, as_of: str | None) -> Book | None:
    """`crm lead show`'s book: the lead, its activities, the partners, and every lead's contact
    details for duplicates (book.derived["crm.lead-contacts"]); None when it cannot be served so
    (the caller reads the CRM kinds, which says what is wrong)."""
    from comptoir.schemas.registry import kind_named
    from comptoir.schemas.types import is_safe_id

    if not is_safe_id(ident):
        return None
    served = linked_book(env, as_of, ("lead", "partner"), only={"lead": [f"{kind_named('lead').folder}/{ident}.yaml"]},
                         lead=ident)
    if served is None:
        return None
    book, probe = served
    if ident not in book.of("lead"):
        return None  # no such lead: the full read says so
    contacts = lead_contacts(env.root(), book.revision, probe, book.settings.crm.phone_country)
    if contacts is None:
        return None
    book.derived["crm.lead-contacts"] = contacts
    return book
