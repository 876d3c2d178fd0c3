"""Form-service presets: how each service sends a submission, turned into the lead's terms.

Each preset reads one submission exactly as its service publishes it (webhook body or export
row) and returns a `Form`: the service's own submission id, its timestamp as sent, the form's
name and the person's fields (name, or first + last; email; phone; company; message; the hidden
UTM fields; a consent field). `detect` recognises a submission's service from its shape; the
generic preset applies the `crm.capture` mapping of comptoir.yaml.

The shapes are quoted from each service's published documentation in the comment above its
reader. Fields are found by their label the way a person names them ("Email Address", "Your
name", "Company name", "Phone number"), so a form built in the service's editor needs no
configuration.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from comptoir.schemas.settings import CaptureSettings

PRESET_NAMES = ("auto", "generic", "webflow", "formstack", "typeform", "tally", "hubspot", "netlify",
                "jotform", "google-forms")
UTM = ("utm_source", "utm_medium", "utm_campaign")

# Which lead field a label means, tried in this order (first match wins per field; "Company
# name" is a company, "Email address" an email, before anything is taken for a name).
_LABELS: list[tuple[str, re.Pattern]] = [(key, re.compile(rx, re.IGNORECASE)) for key, rx in (
    ("utm_source", r"utm.?source"),
    ("utm_medium", r"utm.?medium"),
    ("utm_campaign", r"utm.?campaign"),
    ("consent", r"consent|\bagree|gdpr|opt.?in|newsletter|legal_consent|j'accepte"),
    ("email", r"e.?mail|courriel"),
    ("phone", r"phone|\btel\b|telephone|téléphone|mobile"),
    ("company", r"company|organi[sz]ation|business|soci[ée]t[ée]|entreprise"),
    ("first_name", r"first.?name|given.?name|pr[ée]nom|^first$"),
    ("last_name", r"last.?name|surname|family.?name|nom de famille|^last$"),
    ("name", r"\bname\b|^nom\b"),
    ("message", r"message|comment|enquiry|inquiry|question|how can we help|anything else|tell us|details|body"),
    ("interest", r"interest|product|subject|topic"),
)]
_NOT_CONSENT = {"", "false", "no", "non", "0", "off", "unchecked", "none", "null"}


@dataclass
class Form:
    """One submission in the lead's terms."""

    preset: str
    id: str | None = None
    submitted: str | None = None  # the service's timestamp, as sent
    form: str | None = None  # the form's name, when the service sends it
    fields: dict[str, str | None] = field(default_factory=dict)  # name company email phone ...
    consent_text: str | None = None  # what was agreed (the consent field's label or value)
    other: list[tuple[str, str]] = field(default_factory=list)  # answers no lead field takes, kept as notes


def _text(value: object) -> str | None:
    if value is None or isinstance(value, dict):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        parts = [_text(v) for v in value]
        return ", ".join(p for p in parts if p) or None
    out = str(value).strip()
    return out or None


def _utm_from_url(url: str | None) -> dict[str, str]:
    if not url or "utm_" not in url:
        return {}
    query = parse_qs(urlsplit(url).query)
    return {k: v[0] for k in UTM if (v := query.get(k)) and v[0]}


def by_label(pairs: Iterable[tuple[str, object]], other: list[tuple[str, str]] | None = None
             ) -> tuple[dict[str, str | None], str | None]:
    """Lead fields from (label, value) pairs, and the consent field's wording when it was given;
    answers no field takes are appended to `other`."""
    out: dict[str, str | None] = {}
    consent_text = None
    for label, raw in pairs:
        if isinstance(raw, dict):  # a name or phone field with parts
            sub = {str(k).lower(): v for k, v in raw.items()}
            if "first" in sub or "last" in sub:
                out.setdefault("first_name", _text(sub.get("first")))
                out.setdefault("last_name", _text(sub.get("last")))
                continue
            raw = sub.get("full") or sub.get("value")
        value = _text(raw)
        label = str(label).strip()
        probe = re.sub(r"[_.\-]+", " ", label)  # full_name, utm-source, data.email read as words
        for key, pattern in _LABELS:
            if pattern.search(probe):
                if key == "consent":
                    if value is not None and value.lower() not in _NOT_CONSENT and "consent" not in out:
                        out["consent"] = value
                        consent_text = label if value.lower() in ("true", "yes", "oui", "on", "1", "checked") \
                            else value
                elif value is not None and not out.get(key):
                    out[key] = value
                break
        else:
            if other is not None and value is not None and label:
                other.append((label, value))
    return out, consent_text


