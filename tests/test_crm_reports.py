"""CRM reports against figures computed by hand: pipeline, forecast, funnel (with dates from git
history), activities per owner, and the CRM lines of the overview."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess

import pytest

from .conftest import from_template, git, run, write


def ok(book, *args, **kw):
    res = run(book, *args, **kw)
    assert res.exit_code == 0, res.output
    return res.stdout


def report(book, name, *args, **kw):
    return json.loads(ok(book, "report", name, "--format", "json", *args, **kw))


def opp(book, title, *args, **kw) -> str:
    return ok(book, "crm", "opp", "add", title, "--partner", "lumiere", *args, **kw).strip()


def _pipeline_book(book, scratch):
    """Opportunities with amounts and probabilities chosen to be checked by hand (today 2026-11-28):

    A qualification ann 1000.00 x 10% = 100.00   close 2026-12-10
    B proposal      bob 2000.00 x 50% = 1000.00  close 2027-01-05 (probability overridden)
    C negotiation   ann 3000.00 x 60% = 1800.00  close 2026-11-30
    D proposal      ann no amount                no close date
    G qualification bob  400.00 x 10% = 40.00    close 2026-10-15 (overdue)
    H proposal      bob 1000.00 USD at 0.90 = 900.00 x 30% = 270.00  close 2027-02-10
    I proposal      bob  100.00 GBP, no rate     close 2026-12-05
    E won           bob  500.00 closed 2026-11-20
    F lost          ann  700.00 closed 2026-11-02
    """
    ok(book, "partner", "add", "Café Lumière", "--id", "lumiere")
    ok(book, "rate", "add", "USD", "0.90", "--date", "2026-11-01")
    opp(book, "A", "--amount", "1000.00", "--owner", "ann", "--close", "2026-12-10")
    opp(book, "B", "--stage", "proposal", "--amount", "2000.00", "--probability", "50", "--owner", "bob",
        "--close", "2027-01-05")
    opp(book, "C", "--stage", "negotiation", "--amount", "3000.00", "--owner", "ann", "--close", "2026-11-30")
    opp(book, "D", "--stage", "proposal", "--owner", "ann")
    opp(book, "G", "--amount", "400.00", "--owner", "bob", "--close", "2026-10-15")
    opp(book, "H", "--stage", "proposal", "--amount", "1000.00", "--currency", "USD", "--owner", "bob",
        "--close", "2027-02-10")
    opp(book, "I", "--stage", "proposal", "--amount", "100.00", "--currency", "GBP", "--owner", "bob",
        "--close", "2026-12-05")
    e = opp(book, "E", "--amount", "500.00", "--owner", "bob", "--close", "2026-12-01")
    ok(book, "crm", "opp", "win", e, "--date", "2026-11-20")
    f = opp(book, "F", "--amount", "700.00", "--owner", "ann")
    ok(book, "crm", "opp", "lose", f, "--reason", "price", "--date", "2026-11-02")
    return book


@pytest.fixture
def pipeline_book(book):
    return from_template(book, "crm_reports.pipeline_book", _pipeline_book)


def test_pipeline_by_stage_and_owner(pipeline_book):
    doc = report(pipeline_book, "pipeline")
    assert doc["report"] == "pipeline" and doc["columns"] == ["stage", "owner", "count", "amount", "weighted"]
    assert [(r["stage"], r["owner"], r["count"], r["amount"], r["weighted"]) for r in doc["rows"]] == [
        ("qualification", "ann", 1, "1000.00", "100.00"),
        ("qualification", "bob", 1, "400.00", "40.00"),
        ("proposal", "ann", 1, "0.00", "0.00"),
        ("proposal", "bob", 3, "2900.00", "1270.00"),
        ("negotiation", "ann", 1, "3000.00", "1800.00"),
    ]
    assert doc["totals"] == {"stage": "Total", "count": 7, "amount": "7300.00", "weighted": "3210.00"}
    assert any("have no amount yet" in n and "1 opportunities" in n for n in doc["notes"])
    assert any("no exchange rate to EUR for GBP" in n for n in doc["notes"])


def test_pipeline_by_stage_by_owner_and_with_closed(pipeline_book):
    by_stage = report(pipeline_book, "pipeline", "--by", "stage")
    assert [(r["stage"], r["count"], r["amount"], r["weighted"]) for r in by_stage["rows"]] == [
        ("qualification", 2, "1400.00", "140.00"), ("proposal", 4, "2900.00", "1270.00"),
        ("negotiation", 1, "3000.00", "1800.00")]
    by_owner = report(pipeline_book, "pipeline", "--by", "owner")
    assert [(r["owner"], r["count"], r["amount"], r["weighted"]) for r in by_owner["rows"]] == [
        ("ann", 3, "4000.00", "1900.00"), ("bob", 4, "3300.00", "1310.00")]
    assert by_owner["totals"]["weighted"] == "3210.00"
    everything = report(pipeline_book, "pipeline", "--all", "--by", "stage")
    assert [(r["stage"], r["amount"], r["weighted"]) for r in everything["rows"]][-2:] == [
        ("won", "500.00", "500.00"), ("lost", "700.00", "0.00")]
    assert report(pipeline_book, "pipeline", "--owner", "ann")["totals"]["weighted"] == "1900.00"


def test_pipeline_as_it_was(pipeline_book):
    log = git(pipeline_book, "log", "--format=%H %s").splitlines()
    before_c = next(line.split()[0] for line in log if line.endswith(": C"))
    doc = report(pipeline_book, "pipeline", "--as-of", before_c, "--by", "stage")
    assert doc["totals"]["weighted"] == "2900.00"  # A, B and C only: 100.00 + 1000.00 + 1800.00
    assert doc["as_of"] == f"commit {before_c[:10]}"


def test_forecast_by_close_month_with_won(pipeline_book):
    doc = report(pipeline_book, "forecast")
    assert [(r["month"], r["open"], r["amount"], r["weighted"], r["won"], r["expected"]) for r in doc["rows"]] == [
        ("overdue", 1, "400.00", "40.00", "0.00", "40.00"),
        ("2026-11", 1, "3000.00", "1800.00", "500.00", "2300.00"),
        ("2026-12", 2, "1000.00", "100.00", "0.00", "100.00"),
        ("2027-01", 1, "2000.00", "1000.00", "0.00", "1000.00"),
        ("2027-02", 1, "900.00", "270.00", "0.00", "270.00"),
        ("2027-03", 0, "0.00", "0.00", "0.00", "0.00"),
        ("2027-04", 0, "0.00", "0.00", "0.00", "0.00"),
        ("no date", 1, "0.00", "0.00", "0.00", "0.00"),
    ]
    assert doc["totals"] == {"month": "Total", "open": 7, "amount": "7300.00", "weighted": "3210.00",
                             "won": "500.00", "expected": "3710.00"}
    assert doc["won_year_to_date"] == "500.00"
    assert "won so far in the fiscal year from 2026-01-01: 500.00 EUR (1 opportunities)" in doc["notes"]
    short = report(pipeline_book, "forecast", "--months", "2")
    assert [r["month"] for r in short["rows"]] == ["overdue", "2026-11", "2026-12", "later", "no date"]


def test_overview_gains_the_crm_lines(pipeline_book):
    lead = ok(pipeline_book, "crm", "lead", "add", "P", "--email", "p@x.fr", "--follow-up", "2026-11-20").strip()
    ok(pipeline_book, "crm", "activity", "add", "task", "Call", "--lead", lead, "--due", "2026-11-28")
    doc = json.loads(ok(pipeline_book, "report", "overview", "--format", "json"))
    crm = {r["measure"]: r["value"] for r in doc["rows"] if r["section"] == "CRM"}
    assert crm == {"Open opportunities": 7, "Open pipeline": "7300.00", "Weighted pipeline": "3210.00",
                   "Won November 2026": "500.00", "New leads November 2026": 1,
                   "Follow-ups due (today or earlier)": 2, "Follow-ups overdue": 1}


def commit_at(repo, when: str, message: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_DATE=f"{when}T12:00:00", GIT_COMMITTER_DATE=f"{when}T12:00:00")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo, check=True, env=env)


def _funnel_book(book, scratch):
    """Leads by source (created -> converted, days):

    website  L1 new; L2 11-01 -> 11-11 (10, its opportunity won); L3 lost; L7 11-03 -> 11-07 (4, lost)
    referral L4 10-01 -> 10-21 (20, open opportunity); L5 qualified
    event    L6 disqualified
    import   H written by hand without dates: first commit 10-01, converted in a commit of 10-31 (30)
    """
    def lead(name, source, created, *extra):
        return ok(book, "crm", "lead", "add", name, "--email", f"{name.lower()}@x.fr", "--source", source,
                  "--created", created, *extra).strip()

    lead("L1", "website", "2026-11-01")
    l2 = lead("L2", "website", "2026-11-01")
    lead("L3", "website", "2026-11-02", "--status", "lost", "--reason", "price")
    l7 = lead("L7", "website", "2026-11-03")
    l4 = lead("L4", "referral", "2026-10-01")
    lead("L5", "referral", "2026-10-05", "--status", "qualified")
    lead("L6", "event", "2026-09-15", "--status", "disqualified")
    o2 = ok(book, "crm", "lead", "convert", l2, "--amount", "100", today=dt.date(2026, 11, 11)).split()[0]
    ok(book, "crm", "opp", "win", o2, today=dt.date(2026, 11, 20))
    o7 = ok(book, "crm", "lead", "convert", l7, "--amount", "100", today=dt.date(2026, 11, 7)).split()[0]
    ok(book, "crm", "opp", "lose", o7, "--reason", "price", today=dt.date(2026, 11, 9))
    ok(book, "crm", "lead", "convert", l4, today=dt.date(2026, 10, 21))
    customer = next(p.stem for p in (book / "partners").glob("*.yaml"))
    write(book, {"crm/leads/L-HAND-1.yaml": "id: L-HAND-1\nname: Hand Written\nsource: import\nstatus: new\n"})
    commit_at(book, "2026-10-01", "hand-written lead")
    write(book, {"crm/leads/L-HAND-1.yaml": "id: L-HAND-1\nname: Hand Written\nsource: import\nstatus: converted\n"
                                            f"partner: {customer}\nopportunity: OPP-HAND-1\n",
                 "crm/opportunities/OPP-HAND-1.yaml": f"id: OPP-HAND-1\ntitle: Hand\npartner: {customer}\n"
                                                      "lead: L-HAND-1\nstage: qualification\n"})
    commit_at(book, "2026-10-31", "converted by hand")
    return book


@pytest.fixture
def funnel_book(book):
    return from_template(book, "crm_reports.funnel_book", _funnel_book)


def test_funnel_by_source_with_dates_from_git_history(funnel_book):
    doc = report(funnel_book, "funnel")
    keys = ("source", "leads", "new", "contacted", "qualified", "converted", "lost", "disqualified",
            "opportunity", "won", "conversion", "win_rate", "lead_to_won", "median_days")
    rows = [tuple(r[k] for k in keys) for r in doc["rows"]]
    assert rows == [
        ("event", 1, 0, 0, 0, 0, 0, 1, 0, 0, "0.0", None, "0.0", None),
        ("import", 1, 0, 0, 0, 1, 0, 0, 1, 0, "100.0", "0.0", "0.0", "30"),
        ("referral", 2, 0, 0, 1, 1, 0, 0, 1, 0, "50.0", "0.0", "0.0", "20"),
        ("website", 4, 1, 0, 0, 2, 1, 0, 2, 1, "50.0", "50.0", "25.0", "7"),
    ]
    assert tuple(doc["totals"][k] for k in keys) == (
        "Total", 8, 1, 0, 1, 4, 1, 1, 4, 1, "50.0", "25.0", "12.5", "15")


def test_funnel_for_a_period_uses_the_git_date_of_undated_leads(funnel_book):
    november = report(funnel_book, "funnel", "--from", "2026-11-01", "--to", "2026-11-30")
    assert [r["source"] for r in november["rows"]] == ["website"]
    assert november["totals"]["leads"] == 4 and november["totals"]["median_days"] == "7"
    october = report(funnel_book, "funnel", "--period", "2026-10")
    assert [(r["source"], r["leads"]) for r in october["rows"]] == [("import", 1), ("referral", 2)]


def test_activities_per_owner(book):
    lead = ok(book, "crm", "lead", "add", "P", "--email", "p@x.fr").strip()

    def act(kind, *args):
        return ok(book, "crm", "activity", "add", kind, f"{kind} {len(args)}", "--lead", lead, *args).strip()

    for kind, day in (("call", "2026-11-20"), ("email", "2026-11-21"), ("meeting", "2026-11-22"),
                      ("note", "2026-11-23")):
        act(kind, "--owner", "ann", "--date", day)
    act("task", "--owner", "ann", "--date", "2026-11-15", "--due", "2026-11-25")
    act("task", "--owner", "ann", "--date", "2026-11-20", "--due", "2026-12-05")
    t3 = act("task", "--owner", "ann", "--date", "2026-11-05", "--due", "2026-11-10")
    ok(book, "crm", "activity", "done", t3, "--date", "2026-11-12")
    act("call", "--owner", "bob", "--date", "2026-10-15")
    t4 = act("task", "--owner", "bob", "--date", "2026-11-02", "--due", "2026-11-20")
    ok(book, "crm", "activity", "done", t4, "--date", "2026-11-21")
    act("call", "--owner", "bob", "--date", "2026-11-26", "--due", "2026-11-27")
    doc = report(book, "activities", "--from", "2026-11-01", "--to", "2026-11-30")
    keys = ("owner", "call", "email", "meeting", "note", "task", "done", "open", "overdue")
    assert [tuple(r[k] for k in keys) for r in doc["rows"]] == [
        ("ann", 1, 1, 1, 1, 3, 1, 2, 1), ("bob", 1, 0, 0, 0, 1, 1, 1, 1)]
    assert tuple(doc["totals"][k] for k in keys) == ("Total", 2, 1, 1, 1, 4, 2, 3, 2)
    everything = report(book, "activities")
    assert [r["call"] for r in everything["rows"]] == [1, 2]


def test_reports_render_in_every_format(pipeline_book):
    for name in ("pipeline", "forecast", "funnel", "activities"):
        table = ok(pipeline_book, "report", name)
        assert "Total" in table
        csv_out = ok(pipeline_book, "report", name, "--format", "csv")
        assert csv_out.splitlines()[-1].startswith("Total")
        md = ok(pipeline_book, "report", name, "--format", "markdown")
        assert md.startswith("## ") and "**Total**" in md
    assert "pipeline" in ok(pipeline_book, "report", "--help")


def test_diff_shows_what_a_change_does_to_the_crm(pipeline_book):
    old = ok(pipeline_book, "crm", "lead", "add", "Y", "--email", "y@x.fr", "--status", "qualified").strip()
    base = git(pipeline_book, "rev-parse", "HEAD").strip()
    ok(pipeline_book, "crm", "lead", "update", old, "--status", "lost", "--reason", "timing")
    lead = ok(pipeline_book, "crm", "lead", "add", "Z", "--email", "z@x.fr", "--source", "website",
              "--status", "qualified").strip()
    ok(pipeline_book, "crm", "lead", "update", lead, "--status", "lost", "--reason", "price")
    rows = json.loads(ok(pipeline_book, "report", "pipeline", "--format", "json", "--by", "stage"))["rows"]
    a = next(r for r in json.loads(ok(pipeline_book, "crm", "opp", "list", "--format", "json"))["rows"]
             if r["title"] == "A")["id"]
    ok(pipeline_book, "crm", "opp", "update", a, "--stage", "negotiation")  # 1000.00: 10% -> 60%
    doc = json.loads(ok(pipeline_book, "diff", base, "--format", "json"))
    crm = doc["sections"]["crm"]
    assert [(r["kind"], r["id"], r["change"], r["weighted_before"], r["weighted_after"]) for r in crm] == [
        *sorted([("lead", lead, "new lead (website, lost)", None, None),
                 ("lead", old, "qualified -> lost (timing)", None, None)], key=lambda r: r[1]),
        ("opportunity", a, "qualification -> negotiation", "100.00", "600.00")]
    assert rows[0]["weighted"] == "140.00"
    text_out = ok(pipeline_book, "diff", base)
    assert "Effect on the CRM" in text_out and "Weighted pipeline" in text_out and "3,710.00" in text_out
