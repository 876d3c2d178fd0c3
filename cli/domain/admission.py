"""Whether a write may land: the rules a change must pass before storage writes it.

A write must not add errors to the book, and nothing may be dated on or before the lock
date. How much is checked depends on what is known about the book before the change: when
it is known free of errors (its `facts`, see comptoir.domain.validation.facts), only what
the change can break is checked; otherwise every rule runs over the book before and after,
and only the errors the change adds (or errors in the files it writes) refuse it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from comptoir.errors import Problem
from comptoir.model import Book
from comptoir.schemas.registry import Kind
from comptoir.schemas.settings import Settings
from comptoir.schemas.types import Record

from .periods import lock_guarded, locked
from .validation import Change, carry, check, check_change, errors, facts

SHOWN = 10  # broken files named when a write is refused on a book that already fails validation


@dataclass
class Verdict:
    refused: list[Problem]  # empty: the write may land
    facts: dict | None = None  # the facts of the book after the change, when it is free of errors
    broken: list[Problem] | None = None  # the errors the book had before (a write allowed anyway)


def locked_records(before: Book, added: list[tuple[Kind, Record]], new_settings: Settings | None = None
                   ) -> list[Problem]:
    """The refusals for records dated inside the closed period. A reopen writes into the days it
    unlocks: with `new_settings` moving the lock date back, the earlier lock date judges."""
    judge_book = before
    lock = before.settings.lock_date
    if new_settings is not None and lock is not None and (
            new_settings.lock_date is None or new_settings.lock_date < lock):
        judge_book = before.with_records([], new_settings)
    found = [locked(judge_book, getattr(r, k.date_field), f"{k.label} {getattr(r, k.id_field)}")
             for k, r in added if lock_guarded(k) and k.date_field]
    return [p for p in found if p is not None]


def far_dated(settings: Settings, added: list[tuple[Kind, Record]], today: dt.date | None) -> list[Problem]:
    """A date further ahead than the settings' horizon is most likely a typo (2062 for 2026):
    the refusals, unless `comptoir --far-date` (the caller skips this). Every date of the records
    written counts: their own, and their lines' (requested, expected, promised); a due date may
    lie further ahead."""
    if today is None:
        return []
    horizon = settings.date_horizon_days
    limit = today + dt.timedelta(days=horizon)
    problems = []
    for kind, record in added:
        ident = getattr(record, kind.id_field)
        found = [(name, v) for name, v in record if isinstance(v, dt.date)]
        for ln in getattr(record, "lines", None) or ():
            if hasattr(ln, "__iter__") and not isinstance(ln, (str, bytes)):
                found += [(name, v) for name, v in ln if isinstance(v, dt.date)]
        for name, day in found:
            if day > limit and name != "due":
                problems.append(Problem("", 0, "date-too-far", f"{kind.label} {ident}: {name} {day} is more than "
                                        f"{horizon} days after today ({today})",
                                        "check the date for a typo; to write it anyway, run `comptoir --far-date ...` "
                                        "(the horizon is date_horizon_days in comptoir.yaml)"))
                break
    return problems


def judge(before: Book, after: Book, change: Change, known: dict | None, written: set[str],
          whole_tree: bool, allow_invalid: bool = False) -> Verdict:
    """May `change` turn `before` into `after`? `known`: the facts of `before` when it is known
    free of errors; `written`: the display paths of the files the write puts; `whole_tree`:
    `after` is exactly what will be committed (then its facts are worth keeping).

    A book that already fails validation takes no write (unless `allow_invalid`): a hand edit
    that broke a record is fixed first, so that no commit is made on top of it unnoticed. A
    write that leaves the book valid (it fixes what was wrong) is always allowed."""
    if known is not None:  # the book had no errors: every error found is the change's
        problems = errors(check_change(after, change, known))
        if problems:
            return Verdict(problems)
        # the facts follow added records; anything replaced that they derive from: recompute
        refresh = change.other or change.replaced & {"journal", "account"}
        return Verdict([], facts(after) if refresh else carry(known, after, change))
    problems = errors(check(after))
    if not problems:
        return Verdict([], facts(after) if whole_tree else None)
    old = errors(check(before))
    already = {(p.file, p.code, p.message) for p in old}
    new = [p for p in problems if p.file in written or (p.file, p.code, p.message) not in already]
    if new or not old:
        return Verdict(new)
    return Verdict([] if allow_invalid else broken_book(old), broken=old)


def broken_book(problems: list[Problem]) -> list[Problem]:
    """The refusal of a write on a book that fails validation: the first error of each of the
    first ten broken files, then what to do."""
    first: dict[str, Problem] = {}
    for p in problems:
        first.setdefault(p.file, p)
    shown = list(first.values())[:SHOWN]
    more = len(first) - len(shown)
    summary = (f"the book already fails validation: {len(problems)} error(s) in {len(first)} file(s)"
               + (f" ({more} more file(s) not shown)" if more else "") + "; nothing was written")
    return shown + [Problem("", 0, "book-invalid", summary,
                            "fix them first (`comptoir validate` lists every error), or write anyway "
                            "with `comptoir --allow-invalid ...` (the errors are listed again)")]


def pulled(before_facts: dict, book: Book, added: dict[str, dict[str, Record]]) -> dict | None:
    """The facts of a book that a known-clean one became by `added` records alone (a pull), or
    None when those records bring errors (the whole-book check then says which)."""
    change = Change(added)
    if errors(check_change(book, change, before_facts)):
        return None
    return carry(before_facts, book, change)
