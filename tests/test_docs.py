"""The documentation site builds without a warning, and its generated parts are current."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_site_builds_strict(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")],
                          cwd=ROOT, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site" / "commands" / "index.html").exists()
    assert "WARNING" not in done.stderr


def test_reference_pages_are_current():
    """docs/commands.md and the record kinds are generated from the code: rerun tools/docs.py.
    (In a process of its own: other tests register commands and kinds of their own.)"""
    done = subprocess.run([sys.executable, "tools/docs.py", "--check", "--no-examples"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_every_page_is_in_the_nav():
    import yaml

    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.SafeLoader)
    listed: set[str] = set()

    def walk(node):
        if isinstance(node, str):
            listed.add(node)
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(config["nav"])
    pages = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert pages - listed == set(), "add these pages to mkdocs.yml's nav"


def test_workflow_installs_from_the_pinned_repository():
    import re
    import tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    workflow = (ROOT / "docs" / "github-actions.yml").read_text()
    m = re.search(r'pip install "comptoir @ git\+(\S+)@([0-9a-f]{40})"', workflow)
    assert m, "the workflow installs comptoir from its git repository, pinned to a commit"
    assert m.group(1) == meta["urls"]["Repository"]
    assert "pip install comptoir\n" not in workflow
    known = subprocess.run(["git", "cat-file", "-e", f"{m.group(2)}^{{commit}}"], cwd=ROOT)
    assert known.returncode == 0, "the pinned revision is a commit of this repository"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert "License :: OSI Approved :: MIT License" in meta["classifiers"]


def test_examples_are_current():
    """Every command in the docs and README runs on a fresh copy of the demo company, and every
    output shown is the one it prints: rerun `python tools/docs.py` after a change. (Builds the
    demo with its history once; the build is kept in the temporary folder by content.)"""
    done = subprocess.run([sys.executable, "tools/docs.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-4000:]


def test_only_install_steps_are_not_run():
    """A block may skip execution only with a reason, and only these: a page cannot quietly show
    a command nobody ran."""
    import re

    reasons = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        reasons += [(page.name, r) for r in re.findall(r"^\s*<!-- not run: (.+?) -->", page.read_text(encoding="utf-8"), re.M)]
    allowed = {"installs; tests/test_docs.py runs the comptoir command in it",
               "it is the test suite itself, as .ci/run runs it",
               "changes your shell",
               "it is the generator of these pages",
               "needs hledger; tests/test_finance_hledger.py runs this comparison"}
    assert {r for _, r in reasons} <= allowed, reasons


def test_quickstart_commands_work_as_written():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = "pip install -e . && comptoir --repo ledger-data report overview\n"
    second = "pip install -e '.[test]' && ruff check . && lint-imports && python -m pytest\n"
    assert first in readme and second in readme
    assert "ruff check . && lint-imports && python -m pytest\n" in (ROOT / ".ci" / "run").read_text()
    from .conftest import run

    res = run(None, "--repo", ROOT / "ledger-data", "report", "overview")
    assert res.exit_code == 0, res.output
    assert "Comptoir Coffee Roasters" in res.stdout