def _finish(form: Form, pairs: Iterable[tuple[str, object]], typed: dict[str, object] | None = None,
            url: str | None = None) -> Form:
    fields, consent = by_label(pairs, form.other)
    for key, value in (typed or {}).items():
        if _text(value):
            fields[key] = _text(value)
    for key, value in _utm_from_url(url).items():
        fields.setdefault(key, value)
    if not fields.get("name"):
        joined = " ".join(p for p in (fields.get("first_name"), fields.get("last_name")) if p)
        fields["name"] = joined or None
    form.fields = fields
    form.consent_text = consent if fields.get("consent") else None
    return form


# --- Webflow ------------------------------------------------------------------------------------
# developers.webflow.com, "Working with webhooks" / form_submission event:
#   {"triggerType": "form_submission", "payload": {"name": "Contact Us", "siteId": "65427cf4...",
#    "data": {"First Name": "Zaphod", "Last Name": "Beeblebrox", "email": "zaphod@heartofgold.ai",
#    "Phone Number": 15550000000}, "schema": [...], "submittedAt": "2022-09-14T12:35:16.117Z",
#    "id": "6321ca84df3949bfc6752327", "formId": "65429eadebe8a9f3a30f62d0"}}
# and the v1 event: {"name": "Sample Form", "site": "62749158...", "data": {"name": "Some One",
#    "email": "some.one@home.com"}, "d": "2022-09-14T12:35:16.117Z", "_id": "6321ca84..."}
# `name` at the top is the FORM's name; the person is under `data`.

def _is_webflow(d: dict) -> bool:
    if d.get("triggerType") == "form_submission":
        return True
    return isinstance(d.get("data"), dict) and "site" in d and "d" in d and "_id" in d


def webflow(d: dict) -> Form:
    p: dict = d["payload"] if isinstance(d.get("payload"), dict) else d
    return _finish(Form("webflow", _text(p.get("id") or p.get("_id")), _text(p.get("submittedAt") or p.get("d")),
                        _text(p.get("name"))), (p.get("data") or {}).items())


# --- Formstack ----------------------------------------------------------------------------------
# developers.formstack.com, "Webhooks > Examples", JSON contact form:
#   {"FormID": "23534", "Name": {"first": "John", "last": "Smith"}, "Email": "john@example.com",
#    "Phone": "234-555-6789", "Address": {"address": "1234 Test Drive", ...}, "UniqueID": "12345678"}
# and "with field types": {"Email": {"value": "...", "field_type": "email"}, ...}. The webhook
# carries no submission time: such a lead is dated the day it is captured (a `timestamp` field,
# as Formstack's submissions API returns, is used when present).

def _is_formstack(d: dict) -> bool:
    return "FormID" in d and "UniqueID" in d


def formstack(d: dict) -> Form:
    pairs = [(k, v) for k, v in d.items() if k not in ("FormID", "UniqueID", "HandshakeKey", "timestamp", "Address")]
    return _finish(Form("formstack", _text(d.get("UniqueID")), _text(d.get("timestamp")),
                        f"Formstack form {d.get('FormID')}"), pairs)


