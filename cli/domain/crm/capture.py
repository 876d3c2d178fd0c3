"""Website capture: web-form submissions (JSON, JSON Lines or CSV) become leads.

Each submission is mapped to lead fields by `crm.capture` in comptoir.yaml, checked, and
then either creates a lead (source website) or, when its email or phone is already known,
is added to that lead or partner as an activity. Every captured submission leaves one
activity carrying the submission's own id (or a hash of its content), so capturing the same
file again finds them all and creates nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import random
import re
from dataclasses import dataclass, field

from comptoir.errors import Problem
from comptoir.schemas.crm import Activity, Lead
from comptoir.schemas.settings import CaptureSettings
from comptoir.schemas.types import Record, is_safe_id

from ..book import Book
from ..table import Column, Table, text
from .activities import new_activity
from .contacts import ContactIndex, Match
from .leads import new_lead

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_CONTAINERS = ("submissions", "data", "items", "results", "entries", "records")


@dataclass
class Submission:
    row: int  # line in the file for CSV (header = row 1) and JSON Lines; position in the list for JSON
    data: dict
    line: int = 0  # line in the file when known


@dataclass
class Outcome:
    row: int
    submission: str
    action: str  # created | merged | seen | rejected
    target: str = ""  # the lead or partner it went to
    name: str = ""
    detail: str = ""


@dataclass
class Capture:
    records: list[tuple[str, Record]] = field(default_factory=list)  # (kind name, record)
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    def summary(self) -> str:
        return (f"{self.count('created')} new leads, {self.count('merged')} merged into existing records, "
                f"{self.count('seen')} already captured, {self.count('rejected')} rejected")


# --- reading the file ----------------------------------------------------------------------------

def read_submissions(raw: str, display: str, fmt: str | None = None) -> tuple[list[Submission], list[Problem]]:
    """Submissions from text: fmt is json, jsonl or csv; None guesses from the name and content."""
    raw = raw.lstrip("\ufeff")
    if fmt is None:
        lower = display.lower()
        if lower.endswith((".jsonl", ".ndjson")):
            fmt = "jsonl"
        elif lower.endswith(".json"):
            fmt = "json"
        elif lower.endswith(".csv"):
            fmt = "csv"
        else:
            head = raw.lstrip()
            if head.startswith("["):
                fmt = "json"
            elif head.startswith("{"):
                fmt = "json" if _whole_json(raw) else "jsonl"
            else:
                fmt = "csv"
    if fmt == "jsonl":
        return _read_jsonl(raw, display)
    if fmt == "json":
        return _read_json(raw, display)
    return _read_csv(raw, display)


def _whole_json(raw: str) -> bool:
    try:
        json.loads(raw)
        return True
    except ValueError:
        return False


def _loads(text: str):
    # exact decimals: a price or quantity in a form never passes through float
    return json.loads(text, parse_float=str, parse_int=str)


def _read_jsonl(raw: str, display: str) -> tuple[list[Submission], list[Problem]]:
    subs, problems = [], []
    for number, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = _loads(line)
        except ValueError as exc:
            problems.append(Problem(display, number, "bad-json", f"row {number}: not JSON ({exc})",
                                    "each line holds one JSON object"))
            continue
        if not isinstance(value, dict):
            problems.append(Problem(display, number, "not-an-object", f"row {number}: a submission is a JSON object",
                                    "each line holds one {...} object"))
            continue
        subs.append(Submission(number, value, number))
    return subs, problems


def _read_json(raw: str, display: str) -> tuple[list[Submission], list[Problem]]:
    try:
        value = _loads(raw)
    except ValueError as exc:
        return [], [Problem(display, getattr(exc, "lineno", 1), "bad-json", f"not JSON: {exc}",
                            "give a JSON list of submissions, JSON Lines, or CSV")]
    if isinstance(value, dict):
        inner = next((value[k] for k in _CONTAINERS if isinstance(value.get(k), list)), None)
        value = inner if inner is not None else [value]
    if not isinstance(value, list):
        return [], [Problem(display, 1, "not-a-list", "expected a list of submissions", "")]
    subs, problems = [], []
    for number, item in enumerate(value, 1):
        if isinstance(item, dict):
            subs.append(Submission(number, item))
        else:
            problems.append(Problem(display, 0, "not-an-object", f"row {number}: a submission is a JSON object", ""))
    return subs, problems


def _read_csv(raw: str, display: str) -> tuple[list[Submission], list[Problem]]:
    reader = csv.reader(io.StringIO(raw))
    subs, problems = [], []
    header: list[str] | None = None
    line = 1
    for values in reader:
        start, line = line, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        if header is None:
            header = [h.strip() for h in values]
            continue
        if len(values) != len(header):
            problems.append(Problem(display, start, "bad-row",
                                    f"row {start}: {len(values)} columns, the header has {len(header)}",
                                    "quote values that contain commas"))
            continue
        subs.append(Submission(start, dict(zip(header, values, strict=True)), start))
    if header is None:
        problems.append(Problem(display, 1, "empty-file", "no header and no submissions", ""))
    return subs, problems


# --- mapping -------------------------------------------------------------------------------------

def _lookup(data: object, path: str) -> object:
    """`data.email` or `Name.first`: the literal key first, then nested keys; keys match ignoring case."""
    if not isinstance(data, dict):
        return None
    if path in data:
        return data[path]
    lowered = {str(k).lower(): v for k, v in data.items()}
    if path.lower() in lowered:
        return lowered[path.lower()]
    if "." in path:
        head, rest = path.split(".", 1)
        for candidate in (head, head.lower()):
            inner = data.get(candidate) if candidate in data else lowered.get(candidate.lower())
            if inner is not None:
                return _lookup(inner, rest)
    return None


def _scalar(value: object) -> str | None:
    if value is None or isinstance(value, dict):
        return None
    if isinstance(value, list):
        parts = [_scalar(v) for v in value]
        return ", ".join(p for p in parts if p) or None
    text_value = str(value).strip()
    return text_value or None


def resolve(data: dict, spec: str | list[str]) -> str | None:
    """A mapping value: 'a | b' takes the first present; 'first + last' (or a list) joins with a space."""
    if isinstance(spec, list):
        spec = " + ".join(spec)
    for alternative in spec.split("|"):
        parts = [_scalar(_lookup(data, p.strip())) for p in alternative.split("+") if p.strip()]
        present = [p for p in parts if p]
        if present:
            return " ".join(present)
    return None


def submission_id(data: dict, mapping: CaptureSettings) -> str:
    """The form service's own id, else a hash of the submission's content (stable across runs)."""
    own = resolve(data, mapping.id)
    if own:
        return own
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha1:" + hashlib.sha1(canonical.encode()).hexdigest()[:16]


def submitted_date(value: str | None, today: dt.date) -> dt.date:
    """The date of a form timestamp: ISO date or datetime (UTC as sent), or Unix seconds/milliseconds."""
    if not value:
        return today
    value = value.strip()
    if re.fullmatch(r"\d{9,13}", value):
        seconds = int(value) / (1000 if len(value) > 11 else 1)
        return dt.datetime.fromtimestamp(seconds, dt.UTC).date()
    m = re.match(r"^(\d{4}-\d{2}-\d{2})", value)
    if m:
        return dt.date.fromisoformat(m.group(1))
    raise ValueError(f"timestamp {value!r} is neither an ISO date nor Unix time")


# --- capturing -----------------------------------------------------------------------------------

def capture(book: Book, subs: list[Submission], display: str, today: dt.date, rng: random.Random,
            owner: str | None = None) -> Capture:
    """Map, check and de-duplicate each submission; rows with problems are reported and skipped.
    New leads go to `owner` (default: crm.owner in comptoir.yaml)."""
    mapping = book.settings.crm.capture
    result = Capture()
    index = ContactIndex(book)
    seen: dict[str, Activity] = {a.submission: a for a in book.of("activity").values()  # type: ignore[attr-defined]
                                 if a.submission}  # type: ignore[attr-defined]
    new_leads: set[str] = set()
    new_acts: set[str] = set()
    for sub in subs:
        sid = submission_id(sub.data, mapping)
        if sid in seen:
            prior = seen[sid]
            result.outcomes.append(Outcome(sub.row, sid, "seen", prior.lead or prior.partner or "",
                                           detail=f"captured before as {prior.id}"))
            continue
        values = {key: resolve(sub.data, spec) for key, spec in mapping.fields.items()}
        problem = _check(values)
        when_text = resolve(sub.data, mapping.submitted)
        day = today
        try:
            day = submitted_date(when_text, today)
        except ValueError as exc:
            problem = problem or str(exc)
        if day > today:
            problem = problem or f"submitted {day}, after today ({today})"
        if problem:
            result.problems.append(Problem(display, sub.line or 1, "bad-submission", f"row {sub.row}: {problem}",
                                           "fix the row and capture the file again; the good rows are kept"))
            result.outcomes.append(Outcome(sub.row, sid, "rejected", detail=problem))
            continue
        name = values.get("name") or values.get("email") or ""
        subject = "Website form" + (f": {values['interest']}" if values.get("interest") else "")
        act_fields = {"type": "note", "date": day, "subject": subject[:120], "channel": mapping.source,
                      "submission": sid, "submitted": when_text}
        matches = index.matches(values.get("email"), values.get("phone"))
        if matches:
            target = _target(index, matches[0])
            act_fields.update(target)
            act_fields["owner"] = _owner_of(book, index, matches[0])
            act_fields["notes"] = _details(values, merged=True)
            act = new_activity(book, act_fields, rng, new_acts)
            new_acts.add(act.id)
            result.records.append(("activity", act))
            where = target.get("lead") or target.get("partner") or ""
            result.outcomes.append(Outcome(sub.row, sid, "merged", where, name,
                                           f"same {matches[0].key} as {matches[0].kind} {matches[0].ident}"))
        else:
            lead = new_lead(book, {
                "created": day, "name": name, "company": values.get("company"), "email": values.get("email"),
                "phone": values.get("phone"), "source": mapping.source, "interest": values.get("interest"),
                "items": _list(values.get("items")), "tags": [t.lower() for t in _list(values.get("tags"))],
                "owner": owner,
            }, today, rng, new_leads)
            new_leads.add(lead.id)
            index.add_lead(lead)
            act_fields.update(lead=lead.id, owner=lead.owner, notes=_details(values, merged=False))
            act = new_activity(book, act_fields, rng, new_acts)
            new_acts.add(act.id)
            result.records += [("lead", lead), ("activity", act)]
            result.outcomes.append(Outcome(sub.row, sid, "created", lead.id, name))
        seen[sid] = act
    return result


def _check(values: dict) -> str | None:
    email, phone = values.get("email"), values.get("phone")
    if not email and not phone:
        return "no email and no phone: nobody to get back to"
    if email and not _EMAIL.match(email):
        return f"email {email!r} is not an address"
    if phone and len(re.sub(r"\D", "", phone)) < 6:
        return f"phone {phone!r} has too few digits"
    if not values.get("name") and not email:
        return "no name and no email"
    for sku in _list(values.get("items")):
        if not is_safe_id(sku):
            return f"item {sku!r} is not an item code"
    return None


def _list(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _target(index: ContactIndex, match: Match) -> dict:
    if match.kind == "partner":
        return {"partner": match.ident}
    lead: Lead = index.leads[match.ident]
    out = {"lead": lead.id}
    if lead.partner:
        out["partner"] = lead.partner
    return out


def _owner_of(book: Book, index: ContactIndex, match: Match) -> str | None:
    if match.kind == "lead":
        return index.leads[match.ident].owner or book.settings.crm.owner
    return book.settings.crm.owner


def _details(values: dict, merged: bool) -> str | None:
    lines = []
    if values.get("message"):
        lines.append(values["message"])
    if merged:  # the submitted details stay with the record they were merged into
        for key in ("name", "company", "email", "phone", "interest"):
            if values.get(key):
                lines.append(f"{key}: {values[key]}")
    return "\n".join(lines) or None


def capture_table(result: Capture) -> Table:
    rows = [{"row": o.row, "submission": o.submission, "action": o.action, "record": o.target, "name": o.name,
             "detail": o.detail} for o in result.outcomes]
    cols = [Column("row", "Row", "int"), text("submission", "Submission"), text("action", "Action"),
            text("record", "Record"), text("name", "Name"), text("detail", "Detail")]
    table = Table("capture", cols, rows, title=f"Website capture: {result.summary()}")
    table.meta.update({"created": result.count("created"), "merged": result.count("merged"),
                       "seen": result.count("seen"), "rejected": result.count("rejected")})
    return table
