"""Campaigns and what they returned, the funnel by campaign, consent, forgetting a lead, the
contact export, and the capture refusals of issue 15.2 (a 1 MB CSV cell, a file that is not a
list)."""

from __future__ import annotations

import json

import pytest

from .conftest import files_in_commit, git, head, run


def ok(book, *args, **kw):
    res = run(book, *args, **kw)
    assert res.exit_code == 0, res.output
    return res


def doc(book, *args) -> dict:
    return json.loads(ok(book, *args, "--format", "json").stdout)


def capture(book, tmp_path, rows, *extra, name="form.json"):
    feed = tmp_path / name
    feed.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return {r["name"]: r["record"] for r in doc(book, "crm", "capture", "--file", feed, *extra)["rows"]}


def win_with_invoice(book, lead: str, qty: int) -> str:
    """Convert the lead, win its opportunity with `qty` half-days of training at 100.00, invoice
    the sales order; return the opportunity id."""
    opp = ok(book, "crm", "lead", "convert", lead).stdout.split()[0]
    ok(book, "crm", "opp", "update", opp, "--line", "TRAIN", str(qty), "100.00")
    order = ok(book, "crm", "opp", "win", opp).stdout.split()[0]
    ok(book, "sales", "invoice", order)
    return opp


@pytest.fixture
def scenario(book, tmp_path):
    """Two campaigns (300.00 and 1,000.00), six leads: three from the newsletter, two from the
    salon (one attributed by hand), one from nowhere; three won and invoiced."""
    ok(book, "item", "add", "TRAIN", "Barista training, half a day", "--type", "service", "--price", "100.00")
    nl = ok(book, "crm", "campaign", "add", "November newsletter", "--channel", "email", "--start", "2026-11-01",
            "--end", "2026-11-30", "--cost", "300.00", "--utm-source", "newsletter",
            "--utm-campaign", "nov-news").stdout.strip()
    salon = ok(book, "crm", "campaign", "add", "Salon du Café", "--channel", "event", "--start", "2026-10-10",
               "--end", "2026-10-12", "--cost", "1000.00", "--utm-campaign", "salon-2026").stdout.strip()
    ids = capture(book, tmp_path, [
        {"id": "a1", "name": "Ann Lee", "company": "Ann Café", "email": "ann@x.fr", "utm_source": "Newsletter",
         "utm_campaign": "NOV-news", "consent": "I agree to the newsletter", "submitted_at": "2026-11-03T10:00:00Z"},
        {"id": "a2", "name": "Bob Roy", "company": "Bob Bistro", "email": "bob@x.fr", "phone": "+33 6 00 00 00 02",
         "utm_source": "newsletter", "utm_campaign": "nov-news", "submitted_at": "2026-11-04T10:00:00Z"},
        {"id": "a3", "name": "Cid Moe", "company": "Cid Bar", "email": "cid@x.fr", "utm_campaign": "nov-news",
         "utm_source": "newsletter", "consent": "false", "submitted_at": "2026-11-05T10:00:00Z"},
        {"id": "b1", "name": "Dan Ode", "company": "Dan Hotel", "email": "dan@x.fr", "utm_campaign": "salon-2026",
         "submitted_at": "2026-10-11T10:00:00Z"},
        {"id": "n1", "name": "Fay Ngo", "company": "Fay Deli", "email": "fay@x.fr", "submitted_at": "2026-11-06T10:00:00Z"},
    ])
    ids |= capture(book, tmp_path, [{"id": "b2", "name": "Eve Sol", "company": "=1+1", "email": "eve@x.fr",
                                     "submitted_at": "2026-10-12T10:00:00Z"}], "--campaign", salon, name="eve.json")
    ok(book, "crm", "lead", "update", ids["Cid Moe"], "--status", "qualified")
    win_with_invoice(book, ids["Ann Lee"], 3)  # 300.00
    ok(book, "crm", "lead", "convert", ids["Bob Roy"])  # an open opportunity
    win_with_invoice(book, ids["Dan Ode"], 5)  # 500.00
    win_with_invoice(book, ids["Fay Ngo"], 1)  # 100.00, no campaign
    return {"nl": nl, "salon": salon, **ids}