# --- Typeform -----------------------------------------------------------------------------------
# typeform.com/developers, "Webhooks > Example payload":
#   {"event_id": "01EK4R5PFZZP6C8H14RTP4YW6C", "event_type": "form_response", "form_response": {
#    "form_id": "g8hcyeXS", "token": "x71for1wr6irs2rx71fotn12b3izh25v", "landed_at": "...",
#    "submitted_at": "2020-09-26T08:23:49Z", "hidden": {"utm_source": "..."},
#    "definition": {"id": "g8hcyeXS", "title": "Feedback", "fields": [{"id": "M8JLOd0nIQPU",
#      "title": "What's your name?", "type": "short_text", "ref": "9a489f17-..."}]},
#    "answers": [{"type": "text", "text": "test1", "field": {"id": "M8JLOd0nIQPU",
#      "type": "short_text", "ref": "..."}}, {"type": "email", "email": "..."}, ...]}}
# Answers are typed: the value sits under the answer's `type` (text, email, phone_number,
# boolean, number, date, url, choice.label, choices.labels).

def _is_typeform(d: dict) -> bool:
    # the webhook event, or an item of the Responses API (`items[]`: the same object, unwrapped)
    return isinstance(d.get("form_response"), dict) or (
        isinstance(d.get("answers"), list) and "token" in d and "submitted_at" in d)


def _typeform_value(answer: dict) -> object:
    kind = answer.get("type")
    value = answer.get(kind) if kind else None
    if kind == "choice" and isinstance(value, dict):
        return value.get("label") or value.get("other")
    if kind == "choices" and isinstance(value, dict):
        return value.get("labels")
    return value


def typeform(d: dict) -> Form:
    fr = d["form_response"] if isinstance(d.get("form_response"), dict) else d
    definition = fr.get("definition") or {}
    titles = {f.get("id"): f.get("title") or f.get("ref") or "" for f in definition.get("fields") or []
              if isinstance(f, dict)}
    pairs: list[tuple[str, object]] = []
    typed: dict[str, object] = {}
    for answer in fr.get("answers") or []:
        if not isinstance(answer, dict):
            continue
        ref = answer.get("field") or {}
        label = titles.get(ref.get("id")) or ref.get("ref") or ""
        value = _typeform_value(answer)
        if answer.get("type") == "email":
            typed["email"] = value
        elif answer.get("type") == "phone_number":
            typed["phone"] = value
        pairs.append((label, value))
    pairs += list((fr.get("hidden") or {}).items())
    return _finish(Form("typeform", _text(fr.get("token") or fr.get("response_id")), _text(fr.get("submitted_at")),
                        _text(definition.get("title"))), pairs, typed)


# --- Tally --------------------------------------------------------------------------------------
# tally.so/help/webhooks, "Example webhook event":
#   {"eventId": "a4cb511e-...", "eventType": "FORM_RESPONSE", "createdAt": "2023-06-28T15:00:21.889Z",
#    "data": {"responseId": "2wgx4n", "submissionId": "2wgx4n", "respondentId": "dwQKYm",
#     "formId": "VwbNEw", "formName": "Webhook payload", "createdAt": "2023-06-28T15:00:21.000Z",
#     "fields": [{"key": "question_3EKz4n", "label": "Text", "type": "INPUT_TEXT", "value": "Hello"},
#       {"key": "question_mVGEg3", "label": "utm_source", "type": "HIDDEN_FIELDS", "value": "..."},
#       {"key": "...", "label": "Email", "type": "INPUT_EMAIL", "value": "alice@example.com"},
#       {"key": "...", "label": "Checkboxes", "type": "CHECKBOXES", "value": ["<option id>"],
#        "options": [{"id": "<option id>", "text": "..."}]}, ...]}}
# Fields carry their label; a checkbox's value is the ids of the options ticked.

def _is_tally(d: dict) -> bool:
    return d.get("eventType") == "FORM_RESPONSE" or (
        isinstance(d.get("data"), dict) and isinstance(d["data"].get("fields"), list) and "formId" in d["data"])


