"""What `validate` says about CRM records written by hand, loading only the kinds a list needs,
and the demo company's CRM data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from comptoir.book.loader import load_book
from comptoir.book.root import find_root

from .conftest import commit_all, git, head, run, write

REPO = Path(__file__).resolve().parent.parent


def problems(book) -> dict[str, list[dict]]:
    res = run(book, "validate", "--format", "json")
    doc = json.loads(res.stdout)
    return {"errors": doc["errors"], "warnings": doc["warnings"]}


def codes(found: list[dict]) -> list[tuple[str, str]]:
    return sorted((p["file"].rsplit("/", 1)[-1], p["code"]) for p in found)


def test_rules_on_hand_written_records(book):
    write(book, {
        "partners/lumiere.yaml": "id: lumiere\nname: Café Lumière\nroles:\n  - customer\n",
        "crm/leads/L-1.yaml": "id: L-1\nname: A\nsource: web\nstatus: lost\n",
        "crm/leads/L-2.yaml": "id: L-2\nname: B\nsource: web\nstatus: won\n",
        "crm/leads/L-3.yaml": "id: L-3\nname: C\nsource: web\nstatus: qualified\npartner: nobody\nopportunity: OPP-X\n",
        "crm/leads/L-4.yaml": "id: L-4\nname: D\nsource: web\nstatus: converted\n",
        "crm/opportunities/OPP-1.yaml": "id: OPP-1\ntitle: T\npartner: ghost\nlead: L-9\nstage: lost\n",
        "crm/opportunities/OPP-2.yaml": "id: OPP-2\ntitle: T\npartner: lumiere\nstage: won\n",
        "crm/opportunities/OPP-3.yaml": "id: OPP-3\ntitle: T\npartner: lumiere\nstage: proposal\nprobability: 150\n",
        "crm/opportunities/OPP-4.yaml": "id: OPP-4\ntitle: T\npartner: lumiere\nstage: proposal\namount: 10.001\n",
        "crm/activities/2026/11/ACT-1.yaml": "id: ACT-1\ndate: 2026-11-02\ntype: call\nsubject: s\nlead: L-404\n",
        "crm/activities/2026/11/ACT-2.yaml": "id: ACT-2\ndate: 2026-11-02\ntype: call\nsubject: s\n",
        "crm/activities/2026/11/ACT-3.yaml": "id: ACT-3\ndate: 2026-11-02\ntype: note\nsubject: s\nlead: L-1\n"
                                             "submission: abc\n",
        "crm/activities/2026/11/ACT-4.yaml": "id: ACT-4\ndate: 2026-11-03\ntype: note\nsubject: s\nlead: L-1\n"
                                             "submission: abc\n",
        "crm/activities/2026/10/ACT-5.yaml": "id: ACT-5\ndate: 2026-11-03\ntype: note\nsubject: s\nlead: L-1\n",
    })
    found = problems(book)
    assert codes(found["errors"]) == [
        ("ACT-1.yaml", "unknown-lead"),
        ("ACT-2.yaml", "invalid-value"),  # linked to nothing
        ("ACT-5.yaml", "misfiled"),
        ("L-1.yaml", "lost-without-reason"),
        ("L-2.yaml", "invalid-value"),
        ("L-3.yaml", "unknown-opportunity"),
        ("L-3.yaml", "unknown-partner"),
        ("OPP-1.yaml", "lost-without-reason"),
        ("OPP-1.yaml", "unknown-lead"),
        ("OPP-1.yaml", "unknown-partner"),
        ("OPP-3.yaml", "invalid-value"),
        ("OPP-4.yaml", "too-many-places"),
    ]
    assert codes(found["warnings"]) == [
        ("ACT-4.yaml", "duplicate-submission"), ("L-4.yaml", "converted-without-customer"),
        ("OPP-2.yaml", "won-without-amount")]
    by_file = {p["file"].rsplit("/", 1)[-1] + p["code"]: p for p in found["errors"]}
    status = by_file["L-2.yamlinvalid-value"]
    assert status["line"] == 4 and "'won' is not one of new, contacted, qualified, converted, lost, disqualified" in \
        status["message"]
    assert by_file["L-3.yamlunknown-partner"]["line"] == 5
    assert by_file["ACT-2.yamlinvalid-value"]["message"].endswith(
        "an activity is linked to a lead, an opportunity or a partner; set one of them")


def test_a_broken_record_blocks_edits_to_itself_only(book):
    write(book, {"crm/leads/L-1.yaml": "id: L-1\nname: A\nsource: web\nstatus: lost\n"})
    commit_all(book)
    # the existing problem blocks other work unless the user says to write anyway
    res = run(book, "crm", "lead", "add", "B", "--email", "b@x.fr")
    assert res.exit_code == 1 and "[book-invalid]" in res.stderr and "crm/leads/L-1.yaml" in res.stderr
    res = run(book, "--allow-invalid", "crm", "lead", "add", "B", "--email", "b@x.fr")
    assert res.exit_code == 0, res.output
    assert "crm/leads/L-1.yaml:4: warning [lost-without-reason]" in res.stderr
    # but a write to the broken lead must fix it
    before = head(book)
    res = run(book, "crm", "lead", "update", "L-1", "--owner", "ann")
    assert res.exit_code == 1 and "crm/leads/L-1.yaml:5: error [lost-without-reason]" in res.stderr  # in the text it would write
    assert head(book) == before
    res = run(book, "crm", "lead", "update", "L-1", "--reason", "price")
    assert res.exit_code == 0, res.output
    assert (book / "crm/leads/L-1.yaml").read_text() == "id: L-1\nname: A\nsource: web\nstatus: lost\nlost_reason: price\n"


def test_lists_load_only_their_kinds(book):
    lead = run(book, "crm", "lead", "add", "A", "--email", "a@x.fr", "--status", "qualified").stdout.strip()
    write(book, {"crm/activities/2026/11/ACT-BAD.yaml": "id: ACT-BAD\ndate: [\n",
                 "journal/2026/11/JE-BAD.yaml": "nonsense: true\n"})
    res = run(book, "crm", "lead", "list", "--status", "qualified", "--format", "json")
    assert res.exit_code == 0 and res.stderr == ""  # the broken activity and entry are not even read
    assert [r["id"] for r in json.loads(res.stdout)["rows"]] == [lead]
    root = find_root(str(book))
    partial = load_book(root, kinds=("lead",))
    assert set(partial.of("lead")) == {lead}
    assert not any(p.file.endswith("ACT-BAD.yaml") for p in partial.load_problems)  # not read yet
    assert dict(partial.of("activity")) == {}  # read when first used: the one activity is unreadable
    assert any(p.file.endswith("ACT-BAD.yaml") for p in partial.load_problems)
    whole = load_book(root)
    assert whole.of("lead") == dict(partial.of("lead"))
    assert any(p.file.endswith("ACT-BAD.yaml") for p in whole.load_problems)


def test_status_filter_in_the_loader_gives_the_same_rows(book):
    for i, status in enumerate(("new", "qualified", "qualified", "lost")):
        extra = ["--reason", "price"] if status == "lost" else []
        run(book, "crm", "lead", "add", f"P{i}", "--email", f"p{i}@x.fr", "--status", status, *extra)
    filtered = json.loads(run(book, "crm", "lead", "list", "--status", "qualified", "--format", "json").stdout)["rows"]
    everything = json.loads(run(book, "crm", "lead", "list", "--format", "json").stdout)["rows"]
    assert filtered == [r for r in everything if r["status"] == "qualified"] and len(filtered) == 2


def test_sharded_cache_serves_the_same_records_and_sees_edits(book):
    lead = run(book, "crm", "lead", "add", "A", "--email", "a@x.fr").stdout.strip()
    root = find_root(str(book))
    cold = load_book(root, kinds=("lead", "opportunity"))
    cache = book / git(book, "rev-parse", "--git-common-dir").strip() / "comptoir"
    assert any((cache / "store" / "parse").iterdir())  # the leads' parse results, kept by blob ids
    warm = load_book(root, kinds=("lead", "opportunity"))
    assert warm.records == cold.records
    path = book / "crm" / "leads" / f"{lead}.yaml"
    path.write_text(path.read_text().replace("name: A", "name: Edited"))
    assert load_book(root, kinds=("lead",)).of("lead")[lead].name == "Edited"


def test_the_demo_company_crm(tmp_path):
    data = REPO / "ledger-data"
    res = run(data, "validate", "--format", "json")
    assert res.exit_code == 0, res.output
    leads = json.loads(run(data, "crm", "lead", "list", "--format", "json").stdout)["rows"]
    assert len(leads) >= 20
    assert {r["status"] for r in leads} == {"new", "contacted", "qualified", "converted", "lost", "disqualified"}
    assert len({r["source"] for r in leads}) >= 4
    opps = json.loads(run(data, "crm", "opp", "list", "--format", "json").stdout)["rows"]
    assert {r["stage"] for r in opps} == {"qualification", "proposal", "negotiation", "won", "lost"}
    # the example capture file was captured by the demo script: capturing it again adds nothing
    books = tmp_path / "demo"
    shutil.copytree(data, books, ignore=shutil.ignore_patterns("script"))
    git(books, "init", "-q")
    commit_all(books, "demo copy")
    before = head(books)
    res = run(books, "crm", "capture", "--file", data / "examples" / "website-submissions.jsonl", "--format", "json")
    assert res.exit_code == 0, res.output
    actions = [r["action"] for r in json.loads(res.stdout)["rows"]]
    assert actions.count("seen") == 7 and actions.count("rejected") == 1
    assert head(books) == before
