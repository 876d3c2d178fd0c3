"""Website capture: formats, field mapping, de-duplication, idempotency and bad rows."""

from __future__ import annotations

import json

from .conftest import files_in_commit, git, head, run


def ok(book, *args, **kw):
    res = run(book, *args, **kw)
    assert res.exit_code == 0, res.output
    return res


def leads(book) -> list[dict]:
    return json.loads(run(book, "crm", "lead", "list", "--format", "json", "--sort", "age").stdout)["rows"]


def activities(book) -> list[dict]:
    out = []
    for path in sorted((book / "crm" / "activities").rglob("*.yaml")):
        from comptoir.book import yamlread

        out.append(yamlread.parse(path.read_text()))
    return out


NETLIFY = [
    {"id": "sub-1", "created_at": "2026-11-20T10:15:00.000Z",
     "data": {"first_name": "Paul", "last_name": "Durand", "email": "paul@bistro.fr", "phone": "06 11 22 33 44",
              "company": "Bistro Paul", "interest": "house blend", "message": "Do you deliver to Lyon?"}},
    {"id": "sub-2", "created_at": "2026-11-21T08:00:00Z",
     "data": {"name": "Nadia Benali", "email": "nadia@tea.fr", "message": "Price list please"}},
    {"id": "sub-3", "created_at": "2026-11-22T09:00:00Z",
     "data": {"name": "Paul D.", "email": "PAUL@Bistro.FR", "message": "Forgot: 3rd floor"}},
]