def tally(d: dict) -> Form:
    data = d.get("data") or {}
    pairs: list[tuple[str, object]] = []
    typed: dict[str, object] = {}
    for f in data.get("fields") or []:
        if not isinstance(f, dict):
            continue
        value = f.get("value")
        options = {o.get("id"): o.get("text") for o in f.get("options") or [] if isinstance(o, dict)}
        if isinstance(value, list) and options:
            value = [options.get(v, v) for v in value]
        if f.get("type") == "INPUT_EMAIL":
            typed["email"] = value
        elif f.get("type") == "INPUT_PHONE_NUMBER":
            typed["phone"] = value
        label = f.get("label") or ""
        if f.get("type") == "CHECKBOXES" and isinstance(value, list) and value and _LABELS[3][1].search(label):
            value = ", ".join(str(v) for v in value)  # the consent's wording is the option ticked
        pairs.append((label, value))
    return _finish(Form("tally", _text(data.get("submissionId") or data.get("responseId")),
                        _text(data.get("createdAt") or d.get("createdAt")), _text(data.get("formName"))),
                   pairs, typed)


# --- HubSpot ------------------------------------------------------------------------------------
# developers.hubspot.com, Forms API "Get submissions for a form"
# (GET /form-integrations/v1/submissions/forms/{form_guid}):
#   {"results": [{"conversionId": "<string>", "submittedAt": 123, "values": [{"name": "<string>",
#     "value": "<string>"}], "pageUrl": "<string>"}], "paging": {...}}
# `submittedAt` is Unix milliseconds; names are contact property names (firstname, lastname,
# email, phone, company, message); UTM parameters are read from pageUrl too.

def _is_hubspot(d: dict) -> bool:
    return "conversionId" in d and isinstance(d.get("values"), list)


def hubspot(d: dict) -> Form:
    pairs = [(v.get("name", ""), v.get("value")) for v in d["values"] if isinstance(v, dict)]
    return _finish(Form("hubspot", _text(d.get("conversionId")), _text(d.get("submittedAt")), None), pairs,
                   url=_text(d.get("pageUrl")))


# --- Netlify Forms ------------------------------------------------------------------------------
# Netlify's submission object (API GET /api/v1/forms/{form_id}/submissions, and the body of the
# "outgoing webhook" notification):
#   {"id": "subm_123", "number": 1, "email": "jane@example.com", "name": "Jane Doe",
#    "first_name": "Jane", "last_name": "Doe", "company": "Example Co", "summary": "...",
#    "body": "...", "data": {"name": "...", "email": "...", "ip": "...", "user_agent": "...",
#    "referrer": "https://..."}, "created_at": "2024-01-15T10:30:00Z", "human_fields": {...},
#    "form_name": "contact", "site_url": "https://example.netlify.app"}

def _is_netlify(d: dict) -> bool:
    return isinstance(d.get("data"), dict) and ("human_fields" in d or ("number" in d and "form_name" in d))


def netlify(d: dict) -> Form:
    data = d.get("data") or {}
    pairs = [(k, v) for k, v in data.items() if k not in ("ip", "user_agent", "referrer")]
    typed = {k: d.get(k) for k in ("email", "first_name", "last_name", "company") if d.get(k)}
    if d.get("name"):
        typed["name"] = d["name"]
    return _finish(Form("netlify", _text(d.get("id")), _text(d.get("created_at")), _text(d.get("form_name"))),
                   pairs, typed, url=_text(data.get("referrer")))


# --- Jotform ------------------------------------------------------------------------------------
# jotform.com/help/245 "How to set up a webhook" and api.jotform.com/docs: the webhook POST has
# formID, submissionID, formTitle, pretty and rawRequest, a JSON string of the answers keyed by
# question: {"slug": "submit/2123...", "q3_fullName": {"first": "Léa", "last": "Moreau"},
#  "q4_email": "lea@moreau.fr", "q5_phoneNumber": {"full": "(06) 12 34 56 78"}, "q6_company": "...",
#  "q8_utm_source": "...", "submitDate": "1763805600000", ...}. `created_at` ("2026-11-20
# 10:15:00", the account's time zone) is what the submissions API returns instead.

