"""Help that teaches: examples in every leaf command's --help (read-only ones run on the demo),
every environment variable documented, "did you mean" and messages in the user's terms."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import click
import pytest

from comptoir.examples import EXAMPLES
from comptoir.main import ENVIRONMENT, cli
from tests.conftest import commit_all, git, head, run

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "ledger-data"


def _leaves() -> dict[str, click.Command]:
    ctx = click.Context(cli, info_name="comptoir")
    found: dict[str, click.Command] = {}

    def walk(cmd: click.Command, path: list[str]) -> None:
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                walk(cmd.get_command(ctx, name), [*path, name])
        else:
            found[" ".join(path)] = cmd

    walk(cli, [])
    return found


LEAVES = _leaves()


def _read_only(cmd: click.Command) -> bool:
    names = {p.name for p in cmd.params}
    return "fmt" in names and "no_commit" not in names and not any(
        p.name in ("apply",) for p in cmd.params)


def _examples() -> list[tuple[str, str]]:
    return [(path, line) for path, lines in sorted(EXAMPLES.items()) for line in lines]


def test_every_leaf_command_has_examples_in_its_help():
    assert len(LEAVES) > 100
    missing = [path for path in LEAVES if not EXAMPLES.get(path)]
    assert missing == []
    res = run(None, "journal", "post", "--help")
    assert res.exit_code == 0
    assert re.search(r"Examples:\n +comptoir journal post --date 2026-11-05", res.stdout)
    res = run(None, "report", "ledger", "--help")
    assert "  comptoir report ledger 1100 --partner hotel-bellecour" in res.stdout


def test_examples_name_commands_that_exist():
    assert set(EXAMPLES) <= set(LEAVES)


@pytest.mark.parametrize(("path", "line"), _examples(), ids=[f"{p}:{i}" for i, (p, _) in enumerate(_examples())])
def test_every_example_parses(path, line):
    """Each example names its own command and only options and arguments that command takes."""
    words = shlex.split(line.split(" | ")[-1].split(" > ")[0])
    assert words[0] == "comptoir"
    depth = len(path.split())
    assert " ".join(words[1:1 + depth]) == path
    cmd = LEAVES[path]
    ctx = cmd.make_context(path, words[1 + depth:], parent=click.Context(cli, info_name="comptoir"))
    assert ctx.params is not None


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "books"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("script", "examples"))
    git(root, "init", "-q")
    git(root, "config", "user.name", "Demo")
    git(root, "config", "user.email", "demo@example.com")
    commit_all(root, "demo")
    return root


# run as shown, except what needs the project's own history (HEAD~5, origin/main, --as-of a
# date): the copy here is one commit; in the project's repository they run as written
READ_ONLY = [(p, line) for p, line in _examples() if _read_only(LEAVES[p])
             and not re.search(r"[|>$]|HEAD~|origin/|--as-of|--base", line)]


@pytest.mark.parametrize(("path", "line"), READ_ONLY, ids=[f"{p}:{i}" for i, (p, _) in enumerate(READ_ONLY)])
def test_read_only_examples_run_on_the_demo(demo, path, line):
    before = head(demo)
    res = run(demo, *shlex.split(line)[1:])
    assert res.exit_code == 0, res.output
    assert head(demo) == before


def _environment_variables_read() -> set[str]:
    names = set()
    for source in (REPO / "cli").rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        names |= set(re.findall(r"""(?:environ\.get|getenv|environ\[)\(?\s*["']([A-Z_][A-Z0-9_]*)["']""", text))
        names |= set(re.findall(r"""["']([A-Z_][A-Z0-9_]*)["']\s+(?:not\s+)?in\s+os\.environ""", text))
    return names


def test_root_help_lists_every_environment_variable_the_code_reads():
    read = _environment_variables_read()
    assert {"COMPTOIR_REPO", "COMPTOIR_USER", "COMPTOIR_TODAY", "COMPTOIR_ANSWER_CACHE"} <= read
    res = run(None, "--help")
    assert res.exit_code == 0
    assert "Environment variables:" in res.stdout
    for name in read | {"_COMPTOIR_COMPLETE"}:
        assert name in ENVIRONMENT, f"{name} is read by the code but not documented in comptoir --help"
        assert name in res.stdout
    assert "Limits:" in res.stdout and "10,000" in res.stdout


def test_root_help_stays_fast_and_imports_no_command():
    out = subprocess.run(["python", "-X", "importtime", "-m", "comptoir", "--help"], capture_output=True,
                         text=True, cwd=REPO, check=True)
    assert "comptoir.commands" not in out.stderr
    assert "comptoir.examples" not in out.stderr


def _complete(book: Path, words: str, monkeypatch) -> list[str]:
    from click.shell_completion import ShellComplete

    args = words.split()
    incomplete = "" if words.endswith(" ") else args.pop()
    comp = ShellComplete(cli, {}, "comptoir", "_COMPTOIR_COMPLETE")
    return [c.value for c in comp.get_completions(["--repo", str(book), *args], incomplete)]


def test_completion_of_account_codes_skus_partners_and_ids(demo, monkeypatch):
    assert "6100" in _complete(demo, "journal post -p 61", monkeypatch)
    assert all(c.startswith("61") for c in _complete(demo, "journal post -p 61", monkeypatch))
    assert "1010" in _complete(demo, "report ledger 10", monkeypatch)
    assert _complete(demo, "stock available ESP-", monkeypatch) == ["ESP-1K", "ESP-250"]
    assert "hotel-bellecour" in _complete(demo, "report statement hot", monkeypatch)
    assert "hotel-bellecour" in _complete(demo, "sales list --partner hot", monkeypatch)
    assert "ROASTERY" in _complete(demo, "report stock-balance --warehouse RO", monkeypatch)
    leads = _complete(demo, "crm lead show L-", monkeypatch)
    assert leads and all(c.startswith("L-") for c in leads)
    entries = _complete(demo, "journal show JE-", monkeypatch)
    assert len(entries) > 50 and entries == sorted(entries)
    assert "trial-balance" in _complete(demo, "report tri", monkeypatch)


def test_completion_outside_a_book_is_quiet(tmp_path, monkeypatch):
    assert _complete(tmp_path / "nowhere", "report ledger 10", monkeypatch) == []
