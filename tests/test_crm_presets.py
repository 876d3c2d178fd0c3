"""Form-service presets: one file per service, in the exact shape the service documents, with the
same five people: separate first and last names, an email in another case on a repeat, a phone
only (non-ASCII name, a formula in the company), nobody to get back to, and a broken email;
submitted on other days and, for the first, just before midnight UTC (the next day in Paris)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from .conftest import git, head, run
from .test_crm_capture import configure

UTC = dt.UTC
PEOPLE = [
    {"id": "s1", "when": dt.datetime(2026, 11, 20, 23, 30, tzinfo=UTC), "first": "Paul", "last": "Durand",
     "email": "Paul.Durand@Bistro.FR", "phone": "06 11 22 33 44", "company": "Bistro Paul",
     "message": "Do you deliver\nto Lyon?", "utm_campaign": "winter-wholesale", "consent": True},
    {"id": "s2", "when": dt.datetime(2026, 11, 18, 9, 0, tzinfo=UTC), "first": "Zoë", "last": "Ångström\u202e",
     "email": None, "phone": "+33 7 55 44 33 22", "company": '=HYPERLINK("http://evil.example")',
     "message": "Prix ?", "utm_campaign": None, "consent": False},
    {"id": "s3", "when": dt.datetime(2026, 11, 22, 10, 0, tzinfo=UTC), "first": "Paul", "last": "D.",
     "email": "PAUL.DURAND@bistro.fr", "phone": None, "company": None, "message": "3rd floor",
     "utm_campaign": None, "consent": False},
    {"id": "s4", "when": dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC), "first": "No", "last": "Contact",
     "email": None, "phone": None, "company": None, "message": "hi", "utm_campaign": None, "consent": False},
    {"id": "s5", "when": dt.datetime(2026, 11, 24, 10, 0, tzinfo=UTC), "first": "Bad", "last": "Mail",
     "email": "bad@@example.com", "phone": None, "company": None, "message": "", "utm_campaign": None,
     "consent": False},
]
CONSENT = "I agree to receive news from Test Roasters"


def iso(p) -> str:
    return p["when"].strftime("%Y-%m-%dT%H:%M:%S.000Z")


def ms(p) -> int:
    return int(p["when"].timestamp() * 1000)


def webflow(p):
    data = {"First Name": p["first"], "Last Name": p["last"], "email": p["email"],
            "Phone Number": p["phone"], "Company": p["company"], "Message": p["message"],
            "utm_campaign": p["utm_campaign"], "Newsletter consent": p["consent"]}
    return {"triggerType": "form_submission", "payload": {
        "name": "Wholesale enquiry", "siteId": "65427cf400e02b306eaa049c",
        "data": {k: v for k, v in data.items() if v is not None},
        "schema": [{"fieldName": k, "fieldType": "FormTextInput", "fieldElementId": "285042f7"} for k in data],
        "submittedAt": iso(p), "id": f"6321ca84df3949bfc675{p['id']}", "formId": "65429eadebe8a9f3a30f62d0"}}


def formstack(p):
    out = {"FormID": "23534", "Name": {"first": p["first"], "last": p["last"]}, "Email": p["email"] or "",
           "Phone": p["phone"] or "", "Company": p["company"] or "", "Message": p["message"],
           "utm_campaign": p["utm_campaign"] or "", "Newsletter": CONSENT if p["consent"] else "",
           "UniqueID": f"1234{p['id']}"}
    return out


def typeform(p):
    fields = [("f1", "First name", "short_text", "text", p["first"]), ("f2", "Last name", "short_text", "text", p["last"]),
              ("f3", "Your email", "email", "email", p["email"]), ("f4", "Phone", "phone_number", "phone_number",
                                                                   p["phone"]),
              ("f5", "Company", "short_text", "text", p["company"]),
              ("f6", "How can we help?", "long_text", "text", p["message"]),
              ("f7", CONSENT, "yes_no", "boolean", p["consent"])]
    return {"event_id": f"01EK4R5PFZZP6C8H14RTP4YW{p['id']}", "event_type": "form_response", "form_response": {
        "form_id": "g8hcyeXS", "token": f"x71for1wr6irs2rx71fotn12b3i{p['id']}", "landed_at": iso(p),
        "submitted_at": p["when"].strftime("%Y-%m-%dT%H:%M:%SZ"),
        "hidden": {"utm_source": "newsletter", "utm_campaign": p["utm_campaign"] or ""},
        "definition": {"id": "g8hcyeXS", "title": "Wholesale enquiry",
                       "fields": [{"id": f, "title": t, "type": ft, "ref": f"ref-{f}", "properties": {}}
                                  for f, t, ft, _, _ in fields]},
        "answers": [{"type": at, at: v, "field": {"id": f, "type": ft, "ref": f"ref-{f}"}}
                    for f, _, ft, at, v in fields if v not in (None, "")]}}


def tally(p):
    fields = [{"key": "question_1", "label": "First name", "type": "INPUT_TEXT", "value": p["first"]},
              {"key": "question_2", "label": "Last name", "type": "INPUT_TEXT", "value": p["last"]},
              {"key": "question_3", "label": "Email", "type": "INPUT_EMAIL", "value": p["email"]},
              {"key": "question_4", "label": "Phone number", "type": "INPUT_PHONE_NUMBER", "value": p["phone"]},
              {"key": "question_5", "label": "Company", "type": "INPUT_TEXT", "value": p["company"]},
              {"key": "question_6", "label": "Message", "type": "TEXTAREA", "value": p["message"]},
              {"key": "question_7", "label": "utm_campaign", "type": "HIDDEN_FIELDS", "value": p["utm_campaign"]},
              {"key": "question_8", "label": "Consent", "type": "CHECKBOXES",
               "value": ["5f0e"] if p["consent"] else None, "options": [{"id": "5f0e", "text": CONSENT}]}]
    return {"eventId": f"a4cb511e-d513-4fa5-baee-b815d718d{p['id']}", "eventType": "FORM_RESPONSE",
            "createdAt": iso(p), "data": {"responseId": f"2wgx4{p['id']}", "submissionId": f"2wgx4{p['id']}",
                                          "respondentId": "dwQKYm", "formId": "VwbNEw", "formName": "Wholesale enquiry",
                                          "createdAt": iso(p), "fields": fields}}


def hubspot(p):
    values = [("firstname", p["first"]), ("lastname", p["last"]), ("email", p["email"]), ("phone", p["phone"]),
              ("company", p["company"]), ("message", p["message"])]
    if p["consent"]:
        values.append(("LEGAL_CONSENT.subscription_type_4681882", "true"))
    url = "https://roasters.example/wholesale" + (
        f"?utm_source=newsletter&utm_medium=email&utm_campaign={p['utm_campaign']}" if p["utm_campaign"] else "")
    return {"conversionId": f"b4d1c3e0-{p['id']}", "submittedAt": ms(p),
            "values": [{"name": n, "value": v} for n, v in values if v is not None], "pageUrl": url}


def netlify(p):
    data = {"first_name": p["first"], "last_name": p["last"], "email": p["email"], "phone": p["phone"],
            "company": p["company"], "message": p["message"], "utm_campaign": p["utm_campaign"],
            "consent": "on" if p["consent"] else None, "ip": "203.0.113.7", "user_agent": "Mozilla/5.0",
            "referrer": "https://roasters.netlify.app/contact"}
    data = {k: v for k, v in data.items() if v is not None}
    return {"id": f"5fd8a7c3e1{p['id']}", "number": int(p["id"][1:]), "title": f"{p['first']} {p['last']}",
            "email": p["email"], "name": f"{p['first']} {p['last']}", "first_name": p["first"],
            "last_name": p["last"], "company": p["company"], "summary": f"<strong>{p['first']}</strong> ...",
            "body": p["message"], "data": data, "created_at": iso(p),
            "human_fields": {"First name": p["first"], "Email": p["email"]},
            "ordered_human_fields": [{"title": "First name", "name": "first_name", "value": p["first"]}],
            "form_id": "5fd8a7c3e1a5f20008b8e0c1", "form_name": "wholesale", "site_url": "https://roasters.netlify.app"}


def jotform(p):
    raw = {"slug": "submit/213456789/", "q3_name": {"first": p["first"], "last": p["last"]},
           "q4_email": p["email"] or "", "q5_phoneNumber": {"full": p["phone"] or ""}, "q6_company": p["company"] or "",
           "q7_message": p["message"], "q8_utm_campaign": p["utm_campaign"] or "",
           "q9_consent": [CONSENT] if p["consent"] else [], "submitDate": str(ms(p)), "buildDate": "1700000000000"}
    return {"formID": "213456789", "submissionID": f"5800000000{p['id']}", "formTitle": "Wholesale enquiry",
            "ip": "203.0.113.7", "type": "WEB", "pretty": f"Name:{p['first']} {p['last']}",
            "rawRequest": json.dumps(raw, ensure_ascii=False)}


def google_row(p):
    local = p["when"].astimezone(dt.timezone(dt.timedelta(hours=1)))
    stamp = f"{local:%Y/%m/%d} {local.hour % 12 or 12}:{local:%M:%S} {'AM' if local.hour < 12 else 'PM'} GMT+1"
    return {"Timestamp": stamp, "Email Address": p["email"] or "", "First name": p["first"], "Last name": p["last"],
            "Phone number": p["phone"] or "", "Company": p["company"] or "", "Your message": p["message"],
            "utm_campaign": p["utm_campaign"] or "", "Consent": CONSENT if p["consent"] else ""}


def write(tmp_path, preset: str):
    if preset == "google-forms":
        out = io.StringIO()
        rows = [google_row(p) for p in PEOPLE]
        w = csv.DictWriter(out, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
        path = tmp_path / "Wholesale enquiry (Responses).csv"
        path.write_text(out.getvalue(), encoding="utf-8")
        return path
    make = {"webflow": webflow, "formstack": formstack, "typeform": typeform, "tally": tally, "hubspot": hubspot,
            "netlify": netlify, "jotform": jotform}[preset]
    body = [make(p) for p in PEOPLE]
    path = tmp_path / f"{preset}.json"
    path.write_text(json.dumps({"results": body} if preset == "hubspot" else body, ensure_ascii=False),
                    encoding="utf-8")
    return path


PRESETS = ["webflow", "formstack", "typeform", "tally", "hubspot", "netlify", "jotform", "google-forms"]


@pytest.fixture
def paris(book):
    configure(book, ("timezone",), "Europe/Paris")
    configure(book, ("crm", "phone_country"), "FR")
    ok = run(book, "crm", "campaign", "add", "Winter wholesale", "--channel", "email", "--start", "2026-11-01",
             "--cost", "450.00", "--utm-campaign", "winter-wholesale")
    assert ok.exit_code == 0, ok.output
    return book


def lead_files(book) -> dict[str, dict]:
    from comptoir.book import yamlread

    return {p.stem: yamlread.parse(p.read_text()) for p in sorted((book / "crm" / "leads").glob("*.yaml"))}


@pytest.mark.parametrize("preset", PRESETS)
def test_each_preset_reads_the_service_shape(paris, tmp_path, preset):
    book = paris
    feed = write(tmp_path, preset)
    before = head(book)
    res = run(book, "crm", "capture", "--file", feed, "--format", "json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert {r["service"] for r in out["rows"]} == {preset}  # recognised from its shape
    assert [r["action"] for r in out["rows"]] == ["created", "created", "merged", "rejected", "rejected"]
    assert out["rows"][3]["detail"] == "no email and no phone: nobody to get back to"
    assert "bad@@example.com" in out["rows"][4]["detail"] and "not an address" in out["rows"][4]["detail"]
    assert git(book, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    leads = {lead["name"]: lead for lead in lead_files(book).values()}
    assert set(leads) == {"Paul Durand", "Zoë Ångström"}  # first + last; the bidi override removed
    paul, zoe = leads["Paul Durand"], leads["Zoë Ångström"]
    assert (paul["email"], paul["phone"], paul["company"]) == ("paul.durand@bistro.fr", "+33611223344", "Bistro Paul")
    assert ("email" not in zoe, zoe["phone"]) == (True, "+33755443322")
    assert zoe["company"] == '=HYPERLINK("http://evil.example")'  # kept as data; CSV output neutralises it
    dated = preset != "formstack"  # Formstack's webhook carries no submission time
    # 23:30 UTC on the 20th is 00:30 on the 21st in Paris, the book's zone
    assert (str(paul["created"]), str(zoe["created"])) == (("2026-11-21", "2026-11-18") if dated
                                                           else ("2026-11-28", "2026-11-28"))
    assert paul["campaign"] == "winter-wholesale-2026" and "campaign" not in zoe
    assert paul["consent"]["given"] == paul["created"] and "consent" not in zoe
    assert paul["consent"]["text"] in (CONSENT, "Newsletter consent", "consent", "LEGAL_CONSENT.subscription_type_4681882")
    merged = out["rows"][2]
    assert merged["record"] == out["rows"][0]["record"] and merged["detail"].startswith("same email as lead")
    # a CSV listing neutralises the formula
    listing = run(book, "crm", "lead", "list", "--format", "csv").stdout
    assert "'=HYPERLINK" in listing and "\n=HYPERLINK" not in listing and ",=HYPERLINK" not in listing
    # capturing the same file again: everything seen, no commit
    again = run(book, "crm", "capture", "--file", feed, "--format", "json")
    assert again.exit_code == 0, again.output
    assert [r["action"] for r in json.loads(again.stdout)["rows"]] == ["seen", "seen", "seen", "rejected", "rejected"]
    assert head(book) != before and git(book, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert git(book, "status", "--porcelain") == ""


@pytest.mark.parametrize("preset", ["webflow", "tally"])
def test_a_named_source_format_reads_the_file_that_way(paris, tmp_path, preset):
    feed = write(tmp_path, preset)
    out = json.loads(run(paris, "crm", "capture", "--file", feed, "--source-format", preset, "--format",
                         "json").stdout)
    assert [r["action"] for r in out["rows"]][:3] == ["created", "created", "merged"]
    # the wrong preset finds nobody in the file: every row is rejected and nothing is written
    other = write(tmp_path, "hubspot")
    before = head(paris)
    res = run(paris, "crm", "capture", "--file", other, "--source-format", "typeform", "--format", "json")
    assert {r["action"] for r in json.loads(res.stdout)["rows"]} == {"rejected"}
    assert "not a typeform submission" in res.stderr and head(paris) == before


def test_the_webflow_form_name_is_never_the_person(book, tmp_path):
    feed = tmp_path / "wf.json"
    feed.write_text(json.dumps({"triggerType": "form_submission", "payload": {
        "name": "Wholesale enquiry", "siteId": "s", "data": {"email": "ann@x.fr", "Opening hours": "7-19\x1b[2J"},
        "submittedAt": "2026-11-02T10:00:00Z", "id": "w1"}}))
    out = json.loads(run(book, "crm", "capture", "--file", feed, "--format", "json").stdout)
    assert out["rows"][0]["name"] == "ann@x.fr"  # no name given: the email, never the form's name
    act = json.loads(run(book, "crm", "activity", "list", "--format", "json").stdout)["rows"][0]
    assert act["subject"] == "Website form Wholesale enquiry"
    from comptoir.book import yamlread

    stored = yamlread.parse(next((book / "crm" / "activities").rglob("*.yaml")).read_text())
    assert stored["notes"] == "Opening hours: 7-19[2J"  # an answer no lead field takes is kept, escapes removed


def test_naive_timestamps_are_read_in_the_given_time_zone(book, tmp_path):
    configure(book, ("timezone",), "Europe/Paris")
    feed = tmp_path / "f.json"
    feed.write_text(json.dumps([{"id": "n1", "email": "a@x.fr", "name": "A", "submitted_at": "2026-11-20 19:30:00"}]))
    out = json.loads(run(book, "crm", "capture", "--file", feed, "--timezone", "America/New_York",
                         "--format", "json").stdout)
    assert out["rows"][0]["record"].startswith("L-20261121-")  # 19:30 in New York is 01:30 in Paris
    bad = run(book, "crm", "capture", "--file", feed, "--timezone", "Mars/Olympus")
    assert bad.exit_code == 2 and "not an IANA time zone" in bad.stderr


def test_typeform_responses_api_items_are_read_too(book, tmp_path):
    feed = tmp_path / "responses.json"
    feed.write_text(json.dumps({"total_items": 1, "page_count": 1, "items": [{
        "landing_id": "21085286190ffad1248d17c4135ee56f", "token": "21085286190ffad1248d17c4135ee56f",
        "landed_at": "2026-11-02T07:00:00Z", "submitted_at": "2026-11-02T07:02:00Z", "hidden": {"utm_source": "ads"},
        "answers": [{"field": {"id": "hVONkQcnSNRj", "type": "email", "ref": "work_email"}, "type": "email",
                     "email": "Lou@Example.org"},
                    {"field": {"id": "k6TP9oLGgHjl", "type": "short_text", "ref": "full_name"}, "type": "text",
                     "text": "Lou Reed"}]}]}))
    out = json.loads(run(book, "crm", "capture", "--file", feed, "--format", "json").stdout)
    assert [(r["service"], r["action"], r["name"]) for r in out["rows"]] == [("typeform", "created", "Lou Reed")]
    lead = json.loads(run(book, "crm", "lead", "show", out["rows"][0]["record"], "--format", "json").stdout)["lead"]
    assert (lead["email"], lead["created"], lead["utm_source"]) == ("lou@example.org", "2026-11-02", "ads")
