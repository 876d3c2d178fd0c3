"""Git as the audit trail: history, --as-of, validate --base, diff, merges, schemas, audit verify."""

from __future__ import annotations

import json
import os
import subprocess

from .conftest import commit_all, git, git_calls, head, run, write


def _post(book, day, memo, amount, *more):
    res = run(book, "journal", "post", "--date", day, "--memo", memo, "-p", "6100", amount, "-p", "1010", *more)
    assert res.exit_code == 0, res.output
    return res.stdout.strip()


def _hand_commit(book, message, date=None):
    env = dict(os.environ)
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", "add", "-A"], cwd=book, check=True)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=book, check=True, env=env)


def test_history_shows_field_changes_for_cli_and_hand_edits(book):
    ident = _post(book, "2026-11-05", "Rent", "120.00")
    path = book / f"journal/2026/11/{ident}.yaml"
    path.write_text(path.read_text().replace("120.00", "210.00").replace("memo: Rent", "memo: Rent November"))
    _hand_commit(book, "Fix the rent amount")
    res = run(book, "history", ident, "--format", "json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["rows"]
    assert [r["subject"] for r in rows] == [f"Post {ident}: Rent", "Fix the rent amount"]
    assert rows[0]["changes"][0] == "(record created)"
    assert rows[1]["changes"] == ["memo: Rent -> Rent November", "postings[0].amount: 120.00 -> 210.00",
                                  "postings[1].amount: -120.00 -> -210.00"]
    assert {"field": "postings[0].amount", "change": "changed", "old": "120.00", "new": "210.00"} in rows[1]["change_list"]
    table = run(book, "history", ident).stdout
    assert "postings[0].amount: 120.00 -> 210.00" in table


def test_history_follows_an_account_renamed_by_hand_and_a_deleted_record(book):
    path = book / "accounts/1400.yaml"
    path.write_text(path.read_text().replace("Prepaid expenses", "Prepayments"))
    _hand_commit(book, "Rename 1400")
    path.unlink()
    _hand_commit(book, "Drop 1400")
    res = run(book, "history", "1400")
    assert res.exit_code == 0, res.output
    assert "name: Prepaid expenses -> Prepayments" in res.stdout
    assert "(record deleted)" in res.stdout
    assert run(book, "history", "NOPE-1").exit_code == 1


def test_as_of_revision_and_date_give_earlier_figures_without_touching_the_work_tree(book):
    write(book, {"journal/2026/10/JE-20261001-AAAA.yaml": "id: JE-20261001-AAAA\ndate: 2026-10-01\nmemo: Old\n"
                 "postings:\n  - {account: '6100', amount: 100}\n  - {account: '1010', amount: -100}\n"})
    _hand_commit(book, "October", date="2026-10-02T12:00:00")
    october = head(book)
    _post(book, "2026-11-05", "Later", "50.00")
    (book / "scratch.txt").write_text("uncommitted\n")
    status = git(book, "status", "--porcelain")
    by_rev = json.loads(run(book, "report", "trial-balance", "--as-of", october, "--format", "json").stdout)
    by_date = json.loads(run(book, "report", "trial-balance", "--as-of", "2026-10-15", "--format", "json").stdout)
    now = json.loads(run(book, "report", "trial-balance", "--format", "json").stdout)
    assert by_rev["totals"]["debit"] == by_date["totals"]["debit"] == "100.00"
    assert by_date["as_of"] == f"commit {october[:10]}"
    assert now["totals"]["debit"] == "150.00"
    assert git(book, "status", "--porcelain") == status
    listed = json.loads(run(book, "journal", "list", "--as-of", october, "--format", "json").stdout)
    assert [r["id"] for r in listed["rows"]] == ["JE-20261001-AAAA"]
    assert run(book, "report", "trial-balance", "--as-of", "not-a-rev").exit_code == 1


def _branch(book, name):
    git(book, "checkout", "-q", "-b", name)


def test_validate_base_catches_changed_and_deleted_posted_records(book):
    a = _post(book, "2026-11-05", "A", "10.00")
    b = _post(book, "2026-11-06", "B", "20.00")
    git(book, "branch", "-q", "main-base")
    _branch(book, "feature")
    pa = book / f"journal/2026/11/{a}.yaml"
    pa.write_text(pa.read_text().replace("10.00", "11.00"))
    (book / f"journal/2026/11/{b}.yaml").unlink()
    _hand_commit(book, "tamper")
    res = run(book, "validate", "--base", "main-base", "--format", "json")
    assert res.exit_code == 1
    errs = {(e["code"], e["file"]) for e in json.loads(res.stdout)["errors"]}
    assert ("posted-changed", f"journal/2026/11/{a}.yaml") in errs
    assert ("posted-deleted", f"journal/2026/11/{b}.yaml") in errs
    hint = next(e["hint"] for e in json.loads(res.stdout)["errors"] if e["code"] == "posted-changed")
    assert f"comptoir journal reverse {a}" in hint


def test_validate_base_lock_date_rules(book):
    settings = book / "comptoir.yaml"
    settings.write_text(settings.read_text().replace("fiscal_year_start: 01-01", "fiscal_year_start: 01-01\nlock_date: 2026-10-31"))
    _hand_commit(book, "Lock October")
    git(book, "branch", "-q", "main-base")
    _branch(book, "feature")
    write(book, {"journal/2026/10/JE-20261020-LATE.yaml": "id: JE-20261020-LATE\ndate: 2026-10-20\nmemo: Late\n"
                 "postings:\n  - {account: '6100', amount: 5}\n  - {account: '1010', amount: -5}\n"})
    settings.write_text(settings.read_text().replace("lock_date: 2026-10-31", "lock_date: 2026-09-30"))
    _hand_commit(book, "sneak in")
    errs = json.loads(run(book, "validate", "--base", "main-base", "--format", "json").stdout)["errors"]
    codes = sorted(e["code"] for e in errs)
    assert codes == ["lock-moved-back", "locked-period"]
    late = next(e for e in errs if e["code"] == "locked-period")
    assert late["file"] == "journal/2026/10/JE-20261020-LATE.yaml" and late["line"] == 2


def test_validate_base_passes_when_only_free_records_change(book):
    _post(book, "2026-11-05", "A", "10.00")
    git(book, "branch", "-q", "main-base")
    _branch(book, "feature")
    path = book / "accounts/1010.yaml"
    path.write_text(path.read_text().replace("name: Bank", "name: Bank (main account)"))
    _hand_commit(book, "rename the bank")
    _post(book, "2026-11-20", "New", "1.00")
    res = run(book, "validate", "--base", "main-base")
    assert res.exit_code == 0, res.output


def test_two_valid_branches_reversing_the_same_entry_are_invalid_merged(book):
    ident = _post(book, "2026-11-05", "Rent", "100.00")
    _branch(book, "alice")
    assert run(book, "journal", "reverse", ident, "--date", "2026-11-10", seed=1).exit_code == 0
    git(book, "checkout", "-q", "-")
    _branch(book, "bob")
    assert run(book, "journal", "reverse", ident, "--date", "2026-11-11", seed=2).exit_code == 0
    assert run(book, "validate").exit_code == 0
    git(book, "merge", "-q", "--no-edit", "alice")
    res = run(book, "validate")
    assert res.exit_code == 1
    assert "[double-reversal]" in res.stderr


def test_diff_summarises_a_branch_for_reviewers(book):
    _post(book, "2026-11-05", "Rent", "100.00")
    git(book, "branch", "-q", "main-base")
    _branch(book, "feature")
    _post(book, "2026-11-07", "More rent", "40.00")
    path = book / "accounts/1010.yaml"
    path.write_text(path.read_text().replace("name: Bank", "name: Main bank"))
    _hand_commit(book, "rename")
    res = run(book, "diff", "main-base", "HEAD")
    assert res.exit_code == 0, res.output
    assert "journal entry: 1 added" in res.stdout and "account: 1 changed" in res.stdout
    assert "name: Bank -> Main bank" in res.stdout
    doc = json.loads(run(book, "diff", "main-base", "--format", "json").stdout)
    bank = next(r for r in doc["accounts"] if r["account"] == "1010")
    assert (bank["before"], bank["after"], bank["credit"]) == ("-100.00", "-140.00", "40.00")
    md = run(book, "diff", "main-base", "--format", "markdown").stdout
    assert md.startswith("### comptoir: ✅") and "<details>" in md


def test_schema_export_headers_and_staleness(book):
    assert (book / "schemas/journal.schema.json").is_file()
    schema = json.loads((book / "schemas/journal.schema.json").read_text())
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "$defs" not in json.dumps(schema)
    ident = _post(book, "2026-11-05", "Rent", "100.00")
    first = (book / f"journal/2026/11/{ident}.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../../schemas/journal.schema.json"
    (book / "schemas/journal.schema.json").write_text("{}\n")
    commit_all(book, "break a schema")
    res = run(book, "validate")
    assert res.exit_code == 1 and "[schema-stale]" in res.stderr
    assert run(book, "schema", "export").exit_code == 0
    assert git(book, "log", "-1", "--format=%s").strip() == "Update 1 record schemas"
    assert run(book, "validate").exit_code == 0


def test_audit_verify_lists_commits_and_requires_signatures(book):
    _post(book, "2026-11-05", "Rent", "100.00")
    res = run(book, "audit", "verify", "--format", "json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["rows"]
    assert rows[0]["signature"] == "unsigned" and rows[0]["author"] == "Test <test@example.com>"
    res = run(book, "audit", "verify", "--require-signed")
    assert res.exit_code == 1 and "[unsigned-commit]" in res.stderr


def test_ci_workflow_commands_run_locally(book, tmp_path):
    """The commands docs/github-actions.yml runs, on a real branch."""
    _post(book, "2026-11-05", "Rent", "100.00")
    git(book, "branch", "-q", "main-base")
    _branch(book, "feature")
    _post(book, "2026-11-07", "More", "1.00")
    assert run(book, "validate", "--base", "main-base", "--format", "github").exit_code == 0
    assert run(book, "diff", "main-base", "HEAD", "--format", "markdown").exit_code == 0
    for report in ("overview", "trial-balance"):
        for fmt in ("markdown", "csv"):
            res = run(book, "report", report, "--format", fmt)
            assert res.exit_code == 0 and res.stdout


def test_two_valid_branches_issuing_the_last_units_are_invalid_merged(book):
    for args in (("warehouse", "add", "MAIN", "Main"), ("item", "add", "BAG", "Coffee bag", "--uom", "bag"),
                 ("stock", "receive", "BAG", "--qty", "5", "--unit-cost", "4.00", "--date", "2026-11-02")):
        assert run(book, *args).exit_code == 0
    _branch(book, "cafe")
    res = run(book, "stock", "issue", "BAG", "--qty", "5", "--date", "2026-11-10", "--reason", "café order", seed=1)
    assert res.exit_code == 0, res.output
    git(book, "checkout", "-q", "-")
    _branch(book, "web")
    res = run(book, "stock", "issue", "BAG", "--qty", "5", "--date", "2026-11-11", "--reason", "web order", seed=2)
    assert res.exit_code == 0, res.output
    assert run(book, "validate").exit_code == 0
    git(book, "merge", "-q", "--no-edit", "cafe")
    res = run(book, "validate", "--format", "json")
    assert res.exit_code == 1
    codes = {e["code"] for e in json.loads(res.stdout)["errors"]}
    assert "negative-stock" in codes, codes


def test_diff_shows_entries_stock_and_a_won_opportunity(book):
    assert run(book, "warehouse", "add", "MAIN", "Main").exit_code == 0
    assert run(book, "item", "add", "BAG", "Bag", "--price", "10.00").exit_code == 0
    customer = run(book, "partner", "add", "Café Soleil", "--role", "customer").stdout.strip()
    opp = run(book, "crm", "opp", "add", "Big order", "--partner", customer, "--amount", "1500.00",
              "--stage", "negotiation").stdout.strip()
    git(book, "branch", "-q", "main-base")
    _branch(book, "feature")
    _post(book, "2026-11-20", "Rent", "100.00")
    assert run(book, "stock", "receive", "BAG", "--qty", "10", "--unit-cost", "4.00", "--date", "2026-11-21").exit_code == 0
    assert run(book, "crm", "opp", "win", opp, "--date", "2026-11-22", "--no-order").exit_code == 0
    doc = json.loads(run(book, "diff", "main-base", "--format", "json").stdout)
    assert doc["summary"][:3] == ["journal entry: 2 added", "stock move: 1 added", "opportunity: 1 changed"]
    assert doc["sections"]["stock"] == [{"item": "BAG", "warehouse": "MAIN", "qty_before": "0", "qty_after": "10",
                                         "qty_change": "10", "value_before": "0.00", "value_after": "40.00",
                                         "value_change": "40.00"}]
    won = next(r for r in doc["sections"]["crm"] if r["id"] == opp)
    assert won["change"] == "negotiation -> won" and won["weighted_before"] == "900.00"
    inventory = next(r for r in doc["accounts"] if r["account"] == "1200")
    assert inventory["after"] == "40.00"
    text = run(book, "diff", "main-base").stdout
    assert "Effect on stock" in text and "Effect on the CRM" in text
    assert "stage: negotiation -> won" in text


def test_history_never_shows_another_record_that_looks_alike(book):
    """git's rename guessing would link a new employee's file to a similar one: history follows ids only."""
    assert run(book, "hr", "department", "add", "ROAST", "Roastery").exit_code == 0
    ids = []
    for name in ("Ana Pereira", "Ana Pereiro", "Ana Pereiru"):
        res = run(book, "hr", "employee", "add", name, "--department", "ROAST", "--role", "Roaster",
                  "--start", "2026-08-01", "--monthly-salary", "3200")
        assert res.exit_code == 0, res.output
        ids.append(res.stdout.strip())
    res = run(book, "history", ids[2], "--format", "json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["rows"]
    assert len(rows) == 1 and rows[0]["changes"][0] == "(record created)"
    assert "Ana Pereira" not in res.stdout and "Ana Pereiro" not in res.stdout
    assert ids[0] not in res.stdout and ids[1] not in res.stdout


def test_history_follows_a_record_moved_to_another_month_folder_by_its_id(book):
    ident = _post(book, "2026-10-30", "Rent", "120.00")
    old = book / f"journal/2026/10/{ident}.yaml"
    new = book / f"journal/2026/11/{ident}.yaml"
    new.parent.mkdir(parents=True, exist_ok=True)
    new.write_text(old.read_text().replace("2026-10-30", "2026-11-02"))
    old.unlink()
    _hand_commit(book, "Move the rent to November")
    rows = json.loads(run(book, "history", ident, "--format", "json").stdout)["rows"]
    assert [r["subject"] for r in rows] == [f"Post {ident}: Rent", "Move the rent to November"]
    assert rows[1]["changes"] == ["date: 2026-10-30 -> 2026-11-02"]
    assert rows[1]["path"] == f"journal/2026/11/{ident}.yaml"


def test_history_follows_moves_through_several_folders_and_a_deletion_in_place(book, monkeypatch):
    """The walk follows the record's literal path, and at a commit that added it and removed a
    file of the same name elsewhere in the kind's folder, the path before: never a pattern
    pathspec (git would match it against every name of the folder in every commit)."""
    from git import Repo

    ident = _post(book, "2026-10-30", "Rent", "120.00")
    for when, month in (("2026-11-02", "11"), ("2026-12-01", "12")):
        old = next(book.glob(f"journal/2026/*/{ident}.yaml"))
        new = book / f"journal/2026/{month}/{ident}.yaml"
        new.parent.mkdir(parents=True, exist_ok=True)
        new.write_text(old.read_text().replace(old.read_text().split("date: ")[1].split("\n")[0], when))
        old.unlink()
        _hand_commit(book, f"Move the rent to {month}")
        new.write_text(new.read_text().replace("memo: Rent", f"memo: Rent {month}"))
        _hand_commit(book, f"Rename the rent {month}")
    lead = book / "crm/leads/L-20261101-MOVE.yaml"
    write(book, {"crm/leads/old/L-20261101-MOVE.yaml": "id: L-20261101-MOVE\nname: Ana\ncompany: Kiosk\n"
                 "source: website\nstatus: new\ncreated: 2026-11-01\n"})
    _hand_commit(book, "A lead filed in a subfolder")
    (book / "crm/leads/old/L-20261101-MOVE.yaml").rename(lead)
    _hand_commit(book, "File the lead in its folder")
    lead.unlink()
    _hand_commit(book, "Drop the lead")
    write(book, {"crm/leads/L-20261101-MOVE.yaml": "id: L-20261101-MOVE\nname: Ana B\ncompany: Kiosk\n"
                 "source: website\nstatus: new\ncreated: 2026-11-01\n"})
    _hand_commit(book, "The lead again")
    asked = []
    real = Repo.iter_commits

    def spy(self, rev=None, paths="", **kwargs):
        asked.append(paths)
        return real(self, rev, paths, **kwargs)

    monkeypatch.setattr(Repo, "iter_commits", spy)
    rows = json.loads(run(book, "history", ident, "--format", "json").stdout)["rows"]
    assert [r["subject"] for r in rows] == [f"Post {ident}: Rent", "Move the rent to 11", "Rename the rent 11",
                                            "Move the rent to 12", "Rename the rent 12"]
    assert [r["path"] for r in rows] == [f"journal/2026/{m}/{ident}.yaml" for m in ("10", "11", "11", "12", "12")]
    assert rows[3]["changes"] == ["date: 2026-11-02 -> 2026-12-01"]
    assert rows[4]["changes"] == ["memo: Rent 11 -> Rent 12 11"]
    rows = json.loads(run(book, "history", "L-20261101-MOVE", "--format", "json").stdout)["rows"]
    assert [r["subject"] for r in rows] == ["A lead filed in a subfolder", "File the lead in its folder",
                                            "Drop the lead", "The lead again"]
    assert rows[1]["changes"] == ["(no field changed)"] and rows[2]["changes"] == ["(record deleted)"]
    assert rows[3]["changes"][0] == "(record created)" and "name: + Ana B" in rows[3]["changes"]
    assert asked and all("*" not in p for paths in asked for p in paths), asked


def test_history_of_a_deleted_entry_is_found_where_its_id_files_it(book, monkeypatch):
    """A record no longer here is looked for first where its id files it (its month folder, a flat
    kind's folder), in every commit; the pattern over every commit's changes only when not there."""
    ident = _post(book, "2026-10-30", "Rent", "120.00")
    (book / f"journal/2026/10/{ident}.yaml").unlink()
    _hand_commit(book, "Drop the rent")
    asked = git_calls(monkeypatch)
    rows = json.loads(run(book, "history", ident, "--format", "json").stdout)["rows"]
    assert [r["subject"] for r in rows] == [f"Post {ident}: Rent", "Drop the rent"]
    assert rows[1]["changes"] == ["(record deleted)"]
    logs = [a for a in asked if a[0] == "log"]
    assert logs and not [a for a in logs if any("*" in str(x) for x in a)], logs


def test_history_of_a_record_here_looks_up_its_path_not_every_commits_changes(book, monkeypatch):
    """A record in the working tree is found by name in git's index; the walk of every commit's
    changes for `*ID.yaml` (3 s over 2,000 commits) is only for a record no longer here, or one
    no commit has (which it does not find either)."""
    ident = _post(book, "2026-10-30", "Rent", "120.00")
    asked = git_calls(monkeypatch)
    res = run(book, "history", ident, "--format", "json")
    assert res.exit_code == 0, res.output
    assert [r["subject"] for r in json.loads(res.stdout)["rows"]] == [f"Post {ident}: Rent"]
    assert not [a for a in asked if a[0] == "log" and any(str(x).endswith(f"*{ident}.yaml") for x in a)], asked
    staged = book / "journal/2026/10/JE-20261030-STGD.yaml"
    staged.write_text((book / f"journal/2026/10/{ident}.yaml").read_text().replace(ident, "JE-20261030-STGD"))
    git(book, "add", str(staged))
    asked.clear()
    res = run(book, "history", "JE-20261030-STGD")
    assert res.exit_code == 1 and "unknown-record" in res.output
    assert [a for a in asked if a[0] == "log" and "--name-only" in a], asked  # looked through the history


def test_validate_checks_the_schema_files_against_stored_digests(book, monkeypatch):
    """Generating the schemas from the models costs every `validate` ~0.13 s: `init` stores their
    digests, the check reads them; without them (store deleted) it generates once and stores."""
    import shutil

    from comptoir.book import schemafiles

    made = []
    real = schemafiles.all_schemas
    monkeypatch.setattr(schemafiles, "all_schemas", lambda: made.append(1) or real())
    assert run(book, "validate").exit_code == 0 and made == []
    (book / "schemas/item.schema.json").write_text("{}\n")
    (book / "schemas/journal.schema.json").unlink()
    commit_all(book, "break two schemas")
    for expect_made in ([], [1], [1]):
        if expect_made == [1] and not made:
            shutil.rmtree(book / ".git/comptoir/store/schema-digests")
        res = run(book, "validate")
        assert res.exit_code == 1 and made == expect_made
        assert "schemas/item.schema.json:1: error [schema-stale]" in res.stderr
        assert "schemas/journal.schema.json:1: error [schema-missing]" in res.stderr
    assert run(book, "schema", "export").exit_code == 0
    assert run(book, "validate").exit_code == 0
