"""`--owner me` (issue 12, item 14): resolved to $COMPTOIR_USER, else git's user.name, by every
command that stores an owner, and matched by every owner filter; never stored as "me"."""

from __future__ import annotations

import json

import pytest

from .conftest import git, head, run


def _ok(book, *args) -> str:
    res = run(book, *args)
    assert res.exit_code == 0, res.output
    return res.stdout


def _owner(book, ident: str) -> str | None:
    [path] = list(book.glob(f"crm/**/{ident}.yaml"))
    for line in path.read_text().splitlines():
        if line.startswith("owner:"):
            return line.split(":", 1)[1].strip()
    return None


def _ids(book, *args) -> list[str]:
    return [r["id"] for r in json.loads(_ok(book, *args, "--format", "json"))["rows"]]


@pytest.fixture
def no_user(monkeypatch):
    monkeypatch.delenv("COMPTOIR_USER", raising=False)


def test_every_write_stores_git_user_name_for_me(book, no_user, tmp_path):
    # the fixture's repository has user.name Test, user.email test@example.com
    lead = _ok(book, "crm", "lead", "add", "Jeanne", "--email", "j@x.fr", "--owner", "me").strip()
    assert _owner(book, lead) == "Test"
    other = _ok(book, "crm", "lead", "add", "Paul", "--email", "p@x.fr", "--owner", "claire").strip()
    _ok(book, "crm", "lead", "update", other, "--owner", "ME")
    assert _owner(book, other) == "Test"
    act = _ok(book, "crm", "activity", "add", "call", "Call back", "--lead", lead, "--owner", "me").strip()
    assert _owner(book, act) == "Test"
    opp, customer = _ok(book, "crm", "lead", "convert", lead, "--owner", "me").split()
    assert _owner(book, opp) == "Test"
    opp2 = _ok(book, "crm", "opp", "add", "Filter", "--partner", customer, "--amount", "100.00",
               "--owner", "me").strip()
    assert _owner(book, opp2) == "Test"
    _ok(book, "crm", "opp", "update", opp2, "--owner", "claire")
    assert _owner(book, opp2) == "claire"
    _ok(book, "crm", "opp", "update", opp2, "--owner", "me")
    assert _owner(book, opp2) == "Test"
    feed = tmp_path / "subs.jsonl"
    feed.write_text(json.dumps({"id": "s1", "name": "Web Visitor", "email": "web@y.fr"}) + "\n")
    _ok(book, "crm", "capture", "--file", str(feed), "--owner", "me")
    [captured] = [r["id"] for r in json.loads(_ok(book, "crm", "lead", "list", "--format", "json"))["rows"]
                  if r["name"] == "Web Visitor"]
    assert _owner(book, captured) == "Test"

    # the filters match the stored name, case-insensitively, and the email's local part ("test")
    assert set(_ids(book, "crm", "lead", "list", "--owner", "me")) == {lead, other, captured}
    assert set(_ids(book, "crm", "opp", "list", "--owner", "me")) == {opp, opp2}
    hers = _ok(book, "crm", "activity", "add", "note", "Hers", "--lead", other, "--owner", "claire").strip()
    mine = _ids(book, "crm", "activity", "list", "--owner", "me")
    assert act in mine and hers not in mine  # and capture's note on the new lead
    assert {_owner(book, a) for a in mine} == {"Test"}


def test_comptoir_user_wins_and_its_email_part_is_not_stored(book, monkeypatch):
    monkeypatch.setenv("COMPTOIR_USER", "Marc Dupont <marc@roasters.example>")
    lead = _ok(book, "crm", "lead", "add", "Jeanne", "--owner", "me").strip()
    assert _owner(book, lead) == "Marc Dupont"
    short = _ok(book, "crm", "lead", "add", "Paul", "--owner", "marc").strip()  # owners are often short
    mine = _ids(book, "crm", "lead", "list", "--owner", "me")
    assert set(mine) == {lead, short}
    assert _ids(book, "crm", "lead", "list", "--owner", "marc") == [short]
    monkeypatch.setenv("COMPTOIR_USER", "Zoé")
    assert _ids(book, "crm", "lead", "list", "--owner", "me") == []
    other = _ok(book, "crm", "lead", "add", "Anne", "--owner", "me").strip()
    assert _owner(book, other) == "Zoé"


