"""CRM leads: add, update (every status move in the transition table), show, list, follow-ups,
activities, and the one-line diff an update makes."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from comptoir.domain.crm import TRANSITIONS

from .conftest import files_in_commit, git, head, run

STATUSES = ("new", "contacted", "qualified", "converted", "lost", "disqualified")


def ok(book, *args, **kw):
    res = run(book, *args, **kw)
    assert res.exit_code == 0, res.output
    return res.stdout


def add_lead(book, name="Jeanne Martin", *extra, **kw) -> str:
    return ok(book, "crm", "lead", "add", name, *extra, **kw).strip()


def lead_file(book, ident):
    return book / "crm" / "leads" / f"{ident}.yaml"


def lead_json(book, ident):
    return json.loads(ok(book, "crm", "lead", "show", ident, "--format", "json"))


def test_add_writes_one_file_in_one_commit(book):
    before = head(book)
    ident = add_lead(book, "Jeanne Martin", "--company", "Café Lumière", "--email", "jeanne@lumiere.fr",
                     "--phone", "06 12 34 56 78", "--source", "referral", "--owner", "claire", "--score", "60",
                     "--interest", "espresso blend", "--tag", "horeca", "--follow-up", "2026-12-02")
    assert ident.startswith("L-20261128-")
    assert git(book, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert files_in_commit(book) == [f"crm/leads/{ident}.yaml"]
    assert git(book, "log", "-1", "--format=%s").strip() == f"Add lead {ident}: Jeanne Martin (Café Lumière), referral"
    text = lead_file(book, ident).read_text()
    assert "status: new\n" in text and "created: 2026-11-28\n" in text and "follow_up: 2026-12-02\n" in text
    data = lead_json(book, ident)["lead"]
    assert data["score"] == 60 and data["tags"] == ["horeca"] and data["source"] == "referral"


def test_add_with_note_logs_an_activity_in_the_same_commit(book):
    ident = add_lead(book, "Paul", "--email", "paul@x.fr", "--note", "Met at the fair")
    files = files_in_commit(book)
    assert len(files) == 2 and any(f.startswith("crm/activities/2026/11/ACT-20261128-") for f in files)
    acts = lead_json(book, ident)["activities"]
    assert [(a["type"], a["subject"]) for a in acts] == [("note", "Met at the fair")]


def test_add_refuses_a_known_email_or_phone_unless_told(book):
    first = add_lead(book, "Jeanne", "--email", "Jeanne@Lumiere.fr", "--phone", "+33 6 12 34 56 78")
    res = run(book, "crm", "lead", "add", "J. Martin", "--email", "jeanne@lumiere.FR")
    assert res.exit_code == 1 and "[possible-duplicate]" in res.stderr and first in res.stderr
    res = run(book, "crm", "lead", "add", "J. Martin", "--phone", "0033 6 12 34 56 78")
    assert res.exit_code == 1 and f"lead {first} (same phone)" in res.stderr
    add_lead(book, "J. Martin", "--email", "jeanne@lumiere.fr", "--allow-duplicate")


def test_add_rejects_bad_input_with_exit_1(book):
    res = run(book, "crm", "lead", "add", "X", "--source", "Web Site")
    assert res.exit_code == 1 and "source" in res.stderr
    res = run(book, "crm", "lead", "add", "X", "--status", "lost")
    assert res.exit_code == 1 and "[reason-required]" in res.stderr
    res = run(book, "crm", "lead", "add", "X", "--score", "101")
    assert res.exit_code == 2


# --- the transition table -------------------------------------------------------------------------

def test_transition_table_is_the_documented_one():
    assert TRANSITIONS == {
        "new": ("contacted", "qualified", "converted", "lost", "disqualified"),
        "contacted": ("qualified", "converted", "lost", "disqualified"),
        "qualified": ("contacted", "converted", "lost", "disqualified"),
        "lost": ("contacted",),
        "disqualified": ("new",),
        "converted": (),
    }


def lead_in(book, status: str, n: int) -> str:
    """A lead in `status`, reached through the commands."""
    email = f"p{status}{n}@example.com"
    if status == "converted":
        ident = add_lead(book, f"P {status} {n}", "--email", email, "--company", f"Co {status} {n}")
        ok(book, "crm", "lead", "convert", ident)
        return ident
    extra = ["--reason", "price"] if status == "lost" else []
    return add_lead(book, f"P {status} {n}", "--email", email, "--status", status, *extra)


@pytest.mark.parametrize("start", STATUSES)
def test_every_move_from_a_status(book, start):
    allowed = TRANSITIONS[start]
    # refused moves: exit 1, nothing written, and the allowed moves listed
    probe = lead_in(book, start, 0)
    before = head(book)
    text = lead_file(book, probe).read_text()
    for target in STATUSES:
        if target == start or target in allowed:
            continue
        res = run(book, "crm", "lead", "update", probe, "--status", target, "--reason", "x")
        assert res.exit_code == 1, (start, target, res.output)
        assert f"cannot move from {start} to {target}" in res.stderr
        listed = ", ".join(allowed) if allowed else "none: converted is final"
        assert f"from {start} a lead may move to: {listed}" in res.stderr
    assert head(book) == before and lead_file(book, probe).read_text() == text
    # allowed moves: each one works (converting goes through `lead convert`)
    for n, target in enumerate(allowed, 1):
        ident = lead_in(book, start, n)
        if target == "converted":
            res = run(book, "crm", "lead", "update", ident, "--status", "converted")
            assert res.exit_code == 1 and f"crm lead convert {ident}" in res.stderr
            ok(book, "crm", "lead", "convert", ident)
        else:
            extra = ["--reason", "too expensive"] if target == "lost" else []
            res = run(book, "crm", "lead", "update", ident, "--status", target, *extra)
            assert res.exit_code == 0, (start, target, res.output)
            subject = git(book, "log", "-1", "--format=%s").strip()
            assert subject == f"Lead {ident} {start} -> {target}" + (" (too expensive)" if extra else "")
        assert lead_json(book, ident)["lead"]["status"] == target


def test_lost_needs_a_reason_and_reopening_clears_it(book):
    ident = add_lead(book, "A", "--email", "a@x.fr", "--status", "qualified", "--follow-up", "2026-12-01")
    res = run(book, "crm", "lead", "update", ident, "--status", "lost")
    assert res.exit_code == 1 and "[reason-required]" in res.stderr
    ok(book, "crm", "lead", "update", ident, "--status", "lost", "--reason", "price")
    assert git(book, "log", "-1", "--format=%s").strip() == f"Lead {ident} qualified -> lost (price)"
    data = lead_json(book, ident)["lead"]
    assert data["lost_reason"] == "price" and "follow_up" not in data
    res = run(book, "crm", "lead", "update", ident, "--status", "converted")
    assert res.exit_code == 1 and "re-open it first" in res.stderr
    ok(book, "crm", "lead", "update", ident, "--status", "contacted")
    assert "lost_reason" not in lead_json(book, ident)["lead"]
    res = run(book, "crm", "lead", "update", ident, "--reason", "x")
    assert res.exit_code == 1 and "[reason-without-loss]" in res.stderr


def test_update_changes_only_the_changed_lines_and_keeps_comments(book):
    ident = add_lead(book, "Jeanne", "--email", "j@x.fr", "--score", "40", "--tag", "horeca")
    path = lead_file(book, ident)
    original = path.read_text()
    # a record written by the CLI reads back and writes again byte for byte
    from comptoir.book import yamlwrite
    assert yamlwrite.dump(yamlwrite.load_roundtrip(original)) == original
    # a hand edit: a comment and a quoted value, committed
    edited = original.replace("score: 40\n", "score: 40  # after the first call\n").replace(
        "name: Jeanne\n", "name: 'Jeanne'\n")
    path.write_text(edited)
    git(book, "commit", "-qam", "hand edit")
    ok(book, "crm", "lead", "update", ident, "--owner", "marc")
    after = path.read_text()
    old_lines, new_lines = edited.splitlines(), after.splitlines()
    assert [ln for ln in new_lines if ln not in old_lines] == ["owner: marc"]
    assert [ln for ln in old_lines if ln not in new_lines] == []
    assert new_lines.index("owner: marc") == new_lines.index("source: other") + 1  # in model order
    ok(book, "crm", "lead", "update", ident, "--score", "70")
    diff = git(book, "diff", "HEAD~1", "HEAD", "--unified=0", "--", f"crm/leads/{ident}.yaml")
    changed = [ln for ln in diff.splitlines() if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
    assert changed == ["-score: 40  # after the first call", "+score: 70  # after the first call"]


def test_update_sets_fields_adds_tags_and_logs_a_note(book):
    ident = add_lead(book, "Jeanne", "--email", "j@x.fr", "--tag", "a", "--company", "Old Co")
    ok(book, "crm", "lead", "update", ident, "--status", "contacted", "--tag", "b", "--untag", "a",
       "--company", "", "--follow-up", "2026-12-01", "--note", "Called: wants samples", "--note-type", "call")
    subject = git(book, "log", "-1", "--format=%s").strip()
    assert subject == f"Lead {ident} new -> contacted; set company, tags, follow_up; call logged"
    assert len(files_in_commit(book)) == 2
    data = lead_json(book, ident)
    assert data["lead"]["tags"] == ["b"] and "company" not in data["lead"]
    assert data["lead"]["follow_up"] == "2026-12-01"
    assert [(a["type"], a["subject"]) for a in data["activities"]] == [("call", "Called: wants samples")]
    res = run(book, "crm", "lead", "update", ident)
    assert res.exit_code == 2 and "nothing to change" in res.output
    res = run(book, "crm", "lead", "update", "L-20260101-ZZZZ", "--owner", "x")
    assert res.exit_code == 1 and "[unknown-lead]" in res.stderr


def test_show_lists_allowed_moves_duplicates_and_activities(book):
    a = add_lead(book, "Jeanne", "--email", "j@x.fr", "--status", "contacted")
    b = add_lead(book, "Jeanne bis", "--email", "J@X.FR", "--allow-duplicate")
    shown = lead_json(book, a)
    assert shown["allowed_moves"] == ["qualified", "converted", "lost", "disqualified"]
    assert shown["duplicates"] == [{"kind": "lead", "id": b, "same": "email"}]
    table = ok(book, "crm", "lead", "show", a)
    assert "allowed moves: qualified, converted, lost, disqualified" in table


def test_list_filters_and_sorts(book):
    a = add_lead(book, "A", "--email", "a@x.fr", "--source", "website", "--owner", "claire", "--score", "30",
                 "--created", "2026-10-01", "--tag", "horeca")
    b = add_lead(book, "B", "--email", "b@x.fr", "--source", "referral", "--owner", "marc", "--score", "90",
                 "--created", "2026-11-01", "--status", "qualified", "--follow-up", "2026-11-27")
    c = add_lead(book, "C", "--email", "c@x.fr", "--source", "website", "--owner", "Claire", "--score", "60",
                 "--created", "2026-11-20", "--status", "qualified", "--follow-up", "2026-12-10", "--tag", "office")

    def ids(*args):
        return [r["id"] for r in json.loads(ok(book, "crm", "lead", "list", "--format", "json", *args))["rows"]]

    assert ids() == [c, b, a]  # newest first
    assert ids("--sort", "age") == [a, b, c]
    assert ids("--sort", "score") == [b, c, a]
    assert ids("--status", "qualified") == [c, b]
    assert ids("--status", "qualified", "--status", "new") == [c, b, a]
    assert ids("--owner", "claire") == [c, a]  # owners compare without case
    assert ids("--source", "website") == [c, a]
    assert ids("--tag", "office", "--tag", "horeca") == [c, a]
    assert ids("--due") == [b]
    assert ids("--limit", "1", "--sort", "score") == [b]
    rows = json.loads(ok(book, "crm", "lead", "list", "--format", "json", "--status", "qualified"))["rows"]
    assert rows[1]["age"] == 27 and rows[1]["follow_up"] == "2026-11-27"
    csv_out = ok(book, "crm", "lead", "list", "--format", "csv")
    assert csv_out.splitlines()[0] == "id,created,age,name,company,source,owner,status,score,follow_up,email,campaign,consent"
    assert "| Id " in ok(book, "crm", "lead", "list", "--format", "markdown")


def test_list_as_of_an_earlier_revision(book):
    ident = add_lead(book, "A", "--email", "a@x.fr")
    rev = head(book)
    ok(book, "crm", "lead", "update", ident, "--status", "contacted")
    then = json.loads(ok(book, "crm", "lead", "list", "--format", "json", "--as-of", rev))
    assert [r["status"] for r in then["rows"]] == ["new"] and then["as_of"] == f"commit {rev[:10]}"


# --- activities and follow-ups --------------------------------------------------------------------

def test_activity_add_done_list(book):
    lead = add_lead(book, "A", "--email", "a@x.fr", "--owner", "claire")
    task = ok(book, "crm", "activity", "add", "task", "Send samples", "--lead", lead, "--due", "2026-11-25").strip()
    assert task.startswith("ACT-20261128-")
    assert git(book, "log", "-1", "--format=%s").strip() == f"Log task on {lead}: Send samples"
    call = ok(book, "crm", "activity", "add", "call", "Intro call", "--lead", lead, "--date", "2026-11-20",
              "--owner", "marc").strip()
    assert (book / "crm/activities/2026/11" / f"{call}.yaml").is_file()

    def rows(*args):
        return json.loads(ok(book, "crm", "activity", "list", "--format", "json", *args))["rows"]

    assert [r["id"] for r in rows()] == [task, call]
    assert [r["id"] for r in rows("--open")] == [task]
    assert [r["id"] for r in rows("--overdue")] == [task]
    assert [r["owner"] for r in rows("--type", "task")] == ["claire"]  # the lead's owner by default
    assert [r["id"] for r in rows("--owner", "marc")] == [call]
    assert [r["id"] for r in rows("--from", "2026-11-21")] == [task]
    ok(book, "crm", "activity", "done", task, "--date", "2026-11-27", "--note", "posted")
    assert rows("--open") == []
    text = (book / "crm/activities/2026/11" / f"{task}.yaml").read_text()
    assert "done: true\n" in text and "done_on: 2026-11-27\n" in text and "notes: posted\n" in text
    again = run(book, "crm", "activity", "done", task)
    assert again.exit_code == 1 and "[already-done]" in again.stderr


def test_activity_needs_an_existing_link(book):
    res = run(book, "crm", "activity", "add", "call", "x")
    assert res.exit_code == 2 and "--lead, --opp or --partner" in res.output
    res = run(book, "crm", "activity", "add", "call", "x", "--lead", "L-20260101-ZZZZ")
    assert res.exit_code == 1 and "[unknown-lead]" in res.stderr
    res = run(book, "crm", "activity", "add", "visit", "x", "--lead", "L-20260101-ZZZZ")
    assert res.exit_code == 2


def test_followups_lists_open_tasks_and_lead_follow_ups_by_owner(book, monkeypatch):
    a = add_lead(book, "A", "--email", "a@x.fr", "--owner", "claire", "--follow-up", "2026-11-20")
    b = add_lead(book, "B", "--email", "b@x.fr", "--owner", "marc", "--follow-up", "2026-11-28")
    add_lead(book, "C", "--email", "c@x.fr", "--owner", "claire", "--follow-up", "2026-12-05")
    lost = add_lead(book, "D", "--email", "d@x.fr", "--owner", "claire", "--follow-up", "2026-11-01")
    ok(book, "crm", "lead", "update", lost, "--status", "lost", "--reason", "price")
    t1 = ok(book, "crm", "activity", "add", "task", "Quote", "--lead", b, "--owner", "claire", "--due", "2026-11-26").strip()
    t2 = ok(book, "crm", "activity", "add", "call", "Call back", "--lead", a, "--due", "2026-11-30").strip()
    done = ok(book, "crm", "activity", "add", "task", "Old", "--lead", a, "--due", "2026-11-01", "--done").strip()

    def due(*args):
        return [(r["id"], r["days_late"]) for r in
                json.loads(ok(book, "crm", "followups", "--format", "json", *args))["rows"]]

    assert due() == [(a, 8), (t1, 2), (b, 0)]
    assert due("--overdue") == [(a, 8), (t1, 2)]
    assert due("--days", "2") == [(a, 8), (t1, 2), (b, 0), (t2, 0)]
    assert due("--owner", "claire") == [(a, 8), (t1, 2)]
    monkeypatch.setenv("COMPTOIR_USER", "Marc")
    assert due("--owner", "me") == [(b, 0)]
    assert done not in [r[0] for r in due("--days", "30")]


def test_help_teaches_the_commands(book):
    out = ok(book, "crm", "--help")
    for word in ("lead", "activity", "opp", "capture", "followups"):
        assert word in out
    assert "--status" in ok(book, "crm", "lead", "list", "--help")


def test_lead_ids_carry_the_created_date(book):
    ident = add_lead(book, "Old", "--email", "o@x.fr", "--created", "2026-03-04")
    assert ident.startswith("L-20260304-")
    assert lead_json(book, ident)["lead"]["created"] == dt.date(2026, 3, 4).isoformat()