def test_campaign_figures_match_the_hand_built_scenario(scenario, book):
    nl, salon = scenario["nl"], scenario["salon"]
    assert (nl, salon) == ("november-newsletter-2026", "salon-du-cafe-2026")
    report = doc(book, "report", "campaigns")
    rows = {r["campaign"]: r for r in report["rows"]}
    keys = ("leads", "qualified", "opportunities", "customers", "revenue", "cost", "cost_per_lead", "cost_per_customer")
    assert [rows[nl][k] for k in keys] == [3, 3, 2, 1, "300.00", "300.00", "100.00", "300.00"]
    assert [rows[salon][k] for k in keys] == [2, 1, 1, 1, "500.00", "1000.00", "500.00", "1000.00"]
    assert [rows[""][k] for k in keys] == [1, 1, 1, 1, "100.00", None, None, None]
    # 1,300.00 over 6 leads = 216.666.. -> 216.67; over 3 customers = 433.33
    assert [report["totals"][k] for k in keys] == [6, 5, 4, 3, "900.00", "1300.00", "216.67", "433.33"]
    listed = doc(book, "crm", "campaign", "list")["rows"]
    assert [(r["id"], r["cost"]) for r in listed] == [(salon, "1000.00"), (nl, "300.00")]
    by_campaign = doc(book, "crm", "lead", "list", "--campaign", salon)["rows"]
    assert sorted(r["name"] for r in by_campaign) == ["Dan Ode", "Eve Sol"]


def test_the_funnel_by_campaign_adds_up_to_the_funnel(scenario, book):
    by_source = doc(book, "report", "funnel")
    by_campaign = doc(book, "report", "funnel", "--by", "campaign")
    assert [r["source"] for r in by_campaign["rows"]] == ["(no campaign)", scenario["nl"], scenario["salon"]]
    counts = ("leads", "new", "contacted", "qualified", "converted", "lost", "disqualified", "opportunity", "won")
    for key in counts:
        assert sum(r[key] for r in by_campaign["rows"]) == by_campaign["totals"][key] == by_source["totals"][key]
    assert {k: v for k, v in by_campaign["totals"].items() if k != "source"} == \
        {k: v for k, v in by_source["totals"].items() if k != "source"}
    nl = next(r for r in by_campaign["rows"] if r["source"] == scenario["nl"])
    assert (nl["leads"], nl["converted"], nl["qualified"], nl["won"]) == (3, 2, 1, 1)


def test_campaign_refusals_write_nothing(book):
    before = head(book)
    res = run(book, "crm", "campaign", "add", "X", "--channel", "email", "--start", "2026-11-10", "--end", "2026-11-01")
    assert res.exit_code == 1 and "end 2026-11-01 is before start 2026-11-10" in res.stderr
    ok(book, "crm", "campaign", "add", "A", "--channel", "email", "--start", "2026-11-01", "--utm-campaign", "a")
    mid = head(book)
    res = run(book, "crm", "campaign", "add", "B", "--channel", "email", "--start", "2026-11-01", "--utm-campaign", "A")
    assert res.exit_code == 1 and "[duplicate-utm]" in res.stderr
    res = run(book, "crm", "campaign", "add", "C", "--channel", "email", "--start", "2026-11-01", "--cost", "1.005")
    assert res.exit_code == 1 and "[too-many-places]" in res.stderr
    res = run(book, "crm", "capture", "--file", "-", "--campaign", "nope", input='[{"email": "a@b.fr"}]')
    assert res.exit_code == 1 and "[unknown-campaign]" in res.stderr
    assert head(book) == mid != before and git(book, "status", "--porcelain") == ""


def test_consent_is_kept_listed_and_exported(scenario, book):
    ann = doc(book, "crm", "lead", "show", scenario["Ann Lee"])["lead"]
    assert ann["consent"] == {"text": "I agree to the newsletter", "given": "2026-11-03",
                              "submitted": "2026-11-03T10:00:00Z", "form": "generic", "submission": "a1"}
    consented = doc(book, "crm", "lead", "list", "--consented")["rows"]
    assert [r["name"] for r in consented] == ["Ann Lee"]  # Cid's "false" is no consent
    csv_out = ok(book, "crm", "export", "contacts", "--format", "csv").stdout.splitlines()
    assert csv_out[0] == "Email Address,First Name,Last Name,Phone Number,Company,Tags,Consent,Consent Date," \
                         "Consent Source,Lead"
    assert csv_out[1:] == [f"ann@x.fr,Ann,Lee,,Ann Café,,I agree to the newsletter,2026-11-03,generic,{scenario['Ann Lee']}"]
    everyone = ok(book, "crm", "export", "contacts", "--all", "--format", "csv").stdout.splitlines()
    assert len(everyone) == 7 and any(",'=1+1," in line for line in everyone)  # the formula neutralised
    assert "5 leads without consent left out" in ok(book, "crm", "export", "contacts").stdout