def _is_jotform(d: dict) -> bool:
    return "submissionID" in d and ("rawRequest" in d or "formID" in d)


def _jot_label(key: str) -> str:
    label = re.sub(r"^q\d+_", "", key)
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", label).replace("_", " ") if not label.startswith("utm") else label


def jotform(d: dict) -> Form:
    raw = d.get("rawRequest")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw, parse_float=str, parse_int=str)
        except ValueError:
            raw = {}
    raw = raw if isinstance(raw, dict) else {}
    pairs = [(_jot_label(k), v) for k, v in raw.items() if re.match(r"^q\d+_", k)]
    when = raw.get("submitDate") or d.get("created_at")
    return _finish(Form("jotform", _text(d.get("submissionID")), _text(when), _text(d.get("formTitle"))), pairs)


# --- Google Forms -------------------------------------------------------------------------------
# Google Forms' "Download responses (.csv)": one row per response, the first column "Timestamp"
# in the form's own format ("2026/11/20 10:15:00 AM GMT+1"; a linked Sheet shows
# "11/20/2026 10:15:00" in the spreadsheet's zone), then "Email Address" when the form collects
# emails, then one column per question titled with the question's text. No response id: the
# content hash keeps re-capture idempotent.

def _is_google_forms(d: dict) -> bool:
    return "Timestamp" in d and all(isinstance(v, str) for v in d.values())


def google_forms(d: dict) -> Form:
    pairs = [(k, v) for k, v in d.items() if k != "Timestamp"]
    return _finish(Form("google-forms", None, _text(d.get("Timestamp")), None), pairs)


# --- the generic mapping (crm.capture in comptoir.yaml) -----------------------------------------

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
        inner = data.get(head) if head in data else lowered.get(head.lower())
        if inner is not None:
            return _lookup(inner, rest)
    return None


def resolve(data: dict, spec: str | list[str]) -> str | None:
    """A mapping value: 'a | b' takes the first present; 'first + last' (or a list) joins with a space."""
    if isinstance(spec, list):
        spec = " + ".join(spec)
    for alternative in spec.split("|"):
        parts = [_text(_lookup(data, p.strip())) for p in alternative.split("+") if p.strip()]
        present = [p for p in parts if p]
        if present:
            return " ".join(present)
    return None


def generic(d: dict, mapping: CaptureSettings) -> Form:
    fields = {key: resolve(d, spec) for key, spec in mapping.fields.items()}
    consent = fields.get("consent")
    if consent and consent.lower() in _NOT_CONSENT:
        fields["consent"] = None
    form = Form("generic", resolve(d, mapping.id), resolve(d, mapping.submitted), None, fields)
    given = fields.get("consent")
    if given:
        form.consent_text = "consent" if given.lower() in ("true", "yes", "1", "on") else given
    return form


Reader = Callable[[dict], Form]
PRESETS: dict[str, tuple[Callable[[dict], bool], Reader]] = {
    "typeform": (_is_typeform, typeform),
    "tally": (_is_tally, tally),
    "webflow": (_is_webflow, webflow),
    "formstack": (_is_formstack, formstack),
    "hubspot": (_is_hubspot, hubspot),
    "jotform": (_is_jotform, jotform),
    "netlify": (_is_netlify, netlify),
    "google-forms": (_is_google_forms, google_forms),
}


def detect(d: dict) -> str:
    """The service a submission comes from, by its shape; 'generic' when none is recognised."""
    for name, (test, _) in PRESETS.items():
        if test(d):
            return name
    return "generic"


def read_form(d: dict, preset: str, mapping: CaptureSettings) -> Form:
    """The submission in the lead's terms, read by `preset` ('auto' detects it per submission)."""
    name = detect(d) if preset == "auto" else preset
    if name == "generic":
        return generic(d, mapping)
    test, reader = PRESETS[name]
    if not test(d):
        raise KeyError(name)  # named by the user, but not in that service's shape
    return reader(d)