def test_me_without_a_name_is_refused_and_writes_nothing(book, no_user, monkeypatch, tmp_path):
    git(book, "config", "--unset", "user.name")
    git(book, "config", "--unset", "user.email")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "none"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL"):
        monkeypatch.delenv(var, raising=False)
    before = head(book)
    res = run(book, "crm", "lead", "add", "Jeanne", "--owner", "me")
    assert res.exit_code == 1 and "[who-is-me]" in res.stderr, res.output
    assert head(book) == before and git(book, "status", "--porcelain") == ""
    res = run(book, "crm", "lead", "list", "--owner", "me")
    assert res.exit_code == 1 and "[who-is-me]" in res.stderr
    # a CI job names its author in the environment, which git (and so `me`) falls back to
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Ci Bot")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "ci@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Ci Bot")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "ci@example.com")
    lead = _ok(book, "crm", "lead", "add", "Jeanne", "--owner", "me").strip()
    assert _owner(book, lead) == "Ci Bot"


def test_crm_owner_me_in_the_settings_is_whoever_writes(book, monkeypatch, tmp_path):
    """`crm.owner: me` in comptoir.yaml: each colleague's new leads, opportunities, captures and
    activities are their own; the file keeps `me`, and a lead's own owner still wins on convert."""
    settings = book / "comptoir.yaml"
    settings.write_text(settings.read_text().replace("\ncrm:\n", "\ncrm:\n  owner: me\n", 1))
    git(book, "commit", "-qam", "crm owner me")
    monkeypatch.setenv("COMPTOIR_USER", "Ana Lima <ana@roasters.example>")
    lead = _ok(book, "crm", "lead", "add", "Jeanne", "--email", "j@x.fr").strip()
    assert _owner(book, lead) == "Ana Lima"
    monkeypatch.setenv("COMPTOIR_USER", "Zoé")
    other = _ok(book, "crm", "lead", "add", "Paul", "--email", "p@x.fr", "--owner", "claire").strip()
    act = _ok(book, "crm", "activity", "add", "call", "Call back", "--lead", other).strip()
    assert _owner(book, act) == "claire"  # the lead's owner
    _ok(book, "crm", "lead", "update", other, "--owner", "")
    act = _ok(book, "crm", "activity", "add", "call", "Call again", "--lead", other).strip()
    assert _owner(book, act) == "Zoé"  # no owner on the lead: the settings' default, who writes
    monkeypatch.setenv("COMPTOIR_USER", "Marc Dupont")
    opp, customer = _ok(book, "crm", "lead", "convert", lead).split()
    assert _owner(book, opp) == "Ana Lima"  # the lead's owner, not the settings' default
    opp2 = _ok(book, "crm", "opp", "add", "Filter", "--partner", customer, "--amount", "100.00").strip()
    assert _owner(book, opp2) == "Marc Dupont"
    feed = tmp_path / "subs.jsonl"
    feed.write_text(json.dumps({"id": "s1", "name": "Web Visitor", "email": "web@y.fr"}) + "\n")
    _ok(book, "crm", "capture", "--file", str(feed))
    [captured] = [r["id"] for r in json.loads(_ok(book, "crm", "lead", "list", "--format", "json"))["rows"]
                  if r["name"] == "Web Visitor"]
    assert _owner(book, captured) == "Marc Dupont"
    assert "owner: me" in settings.read_text()
    assert git(book, "status", "--porcelain") == ""
    assert _ok(book, "validate") is not None
