"""Id prefixes come from one table, `ids:` in comptoir.yaml (the kinds' own prefixes by default)."""

from __future__ import annotations

import re

import yaml

from .conftest import commit_all, git, head, run


def _set_ids(book, ids: dict) -> None:
    path = book / "comptoir.yaml"
    settings = yaml.safe_load(path.read_text())
    settings["ids"] = {**settings.get("ids", {}), **ids}
    path.write_text(yaml.safe_dump(settings, sort_keys=False))
    commit_all(book, "Own id prefixes")


def test_init_writes_the_table_of_prefixes(book):
    ids = yaml.safe_load((book / "comptoir.yaml").read_text())["ids"]
    assert ids["journal"] == "JE"
    assert ids["sales-order"] == "SO"
    assert ids["work-order"] == "WO"
    assert len(set(ids.values())) == len(ids)


def test_a_book_can_change_a_prefix(book):
    _set_ids(book, {"journal": "GL", "stock-move": "MV"})
    res = run(book, "journal", "post", "--date", "2026-11-05", "--memo", "Rent",
              "-p", "6100", "900", "-p", "1010", "-900")
    assert res.exit_code == 0, res.output
    assert re.fullmatch(r"GL-20261105-[0-9A-HJKMNP-TV-Z]{4}", res.stdout.strip())
    assert run(book, "warehouse", "add", "MAIN", "Main").exit_code == 0
    assert run(book, "item", "add", "BEAN", "Beans", "--uom", "kg").exit_code == 0
    res = run(book, "stock", "receive", "BEAN", "--qty", "10", "--warehouse", "MAIN", "--unit-cost", "4.00",
              "--date", "2026-11-06")
    assert res.exit_code == 0, res.output
    moves = list((book / "stock").rglob("*.yaml"))
    assert [m.name[:3] for m in moves] == ["MV-"]
    entries = sorted(p.name[:3] for p in (book / "journal").rglob("*.yaml"))
    assert entries == ["GL-", "GL-"]  # the receipt's stock entry follows the table too
    assert run(book, "validate").exit_code == 0


def test_an_unknown_kind_or_a_shared_prefix_is_refused(book):
    before = head(book)
    _set_ids(book, {"jornal": "GL"})
    res = run(book, "validate")
    assert res.exit_code == 1
    assert "comptoir.yaml" in res.stderr and "jornal makes no ids" in res.stderr
    git(book, "reset", "-q", "--hard", before)
    _set_ids(book, {"journal": "SO"})
    res = run(book, "journal", "post", "--date", "2026-11-05", "--memo", "Rent",
              "-p", "6100", "900", "-p", "1010", "-900")
    assert res.exit_code == 1
    assert "both use the prefix SO" in res.stderr
    assert not (book / "journal").exists()
