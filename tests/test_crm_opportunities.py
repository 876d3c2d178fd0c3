"""Conversion lead -> customer + opportunity, opportunities by stage, win and lose, partners."""

from __future__ import annotations

import json
import sys
import types
from dataclasses import dataclass

from .conftest import files_in_commit, git, head, run


def ok(book, *args, **kw):
    res = run(book, *args, **kw)
    assert res.exit_code == 0, res.output
    return res.stdout


def show(book, what, ident):
    return json.loads(ok(book, *what, "show", ident, "--format", "json"))


def opp(book, ident):
    return show(book, ("crm", "opp"), ident)


def test_convert_creates_customer_and_opportunity_in_one_commit(book):
    lead = ok(book, "crm", "lead", "add", "Marion Chevalier", "--company", "Café Lumière", "--email", "marion@lumiere.fr",
              "--phone", "04 78 12 34 56", "--owner", "lea", "--interest", "house espresso",
              "--status", "qualified", "--follow-up", "2026-12-01").strip()
    before = head(book)
    out = ok(book, "crm", "lead", "convert", lead, "--amount", "14400.00", "--close", "2027-01-15").split()
    opp_id, customer = out
    assert opp_id.startswith("OPP-20261128-") and customer == "cafe-lumiere"
    assert git(book, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert files_in_commit(book) == sorted([f"crm/leads/{lead}.yaml", f"crm/opportunities/{opp_id}.yaml",
                                            "partners/cafe-lumiere.yaml"])
    assert git(book, "log", "-1", "--format=%s").strip() == \
        f"Convert lead {lead} to new customer cafe-lumiere and opportunity {opp_id}"
    p = show(book, ("partner",), customer)["partner"]
    assert p["roles"] == ["customer"] and p["lead"] == lead and p["email"] == "marion@lumiere.fr"
    assert p["contacts"] == [{"name": "Marion Chevalier", "email": "marion@lumiere.fr", "phone": "04 78 12 34 56"}]
    o = opp(book, opp_id)["opportunity"]
    assert (o["title"], o["stage"], o["amount"], o["owner"], o["lead"], o["expected_close"]) == (
        "Café Lumière: house espresso", "qualification", "14400.00", "lea", lead, "2027-01-15")
    converted = show(book, ("crm", "lead"), lead)["lead"]
    assert (converted["status"], converted["converted"], converted["partner"], converted["opportunity"]) == (
        "converted", "2026-11-28", customer, opp_id)
    assert "follow_up" not in converted
    again = run(book, "crm", "lead", "convert", lead)
    assert again.exit_code == 1 and "[already-converted]" in again.stderr


def test_convert_links_an_existing_partner_and_adds_the_customer_role(book):
    supplier = ok(book, "partner", "add", "Torréfacteurs Réunis", "--role", "supplier",
                  "--email", "achats@reunis.fr").strip()
    lead = ok(book, "crm", "lead", "add", "Paul", "--company", "Torrefacteurs reunis", "--email", "paul@reunis.fr").strip()
    opp_id, customer = ok(book, "crm", "lead", "convert", lead).split()
    assert customer == supplier
    assert show(book, ("partner",), supplier)["partner"]["roles"] == ["supplier", "customer"]
    assert "Convert lead" in git(book, "log", "-1", "--format=%s") and f"customer {supplier} and" in git(
        book, "log", "-1", "--format=%s")
    # a second partner that also matches makes it ambiguous: the user chooses
    ok(book, "partner", "add", "Other", "--email", "anne@x.fr")
    ok(book, "partner", "add", "Other Two", "--phone", "06 00 00 00 09")
    lead2 = ok(book, "crm", "lead", "add", "Anne", "--email", "anne@x.fr", "--phone", "06 00 00 00 09",
               "--allow-duplicate").strip()
    res = run(book, "crm", "lead", "convert", lead2)
    assert res.exit_code == 1 and "[ambiguous-partner]" in res.stderr and "other-two" in res.stderr
    _, chosen = ok(book, "crm", "lead", "convert", lead2, "--partner", "other-two").split()
    assert chosen == "other-two"


def test_convert_with_new_partner_gets_a_free_slug(book):
    ok(book, "partner", "add", "Café Lumière", "--email", "a@lumiere.fr")
    lead = ok(book, "crm", "lead", "add", "M", "--company", "Café Lumière", "--email", "m@other.fr").strip()
    _, customer = ok(book, "crm", "lead", "convert", lead, "--new-partner").split()
    assert customer == "cafe-lumiere-2"


def test_convert_refuses_lost_and_unknown(book):
    lead = ok(book, "crm", "lead", "add", "M", "--email", "m@x.fr", "--status", "lost", "--reason", "price").strip()
    res = run(book, "crm", "lead", "convert", lead)
    assert res.exit_code == 1 and "cannot move from lost to converted" in res.stderr
    res = run(book, "crm", "lead", "convert", "L-20260101-ZZZZ")
    assert res.exit_code == 1 and "[unknown-lead]" in res.stderr
    res = run(book, "crm", "lead", "convert", lead, "--partner", "x", "--new-partner")
    assert res.exit_code == 2


def customer(book, name="Café Lumière") -> str:
    return ok(book, "partner", "add", name).strip()


def test_opp_add_list_and_stage_default_probabilities(book):
    c = customer(book)
    a = ok(book, "crm", "opp", "add", "Espresso", "--partner", c, "--amount", "1000.00", "--owner", "ann",
           "--close", "2026-12-10").strip()
    b = ok(book, "crm", "opp", "add", "Filter", "--partner", c, "--stage", "proposal", "--probability", "45",
           "--line", "ESP-1KG", "10", "24.50", "--line", "DEC-1KG", "2", "-").strip()
    assert git(book, "log", "-1", "--format=%s").strip() == f"Open opportunity {b}: Filter"
    rows = json.loads(ok(book, "crm", "opp", "list", "--format", "json"))["rows"]
    assert [(r["id"], r["probability"], r["amount"], r["weighted"]) for r in rows] == [
        (a, 10, "1000.00", "100.00"), (b, 45, "245.00", "110.25")]
    shown = opp(book, b)
    assert shown["probability"] == 45 and shown["opportunity"]["lines"][1] == {"item": "DEC-1KG", "qty": "2"}
    res = run(book, "crm", "opp", "add", "X", "--partner", "nobody")
    assert res.exit_code == 1 and "[unknown-partner]" in res.stderr
    res = run(book, "crm", "opp", "add", "X", "--partner", c, "--amount", "1.005")
    assert res.exit_code == 1 and "[too-many-places]" in res.stderr
    res = run(book, "crm", "opp", "add", "X", "--partner", c, "--stage", "won")
    assert res.exit_code == 2


def test_opp_update_moves_stages_and_overrides_probability(book):
    c = customer(book)
    o = ok(book, "crm", "opp", "add", "Espresso", "--partner", c, "--amount", "2000.00").strip()
    ok(book, "crm", "opp", "update", o, "--stage", "proposal", "--note", "Quote sent")
    assert git(book, "log", "-1", "--format=%s").strip() == f"Opportunity {o} qualification -> proposal; note logged"
    assert opp(book, o)["probability"] == 30
    ok(book, "crm", "opp", "update", o, "--probability", "55")
    assert git(book, "log", "-1", "--format=%s").strip() == f"Update opportunity {o}: probability"
    assert opp(book, o)["weighted"] == "1100.00"
    ok(book, "crm", "opp", "update", o, "--probability", "default", "--stage", "negotiation", "--close", "2027-02-01")
    shown = opp(book, o)
    assert shown["probability"] == 60 and shown["opportunity"]["expected_close"] == "2027-02-01"
    for stage, cmd in (("won", "win"), ("lost", "lose")):
        res = run(book, "crm", "opp", "update", o, "--stage", stage)
        assert res.exit_code == 1 and f"crm opp {cmd}" in res.stderr
    res = run(book, "crm", "opp", "update", o, "--probability", "120")
    assert res.exit_code == 2


def test_stage_probabilities_come_from_settings(book):
    from comptoir.book import yamlwrite

    settings = book / "comptoir.yaml"
    data = yamlwrite.load_roundtrip(settings.read_text())
    data["crm"]["probability"] = {"proposal": 40}
    settings.write_text(yamlwrite.dump(data))
    git(book, "commit", "-qam", "probabilities")
    c = customer(book)
    o = ok(book, "crm", "opp", "add", "X", "--partner", c, "--stage", "proposal", "--amount", "100").strip()
    q = ok(book, "crm", "opp", "add", "Y", "--partner", c, "--amount", "100").strip()
    assert opp(book, o)["probability"] == 40 and opp(book, q)["probability"] == 10  # unset stages keep defaults


def test_lose_needs_a_reason_and_reopen(book):
    c = customer(book)
    o = ok(book, "crm", "opp", "add", "X", "--partner", c, "--amount", "100", "--stage", "proposal").strip()
    assert run(book, "crm", "opp", "lose", o).exit_code == 2
    ok(book, "crm", "opp", "lose", o, "--reason", "price", "--date", "2026-11-20")
    assert git(book, "log", "-1", "--format=%s").strip() == f"Opportunity {o} proposal -> lost (price)"
    data = opp(book, o)
    assert (data["opportunity"]["stage"], data["opportunity"]["closed"], data["probability"]) == ("lost", "2026-11-20", 0)
    res = run(book, "crm", "opp", "update", o, "--amount", "200")
    assert res.exit_code == 1 and "[closed-opportunity]" in res.stderr
    ok(book, "crm", "opp", "update", o, "--stage", "negotiation")
    data = opp(book, o)["opportunity"]
    assert data["stage"] == "negotiation" and "closed" not in data and "lost_reason" not in data


def test_win_marks_won_and_creates_the_sales_order(book):
    c = customer(book)
    ok(book, "warehouse", "add", "MAIN", "Main")
    ok(book, "item", "add", "ESP-1KG", "Espresso 1 kg", "--lead-time", "4")
    o = ok(book, "crm", "opp", "add", "X", "--partner", c, "--line", "ESP-1KG", "10", "24.50").strip()
    res = run(book, "crm", "opp", "win", o, "--date", "2026-11-27")
    assert res.exit_code == 0, res.output
    order = res.stdout.strip()
    assert order.startswith("SO-20261127-")
    assert f"Sales order {order}: promised for 2026-12-01" in res.stderr  # no stock: won day + 4 days lead time
    assert git(book, "log", "-1", "--format=%s").strip() == f"Win {o}: X (245.00 EUR), sales order {order}"
    assert opp(book, o)["opportunity"]["sales_order"] == order
    data = opp(book, o)
    assert (data["opportunity"]["stage"], data["opportunity"]["closed"], data["probability"]) == ("won", "2026-11-27", 100)
    again = run(book, "crm", "opp", "win", o)
    assert again.exit_code == 1 and "[already-won]" in again.stderr
    res = run(book, "crm", "opp", "lose", o, "--reason", "x")
    assert res.exit_code == 1 and "won: that is final" in res.stderr


def test_win_needs_an_amount(book):
    c = customer(book)
    o = ok(book, "crm", "opp", "add", "X", "--partner", c).strip()
    res = run(book, "crm", "opp", "win", o)
    assert res.exit_code == 1 and "[no-amount]" in res.stderr
    ok(book, "crm", "opp", "win", o, "--amount", "900.00")
    assert opp(book, o)["opportunity"]["amount"] == "900.00"


@dataclass
class _Draft:
    order_id: str
    records: list
    promise_date: object


def test_win_hands_the_lines_to_the_sales_hook_in_the_same_commit(book, monkeypatch):
    """The contract with issue 5: cli.domain.sales.order_from_opportunity(book, opp, day, rng)
    returns the order id, every record to write and the promise date; all land in the win's commit."""
    import datetime as dt

    from comptoir.schemas.crm import Activity
    from comptoir.schemas.registry import kind_named

    calls = []

    def order_from_opportunity(book_, opportunity, day, rng):
        calls.append((opportunity.stage, [ln.item for ln in opportunity.lines], day))
        stand_in = Activity(id="ACT-20261128-S0S0", date=day, type="note", subject="sales order SO-1",
                            opportunity=opportunity.id)
        return _Draft("SO-20261128-0001", [(kind_named("activity"), stand_in)], dt.date(2026, 12, 4))

    fake = types.ModuleType("comptoir.domain.sales")
    fake.order_from_opportunity = order_from_opportunity
    monkeypatch.setitem(sys.modules, "comptoir.domain.sales", fake)
    c = customer(book)
    o = ok(book, "crm", "opp", "add", "X", "--partner", c, "--line", "ESP-1KG", "10", "24.50").strip()
    before = head(book)
    res = run(book, "crm", "opp", "win", o)
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == "SO-20261128-0001"
    assert "promised for 2026-12-04" in res.stderr
    assert calls == [("won", ["ESP-1KG"], __import__("datetime").date(2026, 11, 28))]
    assert git(book, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert files_in_commit(book) == sorted([f"crm/opportunities/{o}.yaml", "crm/activities/2026/11/ACT-20261128-S0S0.yaml"])
    assert opp(book, o)["opportunity"]["sales_order"] == "SO-20261128-0001"
    # without lines, no order is attempted
    o2 = ok(book, "crm", "opp", "add", "Y", "--partner", c, "--amount", "10").strip()
    res = run(book, "crm", "opp", "win", o2)
    assert res.exit_code == 0 and res.stdout == "" and "no lines" in res.stderr and len(calls) == 1


def test_partner_add_list_show(book):
    ident = ok(book, "partner", "add", "Finca La Esperanza", "--role", "supplier", "--currency", "usd",
               "--lead-time", "45", "--payment-terms", "30", "--city", "Pitalito", "--country", "CO",
               "--contact", "Diego Ruiz,diego@esperanza.co").strip()
    assert ident == "finca-la-esperanza"
    assert git(book, "log", "-1", "--format=%s").strip() == "Add supplier finca-la-esperanza: Finca La Esperanza"
    ok(book, "partner", "add", "Café Lumière", "--id", "C-LUMIERE")
    rows = json.loads(ok(book, "partner", "list", "--format", "json"))["rows"]
    assert [(r["id"], r["roles"], r["currency"], r["city"]) for r in rows] == [
        ("C-LUMIERE", "customer", "EUR", ""), ("finca-la-esperanza", "supplier", "USD", "Pitalito")]
    assert [r["id"] for r in json.loads(ok(book, "partner", "list", "--role", "supplier", "--format", "json"))["rows"]] \
        == ["finca-la-esperanza"]
    data = show(book, ("partner",), ident)
    assert data["partner"]["lead_time_days"] == 45 and data["partner"]["contacts"] == [
        {"name": "Diego Ruiz", "email": "diego@esperanza.co"}]
    dup = run(book, "partner", "add", "Other", "--id", "C-LUMIERE")
    assert dup.exit_code == 1 and "[duplicate-id]" in dup.stderr
    assert run(book, "partner", "show", "nobody").exit_code == 1
