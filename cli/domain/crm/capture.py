"""Website capture: web-form submissions (JSON, JSON Lines or CSV) become leads.

Each submission is read by its form service's preset (presets.py: Webflow, Formstack,
Typeform, Tally, HubSpot, Netlify, Jotform, Google Forms, or the generic `crm.capture`
mapping of comptoir.yaml), its contact data cleaned (cleaning.py), and then either creates a
lead (source website, dated the day it was submitted in the book's time zone, attributed to
a campaign by its UTM fields, with the consent it gave) or, when its email or phone is already
known, is added to that lead or partner as an activity. Every captured submission leaves one
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
from dataclasses import dataclass, field

from comptoir.errors import Problem, fail
from comptoir.schemas.crm import Activity, Lead
from comptoir.schemas.types import Record, is_safe_id

from ..book import Book
from .activities import new_activity
from .campaigns import attribute, get_campaign
from .cleaning import clean_email, clean_multiline, clean_phone, clean_text, submission_day
from .common import revise
from .contacts import ContactIndex, Match
from .leads import new_lead
from .presets import Form, read_form

_CONTAINERS = ("submissions", "data", "items", "results", "entries", "records")
CSV_CELL_LIMIT = 131072  # Python's csv default; a bigger cell is not a form answer


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
    service: str = ""  # the preset that read it


@dataclass
class Capture:
    records: list[tuple[str, Record]] = field(default_factory=list)  # (kind name, record)
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    replaced: set[str] = field(default_factory=set)  # ids of existing records the capture revises

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
            elif head and _whole_json(raw):  # "x", 12, true: JSON, and not a list (refused below)
                fmt = "json"
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
        raise fail("bad-json", f"not JSON: {exc}", "give a JSON list of submissions, JSON Lines, or CSV",
                   file=display, line=getattr(exc, "lineno", 1)) from None
    if isinstance(value, dict):
        inner = next((value[k] for k in _CONTAINERS if isinstance(value.get(k), list)), None)
        value = inner if inner is not None else [value]
    if not isinstance(value, list):
        raise fail("not-a-list", f"expected a list of submissions (or one submission object), got "
                   f"{raw.strip()[:40]}", "give a JSON list [{...}, ...], one {...} object, JSON Lines, or CSV",
                   file=display, line=1)
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
    while True:
        start = line
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            too_big = "field larger than field limit" in str(exc)
            raise fail("csv-cell-too-large" if too_big else "bad-csv",
                       f"row {start}: a value is longer than {CSV_CELL_LIMIT:,} characters" if too_big
                       else f"row {start}: not CSV ({exc})",
                       "a form answer is never that long: check that the file is the form's CSV export "
                       "and that its quotes are balanced" if too_big else "export the submissions as CSV again",
                       file=display, line=start) from None
        line = reader.line_num + 1
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
        raise fail("empty-file", "no header and no submissions", "give the form's export with its header row",
                   file=display, line=1)
    return subs, problems


def submission_id(data: dict, form: Form) -> str:
    """The form service's own id, else a hash of the submission's content (stable across runs)."""
    if form.id:
        return form.id
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha1:" + hashlib.sha1(canonical.encode()).hexdigest()[:16]


# --- capturing -----------------------------------------------------------------------------------

def capture(book: Book, subs: list[Submission], display: str, today: dt.date, rng: random.Random,
            owner: str | None = None, source_format: str = "auto", campaign: str | None = None,
            form_tz: str | None = None) -> Capture:
    """Read, clean, check and de-duplicate each submission; rows with problems are reported and
    skipped. New leads go to `owner` (default: crm.owner in comptoir.yaml) and to `campaign`
    (default: the campaign their UTM fields name). A naive timestamp is in `form_tz`."""
    settings = book.settings
    mapping = settings.crm.capture
    if campaign:
        get_campaign(book, campaign)
    result = Capture()
    index = ContactIndex(book)
    seen: dict[str, Activity] = {a.submission: a for a in book.of("activity").values()
                                 if a.submission}
    new_leads: set[str] = set()
    new_acts: set[str] = set()
    revised: dict[str, Lead] = {}
    for sub in subs:
        try:
            form = read_form(sub.data, source_format, mapping)
        except (KeyError, TypeError, AttributeError):
            form = None
        sid = submission_id(sub.data, form) if form else submission_id(sub.data, Form(source_format))
        if sid in seen:
            prior = seen[sid]
            result.outcomes.append(Outcome(sub.row, sid, "seen", prior.lead or prior.partner or "",
                                           detail=f"captured before as {prior.id}",
                                           service=form.preset if form else source_format))
            continue
        problem: str | None
        if form is None:
            problem = f"not a {source_format} submission: its fields are not where {source_format} puts them"
            values: dict = {}
        else:
            values, problem = _clean(form.fields, settings.crm.phone_country)
        when_text = form.submitted if form else None
        day = today
        if when_text and not problem:
            try:
                day = submission_day(when_text, settings.timezone, form_tz)
            except ValueError as exc:
                problem = str(exc)
        if day > today and not problem:
            problem = f"submitted {day}, after today ({today})"
        if problem or form is None:
            result.problems.append(Problem(display, sub.line or 1, "bad-submission", f"row {sub.row}: {problem}",
                                           "fix the row and capture the file again; the good rows are kept"))
            result.outcomes.append(Outcome(sub.row, sid, "rejected", detail=problem or "",
                                           service=form.preset if form else source_format))
            continue
        name = values.get("name") or values.get("email") or values.get("phone") or ""
        consent = None
        if form.consent_text:
            consent = {"text": clean_text(form.consent_text)[:200], "given": day, "submitted": when_text,  # type: ignore[index]
                       "form": form.form or form.preset, "submission": sid}
        subject = "Website form" + (f" {form.form}" if form.form else "") + (
            f": {values['interest']}" if values.get("interest") else "")
        act_fields = {"type": "note", "date": day, "subject": subject[:120], "channel": mapping.source,
                      "submission": sid, "submitted": when_text}
        matches = index.matches(values.get("email"), values.get("phone"))
        if matches:
            target = _target(index, matches[0])
            act_fields.update(target)
            act_fields["owner"] = _owner_of(book, index, matches[0])
            act_fields["notes"] = _details(values, merged=True, other=form.other)
            act = new_activity(book, act_fields, rng, new_acts)
            new_acts.add(act.id)
            result.records.append(("activity", act))
            lead = index.leads.get(target["lead"]) if "lead" in target else None
            if consent and lead is not None and lead.consent is None and not lead.forgotten:
                lead = revise(lead, f"lead {lead.id}", consent=consent)
                index.leads[lead.id] = lead
                if lead.id in new_leads:
                    result.records = [(k, lead if getattr(r, "id", None) == lead.id else r) for k, r in result.records]
                else:
                    revised[lead.id] = lead
            where = target.get("lead") or target.get("partner") or ""
            result.outcomes.append(Outcome(sub.row, sid, "merged", where, name,
                                           f"same {matches[0].key} as {matches[0].kind} {matches[0].ident}",
                                           service=form.preset))
        else:
            utm = {k: values.get(k) for k in ("utm_source", "utm_medium", "utm_campaign")}
            lead = new_lead(book, {
                "created": day, "name": name, "company": values.get("company"), "email": values.get("email"),
                "phone": values.get("phone"), "source": mapping.source, "interest": values.get("interest"),
                "items": _list(values.get("items")), "tags": [t.lower() for t in _list(values.get("tags"))],
                "owner": owner, "campaign": campaign or attribute(book, utm, day), **utm, "consent": consent,
            }, today, rng, new_leads)
            new_leads.add(lead.id)
            index.add_lead(lead)
            act_fields.update(lead=lead.id, owner=lead.owner, notes=_details(values, merged=False, other=form.other))
            act = new_activity(book, act_fields, rng, new_acts)
            new_acts.add(act.id)
            result.records += [("lead", lead), ("activity", act)]
            detail = f"campaign {lead.campaign}" if lead.campaign else ""
            result.outcomes.append(Outcome(sub.row, sid, "created", lead.id, name, detail, service=form.preset))
        seen[sid] = act
    for lead in revised.values():
        result.records.append(("lead", lead))
        result.replaced.add(lead.id)
    return result


def _clean(fields: dict, country: str | None) -> tuple[dict, str | None]:
    """The fields as they will be stored, and the first reason the row cannot be captured."""
    values = {k: clean_text(v) for k, v in fields.items() if k != "message"}
    values["message"] = clean_multiline(fields.get("message"))
    email, problem = clean_email(fields.get("email"))
    values["email"] = email
    if problem is None:
        values["phone"], problem = clean_phone(fields.get("phone"), country)
    if problem:
        return values, problem
    if not values.get("email") and not values.get("phone"):
        return values, "no email and no phone: nobody to get back to"
    for sku in _list(values.get("items")):
        if not is_safe_id(sku):
            return values, f"item {sku!r} is not an item code"
    return values, None


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


def _details(values: dict, merged: bool, other: list[tuple[str, str]] = ()) -> str | None:  # type: ignore[assignment]
    lines = []
    if values.get("message"):
        lines.append(values["message"])
    if merged:  # the submitted details stay with the record they were merged into
        for key in ("name", "company", "email", "phone", "interest"):
            if values.get(key):
                lines.append(f"{key}: {values[key]}")
    for raw_label, raw_value in other:  # the form's other answers are kept, not dropped
        label, value = clean_text(raw_label), clean_text(raw_value)
        if label and value:
            lines.append(f"{label}: {value}"[:500])
    return "\n".join(lines) or None
