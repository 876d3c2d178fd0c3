"""Shared fixtures: temporary git books built from inline YAML, and a runner for real commands."""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from comptoir.context import Env
from comptoir.main import main

TODAY = dt.date(2026, 11, 28)


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def run(repo: Path | None, *args: str, input: str | None = None, today: dt.date = TODAY, seed: int = 1,
        cwd: Path | None = None) -> Result:
    """Run a real comptoir command in-process and return its exit code, stdout and stderr."""
    env = Env(repo=str(repo) if repo else None, today_override=today, rng=random.Random(seed), cwd=cwd,
              lock_timeout=1.0)
    runner = CliRunner()
    with runner.isolation(input=input) as (out, err, _):
        try:
            main([str(a) for a in args], obj=env)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    return Result(code, stdout, stderr)


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def commit_all(repo: Path, message: str = "hand edit") -> None:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q", "-m", message)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A fresh book (starter chart, EUR) in its own git repository."""
    root = tmp_path / "books"
    res = run(None, "init", root, "--company", "Test Roasters", "--currency", "EUR")
    assert res.exit_code == 0, res.output
    git(root, "config", "user.name", "Test")
    git(root, "config", "user.email", "test@example.com")
    return root


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def files_in_commit(repo: Path, rev: str = "HEAD") -> list[str]:
    return sorted(git(repo, "show", "--name-only", "--format=", rev).split())
