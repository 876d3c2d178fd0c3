""""Did you mean ...": the close matches of an unknown name among the known ones (difflib)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable


def close_matches(value: str, known: Iterable[str], n: int = 3) -> list[str]:
    """Up to n known names close to `value`: spelling (difflib), then names that start with it
    (`610` -> `6100`) or differ only in case."""
    names = [k for k in dict.fromkeys(str(k) for k in known) if k]
    if not value or not names:
        return []
    low = value.lower()
    by_case = {k.lower(): k for k in names}
    found: list[str] = []
    if low in by_case and by_case[low] != value:
        found.append(by_case[low])
    found += difflib.get_close_matches(value, names, n=n, cutoff=0.6)
    if len(found) < n:
        found += sorted(k for k in names if k.lower().startswith(low) and k != value)[:n]
    return list(dict.fromkeys(found))[:n]


def did_you_mean(value: str, known: Iterable[str], n: int = 3) -> str:
    """'did you mean 6100?' / 'did you mean 6100 or 6110?', or '' when nothing is close."""
    found = close_matches(value, known, n)
    if not found:
        return ""
    if len(found) == 1:
        return f"did you mean {found[0]}?"
    return f"did you mean {', '.join(found[:-1])} or {found[-1]}?"


def with_suggestion(hint: str, value: str, known: Iterable[str]) -> str:
    """A hint led by 'did you mean ...?' when a known name is close."""
    guess = did_you_mean(value, known)
    return f"{guess} {hint}".strip() if guess else hint


# -- ids known to the book, from file names alone (an id is its file's name) -----------------------

# error code -> the record kind whose ids it is about
CODE_KINDS = {
    "unknown-account": "account", "unknown-parent": "account", "unknown-item": "item",
    "unknown-partner": "partner", "unknown-warehouse": "warehouse", "unknown-entry": "journal",
    "unknown-department": "department", "unknown-employee": "employee", "unknown-manager": "employee",
    "unknown-lead": "lead", "unknown-opportunity": "opportunity", "unknown-invoice": "invoice",
    "unknown-order": "sales-order", "unknown-purchase-order": "purchase-order",
    "unknown-work-order": "work-order", "unknown-bom": "bom", "unknown-tax-code": "tax-code",
    "unknown-payroll": "payroll", "unknown-activity": "activity", "unknown-delivery": "delivery",
    "unknown-move": "stock-move", "unknown-rate": "rate", "unknown-credit-note": "credit-note",
    "unknown-bill": "bill", "unknown-payment": "payment", "unknown-receipt": "receipt",
}

# words that may stand before an id in a message ("account 610", "journal entry JE-...")
_LABELS = ("account", "parent", "item", "sku", "partner", "customer", "supplier", "warehouse", "entry",
           "department", "employee", "manager", "lead", "opportunity", "invoice", "order", "bom",
           "materials", "code", "run", "activity", "delivery", "move", "rate", "note", "bill", "payment",
           "receipt", "id")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]*[A-Za-z0-9]|[A-Za-z0-9]")


def known_ids(root, kind_name: str, rev: str | None = None) -> list[str]:
    """The ids of one record kind, from the names of its files (no record is read)."""
    from comptoir.book.loader import list_files
    from comptoir.schemas.registry import kind_named

    folder = kind_named(kind_name).folder
    files, _ = list_files(root, rev, [folder])
    return [rel.rsplit("/", 1)[-1][:-len(".yaml")] for rel in files
            if rel.startswith(folder + "/") and rel.endswith(".yaml")]


def filed_at(root, kind_name: str, ident: str, rev: str | None = None) -> bool:
    """Whether a record of a kind filed in one flat folder has the file `ident` names: a blob at
    FOLDER/IDENT.yaml at `rev`, or, for the working tree, a file there that HEAD has too (tracked,
    so known_ids lists it). One `git cat-file`, where listing the folder asks git's index three
    times (0.1-0.3 s each at 500,000 files). False: not known so, known_ids decides."""
    from comptoir.book import git
    from comptoir.schemas.registry import kind_named

    kind = kind_named(kind_name)
    if root.top is None or kind.date_field or not ident or ident.startswith(".") \
            or any(c in ident for c in "/\\\n\0:"):
        return False
    rel = f"{kind.folder}/{ident}.yaml"
    if rev is None and not (root.path / rel).is_file():
        return False
    try:
        return bool(git.blobs_at(root.top, rev or "HEAD", [root.prefix + rel]))
    except git.GitError:
        return False


def _candidates_in(message: str) -> list[str]:
    """Tokens of a message that may be the unknown id: quoted ones first, then those after a
    label word ("account 610"), then the rest."""
    quoted = re.findall(r"'([^'\s]+)'", message)
    tokens = _TOKEN.findall(message)
    after = [t for prev, t in zip(tokens, tokens[1:], strict=False) if prev.lower() in _LABELS]
    return list(dict.fromkeys([*quoted, *after, *tokens]))


def enrich(problems: list, root, rev: str | None = None) -> list:
    """Lead the hint of each "unknown-..." problem with "did you mean ...?" when a known id is close.
    Best effort: a lookup that fails leaves the problem as it was."""
    from comptoir.errors import Problem

    out = []
    cache: dict[str, list[str]] = {}
    for p in problems:
        kind = CODE_KINDS.get(p.code)
        if kind and "did you mean" not in p.hint:
            try:
                if kind not in cache:
                    cache[kind] = known_ids(root, kind, rev)
                ids = cache[kind]
                known = set(ids)
                for token in _candidates_in(p.message):
                    if token in known or token.lower() in _LABELS or len(token) < 2:
                        continue
                    guess = did_you_mean(token, ids)
                    if guess:
                        p = Problem(p.file, p.line, p.code, p.message, f"{guess} {p.hint}".strip(),
                                    p.severity, p.loc)
                        break
            except Exception:  # noqa: BLE001 - a suggestion must never hide the error it decorates
                pass
        out.append(p)
    return out


# -- a filter that names something that does not exist is an error, not an empty report -------------

# parameter name of a read-only command -> the kind its value names
FILTER_KINDS = {
    "partner": "partner", "partner_id": "partner", "lead_id": "lead", "department": "department",
    "item": "item", "sku": "item", "warehouse": "warehouse", "account": "account",
}


PENDING = "comptoir.unverified-filters"


def check_filters(env, params: dict, meta: dict | None = None) -> None:
    """Refuse a list or report whose filter names an id the book does not have (accounts: a code
    or the start of one, as `--account 6` selects every account from 6). A posting may name a
    partner that has no record: such a filter is refused only when it selects nothing (the
    renderer checks, see comptoir.options.emit), so it is left in `meta`."""
    from comptoir.errors import ComptoirError, Problem

    given = {name: value for name, value in params.items()
             if name in FILTER_KINDS and isinstance(value, str) and value}
    if not given:
        return
    root = env.root()
    rev = None
    if params.get("as_of") and root.top is not None:
        from comptoir.book import git

        rev = git.resolve(root.top, params["as_of"])
    problems = []
    for name, value in given.items():
        kind = FILTER_KINDS[name]
        if filed_at(root, kind, value, rev):
            continue
        ids = known_ids(root, kind, rev)
        if value in ids or (kind == "account" and any(i.startswith(value) for i in ids)):
            continue
        label = {"partner_id": "partner", "lead_id": "lead", "sku": "item"}.get(name, name)
        listing = {"account": "comptoir account list", "item": "comptoir item list",
                   "partner": "comptoir partner list", "warehouse": "comptoir warehouse list",
                   "department": "comptoir hr department list", "lead": "comptoir crm lead list"}[kind]
        problem = Problem("", 0, f"unknown-{'account' if kind == 'account' else label}",
                          f"there is no {label} {value!r}" + (f" at {params['as_of']}" if rev else ""),
                          with_suggestion(f"`{listing}` shows what exists", value, ids))
        if kind == "partner" and meta is not None:
            meta.setdefault(PENDING, []).append(problem)
        else:
            problems.append(problem)
    if problems:
        raise ComptoirError(problems)
