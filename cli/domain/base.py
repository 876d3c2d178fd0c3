"""Rules that compare the book with a base revision (what a pull request's CI runs).

Posted records on the base branch are immutable; nothing new may be dated inside the
period locked on the base branch; the lock date moves back only through a commit made
by `comptoir period reopen --force` (the caller says which commits those are).
"""

from __future__ import annotations

from comptoir.errors import Problem
from comptoir.model import Book
from comptoir.schemas.registry import all_kinds

REOPEN_COMMAND = "period reopen"


def _record_date(record):
    return getattr(record, "date", None)


def compare_with_base(base: Book, head: Book, reopen_commits: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    base_lock = base.settings.lock_date
    new_lock = head.settings.lock_date
    reopened = bool(reopen_commits) and base_lock is not None and (new_lock is None or new_lock < base_lock)
    lock = new_lock if reopened else base_lock  # a committed reopen is the one legal way back
    for kind in all_kinds():
        old_records = base.of(kind.name)
        new_records = head.of(kind.name)
        if kind.posted:
            for ident, old in old_records.items():
                new = new_records.get(ident)
                if new is None:
                    problems.append(Problem(base.source(kind.name, ident), 1, "posted-deleted",
                                            f"{kind.label} {ident} is posted on the base branch and was deleted",
                                            f"restore it; to undo a posted {kind.label}, post a reversal "
                                            f"(for journal entries: `comptoir journal reverse {ident}`)"))
                elif new != old:
                    problems.append(Problem(head.source(kind.name, ident), 0, "posted-changed",
                                            f"{kind.label} {ident} is posted on the base branch and was changed",
                                            f"restore the original; correct it with a reversal "
                                            f"(`comptoir journal reverse {ident}`) and a new entry",
                                            loc=()))
        if lock is None:
            continue
        for ident, new in new_records.items():
            day = _record_date(new)
            if day is None or day > lock:
                continue
            if old_records.get(ident) == new:
                continue
            problems.append(Problem(head.source(kind.name, ident), 0, "locked-period",
                                    f"{kind.label} {ident} dated {day} is new or changed, but the period "
                                    f"up to {lock} is locked",
                                    f"date it after {lock}, or reopen the period with `comptoir period reopen --force`",
                                    loc=("date",)))
    if base_lock is not None and (new_lock is None or new_lock < base_lock) and not reopen_commits:
        problems.append(Problem(head.settings_path, 0, "lock-moved-back",
                                f"the lock date moves back from {base_lock} to {new_lock or '(none)'} without a reopen",
                                "move it back only with `comptoir period reopen DATE --force`, which records who and why",
                                loc=("lock_date",)))
    return problems
