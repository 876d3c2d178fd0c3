"""A command imports and builds only what it reads.

Each command runs in a fresh interpreter (what a user starts), on a copy of the demo company;
at exit the interpreter says which modules it imported and which record models pydantic built.
A served report builds the models of the kinds it reads (and the settings'), never another
kind's: the kind table (comptoir.families) is plain data, and a model is imported the first
time a record of its kind is validated. Nothing here is timed: a regression shows as a module
or a model that should not be there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from comptoir.schemas.registry import all_kinds, kind_named

from .conftest import demo_book

# Runs `comptoir ARGS` and, at exit, writes the modules and the record models (every subclass of
# Record, nested ones included) to the file COMPTOIR_TEST_LOADED names.
PROBE = """
import atexit, json, os, sys

def _loaded():
    types = sys.modules.get("comptoir.schemas.types")
    models, todo = [], list(types.Record.__subclasses__()) if types else []
    while todo:
        model = todo.pop()
        models.append(f"{model.__module__}.{model.__qualname__}")
        todo.extend(model.__subclasses__())
    with open(os.environ["COMPTOIR_TEST_LOADED"], "w") as out:
        json.dump({"modules": sorted(sys.modules), "models": sorted(models)}, out)

atexit.register(_loaded)
from comptoir.main import main
main(sys.argv[1:])
"""

# What every report that reads the settings builds: the settings' models and their parts (the
# seller's address is the partners module's, so that module's Partner is built with them).
SETTINGS = {"settings", "partners", "types"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return demo_book(tmp_path_factory.mktemp("startup") / "demo")


def loaded(book: Path, *args: str, tmp: Path, probe: str = PROBE, refused: bool = False) -> dict:
    """What `probe` wrote of `comptoir ARGS` run in a fresh interpreter; `refused`: the command
    must end with exit 1 naming what it refused (NOPE), else it must succeed."""
    out = tmp / "loaded.json"
    env = {**os.environ, "COMPTOIR_TEST_LOADED": str(out), "COMPTOIR_TODAY": "2026-11-28"}
    env.pop("COMPTOIR_REPO", None)
    res = subprocess.run([sys.executable, "-c", probe, *args], cwd=book, env=env, capture_output=True, text=True)
    if refused:
        assert res.returncode == 1 and "NOPE" in res.stderr, res.stderr
    else:
        assert res.returncode == 0, res.stderr
    return json.loads(out.read_text())


def schema_modules(found: dict) -> set[str]:
    return {m.removeprefix("comptoir.schemas.") for m in found["modules"] if m.startswith("comptoir.schemas.")}


def kinds_built(found: dict) -> set[str]:
    """The kinds whose model pydantic built (their module was imported)."""
    models = set(found["models"])
    return {k.name for k in all_kinds()
            if "comptoir.schemas.{}.{}".format(*k.model_path.split(":")) in models}


def modules_of(*kinds: str) -> set[str]:
    return {kind_named(k).model_path.partition(":")[0] for k in kinds}


def test_help_imports_no_model_and_no_pydantic(demo, tmp_path):
    found = loaded(demo, "--help", tmp=tmp_path)
    assert schema_modules(found) == {"registry"}
    assert not any(m.split(".")[0] in ("pydantic", "pydantic_core", "yaml", "ruamel", "git", "tabulate")
                   for m in found["modules"])


def test_a_served_trial_balance_imports_no_pydantic(demo, tmp_path):
    """Served from its snapshot (the second run), the trial balance validates nothing."""
    loaded(demo, "report", "trial-balance", tmp=tmp_path)
    found = loaded(demo, "report", "trial-balance", tmp=tmp_path)
    assert found["models"] == []
    assert not any(m.split(".")[0] in ("pydantic", "yaml", "ruamel", "git", "openpyxl") for m in found["modules"])


# A served report, and the kinds it reads (as records, or as facts from the store).
SERVED = [
    (("report", "balance-sheet"), ("account", "journal", "rate")),
    (("report", "income-statement"), ("account", "journal", "rate")),
    (("report", "ar-aging"), ("account", "rate", "partner", "invoice", "credit-note", "payment", "application",
                              "bill", "debit-note",
                              # the documents' domain modules' own imports (comptoir.domain.documents
                              # uses the stock domain: stock moves, items and warehouses; tax codes)
                              "stock-move", "tax-code")),
    (("crm", "lead", "list"), ("lead", "activity", "opportunity", "partner", "rate")),
]


@pytest.mark.parametrize(("args", "reads"), SERVED, ids=[" ".join(a) for a, _ in SERVED])
def test_a_served_report_builds_no_model_of_a_kind_it_does_not_read(demo, tmp_path, args, reads):
    loaded(demo, *args, tmp=tmp_path)  # the first run derives what the next is served from
    found = loaded(demo, *args, tmp=tmp_path)
    assert kinds_built(found) <= set(modules_to_kinds(SETTINGS | modules_of(*reads)))
    assert schema_modules(found) <= {"registry", *SETTINGS, *modules_of(*reads)}
    # every file they read is in the simple subset comptoir writes: read without PyYAML
    assert not any(m.split(".")[0] in ("yaml", "ruamel", "git", "openpyxl", "matplotlib") for m in found["modules"])


def modules_to_kinds(modules: set[str]) -> list[str]:
    """Every kind whose model lives in one of `modules` (a module builds all its classes)."""
    return [k.name for k in all_kinds() if k.model_path.partition(":")[0] in modules]


def test_the_balance_sheet_builds_no_document_crm_or_payroll_model(demo, tmp_path):
    loaded(demo, "report", "balance-sheet", tmp=tmp_path)
    found = loaded(demo, "report", "balance-sheet", tmp=tmp_path)
    assert kinds_built(found) <= {"account", "journal", "rate", "partner"}
    assert not {"sales", "purchasing", "crm", "hr", "inventory", "manufacturing", "bank"} & schema_modules(found)


def test_a_kind_model_is_imported_when_first_asked_for():
    """Kind.model imports its module on first use; learning a folder imports nothing."""
    code = ("import sys\nfrom comptoir.schemas.registry import kind_named\n"
            "kind = kind_named('lead')\nassert kind.folder == 'crm/leads'\n"
            "before = 'comptoir.schemas.crm' in sys.modules or 'pydantic' in sys.modules\n"
            "model = kind.model\n"
            "print(before, model.__name__, 'comptoir.schemas.sales' in sys.modules)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.split() == ["False", "Lead", "False"]


# Runs `comptoir ARGS` and writes to COMPTOIR_TEST_LOADED the modules imported when the write
# first asked git about HEAD (comptoir.book.verdict.Head: the status a write compares with).
AHEAD = """
import json, os, sys
from comptoir.book import verdict