def configure(book, path: tuple, value) -> None:
    """Set one setting in comptoir.yaml (a dotted path under it) and commit it."""
    from comptoir.book import yamlwrite

    settings = book / "comptoir.yaml"
    data = yamlwrite.load_roundtrip(settings.read_text())
    node = data
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    settings.write_text(yamlwrite.dump(data))
    git(book, "commit", "-qam", f"settings: {'.'.join(path)}")


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_jsonl_capture_creates_leads_and_merges_a_repeat_in_one_commit(book, tmp_path):
    feed = write_jsonl(tmp_path / "subs.jsonl", NETLIFY)
    before = head(book)
    res = ok(book, "crm", "capture", "--file", feed, "--format", "json")
    out = json.loads(res.stdout)
    assert [(r["row"], r["submission"], r["action"]) for r in out["rows"]] == [
        (1, "sub-1", "created"), (2, "sub-2", "created"), (3, "sub-3", "merged")]
    assert out["created"] == 2 and out["merged"] == 1
    assert git(book, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert git(book, "log", "-1", "--format=%s").strip() == \
        "Capture 3 website submissions from subs.jsonl: 2 new leads, 1 merged"
    assert len(files_in_commit(book)) == 5  # 2 leads + 3 activities
    rows = leads(book)
    assert [(r["name"], r["company"], r["source"], r["status"], r["created"]) for r in rows] == [
        ("Paul Durand", "Bistro Paul", "website", "new", "2026-11-20"),
        ("Nadia Benali", "", "website", "new", "2026-11-21")]
    paul = rows[0]["id"]
    acts = activities(book)
    assert sorted(a["submission"] for a in acts) == ["sub-1", "sub-2", "sub-3"]
    merged = next(a for a in acts if a["submission"] == "sub-3")
    assert merged["lead"] == paul and merged["submitted"] == "2026-11-22T09:00:00Z"
    assert "Forgot: 3rd floor" in merged["notes"] and "email: paul@bistro.fr" in merged["notes"]
    assert merged["channel"] == "website" and merged["date"] == "2026-11-22"


def test_capturing_the_same_file_twice_changes_nothing(book, tmp_path):
    feed = write_jsonl(tmp_path / "subs.jsonl", NETLIFY)
    ok(book, "crm", "capture", "--file", feed)
    before = head(book)
    files = sorted(p.relative_to(book).as_posix() for p in book.rglob("*.yaml") if ".git" not in p.parts)
    res = ok(book, "crm", "capture", "--file", feed, "--format", "json")
    assert [r["action"] for r in json.loads(res.stdout)["rows"]] == ["seen", "seen", "seen"]
    assert "nothing new to commit" in res.stderr
    assert head(book) == before
    assert sorted(p.relative_to(book).as_posix() for p in book.rglob("*.yaml") if ".git" not in p.parts) == files
    assert git(book, "status", "--porcelain") == ""


def test_submissions_without_an_id_are_recognised_by_their_content(book, tmp_path):
    rows = [{"name": "Ann", "email": "ann@x.fr", "date": "2026-11-01"},
            {"name": "Bob", "email": "bob@x.fr", "date": "2026-11-02"}]
    feed = tmp_path / "form.json"
    feed.write_text(json.dumps({"submissions": rows}))
    out = json.loads(ok(book, "crm", "capture", "--file", feed, "--format", "json").stdout)
    assert [r["action"] for r in out["rows"]] == ["created", "created"]
    assert all(r["submission"].startswith("sha1:") for r in out["rows"])
    before = head(book)
    # the same content again, in another order and with the keys shuffled: still nothing new
    feed.write_text(json.dumps([{"email": "bob@x.fr", "date": "2026-11-02", "name": "Bob"}, rows[0]]))
    out = json.loads(ok(book, "crm", "capture", "--file", feed, "--format", "json").stdout)
    assert [r["action"] for r in out["rows"]] == ["seen", "seen"] and head(book) == before


def test_duplicates_by_email_case_and_normalised_phone_go_to_the_lead_or_partner(book, tmp_path):
    lead = run(book, "crm", "lead", "add", "Jeanne", "--email", "Jeanne@Lumiere.fr", "--phone", "+33 6 12 34 56 78",
               "--owner", "claire").stdout.strip()
    partner = ok(book, "partner", "add", "Hôtel des Célestins", "--email", "hotel@celestins.fr",
                 "--contact", "Hélène Faure,helene@celestins.fr,04 72 56 56 57").stdout.strip()
    feed = write_jsonl(tmp_path / "s.jsonl", [
        {"id": "a", "email": "JEANNE@lumiere.FR", "name": "J"},
        {"id": "b", "phone": "0033 6 12 34 56 78", "name": "Jeanne M"},
        {"id": "c", "email": "helene@CELESTINS.fr", "name": "Hélène"},
        {"id": "d", "phone": "+33 4 9", "email": "new@x.fr", "name": "New"},
    ])
    out = json.loads(ok(book, "crm", "capture", "--file", feed, "--format", "json").stdout)
    assert [(r["action"], r["record"]) for r in out["rows"]][:3] == [
        ("merged", lead), ("merged", lead), ("merged", partner)]
    assert out["rows"][3]["action"] == "rejected" and "too few digits" in out["rows"][3]["detail"]
    acts = {a["submission"]: a for a in activities(book)}
    assert acts["a"]["lead"] == lead and acts["a"]["owner"] == "claire"
    assert acts["c"]["partner"] == partner and "lead" not in acts["c"]
    assert len(leads(book)) == 1


def test_national_phone_numbers_match_with_the_configured_country(book, tmp_path):
    configure(book, ("crm", "phone_country"), "33")
    lead = run(book, "crm", "lead", "add", "Jeanne", "--phone", "+33 6 12 34 56 78").stdout.strip()
    feed = write_jsonl(tmp_path / "s.jsonl", [{"id": "x", "phone": "06 12 34 56 78", "name": "J"}])
    out = json.loads(ok(book, "crm", "capture", "--file", feed, "--format", "json").stdout)
    assert (out["rows"][0]["action"], out["rows"][0]["record"]) == ("merged", lead)


def test_a_converted_lead_is_reached_through_its_customer(book, tmp_path):
    lead = run(book, "crm", "lead", "add", "Jeanne", "--email", "j@x.fr").stdout.strip()
    opp, customer = ok(book, "crm", "lead", "convert", lead).stdout.split()
    feed = write_jsonl(tmp_path / "s.jsonl", [{"id": "x", "email": "J@x.fr", "name": "J"}])
    out = json.loads(ok(book, "crm", "capture", "--file", feed, "--format", "json").stdout)
    assert out["rows"][0]["record"] == customer
    act = activities(book)[-1]
    assert act["partner"] == customer


def test_csv_with_bad_rows_keeps_the_good_ones_and_names_the_rows(book, tmp_path):
    feed = tmp_path / "export.csv"
    feed.write_text(
        "Submission ID,Submitted At,Name,Email,Phone,Company,Message\n"
        "r1,2026-11-02 10:00:00,Ann Lee,ann@x.fr,,Ann Co,hello\n"
        "r2,2026-11-03 10:00:00,No Contact,,,,\n"
        'r3,2026-11-04 10:00:00,"Bob, Jr",bob@x,,,"multi\nline"\n'
        "r4,2026-11-05,Cid,cid@x.fr,+33 6 00 00 00 01,,\n"
        "r5,2030-01-01,Future,f@x.fr,,,\n"
        "r6,only,three\n", encoding="utf-8")
    configure(book, ("crm", "capture", "id"), "Submission ID")
    configure(book, ("crm", "capture", "submitted"), "Submitted At")
    before = head(book)
    res = run(book, "crm", "capture", "--file", feed, "--format", "json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert [(r["row"], r["action"]) for r in out["rows"]] == [
        (2, "created"), (3, "rejected"), (4, "rejected"), (6, "created"), (7, "rejected")]
    errors = [ln for ln in res.stderr.splitlines() if "error [" in ln]
    assert errors[0] == f"{feed}:8: error [bad-row] row 8: 3 columns, the header has 7"
    assert f"{feed}:3: error [bad-submission] row 3: no email and no phone" in res.stderr
    assert f"{feed}:4: error [bad-submission] row 4: email 'bob@x' is not an address" in res.stderr
    assert "row 7: submitted 2030-01-01, after today (2026-11-28)" in res.stderr
    assert git(book, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert [r["name"] for r in leads(book)] == ["Ann Lee", "Cid"]
    # --strict: the same file again writes nothing at all and exits 1
    feed.write_text(feed.read_text().replace("r1,", "r1b,").replace("r4,", "r4b,").replace(
        "ann@x.fr", "ann2@x.fr").replace("cid@x.fr", "cid2@x.fr").replace("+33 6 00 00 00 01", ""))
    before = head(book)
    res = run(book, "crm", "capture", "--file", feed, "--strict")
    assert res.exit_code == 1 and "row 3: no email and no phone" in res.stderr
    assert head(book) == before and git(book, "status", "--porcelain") == ""


def test_mapping_addresses_nested_fields_and_joins_names(book, tmp_path):
    configure(book, ("crm", "capture"), {
        "id": "submissionID", "submitted": "answers.created",
        "fields": {"name": ["answers.Name.first", "answers.Name.last"], "email": "answers.E-mail",
                   "company": "answers.org | answers.company", "interest": "answers.product",
                   "items": "answers.skus", "tags": "answers.tags"}})
    feed = tmp_path / "jot.json"
    feed.write_text(json.dumps([{"submissionID": "5432", "answers": {
        "created": "1763805600", "Name": {"first": "Léa", "last": "Moreau"}, "e-mail": "lea@moreau.fr",
        "company": "Moreau SARL", "product": "espresso", "skus": "ESP-250, DEC-250", "tags": "Horeca"}}]))
    out = json.loads(ok(book, "crm", "capture", "--file", feed, "--format", "json").stdout)
    assert out["rows"][0]["action"] == "created"
    lead = json.loads(run(book, "crm", "lead", "show", out["rows"][0]["record"], "--format", "json").stdout)["lead"]
    assert (lead["name"], lead["email"], lead["company"], lead["interest"]) == (
        "Léa Moreau", "lea@moreau.fr", "Moreau SARL", "espresso")
    assert lead["items"] == ["ESP-250", "DEC-250"] and lead["tags"] == ["horeca"]
    assert lead["created"] == "2025-11-22"  # Unix seconds, as JotForm sends them
    act = activities(book)[0]
    assert act["submission"] == "5432" and act["submitted"] == "1763805600"


def test_bad_mapping_in_settings_is_an_error_with_its_line(book):
    configure(book, ("crm", "capture", "fields", "colour"), "data.colour")
    res = run(book, "crm", "lead", "list")
    assert res.exit_code == 1 and "unknown lead field colour" in res.stderr
    assert res.stderr.startswith("comptoir.yaml:")


def test_stdin_and_format_detection(book):
    body = json.dumps({"id": "s1", "email": "x@y.fr", "name": "X"}) + "\n" + json.dumps(
        {"id": "s2", "email": "z@y.fr", "name": "Z"}) + "\n"
    out = json.loads(ok(book, "crm", "capture", "--file", "-", "--format", "json", input=body).stdout)
    assert [r["action"] for r in out["rows"]] == ["created", "created"]
    csv_body = "id,name,email\ns3,Q,q@y.fr\n"
    out = json.loads(ok(book, "crm", "capture", "--file", "-", "--format", "json", input=csv_body).stdout)
    assert out["rows"] == [{"row": 2, "service": "generic", "submission": "s3", "action": "created", "record": out["rows"][0]["record"],
                            "name": "Q", "detail": ""}]


def test_dry_run_writes_nothing(book, tmp_path):
    feed = write_jsonl(tmp_path / "s.jsonl", NETLIFY)
    before = head(book)
    res = ok(book, "crm", "capture", "--file", feed, "--dry-run")
    assert "Would capture: 2 new leads, 1 merged" in res.stderr
    assert head(book) == before and not (book / "crm").exists()


def test_unreadable_file_is_exit_1(book, tmp_path):
    res = run(book, "crm", "capture", "--file", tmp_path / "missing.jsonl")
    assert res.exit_code == 1 and "[unreadable-file]" in res.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("[{]")
    res = run(book, "crm", "capture", "--file", bad, "--strict")
    assert res.exit_code == 1 and "[bad-json]" in res.stderr


def test_owner_of_captured_leads(book, tmp_path):
    feed = write_jsonl(tmp_path / "s.jsonl", NETLIFY[:1])
    ok(book, "crm", "capture", "--file", feed, "--owner", "julien")
    assert leads(book)[0]["owner"] == "julien"