def test_forget_removes_personal_data_and_keeps_the_figures(scenario, book):
    bob = scenario["Bob Roy"]
    before_report = doc(book, "report", "campaigns")
    customer = doc(book, "crm", "lead", "show", bob)["lead"]["partner"]
    partner_file = (book / "partners" / f"{customer}.yaml").read_text()
    res = ok(book, "crm", "lead", "forget", bob)
    assert f"customer {customer} is kept" in res.stderr and "git history" in res.stderr
    lead = doc(book, "crm", "lead", "show", bob)["lead"]
    assert lead["name"] == "(forgotten)" and lead["forgotten"] == "2026-11-28"
    for gone in ("email", "phone", "company", "utm_source", "utm_campaign", "consent"):
        assert gone not in lead
    assert (lead["status"], lead["campaign"], lead["partner"]) == ("converted", scenario["nl"], customer)
    assert "bob@x.fr" not in (book / "crm" / "leads" / f"{bob}.yaml").read_text()
    changed = files_in_commit(book)
    assert f"crm/leads/{bob}.yaml" in changed and all(f.startswith("crm/") for f in changed)
    assert not any("bob@x.fr" in p.read_text() for p in (book / "crm").rglob("*.yaml"))
    assert (book / "partners" / f"{customer}.yaml").read_text() == partner_file
    assert git(book, "log", "-1", "--format=%s").strip() == f"Forget lead {bob}: personal data removed on request"
    assert doc(book, "report", "campaigns")["rows"] == before_report["rows"]
    assert run(book, "validate").exit_code == 0
    before = head(book)
    again = run(book, "crm", "lead", "forget", bob)
    assert again.exit_code == 1 and "[already-forgotten]" in again.stderr and head(book) == before


def test_a_huge_csv_cell_is_an_error_naming_the_row(book, tmp_path):
    feed = tmp_path / "big.csv"
    feed.write_text("id,name,email,message\nr1,Ann,ann@x.fr,hi\nr2,Bob,bob@x.fr," + "x" * 1_000_000 + "\n",
                    encoding="utf-8")
    before = head(book)
    res = run(book, "crm", "capture", "--file", feed)
    assert res.exit_code == 1
    assert f"{feed}:3: error [csv-cell-too-large] row 3: a value is longer than 131,072 characters" in res.stderr
    assert "Traceback" not in res.output and "internal error" not in res.output
    assert head(book) == before and git(book, "status", "--porcelain") == ""


@pytest.mark.parametrize("body", ['"x"', "12", "true", '{"unknown": 1} {"x": 2}'])
def test_a_file_that_is_not_a_list_of_submissions_is_exit_1(book, tmp_path, body):
    feed = tmp_path / "odd.json"
    feed.write_text(body)
    before = head(book)
    res = run(book, "crm", "capture", "--file", feed)
    assert res.exit_code == 1, res.output
    assert "[not-a-list]" in res.stderr or "[bad-json]" in res.stderr
    assert head(book) == before and git(book, "status", "--porcelain") == ""
    res = run(book, "crm", "capture", "--file", "-", input=body)
    assert res.exit_code == 1, res.output


def test_validate_names_a_lead_whose_campaign_does_not_exist(book):
    lead = ok(book, "crm", "lead", "add", "Ann", "--email", "ann@x.fr").stdout.strip()
    path = book / "crm" / "leads" / f"{lead}.yaml"
    path.write_text(path.read_text() + "campaign: no-such-campaign\n")
    res = run(book, "validate")
    assert res.exit_code == 1 and "[unknown-campaign]" in res.stdout + res.stderr