real = verdict.Head

def head(root, command=""):
    with open(os.environ["COMPTOIR_TEST_LOADED"], "w") as out:
        json.dump({"modules": sorted(sys.modules)}, out)
    return real(root, command)

verdict.Head = head
from comptoir.main import main
main(sys.argv[1:])
"""

# A write, and the rules it imports: git is asked before they are (a whole `git status` of a
# large book takes about as long as importing them), not after: every write command has the
# --no-commit flag, whose decorator asks (comptoir.options.no_commit): one write of each family
# (a fresh interpreter each, 1-1.5 s; sales order and invoice, pay, the stock moves, the leads'
# and purchases' other writes were checked alike when the decorator came).
WRITES = [
    (("sales", "deliver", "SO-NOPE"), "comptoir.domain.sales"),
    (("pay", "receive", "--partner", "NOPE", "--amount", "1"), "comptoir.domain.payments"),
    (("stock", "issue", "NOPE", "--qty", "1", "--warehouse", "SHOP"), "comptoir.domain.stock"),
    (("crm", "lead", "update", "L-NOPE", "--note", "called"), "comptoir.domain.crm"),
    (("purchase", "receive", "PO-NOPE"), "comptoir.domain.purchasing"),
    (("journal", "reverse", "JE-NOPE"), "comptoir.domain.posting"),
]


@pytest.mark.parametrize(("args", "rules"), WRITES, ids=[" ".join(a[:2]) for a, _ in WRITES])
def test_a_write_asks_git_before_it_imports_its_rules(demo, tmp_path, args, rules):
    # refused, nothing written: only the order matters
    assert rules not in loaded(demo, *args, tmp=tmp_path, probe=AHEAD, refused=True)["modules"]
